/*
 * gpiod2.c: the GPIO backend for real boards on the libgpiod 2.x API
 * (Debian 13, Raspberry Pi OS trixie), built instead of gpiod.c when
 * pkg-config reports libgpiod 2 (see the Makefile).  Same config keys and
 * behaviour as gpiod.c: outputs are requested at their safe value, inputs
 * for both edges with kernel timestamps on CLOCK_MONOTONIC, read from the
 * event loop through the request's file descriptor and debounced by
 * debounce.c.  Each line is a request of its own, so one line's failure or
 * release leaves the others alone, as in gpiod.c.  A Wiegand reader's two
 * lines are one request, so the kernel queues their edges in one buffer in
 * the order they came.  What does not depend on the library (names, the
 * debounce timer, the guard against close() from a callback) is
 * gpio-line.c, shared with gpiod.c.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <event2/event.h>
#include <gpiod.h>

#include "clock.h"
#include "gpio-line.h"
#include "hw.h"
#include "log.h"
#include "wiegand-reader.h"
#include "xmalloc.h"

#define GPIOD2_CONSUMER	"gated"
#define GPIOD2_BATCH	16	/* edges read per read() */
/* A Wiegand request's kernel buffer: a 37-bit frame and more.  The
 * kernel's default is 16 a line, and it drops the oldest when full. */
#define GPIOD2_WIEGAND_EVENTS	256

struct gpiod2_line {
	struct gpio_line	 gl;	/* conf, desc, events, debouncer */
	char			 chip[64];	/* its chip's name, gpiochipN */
	unsigned int		 offset;
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *buf;	/* inputs */
	bool			 wiegand;	/* read by a gpiod2_wiegand */
};

/* A Wiegand reader: D0 and D1 in one request, falling edges only. */
struct gpiod2_wiegand {
	struct hw_gpio		*g;
	struct hw_wiegand	 r;
	char			 desc[300];
	char			 chip[64];
	unsigned int		 offsets[2];	/* D0, D1 */
	struct gpiod_line_request *req;
	struct gpiod_edge_event_buffer *buf;
	struct event		*edge;
	unsigned long		 seqno;		/* the last edge's, 0 none */
};

struct hw_gpio {
	struct gpio_core	 core;		/* base, events, the guard */
	int			 count;
	struct gpiod2_line	*lines;
	int			 nwiegand;	/* requested so far */
	struct gpiod2_wiegand	*wiegand;
};

/* Chip devices, not the links to them, or a chip would be seen twice. */
static int
gpiod2_chip_filter(const struct dirent *d)
{
	struct stat	sb;
	char		path[300];

	if (strncmp(d->d_name, "gpiochip", 8) != 0)
		return 0;
	snprintf(path, sizeof path, "/dev/%s", d->d_name);
	return lstat(path, &sb) == 0 && !S_ISLNK(sb.st_mode) &&
	    gpiod_is_gpiochip_device(path);
}

/*
 * The GPIO chips' device paths in number order (gpiochip2 before
 * gpiochip10), as libgpiod 1.6's iterator gave them.  Returns the count
 * and a list that gpiod2_chips_free() frees, or -1.
 */
static int
gpiod2_chips(struct dirent ***list)
{
	return scandir("/dev", list, gpiod2_chip_filter, versionsort);
}

