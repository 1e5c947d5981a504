/*
 * calendar.h: civil dates without a time zone library: days since
 * 1970-01-01 of a date, the weekday of such a day, and strict parsing of
 * YYYY-MM-DD.  Shared by the people list (validity days) and schedules
 * (holidays).
 */
#ifndef GATED_CALENDAR_H
#define GATED_CALENDAR_H

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's). */
long	days_from_civil(long y, int m, int d);

/* The date of a day counted from 1970-01-01. */
void	civil_from_days(long day, int *y, int *m, int *d);

/* 0 for Sunday to 6 for Saturday, of a day counted from 1970-01-01. */
int	weekday_of_day(long day);

/* Parses exactly YYYY-MM-DD, a real date, into days since 1970-01-01.
 * Returns 0, or -1 for anything else (trailing text included). */
int	date_parse_ymd(const char *s, long *day);

#endif
