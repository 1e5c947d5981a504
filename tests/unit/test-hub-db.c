/*
 * test-hub-db: the hub's database interface (hub/db.h) on a real
 * database: the schema applied, an insert, a duplicate dropped by
 * ON CONFLICT with db_changes 0, the query callback (NULLs, stopping
 * early), a rollback, the statement cache, a reopen keeping the rows.
 * HUB_DB_URL picks the database ("postgresql:..." runs it on
 * PostgreSQL, tests/integration/postgres.inc); by default a temp SQLite
 * file.  The tables must be empty at the start.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "unit.h"

static const char sql_ins[] =
    "INSERT INTO events (gate, id, ts_ms, kind, person, temp_c, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (gate, id) DO NOTHING";
static const char sql_sel[] =
    "SELECT gate, id, person, temp_c FROM events WHERE gate = ? ORDER BY id";
static const char sql_count[] = "SELECT COUNT(*) FROM events";
static const char sql_bad[] = "SELECT nosuchcolumn FROM events";

struct rows {
	int	n;
	int	stop_at;
	char	first_gate[32];
	long	ids[16];
	int	null_person;
	double	temp;
};

static int
rows_cb(void *arg, int ncol, const char *const *vals)
{
	struct rows	*r = arg;

	if (ncol != 4)
		return 1;
	if (r->n == 0)
		snprintf(r->first_gate, sizeof r->first_gate, "%s", vals[0]);
	if (r->n < 16)
		r->ids[r->n] = strtol(vals[1], NULL, 10);
	if (vals[2] == NULL)
		r->null_person++;
	if (vals[3] != NULL)
		r->temp = strtod(vals[3], NULL);
	r->n++;
	return r->stop_at != 0 && r->n >= r->stop_at;
}

static int
count_cb(void *arg, int ncol, const char *const *vals)
{
	long long	*n = arg;

	*n = ncol == 1 && vals[0] != NULL ? strtoll(vals[0], NULL, 10) : -1;
	return 0;
}

static long long
count(struct db *db)
{
	long long	n = -1;

	if (db_query(db, sql_count, 0, NULL, count_cb, &n) == -1)
		return -1;
	return n;
}

static int
ins(struct db *db, const char *gate, const char *id, const char *person,
    const char *temp)
{
	const char	*p[7] = { gate, id, "1716190245123", "passage", person,
			    temp, "{}" };

	return db_exec(db, sql_ins, 7, p);
}

int
main(void)
{
	char		 err[512], tmpl[] = "/tmp/test-hub-db.XXXXXX", url[600];
	const char	*env = getenv("HUB_DB_URL");
	const char	*gp[1] = { "south" };
	struct db	*db;
	struct rows	 r;
	int		 fd = -1;

	if (env == NULL || *env == '\0') {
		if ((fd = mkstemp(tmpl)) == -1)
			return 1;
		snprintf(url, sizeof url, "sqlite:%s", tmpl);
	} else
		snprintf(url, sizeof url, "%s", env);

	check(db_open("nosuch:x", err, sizeof err) == NULL &&
	    strstr(err, "nosuch") != NULL, "an unknown scheme is refused: %s",
	    err);
	db = db_open(url, err, sizeof err);
	check(db != NULL, "db_open %s: %s", url, db == NULL ? err : "ok");
	if (db == NULL)
		return check_done();
	printf("backend %s\n", db_backend(db));
	check(count(db) == 0, "events empty at the start");

	check(ins(db, "south", "1", "S0001", "36.6") == 0 &&
	    db_changes(db) == 1, "an insert changes 1 row");
	check(ins(db, "south", "2", NULL, NULL) == 0 && db_changes(db) == 1,
	    "NULL parameters insert");
	check(ins(db, "south", "1", "S0002", NULL) == 0 && db_changes(db) == 0,
	    "a duplicate (gate, id) is dropped: db_changes 0");
	check(ins(db, "north", "1", "N1", NULL) == 0 && db_changes(db) == 1,
	    "the same id at another gate is a row of its own");
	check(count(db) == 3, "3 rows");

	memset(&r, 0, sizeof r);
	check(db_query(db, sql_sel, 1, gp, rows_cb, &r) == 0 && r.n == 2 &&
	    r.ids[0] == 1 && r.ids[1] == 2 && r.null_person == 1 &&
	    strcmp(r.first_gate, "south") == 0 && r.temp > 36.5 &&
	    r.temp < 36.7, "the query callback sees 2 rows, a NULL, a REAL");
	memset(&r, 0, sizeof r);
	r.stop_at = 1;
	check(db_query(db, sql_sel, 1, gp, rows_cb, &r) == 0 && r.n == 1,
	    "a callback stops the query");
	memset(&r, 0, sizeof r);
	check(db_query(db, sql_sel, 1, gp, rows_cb, &r) == 0 && r.n == 2,
	    "the cached statement runs again from the start");

	check(db_begin(db) == 0 && ins(db, "south", "3", NULL, NULL) == 0 &&
	    count(db) == 4 && db_rollback(db) == 0 && count(db) == 3,
	    "a rollback drops what its transaction inserted");
	check(db_begin(db) == 0 && ins(db, "south", "3", NULL, NULL) == 0 &&
	    ins(db, "south", "4", NULL, NULL) == 0 && db_commit(db) == 0 &&
	    count(db) == 5, "a commit keeps 2 rows");

	check(db_exec(db, sql_bad, 0, NULL) == -1 && *db_error(db) != '\0',
	    "a bad statement fails with a message: %s", db_error(db));
	check(ins(db, "west", "1", NULL, NULL) == 0,
	    "the connection works after an error");
	{
		const char	*one[1] = { "x" };

		check(db_exec(db, sql_ins, 1, one) == -1,
		    "a wrong parameter count fails: %s", db_error(db));
	}
	db_close(db);

	db = db_open(url, err, sizeof err);
	check(db != NULL && count(db) == 6,
	    "reopened: the schema applies again, 6 rows kept");
	db_close(db);
	db_close(NULL);
	if (fd != -1) {
		close(fd);
		unlink(tmpl);
		snprintf(url, sizeof url, "%s-wal", tmpl);
		unlink(url);
		snprintf(url, sizeof url, "%s-shm", tmpl);
		unlink(url);
	}
	return check_done();
}
