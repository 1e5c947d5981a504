/*
 * fuzz-wedge.c: a libFuzzer target for the keyboard-wedge decoder.  The
 * input is a stream of records, a time step and a report length, then the
 * report; it aborts when a result breaks what the reader driver relies on:
 * results are -1, 0, 1 or 2, a number (1) is 1..WEDGE_DIGITS_MAX
 * lower-case hex digits that fits out, a visitor pass (2) is the prefix,
 * then digits and capitals, that fits out, and the decoder's own state
 * stays within bounds.
 *
 * Build and run it with clang, from the top of the tree:
 *
 *	mkdir -p build/fuzz/corpus-wedge
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 \
 *	    -fsanitize=fuzzer,address,undefined -Ihw \
 *	    $(pkg-config --cflags jansson) \
 *	    -o build/fuzz/fuzz-wedge tests/fuzz/fuzz-wedge.c hw/decode.c
 *	build/fuzz/fuzz-wedge -max_total_time=60 build/fuzz/corpus-wedge
 *
 * Without clang, build with gcc and tests/fuzz/replay.c instead of
 * -fsanitize=fuzzer to get a program that replays the files named on its
 * command line.  tests/integration/fuzz.sh does either in `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wedge	 w;
	char		 out[WEDGE_TEXT_MAX + 8];
	uint8_t		*rep;
	int64_t		 now = 0;
	size_t		 len, outlen, i;
	int		 v;
	uint64_t	 uid;

	wedge_init(&w);
	while (size >= 3) {
		now += data[0] * 4;		/* 0..1020 ms apart */
		len = data[1] % 17;		/* ZLPs, short, 8, long */
		/* 255: room for any pass; else short, often too short. */
		outlen = data[2] == 255 ? sizeof out : 1u + data[2];
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		/* A copy of exactly len bytes, so ASan sees any overread. */
		if ((rep = malloc(len ? len : 1)) == NULL)
			abort();
		memcpy(rep, data, len);
		memset(out, 'X', sizeof out);
		v = wedge_feed(&w, rep, len, now, out, outlen);
		free(rep);
		data += len;
		size -= len;

		if (v < -1 || v > 2)
			abort();
		if (w.len > WEDGE_TEXT_MAX || w.buf[w.len] != '\0')
			abort();
		if (v == 2) {
			len = strnlen(out, sizeof out);
			if (len >= outlen || strncmp(out, WEDGE_PASS_PREFIX,
			    strlen(WEDGE_PASS_PREFIX)) != 0)
				abort();
			for (i = 0; i < len; i++)
				if (!((out[i] >= '0' && out[i] <= '9') ||
				    (out[i] >= 'A' && out[i] <= 'Z')))
					abort();
		}
		if (v != 1)
			continue;
		len = strnlen(out, sizeof out);
		if (len == 0 || len > WEDGE_DIGITS_MAX || len >= outlen)
			abort();
		for (i = 0; i < len; i++)
			if (!((out[i] >= '0' && out[i] <= '9') ||
			    (out[i] >= 'a' && out[i] <= 'f')))
				abort();
		/* Every hex number of up to 16 digits is a valid hex uid. */
		if (len <= 16 && wedge_number(out, true, 1, 16, &uid) != 0)
			abort();
	}
	return 0;
}
