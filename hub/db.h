/*
 * db.h: the hub's database, one interface over SQLite (db-sqlite.c) and
 * PostgreSQL (db-pg.c), so the hub and its tests speak one SQL to both.
 *
 * SQL uses `?` placeholders; parameters and results are text (NULL for
 * SQL NULL).  A statement is prepared once and cached by its `sql`
 * pointer, so every sql passed in must be a string that lives as long as
 * the db (a static string): that is what makes batched ingest fast.
 * Only portable SQL: INSERT ... ON CONFLICT (...) DO NOTHING, BIGINT,
 * TEXT, REAL.  The schema (schema.c) is applied by db_open.
 */
#ifndef GATED_HUB_DB_H
#define GATED_HUB_DB_H

#include <stddef.h>

struct db;

/*
 * Opens "sqlite:/path/campus.db" (WAL, synchronous=FULL) or
 * "postgresql:CONNINFO" and applies the schema.  NULL on failure, with
 * the reason in err.  db_close(NULL) is a no-op.
 */
struct db	*db_open(const char *url, char *err, size_t errlen);
void		 db_close(struct db *);
/* "sqlite" | "postgresql" */
const char	*db_backend(const struct db *);
/* The last error's message ("" when none); valid until the next call. */
const char	*db_error(const struct db *);
/* Runs one statement with n text parameters: 0 | -1 (db_error says). */
int		 db_exec(struct db *, const char *sql, int n,
		    const char *const *params);
/*
 * Runs one statement for each of nrows rows of n parameters (params holds
 * nrows * n, row by row): on PostgreSQL in one round trip (libpq's
 * pipeline mode), on SQLite in a loop.  changed (NULL, or nrows long)
 * gets each row's db_changes, db_changes their sum.  0 | -1: no row after
 * a failed one runs.  Meant inside a transaction (ingest's batches):
 * PostgreSQL runs a batch outside one as one transaction of its own.
 */
int		 db_exec_batch(struct db *, const char *sql, int n, int nrows,
		    const char *const *params, long long *changed);
/* Rows changed by the last db_exec (0 for a conflict DO NOTHING). */
long long	 db_changes(const struct db *);
/* One result row; vals[i] NULL for SQL NULL.  Non-zero stops the query. */
typedef int	(*db_row_cb)(void *arg, int ncol, const char *const *vals);
/* Runs a query, calling cb for each row: 0 | -1 (a stop by cb is 0). */
int		 db_query(struct db *, const char *sql, int n,
		    const char *const *params, db_row_cb cb, void *arg);
/* Transactions: 0 | -1.  The hub batches ingest between these. */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
int		 db_rollback(struct db *);

#endif
