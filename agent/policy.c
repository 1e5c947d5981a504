/*
 * policy.c: the decision.  Given a card, a lane, the gate's mode and the
 * measures of the response level, say whether the lane opens and why.  It
 * is a pure function of plain data (no I/O, no clock, no state) so that it
 * can be tested from a table and fuzzed; the caller passes the day.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "agent.h"

#define FEVER_DEFAULT_CENTI	3730	/* 37.30 C */

/* Text of the reason codes: journaled and shown, so never renamed. */
static const char *const reason_names[R__COUNT] = {
	[R_GRANTED]			= "granted",
	[R_UNKNOWN_CARD]		= "unknown-card",
	[R_CARD_EXPIRED]		= "card-expired",
	[R_CARD_NOT_YET_VALID]		= "card-not-yet-valid",
	[R_GATE_CLOSED]			= "gate-closed",
	[R_LANE_CLOSED]			= "lane-closed",
	[R_NOT_RESIDENT]		= "not-resident",
	[R_ZONE_NOT_ALLOWED]		= "zone-not-allowed",
	[R_OUTSIDER_REFUSED]		= "outsider-refused",
	[R_VEHICLE_NOT_REGISTERED]	= "vehicle-not-registered",
	[R_STUDENT_MOVEMENT_RESTRICTED]	= "student-movement-restricted",
	[R_QUARANTINE]			= "quarantine",
	[R_NO_TEMPERATURE]		= "no-temperature",
	[R_FEVER]			= "fever",
	[R_OVERRIDE]			= "override",
	[R_EMERGENCY]			= "emergency",
	[R_CATEGORY_NOT_ADMITTED]	= "category-not-admitted",
	[R_OUTSIDE_SCHEDULE]		= "outside-schedule",
	[R_ANTI_PASSBACK]		= "anti-passback",
	[R_PASS_INVALID]		= "pass-invalid",
	[R_PASS_EXPIRED]		= "pass-expired",
	[R_PASS_NOT_YET_VALID]		= "pass-not-yet-valid",
	[R_PASS_USED]			= "pass-used",
};

static const char *const alert_kind_names[ALERT__COUNT] = {
	[ALERT_NONE]		= "none",
	[ALERT_QUARANTINE]	= "quarantine",
	[ALERT_FEVER]		= "fever",
	[ALERT_DOOR_FORCED]	= "door-forced",
	[ALERT_DOOR_HELD_OPEN]	= "door-held-open",
	[ALERT_DEVICE]		= "device",
	[ALERT_EMERGENCY]	= "emergency",
	[ALERT_JOURNAL]		= "journal",
	[ALERT_CLOCK]		= "clock",
};

/*
 * The modes every gate has; a config may add its own after them.  A closed
 * gate admits nobody, so its lanes and categories are all off as well: a
 * mode copied from it can never open by accident.
 */
const struct mode policy_builtin_modes[] = {
	{ .name = "open", .builtin = true, .pedestrian_open = true,
	  .vehicle_open = true, .admit = CAT_ALL },
	{ .name = "closed", .builtin = true, .closed = true },
	{ .name = "pedestrian-only", .builtin = true, .pedestrian_open = true,
	  .admit = CAT_ALL },
	{ .name = "residents-only", .builtin = true, .pedestrian_open = true,
	  .vehicle_open = true, .residents_only = true, .admit = CAT_ALL },
};
const int policy_builtin_mode_count =
    (int)(sizeof policy_builtin_modes / sizeof policy_builtin_modes[0]);

/* Looks a name up in one of the tables above: its index, or -1. */
static int
name_lookup(const char *const *names, int count, const char *name)
{
	int	i;

	if (name == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		if (names[i] != NULL && strcmp(names[i], name) == 0)
			return i;
	}
	return -1;
}

/* The name of a reason code, or NULL when the value is out of range. */
const char *
reason_name(enum reason r)
{
	if ((unsigned)r >= R__COUNT)
		return NULL;
	return reason_names[r];
}

