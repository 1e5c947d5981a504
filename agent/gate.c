/*
 * gate.c: the running gate.  It owns the configuration, the people set,
 * the journal and the hardware backends, turns hardware events into
 * decisions, journals every decision before any output moves, raises and
 * clears alerts, and applies the commands that come through the API.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent.h"
#include "clock.h"
#include "protocol.h"

#define LISTENERS_MAX	16
#define PRUNE_EVERY_S	60
#define JOURNAL_WATCH_S	5	/* how often the journal file is checked */
#define LATENCY_BUCKETS	16
#define LATENCY_RECENT	1024
#define STATUS_ALERTS	20	/* newest alerts in status; GET /v1/alerts */

struct therm_state {
	bool		valid;		/* a reading not yet used */
	int		centi;		/* calibrated */
	struct timespec	ts;
	unsigned long	sensor_errors;
	time_t		last_error_log;
};

/* A reader's read errors: counted all, journaled at most each
 * READ_ERROR_LOG_S with how many came since the last row. */
#define READ_ERROR_LOG_S	10
struct reader_state {
	uint64_t	errors[WIEGAND__ERRORS];
	time_t		last_log;
	unsigned long	unlogged;
};

struct device_state {
	char	name[NAME_LEN];
	bool	up;
	char	why[96];
};

struct listener {
	gate_listener_fn	 fn;
	void			*arg;
};

struct gate {
	struct event_base	*base;
	struct gate_conf	*conf;
	struct journal		*journal;
	struct people		*people;
	size_t			 people_expected;	/* last list's size */
	int64_t			 people_loaded_ms;
	const struct hw_gpio_ops *gpio_ops;
	struct hw_gpio		*gpio;
	const struct hw_usb_ops	*usb_ops;
	struct hw_usb		*usb;

	char			 mode[NAME_LEN];
	bool			 mode_manual;	/* set by a command, not level */
	int			 level;
	bool			 emergency;
	bool			 locked;
	char			 locked_from[NAME_LEN];
	struct alert_list	*alerts;	/* active, in memory first */
	bool			 warned_space, warned_rows;

	struct lane		 lanes[LANES_MAX];
	struct therm_state	 therms[THERMS_MAX];
	struct reader_state	 readers[READERS_MAX];
	int			 device_count;
	struct device_state	 devices[DEVICES_MAX];
	struct signal		 green, red, amber, buzzer;
	struct listener		 listeners[LISTENERS_MAX];
	struct event		*prune_timer;
	struct event		*journal_timer;
	bool			 journal_lost;	/* its alert is raised */
	bool			 journal_busy;	/* in gate_journal_watch */
	struct hw_events	 hw_ev;
	time_t			 started;

	/* decision latency, card event to relay, in log buckets of us */
	uint64_t		 latency[LATENCY_BUCKETS];
	uint64_t		 latency_max_us;
	uint32_t		 latency_recent[LATENCY_RECENT];	/* us, a ring */
	uint64_t		 latency_n;
};


/* ---- small helpers ----------------------------------------------------- */

