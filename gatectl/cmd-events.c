/*
 * cmd-events.c: reading the journal: the latest events, following them as
 * they happen (the agent's event stream, resumed after the last id seen
 * whenever the connection drops), and the report of a period (passages by
 * hour, denials by reason, alerts) as tables or CSV.
 */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

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

/* The verdict, and the reason when it says more ("denied fever"). */
static const char *
event_verdict(json_t *e, char *buf, size_t len)
{
	char	vb[64], rb[64];

	if (strcmp(ctl_json_text(e, "verdict", vb, sizeof vb),
	    ctl_json_text(e, "reason", rb, sizeof rb)) == 0)
		return ctl_json_text(e, "verdict", buf, len);
	return event_pair(e, "verdict", "reason", " ", buf, len);
}

/* ---- events --follow ---------------------------------------------------- */

#define FOLLOW_TIMEOUT_S	45	/* three heartbeats missed: reconnect */
#define FOLLOW_BACKOFF_MAX_S	10

struct follow {
	struct ctl		*ctl;
	struct ctl_target	 target;
	struct event_base	*base;
	struct client_conn	*conn;
	struct event		*retry;
	int64_t			 last_id;	/* -1: none yet */
	int			 backoff;
	int			 rc;		/* set when we must stop */
	struct evbuffer		*in;		/* what is not a line yet */
	int64_t			 id;		/* of the event being read */
	struct evbuffer		*data;
};

/* One event, as a line: whole JSON with --json, else the table's cells. */
static void
follow_print(struct follow *f, json_t *e)
{
	char	b[9][320];

	if (f->ctl->json) {
		json_dumpf(e, stdout, JSON_COMPACT | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
	} else
		printf("%-6s %-19s %-8s %-6s %-3s %-14s %-24s %-5s %s\n",
		    ctl_json_text(e, "id", b[0], sizeof b[0]),
		    event_time(e, b[1], sizeof b[1]),
		    ctl_json_text(e, "kind", b[2], sizeof b[2]),
		    ctl_json_text(e, "lane", b[3], sizeof b[3]),
		    ctl_json_text(e, "direction", b[4], sizeof b[4]),
		    event_who(e, b[5], sizeof b[5]),
		    event_verdict(e, b[6], sizeof b[6]),
		    ctl_json_temp(e, "temp", b[7], sizeof b[7]),
		    event_pair(e, "actor", "detail", ": ", b[8], sizeof b[8]));
	fflush(stdout);
}

/* One line of the stream: "id: N", "data: JSON", a blank line ends one. */
static void
follow_line(struct follow *f, const char *line)
{
	json_error_t	 jerr;
	json_t		*e;
	long		 id;

	if (strncmp(line, "id: ", 4) == 0) {
		if (ctl_parse_long(line + 4, 0, LONG_MAX, &id) == 0)
			f->id = id;
	} else if (strncmp(line, "data: ", 6) == 0)
		evbuffer_add(f->data, line + 6, strlen(line + 6));
	else if (*line == '\0' && evbuffer_get_length(f->data) != 0) {
		e = json_loadb((const char *)evbuffer_pullup(f->data, -1),
		    evbuffer_get_length(f->data), 0, &jerr);
		evbuffer_drain(f->data, evbuffer_get_length(f->data));
		if (e == NULL || f->id <= f->last_id) {
			json_decref(e);
			return;		/* bad, or already printed */
		}
		follow_print(f, e);
		json_decref(e);
		f->last_id = f->id;
		f->backoff = 1;
	}
}

static void
follow_chunk(struct evhttp_request *req, void *arg)
{
	struct follow	*f = arg;
	char		*line;
	size_t		 n;

	evbuffer_add_buffer(f->in, evhttp_request_get_input_buffer(req));
	while ((line = evbuffer_readln(f->in, &n, EVBUFFER_EOL_LF)) != NULL) {
		follow_line(f, line);
		free(line);
	}
}

static void	follow_connect(evutil_socket_t, short, void *);

/* Tries again later, longer each time, up to 10 s. */
static void
follow_again(struct follow *f, const char *why)
{
	struct timeval	tv = { f->backoff, 0 };

	fprintf(stderr, "gatectl: %s: %s; reconnecting in %d s\n",
	    f->target.name, why, f->backoff);
	evtimer_add(f->retry, &tv);
	if ((f->backoff *= 2) > FOLLOW_BACKOFF_MAX_S)
		f->backoff = FOLLOW_BACKOFF_MAX_S;
}

/* The stream ended: a refusal stops us, anything else reconnects. */
static void
follow_done(struct evhttp_request *req, void *arg)
{
	struct follow	*f = arg;
	struct evbuffer	*in;
	const char	*proto;
	json_t		*a = NULL;
	char		*why = NULL;
	int		 code, rc;

	code = req != NULL ? evhttp_request_get_response_code(req) : 0;
	if (code == 0) {
		client_failed(f->conn);
		why = client_failure(f->conn, EVREQ_HTTP_EOF);
		follow_again(f, why);
	} else if (code == 200)
		follow_again(f, "the stream ended");
	else {
		in = evhttp_request_get_input_buffer(req);
		proto = evhttp_find_header(evhttp_request_get_input_headers(
		    req), GATED_PROTOCOL_HEADER);
		rc = client_judge(&f->target, code, proto,
		    evbuffer_pullup(in, -1), evbuffer_get_length(in), &a,
		    &why);
		if (rc == EXIT_UNREACHABLE)
			follow_again(f, why);
		else {
			fprintf(stderr, "gatectl: %s\n", why);
			f->rc = rc;
			event_base_loopbreak(f->base);
		}
	}
	json_decref(a);
	free(why);
}

static void
follow_connect(evutil_socket_t fd, short what, void *arg)
{
	struct follow		*f = arg;
	struct evhttp_request	*req;
	char			*why = NULL, *path, id[24];

	(void)fd;
	(void)what;
	client_conn_free(f->conn);	/* the last one, from the loop */
	evbuffer_drain(f->in, evbuffer_get_length(f->in));
	evbuffer_drain(f->data, evbuffer_get_length(f->data));
	if ((f->conn = client_conn_new(f->base, NULL, &f->target, &why)) ==
	    NULL) {
		follow_again(f, why);
		free(why);
		return;
	}
	req = client_request_new(f->conn, follow_done, f);
	evhttp_request_set_chunked_cb(req, follow_chunk);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Accept",
	    "text/event-stream");
	if (f->last_id >= 0) {
		snprintf(id, sizeof id, "%" PRId64, f->last_id);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Last-Event-ID", id);
	}
	path = xstrdup("/v1/events/stream");
	if (client_send(f->conn, req, CTL_GET, path, NULL) == -1)
		follow_again(f, "cannot send the request");
	free(path);
}

