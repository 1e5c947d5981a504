/*
 * db-pg.c: the PostgreSQL backend of db.h (libpq), for a campus that
 * keeps its records on its own database servers.  The SQL is the same as
 * SQLite's: `?` placeholders are rewritten to $1..$n, each statement is
 * prepared once per connection (PQprepare, named s1, s2, ...) and run
 * with text parameters and text results, so a statement costs one round
 * trip and no parsing, and a batch of rows (db_exec_batch) one round trip
 * in all (libpq's pipeline mode).
 *
 * Two differences from SQLite are made visible rather than papered over:
 * a failed statement inside a transaction aborts the whole transaction
 * (PostgreSQL's rule), and a COMMIT that PostgreSQL turned into a
 * ROLLBACK returns -1; a caller rolls back on any error, which is right
 * on both.  A broken connection (the server restarted, a network cut) is
 * reset once per call: a statement outside a transaction is then run
 * again; inside one, the transaction is gone with the connection, so
 * every statement fails until the caller's ROLLBACK.
 *
 * Rows are fetched whole before the first callback, so a callback may
 * run other statements on the same db, as it may on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "db-int.h"
#include "log.h"
#include "xmalloc.h"

/* ON CONFLICT ... DO NOTHING came with 9.5. */
#define DB_PG_MIN_VERSION	90500

struct db_pg {
	PGconn		*c;
	unsigned	 gen;	/* bumped by each reset: statements are gone */
	unsigned	 nstmt;	/* the statements' names, s1, s2, ... */
	int		 lost;	/* a transaction went with the connection */
};

struct db_pg_stmt {
	char		 name[16];
	const char	*orig;	/* the caller's SQL, for messages */
	char		*sql;	/* with $1..$n */
	int		 nparams;
	unsigned	 gen;	/* the connection it was prepared on */
	int		 is_commit, is_rollback;
};

/* libpq's notices (CREATE ... IF NOT EXISTS skipping) go to debug. */
static void
db_pg_notice(void *arg, const char *msg)
{
	size_t	len = strlen(msg);

	(void)arg;
	while (len > 0 && msg[len - 1] == '\n')
		len--;
	log_debug("postgresql: %.*s", (int)len, msg);
}

/*
 * Sets db->err from libpq's message, on one line: libpq's own messages
 * run over several, indented.
 */
static int
db_pg_fail(struct db *db, const PGresult *res, const char *what)
{
	struct db_pg	*pg = db->conn;
	const char	*msg = NULL;
	char		 line[384], *o = line;

	if (res != NULL)
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (msg == NULL)
		msg = PQerrorMessage(pg->c);
	for (; *msg != '\0' && o < line + sizeof line - 1; msg++) {
		if (strchr(" \t\n", *msg) == NULL)
			*o++ = *msg;
		else if (o > line && o[-1] != ' ')
			*o++ = ' ';
	}
	while (o > line && o[-1] == ' ')
		o--;
	*o = '\0';
	return db_fail(db, "postgresql: %s%s%s", line,
	    what != NULL ? ": " : "", what != NULL ? what : "");
}

/*
 * The SQL with each `?` outside quotes and comments replaced by $1..$n;
 * *np is n.  The caller frees.
 */
