/*
 * test-lane.c: the lane state tables (agent/lane.c) alone, on a fake
 * clock: no event loop, no config file, no gate.  A lane struct is built
 * directly with fake ops that record every output, alert, timer and ask;
 * every (state, event) pair of the pedestrian, the vehicle and the
 * temperature-wait tables is driven once and its next state and effects
 * compared with the table below, the pairs not in it must be refused
 * unchanged.  Then the stories the lane exists for, told on the fake
 * clock: one grant one passage, door alarms, the interlock, the fire
 * input, the temperature wait.  The same lanes inside a real gate on the
 * simulator: test-gate.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "unit.h"

/* The fake wiring: line numbers of the fake outputs and inputs. */
enum { RELAY, RAISE, LOWER, DOOR, EXIT, OPEN, LOOP, NLINES };

#define TIMERS_MAX	8

struct fake_timer {
	void		(*fn)(void *);
	void		*arg;
	int64_t		 due;		/* -1: not armed */
};

/* What the fake world saw: outputs now, and a log of every effect. */
static struct {
	int64_t			 now;
	bool			 emergency;
	int			 out[NLINES];
	char			 log[512];
	struct fake_timer	 timers[TIMERS_MAX];
	int			 ntimers;
	int			 alerts[16];
	char			 alert_detail[96];
	struct lane_card	 waited;
	int			 exits, opens;
	struct lane		*lane;	/* for timer names */
} w;

static void
note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
note(const char *fmt, ...)
{
	va_list	ap;
	size_t	n = strlen(w.log);

	if (n > 0 && n < sizeof w.log - 1)
		w.log[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(w.log + n, sizeof w.log - n, fmt, ap);
	va_end(ap);
}

static const char *
timer_name(void *t)
{
	struct lane	*l = w.lane;

	if (l == NULL)
		return "?";
	if (t == l->pulse_timer)
		return "p";
	if (t == l->held_timer)
		return "h";
	if (t == l->barrier_timer)
		return "b";
	if (t == l->wait_timer)
		return "w";
	return "?";
}

static void
f_output(void *arg, int line, int value)
{
	(void)arg;
	w.out[line] = value;
	note("o%d=%d", line, value);
}

static void
f_alert(void *arg, enum alert_kind kind, const char *lane, const char *detail)
{
	(void)arg;
	(void)lane;
	w.alerts[kind]++;
	snprintf(w.alert_detail, sizeof w.alert_detail, "%s", detail);
	note("A:%s", alert_kind_name(kind));
}

static bool
f_emergency(void *arg)
{
	(void)arg;
	return w.emergency;
}

static int64_t
f_now(void *arg)
{
	(void)arg;
	return w.now;
}

static void *
f_timer_new(void *arg, void (*fn)(void *), void *fnarg)
{
	struct fake_timer	*t;

	(void)arg;
	if (w.ntimers == TIMERS_MAX)
		abort();
	t = &w.timers[w.ntimers++];
	t->fn = fn;
	t->arg = fnarg;
	t->due = -1;
	return t;
}

static void
f_timer_set(void *timer, int ms)
{
	struct fake_timer	*t = timer;

	t->due = w.now + ms;
	note("S:%s:%d", timer_name(t), ms);
}

static void
f_timer_stop(void *timer)
{
	struct fake_timer	*t = timer;

	t->due = -1;
	note("X:%s", timer_name(t));
}

static void
f_timer_free(void *timer)
{
	struct fake_timer	*t = timer;

	t->due = -1;
	t->fn = NULL;
}

static void
f_exit_button(void *arg, struct lane *l)
{
	(void)arg;
	(void)l;
	w.exits++;
	note("exit");
}

static void
f_open_button(void *arg, struct lane *l, int line)
{
	(void)arg;
	(void)l;
	w.opens++;
	note("open%d", line);
}

static void
f_waited(void *arg, struct lane *l, const struct lane_card *c)
{
	(void)arg;
	(void)l;
	w.waited = *c;
	note("waited%llu", (unsigned long long)c->uid);
}

static const struct lane_ops fake_ops = {
	.output = f_output,
	.alert = f_alert,
	.emergency = f_emergency,
	.now = f_now,
	.timer_new = f_timer_new,
	.timer_set = f_timer_set,
	.timer_stop = f_timer_stop,
	.timer_free = f_timer_free,
	.exit_button = f_exit_button,
	.open_button = f_open_button,
	.waited = f_waited,
};

static const struct lane_conf ped_conf = {
	.name = "ped", .kind = LANE_PEDESTRIAN, .open_ms = 300,
	.held_open_ms = 1000, .temp_wait_ms = 500,
};
static const struct lane_conf veh_conf = {
	.name = "car", .kind = LANE_VEHICLE, .open_ms = 100,
	.close_timeout_ms = 1000, .temp_wait_ms = 500,
};

/* A fresh world and a lane of the kind in it, at rest. */
static void
lane_fresh(struct lane *l, const struct lane_conf *lc)
{
	struct lane_wiring	wire;

	if (w.lane != NULL)
		lane_clear(w.lane);
	memset(&w, 0, sizeof w);
	w.now = 10000;
	if (lc->kind == LANE_PEDESTRIAN)
		wire = (struct lane_wiring){ RELAY, -1, -1, DOOR, EXIT, OPEN,
		    -1, 0 };
	else
		wire = (struct lane_wiring){ -1, RAISE, LOWER, -1, EXIT, OPEN,
		    LOOP, 0 };
	lane_init(l, 0, lc, &wire, &fake_ops, NULL);
	w.lane = l;
}

/* Moves the fake clock on by ms, firing the timers that fall due. */
static void
advance(int ms)
{
	int64_t			 end = w.now + ms;
	struct fake_timer	*t;
	int			 i;

	for (;;) {
		t = NULL;
		for (i = 0; i < w.ntimers; i++)
			if (w.timers[i].due >= 0 && w.timers[i].due <= end &&
			    (t == NULL || w.timers[i].due < t->due))
				t = &w.timers[i];
		if (t == NULL)
			break;
		w.now = t->due;
		t->due = -1;
		t->fn(t->arg);
	}
	w.now = end;
}

/* ---- every (state, event) pair ------------------------------------------ */

#define PED	(LANE_LOCKED | LANE_RELEASED | LANE_PASSING)
#define VEH	(LANE_DOWN | LANE_DOWN_OCC | LANE_UP | LANE_UP_OCC | \
		 LANE_LOWERING)
