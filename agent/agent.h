/*
 * agent.h: the private header of gated, the gate agent.  It holds the data
 * model (gate, lanes, people, modes, levels) and the prototypes of every
 * agent file, grouped under a marker naming the file.
 */
#ifndef GATED_AGENT_H
#define GATED_AGENT_H

#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "hw.h"
#include "log.h"
#include "command.h"
#include "pass.h"
#include "people-csv.h"
#include "redact.h"
#include "schedule.h"
#include "xmalloc.h"

struct event_base;
struct evhttp_request;
struct evkeyvalq;
struct evbuffer;

#define NAME_LEN	32	/* names of gates, lanes, modes, lines: 31 chars */
#define ZONES_MAX	32	/* zone ids fit a uint32_t bitmask */
#define ZONE_NONE	0xff	/* a zone reference that points nowhere */
#define LANES_MAX	16
#define READERS_MAX	32
#define THERMS_MAX	16
#define MODES_MAX	16
#define LEVELS_MAX	8
#define LINES_MAX	64
#define DEVICES_MAX	32
#define LISTEN_MAX	8	/* [remote] listen addresses */
#define TOKENS_MAX	64	/* [token] sections */
#define SCHEDULES_MAX	16	/* [schedule] sections */
#define PASS_KEYS_MAX	8	/* [gate] pass-key lines */
#define ADMIN_KEYS_MAX	16	/* [admin-key] sections */

/* ---- the data model ---------------------------------------------------- */

/*
 * One person as the decision needs it: 24 bytes, so that 100,000 people
 * fit in a few MiB.  Names are not kept (data minimisation): the person id
 * links a journal row to the campus records.
 */
struct person {
	uint64_t	uid;		/* card uid as a number */
	uint32_t	id_off;		/* person id in the set's string pool */
	uint32_t	zones;		/* bitmask of zone ids allowed */
	uint16_t	valid_from;	/* first valid day, days since 1970 */
	uint16_t	valid_until;	/* last valid day, inclusive */
	uint8_t		category;	/* enum category */
	uint8_t		home_zone;	/* zone id or ZONE_NONE */
	uint8_t		flags;		/* enum person_flag */
	uint8_t		pad;
};

enum lane_kind { LANE_PEDESTRIAN, LANE_VEHICLE };
enum direction { DIR_IN, DIR_OUT };

/* What a mode lets through.  Built-ins: open, closed, pedestrian-only,
 * residents-only; a config may add its own. */
struct mode {
	char		name[NAME_LEN];
	bool		builtin;
	bool		closed;		/* whole gate closed: gate-closed */
	bool		pedestrian_open;
	bool		vehicle_open;
	bool		residents_only;	/* entry: home zone must be inside */
	uint32_t	admit;		/* bitmask of categories admitted */
};

/* The measures a response level switches on. */
/* Anti-passback: what a second entry (or exit) in a row does. */
enum apb_mode {
	APB_OFF,
	APB_SOFT,	/* granted, journaled as a violation */
	APB_HARD	/* denied: anti-passback */
};

struct measures {
	bool		temperature_check;	/* on entry */
	int		fever_centi;		/* threshold, 3730 = 37.30 C */
	bool		refuse_outsiders;	/* contractors and visitors */
	bool		refuse_outside_vehicles;/* no PF_VEHICLE: refused */
	bool		restrict_students;	/* students neither in nor out */
	bool		quarantine;		/* always true: not switchable */
	enum apb_mode	anti_passback;		/* in twice / out twice */
	bool		admit_passes;		/* passes pass refuse_outsiders */
};

struct level {
	int		number;
	char		name[64];
	char		mode[NAME_LEN];		/* mode the gate takes */
	struct measures	measures;
	/* The mode by time: mode inside schedule, mode_outside outside it;
	 * no schedule: mode at all hours. */
	char		schedule[NAME_LEN];
	char		mode_outside[NAME_LEN];
	/* Categories that may enter only within a schedule ("" = any time). */
	char		hours[CAT__COUNT][NAME_LEN];
	int		apb_reset_ms;		/* anti-passback forgets after */
};

/*
 * A [schedule NAME]: its windows and holidays, and the holiday file.  The
 * file's path is shorter than PATH_MAX: sixteen of those were a third of
 * the gate_conf (64 KiB for paths like /etc/gated/holidays.txt).
 */
#define HOLIDAYS_PATH_LEN	256
struct schedule_conf {
	struct schedule	sched;
	char		holidays[HOLIDAYS_PATH_LEN];	/* "" none */
};

struct lane_conf {
	char		name[NAME_LEN];
	enum lane_kind	kind;
	int		open_ms;	/* relay pulse / barrier up time */
	int		held_open_ms;	/* door held open alarm */
	int		close_timeout_ms; /* vehicle: lower after, loop clear */
	int		temp_wait_ms;	/* wait for a fresh temperature */
	char		relay[NAME_LEN];	/* pedestrian: door/turnstile */
	char		barrier_raise[NAME_LEN];	/* vehicle */
	char		barrier_lower[NAME_LEN];	/* vehicle, optional */
	char		door_contact[NAME_LEN];	/* input, optional */
	char		exit_button[NAME_LEN];	/* input, optional */
	char		open_button[NAME_LEN];	/* guard open-once, optional */
	char		loop[NAME_LEN];		/* vehicle loop detector */
	char		thermometer[NAME_LEN];	/* optional */
};

/* USB readers type dec or hex; Wiegand readers send one of the rest. */
enum card_format {
	FMT_DEC, FMT_HEX,
	FMT_W26, FMT_W34, FMT_W37, FMT_WAUTO, FMT_WRAW
};
#define FMT_WIEGAND(f)	((f) >= FMT_W26)

