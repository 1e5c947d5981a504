/*
 * wiegand-reader.c: a Wiegand reader's glue shared by the GPIO backends
 * (gpiod.c, gpiod2.c, sim.c): edges with the kernel's timestamps into the
 * assembler, finished frames through the decoder, and a card or a read
 * error out through the hw_events callbacks.  The end of a frame is found
 * from the timestamps alone: a timer at the deadline only makes sure a
 * frame with no edge after it is reported.
 */
#include <time.h>

#include <event2/event.h>

#include "clock.h"
#include "wiegand-reader.h"

void
hw_wiegand_init(struct hw_wiegand *r, const struct hw_wiegand_conf *conf)
{
	r->conf = *conf;
	wiegand_init(&r->w, (int64_t)conf->gap_ms * 1000000);
	r->timer = NULL;
}

/* Decodes a finished frame, whose last edge came at last_ns, and reports
 * what it is. */
static enum wiegand_error
hw_wiegand_report(struct hw_wiegand *r, const struct wiegand_frame *f,
    int64_t last_ns, const struct hw_events *ev)
{
	struct wiegand_card	card;
	enum wiegand_error	e;
	struct timespec		ts;

	e = wiegand_decode(f, r->conf.format, r->conf.facility, &card);
	if (e != WIEGAND_OK) {
		if (ev->read_error != NULL)
			ev->read_error(ev->arg, r->conf.reader,
			    wiegand_error_name(e));
		return e;
	}
	/* The card's time is its last edge's, as the kernel stamped it. */
	ts.tv_sec = (time_t)(last_ns / 1000000000);
	ts.tv_nsec = (long)(last_ns % 1000000000);
	if (ev->card != NULL)
		ev->card(ev->arg, r->conf.reader, card.number, &ts);
	return WIEGAND_OK;
}

int
hw_wiegand_edge(struct hw_wiegand *r, int bit, int64_t ts_ns,
    const struct hw_events *ev)
{
	struct wiegand_frame	done;
	int64_t			last = r->w.last_ns;

	if (wiegand_edge(&r->w, bit, ts_ns, &done))
		return (int)hw_wiegand_report(r, &done, last, ev);
	return -1;
}

int
hw_wiegand_flush(struct hw_wiegand *r, int64_t now_ns,
    const struct hw_events *ev)
{
	struct wiegand_frame	done;

	if (wiegand_flush(&r->w, now_ns, &done))
		return (int)hw_wiegand_report(r, &done, r->w.last_ns, ev);
	return -1;
}

void
hw_wiegand_arm(struct hw_wiegand *r)
{
	struct timeval	tv;
	int64_t		when, ns;

	if (r->timer == NULL)
		return;
	if ((when = wiegand_deadline(&r->w)) == -1) {
		event_del(r->timer);
		return;
	}
	ns = when - mono_ns();
	if (ns < 0)
		ns = 0;
	ns += 1000;	/* past the deadline: flush wants more than gap_ns */
	tv.tv_sec = (time_t)(ns / 1000000000);
	tv.tv_usec = (suseconds_t)(ns % 1000000000 / 1000);
	evtimer_add(r->timer, &tv);
}