static void
set_cause(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
set_cause(char **cause, const char *fmt, ...)
{
	va_list	ap;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
}

struct event_base *
gate_base(struct gate *g)
{
	return g->base;
}

const struct gate_conf *
gate_conf(struct gate *g)
{
	return g->conf;
}

struct journal *
gate_journal(struct gate *g)
{
	return g->journal;
}

bool
gate_emergency(struct gate *g)
{
	return g->emergency;
}

int
gate_output(struct gate *g, int line, int value)
{
	if (line < 0)
		return 0;
	if (g->gpio_ops->set(g->gpio, line, value) == -1) {
		log_warn("output %s", g->conf->lines[line].name);
		return -1;
	}
	return 0;
}

int
gate_find_reader(struct gate *g, const char *name)
{
	int	i;

	for (i = 0; i < g->conf->reader_count; i++)
		if (strcmp(g->conf->readers[i].name, name) == 0)
			return i;
	return -1;
}

int
gate_find_therm(struct gate *g, const char *name)
{
	int	i;

	for (i = 0; i < g->conf->therm_count; i++)
		if (strcmp(g->conf->therms[i].name, name) == 0)
			return i;
	return -1;
}

static struct lane *
gate_lane(struct gate *g, const char *name)
{
	int	i;

	if ((i = config_find_lane(g->conf, name)) == -1)
		return NULL;
	return &g->lanes[i];
}

static const struct level *
gate_level(struct gate *g)
{
	return config_find_level(g->conf, g->level);
}

/* The gate's mode, or NULL when it names nothing: such a gate denies. */
static const struct mode *
gate_mode(struct gate *g)
{
	return config_find_mode(g->conf, g->mode);
}

struct hw_gpio *
gate_sim_gpio(struct gate *g)
{
	return g->gpio_ops == &hw_sim_gpio_ops ? g->gpio : NULL;
}

struct hw_usb *
gate_sim_usb(struct gate *g)
{
	return g->usb_ops == &hw_sim_usb_ops ? g->usb : NULL;
}

/* ---- listeners and the journal ------------------------------------------ */

int
gate_listen(struct gate *g, gate_listener_fn fn, void *arg)
{
	int	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (g->listeners[i].fn == NULL) {
			g->listeners[i].fn = fn;
			g->listeners[i].arg = arg;
			return 0;
		}
	return -1;
}

void
gate_unlisten(struct gate *g, gate_listener_fn fn, void *arg)
{
	int	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (g->listeners[i].fn == fn && g->listeners[i].arg == arg)
			g->listeners[i].fn = NULL;
}

/* Tells the listeners of an event that is in the journal. */
static void
gate_announce(struct gate *g, const struct journal_event *ev)
{
	int	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (g->listeners[i].fn != NULL)
			g->listeners[i].fn(g->listeners[i].arg, ev);
}

static bool	gate_journal_watch(struct gate *);

static void
gate_announce_cb(void *arg, const struct journal_event *ev)
{
	gate_announce(arg, ev);
}

/* Appends, with the state the event sets when n > 0, in one commit. */
static int64_t
gate_append(struct gate *g, struct journal_event *ev,
    const struct journal_state *kv, int n)
{
	return n > 0 ? journal_append_state(g->journal, ev, kv, n) :
	    journal_append(g->journal, ev);
}

/*
 * Journals an event with the state it sets (n > 0), in one commit, and
 * tells the listeners: a change is remembered across a restart exactly
 * when it is journaled.  The event id, or -1 and nothing was written.  A
 * failed write raises the journal alert (in memory: lamp, buzzer, API); a
 * good one writes the alerts the journal missed meanwhile.
 */
static int64_t
gate_record_state(struct gate *g, struct journal_event *ev,
    const struct journal_state *kv, int n)
{
	if (ev->ts_ms == 0)
		ev->ts_ms = wall_ms();
	if (gate_append(g, ev, kv, n) == -1) {
		/* The file vanished: the event goes to the new one, if any. */
		if (!gate_journal_watch(g) || gate_append(g, ev, kv, n) == -1) {
			/* "write": apart from the low-space warning */
			gate_alert_about(g, ALERT_JOURNAL, NULL, "write",
			    "journal write failed");
			return -1;
		}
	}
	gate_announce(g, ev);
	if (alert_list_flush(g->alerts, g->journal, gate_announce_cb, g) > 0)
		log_info("alerts raised while the journal failed are "
		    "journaled now");
	return ev->id;
}

/* Journals one event and tells the listeners; the event id or -1. */
int64_t
gate_record(struct gate *g, struct journal_event *ev)
{
	return gate_record_state(g, ev, NULL, 0);
}

static void
alert_signals(struct gate *g)
{
	bool	on = alert_list_count(g->alerts) > 0;

	signal_base(&g->red, on ? SIGNAL_BLINK : SIGNAL_NONE);
	signal_base(&g->buzzer, on ? SIGNAL_ALERT_BUZZ : SIGNAL_NONE);
}

/* Raises an alert about nothing in particular (a lane, the gate). */
int64_t
gate_alert(struct gate *g, enum alert_kind kind, const char *lane,
    const char *detail)
{
	return gate_alert_about(g, kind, lane, NULL, detail);
}

/*
 * Raises an alert, signalled until a guard acknowledges it, or counts a
 * repeat of the active one about the same subject (a person, a device).
 * Lamp, buzzer and API come first: the journal records the alert when it
 * can, so a failing journal never keeps an alert from the guards.  The
 * alert's id, 0 while it is not journaled.
 */
int64_t
gate_alert_about(struct gate *g, enum alert_kind kind, const char *lane,
    const char *subject, const char *detail)
{
	struct journal_event	ev;
	int64_t			id, count;
	const char		*name = alert_kind_name(kind);

	if (alert_list_raise(g->alerts, g->journal, wall_ms(), name, lane,
	    subject, detail, &id, &count) == 0) {
		log_debug("alert %" PRId64 " (%s) repeated, %" PRId64 " times",
		    id, name, count);
		return id;
	}
	alert_signals(g);
	if (id == 0) {
		log_warnx("alert %s%s%s: %s (not journaled yet)", name,
		    lane ? " on " : "", lane ? lane : "", detail);
		return 0;
	}
	log_info("alert %" PRId64 ": %s%s%s: %s", id, name,
	    lane ? " on " : "", lane ? lane : "", detail);
	/* Listeners hear of it like of any other journaled event. */
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = wall_ms();
	ev.kind = "alert";
	ev.lane = lane;
	ev.reason = name;
	ev.detail = detail;
	ev.alert_id = id;
	ev.id = journal_last_id(g->journal);
	gate_announce(g, &ev);
	return id;
}

/* Journals why the journal is a new file, and raises its alert. */
static void
gate_journal_incident(struct gate *g, const char *reason)
{
	struct journal_event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = "system";
	ev.reason = reason;
	ev.detail = journal_incident(g->journal);
	gate_record(g, &ev);
	/* Its own subject: not a repeat of a write failure or of the loss. */
	gate_alert_about(g, ALERT_JOURNAL, NULL, reason,
	    journal_incident(g->journal));
}

/*
 * The journal file removed or replaced under the running gate (an
 * operator's rm journal.db*): appends fail (no passage is granted without
 * a record) until a new file is open at the path, which starts with a
 * system event saying so.  Runs from a timer and after a failed append;
 * true when it has just opened a new file.
 */
static bool
gate_journal_watch(struct gate *g)
{
	char	*cause = NULL;
	bool	 reopened = false;

	if (g->journal_busy || journal_check(g->journal) == 0)
		return false;
	g->journal_busy = true;
	if (journal_reopen(g->journal, &cause) == 0) {
		gate_journal_incident(g, "journal-vanished");
		g->journal_lost = false;
		reopened = true;
	} else if (!g->journal_lost) {
		/* Raised in the vanished file, carried over on reopening. */
		log_errorx("journal cannot be reopened: %s; every card"
		    " is denied until it can", cause);
		gate_alert_about(g, ALERT_JOURNAL, NULL, "journal-lost",
		    "journal file vanished and cannot be reopened: cards are"
		    " denied");
		g->journal_lost = true;
	}
	free(cause);
	g->journal_busy = false;
	return reopened;
}

static void
journal_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gate_journal_watch(arg);
}

