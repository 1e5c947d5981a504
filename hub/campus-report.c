/*
 * campus-report.c: the epidemic office's campus report, read from the
 * campus journal (the events table) through db.h, so the same SQL runs on
 * SQLite and PostgreSQL.  It is a gate's report (agent/journal-report.c)
 * with the gate added: the same section names and shapes where they are
 * the same thing, so the campus's totals can be checked against the sum
 * of the gates' own.  The database does the grouping (a month of a campus
 * never sits in the hub's memory); only the naming of hours in local time
 * is done here, on quarters of an hour, as the gate does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "office.h"
#include "xmalloc.h"

#define REPORT_ALERTS_MAX	1000
#define REPORT_HITS_MAX		10000

/* What the row callbacks build. */
struct report_ctx {
	json_t	*report;
	int	 persons;
	json_t	*array;		/* the section being filled */
	json_t	*index;		/* key -> position in array */
	json_t	*daily, *day_index;
	json_t	*inside;	/* zone -> {zone, count, people} */
	size_t	 cap;		/* the section's cap, 0: none */
	int	 more;		/* a row past the cap was seen */
};

/* A read that sees one snapshot, without taking the writers' lock. */
static const char sql_begin_sqlite[] = "BEGIN";
static const char sql_begin_pg[] =
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
static const char sql_end[] = "COMMIT";

/*
 * Passages and overrides per gate, quarter of an hour, lane and
 * direction; an override is a guard letting someone through, so it counts
 * as granted, as on the gate.  Quarters are named in local time here:
 * every time zone's offset is a whole number of quarters.
 */
static const char sql_quarters[] =
    "SELECT gate, ts_ms / 900000, lane, direction,"
    " SUM(CASE WHEN kind = 'override' OR verdict = 'granted'"
    "  THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN kind = 'passage' AND verdict = 'denied'"
    "  THEN 1 ELSE 0 END)"
    " FROM events WHERE ts_ms >= ? AND ts_ms < ?"
    " AND kind IN ('passage', 'override')"
    " GROUP BY ts_ms / 900000, gate, lane, direction"
    " ORDER BY 2, gate, lane, direction";

static const char sql_denials[] =
    "SELECT reason, COUNT(*) AS n FROM events"
    " WHERE ts_ms >= ? AND ts_ms < ? AND kind = 'passage'"
    " AND verdict = 'denied' GROUP BY reason ORDER BY n DESC, reason";

/* The gates' fever and quarantine alerts, as they published them. */
static const char sql_alerts[] =
    "SELECT gate, body FROM events"
    " WHERE ts_ms >= ? AND ts_ms < ? AND kind = 'alert'"
    " AND reason IN ('fever', 'quarantine')"
    " ORDER BY ts_ms, gate, id LIMIT 1001";

/* Every passage refused (or let through) for fever or quarantine. */
static const char sql_hits[] =
    "SELECT gate, id, ts_ms, lane, direction, person, category, verdict,"
    " reason, temp_c FROM events"
    " WHERE ts_ms >= ? AND ts_ms < ? AND kind = 'passage'"
    " AND reason IN ('fever', 'quarantine')"
    " ORDER BY ts_ms, gate, id LIMIT 10001";

static const char sql_gates[] =
    "SELECT gate,"
    " SUM(CASE WHEN kind IN ('passage', 'override') THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN kind = 'override' OR"
    "  (kind = 'passage' AND verdict = 'granted') THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN kind = 'passage' AND verdict = 'denied'"
    "  THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN kind = 'alert' AND reason IN ('fever', 'quarantine')"
    "  THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN kind = 'passage' AND reason IN ('fever', 'quarantine')"
    "  THEN 1 ELSE 0 END)"
    " FROM events WHERE ts_ms >= ? AND ts_ms < ? GROUP BY gate ORDER BY gate";

/*
 * Who is inside each zone at the end of the range: everyone whose last
 * granted passage into or out of the zone, in the lookback before it,
 * was in.  A window function picks that passage (SQLite >= 3.25 and
 * PostgreSQL both have them).  The lookback bounds the rows read: all of
 * a campus journal's passages would take minutes.
 */
