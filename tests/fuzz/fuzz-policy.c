/*
 * fuzz-policy.c: a libFuzzer target for the decision.  It turns arbitrary
 * bytes into a decision input (any mode, level, person, lane, direction,
 * reading and day, NULLs included) and aborts when a verdict breaks one of
 * the properties every verdict must have.  The properties are stated from
 * the outside (docs/policy.md), not by re-running the chain.
 *
 * Build and run it with clang, from the top of the tree (not part of the
 * Makefile; only where clang exists):
 *
 *	mkdir -p build/fuzz/corpus-policy
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 \
 *	    -fsanitize=fuzzer,address,undefined \
 *	    -Iagent -Ihw -Icommon $(pkg-config --cflags jansson) \
 *	    -o build/fuzz/fuzz-policy tests/fuzz/fuzz-policy.c agent/policy.c
 *	build/fuzz/fuzz-policy -max_total_time=60 build/fuzz/corpus-policy
 *
 * Without clang, build with gcc and tests/fuzz/replay.c instead of
 * -fsanitize=fuzzer to get a program that replays the files named on its
 * command line, for example a crash file a fuzzing run left behind.
 * tests/integration/fuzz.sh does either in `make check`.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Reads the input a byte at a time; zeros once it runs out. */
struct bytes {
	const uint8_t	*p;
	size_t		 left;
};

static uint8_t
take8(struct bytes *b)
{
	if (b->left == 0)
		return 0;
	b->left--;
	return *b->p++;
}

static uint16_t
take16(struct bytes *b)
{
	uint16_t	v = take8(b);

	return (uint16_t)(v << 8 | take8(b));
}

static uint32_t
take32(struct bytes *b)
{
	uint32_t	v = take16(b);

	return v << 16 | take16(b);
}

/* Dies loudly: the fuzzer keeps the input that got here. */
#define require(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-policy: %s:%d: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		abort();						\
	}								\
} while (0)

static bool
valid_today(const struct person *p, uint16_t today)
{
	return today >= p->valid_from && today <= p->valid_until;
}