/* A page of the active alerts, for GET /v1/alerts. */
json_t *
gate_alerts_page(struct gate *g, int64_t before, int64_t after, int limit)
{
	return alert_list_page(g->alerts, before, after, limit);
}

/* ---- decisions ---------------------------------------------------------- */

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

static void
fill_input(struct gate *g, struct lane *l, const struct reader_conf *r,
    const struct person *p, struct decision_input *in)
{
	const struct level	*lv = gate_level(g);
	struct therm_state	*t;

	memset(in, 0, sizeof *in);
	in->inside = g->conf->inside;
	in->mode = gate_mode(g);
	in->measures = lv != NULL ? &lv->measures : NULL;
	in->person = p;
	in->lane_kind = l->conf->kind;
	in->dir = r->dir;
	in->today = day_number(time(NULL), true);
	if (l->therm >= 0) {
		t = &g->therms[l->therm];
		if (t->valid && elapsed_ms(&t->ts) <= g->conf->temp_fresh_ms) {
			in->has_temp = true;
			in->temp_centi = t->centi;
		}
	}
}

static void
pending_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct lane	*l = arg;

	(void)fd;
	(void)what;
	gate_decide_card(l->gate, l, l->pending.reader, l->pending.uid,
	    &l->pending.since, true);
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
	const struct person	*p;
	struct decision_input	 in;
	struct verdict		 v;
	struct journal_event	 ev;
	struct timeval		 tv;
	char			 card[24], detail[128];
	struct timespec		 started = *since;

	if (!final && l->pending.active) {
		/* A new card ends the wait of the one before it. */
		evtimer_del(l->pending.timer);
		gate_decide_card(g, l, l->pending.reader, l->pending.uid,
		    &l->pending.since, true);
	}
	p = g->people != NULL ? people_find(g->people, uid) : NULL;
	fill_input(g, l, r, p, &in);
	v = policy_decide(&in);

	if (!final && v.reason == R_NO_TEMPERATURE && l->therm >= 0 &&
	    l->conf->temp_wait_ms > 0) {
		l->pending.active = true;
		l->pending.uid = uid;
		l->pending.reader = reader;
		l->pending.since = *since;
		if (l->pending.timer == NULL)
			l->pending.timer = evtimer_new(g->base,
			    pending_timeout, l);
		tv.tv_sec = l->conf->temp_wait_ms / 1000;
		tv.tv_usec = (l->conf->temp_wait_ms % 1000) * 1000;
		evtimer_add(l->pending.timer, &tv);
		signal_shot(&g->amber, SIGNAL_STEADY, l->conf->temp_wait_ms);
		log_debug("%s: %s: card %" PRIu64 " waits for a temperature",
		    __func__, l->conf->name, uid);
		return;
	}
	if (l->pending.active && l->pending.uid == uid) {
		l->pending.active = false;
		evtimer_del(l->pending.timer);
		signal_shot_end(&g->amber);
	}
	if (in.has_temp)
		g->therms[l->therm].valid = false;	/* one reading, one person */

	snprintf(card, sizeof card, "%" PRIu64, uid);
	memset(&ev, 0, sizeof ev);
	ev.kind = "passage";
	ev.lane = l->conf->name;
	ev.direction = r->dir == DIR_IN ? "in" : "out";
	ev.card = card;
	ev.person = p != NULL ? people_person_id(g->people, p) : NULL;
	ev.category = p != NULL ? category_name(p->category) : NULL;
	ev.verdict = v.granted ? "granted" : "denied";
	ev.reason = reason_name(v.reason);
	ev.actor = r->name;
	ev.has_temp = in.has_temp;
	ev.temp_centi = in.temp_centi;
	if (gate_record(g, &ev) == -1) {
		/* No record, no passage; but the guards still hear of a
		 * quarantined card or a fever (their alert waits in memory). */
		log_warnx("%s: card %s not journaled: lane stays shut",
		    l->conf->name, card);
		if (v.actions & ACT_ALERT)
			gate_alert_about(g, v.alert, l->conf->name,
			    ev.person ? ev.person : card, "card not journaled");
		signal_shot(&g->red, SIGNAL_DENY_LAMP, 0);
		signal_shot(&g->buzzer, SIGNAL_DENY_BUZZ, 0);
		return;
	}
	if (v.actions & ACT_ALERT) {
		if (in.has_temp)
			snprintf(detail, sizeof detail, "person %s card %s "
			    "%d.%d C", ev.person ? ev.person : "?", card,
			    in.temp_centi / 100, (in.temp_centi % 100) / 10);
		else
			snprintf(detail, sizeof detail, "person %s card %s",
			    ev.person ? ev.person : "?", card);
		gate_alert_about(g, v.alert, l->conf->name,
		    ev.person ? ev.person : card, detail);
	}
	if (v.actions & ACT_OPEN) {
		lane_release(l);
		gate_latency(g, &started);
		signal_shot(&g->green, SIGNAL_STEADY, l->conf->open_ms);
	} else {
		signal_shot(&g->red, SIGNAL_DENY_LAMP, 0);
		signal_shot(&g->buzzer, SIGNAL_DENY_BUZZ, 0);
	}
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