static void
gpiod2_chips_free(struct dirent **list, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

/* Keeps the chip's name (gpiochipN) for messages and device events. */
static void
gpiod2_chip_name(struct gpiod2_line *l, struct gpiod_chip *chip)
{
	struct gpiod_chip_info	*info;

	if ((info = gpiod_chip_get_info(chip)) != NULL) {
		snprintf(l->chip, sizeof l->chip, "%s",
		    gpiod_chip_info_get_name(info));
		gpiod_chip_info_free(info);
	} else
		snprintf(l->chip, sizeof l->chip, "%s",
		    gpiod_chip_get_path(chip));
}

/*
 * Finds a line by its kernel name on every chip in turn; the first match
 * wins, as with libgpiod 1.6's gpiod_line_find().  A Pi 5's header lines
 * moved from gpiochip4 to gpiochip0 between kernel releases, so a name is
 * the portable way to find one.  Returns the open chip and the offset.
 */
static struct gpiod_chip *
gpiod2_find_name(struct gpiod2_line *l, const char *name, char **cause)
{
	struct dirent		**list;
	struct gpiod_chip	*chip;
	char			 path[300];
	int			 n, i, off, error = 0;

	if ((n = gpiod2_chips(&list)) == -1) {
		xasprintf(cause, "%s: cannot search the GPIO chips: %s",
		    l->gl.desc, strerror(errno));
		return NULL;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "/dev/%s", list[i]->d_name);
		if ((chip = gpiod_chip_open(path)) == NULL) {
			error = errno;
			continue;
		}
		if ((off = gpiod_chip_get_line_offset_from_name(chip, name))
		    >= 0) {
			gpiod2_chips_free(list, n);
			l->offset = (unsigned int)off;
			return chip;
		}
		if (errno != ENOENT)
			error = errno;
		gpiod_chip_close(chip);
	}
	gpiod2_chips_free(list, n);
	if (error != 0)
		xasprintf(cause, "%s: no such line; cannot search every GPIO "
		    "chip: %s", l->gl.desc, strerror(error));
	else
		xasprintf(cause, "%s: no such line", l->gl.desc);
	return NULL;
}

/* Whether the open chip's label is label. */
static bool
gpiod2_chip_labelled(struct gpiod_chip *chip, const char *label)
{
	struct gpiod_chip_info	*info;
	bool			 match;

	if ((info = gpiod_chip_get_info(chip)) == NULL)
		return false;
	match = strcmp(gpiod_chip_info_get_label(info), label) == 0;
	gpiod_chip_info_free(info);
	return match;
}

/*
 * Opens a chip named the ways libgpiod 1.6's gpiod_chip_open_lookup()
 * took: a path, a number, a name (gpiochip0) or a label (pinctrl-rp1).
 * NULL with errno ENOENT when there is no such chip.
 */
static struct gpiod_chip *
gpiod2_chip_lookup(const char *spec)
{
	struct dirent		**list;
	struct gpiod_chip	*chip = NULL;
	char			 path[300];
	int			 n, i;

	if (spec[0] == '/')
		return gpiod_chip_open(spec);
	if (spec[strspn(spec, "0123456789")] == '\0') {
		snprintf(path, sizeof path, "/dev/gpiochip%s", spec);
		return gpiod_chip_open(path);
	}
	snprintf(path, sizeof path, "/dev/%s", spec);
	if (strncmp(spec, "gpiochip", 8) == 0 && gpiod_is_gpiochip_device(path))
		return gpiod_chip_open(path);

	if ((n = gpiod2_chips(&list)) == -1)
		return NULL;
	for (i = 0; i < n && chip == NULL; i++) {
		snprintf(path, sizeof path, "/dev/%s", list[i]->d_name);
		if ((chip = gpiod_chip_open(path)) == NULL)
			continue;
		if (!gpiod2_chip_labelled(chip, spec)) {
			gpiod_chip_close(chip);
			chip = NULL;
		}
	}
	gpiod2_chips_free(list, n);
	if (chip == NULL)
		errno = ENOENT;
	return chip;
}

/*
 * Finds the line by its kernel name across every chip, or by chip and
 * offset.  Returns the open chip, which the caller closes once the line is
 * requested: a request lives on without its chip.
 */
