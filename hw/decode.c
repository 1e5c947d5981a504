/*
 * decode.c: what USB card readers and thermometers send, as pure functions
 * of the bytes: keyboard-wedge reports to card numbers, TEMPer replies and
 * ASCII lines to hundredths of a degree.  No I/O and no clock, so the unit
 * test and the fuzz targets drive them with tables and random bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

/* HID keyboard usage codes (HID Usage Tables, page 0x07). */
#define KEY_A		0x04	/* a..f are 0x04..0x09 */
#define KEY_F		0x09
#define KEY_1		0x1e	/* 1..9 are 0x1e..0x26, then 0 */
#define KEY_0		0x27
#define KEY_ENTER	0x28
#define KEY_ROLLOVER	0x01	/* too many keys: the report means nothing */
#define KEY_KP_ENTER	0x58
#define KEY_KP_1	0x59	/* keypad 1..9 are 0x59..0x61, then 0 */
#define KEY_KP_0	0x62

void
wedge_init(struct wedge *w)
{
	memset(w, 0, sizeof *w);
}

/*
 * The character a key code types, '\n' for either Enter, 0 for one that
 * cannot be part of a card number.  Shift does not matter: readers that
 * send hex send A-F with or without it, and a shifted digit is a symbol,
 * which no reader sends.
 */
static int
wedge_char(uint8_t code, uint8_t modifier)
{
	bool	shift = (modifier & 0x22) != 0;	/* left or right shift */

	if (code >= KEY_A && code <= KEY_F)
		return 'a' + (code - KEY_A);
	if (code == KEY_ENTER || code == KEY_KP_ENTER)
		return '\n';
	if (code >= KEY_1 && code <= KEY_0 && !shift)
		return code == KEY_0 ? '0' : '1' + (code - KEY_1);
	if (code >= KEY_KP_1 && code <= KEY_KP_0)
		return code == KEY_KP_0 ? '0' : '1' + (code - KEY_KP_1);
	return 0;
}

/* Whether code was already down in the previous report. */
static bool
wedge_held(const struct wedge *w, uint8_t code)
{
	size_t	i;

	for (i = 0; i < sizeof w->held; i++)
		if (w->held[i] == code)
			return true;
	return false;
}

/* Forgets the number being typed. */
static void
wedge_reset(struct wedge *w)
{
	w->len = 0;
	w->buf[0] = '\0';
	w->bad = false;
}

/*
 * A report lists every key down at that moment, so a key held across
 * reports appears in each and must count once: only codes absent from the
 * previous report are new presses.  A number stops at Enter; one whose keys
 * stop coming for WEDGE_GAP_MS is dropped, so a half-read card cannot glue
 * itself to the front of the next one.
 */
int
wedge_feed(struct wedge *w, const uint8_t *report, size_t len,
    int64_t now_ms, char *out, size_t outlen)
{
	const uint8_t	*keys;
	int		 c, result = 0;
	size_t		 i;

	if (report == NULL || len < 8)
		return 0;	/* zero-length packets and junk */
	keys = report + 2;
	if (keys[0] == KEY_ROLLOVER)
		return 0;	/* phantom state: keep the previous one */

	if ((w->len > 0 || w->bad) && now_ms - w->last_ms > WEDGE_GAP_MS)
		wedge_reset(w);

	for (i = 0; i < 6; i++) {
		if (keys[i] == 0 || wedge_held(w, keys[i]))
			continue;
		c = wedge_char(keys[i], report[0]);
		w->last_ms = now_ms;
		if (c == '\n') {
			if (w->len == 0 && !w->bad)
				continue;	/* Enter alone is nothing */
			if (result == 0) {
				if (w->bad || w->len + 1 > outlen)
					result = -1;
				else {
					memcpy(out, w->buf, w->len + 1);
					result = 1;
				}
			}
			wedge_reset(w);
			continue;
		}
		if (c == 0 || w->len >= WEDGE_DIGITS_MAX) {
			w->bad = true;
			continue;
		}
		w->buf[w->len++] = (char)c;
		w->buf[w->len] = '\0';
	}
	memcpy(w->held, keys, sizeof w->held);
	return result;
}

