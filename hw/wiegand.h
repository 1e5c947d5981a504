/*
 * wiegand.h: Wiegand card readers as pure functions (wiegand.c): falling
 * edges on D0 and D1 with their kernel timestamps in, frames of bits out,
 * and a frame decoded to a facility and card number, or refused.  No I/O
 * and no clock of its own, so table tests and a fuzz target drive it.
 */
#ifndef GATED_WIEGAND_H
#define GATED_WIEGAND_H

#include <stdbool.h>
#include <stdint.h>

#define WIEGAND_BITS_MAX	64	/* longer frames are refused */
#define WIEGAND_GAP_NS_DEFAULT	25000000	/* 25 ms: a frame has ended */
/* Edges closer than this are not a reader's pulses (0.2-20 ms apart) but
 * noise, or both lines pulled at once. */
#define WIEGAND_NOISE_NS	20000

enum wiegand_format {
	WIEGAND_AUTO,		/* by bit count: 26, 34 or 37 */
	WIEGAND_26,		/* H10301 */
	WIEGAND_34,
	WIEGAND_37,		/* H10304 */
	WIEGAND_RAW		/* the bits as the number, no parity */
};

/* Why a frame was refused; counted per reader. */
enum wiegand_error {
	WIEGAND_OK,
	WIEGAND_BIT_COUNT,	/* not the format's length: cut or run on */
	WIEGAND_PARITY,
	WIEGAND_NOISE,		/* edges too close together */
	WIEGAND_TOO_LONG,	/* more than WIEGAND_BITS_MAX bits */
	WIEGAND_FACILITY,	/* not the facility the reader expects */
	WIEGAND__ERRORS
};

/* One frame as it came: the first bit received is the highest of bits. */
struct wiegand_frame {
	uint64_t	bits;
	int		count;		/* bits received, may be > 64 */
	bool		noise;
};

/* The assembler: a frame ends at a gap longer than gap_ns between the
 * kernel's timestamps of two edges, or after the last edge. */
struct wiegand {
	int64_t			gap_ns;
	int64_t			last_ns;	/* of the newest edge */
	struct wiegand_frame	cur;		/* count 0: none open */
};

struct wiegand_card {
	uint32_t	facility;	/* 0 for raw */
	uint64_t	number;
	int		bits;
};

void	wiegand_init(struct wiegand *, int64_t gap_ns);
/* A falling edge on D0 (bit 0) or D1 (bit 1) at the kernel's ts_ns.  When
 * it comes after a gap, the frame before it is complete: 1 and *done.
 * Otherwise 0. */
int	wiegand_edge(struct wiegand *, int bit, int64_t ts_ns,
	    struct wiegand_frame *done);
/* Called when no edge is left to read at now_ns (same clock): 1 and *done
 * when the open frame's last edge is more than gap_ns old. */
int	wiegand_flush(struct wiegand *, int64_t now_ns,
	    struct wiegand_frame *done);
/* When the open frame ends, if nothing more comes: ns, or -1 if none. */
int64_t	wiegand_deadline(const struct wiegand *);
/* Decodes a frame in a format; WIEGAND_OK and *card, or why not.
 * facility >= 0 must match (not checked for raw). */
enum wiegand_error wiegand_decode(const struct wiegand_frame *,
	    enum wiegand_format, long facility, struct wiegand_card *card);
const char *wiegand_error_name(enum wiegand_error);
int	wiegand_format_from_name(const char *);	/* -1 when unknown */
const char *wiegand_format_name(enum wiegand_format);

#endif