static struct gpiod_chip *
gpiod2_find(struct gpiod2_line *l, char **cause)
{
	const struct line_conf	*c = &l->gl.conf;
	struct gpiod_chip	*chip;
	struct gpiod_chip_info	*info;
	size_t			 n;

	if (c->offset < 0)
		chip = gpiod2_find_name(l, c->line[0] != '\0' ? c->line :
		    c->name, cause);
	else if (c->chip[0] == '\0') {
		xasprintf(cause, "%s: an offset needs a chip", l->gl.desc);
		return NULL;
	} else if ((chip = gpiod2_chip_lookup(c->chip)) == NULL) {
		if (errno == ENOENT || errno == ENODEV || errno == 0)
			xasprintf(cause, "%s: no such chip", l->gl.desc);
		else
			xasprintf(cause, "%s: cannot open the chip: %s",
			    l->gl.desc, strerror(errno));
		return NULL;
	} else {
		if ((info = gpiod_chip_get_info(chip)) == NULL) {
			xasprintf(cause, "%s: %s", l->gl.desc, strerror(errno));
			gpiod_chip_close(chip);
			return NULL;
		}
		n = gpiod_chip_info_get_num_lines(info);
		gpiod_chip_info_free(info);
		if ((size_t)c->offset >= n) {
			xasprintf(cause, "%s: no such line, the chip has %zu",
			    l->gl.desc, n);
			gpiod_chip_close(chip);
			return NULL;
		}
		l->offset = (unsigned int)c->offset;
	}
	if (chip != NULL)
		gpiod2_chip_name(l, chip);
	return chip;
}

/*
 * Reads every queued edge into gpio_line_edge() (the core's drain): the
 * edge's type is the logical level the kernel read after it, its
 * timestamp in ns on the clock the request asked for, CLOCK_MONOTONIC.
 */
static int
gpiod2_drain(struct gpio_line *gpl)
{
	struct gpiod2_line	*l = gpl->arg;
	struct gpiod_edge_event	*e;
	struct timespec		 ts;
	uint64_t		 ns;
	int			 n, i;

	do {
		n = gpiod_line_request_read_edge_events(l->req, l->buf,
		    GPIOD2_BATCH);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			gpio_line_down(gpl, l->chip, errno);
			return -1;
		}
		for (i = 0; i < n && !gpl->core->closed; i++) {
			e = gpiod_edge_event_buffer_get_event(l->buf,
			    (unsigned long)i);
			ns = gpiod_edge_event_get_timestamp_ns(e);
			ts.tv_sec = (time_t)(ns / 1000000000ULL);
			ts.tv_nsec = (long)(ns % 1000000000ULL);
			gpio_line_edge(gpl,
			    gpiod_edge_event_get_event_type(e) ==
			    GPIOD_EDGE_EVENT_RISING_EDGE, &ts);
		}
	} while (n == GPIOD2_BATCH && !gpl->core->closed);
	return 0;
}

