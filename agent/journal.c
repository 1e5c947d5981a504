/*
 * journal.c: the durable record of the gate.  Every passage, override,
 * alert, acknowledgement and mode change is one row in an SQLite database
 * in WAL mode with synchronous=FULL, so that a row whose append returned
 * survives a crash or a power cut; the agent appends a grant before it
 * moves the relay.  This file opens the database, appends, keeps the
 * alerts and a little state, and prunes old rows; journal-report.c reads
 * the record back as JSON through the same connection.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "agent.h"

#define JOURNAL_VERSION		2	/* PRAGMA user_version */
#define JOURNAL_APP_ID		0x67617465 /* "gate", PRAGMA application_id */
#define JOURNAL_BUSY_MS		2000	/* an sqlite3 reader may hold a lock */
#define JOURNAL_CACHE_KB	512	/* the daemon's RSS target is 8 MiB */
#define JOURNAL_WAL_LIMIT	(4 * 1024 * 1024) /* WAL kept, in bytes */
#define JOURNAL_PRUNE_BATCH	5000	/* rows per journal_prune call */
#define JOURNAL_FILE_MODE	0640	/* temperatures are health data */

/* Every statement the agent runs often, prepared once at open. */
enum journal_sql {
	JS_BEGIN,
	JS_COMMIT,
	JS_ROLLBACK,
	JS_APPEND,
	JS_ALERT_ADD,
	JS_ALERT_EVENT,
	JS_ALERT_FIND,
	JS_ALERT_FIND_KEY,
	JS_ALERT_SEEN,
	JS_ALERT_ACK,
	JS_STATE_GET,
	JS_STATE_SET,
	JS_STATE_DEL,
	JS_LAST_ID,
	JS__COUNT
};

static const char *const journal_sql_text[JS__COUNT] = {
	[JS_BEGIN] = "BEGIN IMMEDIATE",
	[JS_COMMIT] = "COMMIT",
	[JS_ROLLBACK] = "ROLLBACK",
	[JS_APPEND] = "INSERT INTO events (ts_ms, kind, lane, direction, card,"
	    " person, category, verdict, reason, temp_centi, actor, detail,"
	    " alert_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
	    " ?12, ?13)",
	[JS_ALERT_ADD] = "INSERT INTO alerts (kind, lane, detail, raised_ms,"
	    " subject, last_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?4)",
	[JS_ALERT_EVENT] = "UPDATE alerts SET raise_event = ?2 WHERE id = ?1",
	[JS_ALERT_FIND] = "SELECT kind, lane FROM alerts"
	    " WHERE id = ?1 AND acked_ms IS NULL",
	[JS_ALERT_FIND_KEY] = "SELECT id, count FROM alerts WHERE"
	    " acked_ms IS NULL AND kind = ?1 AND lane IS ?2 AND subject IS ?3"
	    " ORDER BY id LIMIT 1",
	[JS_ALERT_SEEN] = "UPDATE alerts SET count = ?2, last_ms = ?3"
	    " WHERE id = ?1 AND acked_ms IS NULL",
	[JS_ALERT_ACK] = "UPDATE alerts SET acked_ms = ?2, acked_by = ?3,"
	    " ack_reason = ?4, ack_event = ?5 WHERE id = ?1",
	[JS_STATE_GET] = "SELECT value FROM state WHERE key = ?1",
	[JS_STATE_SET] = "INSERT INTO state (key, value) VALUES (?1, ?2)"
	    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	[JS_STATE_DEL] = "DELETE FROM state WHERE key = ?1",
	[JS_LAST_ID] = "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
};

/*
 * Version 1 of the schema (journal_migrations has the later steps).
 * AUTOINCREMENT so that an id is never handed out twice, even after
 * pruning: a client paging with ?after=ID never misses a
 * row.  The partial index finds the rows of an alert for retention.
 */
static const char journal_schema[] =
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" ts_ms INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" lane TEXT, direction TEXT, card TEXT, person TEXT, category TEXT,"
	" verdict TEXT, reason TEXT, temp_centi INTEGER, actor TEXT,"
	" detail TEXT, alert_id INTEGER);"
	"CREATE INDEX events_ts ON events (ts_ms);"
	"CREATE INDEX events_alert ON events (alert_id)"
	" WHERE alert_id IS NOT NULL;"
	"CREATE TABLE alerts ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" kind TEXT NOT NULL, lane TEXT, detail TEXT,"
	" raised_ms INTEGER NOT NULL, raise_event INTEGER,"
	" acked_ms INTEGER, acked_by TEXT, ack_reason TEXT, ack_event INTEGER);"
	"CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	" WITHOUT ROWID;";

