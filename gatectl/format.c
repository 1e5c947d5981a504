/*
 * format.c: the pure text helpers of gatectl (time stamps, CSV fields,
 * aligned tables, argument checks), in libgatectl.a so that the unit tests
 * link them; nothing here does I/O other than to the FILE it is given.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "gatectl.h"

/* A table grows by whole rows; cells are copied, callers may reuse buffers. */
struct ctl_table {
	int	  cols;
	int	  rows;		/* rows held, the header included */
	int	  alloc;
	char	**cells;	/* rows * cols strings */
};

/*
 * Writes s with its control characters made visible, as vis(3) does, so
 * text from the journal cannot drive the terminal (ESC, BEL) or forge a
 * table line (newline): C0 and DEL as \n \r \t \e or \xHH, C1 (UTF-8
 * U+0080 to U+009F) and the line separators U+2028, U+2029 as \uHHHH.
 * A backslash stays as it is, so escaping twice (a cell built of escaped
 * members) changes nothing.  Returns the length the whole escaped text
 * needs, like snprintf; buf holds as much as fits, NUL-terminated.
 */
size_t
ctl_escape(const char *s, char *buf, size_t len)
{
	const unsigned char	*p;
	char			 e[8];
	size_t			 n = 0, k;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			snprintf(e, sizeof e, "\\n");
		else if (*p == '\r')
			snprintf(e, sizeof e, "\\r");
		else if (*p == '\t')
			snprintf(e, sizeof e, "\\t");
		else if (*p == 0x1b)
			snprintf(e, sizeof e, "\\e");
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(e, sizeof e, "\\x%02x", *p);
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			snprintf(e, sizeof e, "\\u%04x", p[1]);
			p++;
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 ||
		    p[2] == 0xa9)) {
			snprintf(e, sizeof e, "\\u%04x", 0x2000 + p[2] - 0x80);
			p += 2;
		} else {
			e[0] = (char)*p;
			e[1] = '\0';
		}
		k = strlen(e);
		/* Whole escapes only: a cut one would read as another. */
		if (len != 0 && n + k < len)
			memcpy(buf + n, e, k);
		else if (len != 0 && n < len)
			len = n + 1;
		n += k;
	}
	if (len != 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

/* Does s need ctl_escape? */
static int
ctl_needs_escape(const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 ||
		    p[2] == 0xa9)))
			return 1;
	}
	return 0;
}

int
ctl_format_time(int64_t ms, char *buf, size_t len)
{
	time_t		t;
	struct tm	tm;

	if (len == 0)
		return -1;
	/* Floor division, so times before 1970 do not round up a second. */
	t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm) == 0) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Accepts YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (a space may
 * stand for the T, as people type it) and writes the form the agent parses,
 * with the T.  The calendar is checked here so a typo is a usage error, not
 * a round trip to the gate.
 */
int
ctl_when_normalise(const char *in, char *out, size_t len)
{
	static const char *const forms[] = {
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"
	};
	char		 copy[32], *p;
	const char	*end;
	struct tm	 tm, check;
	size_t		 i, n;

	n = strlen(in);
	if (n < 10 || n >= sizeof copy || n >= len)
		return -1;
	memcpy(copy, in, n + 1);
	if (copy[10] == ' ')
		copy[10] = 'T';
	for (p = copy; *p != '\0'; p++) {
		if (strchr("0123456789-:T", *p) == NULL)
			return -1;
	}
	for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		memset(&tm, 0, sizeof tm);
		end = strptime(copy, forms[i], &tm);
		if (end != NULL && *end == '\0')
			break;
	}
	if (i == sizeof forms / sizeof forms[0])
		return -1;
	/* strptime takes 2024-02-31; a round trip through timegm does not. */
	check = tm;
	check.tm_isdst = 0;
	if (timegm(&check) == (time_t)-1 || check.tm_mday != tm.tm_mday ||
	    check.tm_mon != tm.tm_mon || check.tm_year != tm.tm_year)
		return -1;
	memcpy(out, copy, n + 1);
	return 0;
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes
 * doubled (common/fmt.c, which the hub's printers share). */
void
ctl_csv_field(FILE *f, const char *s)
{
	fmt_csv_field(f, s);
}

/* One record; RFC 4180 ends records with CRLF. */
void
ctl_csv_row(FILE *f, const char *const *fields, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i != 0)
			fputc(',', f);
		ctl_csv_field(f, fields[i]);
	}
	fputs("\r\n", f);
}

