/*
 * lane.c: the lanes as state tables, in the shape of ospfd's nbr_fsm_tbl.
 * A pedestrian lane releases its door or turnstile relay for a pulse that
 * ends early once the door has opened and closed again (one grant, one
 * person), and watches its door contact for forced and held-open doors.
 * A vehicle lane raises its barrier and lowers it only when the loop is
 * clear: that interlock is checked in one place, barrier_evaluate(), which
 * runs after every vehicle event.  Beside either runs the temperature
 * wait, where a card waits for the lane's thermometer.  Every effect (an
 * output, an alert, the clock, a timer, what the lane asks of the gate)
 * goes through the ops given at init: docs/lanes.md draws the tables.
 */
#include <inttypes.h>
#include <string.h>

#include "agent.h"

#define LOWER_PULSE_MS	2000	/* lower relay held while the arm travels */

#define LANE_PED	(LANE_LOCKED | LANE_RELEASED | LANE_PASSING)
#define LANE_OCCUPIED	(LANE_DOWN_OCC | LANE_UP_OCC)
#define LANE_VEH	(LANE_DOWN | LANE_OCCUPIED | LANE_UP | LANE_LOWERING)
#define LANE_SAME	0	/* next state: the one it is in */

enum lane_action {
	LA_NOTHING,
	LA_RELEASE,		/* pedestrian: relay on, pulse timer */
	LA_LOCK,		/* relay off, unless the emergency holds it */
	LA_DOOR_FORCED,	/* alert unless the emergency opened it */
	LA_DOOR_OPENED,	/* held-open timer */
	LA_DOOR_CLOSED,
	LA_PASSED,		/* one grant, one passage: lock behind */
	LA_HELD_OPEN,		/* alert unless the emergency holds it */
	LA_HOLD_RELAY,		/* emergency: relay on */
	LA_LET_GO,		/* emergency over: relay off */
	LA_RAISE,		/* vehicle: raise and start the timers */
	LA_SEEN,		/* a vehicle under the raised arm */
	LA_RERAISE,		/* the loop while lowering: back up */
	LA_LOWER,
	LA_LOWERED,		/* the arm is down: let go of the relay */
	LA_REQUEST_LOWER,
	LA_HOLD_UP,		/* emergency: barrier up */
	LA_LET_DOWN,		/* emergency over: lower when safe */
	LA_EXIT,		/* the gate decides an exit */
	LA_OPEN,		/* the guard's open-once button */
	LA_PARK,		/* a card waits for a temperature */
	LA_DECIDE		/* the waiting card decided, by the gate */
};

/* Current states, event, action, next state. */
struct lane_fsm {
	unsigned		state;
	enum lane_event		event;
	enum lane_action	action;
	enum lane_state		next;
};

static const struct lane_fsm ped_fsm_tbl[] = {
    /* states		event			action		next */
    { LANE_PED,		LANE_EV_GRANT,		LA_RELEASE,	LANE_RELEASED },
    { LANE_PED,		LANE_EV_PULSE_END,	LA_LOCK,	LANE_LOCKED },
    { LANE_LOCKED,	LANE_EV_DOOR_OPEN,	LA_DOOR_FORCED, LANE_SAME },
    { LANE_RELEASED | LANE_PASSING,
			LANE_EV_DOOR_OPEN,	LA_DOOR_OPENED, LANE_PASSING },
    { LANE_LOCKED | LANE_RELEASED,
			LANE_EV_DOOR_CLOSE,	LA_DOOR_CLOSED, LANE_SAME },
    { LANE_PASSING,	LANE_EV_DOOR_CLOSE,	LA_PASSED,	LANE_LOCKED },
    { LANE_PED,		LANE_EV_HELD_OPEN,	LA_HELD_OPEN,	LANE_SAME },
    { LANE_PED,		LANE_EV_EMERGENCY_ON,	LA_HOLD_RELAY,	LANE_SAME },
    { LANE_PED,		LANE_EV_EMERGENCY_OFF,	LA_LET_GO,	LANE_LOCKED },
    { LANE_PED,		LANE_EV_LOWER_REQUEST,	LA_NOTHING,	LANE_SAME },
    { LANE_PED,		LANE_EV_EXIT_BUTTON,	LA_EXIT,	LANE_SAME },
    { LANE_PED,		LANE_EV_OPEN_BUTTON,	LA_OPEN,	LANE_SAME },
};

