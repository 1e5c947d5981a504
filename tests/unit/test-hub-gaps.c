/*
 * test-hub-gaps.c: hub/gaps.c on a real database (HUB_DB_URL, default a
 * temp SQLite file): ids out of order move contiguous only over what is
 * there, duplicates change nothing, the missing count, the gates row
 * written at the settle, and a fresh start (gaps_reset) reloading a
 * gate's state, holes included, from the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "db.h"
#include "hub.h"
#include "unit.h"

static const char sql_ev[] =
    "INSERT INTO events (gate, id, ts_ms, kind, body) VALUES (?, ?, 1, "
    "'passage', '{}') ON CONFLICT (gate, id) DO NOTHING";
static const char sql_gate[] =
    "INSERT INTO gates (gate, online, contiguous, max_id) VALUES (?, 0, 0, "
    "0) ON CONFLICT (gate) DO NOTHING";
static const char sql_row[] =
    "SELECT contiguous, max_id FROM gates WHERE gate = ?";

/* An event stored, as ingest.c does: the row, then gaps_seen. */
static int
seen(struct hub *hub, const char *gate, long long id)
{
	const char	*p[2] = { gate, NULL };
	char		 buf[24];

	snprintf(buf, sizeof buf, "%lld", id);
	p[1] = buf;
	if (db_exec(hub->db, sql_gate, 1, p) == -1 ||
	    db_exec(hub->db, sql_ev, 2, p) == -1)
		return -1;
	return gaps_seen(hub->gaps, gate, id);
}

static int
row_cb(void *arg, int ncol, const char *const *v)
{
	if (ncol == 2)
		snprintf(arg, 64, "%s|%s", v[0], v[1]);
	return 1;
}

static const char *
row(struct hub *hub, const char *gate)
{
	static char	 buf[64];
	const char	*p[1] = { gate };

	buf[0] = '\0';
	db_query(hub->db, sql_row, 1, p, row_cb, buf);
	return buf;
}

int
main(void)
{
	char		 err[512], tmpl[] = "/tmp/test-hub-gaps.XXXXXX", url[600];
	const char	*env = getenv("HUB_DB_URL");
	struct hub_conf	 hc;
	struct hub	 hub;
	json_t		*st;
	int		 fd = -1;
	long long	 i;

	if (env == NULL || *env == '\0') {
		if ((fd = mkstemp(tmpl)) == -1)
			return 1;
		snprintf(url, sizeof url, "sqlite:%s", tmpl);
	} else
		snprintf(url, sizeof url, "%s", env);
	memset(&hc, 0, sizeof hc);
	memset(&hub, 0, sizeof hub);
	hub.conf = &hc;
	hub.base = event_base_new();
	if ((hub.db = db_open(url, err, sizeof err)) == NULL) {
		check(0, "db_open: %s", err);
		return check_done();
	}
	hub.gaps = gaps_new(&hub);
	hub.alerts = alerts_new(&hub);

	for (i = 1; i <= 3; i++)
		seen(&hub, "north", i);
	check(gaps_missing(hub.gaps, "north") == 0, "1..3: nothing missing");
	seen(&hub, "north", 6);
	seen(&hub, "north", 8);
	check(gaps_missing(hub.gaps, "north") == 3,
	    "6 and 8 after 3: 4, 5, 7 missing (%lld)",
	    gaps_missing(hub.gaps, "north"));
	st = gaps_status(hub.gaps);
	check(json_array_size(st) == 1 && json_integer_value(json_object_get(
	    json_array_get(st, 0), "contiguous")) == 3 &&
	    json_integer_value(json_object_get(json_array_get(st, 0),
	    "max_id")) == 8, "status: north contiguous 3, max_id 8");
	json_decref(st);
	seen(&hub, "north", 6);
	check(gaps_missing(hub.gaps, "north") == 3, "a duplicate changes nothing");
	check(gaps_settle(hub.gaps) == 0 && strcmp(row(&hub, "north"),
	    "3|8") == 0, "settled: the gates row says 3|8 (%s)",
	    row(&hub, "north"));
	check(!gaps_due(hub.gaps), "a new hole is not due before its grace");

	/* A fresh start: the state comes back from the database. */
	gaps_reset(hub.gaps);
	check(!gaps_known(hub.gaps, "north"), "after a reset north is unknown");
	seen(&hub, "north", 4);
	check(gaps_known(hub.gaps, "north") &&
	    gaps_missing(hub.gaps, "north") == 2,
	    "reloaded: 4 fills one, 5 and 7 still missing (%lld)",
	    gaps_missing(hub.gaps, "north"));
	seen(&hub, "north", 5);
	seen(&hub, "north", 7);
	check(gaps_missing(hub.gaps, "north") == 0 && gaps_settle(hub.gaps) ==
	    0 && strcmp(row(&hub, "north"), "8|8") == 0,
	    "5 and 7: contiguous 8 (%s)", row(&hub, "north"));
	st = gaps_status(hub.gaps);
	check(json_array_size(st) == 0, "status: no gate with a hole");
	json_decref(st);

	seen(&hub, "south", 2);
	check(gaps_missing(hub.gaps, "south") == 1 &&
	    gaps_missing(hub.gaps, "north") == 0,
	    "a gate whose first event is 2 misses 1; gates are apart");

	alerts_free(hub.alerts);
	gaps_free(hub.gaps);
	db_close(hub.db);
	event_base_free(hub.base);
	if (fd != -1) {
		close(fd);
		unlink(tmpl);
		snprintf(url, sizeof url, "%s-wal", tmpl);
		unlink(url);
		snprintf(url, sizeof url, "%s-shm", tmpl);
		unlink(url);
	}
	return check_done();
}
