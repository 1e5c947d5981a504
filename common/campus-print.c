/*
 * campus-print.c: the hub's campus report and contact traces, from their
 * JSON, as text tables (a title, upper-case headers, aligned columns, as
 * gatectl prints a gate's report) or as CSV (each section its header row
 * and rows, sections apart by an empty line, CRLF as RFC 4180 has it).
 * Each section is a table of columns named by the JSON keys they show.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "campus-print.h"
#include "fmt.h"
#include "xmalloc.h"

enum cp_kind {
	CP_TEXT,	/* a string, or a number as it is */
	CP_TEMP,	/* degrees, one decimal */
	CP_SECONDS,	/* milliseconds as signed seconds */
	CP_PEOPLE,	/* an array of {person}: their ids, space apart */
};

struct cp_column {
	const char	*head;
	const char	*key;
	enum cp_kind	 kind;
};

#define CP_MAXCOLS	9

struct cp_section {
	const char		*title;
	const char		*member;	/* the array in the JSON */
	int			 ncols;
	struct cp_column	 cols[CP_MAXCOLS];
};

/* The rows of a section as cells, for widths before printing. */
struct cp_table {
	char	**cells;
	size_t	  n, size;		/* cells */
	int	  ncols;
};

static const struct cp_section report_sections[] = {
	{ "Passages by gate", "gates", 6, {
	    { "gate", "gate", CP_TEXT }, { "passages", "passages", CP_TEXT },
	    { "granted", "granted", CP_TEXT }, { "denied", "denied", CP_TEXT },
	    { "alerts", "alerts", CP_TEXT }, { "hits", "hits", CP_TEXT } } },
	{ "Passages by day", "daily", 4, {
	    { "day", "day", CP_TEXT }, { "gate", "gate", CP_TEXT },
	    { "granted", "granted", CP_TEXT },
	    { "denied", "denied", CP_TEXT } } },
	{ "Passages by hour", "hourly", 6, {
	    { "hour", "hour", CP_TEXT }, { "gate", "gate", CP_TEXT },
	    { "lane", "lane", CP_TEXT },
	    { "direction", "direction", CP_TEXT },
	    { "granted", "granted", CP_TEXT },
	    { "denied", "denied", CP_TEXT } } },
	{ "Denials by reason", "denials", 2, {
	    { "reason", "reason", CP_TEXT },
	    { "count", "count", CP_TEXT } } },
	{ "Fever and quarantine", "hits", 8, {
	    { "time", "time", CP_TEXT }, { "gate", "gate", CP_TEXT },
	    { "lane", "lane", CP_TEXT },
	    { "direction", "direction", CP_TEXT },
	    { "person", "person", CP_TEXT }, { "reason", "reason", CP_TEXT },
	    { "temp", "temp", CP_TEMP },
	    { "verdict", "verdict", CP_TEXT } } },
	{ "Alerts", "alerts", 6, {
	    { "time", "time", CP_TEXT }, { "gate", "gate", CP_TEXT },
	    { "id", "id", CP_TEXT }, { "lane", "lane", CP_TEXT },
	    { "reason", "reason", CP_TEXT },
	    { "detail", "detail", CP_TEXT } } },
	{ "Inside now", "inside", 3, {
	    { "zone", "zone", CP_TEXT }, { "count", "count", CP_TEXT },
	    { "people", "people", CP_PEOPLE } } },
};

static const struct cp_section contacts_passages = {
	"Passages", "passages", 5, {
	    { "time", "time", CP_TEXT }, { "gate", "gate", CP_TEXT },
	    { "lane", "lane", CP_TEXT },
	    { "direction", "direction", CP_TEXT },
	    { "verdict", "verdict", CP_TEXT } } };

static const struct cp_section contacts_ranked = {
	"Contacts", "contacts", 3, {
	    { "person", "person", CP_TEXT }, { "times", "times", CP_TEXT },
	    { "closest_s", "closest_ms", CP_SECONDS } } };

