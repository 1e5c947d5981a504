/*
 * test-decode.c: the USB byte decoders of hw/decode.c, driven by tables of
 * reports, replies and chunks as the devices send them: keyboard-wedge
 * reports with held keys, shift, keypad and timeouts; TEMPer replies; ASCII
 * reading lines split anywhere or full of garbage.
 */
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "unit.h"

/* A key report: modifier and up to two keys (the rest zero). */
struct rep {
	int64_t	t;		/* ms */
	uint8_t	mod, k1, k2;
	int	len;		/* 8, or something else for junk */
};

#define R(t, m, a, b)	{ t, m, a, b, 8 }
#define UP(t)		{ t, 0, 0, 0, 8 }

struct wedge_case {
	const char	*name;
	struct rep	 reps[48];
	int		 n;
	int		 want;		/* last non-zero result, or 0 */
	const char	*number;	/* when want == 1 */
	int		 ones;		/* how many numbers came out */
};

/* Digit key code for '0'..'9'. */
#define D(c)	((c) == '0' ? 0x27 : 0x1e + ((c) - '1'))
#define KP(c)	((c) == '0' ? 0x62 : 0x59 + ((c) - '1'))
#define ENTER	0x28
#define KPENTER	0x58
#define SHIFT	0x02

static const struct wedge_case wedge_cases[] = {
	{ "plain digits, each released", {
	    R(0, 0, D('1'), 0), UP(5), R(10, 0, D('2'), 0), UP(15),
	    R(20, 0, D('0'), 0), UP(25), R(30, 0, ENTER, 0), UP(35) },
	  8, 1, "120", 1 },
	{ "held key counts once", {
	    R(0, 0, D('7'), 0), R(8, 0, D('7'), 0), R(16, 0, D('7'), 0),
	    UP(24), R(30, 0, ENTER, 0), UP(35) },
	  6, 1, "7", 1 },
	{ "rolled keys: next pressed while the first is held", {
	    R(0, 0, D('4'), 0), R(5, 0, D('4'), D('5')), R(10, 0, D('5'), 0),
	    R(15, 0, D('5'), ENTER), UP(20) },
	  5, 1, "45", 1 },
	{ "same digit twice needs a release between", {
	    R(0, 0, D('3'), 0), UP(5), R(10, 0, D('3'), 0), UP(15),
	    R(20, 0, ENTER, 0), UP(25) },
	  6, 1, "33", 1 },
	{ "hex without shift", {
	    R(0, 0, 0x04, 0), UP(1), R(2, 0, 0x09, 0), UP(3),
	    R(4, 0, D('9'), 0), UP(5), R(6, 0, ENTER, 0), UP(7) },
	  8, 1, "af9", 1 },
	{ "hex with shift", {
	    R(0, SHIFT, 0x06, 0), UP(1), R(2, 0x20, 0x05, 0), UP(3),
	    R(4, 0, ENTER, 0), UP(5) },
	  6, 1, "cb", 1 },
	{ "shifted digit is a symbol, the number is bad", {
	    R(0, 0, D('1'), 0), UP(1), R(2, SHIFT, D('2'), 0), UP(3),
	    R(4, 0, ENTER, 0), UP(5) },
	  6, -1, NULL, 0 },
	{ "keypad digits and keypad enter", {
	    R(0, 0, KP('1'), 0), UP(1), R(2, 0, KP('0'), 0), UP(3),
	    R(4, 0, KP('9'), 0), UP(5), R(6, 0, KPENTER, 0), UP(7) },
	  8, 1, "109", 1 },
	{ "enter alone gives nothing", {
	    R(0, 0, ENTER, 0), UP(1), R(2, 0, KPENTER, 0), UP(3) },
	  4, 0, NULL, 0 },
	{ "letter g is not a digit", {
	    R(0, 0, D('1'), 0), UP(1), R(2, 0, 0x0a, 0), UP(3),
	    R(4, 0, ENTER, 0), UP(5) },
	  6, -1, NULL, 0 },
	{ "a pause drops the partial number", {
	    R(0, 0, D('1'), 0), UP(1), R(2, 0, D('2'), 0), UP(3),
	    R(600, 0, D('5'), 0), UP(601), R(602, 0, ENTER, 0), UP(603) },
	  8, 1, "5", 1 },
	{ "a pause just under the limit keeps it", {
	    R(0, 0, D('1'), 0), UP(1), R(500, 0, D('2'), 0), UP(501),
	    R(1000, 0, ENTER, 0), UP(1001) },
	  6, 1, "12", 1 },
	{ "a pause before enter drops the number", {
	    R(0, 0, D('1'), 0), UP(1), R(800, 0, ENTER, 0), UP(801) },
	  4, 0, NULL, 0 },
	{ "a pause also forgets a bad number", {
	    R(0, 0, 0x0b, 0), UP(1), R(900, 0, D('8'), 0), UP(901),
	    R(902, 0, ENTER, 0), UP(903) },
	  6, 1, "8", 1 },
	{ "zero-length packets and short reports are ignored", {
	    R(0, 0, D('6'), 0), { 1, 0, 0, 0, 0 }, { 2, 0, 0, 0, 3 },
	    R(3, 0, D('6'), 0), UP(4), { 5, 0, 0, 0, 0 },
	    R(6, 0, ENTER, 0), { 7, 0, 0, 0, 0 }, UP(8) },
	  9, 1, "6", 1 },
	{ "rollover report changes nothing", {
	    R(0, 0, D('2'), 0), { 1, 0, 0x01, 0x01, 8 }, R(2, 0, D('2'), 0),
	    UP(3), R(4, 0, ENTER, 0), UP(5) },
	  6, 1, "2", 1 },
	{ "two numbers in a row", {
	    R(0, 0, D('1'), 0), UP(1), R(2, 0, ENTER, 0), UP(3),
	    R(4, 0, D('2'), 0), UP(5), R(6, 0, ENTER, 0), UP(7) },
	  8, 1, "2", 2 },
};

