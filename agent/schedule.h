/*
 * schedule.h: weekly time windows and holidays, in the gate's local time.
 * A [schedule NAME] of the config is a list of windows such as
 * "mon-fri 07:00-22:00" and an optional holiday list; the gate asks
 * whether an instant is inside it.  Pure: no clock is read here, the
 * instant is always an argument.
 */
#ifndef GATED_SCHEDULE_H
#define GATED_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SCHED_NAME_LEN		32	/* as NAME_LEN in agent.h */
#define SCHED_WINDOWS_MAX	32
#define SCHED_HOLIDAYS_MAX	256
#define SCHED_HOLIDAY		0x80	/* day bit of "hol": holidays */
#define SCHED_DAY_END		1440	/* 24:00 in minutes */

/*
 * One window: the days it starts on (bit 0 Sunday to bit 6 Saturday, and
 * SCHED_HOLIDAY) and its minutes from 00:00.  from > to crosses midnight:
 * the part after midnight belongs to the day the window started.
 */
struct sched_window {
	uint8_t		days;
	uint16_t	from;
	uint16_t	to;		/* exclusive; up to SCHED_DAY_END */
};

struct schedule {
	char			name[SCHED_NAME_LEN];
	struct sched_window	win[SCHED_WINDOWS_MAX];
	int			nwin;
	/* Local days since 1970-01-01, sorted.  A schedule with holidays
	 * applies only its "hol" windows on them; one without ignores
	 * the calendar. */
	long			holiday[SCHED_HOLIDAYS_MAX];
	int			nholiday;
};

/*
 * The wall clock as a schedule reads it: the local day, its weekday and
 * the minute of the day.  In the hour that happens twice (daylight saving
 * ends) the second pass reads as the last second of the first, so that
 * every boundary happens once; the hour that does not exist never reads.
 */
struct sched_wall {
	long	day;
	int	wday;
	int	minute;
};

/* Parses "DAYS HH:MM-HH:MM" (DAYS: mon..sun, ranges such as mon-fri or
 * fri-mon, "hol", "daily", comma separated).  Returns 0, or -1 with the
 * reason in err. */
int	sched_window_parse(const char *text, struct sched_window *w,
	    char *err, size_t errlen);
/* Formats a window back into the text it was parsed from. */
void	sched_window_print(const struct sched_window *w, char *buf,
	    size_t len);

/* Adds one holiday line "YYYY-MM-DD [name]".  Returns 0, or -1 with the
 * reason in err (bad date, too many). */
int	sched_holiday_add(struct schedule *s, const char *line, char *err,
	    size_t errlen);
/* Reads a file of holiday lines ('#' comments and blank lines skipped);
 * an error names the file and line in err.  Nothing is added on error. */
int	sched_holidays_load(struct schedule *s, const char *path, char *err,
	    size_t errlen);

void	sched_wall_at(time_t t, struct sched_wall *w);
bool	sched_active_wall(const struct schedule *s,
	    const struct sched_wall *w);
/* Whether instant t is inside schedule s, in the local time zone. */
bool	sched_active(const struct schedule *s, time_t t);

#endif
