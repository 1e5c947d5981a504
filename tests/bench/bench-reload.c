/*
 * bench-reload.c: people reload time and the longest event-loop stall it
 * causes.  Runs a real gate (sim backends) in an event loop with a 1 ms
 * timer that records how late it fires, triggers people_reload() as the
 * API does, and stops when the new set is installed.
 * usage: bench-reload CONFIG [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "agent.h"

static struct timespec	last;
static double		max_stall_ms;
static double		load_ms;
static int		done;

static double
since_ms(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) * 1e3 + (now.tv_nsec - t->tv_nsec) / 1e6;
}

static void
tick(evutil_socket_t fd, short what, void *arg)
{
	double	gap;

	(void)fd;
	(void)what;
	(void)arg;
	gap = since_ms(&last) - 1.0;	/* lateness beyond the 1 ms period */
	if (gap > max_stall_ms)
		max_stall_ms = gap;
	clock_gettime(CLOCK_MONOTONIC, &last);
}

static void
baseline_end(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void
reloaded(void *arg, struct people *p, const struct people_errors *e,
    double ms)
{
	(void)e;
	load_ms = ms;
	done = p != NULL ? 1 : -1;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct gate_conf	*conf;
	struct gate		*g;
	struct event		*t;
	struct timeval		 ms1 = { 0, 1000 };
	char			*errors = NULL, *cause = NULL;
	double			 worst_stall = 0, sum = 0, best = 1e9, worst = 0;
	int			 rounds, r;

	if (argc < 2)
		return 2;
	rounds = argc > 2 ? atoi(argv[2]) : 5;
	log_init(0, "bench-reload");
	evthread_use_pthreads();
	base = event_base_new();
	if ((conf = config_load(argv[1], &errors)) == NULL) {
		fputs(errors, stderr);
		return 1;
	}
	if ((g = gate_new(base, conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	t = event_new(base, -1, EV_PERSIST, tick, NULL);
	for (r = 0; r < rounds; r++) {
		max_stall_ms = 0;
		done = 0;
		clock_gettime(CLOCK_MONOTONIC, &last);
		evtimer_add(t, &ms1);
		if (people_reload(g, "bench", false, reloaded, base) == -1)
			return 1;
		event_base_dispatch(base);
		evtimer_del(t);
		if (done != 1)
			return 1;
		sum += load_ms;
		if (load_ms < best)
			best = load_ms;
		if (load_ms > worst)
			worst = load_ms;
		if (max_stall_ms > worst_stall)
			worst_stall = max_stall_ms;
	}
	/* The same timer for as long, without a reload: the machine's noise. */
	max_stall_ms = 0;
	clock_gettime(CLOCK_MONOTONIC, &last);
	evtimer_add(t, &ms1);
	{
		struct event	*end = evtimer_new(base, baseline_end, base);
		struct timeval	 tv;

		tv.tv_sec = (time_t)(sum / 1000);
		tv.tv_usec = (suseconds_t)((long)sum % 1000) * 1000;
		evtimer_add(end, &tv);
		event_base_dispatch(base);
		event_free(end);
	}
	evtimer_del(t);
	printf("people reload: mean %.1f ms, min %.1f, max %.1f over %d "
	    "reloads of %s; longest event-loop stall during them %.2f ms, "
	    "baseline %.2f ms without a reload for as long (1 ms timer "
	    "lateness)\n", sum / rounds, best, worst, rounds,
	    conf->people_path, worst_stall, max_stall_ms);
	event_free(t);
	gate_free(g);
	event_base_free(base);
	return 0;
}
