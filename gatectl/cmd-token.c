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

int
cmd_token_new(struct ctl *ctl, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned char	 raw[TOKEN_BYTES], text[4 * TOKEN_BYTES / 3 + 4];
	uint8_t		 hash[32];
	const char	*name = "new-token", *p;
	char		 hex[65];
	int		 ch, role = ROLE_VIEWER, i, n;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'r':
			if ((role = auth_role_from_name(optarg)) == -1)
				return ctl_usage_error("--role is viewer, "
				    "guard or admin: %s", optarg);
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (strlen(name) == 0 || strlen(name) >= NAME_LEN ||
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
	if (auth_token_hash((const char *)text, hash) == -1) {
		fprintf(stderr, "gatectl: SHA-256 failed\n");
		return EXIT_UNREACHABLE;
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", hash[i]);
	p = auth_role_name(role);
	if (ctl->json)
		printf("{\"token\": \"%s\", \"name\": \"%s\", \"role\": \"%s\", "
		    "\"hash\": \"sha256:%s\"}\n", text, name, p, hex);
	else
		printf("%s\n\n# gated.conf: the gate keeps only the hash\n"
		    "[token %s]\nrole = %s\nhash = sha256:%s\n", text, name, p,
		    hex);
	explicit_bzero(raw, sizeof raw);
	explicit_bzero(text, sizeof text);
	return 0;
}
