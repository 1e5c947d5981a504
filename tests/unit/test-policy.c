/*
 * test-policy.c: the decision function against a table of cases.  Each row
 * is one passage and the verdict it must get; rows in pairs or threes
 * prove the order of the checks, not only each check alone.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "agent.h"
#include "unit.h"

#define DAY		20000		/* "today" of the table: 2024-10-04 */
#define Z_MAIN		0		/* the gate's inside zone */
#define Z_EAST		1		/* another campus zone */
#define Z_TOP		31		/* the highest zone a bitmask holds */
#define BIT(z)		(UINT32_C(1) << (z))

/* Modes a row may name; the built-ins are looked up by name. */
enum row_mode { M_OPEN, M_CLOSED, M_PED, M_RES, M_STAFF, M_NULL, M__COUNT };

/* Measures a row may name. */
enum row_measures {
	MS_DEFAULT,	/* policy_default_measures: all off */
	MS_NULL,	/* unknown level */
	MS_TEMP,	/* temperature check on entry */
	MS_OUTSIDERS,	/* refuse contractors and visitors */
	MS_VEHICLES,	/* refuse unregistered vehicles */
	MS_STUDENTS,	/* restrict students */
	MS_ALL,		/* all of the above */
	MS_FEVER38,	/* threshold 38.00 C instead of 37.30 C */
	MS_NOQ,		/* quarantine=false, which must change nothing */
	MS_APB_SOFT,	/* anti-passback: granted, a violation journaled */
	MS_APB_HARD,	/* anti-passback: refused */
	MS_APB_TEMP,	/* hard anti-passback and a temperature check */
	MS_PASSES,	/* refuse outsiders, but admit passes */
	MS__COUNT
};

/* A person valid from DAY-100 to DAY+100. */
#define P(cat, fl, zn, home) { .category = (cat), .flags = (fl),	\
	.zones = (zn), .home_zone = (home), .valid_from = DAY - 100,	\
	.valid_until = DAY + 100 }
#define STAFF		P(CAT_STAFF, 0, BIT(Z_MAIN), ZONE_NONE)
#define STAFF_CAR	P(CAT_STAFF, PF_VEHICLE, BIT(Z_MAIN), ZONE_NONE)
#define STUDENT		P(CAT_STUDENT, 0, BIT(Z_MAIN), Z_MAIN)
#define STUDENT_EAST	P(CAT_STUDENT, 0, BIT(Z_MAIN), Z_EAST)
#define RESIDENT	P(CAT_RESIDENT, 0, 0, Z_MAIN)
#define RESIDENT_CAR	P(CAT_RESIDENT, PF_VEHICLE, 0, Z_MAIN)
#define CONTRACTOR	P(CAT_CONTRACTOR, 0, BIT(Z_MAIN), ZONE_NONE)
#define VISITOR		P(CAT_VISITOR, 0, BIT(Z_MAIN), ZONE_NONE)
#define QUARANTINED	P(CAT_STAFF, PF_QUARANTINE, BIT(Z_MAIN), ZONE_NONE)
#define EXPIRED		{ .category = CAT_STAFF, .zones = BIT(Z_MAIN),	\
	.home_zone = ZONE_NONE, .valid_from = DAY - 100,		\
	.valid_until = DAY - 1 }
#define EXPIRED_Q	{ .category = CAT_STAFF, .flags = PF_QUARANTINE,\
	.zones = BIT(Z_MAIN), .home_zone = ZONE_NONE,			\
	.valid_from = DAY - 100, .valid_until = DAY - 1 }
#define FUTURE		{ .category = CAT_STAFF, .zones = BIT(Z_MAIN),	\
	.home_zone = ZONE_NONE, .valid_from = DAY + 1,			\
	.valid_until = DAY + 100 }

/* The expected verdicts. */
#define GRANT		.granted = true, .reason = R_GRANTED, .actions = ACT_OPEN
#define GRANT_APBV	GRANT, .apbv = true
#define OFF(cat)	.off = (uint8_t)(1u << (cat))
#define DENY(r)		.reason = (r), .actions = ACT_DENY
#define ALERT(r, a)	.reason = (r), .actions = ACT_DENY | ACT_ALERT, \
			.alert = (a)

/*
 * One case.  Zero is a sensible default for every field: mode open,
 * default measures, pedestrian lane, entry, no temperature, today is DAY
 * (day is an offset from it) and the gate's inside zone is Z_MAIN.
 */
struct row {
	const char		*desc;
	enum row_mode		 mode;
	enum row_measures	 ms;
	bool			 nocard;
	struct person		 p;
	enum lane_kind		 lane;
	enum direction		 dir;
	bool			 has_temp;
	int			 temp;
	int			 day;
	uint8_t			 inside;
	uint8_t			 off;		/* off_schedule */
	enum presence		 presence;
	enum pass_state		 pass;

