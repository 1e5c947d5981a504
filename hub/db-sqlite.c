/*
 * db-sqlite.c: the SQLite backend of db.h, the hub's default: embedded,
 * nothing to install.  WAL with synchronous=FULL, so a commit is on disk
 * before the hub acknowledges what it holds; a busy timeout so a reader
 * (sqlite3 on the file, a backup) makes the hub wait, not fail.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "db-int.h"

#define DB_SQLITE_BUSY_MS	5000

static void *
db_sqlite_open(struct db *db, const char *path)
{
	sqlite3	*s = NULL;
	char	*msg = NULL;

	if (*path == '\0') {
		db_fail(db, "sqlite: no file name after \"sqlite:\"");
		return NULL;
	}
	if (sqlite3_open_v2(path, &s, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		db_fail(db, "sqlite %s: %s", path, s == NULL ?
		    "out of memory" : sqlite3_errmsg(s));
		sqlite3_close(s);
		return NULL;
	}
	sqlite3_busy_timeout(s, DB_SQLITE_BUSY_MS);
	if (sqlite3_exec(s, "PRAGMA journal_mode=WAL; "
	    "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
	    "PRAGMA cache_size=-65536", NULL, NULL,
	    &msg) != SQLITE_OK) {
		db_fail(db, "sqlite %s: %s", path, msg);
		sqlite3_free(msg);
		sqlite3_close(s);
		return NULL;
	}
	return s;
}

static void
db_sqlite_close(struct db *db)
{
	sqlite3_close(db->conn);
}

static void *
db_sqlite_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		db_fail(db, "sqlite: %s: %s", sqlite3_errmsg(db->conn), sql);
		return NULL;
	}
	return st;
}

static void
db_sqlite_finalize(struct db *db, void *stmt)
{
	(void)db;
	sqlite3_finalize(stmt);
}

static int
db_sqlite_bind(struct db *db, sqlite3_stmt *st, int n,
    const char *const *params)
{
	int	i, rc;

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (n != sqlite3_bind_parameter_count(st))
		return db_fail(db, "sqlite: %d parameters for %d: %s", n,
		    sqlite3_bind_parameter_count(st), sqlite3_sql(st));
	for (i = 0; i < n; i++) {
		rc = params[i] == NULL ? sqlite3_bind_null(st, i + 1) :
		    sqlite3_bind_text(st, i + 1, params[i], -1,
		    SQLITE_TRANSIENT);
		if (rc != SQLITE_OK)
			return db_fail(db, "sqlite: bind: %s",
			    sqlite3_errmsg(db->conn));
	}
	return 0;
}

static int
db_sqlite_exec(struct db *db, void *stmt, int n, const char *const *params)
{
	sqlite3_stmt	*st = stmt;
	int		 rc;

	if (db_sqlite_bind(db, st, n, params) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		db_fail(db, "sqlite: %s: %s", sqlite3_errmsg(db->conn),
		    sqlite3_sql(st));
		sqlite3_reset(st);
		return -1;
	}
	db->changes = sqlite3_changes(db->conn);
	sqlite3_reset(st);
	return 0;
}

static int
db_sqlite_query(struct db *db, void *stmt, int n, const char *const *params,
    db_row_cb cb, void *arg)
{
	sqlite3_stmt	*st = stmt;
	const char	*vals[64];
	int		 i, ncol, rc;

	if (db_sqlite_bind(db, st, n, params) == -1)
		return -1;
	ncol = sqlite3_column_count(st);
	if (ncol > (int)(sizeof vals / sizeof vals[0])) {
		sqlite3_reset(st);
		return db_fail(db, "sqlite: %d columns: too many", ncol);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < ncol; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if (cb(arg, ncol, vals) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, "sqlite: %s: %s", sqlite3_errmsg(db->conn),
		    sqlite3_sql(st));
		sqlite3_reset(st);
		return -1;
	}
	sqlite3_reset(st);
	return 0;
}

const struct db_backend db_sqlite_backend = {
	.scheme = "sqlite",
	.open = db_sqlite_open,
	.close = db_sqlite_close,
	.prepare = db_sqlite_prepare,
	.finalize = db_sqlite_finalize,
	.exec = db_sqlite_exec,
	.query = db_sqlite_query,
	.begin_sql = "BEGIN IMMEDIATE",
};
