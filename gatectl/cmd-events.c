/*
 * cmd-events.c: reading the journal: the latest events, and the report of
 * a period (passages by hour, denials by reason, alerts) as tables or CSV.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "gatectl.h"

/* An event's time: its milliseconds as local time, else its "time" text. */
static const char *
event_time(json_t *e, char *buf, size_t len)
{
	if (json_is_integer(json_object_get(e, "ts_ms")))
		return ctl_json_time(e, "ts_ms", buf, len);
	return ctl_json_text(e, "time", buf, len);
}

/* Who passed: the person when the card is known, else the card. */
static const char *
event_who(json_t *e, char *buf, size_t len)
{
	const char	*p, *c;
	char		 pb[64], cb[64];

	p = ctl_json_text(e, "person", pb, sizeof pb);
	c = ctl_json_text(e, "card", cb, sizeof cb);
	if (*p != '\0')
		snprintf(buf, len, "%s", p);
	else if (*c != '\0')
		snprintf(buf, len, "card %s", c);
	else
		buf[0] = '\0';
	return buf;
}

/* Two members in one cell, "a b" or "a: b", whichever are present. */
static const char *
event_pair(json_t *e, const char *k1, const char *k2, const char *sep,
    char *buf, size_t len)
{
	const char	*a, *b;
	char		 ab[64], bb[64];

	a = ctl_json_text(e, k1, ab, sizeof ab);
	b = ctl_json_text(e, k2, bb, sizeof bb);
	snprintf(buf, len, "%s%s%s", a, *a != '\0' && *b != '\0' ? sep : "",
	    b);
	return buf;
}

