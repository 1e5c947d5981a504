/*
 * fuzz-temper.c: a libFuzzer target for the TEMPer reply decoder.  Any
 * bytes in; it aborts unless a short reply or the "no sensor" value is
 * refused and every other reply yields bytes 2-3 as a signed big-endian
 * number of hundredths, with nothing read past the end.
 *
 * Build and run it with clang, from the top of the tree:
 *
 *	mkdir -p build/fuzz/corpus-temper
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 \
 *	    -fsanitize=fuzzer,address,undefined -Ihw \
 *	    $(pkg-config --cflags jansson) \
 *	    -o build/fuzz/fuzz-temper tests/fuzz/fuzz-temper.c hw/decode.c
 *	build/fuzz/fuzz-temper -max_total_time=60 build/fuzz/corpus-temper
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
	int	v, centi = 0x7fffffff, want;

	v = temper_decode(data, size, &centi);
	if (size < 4 || (data[2] == 0x4e && data[3] == 0x20)) {
		if (v != -1 || centi != 0x7fffffff)
			abort();
		return 0;
	}
	want = data[2] * 256 + data[3];
	if (want >= 32768)
		want -= 65536;
	if (v != 0 || centi != want || centi < -32768 || centi > 32767)
		abort();
	return 0;
}