/*
 * What turns version N-1 into version N, by index N.  A new journal gets
 * the version 1 schema and then every step, so that the path an old journal
 * takes is the one every test takes too.
 */
static const char *const journal_migrations[JOURNAL_VERSION + 1] = {
	/*
	 * 2: a repeating alert is coalesced: what it is about (a person, a
	 * device) is part of its key, and it counts its repeats.
	 */
	[2] = "ALTER TABLE alerts ADD COLUMN subject TEXT;"
	    "ALTER TABLE alerts ADD COLUMN count INTEGER NOT NULL DEFAULT 1;"
	    "ALTER TABLE alerts ADD COLUMN last_ms INTEGER;"
	    "UPDATE alerts SET last_ms = raised_ms;"
	    "CREATE INDEX alerts_active ON alerts (kind, lane, subject)"
	    " WHERE acked_ms IS NULL;",
};

/* Events that prune may delete: those of no still-active alert. */
#define JOURNAL_UNPROTECTED \
	"(alert_id IS NULL OR alert_id NOT IN" \
	" (SELECT id FROM alerts WHERE acked_ms IS NULL))"

struct journal {
	sqlite3			*db;
	char			*path;
	struct journal_limits	 limits;
	sqlite3_stmt		*stmt[JS__COUNT];
};

/* Logs an unexpected SQLite failure with the database and what it did. */
static void
journal_warn(struct journal *j, const char *what)
{
	log_warnx("journal %s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
}

/* Resets a kept statement so it holds no lock and no bound strings. */
static void
journal_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement without result rows; 0 or -1 (logged). */
static int
journal_exec(struct journal *j, enum journal_sql which)
{
	sqlite3_stmt	*st = j->stmt[which];
	int		 rc;

	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, journal_sql_text[which]);
		return (-1);
	}
	return (0);
}

static void
journal_rollback(struct journal *j)
{
	if (!sqlite3_get_autocommit(j->db))
		journal_exec(j, JS_ROLLBACK);
}

/* Binds a string or NULL; SQLITE_TRANSIENT because the caller owns it. */
static int
journal_bind_text(sqlite3_stmt *st, int n, const char *s)
{
	if (s == NULL)
		return (sqlite3_bind_null(st, n));
	return (sqlite3_bind_text(st, n, s, -1, SQLITE_TRANSIENT));
}

/* Binds an id where 0 means none. */
static int
journal_bind_id(sqlite3_stmt *st, int n, int64_t id)
{
	if (id == 0)
		return (sqlite3_bind_null(st, n));
	return (sqlite3_bind_int64(st, n, id));
}

/* Runs one PRAGMA that answers a single integer; -1 with *cause set. */
static int
journal_pragma_int(struct journal *j, const char *sql, int64_t *out,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", j->path, sqlite3_errmsg(j->db));
		return (-1);
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		xasprintf(cause, "%s: %s", j->path, sqlite3_errmsg(j->db));
		sqlite3_finalize(st);
		return (-1);
	}
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return (0);
}

/*
 * Creates the file if needed with a mode of our choosing: SQLite gives its
 * WAL and shared-memory files the database's own mode, and the journal
 * holds temperatures, so it must not be world-readable whatever the umask.
 */
static int
journal_create_file(const char *path, char **cause)
{
	int	fd;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, JOURNAL_FILE_MODE);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	close(fd);
	return (0);
}

/*
 * Brings a journal of schema version `from' (0: empty) to JOURNAL_VERSION
 * in one transaction: a failed step leaves it as it was.
 */
static int
journal_migrate(struct journal *j, int64_t from, char **cause)
{
	char	*sql, *steps, *next, *err = NULL;
	int	 v;

	steps = xstrdup(from == 0 ? journal_schema : "");
	for (v = from == 0 ? 2 : (int)from + 1; v <= JOURNAL_VERSION; v++) {
		xasprintf(&next, "%s%s", steps, journal_migrations[v]);
		free(steps);
		steps = next;
	}
	xasprintf(&sql, "BEGIN IMMEDIATE; %s PRAGMA application_id = %d;"
	    " PRAGMA user_version = %d; COMMIT", steps, JOURNAL_APP_ID,
	    JOURNAL_VERSION);
	free(steps);
	if (sqlite3_exec(j->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s: %s the schema (version %lld to %d): %s",
		    j->path, from == 0 ? "creating" : "upgrading",
		    (long long)from, JOURNAL_VERSION,
		    err != NULL ? err : sqlite3_errmsg(j->db));
		sqlite3_free(err);
		free(sql);
		journal_rollback(j);
		return (-1);
	}
	free(sql);
	if (from != 0)
		log_info("journal %s: schema upgraded from version %lld to %d",
		    j->path, (long long)from, JOURNAL_VERSION);
	return (0);
}

