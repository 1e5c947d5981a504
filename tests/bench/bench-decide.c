/*
 * bench-decide.c: decisions per second, people lookup plus policy, with
 * the people set of a real config (100,000 people in `make bench`).
 * usage: bench-decide CONFIG [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "agent.h"

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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
	free(uids);
	people_free(people);
	config_free(conf);
	return 0;
}
