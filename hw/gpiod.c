/*
 * gpiod.c: the GPIO backend for real boards, on libgpiod 1.6 (the v1
 * character device uAPI).  gpiod2.c is the same backend on libgpiod 2; the
 * Makefile builds one or the other, and only these two include <gpiod.h>.
 * Outputs are requested at their safe value; inputs are requested for both
 * edges, read from the event loop and debounced with the kernel's edge
 * timestamps, which on Linux 5.7 and later are CLOCK_MONOTONIC like the
 * debounce timer.
 *
 * What does not depend on the library (names, the debounce timer, the
 * guard against close() from a callback) is gpio-line.c, shared with
 * gpiod2.c.
 *
 * A Wiegand reader's D0 and D1 are requested for falling edges without
 * debounce.  The v1 uAPI that libgpiod 1.6 speaks has no request of two
 * lines for edges (a bulk event request is one request and one queue of
 * 16 events per line, fixed by the kernel), so the two queues are read
 * together and merged by their kernel timestamps; libgpiod 2 (gpiod2.c)
 * gets one queue for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <gpiod.h>

#include "clock.h"
#include "gpio-line.h"
#include "hw.h"
#include "log.h"
#include "wiegand-reader.h"
#include "xmalloc.h"

#define GPIOD_CONSUMER	"gated"
#define GPIOD_BATCH	16	/* edges read per read() */

struct gl {
	struct gpio_line	 gl;	/* conf, desc, events, debouncer */
	struct gpiod_chip	*chip;		/* one open per line */
	struct gpiod_line	*line;
	bool			 requested;
	bool			 wiegand;	/* read by a gw */
};

/* A Wiegand reader: its two lines' event queues, merged by timestamp. */
struct gw {
	struct hw_gpio		*g;
	struct hw_wiegand	 r;
	char			 desc[300];
	struct gl		*line[2];	/* D0, D1 */
	struct event		*edge[2];
};

struct hw_gpio {
	struct gpio_core	 core;		/* base, events, the guard */
	int			 count;
	struct gl		*lines;
	int			 nwiegand;	/* requested so far */
	struct gw		*wiegand;
};

/*
 * Finds the line by its kernel name across every chip, or by chip (name,
 * label, number or path) and offset.  Each line keeps its own chip handle,
 * which is what gpiod_line_find() gives anyway.
 */
static int
gl_find(struct gl *l, char **cause)
{
	const struct line_conf	*c = &l->gl.conf;
	const char		*name;
	unsigned int		 n;

	if (c->offset < 0) {
		name = c->line[0] != '\0' ? c->line : c->name;
		errno = 0;
		if ((l->line = gpiod_line_find(name)) == NULL) {
			if (errno == ENOENT || errno == 0)
				xasprintf(cause, "%s: no such line",
				    l->gl.desc);
			else
				xasprintf(cause, "%s: cannot search the GPIO "
				    "chips: %s", l->gl.desc, strerror(errno));
			return -1;
		}
		l->chip = gpiod_line_get_chip(l->line);
		return 0;
	}

	if (c->chip[0] == '\0') {
		xasprintf(cause, "%s: an offset needs a chip", l->gl.desc);
		return -1;
	}
	if ((l->chip = gpiod_chip_open_lookup(c->chip)) == NULL) {
		if (errno == ENOENT || errno == ENODEV || errno == 0)
			xasprintf(cause, "%s: no such chip", l->gl.desc);
		else
			xasprintf(cause, "%s: cannot open the chip: %s",
			    l->gl.desc, strerror(errno));
		return -1;
	}
	n = gpiod_chip_num_lines(l->chip);
	if ((unsigned int)c->offset >= n) {
		xasprintf(cause, "%s: no such line, the chip has %u",
		    l->gl.desc, n);
		return -1;
	}
	if ((l->line = gpiod_chip_get_line(l->chip, c->offset)) == NULL) {
		xasprintf(cause, "%s: %s", l->gl.desc, strerror(errno));
		return -1;
	}
	return 0;
}

static bool
timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec &&
	    a->tv_nsec < b->tv_nsec);
}

/*
 * Reads every queued edge into gpio_line_edge() (the core's drain): the
 * edge's type is the logical level the kernel read after it.
 */
