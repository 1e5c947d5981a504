/*
 * lane.c: the lane state machines.  A pedestrian lane releases its door or
 * turnstile relay for a pulse that ends early once the door has opened and
 * closed again (one grant, one person), and watches its door contact for
 * forced and held-open doors.  A vehicle lane raises its barrier and lowers
 * it only when the loop is clear: that interlock is checked in one place,
 * barrier_evaluate(), which every timer, command and input goes through.
 */
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent.h"
#include "clock.h"

#define LOWER_PULSE_MS	2000	/* lower relay held while the arm travels */

static void	barrier_evaluate(struct lane *);

static void
ms_to_tv(int ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static int64_t
ts_ms(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static void
pulse_end(evutil_socket_t fd, short what, void *arg)
{
	struct lane	*l = arg;

	(void)fd;
	(void)what;
	if (gate_emergency(l->gate))
		return;		/* the fire input holds the lane open */
	l->released = false;
	gate_output(l->gate, l->relay, 0);
	log_debug("%s: %s: pulse ended", __func__, l->conf->name);
}

static void
held_open(evutil_socket_t fd, short what, void *arg)
{
	struct lane	*l = arg;
	char		 detail[96];

	(void)fd;
	(void)what;
	if (!l->door_open || gate_emergency(l->gate))
		return;
	snprintf(detail, sizeof detail, "door open longer than %d s",
	    l->conf->held_open_ms / 1000);
	gate_alert(l->gate, ALERT_DOOR_HELD_OPEN, l->conf->name, detail);
}

static void
barrier_timer_fired(evutil_socket_t fd, short what, void *arg)
{
	struct lane	*l = arg;

	(void)fd;
	(void)what;
	if (l->barrier == BARRIER_LOWERING) {
		/* The arm is down: let go of the lower relay. */
		if (l->lower >= 0)
			gate_output(l->gate, l->lower, 0);
		l->barrier = BARRIER_DOWN;
		return;
	}
	barrier_evaluate(l);
}

void
lane_init(struct lane *l, struct gate *g, int index)
{
	const struct gate_conf	*c = gate_conf(g);
	const struct lane_conf	*lc = &c->lanes[index];
	struct event_base	*base = gate_base(g);

	memset(l, 0, sizeof *l);
	l->gate = g;
	l->index = index;
	l->conf = lc;
	l->relay = lc->relay[0] ? config_find_line(c, lc->relay) : -1;
	l->raise = lc->barrier_raise[0] ?
	    config_find_line(c, lc->barrier_raise) : -1;
	l->lower = lc->barrier_lower[0] ?
	    config_find_line(c, lc->barrier_lower) : -1;
	l->door = lc->door_contact[0] ? config_find_line(c, lc->door_contact) :
	    -1;
	l->exit_button = lc->exit_button[0] ?
	    config_find_line(c, lc->exit_button) : -1;
	l->open_button = lc->open_button[0] ?
	    config_find_line(c, lc->open_button) : -1;
	l->loop = lc->loop[0] ? config_find_line(c, lc->loop) : -1;
	l->therm = lc->thermometer[0] ? gate_find_therm(g, lc->thermometer) :
	    -1;
	l->pulse_timer = evtimer_new(base, pulse_end, l);
	l->held_timer = evtimer_new(base, held_open, l);
	l->barrier_timer = evtimer_new(base, barrier_timer_fired, l);
	l->barrier = BARRIER_DOWN;
}

void
lane_clear(struct lane *l)
{
	if (l->pulse_timer != NULL)
		event_free(l->pulse_timer);
	if (l->held_timer != NULL)
		event_free(l->held_timer);
	if (l->barrier_timer != NULL)
		event_free(l->barrier_timer);
	if (l->pending.timer != NULL)
		event_free(l->pending.timer);
	memset(l, 0, sizeof *l);
}

/* Opens the lane once: the caller has journaled the passage already. */
void
lane_release(struct lane *l)
{
	struct timeval	tv;

	if (l->conf->kind == LANE_PEDESTRIAN) {
		l->released = true;
		l->opened_in_window = false;
		gate_output(l->gate, l->relay, 1);
		ms_to_tv(l->conf->open_ms, &tv);
		evtimer_add(l->pulse_timer, &tv);
		return;
	}
	/* Vehicle: raise (or keep up) and start the timers afresh. */
	if (l->lower >= 0)
		gate_output(l->gate, l->lower, 0);
	gate_output(l->gate, l->raise, 1);
	l->barrier = BARRIER_UP;
	l->vehicle_seen = l->loop_occupied;
	l->lower_requested = false;
	clock_gettime(CLOCK_MONOTONIC, &l->up_since);
	barrier_evaluate(l);
}

/* Asks the barrier to come down; it will, once that is safe. */
void
lane_request_lower(struct lane *l)
{
	if (l->conf->kind != LANE_VEHICLE || l->barrier != BARRIER_UP)
		return;
	l->lower_requested = true;
	barrier_evaluate(l);
}

/*
 * The one place that lowers a barrier.  It comes down when it has been up
 * for open-time and then either the vehicle has passed (loop occupied, then
 * clear), close-timeout has gone by, or a lower was requested; and never
 * while the loop is occupied or the fire input is active.  Otherwise a
 * timer brings us back at the next deadline.
 */
static void
barrier_evaluate(struct lane *l)
{
	struct timeval	tv;
	int64_t		now, up, ready, timeout, next;

	if (l->barrier != BARRIER_UP)
		return;
	evtimer_del(l->barrier_timer);
	if (l->loop_occupied || gate_emergency(l->gate))
		return;		/* re-evaluated when the loop clears */
	now = mono_ms();
	up = ts_ms(&l->up_since);
	ready = up + l->conf->open_ms;
	timeout = up + l->conf->close_timeout_ms;
	if (now < ready)
		next = ready;
	else if (l->vehicle_seen || l->lower_requested || now >= timeout) {
		gate_output(l->gate, l->raise, 0);
		if (l->lower >= 0)
			gate_output(l->gate, l->lower, 1);
		l->barrier = BARRIER_LOWERING;
		ms_to_tv(LOWER_PULSE_MS, &tv);
		evtimer_add(l->barrier_timer, &tv);
		log_debug("%s: %s: lowering", __func__, l->conf->name);
		return;
	} else
		next = timeout;
	ms_to_tv((int)(next - now), &tv);
	evtimer_add(l->barrier_timer, &tv);
}

/* A debounced edge on one of this lane's inputs. */
void
lane_input(struct lane *l, int line, int value)
{
	struct timeval	tv;

	if (line == l->door) {
		l->door_open = value;
		if (value) {
			if (l->released || gate_emergency(l->gate))
				l->opened_in_window = true;
			else
				gate_alert(l->gate, ALERT_DOOR_FORCED,
				    l->conf->name, "door opened without a grant");
			ms_to_tv(l->conf->held_open_ms, &tv);
			evtimer_add(l->held_timer, &tv);
		} else {
			evtimer_del(l->held_timer);
			/* One grant, one passage: close behind the person. */
			if (l->opened_in_window && l->released &&
			    !gate_emergency(l->gate)) {
				evtimer_del(l->pulse_timer);
				pulse_end(-1, 0, l);
			}
			l->opened_in_window = false;
		}
	} else if (line == l->loop) {
		l->loop_occupied = value;
		if (value) {
			if (l->barrier == BARRIER_LOWERING) {
				/* Something under the arm: back up at once. */
				if (l->lower >= 0)
					gate_output(l->gate, l->lower, 0);
				gate_output(l->gate, l->raise, 1);
				l->barrier = BARRIER_UP;
				evtimer_del(l->barrier_timer);
				log_warnx("%s: loop occupied while lowering: "
				    "barrier raised again", l->conf->name);
			}
			if (l->barrier == BARRIER_UP)
				l->vehicle_seen = true;
		}
		barrier_evaluate(l);
	} else if (line == l->exit_button && value) {
		if (gate_egress_allowed(l->gate))
			gate_passage(l->gate, l, DIR_OUT, "exit-button");
		else
			log_info("%s: exit button refused by the mode",
			    l->conf->name);
	} else if (line == l->open_button && value)
		gate_open_lane(l->gate, l->conf->name,
		    gate_conf(l->gate)->lines[line].name, "guard button",
		    NULL, NULL);
}

/* The fire input: hold every lane open while active, then let go. */
void
lane_emergency(struct lane *l, bool active)
{
	if (l->conf->kind == LANE_PEDESTRIAN) {
		if (active) {
			evtimer_del(l->pulse_timer);
			gate_output(l->gate, l->relay, 1);
		} else {
			l->released = false;
			gate_output(l->gate, l->relay, 0);
		}
		return;
	}
	if (active) {
		if (l->lower >= 0)
			gate_output(l->gate, l->lower, 0);
		gate_output(l->gate, l->raise, 1);
		if (l->barrier != BARRIER_UP)
			clock_gettime(CLOCK_MONOTONIC, &l->up_since);
		l->barrier = BARRIER_UP;
		evtimer_del(l->barrier_timer);
	} else {
		l->vehicle_seen = l->loop_occupied;
		l->lower_requested = true;
		barrier_evaluate(l);
	}
}

const char *
lane_state_name(const struct lane *l)
{
	if (l->pending.active)
		return "waiting-temperature";
	if (l->conf->kind == LANE_PEDESTRIAN)
		return l->released ? "released" : "locked";
	switch (l->barrier) {
	case BARRIER_UP:
		return l->loop_occupied ? "up-occupied" : "up";
	case BARRIER_LOWERING:
		return "lowering";
	default:
		return l->loop_occupied ? "down-occupied" : "down";
	}
}
