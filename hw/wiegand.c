/*
 * wiegand.c: Wiegand frames from edges, and card numbers from frames.
 *
 * A reader pulls D0 low for a 0 bit and D1 low for a 1 bit, 20-100 us wide
 * and 0.2-20 ms apart; a frame ends when the pulses stop.  Only the
 * kernel's timestamps of the falling edges say where a frame ends: when the
 * loop gets to the events says nothing.  A frame that is not exactly what
 * its format says (length, parity, facility) is refused, never guessed:
 * a cut frame or two run together have the wrong length, a glitch on one
 * line adds a bit or trips a parity, and edges closer than any reader
 * sends them mark the frame as noise.
 *
 * Layouts, bit 0 the first received:
 *   26 (H10301)  0: even parity of 1-12, 1-8 facility (8), 9-24 card (16),
 *                25: odd parity of 13-24
 *   34           0: even parity of 1-16, 1-16 facility (16), 17-32 card
 *                (16), 33: odd parity of 17-32
 *   37 (H10304)  0: even parity of 1-18, 1-16 facility (16), 17-35 card
 *                (19), 36: odd parity of 18-35
 *   raw          every bit, first the highest, as the card number
 */
#include <string.h>

#include "wiegand.h"

void
wiegand_init(struct wiegand *w, int64_t gap_ns)
{
	memset(w, 0, sizeof *w);
	w->gap_ns = gap_ns > 0 ? gap_ns : WIEGAND_GAP_NS_DEFAULT;
}

/* Hands the open frame over and starts none. */
static int
wiegand_close(struct wiegand *w, struct wiegand_frame *done)
{
	*done = w->cur;
	memset(&w->cur, 0, sizeof w->cur);
	return 1;
}

int
wiegand_edge(struct wiegand *w, int bit, int64_t ts_ns,
    struct wiegand_frame *done)
{
	int	closed = 0;

	if (w->cur.count > 0 && ts_ns - w->last_ns > w->gap_ns)
		closed = wiegand_close(w, done);
	if (w->cur.count > 0 && ts_ns - w->last_ns < WIEGAND_NOISE_NS)
		w->cur.noise = true;	/* also when time ran backwards */
	if (w->cur.count < WIEGAND_BITS_MAX)
		w->cur.bits = (w->cur.bits << 1) | (bit != 0);
	if (w->cur.count < WIEGAND_BITS_MAX + 1)
		w->cur.count++;
	w->last_ns = ts_ns;
	return closed;
}

int
wiegand_flush(struct wiegand *w, int64_t now_ns, struct wiegand_frame *done)
{
	if (w->cur.count == 0 || now_ns - w->last_ns <= w->gap_ns)
		return 0;
	return wiegand_close(w, done);
}

int64_t
wiegand_deadline(const struct wiegand *w)
{
	return w->cur.count == 0 ? -1 : w->last_ns + w->gap_ns;
}

/* n bits from bit first on (bit 0 the first received). */
static uint64_t
field(const struct wiegand_frame *f, int first, int n)
{
	uint64_t	v = f->bits >> (f->count - first - n);

	return n >= 64 ? v : v & ((UINT64_C(1) << n) - 1);
}

/* Whether the bit at p and bits first..last hold an even (odd) count. */
static int
parity_ok(const struct wiegand_frame *f, int p, int first, int last, int odd)
{
	int	ones = (int)field(f, p, 1), i;

	for (i = first; i <= last; i++)
		ones += (int)field(f, i, 1);
	return (ones & 1) == odd;
}

struct layout {
	enum wiegand_format	format;
	int			bits;
	int			fac_first, fac_bits, card_first, card_bits;
	int			even_last;	/* even parity: 1..even_last */
	int			odd_first;	/* odd: odd_first..bits-2 */
};

static const struct layout layouts[] = {
	{ WIEGAND_26, 26, 1, 8, 9, 16, 12, 13 },
	{ WIEGAND_34, 34, 1, 16, 17, 16, 16, 17 },
	{ WIEGAND_37, 37, 1, 16, 17, 19, 18, 18 },
};

enum wiegand_error
wiegand_decode(const struct wiegand_frame *f, enum wiegand_format format,
    long facility, struct wiegand_card *card)
{
	const struct layout	*l = NULL;
	size_t			 i;

	memset(card, 0, sizeof *card);
	if (f->noise)
		return WIEGAND_NOISE;
	if (f->count > WIEGAND_BITS_MAX)
		return WIEGAND_TOO_LONG;
	if (format == WIEGAND_RAW) {
		if (f->count == 0)
			return WIEGAND_BIT_COUNT;
		card->number = f->bits;
		card->bits = f->count;
		return WIEGAND_OK;
	}
	for (i = 0; i < sizeof layouts / sizeof layouts[0]; i++) {
		if (format == layouts[i].format || (format == WIEGAND_AUTO &&
		    f->count == layouts[i].bits))
			l = &layouts[i];
	}
	if (l == NULL || f->count != l->bits)
		return WIEGAND_BIT_COUNT;
	if (!parity_ok(f, 0, 1, l->even_last, 0) ||
	    !parity_ok(f, l->bits - 1, l->odd_first, l->bits - 2, 1))
		return WIEGAND_PARITY;
	card->facility = (uint32_t)field(f, l->fac_first, l->fac_bits);
	card->number = field(f, l->card_first, l->card_bits);
	card->bits = l->bits;
	if (facility >= 0 && card->facility != (uint64_t)facility)
		return WIEGAND_FACILITY;
	return WIEGAND_OK;
}

static const char *const error_names[WIEGAND__ERRORS] = {
	[WIEGAND_OK] = "ok",
	[WIEGAND_BIT_COUNT] = "bit-count",
	[WIEGAND_PARITY] = "parity",
	[WIEGAND_NOISE] = "noise",
	[WIEGAND_TOO_LONG] = "too-long",
	[WIEGAND_FACILITY] = "facility",
};

const char *
wiegand_error_name(enum wiegand_error e)
{
	return (unsigned)e < WIEGAND__ERRORS ? error_names[e] : "unknown";
}

static const char *const format_names[] = {
	[WIEGAND_AUTO] = "auto",
	[WIEGAND_26] = "26",
	[WIEGAND_34] = "34",
	[WIEGAND_37] = "37",
	[WIEGAND_RAW] = "raw",
};

int
wiegand_format_from_name(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcmp(s, format_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
wiegand_format_name(enum wiegand_format f)
{
	return (unsigned)f < sizeof format_names / sizeof format_names[0] ?
	    format_names[f] : "unknown";
}
