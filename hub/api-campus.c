/*
 * api-campus.c: the hub's routes over the campus journal: its status,
 * the gates, the events, the alerts and their acknowledgement.  Every
 * answer passes api_redact on its way out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "log.h"

#ifndef GATED_VERSION
#define GATED_VERSION	"?"
#endif

#define EVENTS_LIMIT_DEFAULT	100
#define EVENTS_LIMIT_MAX	1000

void
api_status(struct api_req *r)
{
	struct hub	*hub = r->hub;
	json_t		*st;

	st = json_pack("{s{ss ss sI sI} s{ss} so so so s{sI} so s{sI}}",
	    "hub", "site", hub->conf->hub.site, "version", GATED_VERSION,
	    "started_ms", (json_int_t)hub->started_ms,
	    "uptime_ms", (json_int_t)(wall_ms() - hub->started_ms),
	    "database", "backend", db_backend(hub->db),
	    "broker", hub_link_status(hub->link),
	    "ingest", ingest_status(hub->ingest),
	    "gaps", gaps_status(hub->gaps),
	    "alerts", "active", (json_int_t)alerts_active(hub->alerts),
	    "webhook", webhook_status(hub->webhook),
	    "stream", "clients", (json_int_t)hub_stream_clients(hub->stream));
	api_json(r, 200, api_redact(r, st));
}

static const char sql_gates[] =
    "SELECT gate, online, state, last_seen_ms, contiguous, max_id "
    "FROM gates ORDER BY gate";

/* A JSON path in the gate's state (up to three keys), or null. */
static json_t *
state_get(json_t *state, const char *a, const char *b, const char *c)
{
	json_t	*v = json_object_get(state, a);

	if (b != NULL)
		v = json_object_get(v, b);
	if (c != NULL)
		v = json_object_get(v, c);
	return v != NULL ? json_incref(v) : json_null();
}

static int
gate_row(void *arg, int ncol, const char *const *v)
{
	struct api_req	*r = ((void **)arg)[0];
	json_t		*a = ((void **)arg)[1], *state = NULL;
	long long	 contiguous, max_id, gap;

	if (ncol != 6)
		return 1;
	if (v[2] != NULL)
		state = json_loads(v[2], 0, NULL);
	contiguous = v[4] != NULL ? strtoll(v[4], NULL, 10) : 0;
	max_id = v[5] != NULL ? strtoll(v[5], NULL, 10) : 0;
	gap = gaps_missing(r->hub->gaps, v[0]);
	if (gap == 0 && max_id > contiguous)
		gap = max_id - contiguous;	/* not loaded: at most this */
	json_array_append_new(a, json_pack("{ss sb so so so so so sI sI sI "
	    "so so}",
	    "gate", v[0], "online", v[1] != NULL && strcmp(v[1], "1") == 0,
	    "level", state_get(state, "level", NULL, NULL),
	    "mode", state_get(state, "mode", NULL, NULL),
	    "alerts", state_get(state, "alerts", "active", NULL),
	    "last_seen_ms", v[3] != NULL ? json_integer(strtoll(v[3], NULL,
	    10)) : json_null(),
	    "people_version", state_get(state, "campus", "people", "version"),
	    "contiguous", (json_int_t)contiguous, "max_id", (json_int_t)max_id,
	    "gap", (json_int_t)gap,
	    /* The seq each campus command applied, the last one refused. */
	    "campus_applied", state_get(state, "campus", "applied", NULL),
	    "campus_refused", state_get(state, "campus", "refused", NULL)));
	json_decref(state);
	return 0;
}

