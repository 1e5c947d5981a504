/*
 * alerts.c: the campus's alerts, for the duty that watches them all.
 * A gate's alert arrives on its alerts topic (kind "alert", the gate's
 * alert_id) and is closed by its "ack" row; the hub raises its own for a
 * hole in a gate's events (gaps.c).  An operator acknowledges one through
 * the API: journaled in hub_journal with who and why, and then handed
 * by the API to alerts_forward_ack for the gate.  Each alert new in a committed batch
 * goes to the webhook (webhook.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

struct alert_key {
	char		gate[HUB_NAME_LEN];
	long long	id;
};

struct alerts {
	struct hub		*hub;
	struct alert_key	*fresh;		/* new in the open batch */
	size_t			 nfresh, cap;
	long long		 raised, acked;
};

static const char sql_gate_alert[] =
    "INSERT INTO alerts (gate, id, source, event_id, ts_ms, lane, reason, "
    "detail) VALUES (?, ?, 'gate', ?, ?, ?, ?, ?) "
    "ON CONFLICT (gate, id) DO NOTHING";
static const char sql_gate_ack[] =
    "UPDATE alerts SET acked_by = ?, acked_ms = ?, ack_reason = ? "
    "WHERE gate = ? AND id = ? AND acked_ms IS NULL";
static const char sql_hub_alert[] =
    "INSERT INTO alerts (gate, id, source, ts_ms, reason, detail) "
    "VALUES (?, ?, 'hub', ?, ?, ?) ON CONFLICT (gate, id) DO UPDATE SET "
    "ts_ms = excluded.ts_ms, detail = excluded.detail, cleared_ms = NULL, "
    "acked_by = NULL, acked_ms = NULL, ack_reason = NULL";
static const char sql_hub_clear[] =
    "UPDATE alerts SET cleared_ms = ? WHERE gate = ? AND id = ? AND "
    "cleared_ms IS NULL";
static const char sql_one[] =
    "SELECT gate, id, source, event_id, ts_ms, lane, reason, detail, "
    "acked_by, acked_ms, ack_reason, cleared_ms FROM alerts "
    "WHERE gate = ? AND id = ?";
static const char sql_all[] =
    "SELECT gate, id, source, event_id, ts_ms, lane, reason, detail, "
    "acked_by, acked_ms, ack_reason, cleared_ms FROM alerts "
    "ORDER BY ts_ms DESC, gate, id LIMIT 1000";
static const char sql_active[] =
    "SELECT gate, id, source, event_id, ts_ms, lane, reason, detail, "
    "acked_by, acked_ms, ack_reason, cleared_ms FROM alerts "
    "WHERE acked_ms IS NULL AND cleared_ms IS NULL "
    "ORDER BY ts_ms DESC, gate, id LIMIT 1000";
static const char sql_count[] =
    "SELECT COUNT(*) FROM alerts WHERE acked_ms IS NULL AND cleared_ms IS NULL";

static void
alerts_fresh(struct alerts *al, const char *gate, long long id)
{
	if (al->nfresh == al->cap) {
		al->cap = al->cap == 0 ? 16 : al->cap * 2;
		al->fresh = xreallocarray(al->fresh, al->cap, sizeof *al->fresh);
	}
	snprintf(al->fresh[al->nfresh].gate, sizeof al->fresh->gate, "%s",
	    gate);
	al->fresh[al->nfresh++].id = id;
}

static const char *
num(char *buf, size_t size, json_t *v)
{
	if (!json_is_integer(v))
		return NULL;
	snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	return buf;
}

int
alerts_gate_row(struct alerts *al, const char *gate, json_t *row)
{
	const char	*kind = json_string_value(json_object_get(row, "kind"));
	const char	*p[7];
	char		 id[24], ev[24], ts[24];

	if (num(id, sizeof id, json_object_get(row, "alert_id")) == NULL ||
	    kind == NULL)
		return 0;	/* not an alert's row: nothing to keep */
	num(ev, sizeof ev, json_object_get(row, "id"));
	if (num(ts, sizeof ts, json_object_get(row, "ts_ms")) == NULL)
		snprintf(ts, sizeof ts, "%lld", (long long)wall_ms());
	if (strcmp(kind, "alert") == 0) {
		p[0] = gate;
		p[1] = id;
		p[2] = ev;
		p[3] = ts;
		p[4] = json_string_value(json_object_get(row, "lane"));
		p[5] = json_string_value(json_object_get(row, "reason"));
		p[6] = json_string_value(json_object_get(row, "detail"));
		if (db_exec(al->hub->db, sql_gate_alert, 7, p) == -1)
			return -1;
		if (db_changes(al->hub->db) == 1)
			alerts_fresh(al, gate, strtoll(id, NULL, 10));
	} else if (strcmp(kind, "ack") == 0) {
		p[0] = json_string_value(json_object_get(row, "actor"));
		p[1] = ts;
		p[2] = json_string_value(json_object_get(row, "detail"));
		p[3] = gate;
		p[4] = id;
		if (db_exec(al->hub->db, sql_gate_ack, 5, p) == -1)
			return -1;
	}
	return 0;
}