/* Reads the schema version; creates or upgrades the schema. */
static int
journal_schema_check(struct journal *j, char **cause)
{
	int64_t	 version, app, tables;

	if (journal_pragma_int(j, "PRAGMA application_id", &app, cause) ||
	    journal_pragma_int(j, "PRAGMA user_version", &version, cause) ||
	    journal_pragma_int(j, "SELECT count(*) FROM sqlite_schema",
	    &tables, cause))
		return (-1);
	if (app != 0 && app != JOURNAL_APP_ID) {
		xasprintf(cause, "%s: not a gated journal (application_id"
		    " %lld)", j->path, (long long)app);
		return (-1);
	}
	if (version > JOURNAL_VERSION) {
		xasprintf(cause, "%s: journal schema version %lld is newer than"
		    " this gated understands (%d); use a newer gated",
		    j->path, (long long)version, JOURNAL_VERSION);
		return (-1);
	}
	if (version == JOURNAL_VERSION)
		return (0);
	if (version == 0 && tables != 0) {
		xasprintf(cause, "%s: not a gated journal (tables but no schema"
		    " version)", j->path);
		return (-1);
	}
	return (journal_migrate(j, version, cause));
}

/*
 * The durability settings.  WAL lets a reader (the report, an emergency
 * sqlite3) run beside the writer; synchronous=FULL makes every commit wait
 * for the WAL to reach the disk, which NORMAL would leave to the next
 * checkpoint: a power cut could then lose the last grants.
 */
