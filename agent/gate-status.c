/*
 * gate-status.c: the running gate at a glance, as the JSON of
 * GET /v1/status and `gatectl status`: gate, mode, level and measures,
 * lanes and their states, alerts, devices, readers, thermometers, people,
 * journal, backends and the decision latency histogram.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "gate-internal.h"
#include "protocol.h"

static json_t *
measures_json(const struct measures *m)
{
	if (m == NULL)
		return json_null();
	return json_pack("{s:b, s:f, s:b, s:b, s:b, s:b}",
	    "temperature_check", m->temperature_check,
	    "fever", m->fever_centi / 100.0,
	    "refuse_outsiders", m->refuse_outsiders,
	    "refuse_outside_vehicles", m->refuse_outside_vehicles,
	    "restrict_students", m->restrict_students,
	    "quarantine", 1);
}

/* The latency histogram: bucket upper bounds in microseconds. */
static json_t *
latency_json(struct gate *g)
{
	json_t		*b = json_array();
	uint64_t	 bound = 16, total = 0;
	int		 i;

	for (i = 0; i < LATENCY_BUCKETS; i++, bound *= 2) {
		total += g->latency[i];
		json_array_append_new(b, json_pack("{s:I, s:I}", "le_us",
		    (json_int_t)(i == LATENCY_BUCKETS - 1 ? -1 : (json_int_t)bound),
		    "count", (json_int_t)g->latency[i]));
	}
	return json_pack("{s:I, s:I, s:o}", "count", (json_int_t)total,
	    "max_us", (json_int_t)g->latency_max_us, "buckets", b);
}

static json_t	*clock_json(struct gate *);
static json_t	*occupancy_counts(struct gate *);

/* Everything a guard or an admin wants to see at a glance. */
json_t *
gate_status(struct gate *g)
{
	const struct gate_conf	*c = g->conf;
	const struct level	*lv = gate_level(g);
	json_t			*st, *lanes, *devs, *alerts, *therms, *js;
	json_t			*readers, *errs;
	struct lane		*l;
	int			 i, e;

	lanes = json_array();
	for (i = 0; i < c->lane_count; i++) {
		l = &g->lanes[i];
		json_array_append_new(lanes, json_pack("{s:s, s:s, s:s, s:b}",
		    "name", l->conf->name, "kind",
		    l->conf->kind == LANE_PEDESTRIAN ? "pedestrian" : "vehicle",
		    "state", lane_state_name(l), "open", lane_is_open(l)));
	}
	devs = json_array();
	for (i = 0; i < g->device_count; i++)
		json_array_append_new(devs, json_pack("{s:s, s:b, s:s}",
		    "name", g->devices[i].name, "up", g->devices[i].up,
		    "why", g->devices[i].why));
	readers = json_array();
	for (i = 0; i < c->reader_count; i++) {
		errs = json_object();
		for (e = 1; e < WIEGAND__ERRORS; e++)
			json_object_set_new(errs, wiegand_error_name(e),
			    json_integer((json_int_t)g->readers[i].errors[e]));
		json_array_append_new(readers, json_pack("{s:s, s:s, s:o}",
		    "name", c->readers[i].name, "kind",
		    c->readers[i].wiegand_d0[0] != '\0' ? "wiegand" : "usb",
		    "read_errors", errs));
	}
	therms = json_array();
	for (i = 0; i < c->therm_count; i++)
		json_array_append_new(therms, json_pack("{s:s, s:I}", "name",
		    c->therms[i].name, "sensor_errors",
		    (json_int_t)g->therms[i].sensor_errors));
	/* Bounded: the newest few and counts; GET /v1/alerts pages. */
	alerts = alert_list_newest(g->alerts, STATUS_ALERTS);
	if ((js = journal_stats(g->journal)) == NULL)
		js = json_object();
	st = json_pack("{s:i, s:{s:s, s:s, s:s}, s:s, s:b, s:s, s:{s:i, s:s?},"
	    " s:o, s:b, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:s, s:I},"
	    " s:o,"
	    " s:{s:s, s:s}, s:I, s:o}",
	    "protocol", GATED_PROTOCOL_VERSION,
	    "gate", "id", c->id, "name", c->name, "inside",
	    c->inside < c->zone_count ? c->zones[c->inside] : "?",
	    "mode", g->mode, "mode_known", gate_mode(g) != NULL,
	    "mode_source", g->mode_manual ? "manual" : g->sched_side >= 0 ?
	    "schedule" : "level",
	    "level", "number", g->level, "name", lv ? lv->name : NULL,
	    "measures", measures_json(lv ? &lv->measures : NULL),
	    "emergency", g->emergency, "locked", g->locked,
	    "lanes", lanes, "alerts", alerts, "alert_counts",
	    alert_list_counts(g->alerts), "devices", devs,
	    "thermometers", therms, "readers", readers,
	    "people", "count", (json_int_t)(g->people ?
	    people_count(g->people) : 0), "path", c->people_path,
	    "loaded_ms", (json_int_t)g->people_loaded_ms,
	    "journal", js,
	    "backend", "gpio", c->gpio_backend, "usb", c->usb_backend,
	    "uptime_s", (json_int_t)(time(NULL) - g->started),
	    "latency", latency_json(g));
	json_object_set_new(st, "clock", clock_json(g));
	if (lv != NULL && lv->schedule[0] != '\0')
		json_object_set_new(st, "schedule", json_pack("{s:s, s:b, "
		    "s:s, s:s}", "name", lv->schedule, "inside",
		    g->sched_side == 1, "mode_inside", lv->mode,
		    "mode_outside", lv->mode_outside));
	json_object_set_new(st, "occupancy", occupancy_counts(g));
	json_object_set_new(st, "campus", gate_push_status(g));
	if (g->part_fn != NULL)
		json_object_set_new(st, g->part_key, g->part_fn(g->part_arg));
	return st;
}