int
wedge_number(const char *s, bool hex, int min_digits, int max_digits,
    uint64_t *uid)
{
	unsigned long long	 v;
	size_t			 n, i;
	char			*end;

	n = strlen(s);
	if (n == 0 || (int)n < min_digits || (max_digits > 0 &&
	    (int)n > max_digits))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			continue;
		if (hex && ((s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			continue;
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, hex ? 16 : 10);
	if (errno != 0 || *end != '\0')
		return -1;	/* too big for 64 bits */
	*uid = v;
	return 0;
}

/* TEMPer: "read temperature", sent as a HID output report. */
const uint8_t temper_query[8] = { 0x01, 0x80, 0x33, 0x01, 0, 0, 0, 0 };

int
temper_decode(const uint8_t *buf, size_t len, int *centi)
{
	int16_t	raw;

	if (buf == NULL || len < 4)
		return -1;
	if (buf[2] == 0x4e && buf[3] == 0x20)
		return -1;	/* 200.00: the firmware's "no sensor" */
	raw = (int16_t)(uint16_t)((buf[2] << 8) | buf[3]);
	*centi = raw;
	return 0;
}

void
line_init(struct linebuf *lb)
{
	memset(lb, 0, sizeof *lb);
}

/*
 * The grammar, whole line, nothing else allowed:
 *	line  = ["T="] [sign] 1*3DIGIT ["." 1*2DIGIT] [[" "] "C"]
 *	sign  = "+" / "-"
 */
int
line_parse(const char *s, int *centi)
{
	int	sign = 1, whole = 0, frac = 0, n;
	bool	space;

	if (s[0] == 'T' && s[1] == '=')
		s += 2;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	/*
	 * Count every digit but add up only as many as the grammar allows:
	 * a longer run is refused below, and summing it all would overflow.
	 */
	for (n = 0; *s >= '0' && *s <= '9'; n++, s++)
		if (n < 3)
			whole = whole * 10 + (*s - '0');
	if (n < 1 || n > 3)
		return -1;
	if (*s == '.') {
		s++;
		for (n = 0; *s >= '0' && *s <= '9'; n++, s++)
			if (n < 2)
				frac = frac * 10 + (*s - '0');
		if (n < 1 || n > 2)
			return -1;
		if (n == 1)
			frac *= 10;
	}
	if ((space = (*s == ' ')))
		s++;
	if (*s == 'C')
		s++;
	else if (space)
		return -1;	/* a trailing space but no unit */
	if (*s != '\0')
		return -1;
	*centi = sign * (whole * 100 + frac);
	return 0;
}

/*
 * Lines end at CR or LF; the empty line between the two of a CRLF is not
 * a reading and not garbage either.  A line that outgrows the buffer is
 * remembered as overlong until its end, then dropped whole.
 */
int
line_feed(struct linebuf *lb, const uint8_t *data, size_t len, int *centi)
{
	int	found = 0, v;
	size_t	i;
	uint8_t	c;

	for (i = 0; i < len; i++) {
		c = data[i];
		if (c == '\r' || c == '\n') {
			if (lb->overflow)
				lb->dropped++;
			else if (lb->len > 0) {
				lb->buf[lb->len] = '\0';
				if (line_parse(lb->buf, &v) == 0) {
					*centi = v;
					found = 1;
				} else
					lb->dropped++;
			}
			lb->len = 0;
			lb->overflow = false;
			continue;
		}
		if (lb->overflow)
			continue;
		if (lb->len >= LINE_LEN_MAX || c == '\0') {
			/* NUL would hide the rest from line_parse(). */
			lb->overflow = true;
			continue;
		}
		lb->buf[lb->len++] = (char)c;
	}
	return found;
}
