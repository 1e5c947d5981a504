/*
 * test-presence.c: where the gate last saw each person, as anti-passback
 * and the occupancy read it, and its rebuild from a journal's events.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "agent.h"
#include "presence.h"
#include "unit.h"

static void
collect(const struct presence_entry *e, void *arg)
{
	char	*buf = arg;

	strcat(buf, e->person);
	strcat(buf, " ");
}

static void
test_table(void)
{
	struct presence_set	*ps = presence_new();
	size_t			 counts[CAT__COUNT + 1], n;
	char			 id[32], order[128] = "";
	int			 i, bad = 0;

	check(presence_state(ps, "p1", 1000, 0) == PRESENCE_UNKNOWN,
	    "never seen: unknown");
	presence_passed(ps, "p1", CAT_STAFF, true, 1000);
	presence_passed(ps, "p2", CAT_STUDENT, true, 500);
	presence_passed(ps, "p3", CAT_VISITOR, false, 700);
	check(presence_state(ps, "p1", 2000, 0) == PRESENCE_INSIDE,
	    "in: inside");
	check(presence_state(ps, "p3", 2000, 0) == PRESENCE_OUTSIDE,
	    "out: outside");
	check(presence_state(ps, "p1", 1000 + 59999, 60000) ==
	    PRESENCE_INSIDE, "inside until the reset time");
	check(presence_state(ps, "p1", 1000 + 60000, 60000) ==
	    PRESENCE_UNKNOWN, "unknown once the reset time has passed");
	n = presence_inside(ps, counts, CAT__COUNT + 1);
	check(n == 2 && counts[CAT_STAFF] == 1 && counts[CAT_STUDENT] == 1 &&
	    counts[CAT_VISITOR] == 0, "two inside: a staff, a student");
	presence_each_inside(ps, collect, order);
	check(strcmp(order, "p2 p1 ") == 0, "muster order oldest first: %s",
	    order);
	check(presence_forget(ps, "p1") && !presence_forget(ps, "p1") &&
	    !presence_forget(ps, "nobody"), "forget: once, known only");
	check(presence_state(ps, "p1", 2000, 0) == PRESENCE_UNKNOWN &&
	    presence_find(ps, "p1") == NULL, "forgotten: unknown");
	check(presence_inside(ps, counts, CAT__COUNT + 1) == 1,
	    "forgotten: not inside");
	presence_passed(ps, "p1", CAT_STAFF, false, 3000);
	check(presence_state(ps, "p1", 3000, 0) == PRESENCE_OUTSIDE,
	    "seen again after forgiveness");
	presence_passed(ps, "p9", 99, true, 10);
	presence_inside(ps, counts, CAT__COUNT + 1);
	check(counts[CAT__COUNT] == 1, "an unknown category counts apart");

	/* Growth: the hash table keeps every person findable. */
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "person-%d", i);
		presence_passed(ps, id, CAT_STUDENT, i % 2 == 0, 100 + i);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "person-%d", i);
		if (presence_state(ps, id, 10000, 0) != (i % 2 == 0 ?
		    PRESENCE_INSIDE : PRESENCE_OUTSIDE))
			bad++;
	}
	check(bad == 0 && presence_count(ps) == 5004,
	    "5000 more people all found (%d wrong)", bad);
	presence_free(ps);
}

static void
test_load(void)
{
	static const char sql[] =
	    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " ts_ms INTEGER NOT NULL, kind TEXT NOT NULL, lane TEXT,"
	    " direction TEXT, card TEXT, person TEXT, category TEXT,"
	    " verdict TEXT, reason TEXT, temp_centi INTEGER, actor TEXT,"
	    " detail TEXT, alert_id INTEGER);"
	    "INSERT INTO events (ts_ms, kind, direction, person, category,"
	    " verdict) VALUES"
	    " (100, 'passage', 'in', 'a', 'staff', 'granted'),"
	    " (200, 'passage', 'out', 'a', 'staff', 'granted'),"
	    " (300, 'passage', 'in', 'a', 'staff', 'denied'),"
	    " (110, 'passage', 'in', 'b', 'student', 'granted'),"
	    " (120, 'passage', 'in', 'c', 'visitor', 'granted'),"
	    " (130, 'apb-reset', NULL, 'c', NULL, NULL),"
	    " (140, 'override', 'in', 'd', 'contractor', 'granted'),"
	    " (150, 'mode', NULL, NULL, NULL, NULL);";
	struct presence_set	*ps = presence_new();
	sqlite3			*db;
	const char		*cause = NULL;
	size_t			 counts[CAT__COUNT + 1];

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		check(0, "journal in memory: %s", sqlite3_errmsg(db));
		return;
	}
	check(presence_load(ps, db, &cause) == 0, "load: %s",
	    cause ? cause : "ok");
	check(presence_state(ps, "a", 1000, 0) == PRESENCE_OUTSIDE,
	    "a: the last granted passage counts, not the denied one");
	check(presence_state(ps, "b", 1000, 0) == PRESENCE_INSIDE, "b inside");
	check(presence_state(ps, "c", 1000, 0) == PRESENCE_UNKNOWN,
	    "c: forgiven by a reset");
	check(presence_state(ps, "d", 1000, 0) == PRESENCE_INSIDE,
	    "d: a guard's open counts as a passage");
	check(presence_inside(ps, counts, CAT__COUNT + 1) == 2 &&
	    counts[CAT_STUDENT] == 1 && counts[CAT_CONTRACTOR] == 1,
	    "inside after load: a student, a contractor");
	sqlite3_exec(db, "DROP TABLE events", NULL, NULL, NULL);
	presence_free(ps);
	ps = presence_new();
	cause = NULL;
	check(presence_load(ps, db, &cause) == -1 && cause != NULL &&
	    presence_count(ps) == 0, "no events table: an error (%s)",
	    cause ? cause : "none");
	presence_free(ps);
	sqlite3_close(db);
}

int
main(void)
{
	test_table();
	test_load();
	return check_done();
}