#define WAIT	(LANE_IDLE | LANE_WAITING)
#define SAME	0

/*
 * What each expected pair does: from the states (bits), the event, with
 * the fire input active or not (2: either), the result of lane_fsm, the
 * next state and the effects in order: oL=V an output, A:kind an alert,
 * S:t:ms a timer set, X:t stopped (p pulse, h held-open, b barrier,
 * w temperature wait), exit/openL/waitedUID what the lane asks the gate.
 * The vehicle rows start up with up_since now, nothing seen, nothing
 * asked: so a barrier that may lower sets its timer to open-time (100).
 */
struct row {
	unsigned		states;
	enum lane_event		ev;
	int			emergency;
	int			ret;
	unsigned		next;
	const char		*effects;
};

static const struct row ped_rows[] = {
	{ PED, LANE_EV_GRANT, 2, 0, LANE_RELEASED, "o0=1 S:p:300" },
	{ PED, LANE_EV_PULSE_END, 0, 0, LANE_LOCKED, "o0=0" },
	{ PED, LANE_EV_PULSE_END, 1, -1, SAME, "" },
	{ LANE_LOCKED, LANE_EV_DOOR_OPEN, 0, 0, SAME,
	    "A:door-forced S:h:1000" },
	{ LANE_LOCKED, LANE_EV_DOOR_OPEN, 1, 0, SAME, "S:h:1000" },
	{ LANE_RELEASED | LANE_PASSING, LANE_EV_DOOR_OPEN, 2, 0, LANE_PASSING,
	    "S:h:1000" },
	{ LANE_LOCKED | LANE_RELEASED, LANE_EV_DOOR_CLOSE, 2, 0, SAME, "X:h" },
	{ LANE_PASSING, LANE_EV_DOOR_CLOSE, 0, 0, LANE_LOCKED,
	    "X:h X:p o0=0" },
	{ LANE_PASSING, LANE_EV_DOOR_CLOSE, 1, -1, SAME, "X:h" },
	{ PED, LANE_EV_HELD_OPEN, 0, 0, SAME, "A:door-held-open" },
	{ PED, LANE_EV_HELD_OPEN, 1, 0, SAME, "" },
	{ PED, LANE_EV_EMERGENCY_ON, 1, 0, SAME, "X:p o0=1" },
	{ PED, LANE_EV_EMERGENCY_OFF, 0, 0, LANE_LOCKED, "o0=0" },
	{ PED, LANE_EV_LOWER_REQUEST, 2, 0, SAME, "" },
	{ PED, LANE_EV_EXIT_BUTTON, 2, 0, SAME, "exit" },
	{ PED, LANE_EV_OPEN_BUTTON, 2, 0, SAME, "open5" },
	{ 0, 0, 0, 0, 0, NULL }
};

