/*
 * replay.c: a main() for the fuzz targets where libFuzzer is not there.
 * Linked with a target instead of -fsanitize=fuzzer, it feeds each file
 * named on the command line to LLVMFuzzerTestOneInput once: a crash file
 * a fuzzing run left behind, or a seed corpus in `make check`.
 */
#include <stdint.h>
#include <stdio.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
main(int argc, char **argv)
{
	static uint8_t	 buf[1 << 20];
	FILE		*f;
	size_t		 n;
	int		 i;

	for (i = 1; i < argc; i++) {
		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		LLVMFuzzerTestOneInput(buf, n);
	}
	return 0;
}
