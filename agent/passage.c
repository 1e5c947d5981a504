/*
 * passage.c: the running gate's hardware events and passage decisions.
 * A card is decided by the policy on plain data (the person, the mode,
 * the level's measures, a fresh temperature) and journaled before its
 * lane opens; a card that needs a temperature waits in its lane.  The
 * exit button, the guard's open button, the fire input, the lock and ack
 * buttons, reader errors, thermometer readings and USB devices coming and
 * going all arrive here from the backends (struct hw_events).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "gate-internal.h"

/* ---- decision latency --------------------------------------------------- */

/* Records the time from a card event to its relay moving. */
void
gate_latency(struct gate *g, const struct timespec *since)
{
	struct timespec	now;
	uint64_t	us, bound;
	int		b;

	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (uint64_t)(now.tv_sec - since->tv_sec) * 1000000 +
	    (now.tv_nsec - since->tv_nsec) / 1000;
	for (b = 0, bound = 16; b < LATENCY_BUCKETS - 1 && us > bound; b++)
		bound *= 2;
	g->latency[b]++;
	if (us > g->latency_max_us)
		g->latency_max_us = us;
	g->latency_recent[g->latency_n++ % LATENCY_RECENT] =
	    us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* Copies up to max of the most recent latencies (us); how many copied. */
size_t
gate_latency_recent(struct gate *g, uint32_t *out, size_t max)
{
	size_t	n = g->latency_n < LATENCY_RECENT ? g->latency_n :
		    LATENCY_RECENT;
	size_t	i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = g->latency_recent[(g->latency_n - n + i) %
		    LATENCY_RECENT];
	return n;
}

/* ---- cards and passages ------------------------------------------------- */

static void
fill_input(struct gate *g, struct lane *l, const struct reader_conf *r,
    const struct shown *sh, struct decision_input *in)
{
	const struct level	*lv = gate_level(g);
	struct therm_state	*t;
	time_t			 now = time(NULL);

	memset(in, 0, sizeof *in);
	in->inside = g->conf->inside;
	in->mode = gate_mode(g);
	in->measures = lv != NULL ? &lv->measures : NULL;
	in->person = sh->p;
	in->pass = sh->pass;
	in->lane_kind = l->conf->kind;
	in->dir = r->dir;
	in->today = day_number(now, true);
	in->off_schedule = gate_off_schedule(g, now);
	if (sh->person_id != NULL && lv != NULL &&
	    lv->measures.anti_passback != APB_OFF)
		in->presence = presence_state(g->presence, sh->person_id,
		    wall_ms(), lv->apb_reset_ms);
	if (l->w.therm >= 0) {
		t = &g->therms[l->w.therm];
		if (t->valid && elapsed_ms(&t->ts) <= g->conf->temp_fresh_ms) {
			in->has_temp = true;
			in->temp_centi = t->centi;
		}
	}
}

/* The journal row of a decided card. */
static void
card_event(struct lane *l, const struct reader_conf *r,
    const struct shown *sh, const struct decision_input *in,
    const struct verdict *v, struct journal_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = "passage";
	ev->lane = l->conf->name;
	ev->direction = r->dir == DIR_IN ? "in" : "out";
	ev->card = sh->card;
	ev->person = sh->p != NULL ? sh->person_id : NULL;
	ev->category = sh->p != NULL ? category_name(sh->p->category) : NULL;
	ev->verdict = v->granted ? "granted" : "denied";
	ev->reason = reason_name(v->reason);
	ev->actor = r->name;
	ev->has_temp = in->has_temp;
	ev->temp_centi = in->temp_centi;
	if (v->apb_violation)
		ev->detail = r->dir == DIR_IN ? "anti-passback: in twice" :
		    "anti-passback: out twice";
}

/*
 * Journals and carries out a decided passage: the row before any output
 * moves, the alert, where the person now is, the lane.  A pass's use is
 * counted in the same commit as its passage (the journal's state), so a
 * crash cannot give a use back.
 */
static void
passage_done(struct gate *g, struct lane *l, const struct reader_conf *r,
    const struct shown *sh, const struct decision_input *in,
    const struct verdict *v, const struct timespec *started)
{
	struct journal_event	ev;
	struct journal_state	kv;
	char			detail[128], uses[16];
	const char		*who = sh->p != NULL ? sh->person_id : sh->card;
	int64_t			rc;

	card_event(l, r, sh, in, v, &ev);
	if (v->granted && sh->uses_key != NULL && r->dir != DIR_OUT) {
		snprintf(uses, sizeof uses, "%u", sh->uses + 1);
		kv.key = sh->uses_key;
		kv.value = uses;
		rc = gate_record_state(g, &ev, &kv, 1);
	} else
		rc = gate_record(g, &ev);
	if (rc == -1) {
		/* No record, no passage; but the guards still hear of a
		 * quarantined card or a fever (their alert waits in memory). */
		log_warnx("%s: card %s not journaled: lane stays shut",
		    l->conf->name, sh->card);
		if (v->actions & ACT_ALERT)
			gate_alert_about(g, v->alert, l->conf->name, who,
			    "card not journaled");
		indicator_shot(&g->red, INDICATOR_DENY_LAMP, 0);
		indicator_shot(&g->buzzer, INDICATOR_DENY_BUZZ, 0);
		return;
	}
	if (v->actions & ACT_ALERT) {
		if (in->has_temp)
			snprintf(detail, sizeof detail, "person %s card %s "
			    "%d.%d C", ev.person ? ev.person : "?", sh->card,
			    in->temp_centi / 100, (in->temp_centi % 100) / 10);
		else
			snprintf(detail, sizeof detail, "person %s card %s",
			    ev.person ? ev.person : "?", sh->card);
		gate_alert_about(g, v->alert, l->conf->name, who, detail);
	}
	if (v->granted && ev.person != NULL)
		presence_passed(g->presence, ev.person, sh->p->category,
		    r->dir == DIR_IN, ev.ts_ms);
	if (v->actions & ACT_OPEN) {
		lane_release(l);
		gate_latency(g, started);
		indicator_shot(&g->green, INDICATOR_STEADY, l->conf->open_ms);
	} else {
		indicator_shot(&g->red, INDICATOR_DENY_LAMP, 0);
		indicator_shot(&g->buzzer, INDICATOR_DENY_BUZZ, 0);
	}
}

/*
 * Decides one card.  A first call (final false) that would be granted but
 * for a missing temperature parks the card and waits for the lane's
 * thermometer; the reading, or the wait running out, decides it finally.
 * The passage is journaled before any output moves.
 */
void
gate_decide_card(struct gate *g, struct lane *l, int reader, uint64_t uid,
    const struct timespec *since, bool final)
{
	const struct reader_conf *r = &g->conf->readers[reader];
	struct shown		 sh = { .pass = PASS_NONE };
	struct decision_input	 in;
	struct verdict		 v;
	struct lane_card	 waits;
	struct person		 flagged;
	char			 card[24];
	struct timespec		 started = *since;

	if (!final)
		lane_card(l);	/* a new card ends the wait of the one before */
	sh.p = g->people != NULL ? people_find(g->people, uid) : NULL;
	sh.person_id = sh.p != NULL ? people_person_id(g->people, sh.p) : NULL;
	if (sh.p != NULL && gate_campus_quarantined(g, sh.person_id)) {
		/* Flagged by the campus (gate-push.c): the policy sees the
		 * flag as if the people list carried it. */
		flagged = *sh.p;
		flagged.flags |= PF_QUARANTINE;
		sh.p = &flagged;
	}
	snprintf(card, sizeof card, "%" PRIu64, uid);
	sh.card = card;
	fill_input(g, l, r, &sh, &in);
	v = policy_decide(&in);

	if (!final && v.reason == R_NO_TEMPERATURE && l->w.therm >= 0 &&
	    l->conf->temp_wait_ms > 0) {
		waits.reader = reader;
		waits.uid = uid;
		waits.since = *since;
		lane_card_wait(l, &waits);
		indicator_shot(&g->amber, INDICATOR_STEADY,
		    l->conf->temp_wait_ms);
		return;
	}
	if (in.has_temp)
		/* One reading, one person. */
		g->therms[l->w.therm].valid = false;
	passage_done(g, l, r, &sh, &in, &v, &started);
}

/*
 * Anonymous egress (the exit button) is allowed unless the gate is closed
 * or locked, or the level restricts students: an anonymous button would
 * otherwise let anyone out that the card check would keep in.
 */
bool
gate_egress_allowed(struct gate *g)
{
	const struct mode	*m = gate_mode(g);
	const struct level	*lv = gate_level(g);

	if (g->emergency)
		return true;
	if (m == NULL || m->closed || g->locked || !m->pedestrian_open)
		return false;
	return lv != NULL && !lv->measures.restrict_students;
}

/*
 * A passage without a card (exit button): journaled, then released.  When
 * the journal cannot record it the lane opens all the same: letting a
 * person out matters more than the record of it (docs/safety.md), and the
 * failed write has raised the journal alert.
 */
void
gate_passage(struct gate *g, struct lane *l, enum direction dir,
    const char *actor)
{
	struct journal_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = "passage";
	ev.lane = l->conf->name;
	ev.direction = dir == DIR_IN ? "in" : "out";
	ev.verdict = "granted";
	ev.reason = reason_name(R_GRANTED);
	ev.actor = actor;
	if (gate_record(g, &ev) == -1)
		log_warnx("%s: %s passage not journaled: released all the same",
		    l->conf->name, actor);
	lane_release(l);
}

/* The exit button of a lane: a passage out, if the mode lets people out. */
void
gate_exit_button(void *arg, struct lane *l)
{
	struct gate	*g = arg;

	if (gate_egress_allowed(g))
		gate_passage(g, l, DIR_OUT, "exit-button");
	else
		log_info("%s: exit button refused by the mode", l->conf->name);
}

/* The guard's open-once button of a lane. */
void
gate_open_button(void *arg, struct lane *l, int line)
{
	struct gate	*g = arg;

	gate_open_lane(g, l->conf->name, g->conf->lines[line].name,
	    "guard button", NULL, NULL);
}

/* A card that waited for a temperature: the reading or the wait is over. */
void
gate_card_waited(void *arg, struct lane *l, const struct lane_card *c)
{
	struct gate	*g = arg;

	indicator_shot_end(&g->amber);
	gate_decide_card(g, l, c->reader, c->uid, &c->since, true);
}

/* ---- hardware events ---------------------------------------------------- */

static void
gate_set_emergency(struct gate *g, bool active)
{
	struct journal_event	ev;
	int			i;

	if (g->emergency == active)
		return;
	g->emergency = active;
	memset(&ev, 0, sizeof ev);
	ev.kind = "emergency";
	ev.reason = active ? "start" : "end";
	ev.actor = g->conf->emergency;
	ev.detail = active ? "emergency input active: every lane held open" :
	    "emergency input cleared";
	gate_record(g, &ev);
	if (active) {
		gate_alert(g, ALERT_EMERGENCY, NULL, "emergency input active");
		gate_muster(g);
	}
	for (i = 0; i < g->conf->lane_count; i++)
		lane_emergency(&g->lanes[i], active);
}

static void
gate_toggle_lock(struct gate *g, const char *actor)
{
	char	mode[NAME_LEN];

	if (!g->locked) {
		snprintf(g->locked_from, sizeof g->locked_from, "%s", g->mode);
		if (gate_set_mode(g, "closed", actor, "guard lock", NULL,
		    NULL) == 0)
			g->locked = true;
	} else {
		snprintf(mode, sizeof mode, "%s", g->locked_from);
		g->locked = false;
		gate_set_mode(g, mode, actor, "guard unlock", NULL, NULL);
	}
}

static void
hw_input(void *arg, int line, int value, const struct timespec *ts)
{
	struct gate		*g = arg;
	const struct gate_conf	*c = g->conf;
	const char		*name = c->lines[line].name;
	int			 i;

	(void)ts;
	log_debug("%s: %s = %d", __func__, name, value);
	if (c->emergency[0] && strcmp(name, c->emergency) == 0) {
		gate_set_emergency(g, value);
		return;
	}
	if (c->lock_button[0] && strcmp(name, c->lock_button) == 0) {
		if (value)
			gate_toggle_lock(g, name);
		return;
	}
	if (c->ack_button[0] && strcmp(name, c->ack_button) == 0) {
		if (value)
			gate_ack_all(g, name);
		return;
	}
	for (i = 0; i < c->lane_count; i++)
		lane_input(&g->lanes[i], line, value);
}

static void
hw_card(void *arg, int reader, uint64_t uid, const struct timespec *ts)
{
	struct gate	*g = arg;
	struct lane	*l;

	if (reader < 0 || reader >= g->conf->reader_count)
		return;
	if ((l = gate_lane(g, g->conf->readers[reader].lane)) == NULL)
		return;
	gate_decide_card(g, l, reader, uid, ts, false);
}

/*
 * What a verified pass can be at this gate: its state now (window, uses
 * left) and the person it describes, built in *p: its category, the
 * inside zone if the pass names it, no home, no flags, no card days (the
 * pass's window is its validity).
 */
static enum pass_state
pass_person(struct gate *g, const struct pass *ps, struct person *p,
    unsigned *used, char *uses_key, size_t len)
{
	const struct gate_conf	*c = g->conf;
	enum pass_result	 t = pass_check_time(ps, (int64_t)time(NULL));
	char			*s;

	memset(p, 0, sizeof *p);
	p->uid = ps->id;
	p->category = ps->category == PASS_CONTRACTOR ? CAT_CONTRACTOR :
	    CAT_VISITOR;
	p->home_zone = ZONE_NONE;
	p->valid_until = UINT16_MAX;	/* the pass's window rules */
	if (c->inside < c->zone_count && pass_has_zone(ps, c->zones[c->inside]))
		p->zones = UINT32_C(1) << c->inside;
	snprintf(uses_key, len, "pass-uses:%016" PRIx64, ps->id);
	*used = 0;
	if ((s = journal_state_get(g->journal, uses_key)) != NULL) {
		*used = (unsigned)strtoul(s, NULL, 10);
		free(s);
	}
	if (t == PASS_RESULT_NOT_YET_VALID)
		return PASS_NOT_YET_VALID;
	if (t == PASS_RESULT_EXPIRED)
		return PASS_EXPIRED;
	if (ps->uses > 0 && *used >= ps->uses)
		return PASS_USED;
	return PASS_OK;
}

/*
 * Decides a visitor pass a QR scanner typed (docs/passes.md): verified
 * against the config's pass keys, then the policy like a card.  A pass
 * that does not verify is nobody (pass-invalid), whatever it says.  A
 * pass does not wait for the thermometer: a reading taken just before
 * counts, as for a card, and without one it is refused (no-temperature).
 */
static void
hw_pass(void *arg, int reader, const char *text, const struct timespec *ts)
{
	struct gate		*g = arg;
	const struct reader_conf *r;
	struct lane		*l;
	struct pass		 ps;
	struct person		 p;
	struct shown		 sh = { .pass = PASS_INVALID };
	struct decision_input	 in;
	struct verdict		 v;
	char			 card[32], id[32], key[48];
	enum pass_result	 res;

	if (reader < 0 || reader >= g->conf->reader_count ||
	    (l = gate_lane(g, g->conf->readers[reader].lane)) == NULL)
		return;
	r = &g->conf->readers[reader];
	lane_card(l);
	res = pass_verify(text, g->conf->pass_keys,
	    (size_t)g->conf->pass_key_count, &ps);
	snprintf(card, sizeof card, "pass");
	if (res == PASS_RESULT_OK) {
		sh.pass = pass_person(g, &ps, &p, &sh.uses, key, sizeof key);
		snprintf(id, sizeof id, "pass:%016" PRIx64, ps.id);
		snprintf(card, sizeof card, "pass:%016" PRIx64, ps.id);
		sh.p = &p;
		sh.person_id = id;
		sh.uses_key = ps.uses > 0 ? key : NULL;
	} else
		log_info("%s: a pass that does not verify: %s%s%s",
		    l->conf->name, pass_result_name(res),
		    res == PASS_RESULT_UNKNOWN_KEY ? " " : "",
		    res == PASS_RESULT_UNKNOWN_KEY ? ps.key_id : "");
	sh.card = card;
	fill_input(g, l, r, &sh, &in);
	v = policy_decide(&in);
	if (in.has_temp)
		g->therms[l->w.therm].valid = false;
	passage_done(g, l, r, &sh, &in, &v, ts);
}

/*
 * A reader read something that is not a card: never a decision, only
 * counted and journaled as kind "read-error", one row per reader per
 * READ_ERROR_LOG_S at most, its detail saying how many came meanwhile.
 */
static void
hw_read_error(void *arg, int reader, const char *error)
{
	struct gate		*g = arg;
	struct reader_state	*r;
	struct journal_event	 ev;
	char			 detail[128];
	time_t			 now;
	int			 e;

	if (reader < 0 || reader >= g->conf->reader_count)
		return;
	r = &g->readers[reader];
	for (e = 1; e < WIEGAND__ERRORS; e++)
		if (strcmp(wiegand_error_name(e), error) == 0)
			break;
	if (e == WIEGAND__ERRORS)
		return;
	r->errors[e]++;
	r->unlogged++;
	now = time(NULL);
	if (r->last_log != 0 && now - r->last_log < READ_ERROR_LOG_S)
		return;
	snprintf(detail, sizeof detail, "%s; %lu read error%s since the "
	    "last row", error, r->unlogged, r->unlogged == 1 ? "" : "s");
	log_warnx("reader %s: read error: %s", g->conf->readers[reader].name,
	    detail);
	memset(&ev, 0, sizeof ev);
	ev.kind = "read-error";
	ev.reason = error;
	ev.actor = g->conf->readers[reader].name;
	ev.lane = g->conf->readers[reader].lane;
	ev.direction = g->conf->readers[reader].dir == DIR_IN ? "in" : "out";
	ev.detail = detail;
	gate_record(g, &ev);
	r->last_log = now;
	r->unlogged = 0;
}

static void
hw_temperature(void *arg, int therm, int centi, const struct timespec *ts)
{
	struct gate		*g = arg;
	struct therm_state	*t;
	struct lane		*l;
	time_t			 now;

	if (therm < 0 || therm >= g->conf->therm_count)
		return;
	t = &g->therms[therm];
	centi += g->conf->therms[therm].offset_centi;
	if (centi < g->conf->temp_min_centi || centi > g->conf->temp_max_centi) {
		/* Not a person: a sensor error, logged at most each minute. */
		t->sensor_errors++;
		now = time(NULL);
		if (now - t->last_error_log >= 60) {
			log_warnx("%s: implausible reading %d.%02d C ignored",
			    g->conf->therms[therm].name, centi / 100,
			    abs(centi % 100));
			t->last_error_log = now;
		}
		return;
	}
	t->valid = true;
	t->centi = centi;
	t->ts = *ts;
	l = gate_lane(g, g->conf->therms[therm].lane);
	if (l != NULL && l->w.therm == therm)
		lane_temperature(l);	/* decides a card waiting for it */
}

static struct device_state *
device_find(struct gate *g, const char *name, bool create)
{
	int	i;

	for (i = 0; i < g->device_count; i++)
		if (strcmp(g->devices[i].name, name) == 0)
			return &g->devices[i];
	if (!create || g->device_count == DEVICES_MAX)
		return NULL;
	snprintf(g->devices[g->device_count].name, NAME_LEN, "%s", name);
	return &g->devices[g->device_count++];
}

static void
hw_device(void *arg, const char *name, bool up, const char *why)
{
	struct gate		*g = arg;
	struct device_state	*d;
	struct journal_event	 ev;
	char			 detail[160];

	if ((d = device_find(g, name, true)) == NULL)
		return;
	if (d->up == up && d->why[0] != '\0')
		return;
	d->up = up;
	snprintf(d->why, sizeof d->why, "%s", why ? why : "");
	memset(&ev, 0, sizeof ev);
	ev.kind = "device";
	ev.reason = up ? "up" : "down";
	ev.actor = name;
	ev.detail = why;
	gate_record(g, &ev);
	if (!up) {
		snprintf(detail, sizeof detail, "device %s down: %s", name,
		    why ? why : "");
		gate_alert_about(g, ALERT_DEVICE, NULL, name, detail);
	} else
		log_info("device %s up: %s", name, why ? why : "");
}

const struct hw_events gate_hw_events = {
	.input = hw_input,
	.card = hw_card,
	.pass = hw_pass,
	.temperature = hw_temperature,
	.read_error = hw_read_error,
	.device = hw_device,
};
