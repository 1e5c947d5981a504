/*
 * gate.c: the running gate's life cycle.  gate_new() opens the journal,
 * restores the level and mode, loads the people and the active alerts,
 * opens the hardware backends and wires the lanes and indicators to them
 * through struct lane_ops (outputs, alerts, the clock, libevent timers);
 * gate_free() drives every output to its safe state and frees it all.
 * What the gate then does lives beside it: passage.c (hardware events
 * and decisions), gate-command.c (mode, level, open, ack, reloads),
 * gate-status.c (status), gate-journal.c (record, alerts, retention).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "gate-internal.h"

/* ---- what the rest of the agent asks of a gate ------------------------- */

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

static int
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

/* ---- what lanes and indicators do through the gate (struct lane_ops) ---- */

/* A one-shot libevent timer calling fn(arg). */
struct gate_timer {
	struct event	*ev;
	void		(*fn)(void *);
	void		*arg;
};

static void
gate_timer_fired(evutil_socket_t fd, short what, void *arg)
{
	struct gate_timer	*t = arg;

	(void)fd;
	(void)what;
	t->fn(t->arg);
}

static void *
gate_timer_new(void *arg, void (*fn)(void *), void *fnarg)
{
	struct gate		*g = arg;
	struct gate_timer	*t;

	t = xcalloc(1, sizeof *t);
	t->fn = fn;
	t->arg = fnarg;
	if ((t->ev = evtimer_new(g->base, gate_timer_fired, t)) == NULL)
		fatalx("evtimer_new");
	return t;
}

static void
gate_timer_set(void *timer, int ms)
{
	struct gate_timer	*t = timer;
	struct timeval		 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(t->ev, &tv);
}

static void
gate_timer_stop(void *timer)
{
	struct gate_timer	*t = timer;

	evtimer_del(t->ev);
}

static void
gate_timer_free(void *timer)
{
	struct gate_timer	*t = timer;

	if (t == NULL)
		return;
	event_free(t->ev);
	free(t);
}

static void
lane_output(void *arg, int line, int value)
{
	gate_output(arg, line, value);
}

static void
lane_alert(void *arg, enum alert_kind kind, const char *lane,
    const char *detail)
{
	gate_alert(arg, kind, lane, detail);
}

static bool
lane_emergency_active(void *arg)
{
	struct gate	*g = arg;

	return g->emergency;
}

static int64_t
lane_now(void *arg)
{
	(void)arg;
	return mono_ms();
}

static const struct lane_ops gate_lane_ops = {
	.output = lane_output,
	.alert = lane_alert,
	.emergency = lane_emergency_active,
	.now = lane_now,
	.timer_new = gate_timer_new,
	.timer_set = gate_timer_set,
	.timer_stop = gate_timer_stop,
	.timer_free = gate_timer_free,
	.exit_button = gate_exit_button,
	.open_button = gate_open_button,
	.waited = gate_card_waited,
};