struct reader_conf {
	char		name[NAME_LEN];
	char		lane[NAME_LEN];
	enum direction	dir;
	enum card_format format;
	int		min_digits, max_digits;
	char		device[NAME_LEN];	/* usb device section, or "" */
	char		wiegand_d0[NAME_LEN];	/* input lines, or "" */
	char		wiegand_d1[NAME_LEN];
	long		facility;		/* Wiegand: -1 any */
	int		bit_gap_ms;		/* Wiegand: a frame has ended */
};

struct thermometer_conf {
	char		name[NAME_LEN];
	char		lane[NAME_LEN];
	int		offset_centi;		/* calibration, added */
	char		device[NAME_LEN];	/* usb device section, or "" */
};

/* Who a token may be: each role may do what the one before may, and more. */
enum role { ROLE_VIEWER, ROLE_GUARD, ROLE_ADMIN, ROLE__COUNT };

/* The TLS listener of the remote API: a [remote] section. */
struct remote_conf {
	bool		enabled;		/* the section is there */
	int		listen_count;
	char		listen[LISTEN_MAX][64];	/* "127.0.0.1:8443" "[::1]:8443" */
	char		certificate[PATH_MAX];	/* PEM chain, server first */
	char		key[PATH_MAX];		/* PEM private key */
	char		client_ca[PATH_MAX];	/* "" or: client certs required */
	char		console[PATH_MAX];	/* the console's files, or "" */
	int		max_connections;
	int		max_per_address;	/* connections from one client */
	int		timeout_ms;		/* handshake and request, at most */
	char		front_user[NAME_LEN];	/* the front's user (privsep) */
};

/* The link to the campus MQTT broker: an [mqtt] section (gate-mqtt.c). */
struct mqtt_conf {
	bool		enabled;		/* the section is there */
	char		host[256];		/* name or address */
	int		port;
	char		site[NAME_LEN];		/* the <site> of every topic */
	char		client_id[NAME_LEN];	/* "": the gate's id */
	int		keepalive_ms;
	char		ca[PATH_MAX];		/* "": plain TCP */
	char		certificate[PATH_MAX];	/* the gate's, PEM, or "" */
	char		key[PATH_MAX];
	bool		people_push;		/* take the campus's people list */
	char		username[128];		/* "": none (or the client id) */
	char		password_file[PATH_MAX];	/* first line */
};

/* A bearer token of the remote API: only the SHA-256 of it is kept. */
struct token_conf {
	char		name[NAME_LEN];
	int		role;			/* enum role */
	uint8_t		hash[32];
};

/* The whole configuration of one gate, as parsed and validated. */
struct gate_conf {
	char		path[PATH_MAX];		/* the config file */
	char		id[NAME_LEN];
	char		name[64];
	int		zone_count;
	char		zones[ZONES_MAX][NAME_LEN];
	uint8_t		inside;			/* zone id */
	char		people_path[PATH_MAX];
	int		people_max_shrink;	/* percent a reload may drop */
	char		state_dir[PATH_MAX];
	char		socket_path[PATH_MAX];
	char		socket_group[NAME_LEN];
	char		gpio_backend[NAME_LEN];	/* sim, gpiod */
	char		usb_backend[NAME_LEN];	/* sim, libusb */
	int		initial_level;
	int		temp_min_centi, temp_max_centi;	/* plausible body */
	int		temp_fresh_ms;	/* a reading this recent counts */
	int		alert_ack_required;	/* reserved, always 1 */
	long		journal_max_rows;
	int		journal_max_days;
	long		journal_warn_free_kb;
	long		temp_retention_ms;	/* readings are health data */
	char		emergency[NAME_LEN];	/* input, optional */
	char		lock_button[NAME_LEN];	/* input, optional */
	char		ack_button[NAME_LEN];	/* input, optional */
	char		lamp_green[NAME_LEN];	/* outputs, optional */
	char		lamp_red[NAME_LEN];
	char		lamp_amber[NAME_LEN];
	char		buzzer[NAME_LEN];
	int		clock_sync_timeout_ms;	/* unsynchronised: alert */
	int		pass_key_count;		/* visitor passes' keys */
	struct pass_key	pass_keys[PASS_KEYS_MAX];

	int			line_count;
	struct line_conf	lines[LINES_MAX];
	int			lane_count;
	struct lane_conf	lanes[LANES_MAX];
	int			reader_count;
	struct reader_conf	readers[READERS_MAX];
	int			therm_count;
	struct thermometer_conf	therms[THERMS_MAX];
	int			device_count;
	struct device_conf	devices[DEVICES_MAX];
	int			mode_count;	/* built-ins first */
	struct mode		modes[MODES_MAX];
	int			level_count;
	struct level		levels[LEVELS_MAX];
	struct remote_conf	remote;
	struct mqtt_conf	mqtt;
	int			token_count;
	struct token_conf	tokens[TOKENS_MAX];
	int			schedule_count;
	struct schedule_conf	schedules[SCHEDULES_MAX];
	int			admin_key_count;	/* campus commands */
	struct admin_key	admin_keys[ADMIN_KEYS_MAX];
};

/* ---- the decision ------------------------------------------------------ */

/* Stable reason codes: journaled and shown as text, never renumbered. */
enum reason {
	R_GRANTED,
	R_UNKNOWN_CARD,
	R_CARD_EXPIRED,
	R_CARD_NOT_YET_VALID,
	R_GATE_CLOSED,
	R_LANE_CLOSED,
	R_NOT_RESIDENT,
	R_ZONE_NOT_ALLOWED,
	R_OUTSIDER_REFUSED,
	R_VEHICLE_NOT_REGISTERED,
	R_STUDENT_MOVEMENT_RESTRICTED,
	R_QUARANTINE,
	R_NO_TEMPERATURE,
	R_FEVER,
	R_OVERRIDE,
	R_EMERGENCY,
	R_CATEGORY_NOT_ADMITTED,
	R_OUTSIDE_SCHEDULE,
	R_ANTI_PASSBACK,
	R_PASS_INVALID,
	R_PASS_EXPIRED,
	R_PASS_NOT_YET_VALID,
	R_PASS_USED,
	R__COUNT
};

