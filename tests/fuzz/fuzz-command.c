/*
 * fuzz-command.c: a libFuzzer target for the campus command codec.  The
 * input is a command's JSON, decoded and verified against a fixed key at
 * a fixed time.  It aborts when a result is none of the documented ones,
 * when a malformed one leaves fields behind, or when a command that
 * verifies breaks the rules a signer must follow or does not sign and
 * verify again to the same fields: only what the key really signed may
 * pass.  The seeds (tests/integration/fuzz.sh) are commands signed with
 * that key, so the fuzzer starts at valid ones and mutates them.
 *
 * Build and run it like fuzz-pass.c, with common/command.c,
 * common/command-body.c, common/ed25519.c, common/pass.c,
 * common/xmalloc.c and common/log.c, and -ljansson -lcrypto.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_NOW	1796112100LL	/* inside the seeds' window */

/* The seed 1, 2, ... 32 (tests/unit/test-command.c's key a) and b's. */
static uint8_t		fuzz_seed[ED25519_KEY_LEN];
static struct admin_key	fuzz_keys[2];

static void
fuzz_init(void)
{
	const char	*cause;
	size_t		 i;

	for (i = 0; i < ED25519_KEY_LEN; i++)
		fuzz_seed[i] = (uint8_t)(i + 1);
	strcpy(fuzz_keys[0].name, "admin-a");
	strcpy(fuzz_keys[1].name, "old");
	if (admin_key_parse("ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=",
	    fuzz_keys[0].pub, &cause) == -1 ||
	    admin_key_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    fuzz_keys[1].pub, &cause) == -1)
		abort();
}

/* The same fields and the same body (its own allocation each). */
static int
same(const struct command *a, const struct command *b)
{
	struct command	x = *a, y = *b;

	x.body = y.body = NULL;
	return memcmp(&x, &y, sizeof x) == 0 && a->body_len == b->body_len &&
	    (a->body_len == 0 || memcmp(a->body, b->body, a->body_len) == 0);
}

/* What verifies must be a signer's command, and sign back to itself. */
static void
check_ok(const struct command *c)
{
	struct command	again;
	char		*text;

	if (command_invalid(c) != NULL || strcmp(c->key, "admin-a") != 0 ||
	    (text = command_sign_alloc(c, fuzz_seed)) == NULL)
		abort();
	if (command_verify(text, strlen(text), fuzz_keys, 2, FUZZ_NOW,
	    &again) != COMMAND_OK || !same(c, &again))
		abort();
	command_clear(&again);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 ready;
	static const struct command zero;
	struct command		 c;
	char			*text;
	enum command_result	 r;

	if (!ready) {
		fuzz_init();
		ready = 1;
	}
	/* An exact-size copy, no NUL: ASan sees any overread. */
	if ((text = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(text, data, size);
	r = command_verify(text, size, fuzz_keys, 2, FUZZ_NOW, &c);
	switch (r) {
	case COMMAND_OK:
		check_ok(&c);
		break;
	case COMMAND_MALFORMED:
		if (memcmp(&c, &zero, sizeof c) != 0)
			abort();
		break;
	case COMMAND_UNSIGNED:
	case COMMAND_UNKNOWN_KEY:
	case COMMAND_BAD_SIGNATURE:
	case COMMAND_EXPIRED:
	case COMMAND_NOT_YET:
	case COMMAND_BAD_HASH:
		if (command_invalid(&c) != NULL)
			abort();
		break;
	default:
		abort();
	}
	command_clear(&c);
	free(text);
	return 0;
}
