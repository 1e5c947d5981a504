/*
 * bench-status.c: what one `status` (gate_status(), which also feeds
 * /metrics) and one journal_stats() cost on an empty journal and on a
 * large one.  Runs a real gate (sim backends) in-process on each journal;
 * the large journal is built first in one transaction.
 * usage: bench-status CONFIG DIR [ROWS]
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "agent.h"

#define CALLS	200

static double
now_ms(void)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Fills dir/journal.db with rows passages, one transaction; 0 or -1. */
static int
build(const char *dir, long rows)
{
	struct journal	*j;
	char		 path[4200], sql[512], *cause = NULL, *err = NULL;
	double		 t0 = now_ms();

	snprintf(path, sizeof path, "%s/journal.db", dir);
	if ((j = journal_open(path, NULL, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	snprintf(sql, sizeof sql, "BEGIN; WITH RECURSIVE n(i) AS (SELECT 1"
	    " UNION ALL SELECT i + 1 FROM n WHERE i < %ld) INSERT INTO events"
	    " (ts_ms, kind, lane, direction, card, person, category, verdict,"
	    " reason, temp_centi, actor) SELECT 1767225600000 + i * 15000,"
	    " 'passage', 'south-ped', 'in', '1000523', 'P0000001', 'student',"
	    " 'granted', 'granted', 3655, 'south-ped-in' FROM n; COMMIT", rows);
	if (sqlite3_exec(journal_db(j), sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	journal_close(j);
	printf("  (built %ld rows in %.1f s)\n", rows, (now_ms() - t0) / 1e3);
	return 0;
}

/* Opens a gate on dir's journal and times status and journal_stats. */
static int
measure(const char *config, const char *dir, long rows)
{
	struct event_base	*base;
	struct gate_conf	*conf;
	struct gate		*g;
	json_t			*o;
	char			*errors = NULL, *cause = NULL;
	double			 st[CALLS], js[CALLS], t0, open_ms;
	int			 i;

	if ((conf = config_load(config, &errors)) == NULL) {
		fputs(errors, stderr);
		return -1;
	}
	snprintf(conf->state_dir, sizeof conf->state_dir, "%s", dir);
	base = event_base_new();
	t0 = now_ms();
	if ((g = gate_new(base, conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	open_ms = now_ms() - t0;
	for (i = 0; i < CALLS; i++) {
		t0 = now_ms();
		o = journal_stats(gate_journal(g));
		js[i] = now_ms() - t0;
		json_decref(o);
		t0 = now_ms();
		o = gate_status(g);
		st[i] = now_ms() - t0;
		json_decref(o);
	}
	qsort(st, CALLS, sizeof *st, cmp);
	qsort(js, CALLS, sizeof *js, cmp);
	printf("status on a journal of %ld rows: gate_status p50 %.3f ms, "
	    "max %.3f ms; journal_stats p50 %.3f ms, max %.3f ms (%d calls "
	    "each, in-process on a sim gate; gate start %.0f ms)\n", rows,
	    st[CALLS / 2], st[CALLS - 1], js[CALLS / 2], js[CALLS - 1], CALLS,
	    open_ms);
	gate_free(g);
	event_base_free(base);
	return 0;
}

int
main(int argc, char **argv)
{
	char	empty[4096], big[4096];
	long	rows;

	if (argc < 3)
		return 2;
	rows = argc > 3 ? atol(argv[3]) : 2000000;
	log_init(0, "bench-status");
	snprintf(empty, sizeof empty, "%s/empty", argv[2]);
	snprintf(big, sizeof big, "%s/big", argv[2]);
	if (mkdir(empty, 0700) == -1 || mkdir(big, 0700) == -1) {
		perror(argv[2]);
		return 1;
	}
	if (measure(argv[1], empty, 0) == -1 || build(big, rows) == -1 ||
	    measure(argv[1], big, rows) == -1)
		return 1;
	return 0;
}
