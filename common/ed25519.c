/*
 * ed25519.c: Ed25519 through libcrypto's EVP one-shot interface (the
 * message is signed whole, no digest first), and a strict base64 for keys
 * and signatures: a value has exactly one accepted spelling, so a changed
 * character is never read as the same bytes.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "ed25519.h"

int
ed25519_sign(const uint8_t seed[ED25519_KEY_LEN], const uint8_t *msg,
    size_t len, uint8_t sig[ED25519_SIG_LEN])
{
	EVP_PKEY	*key;
	EVP_MD_CTX	*ctx = NULL;
	size_t		 siglen = ED25519_SIG_LEN;
	int		 rc = -1;

	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    ED25519_KEY_LEN)) != NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 &&
	    siglen == ED25519_SIG_LEN)
		rc = 0;
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return rc;
}

int
ed25519_verify(const uint8_t pub[ED25519_KEY_LEN], const uint8_t *msg,
    size_t len, const uint8_t sig[ED25519_SIG_LEN])
{
	EVP_PKEY	*key;
	EVP_MD_CTX	*ctx = NULL;
	int		 ok = 0;

	if ((key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
	    ED25519_KEY_LEN)) != NULL && (ctx = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) == 1)
		ok = EVP_DigestVerify(ctx, sig, ED25519_SIG_LEN, msg, len) == 1;
	/* A failed check leaves errors queued; the agent's TLS reads them. */
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	return ok;
}

uint8_t *
put_be(uint8_t *b, uint64_t v, int bytes)
{
	while (bytes-- > 0)
		*b++ = (uint8_t)(v >> (8 * bytes));
	return b;
}

void
b64_encode(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int
b64_decode_exact(const char *s, uint8_t *out, size_t n)
{
	unsigned char	raw[96], again[B64_LEN(sizeof raw) + 1];
	size_t		len = B64_LEN(n);

	if (n > sizeof raw - 2 || strnlen(s, len + 1) != len ||
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") != len ||
	    EVP_DecodeBlock(raw, (const unsigned char *)s, (int)len) < 0)
		return -1;
	/* Only the canonical spelling: re-encoding gives the same text. */
	EVP_EncodeBlock(again, raw, (int)n);
	if (memcmp(again, s, len) != 0)
		return -1;
	memcpy(out, raw, n);
	return 0;
}
