/*
 * test-ctl-format.c: gatectl's text helpers, table-driven: report times,
 * RFC 4180 fields, aligned tables, number and temperature arguments, JSON
 * members as table cells, and control characters escaped for a terminal.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gatectl.h"
#include "unit.h"

/* One CSV row written to memory; the caller frees what comes back. */
static char *
capture_csv(const char *const *fields, int n)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	ctl_csv_row(f, fields, n);
	fclose(f);
	return buf;
}

static void
test_time(void)
{
	static const struct {
		int64_t		 ms;
		const char	*tz;
		const char	*want;
	} t[] = {
		{ 0, "UTC0", "1970-01-01 00:00:00" },
		{ 1716190245999LL, "UTC0", "2024-05-20 07:30:45" },
		{ 1716190245999LL, "CET-1CEST,M3.5.0,M10.5.0/3",
		  "2024-05-20 09:30:45" },
		{ 1704067200000LL, "CET-1CEST,M3.5.0,M10.5.0/3",
		  "2024-01-01 01:00:00" },
		{ -1, "UTC0", "1969-12-31 23:59:59" },
	};
	char	buf[32];
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		setenv("TZ", t[i].tz, 1);
		tzset();
		ctl_format_time(t[i].ms, buf, sizeof buf);
		check(strcmp(buf, t[i].want) == 0,
		    "time %lld in %s is %s (got %s)", (long long)t[i].ms,
		    t[i].tz, t[i].want, buf);
	}
	check(ctl_format_time(0, buf, 5) == -1, "time: short buffer fails");
	setenv("TZ", "UTC0", 1);
	tzset();
}

static void
test_when(void)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: refused */
	} t[] = {
		{ "2024-05-20", "2024-05-20" },
		{ "2024-05-20T08:00", "2024-05-20T08:00" },
		{ "2024-05-20 08:00", "2024-05-20T08:00" },
		{ "2024-05-20T08:00:30", "2024-05-20T08:00:30" },
		{ "2024-02-29", "2024-02-29" },
		{ "2023-02-29", NULL },
		{ "2024-02-31", NULL },
		{ "2024-13-01", NULL },
		{ "2024-05-20T25:00", NULL },
		{ "2024-05-20T08", NULL },
		{ "2024-05-20T08:00:30Z", NULL },
		{ "20240520", NULL },
		{ "yesterday", NULL },
		{ "2024-05-20&x=1", NULL },
		{ "", NULL },
	};
	char	out[32];
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		rc = ctl_when_normalise(t[i].in, out, sizeof out);
		if (t[i].want == NULL)
			check(rc == -1, "when \"%s\" is refused", t[i].in);
		else
			check(rc == 0 && strcmp(out, t[i].want) == 0,
			    "when \"%s\" becomes %s", t[i].in, t[i].want);
	}
}

static void
test_csv(void)
{
	static const struct {
		const char	*fields[3];
		const char	*want;
	} t[] = {
		{ { "a", "b", "c" }, "a,b,c\r\n" },
		{ { "a,b", "", NULL }, "\"a,b\",,\r\n" },
		{ { "say \"hi\"", "x", "y" }, "\"say \"\"hi\"\"\",x,y\r\n" },
		{ { "two\nlines", "cr\r", "\"" }, "\"two\nlines\",\"cr\r\",\"\"\"\"\r\n" },
		{ { "fever 37.8", "südtor", "-" }, "fever 37.8,südtor,-\r\n" },
	};
	char	*got;
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = capture_csv(t[i].fields, 3);
		check(got != NULL && strcmp(got, t[i].want) == 0,
		    "csv row %zu quoted per RFC 4180", i);
		free(got);
	}
}

static void
test_table(void)
{
	static const char *const head[] = { "ID", "LANE", "DETAIL" };
	static const char *const r1[] = { "1", "south-ped", "granted" };
	static const char *const r2[] = { "1234", "", NULL };
	static const char *const want =
	    "  ID    LANE       DETAIL\n"
	    "  1     south-ped  granted\n"
	    "  1234  -          -\n";
	struct ctl_table	*t;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;

	t = ctl_table_new(3, head);
	check(ctl_table_rows(t) == 0, "table: new table has no rows");
	ctl_table_add(t, r1);
	ctl_table_add(t, r2);
	check(ctl_table_rows(t) == 2, "table: two rows added");
	f = open_memstream(&buf, &len);
	ctl_table_print(t, f, "  ");
	fclose(f);
	check(buf != NULL && strcmp(buf, want) == 0,
	    "table: columns aligned, empty cells as -, no trailing blanks");
	free(buf);
	ctl_table_free(t);
	ctl_table_free(NULL);
	check(ctl_table_new(0, head) == NULL, "table: no columns refused");
}