static const struct lane_fsm veh_fsm_tbl[] = {
    { LANE_DOWN | LANE_UP | LANE_LOWERING,
			LANE_EV_GRANT,		LA_RAISE,	LANE_UP },
    { LANE_OCCUPIED,	LANE_EV_GRANT,		LA_RAISE,	LANE_UP_OCC },
    { LANE_DOWN,	LANE_EV_LOOP_ON,	LA_NOTHING,	LANE_DOWN_OCC },
    { LANE_UP,		LANE_EV_LOOP_ON,	LA_SEEN,	LANE_UP_OCC },
    { LANE_LOWERING,	LANE_EV_LOOP_ON,	LA_RERAISE,	LANE_UP_OCC },
    { LANE_DOWN_OCC,	LANE_EV_LOOP_OFF,	LA_NOTHING,	LANE_DOWN },
    { LANE_UP_OCC,	LANE_EV_LOOP_OFF,	LA_NOTHING,	LANE_UP },
    { LANE_UP,		LANE_EV_BARRIER_TIMER,	LA_NOTHING,	LANE_SAME },
    { LANE_LOWERING,	LANE_EV_BARRIER_TIMER,	LA_LOWERED,	LANE_DOWN },
    { LANE_UP,		LANE_EV_LOWER_DUE,	LA_LOWER,	LANE_LOWERING },
    { LANE_UP | LANE_UP_OCC,
			LANE_EV_LOWER_REQUEST,	LA_REQUEST_LOWER, LANE_SAME },
    { LANE_DOWN | LANE_DOWN_OCC | LANE_LOWERING,
			LANE_EV_LOWER_REQUEST,	LA_NOTHING,	LANE_SAME },
    { LANE_DOWN | LANE_LOWERING,
			LANE_EV_EMERGENCY_ON,	LA_HOLD_UP,	LANE_UP },
    { LANE_DOWN_OCC,	LANE_EV_EMERGENCY_ON,	LA_HOLD_UP,	LANE_UP_OCC },
    { LANE_UP | LANE_UP_OCC,
			LANE_EV_EMERGENCY_ON,	LA_HOLD_UP,	LANE_SAME },
    { LANE_VEH,		LANE_EV_EMERGENCY_OFF,	LA_LET_DOWN,	LANE_SAME },
    { LANE_VEH,		LANE_EV_EXIT_BUTTON,	LA_EXIT,	LANE_SAME },
    { LANE_VEH,		LANE_EV_OPEN_BUTTON,	LA_OPEN,	LANE_SAME },
};

/* The temperature wait, either kind of lane. */
static const struct lane_fsm wait_fsm_tbl[] = {
    { LANE_IDLE,	LANE_EV_CARD_WAITS,	LA_PARK,	LANE_WAITING },
    { LANE_IDLE,	LANE_EV_CARD,		LA_NOTHING,	LANE_SAME },
    { LANE_IDLE,	LANE_EV_TEMPERATURE,	LA_NOTHING,	LANE_SAME },
    { LANE_WAITING,	LANE_EV_CARD,		LA_DECIDE,	LANE_IDLE },
    { LANE_WAITING,	LANE_EV_TEMPERATURE,	LA_DECIDE,	LANE_IDLE },
    { LANE_WAITING,	LANE_EV_WAIT_OVER,	LA_DECIDE,	LANE_IDLE },
};

static const char *const event_names[] = {
	[LANE_EV_GRANT] = "grant",
	[LANE_EV_PULSE_END] = "pulse-end",
	[LANE_EV_DOOR_OPEN] = "door-open",
	[LANE_EV_DOOR_CLOSE] = "door-close",
	[LANE_EV_HELD_OPEN] = "held-open",
	[LANE_EV_LOOP_ON] = "loop-on",
	[LANE_EV_LOOP_OFF] = "loop-off",
	[LANE_EV_BARRIER_TIMER] = "barrier-timer",
	[LANE_EV_LOWER_DUE] = "lower-due",
	[LANE_EV_LOWER_REQUEST] = "lower-request",
	[LANE_EV_EMERGENCY_ON] = "emergency-on",
	[LANE_EV_EMERGENCY_OFF] = "emergency-off",
	[LANE_EV_EXIT_BUTTON] = "exit-button",
	[LANE_EV_OPEN_BUTTON] = "open-button",
	[LANE_EV_CARD_WAITS] = "card-waits",
	[LANE_EV_CARD] = "card",
	[LANE_EV_TEMPERATURE] = "temperature",
	[LANE_EV_WAIT_OVER] = "wait-over",
};

static void	barrier_evaluate(struct lane *);

const char *
lane_event_name(enum lane_event ev)
{
	if ((unsigned)ev >= LANE_EV__COUNT)
		return "?";
	return event_names[ev];
}