/* The line's settings as configured; NULL only when out of memory. */
static struct gpiod_line_settings *
gpiod2_settings(const struct line_conf *c)
{
	struct gpiod_line_settings	*s;
	enum gpiod_line_bias		 bias = GPIOD_LINE_BIAS_AS_IS;
	int				 r = 0;

	if ((s = gpiod_line_settings_new()) == NULL)
		return NULL;
	switch (c->bias) {
	case BIAS_AS_IS:
		break;
	case BIAS_DISABLE:
		bias = GPIOD_LINE_BIAS_DISABLED;
		break;
	case BIAS_PULL_UP:
		bias = GPIOD_LINE_BIAS_PULL_UP;
		break;
	case BIAS_PULL_DOWN:
		bias = GPIOD_LINE_BIAS_PULL_DOWN;
		break;
	}
	r |= gpiod_line_settings_set_bias(s, bias);
	gpiod_line_settings_set_active_low(s, c->active_low);
	if (c->dir == LINE_OUTPUT) {
		/*
		 * The kernel applies active-low to the initial value too, so
		 * the logical safe value goes in and the pin starts at its
		 * physical safe level without a glitch.
		 */
		r |= gpiod_line_settings_set_direction(s,
		    GPIOD_LINE_DIRECTION_OUTPUT);
		r |= gpiod_line_settings_set_output_value(s, c->safe_value ?
		    GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
	} else {
		/*
		 * Monotonic is the uAPI's default; asked for all the same,
		 * since debounce.c compares these stamps with
		 * clock_gettime(CLOCK_MONOTONIC).
		 */
		r |= gpiod_line_settings_set_direction(s,
		    GPIOD_LINE_DIRECTION_INPUT);
		r |= gpiod_line_settings_set_edge_detection(s,
		    GPIOD_LINE_EDGE_BOTH);
		r |= gpiod_line_settings_set_event_clock(s,
		    GPIOD_LINE_CLOCK_MONOTONIC);
	}
	if (r != 0) {
		gpiod_line_settings_free(s);
		return NULL;
	}
	return s;
}

/* Asks the kernel for the line on chip; -1 and *cause naming it. */
static int
gpiod2_request_line(struct gpiod2_line *l, struct gpiod_chip *chip,
    char **cause)
{
	struct gpiod_line_settings	*s = NULL;
	struct gpiod_line_config	*lc = NULL;
	struct gpiod_request_config	*rc = NULL;
	struct gpiod_line_info		*info;
	const char			*user;
	int				 error = ENOMEM;

	if ((s = gpiod2_settings(&l->gl.conf)) == NULL ||
	    (lc = gpiod_line_config_new()) == NULL ||
	    (rc = gpiod_request_config_new()) == NULL ||
	    gpiod_line_config_add_line_settings(lc, &l->offset, 1, s) != 0)
		goto out;
	gpiod_request_config_set_consumer(rc, GPIOD2_CONSUMER);
	l->req = gpiod_chip_request_lines(chip, rc, lc);
	error = errno;
out:
	if (s != NULL)
		gpiod_line_settings_free(s);
	if (lc != NULL)
		gpiod_line_config_free(lc);
	if (rc != NULL)
		gpiod_request_config_free(rc);
	if (l->req != NULL)
		return 0;

	if (error == EBUSY) {
		info = gpiod_chip_get_line_info(chip, l->offset);
		user = info != NULL ? gpiod_line_info_get_consumer(info) : NULL;
		xasprintf(cause, "%s: in use by '%s'", l->gl.desc,
		    user != NULL && user[0] != '\0' ? user :
		    "another program");
		if (info != NULL)
			gpiod_line_info_free(info);
	} else
		xasprintf(cause, "%s: cannot request: %s", l->gl.desc,
		    strerror(error));
	return -1;
}

/* Requests one line as configured; -1 and *cause naming it on error. */
static int
gpiod2_request(struct gpiod2_line *l, char **cause)
{
	const struct line_conf	*c = &l->gl.conf;
	struct gpiod_chip	*chip;
	enum gpiod_line_value	 value;
	int			 r;

	if ((chip = gpiod2_find(l, cause)) == NULL)
		return -1;
	r = gpiod2_request_line(l, chip, cause);
	gpiod_chip_close(chip);
	if (r != 0)
		return -1;
	if (c->dir == LINE_OUTPUT)
		return 0;

	value = gpiod_line_request_get_value(l->req, l->offset);
	if (value == GPIOD_LINE_VALUE_ERROR) {
		xasprintf(cause, "%s: cannot read: %s", l->gl.desc,
		    strerror(errno));
		return -1;
	}
	if ((l->buf = gpiod_edge_event_buffer_new(GPIOD2_BATCH)) == NULL) {
		xasprintf(cause, "%s: edge buffer: %s", l->gl.desc,
		    strerror(errno));
		return -1;
	}
	return gpio_line_watch(&l->gl, gpiod_line_request_get_fd(l->req),
	    value == GPIOD_LINE_VALUE_ACTIVE, cause);
}

/*
 * Reads the Wiegand request's queued edges into the assembler.  The offset
 * says which line; the kernel's sequence number, shared by the request's
 * lines, shows an edge lost to a full buffer, which spoils the frame.
 */
static int
gpiod2_wiegand_drain(struct gpiod2_wiegand *w)
{
	struct gpiod_edge_event	*e;
	struct wiegand		*asm_ = &w->r.w;
	unsigned long		 seq;
	bool			 lost;
	int			 n, i, bit;

	do {
		n = gpiod_line_request_read_edge_events(w->req, w->buf,
		    GPIOD2_BATCH);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			log_warn("%s: no longer read", w->desc);
			event_del(w->edge);
			event_del(w->r.timer);
			if (!w->g->core.closed && w->g->core.ev.device != NULL)
				w->g->core.ev.device(w->g->core.ev.arg,
				    w->chip, false, w->desc);
			return -1;
		}
		for (i = 0; i < n && !w->g->core.closed; i++) {
			e = gpiod_edge_event_buffer_get_event(w->buf,
			    (unsigned long)i);
			if (gpiod_edge_event_get_event_type(e) !=
			    GPIOD_EDGE_EVENT_FALLING_EDGE)
				continue;
			bit = gpiod_edge_event_get_line_offset(e) ==
			    w->offsets[1];
			/* A lost edge ends the open frame or starts the
			 * next: both are refused. */
			seq = gpiod_edge_event_get_global_seqno(e);
			lost = w->seqno != 0 && seq != w->seqno + 1;
			w->seqno = seq;
			if (lost)
				asm_->cur.noise = true;
			hw_wiegand_edge(&w->r, bit, (int64_t)
			    gpiod_edge_event_get_timestamp_ns(e),
			    &w->g->core.ev);
			if (lost)
				asm_->cur.noise = true;
		}
	} while (n == GPIOD2_BATCH && !w->g->core.closed);
	return 0;
}