void
api_gates(struct api_req *r)
{
	json_t	*a = json_array();
	void	*arg[2] = { r, a };

	if (db_query(r->hub->db, sql_gates, 0, NULL, gate_row, arg) == -1) {
		json_decref(a);
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	api_json(r, 200, api_redact(r, json_pack("{so}", "gates", a)));
}

static const char sql_events_gate[] =
    "SELECT gate, body FROM events WHERE gate = ? AND id > ? "
    "ORDER BY id LIMIT ?";
static const char sql_events_all[] =
    "SELECT gate, body FROM events WHERE ts_ms > ? "
    "ORDER BY ts_ms, gate, id LIMIT ?";

static int
event_row(void *arg, int ncol, const char *const *v)
{
	if (ncol == 2 && v[0] != NULL && v[1] != NULL)
		json_array_append_new(arg, api_event_json(v[0], v[1]));
	return 0;
}

/* Digits only (the query's numbers); NULL for anything else. */
static const char *
api_number(const char *s)
{
	return s != NULL && *s != '\0' && strspn(s, "0123456789") ==
	    strlen(s) && strlen(s) < 19 ? s : NULL;
}

/*
 * GET /v1/events?gate=G&after=ID&limit=N: gate G's events after id ID;
 * without gate, every gate's after the time ID (ms), in time order.
 */
void
api_events(struct api_req *r)
{
	char		 gate[HUB_NAME_LEN], after[32], limit[32], lim[16];
	const char	*p[3], *g, *a, *l;
	json_t		*arr = json_array();
	int		 rc, n = EVENTS_LIMIT_DEFAULT;

	g = api_query(r, "gate", gate, sizeof gate);
	a = api_query(r, "after", after, sizeof after);
	l = api_query(r, "limit", limit, sizeof limit);
	if ((a != NULL && api_number(a) == NULL) ||
	    (l != NULL && (api_number(l) == NULL || (n = atoi(l)) < 1 ||
	    n > EVENTS_LIMIT_MAX))) {
		json_decref(arr);
		api_error(r, 400, "after is a number, limit 1..1000");
		return;
	}
	snprintf(lim, sizeof lim, "%d", n);
	p[0] = g;
	p[1] = a != NULL ? a : "0";
	p[2] = lim;
	if (g != NULL)
		rc = db_query(r->hub->db, sql_events_gate, 3, p, event_row,
		    arr);
	else
		rc = db_query(r->hub->db, sql_events_all, 2, p + 1, event_row,
		    arr);
	if (rc == -1) {
		json_decref(arr);
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	api_json(r, 200, api_redact(r, json_pack("{so}", "events", arr)));
}

/* GET /v1/alerts?all=1: the active alerts, or every one (the last 1000). */
void
api_alerts(struct api_req *r)
{
	char	 buf[8];
	json_t	*a;
	bool	 all = api_query(r, "all", buf, sizeof buf) != NULL &&
		    strcmp(buf, "0") != 0;

	if ((a = alerts_list(r->hub->alerts, !all)) == NULL) {
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	api_json(r, 200, api_redact(r, json_pack("{so}", "alerts", a)));
}

/* POST /v1/alerts/GATE/ID/ack {"reason": "..."} */
void
api_alert_ack(struct api_req *r)
{
	const char	*reason, *why;
	json_t		*body;
	char		*end;
	long long	 id;
	int		 status;

	id = strtoll(r->cap[1], &end, 10);
	if (*end != '\0' || end == r->cap[1]) {
		api_error(r, 400, "the alert id is a number");
		return;
	}
	if ((body = api_body(r)) == NULL)
		return;
	reason = json_string_value(json_object_get(body, "reason"));
	if (reason == NULL || *reason == '\0' || strlen(reason) > 500) {
		json_decref(body);
		api_error(r, 400, "a reason (1-500 characters) is required");
		return;
	}
	/* An alert still in the open batch is one the operator sees. */
	ingest_flush(r->hub->ingest);
	if (alerts_ack(r->hub->alerts, r->cap[0], id, r->actor, reason,
	    &status, &why) == -1) {
		json_decref(body);
		api_error(r, status, why);
		return;
	}
	/* Journaled at the hub first; then, signed, to the gate. */
	why = alerts_forward_ack(r->hub, r->cap[0], id, r->actor, reason);
	json_decref(body);
	api_json(r, 200, json_pack("{ss sI ss sb ss*}", "gate", r->cap[0],
	    "id", (json_int_t)id, "acked_by", r->actor, "forwarded",
	    why == NULL, "not_forwarded", why));
}
