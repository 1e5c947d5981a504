/*
 * bench-hub-contacts: contact tracing (hub/contacts.c) over a campus
 * journal of many events.  Generates the campus into a SQLite file
 * through db.h, as the hub's ingest writes it (the hub's schema and
 * indexes, batches of 50,000 rows a transaction, each day's events in
 * time order with contiguous ids per gate), unless the file is there
 * already from a run with the same parameters; then traces QUERIES people
 * over the last 14 days with a window of ±10 minutes and prints the
 * median and the longest, with the query plans (EXPLAIN QUERY PLAN).
 *
 *   bench-hub-contacts FILE PEOPLE GATES DAYS EVENTS QUERIES
 *
 * The campus: every gate has two lanes, "GATE-in" and "GATE-out"; a
 * person comes through their home gate four times in five and another
 * gate otherwise, about EVENTS / (PEOPLE * DAYS) times a day, around
 * the morning, lunch and the evening (a busy lane's busy quarter of an
 * hour holds hundreds of passages); one passage in fifty is denied, one
 * in two thousand for a fever.  A fixed seed: the same file every time.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "office.h"

#define BATCH	50000
#define DAY_MS	(24 * 3600 * 1000LL)
/* The campus's last day starts here: 2026-11-01T00:00:00Z. */
#define END_MS	1793491200000LL

struct ev {
	int64_t	 ts_ms;
	int	 person, gate, out;
	int	 denied, fever;
};

