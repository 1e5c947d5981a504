/*
 * broker-probe.c: drives common/broker.c against a real broker, for
 * tests/integration/broker.sh and the throughput figure of make bench.
 * One line on stdout per thing that happened, for the test to wait on:
 *
 *   connected N            the broker accepted us (N: connects so far)
 *   disconnected           an established connection ended
 *   acked N                PUBACKs so far (ticker mode)
 *   message TOPIC PAYLOAD  a message on a subscribed filter
 *   status JSON            broker_status, when its state, attempts or
 *                          last error changed (checked every 100 ms)
 *   bench: ...             the figure (bench mode), then exits
 *
 * usage: broker-probe -P port [-H host] [-I client-id] [-k keepalive]
 *            [-a ca -c cert -K key] [-W online-topic] [-t topic]
 *            [-i interval-ms] [-n count] [-S filter] [-r min-ms] [-R max-ms]
 *            [-T seconds] [-b count -s size]
 * -W: a retained "1" on connect, the last will a retained "0".
 * -i: ticker mode, one QoS 1 message on -t every interval while
 * connected, -n of them at most.  -b: bench mode, count QoS 1 messages of
 * size bytes with a window of 1000 unacknowledged, then exits.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "agent.h"
#include "broker.h"

#define WINDOW	1000

static struct broker	*b;
static struct event_base *base;
static const char	*topic = "probe/data", *online;
static long		 acked, sent, limit, bench_n;
static size_t		 bench_size = 300;
static char		*bench_buf;
static struct timespec	 bench_t0;
static char		 last_status[1024];

static double
since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Bench mode: keeps WINDOW messages unacknowledged until all are sent. */
static void
bench_fill(void)
{
	while (sent < bench_n && broker_queued(b) < WINDOW) {
		if (broker_publish(b, topic, bench_buf, bench_size, 1, false,
		    NULL) == -1)
			return;
		sent++;
	}
}

static void
on_connect(void *arg)
{
	json_t	*st = broker_status(b);

	(void)arg;
	printf("connected %lld\n",
	    (long long)json_integer_value(json_object_get(st, "connects")));
	json_decref(st);
	if (online != NULL)
		broker_publish(b, online, "1", 1, 1, true, NULL);
	if (bench_n > 0) {
		if (sent == 0)
			clock_gettime(CLOCK_MONOTONIC, &bench_t0);
		bench_fill();
	}
}

static void
on_disconnect(void *arg)
{
	(void)arg;
	printf("disconnected\n");
}

static void
on_message(const char *t, const void *payload, size_t len, bool retained,
    void *arg)
{
	(void)arg;
	printf("message %s %.*s%s\n", t, (int)len, (const char *)payload,
	    retained ? " (retained)" : "");
}

static void
on_ack(int mid, void *arg)
{
	double	s;

	(void)mid;
	(void)arg;
	acked++;
	if (bench_n == 0) {
		printf("acked %ld\n", acked);
		return;
	}
	bench_fill();
	if (acked < bench_n)
		return;
	s = since(&bench_t0);
	printf("bench: mqtt QoS 1 publish: %ld messages of %zu bytes, all "
	    "PUBACKed in %.2f s: %.0f acks/s (window %d, one connection to "
	    "Mosquitto on 127.0.0.1, libmosquitto on the libevent loop)\n",
	    bench_n, bench_size, s, bench_n / s, WINDOW);
	event_base_loopexit(base, NULL);
}

/* Ticker mode: one message per interval while connected. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	char	msg[64];
	int	n;

	(void)fd;
	(void)what;
	(void)arg;
	if ((limit > 0 && sent >= limit) || !broker_connected(b))
		return;
	n = snprintf(msg, sizeof msg, "probe message %ld", sent + 1);
	if (broker_publish(b, topic, msg, (size_t)n, 1, false, NULL) == 0)
		sent++;
}

/* Prints the status when something other than the clock changed. */
static void
on_watch(evutil_socket_t fd, short what, void *arg)
{
	json_t	*st = broker_status(b);
	char	*s;

	(void)fd;
	(void)what;
	(void)arg;
	json_object_del(st, "since_ms");
	json_object_del(st, "retry_in_ms");
	json_object_del(st, "queued");
	s = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS);
	if (s != NULL && strcmp(s, last_status) != 0) {
		printf("status %s\n", s);
		snprintf(last_status, sizeof last_status, "%s", s);
	}
	free(s);
	json_decref(st);
}

