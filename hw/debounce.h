/*
 * debounce.h: a contact's raw edges in, clean changes out (debounce.c).
 * Pure: every time comes from the caller (the kernel's edge timestamps).
 * A new level becomes stable once it has held for period_ms; period 0
 * passes all.  Internal to hw/: the GPIO backends debounce their inputs.
 */
#ifndef GATED_DEBOUNCE_H
#define GATED_DEBOUNCE_H

#include <stdbool.h>
#include <time.h>

struct timeval;

struct debounce {
	int		 stable;	/* the accepted level, 0 or 1 */
	int		 candidate;	/* the last raw level seen */
	bool		 pending;	/* candidate differs from stable */
	struct timespec	 since;		/* when candidate was first seen */
	int		 period_ms;
};
void	 debounce_init(struct debounce *, int value, int period_ms);
/* Feeds a raw level; 1 when stable changed, first seen at *changed_at. */
int	 debounce_feed(struct debounce *, int value, const struct timespec *,
	     struct timespec *changed_at);
/* Accepts a candidate that has held until now; 1 when stable changed. */
int	 debounce_expire(struct debounce *, const struct timespec *now,
	     struct timespec *changed_at);
/* When to call debounce_expire(): 0 and *when, or -1 if nothing pends. */
int	 debounce_deadline(const struct debounce *, struct timespec *when);
/* The same as a libevent timeout from now, rounded up to the microsecond:
 * 0 and *tv, or -1 if nothing pends. */
int	 debounce_wait(const struct debounce *, const struct timespec *now,
	     struct timeval *tv);

#endif