int
alerts_hub_raise(struct alerts *al, const char *gate, long long id,
    const char *reason, const char *detail)
{
	const char	*p[5];
	char		 ids[24], ts[24];

	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(ts, sizeof ts, "%lld", (long long)wall_ms());
	p[0] = gate;
	p[1] = ids;
	p[2] = ts;
	p[3] = reason;
	p[4] = detail;
	if (db_exec(al->hub->db, sql_hub_alert, 5, p) == -1)
		return -1;
	alerts_fresh(al, gate, id);
	return 0;
}

int
alerts_hub_clear(struct alerts *al, const char *gate, long long id)
{
	const char	*p[3];
	char		 ids[24], ts[24];

	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(ts, sizeof ts, "%lld", (long long)wall_ms());
	p[0] = ts;
	p[1] = gate;
	p[2] = ids;
	return db_exec(al->hub->db, sql_hub_clear, 3, p);
}

/* One alerts row as JSON (the columns of sql_one, sql_all). */
static json_t *
alert_json(const char *const *v)
{
	static const char *const names[] = { "gate", "id", "source",
	    "event_id", "ts_ms", "lane", "reason", "detail", "acked_by",
	    "acked_ms", "ack_reason", "cleared_ms" };
	static const bool numeric[] = { 0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1 };
	json_t	*o = json_object();
	size_t	 i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (v[i] == NULL)
			json_object_set_new(o, names[i], json_null());
		else if (numeric[i])
			json_object_set_new(o, names[i],
			    json_integer(strtoll(v[i], NULL, 10)));
		else
			json_object_set_new(o, names[i], json_string(v[i]));
	}
	json_object_set_new(o, "active", json_boolean(v[9] == NULL &&
	    v[11] == NULL));
	return o;
}

static int
alert_row(void *arg, int ncol, const char *const *vals)
{
	if (ncol == 12)
		json_array_append_new(arg, alert_json(vals));
	return 0;
}

/* The alert (gate, id) as JSON, or NULL. */
static json_t *
alert_get(struct alerts *al, const char *gate, long long id)
{
	json_t		*a = json_array(), *one;
	const char	*p[2];
	char		 ids[24];

	snprintf(ids, sizeof ids, "%lld", id);
	p[0] = gate;
	p[1] = ids;
	if (db_query(al->hub->db, sql_one, 2, p, alert_row, a) == -1) {
		json_decref(a);
		return NULL;
	}
	one = json_incref(json_array_get(a, 0));
	json_decref(a);
	return one;
}

void
alerts_settle(struct alerts *al)
{
	json_t	*a;
	size_t	 i;

	for (i = 0; i < al->nfresh; i++) {
		al->raised++;
		if ((a = alert_get(al, al->fresh[i].gate, al->fresh[i].id)) ==
		    NULL)
			continue;
		webhook_send(al->hub->webhook, a);
		json_decref(a);
	}
	al->nfresh = 0;
}

void
alerts_reset(struct alerts *al)
{
	al->nfresh = 0;
}

/*
 * Long: the checks of an acknowledgement, each with its HTTP answer, and
 * its one transaction (the row and the journal's line together).
 */
int
alerts_ack(struct alerts *al, const char *gate, long long id,
    const char *actor, const char *reason, int *status, const char **why)
{
	struct db	*db = al->hub->db;
	json_t		*a;
	const char	*p[5];
	char		 ids[24], ts[24], detail[128];

	if ((a = alert_get(al, gate, id)) == NULL) {
		*status = 404;
		*why = "no such alert";
		return -1;
	}
	if (!json_is_null(json_object_get(a, "acked_ms")) ||
	    !json_is_null(json_object_get(a, "cleared_ms"))) {
		json_decref(a);
		*status = 409;
		*why = "the alert is not active (acknowledged or cleared)";
		return -1;
	}
	json_decref(a);
	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(ts, sizeof ts, "%lld", (long long)wall_ms());
	snprintf(detail, sizeof detail, "alert %s/%lld", gate, id);
	p[0] = actor;
	p[1] = ts;
	p[2] = reason;
	p[3] = gate;
	p[4] = ids;
	if (db_begin(db) == -1)
		goto fail;
	if (db_exec(db, sql_gate_ack, 5, p) == -1 ||
	    hub_journal(db, "alert-ack", actor, reason, detail) == -1 ||
	    db_commit(db) == -1) {
		db_rollback(db);
		goto fail;
	}
	al->acked++;
	log_info("alerts: %s acknowledged by %s: %s", detail, actor, reason);
	return 0;
fail:
	log_warnx("alerts: ack %s/%lld: %s", gate, id, db_error(db));
	*status = 503;
	*why = "the database failed";
	return -1;
}

json_t *
alerts_list(struct alerts *al, bool active_only)
{
	json_t	*a = json_array();

	if (db_query(al->hub->db, active_only ? sql_active : sql_all, 0, NULL,
	    alert_row, a) == -1) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static int
count_row(void *arg, int ncol, const char *const *vals)
{
	*(long long *)arg = ncol == 1 && vals[0] != NULL ?
	    strtoll(vals[0], NULL, 10) : 0;
	return 1;
}

long long
alerts_active(struct alerts *al)
{
	long long	n = -1;

	db_query(al->hub->db, sql_count, 0, NULL, count_row, &n);
	return n;
}

struct alerts *
alerts_new(struct hub *hub)
{
	struct alerts	*al = xcalloc(1, sizeof *al);

	al->hub = hub;
	return al;
}

void
alerts_free(struct alerts *al)
{
	if (al == NULL)
		return;
	free(al->fresh);
	free(al);
}