/* The state's own name: what status shows, so it never changes. */
static const char *
state_name(enum lane_state s)
{
	switch (s) {
	case LANE_LOCKED:
		return "locked";
	case LANE_RELEASED:
	case LANE_PASSING:
		return "released";
	case LANE_DOWN:
		return "down";
	case LANE_DOWN_OCC:
		return "down-occupied";
	case LANE_UP:
		return "up";
	case LANE_UP_OCC:
		return "up-occupied";
	case LANE_LOWERING:
		return "lowering";
	case LANE_IDLE:
		return "idle";
	case LANE_WAITING:
		return "waiting-temperature";
	}
	return "?";
}

const char *
lane_state_name(const struct lane *l)
{
	if (l->wait == LANE_WAITING)
		return state_name(l->wait);
	return state_name(l->state);
}

/* Open as status says it: released, held by the fire input, or not down. */
bool
lane_is_open(const struct lane *l)
{
	if (l->conf->kind == LANE_PEDESTRIAN)
		return l->state != LANE_LOCKED || l->ops->emergency(l->arg);
	return (l->state & (LANE_DOWN | LANE_DOWN_OCC)) == 0;
}

static bool
emergency(struct lane *l)
{
	return l->ops->emergency(l->arg);
}

static void
output(struct lane *l, int line, int value)
{
	if (line >= 0)
		l->ops->output(l->arg, line, value);
}

static void
pulse_end(void *arg)
{
	lane_fsm(arg, LANE_EV_PULSE_END);
}

static void
held_open(void *arg)
{
	lane_fsm(arg, LANE_EV_HELD_OPEN);
}

static void
barrier_timer(void *arg)
{
	lane_fsm(arg, LANE_EV_BARRIER_TIMER);
}

static void
wait_over(void *arg)
{
	lane_fsm(arg, LANE_EV_WAIT_OVER);
}

void
lane_init(struct lane *l, int index, const struct lane_conf *lc,
    const struct lane_wiring *w, const struct lane_ops *ops, void *arg)
{
	memset(l, 0, sizeof *l);
	l->ops = ops;
	l->arg = arg;
	l->index = index;
	l->conf = lc;
	l->w = *w;
	l->state = lc->kind == LANE_PEDESTRIAN ? LANE_LOCKED : LANE_DOWN;
	l->wait = LANE_IDLE;
	l->pulse_timer = ops->timer_new(arg, pulse_end, l);
	l->held_timer = ops->timer_new(arg, held_open, l);
	l->barrier_timer = ops->timer_new(arg, barrier_timer, l);
	l->wait_timer = ops->timer_new(arg, wait_over, l);
}

void
lane_clear(struct lane *l)
{
	if (l->ops == NULL)
		return;
	l->ops->timer_free(l->pulse_timer);
	l->ops->timer_free(l->held_timer);
	l->ops->timer_free(l->barrier_timer);
	l->ops->timer_free(l->wait_timer);
	memset(l, 0, sizeof *l);
}

/* ---- pedestrian actions ------------------------------------------------- */

static int
act_release(struct lane *l)
{
	output(l, l->w.relay, 1);
	l->ops->timer_set(l->pulse_timer, l->conf->open_ms);
	return 0;
}

static int
act_lock(struct lane *l)
{
	if (emergency(l))
		return -1;	/* the fire input holds the lane open */
	output(l, l->w.relay, 0);
	log_debug("%s: %s: pulse ended", __func__, l->conf->name);
	return 0;
}

static int
act_door_forced(struct lane *l)
{
	if (!emergency(l))
		l->ops->alert(l->arg, ALERT_DOOR_FORCED, l->conf->name,
		    "door opened without a grant");
	l->ops->timer_set(l->held_timer, l->conf->held_open_ms);
	return 0;
}

static int
act_door_opened(struct lane *l)
{
	l->ops->timer_set(l->held_timer, l->conf->held_open_ms);
	return 0;
}

static int
act_door_closed(struct lane *l)
{
	l->ops->timer_stop(l->held_timer);
	return 0;
}

static int
act_passed(struct lane *l)
{
	act_door_closed(l);
	if (emergency(l))
		return -1;	/* held open: no closing behind anyone */
	l->ops->timer_stop(l->pulse_timer);
	return act_lock(l);
}

static int
act_held_open(struct lane *l)
{
	char	detail[96];

	if (emergency(l))
		return 0;
	snprintf(detail, sizeof detail, "door open longer than %d s",
	    l->conf->held_open_ms / 1000);
	l->ops->alert(l->arg, ALERT_DOOR_HELD_OPEN, l->conf->name, detail);
	return 0;
}

static int
act_hold_relay(struct lane *l)
{
	l->ops->timer_stop(l->pulse_timer);
	output(l, l->w.relay, 1);
	return 0;
}

