/*
 * test-hub-trace: contact tracing and the campus report (hub/contacts.c,
 * hub/campus-report.c, hub/api-report.c) on a synthetic campus of two
 * gates whose answers were counted by hand: the contacts who are there
 * (at the window's very edge too), ranked, and the ones who must not be
 * (a millisecond outside the window, the same gate on another lane, the
 * same lane another day, another gate at the same time, events that are
 * not passages, a passage of the person before the range); the report's
 * totals, per gate, per hour and per day, denials, hits and who is
 * inside; who may ask what, and the journal rows.  HUB_DB_URL picks the
 * database as for test-hub-db (PostgreSQL under postgres.inc); the rows
 * are the test's own (gates trace-*, year 2030, zone trace-campus), so a
 * shared database may hold others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "campus-print.h"
#include "db.h"
#include "office.h"
#include "unit.h"

#define MIN	(60 * 1000LL)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

/* 2030-01-15T08:00:00Z; the test runs in UTC. */
#define T0	1894694400000LL

static const struct row {
	const char	*gate, *lane;
	long long	 at;		/* ms from T0 */
	const char	*kind, *direction, *person, *verdict, *reason;
	const char	*temp;
} campus[] = {
	/* The case's passages: two at north, one at south. */
	{ "trace-north", "n1", 0, "passage", "in", "T-CASE", "granted", NULL,
	    NULL },
	{ "trace-north", "n2", 9 * HOUR, "passage", "out", "T-CASE",
	    "granted", NULL, NULL },
	{ "trace-south", "s1", DAY, "passage", "in", "T-CASE", "granted", NULL,
	    NULL },
	/* Contacts: A twice, B at the window's edge, C twice in one
	 * window (one time), D at the evening passage. */
	{ "trace-north", "n1", 5 * MIN, "passage", "in", "T-A", "granted",
	    NULL, NULL },
	{ "trace-south", "s1", DAY - 9 * MIN, "passage", "in", "T-A",
	    "granted", NULL, NULL },
	{ "trace-north", "n1", -10 * MIN, "passage", "in", "T-B", "granted",
	    NULL, NULL },
	{ "trace-north", "n1", 2 * MIN, "passage", "in", "T-C", "granted",
	    NULL, NULL },
	{ "trace-north", "n1", 3 * MIN, "passage", "in", "T-C", "denied",
	    "apb", NULL },
	{ "trace-north", "n2", 9 * HOUR + 30000, "passage", "out", "T-D",
	    "granted", NULL, NULL },
	/* Not contacts: 1 ms outside, another lane, another day, another
	 * gate. */
	{ "trace-north", "n1", 10 * MIN + 1, "passage", "in", "T-E",
	    "granted", NULL, NULL },
	{ "trace-north", "n2", 1 * MIN, "passage", "out", "T-F", "granted",
	    NULL, NULL },
	{ "trace-north", "n1", DAY, "passage", "in", "T-G", "granted", NULL,
	    NULL },
	{ "trace-south", "s1", 0, "passage", "in", "T-H", "granted", NULL,
	    NULL },
	/* Not passages of a person. */
	{ "trace-north", "n1", 1 * MIN, "alert", NULL, NULL, NULL,
	    "door-held-open", NULL },
	{ "trace-north", "n1", 4 * MIN, "passage", "in", NULL, "denied",
	    "unknown-card", NULL },
	/* A fever: the passage refused, and the gate's alert. */
	{ "trace-south", "s1", DAY + HOUR, "passage", "in", "T-FEV",
	    "denied", "fever", "38.4" },
	{ "trace-south", "s1", DAY + HOUR, "alert", NULL, NULL, NULL,
	    "fever", NULL },
	{ "trace-north", "n1", DAY + 2 * HOUR, "override", "in", NULL, NULL,
	    NULL, NULL },
	/* Before the 14 days: the case and J together, not a contact. */
	{ "trace-north", "n1", -17 * DAY, "passage", "in", "T-CASE",
	    "granted", NULL, NULL },
	{ "trace-north", "n1", -17 * DAY + MIN, "passage", "in", "T-J",
	    "granted", NULL, NULL },
};
#define NROWS	(sizeof campus / sizeof campus[0])

static const char sql_clean[] =
    "DELETE FROM events WHERE gate LIKE 'trace-%'";
static const char sql_clean_journal[] =
    "DELETE FROM hub_journal WHERE actor LIKE 'token:trace-%'";