static int
journal_configure(struct journal *j, char **cause)
{
	sqlite3_stmt	*st;
	const char	*mode;
	char		*sql, *err = NULL;

	if (sqlite3_prepare_v2(j->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		xasprintf(cause, "%s: %s", j->path, sqlite3_errmsg(j->db));
		sqlite3_finalize(st);
		return (-1);
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		xasprintf(cause, "%s: cannot use WAL mode (got %s)", j->path,
		    mode != NULL ? mode : "nothing");
		sqlite3_finalize(st);
		return (-1);
	}
	sqlite3_finalize(st);

	xasprintf(&sql, "PRAGMA synchronous = FULL; PRAGMA cache_size = -%d;"
	    " PRAGMA journal_size_limit = %d;",
	    JOURNAL_CACHE_KB, JOURNAL_WAL_LIMIT);
	if (sqlite3_exec(j->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", j->path,
		    err != NULL ? err : sqlite3_errmsg(j->db));
		sqlite3_free(err);
		free(sql);
		return (-1);
	}
	free(sql);
	return (0);
}

/*
 * Opens (creating if needed) the journal at path.  On failure returns NULL
 * and a malloc'd "path: what went wrong" in *cause, which the caller frees.
 */
struct journal *
journal_open(const char *path, const struct journal_limits *limits,
    char **cause)
{
	struct journal	*j;
	int		 i, flags;

	*cause = NULL;
	if (journal_create_file(path, cause) != 0)
		return (NULL);

	j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	if (limits != NULL)
		j->limits = *limits;

	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &j->db, flags, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, j->db != NULL ?
		    sqlite3_errmsg(j->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(j->db, 1);
	sqlite3_busy_timeout(j->db, JOURNAL_BUSY_MS);
	if (sqlite3_db_readonly(j->db, "main") == 1) {
		xasprintf(cause, "%s: read-only (check its owner and mode)",
		    path);
		goto fail;
	}
	if (journal_schema_check(j, cause) != 0 ||
	    journal_configure(j, cause) != 0)
		goto fail;

	for (i = 0; i < JS__COUNT; i++) {
		if (sqlite3_prepare_v3(j->db, journal_sql_text[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &j->stmt[i], NULL) !=
		    SQLITE_OK) {
			xasprintf(cause, "%s: %s: %s", path,
			    journal_sql_text[i], sqlite3_errmsg(j->db));
			goto fail;
		}
	}
	return (j);

fail:
	journal_close(j);
	return (NULL);
}

/* Finalises the statements, folds the WAL back into the database, closes. */
void
journal_close(struct journal *j)
{
	int	i;

	if (j == NULL)
		return;
	for (i = 0; i < JS__COUNT; i++)
		sqlite3_finalize(j->stmt[i]);
	if (j->db != NULL) {
		if (sqlite3_db_readonly(j->db, "main") == 0 &&
		    sqlite3_wal_checkpoint_v2(j->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
			journal_warn(j, "checkpoint");
		if (sqlite3_close(j->db) != SQLITE_OK)
			journal_warn(j, "close");
	}
	free(j->path);
	free(j);
}

/* For journal-report.c, which reads through the same connection. */
struct sqlite3 *
journal_db(struct journal *j)
{
	return (j->db);
}

/* Inserts one event in the current transaction (or its own); id or -1. */
static int64_t
journal_insert(struct journal *j, struct journal_event *ev)
{
	sqlite3_stmt	*st = j->stmt[JS_APPEND];
	int		 rc;

	if (ev->kind == NULL) {
		log_warnx("journal %s: event without a kind", j->path);
		return (-1);
	}
	sqlite3_bind_int64(st, 1, ev->ts_ms);
	journal_bind_text(st, 2, ev->kind);
	journal_bind_text(st, 3, ev->lane);
	journal_bind_text(st, 4, ev->direction);
	journal_bind_text(st, 5, ev->card);
	journal_bind_text(st, 6, ev->person);
	journal_bind_text(st, 7, ev->category);
	journal_bind_text(st, 8, ev->verdict);
	journal_bind_text(st, 9, ev->reason);
	if (ev->has_temp)
		sqlite3_bind_int(st, 10, ev->temp_centi);
	journal_bind_text(st, 11, ev->actor);
	journal_bind_text(st, 12, ev->detail);
	journal_bind_id(st, 13, ev->alert_id);

	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "append");
		return (-1);
	}
	ev->id = sqlite3_last_insert_rowid(j->db);
	return (ev->id);
}

/*
 * Appends one event.  Outside a transaction the insert is its own commit,
 * and with synchronous=FULL the WAL is on the disk when this returns.
 */
int64_t
journal_append(struct journal *j, struct journal_event *ev)
{
	return (journal_insert(j, ev));
}

/*
 * Raises an alert and journals its "alert" event, in one transaction.  A
 * repeat of an alert still active, the same kind on the same lane about
 * the same subject (a person, a device; NULL for none), journals no new
 * alert: it counts one more and moves the alert's last_ms, so that a card
 * presented again and again makes one alert, not thousands (ISA-18.2's
 * coalescing).  The alert's id, its count in *count when not NULL, or -1.
 */
int64_t
journal_alert_raise(struct journal *j, int64_t ts_ms, const char *kind,
    const char *lane, const char *subject, const char *detail,
    int64_t *count)
{
	struct journal_event	 ev;
	sqlite3_stmt		*st;
	int64_t			 alert_id, n = 1;
	int			 rc;

	if (kind == NULL || journal_exec(j, JS_BEGIN) != 0)
		return (-1);

	st = j->stmt[JS_ALERT_FIND_KEY];
	journal_bind_text(st, 1, kind);
	journal_bind_text(st, 2, lane);
	journal_bind_text(st, 3, subject);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		alert_id = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int64(st, 1) + 1;
	}
	journal_done(st);
	if (rc == SQLITE_ROW) {
		if (journal_alert_seen(j, alert_id, n, ts_ms) != 0)
			goto fail;
		goto commit;
	}
	if (rc != SQLITE_DONE) {
		journal_warn(j, "alert");
		goto fail;
	}

	st = j->stmt[JS_ALERT_ADD];
	journal_bind_text(st, 1, kind);
	journal_bind_text(st, 2, lane);
	journal_bind_text(st, 3, detail);
	sqlite3_bind_int64(st, 4, ts_ms);
	journal_bind_text(st, 5, subject);
	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "alert");
		goto fail;
	}
	alert_id = sqlite3_last_insert_rowid(j->db);

	memset(&ev, 0, sizeof ev);
	ev.ts_ms = ts_ms;
	ev.kind = "alert";
	ev.reason = kind;
	ev.lane = lane;
	ev.detail = detail;
	ev.alert_id = alert_id;
	if (journal_insert(j, &ev) == -1)
		goto fail;

	st = j->stmt[JS_ALERT_EVENT];
	sqlite3_bind_int64(st, 1, alert_id);
	sqlite3_bind_int64(st, 2, ev.id);
	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "alert event");
		goto fail;
	}