static int
act_let_go(struct lane *l)
{
	output(l, l->w.relay, 0);
	return 0;
}

/* ---- vehicle actions ---------------------------------------------------- */

static bool
occupied(const struct lane *l)
{
	return (l->state & LANE_OCCUPIED) != 0;
}

static void
raise_arm(struct lane *l)
{
	output(l, l->w.lower, 0);
	output(l, l->w.raise, 1);
}

/* Raise (or keep up) and start the timers afresh. */
static int
act_raise(struct lane *l)
{
	raise_arm(l);
	l->vehicle_seen = occupied(l);
	l->lower_requested = false;
	l->up_since = l->ops->now(l->arg);
	return 0;
}

static int
act_seen(struct lane *l)
{
	l->vehicle_seen = true;
	return 0;
}

/* Something under the arm while it travels down: back up at once. */
static int
act_reraise(struct lane *l)
{
	raise_arm(l);
	l->ops->timer_stop(l->barrier_timer);
	l->vehicle_seen = true;
	log_warnx("%s: loop occupied while lowering: barrier raised again",
	    l->conf->name);
	return 0;
}

static int
act_lower(struct lane *l)
{
	if (emergency(l))
		return -1;	/* barrier_evaluate checks it too */
	output(l, l->w.raise, 0);
	output(l, l->w.lower, 1);
	l->ops->timer_set(l->barrier_timer, LOWER_PULSE_MS);
	log_debug("%s: %s: lowering", __func__, l->conf->name);
	return 0;
}

static int
act_lowered(struct lane *l)
{
	output(l, l->w.lower, 0);
	return 0;
}

static int
act_request_lower(struct lane *l)
{
	l->lower_requested = true;
	return 0;
}

static int
act_hold_up(struct lane *l)
{
	raise_arm(l);
	if ((l->state & (LANE_UP | LANE_UP_OCC)) == 0)
		l->up_since = l->ops->now(l->arg);
	l->ops->timer_stop(l->barrier_timer);
	return 0;
}

static int
act_let_down(struct lane *l)
{
	l->vehicle_seen = occupied(l);
	l->lower_requested = true;
	return 0;
}

/*
 * The one place that decides to lower a barrier, run after every vehicle
 * event.  It comes down when it has been up for open-time and then either
 * the vehicle has passed (loop occupied, then clear), close-timeout has
 * gone by, or a lower was requested; and never while the loop is occupied
 * (only LANE_UP, the loop clear, takes LANE_EV_LOWER_DUE) or the fire
 * input is active.  Otherwise a timer brings us back at the next deadline.
 */
static void
barrier_evaluate(struct lane *l)
{
	int64_t	now, ready, timeout, next;

	if ((l->state & (LANE_UP | LANE_UP_OCC)) == 0)
		return;
	l->ops->timer_stop(l->barrier_timer);
	if (l->state != LANE_UP || emergency(l))
		return;		/* re-evaluated when the loop clears */
	now = l->ops->now(l->arg);
	ready = l->up_since + l->conf->open_ms;
	timeout = l->up_since + l->conf->close_timeout_ms;
	if (now < ready)
		next = ready;
	else if (l->vehicle_seen || l->lower_requested || now >= timeout) {
		lane_fsm(l, LANE_EV_LOWER_DUE);
		return;
	} else
		next = timeout;
	l->ops->timer_set(l->barrier_timer, (int)(next - now));
}

/* ---- the temperature wait and what the lane asks of the gate ------------ */

static int
act_park(struct lane *l)
{
	l->card = l->arriving;
	l->ops->timer_set(l->wait_timer, l->conf->temp_wait_ms);
	log_debug("%s: %s: card %" PRIu64 " waits for a temperature",
	    __func__, l->conf->name, l->card.uid);
	return 0;
}

static int
act_decide(struct lane *l)
{
	struct lane_card	card = l->card;

	l->ops->timer_stop(l->wait_timer);
	l->wait = LANE_IDLE;	/* before the gate decides, as in the table */
	l->ops->waited(l->arg, l, &card);
	return 0;
}