static const char sql_insert[] =
    "INSERT INTO events (gate, id, ts_ms, kind, lane, direction, person,"
    " zone, verdict, reason, temp_c, body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_journal[] =
    "SELECT kind, actor, reason, detail FROM hub_journal"
    " WHERE actor LIKE 'token:trace-%' ORDER BY id";

static int
load(struct db *db)
{
	const char	*p[12];
	char		 id[24], ts[24], body[256];
	size_t		 i;
	int		 rc = 0;

	if (db_exec(db, sql_clean, 0, NULL) == -1 ||
	    db_exec(db, sql_clean_journal, 0, NULL) == -1 ||
	    db_begin(db) == -1)
		return -1;
	for (i = 0; i < NROWS && rc == 0; i++) {
		const struct row	*r = &campus[i];

		snprintf(id, sizeof id, "%zu", i + 1);
		snprintf(ts, sizeof ts, "%lld", T0 + r->at);
		snprintf(body, sizeof body, "{\"id\":%zu,\"ts_ms\":%s,"
		    "\"kind\":\"%s\",\"lane\":\"%s\",\"reason\":\"%s\","
		    "\"detail\":\"person X 38.4 C\"}", i + 1, ts, r->kind,
		    r->lane, r->reason ? r->reason : "");
		p[0] = r->gate;
		p[1] = id;
		p[2] = ts;
		p[3] = r->kind;
		p[4] = r->lane;
		p[5] = r->direction;
		p[6] = r->person;
		p[7] = "trace-campus";
		p[8] = r->verdict;
		p[9] = r->reason;
		p[10] = r->temp;
		p[11] = body;
		rc = db_exec(db, sql_insert, 12, p);
	}
	if (rc == -1) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

static const json_t *
contact(const json_t *trace, size_t i)
{
	return json_array_get(json_object_get(trace, "contacts"), i);
}

static const char *
str(const json_t *o, const char *key)
{
	const char	*s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "(none)";
}

static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void
test_contacts(struct db *db)
{
	struct contacts_query	 q = { "T-CASE", T0 + 3 * DAY - 14 * DAY,
	    T0 + 3 * DAY, 10 * MIN };
	json_t			*t;
	const json_t		*c, *m;
	char			*cause = NULL;
	struct timespec		 a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t = contacts_find(db, &q, &cause);
	clock_gettime(CLOCK_MONOTONIC, &b);
	check(t != NULL, "contacts_find: %s", t ? "ok" : cause);
	if (t == NULL)
		return;
	check(json_array_size(json_object_get(t, "passages")) == 3,
	    "the case's 3 passages in the 14 days (got %zu)",
	    json_array_size(json_object_get(t, "passages")));
	check(json_array_size(json_object_get(t, "contacts")) == 4,
	    "4 contacts: A B C D, none of E F G H J (got %zu)",
	    json_array_size(json_object_get(t, "contacts")));
	c = contact(t, 0);
	check(strcmp(str(c, "person"), "T-A") == 0 && num(c, "times") == 2 &&
	    num(c, "closest_ms") == 5 * MIN,
	    "first T-A: 2 times, closest 300 s (got %s %lld %lld)",
	    str(c, "person"), num(c, "times"), num(c, "closest_ms"));
	m = json_array_get(json_object_get(c, "meetings"), 1);
	check(strcmp(str(m, "gate"), "trace-south") == 0 &&
	    strcmp(str(m, "lane"), "s1") == 0 &&
	    num(m, "dt_ms") == -9 * MIN && num(m, "ts_ms") == T0 + DAY -
	    9 * MIN, "T-A's second meeting: south s1, 9 min before");
	c = contact(t, 1);
	check(strcmp(str(c, "person"), "T-D") == 0 && num(c, "times") == 1 &&
	    num(c, "closest_ms") == 30000,
	    "then T-D, 1 time, 30 s (got %s %lld %lld)", str(c, "person"),
	    num(c, "times"), num(c, "closest_ms"));
	c = contact(t, 2);
	check(strcmp(str(c, "person"), "T-C") == 0 && num(c, "times") == 1 &&
	    num(c, "closest_ms") == 2 * MIN &&
	    json_array_size(json_object_get(c, "meetings")) == 1,
	    "then T-C: two passages in one window are 1 time, the closest "
	    "(got %s %lld %lld)", str(c, "person"), num(c, "times"),
	    num(c, "closest_ms"));
	c = contact(t, 3);
	check(strcmp(str(c, "person"), "T-B") == 0 &&
	    num(c, "closest_ms") == 10 * MIN,
	    "then T-B, at the window's edge (10 min exactly) (got %s)",
	    str(c, "person"));
	printf("contacts_find on the synthetic campus: %.1f ms\n",
	    (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
	json_decref(t);

	q.window_ms = 10 * MIN + 1;
	t = contacts_find(db, &q, &cause);
	check(t != NULL && json_array_size(json_object_get(t, "contacts")) ==
	    5, "a window 1 ms wider takes in T-E too");
	json_decref(t);
	q.person = "T-NOBODY";
	t = contacts_find(db, &q, &cause);
	check(t != NULL && json_array_size(json_object_get(t, "contacts")) ==
	    0 && json_array_size(json_object_get(t, "passages")) == 0,
	    "someone who never passed: no passages, no contacts");
	json_decref(t);
}

/* The row of an array whose members match the given strings. */
static const json_t *
find(const json_t *a, const char *k1, const char *v1, const char *k2,
    const char *v2, const char *k3, const char *v3)
{
	const json_t	*o;
	size_t		 i;

	json_array_foreach(a, i, o) {
		if (strcmp(str(o, k1), v1) == 0 &&
		    (k2 == NULL || strcmp(str(o, k2), v2) == 0) &&
		    (k3 == NULL || strcmp(str(o, k3), v3) == 0))
			return o;
	}
	return NULL;
}

static void
test_report_counts(const json_t *r)
{
	const json_t	*tot = json_object_get(r, "totals"), *o;

	check(num(tot, "passages") == 16 && num(tot, "granted") == 13 &&
	    num(tot, "denied") == 3 && num(tot, "alerts") == 1 &&
	    num(tot, "hits") == 1, "totals 16 passages, 13 granted, 3 "
	    "denied, 1 alert, 1 hit (got %lld %lld %lld %lld %lld)",
	    num(tot, "passages"), num(tot, "granted"), num(tot, "denied"),
	    num(tot, "alerts"), num(tot, "hits"));
	o = find(json_object_get(r, "gates"), "gate", "trace-north", NULL,
	    NULL, NULL, NULL);
	check(o != NULL && num(o, "passages") == 12 &&
	    num(o, "granted") == 10 && num(o, "denied") == 2,
	    "north: 12 passages (the override too), 10 granted, 2 denied");
	o = find(json_object_get(r, "gates"), "gate", "trace-south", NULL,
	    NULL, NULL, NULL);
	check(o != NULL && num(o, "passages") == 4 && num(o, "granted") == 3 &&
	    num(o, "denied") == 1 && num(o, "alerts") == 1 &&
	    num(o, "hits") == 1, "south: 4 passages, 3 granted, 1 denied, "
	    "1 alert, 1 hit");
	check(json_array_size(json_object_get(r, "hourly")) == 10,
	    "10 rows per gate, hour, lane and direction (got %zu)",
	    json_array_size(json_object_get(r, "hourly")));
	o = find(json_object_get(r, "hourly"), "hour", "2030-01-15T08:00",
	    "gate", "trace-north", "lane", "n1");
	check(o != NULL && num(o, "granted") == 4 && num(o, "denied") == 2 &&
	    strcmp(str(o, "direction"), "in") == 0,
	    "north n1 08:00 in: 4 granted, 2 denied");
	o = find(json_object_get(r, "daily"), "day", "2030-01-15", "gate",
	    "trace-north", NULL, NULL);
	check(o != NULL && num(o, "granted") == 8 && num(o, "denied") == 2,
	    "north on the 15th: 8 granted, 2 denied");
	o = find(json_object_get(r, "daily"), "day", "2030-01-16", "gate",
	    "trace-south", NULL, NULL);
	check(o != NULL && num(o, "granted") == 2 && num(o, "denied") == 1,
	    "south on the 16th: 2 granted, 1 denied");
	o = json_object_get(r, "denials");
	check(json_array_size(o) == 3 &&
	    strcmp(str(json_array_get(o, 0), "reason"), "apb") == 0 &&
	    strcmp(str(json_array_get(o, 2), "reason"), "unknown-card") == 0,
	    "denials: apb, fever, unknown-card, 1 each");
	o = find(json_object_get(r, "inside"), "zone", "trace-campus", NULL,
	    NULL, NULL, NULL);
	check(o != NULL && num(o, "count") == 8, "8 inside trace-campus: "
	    "CASE A B C E G H J (J since 17 days), not D F (out), not FEV "
	    "(refused) (got %lld)",
	    o != NULL ? num(o, "count") : -1);
}

static void
test_report(struct db *db)
{
	json_t		*r;
	const json_t	*hit, *in;
	char		*cause = NULL;

	r = campus_report(db, T0 - HOUR, T0 + 2 * DAY, 30 * DAY, 1, &cause);
	check(r != NULL, "campus_report: %s", r ? "ok" : cause);
	if (r == NULL)
		return;
	test_report_counts(r);
	hit = json_array_get(json_object_get(r, "hits"), 0);
	check(strcmp(str(hit, "person"), "T-FEV") == 0 &&
	    json_real_value(json_object_get(hit, "temp")) > 38.39 &&
	    json_real_value(json_object_get(hit, "temp")) < 38.41 &&
	    strcmp(str(hit, "gate"), "trace-south") == 0 &&
	    num(hit, "ts_ms") == T0 + DAY + HOUR,
	    "the fever hit: T-FEV, 38.4, south, its time");
	check(json_array_size(json_object_get(r, "alerts")) == 1 &&
	    strcmp(str(json_array_get(json_object_get(r, "alerts"), 0),
	    "gate"), "trace-south") == 0, "the gate's fever alert, with its "
	    "gate");
	in = find(json_object_get(r, "inside"), "zone", "trace-campus", NULL,
	    NULL, NULL, NULL);
	check(in != NULL && find(json_object_get(in, "people"), "person",
	    "T-A", "gate", "trace-south", NULL, NULL) != NULL,
	    "T-A inside, last in at south");
	json_decref(r);

	r = campus_report(db, T0 - HOUR, T0 + 2 * DAY, 30 * DAY, 0, &cause);
	hit = json_array_get(json_object_get(r, "hits"), 0);
	in = find(json_object_get(r, "inside"), "zone", "trace-campus", NULL,
	    NULL, NULL, NULL);
	check(r != NULL && hit != NULL &&
	    json_object_get(hit, "person") == NULL &&
	    json_object_get(hit, "temp") == NULL &&
	    json_object_get(json_array_get(json_object_get(r, "alerts"), 0),
	    "detail") == NULL && json_object_get(in, "people") == NULL &&
	    num(in, "count") == 8, "without persons: no person, temp, "
	    "detail or names of those inside, the counts the same");
	json_decref(r);

	r = campus_report(db, T0 - HOUR, T0 + 2 * DAY, DAY, 0, &cause);
	in = find(json_object_get(r, "inside"), "zone", "trace-campus", NULL,
	    NULL, NULL, NULL);
	check(r != NULL && num(in, "count") == 2 &&
	    num(r, "inside_since") == T0 + DAY, "inside by the last 24 h's "
	    "passages: CASE and G (A came in 9 min before them) (got %lld)",
	    num(in, "count"));
	json_decref(r);
}

struct journal_rows {
	int	n;
	char	last[4][256];
};

static int
journal_row(void *arg, int ncol, const char *const *vals)
{
	struct journal_rows	*j = arg;
	int			 i;

	j->n++;
	for (i = 0; i < 4 && i < ncol; i++)
		snprintf(j->last[i], sizeof j->last[i], "%s",
		    vals[i] ? vals[i] : "NULL");
	return 0;
}

static void
test_http(struct db *db)
{
	struct office_answer	 a;
	struct journal_rows	 j;
	int64_t			 now = T0 + 3 * DAY;

	office_contacts_http(db, OFFICE_GUARD, "token:trace-guard",
	    "person=T-CASE&reason=case%2042", now, &a);
	check(a.status == 403, "contacts as a guard: 403 (got %d)", a.status);
	free(a.body);
	office_contacts_http(db, OFFICE_HEALTH, "token:trace-office",
	    "person=T-CASE", now, &a);
	check(a.status == 400 && strstr(a.body, "reason") != NULL,
	    "contacts without a reason: 400 (got %d)", a.status);
	free(a.body);
	office_contacts_http(db, OFFICE_HEALTH, "token:trace-office",
	    "person=T-CASE&reason=%20", now, &a);
	check(a.status == 400, "contacts with a blank reason: 400");
	free(a.body);
	memset(&j, 0, sizeof j);
	db_query(db, sql_journal, 0, NULL, journal_row, &j);
	check(j.n == 0, "refused queries journal nothing (got %d)", j.n);

	office_contacts_http(db, OFFICE_HEALTH, "token:trace-office",
	    "person=T-CASE&days=14&window=10m&reason=case%2042%20confirmed",
	    now, &a);
	check(a.status == 200 && strstr(a.body, "\"T-A\"") != NULL &&
	    strstr(a.body, "\"T-E\"") == NULL, "contacts as health: 200, "
	    "T-A and not T-E");
	free(a.body);
	memset(&j, 0, sizeof j);
	db_query(db, sql_journal, 0, NULL, journal_row, &j);
	check(j.n == 1 && strcmp(j.last[0], "contacts") == 0 &&
	    strcmp(j.last[1], "token:trace-office") == 0 &&
	    strcmp(j.last[2], "case 42 confirmed") == 0 &&
	    strstr(j.last[3], "\"person\":\"T-CASE\"") != NULL &&
	    strstr(j.last[3], "\"window_ms\":600000") != NULL,
	    "journaled: contacts, who asked, why, for whom (%s|%s|%s|%s)",
	    j.last[0], j.last[1], j.last[2], j.last[3]);

	office_contacts_http(db, OFFICE_ADMIN, "token:trace-admin",
	    "person=T-CASE&reason=x&format=csv&window=1m", now, &a);
	check(a.status == 200 && strcmp(a.type, "text/csv; charset=utf-8") ==
	    0 && strstr(a.body, "person,times,closest_s\r\nT-D,1,+30\r\n") !=
	    NULL, "contacts as CSV, window 1m: only T-D");
	free(a.body);

	office_report_http(db, OFFICE_VIEWER, "token:trace-viewer",
	    "from=2030-01-15T07:00&to=2030-01-17&format=text", now, &a);
	check(a.status == 200 && strstr(a.body, "totals: 16 passages, 13 "
	    "granted, 3 denied, 1 alerts, 1 fever") != NULL &&
	    strstr(a.body, "T-FEV") == NULL && strstr(a.body, "38.4") ==
	    NULL, "report as a viewer, text: the totals, no person, no "
	    "temperature");
	free(a.body);
	memset(&j, 0, sizeof j);
	db_query(db, sql_journal, 0, NULL, journal_row, &j);
	check(j.n == 2, "a viewer's report is no export: not journaled");
	office_report_http(db, OFFICE_HEALTH, "token:trace-office",
	    "from=2030-01-15T07:00&to=2030-01-17&format=csv&reason=weekly",
	    now, &a);
	check(a.status == 200 && strstr(a.body, "T-FEV") != NULL &&
	    strstr(a.body, "gate,passages,granted,denied,alerts,hits\r\n")
	    != NULL, "report as health, CSV: with T-FEV");
	free(a.body);
	memset(&j, 0, sizeof j);
	db_query(db, sql_journal, 0, NULL, journal_row, &j);
	check(j.n == 3 && strcmp(j.last[0], "export") == 0 &&
	    strcmp(j.last[2], "weekly") == 0, "health's report journaled as "
	    "an export");
	office_report_http(db, OFFICE_VIEWER, "x", "from=2030-01-16&"
	    "to=2030-01-16&format=text", now, &a);
	check(a.status == 200 && strstr(a.body, "totals: 5 passages, 4 "
	    "granted, 1 denied") != NULL, "to=2030-01-16: the whole day, as "
	    "on a gate (5 passages on the 16th)");
	free(a.body);
	office_report_http(db, OFFICE_HEALTH, "x", "from=2030-13-01", now, &a);
	check(a.status == 400, "a bad from: 400");
	free(a.body);
	office_report_http(db, OFFICE_HEALTH, "x", "from=2030-01-02&"
	    "to=2030-01-01", now, &a);
	check(a.status == 400, "from after to: 400");
	free(a.body);
}

int
main(void)
{
	const char	*env = getenv("HUB_DB_URL");
	char		 tmpl[] = "/tmp/test-hub-trace.XXXXXX", url[1024];
	char		 err[256];
	struct db	*db;
	int		 fd = -1;

	setenv("TZ", "UTC", 1);
	tzset();
	if (env != NULL && *env != '\0')
		snprintf(url, sizeof url, "%s", env);
	else {
		if ((fd = mkstemp(tmpl)) == -1)
			return 1;
		close(fd);
		snprintf(url, sizeof url, "sqlite:%s", tmpl);
	}
	db = db_open(url, err, sizeof err);
	check(db != NULL, "db_open %s: %s", url, db == NULL ? err : "ok");
	if (db == NULL)
		return check_done();
	if (load(db) == 0)
		check(1, "the synthetic campus: %zu rows", NROWS);
	else
		check(0, "the synthetic campus: %s", db_error(db));
	test_contacts(db);
	test_report(db);
	test_http(db);
	db_close(db);
	if (fd != -1) {
		char	side[96];

		unlink(tmpl);
		snprintf(side, sizeof side, "%s-wal", tmpl);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", tmpl);
		unlink(side);
	}
	return check_done();
}