static const struct row veh_rows[] = {
	{ LANE_DOWN | LANE_UP | LANE_LOWERING, LANE_EV_GRANT, 0, 0, LANE_UP,
	    "o2=0 o1=1 X:b S:b:100" },
	{ LANE_DOWN | LANE_UP | LANE_LOWERING, LANE_EV_GRANT, 1, 0, LANE_UP,
	    "o2=0 o1=1 X:b" },
	{ LANE_DOWN_OCC | LANE_UP_OCC, LANE_EV_GRANT, 2, 0,
	    LANE_UP_OCC, "o2=0 o1=1 X:b" },
	{ LANE_DOWN, LANE_EV_LOOP_ON, 2, 0, LANE_DOWN_OCC, "" },
	{ LANE_UP, LANE_EV_LOOP_ON, 2, 0, LANE_UP_OCC, "X:b" },
	{ LANE_LOWERING, LANE_EV_LOOP_ON, 2, 0, LANE_UP_OCC,
	    "o2=0 o1=1 X:b X:b" },
	{ LANE_DOWN_OCC, LANE_EV_LOOP_OFF, 2, 0, LANE_DOWN, "" },
	{ LANE_UP_OCC, LANE_EV_LOOP_OFF, 0, 0, LANE_UP, "X:b S:b:100" },
	{ LANE_UP_OCC, LANE_EV_LOOP_OFF, 1, 0, LANE_UP, "X:b" },
	{ LANE_UP, LANE_EV_BARRIER_TIMER, 0, 0, SAME, "X:b S:b:100" },
	{ LANE_UP, LANE_EV_BARRIER_TIMER, 1, 0, SAME, "X:b" },
	{ LANE_LOWERING, LANE_EV_BARRIER_TIMER, 2, 0, LANE_DOWN, "o2=0" },
	{ LANE_UP, LANE_EV_LOWER_DUE, 0, 0, LANE_LOWERING,
	    "o1=0 o2=1 S:b:2000" },
	{ LANE_UP, LANE_EV_LOWER_DUE, 1, -1, SAME, "" },
	{ LANE_UP, LANE_EV_LOWER_REQUEST, 0, 0, SAME, "X:b S:b:100" },
	{ LANE_UP, LANE_EV_LOWER_REQUEST, 1, 0, SAME, "X:b" },
	{ LANE_UP_OCC, LANE_EV_LOWER_REQUEST, 2, 0, SAME, "X:b" },
	{ LANE_DOWN | LANE_DOWN_OCC | LANE_LOWERING,
	    LANE_EV_LOWER_REQUEST, 2, 0, SAME, "" },
	{ LANE_DOWN | LANE_LOWERING, LANE_EV_EMERGENCY_ON, 1, 0, LANE_UP,
	    "o2=0 o1=1 X:b X:b" },
	{ LANE_DOWN_OCC, LANE_EV_EMERGENCY_ON, 1, 0, LANE_UP_OCC,
	    "o2=0 o1=1 X:b X:b" },
	{ LANE_UP | LANE_UP_OCC, LANE_EV_EMERGENCY_ON, 1, 0, SAME,
	    "o2=0 o1=1 X:b X:b" },
	{ LANE_DOWN | LANE_DOWN_OCC | LANE_LOWERING,
	    LANE_EV_EMERGENCY_OFF, 0, 0, SAME, "" },
	{ LANE_UP, LANE_EV_EMERGENCY_OFF, 0, 0, SAME, "X:b S:b:100" },
	{ LANE_UP_OCC, LANE_EV_EMERGENCY_OFF, 0, 0, SAME, "X:b" },
	{ LANE_DOWN | LANE_DOWN_OCC | LANE_LOWERING,
	    LANE_EV_EXIT_BUTTON, 2, 0, SAME, "exit" },
	{ LANE_UP, LANE_EV_EXIT_BUTTON, 0, 0, SAME, "exit X:b S:b:100" },
	{ LANE_UP, LANE_EV_EXIT_BUTTON, 1, 0, SAME, "exit X:b" },
	{ LANE_UP_OCC, LANE_EV_EXIT_BUTTON, 2, 0, SAME, "exit X:b" },
	{ LANE_DOWN | LANE_DOWN_OCC | LANE_LOWERING,
	    LANE_EV_OPEN_BUTTON, 2, 0, SAME, "open5" },
	{ LANE_UP, LANE_EV_OPEN_BUTTON, 0, 0, SAME, "open5 X:b S:b:100" },
	{ LANE_UP, LANE_EV_OPEN_BUTTON, 1, 0, SAME, "open5 X:b" },
	{ LANE_UP_OCC, LANE_EV_OPEN_BUTTON, 2, 0, SAME, "open5 X:b" },
	{ 0, 0, 0, 0, 0, NULL }
};