static int
lane_act(struct lane *l, enum lane_action a)
{
	switch (a) {
	case LA_NOTHING:	return 0;
	case LA_RELEASE:	return act_release(l);
	case LA_LOCK:		return act_lock(l);
	case LA_DOOR_FORCED:	return act_door_forced(l);
	case LA_DOOR_OPENED:	return act_door_opened(l);
	case LA_DOOR_CLOSED:	return act_door_closed(l);
	case LA_PASSED:	return act_passed(l);
	case LA_HELD_OPEN:	return act_held_open(l);
	case LA_HOLD_RELAY:	return act_hold_relay(l);
	case LA_LET_GO:	return act_let_go(l);
	case LA_RAISE:		return act_raise(l);
	case LA_SEEN:		return act_seen(l);
	case LA_RERAISE:	return act_reraise(l);
	case LA_LOWER:		return act_lower(l);
	case LA_LOWERED:	return act_lowered(l);
	case LA_REQUEST_LOWER:	return act_request_lower(l);
	case LA_HOLD_UP:	return act_hold_up(l);
	case LA_LET_DOWN:	return act_let_down(l);
	case LA_EXIT:
		l->ops->exit_button(l->arg, l);
		return 0;
	case LA_OPEN:
		l->ops->open_button(l->arg, l, l->w.open_button);
		return 0;
	case LA_PARK:		return act_park(l);
	case LA_DECIDE:	return act_decide(l);
	}
	return 0;
}

/*
 * Looks the (state, event) pair up in the lane's table and runs its
 * action, then takes the row's next state; an action that returns -1 (the
 * fire input holds the lane) leaves the state as it is.  An event the
 * table does not expect in the state is logged and changes nothing.
 */
int
lane_fsm(struct lane *l, enum lane_event ev)
{
	const struct lane_fsm	*tbl;
	enum lane_state		*cur;
	size_t			 n, i;

	if (ev >= LANE_EV_CARD_WAITS) {
		tbl = wait_fsm_tbl;
		n = sizeof wait_fsm_tbl / sizeof wait_fsm_tbl[0];
		cur = &l->wait;
	} else if (l->conf->kind == LANE_PEDESTRIAN) {
		tbl = ped_fsm_tbl;
		n = sizeof ped_fsm_tbl / sizeof ped_fsm_tbl[0];
		cur = &l->state;
	} else {
		tbl = veh_fsm_tbl;
		n = sizeof veh_fsm_tbl / sizeof veh_fsm_tbl[0];
		cur = &l->state;
	}
	for (i = 0; i < n; i++)
		if ((tbl[i].state & *cur) != 0 && tbl[i].event == ev)
			break;
	if (i == n) {
		l->unexpected++;
		log_warnx("%s: event %s not expected in state %s",
		    l->conf->name, lane_event_name(ev), state_name(*cur));
		return -1;
	}
	if (lane_act(l, tbl[i].action) == -1) {
		log_debug("%s: %s: %s held in state %s by the emergency input",
		    __func__, l->conf->name, lane_event_name(ev),
		    state_name(*cur));
		return -1;
	}
	if (tbl[i].next != LANE_SAME)
		*cur = tbl[i].next;
	if (cur == &l->state && l->conf->kind == LANE_VEHICLE)
		barrier_evaluate(l);
	return 0;
}

/* ---- what the gate calls ------------------------------------------------ */

/* Opens the lane once: the caller has journaled the passage already. */
void
lane_release(struct lane *l)
{
	lane_fsm(l, LANE_EV_GRANT);
}

/* Asks the barrier to come down; it will, once that is safe. */
void
lane_request_lower(struct lane *l)
{
	lane_fsm(l, LANE_EV_LOWER_REQUEST);
}

/* The fire input: hold every lane open while active, then let go. */
void
lane_emergency(struct lane *l, bool active)
{
	lane_fsm(l, active ? LANE_EV_EMERGENCY_ON : LANE_EV_EMERGENCY_OFF);
}

/* A debounced edge on one of this lane's inputs; others are ignored. */
void
lane_input(struct lane *l, int line, int value)
{
	if (line < 0)
		return;
	if (line == l->w.door)
		lane_fsm(l, value ? LANE_EV_DOOR_OPEN : LANE_EV_DOOR_CLOSE);
	else if (line == l->w.loop)
		lane_fsm(l, value ? LANE_EV_LOOP_ON : LANE_EV_LOOP_OFF);
	else if (line == l->w.exit_button && value)
		lane_fsm(l, LANE_EV_EXIT_BUTTON);
	else if (line == l->w.open_button && value)
		lane_fsm(l, LANE_EV_OPEN_BUTTON);
}

/* Parks a card until a reading, another card or temperature-wait. */
void
lane_card_wait(struct lane *l, const struct lane_card *c)
{
	l->arriving = *c;
	lane_fsm(l, LANE_EV_CARD_WAITS);
}

/* A new card ends the wait of the one before it. */
void
lane_card(struct lane *l)
{
	lane_fsm(l, LANE_EV_CARD);
}

void
lane_temperature(struct lane *l)
{
	lane_fsm(l, LANE_EV_TEMPERATURE);
}