/* Properties that hold for every verdict, whatever the input. */
static void
check_verdict(const struct decision_input *in, struct verdict v)
{
	const struct person	*p = in->person;
	bool			 entry = in->dir != DIR_OUT;
	int			 fever;

	require((unsigned)v.reason < R__COUNT);
	require(reason_name(v.reason) != NULL);
	require(v.reason != R_OVERRIDE && v.reason != R_EMERGENCY);
	require(v.granted == (v.reason == R_GRANTED));
	require(v.granted ? v.actions == ACT_OPEN :
	    (v.actions & ACT_DENY) && !(v.actions & ACT_OPEN));
	require(((v.actions & ACT_ALERT) != 0) == (v.alert != ALERT_NONE));
	require(v.alert == (v.reason == R_QUARANTINE ? ALERT_QUARANTINE :
	    v.reason == R_FEVER ? ALERT_FEVER : ALERT_NONE));
	require(policy_wants_temperature(in) ==
	    (v.reason == R_NO_TEMPERATURE));

	/* A pass that does not hold, or names nobody, is refused. */
	if (in->pass == PASS_INVALID || (in->pass != PASS_NONE && p == NULL)) {
		require(v.reason == R_PASS_INVALID);
		return;
	}
	if (in->pass > PASS_USED)
		require(!v.granted);
	require(v.apb_violation == (v.granted &&
	    in->measures->anti_passback == APB_SOFT &&
	    in->presence == (entry ? PRESENCE_INSIDE : PRESENCE_OUTSIDE)));
	if (p == NULL) {
		require(v.reason == R_UNKNOWN_CARD || v.reason == R_PASS_INVALID);
		return;
	}
	if (p->flags & PF_QUARANTINE) {
		require(v.reason == R_QUARANTINE);
		return;
	}
	fever = in->measures != NULL ? in->measures->fever_centi : 3730;
	if (in->has_temp && in->temp_centi >= fever) {
		require(v.reason == R_FEVER);
		return;
	}
	if (in->pass == PASS_NONE && !valid_today(p, in->today))
		require(v.reason == R_CARD_EXPIRED ||
		    v.reason == R_CARD_NOT_YET_VALID);

	/* The entry-only rules never hold anyone inside. */
	if (v.reason == R_NOT_RESIDENT || v.reason == R_ZONE_NOT_ALLOWED ||
	    v.reason == R_NO_TEMPERATURE || v.reason == R_OUTSIDE_SCHEDULE ||
	    v.reason == R_PASS_EXPIRED || v.reason == R_PASS_NOT_YET_VALID ||
	    v.reason == R_PASS_USED)
		require(entry);

	if (!v.granted)
		return;
	if (in->pass == PASS_NONE)
		require(valid_today(p, in->today));
	else
		require(in->pass == PASS_OK || (!entry &&
		    in->pass <= PASS_USED));
	require(in->mode != NULL && in->measures != NULL);
	require(!in->mode->closed);
	require(in->lane_kind == LANE_PEDESTRIAN ? in->mode->pedestrian_open :
	    in->lane_kind == LANE_VEHICLE && in->mode->vehicle_open);
	require(p->category < CAT__COUNT &&
	    (in->mode->admit & (1u << p->category)));
	if (in->measures->refuse_outsiders &&
	    !(in->pass != PASS_NONE && in->measures->admit_passes))
		require(p->category != CAT_CONTRACTOR &&
		    p->category != CAT_VISITOR);
	if (in->measures->anti_passback == APB_HARD)
		require(in->presence != (entry ? PRESENCE_INSIDE :
		    PRESENCE_OUTSIDE));
	if (in->measures->refuse_outside_vehicles &&
	    in->lane_kind == LANE_VEHICLE)
		require(p->flags & PF_VEHICLE);
	if (in->measures->restrict_students && p->category == CAT_STUDENT)
		require(p->flags & PF_EXEMPT);
	if (entry) {
		require(in->inside < ZONES_MAX);
		require(p->home_zone == in->inside ||
		    (p->zones & (UINT32_C(1) << in->inside)));
		if (in->mode->residents_only)
			require(p->home_zone == in->inside);
		if (in->measures->temperature_check)
			require(in->has_temp);
		require(!(in->off_schedule & (1u << p->category)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bytes		 b = { data, size };
	struct mode		 mode;
	struct measures		 ms;
	struct person		 person;
	struct decision_input	 in, alt;
	struct verdict		 v, w;
	uint8_t			 nulls, bits;
	char			 name[40];
	size_t			 n;
	int			 r;

	memset(&mode, 0, sizeof mode);
	memset(&ms, 0, sizeof ms);
	memset(&person, 0, sizeof person);
	memset(&in, 0, sizeof in);

	nulls = take8(&b);
	bits = take8(&b);
	mode.closed = bits & 0x01;
	mode.pedestrian_open = bits & 0x02;
	mode.vehicle_open = bits & 0x04;
	mode.residents_only = bits & 0x08;
	ms.temperature_check = bits & 0x10;
	ms.refuse_outsiders = bits & 0x20;
	ms.refuse_outside_vehicles = bits & 0x40;
	ms.restrict_students = bits & 0x80;
	mode.admit = take8(&b);
	ms.quarantine = take8(&b) & 1;
	ms.fever_centi = (int16_t)take16(&b);

	person.uid = take32(&b);
	person.zones = take32(&b);
	person.valid_from = take16(&b);
	person.valid_until = take16(&b);
	person.category = take8(&b);
	person.home_zone = take8(&b);
	person.flags = take8(&b);

	in.inside = take8(&b);
	in.mode = (nulls & 0x01) ? NULL : &mode;
	in.measures = (nulls & 0x02) ? NULL : &ms;
	in.person = (nulls & 0x04) ? NULL : &person;
	in.lane_kind = (enum lane_kind)(take8(&b) % 3);	/* 2: unknown */
	in.dir = (enum direction)(take8(&b) % 3);	/* 2: unknown */
	in.has_temp = (nulls & 0x08) != 0;
	in.temp_centi = (int16_t)take16(&b);
	in.today = take16(&b);
	/* Read last, so that older corpus files keep their meaning. */
	in.off_schedule = take8(&b);
	in.presence = (enum presence)(take8(&b) % 4);	/* 3: unknown */
	in.pass = (enum pass_state)(take8(&b) % 7);	/* 6: unknown */
	bits = take8(&b);
	ms.anti_passback = (enum apb_mode)(bits % 4);	/* 3: unknown */
	ms.admit_passes = bits & 0x10;

	v = policy_decide(&in);
	check_verdict(&in, v);

	/* Pure: the same input gives the same verdict. */
	w = policy_decide(&in);
	require(memcmp(&v, &w, sizeof v) == 0);

	/* An unknown direction is entry, the stricter side. */
	alt = in;
	if (alt.dir != DIR_IN && alt.dir != DIR_OUT) {
		alt.dir = DIR_IN;
		w = policy_decide(&alt);
		require(w.reason == v.reason);
	}

	/* The agent's second call: a normal reading then admits. */
	if (v.reason == R_NO_TEMPERATURE) {
		alt = in;
		alt.has_temp = true;
		alt.temp_centi = ms.fever_centi - 1;
		w = policy_decide(&alt);
		check_verdict(&alt, w);
		require(w.granted);
	}

	/* Whatever is left is a name: it must read back or be unknown. */
	n = b.left < sizeof name - 1 ? b.left : sizeof name - 1;
	memcpy(name, b.p, n);
	name[n] = '\0';
	r = reason_from_name(name);
	require(r == -1 || strcmp(reason_name(r), name) == 0);
	r = category_from_name(name);
	require(r == -1 || strcmp(category_name(r), name) == 0);
	return 0;
}
