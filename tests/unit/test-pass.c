/*
 * test-pass.c: the visitor pass codec.  A pass signs and verifies back to
 * what it said; no altered, truncated, re-signed or forged string ever
 * verifies; the window's edges and the fields' limits hold; the one-line
 * key form reads back.  The bit flips re-encode with a base32 of the
 * test's own, so they reach the signature and the payload, not only the
 * text.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "pass.h"
#include "unit.h"

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTUVWX";

static uint8_t	seed_a[PASS_KEY_LEN], seed_b[PASS_KEY_LEN];
static uint8_t	pub_a[PASS_KEY_LEN], pub_b[PASS_KEY_LEN];

/* The public key of a seed, through libcrypto, not through pass.c. */
static void
public_of(const uint8_t *seed, uint8_t *pub)
{
	EVP_PKEY	*k;
	size_t		 len = PASS_KEY_LEN;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    PASS_KEY_LEN);
	if (k == NULL || EVP_PKEY_get_raw_public_key(k, pub, &len) != 1 ||
	    len != PASS_KEY_LEN) {
		fprintf(stderr, "no Ed25519 in libcrypto\n");
		exit(2);
	}
	EVP_PKEY_free(k);
}

/* A day pass for the teaching zone and the library, used once. */
static struct pass
sample(void)
{
	struct pass	p;

	memset(&p, 0, sizeof p);
	p.id = 0x0123456789abcdefULL;
	strcpy(p.key_id, "campus-2026");
	p.category = PASS_VISITOR;
	p.valid_from = 1796112000;	/* 2026-12-01T08:00Z */
	p.valid_until = 1796112000 + 10 * 3600;
	p.uses = 1;
	p.nzones = 2;
	strcpy(p.zones[0], "teaching");
	strcpy(p.zones[1], "library");
	return p;
}

static int
same_pass(const struct pass *a, const struct pass *b)
{
	size_t	i;

	if (a->id != b->id || strcmp(a->key_id, b->key_id) != 0 ||
	    a->category != b->category || a->valid_from != b->valid_from ||
	    a->valid_until != b->valid_until || a->uses != b->uses ||
	    a->nzones != b->nzones)
		return 0;
	for (i = 0; i < a->nzones; i++) {
		if (strcmp(a->zones[i], b->zones[i]) != 0)
			return 0;
	}
	return 1;
}

