/*
 * journal-report.c: the journal read back as JSON, for the control API:
 * the active alerts, the event feed a client pages through with ?after=ID,
 * and the daily report the epidemic office asks for.  The grouping is done
 * by SQLite so that a day of rows never has to sit in the agent's memory,
 * and the report, which reads every row of its range, runs on a connection
 * of its own in a worker thread (report.c), never in the event loop.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "agent.h"
#include "fmt.h"

#define EVENTS_LIMIT_DEFAULT	100
#define EVENTS_LIMIT_MAX	1000
#define REPORT_ALERTS_MAX	1000
#define REPORT_ALERTS_MORE	"1001"	/* REPORT_ALERTS_MAX + 1 */

/* The columns of an event, in the order journal_event_json reads them. */
#define EVENT_COLUMNS \
	"id, ts_ms, kind, lane, direction, card, person, category, verdict," \
	" reason, temp_centi, actor, detail, alert_id"

/* Text fields of an event, by column, as named in the JSON. */
static const struct {
	int		 column;
	const char	*name;
} event_texts[] = {
	{ 3, "lane" },
	{ 4, "direction" },
	{ 5, "card" },
	{ 6, "person" },
	{ 7, "category" },
	{ 8, "verdict" },
	{ 9, "reason" },
	{ 11, "actor" },
	{ 12, "detail" },
};

/* Logs an unexpected SQLite failure of a read. */
static void
report_warn(sqlite3 *db, const char *what)
{
	log_warnx("journal %s: %s: %s", sqlite3_db_filename(db, "main"), what,
	    sqlite3_errmsg(db));
}

/* One event row (EVENT_COLUMNS) as an object of its non-NULL fields. */
static json_t *
report_event(sqlite3_stmt *st)
{
	json_t		*o;
	const char	*s;
	size_t		 i;
	int64_t		 ts;
	int		 temp;

	ts = sqlite3_column_int64(st, 1);
	o = json_object();
	json_object_set_new(o, "id", json_integer(sqlite3_column_int64(st, 0)));
	json_object_set_new(o, "ts_ms", json_integer(ts));
	json_object_set_new(o, "time", fmt_json_time(ts));
	json_object_set_new(o, "kind",
	    fmt_json_string((const char *)sqlite3_column_text(st, 2)));
	for (i = 0; i < sizeof event_texts / sizeof event_texts[0]; i++) {
		s = (const char *)sqlite3_column_text(st,
		    event_texts[i].column);
		if (s != NULL)
			json_object_set_new(o, event_texts[i].name,
			    fmt_json_string(s));
	}
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		/* Centi-degrees to one decimal, rounded half away from 0. */
		temp = sqlite3_column_int(st, 10);
		temp = temp >= 0 ? (temp + 5) / 10 : (temp - 5) / 10;
		json_object_set_new(o, "temp", json_real(temp / 10.0));
	}
	if (sqlite3_column_type(st, 13) != SQLITE_NULL)
		json_object_set_new(o, "alert_id",
		    json_integer(sqlite3_column_int64(st, 13)));
	return o;
}

/* Appends every row of an event query to an array; 0 or -1. */
static int
report_events(sqlite3 *db, sqlite3_stmt *st, json_t *a, int64_t *last)
{
	int	rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_array_append_new(a, report_event(st));
		if (last != NULL)
			*last = sqlite3_column_int64(st, 0);
	}
	if (rc != SQLITE_DONE) {
		report_warn(db, "events");
		return -1;
	}
	return 0;
}

/* How a column of a query becomes a member of its row's object. */
enum column_kind {
	COLUMN_INT,		/* an integer */
	COLUMN_TEXT,		/* a string, or null */
	COLUMN_TEXT_SET,	/* a string, left out when NULL */
};

struct column {
	const char		*name;
	enum column_kind	 kind;
};

/* The current row as an object, the columns in the query's order. */
static json_t *
row_json(sqlite3_stmt *st, const struct column *cols, int ncols)
{
	json_t		*o = json_object();
	const char	*s;
	int		 i;

	for (i = 0; i < ncols; i++) {
		if (cols[i].kind == COLUMN_INT) {
			json_object_set_new(o, cols[i].name,
			    json_integer(sqlite3_column_int64(st, i)));
			continue;
		}
		/* Text only read as text: SQLite converts in place. */
		s = (const char *)sqlite3_column_text(st, i);
		if (s != NULL || cols[i].kind == COLUMN_TEXT)
			json_object_set_new(o, cols[i].name,
			    fmt_json_string(s));
	}
	return o;
}

