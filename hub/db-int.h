/*
 * db-int.h: what db.c shares with its backends (db-sqlite.c, db-pg.c).
 * A backend is a table of operations; db.c picks one by the URL's
 * scheme, keeps the error text and the statement cache, and applies the
 * schema.  A backend never sees the URL's scheme, only what follows it.
 */
#ifndef GATED_HUB_DB_INT_H
#define GATED_HUB_DB_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "db.h"

struct db_stmt_slot {
	const char	*sql;		/* the key: the caller's pointer */
	void		*stmt;		/* the backend's prepared statement */
};

struct db {
	const struct db_backend	*be;
	void			*conn;		/* the backend's connection */
	long long		 changes;
	char			 err[512];
	struct db_stmt_slot	*cache;		/* open addressing, by pointer */
	size_t			 ncache, cachesize;
};

/*
 * A backend.  open returns its connection or NULL with db->err set;
 * prepare returns a statement for sql (cached by db.c, freed by
 * finalize at close) or NULL with db->err set; exec and query run a
 * prepared statement with text parameters and set db->changes (exec) or
 * call cb per row (query), 0 | -1 with db->err set.
 */
struct db_backend {
	const char	*scheme;	/* "sqlite", "postgresql" */
	void		*(*open)(struct db *, const char *rest);
	void		 (*close)(struct db *);
	void		*(*prepare)(struct db *, const char *sql);
	void		 (*finalize)(struct db *, void *stmt);
	int		 (*exec)(struct db *, void *stmt, int n,
			    const char *const *params);
	/* nrows rows at once, or NULL: db.c then loops over exec. */
	int		 (*exec_batch)(struct db *, void *stmt, int n,
			    int nrows, const char *const *params,
			    long long *changed);
	int		 (*query)(struct db *, void *stmt, int n,
			    const char *const *params, db_row_cb, void *arg);
	/* "BEGIN" differs: SQLite takes its write lock at once. */
	const char	*begin_sql;
};

extern const struct db_backend	db_sqlite_backend;
extern const struct db_backend	db_pg_backend;	/* with HUB_HAVE_PG */

/*
 * Sets db->err printf-style; -1 for `return db_fail(...)`.  Here, not in
 * db.c, so that a backend calls nothing of db.c (db.c names the backends:
 * calls both ways would be a cycle between the files).
 */
static int __attribute__((format(printf, 2, 3), unused))
db_fail(struct db *db, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
	return -1;
}

/* schema.c: the statements db_open runs, and the version they make. */
extern const char *const	hub_schema[];
extern const int		hub_schema_version;

#endif
