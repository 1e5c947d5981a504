/*
 * api-gate.c: one gate seen through the hub, in the gate's own /v1
 * shapes, so that the console's gate page (console/js/gate.js) runs on
 * the hub as it runs on the gate: GET /v1/gates/G/status from the gate's
 * retained state and the hub's active alerts of G, GET /v1/gates/G/events
 * from the campus journal, GET /v1/gates/G/alerts.  The stream
 * (/v1/gates/G/events/stream) is stream.c's, filtered; an acknowledgement
 * (POST /v1/gates/G/alerts/ID/ack) is api_alert_ack.  Nothing here asks
 * the gate: what a gate does not publish (a lane's state, its amber wait)
 * is not shown, and nothing opens a lane from the hub.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define GATE_EVENTS_DEFAULT	100
#define GATE_EVENTS_MAX		1000

static const char sql_gate[] =
    "SELECT gate, online, state, last_seen_ms FROM gates WHERE gate = ?";
static const char sql_after[] =
    "SELECT gate, body FROM events WHERE gate = ? AND id > ? "
    "ORDER BY id LIMIT ?";
static const char sql_newest[] =
    "SELECT gate, body FROM (SELECT gate, body, id FROM events "
    "WHERE gate = ? ORDER BY id DESC LIMIT ?) AS newest ORDER BY id";

/* The hub's active alerts of gate as the gate lists them, or NULL. */
static json_t *
gate_alerts(struct api_req *r, const char *gate)
{
	json_t	*all, *a, *out;
	size_t	 i;

	if ((all = alerts_list(r->hub->alerts, true)) == NULL)
		return NULL;
	out = json_array();
	json_array_foreach(all, i, a) {
		if (strcmp(json_string_value(json_object_get(a, "gate")) ?
		    json_string_value(json_object_get(a, "gate")) : "",
		    gate) != 0)
			continue;
		json_array_append_new(out, json_pack("{sO? sO? sO? sO? sO? si ss}",
		    "id", json_object_get(a, "id"),
		    "kind", json_object_get(a, "reason"),
		    "lane", json_object_get(a, "lane"),
		    "detail", json_object_get(a, "detail"),
		    "raised_ms", json_object_get(a, "ts_ms"), "count", 1,
		    "source", json_string_value(json_object_get(a,
		    "source")) ? json_string_value(json_object_get(a,
		    "source")) : "gate"));
	}
	json_decref(all);
	return out;
}

/* What the gate's status has of its retained state, as the gate names it. */
static const char *const copied[] = {
	"mode", "mode_source", "level", "emergency", "locked", "campus"
};

/* The row of GET /v1/gates/G/status: the gate's state and the hub's view. */
static int
status_row(void *arg, int ncol, const char *const *v)
{
	json_t		**out = arg, *state = NULL, *lanes, *l, *st;
	size_t		 i;

	if (ncol != 4 || v[0] == NULL)
		return 1;
	if (v[2] != NULL)
		state = json_loads(v[2], 0, NULL);
	if (!json_is_object(state)) {
		json_decref(state);
		state = json_object();
	}
	/* A lane's state moves faster than a gate publishes: not known. */
	lanes = json_array();
	json_array_foreach(json_object_get(state, "lanes"), i, l)
		json_array_append_new(lanes, json_pack("{sO? sO? sn sb}", "name",
		    json_object_get(l, "name"), "kind", json_object_get(l,
		    "kind"), "state", "open", 0));
	st = json_pack("{s{ss ss} so sb sI}",
	    "gate", "id", v[0], "name", v[0],
	    "lanes", lanes,
	    "online", v[1] != NULL && strcmp(v[1], "1") == 0,
	    "last_seen_ms", (json_int_t)(v[3] != NULL ?
	    strtoll(v[3], NULL, 10) : 0));
	for (i = 0; i < sizeof copied / sizeof copied[0]; i++)
		json_object_set(st, copied[i], json_object_get(state,
		    copied[i]) ? json_object_get(state, copied[i]) :
		    json_null());
	json_object_set_new(st, "via", json_string("hub"));
	json_decref(state);
	*out = st;
	return 1;
}