static const struct row wait_rows[] = {
	{ LANE_IDLE, LANE_EV_CARD_WAITS, 2, 0, LANE_WAITING, "S:w:500" },
	{ LANE_IDLE, LANE_EV_CARD, 2, 0, SAME, "" },
	{ LANE_IDLE, LANE_EV_TEMPERATURE, 2, 0, SAME, "" },
	{ LANE_WAITING, LANE_EV_CARD, 2, 0, LANE_IDLE, "X:w waited7" },
	{ LANE_WAITING, LANE_EV_TEMPERATURE, 2, 0, LANE_IDLE, "X:w waited7" },
	{ LANE_WAITING, LANE_EV_WAIT_OVER, 2, 0, LANE_IDLE, "X:w waited7" },
	{ 0, 0, 0, 0, 0, NULL }
};

/* Each state by its own name (status shows PASSING as released). */
static const char *
sname(unsigned s)
{
	static const char *const names[] = { "locked", "released", "passing",
	    "down", "down-occupied", "up", "up-occupied", "lowering", "idle",
	    "waiting" };
	unsigned	i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (s == 1u << i)
			return names[i];
	return "?";
}

static const struct row *
row_find(const struct row *rows, unsigned state, enum lane_event ev,
    int emergency)
{
	for (; rows->effects != NULL; rows++)
		if ((rows->states & state) && rows->ev == ev &&
		    (rows->emergency == 2 || rows->emergency == emergency))
			return rows;
	return NULL;
}

/* One pair: a lane put in state, the event, compared with its row. */
static void
pair(const struct lane_conf *lc, const struct row *rows, bool wait,
    unsigned state, enum lane_event ev, int emergency)
{
	static struct lane	 l;
	const struct row	*r = row_find(rows, state, ev, emergency);
	unsigned		 other, next;
	int			 ret, unexpected;

	lane_fresh(&l, lc);
	if (wait)
		l.wait = state;
	else
		l.state = state;
	l.up_since = w.now;
	l.card.uid = 7;
	l.arriving.uid = 7;
	other = wait ? l.state : l.wait;
	w.emergency = emergency;
	unexpected = l.unexpected;
	ret = lane_fsm(&l, ev);
	next = wait ? l.wait : l.state;
	if (r == NULL) {
		check(ret == -1 && next == state && w.log[0] == '\0' &&
		    l.unexpected == unexpected + 1,
		    "%s %s%s, %s: not expected, refused unchanged", lc->name,
		    sname(state), emergency ? " (fire)" : "",
		    lane_event_name(ev));
		return;
	}
	check(ret == r->ret && next == (r->next ? r->next : state) &&
	    strcmp(w.log, r->effects) == 0 &&
	    (wait ? l.state : l.wait) == other,
	    "%s %s%s, %s: %d, %s, \"%s\" (got %d, %s, \"%s\")", lc->name,
	    sname(state), emergency ? " (fire)" : "", lane_event_name(ev),
	    r->ret, sname(r->next ? r->next : state), r->effects, ret,
	    sname(next), w.log);
}

/*
 * Every state of a table times every event of its machine, with the fire
 * input active and not; the emergency events only as the gate sends them,
 * after it has set the input's state.
 */
static void
every_pair(const struct lane_conf *lc, const struct row *rows, bool wait,
    unsigned states, enum lane_event first, enum lane_event last)
{
	unsigned	s;
	int		ev, e;

	for (s = 1; s <= states; s <<= 1) {
		if ((s & states) == 0)
			continue;
		for (ev = first; ev <= (int)last; ev++)
			for (e = 0; e <= 1; e++) {
				if ((ev == LANE_EV_EMERGENCY_ON && !e) ||
				    (ev == LANE_EV_EMERGENCY_OFF && e))
					continue;
				pair(lc, rows, wait, s, ev, e);
			}
	}
}

/* ---- the stories -------------------------------------------------------- */

