/*
 * bench-hub-db.c: the hub's database layer alone (hub/db.h), the rate
 * at which it takes campus events in batched transactions: N events from
 * 50 gates, interleaved as the broker delivers them, each an INSERT ... ON
 * CONFLICT (gate, id) DO NOTHING of every column and a 300-byte body, a
 * COMMIT every BATCH events; then the same N again, all duplicates, the
 * cost of a broker's redelivery.  Durable: SQLite in WAL with
 * synchronous=FULL, PostgreSQL with fsync and synchronous_commit on.
 * usage: bench-hub-db URL [N [BATCH]]   (URL as [hub] database takes it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"

#define GATES	50

static const char sql_ins[] =
    "INSERT INTO events (gate, id, ts_ms, kind, lane, direction, person,"
    " category, zone, verdict, reason, temp_c, actor, body)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (gate, id) DO NOTHING";

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The 14 parameters of event i (gate i%50's id i/50+1) into p, in buf. */
static void
event(long i, char *buf, const char **p)
{
	char	*gate = buf, *id = buf + 16, *ts = buf + 40, *person = buf + 64,
		*body = buf + 80;

	snprintf(gate, 16, "gate-%02ld", i % GATES);
	snprintf(id, 24, "%ld", i / GATES + 1);
	snprintf(ts, 24, "%lld", 1764547200000LL + i * 20);
	snprintf(person, 16, "P%07ld", i * 7919 % 100000);
	snprintf(body, 400, "{\"id\":%s,\"ts_ms\":%s,\"kind\":\"passage\","
	    "\"lane\":\"ped\",\"direction\":\"in\",\"person\":\"%s\","
	    "\"category\":\"student\",\"zone\":\"campus\",\"verdict\":"
	    "\"granted\",\"reason\":\"granted\",\"temp\":36.6,\"actor\":"
	    "\"ped-in\",\"card\":\"1000523\",\"detail\":\"\",\"gate\":\"%s\","
	    "\"pad\":\"%.60s\"}", id, ts, person, gate,
	    "................................................................");
	p[0] = gate; p[1] = id; p[2] = ts; p[3] = "passage";
	p[4] = "ped"; p[5] = "in"; p[6] = person; p[7] = "student";
	p[8] = "campus"; p[9] = "granted"; p[10] = "granted";
	p[11] = "36.6"; p[12] = "ped-in"; p[13] = body;
}

/*
 * Inserts events first..first+n-1, a transaction every batch, with one
 * db_exec each or one db_exec_batch a transaction; *changed the rows
 * inserted.
 */
static int
ingest(struct db *db, long first, long n, int batch, int bulk,
    long long *changed)
{
	const char	**p;
	char		 *buf;
	long		  i, k, rows;

	p = calloc((size_t)batch * 14, sizeof *p);
	buf = calloc(batch, 480);
	if (p == NULL || buf == NULL)
		return -1;
	*changed = 0;
	for (i = first; i < first + n; i += rows) {
		rows = first + n - i < batch ? first + n - i : batch;
		for (k = 0; k < rows; k++)
			event(i + k, buf + k * 480, p + k * 14);
		if (db_begin(db) == -1)
			goto fail;
		if (bulk) {
			if (db_exec_batch(db, sql_ins, 14, rows, p, NULL) == -1)
				goto fail;
			*changed += db_changes(db);
		} else
			for (k = 0; k < rows; k++) {
				if (db_exec(db, sql_ins, 14, p + k * 14) == -1)
					goto fail;
				*changed += db_changes(db);
			}
		if (db_commit(db) == -1)
			goto fail;
	}
	free(p);
	free(buf);
	return 0;
fail:
	free(p);
	free(buf);
	return -1;
}

/* One pass, timed: events/s, or -1 when it failed or changed != want. */
static double
pass(struct db *db, long first, long n, int batch, int bulk, long long want)
{
	double		t0 = now();
	long long	changed;

	if (ingest(db, first, n, batch, bulk, &changed) == -1)
		return -1;
	if (changed != want) {
		fprintf(stderr, "bench-hub-db: %lld rows inserted, not %lld\n",
		    changed, want);
		return -1;
	}
	return n / (now() - t0);
}

int
main(int argc, char **argv)
{
	struct db	*db;
	char		 err[512];
	long		 n;
	int		 batch;
	double		 one, bulk, dup;

	if (argc < 2) {
		fprintf(stderr, "usage: bench-hub-db URL [N [BATCH]]\n");
		return 2;
	}
	n = argc > 2 ? atol(argv[2]) : 200000;
	batch = argc > 3 ? atoi(argv[3]) : 500;
	if (n < 1 || batch < 1)
		return 2;
	if ((db = db_open(argv[1], err, sizeof err)) == NULL) {
		fprintf(stderr, "bench-hub-db: %s\n", err);
		return 1;
	}
	/* Events 0..n-1 one by one, n..2n-1 in batches, then those again. */
	if ((one = pass(db, 0, n, batch, 0, n)) < 0 ||
	    (bulk = pass(db, n, n, batch, 1, n)) < 0 ||
	    (dup = pass(db, n, n, batch, 1, 0)) < 0) {
		fprintf(stderr, "bench-hub-db: %s\n", db_error(db));
		db_close(db);
		return 1;
	}
	printf("hub ingest on %s: %.0f events/s with db_exec_batch, %.0f "
	    "with one db_exec an event, %.0f when all are duplicates (%ld "
	    "events from %d gates, %d a transaction, durable)\n",
	    db_backend(db), bulk, one, dup, n, GATES, batch);
	db_close(db);
	return 0;
}
