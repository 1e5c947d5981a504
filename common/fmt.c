/*
 * fmt.c: formatting shared by the programs.  Text a gate journaled (free
 * text typed by a guard, a device's name) may be anything, and jansson
 * refuses invalid UTF-8, so such bytes become '?' rather than the field
 * going missing; times are named in local time with their offset, the
 * gate's "time"; CSV is RFC 4180's.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "xmalloc.h"

json_t *
fmt_json_string(const char *s)
{
	json_t	*v;
	char	*copy, *p;

	if (s == NULL)
		return json_null();
	if ((v = json_string(s)) != NULL)
		return v;
	copy = xstrdup(s);
	for (p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	}
	v = json_string(copy);
	free(copy);
	return v;
}

json_t *
fmt_json_time(int64_t ts_ms)
{
	struct tm	 tm;
	time_t		 t;
	char		 buf[64];

	t = (time_t)(ts_ms >= 0 ? ts_ms / 1000 : (ts_ms - 999) / 1000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm) == 0)
		return json_null();
	return json_string(buf);
}

void
fmt_csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