/* Feeds one case's reports; the last non-zero result, count of numbers. */
static int
run_wedge(const struct wedge_case *c, char *out, size_t outlen, int *ones)
{
	struct wedge	 w;
	uint8_t		 r[64];
	char		 tmp[64];
	int		 i, v, last = 0;

	wedge_init(&w);
	*ones = 0;
	out[0] = '\0';
	for (i = 0; i < c->n; i++) {
		memset(r, 0, sizeof r);
		r[0] = c->reps[i].mod;
		r[2] = c->reps[i].k1;
		r[3] = c->reps[i].k2;
		if (c->reps[i].k1 == 0x01)
			memset(r + 2, 0x01, 6);
		v = wedge_feed(&w, r, (size_t)c->reps[i].len, c->reps[i].t,
		    tmp, sizeof tmp);
		if (v == 1) {
			(*ones)++;
			snprintf(out, outlen, "%s", tmp);
		}
		if (v != 0)
			last = v;
	}
	return last;
}

static void
test_wedge(void)
{
	const struct wedge_case	*c;
	char			 out[64];
	size_t			 i;
	int			 v, ones;

	for (i = 0; i < sizeof wedge_cases / sizeof wedge_cases[0]; i++) {
		c = &wedge_cases[i];
		v = run_wedge(c, out, sizeof out, &ones);
		check(v == c->want, "wedge: %s: result %d (want %d)", c->name,
		    v, c->want);
		check(ones == c->ones, "wedge: %s: %d numbers (want %d)",
		    c->name, ones, c->ones);
		if (c->number != NULL)
			check(strcmp(out, c->number) == 0,
			    "wedge: %s: \"%s\" (want \"%s\")", c->name, out,
			    c->number);
	}
}