/* What the outputs should do after a decision (bitmask). */
enum action {
	ACT_OPEN	= 0x01,	/* pulse the lane's relay / raise barrier */
	ACT_DENY	= 0x02,	/* red lamp and a short buzz */
	ACT_ALERT	= 0x04	/* raise an alert: stays until acknowledged */
};

enum alert_kind {
	ALERT_NONE,
	ALERT_QUARANTINE,
	ALERT_FEVER,
	ALERT_DOOR_FORCED,
	ALERT_DOOR_HELD_OPEN,
	ALERT_DEVICE,
	ALERT_EMERGENCY,
	ALERT_JOURNAL,
	ALERT_CLOCK,		/* the clock unsynchronised too long */
	ALERT__COUNT
};

/* Everything the decision looks at; plain data, the caller owns it all. */
/* Where the gate last saw the person pass, for anti-passback: unknown
 * when never, or longer ago than the level's reset time. */
enum presence { PRESENCE_UNKNOWN, PRESENCE_INSIDE, PRESENCE_OUTSIDE };

/* A visitor pass shown instead of a card, as the gate checked it: its
 * signature, its window now, its uses left.  PASS_NONE: a card. */
enum pass_state {
	PASS_NONE,
	PASS_OK,
	PASS_INVALID,		/* malformed, unknown key, bad signature */
	PASS_EXPIRED,
	PASS_NOT_YET_VALID,
	PASS_USED		/* no use left */
};

struct decision_input {
	uint8_t			 inside;	/* gate's inside zone id */
	const struct mode	*mode;		/* NULL: unknown mode */
	const struct measures	*measures;	/* NULL: unknown level */
	const struct person	*person;	/* NULL: unknown card */
	enum lane_kind		 lane_kind;
	enum direction		 dir;
	bool			 has_temp;
	int			 temp_centi;	/* valid when has_temp */
	uint16_t		 today;		/* local days since 1970 */
	uint8_t			 off_schedule;	/* categories outside their
						 * schedule now (bitmask) */
	enum presence		 presence;	/* anti-passback's view */
	enum pass_state		 pass;		/* PASS_NONE for a card */
};

struct verdict {
	bool		granted;
	enum reason	reason;
	unsigned	actions;	/* enum action */
	enum alert_kind	alert;		/* with ACT_ALERT */
	bool		apb_violation;	/* granted under soft anti-passback */
};

/* policy.c */
struct verdict	policy_decide(const struct decision_input *);
bool		policy_wants_temperature(const struct decision_input *);
const char     *reason_name(enum reason);
int		reason_from_name(const char *);	/* -1 when unknown */
const char     *alert_kind_name(enum alert_kind);
extern const struct mode policy_builtin_modes[];
extern const int policy_builtin_mode_count;
void		policy_default_measures(struct measures *);

/* people.c: an immutable set of people, built from CSV, replaced whole. */
struct people;
struct people	*people_load(const char *path, const struct gate_conf *,
		    struct people_errors *);
/* people_load() with a file cap other than PEOPLE_FILE_MAX (tests). */
struct people	*people_load_max(const char *path, const struct gate_conf *,
		    struct people_errors *, size_t max_bytes);
/* people_load_max() with errors naming the file name, not path. */
struct people	*people_load_as(const char *path, const char *name,
		    const struct gate_conf *, struct people_errors *,
		    size_t max_bytes);
/* 0 when a set of after people may replace one of before, or -1 with an
 * error in errs: it drops more than max_pct percent of them. */
int		 people_shrink_check(size_t before, size_t after, int max_pct,
		    const char *path, struct people_errors *);
const struct person *people_find(const struct people *, uint64_t uid);
const char	*people_person_id(const struct people *, const struct person *);
size_t		 people_count(const struct people *);
size_t		 people_memory(const struct people *);
void		 people_free(struct people *);
uint16_t	 day_number(time_t, bool local);

/* config.c: gated.conf, loaded and checked (config-*.c, config-int.h) */
struct gate_conf *config_load(const char *path, char **errors);
void		  config_free(struct gate_conf *);
/* config-print.c */
void		  config_print(const struct gate_conf *, FILE *);
/* config-find.c */
const struct mode *config_find_mode(const struct gate_conf *, const char *);
const struct schedule *config_find_schedule(const struct gate_conf *,
		    const char *);
const struct level *config_find_level(const struct gate_conf *, int);
int		  config_find_zone(const struct gate_conf *, const char *);
int		  config_find_lane(const struct gate_conf *, const char *);
int		  config_find_line(const struct gate_conf *, const char *);

/* journal.c: the durable record, SQLite in WAL mode, synchronous commits. */
struct journal;
struct journal_limits {
	long	max_rows;	/* keep at most this many events, 0 no limit */
	int	max_days;	/* drop events older than this, 0 no limit */
	long	warn_free_kb;	/* warn when the file system has less free */
	long	temp_ms;	/* then a row's temperature goes, 0 kept */
};
/* One row.  Strings may be NULL; the journal copies what it keeps. */
struct journal_event {
	int64_t		 id;		/* set by journal_append */
	int64_t		 ts_ms;		/* unix time in milliseconds */
	const char	*kind;		/* passage override mode level alert
					   ack device system people emergency */
	const char	*lane;
	const char	*direction;	/* "in" "out" */
	const char	*card;		/* uid as presented, for unknown cards */
	const char	*person;	/* person id */
	const char	*category;
	const char	*verdict;	/* "granted" "denied" */
	const char	*reason;	/* reason code or alert kind */
	const char	*actor;		/* who: token, local user, button */
	const char	*detail;	/* why, free text */
	bool		 has_temp;
	int		 temp_centi;
	int64_t		 alert_id;	/* alert this row raises/acks, or 0 */
};
struct journal	*journal_open(const char *path, const struct journal_limits *,
		    char **cause);
