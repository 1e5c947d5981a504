/*
 * test-wiegand.c: the Wiegand assembler and decoder on tables of edges:
 * every format, every parity failure, every single flipped bit, cut and
 * run-on frames, noise, the facility check, and where a frame ends by the
 * kernel's timestamps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "wiegand.h"

#define MS	1000000LL
#define US	1000LL

/* A frame of a format with its parity bits computed. */
static struct wiegand_frame
encode(int bits, uint32_t facility, uint64_t number)
{
	struct wiegand_frame	f = { 0, bits, false };
	int			fac_bits, card_bits, even_last, odd_first, i;
	int			ones;

	switch (bits) {
	case 26: fac_bits = 8; card_bits = 16; even_last = 12; odd_first = 13;
		break;
	case 34: fac_bits = 16; card_bits = 16; even_last = 16; odd_first = 17;
		break;
	default: fac_bits = 16; card_bits = 19; even_last = 18; odd_first = 18;
		break;
	}
	/* Data bits 1..bits-2, then the parities at 0 and bits-1. */
	f.bits = ((uint64_t)facility << card_bits | number) << 1;
	(void)fac_bits;
	ones = 0;
	for (i = 1; i <= even_last; i++)
		ones += (int)(f.bits >> (bits - 1 - i) & 1);
	if (ones & 1)
		f.bits |= UINT64_C(1) << (bits - 1);
	ones = 0;
	for (i = odd_first; i <= bits - 2; i++)
		ones += (int)(f.bits >> (bits - 1 - i) & 1);
	if (!(ones & 1))
		f.bits |= 1;
	return f;
}

/* Feeds a frame as edges 2 ms apart from t; returns frames completed. */
static int
feed(struct wiegand *w, const struct wiegand_frame *f, int64_t *t,
    int64_t step, struct wiegand_frame *done)
{
	int	i, n = 0;

	for (i = 0; i < f->count; i++) {
		n += wiegand_edge(w, (int)(f->bits >> (f->count - 1 - i) & 1),
		    *t, done);
		*t += step;
	}
	return n;
}

/* Sends a frame and flushes it: the decoded result. */
static enum wiegand_error
roundtrip(const struct wiegand_frame *f, enum wiegand_format fmt, long fac,
    struct wiegand_card *c)
{
	struct wiegand		w;
	struct wiegand_frame	done;
	int64_t			t = 1000 * MS;

	wiegand_init(&w, 0);
	if (feed(&w, f, &t, 2 * MS, &done) != 0 ||
	    wiegand_flush(&w, t + 30 * MS, &done) != 1)
		return WIEGAND__ERRORS;
	return wiegand_decode(&done, fmt, fac, c);
}

