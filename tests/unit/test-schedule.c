/*
 * test-schedule.c: weekly windows, holidays and the daylight-saving days
 * of Europe/Berlin (TZ is set here: the campus may be anywhere, and the
 * test must not depend on the machine's zone).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "schedule.h"
#include "unit.h"

/* A UTC instant from its civil parts. */
static time_t
utc(int y, int mo, int d, int h, int mi)
{
	return (time_t)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static struct schedule
sched(const char *const *windows, const char *const *holidays)
{
	struct schedule	s;
	char		err[160];

	memset(&s, 0, sizeof s);
	snprintf(s.name, sizeof s.name, "test");
	for (; windows != NULL && *windows != NULL; windows++)
		if (sched_window_parse(*windows, &s.win[s.nwin++], err,
		    sizeof err) == -1)
			check(0, "parse '%s': %s", *windows, err);
	for (; holidays != NULL && *holidays != NULL; holidays++)
		if (sched_holiday_add(&s, *holidays, err, sizeof err) == -1)
			check(0, "holiday '%s': %s", *holidays, err);
	return s;
}

/* Counts how often activity changes, minute by minute over [a, b). */
static int
changes(const struct schedule *s, time_t a, time_t b, time_t *last)
{
	bool	prev = sched_active(s, a), now;
	int	n = 0;
	time_t	t;

	for (t = a + 60; t < b; t += 60) {
		now = sched_active(s, t);
		if (now != prev) {
			n++;
			*last = t;
		}
		prev = now;
	}
	return n;
}

static void
test_parse(void)
{
	static const struct {
		const char	*in, *out;
	} good[] = {
		{ "mon-fri 07:00-22:00", "mon,tue,wed,thu,fri 07:00-22:00" },
		{ "sat,sun 09:00-18:00", "sat,sun 09:00-18:00" },
		{ "fri-mon 22:00-06:00", "mon,fri,sat,sun 22:00-06:00" },
		{ "daily 00:00-24:00", "daily 00:00-24:00" },
		{ "hol 10:00-12:00", "hol 10:00-12:00" },
		{ "  mon,hol   08:15-09:45  ", "mon,hol 08:15-09:45" },
	};
	static const char *const bad[] = {
		"", "mon", "mon 07:00", "monday 07:00-08:00", "mon 7:00-8:00",
		"mon 07:00-07:00", "mon 24:00-01:00", "mon 07:60-08:00",
		"mon 25:00-26:00", "mon 07:00-24:01", "mon- 07:00-08:00",
		"mon,,tue 07:00-08:00", "mon 07:00-08:00 x", "xyz 07:00-08:00",
	};
	struct sched_window	w;
	char			err[160], buf[80];
	size_t			i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		memset(&w, 0, sizeof w);
		if (sched_window_parse(good[i].in, &w, err, sizeof err) == -1) {
			check(0, "parse '%s': %s", good[i].in, err);
			continue;
		}
		sched_window_print(&w, buf, sizeof buf);
		check(strcmp(buf, good[i].out) == 0, "'%s' prints '%s' "
		    "(want '%s')", good[i].in, buf, good[i].out);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		check(sched_window_parse(bad[i], &w, err, sizeof err) == -1 &&
		    err[0] != '\0', "'%s' refused: %s", bad[i], err);
	}
}

static void
test_week(void)
{
	static const char *const work[] = { "mon-fri 07:00-22:00",
	    "sat,sun 09:00-18:00", NULL };
	static const char *const night[] = { "fri 22:00-06:00", NULL };
	struct schedule		 s = sched(work, NULL);
	struct schedule		 n = sched(night, NULL);

	setenv("TZ", "UTC", 1);
	tzset();
	/* 2026-11-30 is a Monday. */
	check(!sched_active(&s, utc(2026, 11, 30, 6, 59)), "mon 06:59 out");
	check(sched_active(&s, utc(2026, 11, 30, 7, 0)), "mon 07:00 in");
	check(sched_active(&s, utc(2026, 11, 30, 21, 59)), "mon 21:59 in");
	check(!sched_active(&s, utc(2026, 11, 30, 22, 0)), "mon 22:00 out");
	check(!sched_active(&s, utc(2026, 12, 5, 8, 59)), "sat 08:59 out");
	check(sched_active(&s, utc(2026, 12, 5, 9, 0)), "sat 09:00 in");
	check(!sched_active(&s, utc(2026, 12, 6, 18, 0)), "sun 18:00 out");
	/* Across midnight: Friday's window runs into Saturday morning. */
	check(!sched_active(&n, utc(2026, 12, 4, 21, 59)), "fri 21:59 out");
	check(sched_active(&n, utc(2026, 12, 4, 22, 0)), "fri 22:00 in");
	check(sched_active(&n, utc(2026, 12, 5, 5, 59)), "sat 05:59 in");
	check(!sched_active(&n, utc(2026, 12, 5, 6, 0)), "sat 06:00 out");
	check(!sched_active(&n, utc(2026, 12, 4, 3, 0)),
	    "fri 03:00 out (thursday has no window)");
	check(!sched_active(&n, utc(2026, 12, 5, 22, 30)), "sat 22:30 out");
}

