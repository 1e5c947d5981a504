/*
 * metrics.c: GET /metrics, the gate in Prometheus's text format.  Counters
 * (passages, events) are counted in memory by a gate listener from the
 * moment gated starts, not read from the journal: a scrape every few
 * seconds must not scan two million rows, and Prometheus expects counters
 * to restart with the process.  Gauges (mode, level, alerts, devices, the
 * journal's size) and the decision latency histogram come from
 * gate_status, so they say what the status says.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "agent.h"

/* The kinds of journal_event, for gated_events_total; the rest: other. */
static const char *const event_kinds[] = {
	"passage", "override", "mode", "level", "alert", "ack", "device",
	"read-error", "system", "people", "emergency", "auth", "muster",
	"apb-reset", "clock", "front", "other"
};
#define EVENT_KINDS	((int)(sizeof event_kinds / sizeof event_kinds[0]))

struct metrics {
	struct gate	*gate;
	bool		 listening;
	/* lane, direction (in, out), verdict (granted, denied), reason */
	uint64_t	 passages[LANES_MAX][2][2][R__COUNT];
	uint64_t	 events[EVENT_KINDS];
};

/* Counts what the gate journals and announces. */
static void
metrics_event(void *arg, const struct journal_event *ev)
{
	struct metrics	*m = arg;
	int		 k, lane, reason;

	for (k = 0; k < EVENT_KINDS - 1; k++)
		if (ev->kind != NULL && strcmp(ev->kind, event_kinds[k]) == 0)
			break;
	m->events[k]++;
	if (ev->kind == NULL || strcmp(ev->kind, "passage") != 0 ||
	    ev->lane == NULL || ev->direction == NULL || ev->verdict == NULL ||
	    ev->reason == NULL)
		return;
	lane = config_find_lane(gate_conf(m->gate), ev->lane);
	reason = reason_from_name(ev->reason);
	if (lane < 0 || lane >= LANES_MAX || reason < 0 || reason >= R__COUNT)
		return;
	m->passages[lane][strcmp(ev->direction, "in") != 0]
	    [strcmp(ev->verdict, "granted") != 0][reason]++;
}

struct metrics *
metrics_new(struct gate *g)
{
	struct metrics	*m = xcalloc(1, sizeof *m);

	m->gate = g;
	if (gate_listen(g, metrics_event, m) == 0)
		m->listening = true;
	else
		log_warnx("metrics: no free gate listener, counters stay 0");
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	if (m->listening)
		gate_unlisten(m->gate, metrics_event, m);
	free(m);
}

/* A label value with \, " and newline escaped, as the format wants. */
static void
label(struct evbuffer *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			evbuffer_add_printf(b, "\\%c", *s);
		else if (*s == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, s, 1);
	}
}