/*
 * Follows the journal until interrupted: after `after` when given (>= 0),
 * else from now on.  Only a refusal (a bad token, a missing role) ends it.
 */
static int
follow_events(struct ctl *ctl, long after)
{
	struct follow	f;

	memset(&f, 0, sizeof f);
	f.ctl = ctl;
	f.target = ctl->target;
	if (f.target.timeout < FOLLOW_TIMEOUT_S)
		f.target.timeout = FOLLOW_TIMEOUT_S;
	f.last_id = after;
	f.backoff = 1;
	if ((f.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	f.in = evbuffer_new();
	f.data = evbuffer_new();
	f.retry = evtimer_new(f.base, follow_connect, &f);
	follow_connect(-1, 0, &f);
	event_base_dispatch(f.base);
	client_conn_free(f.conn);
	event_free(f.retry);
	evbuffer_free(f.in);
	evbuffer_free(f.data);
	event_base_free(f.base);
	return f.rc;
}

/* A page of events as a table, oldest first. */
static void
print_events(const struct ctl_request *req, json_t *a)
{
	static const char *const head[] = {
		"ID", "TIME", "KIND", "LANE", "DIR", "WHO", "VERDICT", "TEMP",
		"DETAIL"
	};
	struct ctl_table	*t;
	json_t			*e;
	char			 b[9][320];
	size_t			 i;

	(void)req;
	if (json_array_size(json_object_get(a, "events")) == 0) {
		printf("no events\n");
		return;
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
			event_verdict(e, b[6], sizeof b[6]),
			ctl_json_temp(e, "temp", b[7], sizeof b[7]),
			event_pair(e, "actor", "detail", ": ", b[8],
			    sizeof b[8]),
		};
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
}

/* --after, --before and --limit (the page), --follow. */
static int
events_options(int argc, char **argv, struct ctl_paging *page, int *follow)
{
	static const struct option longs[] = {
		{ "after", required_argument, NULL, 'a' },
		{ "before", required_argument, NULL, 'b' },
		{ "limit", required_argument, NULL, 'l' },
		{ "follow", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch == 'f')
			*follow = 1;
		else if (ctl_paging_option(page, ch, optarg) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	return 0;
}

int
cmd_events(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	struct ctl_paging	page = { "event", -1, -1, 50 };
	int			follow = 0, rc;

	if ((rc = events_options(argc, argv, &page, &follow)) != 0)
		return rc;
	if (follow && ctl->fleet != NULL)
		return ctl_usage_error("--follow follows one gate, not a "
		    "fleet");
	if (page.after >= 0 && page.before >= 0)
		return ctl_usage_error("--after and --before: one or the "
		    "other");
	if (follow && page.before >= 0)
		return ctl_usage_error("--follow goes forward: --after, not "
		    "--before");
	if (follow)
		return follow_events(ctl, page.after);
	/* Without --after, the newest events, oldest of them first. */
	return ctl_ask(req, CTL_GET, ctl_paging_path("/v1/events", &page),
	    NULL, print_events);
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
	if (strcmp(section_names[s], "alerts") == 0 &&
	    json_is_true(json_object_get(a, "alerts_more")))
		printf("  (the first %zu: the totals count them all)\n",
		    json_array_size(json_object_get(a, "alerts")));
	ctl_table_free(t);
}

/* Appends "&key=WHEN" to the query, WHEN checked and percent-encoded. */
int
ctl_report_when(char **query, const char *key, const char *when)
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

/* The report's sections, all or the one asked for, and the totals. */
static void
print_report(const struct ctl_request *req, json_t *a)
{
	json_t	*tot;
	char	 b[4][64];
	int	 csv = req->opt.report.csv, only = req->opt.report.section, s;

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
}

int
cmd_report(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "csv", no_argument, NULL, 'c' },
		{ "section", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*from = NULL, *to = NULL;
	char		*path;
	int		 ch, csv = 0, only = -1;

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
	if ((from != NULL && ctl_report_when(&path, "from", from) != 0) ||
	    (to != NULL && ctl_report_when(&path, "to", to) != 0)) {
		free(path);
		return EXIT_USAGE;
	}
	req->opt.report.csv = csv;
	req->opt.report.section = only;
	return ctl_ask(req, CTL_GET, path, NULL, print_report);
}
