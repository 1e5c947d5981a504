/*
 * office.c: what the campus report and contact tracing share: times
 * named in local time as the gates name them, text from the database made
 * safe for JSON, and the hub_journal row that records who looked at
 * whom, written before the answer leaves.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "office.h"
#include "xmalloc.h"

/* Local time with its offset, the shape of a gate's "time". */
json_t *
office_time(int64_t ts_ms)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[64];

	t = (time_t)(ts_ms >= 0 ? ts_ms / 1000 : (ts_ms - 999) / 1000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		return json_null();
	return json_string(buf);
}

/*
 * Text from the database as a JSON string.  What a gate sent may be
 * anything and jansson refuses invalid UTF-8, so the bytes it refuses
 * become '?' rather than the field going missing.
 */
json_t *
office_string(const char *s)
{
	json_t	*v;
	char	*copy, *p;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	v = json_string(copy);
	free(copy);
	return v;
}

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
