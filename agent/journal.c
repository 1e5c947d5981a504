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
#include <time.h>
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
#define JOURNAL_CLOCK_FLOOR_MS	1767225600000LL /* 2026-01-01: before, unset */
#define JOURNAL_CLOCK_SLACK_MS	600000	/* a jump worth a warning */

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
	JS_DATA_VERSION,
	JS_COUNT_ROWS,
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
	[JS_DATA_VERSION] = "PRAGMA data_version",
	[JS_COUNT_ROWS] = "SELECT count(*) FROM events",
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

/*
 * rows is the number of events, so that status and /metrics need not scan
 * two million rows: counted once at open, then kept by SQLite's hooks,
 * which see every insert and delete on this connection (rows_tx, the
 * current transaction's share, counts only once it commits).  A change by
 * another connection (PRAGMA data_version) or a failed statement, after
 * which a commit may not have done what the hooks saw, asks for a recount.
 */
struct journal {
	sqlite3			*db;
	char			*path;
	struct journal_limits	 limits;
	sqlite3_stmt		*stmt[JS__COUNT];
	int64_t			 rows;
	int64_t			 rows_tx;
	int64_t			 data_version;
	int			 recount;
	int64_t			 horizon_ms;	/* see journal_horizon */
	int64_t			 mono_ms;
	int			 clock_warned;
	int64_t			 last_ts_ms;	/* newest stamp; -1 unread */
	int			 clock_behind;	/* see journal_stamp */
	dev_t			 dev;		/* the file open: journal_check */
	ino_t			 ino;
	ino_t			 wal_ino;
	int			 gone;
	char			*incident;	/* see journal_incident */
};

/* Resets a kept statement so it holds no lock and no bound strings. */
static void
journal_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Logs an unexpected SQLite failure with the database and what it did. */
static void
journal_warn(struct journal *j, const char *what)
{
	log_warnx("journal %s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
	j->recount = 1;
}

static long	journal_delete(struct journal *, const char *, int64_t,
		    int64_t);

/* SQLite's update hook: an event row inserted or deleted. */
static void
journal_row_hook(void *arg, int op, const char *db, const char *table,
    sqlite3_int64 rowid)
{
	struct journal	*j = arg;

	(void)rowid;
	if (strcmp(table, "events") != 0 || strcmp(db, "main") != 0)
		return;
	if (op == SQLITE_INSERT)
		j->rows_tx++;
	else if (op == SQLITE_DELETE)
		j->rows_tx--;
}

static int
journal_commit_hook(void *arg)
{
	struct journal	*j = arg;

	j->rows += j->rows_tx;
	j->rows_tx = 0;
	return 0;
}

static void
journal_rollback_hook(void *arg)
{
	struct journal	*j = arg;

	j->rows_tx = 0;
}

/* PRAGMA data_version: changes when another connection commits. */
static int64_t
journal_data_version(struct journal *j)
{
	sqlite3_stmt	*st = j->stmt[JS_DATA_VERSION];
	int64_t		 v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	journal_done(st);
	return v;
}

/* Counts the events (a full scan): at open, and when the count is unsure. */
static int
journal_count(struct journal *j)
{
	sqlite3_stmt	*st = j->stmt[JS_COUNT_ROWS];
	int		 rc;

	j->data_version = journal_data_version(j);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		j->rows = sqlite3_column_int64(st, 0);
	journal_done(st);
	if (rc != SQLITE_ROW) {
		log_warnx("journal %s: count: %s", j->path,
		    sqlite3_errmsg(j->db));
		return -1;
	}
	j->rows_tx = 0;
	j->recount = 0;
	return 0;
}

/* The number of events, without a scan unless the count is unsure; -1. */
static int64_t
journal_rows(struct journal *j)
{
	if (sqlite3_get_autocommit(j->db) && (j->recount ||
	    journal_data_version(j) != j->data_version) &&
	    journal_count(j) == -1)
		return -1;
	return j->rows;
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
		return -1;
	}
	return 0;
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
		return sqlite3_bind_null(st, n);
	return sqlite3_bind_text(st, n, s, -1, SQLITE_TRANSIENT);
}

/* Binds an id where 0 means none. */
static int
journal_bind_id(sqlite3_stmt *st, int n, int64_t id)
{
	if (id == 0)
		return sqlite3_bind_null(st, n);
	return sqlite3_bind_int64(st, n, id);
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
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		xasprintf(cause, "%s: %s", j->path, sqlite3_errmsg(j->db));
		sqlite3_finalize(st);
		return -1;
	}
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return 0;
}