static void
pedestrian(void)
{
	static struct lane	l;

	lane_fresh(&l, &ped_conf);
	check(w.log[0] == '\0' && w.out[RELAY] == 0 &&
	    strcmp(lane_state_name(&l), "locked") == 0 && !lane_is_open(&l),
	    "pedestrian starts locked, no output moved");

	/* One grant, one passage. */
	lane_release(&l);
	check(w.out[RELAY] == 1 && strcmp(lane_state_name(&l), "released") == 0
	    && lane_is_open(&l), "a grant releases the door");
	lane_input(&l, DOOR, 1);
	lane_input(&l, DOOR, 0);
	check(w.out[RELAY] == 0 && l.state == LANE_LOCKED,
	    "door opened and closed: locked at once");
	check(w.alerts[ALERT_DOOR_FORCED] == 0, "no forced alarm for a grant");
	lane_release(&l);
	advance(299);
	check(w.out[RELAY] == 1, "released for open-time");
	advance(101);
	check(w.out[RELAY] == 0, "nobody opens: locked after open-time");
	lane_input(&l, EXIT, 0);
	lane_input(&l, OPEN, 0);
	check(w.out[RELAY] == 0 && w.exits == 0 && w.opens == 0,
	    "only a grant releases: a button let go asks nothing");

	/* Door alarms. */
	lane_input(&l, DOOR, 1);
	check(w.alerts[ALERT_DOOR_FORCED] == 1,
	    "door opened without grant: forced");
	advance(1100);
	check(w.alerts[ALERT_DOOR_HELD_OPEN] == 1 &&
	    strcmp(w.alert_detail, "door open longer than 1 s") == 0,
	    "door left open: held-open");
	lane_input(&l, DOOR, 0);
	lane_input(&l, DOOR, 1);
	lane_input(&l, DOOR, 0);
	advance(1100);
	check(w.alerts[ALERT_DOOR_HELD_OPEN] == 1,
	    "closed in time: no held-open alert");

	/* The buttons ask the gate, which decides (test-gate.c). */
	lane_input(&l, EXIT, 1);
	lane_input(&l, OPEN, 1);
	check(w.exits == 1 && w.opens == 1 && w.out[RELAY] == 0,
	    "exit and open buttons ask the gate, move nothing themselves");
	check(l.unexpected == 0, "no event unexpected in these stories");
}

static void
vehicle(void)
{
	static struct lane	l;

	lane_fresh(&l, &veh_conf);
	check(w.log[0] == '\0' && w.out[RAISE] == 0 && w.out[LOWER] == 0 &&
	    strcmp(lane_state_name(&l), "down") == 0,
	    "vehicle starts down, no output moved");

	/* The interlock. */
	lane_input(&l, LOOP, 1);
	check(strcmp(lane_state_name(&l), "down-occupied") == 0,
	    "loop occupied: down-occupied");
	lane_release(&l);
	check(w.out[RAISE] == 1 && strcmp(lane_state_name(&l), "up-occupied")
	    == 0 && lane_is_open(&l), "grant raises the barrier");
	advance(150);
	lane_request_lower(&l);
	check(w.out[RAISE] == 1 && w.out[LOWER] == 0,
	    "mode closed with the loop occupied: stays up");
	advance(1100);
	check(w.out[RAISE] == 1 && w.out[LOWER] == 0,
	    "close-timeout passes with the loop occupied: stays up");
	lane_input(&l, LOOP, 0);
	check(w.out[RAISE] == 0 && w.out[LOWER] == 1 &&
	    strcmp(lane_state_name(&l), "lowering") == 0,
	    "loop clears after the car: lowers");
	lane_input(&l, LOOP, 1);
	check(w.out[RAISE] == 1 && w.out[LOWER] == 0,
	    "loop occupied while lowering: raised again");
	lane_input(&l, LOOP, 0);
	check(w.out[LOWER] == 1, "lowers once clear again");
	advance(2100);
	check(w.out[LOWER] == 0 && l.state == LANE_DOWN && !lane_is_open(&l),
	    "lower relay let go after the travel time");

	lane_release(&l);
	advance(99);
	check(w.out[RAISE] == 1, "never lowers before open-time");
	lane_input(&l, LOOP, 1);
	lane_input(&l, LOOP, 0);
	check(w.out[RAISE] == 1 && w.out[LOWER] == 0,
	    "a car passes within open-time: still up");
	advance(1);
	check(w.out[LOWER] == 1, "lowers at open-time once it has passed");
	advance(2100);

	lane_release(&l);
	advance(999);
	check(w.out[RAISE] == 1, "nobody comes: up until close-timeout");
	advance(1);
	check(w.out[LOWER] == 1, "nobody comes: lowers after close-timeout");
	advance(2100);
	check(l.unexpected == 0, "no event unexpected in these stories");
}