/* Ends a Wiegand callback: frees if closed, else re-arms the frame end. */
static void
gpiod2_wiegand_leave(struct gpiod2_wiegand *w)
{
	struct hw_gpio	*g = w->g;

	if (!gpio_leave(&g->core) && !g->core.closed)
		hw_wiegand_arm(&w->r);
}

static void
gpiod2_wiegand_edge_cb(int fd, short what, void *arg)
{
	struct gpiod2_wiegand	*w = arg;

	(void)fd;
	(void)what;
	gpio_enter(&w->g->core);
	gpiod2_wiegand_drain(w);
	gpiod2_wiegand_leave(w);
}

/* The frame's deadline passed: edges still queued come first. */
static void
gpiod2_wiegand_timer_cb(int fd, short what, void *arg)
{
	struct gpiod2_wiegand	*w = arg;

	(void)fd;
	(void)what;
	gpio_enter(&w->g->core);
	if (gpiod2_wiegand_drain(w) == 0 && !w->g->core.closed)
		hw_wiegand_flush(&w->r, mono_ns(), &w->g->core.ev);
	gpiod2_wiegand_leave(w);
}

/*
 * Finds a Wiegand reader's D0 and D1, which must be lines of one chip, for
 * one request.  Returns that chip open, or NULL and *cause.
 */
static struct gpiod_chip *
gpiod2_wiegand_find(struct gpiod2_wiegand *w, struct gpiod2_line *d0,
    struct gpiod2_line *d1, char **cause)
{
	struct gpiod_chip	*chip, *chip1;

	if ((chip = gpiod2_find(d0, cause)) == NULL)
		return NULL;
	if ((chip1 = gpiod2_find(d1, cause)) == NULL) {
		gpiod_chip_close(chip);
		return NULL;
	}
	gpiod_chip_close(chip1);
	if (strcmp(d0->chip, d1->chip) != 0) {
		xasprintf(cause, "%s: D0 and D1 must be lines of one chip "
		    "(%s, %s)", w->desc, d0->chip, d1->chip);
		gpiod_chip_close(chip);
		return NULL;
	}
	snprintf(w->chip, sizeof w->chip, "%s", d0->chip);
	w->offsets[0] = d0->offset;
	w->offsets[1] = d1->offset;
	return chip;
}