/*
 * Creates the file if needed with a mode of our choosing: SQLite gives its
 * WAL and shared-memory files the database's own mode, and the journal
 * holds temperatures, so it must not be world-readable whatever the umask.
 * An existing file is not opened: closing a descriptor of it would drop
 * every POSIX lock this process holds on it, those of the event loop's
 * connection too when the reload thread opens its own, and another
 * process (the sqlite3 tool) closing the journal would then take itself
 * for the last user and delete the WAL under the agent.
 */
static int
journal_create_file(const char *path, char **cause)
{
	struct stat	st;
	int		fd;

	if (stat(path, &st) == 0)
		return 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, JOURNAL_FILE_MODE);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
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
		return -1;
	}
	free(sql);
	if (from != 0)
		log_info("journal %s: schema upgraded from version %lld to %d",
		    j->path, (long long)from, JOURNAL_VERSION);
	return 0;
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
		return -1;
	if (app != 0 && app != JOURNAL_APP_ID) {
		xasprintf(cause, "%s: not a gated journal (application_id"
		    " %lld)", j->path, (long long)app);
		return -1;
	}
	if (version > JOURNAL_VERSION) {
		xasprintf(cause, "%s: journal schema version %lld is newer than"
		    " this gated understands (%d); use a newer gated",
		    j->path, (long long)version, JOURNAL_VERSION);
		return -1;
	}
	if (version == JOURNAL_VERSION)
		return 0;
	if (version == 0 && tables != 0) {
		xasprintf(cause, "%s: not a gated journal (tables but no schema"
		    " version)", j->path);
		return -1;
	}
	return journal_migrate(j, version, cause);
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
		return -1;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		xasprintf(cause, "%s: cannot use WAL mode (got %s)", j->path,
		    mode != NULL ? mode : "nothing");
		sqlite3_finalize(st);
		return -1;
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
		return -1;
	}
	free(sql);
	return 0;
}

/*
 * PRAGMA quick_check: a damaged file (pages overwritten, a torn copy)
 * otherwise opens fine and then fails every append, which denies every
 * card.  It reads the whole file: 0.9 s for 2,000,000 events (225 MB)
 * from the page cache here (tests/bench/bench-status, gate start).  0 when
 * sound, 1 when damaged, -1 when it could not be checked; *cause set
 * unless 0.
 */
static int
journal_integrity(struct journal *j, char **cause)
{
	sqlite3_stmt	*st = NULL;
	const char	*s;
	int		 rc, damaged;

	rc = sqlite3_prepare_v2(j->db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 0);
		damaged = s == NULL || strcmp(s, "ok") != 0;
		if (damaged) {
			/* One line: it goes to the log and an alert. */
			if (s != NULL && strncmp(s, "*** in database main ***",
			    24) == 0)
				s += 24;
			xasprintf(cause, "%s: quick_check: %s", j->path,
			    s != NULL ? s + strspn(s, " \n") : "no answer");
			(*cause)[strcspn(*cause, "\n")] = '\0';
		}
		sqlite3_finalize(st);
		return damaged;
	}
	/* Not an SQLite file at all (NOTADB) may be the wrong path: refused. */
	damaged = (rc & 0xff) == SQLITE_CORRUPT;
	xasprintf(cause, "%s: %s%s", j->path, damaged ? "quick_check: " : "",
	    sqlite3_errmsg(j->db));
	sqlite3_finalize(st);
	return damaged ? 1 : -1;
}

/*
 * Opens the file at j->path (creating it if needed) into j: checks it,
 * creates or checks the schema, prepares the statements, counts the events
 * and notes which file it is (journal_check).  0; 1 when the file is
 * damaged; -1 on other errors; *cause set unless 0.  The caller
 * disconnects on failure.
 */
static int
journal_connect(struct journal *j, char **cause)
{
	struct stat	 sb;
	char		*wal;
	int		 i, rc, flags;

	if (journal_create_file(j->path, cause) != 0)
		return -1;
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(j->path, &j->db, flags, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", j->path, j->db != NULL ?
		    sqlite3_errmsg(j->db) : "out of memory");
		return -1;
	}
	sqlite3_extended_result_codes(j->db, 1);
	sqlite3_busy_timeout(j->db, JOURNAL_BUSY_MS);
	if (sqlite3_db_readonly(j->db, "main") == 1) {
		xasprintf(cause, "%s: read-only (check its owner and mode)",
		    j->path);
		return -1;
	}
	if ((rc = journal_integrity(j, cause)) != 0)
		return rc;
	if (journal_schema_check(j, cause) != 0 ||
	    journal_configure(j, cause) != 0)
		return -1;

	for (i = 0; i < JS__COUNT; i++) {
		if (sqlite3_prepare_v3(j->db, journal_sql_text[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &j->stmt[i], NULL) !=
		    SQLITE_OK) {
			xasprintf(cause, "%s: %s: %s", j->path,
			    journal_sql_text[i], sqlite3_errmsg(j->db));
			return -1;
		}
	}
	if (journal_count(j) == -1) {
		xasprintf(cause, "%s: counting the events: %s", j->path,
		    sqlite3_errmsg(j->db));
		return -1;
	}
	sqlite3_update_hook(j->db, journal_row_hook, j);
	sqlite3_commit_hook(j->db, journal_commit_hook, j);
	sqlite3_rollback_hook(j->db, journal_rollback_hook, j);

	if (stat(j->path, &sb) == -1) {
		xasprintf(cause, "%s: %s", j->path, strerror(errno));
		return -1;
	}
	j->dev = sb.st_dev;
	j->ino = sb.st_ino;
	xasprintf(&wal, "%s-wal", j->path);
	j->wal_ino = stat(wal, &sb) == 0 ? sb.st_ino : 0;
	free(wal);
	j->gone = 0;
	return 0;
}

