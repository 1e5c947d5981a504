/*
 * gate-time.c: the gate and the clock.  Once a second it looks at the
 * level's schedule (a boundary switches the mode, journaled as
 * schedule:NAME) and at whether the system clock is synchronised (an
 * alert when it has not been for clock-sync-timeout).  It also works out,
 * for each decision, which categories are outside their hours, and
 * journals the muster list when the fire input fires.
 */
#include <string.h>

#include <event2/event.h>

#include "gate-internal.h"

#define CLOCK_TICK_MS	1000

/*
 * The categories outside the hours their level gives them, at t.  Hours
 * are whole minutes, so the answer is kept for the second it was worked
 * out in (and the level and config it was worked out for): a burst of
 * cards costs one look at the local clock, not one each.
 */
uint8_t
gate_off_schedule(struct gate *g, time_t t)
{
	const struct level	*lv = gate_level(g);
	const struct schedule	*s;
	uint8_t			 off = 0;
	int			 c;

	if (lv == NULL)
		return 0;
	if (t == g->off_t && g->off_level == g->level &&
	    g->off_conf == g->conf)
		return g->off;
	for (c = 0; c < CAT__COUNT; c++) {
		if (lv->hours[c][0] == '\0')
			continue;
		/* A schedule that is not there keeps the category out. */
		s = config_find_schedule(g->conf, lv->hours[c]);
		if (s == NULL || !sched_active(s, t))
			off |= (uint8_t)(1u << c);
	}
	g->off_t = t;
	g->off_level = g->level;
	g->off_conf = g->conf;
	g->off = off;
	return off;
}

/* A boundary of the level's schedule since the last look: switch. */
static void
schedule_tick(struct gate *g, time_t now)
{
	const struct level	*lv = gate_level(g);
	int			 side;

	if (lv == NULL || lv->schedule[0] == '\0') {
		g->sched_side = -1;
		return;
	}
	level_mode_at(g->conf, lv, now, &side);
	if (side == g->sched_side || side == -1)
		return;
	gate_schedule_mode(g, lv, side);
}

/* The clock's sync, as the simulator or the kernel tells it. */
static void
sync_tick(struct gate *g)
{
	char	detail[128];

	timesync_probe(&g->sync, NULL);
	if (g->sim_synced != -1) {
		g->sync.synced = g->sim_synced == 1;
		g->sync.source = g->sim_synced == 1 ? "sim" : "none";
	}
	switch (timesync_watch_step(&g->sync_watch, g->sync.synced, mono_ms(),
	    g->conf->clock_sync_timeout_ms)) {
	case TIMESYNC_SAME:
		break;
	case TIMESYNC_ALERT:
		snprintf(detail, sizeof detail, "the system clock has not been"
		    " synchronised for %d s: dates, schedules and journal"
		    " times may be wrong", g->conf->clock_sync_timeout_ms /
		    1000);
		log_warnx("%s", detail);
		gate_alert_about(g, ALERT_CLOCK, NULL, "clock", detail);
		break;
	case TIMESYNC_RECOVERED:
		log_info("the system clock is synchronised again (%s)",
		    g->sync.source);
		break;
	}
}

static void
clock_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gate	*g = arg;

	(void)fd;
	(void)what;
	schedule_tick(g, time(NULL));
	sync_tick(g);
}

void
gate_sim_synced(struct gate *g, int synced)
{
	g->sim_synced = synced;
	sync_tick(g);
}

/*
 * Starts the clock's tick.  A boundary passed while gated was stopped is
 * taken now, as it would have been (restore_state put back the side the
 * journal last recorded).
 */
void
gate_time_start(struct gate *g)
{
	struct timeval	tv = { 0, CLOCK_TICK_MS * 1000 };

	g->sim_synced = -1;
	timesync_watch_init(&g->sync_watch);
	g->clock_timer = event_new(g->base, -1, EV_PERSIST, clock_tick, g);
	evtimer_add(g->clock_timer, &tv);
	clock_tick(-1, 0, g);
}

void
gate_time_stop(struct gate *g)
{
	if (g->clock_timer != NULL)
		event_free(g->clock_timer);
	g->clock_timer = NULL;
}

struct muster {
	char	*text;
	size_t	 len, cap;
};

static void
muster_add(const struct presence_entry *e, void *arg)
{
	struct muster	*m = arg;
	size_t		 need = strlen(e->person) + 2;

	if (m->len + need >= m->cap) {
		m->cap = (m->cap + need) * 2;
		m->text = xreallocarray(m->text, m->cap, 1);
	}
	m->len += (size_t)snprintf(m->text + m->len, m->cap - m->len, "%s%s",
	    m->len ? " " : "", e->person);
}

/*
 * The fire input fired: who is inside, as the gate knows it, goes into
 * the journal (kind muster), so that the list of that moment is kept
 * whatever happens next; gatectl inside prints the list as it is now.
 */
void
gate_muster(struct gate *g)
{
	struct journal_event	ev;
	struct muster		m = { NULL, 0, 0 };
	size_t			counts[CAT__COUNT + 1];
	char			reason[32];

	m.cap = 64;
	m.text = xcalloc(1, m.cap);
	presence_each_inside(g->presence, muster_add, &m);
	snprintf(reason, sizeof reason, "%zu inside",
	    presence_inside(g->presence, counts, CAT__COUNT + 1));
	memset(&ev, 0, sizeof ev);
	ev.kind = "muster";
	ev.reason = reason;
	ev.actor = g->conf->emergency;
	ev.detail = m.text;
	if (gate_record(g, &ev) == -1)
		log_warnx("muster list not journaled: %s: %s", reason, m.text);
	free(m.text);
}