/* The hook, rather than a call, keeps the files free of a cycle. */
void
gate_status_part(struct gate *g, const char *key, json_t *(*fn)(void *),
    void *arg)
{
	g->part_key = key;
	g->part_fn = fn;
	g->part_arg = arg;
}

/* Whether the clock can be trusted, and for how long it has not been. */
static json_t *
clock_json(struct gate *g)
{
	int64_t	since = g->sync_watch.unsynced_since_ms;

	return json_pack("{s:b, s:s, s:I, s:I}", "synced", g->sync.synced,
	    "source", g->sync.source != NULL ? g->sync.source : "none",
	    "unsynced_s", (json_int_t)(since < 0 ? 0 :
	    (mono_ms() - since) / 1000), "now_ms", (json_int_t)wall_ms());
}

static void
occupant_json(const struct presence_entry *e, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:s?, s:I}", "person",
	    e->person, "category", category_name(e->category), "since_ms",
	    (json_int_t)e->ts_ms));
}

/* How many are inside, in all and by category. */
static json_t *
occupancy_counts(struct gate *g)
{
	size_t	 counts[CAT__COUNT + 1], n;
	json_t	*cats = json_object();
	int	 c;

	n = presence_inside(g->presence, counts, CAT__COUNT + 1);
	for (c = 0; c < CAT__COUNT; c++)
		json_object_set_new(cats, category_name(c),
		    json_integer((json_int_t)counts[c]));
	if (counts[CAT__COUNT] > 0)
		json_object_set_new(cats, "unknown",
		    json_integer((json_int_t)counts[CAT__COUNT]));
	return json_pack("{s:I, s:o}", "inside", (json_int_t)n, "categories",
	    cats);
}

/* Who is inside now, by category, and each of them, oldest first. */
json_t *
gate_occupancy(struct gate *g)
{
	json_t	*o = occupancy_counts(g), *people = json_array();

	presence_each_inside(g->presence, occupant_json, people);
	json_object_set_new(o, "gate", json_string(g->conf->id));
	json_object_set_new(o, "zone", json_string(g->conf->inside <
	    g->conf->zone_count ? g->conf->zones[g->conf->inside] : "?"));
	json_object_set_new(o, "people", people);
	return o;
}