/*
 * Closes j's connection.  A file that vanished or is damaged is closed
 * without a checkpoint: SQLite would otherwise write into it and then
 * delete the WAL by its name, which may by now be another file's.
 */
static void
journal_disconnect(struct journal *j)
{
	int	i, on = 1;

	for (i = 0; i < JS__COUNT; i++) {
		sqlite3_finalize(j->stmt[i]);
		j->stmt[i] = NULL;
	}
	if (j->db == NULL)
		return;
	if (j->gone) {
		sqlite3_db_config(j->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
		    NULL);
		sqlite3_file_control(j->db, "main", SQLITE_FCNTL_PERSIST_WAL,
		    &on);
	} else if (sqlite3_db_readonly(j->db, "main") == 0 &&
	    sqlite3_wal_checkpoint_v2(j->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
	    NULL, NULL) != SQLITE_OK)
		journal_warn(j, "checkpoint");
	if (sqlite3_close(j->db) != SQLITE_OK)
		journal_warn(j, "close");
	j->db = NULL;
}

/* One sequence (the highest id handed out) of a table, -1 if unreadable. */
static int64_t
journal_seq(struct journal *j, const char *table)
{
	sqlite3_stmt	*st;
	int64_t		 seq = -1;
	int		 rc;

	if (sqlite3_prepare_v2(j->db, "SELECT coalesce(max(seq), 0) FROM"
	    " sqlite_sequence WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	journal_bind_text(st, 1, table);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return seq;
}

/*
 * What a new file takes over from the one it replaces, read while the old
 * connection still can: the id sequences, so that an id is never handed out
 * twice (a client paging with ?after=ID would miss rows), the alerts
 * still active, which stay active until a person acknowledges them, and
 * the state (mode, level, retention's horizon).
 */
struct journal_carry {
	int64_t	 events_seq;
	int64_t	 alerts_seq;
	json_t	*alerts;
	json_t	*state;
};

static void
journal_carry_read(struct journal *j, struct journal_carry *c)
{
	sqlite3_stmt	*st;
	const char	*s;

	c->events_seq = journal_seq(j, "events");
	c->alerts_seq = journal_seq(j, "alerts");
	c->alerts = json_array();
	c->state = json_object();
	if (sqlite3_prepare_v2(j->db, "SELECT key, value FROM state", -1, &st,
	    NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			if (sqlite3_column_text(st, 0) != NULL &&
			    sqlite3_column_text(st, 1) != NULL)
				json_object_set_new(c->state, (const char *)
				    sqlite3_column_text(st, 0), json_string(
				    (const char *)sqlite3_column_text(st, 1)));
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(j->db, "SELECT id, kind, lane, detail,"
	    " raised_ms, subject, count, last_ms FROM alerts WHERE acked_ms"
	    " IS NULL ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		s = (const char *)sqlite3_column_text(st, 1);
		if (s == NULL)
			continue;
		json_array_append_new(c->alerts, json_pack("{s:I, s:s, s:s?,"
		    " s:s?, s:I, s:s?, s:I, s:I}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "kind", s, "lane", sqlite3_column_text(st, 2),
		    "detail", sqlite3_column_text(st, 3),
		    "raised_ms", (json_int_t)sqlite3_column_int64(st, 4),
		    "subject", sqlite3_column_text(st, 5),
		    "count", (json_int_t)sqlite3_column_int64(st, 6),
		    "last_ms", (json_int_t)sqlite3_column_int64(st, 7)));
	}
	sqlite3_finalize(st);
}

/* Writes what journal_carry_read kept into the new file; 0 or -1. */
static int
journal_carry_write(struct journal *j, struct journal_carry *c)
{
	sqlite3_stmt	*st = NULL;
	json_t		*a;
	const char	*key;
	char		*had;
	size_t		 i;
	int		 rc = SQLITE_DONE;

	if (journal_exec(j, JS_BEGIN) != 0)
		return -1;
	json_object_foreach(c->state, key, a) {
		if ((had = journal_state_get(j, key)) != NULL) {
			free(had);	/* the file found at the path has its own */
			continue;
		}
		if (journal_state_set(j, key, json_string_value(a)) == -1)
			goto fail;
	}
	if (sqlite3_prepare_v2(j->db, "INSERT INTO alerts (id, kind, lane,"
	    " detail, raised_ms, subject, count, last_ms) VALUES (?1, ?2, ?3,"
	    " ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	json_array_foreach(c->alerts, i, a) {
		sqlite3_bind_int64(st, 1, json_integer_value(json_object_get(a,
		    "id")));
		journal_bind_text(st, 2, json_string_value(json_object_get(a,
		    "kind")));
		journal_bind_text(st, 3, json_string_value(json_object_get(a,
		    "lane")));
		journal_bind_text(st, 4, json_string_value(json_object_get(a,
		    "detail")));
		sqlite3_bind_int64(st, 5, json_integer_value(json_object_get(a,
		    "raised_ms")));
		journal_bind_text(st, 6, json_string_value(json_object_get(a,
		    "subject")));
		sqlite3_bind_int64(st, 7, json_integer_value(json_object_get(a,
		    "count")));
		sqlite3_bind_int64(st, 8, json_integer_value(json_object_get(a,
		    "last_ms")));
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE && (rc & 0xff) != SQLITE_CONSTRAINT)
			goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (journal_delete(j, "DELETE FROM sqlite_sequence WHERE name ="
	    " 'events' AND seq < ?1", c->events_seq, 0) == -1 ||
	    journal_delete(j, "INSERT INTO sqlite_sequence (name, seq) SELECT"
	    " 'events', ?1 WHERE ?1 > 0 AND NOT EXISTS (SELECT 1 FROM"
	    " sqlite_sequence WHERE name = 'events')", c->events_seq, 0) ==
	    -1 ||
	    journal_delete(j, "UPDATE sqlite_sequence SET seq = ?1 WHERE"
	    " name = 'alerts' AND seq < ?1", c->alerts_seq, 0) == -1 ||
	    journal_delete(j, "INSERT INTO sqlite_sequence (name, seq) SELECT"
	    " 'alerts', ?1 WHERE ?1 > 0 AND NOT EXISTS (SELECT 1 FROM"
	    " sqlite_sequence WHERE name = 'alerts')", c->alerts_seq, 0) ==
	    -1 ||
	    journal_exec(j, JS_COMMIT) != 0)
		goto fail;
	return 0;

fail:
	journal_warn(j, "carrying ids and alerts over");
	sqlite3_finalize(st);
	journal_rollback(j);
	return -1;
}

/*
 * Moves a damaged file (and its WAL) aside as PATH.corrupt-<UTC time>,
 * kept as evidence; the shared-memory index goes.  0 or -1 with *cause.
 */
static int
journal_set_aside(struct journal *j, char **aside, char **cause)
{
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 stamp[32], *from, *to;
	int		 n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	for (n = 1; ; n++) {
		if (n == 1)
			xasprintf(aside, "%s.corrupt-%s", j->path, stamp);
		else
			xasprintf(aside, "%s.corrupt-%s-%d", j->path, stamp, n);
		if (access(*aside, F_OK) == -1 || n == 100)
			break;
		free(*aside);
	}
	if (rename(j->path, *aside) == -1) {
		xasprintf(cause, "%s: cannot move the damaged journal aside: %s",
		    j->path, strerror(errno));
		free(*aside);
		*aside = NULL;
		return -1;
	}
	xasprintf(&from, "%s-wal", j->path);
	xasprintf(&to, "%s-wal", *aside);
	if (rename(from, to) == -1 && errno != ENOENT)
		log_warn("journal %s: moving the WAL aside", from);
	free(from);
	free(to);
	xasprintf(&from, "%s-shm", j->path);
	if (unlink(from) == -1 && errno != ENOENT)
		log_warn("journal %s", from);
	free(from);
	return 0;
}

/*
 * Opens (creating if needed) the journal at path.  A damaged file is moved
 * aside and a new journal started, which journal_incident() then says.  On
 * failure returns NULL and a malloc'd "path: what went wrong" in *cause,
 * which the caller frees.
 */
struct journal *
journal_open(const char *path, const struct journal_limits *limits,
    char **cause)
{
	struct journal		*j;
	struct journal_carry	 carry;
	char			*aside = NULL, *why;
	int			 rc;

	*cause = NULL;
	j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	j->last_ts_ms = -1;
	if (limits != NULL)
		j->limits = *limits;

	if ((rc = journal_connect(j, cause)) == 1) {
		log_errorx("journal %s is damaged, moving it aside and "
		    "starting a new one: %s", path, *cause);
		why = *cause;
		*cause = NULL;
		journal_carry_read(j, &carry);
		j->gone = 1;
		journal_disconnect(j);
		if (journal_set_aside(j, &aside, cause) == 0) {
			xasprintf(&j->incident, "the journal failed its"
			    " integrity check (%s) and was moved to %s; a new"
			    " journal starts here", why, aside);
			if ((rc = journal_connect(j, cause)) == 0)
				journal_carry_write(j, &carry);
		} else
			rc = -1;
		free(aside);
		free(why);
		json_decref(carry.alerts);
		json_decref(carry.state);
	}
	if (rc != 0)
		goto fail;
	return j;

fail:
	journal_close(j);
	return NULL;
}

/*
 * Whether the file open is still the one at the path, with its WAL: an
 * operator's `rm journal.db*` leaves SQLite writing into deleted files, so
 * that every event after it would be lost at the next start.  0, or -1
 * (logged once) when the file or its WAL was removed or replaced.
 */
int
journal_check(struct journal *j)
{
	struct stat	 sb;
	char		*wal, why[128];

	why[0] = '\0';
	if (stat(j->path, &sb) == -1)
		snprintf(why, sizeof why, "%s", strerror(errno));
	else if (sb.st_dev != j->dev || sb.st_ino != j->ino)
		snprintf(why, sizeof why, "replaced by another file");
	else {
		xasprintf(&wal, "%s-wal", j->path);
		if (stat(wal, &sb) == -1) {
			if (j->wal_ino != 0)
				snprintf(why, sizeof why, "its WAL: %s",
				    strerror(errno));
		} else if (j->wal_ino == 0)
			j->wal_ino = sb.st_ino;
		else if (sb.st_ino != j->wal_ino)
			snprintf(why, sizeof why, "its WAL was replaced");
		free(wal);
	}
	if (why[0] == '\0')
		return 0;
	if (!j->gone)
		log_errorx("journal %s vanished while open (%s): "
		    "nothing is acknowledged until a new one is open",
		    j->path, why);
	j->gone = 1;
	return -1;
}

/*
 * After journal_check() failed: opens the file now at the path (a new one
 * when there is none), carrying over the id sequences and the active
 * alerts.  The old connection stays until the new one is open, so a
 * failure leaves the journal as it was (gone: every append fails).  0, or
 * -1 with *cause.
 */
int
journal_reopen(struct journal *j, char **cause)
{
	struct journal		*nj, old;
	struct journal_carry	 carry;
	int			 rc;

	*cause = NULL;
	nj = xcalloc(1, sizeof *nj);
	nj->path = xstrdup(j->path);
	nj->limits = j->limits;
	if ((rc = journal_connect(nj, cause)) != 0) {
		nj->gone = rc == 1;
		journal_close(nj);
		return -1;
	}
	journal_carry_read(j, &carry);
	journal_carry_write(nj, &carry);
	json_decref(carry.alerts);
	json_decref(carry.state);

	/* The new connection takes j's place; its hooks must follow. */
	old = *j;
	*j = *nj;
	j->incident = old.incident;
	j->horizon_ms = 0;
	j->mono_ms = old.mono_ms;
	j->last_ts_ms = old.last_ts_ms;	/* time never goes back, even here */
	j->clock_behind = old.clock_behind;
	sqlite3_update_hook(j->db, journal_row_hook, j);
	sqlite3_commit_hook(j->db, journal_commit_hook, j);
	sqlite3_rollback_hook(j->db, journal_rollback_hook, j);
	free(j->incident);
	xasprintf(&j->incident, "the journal file vanished while open"
	    " (removed or replaced); events journaled since then are lost;"
	    " a new journal starts here");
	*nj = old;
	nj->incident = NULL;
	journal_close(nj);
	log_warnx("journal %s: a new journal is open", j->path);
	return 0;
}

/* What happened to the previous file at the last open or reopen, or NULL. */
const char *
journal_incident(struct journal *j)
{
	return j->incident;
}

/* Finalises the statements, folds the WAL back into the database, closes. */
void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->db != NULL && j->ino != 0 && !j->gone)
		journal_check(j);	/* a vanished file gets no checkpoint */
	journal_disconnect(j);
	free(j->incident);
	free(j->path);
	free(j);
}

/* For journal-report.c, which reads through the same connection. */
struct sqlite3 *
journal_db(struct journal *j)
{
	return j->db;
}

#define JOURNAL_CLOCK_STEP_MS	1000	/* a step back worth a "clock" row */

static int64_t	journal_insert(struct journal *, struct journal_event *);
static int64_t	journal_query_int(struct journal *, const char *, int64_t);

/*
 * Keeps the journal's time from going backwards.  A Pi without a
 * real-time clock starts at the last saved time and NTP may later step
 * it back; rows stamped before older ones would make "what happened
 * before what" a lie.  An event older than the newest row takes the
 * newest row's time, and the first such event after a jump is preceded by
 * a "clock" row saying by how much the wall clock went back.  Once the
 * clock has caught up, stamps are the clock's again.
 */
static void
journal_stamp(struct journal *j, struct journal_event *ev)
{
	struct journal_event	 note;
	char			 detail[128];
	int64_t			 behind;

	if (j->last_ts_ms < 0)
		j->last_ts_ms = journal_query_int(j,
		    "SELECT coalesce(max(ts_ms), 0) FROM events", 0);
	if (ev->ts_ms >= j->last_ts_ms) {
		j->clock_behind = 0;
		j->last_ts_ms = ev->ts_ms;
		return;
	}
	behind = j->last_ts_ms - ev->ts_ms;
	ev->ts_ms = j->last_ts_ms;
	/* Events stamped a moment apart may arrive a moment out of order
	 * (an edge's kernel time); only a real step is worth a row. */
	if (j->clock_behind || behind < JOURNAL_CLOCK_STEP_MS)
		return;
	memset(&note, 0, sizeof note);
	note.ts_ms = j->last_ts_ms;
	note.kind = "clock";
	note.reason = "clock-back";
	note.actor = "gated";
	snprintf(detail, sizeof detail, "the wall clock went back %lld ms;"
	    " rows keep the newest time until it catches up",
	    (long long)behind);
	note.detail = detail;
	log_warnx("journal %s: %s", j->path, detail);
	journal_insert(j, &note);
	j->clock_behind = 1;	/* after: the note's own stamp clears it */
}

/* Inserts one event in the current transaction (or its own); id or -1. */
static int64_t
journal_insert(struct journal *j, struct journal_event *ev)
{
	sqlite3_stmt	*st = j->stmt[JS_APPEND];
	int		 rc;

	if (ev->kind == NULL) {
		log_warnx("journal %s: event without a kind", j->path);
		return -1;
	}
	journal_stamp(j, ev);
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
		return -1;
	}
	ev->id = sqlite3_last_insert_rowid(j->db);
	return ev->id;
}

/*
 * Appends one event.  Outside a transaction the insert is its own commit,
 * and with synchronous=FULL the WAL is on the disk when this returns.
 */
int64_t
journal_append(struct journal *j, struct journal_event *ev)
{
	if (journal_insert(j, ev) == -1)
		return -1;
	/* Not acknowledged when it went into a file that is gone. */
	if (journal_check(j) != 0)
		return -1;
	return ev->id;
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
		return -1;

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
	return alert_id;

fail:
	journal_rollback(j);
	return -1;
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
		return -1;
	}
	return 0;
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
		return -1;

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
		return 1;
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
	return 0;

fail:
	journal_rollback(j);
	free(kind);
	free(lane);
	return -1;
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
		return -1;
	}
	return 0;
}