/* A meeting's columns; the contact's person comes first. */
static const struct cp_section contacts_meetings = {
	"Meetings", "meetings", 6, {
	    { "person", NULL, CP_TEXT }, { "time", "time", CP_TEXT },
	    { "gate", "gate", CP_TEXT }, { "lane", "lane", CP_TEXT },
	    { "direction", "direction", CP_TEXT },
	    { "dt_s", "dt_ms", CP_SECONDS } } };

int
campus_format_parse(const char *s, enum campus_format *fmt)
{
	if (strcmp(s, "text") == 0)
		*fmt = CAMPUS_TEXT;
	else if (strcmp(s, "csv") == 0)
		*fmt = CAMPUS_CSV;
	else
		return -1;
	return 0;
}

/* One cell's text, malloc'd. */
static char *
cp_cell(const json_t *o, const struct cp_column *col)
{
	const json_t	*v = json_object_get(o, col->key), *p;
	char		*s, *t;
	size_t		 i;

	if (col->kind == CP_PEOPLE) {
		s = xstrdup("");
		json_array_foreach(v, i, p) {
			xasprintf(&t, "%s%s%s", s, i > 0 ? " " : "",
			    json_string_value(json_object_get(p, "person")) ?
			    json_string_value(json_object_get(p, "person")) :
			    "?");
			free(s);
			s = t;
		}
		return s;
	}
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v) && col->kind == CP_SECONDS) {
		xasprintf(&s, "%+" PRId64, (int64_t)json_integer_value(v) /
		    1000);
		return s;
	}
	if (json_is_integer(v)) {
		xasprintf(&s, "%" PRId64, (int64_t)json_integer_value(v));
		return s;
	}
	if (json_is_number(v)) {
		xasprintf(&s, "%.1f", json_number_value(v));
		return s;
	}
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	return xstrdup("");
}

static void
cp_add(struct cp_table *t, char *cell)
{
	if (t->n == t->size) {
		t->size = t->size * 2 + 64;
		t->cells = xreallocarray(t->cells, t->size, sizeof *t->cells);
	}
	t->cells[t->n++] = cell;
}

/* One row of a section from an object; first, when set, is cell 0. */
static void
cp_row(struct cp_table *t, const struct cp_section *s, const json_t *o,
    const char *first)
{
	int	c;

	for (c = 0; c < s->ncols; c++) {
		if (s->cols[c].key == NULL)
			cp_add(t, xstrdup(first != NULL ? first : ""));
		else
			cp_add(t, cp_cell(o, &s->cols[c]));
	}
}

/* The header and the rows, then frees the cells. */
static void
cp_emit(FILE *f, const struct cp_section *s, struct cp_table *t,
    enum campus_format fmt)
{
	size_t	 width[CP_MAXCOLS], i, n, rows = t->n / s->ncols;
	char	 head[64];
	int	 c;

	for (c = 0; c < s->ncols; c++) {
		snprintf(head, sizeof head, "%s", s->cols[c].head);
		width[c] = strlen(head);
		for (i = 0; i < rows; i++) {
			n = strlen(t->cells[i * s->ncols + c]);
			if (n > width[c])
				width[c] = n;
		}
	}
	if (fmt == CAMPUS_TEXT)
		fprintf(f, "%s:\n", s->title);
	if (fmt == CAMPUS_TEXT && rows == 0)
		fprintf(f, "  none\n");
	for (i = 0; i <= rows && (rows > 0 || fmt == CAMPUS_CSV); i++) {
		if (fmt == CAMPUS_TEXT)
			fputs("  ", f);
		for (c = 0; c < s->ncols; c++) {
			const char	*cell;

			if (i == 0) {
				snprintf(head, sizeof head, "%s",
				    s->cols[c].head);
				if (fmt == CAMPUS_TEXT)
					for (char *p = head; *p; p++)
						*p = (char)toupper(
						    (unsigned char)*p);
				cell = head;
			} else
				cell = t->cells[(i - 1) * s->ncols + c];
			if (fmt == CAMPUS_CSV) {
				fmt_csv_field(f, cell);
				fputs(c == s->ncols - 1 ? "\r\n" : ",", f);
			} else if (c == s->ncols - 1)
				fprintf(f, "%s\n", cell);
			else
				fprintf(f, "%-*s  ", (int)width[c], cell);
		}
	}
	for (i = 0; i < t->n; i++)
		free(t->cells[i]);
	t->n = 0;
}

