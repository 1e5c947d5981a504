/*
 * hub-gates: GATES simulated gates publishing EVENTS events each on a
 * broker, as gated does: QoS 1 on gated/v1/<site>/<gate>/events, ids
 * contiguous from 1, the row shape of docs/mqtt.md.  One libmosquitto
 * client per gate (its own thread), every publish waited for to its
 * PUBACK.  Prints "published N in MS ms".  For tests/bench/hub-ingest.
 * Usage: hub-gates PORT GATES EVENTS [SITE]
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

static atomic_long	acked;

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	(void)arg;
	(void)mid;
	atomic_fetch_add(&acked, 1);
}

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
main(int argc, char **argv)
{
	struct mosquitto	**ms;
	const char		*site;
	char			 id[32], topic[128], row[512];
	long			 gates, events, g, i, total;
	long long		 t0;
	int			 port, len;

	if (argc < 4) {
		fprintf(stderr, "usage: hub-gates PORT GATES EVENTS [SITE]\n");
		return 2;
	}
	port = atoi(argv[1]);
	gates = atol(argv[2]);
	events = atol(argv[3]);
	site = argc > 4 ? argv[4] : "campus";
	total = gates * events;
	mosquitto_lib_init();
	ms = calloc(gates, sizeof *ms);
	for (g = 0; g < gates; g++) {
		snprintf(id, sizeof id, "gate-%02ld", g + 1);
		ms[g] = mosquitto_new(id, true, NULL);
		mosquitto_max_inflight_messages_set(ms[g], 200);
		mosquitto_publish_callback_set(ms[g], on_publish);
		if (ms[g] == NULL || mosquitto_connect(ms[g], "127.0.0.1", port,
		    30) != MOSQ_ERR_SUCCESS || mosquitto_loop_start(ms[g]) !=
		    MOSQ_ERR_SUCCESS) {
			fprintf(stderr, "hub-gates: %s cannot connect\n", id);
			return 1;
		}
	}
	t0 = now_ms();
	for (i = 1; i <= events; i++) {
		for (g = 0; g < gates; g++) {
			snprintf(topic, sizeof topic,
			    "gated/v1/%s/gate-%02ld/events", site, g + 1);
			len = snprintf(row, sizeof row, "{\"id\":%ld,\"ts_ms\":"
			    "%lld,\"time\":\"2026-12-01T08:00:00+0100\","
			    "\"kind\":\"passage\",\"lane\":\"gate-%02ld-ped\","
			    "\"direction\":\"%s\",\"person\":\"S%06ld\","
			    "\"category\":\"student\",\"verdict\":\"granted\","
			    "\"reason\":\"ok\",\"temp\":36.%ld}", i,
			    1796112000000LL + i * 10, g + 1, i % 2 ? "out" :
			    "in", (i * gates + g) % 100000, i % 10);
			mosquitto_publish(ms[g], NULL, topic, len, row, 1,
			    false);
		}
		/* Keep what waits in memory bounded: 2,000 a gate. */
		while (i * gates - atomic_load(&acked) > 2000 * gates)
			usleep(1000);
	}
	while (atomic_load(&acked) < total)
		usleep(1000);
	printf("published %ld in %lld ms\n", total, now_ms() - t0);
	for (g = 0; g < gates; g++) {
		mosquitto_disconnect(ms[g]);
		mosquitto_loop_stop(ms[g], false);
		mosquitto_destroy(ms[g]);
	}
	free(ms);
	mosquitto_lib_cleanup();
	return 0;
}