static int
gl_drain(struct gpio_line *gpl)
{
	struct gl		*l = gpl->arg;
	struct gpiod_line_event	 evs[GPIOD_BATCH];
	int			 fd, n, i;

	fd = event_get_fd(gpl->edge);
	do {
		n = gpiod_line_event_read_fd_multiple(fd, evs, GPIOD_BATCH);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			gpio_line_down(gpl, gpiod_chip_name(l->chip), errno);
			return -1;
		}
		for (i = 0; i < n && !gpl->core->closed; i++)
			gpio_line_edge(gpl, evs[i].event_type ==
			    GPIOD_LINE_EVENT_RISING_EDGE, &evs[i].ts);
	} while (n == GPIOD_BATCH && !gpl->core->closed);
	return 0;
}

/* Requests one line as configured; -1 and *cause naming it on error. */
static int
gl_request(struct gl *l, char **cause)
{
	const struct line_conf	*c = &l->gl.conf;
	const char		*user;
	int			 flags = 0, r, value;

	if (gl_find(l, cause) != 0)
		return -1;

	if (c->active_low)
		flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
	switch (c->bias) {
	case BIAS_AS_IS:
		break;
	case BIAS_DISABLE:
		flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
		break;
	case BIAS_PULL_UP:
		flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
		break;
	case BIAS_PULL_DOWN:
		flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
		break;
	}

	/*
	 * With the active-low flag the kernel applies the inversion to the
	 * initial value too, so the logical safe value goes in and the pin
	 * starts at its physical safe level without a glitch.
	 */
	if (c->dir == LINE_OUTPUT)
		r = gpiod_line_request_output_flags(l->line, GPIOD_CONSUMER,
		    flags, c->safe_value ? 1 : 0);
	else
		r = gpiod_line_request_both_edges_events_flags(l->line,
		    GPIOD_CONSUMER, flags);
	if (r != 0) {
		if (errno == EBUSY) {
			user = gpiod_line_consumer(l->line);
			xasprintf(cause, "%s: in use by '%s'", l->gl.desc,
			    user != NULL ? user : "another program");
		} else
			xasprintf(cause, "%s: cannot request: %s", l->gl.desc,
			    strerror(errno));
		return -1;
	}
	l->requested = true;
	if (c->dir == LINE_OUTPUT)
		return 0;

	if ((value = gpiod_line_get_value(l->line)) == -1) {
		xasprintf(cause, "%s: cannot read: %s", l->gl.desc,
		    strerror(errno));
		return -1;
	}
	return gpio_line_watch(&l->gl, gpiod_line_event_get_fd(l->line), value,
	    cause);
}

/* Reports a Wiegand reader whose line stopped working. */
static void
gw_down(struct gw *w, int i, int error)
{
	struct hw_gpio	*g = w->g;
	char		 why[360];

	log_warnx("%s: %s; no longer watched", w->desc, strerror(error));
	event_del(w->edge[0]);
	event_del(w->edge[1]);
	event_del(w->r.timer);
	if (g->core.closed || g->core.ev.device == NULL)
		return;
	snprintf(why, sizeof why, "%s: %s", w->line[i]->gl.desc,
	    strerror(error));
	g->core.dispatching++;
	g->core.ev.device(g->core.ev.arg, gpiod_chip_name(w->line[i]->chip),
	    false, why);
	g->core.dispatching--;
}

/*
 * Reads both lines' queued edges and feeds them to the assembler oldest
 * first.  Each queue is in order; an edge of one line is fed only once the
 * other line's queue is known empty or holds a later one.
 */
static int
gw_drain(struct gw *w)
{
	struct gpiod_line_event	 evs[2][GPIOD_BATCH];
	int			 n[2] = { 0, 0 }, at[2] = { 0, 0 };
	int			 i, b, more;

	do {
		for (i = 0; i < 2; i++) {
			if (at[i] < n[i])
				continue;
			at[i] = 0;
			n[i] = gpiod_line_event_read_fd_multiple(
			    event_get_fd(w->edge[i]), evs[i], GPIOD_BATCH);
			if (n[i] == -1) {
				n[i] = 0;
				if (errno == EAGAIN || errno == EINTR)
					continue;
				gw_down(w, i, errno);
				return -1;
			}
		}
		more = n[0] == GPIOD_BATCH || n[1] == GPIOD_BATCH;
		while ((at[0] < n[0] || at[1] < n[1]) && !w->g->core.closed) {
			if (at[0] == n[0])
				b = 1;
			else if (at[1] == n[1])
				b = 0;
			else
				b = timespec_before(&evs[1][at[1]].ts,
				    &evs[0][at[0]].ts);
			/* A full batch may have more behind it: refill. */
			if (at[!b] == n[!b] && n[!b] == GPIOD_BATCH)
				break;
			hw_wiegand_edge(&w->r, b,
			    (int64_t)evs[b][at[b]].ts.tv_sec * 1000000000 +
			    evs[b][at[b]].ts.tv_nsec, &w->g->core.ev);
			at[b]++;
		}
	} while (more && !w->g->core.closed);
	return 0;
}