	bool			 granted;
	enum reason		 reason;
	unsigned		 actions;
	enum alert_kind		 alert;
	bool			 apbv;		/* apb_violation */
};

static const struct row rows[] = {
	/* Unknown card. */
	{ "unknown card, open gate", .nocard = true,
	  DENY(R_UNKNOWN_CARD) },
	{ "unknown card, closed gate", .mode = M_CLOSED, .nocard = true,
	  DENY(R_UNKNOWN_CARD) },
	{ "unknown card, fever reading", .nocard = true, .has_temp = true,
	  .temp = 3900, DENY(R_UNKNOWN_CARD) },

	/* Every category passes an open gate with nothing switched on. */
	{ "staff in, open", .p = STAFF, GRANT },
	{ "staff out, open", .p = STAFF, .dir = DIR_OUT, GRANT },
	{ "student in, open", .p = STUDENT, GRANT },
	{ "resident in by home zone, open", .p = RESIDENT, GRANT },
	{ "contractor in, open", .p = CONTRACTOR, GRANT },
	{ "visitor in, open", .p = VISITOR, GRANT },
	{ "staff in, open, vehicle lane", .p = STAFF, .lane = LANE_VEHICLE,
	  GRANT },
	{ "observation flag alone admits", .p = P(CAT_STAFF, PF_OBSERVATION,
	  BIT(Z_MAIN), ZONE_NONE), GRANT },

	/* Quarantine: first after the card, everywhere, both ways. */
	{ "quarantine in", .p = QUARANTINED,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine out", .p = QUARANTINED, .dir = DIR_OUT,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine at a closed gate", .mode = M_CLOSED, .p = QUARANTINED,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine beats expired", .p = EXPIRED_Q,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine with measures.quarantine off", .ms = MS_NOQ,
	  .p = QUARANTINED, ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine with unknown level", .ms = MS_NULL, .p = QUARANTINED,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine with unknown mode", .mode = M_NULL, .p = QUARANTINED,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine beats fever", .p = QUARANTINED, .has_temp = true,
	  .temp = 3900, ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "quarantine beats pedestrian-only vehicle lane", .mode = M_PED,
	  .p = QUARANTINED, .lane = LANE_VEHICLE,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },

	/* Fever: threshold inclusive, every mode, both ways. */
	{ "fever exactly at 37.30", .p = STAFF, .has_temp = true,
	  .temp = 3730, ALERT(R_FEVER, ALERT_FEVER) },
	{ "one centi below 37.30 passes", .p = STAFF, .has_temp = true,
	  .temp = 3729, GRANT },
	{ "fever on the way out", .p = STAFF, .dir = DIR_OUT,
	  .has_temp = true, .temp = 3800, ALERT(R_FEVER, ALERT_FEVER) },
	{ "fever at a closed gate", .mode = M_CLOSED, .p = STAFF,
	  .has_temp = true, .temp = 3800, ALERT(R_FEVER, ALERT_FEVER) },
	{ "fever beats expired", .p = EXPIRED, .has_temp = true,
	  .temp = 3800, ALERT(R_FEVER, ALERT_FEVER) },
	{ "fever beats outsider-refused", .ms = MS_OUTSIDERS, .p = VISITOR,
	  .has_temp = true, .temp = 3800, ALERT(R_FEVER, ALERT_FEVER) },
	{ "level threshold 38.00: 37.99 passes", .ms = MS_FEVER38,
	  .p = STAFF, .has_temp = true, .temp = 3799, GRANT },
	{ "level threshold 38.00: 38.00 denies", .ms = MS_FEVER38,
	  .p = STAFF, .has_temp = true, .temp = 3800,
	  ALERT(R_FEVER, ALERT_FEVER) },
	{ "unknown level: fever at 37.30 still", .ms = MS_NULL, .p = STAFF,
	  .has_temp = true, .temp = 3730, ALERT(R_FEVER, ALERT_FEVER) },
	{ "unknown level: 37.29 is gate-closed", .ms = MS_NULL, .p = STAFF,
	  .has_temp = true, .temp = 3729, DENY(R_GATE_CLOSED) },
	{ "unknown mode: fever still", .mode = M_NULL, .p = STAFF,
	  .has_temp = true, .temp = 4000, ALERT(R_FEVER, ALERT_FEVER) },

	/* Card dates: both bounds inclusive. */
	{ "valid_from day itself", .p = FUTURE, .day = 1, GRANT },
	{ "day before valid_from", .p = FUTURE, DENY(R_CARD_NOT_YET_VALID) },
	{ "valid_until day itself", .p = EXPIRED, .day = -1, GRANT },
	{ "day after valid_until", .p = EXPIRED, DENY(R_CARD_EXPIRED) },
	{ "expired on the way out", .p = EXPIRED, .dir = DIR_OUT,
	  DENY(R_CARD_EXPIRED) },
	{ "expired at a closed gate", .mode = M_CLOSED, .p = EXPIRED,
	  DENY(R_CARD_EXPIRED) },
	{ "not yet valid with unknown mode", .mode = M_NULL, .p = FUTURE,
	  DENY(R_CARD_NOT_YET_VALID) },
	{ "expired beats no-temperature", .ms = MS_TEMP, .p = EXPIRED,
	  DENY(R_CARD_EXPIRED) },

	/* Gate closed, unknown mode, unknown level. */
	{ "closed gate, staff in", .mode = M_CLOSED, .p = STAFF,
	  DENY(R_GATE_CLOSED) },
	{ "closed gate, staff out", .mode = M_CLOSED, .p = STAFF,
	  .dir = DIR_OUT, DENY(R_GATE_CLOSED) },
	{ "closed gate beats lane-closed", .mode = M_CLOSED, .p = STAFF,
	  .lane = LANE_VEHICLE, DENY(R_GATE_CLOSED) },
	{ "closed gate beats no-temperature", .mode = M_CLOSED,
	  .ms = MS_TEMP, .p = STAFF, DENY(R_GATE_CLOSED) },
	{ "unknown mode", .mode = M_NULL, .p = STAFF, DENY(R_GATE_CLOSED) },
	{ "unknown level", .ms = MS_NULL, .p = STAFF, DENY(R_GATE_CLOSED) },
	{ "unknown level, on the way out", .ms = MS_NULL, .p = STAFF,
	  .dir = DIR_OUT, DENY(R_GATE_CLOSED) },

	/* Lanes. */
	{ "pedestrian-only: pedestrian lane", .mode = M_PED, .p = STAFF,
	  GRANT },
	{ "pedestrian-only: vehicle lane in", .mode = M_PED, .p = STAFF_CAR,
	  .lane = LANE_VEHICLE, DENY(R_LANE_CLOSED) },
	{ "pedestrian-only: vehicle lane out", .mode = M_PED,
	  .p = STAFF_CAR, .lane = LANE_VEHICLE, .dir = DIR_OUT,
	  DENY(R_LANE_CLOSED) },
	{ "lane-closed beats category", .mode = M_STAFF, .p = VISITOR,
	  .lane = LANE_VEHICLE, DENY(R_LANE_CLOSED) },
	{ "unknown lane kind stays shut", .p = STAFF,
	  .lane = (enum lane_kind)7, DENY(R_LANE_CLOSED) },

	/* A custom mode: staff-only, pedestrians only. */
	{ "staff-only: staff in", .mode = M_STAFF, .p = STAFF, GRANT },
	{ "staff-only: student in", .mode = M_STAFF, .p = STUDENT,
	  DENY(R_CATEGORY_NOT_ADMITTED) },
	{ "staff-only: student out", .mode = M_STAFF, .p = STUDENT,
	  .dir = DIR_OUT, DENY(R_CATEGORY_NOT_ADMITTED) },
	{ "category beats outsider-refused", .mode = M_STAFF,
	  .ms = MS_OUTSIDERS, .p = VISITOR, DENY(R_CATEGORY_NOT_ADMITTED) },
	{ "unknown category is not admitted", .p = P(9, 0, BIT(Z_MAIN),
	  ZONE_NONE), DENY(R_CATEGORY_NOT_ADMITTED) },

	/* Refuse outsiders. */
	{ "outsiders: visitor in", .ms = MS_OUTSIDERS, .p = VISITOR,
	  DENY(R_OUTSIDER_REFUSED) },
	{ "outsiders: contractor in", .ms = MS_OUTSIDERS, .p = CONTRACTOR,
	  DENY(R_OUTSIDER_REFUSED) },
	{ "outsiders: visitor out", .ms = MS_OUTSIDERS, .p = VISITOR,
	  .dir = DIR_OUT, DENY(R_OUTSIDER_REFUSED) },
	{ "outsiders: exemption does not lift it", .ms = MS_OUTSIDERS,
	  .p = P(CAT_VISITOR, PF_EXEMPT, BIT(Z_MAIN), ZONE_NONE),
	  DENY(R_OUTSIDER_REFUSED) },
	{ "outsiders: staff passes", .ms = MS_OUTSIDERS, .p = STAFF, GRANT },
	{ "outsiders: resident passes", .ms = MS_OUTSIDERS, .p = RESIDENT,
	  GRANT },
	{ "outsider beats vehicle rule", .ms = MS_ALL, .p = VISITOR,
	  .lane = LANE_VEHICLE, .has_temp = true, .temp = 3650,
	  DENY(R_OUTSIDER_REFUSED) },
	{ "outsider beats no-temperature", .ms = MS_ALL, .p = CONTRACTOR,
	  DENY(R_OUTSIDER_REFUSED) },

	/* Refuse unregistered vehicles. */
	{ "vehicles: unregistered in", .ms = MS_VEHICLES, .p = STAFF,
	  .lane = LANE_VEHICLE, DENY(R_VEHICLE_NOT_REGISTERED) },
	{ "vehicles: unregistered out", .ms = MS_VEHICLES, .p = STAFF,
	  .lane = LANE_VEHICLE, .dir = DIR_OUT,
	  DENY(R_VEHICLE_NOT_REGISTERED) },
	{ "vehicles: registered in", .ms = MS_VEHICLES, .p = STAFF_CAR,
	  .lane = LANE_VEHICLE, GRANT },
	{ "vehicles: on foot needs no vehicle", .ms = MS_VEHICLES,
	  .p = STAFF, GRANT },
	{ "vehicles off: unregistered passes", .p = STAFF,
	  .lane = LANE_VEHICLE, GRANT },
	{ "vehicle rule beats student rule", .ms = MS_ALL, .p = STUDENT,
	  .lane = LANE_VEHICLE, DENY(R_VEHICLE_NOT_REGISTERED) },
	{ "vehicles: visitor allowed when outsiders off", .ms = MS_VEHICLES,
	  .p = P(CAT_VISITOR, PF_VEHICLE, BIT(Z_MAIN), ZONE_NONE),
	  .lane = LANE_VEHICLE, GRANT },

	/* Restrict students. */
	{ "students: in", .ms = MS_STUDENTS, .p = STUDENT,
	  DENY(R_STUDENT_MOVEMENT_RESTRICTED) },
	{ "students: out", .ms = MS_STUDENTS, .p = STUDENT, .dir = DIR_OUT,
	  DENY(R_STUDENT_MOVEMENT_RESTRICTED) },
	{ "students: exempt student in", .ms = MS_STUDENTS,
	  .p = P(CAT_STUDENT, PF_EXEMPT, BIT(Z_MAIN), Z_MAIN), GRANT },
	{ "students: staff unaffected", .ms = MS_STUDENTS, .p = STAFF,
	  GRANT },
	{ "students: resident unaffected", .ms = MS_STUDENTS, .p = RESIDENT,
	  GRANT },
	{ "student rule beats not-resident", .mode = M_RES,
	  .ms = MS_STUDENTS, .p = STUDENT_EAST,
	  DENY(R_STUDENT_MOVEMENT_RESTRICTED) },
	{ "student rule beats no-temperature", .ms = MS_ALL, .p = STUDENT,
	  DENY(R_STUDENT_MOVEMENT_RESTRICTED) },

	/* Residents only: entry only. */
	{ "residents-only: resident in", .mode = M_RES, .p = RESIDENT,
	  GRANT },
	{ "residents-only: resident by car", .mode = M_RES,
	  .p = RESIDENT_CAR, .lane = LANE_VEHICLE, GRANT },
	{ "residents-only: student living inside", .mode = M_RES,
	  .p = STUDENT, GRANT },
	{ "residents-only: staff in", .mode = M_RES, .p = STAFF,
	  DENY(R_NOT_RESIDENT) },
	{ "residents-only: staff out is never trapped", .mode = M_RES,
	  .p = STAFF, .dir = DIR_OUT, GRANT },
	{ "residents-only: home elsewhere", .mode = M_RES,
	  .p = STUDENT_EAST, DENY(R_NOT_RESIDENT) },
	{ "residents-only: no home, gate zone unknown", .mode = M_RES,
	  .p = STAFF, .inside = ZONE_NONE, DENY(R_NOT_RESIDENT) },
	{ "not-resident beats zone-not-allowed", .mode = M_RES,
	  .p = P(CAT_STAFF, 0, 0, Z_EAST), DENY(R_NOT_RESIDENT) },
	{ "unknown direction is treated as entry", .mode = M_RES, .p = STAFF,
	  .dir = (enum direction)5, DENY(R_NOT_RESIDENT) },

	/* Zones: entry only. */
	{ "zones: not allowed in", .p = P(CAT_STAFF, 0, BIT(Z_EAST),
	  ZONE_NONE), DENY(R_ZONE_NOT_ALLOWED) },
	{ "zones: not allowed, out passes", .p = P(CAT_STAFF, 0, BIT(Z_EAST),
	  ZONE_NONE), .dir = DIR_OUT, GRANT },
	{ "zones: home zone stands for the bit", .p = RESIDENT, GRANT },
	{ "zones: gate zone unknown", .p = P(CAT_STAFF, 0, UINT32_MAX,
	  ZONE_NONE), .inside = ZONE_NONE, DENY(R_ZONE_NOT_ALLOWED) },
	{ "zones: gate zone unknown, home unknown", .p = P(CAT_RESIDENT, 0,
	  UINT32_MAX, ZONE_NONE), .inside = ZONE_NONE,
	  DENY(R_ZONE_NOT_ALLOWED) },
	{ "zones: gate zone unknown, out passes", .p = STAFF,
	  .inside = ZONE_NONE, .dir = DIR_OUT, GRANT },
	{ "zones: highest zone id", .p = P(CAT_STAFF, 0, BIT(Z_TOP),
	  ZONE_NONE), .inside = Z_TOP, GRANT },
	{ "zones: highest zone id, not allowed", .p = P(CAT_STAFF, 0,
	  BIT(Z_TOP) - 1, ZONE_NONE), .inside = Z_TOP,
	  DENY(R_ZONE_NOT_ALLOWED) },
	{ "zones: id past the bitmask", .p = P(CAT_STAFF, 0, UINT32_MAX, 40),
	  .inside = 40, DENY(R_ZONE_NOT_ALLOWED) },
	{ "zone-not-allowed beats no-temperature", .ms = MS_TEMP,
	  .p = P(CAT_STAFF, 0, BIT(Z_EAST), ZONE_NONE),
	  DENY(R_ZONE_NOT_ALLOWED) },

	/* Temperature check on entry: the last step. */
	{ "temperature: none yet", .ms = MS_TEMP, .p = STAFF,
	  DENY(R_NO_TEMPERATURE) },
	{ "temperature: normal reading", .ms = MS_TEMP, .p = STAFF,
	  .has_temp = true, .temp = 3650, GRANT },
	{ "temperature: fever", .ms = MS_TEMP, .p = STAFF, .has_temp = true,
	  .temp = 3731, ALERT(R_FEVER, ALERT_FEVER) },
	{ "temperature: not asked on the way out", .ms = MS_TEMP,
	  .p = STAFF, .dir = DIR_OUT, GRANT },
	{ "temperature: check off, none needed", .p = STAFF, GRANT },
	{ "temperature: every measure, registered car", .ms = MS_ALL,
	  .p = STAFF_CAR, .lane = LANE_VEHICLE, DENY(R_NO_TEMPERATURE) },
	{ "temperature: every measure, reading given", .ms = MS_ALL,
	  .p = STAFF_CAR, .lane = LANE_VEHICLE, .has_temp = true,
	  .temp = 3600, GRANT },
	{ "temperature: residents-only resident", .mode = M_RES,
	  .ms = MS_TEMP, .p = RESIDENT, DENY(R_NO_TEMPERATURE) },

	/* A category limited to a schedule: refused outside it on entry,
	 * after the zones and before the temperature; never kept in. */
	{ "schedule: contractor off hours", .p = CONTRACTOR,
	  OFF(CAT_CONTRACTOR), DENY(R_OUTSIDE_SCHEDULE) },
	{ "schedule: contractor off hours may leave", .p = CONTRACTOR,
	  OFF(CAT_CONTRACTOR), .dir = DIR_OUT, GRANT },
	{ "schedule: another category's limit", .p = STAFF,
	  OFF(CAT_CONTRACTOR), GRANT },
	{ "schedule: closed gate first", .mode = M_CLOSED, .p = CONTRACTOR,
	  OFF(CAT_CONTRACTOR), DENY(R_GATE_CLOSED) },
	{ "schedule: zone first", .p = P(CAT_CONTRACTOR, 0, BIT(Z_EAST),
	  ZONE_NONE), OFF(CAT_CONTRACTOR), DENY(R_ZONE_NOT_ALLOWED) },
	{ "schedule: before the temperature", .ms = MS_TEMP,
	  .p = CONTRACTOR, OFF(CAT_CONTRACTOR), DENY(R_OUTSIDE_SCHEDULE) },
	{ "schedule: quarantine first", .p = P(CAT_CONTRACTOR,
	  PF_QUARANTINE, BIT(Z_MAIN), ZONE_NONE), OFF(CAT_CONTRACTOR),
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "schedule: outsiders refused first", .ms = MS_OUTSIDERS,
	  .p = CONTRACTOR, OFF(CAT_CONTRACTOR), DENY(R_OUTSIDER_REFUSED) },

	/* Anti-passback: in twice or out twice. */
	{ "apb hard: in twice", .ms = MS_APB_HARD, .p = STAFF,
	  .presence = PRESENCE_INSIDE, DENY(R_ANTI_PASSBACK) },
	{ "apb hard: out twice", .ms = MS_APB_HARD, .p = STAFF,
	  .dir = DIR_OUT, .presence = PRESENCE_OUTSIDE,
	  DENY(R_ANTI_PASSBACK) },
	{ "apb hard: in after out", .ms = MS_APB_HARD, .p = STAFF,
	  .presence = PRESENCE_OUTSIDE, GRANT },
	{ "apb hard: out after in", .ms = MS_APB_HARD, .p = STAFF,
	  .dir = DIR_OUT, .presence = PRESENCE_INSIDE, GRANT },
	{ "apb hard: first passage", .ms = MS_APB_HARD, .p = STAFF, GRANT },
	{ "apb hard: closed gate first", .mode = M_CLOSED,
	  .ms = MS_APB_HARD, .p = STAFF, .presence = PRESENCE_INSIDE,
	  DENY(R_GATE_CLOSED) },
	{ "apb hard: quarantine first", .ms = MS_APB_HARD,
	  .p = QUARANTINED, .presence = PRESENCE_INSIDE,
	  ALERT(R_QUARANTINE, ALERT_QUARANTINE) },
	{ "apb hard: students first", .ms = MS_ALL, .p = STUDENT,
	  .presence = PRESENCE_INSIDE, DENY(R_STUDENT_MOVEMENT_RESTRICTED) },
	{ "apb hard: before the zones", .ms = MS_APB_HARD,
	  .p = P(CAT_STAFF, 0, BIT(Z_EAST), ZONE_NONE),
	  .presence = PRESENCE_INSIDE, DENY(R_ANTI_PASSBACK) },
	{ "apb hard: before the temperature", .ms = MS_APB_TEMP,
	  .p = STAFF, .presence = PRESENCE_INSIDE, DENY(R_ANTI_PASSBACK) },
	{ "apb hard: off, in twice", .p = STAFF,
	  .presence = PRESENCE_INSIDE, GRANT },
	{ "apb soft: in twice is a violation", .ms = MS_APB_SOFT,
	  .p = STAFF, .presence = PRESENCE_INSIDE, GRANT_APBV },
	{ "apb soft: out twice is a violation", .ms = MS_APB_SOFT,
	  .p = STAFF, .dir = DIR_OUT, .presence = PRESENCE_OUTSIDE,
	  GRANT_APBV },
	{ "apb soft: in after out", .ms = MS_APB_SOFT, .p = STAFF,
	  .presence = PRESENCE_OUTSIDE, GRANT },
	{ "apb soft: refused anyway, no violation", .mode = M_CLOSED,
	  .ms = MS_APB_SOFT, .p = STAFF, .presence = PRESENCE_INSIDE,
	  DENY(R_GATE_CLOSED) },

	/* Visitor passes: the signature, the window and the uses. */
	{ "pass: invalid, nobody", .nocard = true, .pass = PASS_INVALID,
	  DENY(R_PASS_INVALID) },
	{ "pass: invalid even with a person", .p = VISITOR,
	  .pass = PASS_INVALID, DENY(R_PASS_INVALID) },
	{ "pass: ok, nobody behind it", .nocard = true, .pass = PASS_OK,
	  DENY(R_PASS_INVALID) },
	{ "pass: ok", .p = VISITOR, .pass = PASS_OK, GRANT },
	{ "pass: its window, not card days", .p = EXPIRED, .pass = PASS_OK,
	  GRANT },
	{ "pass: expired", .p = VISITOR, .pass = PASS_EXPIRED,
	  DENY(R_PASS_EXPIRED) },
	{ "pass: expired may leave", .p = VISITOR, .pass = PASS_EXPIRED,
	  .dir = DIR_OUT, GRANT },
	{ "pass: not yet valid", .p = VISITOR, .pass = PASS_NOT_YET_VALID,
	  DENY(R_PASS_NOT_YET_VALID) },
	{ "pass: not yet valid may leave", .p = VISITOR,
	  .pass = PASS_NOT_YET_VALID, .dir = DIR_OUT, GRANT },
	{ "pass: used up", .p = VISITOR, .pass = PASS_USED,
	  DENY(R_PASS_USED) },
	{ "pass: used up may leave", .p = VISITOR, .pass = PASS_USED,
	  .dir = DIR_OUT, GRANT },
	{ "pass: fever first", .p = VISITOR, .pass = PASS_EXPIRED,
	  .has_temp = true, .temp = 3800, ALERT(R_FEVER, ALERT_FEVER) },
	{ "pass: closed gate", .mode = M_CLOSED, .p = VISITOR,
	  .pass = PASS_OK, DENY(R_GATE_CLOSED) },
	{ "pass: outsiders refused", .ms = MS_OUTSIDERS, .p = VISITOR,
	  .pass = PASS_OK, DENY(R_OUTSIDER_REFUSED) },
	{ "pass: the level admits passes", .ms = MS_PASSES, .p = VISITOR,
	  .pass = PASS_OK, GRANT },
	{ "pass: a card is no pass", .ms = MS_PASSES, .p = VISITOR,
	  DENY(R_OUTSIDER_REFUSED) },
	{ "pass: its zones", .p = P(CAT_VISITOR, 0, BIT(Z_EAST), ZONE_NONE),
	  .pass = PASS_OK, DENY(R_ZONE_NOT_ALLOWED) },
	{ "pass: a contractor's, off hours", .p = CONTRACTOR,
	  .pass = PASS_OK, OFF(CAT_CONTRACTOR), DENY(R_OUTSIDE_SCHEDULE) },
};

