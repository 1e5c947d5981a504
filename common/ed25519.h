/*
 * ed25519.h: what the signed formats, the visitor pass (pass.c) and the
 * campus command (command.c), share: Ed25519 signatures, base64 key and
 * signature spellings and the big-endian writer of their payloads, over
 * OpenSSL's libcrypto.  Pure functions: no I/O, no clock; the OpenSSL
 * error queue is left empty, so the agent's TLS never reads a stale
 * error from a failed check.
 */
#ifndef GATED_ED25519_H
#define GATED_ED25519_H

#include <stddef.h>
#include <stdint.h>

#define ED25519_KEY_LEN	32	/* a public key or a private seed */
#define ED25519_SIG_LEN	64
#define B64_LEN(n)	(4 * (((n) + 2) / 3))	/* padded base64 of n bytes */

/* Signs msg with the private key of the seed: 0, or -1 (libcrypto). */
int	ed25519_sign(const uint8_t seed[ED25519_KEY_LEN], const uint8_t *msg,
	    size_t len, uint8_t sig[ED25519_SIG_LEN]);
/* 1 when sig is the key's signature of msg; 0 otherwise, errors too. */
int	ed25519_verify(const uint8_t pub[ED25519_KEY_LEN], const uint8_t *msg,
	    size_t len, const uint8_t sig[ED25519_SIG_LEN]);

/* The signed forms' integers: v as `bytes` big-endian bytes at b; b after. */
uint8_t	*put_be(uint8_t *b, uint64_t v, int bytes);

/* Standard padded base64 of n bytes into out (B64_LEN(n) + 1 bytes). */
void	b64_encode(const uint8_t *in, size_t n, char *out);
/*
 * Exactly n bytes from s, or -1 unless s is their one canonical padded
 * base64 spelling (no spaces, the unused bits zero): one text per value.
 */
int	b64_decode_exact(const char *s, uint8_t *out, size_t n);

#endif
