/*
 * journal.c: the hub's own record, hub_journal: who acknowledged which
 * alert and why, each webhook attempt, and (other files') contact
 * queries, exports and people pushes.  Ids are MAX+1 in the statement
 * itself: portable, and the hub is the table's one writer.
 */
#include <stdio.h>

#include "clock.h"
#include "hub.h"

static const char sql_journal[] =
    "INSERT INTO hub_journal (id, ts_ms, kind, actor, reason, detail) "
    "SELECT COALESCE(MAX(id), 0) + 1, ?, ?, ?, ?, ? FROM hub_journal";

int
hub_journal(struct db *db, const char *kind, const char *actor,
    const char *reason, const char *detail)
{
	const char	*p[5];
	char		 now[24];

	snprintf(now, sizeof now, "%lld", (long long)wall_ms());
	p[0] = now;
	p[1] = kind;
	p[2] = actor;
	p[3] = reason;
	p[4] = detail;
	return db_exec(db, sql_journal, 5, p);
}