static char *
db_pg_rewrite(const char *sql, int *np)
{
	char		*out, *o;
	const char	*s;
	char		 quote = 0;
	int		 n = 0;

	/* "$65535" is six bytes for each one-byte `?`. */
	o = out = xmalloc(strlen(sql) * 6 + 1);
	for (s = sql; *s != '\0'; s++) {
		if (quote == '-') {		/* -- to the end of the line */
			if (*s == '\n')
				quote = 0;
		} else if (quote == '*') {	/* a C comment */
			if (s[0] == '*' && s[1] == '/') {
				*o++ = *s++;
				quote = 0;
			}
		} else if (quote != 0) {	/* '...' or "..." */
			if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"')
			quote = *s;
		else if (s[0] == '-' && s[1] == '-')
			quote = '-';
		else if (s[0] == '/' && s[1] == '*')
			quote = '*';
		else if (*s == '?') {
			o += sprintf(o, "$%d", ++n);
			continue;
		}
		*o++ = *s;
	}
	*o = '\0';
	*np = n;
	return out;
}

/* Is sql this one keyword (any case, blanks and a ';' around it)? */
static int
db_pg_is(const char *sql, const char *word)
{
	size_t	len = strlen(word);

	sql += strspn(sql, " \t\n");
	if (strncasecmp(sql, word, len) != 0)
		return 0;
	sql += len;
	sql += strspn(sql, " \t\n;");
	return *sql == '\0';
}

static void *
db_pg_open(struct db *db, const char *conninfo)
{
	struct db_pg	*pg;

	pg = xcalloc(1, sizeof *pg);
	db->conn = pg;
	pg->c = PQconnectdb(conninfo);
	if (pg->c == NULL) {
		db_fail(db, "postgresql: out of memory");
		goto fail;
	}
	if (PQstatus(pg->c) != CONNECTION_OK) {
		db_pg_fail(db, NULL, NULL);
		goto fail;
	}
	PQsetNoticeProcessor(pg->c, db_pg_notice, NULL);
	if (PQserverVersion(pg->c) < DB_PG_MIN_VERSION) {
		db_fail(db, "postgresql: server version %d, the hub needs "
		    "9.5 or later (ON CONFLICT)", PQserverVersion(pg->c));
		goto fail;
	}
	if (PQsetClientEncoding(pg->c, "UTF8") != 0) {
		db_pg_fail(db, NULL, "client_encoding UTF8");
		goto fail;
	}
	return pg;
fail:
	PQfinish(pg->c);
	free(pg);
	db->conn = NULL;
	return NULL;
}

static void
db_pg_close(struct db *db)
{
	struct db_pg	*pg = db->conn;

	PQfinish(pg->c);
	free(pg);
	db->conn = NULL;
}

/*
 * A broken connection is reset, once per call: 0 when it is usable.
 * Statements prepared on the old one are prepared again on first use.
 */
static int
db_pg_alive(struct db *db)
{
	struct db_pg	*pg = db->conn;

	if (PQstatus(pg->c) == CONNECTION_OK)
		return 0;
	PQreset(pg->c);
	pg->gen++;
	if (PQstatus(pg->c) != CONNECTION_OK)
		return db_pg_fail(db, NULL, "reconnecting");
	log_info("postgresql: reconnected");
	return 0;
}

/* PQprepare on the current connection, unless it was already. */
static int
db_pg_ready(struct db *db, struct db_pg_stmt *st)
{
	struct db_pg	*pg = db->conn;
	PGresult	*res;
	int		 rc = 0;

	if (st->gen == pg->gen)
		return 0;
	res = PQprepare(pg->c, st->name, st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = db_pg_fail(db, res, st->orig);
	else
		st->gen = pg->gen;
	PQclear(res);
	return rc;
}

static void *
db_pg_prepare(struct db *db, const char *sql)
{
	struct db_pg		*pg = db->conn;
	struct db_pg_stmt	*st;

	st = xcalloc(1, sizeof *st);
	snprintf(st->name, sizeof st->name, "s%u", ++pg->nstmt);
	st->orig = sql;
	st->sql = db_pg_rewrite(sql, &st->nparams);
	st->is_commit = db_pg_is(sql, "COMMIT") || db_pg_is(sql, "END");
	st->is_rollback = db_pg_is(sql, "ROLLBACK");
	st->gen = pg->gen - 1;
	if (db_pg_alive(db) == -1 || db_pg_ready(db, st) == -1) {
		free(st->sql);
		free(st);
		return NULL;
	}
	return st;
}

static void
db_pg_finalize(struct db *db, void *stmt)
{
	struct db_pg_stmt	*st = stmt;

	/* Freed with the connection: no DEALLOCATE at close. */
	(void)db;
	free(st->sql);
	free(st);
}

/* What db_pg_run runs once or twice: a statement, or a batch of them. */
struct db_pg_call {
	int			 n, nrows;
	const char *const	*params;
	PGresult		*res;		/* a statement's, for the caller */
	long long		*changed;	/* a batch's, per row, or NULL */
	long long		 total;
	PGTransactionStatusType	 ts;		/* before the call */
	int			(*op)(struct db *, struct db_pg_stmt *,
				    struct db_pg_call *);
};

/* A COMMIT that PostgreSQL answered with ROLLBACK is an error. */
static int
db_pg_check(struct db *db, struct db_pg_stmt *st, PGresult *res)
{
	ExecStatusType	status = PQresultStatus(res);

	if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
		return db_pg_fail(db, res, st->orig);
	if (st->is_commit && strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
		return db_fail(db, "postgresql: the transaction was rolled "
		    "back: a statement in it had failed");
	return 0;
}

/* One statement: PQexecPrepared, its result in call->res. */
static int
db_pg_op_one(struct db *db, struct db_pg_stmt *st, struct db_pg_call *call)
{
	struct db_pg	*pg = db->conn;
	PGresult	*res;

	res = PQexecPrepared(pg->c, st->name, call->n, call->params, NULL,
	    NULL, 0);
	if (db_pg_check(db, st, res) == -1) {
		PQclear(res);
		return -1;
	}
	call->res = res;
	return 0;
}

/*
 * A batch: every row sent in pipeline mode, then one sync, then the
 * results read in order; the server stops at the first error (the rows
 * after it come back PGRES_PIPELINE_ABORTED).
 */
static int
db_pg_op_batch(struct db *db, struct db_pg_stmt *st,
    struct db_pg_call *call)
{
	struct db_pg	*pg = db->conn;
	PGresult	*res;
	int		 i, sent, rc = 0, nulls = 0;

	call->total = 0;
	if (PQenterPipelineMode(pg->c) != 1)
		return db_pg_fail(db, NULL, "pipeline mode");
	for (sent = 0; sent < call->nrows; sent++)
		if (PQsendQueryPrepared(pg->c, st->name, call->n,
		    call->params + (size_t)sent * call->n, NULL, NULL, 0) != 1)
			break;
	if (sent < call->nrows)
		rc = db_pg_fail(db, NULL, st->orig);
	if (PQpipelineSync(pg->c) != 1) {
		db_pg_fail(db, NULL, "pipeline sync");
		PQexitPipelineMode(pg->c);
		return -1;
	}
	/* Each row's result then a NULL; last the sync's. */
	for (i = 0; ; ) {
		if ((res = PQgetResult(pg->c)) == NULL) {
			if (++nulls > 1 || PQstatus(pg->c) == CONNECTION_BAD) {
				if (rc == 0)
					rc = db_pg_fail(db, NULL, st->orig);
				break;
			}
			continue;
		}
		nulls = 0;
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED)
			;
		else if (rc == 0 && db_pg_check(db, st, res) == -1)
			rc = -1;
		else if (rc == 0 && i < call->nrows) {
			if (call->changed != NULL)
				call->changed[i] = strtoll(PQcmdTuples(res),
				    NULL, 10);
			call->total += strtoll(PQcmdTuples(res), NULL, 10);
		}
		i++;
		PQclear(res);
	}
	if (PQexitPipelineMode(pg->c) != 1 &&
	    PQstatus(pg->c) == CONNECTION_OK) {
		/* Results left over: only a new connection is clean. */
		rc = db_pg_fail(db, NULL, "leaving pipeline mode");
		PQreset(pg->c);
		pg->gen++;
		pg->lost = call->ts != PQTRANS_IDLE;
	}
	return rc;
}

/*
 * Runs call->op on a prepared statement: 0, or -1 with db->err set.  On
 * a broken connection: outside a transaction, reset and run once more;
 * inside one, reset and fail everything but the ROLLBACK (the server has
 * rolled it back).
 */
static int
db_pg_run(struct db *db, struct db_pg_stmt *st, struct db_pg_call *call)
{
	struct db_pg		*pg = db->conn;
	PGTransactionStatusType	 ts;
	int			 attempt;

	call->res = NULL;
	if (call->n != st->nparams)
		return db_fail(db, "postgresql: %d parameters for %d: %s",
		    call->n, st->nparams, st->orig);
	if (pg->lost && !st->is_rollback)
		return db_fail(db, "postgresql: the connection was lost in a "
		    "transaction, which is rolled back: %s", st->orig);
	if (pg->lost) {
		pg->lost = 0;
		return 0;
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (db_pg_alive(db) == -1)
			return -1;
		ts = call->ts = PQtransactionStatus(pg->c);
		if (db_pg_ready(db, st) == 0 && call->op(db, st, call) == 0) {
			db->err[0] = '\0';	/* a first attempt's */
			return 0;
		}
		if (PQstatus(pg->c) != CONNECTION_BAD)
			return -1;
		if (ts == PQTRANS_IDLE)
			continue;
		/* The transaction went with the connection. */
		db_pg_alive(db);
		if (st->is_rollback)
			return 0;
		pg->lost = 1;
		return db_fail(db, "postgresql: the connection was lost in a "
		    "transaction, which is rolled back: %s", st->orig);
	}
	return -1;
}

static int
db_pg_exec(struct db *db, void *stmt, int n, const char *const *params)
{
	struct db_pg_call	call = { .n = n, .params = params,
				    .op = db_pg_op_one };

	if (db_pg_run(db, stmt, &call) == -1)
		return -1;
	db->changes = strtoll(PQcmdTuples(call.res), NULL, 10);
	PQclear(call.res);
	return 0;
}

static int
db_pg_exec_batch(struct db *db, void *stmt, int n, int nrows,
    const char *const *params, long long *changed)
{
	struct db_pg_call	call = { .n = n, .nrows = nrows,
				    .params = params, .changed = changed,
				    .op = db_pg_op_batch };

	if (db_pg_run(db, stmt, &call) == -1)
		return -1;
	db->changes = call.total;
	return 0;
}

static int
db_pg_query(struct db *db, void *stmt, int n, const char *const *params,
    db_row_cb cb, void *arg)
{
	struct db_pg_call	 call = { .n = n, .params = params,
				    .op = db_pg_op_one };
	const char		**vals;
	int			  i, row, nrows, ncol;

	if (db_pg_run(db, stmt, &call) == -1)
		return -1;
	nrows = PQntuples(call.res);
	ncol = PQnfields(call.res);
	vals = xcalloc(ncol > 0 ? ncol : 1, sizeof *vals);
	for (row = 0; row < nrows; row++) {
		for (i = 0; i < ncol; i++)
			vals[i] = PQgetisnull(call.res, row, i) ? NULL :
			    PQgetvalue(call.res, row, i);
		if (cb(arg, ncol, vals) != 0)
			break;
	}
	free(vals);
	PQclear(call.res);
	return 0;
}

const struct db_backend db_pg_backend = {
	.scheme = "postgresql",
	.open = db_pg_open,
	.close = db_pg_close,
	.prepare = db_pg_prepare,
	.finalize = db_pg_finalize,
	.exec = db_pg_exec,
	.exec_batch = db_pg_exec_batch,
	.query = db_pg_query,
	.begin_sql = "BEGIN",
};