static void
fire(void)
{
	static struct lane	ped, car;

	lane_fresh(&car, &veh_conf);
	/* Two lanes in one fake world: the pedestrian's timers join it. */
	w.lane = NULL;
	lane_init(&ped, 1, &ped_conf, &(struct lane_wiring){ RELAY, -1, -1,
	    DOOR, -1, -1, -1, -1 }, &fake_ops, NULL);

	w.emergency = true;
	lane_emergency(&ped, true);
	lane_emergency(&car, true);
	check(w.out[RELAY] == 1 && w.out[RAISE] == 1 && lane_is_open(&ped),
	    "fire: door released and barrier raised");
	check(strcmp(lane_state_name(&ped), "locked") == 0 &&
	    strcmp(lane_state_name(&car), "up") == 0,
	    "fire: states as before, the pedestrian lane open by the input");
	lane_release(&ped);
	advance(500);
	check(w.out[RELAY] == 1 && w.out[RAISE] == 1,
	    "fire: held past open-time and close-timeout");
	lane_input(&ped, DOOR, 1);
	lane_input(&ped, DOOR, 0);
	check(w.out[RELAY] == 1 && w.alerts[ALERT_DOOR_FORCED] == 0,
	    "fire: a passage does not lock the door, no forced alarm");
	lane_input(&car, LOOP, 1);
	lane_request_lower(&car);
	lane_input(&car, LOOP, 0);
	advance(2000);
	check(w.out[RAISE] == 1 && w.out[LOWER] == 0,
	    "fire: a request to lower and a passing car do not lower it");
	lane_input(&car, LOOP, 1);
	w.emergency = false;
	lane_emergency(&ped, false);
	lane_emergency(&car, false);
	check(w.out[RELAY] == 0 && ped.state == LANE_LOCKED,
	    "fire over: door locked");
	check(w.out[RAISE] == 1, "fire over, loop occupied: barrier stays up");
	lane_input(&car, LOOP, 0);
	check(w.out[LOWER] == 1, "fire over, loop clear: lowers");
	check(ped.unexpected == 0 && car.unexpected == 0,
	    "no event unexpected in these stories");
	lane_clear(&ped);
}

static void
temperature_wait(void)
{
	static struct lane	l;
	struct lane_card	c = { .reader = 2, .uid = 41 };

	lane_fresh(&l, &ped_conf);
	lane_card_wait(&l, &c);
	check(strcmp(lane_state_name(&l), "waiting-temperature") == 0,
	    "a card waits: waiting-temperature");
	lane_release(&l);
	check(strcmp(lane_state_name(&l), "waiting-temperature") == 0 &&
	    l.state == LANE_RELEASED, "the door machine runs beside the wait");
	lane_temperature(&l);
	check(w.waited.uid == 41 && w.waited.reader == 2 && l.wait == LANE_IDLE
	    && strcmp(lane_state_name(&l), "released") == 0,
	    "a reading decides the waiting card");
	c.uid = 42;
	lane_card_wait(&l, &c);
	advance(499);
	check(l.wait == LANE_WAITING, "waits for temperature-wait");
	advance(1);
	check(w.waited.uid == 42 && l.wait == LANE_IDLE,
	    "temperature-wait over: decided without a reading");
	c.uid = 43;
	lane_card_wait(&l, &c);
	lane_card(&l);
	check(w.waited.uid == 43 && l.wait == LANE_IDLE,
	    "another card ends the wait of the one before");
	advance(1000);
	check(w.waited.uid == 43 && l.unexpected == 0,
	    "the wait's timer stopped with it");
}

int
main(void)
{
	log_init(0, "test-lane");
	every_pair(&ped_conf, ped_rows, false, PED, LANE_EV_GRANT,
	    LANE_EV_OPEN_BUTTON);
	every_pair(&veh_conf, veh_rows, false, VEH, LANE_EV_GRANT,
	    LANE_EV_OPEN_BUTTON);
	every_pair(&ped_conf, wait_rows, true, WAIT, LANE_EV_CARD_WAITS,
	    LANE_EV_WAIT_OVER);
	pedestrian();
	vehicle();
	fire();
	temperature_wait();
	return check_done();
}