/* ---- hardware events ------------------------------------------------------ */

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
	if (active)
		gate_alert(g, ALERT_EMERGENCY, NULL, "emergency input active");
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
	if (l != NULL && l->pending.active && l->therm == therm)
		gate_decide_card(g, l, l->pending.reader, l->pending.uid,
		    &l->pending.since, true);
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

static const struct hw_events gate_hw_events = {
	.input = hw_input,
	.card = hw_card,
	.temperature = hw_temperature,
	.read_error = hw_read_error,
	.device = hw_device,
};

/* ---- commands ------------------------------------------------------------ */

static int
need_reason(const char *reason, char **cause)
{
	if (reason == NULL || reason[0] == '\0') {
		set_cause(cause, "a reason is required for every change");
		return -1;
	}
	return 0;
}

static void
lower_all_barriers(struct gate *g)
{
	int	i;

	for (i = 0; i < g->conf->lane_count; i++)
		lane_request_lower(&g->lanes[i]);
}

int
gate_set_mode(struct gate *g, const char *mode, const char *actor,
    const char *reason, int64_t *event, char **cause)
{
	const struct mode	*m;
	struct journal_event	 ev;
	struct journal_state	 kv[2];
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
		set_cause(cause, "unknown mode '%s' (known: %s)", mode, known);
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
	if (gate_record_state(g, &ev, kv, 2) == -1) {
		set_cause(cause, "journal write failed: mode not changed");
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
	struct journal_state	 kv[3];
	char			 what[192], num[16];

	if (need_reason(reason, cause) == -1)
		return -1;
	if ((lv = config_find_level(g->conf, level)) == NULL) {
		set_cause(cause, "unknown level %d (this gate defines %d "
		    "levels)", level, g->conf->level_count);
		return -1;
	}
	snprintf(what, sizeof what, "level %d (%s): mode %s", lv->number,
	    lv->name, lv->mode);
	memset(&ev, 0, sizeof ev);
	ev.kind = "level";
	ev.reason = what;
	ev.actor = actor;
	ev.detail = reason;
	snprintf(num, sizeof num, "%d", lv->number);
	kv[0].key = "level";
	kv[0].value = num;
	kv[1].key = "mode";
	kv[1].value = lv->mode;
	kv[2].key = "mode_manual";
	kv[2].value = "0";
	if (gate_record_state(g, &ev, kv, 3) == -1) {
		set_cause(cause, "journal write failed: level not changed");
		return -1;
	}
	g->level = lv->number;
	snprintf(g->mode, sizeof g->mode, "%s", lv->mode);
	g->mode_manual = false;
	g->locked = false;
	log_info("%s by %s: %s", what, actor, reason);
	m = gate_mode(g);
	if (m == NULL || m->closed || !m->vehicle_open)
		lower_all_barriers(g);
	if (event != NULL)
		*event = ev.id;
	return 0;
}

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
		set_cause(cause, "no lane '%s'", lane);
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
		set_cause(cause, "journal write failed: lane not opened");
		return -1;
	}
	log_info("%s opened by %s: %s", l->conf->name, actor, reason);
	lane_release(l);
	signal_shot(&g->green, SIGNAL_STEADY, l->conf->open_ms);
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
		set_cause(cause, "no active alert %" PRId64, alert);
		return 1;
	}
	if (rc == -1) {
		set_cause(cause, "journal write failed: alert not acknowledged");
		return -1;
	}
	alert_signals(g);
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