commit:
	if (journal_exec(j, JS_COMMIT) != 0)
		goto fail;
	if (count != NULL)
		*count = n;
	return (alert_id);

fail:
	journal_rollback(j);
	return (-1);
}

/*
 * Sets an active alert's count and last time seen: a repeat, or what the
 * agent counted in memory while the journal could not record; 0 or -1.
 */
int
journal_alert_seen(struct journal *j, int64_t alert_id, int64_t count,
    int64_t last_ms)
{
	sqlite3_stmt	*st = j->stmt[JS_ALERT_SEEN];
	int		 rc;

	sqlite3_bind_int64(st, 1, alert_id);
	sqlite3_bind_int64(st, 2, count);
	sqlite3_bind_int64(st, 3, last_ms);
	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "alert count");
		return (-1);
	}
	return (0);
}

/*
 * Acknowledges an active alert and journals an "ack" event (reason: the
 * alert's kind, detail: why) in one transaction.  1 when there is no such
 * active alert: unknown, or acknowledged already.
 */
int
journal_alert_ack(struct journal *j, int64_t alert_id, int64_t ts_ms,
    const char *actor, const char *reason)
{
	struct journal_event	 ev;
	sqlite3_stmt		*st;
	char			*kind = NULL, *lane = NULL;
	const char		*s;
	int			 rc;

	if (journal_exec(j, JS_BEGIN) != 0)
		return (-1);

	st = j->stmt[JS_ALERT_FIND];
	sqlite3_bind_int64(st, 1, alert_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		kind = xstrdup((const char *)sqlite3_column_text(st, 0));
		if ((s = (const char *)sqlite3_column_text(st, 1)) != NULL)
			lane = xstrdup(s);
	}
	journal_done(st);
	if (rc == SQLITE_DONE) {
		journal_rollback(j);
		return (1);
	}
	if (rc != SQLITE_ROW) {
		journal_warn(j, "ack");
		goto fail;
	}

	memset(&ev, 0, sizeof ev);
	ev.ts_ms = ts_ms;
	ev.kind = "ack";
	ev.reason = kind;
	ev.lane = lane;
	ev.actor = actor;
	ev.detail = reason;
	ev.alert_id = alert_id;
	if (journal_insert(j, &ev) == -1)
		goto fail;

	st = j->stmt[JS_ALERT_ACK];
	sqlite3_bind_int64(st, 1, alert_id);
	sqlite3_bind_int64(st, 2, ts_ms);
	journal_bind_text(st, 3, actor);
	journal_bind_text(st, 4, reason);
	sqlite3_bind_int64(st, 5, ev.id);
	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "ack");
		goto fail;
	}
	if (journal_exec(j, JS_COMMIT) != 0)
		goto fail;
	free(kind);
	free(lane);
	return (0);

fail:
	journal_rollback(j);
	free(kind);
	free(lane);
	return (-1);
}

/* Sets (or with a NULL value, removes) one persisted key; 0 or -1. */
int
journal_state_set(struct journal *j, const char *key, const char *value)
{
	sqlite3_stmt	*st;
	int		 rc;

	st = j->stmt[value != NULL ? JS_STATE_SET : JS_STATE_DEL];
	journal_bind_text(st, 1, key);
	if (value != NULL)
		journal_bind_text(st, 2, value);
	rc = sqlite3_step(st);
	journal_done(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "state");
		return (-1);
	}
	return (0);
}

/* A persisted value, malloc'd for the caller, or NULL when unset. */
char *
journal_state_get(struct journal *j, const char *key)
{
	sqlite3_stmt	*st = j->stmt[JS_STATE_GET];
	char		*value = NULL;
	int		 rc;

	journal_bind_text(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		value = xstrdup((const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		journal_warn(j, "state");
	journal_done(st);
	return (value);
}

/* The highest id ever handed out (pruned or not), 0 for a new journal. */
int64_t
journal_last_id(struct journal *j)
{
	sqlite3_stmt	*st = j->stmt[JS_LAST_ID];
	int64_t		 id = 0;
	int		 rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		journal_warn(j, "last id");
		id = -1;
	}
	journal_done(st);
	return (id);
}

/* Runs one query that answers a single integer; -1 on error (logged). */
static int64_t
journal_query_int(struct journal *j, const char *sql, int64_t arg)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, sql);
		return (-1);
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		journal_warn(j, sql);
	sqlite3_finalize(st);
	return (n);
}