/* The gate's status as the hub knows it; NULL when answered (404, 503). */
static json_t *
gate_status_of(struct api_req *r)
{
	const char	*p[1] = { r->cap[0] };
	json_t		*st = NULL, *alerts;

	if (db_query(r->hub->db, sql_gate, 1, p, status_row, &st) == -1) {
		api_error(r, 503, db_error(r->hub->db));
		return NULL;
	}
	if (st == NULL) {
		api_error(r, 404, "the hub has heard of no such gate");
		return NULL;
	}
	if ((alerts = gate_alerts(r, r->cap[0])) == NULL) {
		json_decref(st);
		api_error(r, 503, db_error(r->hub->db));
		return NULL;
	}
	json_object_set_new(st, "alert_counts", json_pack("{sI}", "active",
	    (json_int_t)json_array_size(alerts)));
	json_object_set_new(st, "alerts", alerts);
	return st;
}

/* GET /v1/gates/G/status */
void
api_gate_status(struct api_req *r)
{
	json_t	*st;

	if ((st = gate_status_of(r)) != NULL)
		api_json(r, 200, api_redact(r, st));
}

/* GET /v1/gates/G/alerts: the active ones, as the gate's list. */
void
api_gate_alerts(struct api_req *r)
{
	json_t	*st;

	if ((st = gate_status_of(r)) == NULL)
		return;
	api_json(r, 200, api_redact(r, json_pack("{sO}", "alerts",
	    json_object_get(st, "alerts"))));
	json_decref(st);
}

/* A row of the gate's events, and the newest id seen. */
static int
event_row(void *arg, int ncol, const char *const *v)
{
	json_t		*page = arg, *e;
	json_int_t	 id;

	if (ncol != 2 || v[0] == NULL || v[1] == NULL)
		return 0;
	e = api_event_json(v[0], v[1]);
	id = json_integer_value(json_object_get(e, "id"));
	if (id > json_integer_value(json_object_get(page, "last_id")))
		json_object_set_new(page, "last_id", json_integer(id));
	json_array_append_new(json_object_get(page, "events"), e);
	return 0;
}

/*
 * GET /v1/gates/G/events?after=ID&limit=N: as the gate answers, the
 * events after ID in id order, or without after the newest N, oldest
 * first; last_id the newest returned (or after), to follow with.
 */
void
api_gate_events(struct api_req *r)
{
	char		 after[32], limit[32], lim[16];
	const char	*a, *l, *p[3];
	json_t		*page;
	int		 n = GATE_EVENTS_DEFAULT, rc;

	a = api_query(r, "after", after, sizeof after);
	l = api_query(r, "limit", limit, sizeof limit);
	if ((a != NULL && (*a == '\0' || strspn(a, "0123456789") !=
	    strlen(a) || strlen(a) > 18)) || (l != NULL && (*l == '\0' ||
	    strspn(l, "0123456789") != strlen(l) || strlen(l) > 4 ||
	    (n = atoi(l)) < 1 || n > GATE_EVENTS_MAX))) {
		api_error(r, 400, "after is a number, limit 1..1000");
		return;
	}
	snprintf(lim, sizeof lim, "%d", n);
	page = json_pack("{s[] sI}", "events", "last_id",
	    (json_int_t)(a != NULL ? strtoll(a, NULL, 10) : 0));
	p[0] = r->cap[0];
	if (a != NULL) {
		p[1] = a;
		p[2] = lim;
		rc = db_query(r->hub->db, sql_after, 3, p, event_row, page);
	} else {
		p[1] = lim;
		rc = db_query(r->hub->db, sql_newest, 2, p, event_row, page);
	}
	if (rc == -1) {
		json_decref(page);
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	api_json(r, 200, api_redact(r, page));
}