/* Types text as a QR scanner does: shift for capitals, then Enter. */
static int
type_text(struct wedge *w, const char *s, int64_t *t, char *out,
    size_t outlen)
{
	uint8_t	r[8];
	int	v;

	for (; *s != '\0'; s++) {
		memset(r, 0, sizeof r);
		if (*s >= 'A' && *s <= 'Z') {
			r[0] = 0x02;		/* left shift */
			r[2] = (uint8_t)(0x04 + (*s - 'A'));
		} else if (*s >= 'a' && *s <= 'z')
			r[2] = (uint8_t)(0x04 + (*s - 'a'));
		else
			r[2] = D(*s);
		wedge_feed(w, r, sizeof r, (*t)++, out, outlen);
		memset(r, 0, sizeof r);
		wedge_feed(w, r, sizeof r, (*t)++, out, outlen);
	}
	memset(r, 0, sizeof r);
	r[2] = ENTER;
	v = wedge_feed(w, r, sizeof r, (*t)++, out, outlen);
	r[2] = 0;
	wedge_feed(w, r, sizeof r, (*t)++, out, outlen);
	return v;
}

static void
test_wedge_lengths(void)
{
	struct wedge	w;
	char		out[64], small[4];
	char		longest[WEDGE_DIGITS_MAX + 2];
	int64_t		t = 0;
	int		v;

	wedge_init(&w);
	memset(longest, '9', WEDGE_DIGITS_MAX);
	longest[WEDGE_DIGITS_MAX] = '\0';
	v = type_text(&w, longest, &t, out, sizeof out);
	check(v == 1 && strlen(out) == WEDGE_DIGITS_MAX,
	    "wedge: %d digits is the most", WEDGE_DIGITS_MAX);
	longest[WEDGE_DIGITS_MAX] = '9';
	longest[WEDGE_DIGITS_MAX + 1] = '\0';
	v = type_text(&w, longest, &t, out, sizeof out);
	check(v == -1, "wedge: %d digits is overlong", WEDGE_DIGITS_MAX + 1);
	v = type_text(&w, "12", &t, out, sizeof out);
	check(v == 1 && strcmp(out, "12") == 0,
	    "wedge: an overlong number leaves no trace");
	v = type_text(&w, "1234", &t, small, sizeof small);
	check(v == -1, "wedge: a number too big for out is refused");
	v = wedge_feed(&w, NULL, 0, t, out, sizeof out);
	check(v == 0, "wedge: NULL report is nothing");
}

/* A visitor pass typed by a QR scanner, and what is not one. */
static void
test_wedge_text(void)
{
	struct wedge	w;
	char		out[WEDGE_TEXT_MAX + 1], pass[WEDGE_TEXT_MAX + 2];
	int64_t		t = 0;
	int		v;

	wedge_init(&w);
	v = type_text(&w, "GP10AB9XQ2", &t, out, sizeof out);
	check(v == 2 && strcmp(out, "GP10AB9XQ2") == 0,
	    "wedge: a pass is text, as typed (%d, %s)", v, out);
	v = type_text(&w, "12AB", &t, out, sizeof out);
	check(v == 1 && strcmp(out, "12ab") == 0,
	    "wedge: upper-case hex is still a number, lower-cased (%s)", out);
	v = type_text(&w, "GP1ab", &t, out, sizeof out);
	check(v == -1, "wedge: a pass in lower case is neither");
	v = type_text(&w, "XP1AB", &t, out, sizeof out);
	check(v == -1, "wedge: letters without the prefix are neither");
	v = type_text(&w, "12g", &t, out, sizeof out);
	check(v == -1, "wedge: a number with a stray letter is refused");
	memset(pass, 'A', WEDGE_TEXT_MAX);
	memcpy(pass, "GP1", 3);
	pass[WEDGE_TEXT_MAX] = '\0';
	v = type_text(&w, pass, &t, out, sizeof out);
	check(v == 2 && strlen(out) == WEDGE_TEXT_MAX,
	    "wedge: %d characters of pass is the most", WEDGE_TEXT_MAX);
	pass[WEDGE_TEXT_MAX] = 'A';
	pass[WEDGE_TEXT_MAX + 1] = '\0';
	v = type_text(&w, pass, &t, out, sizeof out);
	check(v == -1, "wedge: a longer line is refused");
	v = type_text(&w, "GP1AB", &t, out, 4);
	check(v == -1, "wedge: a pass too big for out is refused");
}