/* Runs one DELETE with up to two integer parameters; rows deleted or -1. */
static long
journal_delete(struct journal *j, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, "prune");
		return (-1);
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "prune");
		return (-1);
	}
	return ((long)sqlite3_changes(j->db));
}

/*
 * Retention: deletes events older than max_days, then the oldest beyond
 * max_rows, at most JOURNAL_PRUNE_BATCH rows per call so that one call
 * never holds the event loop long (the agent calls it from a timer until
 * it returns less than a batch).  The events of an alert still active are
 * kept whatever their age.  Acknowledged alerts whose events are all gone
 * go too (not counted).  One transaction, one sync.
 */
long
journal_prune(struct journal *j, int64_t now_ms)
{
	int64_t	 rows, cutoff;
	long	 n, deleted = 0;

	if (journal_exec(j, JS_BEGIN) != 0)
		return (-1);

	if (j->limits.max_days > 0) {
		cutoff = now_ms - (int64_t)j->limits.max_days * 86400000;
		n = journal_delete(j, "DELETE FROM events WHERE id IN"
		    " (SELECT id FROM events WHERE ts_ms < ?1 AND "
		    JOURNAL_UNPROTECTED " ORDER BY ts_ms LIMIT ?2)",
		    cutoff, JOURNAL_PRUNE_BATCH);
		if (n == -1)
			goto fail;
		deleted += n;
	}
	if (j->limits.max_rows > 0 && deleted < JOURNAL_PRUNE_BATCH) {
		rows = journal_query_int(j, "SELECT count(*) FROM events", 0);
		if (rows == -1)
			goto fail;
		if (rows > j->limits.max_rows) {
			rows -= j->limits.max_rows;
			if (rows > JOURNAL_PRUNE_BATCH - deleted)
				rows = JOURNAL_PRUNE_BATCH - deleted;
			n = journal_delete(j, "DELETE FROM events WHERE id IN"
			    " (SELECT id FROM events WHERE "
			    JOURNAL_UNPROTECTED " ORDER BY id LIMIT ?1)",
			    rows, 0);
			if (n == -1)
				goto fail;
			deleted += n;
		}
	}
	if (journal_delete(j, "DELETE FROM alerts WHERE"
	    " acked_ms IS NOT NULL AND NOT EXISTS"
	    " (SELECT 1 FROM events WHERE events.alert_id = alerts.id)",
	    0, 0) == -1)
		goto fail;

	if (journal_exec(j, JS_COMMIT) != 0)
		goto fail;
	if (deleted > 0)
		log_debug("%s: pruned %ld events", __func__, deleted);
	return (deleted);

fail:
	journal_rollback(j);
	return (-1);
}

/* Size of one file, 0 when it does not exist (a WAL after close). */
static int64_t
journal_file_size(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) == -1)
		return (0);
	return ((int64_t)sb.st_size);
}

/*
 * What the agent watches to warn before the journal fills the disk or
 * reaches its row limit: rows, ids, bytes of database and WAL, free space.
 */
json_t *
journal_stats(struct journal *j)
{
	struct statvfs	 sv;
	char		*wal, *dir;
	int64_t		 rows, first, last, bytes, free_kb = -1;
	json_t		*o;

	rows = journal_query_int(j, "SELECT count(*) FROM events", 0);
	first = journal_query_int(j, "SELECT coalesce(min(id), 0) FROM events",
	    0);
	last = journal_last_id(j);
	if (rows == -1 || first == -1 || last == -1)
		return (NULL);

	xasprintf(&wal, "%s-wal", j->path);
	bytes = journal_file_size(j->path) + journal_file_size(wal);
	free(wal);

	dir = xstrdup(j->path);
	if (statvfs(dirname(dir), &sv) == 0)
		free_kb = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize / 1024;
	else
		log_warn("journal %s: statvfs", j->path);
	free(dir);

	o = json_object();
	json_object_set_new(o, "rows", json_integer(rows));
	json_object_set_new(o, "first_id", json_integer(first));
	json_object_set_new(o, "last_id", json_integer(last));
	json_object_set_new(o, "bytes", json_integer(bytes));
	json_object_set_new(o, "free_kb", json_integer(free_kb));
	json_object_set_new(o, "low_space", json_boolean(free_kb != -1 &&
	    j->limits.warn_free_kb > 0 && free_kb < j->limits.warn_free_kb));
	json_object_set_new(o, "near_row_limit", json_boolean(
	    j->limits.max_rows > 0 && rows * 10 > j->limits.max_rows * 9));
	return (o);
}