/* ---- life cycle --------------------------------------------------------- */

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
	/* The side of the level's schedule the journal last recorded; the
	 * first clock tick (gate-time.c) switches if a boundary passed while
	 * gated was stopped.  Unknown (an older journal): the tick decides. */
	g->sched_side = -1;
	if (gate_level(g) != NULL && gate_level(g)->schedule[0] != '\0') {
		g->sched_side = -2;
		if ((s = journal_state_get(g->journal, "schedule_side")) !=
		    NULL) {
			g->sched_side = strcmp(s, "in") == 0 ? 1 :
			    strcmp(s, "out") == 0 ? 0 : -2;
			free(s);
		}
	}
	if ((g->mode_manual || g->sched_side >= 0) &&
	    (s = journal_state_get(g->journal, "mode")) != NULL) {
		snprintf(g->mode, sizeof g->mode, "%s", s);
		free(s);
	}
	if (gate_mode(g) == NULL)
		log_warnx("mode '%s' is not in the config: the gate denies "
		    "until a mode is set", g->mode);
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
	char			 path[PATH_MAX], name[PATH_MAX], sha256[65];
	uint64_t		 version;
	int			 i;

	if ((s = journal_state_get(g->journal, "people_count")) != NULL) {
		g->people_expected = strtoull(s, NULL, 10);
		free(s);
	}
	memset(&perr, 0, sizeof perr);
	gate_people_source(g, path, sizeof path, name, sizeof name, &version,
	    sha256);
	g->people = people_load_as(path, name, conf, &perr, PEOPLE_FILE_MAX);
	if (g->people != NULL && people_shrink_check(g->people_expected,
	    people_count(g->people), conf->people_max_shrink, name,
	    &perr) == -1) {
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
	gate_people_version_set(g, version, sha256);
	if (g->people_expected != people_count(g->people)) {
		g->people_expected = people_count(g->people);
		snprintf(count, sizeof count, "%zu", g->people_expected);
		if (journal_state_set(g->journal, "people_count", count) != 0)
			log_warnx("people count not kept in the journal: the "
			    "next start compares with an older count");
	}
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

/* What a lane is wired to, from its config. */
static void
wire_lane(struct gate *g, const struct lane_conf *lc, struct lane_wiring *w)
{
	const struct gate_conf	*c = g->conf;

	w->relay = line_of(c, lc->relay);
	w->raise = line_of(c, lc->barrier_raise);
	w->lower = line_of(c, lc->barrier_lower);
	w->door = line_of(c, lc->door_contact);
	w->exit_button = line_of(c, lc->exit_button);
	w->open_button = line_of(c, lc->open_button);
	w->loop = line_of(c, lc->loop);
	w->therm = lc->thermometer[0] ? gate_find_therm(g, lc->thermometer) :
	    -1;
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

/*
 * Opens the GPIO and USB backends and wires the indicators and lanes to
 * them, in that order: a lane's first event may come as soon as USB is
 * open.  0, or -1 with the cause set.
 */
static int
gate_open_hw(struct gate *g, char **cause)
{
	const struct gate_conf	*conf = g->conf;
	struct hw_usb_binding	 bind[READERS_MAX + THERMS_MAX];
	struct hw_wiegand_conf	 wbind[READERS_MAX];
	struct lane_wiring	 w;
	char			*hwcause = NULL;
	int			 i, n;

	if ((g->gpio_ops = hw_gpio_find(conf->gpio_backend)) == NULL ||
	    (g->usb_ops = hw_usb_find(conf->usb_backend)) == NULL) {
		gate_set_cause(cause, "backend %s/%s not compiled in",
		    conf->gpio_backend, conf->usb_backend);
		return -1;
	}
	n = wiegand_readers(conf, wbind);
	g->gpio = g->gpio_ops->open(g->base, conf->lines, conf->line_count,
	    wbind, n, &g->hw_ev, &hwcause);
	if (g->gpio == NULL) {
		gate_set_cause(cause, "gpio: %s", hwcause ? hwcause : "failed");
		free(hwcause);
		return -1;
	}
	indicator_init(&g->green, &gate_lane_ops, g,
	    line_of(conf, conf->lamp_green));
	indicator_init(&g->red, &gate_lane_ops, g,
	    line_of(conf, conf->lamp_red));
	indicator_init(&g->amber, &gate_lane_ops, g,
	    line_of(conf, conf->lamp_amber));
	indicator_init(&g->buzzer, &gate_lane_ops, g,
	    line_of(conf, conf->buzzer));
	for (i = 0; i < conf->lane_count; i++) {
		wire_lane(g, &conf->lanes[i], &w);
		lane_init(&g->lanes[i], i, &conf->lanes[i], &w, &gate_lane_ops,
		    g);
	}

	n = usb_bindings(conf, bind);
	g->usb = g->usb_ops->open(g->base, bind, n, &g->hw_ev, &hwcause);
	if (g->usb == NULL) {
		gate_set_cause(cause, "usb: %s", hwcause ? hwcause : "failed");
		free(hwcause);
		return -1;
	}
	return 0;
}

/*
 * A running gate on conf (which it owns from now on, freed with it), or
 * NULL with the cause set and every output left safe.
 */
struct gate *
gate_new(struct event_base *base, struct gate_conf *conf, char **cause)
{
	struct gate		*g;
	struct journal_limits	 lim;
	struct timeval		 tv = { PRUNE_EVERY_S, 0 };
	struct timeval		 watch = { JOURNAL_WATCH_S, 0 };
	char			 path[PATH_MAX + 16];
	const char		*why;
	int			 i;

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
	lim.temp_ms = conf->temp_retention_ms;
	if ((g->journal = journal_open(path, &lim, cause)) == NULL)
		goto fail;
	restore_state(g);
	g->presence = presence_new();
	if (presence_load(g->presence, journal_db(g->journal), &why) == -1) {
		gate_set_cause(cause, "%s: cannot read who passed: %s", path,
		    why);
		goto fail;
	}
	g->alerts = alert_list_new();
	if (alert_list_load(g->alerts, g->journal) == -1) {
		gate_set_cause(cause, "%s: cannot read the active alerts",
		    path);
		goto fail;
	}

	gate_push_start(g);
	gate_load_people(g);
	if (gate_open_hw(g, cause) == -1)
		goto fail;

	/* Inputs as they are now: a loop already occupied, a fire alarm. */
	for (i = 0; i < conf->line_count; i++) {
		if (conf->lines[i].dir != LINE_INPUT)
			continue;
		if (g->gpio_ops->get(g->gpio, i) == 1)
			gate_hw_events.input(g, i, 1, NULL);
	}
	gate_alert_indicators(g);
	/* A damaged journal was moved aside (journal.c logged it). */
	if (journal_incident(g->journal) != NULL)
		gate_journal_incident(g, "journal-damaged");
	g->prune_timer = event_new(base, -1, EV_PERSIST, gate_prune_tick, g);
	evtimer_add(g->prune_timer, &tv);
	g->journal_timer = event_new(base, -1, EV_PERSIST, gate_journal_tick,
	    g);
	evtimer_add(g->journal_timer, &watch);
	gate_prune_tick(-1, 0, g);
	gate_time_start(g);
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
		lane_clear(&g->lanes[i]);
	indicator_clear(&g->green);
	indicator_clear(&g->red);
	indicator_clear(&g->amber);
	indicator_clear(&g->buzzer);
	if (g->usb_ops != NULL)
		g->usb_ops->close(g->usb);
	if (g->gpio_ops != NULL)
		g->gpio_ops->close(g->gpio);
	if (g->prune_timer != NULL)
		event_free(g->prune_timer);
	if (g->journal_timer != NULL)
		event_free(g->journal_timer);
	gate_time_stop(g);
	presence_free(g->presence);
	gate_push_stop(g);
	people_free(g->people);
	alert_list_free(g->alerts);
	journal_close(g->journal);
	config_free(g->conf);
	free(g);
}