/*
 * Every row of a prepared query as an array of objects, and the query
 * finalized; NULL, with the failure logged as what, when a step fails.
 */
static json_t *
rows_json(sqlite3 *db, sqlite3_stmt *st, const struct column *cols,
    int ncols, const char *what)
{
	json_t	*a = json_array();
	int	 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, row_json(st, cols, ncols));
	if (rc != SQLITE_DONE) {
		report_warn(db, what);
		json_decref(a);
		a = NULL;
	}
	sqlite3_finalize(st);
	return a;
}

/*
 * One page of events, ascending: the rows of sql, which binds the id ?1
 * and the limit ?2 (<= 0: 100, capped at 1000).  last_id is the newest id
 * returned, or last when there was none; first_id the oldest, or 0.
 */
static json_t *
events_page(struct journal *j, const char *sql, int64_t id, int limit,
    int64_t last)
{
	sqlite3		*db = journal_db(j);
	sqlite3_stmt	*st;
	json_t		*o, *a, *first;

	if (limit <= 0)
		limit = EVENTS_LIMIT_DEFAULT;
	if (limit > EVENTS_LIMIT_MAX)
		limit = EVENTS_LIMIT_MAX;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		report_warn(db, "events");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, limit);
	a = json_array();
	if (report_events(db, st, a, &last) != 0) {
		sqlite3_finalize(st);
		json_decref(a);
		return NULL;
	}
	sqlite3_finalize(st);
	first = json_object_get(json_array_get(a, 0), "id");
	o = json_object();
	json_object_set_new(o, "events", a);
	json_object_set_new(o, "first_id",
	    json_integer(first != NULL ? json_integer_value(first) : 0));
	json_object_set_new(o, "last_id", json_integer(last));
	return o;
}

/*
 * The events after an id, ascending, at most limit of them, and last_id:
 * the id to ask after next time, which is the last one returned, or after
 * itself when there was none.
 */
json_t *
journal_events_json(struct journal *j, int64_t after, int limit)
{
	return events_page(j, "SELECT " EVENT_COLUMNS " FROM events"
	    " WHERE id > ?1 ORDER BY id LIMIT ?2", after, limit, after);
}

/*
 * The newest events before an id (0: the newest of all), at most limit of
 * them, oldest first, like tail(1).  first_id is the id to ask before next
 * time, for the page before this one (0 when there is none left), and
 * last_id the newest id returned, to follow with after.
 */
json_t *
journal_events_before(struct journal *j, int64_t before, int limit)
{
	return events_page(j, "SELECT * FROM (SELECT " EVENT_COLUMNS
	    " FROM events WHERE id < ?1 ORDER BY id DESC LIMIT ?2)"
	    " ORDER BY id", before > 0 ? before : INT64_MAX, limit,
	    before > 0 ? before - 1 : 0);
}

/* The alerts not yet acknowledged, oldest first: they survive restarts. */
json_t *
journal_alerts_active(struct journal *j)
{
	static const struct column	 cols[] = {
		{ "id", COLUMN_INT }, { "kind", COLUMN_TEXT },
		{ "lane", COLUMN_TEXT_SET }, { "detail", COLUMN_TEXT_SET },
		{ "raised_ms", COLUMN_INT }, { "event", COLUMN_INT },
		{ "subject", COLUMN_TEXT_SET }, { "count", COLUMN_INT },
		{ "last_ms", COLUMN_INT },
	};
	sqlite3				*db = journal_db(j);
	sqlite3_stmt			*st;

	if (sqlite3_prepare_v2(db, "SELECT id, kind, lane, detail,"
	    " raised_ms, raise_event, subject, count, last_ms FROM alerts"
	    " WHERE acked_ms IS NULL ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK) {
		report_warn(db, "active alerts");
		return NULL;
	}
	return rows_json(db, st, cols, sizeof cols / sizeof cols[0],
	    "active alerts");
}

/* Prepares a report query and binds the range [from, to); NULL on error. */
static sqlite3_stmt *
report_prepare(sqlite3 *db, const char *sql, int64_t from_ms, int64_t to_ms)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		report_warn(db, "report");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	return st;
}

