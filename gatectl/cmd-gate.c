/*
 * cmd-gate.c: the commands about the gate as a whole: status, mode, level,
 * open a lane once, acknowledge an alert, reload the configuration.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatectl.h"

/*
 * Parses "--reason TEXT" and exactly npos positional arguments into pos[].
 * A missing reason is a usage error when required: every change to the
 * gate is journaled with why.
 */
static int
gate_args(int argc, char **argv, int npos, char **pos, const char **reason,
    int required)
{
	static const struct option longs[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch, i;

	*reason = NULL;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch != 'r')
			return EXIT_USAGE;
		*reason = optarg;
	}
	if (argc - optind < npos)
		return ctl_usage_error("missing argument");
	if (argc - optind > npos)
		return ctl_usage_error("unexpected argument: %s",
		    argv[optind + npos]);
	for (i = 0; i < npos; i++)
		pos[i] = argv[optind + i];
	if (required && (*reason == NULL || **reason == '\0'))
		return ctl_usage_error("--reason is required: every change "
		    "is journaled with why");
	return 0;
}

/* No arguments at all; a --reason is answered with what to type instead. */
static int
gate_no_args(int argc, char **argv, const char *if_reason)
{
	const char	*reason;
	int		 rc;

	if ((rc = gate_args(argc, argv, 0, NULL, &reason, 0)) != 0)
		return rc;
	if (reason != NULL)
		return ctl_usage_error("%s", if_reason);
	return 0;
}

/* Who is inside, and whether the clock can be trusted. */
static void
status_time(json_t *st)
{
	json_t	*clock = json_object_get(st, "clock");
	char	 b[2][64];

	printf("%-11s %s\n", "inside:", ctl_json_text(json_object_get(st,
	    "occupancy"), "inside", b[0], sizeof b[0]));
	if (json_is_true(json_object_get(clock, "synced")))
		printf("%-11s synchronised (%s)\n", "clock:",
		    ctl_json_text(clock, "source", b[0], sizeof b[0]));
	else
		printf("%-11s NOT synchronised for %s s\n", "clock:",
		    ctl_json_text(clock, "unsynced_s", b[0], sizeof b[0]));
}

static const char *
mode_source(json_t *st, char *buf, size_t len)
{
	const char	*src;

	src = json_string_value(json_object_get(st, "mode_source"));
	if (src != NULL && strcmp(src, "manual") == 0)
		return "set manually";
	if (src != NULL && strcmp(src, "schedule") == 0) {
		snprintf(buf, len, "set by level %" JSON_INTEGER_FORMAT
		    ", %s schedule %s", json_integer_value(json_object_get(
		    json_object_get(st, "level"), "number")),
		    json_is_true(json_object_get(json_object_get(st,
		    "schedule"), "inside")) ? "inside" : "outside",
		    json_string_value(json_object_get(json_object_get(st,
		    "schedule"), "name")));
		return buf;
	}
	snprintf(buf, len, "set by level %" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(json_object_get(st, "level"),
	    "number")));
	return buf;
}

static void
status_measures(json_t *m)
{
	char	buf[16];
	int	any = 0;

	printf("%-11s", "measures:");
	if (json_is_true(json_object_get(m, "temperature_check"))) {
		printf(" temperature check (fever from %s C)",
		    ctl_json_temp(m, "fever", buf, sizeof buf));
		any = 1;
	}
	if (json_is_true(json_object_get(m, "refuse_outsiders"))) {
		printf("%s refuse outsiders", any ? "," : "");
		any = 1;
	}
	if (json_is_true(json_object_get(m, "refuse_outside_vehicles"))) {
		printf("%s refuse outside vehicles", any ? "," : "");
		any = 1;
	}
	if (json_is_true(json_object_get(m, "restrict_students"))) {
		printf("%s restrict students", any ? "," : "");
		any = 1;
	}
	if (json_is_true(json_object_get(m, "quarantine"))) {
		printf("%s quarantine", any ? "," : "");
		any = 1;
	}
	printf("%s\n", any ? "" : " none");
}