#define NROWS	(sizeof rows / sizeof rows[0])

static struct mode	 modes[M__COUNT];
static const struct mode *mode_ptr[M__COUNT];
static struct measures	 measures[MS__COUNT];
static const struct measures *measures_ptr[MS__COUNT];

static const struct mode *
builtin(const char *name)
{
	int	i;

	for (i = 0; i < policy_builtin_mode_count; i++) {
		if (strcmp(policy_builtin_modes[i].name, name) == 0)
			return &policy_builtin_modes[i];
	}
	return NULL;
}

/* Fills the mode and measures tables the rows name. */
static void
setup(void)
{
	struct measures	*m;
	int		 i;

	mode_ptr[M_OPEN] = builtin("open");
	mode_ptr[M_CLOSED] = builtin("closed");
	mode_ptr[M_PED] = builtin("pedestrian-only");
	mode_ptr[M_RES] = builtin("residents-only");
	check(mode_ptr[M_OPEN] != NULL && mode_ptr[M_CLOSED] != NULL &&
	    mode_ptr[M_PED] != NULL && mode_ptr[M_RES] != NULL,
	    "setup: every built-in mode found by name");
	snprintf(modes[M_STAFF].name, sizeof modes[M_STAFF].name,
	    "staff-only");
	modes[M_STAFF].pedestrian_open = true;
	modes[M_STAFF].admit = 1u << CAT_STAFF;
	mode_ptr[M_STAFF] = &modes[M_STAFF];
	mode_ptr[M_NULL] = NULL;

	for (i = 0; i < MS__COUNT; i++) {
		policy_default_measures(&measures[i]);
		measures_ptr[i] = &measures[i];
	}
	measures_ptr[MS_NULL] = NULL;
	measures[MS_TEMP].temperature_check = true;
	measures[MS_OUTSIDERS].refuse_outsiders = true;
	measures[MS_VEHICLES].refuse_outside_vehicles = true;
	measures[MS_STUDENTS].restrict_students = true;
	m = &measures[MS_ALL];
	m->temperature_check = true;
	m->refuse_outsiders = true;
	m->refuse_outside_vehicles = true;
	m->restrict_students = true;
	measures[MS_FEVER38].fever_centi = 3800;
	measures[MS_NOQ].quarantine = false;
	measures[MS_APB_SOFT].anti_passback = APB_SOFT;
	measures[MS_APB_HARD].anti_passback = APB_HARD;
	measures[MS_APB_TEMP].anti_passback = APB_HARD;
	measures[MS_APB_TEMP].temperature_check = true;
	measures[MS_PASSES].refuse_outsiders = true;
	measures[MS_PASSES].admit_passes = true;
}

