/*
 * fuzz-pass.c: a libFuzzer target for the visitor pass codec.  The input,
 * cut at its first NUL, is a pass string checked against a fixed key; it
 * is also read as a public key line.  It aborts when a result is none of
 * the documented ones, when a pass that verifies breaks the rules a
 * signer must follow, or when it is not the one text its key would sign:
 * whatever the fuzzer makes, only the canonical string of a pass the key
 * really signed may verify.  The seeds hold such a string, so the fuzzer
 * starts at a valid pass and mutates it.
 *
 * Build and run it with clang, from the top of the tree:
 *
 *	mkdir -p build/fuzz/corpus-pass
 *	clang -std=c11 -D_GNU_SOURCE -g -O1 \
 *	    -fsanitize=fuzzer,address,undefined \
 *	    -fno-sanitize-recover=undefined -Icommon \
 *	    -o build/fuzz/fuzz-pass tests/fuzz/fuzz-pass.c common/pass.c \
 *	    $(pkg-config --libs libcrypto)
 *	build/fuzz/fuzz-pass -max_total_time=60 build/fuzz/corpus-pass
 *
 * Without clang, build with gcc and tests/fuzz/replay.c instead of
 * -fsanitize=fuzzer; tests/integration/fuzz.sh does either.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pass.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The seed 1, 2, ... 32 and its public key, as in tests/unit/test-pass.c;
 * tests/integration/fuzz.sh's seed pass is signed with it.
 */
static uint8_t	fuzz_seed[PASS_KEY_LEN];
static struct pass_key fuzz_keys[2];

static void
fuzz_init(void)
{
	static const char *const lines[] = {
		"campus-2026 ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=",
		"old AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	const char	*cause;
	size_t		 i;

	for (i = 0; i < PASS_KEY_LEN; i++)
		fuzz_seed[i] = (uint8_t)(i + 1);
	for (i = 0; i < 2; i++) {
		if (pass_key_parse(lines[i], &fuzz_keys[i], &cause) == -1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 ready;
	struct pass_key	 k;
	struct pass	 p;
	const char	*cause;
	char		*text, again[PASS_TEXT_MAX];
	enum pass_result r;

	if (!ready) {
		fuzz_init();
		ready = 1;
	}
	/* An exact-size copy, so ASan sees any overread. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	r = pass_verify(text, fuzz_keys, 2, &p);
	switch (r) {
	case PASS_RESULT_OK:
		if (pass_invalid(&p) != NULL ||
		    pass_sign(&p, fuzz_seed, again, sizeof again) == -1 ||
		    strcmp(again, text) != 0)
			abort();
		/* The window check is total over the pass's own edges. */
		if (pass_check_time(&p, p.valid_from) != PASS_RESULT_OK ||
		    pass_check_time(&p, p.valid_until) != PASS_RESULT_EXPIRED ||
		    pass_check_time(&p, p.valid_from - 1) !=
		    PASS_RESULT_NOT_YET_VALID)
			abort();
		break;
	case PASS_RESULT_UNKNOWN_KEY:
		if (!pass_valid_name(p.key_id) || p.nzones != 0)
			abort();
		break;
	case PASS_RESULT_MALFORMED:
	case PASS_RESULT_BAD_SIGNATURE:
		if (p.id != 0 || p.nzones != 0 || p.key_id[0] != '\0')
			abort();
		break;
	default:
		abort();
	}

	cause = NULL;
	if (pass_key_parse(text, &k, &cause) == 0) {
		if (pass_key_format(&k, again, sizeof again) == -1 ||
		    strncmp(again, text, strlen(k.id)) != 0)
			abort();
	} else if (cause == NULL)
		abort();
	free(text);
	return 0;
}
