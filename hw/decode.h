/*
 * decode.h: the bytes USB devices send, turned into card numbers and
 * temperatures (decode.c).  Pure functions of their input: no I/O, no
 * clock; the caller passes the time.  Documented in docs/devices.md.
 * Internal to hw/: the USB drivers, their tests and fuzz targets use it.
 */
#ifndef GATED_DECODE_H
#define GATED_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEDGE_DIGITS_MAX	32	/* longer numbers are dropped whole */
#define WEDGE_GAP_MS		500	/* a pause this long drops a partial */
struct wedge {
	uint8_t		 held[6];	/* key codes of the previous report */
	char		 buf[WEDGE_DIGITS_MAX + 1];
	size_t		 len;
	bool		 bad;		/* a key that is not a digit, or too long */
	int64_t		 last_ms;	/* when the last key of buf came */
};
void	 wedge_init(struct wedge *);
/*
 * Feeds one boot-protocol keyboard report (modifier, reserved, 6 key codes;
 * shorter ones, such as zero-length packets, are ignored) seen at now_ms.
 * Only keys not held in the previous report count.  Returns 1 when Enter
 * ended a number, now in out (NUL-terminated, lower-case hex digits); -1
 * when Enter ended a number that cannot be one (a stray key, longer than
 * WEDGE_DIGITS_MAX, or one that does not fit outlen); 0 otherwise.
 */
int	 wedge_feed(struct wedge *, const uint8_t *report, size_t len,
	     int64_t now_ms, char *out, size_t outlen);
/*
 * Checks a number against a reader's format (hex or decimal digits, min to
 * max of them) and converts it: 0 and *uid, or -1 when it does not fit.
 */
int	 wedge_number(const char *, bool hex, int min_digits, int max_digits,
	     uint64_t *uid);

/* The 8-byte command that asks a TEMPer for a reading (SET_REPORT). */
extern const uint8_t	temper_query[8];
/*
 * Decodes a TEMPer reply: bytes 2-3, big-endian signed hundredths of a
 * degree C.  0 and *centi, or -1 for a short reply or the "no sensor"
 * value 0x4e20.
 */
int	 temper_decode(const uint8_t *, size_t, int *centi);

#define LINE_LEN_MAX	32	/* longer lines are dropped */
struct linebuf {
	char		 buf[LINE_LEN_MAX + 1];
	size_t		 len;
	bool		 overflow;	/* the current line is too long */
	unsigned long	 dropped;	/* garbage or overlong lines so far */
};
void	 line_init(struct linebuf *);
/*
 * Feeds bytes of an ASCII reading stream ("T=36.62\r\n", "36.6\n"), which
 * may split a line anywhere.  Returns 1 with the newest reading completed
 * in these bytes in *centi (hundredths of C), else 0; bad lines are
 * counted in dropped.
 */
int	 line_feed(struct linebuf *, const uint8_t *, size_t, int *centi);
/* Parses one line without its terminator: 0 and *centi, or -1. */
int	 line_parse(const char *, int *centi);

#endif
