/*
 * cmd-token.c: minting a bearer token for the remote API.  The token is 32
 * random bytes from OpenSSL's CSPRNG, base64url: 256 bits, so no guess or
 * table ever finds it, and a plain SHA-256 of it is all the gate needs to
 * keep (a slow password hash protects low-entropy secrets, which this is
 * not).  Prints the token once, and the [token] section to paste into
 * gated.conf; the token itself goes nowhere else.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "gatectl.h"

#define TOKEN_BYTES	32

static const char *const token_roles[] = { GATED_ROLE_NAMES };
#define NROLES	(sizeof token_roles / sizeof token_roles[0])

/* Needs no gate: the request stays empty. */
int
cmd_token_new(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char	 raw[TOKEN_BYTES], text[4 * TOKEN_BYTES / 3 + 4];
	unsigned char	 hash[EVP_MAX_MD_SIZE];
	unsigned int	 hlen = 0;
	const char	*name = "new-token", *role = token_roles[0];
	char		 hex[65];
	size_t		 r;
	int		 ch, i, n;

	(void)req;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'r':
			for (r = 0; r < NROLES; r++)
				if (strcmp(token_roles[r], optarg) == 0)
					break;
			if (r == NROLES)
				return ctl_usage_error("--role is viewer, "
				    "guard or admin: %s", optarg);
			role = token_roles[r];
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (strlen(name) == 0 || strlen(name) > GATED_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") != strlen(name))
		return ctl_usage_error("--name: 1-31 letters, digits, '.', '_' "
		    "or '-': %s", name);
	if (RAND_bytes(raw, sizeof raw) != 1) {
		fprintf(stderr, "gatectl: no random bytes from OpenSSL\n");
		return EXIT_UNREACHABLE;
	}
	/* base64url without padding: safe in headers, files and shells. */
	n = EVP_EncodeBlock(text, raw, sizeof raw);
	while (n > 0 && text[n - 1] == '=')
		text[--n] = '\0';
	for (i = 0; i < n; i++)
		text[i] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : text[i];
	/* What a [token]'s hash holds (protocol.h): the SHA-256 of the text. */
	if (EVP_Digest(text, (size_t)n, hash, &hlen, EVP_sha256(), NULL) != 1 ||
	    hlen != 32) {
		fprintf(stderr, "gatectl: SHA-256 failed\n");
		return EXIT_UNREACHABLE;
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	if (ctl->json)
		printf("{\"token\": \"%s\", \"name\": \"%s\", \"role\": \"%s\", "
		    "\"hash\": \"sha256:%s\"}\n", text, name, role, hex);
	else
		printf("%s\n\n# gated.conf: the gate keeps only the hash\n"
		    "[token %s]\nrole = %s\nhash = sha256:%s\n", text, name,
		    role, hex);
	explicit_bzero(raw, sizeof raw);
	explicit_bzero(text, sizeof text);
	return 0;
}