static void
status_lanes(json_t *lanes)
{
	static const char *const head[] = { "LANE", "KIND", "STATE", "OPEN" };
	struct ctl_table	*t;
	json_t			*l;
	char			 b[4][64];
	size_t			 i;

	t = ctl_table_new(4, head);
	json_array_foreach(lanes, i, l) {
		const char *row[] = {
			ctl_json_text(l, "name", b[0], sizeof b[0]),
			ctl_json_text(l, "kind", b[1], sizeof b[1]),
			ctl_json_text(l, "state", b[2], sizeof b[2]),
			ctl_json_text(l, "open", b[3], sizeof b[3]),
		};
		ctl_table_add(t, row);
	}
	printf("lanes:\n");
	ctl_table_print(t, stdout, "  ");
	ctl_table_free(t);
}

/* Active alerts as a table; an alert not journaled yet has no id. */
static void
alerts_table(json_t *alerts)
{
	static const char *const head[] = {
		"ALERT", "KIND", "LANE", "COUNT", "RAISED", "LAST", "DETAIL"
	};
	struct ctl_table	*t;
	json_t			*a;
	char			 b[7][64];
	size_t			 i;

	t = ctl_table_new(7, head);
	json_array_foreach(alerts, i, a) {
		const char *row[] = {
			json_is_integer(json_object_get(a, "id")) ?
			    ctl_json_text(a, "id", b[0], sizeof b[0]) :
			    "(not journaled)",
			ctl_json_text(a, "kind", b[1], sizeof b[1]),
			ctl_json_text(a, "lane", b[2], sizeof b[2]),
			ctl_json_text(a, "count", b[3], sizeof b[3]),
			ctl_json_time(a, "raised_ms", b[4], sizeof b[4]),
			ctl_json_time(a, "last_ms", b[5], sizeof b[5]),
			ctl_json_text(a, "detail", b[6], sizeof b[6]),
		};
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, "  ");
	ctl_table_free(t);
}

/*
 * The newest alerts status carries, and how many are active in all: a
 * flood shows as counts, and `gatectl alerts' pages through the rest.
 */
static void
status_alerts(json_t *alerts, json_t *counts)
{
	json_int_t	 active;

	active = json_integer_value(json_object_get(counts, "active"));
	if (!json_is_integer(json_object_get(counts, "active")))
		active = (json_int_t)json_array_size(alerts);	/* older gated */
	if (active == 0) {
		printf("%-11s no active alerts\n", "alerts:");
		return;
	}
	printf("alerts: %" JSON_INTEGER_FORMAT " active", active);
	if ((size_t)active > json_array_size(alerts))
		printf(", the newest %zu shown (gatectl alerts for all)",
		    json_array_size(alerts));
	printf("\n");
	alerts_table(alerts);
}

static void
status_devices(json_t *devices)
{
	json_t		*d;
	char		 b[2][64];
	size_t		 i;
	int		 down = 0;

	printf("%-11s", "devices:");
	json_array_foreach(devices, i, d) {
		if (json_is_true(json_object_get(d, "up")))
			continue;
		printf("%s %s down (%s)", down ? "," : "",
		    ctl_json_text(d, "name", b[0], sizeof b[0]),
		    json_is_string(json_object_get(d, "why")) ?
		    ctl_json_text(d, "why", b[1], sizeof b[1]) : "no reason");
		down++;
	}
	if (down == 0)
		printf(" %zu, all up", json_array_size(devices));
	printf("\n");
}

