/*
 * test-debounce.c: the debouncer fed edge trains with made-up kernel
 * timestamps, checking which changes come out and when.
 */
#include <stdbool.h>
#include <sys/time.h>
#include <time.h>

#include "debounce.h"
#include "unit.h"

/* A timestamp ms milliseconds (plus us microseconds) after an origin. */
static struct timespec
at(int ms, int us)
{
	struct timespec	ts;
	long		ns = (long)ms * 1000000L + (long)us * 1000L;

	ts.tv_sec = 1000 + ns / 1000000000L;
	ts.tv_nsec = ns % 1000000000L;
	return ts;
}

static bool
ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* One edge train: raw level and time in microseconds. */
struct edge {
	int	value;
	int	us;
};

/*
 * Feeds a train, then lets the timer run at every deadline until nothing
 * pends, as gpiod.c does; returns the number of changes and the last one.
 */
static int
run(struct debounce *d, const struct edge *e, int n, int *last,
    struct timespec *last_at)
{
	struct timespec	ts, when, changed;
	int		i, changes = 0;

	for (i = 0; i < n; i++) {
		ts = at(0, e[i].us);
		if (debounce_feed(d, e[i].value, &ts, &changed)) {
			changes++;
			*last = d->stable;
			*last_at = changed;
		}
	}
	while (debounce_deadline(d, &when) == 0) {
		if (debounce_expire(d, &when, &changed)) {
			changes++;
			*last = d->stable;
			*last_at = changed;
		}
	}
	return changes;
}

int
main(void)
{
	struct debounce	d;
	struct timespec	ts, when, changed;
	int		last = -1;

	/* A clean edge: accepted exactly one period after it was seen. */
	debounce_init(&d, 0, 30);
	ts = at(10, 0);
	check(debounce_feed(&d, 1, &ts, &changed) == 0,
	    "clean edge: nothing before the period");
	check(debounce_deadline(&d, &when) == 0 && ts_eq(&when, &(struct
	    timespec){ 1000, 40000000 }), "clean edge: deadline at edge+30ms");
	ts = at(39, 999);
	check(debounce_expire(&d, &ts, &changed) == 0 && d.stable == 0,
	    "clean edge: not yet stable 1us before the deadline");
	ts = at(40, 0);
	check(debounce_expire(&d, &ts, &changed) == 1 && d.stable == 1,
	    "clean edge: stable at the deadline");
	check(ts_eq(&changed, &(struct timespec){ 1000, 10000000 }),
	    "clean edge: change dated at the edge itself");
	check(debounce_deadline(&d, &when) == -1, "clean edge: nothing pends");

	/* A bounce train ending high is one change, dated at its last edge. */
	{
		static const struct edge bounce[] = {
			{ 1, 0 }, { 0, 300 }, { 1, 900 }, { 0, 1500 },
			{ 1, 2200 }, { 0, 3100 }, { 1, 4000 },
		};
		debounce_init(&d, 0, 30);
		check(run(&d, bounce, 7, &last, &changed) == 1 && last == 1,
		    "bounce train: one change to 1");
		check(ts_eq(&changed, &(struct timespec){ 1000, 4000000 }),
		    "bounce train: dated at the edge that held");
	}

	/* A glitch shorter than the period comes and goes unseen. */
	{
		static const struct edge glitch[] = { { 1, 0 }, { 0, 29999 } };
		debounce_init(&d, 0, 30);
		check(run(&d, glitch, 2, &last, &changed) == 0 &&
		    d.stable == 0, "glitch of 29.999ms ignored");
	}

	/* A late timer: the next edge proves the last level held long enough. */
	{
		static const struct edge late[] = { { 1, 0 }, { 0, 45000 } };
		int	n;

		debounce_init(&d, 0, 30);
		ts = at(0, late[0].us);
		check(debounce_feed(&d, 1, &ts, &changed) == 0,
		    "late timer: first edge pends");
		ts = at(0, late[1].us);
		n = debounce_feed(&d, 0, &ts, &changed);
		check(n == 1 && d.stable == 1 && d.pending,
		    "late timer: held level accepted, the new one pends");
		n = run(&d, NULL, 0, &last, &changed);
		check(n == 1 && last == 0, "late timer: release accepted too");
	}

	/* Repeated levels (lost edges) do not restart the clock. */
	{
		static const struct edge rep[] = {
			{ 1, 0 }, { 1, 20000 }, { 1, 25000 },
		};
		debounce_init(&d, 0, 30);
		ts = at(0, 0);
		debounce_feed(&d, 1, &ts, &changed);
		ts = at(20, 0);
		debounce_feed(&d, 1, &ts, &changed);
		check(debounce_deadline(&d, &when) == 0 &&
		    ts_eq(&when, &(struct timespec){ 1000, 30000000 }),
		    "repeat: deadline still from the first edge");
		check(run(&d, rep, 3, &last, &changed) == 1 && last == 1,
		    "repeat: one change");
	}

	/* Period 0 passes every edge through at once. */
	{
		static const struct edge all[] = {
			{ 1, 0 }, { 0, 1 }, { 1, 2 }, { 0, 3 },
		};
		int	i, n = 0;

		debounce_init(&d, 0, 0);
		for (i = 0; i < 4; i++) {
			ts = at(0, all[i].us);
			if (debounce_feed(&d, all[i].value, &ts, &changed) &&
			    d.stable == all[i].value && ts_eq(&changed, &ts))
				n++;
		}
		check(n == 4, "period 0: every edge passes, at its own time");
		check(debounce_deadline(&d, &when) == -1,
		    "period 0: nothing ever pends");
		ts = at(0, 9);
		check(debounce_feed(&d, 0, &ts, &changed) == 0,
		    "period 0: a repeated level is no change");
	}

	/* The timer's wait from now: rounded up, never negative. */
	{
		struct timeval	tv;
		int		r;

		debounce_init(&d, 0, 30);
		ts = (struct timespec){ 100, 0 };
		debounce_feed(&d, 1, &ts, &changed);
		ts = (struct timespec){ 100, 10000500 };	/* +10.0005 ms */
		r = debounce_wait(&d, &ts, &tv);
		check(r == 0 && tv.tv_sec == 0 &&
		    tv.tv_usec == 20000, "wait: 19.9995 ms rounds up to 20 ms "
		    "(%ld s %ld us)", (long)tv.tv_sec, (long)tv.tv_usec);
		ts = (struct timespec){ 99, 0 };
		r = debounce_wait(&d, &ts, &tv);
		check(r == 0 && tv.tv_sec == 1 &&
		    tv.tv_usec == 30000, "wait: across a second (%ld s %ld us)",
		    (long)tv.tv_sec, (long)tv.tv_usec);
		ts = (struct timespec){ 101, 0 };
		check(debounce_wait(&d, &ts, &tv) == 0 && tv.tv_sec == 0 &&
		    tv.tv_usec == 0, "wait: a deadline past already is 0");
		debounce_init(&d, 0, 30);
		check(debounce_wait(&d, &ts, &tv) == -1,
		    "wait: nothing pends, no timer");
	}

	/* Initial value is normalised and negative periods mean 0. */
	debounce_init(&d, 5, -3);
	check(d.stable == 1 && d.period_ms == 0, "init normalises");

	return check_done();
}
