/*
 * fuzz-line.c: a libFuzzer target for the ASCII reading decoder.  The
 * first byte seeds the chunk sizes, the rest is the stream.  It aborts
 * when a reading is out of the grammar's range, the buffer state leaves
 * its bounds, or cutting the stream into chunks changes what comes out:
 * the same newest reading and the same count of dropped lines as when the
 * stream arrives in one piece.
 *
 * Build and run it with clang, from the top of the tree:
 *
 *	mkdir -p build/fuzz/corpus-line
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 \
 *	    -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=undefined -Ihw \
 *	    $(pkg-config --cflags jansson) \
 *	    -o build/fuzz/fuzz-line tests/fuzz/fuzz-line.c hw/decode.c
 *	build/fuzz/fuzz-line -max_total_time=60 build/fuzz/corpus-line
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

/* The largest magnitude the grammar allows: 999.99 C. */
#define CENTI_MAX	99999

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct linebuf	 whole, parts;
	uint8_t		*chunk;
	size_t		 n, off;
	unsigned	 seed;
	int		 v, c1 = 0, c2 = 0, got1, got2 = 0;

	if (size < 1)
		return 0;
	seed = data[0];
	data++;
	size--;

	line_init(&whole);
	got1 = line_feed(&whole, data, size, &c1);
	if (got1 != 0 && got1 != 1)
		abort();
	if (got1 && (c1 < -CENTI_MAX || c1 > CENTI_MAX))
		abort();
	if (whole.len > LINE_LEN_MAX)
		abort();

	line_init(&parts);
	for (off = 0; off < size; off += n) {
		n = 1 + (seed = seed * 1103515245u + 12345u) % 13;
		if (n > size - off)
			n = size - off;
		/* An exact-size copy, so ASan sees any overread. */
		if ((chunk = malloc(n)) == NULL)
			abort();
		memcpy(chunk, data + off, n);
		v = line_feed(&parts, chunk, n, &c2);
		free(chunk);
		if (v != 0 && v != 1)
			abort();
		got2 |= v;
		if (parts.len > LINE_LEN_MAX)
			abort();
	}
	if (got1 != got2 || (got1 && c1 != c2) ||
	    whole.dropped != parts.dropped || whole.len != parts.len)
		abort();
	return 0;
}