static void
row_input(const struct row *r, struct decision_input *in)
{
	memset(in, 0, sizeof *in);
	in->inside = r->inside;
	in->mode = mode_ptr[r->mode];
	in->measures = measures_ptr[r->ms];
	in->person = r->nocard ? NULL : &r->p;
	in->lane_kind = r->lane;
	in->dir = r->dir;
	in->has_temp = r->has_temp;
	in->temp_centi = r->temp;
	in->today = (uint16_t)(DAY + r->day);
	in->off_schedule = r->off;
	in->presence = r->presence;
	in->pass = r->pass;
}

static void
test_rows(void)
{
	const struct row	*r;
	struct decision_input	 in, copy;
	struct verdict		 v;
	bool			 seen[R__COUNT] = { false };
	size_t			 i;
	int			 k;

	for (i = 0; i < NROWS; i++) {
		r = &rows[i];
		row_input(r, &in);
		copy = in;
		v = policy_decide(&in);
		check(v.granted == r->granted && v.reason == r->reason &&
		    v.actions == r->actions && v.alert == r->alert &&
		    v.apb_violation == r->apbv,
		    "row %zu %s: %s %s actions %#x alert %s%s", i, r->desc,
		    v.granted ? "granted" : "denied", reason_name(v.reason),
		    v.actions, alert_kind_name(v.alert),
		    v.apb_violation ? " apb-violation" : "");
		check(policy_wants_temperature(&in) ==
		    (v.reason == R_NO_TEMPERATURE) &&
		    policy_wants_temperature(&in) ==
		    (r->reason == R_NO_TEMPERATURE),
		    "row %zu %s: wants_temperature agrees", i, r->desc);
		check(memcmp(&in, &copy, sizeof in) == 0,
		    "row %zu %s: input untouched", i, r->desc);
		seen[r->reason] = true;

		/* The agent's second call, once the thermometer answers. */
		if (r->reason == R_NO_TEMPERATURE) {
			in.has_temp = true;
			in.temp_centi = 3650;
			v = policy_decide(&in);
			check(v.granted && !policy_wants_temperature(&in),
			    "row %zu %s: normal reading then admits", i,
			    r->desc);
			in.temp_centi = 3900;
			v = policy_decide(&in);
			check(v.reason == R_FEVER && v.alert == ALERT_FEVER,
			    "row %zu %s: fever reading then alerts", i,
			    r->desc);
		}
	}

	/* The table must exercise every reason decide can give. */
	for (k = 0; k < R__COUNT; k++) {
		if (k == R_OVERRIDE || k == R_EMERGENCY)
			continue;
		check(seen[k], "table covers reason %s", reason_name(k));
	}
}

