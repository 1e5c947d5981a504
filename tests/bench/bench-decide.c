/*
 * bench-decide.c: decisions per second, people lookup plus policy, with
 * the people set of a real config (100,000 people in `make bench`).
 * usage: bench-decide CONFIG [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agent.h"
#include "presence.h"

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The same with what a gate works out before each decision when its level
 * has schedules and anti-passback: which categories are outside their
 * hours (a schedule of two windows and a holiday list, evaluated on the
 * local clock for each card) and where the person last passed (a lookup
 * in a table of everyone who passed).
 */
static void
decide_timed(const struct gate_conf *conf, struct people *people,
    struct decision_input *in, const uint64_t *uids, long n)
{
	static const char *const win[] = { "mon-fri 07:00-19:00",
	    "sat 08:00-12:00" };
	struct schedule		 s = { .name = "working" };
	struct presence_set	*ps = presence_new();
	struct measures		 ms = *in->measures;
	const char		*id;
	char			 err[160];
	long			 i, granted = 0;
	time_t			 t = time(NULL), now, last;
	double			 t0, t1;
	uint8_t			 off = 0, *pres;
	int			 k;

	(void)conf;
	for (k = 0; k < 2; k++)
		sched_window_parse(win[k], &s.win[s.nwin++], err, sizeof err);
	for (k = 0; k < 12; k++) {
		snprintf(err, sizeof err, "2026-%02d-01 holiday", k + 1);
		sched_holiday_add(&s, err, err, sizeof err);
	}
	ms.anti_passback = APB_HARD;
	in->measures = &ms;
	for (i = 0; i < (long)people_count(people) && i < 1048576; i++) {
		if ((in->person = people_find(people, uids[i])) != NULL)
			presence_passed(ps, people_person_id(people,
			    in->person), in->person->category, i % 2, 1);
	}
	/* The decision alone with both on: inputs worked out beforehand. */
	pres = malloc(1048576);
	for (i = 0; i < 1048576; i++) {
		in->person = people_find(people, uids[i]);
		id = in->person != NULL ? people_person_id(people, in->person) :
		    NULL;
		pres[i] = (uint8_t)(id != NULL ? presence_state(ps, id, 2, 0) :
		    PRESENCE_UNKNOWN);
	}
	in->off_schedule = 1u << CAT_CONTRACTOR;
	t0 = now_s();
	for (i = 0; i < n; i++) {
		in->person = people_find(people, uids[i & 1048575]);
		in->presence = (enum presence)pres[i & 1048575];
		granted += policy_decide(in).granted;
	}
	t1 = now_s();
	printf("decisions with schedules and anti-passback on: %.2f M/s (%ld "
	    "in %.3f s: people lookup + policy_decide, contractors outside "
	    "their hours, hard anti-passback, presence worked out before; %ld "
	    "granted)\n", n / (t1 - t0) / 1e6, n, t1 - t0, granted);
	free(pres);

	for (k = 0; k < 2; k++) {
		granted = 0;
		last = (time_t)-1;
		t0 = now_s();
		for (i = 0; i < n; i++) {
			in->person = people_find(people, uids[i & 1048575]);
			/* k 0: the schedule on every card; k 1: as the gate
			 * does, once a second (gate_off_schedule). */
			now = k == 0 ? t + (i & 63) : time(NULL);
			if (k == 0 || now != last)
				off = sched_active(&s, now) ? 0 : (uint8_t)
				    (1u << CAT_CONTRACTOR | 1u << CAT_VISITOR);
			last = now;
			in->off_schedule = off;
			id = in->person != NULL ? people_person_id(people,
			    in->person) : NULL;
			in->presence = id != NULL ? presence_state(ps, id, 2,
			    0) : PRESENCE_UNKNOWN;
			granted += policy_decide(in).granted;
		}
		t1 = now_s();
		printf("decisions with schedules and anti-passback, %s: %.2f "
		    "M/s (%ld in %.3f s: people lookup, presence lookup among "
		    "%zu who passed, policy_decide; %ld granted)\n", k == 0 ?
		    "the schedule evaluated on the local clock for every card" :
		    "the schedule once a second as the gate does", n /
		    (t1 - t0) / 1e6, n, t1 - t0, presence_count(ps), granted);
	}
	presence_free(ps);
}

int
main(int argc, char **argv)
{
	struct gate_conf	*conf;
	struct people		*people;
	struct people_errors	 perr = { 0 };
	struct decision_input	 in = { 0 };
	const struct level	*lv;
	struct verdict		 v;
	uint64_t		*uids, x = 88172645463325252ULL;
	char			*errors = NULL;
	long			 n, i, granted = 0, found = 0;
	double			 t0, t1;
	size_t			 count;

	if (argc < 2)
		return 2;
	n = argc > 2 ? atol(argv[2]) : 20000000;
	if ((conf = config_load(argv[1], &errors)) == NULL) {
		fputs(errors, stderr);
		return 1;
	}
	if ((people = people_load(conf->people_path, conf, &perr)) == NULL) {
		fprintf(stderr, "people: %s\n", perr.kept ? perr.lines[0] : "?");
		return 1;
	}
	count = people_count(people);
	/* Card numbers as scripts/gen-people makes them, 1 in 10 unknown. */
	uids = malloc(sizeof *uids * 1048576);
	for (i = 0; i < 1048576; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		uids[i] = 1000000 + (x % (count + count / 9)) * 523;
	}
	lv = config_find_level(conf, 1);
	in.inside = conf->inside;
	in.mode = config_find_mode(conf, lv->mode);
	in.measures = &lv->measures;
	in.lane_kind = LANE_PEDESTRIAN;
	in.dir = DIR_IN;
	in.has_temp = true;
	in.temp_centi = 3650;
	in.today = day_number(time(NULL), true);

	t0 = now_s();
	for (i = 0; i < n; i++) {
		in.person = people_find(people, uids[i & 1048575]);
		found += in.person != NULL;
		v = policy_decide(&in);
		granted += v.granted;
	}
	t1 = now_s();
	printf("decisions: %.2f M/s (%ld decisions in %.3f s, people lookup "
	    "+ policy_decide at level 1, %zu people, %ld found, %ld granted)\n",
	    n / (t1 - t0) / 1e6, n, t1 - t0, count, found, granted);
	decide_timed(conf, people, &in, uids, n / 2);
	free(uids);
	people_free(people);
	config_free(conf);
	return 0;
}
