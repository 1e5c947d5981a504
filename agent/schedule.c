/*
 * schedule.c: weekly windows and holidays evaluated on the local wall
 * clock.  The zone's daylight-saving changes are the hard part: a window
 * boundary in the hour that does not exist happens when the clock jumps
 * past it, and one in the hour that happens twice happens only the first
 * time (sched_wall_at).  A schedule never reads a clock itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "schedule.h"

static const char *const day_names[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};

static int
day_lookup(const char *s, size_t len)
{
	int	i;

	for (i = 0; i < 7; i++)
		if (len == 3 && strncmp(s, day_names[i], 3) == 0)
			return i;
	return -1;
}

/* One element of the day list: "mon", "mon-fri", "hol" or "daily". */
static int
days_parse_one(const char *s, size_t len, uint8_t *days)
{
	const char	*dash = memchr(s, '-', len);
	int		 a, b;

	if (len == 3 && strncmp(s, "hol", 3) == 0) {
		*days |= SCHED_HOLIDAY;
		return 0;
	}
	if (len == 5 && strncmp(s, "daily", 5) == 0) {
		*days |= 0x7f;
		return 0;
	}
	if (dash == NULL) {
		if ((a = day_lookup(s, len)) == -1)
			return -1;
		*days |= 1u << a;
		return 0;
	}
	a = day_lookup(s, (size_t)(dash - s));
	b = day_lookup(dash + 1, len - (size_t)(dash - s) - 1);
	if (a == -1 || b == -1)
		return -1;
	for (;;) {		/* fri-mon wraps over the weekend */
		*days |= 1u << a;
		if (a == b)
			return 0;
		a = (a + 1) % 7;
	}
}

/* "HH:MM" into minutes, 00:00 to 24:00. */
static int
clock_parse(const char *s, size_t len, uint16_t *min)
{
	int	h, m;

	if (len != 5 || s[2] != ':')
		return -1;
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '9' || s[4] < '0' || s[4] > '9')
		return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return -1;
	*min = (uint16_t)(h * 60 + m);
	return 0;
}

int
sched_window_parse(const char *text, struct sched_window *w, char *err,
    size_t errlen)
{
	const char	*p = text, *sp, *e, *dash;
	uint8_t		 days = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if ((sp = strpbrk(p, " \t")) == NULL) {
		snprintf(err, errlen, "'%s': want DAYS HH:MM-HH:MM", text);
		return -1;
	}
	while (p < sp) {
		if ((e = memchr(p, ',', (size_t)(sp - p))) == NULL)
			e = sp;
		if (days_parse_one(p, (size_t)(e - p), &days) == -1) {
			snprintf(err, errlen, "'%.*s': not a day (mon..sun, "
			    "a range such as mon-fri, hol or daily)",
			    (int)(e - p), p);
			return -1;
		}
		p = e < sp ? e + 1 : e;
	}
	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strcspn(p, " \t");
	if (e[strspn(e, " \t")] != '\0' ||
	    (dash = memchr(p, '-', (size_t)(e - p))) == NULL ||
	    clock_parse(p, (size_t)(dash - p), &w->from) == -1 ||
	    clock_parse(dash + 1, (size_t)(e - dash - 1), &w->to) == -1) {
		snprintf(err, errlen, "'%s': want HH:MM-HH:MM, 00:00 to 24:00",
		    p);
		return -1;
	}
	if (w->from == w->to) {
		snprintf(err, errlen, "'%s': a window from a time to itself is "
		    "empty (00:00-24:00 is the whole day)", p);
		return -1;
	}
	if (w->from == SCHED_DAY_END) {
		snprintf(err, errlen, "'%s': a window cannot start at 24:00", p);
		return -1;
	}
	w->days = days;
	return 0;
}

void
sched_window_print(const struct sched_window *w, char *buf, size_t len)
{
	size_t	off = 0;
	int	i, n = 0;

	buf[0] = '\0';
	if ((w->days & 0x7f) == 0x7f) {
		off += (size_t)snprintf(buf, len, "daily");
		n++;
	} else {
		for (i = 1; i <= 7; i++) {	/* monday first */
			if ((w->days & (1u << (i % 7))) == 0 || off >= len)
				continue;
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
			    n++ ? "," : "", day_names[i % 7]);
		}
	}
	if ((w->days & SCHED_HOLIDAY) && off < len)
		off += (size_t)snprintf(buf + off, len - off, "%shol",
		    n++ ? "," : "");
	if (off < len)
		snprintf(buf + off, len - off, " %02d:%02d-%02d:%02d",
		    w->from / 60, w->from % 60, w->to / 60, w->to % 60);
}