static const char sql_inside[] =
    "SELECT zone, person, gate, lane, ts_ms FROM"
    " (SELECT zone, person, gate, lane, ts_ms, direction,"
    "  ROW_NUMBER() OVER (PARTITION BY person, zone"
    "   ORDER BY ts_ms DESC, gate DESC, id DESC) AS rn"
    "  FROM events WHERE kind = 'passage' AND verdict = 'granted'"
    "  AND person IS NOT NULL AND ts_ms >= ? AND ts_ms < ?)"
    " last"
    " WHERE rn = 1 AND direction = 'in' ORDER BY zone, person";

static json_int_t
report_num(const char *s)
{
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

/* Adds n to member key of object o. */
static void
report_add(json_t *o, const char *key, json_int_t n)
{
	json_object_set_new(o, key, json_integer(n +
	    json_integer_value(json_object_get(o, key))));
}

/*
 * The row of array that key names, made by make() when there is none:
 * a quarter's row joins its hour's, an hour's its day's.
 */
static json_t *
report_row(json_t *array, json_t *index, const char *key,
    json_t *(*make)(const char *const *), const char *const *vals)
{
	json_t	*at = json_object_get(index, key);

	if (at != NULL)
		return json_array_get(array, json_integer_value(at));
	json_object_set_new(index, key, json_integer(json_array_size(array)));
	json_array_append_new(array, make(vals));
	return json_array_get(array, json_array_size(array) - 1);
}

/* vals: gate, hour, lane, direction. */
static json_t *
report_hour_new(const char *const *vals)
{
	json_t	*o = json_object();

	json_object_set_new(o, "gate", fmt_json_string(vals[0]));
	json_object_set_new(o, "hour", fmt_json_string(vals[1]));
	json_object_set_new(o, "lane", fmt_json_string(vals[2]));
	json_object_set_new(o, "direction", fmt_json_string(vals[3]));
	json_object_set_new(o, "granted", json_integer(0));
	json_object_set_new(o, "denied", json_integer(0));
	return o;
}

/* vals: gate, day. */
static json_t *
report_day_new(const char *const *vals)
{
	json_t	*o = json_object();

	json_object_set_new(o, "day", fmt_json_string(vals[1]));
	json_object_set_new(o, "gate", fmt_json_string(vals[0]));
	json_object_set_new(o, "granted", json_integer(0));
	json_object_set_new(o, "denied", json_integer(0));
	return o;
}

/* One quarter: into its local hour's row and its local day's. */
static int
report_quarter(void *arg, int ncol, const char *const *vals)
{
	struct report_ctx	*c = arg;
	const char		*k[4];
	json_t			*row;
	struct tm		 tm;
	time_t			 t;
	char			 hour[32], day[16], *key;
	json_int_t		 granted, denied;

	if (ncol != 6)
		return 1;
	t = (time_t)(report_num(vals[1]) * 900);
	if (localtime_r(&t, &tm) == NULL)
		return 1;
	strftime(hour, sizeof hour, "%Y-%m-%dT%H:00", &tm);
	strftime(day, sizeof day, "%Y-%m-%d", &tm);
	granted = report_num(vals[4]);
	denied = report_num(vals[5]);

	k[0] = vals[0];
	k[1] = hour;
	k[2] = vals[2];
	k[3] = vals[3];
	xasprintf(&key, "%s\037%s\037%s\037%s", vals[0] ? vals[0] : "",
	    hour, vals[2] ? vals[2] : "\036", vals[3] ? vals[3] : "\036");
	row = report_row(c->array, c->index, key, report_hour_new, k);
	free(key);
	report_add(row, "granted", granted);
	report_add(row, "denied", denied);

	k[1] = day;
	xasprintf(&key, "%s\037%s", vals[0] ? vals[0] : "", day);
	row = report_row(c->daily, c->day_index, key, report_day_new, k);
	free(key);
	report_add(row, "granted", granted);
	report_add(row, "denied", denied);
	return 0;
}

static int
report_denial(void *arg, int ncol, const char *const *vals)
{
	struct report_ctx	*c = arg;
	json_t			*o;

	if (ncol != 2)
		return 1;
	o = json_object();
	json_object_set_new(o, "reason", fmt_json_string(vals[0]));
	json_object_set_new(o, "count", json_integer(report_num(vals[1])));
	json_array_append_new(c->array, o);
	return 0;
}

/* Whether a capped section is full: then the row is only counted. */
static int
report_full(struct report_ctx *c)
{
	if (json_array_size(c->array) < c->cap)
		return 0;
	c->more = 1;
	return 1;
}

/* Takes out of an event what names or measures a person. */
static void
report_anonymous(json_t *o)
{
	json_object_del(o, "person");
	json_object_del(o, "card");
	json_object_del(o, "temp");
	json_object_del(o, "detail");
	json_object_del(o, "subject");
}

/* An alert as its gate published it, with the gate. */
static int
report_alert(void *arg, int ncol, const char *const *vals)
{
	struct report_ctx	*c = arg;
	json_t			*o;

	if (ncol != 2)
		return 1;
	if (report_full(c))
		return 0;
	o = vals[1] != NULL ? json_loads(vals[1], 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_set_new(o, "gate", fmt_json_string(vals[0]));
	if (!c->persons)
		report_anonymous(o);
	json_array_append_new(c->array, o);
	return 0;
}

/* Degrees as the gate gives them: one decimal. */
static json_t *
report_temp(const char *s)
{
	double	v;

	if (s == NULL)
		return json_null();
	v = strtod(s, NULL);
	return json_real((double)(long long)(v * 10 + (v >= 0 ? 0.5 : -0.5)) /
	    10.0);
}

/* vals: gate, id, ts_ms, lane, direction, person, category, verdict,
 * reason, temp_c. */
static int
report_hit(void *arg, int ncol, const char *const *vals)
{
	static const char *const names[] = {
		"gate", NULL, NULL, "lane", "direction", "person", "category",
		"verdict", "reason"
	};
	struct report_ctx	*c = arg;
	json_t			*o;
	int			 i;

	if (ncol != 10)
		return 1;
	if (report_full(c))
		return 0;
	o = json_object();
	json_object_set_new(o, "id", json_integer(report_num(vals[1])));
	json_object_set_new(o, "ts_ms", json_integer(report_num(vals[2])));
	json_object_set_new(o, "time", fmt_json_time(report_num(vals[2])));
	for (i = 0; i < 9; i++) {
		if (names[i] != NULL && vals[i] != NULL)
			json_object_set_new(o, names[i],
			    fmt_json_string(vals[i]));
	}
	if (vals[9] != NULL)
		json_object_set_new(o, "temp", report_temp(vals[9]));
	if (!c->persons)
		report_anonymous(o);
	json_array_append_new(c->array, o);
	return 0;
}

static int
report_gate(void *arg, int ncol, const char *const *vals)
{
	static const char *const names[] = {
		"passages", "granted", "denied", "alerts", "hits"
	};
	struct report_ctx	*c = arg;
	json_t			*o, *tot;
	int			 i;

	if (ncol != 6)
		return 1;
	o = json_object();
	json_object_set_new(o, "gate", fmt_json_string(vals[0]));
	tot = json_object_get(c->report, "totals");
	for (i = 0; i < 5; i++) {
		json_object_set_new(o, names[i],
		    json_integer(report_num(vals[i + 1])));
		report_add(tot, names[i], report_num(vals[i + 1]));
	}
	json_array_append_new(c->array, o);
	return 0;
}

/* vals: zone, person, gate, lane, ts_ms. */
static int
report_inside(void *arg, int ncol, const char *const *vals)
{
	struct report_ctx	*c = arg;
	json_t			*z, *p;
	const char		*key = vals[0] != NULL ? vals[0] : "";

	if (ncol != 5)
		return 1;
	if ((z = json_object_get(c->index, key)) == NULL) {
		z = json_object();
		json_object_set_new(z, "zone", fmt_json_string(vals[0]));
		json_object_set_new(z, "count", json_integer(0));
		if (c->persons)
			json_object_set_new(z, "people", json_array());
		json_object_set(c->index, key, z);
		json_array_append_new(c->array, z);
	}
	report_add(z, "count", 1);
	if (!c->persons)
		return 0;
	p = json_object();
	json_object_set_new(p, "person", fmt_json_string(vals[1]));
	json_object_set_new(p, "gate", fmt_json_string(vals[2]));
	json_object_set_new(p, "lane", fmt_json_string(vals[3]));
	json_object_set_new(p, "ts_ms", json_integer(report_num(vals[4])));
	json_object_set_new(p, "time", fmt_json_time(report_num(vals[4])));
	json_array_append_new(json_object_get(z, "people"), p);
	return 0;
}

/*
 * Runs one section's query into a new array, the report's member name;
 * cap > 0: at most cap rows, and name_more says whether there were more.
 */
static int
report_section(struct db *db, struct report_ctx *c, const char *name,
    const char *sql, int n, const char *const *params, db_row_cb cb,
    size_t cap)
{
	char	 more[32];
	int	 rc;

	c->array = json_array();
	c->index = json_object();
	c->cap = cap;
	c->more = 0;
	rc = db_query(db, sql, n, params, cb, c);
	json_object_set_new(c->report, name, c->array);
	json_decref(c->index);
	c->index = NULL;
	if (cap > 0) {
		snprintf(more, sizeof more, "%s_more", name);
		json_object_set_new(c->report, more, json_boolean(c->more));
	}
	return rc;
}

/* The sections, in one read snapshot, so the totals agree with them. */
static int
report_sections(struct db *db, struct report_ctx *c, int64_t from_ms,
    int64_t to_ms, int64_t inside_ms)
{
	const char	*range[2], *lookback[2];
	char		 b[3][24];

	range[0] = office_int(b[0], from_ms);
	range[1] = office_int(b[1], to_ms);
	lookback[0] = office_int(b[2], to_ms - inside_ms);
	lookback[1] = range[1];
	c->daily = json_array();
	c->day_index = json_object();
	json_object_set_new(c->report, "daily", c->daily);
	if (report_section(db, c, "hourly", sql_quarters, 2, range,
	    report_quarter, 0) == -1 ||
	    report_section(db, c, "denials", sql_denials, 2, range,
	    report_denial, 0) == -1 ||
	    report_section(db, c, "alerts", sql_alerts, 2, range,
	    report_alert, REPORT_ALERTS_MAX) == -1 ||
	    report_section(db, c, "hits", sql_hits, 2, range,
	    report_hit, REPORT_HITS_MAX) == -1 ||
	    report_section(db, c, "gates", sql_gates, 2, range,
	    report_gate, 0) == -1 ||
	    report_section(db, c, "inside", sql_inside, 2, lookback,
	    report_inside, 0) == -1)
		return -1;
	return 0;
}

json_t *
campus_report(struct db *db, int64_t from_ms, int64_t to_ms,
    int64_t inside_ms, int persons, char **cause)
{
	struct report_ctx	 c;
	json_t			*tot;
	int			 rc;

	memset(&c, 0, sizeof c);
	c.persons = persons;
	c.report = json_object();
	json_object_set_new(c.report, "from", json_integer(from_ms));
	json_object_set_new(c.report, "to", json_integer(to_ms));
	json_object_set_new(c.report, "inside_since",
	    json_integer(to_ms - inside_ms));
	tot = json_object();
	json_object_set_new(tot, "passages", json_integer(0));
	json_object_set_new(tot, "granted", json_integer(0));
	json_object_set_new(tot, "denied", json_integer(0));
	json_object_set_new(tot, "alerts", json_integer(0));
	json_object_set_new(tot, "hits", json_integer(0));
	json_object_set_new(c.report, "totals", tot);

	rc = db_exec(db, strcmp(db_backend(db), "postgresql") == 0 ?
	    sql_begin_pg : sql_begin_sqlite, 0, NULL);
	if (rc == 0) {
		rc = report_sections(db, &c, from_ms, to_ms, inside_ms);
		if (rc == -1)
			xasprintf(cause, "campus journal read failed: %s",
			    db_error(db));
		db_exec(db, sql_end, 0, NULL);
	} else
		xasprintf(cause, "campus journal read failed: %s",
		    db_error(db));
	json_decref(c.day_index);
	if (rc == -1) {
		json_decref(c.report);
		return NULL;
	}
	return c.report;
}
