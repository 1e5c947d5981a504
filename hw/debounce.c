/*
 * debounce.c: turns the raw edges of a mechanical contact into clean
 * changes.  A new level is accepted only once it has held for the debounce
 * period.  Pure: the caller passes every time, normally the kernel's edge
 * timestamp, and arms its own timer for debounce_deadline().
 */
#include <sys/time.h>

#include <stdbool.h>
#include <time.h>

#include "debounce.h"

/* Adds ms milliseconds to a timespec. */
static struct timespec
ts_add_ms(const struct timespec *ts, int ms)
{
	struct timespec	r = *ts;

	r.tv_sec += ms / 1000;
	r.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (r.tv_nsec >= 1000000000L) {
		r.tv_sec++;
		r.tv_nsec -= 1000000000L;
	}
	return r;
}

/* Whether a is at or after b. */
static bool
ts_reached(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec > b->tv_sec;
	return a->tv_nsec >= b->tv_nsec;
}

void
debounce_init(struct debounce *d, int value, int period_ms)
{
	d->stable = d->candidate = !!value;
	d->pending = false;
	d->since.tv_sec = d->since.tv_nsec = 0;
	d->period_ms = period_ms < 0 ? 0 : period_ms;
}

/*
 * Accepts the pending candidate when it has held until now.  Called before
 * each new edge too, because a timer may run late: a level that held for
 * the whole period before the next edge arrived was a real change even if
 * nobody looked at it in time.
 */
int
debounce_expire(struct debounce *d, const struct timespec *now,
    struct timespec *changed_at)
{
	struct timespec	deadline;

	if (!d->pending)
		return 0;
	deadline = ts_add_ms(&d->since, d->period_ms);
	if (!ts_reached(now, &deadline))
		return 0;
	d->stable = d->candidate;
	d->pending = false;
	if (changed_at != NULL)
		*changed_at = d->since;
	return 1;
}

/*
 * Feeds one raw level seen at ts.  Returns 1 when the stable value changed
 * (to d->stable, first seen at *changed_at), else 0.  A level that returns
 * to the stable value before the period is over cancels the candidate, so
 * a glitch or a bounce train yields nothing or exactly one change.
 */
int
debounce_feed(struct debounce *d, int value, const struct timespec *ts,
    struct timespec *changed_at)
{
	int	changed;

	value = !!value;
	changed = debounce_expire(d, ts, changed_at);
	if (value == d->candidate)	/* a repeat: nothing new to time */
		return changed;
	d->candidate = value;
	d->since = *ts;
	d->pending = (value != d->stable);
	if (d->period_ms == 0)
		changed = debounce_expire(d, ts, changed_at);
	return changed;
}

int
debounce_deadline(const struct debounce *d, struct timespec *when)
{
	if (!d->pending)
		return -1;
	*when = ts_add_ms(&d->since, d->period_ms);
	return 0;
}

/*
 * How long a timer waits from now until the deadline, rounded up to the
 * microsecond (early is a wasted wake-up), 0 when it is past already.
 */
int
debounce_wait(const struct debounce *d, const struct timespec *now,
    struct timeval *tv)
{
	struct timespec	when;
	long long	ns;

	if (debounce_deadline(d, &when) == -1)
		return -1;
	ns = (long long)(when.tv_sec - now->tv_sec) * 1000000000LL +
	    (when.tv_nsec - now->tv_nsec);
	if (ns < 0)
		ns = 0;
	ns += 999;
	tv->tv_sec = (time_t)(ns / 1000000000LL);
	tv->tv_usec = (suseconds_t)((ns % 1000000000LL) / 1000);
	return 0;
}
