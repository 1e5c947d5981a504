/*
 * sim.c: the simulated gate.  It implements both hardware tables: GPIO
 * lines that keep their value and a timestamped history of every change,
 * and USB readers and thermometers whose input comes from the control API.
 * Everything a real backend reports goes through the same hw_events
 * callbacks, so the agent cannot tell the difference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "hw.h"
#include "wiegand-reader.h"

#define SIM_HISTORY	64	/* changes kept per line, a ring */

struct sim_change {
	int64_t	t_ms;		/* wall clock, for people reading it */
	int	value;
};

struct sim_line {
	struct line_conf	conf;
	int			value;	/* logical */
	unsigned long		changes;
	struct sim_change	history[SIM_HISTORY];
};

struct hw_gpio {
	struct hw_events	 ev;
	int			 count;
	struct sim_line		*lines;
	int			 nwiegand;
	struct hw_wiegand	*wiegand;
};

struct hw_usb {
	struct hw_events	 ev;
	int			 count;
	struct device_conf	*devices;	/* copies, one per binding */
};

static void
sim_record(struct sim_line *l, int value)
{
	struct sim_change	*c;

	c = &l->history[l->changes % SIM_HISTORY];
	c->t_ms = wall_ms();
	c->value = value;
	l->changes++;
	l->value = value;
}

static struct hw_gpio *
sim_gpio_open(struct event_base *base, const struct line_conf *conf,
    int count, const struct hw_wiegand_conf *wiegand, int nwiegand,
    const struct hw_events *ev, char **cause)
{
	struct hw_gpio	*g;
	int		 i;

	(void)base;
	(void)cause;
	if ((g = calloc(1, sizeof *g)) == NULL ||
	    (g->lines = calloc(count > 0 ? count : 1, sizeof *g->lines)) ==
	    NULL || (g->wiegand = calloc(nwiegand > 0 ? nwiegand : 1,
	    sizeof *g->wiegand)) == NULL) {
		if (g != NULL)
			free(g->lines);
		free(g);
		*cause = strdup("sim: out of memory");
		return NULL;
	}
	g->ev = *ev;
	g->count = count;
	g->nwiegand = nwiegand;
	for (i = 0; i < nwiegand; i++)
		hw_wiegand_init(&g->wiegand[i], &wiegand[i]);
	for (i = 0; i < count; i++) {
		g->lines[i].conf = conf[i];
		/* Outputs start safe; inputs rest at 0 until driven. */
		if (conf[i].dir == LINE_OUTPUT)
			sim_record(&g->lines[i], conf[i].safe_value);
	}
	return g;
}

static int
sim_gpio_set(struct hw_gpio *g, int line, int value)
{
	struct sim_line	*l;

	if (line < 0 || line >= g->count ||
	    g->lines[line].conf.dir != LINE_OUTPUT) {
		errno = EINVAL;
		return -1;
	}
	l = &g->lines[line];
	if (l->value != (value != 0))
		sim_record(l, value != 0);
	return 0;
}

static int
sim_gpio_get(struct hw_gpio *g, int line)
{
	if (line < 0 || line >= g->count) {
		errno = EINVAL;
		return -1;
	}
	return g->lines[line].value;
}

static void
sim_gpio_close(struct hw_gpio *g)
{
	int	i;

	if (g == NULL)
		return;
	for (i = 0; i < g->count; i++)
		if (g->lines[i].conf.dir == LINE_OUTPUT)
			sim_gpio_set(g, i, g->lines[i].conf.safe_value);
	free(g->wiegand);
	free(g->lines);
	free(g);
}

/*
 * A Wiegand frame through the real assembler and decoder.  The edges get
 * timestamps gap_ns apart ending now, as the kernel would stamp a reader's
 * pulses, and the frame is flushed at once: the call is the whole frame.
 */
int
sim_gpio_wiegand(struct hw_gpio *g, int reader, const char *bits,
    int64_t gap_ns, const char **error)
{
	struct hw_wiegand	*r = NULL;
	int64_t			 t;
	size_t			 i, n = strlen(bits);
	int			 k, e = -1;

	for (k = 0; k < g->nwiegand; k++)
		if (g->wiegand[k].conf.reader == reader)
			r = &g->wiegand[k];
	if (r == NULL) {
		errno = ENOENT;
		return -1;
	}
	if (n == 0 || n > 2 * WIEGAND_BITS_MAX || strspn(bits, "01") != n ||
	    gap_ns <= 0 || gap_ns >= r->w.gap_ns) {
		errno = EINVAL;
		return -1;
	}
	t = mono_ns() - (int64_t)(n - 1) * gap_ns;
	for (i = 0; i < n; i++, t += gap_ns) {
		if ((k = hw_wiegand_edge(r, bits[i] == '1', t, &g->ev)) != -1)
			e = k;
	}
	if ((k = hw_wiegand_flush(r, t + r->w.gap_ns, &g->ev)) != -1)
		e = k;
	*error = e == WIEGAND_OK ? NULL : wiegand_error_name(e);
	return 0;
}