/*
 * Appends one event and sets persisted keys in one transaction: both are
 * on the disk, or neither.  A change of state (the mode, the level) is
 * then never journaled without being remembered, or the reverse.  The
 * event id, or -1 with nothing written.
 */
int64_t
journal_append_state(struct journal *j, struct journal_event *ev,
    const struct journal_state *kv, int n)
{
	int	i;

	if (journal_exec(j, JS_BEGIN) != 0)
		return -1;
	if (journal_insert(j, ev) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		if (journal_state_set(j, kv[i].key, kv[i].value) != 0)
			goto fail;
	}
	if (journal_exec(j, JS_COMMIT) != 0)
		goto fail;
	return ev->id;

fail:
	journal_rollback(j);
	return -1;
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
	return value;
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
	return id;
}

/* Runs one query that answers a single integer; -1 on error (logged). */
static int64_t
journal_query_int(struct journal *j, const char *sql, int64_t arg)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, sql);
		return -1;
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		journal_warn(j, sql);
	sqlite3_finalize(st);
	return n;
}

/*
 * Runs one DELETE (or UPDATE) with up to two integer parameters; rows
 * changed or -1.
 */
static long
journal_delete(struct journal *j, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, "prune");
		return -1;
	}
	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "prune");
		return -1;
	}
	return (long)sqlite3_changes(j->db);
}