void		 journal_close(struct journal *);
/* 0 while the file open is the one at the path; -1 once it was removed or
 * replaced (then every append fails until journal_reopen succeeds). */
int		 journal_check(struct journal *);
/* Opens the file now at the path, a new one if none, carrying over the id
 * sequences and the active alerts: 0, or -1 with *cause (caller frees). */
int		 journal_reopen(struct journal *, char **cause);
/* Why the last open or reopen started a new file (damaged, vanished), or
 * NULL: the caller journals it and raises an alert. */
const char	*journal_incident(struct journal *);
/* Appends and commits durably before returning: the event id, or -1. */
int64_t		 journal_append(struct journal *, struct journal_event *);
/* Raise an alert (journals an "alert" event), or count a repeat of an
 * active one with the same kind, lane and subject; the id, or -1. */
int64_t		 journal_alert_raise(struct journal *, int64_t ts_ms,
		    const char *kind, const char *lane, const char *subject,
		    const char *detail, int64_t *count);
/* Set an active alert's count and last time seen: 0 or -1. */
int		 journal_alert_seen(struct journal *, int64_t alert_id,
		    int64_t count, int64_t last_ms);
/* Acknowledge: 0, -1 on error, 1 when no such active alert. */
int		 journal_alert_ack(struct journal *, int64_t alert_id,
		    int64_t ts_ms, const char *actor, const char *reason);
json_t		*journal_alerts_active(struct journal *);
json_t		*journal_events_json(struct journal *, int64_t after, int limit);
json_t		*journal_events_before(struct journal *, int64_t before,
		    int limit);
json_t		*journal_report_json(struct journal *, int64_t from_ms,
		    int64_t to_ms);
/* A report's bounds, shared with the thread that runs it (report.c). */
struct report_limits {
	atomic_bool	 cancel;	/* set by the loop: stop now */
	struct timespec	 deadline;	/* CLOCK_MONOTONIC */
	int		 max_s;
	bool		 timed_out;	/* set by the thread */
};
/* The journal's file, for journal_report_file. */
const char	*journal_report_path(struct journal *);
/* On a read-only connection of its own: for a worker thread only. */
json_t		*journal_report_file(const char *path, int64_t from_ms,
		    int64_t to_ms, struct report_limits *, char **cause);
int		 journal_state_set(struct journal *, const char *key,
		    const char *value);
char		*journal_state_get(struct journal *, const char *key);
/* Retention: deletes what the limits say; rows deleted, -1 on error.
 * mono_ms is a monotonic clock: age advances no faster than it does. */
long		 journal_prune(struct journal *, int64_t now_ms, int64_t mono_ms);
json_t		*journal_stats(struct journal *);
int64_t		 journal_last_id(struct journal *);
/* For journal-report.c (alerts, events, report), which reads through
 * journal.c's connection. */
struct sqlite3;
struct sqlite3	*journal_db(struct journal *);
/* One persisted key; a NULL value removes it. */
struct journal_state {
	const char	*key;
	const char	*value;
};
/* Appends an event and sets the keys in one commit: the id, or -1 and
 * nothing written. */
int64_t		 journal_append_state(struct journal *, struct journal_event *,
		    const struct journal_state *, int n);

/* ---- the running gate: gate*.c, passage.c, lane.c, indicator.c --------- */

struct gate;
struct lane;

/*
 * The effects of a lane and of an indicator on the world, given at init
 * so that neither calls into the gate: gate.c implements them on the GPIO
 * backend and libevent, tests/unit/test-lane.c on a fake clock.  arg is
 * the one given at init; none of the calls may block.
 */
struct lane_card {
	int		 reader;
	uint64_t	 uid;
	struct timespec	 since;		/* card event time, monotonic */
};
struct lane_ops {
	/* Drives an output line (index into the config's lines) to value. */
	void	 (*output)(void *arg, int line, int value);
	/* Raises an alert about a lane (kept and shown by the gate). */
	void	 (*alert)(void *arg, enum alert_kind, const char *lane,
		    const char *detail);
	/* True while the fire/emergency input is active. */
	bool	 (*emergency)(void *arg);
	/* Monotonic milliseconds. */
	int64_t	 (*now)(void *arg);
	/* A one-shot timer that calls fn(fnarg): set (re)arms it ms from
	 * now, stop disarms it, free disarms and frees it (NULL: no-op). */
	void	*(*timer_new)(void *arg, void (*fn)(void *), void *fnarg);
	void	 (*timer_set)(void *timer, int ms);
	void	 (*timer_stop)(void *timer);
	void	 (*timer_free)(void *timer);
	/* What a lane asks of the gate: a passage out by the exit button,
	 * the guard's open-once button (line), the final decision of a card
	 * that waited for a temperature. */
	void	 (*exit_button)(void *arg, struct lane *);
	void	 (*open_button)(void *arg, struct lane *, int line);
	void	 (*waited)(void *arg, struct lane *, const struct lane_card *);
};

enum indicator_pattern {
	INDICATOR_NONE,
	INDICATOR_STEADY,	/* on for the given length */
	INDICATOR_DENY_LAMP,
	INDICATOR_DENY_BUZZ,
	INDICATOR_BLINK,	/* base: alert lamp */
	INDICATOR_ALERT_BUZZ	/* base: alert buzzer */
};

/* One lamp or buzzer output and the patterns it plays. */
struct indicator {
	const struct lane_ops	*ops;
	void			*arg;
	int			 line;		/* -1: not wired */
	void			*timer;
	const int		*base, *shot;
	int			 base_step, shot_step, shot_len;
};