static void
test_holidays(void)
{
	static const char *const work[] = { "mon-fri 07:00-22:00",
	    "hol 10:00-12:00", "thu 23:00-02:00", NULL };
	static const char *const hol[] = { "2026-12-25 Christmas Day",
	    "2026-12-24", NULL };
	struct schedule	 s = sched(work, hol);
	struct schedule	 none = sched(work, NULL);
	char		 err[200], path[] = "/tmp/test-schedule-XXXXXX";
	FILE		*f;
	int		 fd;

	setenv("TZ", "UTC", 1);
	tzset();
	/* 2026-12-25 is a Friday, 12-24 a Thursday. */
	check(!sched_active(&s, utc(2026, 12, 25, 8, 0)),
	    "holiday 08:00 out: weekday windows do not apply");
	check(sched_active(&s, utc(2026, 12, 25, 10, 30)),
	    "holiday 10:30 in: the hol window");
	check(sched_active(&s, utc(2026, 12, 23, 8, 0)), "12-23 08:00 in");
	check(sched_active(&none, utc(2026, 12, 25, 8, 0)),
	    "a schedule without holidays ignores the date");
	check(!sched_active(&s, utc(2026, 12, 25, 1, 0)),
	    "thu 23:00-02:00 belongs to its holiday start day: out");
	check(sched_active(&none, utc(2026, 12, 25, 1, 0)),
	    "thu 23:00-02:00 without holidays: in on friday 01:00");
	check(sched_holiday_add(&s, "2026-02-30 no", err, sizeof err) == -1,
	    "2026-02-30 refused: %s", err);
	check(sched_holiday_add(&s, "2026-1-05", err, sizeof err) == -1,
	    "2026-1-05 refused: %s", err);

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		check(0, "mkstemp");
		return;
	}
	fputs("# campus holidays\n\n2027-01-01 New Year\n2027-13-01 bad\n", f);
	fclose(f);
	memset(&none, 0, sizeof none);
	check(sched_holidays_load(&none, path, err, sizeof err) == -1 &&
	    strstr(err, ":4: ") != NULL && none.nholiday == 0,
	    "holiday file error names line 4, adds nothing: %s", err);
	f = fopen(path, "w");
	fputs("# campus holidays\n\n2027-01-01 New Year\n 2027-05-01\n", f);
	fclose(f);
	check(sched_holidays_load(&none, path, err, sizeof err) == 0 &&
	    none.nholiday == 2, "holiday file: 2 days");
	check(sched_holidays_load(&none, "/nonexistent/h", err,
	    sizeof err) == -1 && strstr(err, "/nonexistent/h") != NULL,
	    "missing holiday file named: %s", err);
	unlink(path);
}

/*
 * Europe/Berlin: on 2026-03-29 the clock jumps from 02:00 CET to 03:00
 * CEST (01:00 UTC); on 2026-10-25 it goes back from 03:00 CEST to 02:00
 * CET (01:00 UTC), so 02:00-02:59 happens twice.
 */
static void
test_dst(void)
{
	static const char *const gap[] = { "daily 02:30-04:00", NULL };
	static const char *const lost[] = { "daily 02:10-02:40", NULL };
	static const char *const ends[] = { "daily 22:00-02:30", NULL };
	static const char *const starts[] = { "daily 02:30-05:00", NULL };
	struct schedule		 s;
	time_t			 last = 0;
	struct sched_wall	 w;

	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	s = sched(gap, NULL);
	check(!sched_active(&s, utc(2026, 3, 29, 0, 59)),
	    "spring: 01:59 CET out");
	check(sched_active(&s, utc(2026, 3, 29, 1, 0)),
	    "spring: the 02:30 boundary happens at 03:00 CEST");
	check(changes(&s, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 12, 0),
	    &last) == 2 && last == utc(2026, 3, 29, 2, 0),
	    "spring: in at the jump, out at 04:00 CEST");
	s = sched(lost, NULL);
	check(changes(&s, utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 12, 0),
	    &last) == 0, "spring: a window inside the lost hour never opens");

	s = sched(ends, NULL);
	check(sched_active(&s, utc(2026, 10, 25, 0, 29)),
	    "autumn: 02:29 CEST (first pass) in");
	check(!sched_active(&s, utc(2026, 10, 25, 0, 30)),
	    "autumn: 02:30 CEST out");
	check(!sched_active(&s, utc(2026, 10, 25, 1, 10)),
	    "autumn: 02:10 CET (second pass) stays out");
	check(changes(&s, utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 6, 0),
	    &last) == 1 && last == utc(2026, 10, 25, 0, 30),
	    "autumn: 22:00-02:30 ends once, at the first 02:30");
	s = sched(starts, NULL);
	check(changes(&s, utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 6, 0),
	    &last) == 2 && last == utc(2026, 10, 25, 4, 0),
	    "autumn: 02:30-05:00 starts once and ends at 05:00 CET");
	check(sched_active(&s, utc(2026, 10, 25, 1, 5)),
	    "autumn: second pass 02:05 CET stays in");

	sched_wall_at(utc(2026, 10, 25, 1, 30), &w);
	check(w.minute == 2 * 60 + 59, "second pass reads as 02:59 (%d)",
	    w.minute);
	sched_wall_at(utc(2026, 10, 25, 2, 0), &w);
	check(w.minute == 3 * 60, "03:00 CET reads as 03:00 (%d)", w.minute);
	setenv("TZ", "UTC", 1);
	tzset();
}

int
main(void)
{
	test_parse();
	test_week();
	test_holidays();
	test_dst();
	return check_done();
}