/* ---- people and config ------------------------------------------------------ */

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

/*
 * Loads the people at start.  The journal remembers how many people the
 * list last installed held, so a list cut short at a line end while the
 * gate was down is refused at start too, with the same rule as a reload;
 * the gate then denies every card until a reload (forced if meant)
 * succeeds.  A list refused at start is journaled.
 */
static void
gate_load_people(struct gate *g)
{
	const struct gate_conf	*conf = g->conf;
	struct people_errors	 perr;
	struct journal_event	 ev;
	char			*s, count[32], detail[320];
	int			 i;

	if ((s = journal_state_get(g->journal, "people_count")) != NULL) {
		g->people_expected = strtoull(s, NULL, 10);
		free(s);
	}
	memset(&perr, 0, sizeof perr);
	g->people = people_load(conf->people_path, conf, &perr);
	if (g->people != NULL && people_shrink_check(g->people_expected,
	    people_count(g->people), conf->people_max_shrink,
	    conf->people_path, &perr) == -1) {
		people_free(g->people);
		g->people = NULL;
	}
	if (g->people == NULL) {
		/* Without people every card is unknown: deny, but run. */
		log_warnx("people not loaded (%d errors), every card will be "
		    "denied until a reload succeeds", perr.count);
		for (i = 0; i < perr.kept; i++)
			log_warnx("%s", perr.lines[i]);
		snprintf(detail, sizeof detail, "%d errors, first: %s",
		    perr.count, perr.kept ? perr.lines[0] : "?");
		memset(&ev, 0, sizeof ev);
		ev.kind = "people";
		ev.reason = "load-failed";
		ev.actor = "start";
		ev.detail = detail;
		if (gate_record(g, &ev) == -1)
			log_warnx("people load failure not journaled");
		return;
	}
	g->people_loaded_ms = wall_ms();
	if (g->people_expected != people_count(g->people)) {
		g->people_expected = people_count(g->people);
		snprintf(count, sizeof count, "%zu", g->people_expected);
		if (journal_state_set(g->journal, "people_count", count) != 0)
			log_warnx("people count not kept in the journal: the "
			    "next start compares with an older count");
	}
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
		set_cause(cause, "config not reloaded, the running one is "
		    "kept:\n%s", errors ? errors : "");
		free(errors);
		return -1;
	}
	if ((what = hardware_change(g->conf, nc)) != NULL) {
		set_cause(cause, "config not reloaded: %s changed, restart "
		    "gated to apply", what);
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

/* ---- retention ------------------------------------------------------------ */

static void
prune_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gate	*g = arg;
	json_t		*st;
	long		 n;
	bool		 low, near;

	(void)fd;
	(void)what;
	/* Retention's age moves with a clock no one can set (journal.c). */
	if ((n = journal_prune(g->journal, wall_ms(), boot_ms())) > 0)
		log_info("journal: %ld old events removed", n);
	/* The journal may work again with no event to record. */
	if (alert_list_flush(g->alerts, g->journal, gate_announce_cb, g) > 0)
		log_info("alerts raised while the journal failed are "
		    "journaled now");
	if ((st = journal_stats(g->journal)) == NULL)
		return;
	low = json_is_true(json_object_get(st, "low_space"));
	near = json_is_true(json_object_get(st, "near_row_limit"));
	if (low && !g->warned_space) {
		log_warnx("journal: file system almost full (%" JSON_INTEGER_FORMAT
		    " KiB free)", json_integer_value(json_object_get(st,
		    "free_kb")));
		gate_alert(g, ALERT_JOURNAL, NULL, "journal storage low");
	}
	if (near && !g->warned_rows)
		log_warnx("journal: near its row limit, oldest events will be "
		    "removed");
	g->warned_space = low;
	g->warned_rows = near;
	json_decref(st);
}