/*
 * A lane's states, bits so that a row of the transition table can name
 * several (docs/lanes.md draws the table).  A pedestrian lane is LOCKED,
 * RELEASED or PASSING; a vehicle lane DOWN, DOWN_OCC, UP, UP_OCC or
 * LOWERING, the loop's occupancy part of the state.  Beside that machine runs a second, the
 * temperature wait: IDLE or WAITING.
 */
enum lane_state {
	LANE_LOCKED		= 0x0001,	/* relay at rest */
	LANE_RELEASED		= 0x0002,	/* relay energised: may pass */
	LANE_PASSING		= 0x0004,	/* released, door opened */
	LANE_DOWN		= 0x0008,
	LANE_DOWN_OCC		= 0x0010,	/* down, the loop occupied */
	LANE_UP			= 0x0020,	/* up, the loop clear */
	LANE_UP_OCC		= 0x0040,	/* up, the loop occupied */
	LANE_LOWERING		= 0x0080,	/* arm travelling down */
	LANE_IDLE		= 0x0100,	/* no card waits */
	LANE_WAITING		= 0x0200	/* a card waits for a reading */
};

enum lane_event {
	LANE_EV_GRANT,		/* a journaled passage: open once */
	LANE_EV_PULSE_END,	/* open-time over (pedestrian) */
	LANE_EV_DOOR_OPEN,
	LANE_EV_DOOR_CLOSE,
	LANE_EV_HELD_OPEN,	/* held-open time over */
	LANE_EV_LOOP_ON,	/* the loop occupied */
	LANE_EV_LOOP_OFF,
	LANE_EV_BARRIER_TIMER,	/* a barrier deadline, or the arm is down */
	LANE_EV_LOWER_DUE,	/* from barrier_evaluate only: lower now */
	LANE_EV_LOWER_REQUEST,	/* a mode or level that shuts vehicles out */
	LANE_EV_EMERGENCY_ON,
	LANE_EV_EMERGENCY_OFF,
	LANE_EV_EXIT_BUTTON,
	LANE_EV_OPEN_BUTTON,
	/* the wait's events come last: lane_fsm picks its table by them */
	LANE_EV_CARD_WAITS,	/* a card needs a temperature first */
	LANE_EV_CARD,		/* a card at the lane */
	LANE_EV_TEMPERATURE,	/* a reading of the lane's thermometer */
	LANE_EV_WAIT_OVER,	/* temperature-wait ran out */
	LANE_EV__COUNT
};

/* What a lane is wired to: line indexes into the config's lines, the
 * thermometer's index; -1 for none. */
struct lane_wiring {
	int	relay, raise, lower;			/* outputs */
	int	door, exit_button, open_button, loop;	/* inputs */
	int	therm;
};

/* One lane's live state: two machines, a few facts, its timers. */
struct lane {
	const struct lane_ops	*ops;		/* NULL: not initialised */
	void			*arg;
	int			 index;
	const struct lane_conf	*conf;
	struct lane_wiring	 w;
	enum lane_state		 state;
	enum lane_state		 wait;		/* IDLE or WAITING */

	bool			 vehicle_seen;	/* loop occupied since raise */
	bool			 lower_requested;
	int64_t			 up_since;	/* monotonic ms */
	struct lane_card	 card;		/* the one waiting */
	struct lane_card	 arriving;	/* for LANE_EV_CARD_WAITS */

	void			*pulse_timer, *held_timer, *barrier_timer;
	void			*wait_timer;
	int			 unexpected;	/* events not in the table */
};

/* What a finished decision reports to listeners (API waiters, streams). */
typedef void (*gate_listener_fn)(void *arg, const struct journal_event *);

/* alert.c: the active alerts, in memory first, journaled when it can */
struct alert_list;
struct alert_list *alert_list_new(void);
void		 alert_list_free(struct alert_list *);
int		 alert_list_load(struct alert_list *, struct journal *);
int		 alert_list_raise(struct alert_list *, struct journal *,
		    int64_t ts_ms, const char *kind, const char *lane,
		    const char *subject, const char *detail, int64_t *id,
		    int64_t *count);
int		 alert_list_flush(struct alert_list *, struct journal *,
		    void (*)(void *, const struct journal_event *), void *);
int		 alert_list_ack(struct alert_list *, struct journal *,
		    int64_t id, int64_t ts_ms, const char *actor,
		    const char *reason);
size_t		 alert_list_count(struct alert_list *);
int64_t		 alert_list_next(struct alert_list *, int64_t after);
json_t		*alert_list_newest(struct alert_list *, size_t max);
json_t		*alert_list_counts(struct alert_list *);
json_t		*alert_list_page(struct alert_list *, int64_t before,
		    int64_t after, int limit);

/* gate.c: the running gate's life cycle; it owns conf from gate_new on. */
struct gate	*gate_new(struct event_base *, struct gate_conf *, char **cause);
void		 gate_free(struct gate *);
struct event_base *gate_base(struct gate *);
const struct gate_conf *gate_conf(struct gate *);
struct journal	*gate_journal(struct gate *);
struct hw_gpio	*gate_sim_gpio(struct gate *);
struct hw_usb	*gate_sim_usb(struct gate *);
int		 gate_find_reader(struct gate *, const char *);
int		 gate_find_therm(struct gate *, const char *);
/* gate-command.c: mode, level, open, ack, reloads, each journaled. */
int		 gate_set_mode(struct gate *, const char *mode, const char *actor,
		    const char *reason, int64_t *event, char **cause);
int		 gate_set_level(struct gate *, int level, const char *actor,
		    const char *reason, int64_t *event, char **cause);
int		 gate_open_lane(struct gate *, const char *lane,
		    const char *actor, const char *reason, int64_t *event,
		    char **cause);