/* The test's own base32: text after the prefix to bytes and back. */
static size_t
raw_of(const char *text, uint8_t *out)
{
	unsigned	acc = 0;
	int		bits = 0;
	size_t		o = 0;

	for (text += 3; *text != '\0'; text++) {
		acc = acc << 5 | (unsigned)(strchr(alphabet, *text) - alphabet);
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o;
}

static void
text_of(const uint8_t *raw, size_t n, char *out)
{
	unsigned	acc = 0;
	int		bits = 0;
	size_t		i;

	memcpy(out, "GP1", 3);
	out += 3;
	for (i = 0; i < n; i++) {
		acc = acc << 8 | raw[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			*out++ = alphabet[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		*out++ = alphabet[(acc << (5 - bits)) & 31];
	*out = '\0';
}

static void
test_round_trip(void)
{
	struct pass_key	keys[1];
	struct pass	p = sample(), q;
	char		text[PASS_TEXT_MAX], again[PASS_TEXT_MAX];

	strcpy(keys[0].id, "campus-2026");
	memcpy(keys[0].pub, pub_a, PASS_KEY_LEN);
	check(pass_sign(&p, seed_a, text, sizeof text) == 0, "sign a pass");
	check(strncmp(text, "GP1", 3) == 0 && strspn(text + 3, alphabet) ==
	    strlen(text + 3), "the text is GP1 and the alphabet only: %s",
	    text);
	check(strlen(text) < 200, "a two-zone pass is %zu characters",
	    strlen(text));
	check(pass_verify(text, keys, 1, &q) == PASS_RESULT_OK &&
	    same_pass(&p, &q), "it verifies and says what was signed");
	check(pass_sign(&p, seed_a, again, sizeof again) == 0 &&
	    strcmp(text, again) == 0, "signing is deterministic");
	check(pass_sign(&p, seed_a, again, strlen(text)) == -1,
	    "an out buffer one byte short is refused");

	p.category = PASS_CONTRACTOR;
	p.uses = 0;
	p.nzones = 1;
	check(pass_sign(&p, seed_a, text, sizeof text) == 0 &&
	    pass_verify(text, keys, 1, &q) == PASS_RESULT_OK &&
	    same_pass(&p, &q) && q.category == PASS_CONTRACTOR && q.uses == 0,
	    "a contractor, unlimited uses, one zone");
	p.uses = PASS_USES_MAX;
	check(pass_sign(&p, seed_a, text, sizeof text) == 0 &&
	    pass_verify(text, keys, 1, &q) == PASS_RESULT_OK && q.uses == 65535,
	    "uses 65535 reads back");
	p.uses = PASS_USES_MAX + 1;
	check(pass_sign(&p, seed_a, text, sizeof text) == -1,
	    "uses 65536 is refused");
	check(pass_has_zone(&q, "teaching") && !pass_has_zone(&q, "library") &&
	    !pass_has_zone(&q, "teach"), "pass_has_zone");
}

/* The largest pass: 31-character key id, eight 31-character zones. */
static void
test_largest(void)
{
	struct pass_key	key;
	struct pass	p = sample(), q;
	char		text[PASS_TEXT_MAX];
	size_t		i;
	int		ok;

	memset(p.key_id, 'k', 31);
	p.key_id[31] = '\0';
	p.nzones = PASS_ZONES_MAX;
	for (i = 0; i < p.nzones; i++) {
		memset(p.zones[i], 'a' + (int)i, 31);
		p.zones[i][31] = '\0';
	}
	p.valid_until = PASS_TIME_MAX;
	strcpy(key.id, p.key_id);
	memcpy(key.pub, pub_a, PASS_KEY_LEN);
	ok = pass_sign(&p, seed_a, text, sizeof text) == 0;
	check(ok && pass_verify(text, &key, 1, &q) == PASS_RESULT_OK &&
	    same_pass(&p, &q), "the largest pass (%zu characters) fits "
	    "PASS_TEXT_MAX", ok ? strlen(text) : 0);
}

/* Passes pass_invalid() refuses, and so pass_sign too. */
static void
test_invalid(void)
{
	static const struct {
		const char	*what;
		int		 field;
	} cases[] = {
		{ "an empty key id", 0 },
		{ "a key id with a space", 1 },
		{ "category 2", 2 },
		{ "from = until", 3 },
		{ "from after until", 4 },
		{ "from before 1970", 5 },
		{ "until after 9999", 6 },
		{ "no zone", 7 },
		{ "nine zones", 8 },
		{ "a zone named twice", 9 },
		{ "a zone with a slash", 10 },
		{ "a 32-character zone", 11 },
	};
	struct pass	p;
	char		text[PASS_TEXT_MAX];
	size_t		i;

	p = sample();
	check(pass_invalid(&p) == NULL, "the sample is valid");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		p = sample();
		switch (cases[i].field) {
		case 0: p.key_id[0] = '\0'; break;
		case 1: strcpy(p.key_id, "campus 1"); break;
		case 2: p.category = (enum pass_category)2; break;
		case 3: p.valid_until = p.valid_from; break;
		case 4: p.valid_until = p.valid_from - 1; break;
		case 5: p.valid_from = -1; break;
		case 6: p.valid_until = PASS_TIME_MAX + 1; break;
		case 7: p.nzones = 0; break;
		case 8: p.nzones = PASS_ZONES_MAX + 1; break;
		case 9: strcpy(p.zones[1], "teaching"); break;
		case 10: strcpy(p.zones[1], "a/b"); break;
		case 11: memset(p.zones[1], 'z', 32); break;
		}
		check(pass_invalid(&p) != NULL &&
		    pass_sign(&p, seed_a, text, sizeof text) == -1,
		    "refused: %s (%s)", cases[i].what,
		    pass_invalid(&p) != NULL ? pass_invalid(&p) : "accepted");
	}
}

/*
 * Every single character of the text replaced by every other printable
 * ASCII character, a space, a tab and a NUL-free control character: none
 * verifies.  Deletions and insertions at every place too.
 */
static void
test_alterations(void)
{
	struct pass_key	keys[1];
	struct pass	p = sample(), q;
	char		text[PASS_TEXT_MAX], alt[PASS_TEXT_MAX + 2];
	size_t		len, i, tried = 0, verified = 0;
	int		c;

	strcpy(keys[0].id, "campus-2026");
	memcpy(keys[0].pub, pub_a, PASS_KEY_LEN);
	pass_sign(&p, seed_a, text, sizeof text);
	len = strlen(text);
	for (i = 0; i < len; i++) {
		for (c = 1; c < 128; c++) {
			if (c == text[i])
				continue;
			memcpy(alt, text, len + 1);
			alt[i] = (char)c;
			tried++;
			if (pass_verify(alt, keys, 1, &q) == PASS_RESULT_OK)
				verified++;
		}
	}
	check(tried > 100 * len && verified == 0,
	    "%zu single-character changes, %zu verify", tried, verified);

	tried = verified = 0;
	for (i = 0; i < len; i++) {
		memcpy(alt, text, i);
		memcpy(alt + i, text + i + 1, len - i);
		tried++;
		if (pass_verify(alt, keys, 1, &q) == PASS_RESULT_OK)
			verified++;
		for (c = 0; c < 32; c++) {
			memcpy(alt, text, i);
			alt[i] = alphabet[c];
			memcpy(alt + i + 1, text + i, len - i + 1);
			tried++;
			if (pass_verify(alt, keys, 1, &q) == PASS_RESULT_OK)
				verified++;
		}
	}
	check(verified == 0, "%zu deletions and insertions, %zu verify", tried,
	    verified);

	tried = verified = 0;
	for (i = 0; i < len; i++) {
		memcpy(alt, text, i);
		alt[i] = '\0';
		tried++;
		if (pass_verify(alt, keys, 1, &q) != PASS_RESULT_MALFORMED)
			verified++;
	}
	check(verified == 0, "%zu truncations, all malformed", tried);

	snprintf(alt, sizeof alt, "%s\n", text);
	check(pass_verify(alt, keys, 1, &q) == PASS_RESULT_MALFORMED,
	    "a trailing newline is malformed");
	for (i = 0; i < len; i++)
		alt[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ?
		    text[i] + 'a' - 'A' : text[i]);
	alt[len] = '\0';
	check(pass_verify(alt, keys, 1, &q) == PASS_RESULT_MALFORMED,
	    "lower case is malformed");
	check(pass_verify("", keys, 1, &q) == PASS_RESULT_MALFORMED &&
	    pass_verify("GP1", keys, 1, &q) == PASS_RESULT_MALFORMED &&
	    pass_verify("GP2", keys, 1, &q) == PASS_RESULT_MALFORMED,
	    "empty, bare prefix, other version: malformed");
}

/*
 * Every bit of the decoded bytes flipped and re-encoded canonically: the
 * payload's bits give a malformed pass or a bad signature, the signature's
 * bits a bad signature.  Never PASS_RESULT_OK.
 */
static void
test_bit_flips(void)
{
	struct pass_key	keys[1];
	struct pass	p = sample(), q;
	uint8_t		raw[512] = { 0 };
	char		text[PASS_TEXT_MAX], alt[PASS_TEXT_MAX];
	size_t		n, i, sig_bad = 0, payload_ok = 0;
	int		bit;
	enum pass_result r;

	strcpy(keys[0].id, "campus-2026");
	memcpy(keys[0].pub, pub_a, PASS_KEY_LEN);
	pass_sign(&p, seed_a, text, sizeof text);
	n = raw_of(text, raw);
	text_of(raw, n, alt);
	check(strcmp(alt, text) == 0, "the test's base32 agrees (%zu bytes)",
	    n);
	for (i = 0; i < n; i++) {
		for (bit = 0; bit < 8; bit++) {
			raw[i] ^= (uint8_t)(1u << bit);
			text_of(raw, n, alt);
			r = pass_verify(alt, keys, 1, &q);
			raw[i] ^= (uint8_t)(1u << bit);
			if (i >= n - PASS_SIG_LEN &&
			    r == PASS_RESULT_BAD_SIGNATURE)
				sig_bad++;
			if (i < n - PASS_SIG_LEN && r == PASS_RESULT_OK)
				payload_ok++;
		}
	}
	check(sig_bad == 8 * PASS_SIG_LEN,
	    "%zu of the signature's 512 bit flips are a bad signature",
	    sig_bad);
	check(payload_ok == 0, "%zu payload bits flipped, none verifies",
	    8 * (n - PASS_SIG_LEN));
}

/* Other keys: wrong, unknown id, rotation, re-signed by another key. */
static void
test_keys(void)
{
	struct pass_key	keys[2];
	struct pass	p = sample(), q;
	char		text[PASS_TEXT_MAX], forged[PASS_TEXT_MAX];

	pass_sign(&p, seed_a, text, sizeof text);
	strcpy(keys[0].id, "campus-2026");
	memcpy(keys[0].pub, pub_b, PASS_KEY_LEN);
	check(pass_verify(text, keys, 1, &q) == PASS_RESULT_BAD_SIGNATURE &&
	    q.id == 0 && q.nzones == 0,
	    "the right id with another key: bad signature, nothing kept");

	strcpy(keys[0].id, "campus-2025");
	memcpy(keys[0].pub, pub_a, PASS_KEY_LEN);
	check(pass_verify(text, keys, 1, &q) == PASS_RESULT_UNKNOWN_KEY &&
	    strcmp(q.key_id, "campus-2026") == 0 && q.id == 0 &&
	    q.nzones == 0, "an id not listed: unknown key, naming the id");
	check(pass_verify(text, NULL, 0, &q) == PASS_RESULT_UNKNOWN_KEY,
	    "no keys at all: unknown key");

	strcpy(keys[0].id, "campus-2025");
	memcpy(keys[0].pub, pub_b, PASS_KEY_LEN);
	strcpy(keys[1].id, "campus-2026");
	memcpy(keys[1].pub, pub_a, PASS_KEY_LEN);
	check(pass_verify(text, keys, 2, &q) == PASS_RESULT_OK,
	    "rotation: the key under the pass's id among two");

	/* Someone with key b signs a pass naming key a's id. */
	pass_sign(&p, seed_b, forged, sizeof forged);
	check(strcmp(forged, text) != 0 &&
	    pass_verify(forged, keys, 2, &q) == PASS_RESULT_BAD_SIGNATURE,
	    "re-signed with another key under the same id: bad signature");
}

static void
test_time(void)
{
	static const struct {
		int64_t		 at;
		enum pass_result want;
	} cases[] = {
		{ 0, PASS_RESULT_NOT_YET_VALID },
		{ 1796112000 - 1, PASS_RESULT_NOT_YET_VALID },
		{ 1796112000, PASS_RESULT_OK },
		{ 1796112000 + 36000 - 1, PASS_RESULT_OK },
		{ 1796112000 + 36000, PASS_RESULT_EXPIRED },
		{ INT64_MAX, PASS_RESULT_EXPIRED },
		{ INT64_MIN, PASS_RESULT_NOT_YET_VALID },
	};
	struct pass	p = sample();
	size_t		i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check(pass_check_time(&p, cases[i].at) == cases[i].want,
		    "at %lld: %s", (long long)cases[i].at,
		    pass_result_name(cases[i].want));
	check(strcmp(pass_result_name(PASS_RESULT_MALFORMED), "malformed") ==
	    0 && strcmp(pass_result_name(PASS_RESULT_UNKNOWN_KEY),
	    "unknown-key") == 0 &&
	    strcmp(pass_result_name(PASS_RESULT_BAD_SIGNATURE),
	    "bad-signature") == 0 &&
	    strcmp(pass_result_name((enum pass_result)99), "unknown") == 0,
	    "result names");
	check(pass_category_from_name("visitor") == PASS_VISITOR &&
	    pass_category_from_name("contractor") == PASS_CONTRACTOR &&
	    pass_category_from_name("staff") == -1 &&
	    strcmp(pass_category_name(PASS_CONTRACTOR), "contractor") == 0,
	    "category names");
}

static void
test_key_line(void)
{
	static const char *const bad[] = {
		"",
		"campus",
		"campus ",
		" campus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"campus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"campus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		"campus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",
		"campus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=",
		"campus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ",
		"cam/pus AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk "
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	};
	struct pass_key	k, back;
	const char	*cause;
	char		line[PASS_KEY_LINE_MAX];
	size_t		i;
	int		rc;

	strcpy(k.id, "campus-2026");
	memcpy(k.pub, pub_a, PASS_KEY_LEN);
	check(pass_key_format(&k, line, sizeof line) == 0 &&
	    strlen(line) == 11 + 1 + 44, "key line: %s", line);
	check(pass_key_parse(line, &back, &cause) == 0 &&
	    strcmp(back.id, k.id) == 0 &&
	    memcmp(back.pub, k.pub, PASS_KEY_LEN) == 0, "key line reads back");
	line[11] = '\t';
	check(pass_key_parse(line, &back, &cause) == 0,
	    "a tab between id and key");
	check(pass_key_format(&k, line, 11 + 1 + 44) == -1,
	    "key line: a buffer one short is refused");
	check(pass_key_parse("a AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    &back, &cause) == 0, "a one-letter id, 32 zero bytes");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		rc = pass_key_parse(bad[i], &back, &cause);
		check(rc == -1 && cause != NULL, "bad key line '%s': %s",
		    bad[i], rc == -1 ? cause : "accepted");
	}
}

int
main(void)
{
	size_t	i;

	for (i = 0; i < PASS_KEY_LEN; i++) {
		seed_a[i] = (uint8_t)(i + 1);
		seed_b[i] = (uint8_t)(0xa0 ^ i);
	}
	public_of(seed_a, pub_a);
	public_of(seed_b, pub_b);
	test_round_trip();
	test_largest();
	test_invalid();
	test_alterations();
	test_bit_flips();
	test_keys();
	test_time();
	test_key_line();
	return check_done();
}