static void
test_builtin_modes(void)
{
	const struct mode	*m;
	int			 i, j;

	check(policy_builtin_mode_count == 4, "four built-in modes");
	for (i = 0; i < policy_builtin_mode_count; i++) {
		check(policy_builtin_modes[i].builtin, "mode %s is builtin",
		    policy_builtin_modes[i].name);
		for (j = 0; j < i; j++)
			check(strcmp(policy_builtin_modes[i].name,
			    policy_builtin_modes[j].name) != 0,
			    "modes %d and %d have different names", i, j);
	}
	m = mode_ptr[M_OPEN];
	check(m != NULL && !m->closed && m->pedestrian_open &&
	    m->vehicle_open && !m->residents_only && m->admit == CAT_ALL,
	    "open: everything open, all categories");
	m = mode_ptr[M_CLOSED];
	check(m != NULL && m->closed, "closed: closed");
	m = mode_ptr[M_PED];
	check(m != NULL && !m->closed && m->pedestrian_open &&
	    !m->vehicle_open && !m->residents_only && m->admit == CAT_ALL,
	    "pedestrian-only: vehicle lanes closed");
	m = mode_ptr[M_RES];
	check(m != NULL && !m->closed && m->pedestrian_open &&
	    m->vehicle_open && m->residents_only && m->admit == CAT_ALL,
	    "residents-only: both lanes, residents only, all categories");
}