int		 gate_ack(struct gate *, int64_t alert, const char *actor,
		    const char *reason, int64_t *event, char **cause);
int		 gate_ack_all(struct gate *, const char *actor);
/* Anti-passback forgiveness: 0, 1 when the gate has no passage of the
 * person on record, -1 on error; *cause set on both. */
int		 gate_apb_reset(struct gate *, const char *person,
		    const char *actor, const char *reason, int64_t *event,
		    char **cause);
int		 gate_reload_config(struct gate *, const char *actor,
		    char **cause);
/* People of the list last installed, in use or not: what a reload may
 * not shrink by more than people-max-shrink. */
size_t		 gate_people_expected(struct gate *);
int		 gate_install_people(struct gate *, struct people *,
		    const struct journal_event *);
/*
 * gate-campus.c: a signed campus command (docs/mqtt.md), from the broker
 * (topic: where it arrived) or the API (topic NULL).  0 applied (*event
 * its journal row); 1 refused, *refusal the journal's reason ("unsigned",
 * "forged", "replayed", ...) and *cause a sentence; -1 when the journal
 * cannot record it.  event, refusal and cause may be NULL.
 */
int		 gate_campus_command(struct gate *, const char *text,
		    size_t len, const char *topic, int64_t *event,
		    const char **refusal, char **cause);
/* {"applied": {"TARGET/WHAT": seq, ...}, "refused": {target, what, seq,
 * reason} or null}: the campus part of the gate's broker state. */
json_t		*gate_campus_state(struct gate *);
/* gate-status.c */
json_t		*gate_status(struct gate *);
/* One more member of the status, key: fn(arg), a new object, from a part
 * that gate-status.c must not call (gate-mqtt.c); NULL fn removes it. */
void		 gate_status_part(struct gate *, const char *key,
		    json_t *(*fn)(void *), void *arg);
/* Who is inside now, by category, oldest passage first (the muster). */
json_t		*gate_occupancy(struct gate *);
/* gate-time.c: the simulator's word on the clock's sync (-1: the real
 * clock's again); only for a gate on the simulator. */
void		 gate_sim_synced(struct gate *, int synced);
/* gate-journal.c: record, tell the listeners, raise alerts. */
int		 gate_listen(struct gate *, gate_listener_fn, void *);
void		 gate_unlisten(struct gate *, gate_listener_fn, void *);
int64_t		 gate_record(struct gate *, struct journal_event *);
int64_t		 gate_export(struct gate *, const char *actor,
		    const char *what, int64_t from_ms, int64_t to_ms);
int64_t		 gate_alert(struct gate *, enum alert_kind, const char *lane,
		    const char *detail);
int64_t		 gate_alert_about(struct gate *, enum alert_kind,
		    const char *lane, const char *subject, const char *detail);
json_t		*gate_alerts_page(struct gate *, int64_t before, int64_t after,
		    int limit);
/* passage.c: cards, passages, the latency of decisions. */
void		 gate_passage(struct gate *, struct lane *, enum direction,
		    const char *actor);
void		 gate_decide_card(struct gate *, struct lane *, int reader,
		    uint64_t uid, const struct timespec *since, bool final);
bool		 gate_egress_allowed(struct gate *);
void		 gate_latency(struct gate *, const struct timespec *since);
size_t		 gate_latency_recent(struct gate *, uint32_t *, size_t);

/* loop.c: the event loop; HTTP work at the lowest of its priorities. */
struct event_base *loop_new(void);
int		 loop_http_priority(struct event_base *);

/* gate-mqtt.c: the gate on the campus broker ([mqtt]); the journal is
 * its outbox.  Everything runs on the loop at loop_http_priority. */
struct gate_mqtt;
/* A message on a subscribed topic: topic and payload valid during the
 * call only; retained when the broker kept it (desired state). */
typedef void (*gate_mqtt_fn)(const char *topic, const void *payload,
		    size_t len, bool retained, void *arg);
/* Starts the link (connecting in the background): NULL with *cause
 * (caller frees) when the [mqtt] section cannot be used. */
struct gate_mqtt *gate_mqtt_new(struct event_base *, struct gate *,
		    char **cause);
/* Publishes online 0, saves the acked id, frees; NULL does nothing. */
void		 gate_mqtt_free(struct gate_mqtt *);
/* Subscribes a topic filter (QoS 1, renewed on every reconnect) and calls
 * fn for each message that matches it: 0, or -1 (bad filter, or more
 * than 8 subscriptions). */
int		 gate_mqtt_subscribe(struct gate_mqtt *, const char *filter,
		    gate_mqtt_fn fn, void *arg);
/* "gated/v1/<site>/<gate>/", or with site "gated/v1/<site>/". */
const char	*gate_mqtt_prefix(struct gate_mqtt *, bool site);

/* api.c: the /v1 routes, whatever the transport. */
struct api;
struct api	*api_new(struct gate *);
void		 api_free(struct api *);
void		 api_handle(struct api *, struct evhttp_request *,
		    const char *actor, enum role);
