/*
 * fuzz-wiegand.c: a libFuzzer target for the Wiegand assembler and
 * decoder.  Each byte is one falling edge: its low bit the line (D0, D1),
 * the rest the time since the edge before, on a scale from microseconds
 * to beyond the frame gap.  It aborts when a frame's count leaves its
 * bound, or a frame decodes to a card whose own encoding is not the frame
 * itself: a decoder that guessed.
 *
 * Build and run as tests/fuzz/fuzz-line.c says, with hw/wiegand.c.
 */
#include <stdint.h>
#include <stdlib.h>

#include "wiegand.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The frame a decoded card would have been sent as. */
static uint64_t
reencode(const struct wiegand_card *c)
{
	int		card_bits, even_last, odd_first, i, ones;
	uint64_t	b;

	switch (c->bits) {
	case 26: card_bits = 16; even_last = 12; odd_first = 13; break;
	case 34: card_bits = 16; even_last = 16; odd_first = 17; break;
	case 37: card_bits = 19; even_last = 18; odd_first = 18; break;
	default: abort();
	}
	b = ((uint64_t)c->facility << card_bits | c->number) << 1;
	for (ones = 0, i = 1; i <= even_last; i++)
		ones += (int)(b >> (c->bits - 1 - i) & 1);
	if (ones & 1)
		b |= UINT64_C(1) << (c->bits - 1);
	for (ones = 0, i = odd_first; i <= c->bits - 2; i++)
		ones += (int)(b >> (c->bits - 1 - i) & 1);
	if (!(ones & 1))
		b |= 1;
	return b;
}

static void
check_frame(const struct wiegand_frame *f)
{
	struct wiegand_card	c;
	int			fmt;

	if (f->count < 1 || f->count > WIEGAND_BITS_MAX + 1)
		abort();
	for (fmt = WIEGAND_AUTO; fmt <= WIEGAND_37; fmt++) {
		if (wiegand_decode(f, (enum wiegand_format)fmt, -1, &c) !=
		    WIEGAND_OK)
			continue;
		if (f->noise || c.bits != f->count || reencode(&c) != f->bits)
			abort();
	}
	if (wiegand_decode(f, WIEGAND_RAW, -1, &c) == WIEGAND_OK &&
	    (f->noise || c.number != f->bits))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wiegand		w;
	struct wiegand_frame	done;
	int64_t			t = 0;
	size_t			i;

	wiegand_init(&w, WIEGAND_GAP_NS_DEFAULT);
	for (i = 0; i < size; i++) {
		/* 0..127 steps of about 0.4 ms: 0 to 50 ms. */
		t += (int64_t)(data[i] >> 1) * 400000 + (data[i] & 0x80 ? 7 : 0);
		if (wiegand_edge(&w, data[i] & 1, t, &done))
			check_frame(&done);
	}
	if (wiegand_flush(&w, t + WIEGAND_GAP_NS_DEFAULT + 1, &done))
		check_frame(&done);
	return 0;
}