int
reason_from_name(const char *name)
{
	return name_lookup(reason_names, R__COUNT, name);
}

/* The name of an alert kind, or NULL when the value is out of range. */
const char *
alert_kind_name(enum alert_kind k)
{
	if ((unsigned)k >= ALERT__COUNT)
		return NULL;
	return alert_kind_names[k];
}

/*
 * The measures of a level that says nothing: all off, except quarantine,
 * which is not switchable, and the usual fever threshold.
 */
void
policy_default_measures(struct measures *m)
{
	memset(m, 0, sizeof *m);
	m->quarantine = true;
	m->fever_centi = FEVER_DEFAULT_CENTI;
}

/*
 * Whether the person lives in the gate's inside zone.  An unknown zone on
 * either side (ZONE_NONE, or an id no bitmask can hold) never matches, so
 * two unknowns do not make a resident.
 */
static bool
lives_inside(const struct person *p, uint8_t inside)
{
	return inside < ZONES_MAX && p->home_zone == inside;
}

/* Whether the person's zones include the gate's inside zone. */
static bool
zone_allowed(const struct person *p, uint8_t inside)
{
	if (inside >= ZONES_MAX)
		return false;
	return (p->zones & (UINT32_C(1) << inside)) != 0;
}

/* Whether the mode lets this category through; unknown categories: no. */
static bool
category_admitted(const struct mode *mode, uint8_t category)
{
	if (category >= CAT__COUNT)
		return false;
	return (mode->admit & (1u << category)) != 0;
}

static bool
lane_open(const struct mode *mode, enum lane_kind kind)
{
	switch (kind) {
	case LANE_PEDESTRIAN:
		return mode->pedestrian_open;
	case LANE_VEHICLE:
		return mode->vehicle_open;
	}
	return false;		/* a lane kind we do not know stays shut */
}

/* Whether this passage repeats the last one: in twice, or out twice. */
static bool
passes_back(const struct decision_input *in)
{
	if (in->dir == DIR_OUT)
		return in->presence == PRESENCE_OUTSIDE;
	return in->presence == PRESENCE_INSIDE;
}

/*
 * The shown credential's own validity: a pass's window and uses, or a
 * card's days.  A pass lets its holder out whatever its window and uses
 * (a visitor kept in helps nobody); entry needs both.
 */
static enum reason
credential_check(const struct decision_input *in, bool entry)
{
	const struct person	*p = in->person;

	switch (in->pass) {
	case PASS_NONE:
		break;
	case PASS_OK:
		return R_GRANTED;
	case PASS_EXPIRED:
		return entry ? R_PASS_EXPIRED : R_GRANTED;
	case PASS_NOT_YET_VALID:
		return entry ? R_PASS_NOT_YET_VALID : R_GRANTED;
	case PASS_USED:
		return entry ? R_PASS_USED : R_GRANTED;
	default:
		return R_PASS_INVALID;
	}
	/* valid_until is the last valid day, so both bounds are inclusive. */
	if (in->today < p->valid_from)
		return R_CARD_NOT_YET_VALID;
	if (in->today > p->valid_until)
		return R_CARD_EXPIRED;
	return R_GRANTED;
}

/*
 * The chain of checks; the first that refuses gives the reason.  The order
 * is part of the contract (docs/policy.md says why for each step):
 *
 * - A pass whose signature does not hold is nobody: pass-invalid.
 * - Health first: quarantine and fever are checked before anything else,
 *   so they raise an alert in every mode and direction, even at a closed
 *   gate or with an expired card: the epidemic office must hear of them.
 * - Then the card or pass itself (its dates, window, uses), because a
 *   guard who reads "card-expired" knows what to do whatever the gate is
 *   doing.
 * - Then the gate (mode, level), the lane, and the mode's categories.
 * - Then the level's measures, from the widest (outsiders) to the
 *   narrowest (students), and anti-passback, which holds both ways.
 * - Then the entry-only rules (residents, zones, a category's schedule):
 *   leaving is never blocked by them, so nobody is trapped inside.
 * - Last, the missing temperature: the agent decides once without a
 *   reading and waits for the thermometer only when that is the one thing
 *   standing between the person and the open lane.
 *
 * A direction other than DIR_OUT is treated as entry, the stricter side.
 */