static const char sql_insert[] =
    "INSERT INTO events (gate, id, ts_ms, kind, lane, direction, person,"
    " category, zone, verdict, reason, temp_c, body)"
    " VALUES (?, ?, ?, 'passage', ?, ?, ?, 'student', 'campus', ?, ?, ?, ?)"
    " ON CONFLICT (gate, id) DO NOTHING";

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
unif(void)
{
	return (rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* A normal deviate (Box-Muller). */
static double
gauss(void)
{
	double	u = unif(), v = unif();

	if (u < 1e-12)
		u = 1e-12;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The process's CPU time: what a query costs when others share the
 * cores, as they do on the test machine. */
static double
cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The 1-minute load average, to read the wall times by. */
static const char *
loadavg(void)
{
	static char	 buf[16] = "?";
	FILE		*f;

	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fscanf(f, "%15s", buf) != 1)
			snprintf(buf, sizeof buf, "?");
		fclose(f);
	}
	return buf;
}

static int
ev_cmp(const void *a, const void *b)
{
	const struct ev	*x = a, *y = b;

	return x->ts_ms < y->ts_ms ? -1 : x->ts_ms > y->ts_ms;
}

/* A time of day in ms: the morning, lunch or the evening. */
static int64_t
time_of_day(void)
{
	double	u = unif(), h;

	if (u < 0.35)
		h = 8 + gauss() * 0.66;
	else if (u < 0.65)
		h = 12.5 + gauss() * 0.66;
	else
		h = 17 + gauss();
	if (h < 5)
		h = 5;
	if (h > 23)
		h = 23;
	return (int64_t)(h * 3600 * 1000);
}

/* One day's events, in time order, passages of a person in and out. */
static size_t
gen_day(struct ev *evs, int people, int gates, int64_t day_ms,
    double extra, const int *home)
{
	size_t	n = 0;
	int	p, k, i, gate;
	int64_t	times[32];

	for (p = 0; p < people; p++) {
		/* In and out, and extra more: per_day in all on average. */
		k = 2 + (int)(extra * (0.5 + unif()) + 0.5);
		k = k > 30 ? 30 : k;
		for (i = 0; i < k; i++)
			times[i] = time_of_day();
		for (i = 1; i < k; i++) {	/* insertion sort: k is small */
			int64_t	t = times[i];
			int	j = i;

			while (j > 0 && times[j - 1] > t) {
				times[j] = times[j - 1];
				j--;
			}
			times[j] = t;
		}
		for (i = 0; i < k; i++) {
			gate = unif() < 0.8 ? home[p] : (int)(rnd() % gates);
			evs[n].ts_ms = day_ms + times[i] + (int64_t)(rnd() % 1000);
			evs[n].person = p;
			evs[n].gate = gate;
			evs[n].out = i % 2;
			evs[n].denied = unif() < 0.02;
			evs[n].fever = evs[n].denied && unif() < 0.025;
			n++;
		}
	}
	qsort(evs, n, sizeof *evs, ev_cmp);
	return n;
}

static int
insert(struct db *db, const struct ev *e, int64_t id)
{
	const char	*p[10];
	char		 gate[16], sid[24], ts[24], lane[24], person[16];
	char		 body[320];

	snprintf(gate, sizeof gate, "gate%02d", e->gate);
	snprintf(sid, sizeof sid, "%" PRId64, id);
	snprintf(ts, sizeof ts, "%" PRId64, e->ts_ms);
	snprintf(lane, sizeof lane, "%s-%s", gate, e->out ? "out" : "in");
	snprintf(person, sizeof person, "P%05d", e->person);
	snprintf(body, sizeof body, "{\"id\":%s,\"ts_ms\":%s,"
	    "\"kind\":\"passage\",\"lane\":\"%s\",\"direction\":\"%s\","
	    "\"person\":\"%s\",\"category\":\"student\",\"verdict\":\"%s\"%s"
	    "%s}", sid, ts, lane, e->out ? "out" : "in", person,
	    e->denied ? "denied" : "granted",
	    e->fever ? ",\"reason\":\"fever\",\"temp\":38.3" :
	    e->denied ? ",\"reason\":\"unknown-card\"" : "", "");
	p[0] = gate;
	p[1] = sid;
	p[2] = ts;
	p[3] = lane;
	p[4] = e->out ? "out" : "in";
	p[5] = person;
	p[6] = e->denied ? "denied" : "granted";
	p[7] = e->fever ? "fever" : e->denied ? "schedule" : NULL;
	p[8] = e->fever ? "38.3" : NULL;
	p[9] = body;
	return db_exec(db, sql_insert, 10, p);
}

/* Generates the campus, day by day, BATCH rows a transaction. */
static int
generate(struct db *db, int people, int gates, int days, long long events)
{
	struct ev	*evs;
	int64_t		*ids;
	int		*home, d;
	size_t		 n, i, max;
	long long	 total = 0, inbatch = 0;
	double		 per_day = (double)events / people / days, extra;
	double		 t0 = now_s();

	/* A busier gate is home to more: gate g weighs 1 / (1 + g / 4). */
	home = calloc(people, sizeof *home);
	ids = calloc(gates, sizeof *ids);
	max = (size_t)(people * (per_day * 1.5 + 4)) + 64;
	evs = calloc(max, sizeof *evs);
	if (home == NULL || ids == NULL || evs == NULL)
		return -1;
	for (i = 0; i < (size_t)people; i++) {
		double	w = 0, tot = 0, u;
		int	g;

		for (g = 0; g < gates; g++)
			tot += 1.0 / (1 + g / 4.0);
		u = unif() * tot;
		for (g = 0; g < gates - 1; g++) {
			w += 1.0 / (1 + g / 4.0);
			if (u < w)
				break;
		}
		home[i] = g;
	}
	/* Beyond the in and out of every day. */
	extra = per_day > 2 ? per_day - 2 : 0;
	/* The setup of a bench, not the hub's ingest (whose rate is
	 * the hub's ingest bench): no fsync, a 512 MB page cache. */
	if (db_exec(db, "PRAGMA cache_size = -524288", 0, NULL) == -1 ||
	    db_exec(db, "PRAGMA synchronous = OFF", 0, NULL) == -1 ||
	    db_begin(db) == -1)
		return -1;
	for (d = 0; d < days; d++) {
		n = gen_day(evs, people, gates, END_MS - (days - 1 - d) *
		    DAY_MS, extra, home);
		for (i = 0; i < n; i++) {
			if (insert(db, &evs[i], ++ids[evs[i].gate]) == -1)
				return -1;
			if (++inbatch == BATCH) {
				if (db_commit(db) == -1 || db_begin(db) == -1)
					return -1;
				inbatch = 0;
			}
		}
		total += n;
		if ((d + 1) % 10 == 0 || d + 1 == days)
			fprintf(stderr, "  day %d: %lld events, %.0f s\n", d + 1,
			    total, now_s() - t0);
	}
	if (db_commit(db) == -1)
		return -1;
	printf("hub contacts: generated %lld events (%d people, %d gates x 2 "
	    "lanes, %d days) into SQLite through db.h\n  in %.1f s: %.0f "
	    "events/s, batches of %d\n", total, people, gates, days,
	    now_s() - t0, total / (now_s() - t0), BATCH);
	free(evs);
	free(ids);
	free(home);
	return 0;
}

static int
plan_row(void *arg, int ncol, const char *const *vals)
{
	(void)arg;
	printf("    %s\n", ncol >= 4 && vals[3] != NULL ? vals[3] : "?");
	return 0;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The two statements of contacts.c, as the bench sees them. */
static void
plans(struct db *db)
{
	static const char	 p1[] = "EXPLAIN QUERY PLAN SELECT gate, lane,"
	    " ts_ms, direction, verdict FROM events WHERE person = ? AND"
	    " ts_ms >= ? AND ts_ms < ? AND kind = 'passage'"
	    " ORDER BY ts_ms, gate, id";
	static const char	 p2[] = "EXPLAIN QUERY PLAN SELECT person,"
	    " ts_ms, direction FROM events WHERE gate = ? AND lane = ? AND"
	    " ts_ms >= ? AND ts_ms <= ? AND kind = 'passage' AND person IS"
	    " NOT NULL AND person <> ?";
	const char		*a1[] = { "P00001", "0", "1" };
	const char		*a2[] = { "gate00", "gate00-in", "0", "1",
	    "P00001" };

	printf("  plan, the person's passages:\n");
	db_query(db, p1, 3, a1, plan_row, NULL);
	printf("  plan, each passage's lane and window:\n");
	db_query(db, p2, 5, a2, plan_row, NULL);
}

/* Traces n people picked by the seed: the median and the longest. */
static int
trace(struct db *db, int people, int n)
{
	struct contacts_query	 q;
	double			*ms, *cpu, t, c;
	json_t			*r;
	char			*cause = NULL, who[16];
	long long		 passages = 0, contacts = 0;
	int			 i;

	if ((ms = calloc(n, sizeof *ms)) == NULL ||
	    (cpu = calloc(n, sizeof *cpu)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		snprintf(who, sizeof who, "P%05d", (int)(rnd() % people));
		q.person = who;
		q.to_ms = END_MS + DAY_MS;
		q.from_ms = q.to_ms - 14 * DAY_MS;
		q.window_ms = 10 * 60 * 1000;
		t = now_s();
		c = cpu_s();
		if ((r = contacts_find(db, &q, &cause)) == NULL) {
			fprintf(stderr, "contacts: %s\n", cause);
			return -1;
		}
		ms[i] = (now_s() - t) * 1000;
		cpu[i] = (cpu_s() - c) * 1000;
		passages += json_array_size(json_object_get(r, "passages"));
		contacts += json_array_size(json_object_get(r, "contacts"));
		json_decref(r);
	}
	qsort(ms, n, sizeof *ms, dbl_cmp);
	qsort(cpu, n, sizeof *cpu, dbl_cmp);
	printf("hub contacts: %d people traced over 14 days, window +-10 min: "
	    "p50 %.0f ms, max %.0f ms (target < 1000 ms; CPU p50 %.0f ms, "
	    "max %.0f ms, load average %s); on average %lld passages and "
	    "%lld contacts each (one range scan of events (gate, lane, "
	    "ts_ms) per passage)\n", n, ms[n / 2], ms[n - 1], cpu[n / 2],
	    cpu[n - 1], loadavg(), passages / n, contacts / n);
	free(ms);
	free(cpu);
	return 0;
}

/* The campus report of the last day and of the last week, as health. */
static int
report(struct db *db)
{
	json_t		*r;
	char		*cause = NULL;
	double		 t, c;
	int		 days[] = { 1, 7 }, i;

	for (i = 0; i < 2; i++) {
		t = now_s();
		c = cpu_s();
		r = campus_report(db, END_MS + DAY_MS - days[i] * DAY_MS,
		    END_MS + DAY_MS, DAY_MS, 1, &cause);
		if (r == NULL) {
			fprintf(stderr, "report: %s\n", cause);
			return -1;
		}
		printf("hub report: the campus report of %d day%s (%lld "
		    "passages, %zu inside by the last 24 h): %.2f s (CPU "
		    "%.2f s)\n", days[i],
		    days[i] > 1 ? "s" : "", (long long)json_integer_value(
		    json_object_get(json_object_get(r, "totals"), "passages")),
		    json_array_size(json_object_get(json_array_get(
		    json_object_get(r, "inside"), 0), "people")),
		    now_s() - t, cpu_s() - c);
		json_decref(r);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct db	*db;
	struct stat	 st;
	char		 url[1100], done[1100], err[256];
	long long	 events;
	int		 people, gates, days, queries, fresh;
	FILE		*f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 7) {
		fprintf(stderr, "usage: bench-hub-contacts FILE PEOPLE GATES "
		    "DAYS EVENTS QUERIES\n");
		return 2;
	}
	people = atoi(argv[2]);
	gates = atoi(argv[3]);
	days = atoi(argv[4]);
	events = atoll(argv[5]);
	queries = atoi(argv[6]);
	if (people < 10 || gates < 1 || days < 14 || events < people ||
	    queries < 1)
		return 2;
	/* FILE.done says the file is whole: a run stopped half-way makes
	 * it anew. */
	snprintf(done, sizeof done, "%s.done", argv[1]);
	fresh = stat(done, &st) != 0;
	if (fresh) {
		unlink(argv[1]);
		snprintf(url, sizeof url, "%s-wal", argv[1]);
		unlink(url);
	}
	snprintf(url, sizeof url, "sqlite:%s", argv[1]);
	if ((db = db_open(url, err, sizeof err)) == NULL) {
		fprintf(stderr, "bench-hub-contacts: %s\n", err);
		return 1;
	}
	if (fresh) {
		if (generate(db, people, gates, days, events) == -1) {
			fprintf(stderr, "bench-hub-contacts: %s\n",
			    db_error(db));
			return 1;
		}
		if ((f = fopen(done, "w")) != NULL)
			fclose(f);
	} else
		printf("hub contacts: the campus of %s (%lld events) reused\n",
		    argv[1], events);
	plans(db);
	if (trace(db, people, queries) == -1 || report(db) == -1)
		return 1;
	db_close(db);
	return 0;
}