/* A JSON {"error": ...} answer; headers the caller added go with it. */
void		 api_error(struct evhttp_request *, int code, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* The route table: api_handle dispatches from it, auth.c reads the role
 * each route needs, test-routes checks it against docs/api.md. */
enum api_sim { API_SIM_NONE, API_SIM_USB, API_SIM_GPIO };
struct api_call {
	const char		*actor;		/* who asks, journaled */
	enum role		 role;		/* what it may see: redact.c */
	struct evkeyvalq	*query;		/* the parsed query string */
	const char		*name;		/* what the path's '*' matched */
};
struct api_route {
	const char	*method;		/* "GET" or "POST" */
	const char	*path;			/* '*' stands for a name */
	enum role	 role;			/* the least a token needs */
	enum api_sim	 sim;			/* the simulator it drives */
	void		(*handle)(struct api *, struct evhttp_request *,
			    const struct api_call *);
};
extern const struct api_route api_routes[];	/* ends with method NULL */
const struct api_route *api_route_find(const char *decoded_path,
		    size_t *name_off, size_t *name_len);

/* control.c: the local Unix socket listener. */
struct control;
struct control	*control_new(struct event_base *, struct api *,
		    const char *path, const char *group, char **cause);
void		 control_free(struct control *);
/* A listener paused, not spinning, while accept(2) fails (EMFILE). */
struct evconnlistener;
struct accept_guard;
struct accept_guard *accept_guard_new(struct evconnlistener *,
		    const char *what);
void		 accept_guard_hold(struct accept_guard *, bool);
void		 accept_guard_free(struct accept_guard *);

/* remote.c: the TLS listener of the remote API, tokens required; it runs
 * in the front (front.c), which hands what it authenticated to ops. */
struct remote;
struct remote_ops {
	/* An authenticated and authorised request: answer it, now or later. */
	void	(*handle)(void *, struct evhttp_request *, const char *actor,
		    enum role);
	/* An authentication to journal (kind auth): reason "failed" or
	 * "rate-limited", what the why; "signed-in" or "signed-out" (a
	 * console session), what the token's name.  addr: the client's. */
	void	(*journal)(void *, const char *reason, const char *addr,
		    const char *what);
};
/* conf (its remote and tokens) is the caller's and outlives the remote;
 * fds are the listening sockets of conf->remote.listen, in order. */
struct remote	*remote_new(struct event_base *, const struct gate_conf *,
		    const int *fds, const struct remote_ops *, void *,
		    char **cause);
void		 remote_free(struct remote *);
int		 remote_socket(const char *listen_on, char **cause);
int		 remote_check(const struct remote_conf *, char **cause);

/* frame.c: the messages between the gate process and the front. */
enum frame_type {
	FRAME_SETUP = 1,	/* gate → front: [remote], tokens, the user,
				 * the console's directory */
	FRAME_TOKENS,		/* gate → front: the tokens, after a reload */
	FRAME_REQUEST,		/* front → gate: one authenticated request */
	FRAME_AUTH,		/* front → gate: a failure, a sign-in or out
				 * to journal (remote_ops' journal) */
	FRAME_REPLY,		/* gate → front: status, headers, body */
	FRAME_STREAM,		/* gate → front: status, headers; chunks follow */
	FRAME_CHUNK,		/* gate → front: a piece of a stream */
	FRAME_END,		/* gate → front: the stream is over */
	FRAME_WRITTEN,		/* front → gate: a chunk reached its client */
	FRAME_CANCEL,		/* front → gate: the client went away */
	FRAME__COUNT
};
#define FRAME_FIELDS_MAX	16
struct frame {
	enum frame_type	 type;
	uint32_t	 id;		/* the front's request id, or 0 */
	int		 nfields;
	const char	*field[FRAME_FIELDS_MAX];	/* into raw */
	size_t		 len[FRAME_FIELDS_MAX];
	uint8_t		*raw;
};
void		 frame_put(struct evbuffer *, enum frame_type, uint32_t id,
		    int n, const void *const *field, const size_t *len);
int		 frame_take(struct evbuffer *, size_t max, struct frame *);
void		 frame_clear(struct frame *);
int		 frame_text(const struct frame *, int, char *, size_t,
		    bool spaces);
long long	 frame_number(const struct frame *, int, long long min,
		    long long max, bool *ok);

/* front.c: the front process, gated -F (started by relay.c only). */
int		 front_main(int debug);

/* relay.c: the gate's side of the front: spawned, restarted, its requests
 * answered by api.c through a private listener. */
struct relay;
struct relay	*relay_new(struct event_base *, struct gate *, struct api *,
		    int debug, char **cause);
void		 relay_free(struct relay *);

/* auth.c: tokens, the role each route needs, the limit on failures. */
#define AUTH_MAX_FAILURES	5	/* from one address, in the window */
#define AUTH_WINDOW_MS		60000
#define AUTH_BLOCK_MS		60000	/* then refused for this long */
enum auth_note { AUTH_NOTE_NONE, AUTH_NOTE_FAILED, AUTH_NOTE_LIMITED };
struct auth_limiter;
const char	*auth_role_name(enum role);
int		 auth_role_from_name(const char *);	/* -1 when unknown */
enum role	 auth_role_needed(const char *decoded_path);
const char	*auth_bearer(const char *authorization);
int		 auth_token_hash(const char *, uint8_t[32]);
const struct token_conf *auth_token_find(const struct gate_conf *,
		    const char *token);
struct auth_limiter *auth_limiter_new(int slots, int max_failures,
		    int window_ms, int block_ms);
void		 auth_limiter_free(struct auth_limiter *);
/* key is the client address, len at most 32 bytes; now in ms. */
int64_t		 auth_limit_blocked(struct auth_limiter *, const void *key,
		    size_t len, int64_t now);
enum auth_note	 auth_limit_fail(struct auth_limiter *, const void *key,
		    size_t len, int64_t now);

/* session.c: the console's sign-in: a cookie and a CSRF token per token,
 * the table of common/session.h behind them. */
struct sessions;
enum session_result {
	SESSION_DONE,		/* answered */
	SESSION_BAD_TOKEN,	/* not answered: the caller counts, says 401 */
	SESSION_SIGNED_IN,	/* answered; the caller journals (the token) */
	SESSION_SIGNED_OUT
};
#define SESSION_PATH	"/v1/session"	/* on the TLS listener only */
struct session_route {
	const char	*method;		/* as docs/api.md names it */
	int		 cmd;			/* enum evhttp_cmd_type */
	enum session_result (*handle)(struct sessions *,
			    const struct gate_conf *, struct evhttp_request *,
			    const struct token_conf **);
};
extern const struct session_route session_routes[]; /* ends with NULL */
bool		 session_cookie_in(struct evhttp_request *);
/* The tokens are conf's (the front's copy); *tok: the token signed in or
 * out. */
enum session_result session_route(struct sessions *, const struct gate_conf *,
		    struct evhttp_request *, const struct token_conf **tok);
int		 session_auth(struct sessions *, const struct gate_conf *,
		    struct evhttp_request *, const struct token_conf **);

/* console.c: GET / and /console/... from [remote] console, no token; dir
 * is the directory's descriptor (-1: none, every file a 404). */
bool		 console_request(int dir, struct evhttp_request *,
		    const char *path);

/* stream.c: GET /v1/events/stream, Server-Sent Events from the journal. */
struct stream;
struct stream	*stream_new(struct gate *);
void		 stream_free(struct stream *);
int		 stream_start(struct stream *, struct evhttp_request *,
		    int64_t after, enum role);
void		 stream_poke(struct stream *);

/* common/redact.c: person ids and temperatures, hidden from the roles
 * below may (redact.h). */

/* metrics.c: GET /metrics, the Prometheus text format. */
struct evbuffer;
struct metrics;
struct metrics	*metrics_new(struct gate *);
void		 metrics_free(struct metrics *);
void		 metrics_text(struct metrics *, struct evbuffer *);

/* people-reload.c: people reloads in a worker thread, never stalling the
 * loop. */
typedef void (*people_reload_fn)(void *arg, struct people *,
		    const struct people_errors *, double ms);
int		 people_reload(struct gate *, const char *actor, bool force,
		    people_reload_fn, void *arg);
/* A people list the campus pushed (gate-push.c): the thread keeps it in
 * the state directory, loads it and journals the outcome. */
struct people_push {
	uint64_t	version;		/* the command's seq */
	char		sha256[65];
	char		actor[COMMAND_JOURNAL_ACTOR_LEN];	/* key:NAME/WHO */
	char		reason[COMMAND_REASON_LEN];
	char		*csv;			/* the job frees it */
	size_t		len;
};
int		 people_reload_push(struct gate *, struct people_push *,
		    people_reload_fn, void *arg);

/* gate-push.c: what the campus pushes (docs/mqtt.md, "Pushed by the
 * campus"): the people list, the quarantine set, acknowledgements. */
#define PEOPLE_PUSHED_FILE	"campus-people.csv"	/* in the state dir */
void		 gate_push_start(struct gate *);
void		 gate_push_stop(struct gate *);
/* The file the people list is read from: the pushed one while people-push
 * is on and one was applied, else the people file; name is what errors
 * call it.  Fills version and sha256 (0 and "" for the file). */
void		 gate_people_source(struct gate *, char *path, size_t,
		    char *name, size_t, uint64_t *version, char sha256[65]);
void		 gate_people_version_set(struct gate *, uint64_t version,
		    const char *sha256);
int		 gate_push_quarantine(struct gate *, const struct command *,
		    int64_t *event, char **cause);
int		 gate_push_ack(struct gate *, const struct command *,
		    int64_t *event, char **cause);
bool		 gate_campus_quarantined(struct gate *, const char *person);
json_t		*gate_push_status(struct gate *);
/* people-push.c: a verified people push, loaded one at a time; takes the
 * command's body.  0, or 1 with *cause (people-push is off). */
int		 gate_push_people(struct gate *, struct command *, char **cause);
/* Verifies a large command (len >= COMMAND_TEXT_MAX) in a thread; fn then
 * runs in the loop with the result and the decoded command (whose body
 * the job frees after).  0, or -1 when no thread could start. */
typedef void	(*gate_verified_fn)(struct gate *, struct command *,
		    enum command_result, const char *topic);
int		 gate_push_verify(struct gate *, const char *text, size_t len,
		    const char *topic, gate_verified_fn);

/* report.c: GET /v1/report in a worker thread, never stalling the loop. */
struct report_job;
typedef void (*report_done_fn)(void *arg, json_t *report, const char *cause);
struct report_job *report_start(struct event_base *, int prio,
		    const char *path, int64_t from_ms, int64_t to_ms,
		    int max_s, report_done_fn, void *arg);
void		 report_cancel(struct report_job *);

/* lane.c: the pedestrian and vehicle lanes, state tables. */
void	lane_init(struct lane *, int index, const struct lane_conf *,
	    const struct lane_wiring *, const struct lane_ops *, void *arg);
void	lane_clear(struct lane *);
/* One event through the table: 0, or -1 when not expected (logged, no
 * change) or held where it is by the emergency input. */
int	lane_fsm(struct lane *, enum lane_event);
void	lane_release(struct lane *);		/* grant: open once */
void	lane_input(struct lane *, int line, int value);
void	lane_emergency(struct lane *, bool active);
void	lane_request_lower(struct lane *);
/* The temperature wait: park a card, end the wait with another card or
 * a reading; a parked card is decided through ops->waited. */
void	lane_card_wait(struct lane *, const struct lane_card *);
void	lane_card(struct lane *);
void	lane_temperature(struct lane *);
bool	lane_is_open(const struct lane *);		/* for status */
const char *lane_state_name(const struct lane *);
const char *lane_event_name(enum lane_event);

/* indicator.c: lamp and buzzer patterns, through lane_ops output/timers. */
void	indicator_init(struct indicator *, const struct lane_ops *, void *arg,
	    int line);
void	indicator_shot(struct indicator *, enum indicator_pattern, int len_ms);
void	indicator_shot_end(struct indicator *);
void	indicator_base(struct indicator *, enum indicator_pattern);
void	indicator_clear(struct indicator *);


#endif