struct number_case {
	const char	*s;
	bool		 hex;
	int		 min, max;
	int		 want;
	uint64_t	 uid;
};

static const struct number_case number_cases[] = {
	{ "12345678", false, 8, 10, 0, 12345678 },
	{ "1234567", false, 8, 10, -1, 0 },		/* too short */
	{ "12345678901", false, 8, 10, -1, 0 },	/* too long */
	{ "00000042", false, 8, 8, 0, 42 },
	{ "1234abcd", false, 8, 8, -1, 0 },		/* hex in decimal */
	{ "1234abcd", true, 8, 8, 0, 0x1234abcd },
	{ "04a2b3c4d5e680", true, 8, 20, 0, 0x04a2b3c4d5e680ULL },
	{ "ffffffffffffffff", true, 1, 20, 0, UINT64_MAX },
	{ "10000000000000000", true, 1, 20, -1, 0 },	/* 65 bits */
	{ "18446744073709551615", false, 1, 20, 0, UINT64_MAX },
	{ "18446744073709551616", false, 1, 20, -1, 0 },
	{ "", false, 0, 10, -1, 0 },
	{ "12 4", false, 1, 10, -1, 0 },
};

static void
test_numbers(void)
{
	const struct number_case	*c;
	uint64_t			 uid;
	size_t				 i;
	int				 v;

	for (i = 0; i < sizeof number_cases / sizeof number_cases[0]; i++) {
		c = &number_cases[i];
		uid = 0;
		v = wedge_number(c->s, c->hex, c->min, c->max, &uid);
		check(v == c->want && (v != 0 || uid == c->uid),
		    "number: \"%s\" %s %d..%d -> %d", c->s,
		    c->hex ? "hex" : "dec", c->min, c->max, v);
	}
}

struct temper_case {
	const char	*name;
	uint8_t		 b[8];
	size_t		 len;
	int		 want, centi;
};

static const struct temper_case temper_cases[] = {
	{ "36.62 C", { 0x80, 0x02, 0x0e, 0x4e, 0x4e, 0x20, 0, 0 }, 8, 0,
	  3662 },
	{ "0 C", { 0x80, 0x02, 0x00, 0x00, 0, 0, 0, 0 }, 8, 0, 0 },
	{ "-5.25 C", { 0x80, 0x02, 0xfd, 0xf3, 0, 0, 0, 0 }, 8, 0, -525 },
	{ "-0.01 C", { 0x80, 0x02, 0xff, 0xff, 0, 0, 0, 0 }, 8, 0, -1 },
	{ "most negative", { 0x80, 0x02, 0x80, 0x00, 0, 0, 0, 0 }, 8, 0,
	  -32768 },
	{ "4 bytes is enough", { 0x80, 0x02, 0x09, 0x60 }, 4, 0, 2400 },
	{ "3 bytes is short", { 0x80, 0x02, 0x09 }, 3, -1, 0 },
	{ "empty", { 0 }, 0, -1, 0 },
	{ "no sensor", { 0x80, 0x02, 0x4e, 0x20, 0, 0, 0, 0 }, 8, -1, 0 },
};

static void
test_temper(void)
{
	const struct temper_case	*c;
	size_t				 i;
	int				 v, centi;

	check(temper_query[0] == 0x01 && temper_query[1] == 0x80 &&
	    temper_query[2] == 0x33 && temper_query[3] == 0x01,
	    "temper: the query is 01 80 33 01");
	for (i = 0; i < sizeof temper_cases / sizeof temper_cases[0]; i++) {
		c = &temper_cases[i];
		centi = 12345;
		v = temper_decode(c->b, c->len, &centi);
		check(v == c->want && (v != 0 || centi == c->centi),
		    "temper: %s: %d, %d", c->name, v, centi);
	}
}

