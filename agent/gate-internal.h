/*
 * gate-internal.h: what the files of the running gate share and nothing
 * else includes: struct gate, and the calls between gate.c (life cycle),
 * passage.c (hardware events, decisions), gate-campus.c (signed campus
 * commands), gate-command.c (commands),
 * gate-status.c (status) and gate-journal.c (record, alerts, retention).
 * Calls go one way, in that order: a file calls only those after it.
 */
#ifndef GATED_GATE_INTERNAL_H
#define GATED_GATE_INTERNAL_H

#include <event2/event.h>

#include "agent.h"
#include "clock.h"
#include "presence.h"
#include "timesync.h"

#define LISTENERS_MAX	16
#define PRUNE_EVERY_S	60
#define JOURNAL_WATCH_S	5	/* how often the journal file is checked */
#define LATENCY_BUCKETS	16
#define LATENCY_RECENT	1024
#define STATUS_ALERTS	20	/* newest alerts in status; GET /v1/alerts */

struct therm_state {
	bool		valid;		/* a reading not yet used */
	int		centi;		/* calibrated */
	struct timespec	ts;
	unsigned long	sensor_errors;
	time_t		last_error_log;
};

/* A reader's read errors: counted all, journaled at most each
 * READ_ERROR_LOG_S with how many came since the last row. */
#define READ_ERROR_LOG_S	10
struct reader_state {
	uint64_t	errors[WIEGAND__ERRORS];
	time_t		last_log;
	unsigned long	unlogged;
};

struct device_state {
	char	name[NAME_LEN];
	bool	up;
	char	why[96];
};

struct listener {
	gate_listener_fn	 fn;
	void			*arg;
};

struct gate {
	struct event_base	*base;
	struct gate_conf	*conf;
	struct journal		*journal;
	struct people		*people;
	size_t			 people_expected;	/* last list's size */
	int64_t			 people_loaded_ms;
	const struct hw_gpio_ops *gpio_ops;
	struct hw_gpio		*gpio;
	const struct hw_usb_ops	*usb_ops;
	struct hw_usb		*usb;

	char			 mode[NAME_LEN];
	bool			 mode_manual;	/* set by a command, not level */
	int			 level;
	bool			 emergency;
	bool			 locked;
	char			 locked_from[NAME_LEN];
	struct alert_list	*alerts;	/* active, in memory first */
	bool			 warned_space, warned_rows;

	struct lane		 lanes[LANES_MAX];
	struct therm_state	 therms[THERMS_MAX];
	struct reader_state	 readers[READERS_MAX];
	int			 device_count;
	struct device_state	 devices[DEVICES_MAX];
	struct indicator	 green, red, amber, buzzer;
	struct listener		 listeners[LISTENERS_MAX];
	/* A part of the status another file keeps (gate_status_part). */
	const char		*part_key;
	json_t			*(*part_fn)(void *);
	void			*part_arg;
	struct event		*prune_timer;
	struct event		*journal_timer;
	bool			 journal_lost;	/* its alert is raised */
	bool			 journal_busy;	/* in gate_journal_watch */
	struct hw_events	 hw_ev;
	time_t			 started;

	/* Time: the level's schedule side, the clock's sync (gate-time.c). */
	int			 sched_side;	/* 1 in, 0 out, -1 no schedule */
	struct event		*clock_timer;
	struct timesync		 sync;
	struct timesync_watch	 sync_watch;
	int			 sim_synced;	/* -1 real; 0 or 1 from the sim */
	struct presence_set	*presence;	/* anti-passback, occupancy */
	/* gate_off_schedule's answer for one second, level and config. */
	time_t			 off_t;
	int			 off_level;
	const struct gate_conf	*off_conf;
	uint8_t			 off;

	/* The last campus command refused, "target/what/seq/reason": the
	 * same again (a retained one, at each reconnect) is not journaled. */
	char			 campus_refused[128];

	/* What the campus pushed (gate-push.c): the version of the people
	 * list in use (0: the people file), the campus's quarantine set
	 * (person ids, sorted, pointing into quarantine_buf) and its seq,
	 * and the push being loaded with the one that waits for it. */
	uint64_t		 people_version;
	char			 people_sha256[65];
	char			**quarantine;
	size_t			 quarantine_n;
	char			*quarantine_buf;
	uint64_t		 quarantine_seq;
	bool			 push_busy;
	struct command		*push_pending;

	/* decision latency, card event to relay, in log buckets of us */
	uint64_t		 latency[LATENCY_BUCKETS];
	uint64_t		 latency_max_us;
	uint32_t		 latency_recent[LATENCY_RECENT];	/* us, a ring */
	uint64_t		 latency_n;
};

static inline struct lane *
gate_lane(struct gate *g, const char *name)
{
	int	i;

	if ((i = config_find_lane(g->conf, name)) == -1)
		return NULL;
	return &g->lanes[i];
}

static inline const struct level *
gate_level(struct gate *g)
{
	return config_find_level(g->conf, g->level);
}

/* The gate's mode, or NULL when it names nothing: such a gate denies. */
static inline const struct mode *
gate_mode(struct gate *g)
{
	return config_find_mode(g->conf, g->mode);
}

/*
 * The mode a level gives at instant t: its mode inside its schedule,
 * mode_outside outside it, its mode at all hours without one.  A schedule
 * the config does not define cannot be (config_load refuses it); were it
 * missing all the same, the answer is "", which no mode is: the gate
 * denies rather than reading it as "always".
 */
static inline const char *
level_mode_at(const struct gate_conf *c, const struct level *lv, time_t t,
    int *side)
{
	const struct schedule	*s;

	*side = -1;
	if (lv->schedule[0] == '\0')
		return lv->mode;
	if ((s = config_find_schedule(c, lv->schedule)) == NULL)
		return "";
	*side = sched_active(s, t) ? 1 : 0;
	return *side ? lv->mode : lv->mode_outside;
}

/*
 * What was shown at a reader: a card of the people list, or a visitor
 * pass (then p is the person the pass describes, and its uses are counted
 * under uses_key in the journal's state).
 */
struct shown {
	const struct person	*p;		/* NULL: nobody known */
	const char		*person_id;	/* as journaled */
	const char		*card;		/* as journaled */
	enum pass_state		 pass;
	const char		*uses_key;	/* a pass with a use limit */
	unsigned		 uses;		/* used so far */
};

/* passage.c */
extern const struct hw_events gate_hw_events;
void		 gate_exit_button(void *, struct lane *);
void		 gate_open_button(void *, struct lane *, int line);
void		 gate_card_waited(void *, struct lane *,
		    const struct lane_card *);

/* gate-time.c */
uint8_t		 gate_off_schedule(struct gate *, time_t);
void		 gate_time_start(struct gate *);
void		 gate_time_stop(struct gate *);
void		 gate_muster(struct gate *);

/* gate-command.c */
void		 gate_set_cause(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 gate_schedule_mode(struct gate *, const struct level *,
		    int side);

/* gate-journal.c */
int64_t		 gate_record_state(struct gate *, struct journal_event *,
		    const struct journal_state *, int n);
void		 gate_announce(struct gate *, const struct journal_event *);
void		 gate_alert_indicators(struct gate *);
void		 gate_journal_incident(struct gate *, const char *reason);
void		 gate_journal_tick(evutil_socket_t, short, void *);
void		 gate_prune_tick(evutil_socket_t, short, void *);

#endif