/* Ends a Wiegand callback: frees if closed, else re-arms the frame end. */
static void
gw_leave(struct gw *w)
{
	struct hw_gpio	*g = w->g;

	if (!gpio_leave(&g->core) && !g->core.closed)
		hw_wiegand_arm(&w->r);
}

static void
gw_edge_cb(int fd, short what, void *arg)
{
	struct gw	*w = arg;

	(void)fd;
	(void)what;
	gpio_enter(&w->g->core);
	gw_drain(w);
	gw_leave(w);
}

/* The frame's deadline passed: edges still queued come first. */
static void
gw_timer_cb(int fd, short what, void *arg)
{
	struct gw	*w = arg;

	(void)fd;
	(void)what;
	gpio_enter(&w->g->core);
	if (gw_drain(w) == 0 && !w->g->core.closed)
		hw_wiegand_flush(&w->r, mono_ns(), &w->g->core.ev);
	gw_leave(w);
}

/* Requests D0 and D1 for falling edges, each with its own flags. */
static int
gw_request(struct gw *w, char **cause)
{
	struct hw_gpio	*g = w->g;
	struct gl	*l;
	const char	*user;
	int		 i, flags, fd;

	for (i = 0; i < 2; i++) {
		l = w->line[i];
		if (gl_find(l, cause) != 0)
			return -1;
		flags = l->gl.conf.active_low ?
		    GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
		if (l->gl.conf.bias == BIAS_DISABLE)
			flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
		else if (l->gl.conf.bias == BIAS_PULL_UP)
			flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
		else if (l->gl.conf.bias == BIAS_PULL_DOWN)
			flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
		if (gpiod_line_request_falling_edge_events_flags(l->line,
		    GPIOD_CONSUMER, flags) != 0) {
			if (errno == EBUSY) {
				user = gpiod_line_consumer(l->line);
				xasprintf(cause, "%s: in use by '%s'",
				    l->gl.desc, user != NULL ? user :
				    "another program");
			} else
				xasprintf(cause, "%s: cannot request: %s",
				    l->gl.desc, strerror(errno));
			return -1;
		}
		l->requested = true;
		fd = gpiod_line_event_get_fd(l->line);
		if (fd == -1 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) |
		    O_NONBLOCK) == -1) {
			xasprintf(cause, "%s: event fd: %s", l->gl.desc,
			    strerror(errno));
			return -1;
		}
		w->edge[i] = event_new(g->core.base, fd, EV_READ|EV_PERSIST,
		    gw_edge_cb, w);
		if (w->edge[i] == NULL || event_add(w->edge[i], NULL) != 0) {
			xasprintf(cause, "%s: cannot watch its edges",
			    l->gl.desc);
			return -1;
		}
	}
	if ((w->r.timer = evtimer_new(g->core.base, gw_timer_cb, w)) == NULL) {
		xasprintf(cause, "%s: cannot create its timer", w->desc);
		return -1;
	}
	return 0;
}

static void	gpiod1_free(struct hw_gpio *);