static void
test_numbers(void)
{
	static const struct {
		const char	*in;
		long		 min, max;
		int		 rc;
		long		 want;
	} l[] = {
		{ "42", 0, 100, 0, 42 },
		{ "0", 0, 100, 0, 0 },
		{ "101", 0, 100, -1, 0 },
		{ "-1", 0, 100, -1, 0 },
		{ "4x", 0, 100, -1, 0 },
		{ "", 0, 100, -1, 0 },
		{ "99999999999999999999", 0, LONG_MAX, -1, 0 },
	};
	static const struct {
		const char	*in;
		int		 rc;
		double		 want;
	} d[] = {
		{ "36.6", 0, 36.6 },
		{ "38", 0, 38.0 },
		{ "-5.5", 0, -5.5 },
		{ "nan", -1, 0 },
		{ "inf", -1, 0 },
		{ "36,6", -1, 0 },
		{ "1e9", -1, 0 },
		{ "", -1, 0 },
	};
	size_t	i;
	long	v;
	double	t;

	for (i = 0; i < sizeof l / sizeof l[0]; i++) {
		v = -7;
		check(ctl_parse_long(l[i].in, l[i].min, l[i].max, &v) ==
		    l[i].rc && (l[i].rc != 0 || v == l[i].want),
		    "number \"%s\" in %ld..%ld %s", l[i].in, l[i].min,
		    l[i].max, l[i].rc == 0 ? "accepted" : "refused");
	}
	for (i = 0; i < sizeof d / sizeof d[0]; i++) {
		t = -7;
		check(ctl_parse_temp(d[i].in, &t) == d[i].rc &&
		    (d[i].rc != 0 || t == d[i].want),
		    "temperature \"%s\" %s", d[i].in,
		    d[i].rc == 0 ? "accepted" : "refused");
	}
}

static void
test_json(void)
{
	json_t		*o;
	char		 buf[64];

	o = json_pack("{s:s, s:i, s:f, s:b, s:n, s:I, s:i}", "lane",
	    "south-ped", "id", 42, "temp", 37.84, "open", 1, "person",
	    "ts_ms", (json_int_t)1716190245000LL, "t", 38);
	check(strcmp(ctl_json_text(o, "lane", buf, sizeof buf),
	    "south-ped") == 0, "json: string member as is");
	check(strcmp(ctl_json_text(o, "id", buf, sizeof buf), "42") == 0,
	    "json: integer member in decimal");
	check(strcmp(ctl_json_text(o, "temp", buf, sizeof buf), "37.8") == 0,
	    "json: real member with one decimal");
	check(strcmp(ctl_json_temp(o, "t", buf, sizeof buf), "38.0") == 0,
	    "json: integer temperature with one decimal");
	check(strcmp(ctl_json_text(o, "open", buf, sizeof buf), "yes") == 0,
	    "json: true as yes");
	check(strcmp(ctl_json_text(o, "person", buf, sizeof buf), "") == 0,
	    "json: null member empty");
	check(strcmp(ctl_json_text(o, "missing", buf, sizeof buf), "") == 0,
	    "json: absent member empty");
	check(strcmp(ctl_json_text(NULL, "x", buf, sizeof buf), "") == 0,
	    "json: no object empty");
	check(strcmp(ctl_json_time(o, "ts_ms", buf, sizeof buf),
	    "2024-05-20 07:30:45") == 0, "json: milliseconds as local time");
	check(strcmp(ctl_json_time(o, "lane", buf, sizeof buf),
	    "south-ped") == 0, "json: string time as is");
	json_decref(o);
}

/*
 * Journal text may hold anything a client sent before the agent checked
 * reasons, or a device name: what reaches the terminal is escaped.
 */
static void
test_escape(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ "plain text", "plain text" },
		{ "südtor", "südtor" },
		{ "a\nINFO forged", "a\\nINFO forged" },
		{ "\x1b[31mred\x1b[0m", "\\e[31mred\\e[0m" },
		{ "bell\x07", "bell\\x07" },
		{ "del\x7f", "del\\x7f" },
		{ "tab\tcr\r", "tab\\tcr\\r" },
		{ "csi \xc2\x9b" "31m", "csi \\u009b31m" },
		{ "nbsp\xc2\xa0ok", "nbsp\xc2\xa0ok" },
		{ "ls\xe2\x80\xa8ps\xe2\x80\xa9", "ls\\u2028ps\\u2029" },
		{ "dash \xe2\x80\x94 ok", "dash \xe2\x80\x94 ok" },
		{ "back\\slash", "back\\slash" },
	};
	static const char *const head[] = { "ID", "DETAIL" };
	const char		*row[2];
	struct ctl_table	*tb;
	json_t			*o;
	char			 buf[64], *out = NULL;
	size_t			 i, len = 0;
	FILE			*f;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		check(ctl_escape(t[i].in, buf, sizeof buf) ==
		    strlen(t[i].want) && strcmp(buf, t[i].want) == 0,
		    "escape %zu: %s", i, t[i].want);
		o = json_pack("{s:s}", "detail", t[i].in);
		check(strcmp(ctl_json_text(o, "detail", buf, sizeof buf),
		    t[i].want) == 0, "escape %zu: a JSON member escaped", i);
		json_decref(o);
	}
	/* A cut never leaves half an escape that reads as another. */
	check(ctl_escape("ab\x1b", buf, 4) == 4 && strcmp(buf, "ab") == 0,
	    "escape: a short buffer holds whole escapes only");
	check(ctl_escape("\n", NULL, 0) == 2, "escape: length without buffer");
	ctl_escape("a\x1b\n", buf, sizeof buf);
	ctl_escape(buf, buf + 32, 32);
	check(strcmp(buf + 32, "a\\e\\n") == 0, "escape: twice is once");

	tb = ctl_table_new(2, head);
	row[0] = "1";
	row[1] = "x\ny\x1b]0;pwned\x07";
	ctl_table_add(tb, row);
	f = open_memstream(&out, &len);
	ctl_table_print(tb, f, NULL);
	fclose(f);
	check(out != NULL && strcmp(out, "ID  DETAIL\n1   "
	    "x\\ny\\e]0;pwned\\x07\n") == 0,
	    "table: a cell's control characters escaped, one line per row");
	free(out);
	ctl_table_free(tb);
}

int
main(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
	test_time();
	test_when();
	test_csv();
	test_table();
	test_numbers();
	test_json();
	test_escape();
	return check_done();
}