static void
test_default_measures(void)
{
	struct measures	m;

	memset(&m, 0xa5, sizeof m);
	policy_default_measures(&m);
	check(!m.temperature_check && !m.refuse_outsiders &&
	    !m.refuse_outside_vehicles && !m.restrict_students,
	    "default measures: all off");
	check(m.quarantine, "default measures: quarantine on");
	check(m.fever_centi == 3730, "default measures: fever at 37.30");
}

/* Each enum's names: present, unique, and they read back. */
static void
test_names(void)
{
	const char	*a, *b;
	int		 i, j;

	for (i = 0; i < R__COUNT; i++) {
		a = reason_name(i);
		check(a != NULL && reason_from_name(a) == i,
		    "reason %d: name %s round-trips", i, a ? a : "(null)");
		for (j = 0; j < i; j++) {
			b = reason_name(j);
			check(a == NULL || b == NULL || strcmp(a, b) != 0,
			    "reasons %d and %d differ", i, j);
		}
	}
	check(strcmp(reason_name(R_CATEGORY_NOT_ADMITTED),
	    "category-not-admitted") == 0 &&
	    strcmp(reason_name(R_STUDENT_MOVEMENT_RESTRICTED),
	    "student-movement-restricted") == 0 &&
	    strcmp(reason_name(R_GRANTED), "granted") == 0,
	    "reason names are the documented ones");
	check(reason_from_name("nonsense") == -1 &&
	    reason_from_name("") == -1 && reason_from_name(NULL) == -1 &&
	    reason_from_name("Granted") == -1,
	    "unknown reason name is -1");
	check(reason_name(R__COUNT) == NULL && reason_name(-1) == NULL,
	    "reason out of range has no name");

	for (i = 0; i < CAT__COUNT; i++) {
		a = category_name(i);
		check(a != NULL && category_from_name(a) == i,
		    "category %d: name %s round-trips", i, a ? a : "(null)");
		for (j = 0; j < i; j++) {
			b = category_name(j);
			check(a == NULL || b == NULL || strcmp(a, b) != 0,
			    "categories %d and %d differ", i, j);
		}
	}
	check(category_from_name("guest") == -1 &&
	    category_from_name(NULL) == -1, "unknown category name is -1");
	check(category_name(CAT__COUNT) == NULL,
	    "category out of range has no name");

	for (i = 0; i < ALERT__COUNT; i++) {
		a = alert_kind_name(i);
		check(a != NULL, "alert kind %d has a name: %s", i,
		    a ? a : "(null)");
		for (j = 0; j < i; j++) {
			b = alert_kind_name(j);
			check(a == NULL || b == NULL || strcmp(a, b) != 0,
			    "alert kinds %d and %d differ", i, j);
		}
	}
	check(strcmp(alert_kind_name(ALERT_DOOR_HELD_OPEN),
	    "door-held-open") == 0 && strcmp(alert_kind_name(ALERT_NONE),
	    "none") == 0, "alert names are the documented ones");
	check(alert_kind_name(ALERT__COUNT) == NULL,
	    "alert kind out of range has no name");
}

int
main(void)
{
	setup();
	test_rows();
	test_builtin_modes();
	test_default_measures();
	test_names();
	return check_done();
}