/* A section of doc: a row per member of its array. */
static void
cp_section_print(FILE *f, const struct cp_section *s, const json_t *doc,
    enum campus_format fmt, struct cp_table *t)
{
	const json_t	*o;
	size_t		 i;

	json_array_foreach(json_object_get(doc, s->member), i, o)
		cp_row(t, s, o, NULL);
	cp_emit(f, s, t, fmt);
}

static void
cp_when(FILE *f, const json_t *doc, const char *key, const char *sep)
{
	const json_t	*v = json_object_get(doc, key);
	char		 buf[32];
	time_t		 t;
	struct tm	 tm;

	t = (time_t)(json_integer_value(v) / 1000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(buf, sizeof buf, "?");
	fprintf(f, "%s%s", buf, sep);
}

void
campus_report_print(FILE *f, const json_t *report, enum campus_format fmt)
{
	struct cp_table	 t = { NULL, 0, 0, 0 };
	const json_t	*tot = json_object_get(report, "totals");
	size_t		 s;

	if (fmt == CAMPUS_TEXT) {
		fputs("campus report from ", f);
		cp_when(f, report, "from", " to ");
		cp_when(f, report, "to", "\n\n");
	}
	for (s = 0; s < sizeof report_sections / sizeof report_sections[0];
	    s++) {
		if (s > 0)
			fputs(fmt == CAMPUS_CSV ? "\r\n" : "\n", f);
		cp_section_print(f, &report_sections[s], report, fmt, &t);
	}
	free(t.cells);
	if (fmt == CAMPUS_TEXT)
		fprintf(f, "\ntotals: %" PRId64 " passages, %" PRId64
		    " granted, %" PRId64 " denied, %" PRId64 " alerts, %"
		    PRId64 " fever or quarantine passages\n",
		    (int64_t)json_integer_value(json_object_get(tot,
		    "passages")),
		    (int64_t)json_integer_value(json_object_get(tot,
		    "granted")),
		    (int64_t)json_integer_value(json_object_get(tot, "denied")),
		    (int64_t)json_integer_value(json_object_get(tot, "alerts")),
		    (int64_t)json_integer_value(json_object_get(tot, "hits")));
	if (fmt == CAMPUS_TEXT &&
	    (json_is_true(json_object_get(report, "alerts_more")) ||
	    json_is_true(json_object_get(report, "hits_more"))))
		fputs("(alerts and hits list the first 1000 and 10000: the "
		    "totals count them all)\n", f);
}

void
campus_contacts_print(FILE *f, const json_t *trace, enum campus_format fmt)
{
	struct cp_table	 t = { NULL, 0, 0, 0 };
	const json_t	*c, *m;
	size_t		 i, j;

	if (fmt == CAMPUS_TEXT) {
		fprintf(f, "contacts of %s from ", json_string_value(
		    json_object_get(trace, "person")) ?
		    json_string_value(json_object_get(trace, "person")) : "?");
		cp_when(f, trace, "from", " to ");
		cp_when(f, trace, "to", "");
		fprintf(f, ", within %" PRId64 " s of each passage\n\n",
		    (int64_t)json_integer_value(json_object_get(trace,
		    "window_ms")) / 1000);
	}
	cp_section_print(f, &contacts_passages, trace, fmt, &t);
	fputs(fmt == CAMPUS_CSV ? "\r\n" : "\n", f);
	cp_section_print(f, &contacts_ranked, trace, fmt, &t);
	fputs(fmt == CAMPUS_CSV ? "\r\n" : "\n", f);
	json_array_foreach(json_object_get(trace, "contacts"), i, c) {
		json_array_foreach(json_object_get(c, "meetings"), j, m)
			cp_row(&t, &contacts_meetings, m,
			    json_string_value(json_object_get(c, "person")));
	}
	cp_emit(f, &contacts_meetings, &t, fmt);
	free(t.cells);
}
