/*
 * gate-command.c: the commands a running gate takes, from the API, the
 * guard's buttons or a reload: mode, level, open a lane once, acknowledge
 * alerts, install a new people set, reload the config.  Each is journaled
 * with its actor and reason before it takes effect; a command the journal
 * cannot record is refused with a cause the caller can show.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "gate-internal.h"

/* A message for the caller, when it asked for one (cause not NULL). */
void
gate_set_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
}

static int
need_reason(const char *reason, char **cause)
{
	if (reason == NULL || reason[0] == '\0') {
		gate_set_cause(cause, "a reason is required for every change");
		return -1;
	}
	return 0;
}

/* ---- mode and level ----------------------------------------------------- */

static void
lower_all_barriers(struct gate *g)
{
	int	i;

	for (i = 0; i < g->conf->lane_count; i++)
		lane_request_lower(&g->lanes[i]);
}

/* The side of the level's schedule as the journal's state keeps it. */
static const char *
side_text(int side)
{
	return side == 1 ? "in" : side == 0 ? "out" : "none";
}

int
gate_set_mode(struct gate *g, const char *mode, const char *actor,
    const char *reason, int64_t *event, char **cause)
{
	const struct mode	*m;
	struct journal_event	 ev;
	struct journal_state	 kv[3];
	char			 known[512];
	int			 i;
	size_t			 n;

	if (need_reason(reason, cause) == -1)
		return -1;
	if ((m = config_find_mode(g->conf, mode)) == NULL) {
		known[0] = '\0';
		for (i = 0, n = 0; i < g->conf->mode_count && n < sizeof known;
		    i++)
			n += snprintf(known + n, sizeof known - n, "%s%s",
			    i ? ", " : "", g->conf->modes[i].name);
		gate_set_cause(cause, "unknown mode '%s' (known: %s)", mode,
		    known);
		return -1;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = "mode";
	ev.reason = m->name;
	ev.actor = actor;
	ev.detail = reason;
	kv[0].key = "mode";
	kv[0].value = m->name;
	kv[1].key = "mode_manual";
	kv[1].value = "1";
	kv[2].key = "schedule_side";
	kv[2].value = side_text(g->sched_side);
	if (gate_record_state(g, &ev, kv, 3) == -1) {
		gate_set_cause(cause, "journal write failed: mode not changed");
		return -1;
	}
	snprintf(g->mode, sizeof g->mode, "%s", m->name);
	g->mode_manual = true;
	log_info("mode %s by %s: %s", g->mode, actor, reason);
	if (m->closed || !m->vehicle_open)
		lower_all_barriers(g);
	if (event != NULL)
		*event = ev.id;
	return 0;
}

int
gate_set_level(struct gate *g, int level, const char *actor,
    const char *reason, int64_t *event, char **cause)
{
	const struct level	*lv;
	const struct mode	*m;
	struct journal_event	 ev;
	struct journal_state	 kv[4];
	const char		*mode;
	char			 what[192], num[16];
	int			 side;

	if (need_reason(reason, cause) == -1)
		return -1;
	if ((lv = config_find_level(g->conf, level)) == NULL) {
		gate_set_cause(cause, "unknown level %d (this gate defines %d "
		    "levels)", level, g->conf->level_count);
		return -1;
	}
	mode = level_mode_at(g->conf, lv, time(NULL), &side);
	if (side == -1)
		snprintf(what, sizeof what, "level %d (%s): mode %s",
		    lv->number, lv->name, mode);
	else
		snprintf(what, sizeof what, "level %d (%s): mode %s (%s "
		    "schedule %s)", lv->number, lv->name, mode,
		    side ? "inside" : "outside", lv->schedule);
	memset(&ev, 0, sizeof ev);
	ev.kind = "level";
	ev.reason = what;
	ev.actor = actor;
	ev.detail = reason;
	snprintf(num, sizeof num, "%d", lv->number);
	kv[0].key = "level";
	kv[0].value = num;
	kv[1].key = "mode";
	kv[1].value = mode;
	kv[2].key = "mode_manual";
	kv[2].value = "0";
	kv[3].key = "schedule_side";
	kv[3].value = side_text(side);
	if (gate_record_state(g, &ev, kv, 4) == -1) {
		gate_set_cause(cause,
		    "journal write failed: level not changed");
		return -1;
	}
	g->level = lv->number;
	snprintf(g->mode, sizeof g->mode, "%s", mode);
	g->mode_manual = false;
	g->locked = false;
	g->sched_side = side;
	log_info("%s by %s: %s", what, actor, reason);
	m = gate_mode(g);
	if (m == NULL || m->closed || !m->vehicle_open)
		lower_all_barriers(g);
	if (event != NULL)
		*event = ev.id;
	return 0;
}

/*
 * A boundary of the level's schedule: the gate takes the level's mode for
 * the new side, journaled with actor schedule:NAME, and a mode set by hand
 * ends (docs/operator.md: the latest of a level change, a boundary and a
 * hand-set mode wins).  A gate a guard has locked stays locked; it returns
 * to the schedule's mode when unlocked.  0, or -1 when the journal cannot
 * record it (the boundary is tried again at the next tick).
 */
int
gate_schedule_mode(struct gate *g, const struct level *lv, int side)
{
	const struct mode	*m;
	struct journal_event	 ev;
	struct journal_state	 kv[3];
	char			 actor[NAME_LEN + 16], detail[96];
	const char		*mode = side ? lv->mode : lv->mode_outside;

	if (g->locked) {
		snprintf(g->locked_from, sizeof g->locked_from, "%s", mode);
		g->sched_side = side;
		log_info("schedule %s: %s side, mode %s once unlocked",
		    lv->schedule, side ? "inside" : "outside", mode);
		return 0;
	}
	snprintf(actor, sizeof actor, "schedule:%s", lv->schedule);
	snprintf(detail, sizeof detail, "%s schedule %s at level %d",
	    side ? "inside" : "outside", lv->schedule, lv->number);
	memset(&ev, 0, sizeof ev);
	ev.kind = "mode";
	ev.reason = mode;
	ev.actor = actor;
	ev.detail = detail;
	kv[0].key = "mode";
	kv[0].value = mode;
	kv[1].key = "mode_manual";
	kv[1].value = "0";
	kv[2].key = "schedule_side";
	kv[2].value = side_text(side);
	if (gate_record_state(g, &ev, kv, 3) == -1)
		return -1;
	snprintf(g->mode, sizeof g->mode, "%s", mode);
	g->mode_manual = false;
	g->sched_side = side;
	log_info("mode %s by %s: %s", mode, actor, detail);
	m = gate_mode(g);
	if (m == NULL || m->closed || !m->vehicle_open)
		lower_all_barriers(g);
	return 0;
}

/*
 * A guard's forgiveness for anti-passback: the gate forgets where it last
 * saw the person.  Journaled (kind apb-reset), which is also what makes
 * it last across a restart (presence.c reads it back).
 */
int
gate_apb_reset(struct gate *g, const char *person, const char *actor,
    const char *reason, int64_t *event, char **cause)
{
	struct journal_event	ev;

	if (need_reason(reason, cause) == -1)
		return -1;
	if (presence_find(g->presence, person) == NULL) {
		gate_set_cause(cause, "no passage of '%s' on record", person);
		return 1;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = "apb-reset";
	ev.person = person;
	ev.actor = actor;
	ev.detail = reason;
	if (gate_record(g, &ev) == -1) {
		gate_set_cause(cause, "journal write failed: not reset");
		return -1;
	}
	presence_forget(g->presence, person);
	log_info("anti-passback reset for %s by %s: %s", person, actor,
	    reason);
	if (event != NULL)
		*event = ev.id;
	return 0;
}

/* ---- open and acknowledge ----------------------------------------------- */

/* A guard's override: open one lane once, whatever the mode says. */
int
gate_open_lane(struct gate *g, const char *lane, const char *actor,
    const char *reason, int64_t *event, char **cause)
{
	struct lane		*l;
	struct journal_event	 ev;

	if (need_reason(reason, cause) == -1)
		return -1;
	if ((l = gate_lane(g, lane)) == NULL) {
		gate_set_cause(cause, "no lane '%s'", lane);
		return -1;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = "override";
	ev.lane = l->conf->name;
	ev.verdict = "granted";
	ev.reason = reason_name(R_OVERRIDE);
	ev.actor = actor;
	ev.detail = reason;
	if (gate_record(g, &ev) == -1) {
		gate_set_cause(cause, "journal write failed: lane not opened");
		return -1;
	}
	log_info("%s opened by %s: %s", l->conf->name, actor, reason);
	lane_release(l);
	indicator_shot(&g->green, INDICATOR_STEADY, l->conf->open_ms);
	if (event != NULL)
		*event = ev.id;
	return 0;
}

int
gate_ack(struct gate *g, int64_t alert, const char *actor,
    const char *reason, int64_t *event, char **cause)
{
	int	rc;

	rc = alert_list_ack(g->alerts, g->journal, alert, wall_ms(), actor,
	    reason ? reason : "");
	if (rc == 1) {
		gate_set_cause(cause, "no active alert %" PRId64, alert);
		return 1;
	}
	if (rc == -1) {
		gate_set_cause(cause,
		    "journal write failed: alert not acknowledged");
		return -1;
	}
	gate_alert_indicators(g);
	if (event != NULL)
		*event = journal_last_id(g->journal);
	log_info("alert %" PRId64 " acknowledged by %s", alert, actor);
	return 0;
}

/* The guard's acknowledge button: every active alert. */
int
gate_ack_all(struct gate *g, const char *actor)
{
	int64_t	 id = 0;
	int	 n = 0;

	/* Only journaled alerts: an ack is journaled after its alert. */
	while ((id = alert_list_next(g->alerts, id)) != 0) {
		if (gate_ack(g, id, actor, "acknowledge button", NULL,
		    NULL) == 0)
			n++;
	}
	return n;
}

/* ---- people and config -------------------------------------------------- */

/*
 * Swaps in a new people set.  The reload thread has journaled the event
 * already (ev, with its id), so the loop only swaps, frees and announces.
 */
int
gate_install_people(struct gate *g, struct people *p,
    const struct journal_event *ev)
{
	people_free(g->people);
	g->people = p;
	g->people_expected = people_count(p);
	g->people_loaded_ms = wall_ms();
	gate_announce(g, ev);
	log_info("people: %s", ev->detail);
	return 0;
}

size_t
gate_people_expected(struct gate *g)
{
	return g->people_expected;
}

/* Lane timings may change on a reload; what a lane is wired to may not. */
static bool
lane_wiring_same(const struct lane_conf *a, const struct lane_conf *b)
{
	return strcmp(a->name, b->name) == 0 && a->kind == b->kind &&
	    strcmp(a->relay, b->relay) == 0 &&
	    strcmp(a->barrier_raise, b->barrier_raise) == 0 &&
	    strcmp(a->barrier_lower, b->barrier_lower) == 0 &&
	    strcmp(a->door_contact, b->door_contact) == 0 &&
	    strcmp(a->exit_button, b->exit_button) == 0 &&
	    strcmp(a->open_button, b->open_button) == 0 &&
	    strcmp(a->loop, b->loop) == 0 &&
	    strcmp(a->thermometer, b->thermometer) == 0;
}

/* What a config reload may not change without a restart. */
static const char *
hardware_change(const struct gate_conf *a, const struct gate_conf *b)
{
	int	i;

	if (strcmp(a->gpio_backend, b->gpio_backend) != 0 ||
	    strcmp(a->usb_backend, b->usb_backend) != 0)
		return "backends";
	if (a->line_count != b->line_count ||
	    memcmp(a->lines, b->lines, sizeof a->lines) != 0)
		return "GPIO lines";
	if (a->device_count != b->device_count ||
	    memcmp(a->devices, b->devices, sizeof a->devices) != 0)
		return "USB devices";
	if (a->lane_count != b->lane_count)
		return "lanes";
	for (i = 0; i < a->lane_count; i++)
		if (!lane_wiring_same(&a->lanes[i], &b->lanes[i]))
			return "lanes";
	if (a->reader_count != b->reader_count ||
	    memcmp(a->readers, b->readers, sizeof a->readers) != 0)
		return "readers";
	if (a->therm_count != b->therm_count ||
	    memcmp(a->therms, b->therms, sizeof a->therms) != 0)
		return "thermometers";
	if (strcmp(a->state_dir, b->state_dir) != 0 ||
	    strcmp(a->socket_path, b->socket_path) != 0)
		return "state directory or socket";
	if (strcmp(a->emergency, b->emergency) != 0 ||
	    strcmp(a->lock_button, b->lock_button) != 0 ||
	    strcmp(a->ack_button, b->ack_button) != 0 ||
	    strcmp(a->lamp_green, b->lamp_green) != 0 ||
	    strcmp(a->lamp_red, b->lamp_red) != 0 ||
	    strcmp(a->lamp_amber, b->lamp_amber) != 0 ||
	    strcmp(a->buzzer, b->buzzer) != 0)
		return "gate inputs or signals";
	return NULL;
}

/*
 * Rereads the config file.  Policy settings (modes, levels, zones, people
 * path, timings of the journal and thermometers) apply at once; a change
 * to the hardware wiring needs a restart and is refused, keeping the
 * running config.  The caller reloads people afterwards.
 */
int
gate_reload_config(struct gate *g, const char *actor, char **cause)
{
	struct gate_conf	*nc;
	struct journal_event	 ev;
	char			*errors = NULL;
	const char		*what;
	int			 i;

	if ((nc = config_load(g->conf->path, &errors)) == NULL) {
		gate_set_cause(cause, "config not reloaded, the running one is "
		    "kept:\n%s", errors ? errors : "");
		free(errors);
		return -1;
	}
	if ((what = hardware_change(g->conf, nc)) != NULL) {
		gate_set_cause(cause, "config not reloaded: %s changed, "
		    "restart gated to apply", what);
		config_free(nc);
		return -1;
	}
	/* Keep a manual mode and the level across the reload. */
	config_free(g->conf);
	g->conf = nc;
	for (i = 0; i < nc->lane_count; i++)
		g->lanes[i].conf = &nc->lanes[i];
	if (!g->mode_manual && gate_level(g) != NULL)
		snprintf(g->mode, sizeof g->mode, "%s", gate_level(g)->mode);
	memset(&ev, 0, sizeof ev);
	ev.kind = "system";
	ev.reason = "config-reloaded";
	ev.actor = actor;
	ev.detail = nc->path;
	gate_record(g, &ev);
	log_info("config %s reloaded", nc->path);
	return 0;
}