struct ctl_table *
ctl_table_new(int cols, const char *const *header)
{
	struct ctl_table	*t;

	if (cols < 1)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->cols = cols;
	ctl_table_add(t, header);
	return t;
}

/* Cells are escaped (ctl_escape): a table is for a terminal. */
void
ctl_table_add(struct ctl_table *t, const char *const *cells)
{
	const char	*c;
	char		*cell;
	size_t		 n;
	int		 i;

	if (t->rows == t->alloc) {
		t->alloc = t->alloc == 0 ? 16 : t->alloc * 2;
		t->cells = xreallocarray(t->cells, (size_t)t->alloc * t->cols,
		    sizeof *t->cells);
	}
	for (i = 0; i < t->cols; i++) {
		c = cells[i] == NULL || cells[i][0] == '\0' ? "-" : cells[i];
		if (ctl_needs_escape(c)) {
			n = ctl_escape(c, NULL, 0) + 1;
			cell = xmalloc(n);
			ctl_escape(c, cell, n);
		} else
			cell = xstrdup(c);
		t->cells[t->rows * t->cols + i] = cell;
	}
	t->rows++;
}

int
ctl_table_rows(const struct ctl_table *t)
{
	return t->rows - 1;
}

/*
 * Left-aligned columns two spaces apart; the last column is not padded so
 * that lines carry no trailing blanks.  Widths count bytes, which is what
 * the ASCII names and ids of a gate are.
 */
void
ctl_table_print(const struct ctl_table *t, FILE *f, const char *indent)
{
	size_t	*width, n;
	int	 r, c;

	width = xcalloc(t->cols, sizeof *width);
	for (r = 0; r < t->rows; r++) {
		for (c = 0; c < t->cols; c++) {
			n = strlen(t->cells[r * t->cols + c]);
			if (n > width[c])
				width[c] = n;
		}
	}
	for (r = 0; r < t->rows; r++) {
		fputs(indent == NULL ? "" : indent, f);
		for (c = 0; c < t->cols; c++) {
			if (c == t->cols - 1)
				fprintf(f, "%s\n", t->cells[r * t->cols + c]);
			else
				fprintf(f, "%-*s  ", (int)width[c],
				    t->cells[r * t->cols + c]);
		}
	}
	free(width);
}

void
ctl_table_free(struct ctl_table *t)
{
	int	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->rows * t->cols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int
ctl_parse_long(const char *s, long min, long max, long *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A temperature in degrees C, as a person types it: 36.6, finite, sane. */
int
ctl_parse_temp(const char *s, double *out)
{
	char	*end;
	double	 v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < -50.0 ||
	    v > 150.0)
		return -1;
	*out = v;
	return 0;
}

/*
 * A JSON member as table text: strings escaped (ctl_escape, in buf when
 * they need it, the JSON's own string when not), integers in decimal,
 * reals with one decimal (temperatures), booleans as yes/no; "" when the
 * member is absent or null, which the table shows as "-".
 */
const char *
ctl_json_text(const json_t *obj, const char *key, char *buf, size_t len)
{
	const json_t	*v;

	v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (len == 0)
		return "";
	buf[0] = '\0';
	if (json_is_string(v)) {
		if (!ctl_needs_escape(json_string_value(v)))
			return json_string_value(v);
		ctl_escape(json_string_value(v), buf, len);
		return buf;
	}
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.1f", json_real_value(v));
	else if (json_is_true(v))
		snprintf(buf, len, "yes");
	else if (json_is_false(v))
		snprintf(buf, len, "no");
	return buf;
}

/* A time member: milliseconds since 1970 as local time, or a string as is. */
const char *
ctl_json_time(const json_t *obj, const char *key, char *buf, size_t len)
{
	const json_t	*v;

	v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (json_is_integer(v)) {
		if (ctl_format_time(json_integer_value(v), buf, len) == 0)
			return buf;
	}
	return ctl_json_text(obj, key, buf, len);
}

/* A temperature member: any JSON number with one decimal. */
const char *
ctl_json_temp(const json_t *obj, const char *key, char *buf, size_t len)
{
	const json_t	*v;

	v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (json_is_number(v) && len != 0) {
		snprintf(buf, len, "%.1f", json_number_value(v));
		return buf;
	}
	return ctl_json_text(obj, key, buf, len);
}