static struct hw_gpio *
gpiod1_open(struct event_base *base, const struct line_conf *conf, int count,
    const struct hw_wiegand_conf *wiegand, int nwiegand,
    const struct hw_events *ev, char **cause)
{
	struct hw_gpio	*g;
	struct gw	*w;
	int		 i;

	*cause = NULL;
	g = xcalloc(1, sizeof *g);
	gpio_core_init(&g->core, base, ev, g, gpiod1_free, gl_drain);
	g->lines = xcalloc(count > 0 ? count : 1, sizeof *g->lines);
	g->wiegand = xcalloc(nwiegand > 0 ? nwiegand : 1,
	    sizeof *g->wiegand);
	for (i = 0; i < count; i++)
		gpio_line_init(&g->lines[i].gl, &g->core, &g->lines[i], i,
		    &conf[i]);
	for (i = 0; i < nwiegand; i++) {
		g->lines[wiegand[i].d0].wiegand = true;
		g->lines[wiegand[i].d1].wiegand = true;
	}
	/* Lines are counted as they come, so close() undoes exactly those. */
	for (g->count = 0; g->count < count; g->count++) {
		if (g->lines[g->count].wiegand)
			continue;
		if (gl_request(&g->lines[g->count], cause) != 0) {
			g->count++;
			hw_gpiod_ops.close(g);
			return NULL;
		}
	}
	for (g->nwiegand = 0; g->nwiegand < nwiegand; g->nwiegand++) {
		w = &g->wiegand[g->nwiegand];
		w->g = g;
		hw_wiegand_init(&w->r, &wiegand[g->nwiegand]);
		w->line[0] = &g->lines[wiegand[g->nwiegand].d0];
		w->line[1] = &g->lines[wiegand[g->nwiegand].d1];
		snprintf(w->desc, sizeof w->desc, "Wiegand %s and %s",
		    w->line[0]->gl.desc, w->line[1]->gl.desc);
		if (gw_request(w, cause) != 0) {
			g->nwiegand++;
			hw_gpiod_ops.close(g);
			return NULL;
		}
	}
	return g;
}

static struct gl *
gl_get(struct hw_gpio *g, int line)
{
	if (g == NULL || line < 0 || line >= g->count || g->core.closed ||
	    !g->lines[line].requested || g->lines[line].wiegand) {
		errno = EINVAL;
		return NULL;
	}
	return &g->lines[line];
}

static int
gpiod1_set(struct hw_gpio *g, int line, int value)
{
	struct gl	*l;

	if ((l = gl_get(g, line)) == NULL)
		return -1;
	if (l->gl.conf.dir != LINE_OUTPUT) {
		errno = EPERM;
		return -1;
	}
	if (gpiod_line_set_value(l->line, value ? 1 : 0) != 0) {
		log_warn("%s: cannot set to %d", l->gl.desc, value ? 1 : 0);
		return -1;
	}
	return 0;
}

/*
 * An output reads back what was set.  An input gives its debounced level,
 * the one the last event reported, so get() and the events never disagree.
 */
static int
gpiod1_get(struct hw_gpio *g, int line)
{
	struct gl	*l;
	int		 value;

	if ((l = gl_get(g, line)) == NULL)
		return -1;
	if (l->gl.conf.dir == LINE_INPUT)
		return l->gl.db.stable;
	if ((value = gpiod_line_get_value(l->line)) == -1)
		log_warn("%s: cannot read", l->gl.desc);
	return value;
}

/* Releases whatever each line holds and frees the object. */
static void
gpiod1_free(struct hw_gpio *g)
{
	struct gl	*l;
	struct gw	*w;
	int		 i;

	/* The Wiegand events first: their lines are released below. */
	for (i = 0; i < g->nwiegand; i++) {
		w = &g->wiegand[i];
		if (w->edge[0] != NULL)
			event_free(w->edge[0]);
		if (w->edge[1] != NULL)
			event_free(w->edge[1]);
		if (w->r.timer != NULL)
			event_free(w->r.timer);
	}
	free(g->wiegand);
	for (i = 0; i < g->count; i++) {
		l = &g->lines[i];
		gpio_line_release(&l->gl);
		if (l->requested)
			gpiod_line_release(l->line);
		if (l->chip != NULL)
			gpiod_chip_close(l->chip);
	}
	free(g->lines);
	free(g);
}

/*
 * Safe values first, then release: on a real board a released pin keeps
 * its last level, so the last level must be the safe one.  Called from a
 * callback, the outputs go safe at once and the memory goes when the
 * callback returns.
 */
static void
gpiod1_close(struct hw_gpio *g)
{
	struct gl	*l;
	int		 i;

	if (g == NULL || g->core.closed)
		return;
	for (i = 0; i < g->count; i++) {
		l = &g->lines[i];
		if (!l->requested || l->gl.conf.dir != LINE_OUTPUT)
			continue;
		if (gpiod_line_set_value(l->line, l->gl.conf.safe_value ? 1 : 0)
		    != 0)
			log_warn("%s: cannot set to its safe value",
			    l->gl.desc);
	}
	gpio_closed(&g->core);
}

const struct hw_gpio_ops hw_gpiod_ops = {
	.name = "gpiod",
	.open = gpiod1_open,
	.set = gpiod1_set,
	.get = gpiod1_get,
	.close = gpiod1_close,
};