/*
 * Passages and overrides per local hour, lane and direction; an override
 * is a guard letting someone through, so it counts as granted.  Rows are
 * first summed per quarter of an hour, by integer arithmetic, and only the
 * quarters are named in local time: every time zone's offset is a whole
 * number of quarters, so this is exact and spares a localtime() per row.
 * Grouping by the local hour's name merges the two 02:00 hours of the
 * autumn clock change, which is what the office's day sheet does too.
 */
static int
report_hourly(sqlite3 *db, int64_t from_ms, int64_t to_ms, json_t *report)
{
	static const struct column	 cols[] = {
		{ "hour", COLUMN_TEXT }, { "lane", COLUMN_TEXT },
		{ "direction", COLUMN_TEXT }, { "granted", COLUMN_INT },
		{ "denied", COLUMN_INT },
	};
	sqlite3_stmt			*st;
	json_t				*a;

	st = report_prepare(db, "SELECT strftime('%Y-%m-%dT%H:00',"
	    " quarter * 900, 'unixepoch', 'localtime') AS hour, lane,"
	    " direction, sum(granted), sum(denied) FROM"
	    " (SELECT ts_ms / 900000 AS quarter, lane, direction,"
	    "  sum(kind = 'override' OR verdict = 'granted') AS granted,"
	    "  sum(kind = 'passage' AND verdict = 'denied') AS denied"
	    "  FROM events WHERE ts_ms >= ?1 AND ts_ms < ?2"
	    "  AND kind IN ('passage', 'override')"
	    "  GROUP BY quarter, lane, direction)"
	    " GROUP BY hour, lane, direction ORDER BY hour, lane, direction",
	    from_ms, to_ms);
	if (st == NULL || (a = rows_json(db, st, cols,
	    sizeof cols / sizeof cols[0], "report hourly")) == NULL)
		return -1;
	json_object_set_new(report, "hourly", a);
	return 0;
}

/* Denied passages by reason, the most frequent first. */
static int
report_denials(sqlite3 *db, int64_t from_ms, int64_t to_ms, json_t *report)
{
	static const struct column	 cols[] = {
		{ "reason", COLUMN_TEXT }, { "count", COLUMN_INT },
	};
	sqlite3_stmt			*st;
	json_t				*a;

	st = report_prepare(db, "SELECT reason, count(*) AS n FROM events"
	    " WHERE ts_ms >= ?1 AND ts_ms < ?2 AND kind = 'passage'"
	    " AND verdict = 'denied' GROUP BY reason ORDER BY n DESC, reason",
	    from_ms, to_ms);
	if (st == NULL || (a = rows_json(db, st, cols,
	    sizeof cols / sizeof cols[0], "report denials")) == NULL)
		return -1;
	json_object_set_new(report, "denials", a);
	return 0;
}

/*
 * The fever and quarantine alerts raised in the range, as events: the
 * first REPORT_ALERTS_MAX, and alerts_more when there were more (the
 * totals count them all), so that a flood cannot make the answer huge.
 */
static int
report_alerts(sqlite3 *db, int64_t from_ms, int64_t to_ms, json_t *report)
{
	sqlite3_stmt	*st;
	json_t		*a;
	bool		 more;
	int		 rc;

	st = report_prepare(db, "SELECT " EVENT_COLUMNS " FROM events"
	    " WHERE ts_ms >= ?1 AND ts_ms < ?2 AND kind = 'alert'"
	    " AND reason IN ('fever', 'quarantine') ORDER BY id"
	    " LIMIT " REPORT_ALERTS_MORE, from_ms, to_ms);
	if (st == NULL)
		return -1;
	a = json_array();
	rc = report_events(db, st, a, NULL);
	sqlite3_finalize(st);
	/* One more than the cap was asked for, to know there were more. */
	more = json_array_size(a) > REPORT_ALERTS_MAX;
	if (more)
		json_array_remove(a, REPORT_ALERTS_MAX);
	json_object_set_new(report, "alerts", a);
	json_object_set_new(report, "alerts_more", json_boolean(more));
	return rc;
}

