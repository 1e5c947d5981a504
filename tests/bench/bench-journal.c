/*
 * bench-journal.c: journal append latency with durable commits (WAL,
 * synchronous=FULL), p50/p99/max over N appends of passage events.
 * usage: bench-journal DIR [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct journal_limits	 lim = { 0, 0, 0, 0 };
	struct journal		*j;
	struct journal_event	 ev;
	struct timespec		 a, b;
	char			 path[4096], *cause = NULL;
	double			*lat;
	int			 n, i;

	if (argc < 2)
		return 2;
	n = argc > 2 ? atoi(argv[2]) : 2000;
	snprintf(path, sizeof path, "%s/journal.db", argv[1]);
	if ((j = journal_open(path, &lim, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	lat = calloc(n, sizeof *lat);
	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof ev);
		clock_gettime(CLOCK_REALTIME, &a);
		ev.ts_ms = (int64_t)a.tv_sec * 1000 + a.tv_nsec / 1000000;
		ev.kind = "passage";
		ev.lane = "south-ped";
		ev.direction = "in";
		ev.card = "1000523";
		ev.person = "P0000001";
		ev.category = "student";
		ev.verdict = "granted";
		ev.reason = "granted";
		ev.actor = "south-ped-in";
		ev.has_temp = true;
		ev.temp_centi = 3655;
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (journal_append(j, &ev) == -1)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		lat[i] = (b.tv_sec - a.tv_sec) * 1e3 +
		    (b.tv_nsec - a.tv_nsec) / 1e6;
	}
	qsort(lat, n, sizeof *lat, cmp);
	printf("journal append (durable): p50 %.3f ms, p99 %.3f ms, max %.3f ms"
	    " (%d appends, WAL + synchronous=FULL, on %s)\n", lat[n / 2],
	    lat[n * 99 / 100], lat[n - 1], n, argv[1]);
	journal_close(j);
	free(lat);
	return 0;
}
