/*
 * office.c: what the campus report and contact tracing share: numbers as
 * the text parameters of db.h, and the hub_journal row that records who
 * looked at whom, written before the answer leaves.
 */
#include <inttypes.h>
#include <stdio.h>

#include "office.h"

const char *
office_int(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

/*
 * hub_journal's next id is MAX+1 in the same statement, so two writers
 * cannot take the same one without one of them failing on the key.  The
 * cast: PostgreSQL types a parameter in a SELECT list as text.
 */
static const char sql_journal_add[] =
    "INSERT INTO hub_journal (id, ts_ms, kind, actor, reason, detail)"
    " SELECT COALESCE(MAX(id), 0) + 1, CAST(? AS BIGINT), ?, ?, ?, ?"
    " FROM hub_journal";

int
office_journal(struct db *db, int64_t ts_ms, const char *kind,
    const char *actor, const char *reason, const char *detail)
{
	const char	*p[5];
	char		 ts[24];

	p[0] = office_int(ts, ts_ms);
	p[1] = kind;
	p[2] = actor;
	p[3] = reason;
	p[4] = detail;
	if (db_begin(db) == -1)
		return -1;
	if (db_exec(db, sql_journal_add, 5, p) == -1 || db_commit(db) == -1) {
		db_rollback(db);
		return -1;
	}
	return 0;
}