static void
formats(void)
{
	static const struct { int bits; uint32_t fac; uint64_t num; } ok[] = {
		{ 26, 42, 12345 }, { 26, 0, 0 }, { 26, 255, 65535 },
		{ 34, 1234, 54321 }, { 34, 65535, 65535 },
		{ 37, 4321, 400000 }, { 37, 0, 524287 },
	};
	struct wiegand_card	c;
	struct wiegand_frame	f, g;
	enum wiegand_error	e;
	size_t			i;
	int			b, missed;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		f = encode(ok[i].bits, ok[i].fac, ok[i].num);
		e = roundtrip(&f, WIEGAND_AUTO, -1, &c);
		check(e == WIEGAND_OK && c.facility == ok[i].fac &&
		    c.number == ok[i].num && c.bits == ok[i].bits,
		    "%d-bit %u/%llu: auto decodes it (%s, %u/%llu)",
		    ok[i].bits, ok[i].fac, (unsigned long long)ok[i].num,
		    wiegand_error_name(e), c.facility,
		    (unsigned long long)c.number);
		e = roundtrip(&f, ok[i].bits == 26 ? WIEGAND_26 :
		    ok[i].bits == 34 ? WIEGAND_34 : WIEGAND_37, ok[i].fac, &c);
		check(e == WIEGAND_OK, "%d-bit: its own format and facility",
		    ok[i].bits);
		e = roundtrip(&f, ok[i].bits == 26 ? WIEGAND_34 : WIEGAND_26,
		    -1, &c);
		check(e == WIEGAND_BIT_COUNT, "%d-bit: another format refuses "
		    "it by length", ok[i].bits);
		e = roundtrip(&f, WIEGAND_AUTO, (long)ok[i].fac + 1, &c);
		check(e == WIEGAND_FACILITY, "%d-bit: another facility is "
		    "refused", ok[i].bits);

		/* Every single flipped bit, parities included, is refused:
		 * each bit is under at least one parity. */
		missed = 0;
		for (b = 0; b < f.count; b++) {
			g = f;
			g.bits ^= UINT64_C(1) << b;
			if (roundtrip(&g, WIEGAND_AUTO, -1, &c) !=
			    WIEGAND_PARITY)
				missed++;
		}
		check(missed == 0, "%d-bit %u/%llu: all %d single-bit flips "
		    "refused as parity errors (%d not)", ok[i].bits,
		    ok[i].fac, (unsigned long long)ok[i].num, f.count, missed);
		g = f;
		g.bits ^= UINT64_C(1) << (f.count - 1);
		check(roundtrip(&g, WIEGAND_AUTO, -1, &c) == WIEGAND_PARITY,
		    "%d-bit: the even parity bit wrong", ok[i].bits);
		g = f;
		g.bits ^= 1;
		check(roundtrip(&g, WIEGAND_AUTO, -1, &c) == WIEGAND_PARITY,
		    "%d-bit: the odd parity bit wrong", ok[i].bits);

		/* Cut short by one bit, and one bit too many. */
		g = f;
		g.bits >>= 1;
		g.count--;
		check(roundtrip(&g, WIEGAND_AUTO, -1, &c) == WIEGAND_BIT_COUNT,
		    "%d-bit: cut by a bit: refused", ok[i].bits);
		g = f;
		g.bits <<= 1;
		g.count++;
		check(roundtrip(&g, WIEGAND_AUTO, -1, &c) == WIEGAND_BIT_COUNT,
		    "%d-bit: a bit too many: refused", ok[i].bits);
	}
	/* H10301 worked by hand: facility 18, card 4660 is
	 * 1 00010010 0001001000110100 1: three ones in bits 1-12 take a
	 * leading 1 to be even, four in bits 13-24 a trailing 1 to be odd. */
	f.count = 26;
	f.noise = false;
	f.bits = (UINT64_C(1) << 25) | (UINT64_C(18) << 17) |
	    (UINT64_C(4660) << 1) | 1;
	check(roundtrip(&f, WIEGAND_26, 18, &c) == WIEGAND_OK &&
	    c.number == 4660, "26-bit: a known frame, 18/4660");
}

