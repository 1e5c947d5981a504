/*
 * db.c: the database interface of db.h over its backends.  It picks the
 * backend by the URL's scheme, caches each backend statement by the
 * caller's sql pointer (the SQL strings are static, so a pointer names a
 * statement), keeps the last error's text and applies the schema of
 * schema.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db-int.h"
#include "xmalloc.h"

/* The backends, by scheme.  A backend not built is not listed. */
static const struct db_backend *const db_backends[] = {
	&db_sqlite_backend,
#ifdef HUB_HAVE_PG
	&db_pg_backend,
#endif
};

static int	db_schema_apply(struct db *);

struct db *
db_open(const char *url, char *err, size_t errlen)
{
	const struct db_backend	*be = NULL;
	const char		*colon;
	struct db		*db;
	size_t			 i, len;

	colon = strchr(url, ':');
	len = colon == NULL ? 0 : (size_t)(colon - url);
	for (i = 0; i < sizeof db_backends / sizeof db_backends[0]; i++)
		if (strlen(db_backends[i]->scheme) == len &&
		    strncmp(url, db_backends[i]->scheme, len) == 0)
			be = db_backends[i];
	if (be == NULL) {
		snprintf(err, errlen, "database \"%s\": not sqlite:PATH or "
		    "postgresql:CONNINFO%s", url,
		    colon != NULL && strncmp(url, "postgresql:", 11) == 0 ?
		    " (PostgreSQL is not built in)" : "");
		return NULL;
	}
	db = xcalloc(1, sizeof *db);
	db->be = be;
	if ((db->conn = be->open(db, colon + 1)) == NULL ||
	    db_schema_apply(db) == -1) {
		snprintf(err, errlen, "%s", db->err);
		db_close(db);
		return NULL;
	}
	return db;
}

void
db_close(struct db *db)
{
	size_t	i;

	if (db == NULL)
		return;
	for (i = 0; i < db->cachesize; i++)
		if (db->cache[i].sql != NULL)
			db->be->finalize(db, db->cache[i].stmt);
	free(db->cache);
	if (db->conn != NULL)
		db->be->close(db);
	free(db);
}

const char *
db_backend(const struct db *db)
{
	return db->be->scheme;
}

const char *
db_error(const struct db *db)
{
	return db->err;
}

long long
db_changes(const struct db *db)
{
	return db->changes;
}

/* The slot of sql in the cache: its own, or the empty one it goes in. */
static struct db_stmt_slot *
db_slot(struct db *db, const char *sql)
{
	size_t	i;

	i = ((uintptr_t)sql >> 3) * 2654435761u % db->cachesize;
	while (db->cache[i].sql != NULL && db->cache[i].sql != sql)
		i = (i + 1) % db->cachesize;
	return &db->cache[i];
}

/* Doubles the cache, placing every statement anew. */
static void
db_grow(struct db *db)
{
	struct db_stmt_slot	*old = db->cache;
	size_t			 i, oldsize = db->cachesize;

	db->cachesize = oldsize == 0 ? 64 : oldsize * 2;
	db->cache = xcalloc(db->cachesize, sizeof *db->cache);
	for (i = 0; i < oldsize; i++)
		if (old[i].sql != NULL)
			*db_slot(db, old[i].sql) = old[i];
	free(old);
}

/* The prepared statement of sql, prepared on first use. */
static void *
db_stmt(struct db *db, const char *sql)
{
	struct db_stmt_slot	*slot;
	void			*stmt;

	if (db->ncache * 2 >= db->cachesize)
		db_grow(db);
	slot = db_slot(db, sql);
	if (slot->sql != NULL)
		return slot->stmt;
	if ((stmt = db->be->prepare(db, sql)) == NULL)
		return NULL;
	slot->sql = sql;
	slot->stmt = stmt;
	db->ncache++;
	return stmt;
}

int
db_exec(struct db *db, const char *sql, int n, const char *const *params)
{
	void	*stmt;

	db->err[0] = '\0';
	db->changes = 0;
	if ((stmt = db_stmt(db, sql)) == NULL)
		return -1;
	return db->be->exec(db, stmt, n, params);
}

int
db_exec_batch(struct db *db, const char *sql, int n, int nrows,
    const char *const *params, long long *changed)
{
	void		*stmt;
	long long	 total = 0;
	int		 i;

	db->err[0] = '\0';
	db->changes = 0;
	if ((stmt = db_stmt(db, sql)) == NULL)
		return -1;
	if (db->be->exec_batch != NULL)
		return db->be->exec_batch(db, stmt, n, nrows, params, changed);
	for (i = 0; i < nrows; i++) {
		if (db->be->exec(db, stmt, n, params + (size_t)i * n) == -1)
			return -1;
		if (changed != NULL)
			changed[i] = db->changes;
		total += db->changes;
	}
	db->changes = total;
	return 0;
}

int
db_query(struct db *db, const char *sql, int n, const char *const *params,
    db_row_cb cb, void *arg)
{
	void	*stmt;

	db->err[0] = '\0';
	if ((stmt = db_stmt(db, sql)) == NULL)
		return -1;
	return db->be->query(db, stmt, n, params, cb, arg);
}

int
db_begin(struct db *db)
{
	return db_exec(db, db->be->begin_sql, 0, NULL);
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT", 0, NULL);
}

int
db_rollback(struct db *db)
{
	return db_exec(db, "ROLLBACK", 0, NULL);
}

static const char	 sql_version[] = "SELECT version FROM schema_version";
static const char	 sql_version_set[] =
    "INSERT INTO schema_version (version) VALUES (?)";

static int
db_schema_version_row(void *arg, int ncol, const char *const *vals)
{
	long long	*v = arg;

	if (ncol == 1 && vals[0] != NULL)
		*v = strtoll(vals[0], NULL, 10);
	return 1;
}

/* Creates what is missing and records the version, in one transaction. */
static int
db_schema_apply(struct db *db)
{
	const char	*params[1];
	char		 buf[16];
	long long	 have = -1;
	int		 i;

	if (db_begin(db) == -1)
		return -1;
	for (i = 0; hub_schema[i] != NULL; i++)
		if (db_exec(db, hub_schema[i], 0, NULL) == -1)
			goto fail;
	if (db_query(db, sql_version, 0, NULL, db_schema_version_row,
	    &have) == -1)
		goto fail;
	if (have > hub_schema_version) {
		db_fail(db, "the database has schema %lld, this hub knows "
		    "%d: a newer hub made it", have, hub_schema_version);
		goto fail;
	}
	if (have == -1) {
		snprintf(buf, sizeof buf, "%d", hub_schema_version);
		params[0] = buf;
		if (db_exec(db, sql_version_set, 1, params) == -1)
			goto fail;
	}
	return db_commit(db);
fail:
	{
		char	keep[sizeof db->err];

		snprintf(keep, sizeof keep, "%s", db->err);
		db_rollback(db);
		snprintf(db->err, sizeof db->err, "%s", keep);
	}
	return -1;
}