/*
 * The time retention measures age against: min(now, the newest event's
 * time), but moving forward no faster than the monotonic clock, which no
 * one can set: a wall clock that jumps days ahead (or an event stamped by
 * it) must not age the whole journal at once.  Kept in the state table so
 * that a restart does not reset it; a value before JOURNAL_CLOCK_FLOOR_MS
 * was taken from an unset clock and is replaced.  0 or -1 (logged).
 */
static int
journal_horizon(struct journal *j, int64_t now_ms, int64_t mono_ms)
{
	sqlite3_stmt	*st;
	int64_t		 newest = now_ms, target, step = 0, old;
	char		*s, num[32];
	int		 rc;

	if (j->horizon_ms == 0 && (s = journal_state_get(j,
	    "retention_ms")) != NULL) {
		j->horizon_ms = strtoll(s, NULL, 10);
		free(s);
	}
	if (sqlite3_prepare_v2(j->db, "SELECT ts_ms FROM events ORDER BY id"
	    " DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, "prune");
		return -1;
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		newest = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		journal_warn(j, "prune");
		return -1;
	}
	target = newest < now_ms ? newest : now_ms;
	if (j->mono_ms > 0 && mono_ms > j->mono_ms)
		step = mono_ms - j->mono_ms;
	j->mono_ms = mono_ms;

	old = j->horizon_ms;
	if (j->horizon_ms < JOURNAL_CLOCK_FLOOR_MS)
		j->horizon_ms = target;
	else if (target > j->horizon_ms)
		j->horizon_ms = target < j->horizon_ms + step ? target :
		    j->horizon_ms + step;
	if (target - j->horizon_ms > JOURNAL_CLOCK_SLACK_MS) {
		if (!j->clock_warned)
			log_warnx("journal %s: the clock is %lld s ahead of the"
			    " time retention has seen pass (a jump, or gated"
			    " was stopped): old events are kept that much"
			    " longer", j->path,
			    (long long)((target - j->horizon_ms) / 1000));
		j->clock_warned = 1;
	} else
		j->clock_warned = 0;
	if (j->horizon_ms == old)
		return 0;
	snprintf(num, sizeof num, "%lld", (long long)j->horizon_ms);
	return journal_state_set(j, "retention_ms", num);
}

/*
 * The id of the last event that age alone lets go: events leave oldest id
 * first, and the first one (of those sql walks, from id after on) not
 * older than cutoff stops the walk.  So an event stamped by a clock set
 * back years is not older than the events journaled before it.  sql
 * selects id, ts_ms with ?1 the batch and ?2 the id to start after.  0 for
 * none, -1 on error.  Looks at one batch of rows at most.
 */
static int64_t
journal_age_bound(struct journal *j, const char *sql, int64_t after,
    int64_t cutoff)
{
	sqlite3_stmt	*st;
	int64_t		 last = 0;
	int		 rc;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, "prune");
		return -1;
	}
	sqlite3_bind_int(st, 1, JOURNAL_PRUNE_BATCH);
	sqlite3_bind_int64(st, 2, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_int64(st, 1) < cutoff)
		last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		journal_warn(j, "prune");
		return -1;
	}
	return last;
}