/* ---- status ------------------------------------------------------------- */

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
		    "state", lane_state_name(l), "open",
		    l->conf->kind == LANE_PEDESTRIAN ? l->released || g->emergency
		    : l->barrier != BARRIER_DOWN));
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
	    "mode_source", g->mode_manual ? "manual" : "level",
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
	return st;
}

/* ---- life cycle ------------------------------------------------------------- */

static void
restore_state(struct gate *g)
{
	char	*s;

	g->level = g->conf->initial_level;
	if ((s = journal_state_get(g->journal, "level")) != NULL) {
		g->level = atoi(s);
		free(s);
	}
	if (gate_level(g) != NULL)
		snprintf(g->mode, sizeof g->mode, "%s", gate_level(g)->mode);
	else
		log_warnx("level %d is not in the config: the gate denies "
		    "until a level is set", g->level);
	if ((s = journal_state_get(g->journal, "mode_manual")) != NULL) {
		g->mode_manual = strcmp(s, "1") == 0;
		free(s);
	}
	if (g->mode_manual &&
	    (s = journal_state_get(g->journal, "mode")) != NULL) {
		snprintf(g->mode, sizeof g->mode, "%s", s);
		free(s);
	}
	if (gate_mode(g) == NULL)
		log_warnx("mode '%s' is not in the config: the gate denies "
		    "until a mode is set", g->mode);
}

