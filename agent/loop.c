/*
 * loop.c: the agent's event loop and its priorities, made in one place.
 * The base has three queues: the gate's hardware, timers and decisions
 * run at the default, the middle one, and HTTP work (requests, event
 * streams, reports) at the lowest, so a flood of requests never delays a
 * card.  The HTTP side asks here for its priority rather than knowing the
 * numbers.
 */
#include <event2/event.h>
#include <event2/thread.h>

#include "agent.h"

#define LOOP_PRIORITIES	3

/*
 * The base of the agent, fatal when libevent cannot give one.  Thread
 * support first: the report and people reload threads wake the loop.
 * The priorities before any event exists, as libevent requires.
 */
struct event_base *
loop_new(void)
{
	struct event_base	*base;

	if (evthread_use_pthreads() == -1)
		fatalx("libevent without thread support");
	if ((base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if (event_base_priority_init(base, LOOP_PRIORITIES) == -1)
		fatalx("event_base_priority_init");
	return base;
}

/*
 * The priority of HTTP work: the lowest of base.  A base made elsewhere
 * (the tests', the benches') with one queue gives 0, the only one.
 */
int
loop_http_priority(struct event_base *base)
{
	int	n = event_base_get_npriorities(base);

	return n > 0 ? n - 1 : 0;
}