/*
 * One fever alert's text, from id after on up to bound: its id and a copy
 * of its detail, 0 when there is none left, -1 on error.
 */
static int64_t
journal_fever_text(struct journal *j, int64_t after, int64_t bound,
    char **text)
{
	sqlite3_stmt	*st;
	int64_t		 id = 0;
	int		 rc;

	*text = NULL;
	if (sqlite3_prepare_v2(j->db, "SELECT id, detail FROM events WHERE"
	    " id > ?1 AND id <= ?2 AND kind = 'alert' AND reason = 'fever'"
	    " AND detail LIKE '% C' ORDER BY id LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK) {
		journal_warn(j, "prune");
		return -1;
	}
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int64(st, 2, bound);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		*text = xstrdup((const char *)sqlite3_column_text(st, 1));
	} else if (rc != SQLITE_DONE) {
		journal_warn(j, "prune");
		id = -1;
	}
	sqlite3_finalize(st);
	return id;
}

/* Sets the detail of a row of sql (?1 the id, ?2 the text); 0 or -1. */
static int
journal_set_text(struct journal *j, const char *sql, int64_t id,
    const char *text)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		journal_warn(j, "prune");
		return -1;
	}
	sqlite3_bind_int64(st, 1, id);
	journal_bind_text(st, 2, text);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		journal_warn(j, "prune");
		return -1;
	}
	return 0;
}

