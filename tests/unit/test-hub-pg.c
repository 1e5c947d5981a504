/*
 * test-hub-pg: what the PostgreSQL backend (hub/db-pg.c) does beyond
 * test-hub-db's common ground: `?` rewritten to $n but not inside quotes
 * or comments; each statement prepared once per connection
 * (pg_prepared_statements); a COMMIT that PostgreSQL turned into a
 * ROLLBACK fails; a connection killed by the server (pg_terminate_backend
 * from a second connection, as a restart or a network cut would) is
 * reset: a statement outside a transaction runs again, a transaction is
 * reported lost until the ROLLBACK, and the statements are prepared anew;
 * with HUB_PG_STOP and HUB_PG_START (shell commands), a server that stops
 * fails the statements until it is back, and the next one reconnects.
 * Needs HUB_DB_URL=postgresql:... (tests/integration/hub-db.sh starts a
 * private cluster); says SKIP without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "unit.h"

static const char sql_ins[] =
    "INSERT INTO events (gate, id, ts_ms, kind, body) "
    "VALUES (?, ?, 0, 'passage', '{}') ON CONFLICT (gate, id) DO NOTHING";
static const char sql_quoted[] =
    "SELECT '?' || ? || \"kind\" /* ? */ FROM events -- ?\n"
    "WHERE gate = ? AND id = 1";
static const char sql_pid[] = "SELECT pg_backend_pid()";
static const char sql_kill[] = "SELECT pg_terminate_backend(?)";
static const char sql_count[] = "SELECT COUNT(*) FROM events WHERE gate = ?";
static const char sql_notnull[] =
    "INSERT INTO events (gate, id, ts_ms, kind, body) "
    "VALUES (?, ?, 0, NULL, '{}')";

/* The first column of the first row, as text, into a char[64]. */
static int
first_cb(void *arg, int ncol, const char *const *vals)
{
	char	*out = arg;

	snprintf(out, 64, "%s", ncol > 0 && vals[0] != NULL ? vals[0] : "");
	return 1;
}

static long long
one(struct db *db, const char *sql, const char *param)
{
	char		 out[64] = "";
	const char	*p[1] = { param };

	if (db_query(db, sql, param != NULL, p, first_cb, out) == -1)
		return -1;
	return strtoll(out, NULL, 10);
}

static int
ins(struct db *db, const char *gate, const char *id)
{
	const char	*p[2] = { gate, id };

	return db_exec(db, sql_ins, 2, p);
}

/* Has db's backend killed from another connection, `other`. */
static int
kill_backend(struct db *db, struct db *other)
{
	char	pid[32];

	snprintf(pid, sizeof pid, "%lld", one(db, sql_pid, NULL));
	return one(other, sql_kill, pid) == -1 ? -1 : 0;
}

int
main(void)
{
	const char	*url = getenv("HUB_DB_URL");
	const char	*p[2];
	char		 err[512], out[64];
	struct db	*db, *other;
	int		 i, rc;

	if (url == NULL || strncmp(url, "postgresql:", 11) != 0) {
		printf("SKIP: test-hub-pg: needs HUB_DB_URL=postgresql:... "
		    "(tests/integration/hub-db.sh)\n");
		return 0;
	}
	db = db_open(url, err, sizeof err);
	other = db_open(url, err, sizeof err);
	check(db != NULL && other != NULL, "two connections: %s",
	    db == NULL || other == NULL ? err : "ok");
	if (db == NULL || other == NULL)
		return check_done();
	check(strcmp(db_backend(db), "postgresql") == 0, "backend %s",
	    db_backend(db));

	check(ins(db, "pg", "1") == 0, "an insert");
	p[0] = "x";
	p[1] = "pg";
	out[0] = '\0';
	rc = db_query(db, sql_quoted, 2, p, first_cb, out);
	check(rc == 0 && strcmp(out, "?xpassage") == 0,
	    "? in quotes and comments is left alone, 2 parameters: %s",
	    rc == 0 ? out : db_error(db));

	for (i = 2; i < 50; i++) {
		snprintf(out, sizeof out, "%d", i);
		if (ins(db, "pg", out) == -1)
			break;
	}
	check(i == 50 && one(db, sql_count, "pg") == 49,
	    "49 inserts through one statement");
	check(one(db, "SELECT COUNT(*) FROM pg_prepared_statements", NULL) >= 4,
	    "the session holds its prepared statements");
	{
		static const char sql_named[] =
		    "SELECT COUNT(*) FROM pg_prepared_statements "
		    "WHERE statement LIKE 'INSERT INTO events (gate, id, ts_ms, kind, body) VALUES ($1, $2%'";

		check(one(db, sql_named, NULL) == 1,
		    "the insert is prepared once, with $1 and $2");
	}

	p[0] = "pg";
	p[1] = "100";
	check(db_begin(db) == 0 && ins(db, "pg", "99") == 0 &&
	    db_exec(db, sql_notnull, 2, p) == -1 && db_commit(db) == -1 &&
	    strstr(db_error(db), "rolled back") != NULL,
	    "a COMMIT after a failed statement fails: %s", db_error(db));
	check(db_rollback(db) == 0 && one(db, sql_count, "pg") == 49,
	    "nothing of that transaction is kept");

	check(kill_backend(db, other) == 0, "the backend killed");
	check(ins(db, "pg", "50") == 0 && db_changes(db) == 1 &&
	    *db_error(db) == '\0',
	    "outside a transaction, the statement runs after a reset: %s",
	    db_error(db));
	check(one(db, sql_count, "pg") == 50, "50 rows");

	check(db_begin(db) == 0 && ins(db, "pg", "51") == 0,
	    "a transaction begun");
	check(kill_backend(db, other) == 0, "the backend killed in it");
	rc = ins(db, "pg", "52");
	check(rc == -1 && strstr(db_error(db), "lost") != NULL,
	    "the transaction is reported lost: %s", db_error(db));
	check(ins(db, "pg", "53") == -1 && db_commit(db) == -1,
	    "and every statement fails until the rollback");
	check(db_rollback(db) == 0, "the rollback succeeds");
	check(one(db, sql_count, "pg") == 50,
	    "nothing of the lost transaction is kept");
	check(db_begin(db) == 0 && ins(db, "pg", "51") == 0 &&
	    db_commit(db) == 0 && one(db, sql_count, "pg") == 51,
	    "the next transaction commits on the new connection");

	/* A server down for a while, then back (hub-db.sh's commands). */
	if (getenv("HUB_PG_STOP") != NULL && getenv("HUB_PG_START") != NULL) {
		check(system(getenv("HUB_PG_STOP")) == 0, "the server stopped");
		check(ins(db, "pg", "60") == -1,
		    "with the server down a statement fails: %s",
		    db_error(db));
		check(ins(db, "pg", "60") == -1,
		    "and the next one, trying again: %s", db_error(db));
		check(system(getenv("HUB_PG_START")) == 0,
		    "the server started again");
		check(ins(db, "pg", "60") == 0 && db_changes(db) == 1 &&
		    one(db, sql_count, "pg") == 52,
		    "the next statement reconnects: %s", db_error(db));
	}

	db_close(other);
	db_close(db);
	return check_done();
}
