/*
 * wiegand-reader.h: what every GPIO backend does for a Wiegand reader
 * (wiegand-reader.c) around the pure assembler and decoder of wiegand.c:
 * feed it the kernel's edge timestamps, decode a finished frame and report
 * a card or a read error, and keep a timer at the frame's deadline.  The
 * backend owns the timer's callback (it guards against close() from a
 * callback) and calls hw_wiegand_flush() from it.  Internal to hw/.
 */
#ifndef GATED_WIEGAND_READER_H
#define GATED_WIEGAND_READER_H

#include <stdint.h>

#include "hw.h"
#include "wiegand.h"

struct event;

struct hw_wiegand {
	struct hw_wiegand_conf	 conf;
	struct wiegand		 w;
	struct event		*timer;		/* NULL: no timer (sim) */
};
void	 hw_wiegand_init(struct hw_wiegand *, const struct hw_wiegand_conf *);
/*
 * An edge on D0 (bit 0) or D1 (bit 1) at the kernel's ts_ns; reports the
 * frame before it when the edge came after a gap.  Both return what a
 * reported frame was (WIEGAND_OK: a card, else the enum wiegand_error
 * reported), or -1 when no frame ended.
 */
int	 hw_wiegand_edge(struct hw_wiegand *, int bit, int64_t ts_ns,
	     const struct hw_events *);
/* Reports the open frame when it has ended by now_ns (CLOCK_MONOTONIC). */
int	 hw_wiegand_flush(struct hw_wiegand *, int64_t now_ns,
	     const struct hw_events *);
/* Sets the timer to the open frame's deadline, or clears it. */
void	 hw_wiegand_arm(struct hw_wiegand *);

#endif
