/*
 * pass.c: the visitor pass codec of pass.h: the payload's bytes, the
 * base32 text form, Ed25519 signing and verifying through libcrypto, the
 * validity window, and the one-line form of a public key.  The format is
 * docs/passes.md; any change to it is a new version with a new prefix.
 *
 * Decoding is strict on purpose: exactly one text verifies for a given
 * pass and key, so an altered character can never slip through as another
 * spelling of the same bytes.
 */
#include <stdint.h>
#include <string.h>

#include "ed25519.h"
#include "pass.h"

/*
 * Digits and upper-case letters without I and O (misread for 1 and 0 when
 * a guard types a pass by hand) and without Y and Z (swapped on German
 * keyboards, so a scanner set to that layout would type them wrong).  All
 * are in QR's alphanumeric mode, which keeps the code small.
 */
static const char pass_alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWX";

/*
 * Signed ahead of the payload: a key that also signs something else can
 * never have that signature read as a pass.
 */
static const char pass_context[] = "gated visitor pass 1";
#define CONTEXT_LEN	(sizeof pass_context - 1)

/* version, id, category, from, until, uses; key id; zone count, zones. */
#define FIXED_LEN	(1 + 8 + 1 + 8 + 8 + 2)
#define PAYLOAD_MAX	(FIXED_LEN + PASS_NAME_LEN + 1 + \
			    PASS_ZONES_MAX * PASS_NAME_LEN)
#define RAW_MAX		(PAYLOAD_MAX + PASS_SIG_LEN)
#define PREFIX_LEN	(sizeof PASS_PREFIX - 1)
#define B32_LEN(n)	(((n) * 8 + 4) / 5)

static const char *const pass_result_names[] = {
	[PASS_RESULT_OK] = "ok",
	[PASS_RESULT_MALFORMED] = "malformed",
	[PASS_RESULT_UNKNOWN_KEY] = "unknown-key",
	[PASS_RESULT_BAD_SIGNATURE] = "bad-signature",
	[PASS_RESULT_NOT_YET_VALID] = "not-yet-valid",
	[PASS_RESULT_EXPIRED] = "expired",
};

const char *
pass_result_name(enum pass_result r)
{
	if ((unsigned)r >= sizeof pass_result_names /
	    sizeof pass_result_names[0])
		return "unknown";
	return pass_result_names[r];
}

const char *
pass_category_name(enum pass_category c)
{
	return c == PASS_CONTRACTOR ? "contractor" : "visitor";
}

int
pass_category_from_name(const char *s)
{
	if (strcmp(s, "visitor") == 0)
		return PASS_VISITOR;
	if (strcmp(s, "contractor") == 0)
		return PASS_CONTRACTOR;
	return -1;
}