static int
long_cmp(const void *a, const void *b)
{
	long	x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int
sched_holiday_add(struct schedule *s, const char *line, char *err,
    size_t errlen)
{
	char	date[11];
	long	day;
	size_t	n = strcspn(line, " \t");

	if (n != 10) {
		snprintf(err, errlen, "'%.40s': want YYYY-MM-DD [name]", line);
		return -1;
	}
	memcpy(date, line, 10);
	date[10] = '\0';
	if (date_parse_ymd(date, &day) == -1) {
		snprintf(err, errlen, "'%s': not a date", date);
		return -1;
	}
	if (bsearch(&day, s->holiday, (size_t)s->nholiday, sizeof day,
	    long_cmp) != NULL)
		return 0;
	if (s->nholiday == SCHED_HOLIDAYS_MAX) {
		snprintf(err, errlen, "more than %d holidays",
		    SCHED_HOLIDAYS_MAX);
		return -1;
	}
	s->holiday[s->nholiday++] = day;
	qsort(s->holiday, (size_t)s->nholiday, sizeof day, long_cmp);
	return 0;
}

int
sched_holidays_load(struct schedule *s, const char *path, char *err,
    size_t errlen)
{
	struct schedule	 tmp = *s;
	FILE		*f;
	char		 line[256], why[160];
	int		 n = 0, rc = 0;
	size_t		 len;
	char		*p;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		n++;
		len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line too long", path, n);
			rc = -1;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		if (sched_holiday_add(&tmp, p, why, sizeof why) == -1) {
			snprintf(err, errlen, "%s:%d: %s", path, n, why);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	if (rc == 0)
		*s = tmp;
	return rc;
}

static long
gmtoff_at(time_t t)
{
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * Where the clock was set back (daylight saving ends) within the last
 * three hours, returns the instant of the change in *at and the wall
 * offset before it in *before; otherwise 0.
 */
static int
setback_near(time_t t, time_t *at, long *before)
{
	time_t	lo = t - 3 * 3600, hi = t, mid;
	long	now = gmtoff_at(t), then = gmtoff_at(lo);

	if (then <= now)
		return 0;
	while (hi - lo > 1) {	/* the first second with today's offset */
		mid = lo + (hi - lo) / 2;
		if (gmtoff_at(mid) == now)
			hi = mid;
		else
			lo = mid;
	}
	*at = hi;
	*before = then;
	return 1;
}

void
sched_wall_at(time_t t, struct sched_wall *w)
{
	struct tm	tm;
	time_t		change;
	long		before;

	/* The second pass of a repeated hour reads as the end of the
	 * first: t's wall time comes before the wall time the clock showed
	 * just before it was set back. */
	if (setback_near(t, &change, &before) &&
	    t + gmtoff_at(t) < change + before)
		t = change - 1;
	if (localtime_r(&t, &tm) == NULL) {
		w->day = 0;
		w->wday = 4;
		w->minute = 0;
		return;
	}
	w->day = days_from_civil((long)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	w->wday = tm.tm_wday;
	w->minute = tm.tm_hour * 60 + tm.tm_min;
}

static bool
is_holiday(const struct schedule *s, long day)
{
	return bsearch(&day, s->holiday, (size_t)s->nholiday, sizeof day,
	    long_cmp) != NULL;
}

/* Whether window w starts on the given day. */
static bool
starts_on(const struct schedule *s, const struct sched_window *w, long day)
{
	if (s->nholiday > 0 && is_holiday(s, day))
		return (w->days & SCHED_HOLIDAY) != 0;
	return (w->days & (1u << weekday_of_day(day))) != 0;
}

bool
sched_active_wall(const struct schedule *s, const struct sched_wall *wall)
{
	const struct sched_window	*w;
	int				 i;

	for (i = 0; i < s->nwin; i++) {
		w = &s->win[i];
		if (w->from < w->to) {
			if (wall->minute >= w->from && wall->minute < w->to &&
			    starts_on(s, w, wall->day))
				return true;
			continue;
		}
		/* Across midnight: the evening of its day, the morning of
		 * the next. */
		if (wall->minute >= w->from && starts_on(s, w, wall->day))
			return true;
		if (wall->minute < w->to && starts_on(s, w, wall->day - 1))
			return true;
	}
	return false;
}

bool
sched_active(const struct schedule *s, time_t t)
{
	struct sched_wall	w;

	sched_wall_at(t, &w);
	return sched_active_wall(s, &w);
}