static void
head(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* One sample with one label. */
static void
sample1(struct evbuffer *b, const char *name, const char *key,
    const char *value, int64_t v)
{
	evbuffer_add_printf(b, "%s{%s=\"", name, key);
	label(b, value);
	evbuffer_add_printf(b, "\"} %" PRId64 "\n", v);
}

static int64_t
member(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void
metrics_counters(struct metrics *m, struct evbuffer *b)
{
	const struct gate_conf	*c = gate_conf(m->gate);
	int			 l, d, v, r;

	head(b, "gated_passages_total", "counter", "Passages decided since "
	    "gated started, by lane, direction, verdict and reason.");
	for (l = 0; l < c->lane_count && l < LANES_MAX; l++)
		for (d = 0; d < 2; d++)
			for (v = 0; v < 2; v++)
				for (r = 0; r < R__COUNT; r++) {
					if (m->passages[l][d][v][r] == 0)
						continue;
					evbuffer_add_printf(b,
					    "gated_passages_total{lane=\"");
					label(b, c->lanes[l].name);
					evbuffer_add_printf(b, "\",direction="
					    "\"%s\",verdict=\"%s\",reason="
					    "\"%s\"} %" PRIu64 "\n",
					    d ? "out" : "in",
					    v ? "denied" : "granted",
					    reason_name(r),
					    m->passages[l][d][v][r]);
				}
	head(b, "gated_events_total", "counter", "Events journaled and "
	    "announced since gated started, by kind.");
	for (l = 0; l < EVENT_KINDS; l++)
		sample1(b, "gated_events_total", "kind", event_kinds[l],
		    (int64_t)m->events[l]);
}

static void
metrics_state(struct metrics *m, json_t *st, struct evbuffer *b)
{
	const struct gate_conf	*c = gate_conf(m->gate);
	const char		*mode = json_string_value(json_object_get(st,
				    "mode"));
	json_t			*level = json_object_get(st, "level"), *d;
	json_t			*by_kind, *e;
	const char		*kind;
	size_t			 i;
	int			 k;

	head(b, "gated_mode", "gauge", "1 for the mode the gate is in.");
	for (k = 0; k < c->mode_count; k++)
		sample1(b, "gated_mode", "mode", c->modes[k].name,
		    mode != NULL && strcmp(mode, c->modes[k].name) == 0);
	head(b, "gated_level", "gauge", "The response level, named.");
	sample1(b, "gated_level", "name", json_string_value(
	    json_object_get(level, "name")), member(level, "number"));
	head(b, "gated_emergency", "gauge", "1 while the fire alarm is on.");
	evbuffer_add_printf(b, "gated_emergency %d\n",
	    json_is_true(json_object_get(st, "emergency")));
	head(b, "gated_locked", "gauge", "1 while the guard's lock is on.");
	evbuffer_add_printf(b, "gated_locked %d\n",
	    json_is_true(json_object_get(st, "locked")));

	/* From the counts: status lists only the newest alerts. */
	by_kind = json_object_get(json_object_get(st, "alert_counts"),
	    "by_kind");
	head(b, "gated_alerts_active", "gauge", "Alerts raised and not yet "
	    "acknowledged, by kind.");
	for (k = 1; k < ALERT__COUNT; k++)
		sample1(b, "gated_alerts_active", "kind", alert_kind_name(k),
		    json_integer_value(json_object_get(by_kind,
		    alert_kind_name(k))));

	head(b, "gated_device_up", "gauge", "1 when the device works.");
	json_array_foreach(json_object_get(st, "devices"), i, d)
		sample1(b, "gated_device_up", "device", json_string_value(
		    json_object_get(d, "name")),
		    json_is_true(json_object_get(d, "up")));

	head(b, "gated_read_errors_total", "counter", "Frames a reader read "
	    "that were not a card, by reader and kind.");
	json_array_foreach(json_object_get(st, "readers"), i, d) {
		json_object_foreach(json_object_get(d, "read_errors"), kind,
		    e) {
			evbuffer_add_printf(b, "gated_read_errors_total"
			    "{reader=\"");
			label(b, json_string_value(json_object_get(d,
			    "name")));
			evbuffer_add_printf(b, "\",error=\"");
			label(b, kind);
			evbuffer_add_printf(b, "\"} %" PRId64 "\n",
			    (int64_t)json_integer_value(e));
		}
	}
}

/* The broker link, when there is one ([mqtt]). */
/* A gauge with no labels: its head and its one sample. */
static void
gauge(struct evbuffer *b, const char *name, const char *help, int64_t v)
{
	head(b, name, "gauge", help);
	evbuffer_add_printf(b, "%s %" PRId64 "\n", name, v);
}

/* The broker link, when there is one ([mqtt]). */
static void
metrics_mqtt(json_t *mq, struct evbuffer *b)
{
	if (mq == NULL)
		return;
	gauge(b, "gated_mqtt_connected", "1 while the broker link is up.",
	    json_is_true(json_object_get(mq, "connected")));
	gauge(b, "gated_mqtt_backlog", "Journaled events the broker has not "
	    "acknowledged yet.", member(mq, "backlog"));
}

/*
 * The gate's latency histogram as a Prometheus one: its log2 buckets in
 * microseconds become cumulative buckets in seconds.  The gate keeps no
 * sum of latencies, so there is no _sum: quantiles come from the buckets.
 */
static void
metrics_latency(json_t *lat, struct evbuffer *b)
{
	json_t		*bk;
	size_t		 i;
	int64_t		 acc = 0, le;

	head(b, "gated_decision_latency_seconds", "histogram", "From a card "
	    "event to the relay moving, journal commit included.");
	json_array_foreach(json_object_get(lat, "buckets"), i, bk) {
		acc += member(bk, "count");
		le = member(bk, "le_us");
		if (le < 0)
			continue;	/* the open bucket: +Inf below */
		evbuffer_add_printf(b, "gated_decision_latency_seconds_bucket"
		    "{le=\"%" PRId64 ".%06" PRId64 "\"} %" PRId64 "\n",
		    le / 1000000, le % 1000000, acc);
	}
	evbuffer_add_printf(b, "gated_decision_latency_seconds_bucket"
	    "{le=\"+Inf\"} %" PRId64 "\n", acc);
	evbuffer_add_printf(b, "gated_decision_latency_seconds_count %" PRId64
	    "\n", acc);
}

/* The clock's sync and who is inside. */
static void
metrics_time(json_t *st, struct evbuffer *b)
{
	json_t		*clock = json_object_get(st, "clock"), *n;
	json_t		*occ = json_object_get(st, "occupancy");
	const char	*cat;

	gauge(b, "gated_clock_synced", "1 when the system clock has been "
	    "synchronised (NTP).", json_is_true(json_object_get(clock,
	    "synced")));
	gauge(b, "gated_clock_unsynced_seconds", "How long the clock has not "
	    "been synchronised; 0 when it is.", member(clock, "unsynced_s"));
	head(b, "gated_inside", "gauge", "People inside the gate's inside "
	    "zone, from its in and out passages, by category.");
	json_object_foreach(json_object_get(occ, "categories"), cat, n)
		sample1(b, "gated_inside", "category", cat,
		    json_integer_value(n));
}

/* Appends the whole exposition to b. */
void
metrics_text(struct metrics *m, struct evbuffer *b)
{
	json_t	*st = gate_status(m->gate), *j;

	metrics_counters(m, b);
	metrics_state(m, st, b);
	j = json_object_get(st, "journal");
	head(b, "gated_journal_rows", "gauge", "Events in the journal.");
	evbuffer_add_printf(b, "gated_journal_rows %" PRId64 "\n",
	    member(j, "rows"));
	head(b, "gated_journal_bytes", "gauge", "The journal's files, WAL "
	    "included.");
	evbuffer_add_printf(b, "gated_journal_bytes %" PRId64 "\n",
	    member(j, "bytes"));
	if (member(j, "free_kb") >= 0) {
		head(b, "gated_journal_free_bytes", "gauge", "Free space "
		    "where the journal is.");
		evbuffer_add_printf(b, "gated_journal_free_bytes %" PRId64
		    "\n", member(j, "free_kb") * 1024);
	}
	head(b, "gated_people", "gauge", "People in the loaded list.");
	evbuffer_add_printf(b, "gated_people %" PRId64 "\n",
	    member(json_object_get(st, "people"), "count"));
	head(b, "gated_uptime_seconds", "gauge", "Since gated started.");
	evbuffer_add_printf(b, "gated_uptime_seconds %" PRId64 "\n",
	    member(st, "uptime_s"));
	metrics_time(st, b);
	metrics_mqtt(json_object_get(st, "mqtt"), b);
	metrics_latency(json_object_get(st, "latency"), b);
	json_decref(st);
}