static void
print_status(const struct ctl_request *req, json_t *st)
{
	json_t		*gate, *level, *people, *journal;
	char		 b[6][64];

	(void)req;
	gate = json_object_get(st, "gate");
	level = json_object_get(st, "level");
	printf("%-11s %s (%s), inside zone %s\n", "gate:",
	    ctl_json_text(gate, "id", b[0], sizeof b[0]),
	    ctl_json_text(gate, "name", b[1], sizeof b[1]),
	    ctl_json_text(gate, "inside", b[2], sizeof b[2]));
	printf("%-11s %s, %s\n", "mode:", ctl_json_text(st, "mode", b[0],
	    sizeof b[0]), mode_source(st, b[1], sizeof b[1]));
	printf("%-11s %s %s\n", "level:",
	    ctl_json_text(level, "number", b[0], sizeof b[0]),
	    ctl_json_text(level, "name", b[1], sizeof b[1]));
	status_measures(json_object_get(st, "measures"));
	if (json_is_true(json_object_get(st, "emergency")))
		printf("%-11s ACTIVE\n", "emergency:");
	if (json_is_true(json_object_get(st, "locked")))
		printf("%-11s yes\n", "locked:");
	status_lanes(json_object_get(st, "lanes"));
	status_alerts(json_object_get(st, "alerts"),
	    json_object_get(st, "alert_counts"));
	status_devices(json_object_get(st, "devices"));
	people = json_object_get(st, "people");
	printf("%-11s %s loaded from %s at %s\n", "people:",
	    ctl_json_text(people, "count", b[0], sizeof b[0]),
	    ctl_json_text(people, "path", b[1], sizeof b[1]),
	    ctl_json_time(people, "loaded_ms", b[2], sizeof b[2]));
	journal = json_object_get(st, "journal");
	printf("%-11s %s rows, last event %s, %s kB free%s\n", "journal:",
	    ctl_json_text(journal, "rows", b[0], sizeof b[0]),
	    ctl_json_text(journal, "last_id", b[1], sizeof b[1]),
	    ctl_json_text(journal, "free_kb", b[2], sizeof b[2]),
	    json_is_true(json_object_get(journal, "low_space")) ?
	    " (LOW SPACE)" : "");
	status_time(st);
	printf("%-11s %s s\n", "uptime:",
	    ctl_json_text(st, "uptime_s", b[0], sizeof b[0]));
}

int
cmd_status(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	int	rc;

	(void)ctl;
	if ((rc = gate_no_args(argc, argv, "takes no --reason")) != 0)
		return rc;
	return ctl_ask(req, CTL_GET, xstrdup("/v1/status"), NULL, print_status);
}

static void
print_mode(const struct ctl_request *req, json_t *st)
{
	char	b[2][64];

	(void)req;
	printf("%s (%s)\n", ctl_json_text(st, "mode", b[0], sizeof b[0]),
	    mode_source(st, b[1], sizeof b[1]));
}

int
cmd_mode(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	int	rc;

	(void)ctl;
	rc = gate_no_args(argc, argv,
	    "to change the mode: mode set MODE --reason TEXT");
	if (rc != 0)
		return rc;
	return ctl_ask(req, CTL_GET, xstrdup("/v1/status"), NULL, print_mode);
}

static void
print_mode_set(const struct ctl_request *req, json_t *a)
{
	char	b[2][64];

	(void)req;
	printf("mode %s (event %s)\n", ctl_json_text(a, "mode", b[0],
	    sizeof b[0]), ctl_json_text(a, "event", b[1], sizeof b[1]));
}