static void
framing(void)
{
	struct wiegand		w;
	struct wiegand_frame	f = encode(26, 7, 1001), done;
	struct wiegand_card	c;
	int64_t			t = 5 * MS;
	int			n;

	wiegand_init(&w, 25 * MS);
	check(wiegand_deadline(&w) == -1, "no frame open: no deadline");
	n = feed(&w, &f, &t, 2 * MS, &done);
	check(n == 0, "a frame's own edges end nothing");
	check(wiegand_deadline(&w) == t - 2 * MS + 25 * MS,
	    "the deadline is the last edge's timestamp plus the gap");
	check(wiegand_flush(&w, t - 2 * MS + 25 * MS, &done) == 0,
	    "at the gap exactly, the frame is still open");
	check(wiegand_flush(&w, t - 2 * MS + 25 * MS + 1, &done) == 1 &&
	    done.count == 26, "past the gap, the frame ends");
	check(wiegand_flush(&w, t + 100 * MS, &done) == 0,
	    "nothing to flush twice");

	/* Two frames 30 ms apart: the first edge of the second ends the
	 * first, whenever the loop gets to the events. */
	wiegand_init(&w, 25 * MS);
	t = 0;
	feed(&w, &f, &t, 2 * MS, &done);
	t += 30 * MS;
	n = feed(&w, &f, &t, 2 * MS, &done);
	check(n == 1 && wiegand_decode(&done, WIEGAND_AUTO, -1, &c) ==
	    WIEGAND_OK && c.number == 1001, "two frames 30 ms apart: two "
	    "cards, told apart by timestamps alone");
	check(wiegand_flush(&w, t + 30 * MS, &done) == 1 &&
	    wiegand_decode(&done, WIEGAND_AUTO, -1, &c) == WIEGAND_OK,
	    "the second one ends by its own gap");

	/* Two frames run together (10 ms apart, under the gap): 52 bits. */
	wiegand_init(&w, 25 * MS);
	t = 0;
	feed(&w, &f, &t, 2 * MS, &done);
	t += 8 * MS;
	feed(&w, &f, &t, 2 * MS, &done);
	wiegand_flush(&w, t + 30 * MS, &done);
	check(done.count == 52 && wiegand_decode(&done, WIEGAND_AUTO, -1, &c)
	    == WIEGAND_BIT_COUNT, "two frames run together: refused");

	/* The fast and slow ends of a reader's range decode alike. */
	t = 0;
	wiegand_init(&w, 25 * MS);
	feed(&w, &f, &t, 200 * US, &done);
	check(wiegand_flush(&w, t + 26 * MS, &done) == 1 &&
	    wiegand_decode(&done, WIEGAND_26, -1, &c) == WIEGAND_OK,
	    "pulses 0.2 ms apart: decoded");
	t = 0;
	wiegand_init(&w, 25 * MS);
	feed(&w, &f, &t, 20 * MS, &done);
	check(wiegand_flush(&w, t + 26 * MS, &done) == 1 &&
	    wiegand_decode(&done, WIEGAND_26, -1, &c) == WIEGAND_OK,
	    "pulses 20 ms apart: decoded");

	/* Noise: an edge 5 us after another, on either line. */
	t = 0;
	wiegand_init(&w, 25 * MS);
	feed(&w, &f, &t, 2 * MS, &done);
	wiegand_edge(&w, 1, t - 2 * MS + 5 * US, &done);
	wiegand_flush(&w, t + 30 * MS, &done);
	check(wiegand_decode(&done, WIEGAND_AUTO, -1, &c) == WIEGAND_NOISE,
	    "edges 5 us apart: noise, refused");
	t = 0;
	wiegand_init(&w, 25 * MS);
	feed(&w, &f, &t, 2 * MS, &done);
	wiegand_edge(&w, 0, t - 10 * MS, &done);
	wiegand_flush(&w, t + 30 * MS, &done);
	check(wiegand_decode(&done, WIEGAND_AUTO, -1, &c) == WIEGAND_NOISE,
	    "a timestamp that goes back: noise, refused");

	/* Longer than 64 bits: refused, and the count stays bounded. */
	t = 0;
	wiegand_init(&w, 25 * MS);
	for (n = 0; n < 200; n++) {
		wiegand_edge(&w, n & 1, t, &done);
		t += 2 * MS;
	}
	wiegand_flush(&w, t + 30 * MS, &done);
	check(done.count == WIEGAND_BITS_MAX + 1 &&
	    wiegand_decode(&done, WIEGAND_RAW, -1, &c) == WIEGAND_TOO_LONG,
	    "200 bits: too long, refused even as raw");

	/* Raw: the bits as the number. */
	f.bits = 0xabcdef;
	f.count = 24;
	f.noise = false;
	check(wiegand_decode(&f, WIEGAND_RAW, 5, &c) == WIEGAND_OK &&
	    c.number == 0xabcdef && c.bits == 24, "raw: 24 bits as the number");
	f.count = 25;
	check(wiegand_decode(&f, WIEGAND_AUTO, -1, &c) == WIEGAND_BIT_COUNT,
	    "auto: 25 bits is no format");
}

static void
names(void)
{
	check(wiegand_format_from_name("37") == WIEGAND_37 &&
	    wiegand_format_from_name("auto") == WIEGAND_AUTO &&
	    wiegand_format_from_name("raw") == WIEGAND_RAW &&
	    wiegand_format_from_name("35") == -1, "format names");
	check(strcmp(wiegand_error_name(WIEGAND_PARITY), "parity") == 0 &&
	    strcmp(wiegand_error_name(WIEGAND__ERRORS), "unknown") == 0,
	    "error names");
}

int
main(void)
{
	formats();
	framing();
	names();
	return check_done();
}