/*
 * A fever alert's text repeats the reading ("person P-1 card 4711 38.2 C",
 * passage.c): it leaves the event and the alert's row with the reading,
 * the rest of the text stays.  Rows after < id <= bound; 0 or -1.
 */
static int
journal_clear_fever_texts(struct journal *j, int64_t after, int64_t bound)
{
	char	*text, *p;
	int64_t	 id = after;
	int	 i, rc = 0;

	while (rc == 0 && (id = journal_fever_text(j, id, bound, &text)) > 0) {
		for (i = 0; i < 2 && (p = strrchr(text, ' ')) != NULL; i++)
			*p = '\0';	/* " 38.2", " C" */
		if (journal_set_text(j, "UPDATE events SET detail = ?2 WHERE"
		    " id = ?1", id, text) != 0 || journal_set_text(j, "UPDATE"
		    " alerts SET detail = ?2 WHERE raise_event = ?1", id,
		    text) != 0)
			rc = -1;
		free(text);
	}
	return id == -1 ? -1 : rc;
}

/*
 * Temperature retention: a reading older than temp_ms is removed from its
 * row (temp_centi NULL, and a fever alert's text), the passage stays.
 * Age is measured against the same horizon as the events' and in id
 * order, so a clock that jumps erases no reading early.  The state key "temp_cleared_id" remembers how
 * far the walk has gone, so that each call looks at new rows only.  At
 * most one batch; readings cleared, or -1.
 */