/*
 * Asks the kernel for D0 and D1 in one request: falling edges, no
 * debounce (the pulses are 20-100 us), kernel timestamps on
 * CLOCK_MONOTONIC, and a kernel buffer for more than a 37-bit frame.
 * Sets w->req, or leaves it NULL and returns the errno of the failure.
 */
static int
gpiod2_wiegand_request_lines(struct gpiod2_wiegand *w,
    struct gpiod2_line *d0, struct gpiod2_line *d1, struct gpiod_chip *chip)
{
	struct gpiod_line_settings	*s = NULL;
	struct gpiod_line_config	*lc = NULL;
	struct gpiod_request_config	*rc = NULL;
	int				 i, r = 0, error = ENOMEM;

	if ((lc = gpiod_line_config_new()) == NULL ||
	    (rc = gpiod_request_config_new()) == NULL)
		goto out;
	for (i = 0; i < 2; i++) {
		if ((s = gpiod2_settings(&(i == 0 ? d0 : d1)->gl.conf)) == NULL)
			goto out;
		r |= gpiod_line_settings_set_edge_detection(s,
		    GPIOD_LINE_EDGE_FALLING);
		gpiod_line_settings_set_debounce_period_us(s, 0);
		r |= gpiod_line_config_add_line_settings(lc, &w->offsets[i],
		    1, s);
		gpiod_line_settings_free(s);
		if (r != 0)
			goto out;
	}
	gpiod_request_config_set_consumer(rc, GPIOD2_CONSUMER);
	gpiod_request_config_set_event_buffer_size(rc, GPIOD2_WIEGAND_EVENTS);
	w->req = gpiod_chip_request_lines(chip, rc, lc);
	error = errno;
out:
	if (lc != NULL)
		gpiod_line_config_free(lc);
	if (rc != NULL)
		gpiod_request_config_free(rc);
	return error;
}

/* Requests a Wiegand reader's D0 and D1 together and watches their edges. */
static int
gpiod2_wiegand_request(struct gpiod2_wiegand *w, char **cause)
{
	struct hw_gpio		*g = w->g;
	struct gpiod2_line	*d0 = &g->lines[w->r.conf.d0];
	struct gpiod2_line	*d1 = &g->lines[w->r.conf.d1];
	struct gpiod_chip	*chip;
	int			 fd, error;

	snprintf(w->desc, sizeof w->desc, "Wiegand %s and %s", d0->gl.desc,
	    d1->gl.desc);
	if ((chip = gpiod2_wiegand_find(w, d0, d1, cause)) == NULL)
		return -1;
	error = gpiod2_wiegand_request_lines(w, d0, d1, chip);
	gpiod_chip_close(chip);
	if (w->req == NULL) {
		xasprintf(cause, "%s: cannot request: %s", w->desc,
		    strerror(error));
		return -1;
	}
	if ((w->buf = gpiod_edge_event_buffer_new(GPIOD2_BATCH)) == NULL) {
		xasprintf(cause, "%s: edge buffer: %s", w->desc,
		    strerror(errno));
		return -1;
	}
	fd = gpiod_line_request_get_fd(w->req);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1) {
		xasprintf(cause, "%s: event fd: %s", w->desc, strerror(errno));
		return -1;
	}
	w->edge = event_new(g->core.base, fd, EV_READ|EV_PERSIST,
	    gpiod2_wiegand_edge_cb, w);
	w->r.timer = evtimer_new(g->core.base, gpiod2_wiegand_timer_cb, w);
	if (w->edge == NULL || w->r.timer == NULL ||
	    event_add(w->edge, NULL) != 0) {
		xasprintf(cause, "%s: cannot watch its edges", w->desc);
		return -1;
	}
	return 0;
}

static void	gpiod2_free(struct hw_gpio *);

