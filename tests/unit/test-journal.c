/*
 * test-journal.c: the journal against a real SQLite file in a private
 * directory: appending and reading back, reopening, alerts and their
 * coalescing, the upgrade of an old schema, paging, the
 * daily report on a crafted day, retention, state, failures to open, and
 * a writer killed with SIGKILL that must not lose an acknowledged append.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "agent.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test-journal.XXXXXX";

/* A path inside the private directory. */
static const char *
path_of(const char *name)
{
	static char	buf[PATH_MAX];

	snprintf(buf, sizeof buf, "%s/%s", tmpdir, name);
	return buf;
}

/* Unix milliseconds of a local date and time (TZ is set by main). */
static int64_t
local_ms(int year, int mon, int day, int hour, int min, int sec, int ms)
{
	struct tm	tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000 + ms;
}

/* One integer from SQL run on the journal's own connection. */
static int64_t
sql_int(struct journal *j, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(journal_db(j), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Whether SQL run on the journal's connection answers "ok". */
static int
sql_ok(struct journal *j, const char *sql)
{
	sqlite3_stmt	*st;
	const char	*s;
	int		 ok = 0;

	if (sqlite3_prepare_v2(journal_db(j), sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (s = (const char *)sqlite3_column_text(st, 0)) != NULL)
		ok = strcmp(s, "ok") == 0;
	sqlite3_finalize(st);
	return ok;
}

static void
sql_exec(struct journal *j, const char *sql)
{
	if (sqlite3_exec(journal_db(j), sql, NULL, NULL, NULL) != SQLITE_OK)
		check(0, "sql %s: %s", sql, sqlite3_errmsg(journal_db(j)));
}

static struct journal *
open_ok(const char *name, long max_rows, int max_days, long warn_free_kb)
{
	struct journal_limits	 lim = { max_rows, max_days, warn_free_kb, 0 };
	struct journal		*j;
	char			*cause = NULL;

	j = journal_open(path_of(name), &lim, &cause);
	if (j == NULL) {
		check(0, "open %s: %s", name, cause);
		free(cause);
		exit(check_done());
	}
	return j;
}

/* A passage event, filled in but not appended. */
static void
passage_event(struct journal_event *ev, int64_t ts, const char *lane,
    const char *dir, const char *verdict, const char *reason)
{
	memset(ev, 0, sizeof *ev);
	ev->ts_ms = ts;
	ev->kind = "passage";
	ev->lane = lane;
	ev->direction = dir;
	ev->verdict = verdict;
	ev->reason = reason;
}

/* Appends a passage; the id, or -1. */
static int64_t
passage(struct journal *j, int64_t ts, const char *lane, const char *dir,
    const char *verdict, const char *reason)
{
	struct journal_event	ev;

	passage_event(&ev, ts, lane, dir, verdict, reason);
	return journal_append(j, &ev);
}

/* Appends n plain events in one transaction (fast set-up); the last id. */
static int64_t
many(struct journal *j, int n, int64_t ts)
{
	int64_t	id = 0;
	int	i;

	sql_exec(j, "BEGIN");
	for (i = 0; i < n; i++)
		id = passage(j, ts + i, "north", "in", "granted", "granted");
	sql_exec(j, "COMMIT");
	return id;
}

static const char *
str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t
int_of(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void
test_open_failures(void)
{
	struct journal	*j;
	sqlite3		*db;
	char		*cause = NULL;
	FILE		*f;

	f = fopen(path_of("plain"), "w");
	fputs("not a directory\n", f);
	fclose(f);
	j = journal_open(path_of("plain/journal.db"), NULL, &cause);
	check(j == NULL && cause != NULL &&
	    strstr(cause, "plain/journal.db: ") != NULL &&
	    strstr(cause, "Not a directory") != NULL,
	    "open below a file fails with a cause (%s)", cause);
	free(cause);

	f = fopen(path_of("garbage.db"), "w");
	fputs("this is not an SQLite database, not even close, really...\n"
	    "padding padding padding padding padding padding padding\n", f);
	fclose(f);
	cause = NULL;
	j = journal_open(path_of("garbage.db"), NULL, &cause);
	check(j == NULL && cause != NULL &&
	    strstr(cause, "garbage.db: ") != NULL &&
	    strstr(cause, "not a database") != NULL,
	    "open of a non-database fails (%s)", cause);
	free(cause);

	sqlite3_open(path_of("newer.db"), &db);
	sqlite3_exec(db, "PRAGMA user_version = 99; CREATE TABLE x (y);",
	    NULL, NULL, NULL);
	sqlite3_close(db);
	cause = NULL;
	j = journal_open(path_of("newer.db"), NULL, &cause);
	check(j == NULL && cause != NULL && strstr(cause, "version 99") !=
	    NULL && strstr(cause, "newer") != NULL,
	    "a newer schema is refused (%s)", cause);
	free(cause);

	sqlite3_open(path_of("foreign.db"), &db);
	sqlite3_exec(db, "CREATE TABLE x (y);", NULL, NULL, NULL);
	sqlite3_close(db);
	cause = NULL;
	j = journal_open(path_of("foreign.db"), NULL, &cause);
	check(j == NULL && cause != NULL &&
	    strstr(cause, "not a gated journal") != NULL,
	    "someone else's database is refused (%s)", cause);
	free(cause);

	journal_close(NULL);
	check(1, "journal_close(NULL) is a no-op");
}

/* The settings that make the durability promise, read back from SQLite. */
static void
check_pragmas(struct journal *j, const char *when)
{
	sqlite3_stmt	*st;
	const char	*mode = NULL;
	int		 ok;

	sqlite3_prepare_v2(journal_db(j), "PRAGMA journal_mode", -1, &st,
	    NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	ok = mode != NULL && strcmp(mode, "wal") == 0;
	sqlite3_finalize(st);
	check(ok, "%s: journal_mode is wal", when);
	check(sql_int(j, "PRAGMA synchronous") == 2,
	    "%s: synchronous is FULL (2)", when);
	check(sql_int(j, "PRAGMA cache_size") == -512,
	    "%s: page cache is 512 KiB", when);
	check(sql_int(j, "PRAGMA user_version") == 2,
	    "%s: schema version 2", when);
}

static void
test_append_reopen(void)
{
	struct journal		*j;
	struct journal_event	 ev;
	struct stat		 sb;
	json_t			*r, *e;
	int64_t			 ts, id1, id2;

	j = open_ok("basic.db", 0, 0, 0);
	check_pragmas(j, "new");
	check(stat(path_of("basic.db"), &sb) == 0 &&
	    (sb.st_mode & 0777) == 0640, "journal file is 0640");
	check(journal_last_id(j) == 0, "a new journal has last id 0");

	ts = local_ms(2026, 11, 29, 8, 15, 2, 345);
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = ts;
	ev.kind = "passage";
	ev.lane = "north";
	ev.direction = "in";
	ev.person = "P-0042";
	ev.category = "staff";
	ev.verdict = "granted";
	ev.reason = "granted";
	ev.has_temp = true;
	ev.temp_centi = 3660;
	id1 = journal_append(j, &ev);
	check(id1 > 0 && ev.id == id1, "append returns the id and fills it");

	memset(&ev, 0, sizeof ev);
	ev.ts_ms = ts + 1000;
	ev.kind = "passage";
	ev.lane = "north";
	ev.direction = "in";
	ev.card = "04A1B2C3";
	ev.verdict = "denied";
	ev.reason = "unknown-card";
	ev.detail = "bad \xff utf-8";
	id2 = journal_append(j, &ev);
	check(id2 == id1 + 1, "ids increase");

	memset(&ev, 0, sizeof ev);
	ev.ts_ms = ts;
	check(journal_append(j, &ev) == -1, "an event without kind fails");

	journal_close(j);
	check(stat(path_of("basic.db-wal"), &sb) == -1 || sb.st_size == 0,
	    "close folds the WAL into the database");

	j = open_ok("basic.db", 0, 0, 0);
	check_pragmas(j, "reopened");
	check(journal_last_id(j) == id2, "last id kept across reopen");
	r = journal_events_json(j, 0, 0);
	check(r != NULL && json_array_size(json_object_get(r, "events")) == 2 &&
	    int_of(r, "last_id") == id2, "both events read back after reopen");
	e = json_array_get(json_object_get(r, "events"), 0);
	check(int_of(e, "id") == id1 && int_of(e, "ts_ms") == ts,
	    "event 1 id and ts_ms");
	check(str_of(e, "time") != NULL &&
	    strcmp(str_of(e, "time"), "2026-11-29T08:15:02+0100") == 0,
	    "event 1 local time with offset (%s)", str_of(e, "time"));
	check(strcmp(str_of(e, "kind"), "passage") == 0 &&
	    strcmp(str_of(e, "lane"), "north") == 0 &&
	    strcmp(str_of(e, "direction"), "in") == 0 &&
	    strcmp(str_of(e, "person"), "P-0042") == 0 &&
	    strcmp(str_of(e, "category"), "staff") == 0 &&
	    strcmp(str_of(e, "verdict"), "granted") == 0 &&
	    strcmp(str_of(e, "reason"), "granted") == 0,
	    "event 1 text fields");
	check(json_is_real(json_object_get(e, "temp")) &&
	    json_real_value(json_object_get(e, "temp")) == 36.6,
	    "event 1 temp is 36.6");
	check(json_object_get(e, "card") == NULL &&
	    json_object_get(e, "actor") == NULL &&
	    json_object_get(e, "detail") == NULL &&
	    json_object_get(e, "alert_id") == NULL,
	    "NULL fields are left out");
	check(json_object_size(e) == 11, "event 1 has exactly 11 fields");
	e = json_array_get(json_object_get(r, "events"), 1);
	check(json_object_get(e, "temp") == NULL &&
	    strcmp(str_of(e, "card"), "04A1B2C3") == 0,
	    "event 2 has a card and no temp");
	check(str_of(e, "detail") != NULL &&
	    strcmp(str_of(e, "detail"), "bad ? utf-8") == 0,
	    "invalid UTF-8 in free text is replaced, not dropped");
	json_decref(r);
	journal_close(j);
}

static void
test_alerts(void)
{
	struct journal	*j;
	json_t		*a, *r, *e;
	int64_t		 a1, a2, ts = 1000000;

	j = open_ok("alerts.db", 0, 0, 0);
	a1 = journal_alert_raise(j, ts, "fever", "north", NULL, "38.2 C",
	    NULL);
	a2 = journal_alert_raise(j, ts + 5, "door-forced", NULL, NULL, NULL,
	    NULL);
	check(a1 > 0 && a2 > a1, "two alerts raised");
	a = journal_alerts_active(j);
	check(json_array_size(a) == 2, "two alerts active");
	e = json_array_get(a, 0);
	check(int_of(e, "id") == a1 &&
	    strcmp(str_of(e, "kind"), "fever") == 0 &&
	    strcmp(str_of(e, "lane"), "north") == 0 &&
	    strcmp(str_of(e, "detail"), "38.2 C") == 0 &&
	    int_of(e, "raised_ms") == ts && int_of(e, "event") == 1,
	    "active alert fields");
	json_decref(a);

	r = journal_events_json(j, 0, 10);
	e = json_array_get(json_object_get(r, "events"), 0);
	check(strcmp(str_of(e, "kind"), "alert") == 0 &&
	    strcmp(str_of(e, "reason"), "fever") == 0 &&
	    strcmp(str_of(e, "lane"), "north") == 0 &&
	    strcmp(str_of(e, "detail"), "38.2 C") == 0 &&
	    int_of(e, "alert_id") == a1, "the alert event is journaled");
	json_decref(r);

	check(journal_alert_ack(j, a1, ts + 100, "guard:anna", "sent home")
	    == 0, "ack of an active alert");
	check(journal_alert_ack(j, a1, ts + 200, "guard:anna", NULL) == 1,
	    "second ack returns 1");
	check(journal_alert_ack(j, 9999, ts + 200, "guard:anna", NULL) == 1,
	    "ack of an unknown alert returns 1");
	check(journal_last_id(j) == 3, "a refused ack journals nothing");
	journal_close(j);

	j = open_ok("alerts.db", 0, 0, 0);
	a = journal_alerts_active(j);
	check(json_array_size(a) == 1 &&
	    int_of(json_array_get(a, 0), "id") == a2,
	    "the unacknowledged alert is still active after reopen");
	json_decref(a);
	r = journal_events_json(j, 2, 10);
	e = json_array_get(json_object_get(r, "events"), 0);
	check(json_array_size(json_object_get(r, "events")) == 1 &&
	    strcmp(str_of(e, "kind"), "ack") == 0 &&
	    strcmp(str_of(e, "actor"), "guard:anna") == 0 &&
	    strcmp(str_of(e, "detail"), "sent home") == 0 &&
	    strcmp(str_of(e, "reason"), "fever") == 0 &&
	    int_of(e, "alert_id") == a1 && int_of(e, "ts_ms") == ts + 100,
	    "the ack event is journaled");
	json_decref(r);
	check(sql_int(j, "SELECT ack_event FROM alerts WHERE id = 1") == 3 &&
	    sql_int(j, "SELECT acked_ms FROM alerts WHERE id = 1") == ts + 100,
	    "the alert row records its ack");
	journal_close(j);
}

/*
 * A repeat of an active alert (same kind, lane and subject) counts on it
 * instead of making a new alert: 200 presentations of a quarantined card
 * are one alert with count 200.  Another subject, another lane, or a
 * repeat after the ack makes a new one.
 */
static void
test_alert_coalescing(void)
{
	struct journal	*j;
	json_t		*a;
	int64_t		 id, first, other, n, count = 0, ts = 5000000;
	int		 i, same = 1;

	j = open_ok("coalesce.db", 0, 0, 0);
	first = journal_alert_raise(j, ts, "quarantine", "ped", "S1005",
	    "person S1005 card 1005", &count);
	check(first > 0 && count == 1, "first raise: a new alert, count 1");
	for (i = 2; i <= 200; i++) {
		id = journal_alert_raise(j, ts + i, "quarantine", "ped",
		    "S1005", "person S1005 card 1005", &count);
		if (id != first || count != i)
			same = 0;
	}
	check(same, "199 repeats return the same alert, counting up");
	a = journal_alerts_active(j);
	check(json_array_size(a) == 1, "one active alert after 200 raises");
	check(int_of(json_array_get(a, 0), "count") == 200 &&
	    int_of(json_array_get(a, 0), "last_ms") == ts + 200 &&
	    int_of(json_array_get(a, 0), "raised_ms") == ts &&
	    strcmp(str_of(json_array_get(a, 0), "subject"), "S1005") == 0,
	    "its count is 200, last_ms the last repeat, raised_ms the first");
	json_decref(a);
	check(sql_int(j, "SELECT count(*) FROM events WHERE kind = 'alert'")
	    == 1, "one alert event journaled, not 200");

	other = journal_alert_raise(j, ts, "quarantine", "ped", "S2000",
	    NULL, NULL);
	check(other > first, "another person: another alert");
	id = journal_alert_raise(j, ts, "quarantine", "car", "S1005", NULL,
	    NULL);
	check(id > other, "another lane: another alert");
	n = journal_alert_raise(j, ts, "fever", "ped", "S1005", NULL, NULL);
	check(n > id, "another kind: another alert");

	check(journal_alert_seen(j, first, 250, ts + 999) == 0 &&
	    sql_int(j, "SELECT count FROM alerts WHERE id = 1") == 250 &&
	    sql_int(j, "SELECT last_ms FROM alerts WHERE id = 1") ==
	    ts + 999, "journal_alert_seen writes a count kept in memory");

	check(journal_alert_ack(j, first, ts + 1000, "guard:anna", NULL) == 0,
	    "ack of the coalesced alert");
	id = journal_alert_raise(j, ts + 2000, "quarantine", "ped", "S1005",
	    NULL, &count);
	check(id > n && count == 1, "after the ack a repeat is a new alert");
	journal_close(j);

	/* Reopened: the count survived. */
	j = open_ok("coalesce.db", 0, 0, 0);
	check(sql_int(j, "SELECT count FROM alerts WHERE id = 1") == 250,
	    "the count survives a reopen");
	journal_close(j);
}

/* A journal of schema version 1 (before coalescing) is upgraded in place:
 * its active alert keeps its id and counts on from 1. */
static void
test_alert_migration(void)
{
	struct journal	*j;
	sqlite3		*db;
	json_t		*a;
	int64_t		 id, count = 0;

	sqlite3_open(path_of("v1.db"), &db);
	check(sqlite3_exec(db,
	    "CREATE TABLE events ("
	    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " ts_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
	    " lane TEXT, direction TEXT, card TEXT, person TEXT, category TEXT,"
	    " verdict TEXT, reason TEXT, temp_centi INTEGER, actor TEXT,"
	    " detail TEXT, alert_id INTEGER);"
	    "CREATE INDEX events_ts ON events (ts_ms);"
	    "CREATE INDEX events_alert ON events (alert_id)"
	    " WHERE alert_id IS NOT NULL;"
	    "CREATE TABLE alerts ("
	    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " kind TEXT NOT NULL, lane TEXT, detail TEXT,"
	    " raised_ms INTEGER NOT NULL, raise_event INTEGER,"
	    " acked_ms INTEGER, acked_by TEXT, ack_reason TEXT,"
	    " ack_event INTEGER);"
	    "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	    " WITHOUT ROWID;"
	    "INSERT INTO events (ts_ms, kind, lane, reason, alert_id)"
	    " VALUES (700, 'alert', 'ped', 'door-forced', 1);"
	    "INSERT INTO alerts (kind, lane, raised_ms, raise_event)"
	    " VALUES ('door-forced', 'ped', 700, 1);"
	    "PRAGMA application_id = 1734440037; PRAGMA user_version = 1;",
	    NULL, NULL, NULL) == SQLITE_OK, "a version 1 journal made by hand");
	sqlite3_close(db);

	j = open_ok("v1.db", 0, 0, 0);
	check(sql_int(j, "PRAGMA user_version") == 2,
	    "opened: upgraded to version 2");
	a = journal_alerts_active(j);
	check(json_array_size(a) == 1 &&
	    int_of(json_array_get(a, 0), "id") == 1 &&
	    int_of(json_array_get(a, 0), "count") == 1 &&
	    int_of(json_array_get(a, 0), "last_ms") == 700,
	    "its active alert: count 1, last_ms its raise");
	json_decref(a);
	id = journal_alert_raise(j, 800, "door-forced", "ped", NULL, NULL,
	    &count);
	check(id == 1 && count == 2, "a repeat counts on the old alert");
	journal_close(j);
}

static void
test_paging(void)
{
	struct journal	*j;
	json_t		*r, *evs;
	int64_t		 after = 0, expect = 1, last;
	size_t		 i;
	int		 pages = 0, ok = 1;

	j = open_ok("paging.db", 0, 0, 0);
	last = many(j, 1234, 5000);
	check(last == 1234, "1234 events appended");
	for (;;) {
		r = journal_events_json(j, after, 97);
		evs = json_object_get(r, "events");
		if (json_array_size(evs) == 0) {
			ok = ok && int_of(r, "last_id") == after;
			json_decref(r);
			break;
		}
		pages++;
		for (i = 0; i < json_array_size(evs); i++) {
			if (int_of(json_array_get(evs, i), "id") != expect)
				ok = 0;
			expect++;
		}
		ok = ok && int_of(r, "last_id") == expect - 1;
		after = int_of(r, "last_id");
		json_decref(r);
	}
	check(ok && expect == 1235 && pages == 13,
	    "paging by 97: every id once, in order (%d pages)", pages);

	r = journal_events_json(j, 0, 0);
	check(json_array_size(json_object_get(r, "events")) == 100,
	    "limit 0 means 100");
	json_decref(r);
	r = journal_events_json(j, 0, -5);
	check(json_array_size(json_object_get(r, "events")) == 100,
	    "negative limit means 100");
	json_decref(r);
	r = journal_events_json(j, 0, 100000);
	check(json_array_size(json_object_get(r, "events")) == 1000 &&
	    int_of(r, "last_id") == 1000, "limit is capped at 1000");
	json_decref(r);
	r = journal_events_json(j, 1230, 10);
	check(json_array_size(json_object_get(r, "events")) == 4 &&
	    int_of(r, "last_id") == 1234, "the tail page");
	json_decref(r);
	journal_close(j);
}

/* Finds the hourly row of hour/lane/direction; NULL when absent. */
static json_t *
hourly_row(json_t *report, const char *hour, const char *lane,
    const char *dir)
{
	json_t	*h = json_object_get(report, "hourly"), *o;
	size_t	 i;

	json_array_foreach(h, i, o) {
		if (strcmp(str_of(o, "hour"), hour) == 0 &&
		    strcmp(str_of(o, "lane"), lane) == 0 &&
		    strcmp(str_of(o, "direction"), dir) == 0)
			return o;
	}
	return NULL;
}

/* The kind and stamp of event id, from the events page. */
static int64_t
stamp_of(struct journal *j, int64_t id, const char **kind)
{
	static char	 buf[32];
	json_t		*r = journal_events_json(j, id - 1, 1), *e;
	int64_t		 ts = -1;

	e = json_array_get(json_object_get(r, "events"), 0);
	if (e != NULL) {
		ts = int_of(e, "ts_ms");
		snprintf(buf, sizeof buf, "%s", str_of(e, "kind"));
		*kind = buf;
	}
	json_decref(r);
	return ts;
}

/* A wall clock that steps back: stamps never do, and the step is a row. */
static void
test_clock_back(void)
{
	struct journal	*j = open_ok("stepback.db", 0, 0, 0);
	const char	*kind = "";
	int64_t		 last;

	passage(j, 10000000, "north", "in", "granted", "granted");
	passage(j, 10000000 - 3600000, "north", "in", "granted", "granted");
	last = journal_last_id(j);
	check(last == 3 && stamp_of(j, 2, &kind) == 10000000 &&
	    strcmp(kind, "clock") == 0,
	    "an hour back: a clock row at the newest time (%s)", kind);
	check(stamp_of(j, 3, &kind) == 10000000 &&
	    strcmp(kind, "passage") == 0,
	    "the passage keeps the newest time, not an hour earlier");
	passage(j, 10000000 - 3500000, "north", "in", "granted", "granted");
	check(journal_last_id(j) == 4 && stamp_of(j, 4, &kind) == 10000000,
	    "still behind: no second clock row, the newest time");
	passage(j, 10000000 + 5, "north", "in", "granted", "granted");
	check(stamp_of(j, 5, &kind) == 10000005, "caught up: its own time");
	passage(j, 10000000, "north", "in", "granted", "granted");
	check(journal_last_id(j) == 6 && stamp_of(j, 6, &kind) == 10000005,
	    "5 ms out of order: held, no clock row");
	journal_close(j);

	/* After a restart the floor is the newest row's time. */
	j = open_ok("stepback.db", 0, 0, 0);
	passage(j, 5000, "north", "in", "granted", "granted");
	check(journal_last_id(j) == 8 && stamp_of(j, 8, &kind) == 10000005 &&
	    stamp_of(j, 7, &kind) == 10000005 && strcmp(kind, "clock") == 0,
	    "after reopening: the step is seen and journaled");
	journal_close(j);
}

static void
test_report(void)
{
	struct journal		*j;
	struct journal_event	 ev;
	json_t			*r, *o, *d, *al;
	int64_t			 from, to, h8, h9;
	int			 i;

	j = open_ok("report.db", 0, 0, 0);
	from = local_ms(2026, 11, 29, 0, 0, 0, 0);
	to = local_ms(2026, 11, 30, 0, 0, 0, 0);
	h8 = local_ms(2026, 11, 29, 8, 0, 0, 0);
	h9 = local_ms(2026, 11, 29, 9, 0, 0, 0);

	/* Outside the day on both sides: never counted.  The rows go in
	 * in time order: the journal keeps its stamps from going back. */
	passage(j, from - 1, "north", "in", "granted", "granted");
	for (i = 0; i < 3; i++)
		passage(j, h8 + 5 * 60000 + i, "north", "in", "granted",
		    "granted");
	passage(j, h8 + 10 * 60000, "north", "out", "granted", "granted");
	passage(j, h8 + 40 * 60000, "north", "in", "denied", "unknown-card");
	passage(j, h8 + 41 * 60000, "north", "in", "denied", "unknown-card");
	passage(j, h9 - 1, "north", "in", "denied", "fever");
	journal_alert_raise(j, h9 - 1, "fever", "north",
	    "38.4 C", "38.4 C", NULL);
	passage(j, h9, "north", "in", "granted", "granted");
	passage(j, h9 + 15 * 60000, "east", "in", "denied",
	    "vehicle-not-registered");
	passage(j, h9 + 16 * 60000, "east", "in", "denied",
	    "vehicle-not-registered");
	passage(j, h9 + 17 * 60000, "east", "in", "denied", "unknown-card");
	journal_alert_raise(j, h9 + 20 * 60000, "quarantine", "east",
	    "P-7", "P-7", NULL);
	journal_alert_raise(j, h9 + 25 * 60000, "door-forced", "north",
	    NULL, NULL, NULL);
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = h9 + 30 * 60000;
	ev.kind = "override";
	ev.lane = "north";
	ev.direction = "in";
	ev.actor = "guard:ben";
	ev.detail = "delivery";
	journal_append(j, &ev);
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = h9 + 50 * 60000;
	ev.kind = "mode";
	ev.actor = "guard:ben";
	ev.detail = "closed";
	journal_append(j, &ev);
	passage(j, to, "north", "in", "denied", "unknown-card");
	journal_alert_raise(j, to, "fever", "north",
	    "outside", "outside", NULL);

	r = journal_report_json(j, from, to);
	check(r != NULL && int_of(r, "from") == from && int_of(r, "to") == to,
	    "report has its range");
	check(json_array_size(json_object_get(r, "hourly")) == 4,
	    "four hour/lane/direction rows (%zu)",
	    json_array_size(json_object_get(r, "hourly")));
	o = hourly_row(r, "2026-11-29T08:00", "north", "in");
	check(o != NULL && int_of(o, "granted") == 3 &&
	    int_of(o, "denied") == 3, "08:00 north in: 3 granted 3 denied");
	o = hourly_row(r, "2026-11-29T08:00", "north", "out");
	check(o != NULL && int_of(o, "granted") == 1 &&
	    int_of(o, "denied") == 0, "08:00 north out: 1 granted");
	o = hourly_row(r, "2026-11-29T09:00", "north", "in");
	check(o != NULL && int_of(o, "granted") == 2 &&
	    int_of(o, "denied") == 0,
	    "09:00 north in: passage and override granted");
	o = hourly_row(r, "2026-11-29T09:00", "east", "in");
	check(o != NULL && int_of(o, "granted") == 0 &&
	    int_of(o, "denied") == 3, "09:00 east in: 3 denied");

	d = json_object_get(r, "denials");
	check(json_array_size(d) == 3 &&
	    strcmp(str_of(json_array_get(d, 0), "reason"), "unknown-card")
	    == 0 && int_of(json_array_get(d, 0), "count") == 3 &&
	    strcmp(str_of(json_array_get(d, 1), "reason"),
	    "vehicle-not-registered") == 0 &&
	    int_of(json_array_get(d, 1), "count") == 2 &&
	    strcmp(str_of(json_array_get(d, 2), "reason"), "fever") == 0 &&
	    int_of(json_array_get(d, 2), "count") == 1,
	    "denials by reason, most first");

	al = json_object_get(r, "alerts");
	check(json_array_size(al) == 2 &&
	    strcmp(str_of(json_array_get(al, 0), "reason"), "fever") == 0 &&
	    strcmp(str_of(json_array_get(al, 0), "time"),
	    "2026-11-29T08:59:59+0100") == 0 &&
	    strcmp(str_of(json_array_get(al, 1), "reason"), "quarantine")
	    == 0 && strcmp(str_of(json_array_get(al, 1), "detail"), "P-7")
	    == 0, "the fever and quarantine alerts, not the door");

	o = json_object_get(r, "totals");
	check(int_of(o, "passages") == 12 && int_of(o, "granted") == 6 &&
	    int_of(o, "denied") == 6 && int_of(o, "alerts") == 2,
	    "totals: 12 passages, 6 granted, 6 denied, 2 alerts");
	json_decref(r);

	r = journal_report_json(j, to + 1, to + 2);
	o = json_object_get(r, "totals");
	check(r != NULL && json_array_size(json_object_get(r, "hourly")) == 0 &&
	    int_of(o, "passages") == 0 && int_of(o, "alerts") == 0,
	    "an empty range gives an empty report");
	json_decref(r);
	journal_close(j);

	/* Half-hour offset: a local hour straddles two UTC hours. */
	setenv("TZ", "IST-5:30", 1);
	tzset();
	j = open_ok("report-ist.db", 0, 0, 0);
	h8 = local_ms(2026, 11, 29, 8, 0, 0, 0);
	passage(j, h8 + 20 * 60000, "north", "in", "granted", "granted");
	passage(j, h8 + 40 * 60000, "north", "in", "denied", "fever");
	passage(j, h8 + 70 * 60000, "north", "in", "granted", "granted");
	r = journal_report_json(j, h8, h8 + 2 * 3600000);
	o = hourly_row(r, "2026-11-29T08:00", "north", "in");
	d = hourly_row(r, "2026-11-29T09:00", "north", "in");
	check(json_array_size(json_object_get(r, "hourly")) == 2 &&
	    o != NULL && int_of(o, "granted") == 1 &&
	    int_of(o, "denied") == 1 && d != NULL &&
	    int_of(d, "granted") == 1 && int_of(d, "denied") == 0,
	    "hours are local hours at a +0530 offset");
	json_decref(r);
	journal_close(j);
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
}

/*
 * The report a worker thread builds (journal_report_file): the same as on
 * the journal's connection, read while that connection holds the database
 * open, and stopped when cancelled or out of time, with a cause.
 */
static void
test_report_file(void)
{
	struct report_limits	 lim;
	struct journal		*j;
	json_t			*a, *b;
	char			*cause = NULL;
	int64_t			 h8;

	j = open_ok("report-file.db", 0, 0, 0);
	h8 = local_ms(2026, 11, 29, 8, 0, 0, 0);
	passage(j, h8 + 60000, "north", "in", "granted", "granted");
	journal_alert_raise(j, h8 + 120000, "fever", "north", NULL, "38.4 C",
	    NULL);
	/* Enough rows that the progress handler runs many times. */
	check(sqlite3_exec(journal_db(j), "WITH RECURSIVE n(x) AS (SELECT 1"
	    " UNION ALL SELECT x + 1 FROM n WHERE x < 20000) INSERT INTO"
	    " events (ts_ms, kind, lane, direction, verdict, reason) SELECT "
	    "strftime('%s', '2026-11-29 07:30') * 1000 + x * 10, 'passage',"
	    " 'east', 'out', 'denied', 'unknown-card' FROM n", NULL, NULL,
	    NULL) == SQLITE_OK, "report file: 20000 rows inserted");

	memset(&lim, 0, sizeof lim);
	atomic_init(&lim.cancel, false);
	clock_gettime(CLOCK_MONOTONIC, &lim.deadline);
	lim.deadline.tv_sec += 60;
	lim.max_s = 60;
	a = journal_report_json(j, h8 - 3600000, h8 + 3600000);
	b = journal_report_file(journal_report_path(j), h8 - 3600000,
	    h8 + 3600000, &lim, &cause);
	check(a != NULL && b != NULL && json_equal(a, b),
	    "report file: the same report as on the journal's connection");
	check(b != NULL && int_of(json_object_get(b, "totals"), "passages") ==
	    20001 && json_is_false(json_object_get(b, "alerts_more")),
	    "report file: every row counted, no alerts beyond the cap");
	json_decref(a);
	json_decref(b);

	lim.deadline.tv_sec -= 120;
	b = journal_report_file(journal_report_path(j), h8 - 3600000,
	    h8 + 3600000, &lim, &cause);
	check(b == NULL && lim.timed_out && cause != NULL &&
	    strstr(cause, "longer than 60 s") != NULL,
	    "report file: past its deadline it stops and says so (%s)",
	    cause ? cause : "no cause");
	free(cause);
	cause = NULL;

	lim.deadline.tv_sec += 240;
	lim.timed_out = false;
	atomic_store(&lim.cancel, true);
	b = journal_report_file(journal_report_path(j), h8 - 3600000,
	    h8 + 3600000, &lim, &cause);
	check(b == NULL && cause != NULL && strstr(cause, "cancelled") != NULL,
	    "report file: cancelled, it stops (%s)", cause ? cause : "?");
	free(cause);
	cause = NULL;

	b = journal_report_file(path_of("no-such.db"), 0, 1, &lim, &cause);
	check(b == NULL && cause != NULL, "report file: no file, a cause");
	free(cause);

	/* A flood of alerts: the first 1000 listed, all of them counted. */
	check(sqlite3_exec(journal_db(j), "WITH RECURSIVE n(x) AS (SELECT 1"
	    " UNION ALL SELECT x + 1 FROM n WHERE x < 1500) INSERT INTO"
	    " events (ts_ms, kind, lane, reason) SELECT "
	    "strftime('%s', '2026-11-29 07:40') * 1000 + x, 'alert', 'north',"
	    " 'quarantine' FROM n", NULL, NULL, NULL) == SQLITE_OK,
	    "report: 1500 alerts inserted");
	a = journal_report_json(j, h8 - 3600000, h8 + 3600000);
	check(a != NULL && json_array_size(json_object_get(a, "alerts")) ==
	    1000 && json_is_true(json_object_get(a, "alerts_more")) &&
	    int_of(json_object_get(a, "totals"), "alerts") == 1501,
	    "report: 1000 alerts listed, alerts_more, 1501 counted");
	json_decref(a);
	journal_close(j);
}

static void
test_prune_rows(void)
{
	struct journal	*j;
	json_t		*r, *s;
	int64_t		 alert, id;

	j = open_ok("rows.db", 100, 0, 0);
	alert = journal_alert_raise(j, 1, "quarantine", "north",
	    "P-1", "P-1", NULL);
	many(j, 150, 10);
	check(journal_prune(j, 1000, 1) == 51, "prune by rows deletes 51");
	check(sql_int(j, "SELECT count(*) FROM events") == 100,
	    "100 rows are left");
	r = journal_events_json(j, 0, 2);
	check(int_of(json_array_get(json_object_get(r, "events"), 0), "id")
	    == 1 &&
	    int_of(json_array_get(json_object_get(r, "events"), 1), "id")
	    == 53, "the active alert's event survived, the oldest went");
	json_decref(r);
	check(journal_prune(j, 1000, 1) == 0, "nothing more to prune");

	s = journal_stats(j);
	check(int_of(s, "rows") == 100 && int_of(s, "first_id") == 1 &&
	    int_of(s, "last_id") == 151 && int_of(s, "bytes") > 0 &&
	    int_of(s, "free_kb") > 0, "stats: rows, ids, bytes, free_kb");
	check(json_is_true(json_object_get(s, "near_row_limit")) &&
	    json_is_false(json_object_get(s, "low_space")),
	    "stats: near the row limit, space is fine");
	json_decref(s);

	check(journal_alert_ack(j, alert, 2000, "guard", "cleared") == 0,
	    "ack the alert");
	check(journal_prune(j, 3000, 1) == 1, "the raise event goes after ack");
	check(sql_int(j, "SELECT min(id) FROM events") == 53,
	    "oldest left is 53");
	check(sql_int(j, "SELECT count(*) FROM alerts") == 1,
	    "the alert stays while its ack event is kept");

	sql_exec(j, "DELETE FROM events");
	check(journal_prune(j, 3000, 1) == 0 &&
	    sql_int(j, "SELECT count(*) FROM alerts") == 0,
	    "acknowledged alerts without events go");
	id = passage(j, 4000, "north", "in", "granted", "granted");
	check(id == 153, "ids are not reused after deleting all (%lld)",
	    (long long)id);
	journal_close(j);
	j = open_ok("rows.db", 100, 0, 0);
	id = passage(j, 4001, "north", "in", "granted", "granted");
	check(id == 154 && journal_last_id(j) == 154,
	    "nor after reopening");
	journal_close(j);

	/* A large backlog goes in bounded batches. */
	j = open_ok("batch.db", 10, 0, 0);
	many(j, 12000, 0);
	check(journal_prune(j, 0, 1) == 5000, "first batch 5000");
	check(journal_prune(j, 0, 1) == 5000, "second batch 5000");
	check(journal_prune(j, 0, 1) == 1990, "last batch 1990");
	check(journal_prune(j, 0, 1) == 0, "then nothing");
	check(sql_int(j, "SELECT min(id) FROM events") == 11991 &&
	    sql_int(j, "SELECT count(*) FROM events") == 10,
	    "the newest 10 are kept");
	journal_close(j);
}

static void
test_prune_days(void)
{
	struct journal	*j;
	json_t		*s;
	int64_t		 day = 86400000, now = 100 * day, a_old, a_acked;

	j = open_ok("days.db", 0, 2, LONG_MAX / 2);
	a_old = journal_alert_raise(j, now - 5 * day, "fever", "north",
	    "39", "39", NULL);
	a_acked = journal_alert_raise(j, now - 4 * day, "fever", "north",
	    "38", "38", NULL);
	journal_alert_ack(j, a_acked, now - 4 * day + 1, "guard", "ok");
	passage(j, now - 3 * day, "north", "in", "granted", "granted");
	passage(j, now - 3 * day + 1, "north", "in", "granted", "granted");
	passage(j, now - 2 * day - 1, "north", "in", "granted", "granted");
	passage(j, now - 2 * day, "north", "in", "granted", "granted");
	passage(j, now - day, "north", "in", "granted", "granted");
	passage(j, now, "north", "in", "granted", "granted");

	check(journal_prune(j, now, 1) == 5,
	    "prune by days deletes the 5 events older than 2 days");
	check(sql_int(j, "SELECT count(*) FROM events") == 4 &&
	    sql_int(j, "SELECT min(ts_ms) FROM events") == now - 5 * day,
	    "the active alert's old event survives");
	check(sql_int(j, "SELECT count(*) FROM alerts") == 1 &&
	    sql_int(j, "SELECT id FROM alerts") == a_old,
	    "the acknowledged alert's row goes with its events");
	check(journal_prune(j, now, 1) == 0, "a second prune deletes nothing");

	s = journal_stats(j);
	check(json_is_true(json_object_get(s, "low_space")) &&
	    json_is_false(json_object_get(s, "near_row_limit")),
	    "stats: low space when below warn_free_kb, no row limit");
	json_decref(s);
	journal_close(j);
}

/* Appends a passage with a temperature reading; the id. */
static int64_t
reading(struct journal *j, int64_t ts, int centi)
{
	struct journal_event	ev;

	passage_event(&ev, ts, "north", "in", "granted", "granted");
	ev.person = "P-1";
	ev.has_temp = true;
	ev.temp_centi = centi;
	return journal_append(j, &ev);
}

/*
 * temperature-retention: old readings leave their rows, the passages
 * stay, and a wall clock that jumps erases nothing early.
 */
static void
test_prune_temps(void)
{
	struct journal_limits	 lim = { 0, 0, 0, 14 * 86400000L };
	struct journal		*j;
	char			*cause = NULL;
	int64_t			 day = 86400000, now = 20000 * day;

	if ((j = journal_open(path_of("temps.db"), &lim, &cause)) == NULL) {
		check(0, "open temps.db: %s", cause);
		free(cause);
		return;
	}
	reading(j, now - 20 * day, 3650);
	reading(j, now - 15 * day, 3660);
	reading(j, now - 13 * day, 3670);
	reading(j, now - 13 * day + 1, 3680);
	reading(j, now, 3690);
	check(journal_prune(j, now, 1) == 0, "temps: no event is deleted");
	check(sql_int(j, "SELECT count(*) FROM events") == 5 &&
	    sql_int(j, "SELECT count(*) FROM events WHERE person = 'P-1'")
	    == 5, "temps: every passage stays, with its person");
	check(sql_int(j, "SELECT count(*) FROM events WHERE temp_centi IS"
	    " NULL") == 2 && sql_int(j, "SELECT max(id) FROM events WHERE"
	    " temp_centi IS NULL") == 2,
	    "temps: the two readings older than 14 days are gone");
	check(sql_int(j, "SELECT temp_centi FROM events WHERE id = 4") == 3680,
	    "temps: a reading 13 days old is kept");

	/* The wall clock jumps 30 days: the monotonic clock moved 1 ms. */
	check(journal_prune(j, now + 30 * day, 2) == 0 &&
	    sql_int(j, "SELECT count(*) FROM events WHERE temp_centi IS"
	    " NULL") == 2, "temps: a clock jump erases no reading early");
	/* Two days pass for real: the readings at -13 days go. */
	reading(j, now + 2 * day, 3700);
	check(journal_prune(j, now + 2 * day, 2 + 2 * day) == 0 &&
	    sql_int(j, "SELECT count(*) FROM events WHERE temp_centi IS"
	    " NULL") == 4 && sql_int(j, "SELECT temp_centi FROM events"
	    " WHERE id = 5") == 3690,
	    "temps: as time passes, readings leave in id order");
	journal_close(j);

	/* Reopened (the walk's place is kept), time moves on: all go. */
	if ((j = journal_open(path_of("temps.db"), &lim, &cause)) == NULL) {
		check(0, "reopen temps.db: %s", cause);
		free(cause);
		return;
	}
	reading(j, now + 15 * day, 3710);
	journal_prune(j, now + 15 * day, 1);
	check(journal_prune(j, now + 15 * day, 1 + 13 * day) == 0 &&
	    sql_int(j, "SELECT min(id) FROM events WHERE temp_centi IS"
	    " NOT NULL") == 6 && sql_int(j, "SELECT count(*) FROM events")
	    == 7, "temps: after a restart, the walk goes on where it was");
	journal_close(j);

	/* A fever alert's text loses its reading, in the event and alert. */
	if ((j = journal_open(path_of("fever.db"), &lim, &cause)) == NULL) {
		check(0, "open fever.db: %s", cause);
		free(cause);
		return;
	}
	journal_alert_raise(j, now, "fever", "north", "P-1",
	    "person P-1 card 4711 38.2 C", NULL);
	journal_alert_raise(j, now + 1, "device", NULL, "therm",
	    "therm 38.2 C", NULL);
	reading(j, now + 15 * day, 3650);
	journal_prune(j, now + 15 * day, 1);
	check(sql_int(j, "SELECT count(*) FROM events WHERE detail ="
	    " 'person P-1 card 4711'") == 1 && sql_int(j, "SELECT count(*)"
	    " FROM alerts WHERE detail = 'person P-1 card 4711'") == 1,
	    "temps: a fever alert's text keeps its person, not the reading");
	check(sql_int(j, "SELECT count(*) FROM events WHERE detail ="
	    " 'therm 38.2 C'") == 1, "temps: other alerts' text is theirs");
	journal_close(j);
}

/* SQLite's statement trace: counts the statements that count the events. */
static int	counts_run;

static int
trace_count(unsigned what, void *arg, void *p, void *x)
{
	const char	*sql = sqlite3_sql(p);

	(void)what;
	(void)arg;
	(void)x;
	if (sql != NULL && strstr(sql, "count(*) FROM events") != NULL)
		counts_run++;
	return 0;
}

/* journal_stats' row count: right across every change, and no scan. */
static void
test_row_count(void)
{
	struct journal	*j;
	sqlite3		*db;
	json_t		*s;
	int64_t		 alert;
	int		 i, right = 1;

	j = open_ok("count.db", 10, 0, 0);
	sqlite3_trace_v2(journal_db(j), SQLITE_TRACE_STMT, trace_count, NULL);
	s = journal_stats(j);
	check(int_of(s, "rows") == 0, "count: an empty journal has 0 rows");
	json_decref(s);
	for (i = 0; i < 3; i++)
		passage(j, 10 + i, "north", "in", "granted", "granted");
	many(j, 20, 20);
	sql_exec(j, "BEGIN");
	for (i = 0; i < 5; i++)
		passage(j, 50 + i, "north", "in", "granted", "granted");
	sql_exec(j, "ROLLBACK");
	s = journal_stats(j);
	check(int_of(s, "rows") == 23 && sql_int(j, "SELECT count(*) FROM"
	    " events") == 23, "count: 23 after appends, a rolled-back"
	    " transaction not counted (%lld)", (long long)int_of(s, "rows"));
	json_decref(s);
	alert = journal_alert_raise(j, 60, "fever", "north", "39", "39", NULL);
	journal_alert_ack(j, alert, 61, "guard", "ok");
	for (i = 0; i < 10; i++) {
		json_decref(journal_stats(j));
		passage(j, 70 + i, "north", "in", "granted", "granted");
	}
	s = journal_stats(j);
	check(int_of(s, "rows") == 35, "count: alert and ack rows counted");
	json_decref(s);
	counts_run -= 1;	/* the check's own count(*) above */
	check(counts_run == 0, "count: journal_stats and appends did not scan"
	    " the events (%d counts)", counts_run);

	check(journal_prune(j, 100, 1) == 25, "count: prune to the row limit");
	s = journal_stats(j);
	check(int_of(s, "rows") == 10, "count: 10 after prune (%lld)",
	    (long long)int_of(s, "rows"));
	json_decref(s);

	/* Another connection (an operator's sqlite3) deletes three. */
	if (sqlite3_open(path_of("count.db"), &db) != SQLITE_OK ||
	    sqlite3_exec(db, "DELETE FROM events WHERE id IN (SELECT id FROM"
	    " events ORDER BY id LIMIT 3)", NULL, NULL, NULL) != SQLITE_OK)
		check(0, "count: external delete: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	s = journal_stats(j);
	check(int_of(s, "rows") == 7, "count: an external change is seen"
	    " (%lld)", (long long)int_of(s, "rows"));
	json_decref(s);
	for (i = 0; i < 30 && right; i++) {
		passage(j, 200 + i, "north", "in", "granted", "granted");
		if (i % 7 == 0)
			journal_prune(j, 300, 1);
		s = journal_stats(j);
		right = int_of(s, "rows") == sql_int(j,
		    "SELECT count(*) FROM events");
		json_decref(s);
	}
	check(right, "count: equals count(*) across appends and prunes");
	journal_close(j);
	j = open_ok("count.db", 10, 0, 0);
	s = journal_stats(j);
	check(int_of(s, "rows") == 11, "count: 11 after reopening (%lld)",
	    (long long)int_of(s, "rows"));
	json_decref(s);
	journal_close(j);
}

/*
 * Retention under a clock that jumps: the audit's +800 days deleted the
 * whole journal in a minute, and a clock set back six years stamped rows
 * that the next prune deleted when the clock returned.  Real time is the
 * mono argument; only it may age the journal.
 */
static void
test_prune_clock(void)
{
	struct journal	*j;
	int64_t		 day = 86400000, base = 1790000000000LL, mono = 1000;
	int64_t		 jump = base + 800 * day, back = base - 6 * 365 * day;
	long		 n, total;
	int		 i;

	j = open_ok("clock.db", 0, 30, 0);
	sql_exec(j, "BEGIN");
	for (i = 0; i < 120; i++)	/* 60 days, two events a day */
		passage(j, base - 60 * day + 3600000 + i * day / 2, "north",
		    "in", "granted", "granted");
	passage(j, base - 3600000, "north", "in", "granted", "granted");
	sql_exec(j, "COMMIT");
	n = journal_prune(j, base, mono);
	check(n == 60 && sql_int(j, "SELECT count(*) FROM events") == 61,
	    "clock: the 60 events older than 30 days go (%ld)", n);

	/* The clock jumps 800 days ahead and stays there for five ticks. */
	for (i = 0; i < 10; i++)
		passage(j, jump + i * 1000, "north", "in", "granted",
		    "granted");
	for (i = 0, total = 0; i < 5; i++) {
		mono += 60000;
		total += journal_prune(j, jump + 60000 * (i + 1), mono);
	}
	check(total == 0 && sql_int(j, "SELECT count(*) FROM events") == 71,
	    "clock: +800 days deletes nothing (%ld deleted)", total);

	/* Three real days pass: six more events are justly old. */
	mono += 3 * day;
	n = journal_prune(j, jump + 3 * day, mono);
	check(n == 6 && sql_int(j, "SELECT count(*) FROM events WHERE"
	    " ts_ms >= " "1790000000000 + 799 * 86400000") == 10,
	    "clock: real time still ages the journal, the jumped rows stay"
	    " (%ld)", n);

	/* Set back six years: its rows outlive the clock's return. */
	for (i = 0; i < 5; i++)
		passage(j, back + i, "north", "in", "denied", "expired");
	mono += 60000;
	total = journal_prune(j, back + 60000, mono);
	mono += 60000;
	total += journal_prune(j, base + 3 * day, mono);
	check(total == 0 && sql_int(j, "SELECT count(*) FROM events WHERE"
	    " reason = 'expired'") == 5,
	    "clock: rows stamped six years back are kept (%ld deleted)",
	    total);
	journal_close(j);

	/* A restart does not forget how far retention has got. */
	j = open_ok("clock.db", 0, 30, 0);
	n = journal_prune(j, jump + 4 * day, 5);
	check(n == 0, "clock: after reopening, still nothing (%ld)", n);
	journal_close(j);
}

/* The file removed under an open journal: noticed, and a new one opened. */
static void
test_vanished(void)
{
	struct journal	*j;
	json_t		*a;
	char		*cause = NULL, *v;
	int64_t		 id;

	j = open_ok("vanish.db", 0, 0, 0);
	passage(j, 1, "north", "in", "granted", "granted");
	journal_alert_raise(j, 2, "fever", "north", "39.1", "39.1", NULL);
	journal_state_set(j, "mode", "closed");
	check(journal_check(j) == 0 && journal_incident(j) == NULL,
	    "vanish: the file is the one at the path");
	unlink(path_of("vanish.db"));
	unlink(path_of("vanish.db-wal"));
	unlink(path_of("vanish.db-shm"));
	check(journal_check(j) == -1, "vanish: its removal is seen");
	check(passage(j, 3, "north", "in", "granted", "granted") == -1,
	    "vanish: an append into the removed file is not acknowledged");
	check(journal_reopen(j, &cause) == 0 && journal_incident(j) != NULL &&
	    strstr(journal_incident(j), "vanished") != NULL,
	    "vanish: reopened with an incident (%s)", cause);
	free(cause);
	id = passage(j, 4, "north", "in", "granted", "granted");
	check(id == 4, "vanish: ids continue after the old file's (%lld)",
	    (long long)id);
	a = journal_alerts_active(j);
	check(json_array_size(a) == 1 && strcmp(str_of(json_array_get(a, 0),
	    "kind"), "fever") == 0, "vanish: the active alert is carried over");
	json_decref(a);
	v = journal_state_get(j, "mode");
	check(v != NULL && strcmp(v, "closed") == 0,
	    "vanish: the state (mode) is carried over");
	free(v);
	journal_close(j);
	j = open_ok("vanish.db", 0, 0, 0);
	check(sql_int(j, "SELECT count(*) FROM events WHERE id = 4") == 1 &&
	    journal_incident(j) == NULL, "vanish: the new file keeps the row");
	journal_close(j);
}

/* A file with damaged pages is moved aside and a new journal started. */
static void
test_damaged(void)
{
	struct journal	*j;
	char		 buf[4096], cmd[PATH_MAX + 64];
	FILE		*f;
	int		 i;

	j = open_ok("damaged.db", 0, 0, 0);
	many(j, 2000, 1);
	journal_close(j);
	f = fopen(path_of("damaged.db"), "r+b");
	for (i = 0; i < (int)sizeof buf; i++)
		buf[i] = (char)(i * 7919 + 13);
	for (i = 1; i < 8; i++) {
		fseek(f, (long)i * 4096, SEEK_SET);
		fwrite(buf, 1, sizeof buf, f);
	}
	fclose(f);
	j = open_ok("damaged.db", 0, 0, 0);
	check(journal_incident(j) != NULL && strstr(journal_incident(j),
	    "integrity check") != NULL && strchr(journal_incident(j), '\n') ==
	    NULL, "damaged: opened anew, and says why in one line (%s)",
	    journal_incident(j));
	check(passage(j, 5, "north", "in", "granted", "granted") > 0,
	    "damaged: the new journal takes events");
	journal_close(j);
	snprintf(cmd, sizeof cmd, "ls %s | grep -q '^damaged.db.corrupt-'",
	    tmpdir);
	check(system(cmd) == 0, "damaged: the old file is kept aside");
}

static void
test_state(void)
{
	struct journal	*j;
	char		*v;

	j = open_ok("state.db", 0, 0, 0);
	check(journal_state_get(j, "mode") == NULL, "unset key is NULL");
	check(journal_state_set(j, "mode", "open") == 0 &&
	    journal_state_set(j, "level", "2") == 0 &&
	    journal_state_set(j, "mode", "residents-only") == 0,
	    "set keys");
	journal_close(j);
	j = open_ok("state.db", 0, 0, 0);
	v = journal_state_get(j, "mode");
	check(v != NULL && strcmp(v, "residents-only") == 0,
	    "overwritten value kept across reopen");
	free(v);
	v = journal_state_get(j, "level");
	check(v != NULL && strcmp(v, "2") == 0, "second key kept");
	free(v);
	check(journal_state_set(j, "level", NULL) == 0 &&
	    journal_state_get(j, "level") == NULL, "NULL value removes a key");
	journal_close(j);
}

/*
 * A second connection of the same process (the people reload thread's)
 * must not drop the first one's locks: a sqlite3 tool closing the journal
 * would then delete the WAL under it, and the next write fails.
 */
static void
test_second_connection(void)
{
	struct journal	*j, *j2;
	char		 cmd[PATH_MAX + 64];

	if (system("sqlite3 -version >/dev/null 2>&1") != 0) {
		printf("SKIP: second connection: no sqlite3 tool\n");
		return;
	}
	j = open_ok("two.db", 0, 0, 0);
	check(passage(j, 1, "north", "in", "granted", "granted") > 0,
	    "first connection writes");
	j2 = open_ok("two.db", 0, 0, 0);
	check(passage(j2, 2, "north", "in", "granted", "granted") > 0,
	    "second connection writes");
	journal_close(j2);
	snprintf(cmd, sizeof cmd, "sqlite3 %s 'SELECT count(*) FROM events' "
	    ">/dev/null", path_of("two.db"));
	check(system(cmd) == 0, "another process reads the journal");
	check(access(path_of("two.db-wal"), F_OK) == 0,
	    "the WAL is still there");
	check(passage(j, 3, "north", "in", "granted", "granted") > 0,
	    "first connection still writes");
	journal_close(j);
}

/* An event and the state it sets are one commit: both, or neither. */
static void
test_append_state(void)
{
	static const struct journal_state kv[] = {
		{ "level", "3" }, { "mode", "closed" }
	};
	struct journal_event	 ev;
	struct journal		*j;
	int64_t			 id, n;
	char			*v;

	j = open_ok("append-state.db", 0, 0, 0);
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = 1;
	ev.kind = "level";
	ev.reason = "level 3";
	id = journal_append_state(j, &ev, kv, 2);
	v = journal_state_get(j, "mode");
	check(id > 0 && ev.id == id && v != NULL && strcmp(v, "closed") == 0,
	    "event and state written");
	free(v);

	/* The second key cannot be written: the event and the first go. */
	sql_exec(j, "CREATE TRIGGER no_mode BEFORE UPDATE ON state "
	    "WHEN new.key = 'mode' BEGIN SELECT RAISE(ABORT, 'no'); END");
	n = sql_int(j, "SELECT count(*) FROM events");
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = 2;
	ev.kind = "level";
	ev.reason = "level 4";
	check(journal_append_state(j, &ev, (const struct journal_state[]){
	    { "level", "4" }, { "mode", "open" } }, 2) == -1,
	    "a state write that fails fails the append");
	check(sql_int(j, "SELECT count(*) FROM events") == n,
	    "no event journaled without its state");
	v = journal_state_get(j, "level");
	check(v != NULL && strcmp(v, "3") == 0, "the first key rolled back");
	free(v);
	sql_exec(j, "DROP TRIGGER no_mode");
	check(journal_append_state(j, &ev, kv, 2) > 0,
	    "the journal writes again after the failure");
	journal_close(j);
}

/*
 * A writer killed with SIGKILL at an arbitrary point: every id it reported
 * (after journal_append returned) must be in the journal when reopened.
 */
static void
test_sigkill(void)
{
	struct journal	*j;
	int64_t		 ids[300], id;
	size_t		 got = 0;
	ssize_t		 n;
	pid_t		 pid;
	int		 fd[2], status, missing = 0;

	/* qemu-user 7.2 hangs a parent whose fork child is killed (see
	 * tests/integration/arm64.sh's probe); the native run covers this. */
	if (getenv("GATED_NO_FORK_KILL") != NULL) {
		printf("SKIP: sigkill: the emulator cannot kill fork children\n");
		return;
	}
	char		 sql[128];

	j = open_ok("kill.db", 0, 0, 0);
	journal_close(j);
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		check(0, "pipe/fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(fd[0]);
		j = open_ok("kill.db", 0, 0, 0);
		for (;;) {
			id = passage(j, 7, "north", "in", "granted", "granted");
			if (id == -1 || write(fd[1], &id, sizeof id) !=
			    (ssize_t)sizeof id)
				_exit(1);
		}
	}
	close(fd[1]);
	while (got < sizeof ids) {
		n = read(fd[0], (char *)ids + got, sizeof ids - got);
		if (n <= 0)
			break;
		got += n;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fd[0]);
	check(got == sizeof ids && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGKILL, "child appended 300 and was killed");

	j = open_ok("kill.db", 0, 0, 0);
	for (size_t i = 0; i < got / sizeof ids[0]; i++) {
		snprintf(sql, sizeof sql,
		    "SELECT count(*) FROM events WHERE id = %lld",
		    (long long)ids[i]);
		if (sql_int(j, sql) != 1)
			missing++;
	}
	check(missing == 0, "every acknowledged append survived SIGKILL "
	    "(%d missing)", missing);
	check(journal_last_id(j) >= ids[299],
	    "last id is at least the last reported");
	check(sql_ok(j, "PRAGMA integrity_check"),
	    "the database is intact after the kill");
	journal_close(j);
}

int
main(void)
{
	char	cmd[PATH_MAX + 16];

	log_init(0, "test-journal");
	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	umask(022);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	test_open_failures();
	test_append_reopen();
	test_alerts();
	test_alert_coalescing();
	test_alert_migration();
	test_paging();
	test_report();
	test_clock_back();
	test_report_file();
	test_prune_rows();
	test_prune_days();
	test_prune_temps();
	test_prune_clock();
	test_row_count();
	test_vanished();
	test_damaged();
	test_state();
	test_append_state();
	test_second_connection();
	test_sigkill();

	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
	return check_done();
}