int
cmd_events(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "after", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const head[] = {
		"ID", "TIME", "KIND", "LANE", "DIR", "WHO", "VERDICT", "TEMP",
		"DETAIL"
	};
	struct ctl_table	*t;
	json_t			*a, *e;
	char			*path, b[9][320];
	long			 after = 0, limit = 50;
	size_t			 i;
	int			 ch, rc;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'a':
			if (ctl_parse_long(optarg, 0, LONG_MAX, &after) == -1)
				return ctl_usage_error("not an event id: %s",
				    optarg);
			break;
		case 'l':
			if (ctl_parse_long(optarg, 1, 100000, &limit) == -1)
				return ctl_usage_error("--limit wants 1 to "
				    "100000: %s", optarg);
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	xasprintf(&path, "/v1/events?after=%ld&limit=%ld", after, limit);
	rc = client_call(ctl, CTL_GET, path, NULL, &a);
	free(path);
	if (rc != 0)
		return rc;
	if (ctl->json)
		goto out;
	if (json_array_size(json_object_get(a, "events")) == 0) {
		printf("no events\n");
		goto out;
	}
	t = ctl_table_new(9, head);
	json_array_foreach(json_object_get(a, "events"), i, e) {
		const char *row[] = {
			ctl_json_text(e, "id", b[0], sizeof b[0]),
			event_time(e, b[1], sizeof b[1]),
			ctl_json_text(e, "kind", b[2], sizeof b[2]),
			ctl_json_text(e, "lane", b[3], sizeof b[3]),
			ctl_json_text(e, "direction", b[4], sizeof b[4]),
			event_who(e, b[5], sizeof b[5]),
			event_pair(e, "verdict", "reason", " ", b[6],
			    sizeof b[6]),
			ctl_json_temp(e, "temp", b[7], sizeof b[7]),
			event_pair(e, "actor", "detail", ": ", b[8],
			    sizeof b[8]),
		};
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
out:
	json_decref(a);
	return 0;
}

/* The three sections of a report, in order, by the name --section takes. */
enum section { SEC_HOURLY, SEC_DENIALS, SEC_ALERTS, SEC__COUNT };
static const char *const section_names[] = { "hourly", "denials", "alerts" };
static const char *const section_titles[] = {
	"Passages by hour", "Denials by reason", "Alerts"
};
static const int section_cols[] = { 5, 2, 8 };
static const char *const section_heads[][8] = {
	{ "hour", "lane", "direction", "granted", "denied" },
	{ "reason", "count" },
	{ "id", "time", "kind", "lane", "person", "card", "temp", "detail" },
};

/* One row of a section as text cells, in the buffers given. */
static void
section_row(enum section s, json_t *r, char b[][320], const char **row)
{
	switch (s) {
	case SEC_HOURLY:
		row[0] = ctl_json_time(r, "hour", b[0], 320);
		row[1] = ctl_json_text(r, "lane", b[1], 320);
		row[2] = ctl_json_text(r, "direction", b[2], 320);
		row[3] = ctl_json_text(r, "granted", b[3], 320);
		row[4] = ctl_json_text(r, "denied", b[4], 320);
		break;
	case SEC_DENIALS:
		row[0] = ctl_json_text(r, "reason", b[0], 320);
		row[1] = ctl_json_text(r, "count", b[1], 320);
		break;
	default:
		row[0] = ctl_json_text(r, "id", b[0], 320);
		row[1] = event_time(r, b[1], 320);
		row[2] = ctl_json_text(r, "kind", b[2], 320);
		row[3] = ctl_json_text(r, "lane", b[3], 320);
		row[4] = ctl_json_text(r, "person", b[4], 320);
		row[5] = ctl_json_text(r, "card", b[5], 320);
		row[6] = ctl_json_temp(r, "temp", b[6], 320);
		row[7] = ctl_json_text(r, "detail", b[7], 320);
		break;
	}
}

static void
report_section(json_t *a, enum section s, int csv)
{
	struct ctl_table	*t = NULL;
	json_t			*r;
	const char		*row[8], *head[8];
	char			 b[8][320];
	size_t			 i;
	int			 c;

	if (csv)
		ctl_csv_row(stdout, section_heads[s], section_cols[s]);
	else {
		/* Tables shout their headers, CSV keeps the column names. */
		for (c = 0; c < section_cols[s]; c++) {
			head[c] = b[c];
			snprintf(b[c], sizeof b[c], "%s", section_heads[s][c]);
			for (char *p = b[c]; *p != '\0'; p++)
				*p = (char)toupper((unsigned char)*p);
		}
		t = ctl_table_new(section_cols[s], head);
	}
	json_array_foreach(json_object_get(a, section_names[s]), i, r) {
		section_row(s, r, b, row);
		if (csv)
			ctl_csv_row(stdout, row, section_cols[s]);
		else
			ctl_table_add(t, row);
	}
	if (csv)
		return;
	printf("%s:\n", section_titles[s]);
	if (ctl_table_rows(t) == 0)
		printf("  none\n");
	else
		ctl_table_print(t, stdout, "  ");
	ctl_table_free(t);
}

/* Appends "&key=WHEN" to the query, WHEN checked and percent-encoded. */
static int
report_when(char **query, const char *key, const char *when)
{
	char	 norm[32], *enc, *q;

	if (ctl_when_normalise(when, norm, sizeof norm) == -1)
		return ctl_usage_error("--%s wants YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS]: %s", key, when);
	if ((enc = evhttp_uriencode(norm, -1, 0)) == NULL)
		fatalx("out of memory");
	xasprintf(&q, "%s%c%s=%s", *query, strchr(*query, '?') ? '&' : '?',
	    key, enc);
	free(enc);
	free(*query);
	*query = q;
	return 0;
}

int
cmd_report(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "csv", no_argument, NULL, 'c' },
		{ "section", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	json_t		*a, *tot;
	const char	*from = NULL, *to = NULL;
	char		*path, b[4][64];
	int		 ch, rc, csv = 0, only = -1, s;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'c':
			csv = 1;
			break;
		case 'S':
			for (only = 0; only < SEC__COUNT; only++) {
				if (strcmp(optarg, section_names[only]) == 0)
					break;
			}
			if (only == SEC__COUNT)
				return ctl_usage_error("no section %s", optarg);
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (csv && ctl->json)
		return ctl_usage_error("--csv and --json exclude each other");
	path = xstrdup("/v1/report");
	if ((from != NULL && report_when(&path, "from", from) != 0) ||
	    (to != NULL && report_when(&path, "to", to) != 0)) {
		free(path);
		return EXIT_USAGE;
	}
	rc = client_call(ctl, CTL_GET, path, NULL, &a);
	free(path);
	if (rc != 0)
		return rc;
	if (ctl->json)
		goto out;
	if (!csv)
		printf("report from %s to %s\n\n",
		    ctl_json_time(a, "from", b[0], sizeof b[0]),
		    ctl_json_time(a, "to", b[1], sizeof b[1]));
	for (s = 0; s < SEC__COUNT; s++) {
		if (only != -1 && s != only)
			continue;
		if (s != 0 && only == -1)
			fputs(csv ? "\r\n" : "\n", stdout);
		report_section(a, s, csv);
	}
	if (!csv && only == -1) {
		tot = json_object_get(a, "totals");
		printf("\ntotals: %s passages, %s granted, %s denied, "
		    "%s alerts\n",
		    ctl_json_text(tot, "passages", b[0], sizeof b[0]),
		    ctl_json_text(tot, "granted", b[1], sizeof b[1]),
		    ctl_json_text(tot, "denied", b[2], sizeof b[2]),
		    ctl_json_text(tot, "alerts", b[3], sizeof b[3]));
	}
out:
	json_decref(a);
	return 0;
}