/* The same rule as gated.conf's names, so a zone reads the same in both. */
int
pass_valid_name(const char *s)
{
	size_t	n = strlen(s);

	return n > 0 && n < PASS_NAME_LEN && strspn(s,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
	    == n;
}

/* Checked before signing and after decoding: one rule for both sides. */
const char *
pass_invalid(const struct pass *p)
{
	size_t	i, j;

	if (!pass_valid_name(p->key_id))
		return "the key id is not a name (1-31 letters, digits, '.', "
		    "'_' or '-')";
	if (p->category != PASS_VISITOR && p->category != PASS_CONTRACTOR)
		return "the category is neither visitor nor contractor";
	if (p->valid_from < 0 || p->valid_until > PASS_TIME_MAX)
		return "the window is outside 1970 to 9999";
	if (p->valid_from >= p->valid_until)
		return "the window ends before it starts";
	if (p->uses > PASS_USES_MAX)
		return "uses is more than 65535";
	if (p->nzones == 0 || p->nzones > PASS_ZONES_MAX)
		return "a pass names 1 to 8 zones";
	for (i = 0; i < p->nzones; i++) {
		if (!pass_valid_name(p->zones[i]))
			return "a zone is not a name (1-31 letters, digits, "
			    "'.', '_' or '-')";
		for (j = 0; j < i; j++) {
			if (strcmp(p->zones[i], p->zones[j]) == 0)
				return "a zone is named twice";
		}
	}
	return NULL;
}

/* A name: its length byte, then its bytes, into a buffer of PAYLOAD_MAX. */
static uint8_t *
put_name(uint8_t *b, const char *s)
{
	size_t	n = strlen(s);

	*b++ = (uint8_t)n;
	memcpy(b, s, n);
	return b + n;
}

/* The payload of a pass that pass_invalid() accepts; returns its length. */
static size_t
pass_payload(const struct pass *p, uint8_t *buf)
{
	uint8_t	*b = buf;
	size_t	 i;

	b = put_be(b, PASS_VERSION, 1);
	b = put_be(b, p->id, 8);
	b = put_be(b, (uint64_t)p->category, 1);
	b = put_be(b, (uint64_t)p->valid_from, 8);
	b = put_be(b, (uint64_t)p->valid_until, 8);
	b = put_be(b, p->uses, 2);
	b = put_name(b, p->key_id);
	b = put_be(b, p->nzones, 1);
	for (i = 0; i < p->nzones; i++)
		b = put_name(b, p->zones[i]);
	return (size_t)(b - buf);
}

/* A bounds-checked reader: reading past the end sets bad and reads 0. */
struct reader {
	const uint8_t	*b;
	size_t		 len, off;
	int		 bad;
};

static uint64_t
get_u(struct reader *r, int bytes)
{
	uint64_t	v = 0;

	if (r->bad || r->len - r->off < (size_t)bytes) {
		r->bad = 1;
		return 0;
	}
	while (bytes-- > 0)
		v = v << 8 | r->b[r->off++];
	return v;
}

/* A length byte and that many bytes, which must make a name. */
static void
get_name(struct reader *r, char out[PASS_NAME_LEN])
{
	size_t	n = get_u(r, 1);

	if (r->bad || n == 0 || n >= PASS_NAME_LEN || r->len - r->off < n) {
		r->bad = 1;
		return;
	}
	memcpy(out, r->b + r->off, n);
	out[n] = '\0';
	r->off += n;
	if (!pass_valid_name(out))	/* also catches a NUL inside */
		r->bad = 1;
}

/* The pass in a payload of exactly len bytes: 0, or -1 if malformed. */
static int
pass_parse(const uint8_t *buf, size_t len, struct pass *p)
{
	struct reader	r = { buf, len, 0, 0 };
	uint64_t	v;
	size_t		i;

	memset(p, 0, sizeof *p);
	if (get_u(&r, 1) != PASS_VERSION)
		return -1;
	p->id = get_u(&r, 8);
	p->category = (enum pass_category)get_u(&r, 1);
	/* Above INT64_MAX is also above PASS_TIME_MAX: no signed overflow. */
	if ((v = get_u(&r, 8)) > PASS_TIME_MAX)
		return -1;
	p->valid_from = (int64_t)v;
	if ((v = get_u(&r, 8)) > PASS_TIME_MAX)
		return -1;
	p->valid_until = (int64_t)v;
	p->uses = (unsigned)get_u(&r, 2);
	get_name(&r, p->key_id);
	p->nzones = get_u(&r, 1);
	if (p->nzones > PASS_ZONES_MAX)
		return -1;
	for (i = 0; i < p->nzones; i++)
		get_name(&r, p->zones[i]);
	if (r.bad || r.off != len || pass_invalid(p) != NULL)
		return -1;
	return 0;
}

/* Base32 in pass_alphabet, no padding; out has B32_LEN(n) + 1 bytes. */
static void
b32_encode(const uint8_t *in, size_t n, char *out)
{
	unsigned	acc = 0;
	int		bits = 0;
	size_t		i;

	for (i = 0; i < n; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = pass_alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		*out++ = pass_alphabet[(acc << (5 - bits)) & 31];
	*out = '\0';
}

/*
 * The bytes of n base32 characters, or -1 unless the text is canonical:
 * only alphabet characters, a length some byte count encodes to, and the
 * unused low bits of the last character zero.
 */
static int
b32_decode(const char *in, size_t n, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	const char	*c;
	unsigned	 acc = 0;
	size_t		 i, o = 0, bytes = n * 5 / 8;
	int		 bits = 0;

	if (bytes > outmax || B32_LEN(bytes) != n)
		return -1;
	for (i = 0; i < n; i++) {
		if (in[i] == '\0' || (c = strchr(pass_alphabet, in[i])) == NULL)
			return -1;
		acc = (acc << 5 | (unsigned)(c - pass_alphabet)) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if ((acc & ((1u << bits) - 1)) != 0)
		return -1;
	*outlen = o;
	return 0;
}

int
pass_sign(const struct pass *p, const uint8_t seed[PASS_KEY_LEN], char *out,
    size_t outlen)
{
	uint8_t		 buf[CONTEXT_LEN + RAW_MAX], *payload, *sig;
	size_t		 n;

	if (pass_invalid(p) != NULL)
		return -1;
	memcpy(buf, pass_context, CONTEXT_LEN);
	payload = buf + CONTEXT_LEN;
	n = pass_payload(p, payload);
	sig = payload + n;
	if (outlen < PREFIX_LEN + B32_LEN(n + PASS_SIG_LEN) + 1)
		return -1;

	if (ed25519_sign(seed, buf, CONTEXT_LEN + n, sig) == -1)
		return -1;
	memcpy(out, PASS_PREFIX, PREFIX_LEN);
	b32_encode(payload, n + PASS_SIG_LEN, out + PREFIX_LEN);
	return 0;
}

enum pass_result
pass_verify(const char *text, const struct pass_key *keys, size_t nkeys,
    struct pass *out)
{
	uint8_t			 buf[CONTEXT_LEN + RAW_MAX], *raw;
	char			 key_id[PASS_NAME_LEN];
	const struct pass_key	*key = NULL;
	size_t			 n, len, i;

	memset(out, 0, sizeof *out);
	raw = buf + CONTEXT_LEN;
	if (strncmp(text, PASS_PREFIX, PREFIX_LEN) != 0)
		return PASS_RESULT_MALFORMED;
	text += PREFIX_LEN;
	if ((n = strnlen(text, PASS_TEXT_MAX)) == PASS_TEXT_MAX ||
	    b32_decode(text, n, raw, RAW_MAX, &len) == -1 ||
	    len <= PASS_SIG_LEN ||
	    pass_parse(raw, len - PASS_SIG_LEN, out) == -1) {
		memset(out, 0, sizeof *out);
		return PASS_RESULT_MALFORMED;
	}
	for (i = 0; i < nkeys && key == NULL; i++) {
		if (strcmp(keys[i].id, out->key_id) == 0)
			key = &keys[i];
	}
	if (key == NULL) {
		memcpy(key_id, out->key_id, sizeof key_id);
		memset(out, 0, sizeof *out);
		memcpy(out->key_id, key_id, sizeof key_id);
		return PASS_RESULT_UNKNOWN_KEY;
	}
	memcpy(buf, pass_context, CONTEXT_LEN);
	if (!ed25519_verify(key->pub, buf, CONTEXT_LEN + len - PASS_SIG_LEN,
	    raw + len - PASS_SIG_LEN)) {
		memset(out, 0, sizeof *out);
		return PASS_RESULT_BAD_SIGNATURE;
	}
	return PASS_RESULT_OK;
}

enum pass_result
pass_check_time(const struct pass *p, int64_t now)
{
	if (now < p->valid_from)
		return PASS_RESULT_NOT_YET_VALID;
	if (now >= p->valid_until)
		return PASS_RESULT_EXPIRED;
	return PASS_RESULT_OK;
}

int
pass_has_zone(const struct pass *p, const char *zone)
{
	size_t	i;

	for (i = 0; i < p->nzones && i < PASS_ZONES_MAX; i++) {
		if (strcmp(p->zones[i], zone) == 0)
			return 1;
	}
	return 0;
}

/* 44 characters: base64 of 32 bytes, one '=' of padding. */
#define KEY_B64_LEN	(4 * ((PASS_KEY_LEN + 2) / 3))

int
pass_key_format(const struct pass_key *k, char *buf, size_t len)
{
	char	b64[KEY_B64_LEN + 1];
	size_t	n = strlen(k->id);

	if (!pass_valid_name(k->id) || len < n + 1 + KEY_B64_LEN + 1)
		return -1;
	b64_encode(k->pub, PASS_KEY_LEN, b64);
	memcpy(buf, k->id, n);
	buf[n] = ' ';
	memcpy(buf + n + 1, b64, KEY_B64_LEN + 1);
	return 0;
}

int
pass_key_parse(const char *line, struct pass_key *k, const char **cause)
{
	const char	*b64;
	size_t		 n;

	memset(k, 0, sizeof *k);
	n = strcspn(line, " \t");
	if (n == 0 || n >= PASS_NAME_LEN) {
		*cause = "expected 'ID BASE64': the key id is 1-31 characters";
		return -1;
	}
	memcpy(k->id, line, n);
	if (!pass_valid_name(k->id)) {
		*cause = "the key id is not a name (1-31 letters, digits, '.', "
		    "'_' or '-')";
		return -1;
	}
	b64 = line + n + strspn(line + n, " \t");
	if (b64 == line + n || strlen(b64) != KEY_B64_LEN ||
	    strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/") != KEY_B64_LEN - 1 || b64[KEY_B64_LEN - 1] != '=') {
		*cause = "expected 'ID BASE64': the key is 44 characters of "
		    "base64 (32 bytes)";
		return -1;
	}
	if (b64_decode_exact(b64, k->pub, PASS_KEY_LEN) == -1) {
		*cause = "the key's base64 is not canonical";
		return -1;
	}
	return 0;
}