static long
journal_clear_temps(struct journal *j)
{
	int64_t	 after = 0, bound;
	char	*s, num[32];
	long	 n;

	if ((s = journal_state_get(j, "temp_cleared_id")) != NULL) {
		after = strtoll(s, NULL, 10);
		free(s);
	}
	bound = journal_age_bound(j, "SELECT id, ts_ms FROM events WHERE"
	    " id > ?2 ORDER BY id LIMIT ?1", after,
	    j->horizon_ms - j->limits.temp_ms);
	if (bound <= 0)
		return bound;
	n = journal_delete(j, "UPDATE events SET temp_centi = NULL WHERE"
	    " id > ?1 AND id <= ?2 AND temp_centi IS NOT NULL", after, bound);
	if (n == -1 || journal_clear_fever_texts(j, after, bound) == -1)
		return -1;
	snprintf(num, sizeof num, "%lld", (long long)bound);
	if (journal_state_set(j, "temp_cleared_id", num) != 0)
		return -1;
	return n;
}

/*
 * Retention: deletes events older than max_days, then the oldest beyond
 * max_rows, at most JOURNAL_PRUNE_BATCH rows per call so that one call
 * never holds the event loop long (the agent calls it from a timer until
 * it returns less than a batch).  Age is measured against
 * journal_horizon(), not now_ms alone, and only ever takes the oldest ids
 * (journal_age_bound): a clock that jumps either way deletes nothing the
 * journal's own history does not justify.  mono_ms is a monotonic clock
 * reading.  The events of an alert still active are kept whatever their
 * age.  Temperatures older than temp_ms leave their rows
 * (journal_clear_temps, not counted).  Acknowledged alerts whose events
 * are all gone go too (not counted).  One transaction, one sync.
 */
long
journal_prune(struct journal *j, int64_t now_ms, int64_t mono_ms)
{
	int64_t	 rows, bound;
	long	 n, deleted = 0, cleared = 0;

	if (journal_rows(j) == -1 || journal_exec(j, JS_BEGIN) != 0)
		return -1;

	if ((j->limits.max_days > 0 || j->limits.temp_ms > 0) &&
	    journal_horizon(j, now_ms, mono_ms) == -1)
		goto fail;
	if (j->limits.max_days > 0) {
		if ((bound = journal_age_bound(j, "SELECT id, ts_ms FROM events"
		    " WHERE id > ?2 AND " JOURNAL_UNPROTECTED " ORDER BY id"
		    " LIMIT ?1", 0, j->horizon_ms -
		    (int64_t)j->limits.max_days * 86400000)) == -1)
			goto fail;
		n = journal_delete(j, "DELETE FROM events WHERE id <= ?1 AND "
		    JOURNAL_UNPROTECTED, bound, 0);
		if (n == -1)
			goto fail;
		deleted += n;
	}
	if (j->limits.max_rows > 0 && deleted < JOURNAL_PRUNE_BATCH) {
		rows = j->rows + j->rows_tx;
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
	if (j->limits.temp_ms > 0 && (cleared = journal_clear_temps(j)) == -1)
		goto fail;
	if (journal_delete(j, "DELETE FROM alerts WHERE"
	    " acked_ms IS NOT NULL AND NOT EXISTS"
	    " (SELECT 1 FROM events WHERE events.alert_id = alerts.id)",
	    0, 0) == -1)
		goto fail;

	if (journal_exec(j, JS_COMMIT) != 0)
		goto fail;
	if (deleted > 0 || cleared > 0)
		log_debug("%s: pruned %ld events, %ld readings", __func__,
		    deleted, cleared);
	return deleted;

fail:
	journal_rollback(j);
	return -1;
}

/* Size of one file, 0 when it does not exist (a WAL after close). */
static int64_t
journal_file_size(const char *path)
{
	struct stat	sb;

	if (stat(path, &sb) == -1)
		return 0;
	return (int64_t)sb.st_size;
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

	rows = journal_rows(j);
	first = journal_query_int(j, "SELECT coalesce(min(id), 0) FROM events",
	    0);
	last = journal_last_id(j);
	if (rows == -1 || first == -1 || last == -1)
		return NULL;

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
	return o;
}
