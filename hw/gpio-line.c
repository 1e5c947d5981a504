/*
 * gpio-line.c: the library-independent half of the libgpiod backends
 * (gpiod.c, gpiod2.c): a line's name for messages, an input's edge and
 * debounce-timer events feeding debounce.c, its reports, and the guard
 * that lets a callback close the object: the memory goes when the last
 * callback returns.
 */
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "gpio-line.h"
#include "log.h"
#include "xmalloc.h"

void
gpio_core_init(struct gpio_core *c, struct event_base *base,
    const struct hw_events *ev, struct hw_gpio *owner,
    void (*free_fn)(struct hw_gpio *), int (*drain_fn)(struct gpio_line *))
{
	c->base = base;
	c->ev = *ev;
	c->dispatching = 0;
	c->closed = false;
	c->owner = owner;
	c->free = free_fn;
	c->drain = drain_fn;
}

void
gpio_enter(struct gpio_core *c)
{
	c->dispatching++;
}

int
gpio_leave(struct gpio_core *c)
{
	if (--c->dispatching == 0 && c->closed) {
		c->free(c->owner);
		return 1;
	}
	return 0;
}

void
gpio_closed(struct gpio_core *c)
{
	c->closed = true;
	if (c->dispatching == 0)
		c->free(c->owner);
}

/* Names a line for people: "line 'door' (GPIO17)" or "(gpiochip0:17)". */
void
gpio_line_init(struct gpio_line *l, struct gpio_core *c, void *arg,
    int index, const struct line_conf *conf)
{
	l->core = c;
	l->arg = arg;
	l->index = index;
	l->conf = *conf;
	if (conf->offset >= 0)
		snprintf(l->desc, sizeof l->desc, "line '%s' (%s:%d)",
		    conf->name, conf->chip, conf->offset);
	else
		snprintf(l->desc, sizeof l->desc, "line '%s' (%s)",
		    conf->name, conf->line[0] != '\0' ? conf->line :
		    conf->name);
}

/* Reports a debounced change, unless the object was closed meanwhile. */
static void
gpio_line_report(struct gpio_line *l, const struct timespec *ts)
{
	struct gpio_core	*c = l->core;

	if (c->closed || c->ev.input == NULL)
		return;
	c->dispatching++;
	c->ev.input(c->ev.arg, l->index, l->db.stable, ts);
	c->dispatching--;
}

/*
 * An edge's type is the logical level the kernel read after it
 * (active-low applied), which is exactly the raw level the debouncer
 * wants.
 */
void
gpio_line_edge(struct gpio_line *l, int value, const struct timespec *ts)
{
	struct timespec	at;

	if (debounce_feed(&l->db, value, ts, &at))
		gpio_line_report(l, &at);
}

void
gpio_line_down(struct gpio_line *l, const char *chip, int error)
{
	struct gpio_core	*c = l->core;
	char			 why[256];

	log_warnx("%s: %s; no longer watched", l->desc, strerror(error));
	event_del(l->edge);
	if (l->timer != NULL)
		event_del(l->timer);
	if (c->closed || c->ev.device == NULL)
		return;
	snprintf(why, sizeof why, "%s: %s", l->desc, strerror(error));
	c->dispatching++;
	c->ev.device(c->ev.arg, chip, false, why);
	c->dispatching--;
}

/* Arms the timer for the pending candidate's deadline, if any. */
static void
gpio_line_arm(struct gpio_line *l)
{
	struct timespec	now;
	struct timeval	tv;

	if (l->timer == NULL || l->core->closed)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (debounce_wait(&l->db, &now, &tv) == -1)
		event_del(l->timer);
	else
		evtimer_add(l->timer, &tv);
}

/* Ends a callback: frees the object if a callback closed it. */
static void
gpio_line_leave(struct gpio_line *l)
{
	if (!gpio_leave(l->core))
		gpio_line_arm(l);
}

static void
gpio_line_edge_cb(int fd, short what, void *arg)
{
	struct gpio_line	*l = arg;

	(void)fd;
	(void)what;
	gpio_enter(l->core);
	l->core->drain(l);
	gpio_line_leave(l);
}

/*
 * The candidate's period is over.  Edges already queued may cancel it, so
 * read them first; only then is the level known to have held.
 */
static void
gpio_line_timer_cb(int fd, short what, void *arg)
{
	struct gpio_line	*l = arg;
	struct timespec		 now, at;

	(void)fd;
	(void)what;
	gpio_enter(l->core);
	if (l->core->drain(l) == 0 && !l->core->closed) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (debounce_expire(&l->db, &now, &at))
			gpio_line_report(l, &at);
	}
	gpio_line_leave(l);
}

int
gpio_line_watch(struct gpio_line *l, int fd, int value, char **cause)
{
	struct event_base	*base = l->core->base;

	debounce_init(&l->db, value, l->conf.debounce_ms);
	/* A spurious wake-up must find EAGAIN, never block the loop. */
	if (fd == -1 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
	    == -1) {
		xasprintf(cause, "%s: event fd: %s", l->desc, strerror(errno));
		return -1;
	}
	l->edge = event_new(base, fd, EV_READ|EV_PERSIST, gpio_line_edge_cb,
	    l);
	if (l->edge == NULL || event_add(l->edge, NULL) != 0) {
		xasprintf(cause, "%s: cannot watch its edges", l->desc);
		return -1;
	}
	if (l->conf.debounce_ms > 0 &&
	    (l->timer = evtimer_new(base, gpio_line_timer_cb, l)) == NULL) {
		xasprintf(cause, "%s: cannot create its timer", l->desc);
		return -1;
	}
	return 0;
}

void
gpio_line_release(struct gpio_line *l)
{
	if (l->edge != NULL)
		event_free(l->edge);
	if (l->timer != NULL)
		event_free(l->timer);
	l->edge = l->timer = NULL;
}