static void
on_stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopexit(base, NULL);
}

int
main(int argc, char **argv)
{
	struct broker_conf	 c = { .host = "127.0.0.1", .client_id = "probe",
				    .keepalive_s = 10 };
	struct broker_cb	 cb = { on_connect, on_disconnect, on_message,
				    on_ack };
	struct event		*tick = NULL, *watch, *stop = NULL, *sigs[2];
	struct timeval		 tv;
	const char		*filter = NULL;
	char			*cause;
	long			 interval = 0, seconds = 0;
	int			 ch;

	while ((ch = getopt(argc, argv, "a:b:c:H:I:i:K:k:n:P:R:r:S:s:T:t:W:"))
	    != -1) {
		switch (ch) {
		case 'a': c.ca_file = optarg; break;
		case 'b': bench_n = atol(optarg); break;
		case 'c': c.cert_file = optarg; break;
		case 'H': c.host = optarg; break;
		case 'I': c.client_id = optarg; break;
		case 'i': interval = atol(optarg); break;
		case 'K': c.key_file = optarg; break;
		case 'k': c.keepalive_s = atoi(optarg); break;
		case 'n': limit = atol(optarg); break;
		case 'P': c.port = atoi(optarg); break;
		case 'R': c.retry_max_ms = atoi(optarg); break;
		case 'r': c.retry_min_ms = atoi(optarg); break;
		case 'S': filter = optarg; break;
		case 's': bench_size = (size_t)atol(optarg); break;
		case 'T': seconds = atol(optarg); break;
		case 't': topic = optarg; break;
		case 'W': online = optarg; break;
		default:
			fprintf(stderr, "usage: see tests/bench/broker-probe.c\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init(getenv("PROBE_DEBUG") != NULL, "broker-probe");
	signal(SIGPIPE, SIG_IGN);
	if (online != NULL) {
		c.will_topic = online;
		c.will_payload = "0";
		c.will_qos = 1;
		c.will_retain = true;
	}
	base = loop_new();	/* the agent's loop and priorities */
	if (bench_n > 0) {
		bench_buf = xmalloc(bench_size);
		memset(bench_buf, 'x', bench_size);
	}
	/* Below card work, with HTTP, as the gate will give it. */
	if ((b = broker_new(base, loop_http_priority(base), &c, &cb, NULL,
	    &cause)) == NULL) {
		fprintf(stderr, "broker-probe: %s\n", cause);
		free(cause);
		return 1;
	}
	if (filter != NULL && broker_subscribe(b, filter, 1) == -1) {
		fprintf(stderr, "broker-probe: bad filter %s\n", filter);
		return 1;
	}
	if (interval > 0) {
		tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
		tv.tv_sec = interval / 1000;
		tv.tv_usec = (interval % 1000) * 1000;
		event_add(tick, &tv);
	}
	watch = event_new(base, -1, EV_PERSIST, on_watch, NULL);
	tv.tv_sec = 0;
	tv.tv_usec = 100000;
	event_add(watch, &tv);
	if (seconds > 0) {
		stop = evtimer_new(base, on_stop, NULL);
		tv.tv_sec = seconds;
		tv.tv_usec = 0;
		evtimer_add(stop, &tv);
	}
	sigs[0] = evsignal_new(base, SIGTERM, on_stop, NULL);
	sigs[1] = evsignal_new(base, SIGINT, on_stop, NULL);
	evsignal_add(sigs[0], NULL);
	evsignal_add(sigs[1], NULL);
	event_base_dispatch(base);

	broker_free(b);
	if (tick != NULL)
		event_free(tick);
	if (stop != NULL)
		event_free(stop);
	event_free(watch);
	event_free(sigs[0]);
	event_free(sigs[1]);
	event_base_free(base);
	free(bench_buf);
	printf("exit\n");
	return bench_n > 0 && acked < bench_n;
}