static int
line_of(const struct gate_conf *c, const char *name)
{
	return name[0] ? config_find_line(c, name) : -1;
}

static const struct device_conf *
device_named(const struct gate_conf *c, const char *name)
{
	int	i;

	for (i = 0; i < c->device_count; i++)
		if (strcmp(c->devices[i].name, name) == 0)
			return &c->devices[i];
	return NULL;
}

/* What the GPIO backend reads for the Wiegand readers: their two lines. */
static int
wiegand_readers(const struct gate_conf *c, struct hw_wiegand_conf *w)
{
	static const enum wiegand_format fmt[] = {
		[FMT_W26] = WIEGAND_26, [FMT_W34] = WIEGAND_34,
		[FMT_W37] = WIEGAND_37, [FMT_WAUTO] = WIEGAND_AUTO,
		[FMT_WRAW] = WIEGAND_RAW
	};
	const struct reader_conf	*r;
	int				 i, n = 0;

	for (i = 0; i < c->reader_count; i++) {
		r = &c->readers[i];
		if (r->wiegand_d0[0] == '\0' || !FMT_WIEGAND(r->format))
			continue;
		memset(&w[n], 0, sizeof w[n]);
		w[n].reader = i;
		w[n].d0 = config_find_line(c, r->wiegand_d0);
		w[n].d1 = config_find_line(c, r->wiegand_d1);
		w[n].format = fmt[r->format];
		w[n].facility = r->facility;
		w[n].gap_ms = r->bit_gap_ms;
		n++;
	}
	return n;
}

/* What the USB backend watches: each reader and thermometer on a device. */
static int
usb_bindings(const struct gate_conf *c, struct hw_usb_binding *bind)
{
	const struct device_conf	*d;
	int				 i, n = 0;

	for (i = 0; i < c->reader_count; i++) {
		if ((d = device_named(c, c->readers[i].device)) == NULL)
			continue;
		memset(&bind[n], 0, sizeof bind[n]);
		bind[n].device = d;
		bind[n].role = HW_READER;
		bind[n].index = i;
		bind[n].hex = c->readers[i].format == FMT_HEX;
		bind[n].min_digits = c->readers[i].min_digits;
		bind[n].max_digits = c->readers[i].max_digits;
		n++;
	}
	for (i = 0; i < c->therm_count; i++) {
		if ((d = device_named(c, c->therms[i].device)) == NULL)
			continue;
		memset(&bind[n], 0, sizeof bind[n]);
		bind[n].device = d;
		bind[n].role = HW_THERMOMETER;
		bind[n].index = i;
		n++;
	}
	return n;
}