static enum reason
policy_check(const struct decision_input *in)
{
	const struct person	*p = in->person;
	const struct mode	*mode = in->mode;
	const struct measures	*ms = in->measures;
	enum reason		 r;
	int			 fever;
	bool			 entry = in->dir != DIR_OUT;
	bool			 outsider;

	if (in->pass == PASS_INVALID ||
	    (in->pass != PASS_NONE && p == NULL))
		return R_PASS_INVALID;
	if (p == NULL)
		return R_UNKNOWN_CARD;

	/* Always enforced: measures->quarantine is not consulted. */
	if (p->flags & PF_QUARANTINE)
		return R_QUARANTINE;

	fever = ms != NULL ? ms->fever_centi : FEVER_DEFAULT_CENTI;
	if (in->has_temp && in->temp_centi >= fever)
		return R_FEVER;

	if ((r = credential_check(in, entry)) != R_GRANTED)
		return r;

	/* An unknown mode or level denies: it must never open a lane. */
	if (mode == NULL || ms == NULL || mode->closed)
		return R_GATE_CLOSED;
	if (!lane_open(mode, in->lane_kind))
		return R_LANE_CLOSED;
	if (!category_admitted(mode, p->category))
		return R_CATEGORY_NOT_ADMITTED;

	/* An exemption is for students' movement; it never admits outsiders.
	 * A pass does, where the level says passes are the exception. */
	outsider = p->category == CAT_CONTRACTOR || p->category == CAT_VISITOR;
	if (ms->refuse_outsiders && outsider &&
	    !(in->pass != PASS_NONE && ms->admit_passes))
		return R_OUTSIDER_REFUSED;
	if (in->lane_kind == LANE_VEHICLE && ms->refuse_outside_vehicles &&
	    !(p->flags & PF_VEHICLE))
		return R_VEHICLE_NOT_REGISTERED;
	if (ms->restrict_students && p->category == CAT_STUDENT &&
	    !(p->flags & PF_EXEMPT))
		return R_STUDENT_MOVEMENT_RESTRICTED;
	if (ms->anti_passback == APB_HARD && passes_back(in))
		return R_ANTI_PASSBACK;

	if (!entry)
		return R_GRANTED;

	if (mode->residents_only && !lives_inside(p, in->inside))
		return R_NOT_RESIDENT;
	if (!zone_allowed(p, in->inside) && !lives_inside(p, in->inside))
		return R_ZONE_NOT_ALLOWED;
	if (p->category < 8 && (in->off_schedule & (1u << p->category)))
		return R_OUTSIDE_SCHEDULE;
	if (ms->temperature_check && !in->has_temp)
		return R_NO_TEMPERATURE;
	return R_GRANTED;
}

/* Decides one passage: what the lane does, why, and which alert. */
struct verdict
policy_decide(const struct decision_input *in)
{
	struct verdict	v;

	memset(&v, 0, sizeof v);
	v.reason = policy_check(in);
	v.alert = ALERT_NONE;
	switch (v.reason) {
	case R_GRANTED:
		v.granted = true;
		v.actions = ACT_OPEN;
		v.apb_violation = in->measures->anti_passback == APB_SOFT &&
		    passes_back(in);
		break;
	case R_QUARANTINE:
		v.actions = ACT_DENY | ACT_ALERT;
		v.alert = ALERT_QUARANTINE;
		break;
	case R_FEVER:
		v.actions = ACT_DENY | ACT_ALERT;
		v.alert = ALERT_FEVER;
		break;
	default:
		v.actions = ACT_DENY;
		break;
	}
	return v;
}

/*
 * Whether the agent should wait for the lane's thermometer: exactly when
 * a reading is the only thing missing for the person to pass.
 */
bool
policy_wants_temperature(const struct decision_input *in)
{
	return policy_check(in) == R_NO_TEMPERATURE;
}