/* The day's totals: every passage and override, and the alerts above. */
static int
report_totals(sqlite3 *db, int64_t from_ms, int64_t to_ms, json_t *report)
{
	static const struct column	 cols[] = {
		{ "passages", COLUMN_INT }, { "granted", COLUMN_INT },
		{ "denied", COLUMN_INT }, { "alerts", COLUMN_INT },
	};
	sqlite3_stmt			*st;
	int				 rc;

	st = report_prepare(db, "SELECT"
	    " count(*) FILTER (WHERE kind IN ('passage', 'override')),"
	    " count(*) FILTER (WHERE kind = 'override' OR"
	    "  (kind = 'passage' AND verdict = 'granted')),"
	    " count(*) FILTER (WHERE kind = 'passage' AND verdict = 'denied'),"
	    " count(*) FILTER (WHERE kind = 'alert' AND"
	    "  reason IN ('fever', 'quarantine'))"
	    " FROM events WHERE ts_ms >= ?1 AND ts_ms < ?2", from_ms, to_ms);
	if (st == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(report, "totals", row_json(st, cols,
		    sizeof cols / sizeof cols[0]));
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		report_warn(db, "report totals");
		return -1;
	}
	return 0;
}

/*
 * The report of [from_ms, to_ms) on a connection: passages per hour, lane
 * and direction, denials by reason, the health alerts and the totals.  All
 * four queries read one snapshot, so the totals agree with the parts.
 */
static json_t *
report_run(sqlite3 *db, int64_t from_ms, int64_t to_ms)
{
	json_t	*report;
	int	 rc;

	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		report_warn(db, "report");
		return NULL;
	}
	report = json_object();
	json_object_set_new(report, "from", json_integer(from_ms));
	json_object_set_new(report, "to", json_integer(to_ms));
	rc = report_hourly(db, from_ms, to_ms, report);
	if (rc == 0)
		rc = report_denials(db, from_ms, to_ms, report);
	if (rc == 0)
		rc = report_alerts(db, from_ms, to_ms, report);
	if (rc == 0)
		rc = report_totals(db, from_ms, to_ms, report);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	if (rc != 0) {
		json_decref(report);
		return NULL;
	}
	return report;
}

/* The report on the journal's own connection (the tests use it). */
json_t *
journal_report_json(struct journal *j, int64_t from_ms, int64_t to_ms)
{
	return report_run(journal_db(j), from_ms, to_ms);
}

/* The file the journal's connection has open, for a reader of its own. */
const char *
journal_report_path(struct journal *j)
{
	return sqlite3_db_filename(journal_db(j), "main");
}

/* Asks SQLite to stop a report that was cancelled or ran out of time. */
static int
report_progress(void *arg)
{
	struct report_limits	*lim = arg;
	struct timespec		 now;

	if (atomic_load(&lim->cancel))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > lim->deadline.tv_sec ||
	    (now.tv_sec == lim->deadline.tv_sec &&
	    now.tv_nsec >= lim->deadline.tv_nsec)) {
		lim->timed_out = true;
		return 1;
	}
	return 0;
}

/*
 * The report read from the journal file on a read-only connection of its
 * own, for a worker thread: WAL lets the loop's connection go on writing
 * while this one reads its snapshot.  It stops when lim->cancel is set or
 * lim->deadline passes; NULL then, or on any error, with *cause set.
 */
json_t *
journal_report_file(const char *path, int64_t from_ms, int64_t to_ms,
    struct report_limits *lim, char **cause)
{
	sqlite3	*db;
	json_t	*report;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "journal read failed: %s", db != NULL ?
		    sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 1000);
	/* Every thousand virtual machine steps: well under a millisecond. */
	sqlite3_progress_handler(db, 1000, report_progress, lim);
	report = report_run(db, from_ms, to_ms);
	sqlite3_close(db);
	if (report == NULL) {
		if (lim->timed_out)
			xasprintf(cause, "the report took longer than %d s: "
			    "ask for a shorter range", lim->max_s);
		else if (atomic_load(&lim->cancel))
			xasprintf(cause, "the report was cancelled");
		else
			xasprintf(cause, "journal read failed");
	}
	return report;
}
