/*
 * schema.c: the campus journal's tables, the one place they are written
 * down, for both backends (portable SQL only: BIGINT, TEXT, REAL, no
 * AUTOINCREMENT or SERIAL; an id the hub makes comes from MAX+1 in the
 * same transaction).  db_open runs them (db.c): every statement is
 * idempotent, and the schema_version row says which schema a database
 * has, so a later version can add what it needs in order.
 */
#include <stddef.h>

#include "db-int.h"

const int hub_schema_version = 1;

const char *const hub_schema[] = {
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version BIGINT NOT NULL)",
	/*
	 * One row per gate event.  The columns follow the keys of the
	 * gate's events topic (docs/mqtt.md, the rows of /v1/events; temp
	 * is temp_c here); body is the message exactly as published.  lane
	 * is the lane's name, as the gate has it.
	 */
	"CREATE TABLE IF NOT EXISTS events ("
	" gate TEXT NOT NULL,"
	" id BIGINT NOT NULL,"
	" ts_ms BIGINT NOT NULL,"
	" kind TEXT NOT NULL,"
	" lane TEXT,"
	" direction TEXT,"
	" person TEXT,"
	" category TEXT,"
	" zone TEXT,"
	" verdict TEXT,"
	" reason TEXT,"
	" temp_c REAL,"
	" actor TEXT,"
	" alert_id BIGINT,"
	" detail TEXT,"
	" body TEXT NOT NULL,"
	" PRIMARY KEY (gate, id))",
	"CREATE INDEX IF NOT EXISTS events_person ON events (person, ts_ms)",
	/*
	 * Contact tracing's (hub/contacts.c): one range scan per passage,
	 * covering, so that the rows of a busy lane's 20 minutes are read
	 * from the index alone (a third less CPU over 10,000,000 events).
	 */
	"CREATE INDEX IF NOT EXISTS events_lane ON events"
	" (gate, lane, ts_ms, kind, person, direction)",
	/* The campus report's: a day of 60 is read, not all 60 (h-hubq). */
	"CREATE INDEX IF NOT EXISTS events_ts ON events (ts_ms)",
	/*
	 * Each gate as the hub last heard it: contiguous is the id up to
	 * which every event is in events, max_id the highest one seen; a
	 * gap is max_id > contiguous.
	 */
	"CREATE TABLE IF NOT EXISTS gates ("
	" gate TEXT PRIMARY KEY,"
	" online INTEGER NOT NULL DEFAULT 0,"
	" state TEXT,"
	" last_seen_ms BIGINT,"
	" contiguous BIGINT NOT NULL DEFAULT 0,"
	" max_id BIGINT NOT NULL DEFAULT 0)",
	/*
	 * The hub's own record: contact queries, exports, people pushes,
	 * alert acknowledgements, webhook attempts; id is MAX+1.
	 */
	"CREATE TABLE IF NOT EXISTS hub_journal ("
	" id BIGINT PRIMARY KEY,"
	" ts_ms BIGINT NOT NULL,"
	" kind TEXT NOT NULL,"
	" actor TEXT,"
	" reason TEXT,"
	" detail TEXT)",
	"CREATE INDEX IF NOT EXISTS hub_journal_kind ON hub_journal (kind, ts_ms)",
	/*
	 * The campus's alerts: a gate's (id = the gate's alert_id, source
	 * 'gate') and the hub's own (source 'hub': a gap in a gate's
	 * events, id = minus the first missing event id).  Active while
	 * acked_ms and cleared_ms are NULL.
	 */
	"CREATE TABLE IF NOT EXISTS alerts ("
	" gate TEXT NOT NULL,"
	" id BIGINT NOT NULL,"
	" source TEXT NOT NULL,"
	" event_id BIGINT,"
	" ts_ms BIGINT NOT NULL,"
	" lane TEXT,"
	" reason TEXT,"
	" detail TEXT,"
	" acked_by TEXT,"
	" acked_ms BIGINT,"
	" ack_reason TEXT,"
	" cleared_ms BIGINT,"
	" PRIMARY KEY (gate, id))",
	/*
	 * The campus people list, each version the hub signed and pushed
	 * (hub/people.c): version is the command's seq, csv the list whole.
	 */
	"CREATE TABLE IF NOT EXISTS people ("
	" version BIGINT PRIMARY KEY,"
	" sha256 TEXT NOT NULL,"
	" csv TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" reason TEXT NOT NULL,"
	" ts_ms BIGINT NOT NULL)",
	NULL
};