static struct hw_gpio *
gpiod2_open(struct event_base *base, const struct line_conf *conf, int count,
    const struct hw_wiegand_conf *wiegand, int nwiegand,
    const struct hw_events *ev, char **cause)
{
	struct hw_gpio	*g;
	int		 i;

	*cause = NULL;
	g = xcalloc(1, sizeof *g);
	gpio_core_init(&g->core, base, ev, g, gpiod2_free, gpiod2_drain);
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
		if (gpiod2_request(&g->lines[g->count], cause) != 0) {
			g->count++;
			hw_gpiod_ops.close(g);
			return NULL;
		}
	}
	for (g->nwiegand = 0; g->nwiegand < nwiegand; g->nwiegand++) {
		g->wiegand[g->nwiegand].g = g;
		hw_wiegand_init(&g->wiegand[g->nwiegand].r,
		    &wiegand[g->nwiegand]);
		if (gpiod2_wiegand_request(&g->wiegand[g->nwiegand],
		    cause) != 0) {
			g->nwiegand++;
			hw_gpiod_ops.close(g);
			return NULL;
		}
	}
	return g;
}

static struct gpiod2_line *
gpiod2_line_get(struct hw_gpio *g, int line)
{
	if (g == NULL || line < 0 || line >= g->count || g->core.closed ||
	    g->lines[line].req == NULL) {
		errno = EINVAL;
		return NULL;
	}
	return &g->lines[line];
}

static int
gpiod2_set(struct hw_gpio *g, int line, int value)
{
	struct gpiod2_line	*l;

	if ((l = gpiod2_line_get(g, line)) == NULL)
		return -1;
	if (l->gl.conf.dir != LINE_OUTPUT) {
		errno = EPERM;
		return -1;
	}
	if (gpiod_line_request_set_value(l->req, l->offset, value ?
	    GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) != 0) {
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
gpiod2_get(struct hw_gpio *g, int line)
{
	struct gpiod2_line	*l;
	enum gpiod_line_value	 value;

	if ((l = gpiod2_line_get(g, line)) == NULL)
		return -1;
	if (l->gl.conf.dir == LINE_INPUT)
		return l->gl.db.stable;
	value = gpiod_line_request_get_value(l->req, l->offset);
	if (value == GPIOD_LINE_VALUE_ERROR) {
		log_warn("%s: cannot read", l->gl.desc);
		return -1;
	}
	return value == GPIOD_LINE_VALUE_ACTIVE;
}

/* Releases whatever each line holds and frees the object. */
static void
gpiod2_free(struct hw_gpio *g)
{
	struct gpiod2_wiegand	*w;
	struct gpiod2_line	*l;
	int			 i;

	for (i = 0; i < g->count; i++) {
		l = &g->lines[i];
		gpio_line_release(&l->gl);
		if (l->req != NULL)
			gpiod_line_request_release(l->req);
		if (l->buf != NULL)
			gpiod_edge_event_buffer_free(l->buf);
	}
	for (i = 0; i < g->nwiegand; i++) {
		w = &g->wiegand[i];
		if (w->edge != NULL)
			event_free(w->edge);
		if (w->r.timer != NULL)
			event_free(w->r.timer);
		if (w->req != NULL)
			gpiod_line_request_release(w->req);
		if (w->buf != NULL)
			gpiod_edge_event_buffer_free(w->buf);
	}
	free(g->wiegand);
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
gpiod2_close(struct hw_gpio *g)
{
	struct gpiod2_line	*l;
	int			 i;

	if (g == NULL || g->core.closed)
		return;
	for (i = 0; i < g->count; i++) {
		l = &g->lines[i];
		if (l->req == NULL || l->gl.conf.dir != LINE_OUTPUT)
			continue;
		if (gpiod_line_request_set_value(l->req, l->offset,
		    l->gl.conf.safe_value ? GPIOD_LINE_VALUE_ACTIVE :
		    GPIOD_LINE_VALUE_INACTIVE) != 0)
			log_warn("%s: cannot set to its safe value",
			    l->gl.desc);
	}
	gpio_closed(&g->core);
}

const struct hw_gpio_ops hw_gpiod_ops = {
	.name = "gpiod",
	.open = gpiod2_open,
	.set = gpiod2_set,
	.get = gpiod2_get,
	.close = gpiod2_close,
};
