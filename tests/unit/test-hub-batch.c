/*
 * test-hub-batch: db_exec_batch (hub/db.h), the ingest's many rows in
 * one call, on both backends (one round trip on PostgreSQL, a loop on
 * SQLite): each row's db_changes with a duplicate among them, their sum,
 * a failed row stopping the rest and its transaction rolled back whole,
 * a wrong parameter count, a big batch, and the statement still usable
 * one row at a time.  HUB_DB_URL picks the database as for test-hub-db
 * (tests/integration/hub-db.sh runs it on PostgreSQL); by default a temp
 * SQLite file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "hub-unit.h"
#include "unit.h"

static const char sql_ins[] =
    "INSERT INTO events (gate, id, ts_ms, kind, body) "
    "VALUES (?, ?, 0, ?, '{}') ON CONFLICT (gate, id) DO NOTHING";
static const char sql_count[] = "SELECT COUNT(*) FROM events WHERE gate = ?";

#define BIG	2000

static int
count_cb(void *arg, int ncol, const char *const *vals)
{
	long long	*n = arg;

	*n = ncol == 1 && vals[0] != NULL ? strtoll(vals[0], NULL, 10) : -1;
	return 0;
}

static long long
count(struct db *db, const char *gate)
{
	long long	 n = -1;
	const char	*p[1] = { gate };

	if (db_query(db, sql_count, 1, p, count_cb, &n) == -1)
		return -1;
	return n;
}

int
main(void)
{
	static char	 ids[BIG][16];
	static const char *big[BIG * 3];
	const char	*rows[] = {
		"a", "1", "passage",
		"a", "2", "passage",
		"a", "1", "passage",	/* a duplicate of the first */
		"b", "1", "passage",
		"a", "3", NULL,		/* kind NULL: refused */
		"a", "4", "passage",
	};
	struct hub_unit_db u;
	char		 err[512];
	long long	 changed[6], sum;
	struct db	*db;
	int		 i, rc;

	if (hub_unit_db_url(&u, "test-hub-batch") == -1)
		return 1;
	db = db_open(u.url, err, sizeof err);
	check(db != NULL, "db_open %s: %s", u.url, db == NULL ? err : "ok");
	if (db == NULL)
		return check_done();
	printf("backend %s\n", db_backend(db));

	memset(changed, 0xff, sizeof changed);
	rc = db_begin(db) == 0 ? db_exec_batch(db, sql_ins, 3, 4, rows,
	    changed) : -1;
	sum = db_changes(db);
	check(rc == 0 && db_commit(db) == 0, "a batch of 4 rows: %s",
	    rc == 0 ? "ok" : db_error(db));
	check(changed[0] == 1 && changed[1] == 1 && changed[2] == 0 &&
	    changed[3] == 1 && sum == 3,
	    "each row's changes (1 1 0 1, the duplicate 0), 3 in all: "
	    "%lld %lld %lld %lld, %lld", changed[0], changed[1], changed[2],
	    changed[3], sum);
	check(count(db, "a") == 2 && count(db, "b") == 1, "the rows are in");

	rc = db_begin(db) == 0 ? db_exec_batch(db, sql_ins, 3, 3, rows + 9,
	    NULL) : 0;
	check(rc == -1 && *db_error(db) != '\0',
	    "a batch with a refused row fails: %s", db_error(db));
	check(db_rollback(db) == 0 && count(db, "a") == 2 &&
	    count(db, "b") == 1, "rolled back: nothing of it kept");

	check(db_exec_batch(db, sql_ins, 2, 1, rows, NULL) == -1,
	    "a wrong parameter count fails: %s", db_error(db));

	for (i = 0; i < BIG; i++) {
		snprintf(ids[i], sizeof ids[i], "%d", i + 1);
		big[i * 3] = "big";
		big[i * 3 + 1] = ids[i];
		big[i * 3 + 2] = "passage";
	}
	rc = db_begin(db) == 0 ? db_exec_batch(db, sql_ins, 3, BIG, big,
	    NULL) : -1;
	sum = db_changes(db);
	check(rc == 0 && sum == BIG && db_commit(db) == 0 &&
	    count(db, "big") == BIG, "a batch of %d rows in one transaction",
	    BIG);
	check(db_exec_batch(db, sql_ins, 3, BIG, big, NULL) == 0 &&
	    db_changes(db) == 0, "the same again: all duplicates, 0 changes");
	check(db_exec_batch(db, sql_ins, 3, 0, big, NULL) == 0 &&
	    db_changes(db) == 0, "an empty batch does nothing");
	check(db_exec(db, sql_ins, 3, rows + 15) == 0 && db_changes(db) == 1 &&
	    count(db, "a") == 3, "the statement runs alone after batches");

	db_close(db);
	hub_unit_db_remove(&u);
	return check_done();
}
