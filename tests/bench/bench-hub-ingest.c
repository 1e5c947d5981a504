/*
 * bench-hub-ingest: the hub's ingest (hub/ingest.c) fed directly, without
 * a broker: GATES simulated gates' events, interleaved as a campus sends
 * them, each a JSON row of the gate's events topic (~250 bytes), handed
 * to ingest_message as link.c does, committed in the hub's batches
 * (batch-max 5000, as hub.conf's default) into a fresh database.  Prints
 * events/s, the batches, and a check that the table holds every event
 * once.  Usage: bench-hub-ingest URL [EVENTS [GATES]]
 * (URL sqlite:/path/campus.db or postgresql:CONNINFO).
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "clock.h"
#include "db.h"
#include "hub.h"
#include "log.h"

static int
count_row(void *arg, int ncol, const char *const *vals)
{
	*(long long *)arg = ncol == 1 && vals[0] != NULL ?
	    strtoll(vals[0], NULL, 10) : -1;
	return 1;
}

int
main(int argc, char **argv)
{
	static const char sql_count[] = "SELECT COUNT(*) FROM events";
	struct hub_conf	 hc;
	struct hub	 hub;
	char		 err[512], gate[32], row[512];
	long		 events, ngates, i, id;
	long long	 stored = -1;
	int64_t		 t0, t1;
	struct rusage	 ru0, ru1;
	double		 cpu, load[1] = { 0 };
	json_t		*st;
	int		 len;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-hub-ingest URL [EVENTS [GATES]]\n");
		return 2;
	}
	events = argc > 2 ? atol(argv[2]) : 200000;
	ngates = argc > 3 ? atol(argv[3]) : 50;
	log_init(0, "bench-hub-ingest");
	memset(&hc, 0, sizeof hc);
	memset(&hub, 0, sizeof hub);
	snprintf(hc.hub.site, sizeof hc.hub.site, "campus");
	hc.hub.flush_ms = 50;
	hc.hub.batch_max = 5000;
	hub.conf = &hc;
	hub.base = event_base_new();
	if ((hub.db = db_open(argv[1], err, sizeof err)) == NULL) {
		fprintf(stderr, "bench-hub-ingest: %s\n", err);
		return 1;
	}
	hub.gaps = gaps_new(&hub);
	hub.alerts = alerts_new(&hub);
	hub.ingest = ingest_new(&hub);

	getloadavg(load, 1);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = mono_ms();
	for (i = 0; i < events; i++) {
		snprintf(gate, sizeof gate, "gate-%02ld", i % ngates + 1);
		id = i / ngates + 1;
		len = snprintf(row, sizeof row, "{\"id\":%ld,\"ts_ms\":%lld,"
		    "\"time\":\"2026-12-01T08:00:00+0100\",\"kind\":\"passage\","
		    "\"lane\":\"%s-ped\",\"direction\":\"%s\","
		    "\"person\":\"S%06ld\",\"category\":\"student\","
		    "\"verdict\":\"granted\",\"reason\":\"ok\",\"temp\":36.%ld}",
		    id, 1796112000000LL + i * 10, gate, i % 2 ? "out" : "in",
		    i % 100000, i % 10);
		ingest_message(hub.ingest, gate, "events", row, len);
	}
	ingest_flush(hub.ingest);
	t1 = mono_ms();
	getrusage(RUSAGE_SELF, &ru1);
	cpu = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
	    (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
	    (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
	    ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
	db_query(hub.db, sql_count, 0, NULL, count_row, &stored);
	st = ingest_status(hub.ingest);
	printf("bench: hub ingest (direct, %s): %ld events of %ld gates in "
	    "%lld ms: %.0f events/s (%.1f s of CPU: %.0f events per CPU "
	    "second; load average %.1f at the start); %lld batches of up to "
	    "%lld, stored %lld (%s)\n", db_backend(hub.db), events, ngates,
	    (long long)(t1 - t0),
	    t1 > t0 ? events * 1000.0 / (double)(t1 - t0) : 0.0, cpu,
	    cpu > 0 ? events / cpu : 0.0, load[0],
	    (long long)json_integer_value(json_object_get(st, "batches")),
	    (long long)json_integer_value(json_object_get(st,
	    "largest_batch")), stored, stored == events ? "every event once" :
	    "MISSING EVENTS");
	json_decref(st);
	ingest_free(hub.ingest);
	alerts_free(hub.alerts);
	gaps_free(hub.gaps);
	db_close(hub.db);
	event_base_free(hub.base);
	return stored == events ? 0 : 1;
}