struct line_case {
	const char	*name;
	const char	*chunks[6];
	int		 want;		/* reading found in the last chunk */
	int		 centi;
	unsigned long	 dropped;
};

static const struct line_case line_cases[] = {
	{ "T= with CRLF", { "T=36.62\r\n" }, 1, 3662, 0 },
	{ "bare with LF", { "36.6\n" }, 1, 3660, 0 },
	{ "integer", { "37\n" }, 1, 3700, 0 },
	{ "negative", { "T=-4.5\n" }, 1, -450, 0 },
	{ "plus", { "+21.05\r" }, 1, 2105, 0 },
	{ "unit with space", { "36.6 C\n" }, 1, 3660, 0 },
	{ "unit without space", { "T=36.60C\r\n" }, 1, 3660, 0 },
	{ "split in the number", { "T=3", "6.", "7", "1\r", "\n" }, 0, 3671,
	  0 },
	{ "split then found", { "T=3", "6.71\r\n" }, 1, 3671, 0 },
	{ "newest of two wins", { "36.1\n36.2\n" }, 1, 3620, 0 },
	{ "garbage dropped, good kept", { "hello\n36.9\n" }, 1, 3690, 1 },
	{ "three decimals", { "36.625\n" }, 0, 0, 1 },
	{ "no digits", { "T=.5\n" }, 0, 0, 1 },
	{ "four digits", { "1000.0\n" }, 0, 0, 1 },
	{ "dot without decimals", { "36.\n" }, 0, 0, 1 },
	{ "space without unit", { "36.6 \n" }, 0, 0, 1 },
	{ "F is not C", { "97.9F\n" }, 0, 0, 1 },
	{ "lower-case t", { "t=36.6\n" }, 0, 0, 1 },
	{ "overlong", { "T=36.6                              C\n" }, 0, 0, 1 },
	{ "overlong split, then good", { "1234567890123456789012",
	    "34567890123", "\n36.4\n" }, 1, 3640, 1 },
	{ "no terminator yet", { "36.6" }, 0, 0, 0 },
	{ "empty lines are quiet", { "\r\n\r\n\n" }, 0, 0, 0 },
	{ "NUL inside", { "36\0006\n" }, 0, 0, 1 },
	/* Runs of digits past int's range (UBSan's signed overflow). */
	{ "27 digits", { "T=-999999999999999999999999999\n" }, 0, 0, 1 },
	{ "29 decimals", { "1.99999999999999999999999999999\n" }, 0, 0,
	  1 },
};

static void
test_line(void)
{
	const struct line_case	*c;
	struct linebuf		 lb;
	size_t			 i, j, n;
	int			 v = 0, centi, seen;

	for (i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++) {
		c = &line_cases[i];
		line_init(&lb);
		centi = 0;
		seen = 0;
		for (j = 0; j < 6 && c->chunks[j] != NULL; j++) {
			n = strlen(c->chunks[j]);
			if (strcmp(c->name, "NUL inside") == 0)
				n = 6;
			v = line_feed(&lb, (const uint8_t *)c->chunks[j], n,
			    &centi);
			seen |= v;
		}
		check(v == c->want, "line: %s: result %d (want %d)", c->name,
		    v, c->want);
		if (c->centi != 0 || c->want)
			check(seen && centi == c->centi,
			    "line: %s: %d (want %d)", c->name, centi, c->centi);
		check(lb.dropped == c->dropped, "line: %s: %lu dropped "
		    "(want %lu)", c->name, lb.dropped, c->dropped);
	}
	line_init(&lb);
	v = line_feed(&lb, NULL, 0, &centi);
	check(v == 0, "line: empty chunk is nothing");
}

int
main(void)
{
	test_wedge();
	test_wedge_lengths();
	test_wedge_text();
	test_numbers();
	test_temper();
	test_line();
	return check_done();
}