/* Drives a simulated input; an edge is reported only on a change. */
int
sim_gpio_input(struct hw_gpio *g, int line, int value)
{
	struct sim_line	*l;
	struct timespec	 ts;

	if (line < 0 || line >= g->count ||
	    g->lines[line].conf.dir != LINE_INPUT) {
		errno = EINVAL;
		return -1;
	}
	l = &g->lines[line];
	value = value != 0;
	if (l->value == value)
		return 0;
	sim_record(l, value);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (g->ev.input != NULL)
		g->ev.input(g->ev.arg, line, value, &ts);
	return 0;
}

/* Every line with its value and its last `history` changes, oldest first. */
json_t *
sim_gpio_outputs(struct hw_gpio *g, int history)
{
	json_t		*arr, *o, *h;
	struct sim_line	*l;
	unsigned long	 first, k;
	int		 i;

	arr = json_array();
	for (i = 0; i < g->count; i++) {
		l = &g->lines[i];
		o = json_pack("{s:s, s:s, s:i, s:I}", "name", l->conf.name,
		    "dir", l->conf.dir == LINE_OUTPUT ? "output" : "input",
		    "value", l->value, "changes", (json_int_t)l->changes);
		if (history > 0) {
			if (history > SIM_HISTORY)
				history = SIM_HISTORY;
			h = json_array();
			first = l->changes > (unsigned long)history ?
			    l->changes - history : 0;
			for (k = first; k < l->changes; k++)
				json_array_append_new(h, json_pack("{s:I, s:i}",
				    "t_ms", (json_int_t)
				    l->history[k % SIM_HISTORY].t_ms, "value",
				    l->history[k % SIM_HISTORY].value));
			json_object_set_new(o, "history", h);
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

static struct hw_usb *
sim_usb_open(struct event_base *base, const struct hw_usb_binding *b,
    int count, const struct hw_events *ev, char **cause)
{
	struct hw_usb	*u;
	int		 i;

	(void)base;
	if ((u = calloc(1, sizeof *u)) == NULL ||
	    (u->devices = calloc(count > 0 ? count : 1, sizeof *u->devices)) ==
	    NULL) {
		free(u);
		*cause = strdup("sim: out of memory");
		return NULL;
	}
	u->ev = *ev;
	u->count = count;
	for (i = 0; i < count; i++)
		u->devices[i] = *b[i].device;
	return u;
}

static void
sim_usb_close(struct hw_usb *u)
{
	if (u == NULL)
		return;
	free(u->devices);
	free(u);
}

/* A card as if a reader had read it. */
int
sim_usb_card(struct hw_usb *u, int reader, uint64_t uid)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (u->ev.card != NULL)
		u->ev.card(u->ev.arg, reader, uid, &ts);
	return 0;
}

/* A reading as if a thermometer had sent it (before calibration). */
int
sim_usb_temperature(struct hw_usb *u, int therm, int centi)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (u->ev.temperature != NULL)
		u->ev.temperature(u->ev.arg, therm, centi, &ts);
	return 0;
}

/*
 * A device plugged or unplugged.  Only a device the gate is bound to:
 * -1 and ENOENT for another name, which a real backend never reports.
 */
int
sim_usb_device(struct hw_usb *u, const char *name, bool up)
{
	int	i;

	for (i = 0; i < u->count; i++)
		if (strcmp(u->devices[i].name, name) == 0)
			break;
	if (i == u->count) {
		errno = ENOENT;
		return -1;
	}
	if (u->ev.device != NULL)
		u->ev.device(u->ev.arg, name, up,
		    up ? "plugged in (simulated)" : "unplugged (simulated)");
	return 0;
}

const struct hw_gpio_ops hw_sim_gpio_ops = {
	.name = "sim",
	.open = sim_gpio_open,
	.set = sim_gpio_set,
	.get = sim_gpio_get,
	.close = sim_gpio_close,
};

const struct hw_usb_ops hw_sim_usb_ops = {
	.name = "sim",
	.open = sim_usb_open,
	.close = sim_usb_close,
};
