/*
 * gpio-line.h: what the two libgpiod backends (gpiod.c on libgpiod 1.6,
 * gpiod2.c on 2.x) share that does not depend on the library
 * (gpio-line.c): the guard that lets an event callback close the object,
 * a line's name for messages, and an input's debounced events (its edge
 * and timer events, the debouncer, the reports).  The backend reads the
 * edges; everything around the read is here.  Internal to hw/.
 */
#ifndef GATED_GPIO_LINE_H
#define GATED_GPIO_LINE_H

#include <stdbool.h>
#include <time.h>

#include "debounce.h"
#include "hw.h"

struct event;
struct gpio_line;

/* The part of a backend's object its callbacks share. */
struct gpio_core {
	struct event_base	*base;
	struct hw_events	 ev;
	int			 dispatching;	/* inside a callback */
	bool			 closed;	/* close() called meanwhile */
	struct hw_gpio		*owner;		/* the backend's object */
	/* Releases everything and frees owner, once no callback runs. */
	void			(*free)(struct hw_gpio *);
	/*
	 * Reads an input's queued edges, without blocking, into
	 * gpio_line_edge() while the object is not closed: 0, or -1 when the
	 * line is down (after gpio_line_down()).
	 */
	int			(*drain)(struct gpio_line *);
};

/* The part of a line both backends keep. */
struct gpio_line {
	struct gpio_core	*core;
	void			*arg;		/* the backend's line */
	int			 index;
	struct line_conf	 conf;
	char			 desc[128];	/* for messages */
	struct event		*edge;		/* inputs: the event fd */
	struct event		*timer;		/* inputs: debounce deadline */
	struct debounce		 db;
};

void	gpio_core_init(struct gpio_core *, struct event_base *,
	    const struct hw_events *, struct hw_gpio *owner,
	    void (*free_fn)(struct hw_gpio *),
	    int (*drain_fn)(struct gpio_line *));
/* Enters an event callback of the object. */
void	gpio_enter(struct gpio_core *);
/* Leaves it: 1 when close() was called meanwhile and the object is freed. */
int	gpio_leave(struct gpio_core *);
/* close() is done with the lines: frees now, or when the callback ends. */
void	gpio_closed(struct gpio_core *);

/* A line as configured, named for messages: "line 'door' (GPIO17)". */
void	gpio_line_init(struct gpio_line *, struct gpio_core *, void *arg,
	    int index, const struct line_conf *);
/*
 * Watches a requested input: its debouncer starts at value, fd (made
 * non-blocking) is watched for edges, and a timer serves the debounce
 * period if there is one.  0, or -1 and *cause naming the line.
 */
int	gpio_line_watch(struct gpio_line *, int fd, int value, char **cause);
/* Called by drain: an edge, the logical level after it at the kernel's ts. */
void	gpio_line_edge(struct gpio_line *, int value, const struct timespec *);
/* The line stopped working (its chip, named chip, went away, usually):
 * logs it, stops watching it and reports the chip down. */
void	gpio_line_down(struct gpio_line *, const char *chip, int error);
/* Frees the line's events; the backend releases the line itself. */
void	gpio_line_release(struct gpio_line *);

#endif