int
cmd_mode_set(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	json_t		*body;
	char		*pos[1];
	const char	*reason;
	int		 rc;

	(void)ctl;
	if ((rc = gate_args(argc, argv, 1, pos, &reason, 1)) != 0)
		return rc;
	if ((body = json_pack("{s:s, s:s}", "mode", pos[0], "reason",
	    reason)) == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	return ctl_ask(req, CTL_POST, xstrdup("/v1/mode"), body,
	    print_mode_set);
}

static void
print_level(const struct ctl_request *req, json_t *st)
{
	json_t	*level = json_object_get(st, "level");
	char	 b[4][64];

	(void)req;
	printf("%s %s, mode %s (%s)\n",
	    ctl_json_text(level, "number", b[0], sizeof b[0]),
	    ctl_json_text(level, "name", b[1], sizeof b[1]),
	    ctl_json_text(st, "mode", b[2], sizeof b[2]),
	    mode_source(st, b[3], sizeof b[3]));
}

int
cmd_level(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	int	rc;

	(void)ctl;
	rc = gate_no_args(argc, argv,
	    "to change the level: level set N --reason TEXT");
	if (rc != 0)
		return rc;
	return ctl_ask(req, CTL_GET, xstrdup("/v1/status"), NULL, print_level);
}

static void
print_level_set(const struct ctl_request *req, json_t *a)
{
	char	b[4][64];

	(void)req;
	printf("level %s %s, mode %s (event %s)\n",
	    ctl_json_text(a, "level", b[0], sizeof b[0]),
	    ctl_json_text(a, "name", b[1], sizeof b[1]),
	    ctl_json_text(a, "mode", b[2], sizeof b[2]),
	    ctl_json_text(a, "event", b[3], sizeof b[3]));
}

int
cmd_level_set(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	json_t		*body;
	char		*pos[1];
	const char	*reason;
	long		 n;
	int		 rc;

	(void)ctl;
	if ((rc = gate_args(argc, argv, 1, pos, &reason, 1)) != 0)
		return rc;
	if (ctl_parse_long(pos[0], 0, 999, &n) == -1)
		return ctl_usage_error("not a level number: %s", pos[0]);
	if ((body = json_pack("{s:i, s:s}", "level", (int)n, "reason",
	    reason)) == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	return ctl_ask(req, CTL_POST, xstrdup("/v1/level"), body,
	    print_level_set);
}

static void
print_open(const struct ctl_request *req, json_t *a)
{
	char	b[2][64];

	(void)req;
	printf("lane %s opened once (event %s)\n",
	    ctl_json_text(a, "lane", b[0], sizeof b[0]),
	    ctl_json_text(a, "event", b[1], sizeof b[1]));
}

int
cmd_open(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	json_t		*body;
	char		*pos[1];
	const char	*reason;
	int		 rc;

	(void)ctl;
	if ((rc = gate_args(argc, argv, 1, pos, &reason, 1)) != 0)
		return rc;
	if ((body = json_pack("{s:s}", "reason", reason)) == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	return ctl_ask(req, CTL_POST, client_path("/v1/lanes", pos[0],
	    "/open"), body, print_open);
}

static void
print_ack(const struct ctl_request *req, json_t *a)
{
	char	b[2][64];

	(void)req;
	printf("alert %s acknowledged (event %s)\n",
	    ctl_json_text(a, "alert", b[0], sizeof b[0]),
	    ctl_json_text(a, "event", b[1], sizeof b[1]));
}

int
cmd_ack(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	json_t		*body;
	char		*pos[1], *path;
	const char	*reason;
	long		 id;
	int		 rc;

	(void)ctl;
	if ((rc = gate_args(argc, argv, 1, pos, &reason, 0)) != 0)
		return rc;
	if (ctl_parse_long(pos[0], 1, LONG_MAX, &id) == -1)
		return ctl_usage_error("not an alert id: %s", pos[0]);
	body = json_object();
	if (reason != NULL && *reason != '\0' &&
	    json_object_set_new(body, "reason", json_string(reason)) == -1) {
		json_decref(body);
		return ctl_usage_error("arguments must be UTF-8 text");
	}
	xasprintf(&path, "/v1/alerts/%ld/ack", id);
	return ctl_ask(req, CTL_POST, path, body, print_ack);
}

/* A page of alerts, and how to ask for the next when it is full. */
static void
print_alerts(const struct ctl_request *req, json_t *a)
{
	json_t	*alerts = json_object_get(a, "alerts");

	printf("%" JSON_INTEGER_FORMAT " active alerts, %zu shown\n",
	    json_integer_value(json_object_get(a, "active")),
	    json_array_size(alerts));
	if (json_array_size(alerts) > 0)
		alerts_table(alerts);
	if ((json_int_t)json_array_size(alerts) == req->opt.limit)
		printf("older: gatectl alerts --before %" JSON_INTEGER_FORMAT
		    "\n", json_integer_value(json_object_get(json_array_get(
		    alerts, json_array_size(alerts) - 1), "id")));
}

/* The active alerts, newest first, a page at a time (--before ID). */
int
cmd_alerts(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "before", required_argument, NULL, 'b' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_paging	page = { "alert", -1, -1, 100 };
	int			ch;

	(void)ctl;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ctl_paging_option(&page, ch, optarg) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	req->opt.limit = page.limit;
	return ctl_ask(req, CTL_GET, ctl_paging_path("/v1/alerts", &page),
	    NULL, print_alerts);
}

static void
print_reload(const struct ctl_request *req, json_t *a)
{
	(void)req;
	(void)a;
	printf("configuration and people reloaded\n");
}

int
cmd_reload(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	int	rc;

	(void)ctl;
	if ((rc = gate_no_args(argc, argv, "takes no --reason")) != 0)
		return rc;
	return ctl_ask(req, CTL_POST, xstrdup("/v1/reload"), NULL,
	    print_reload);
}

/* Who is inside: counts by category, then the muster list. */
static void
print_inside(const struct ctl_request *req, json_t *a)
{
	struct ctl_table	*t;
	static const char *const head[] = { "PERSON", "CATEGORY", "IN SINCE" };
	const char		*row[3];
	const char		*cat;
	json_t			*p, *n;
	char			 b[4][64];
	size_t			 i;

	(void)req;
	printf("%s inside %s at gate %s:",
	    ctl_json_text(a, "inside", b[0], sizeof b[0]),
	    ctl_json_text(a, "zone", b[1], sizeof b[1]),
	    ctl_json_text(a, "gate", b[2], sizeof b[2]));
	json_object_foreach(json_object_get(a, "categories"), cat, n)
		if (json_integer_value(n) > 0)
			printf(" %s %" JSON_INTEGER_FORMAT, cat,
			    json_integer_value(n));
	printf("\n");
	if (json_array_size(json_object_get(a, "people")) == 0)
		return;
	t = ctl_table_new(3, head);
	json_array_foreach(json_object_get(a, "people"), i, p) {
		row[0] = ctl_json_text(p, "person", b[0], sizeof b[0]);
		row[1] = ctl_json_text(p, "category", b[1], sizeof b[1]);
		row[2] = ctl_json_time(p, "since_ms", b[2], sizeof b[2]);
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, "");
	ctl_table_free(t);
}

int
cmd_inside(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	int	rc;

	(void)ctl;
	if ((rc = gate_no_args(argc, argv, "inside takes no --reason: it "
	    "changes nothing")) != 0)
		return rc;
	return ctl_ask(req, CTL_GET, xstrdup("/v1/occupancy"), NULL,
	    print_inside);
}

static void
print_apb_reset(const struct ctl_request *req, json_t *a)
{
	char	b[2][64];

	(void)req;
	printf("anti-passback reset for %s (event %s)\n",
	    ctl_json_text(a, "person", b[0], sizeof b[0]),
	    ctl_json_text(a, "event", b[1], sizeof b[1]));
}

/* A guard's forgiveness: the gate forgets where it last saw a person. */
int
cmd_apb_reset(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	json_t		*body;
	char		*pos[1];
	const char	*reason;
	int		 rc;

	(void)ctl;
	if ((rc = gate_args(argc, argv, 1, pos, &reason, 1)) != 0)
		return rc;
	if ((body = json_pack("{s:s, s:s}", "person", pos[0], "reason",
	    reason)) == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	return ctl_ask(req, CTL_POST, xstrdup("/v1/apb/reset"), body,
	    print_apb_reset);
}