struct gate *
gate_new(struct event_base *base, struct gate_conf *conf, char **cause)
{
	struct gate		*g;
	struct journal_limits	 lim;
	struct hw_usb_binding	 bind[READERS_MAX + THERMS_MAX];
	struct hw_wiegand_conf	 wbind[READERS_MAX];
	struct timeval		 tv = { PRUNE_EVERY_S, 0 };
	struct timeval		 watch = { JOURNAL_WATCH_S, 0 };
	char			 path[PATH_MAX + 16], *hwcause = NULL;
	int			 i, n, nw, v;

	g = xcalloc(1, sizeof *g);
	g->base = base;
	g->conf = conf;
	g->started = time(NULL);
	g->hw_ev = gate_hw_events;
	g->hw_ev.arg = g;

	snprintf(path, sizeof path, "%s/journal.db", conf->state_dir);
	lim.max_rows = conf->journal_max_rows;
	lim.max_days = conf->journal_max_days;
	lim.warn_free_kb = conf->journal_warn_free_kb;
	if ((g->journal = journal_open(path, &lim, cause)) == NULL)
		goto fail;
	restore_state(g);
	g->alerts = alert_list_new();
	if (alert_list_load(g->alerts, g->journal) == -1) {
		set_cause(cause, "%s: cannot read the active alerts", path);
		goto fail;
	}

	gate_load_people(g);

	if ((g->gpio_ops = hw_gpio_find(conf->gpio_backend)) == NULL ||
	    (g->usb_ops = hw_usb_find(conf->usb_backend)) == NULL) {
		set_cause(cause, "backend %s/%s not compiled in",
		    conf->gpio_backend, conf->usb_backend);
		goto fail;
	}
	nw = wiegand_readers(conf, wbind);
	g->gpio = g->gpio_ops->open(base, conf->lines, conf->line_count,
	    wbind, nw, &g->hw_ev, &hwcause);
	if (g->gpio == NULL) {
		set_cause(cause, "gpio: %s", hwcause ? hwcause : "failed");
		free(hwcause);
		goto fail;
	}
	signal_init(&g->green, g, line_of(conf, conf->lamp_green));
	signal_init(&g->red, g, line_of(conf, conf->lamp_red));
	signal_init(&g->amber, g, line_of(conf, conf->lamp_amber));
	signal_init(&g->buzzer, g, line_of(conf, conf->buzzer));
	for (i = 0; i < conf->lane_count; i++)
		lane_init(&g->lanes[i], g, i);

	n = usb_bindings(conf, bind);
	g->usb = g->usb_ops->open(base, bind, n, &g->hw_ev,
	    &hwcause);
	if (g->usb == NULL) {
		set_cause(cause, "usb: %s", hwcause ? hwcause : "failed");
		free(hwcause);
		goto fail;
	}

	/* Inputs as they are now: a loop already occupied, a fire alarm. */
	for (i = 0; i < conf->line_count; i++) {
		if (conf->lines[i].dir != LINE_INPUT)
			continue;
		if ((v = g->gpio_ops->get(g->gpio, i)) == 1)
			hw_input(g, i, 1, NULL);
	}
	alert_signals(g);
	/* A damaged journal was moved aside (journal.c logged it). */
	if (journal_incident(g->journal) != NULL)
		gate_journal_incident(g, "journal-damaged");
	g->prune_timer = event_new(base, -1, EV_PERSIST, prune_tick, g);
	evtimer_add(g->prune_timer, &tv);
	g->journal_timer = event_new(base, -1, EV_PERSIST, journal_tick, g);
	evtimer_add(g->journal_timer, &watch);
	prune_tick(-1, 0, g);
	return g;

fail:
	gate_free(g);
	return NULL;
}

/* Drives every output to its safe state and frees the gate. */
void
gate_free(struct gate *g)
{
	int	i;

	if (g == NULL)
		return;
	for (i = 0; i < LANES_MAX; i++)
		if (g->lanes[i].gate != NULL)
			lane_clear(&g->lanes[i]);
	signal_clear(&g->green);
	signal_clear(&g->red);
	signal_clear(&g->amber);
	signal_clear(&g->buzzer);
	if (g->usb_ops != NULL)
		g->usb_ops->close(g->usb);
	if (g->gpio_ops != NULL)
		g->gpio_ops->close(g->gpio);
	if (g->prune_timer != NULL)
		event_free(g->prune_timer);
	if (g->journal_timer != NULL)
		event_free(g->journal_timer);
	people_free(g->people);
	alert_list_free(g->alerts);
	journal_close(g->journal);
	config_free(g->conf);
	free(g);
}
