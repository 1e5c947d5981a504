/*
 * test-command.c: the campus command codec.  A command signs and
 * verifies back to what it said; unsigned, unknown-key, other-key,
 * expired and not-yet commands get their results; malformed JSON of many
 * kinds is refused; and no single-byte change to the canonical form, the
 * signature or the JSON text ever verifies.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "command.h"
#include "xmalloc.h"
#include "unit.h"

static uint8_t		seed_a[ED25519_KEY_LEN], seed_b[ED25519_KEY_LEN];
static struct admin_key	keys[2];

#define NOW	1796112000LL	/* 2026-12-01T08:00Z */

static void
public_of(const uint8_t *seed, uint8_t *pub)
{
	EVP_PKEY	*k;
	size_t		 len = ED25519_KEY_LEN;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    ED25519_KEY_LEN);
	if (k == NULL || EVP_PKEY_get_raw_public_key(k, pub, &len) != 1) {
		fprintf(stderr, "no Ed25519 in libcrypto\n");
		exit(2);
	}
	EVP_PKEY_free(k);
}

static struct command
sample(void)
{
	struct command	c;

	memset(&c, 0, sizeof c);
	strcpy(c.site, "main-campus");
	strcpy(c.target, "campus");
	c.what = COMMAND_LEVEL;
	strcpy(c.value, "1");
	c.seq = 1796112000123ULL;
	c.issued = NOW;
	c.expires = NOW + 600;
	strcpy(c.actor, "ops@campus");
	strcpy(c.reason, "storm warning, \"level 1\" until noon");
	strcpy(c.key, "admin-a");
	return c;
}

static enum command_result
verify(const char *text, struct command *out)
{
	return command_verify(text, strlen(text), keys, 2, NOW, out);
}

static void
test_round_trip(void)
{
	struct command	c = sample(), back;
	char		text[COMMAND_TEXT_MAX];

	check(command_sign(&c, seed_a, text, sizeof text) == 0, "signs: %s",
	    text);
	check(verify(text, &back) == COMMAND_OK &&
	    memcmp(&c, &back, sizeof c) == 0, "verifies to the same command");
	check(strncmp(text, "{\"v\":1,\"site\":\"main-campus\"", 27) == 0 &&
	    strstr(text, "\"value\":1,") != NULL, "JSON in order, a level a "
	    "number");
	strcpy(c.target, "south");
	c.what = COMMAND_MODE;
	strcpy(c.value, "lockdown");
	strcpy(c.key, "admin-b");
	check(command_sign(&c, seed_b, text, sizeof text) == 0 &&
	    verify(text, &back) == COMMAND_OK && back.what == COMMAND_MODE &&
	    strcmp(back.value, "lockdown") == 0, "a gate's mode by key b");
	check(command_sign(&c, seed_b, text, 40) == -1, "too small a buffer");
}

/*
 * The level command's canonical form is the one of before the kinds with
 * a body: its length from the field sizes of docs/mqtt.md, no size after.
 */
static void
test_level_bytes(void)
{
	struct command	c = sample();
	uint8_t		canon[COMMAND_CANON_MAX];
	char		text[COMMAND_TEXT_MAX];
	size_t		want;

	want = 23 + 1 + 2 + strlen(c.site) + 2 + strlen(c.target) + 1 + 2 +
	    1 + 8 + 8 + 8 + 2 + strlen(c.actor) + 2 + strlen(c.reason) + 2 +
	    strlen(c.key);
	check(command_canonical(&c, canon, sizeof canon) == want,
	    "a level's canonical form: %zu bytes, as before", want);
	/* docs/mqtt.md's example (fuzz.sh's seed a): its signature. */
	strcpy(c.site, "main");
	c.seq = 1796112000123ULL;
	c.issued = 1796112000;
	c.expires = 1796198400;
	strcpy(c.actor, "ops");
	strcpy(c.reason, "storm warning");
	check(command_sign(&c, seed_a, text, sizeof text) == 0 &&
	    strstr(text, "\"sig\":\"u+uqblxQBkcRa24c+pvfgiNnAkFNAjPUHDod6IL"
	    "o31MHqZee0mG6cpBOtV/X18SE0WbJ4L95Ig5LyAoD6O84Ag==\"") != NULL,
	    "the documented level command signs as before: %s", text);
}

/* A people push: the CSV signed by its hash and size, altered refused. */
static void
test_people(void)
{
	static const char csv[] = "card_uid,person_id\n1001,\"E1\"\n";
	struct command	c = sample(), back;
	char		*text, *p;

	c.what = COMMAND_PEOPLE;
	check(command_set_csv(&c, csv, sizeof csv - 1) == 0 &&
	    strlen(c.value) == 64 && c.size == sizeof csv - 1,
	    "a CSV as the body: hash %.12s, %llu bytes", c.value,
	    (unsigned long long)c.size);
	text = command_sign_alloc(&c, seed_a);
	check(text != NULL && verify(text, &back) == COMMAND_OK &&
	    back.body_len == c.body_len && memcmp(back.body, csv,
	    c.body_len) == 0 && back.size == c.size, "signs and verifies "
	    "back with its CSV");
	command_clear(&back);
	p = strstr(text, "E1");
	p[1] = '2';
	check(verify(text, &back) == COMMAND_BAD_HASH, "an altered CSV: "
	    "bad-hash");
	command_clear(&back);
	free(text);
	strcpy(c.target, "south");
	check(command_invalid(&c) != NULL, "a people list is for the campus");
	command_clear(&c);
}

/* A quarantine set: sorted and unique, one spelling, one hash. */
static void
test_quarantine(void)
{
	const char	*a[] = { "S2", "S1", "S2" }, *b[] = { "S1", "S2" };
	const char	*bad[] = { "S 1" }, *why = NULL;
	struct command	c = sample(), d = sample(), back;
	char		*text;

	c.what = d.what = COMMAND_QUARANTINE;
	check(command_set_persons(&c, a, 3, &why) == 0 &&
	    command_set_persons(&d, b, 2, &why) == 0 &&
	    strcmp(c.value, d.value) == 0 && c.body_len == 6,
	    "the same set in another order, twice named: the same hash");
	check(command_set_persons(&d, bad, 1, &why) == -1 && why != NULL,
	    "a person id with a space: refused");
	text = command_sign_alloc(&c, seed_a);
	check(text != NULL && strstr(text, "\"persons\":[\"S1\",\"S2\"]") !=
	    NULL && verify(text, &back) == COMMAND_OK, "persons sorted in "
	    "the JSON: %s", text ? text : "");
	command_clear(&back);
	free(text);
	text = xstrdup("{\"v\":1,\"site\":\"s\",\"target\":\"campus\","
	    "\"what\":\"quarantine\",\"value\":\"0000000000000000000000000"
	    "000000000000000000000000000000000000000\",\"size\":6,"
	    "\"persons\":[\"S2\",\"S1\"],\"seq\":1,\"issued\":1,"
	    "\"expires\":2,\"actor\":\"a\",\"reason\":\"r\",\"key\":\"k\"}");
	check(verify(text, &back) == COMMAND_MALFORMED, "persons out of "
	    "order: malformed");
	free(text);
	command_clear(&c);
	command_clear(&d);
}

/* An acknowledgement: one gate, an alert id. */
static void
test_ack(void)
{
	struct command	c = sample(), back;
	char		text[COMMAND_TEXT_MAX];

	c.what = COMMAND_ACK;
	strcpy(c.target, "south");
	strcpy(c.value, "8");
	check(command_sign(&c, seed_a, text, sizeof text) == 0 &&
	    verify(text, &back) == COMMAND_OK && strcmp(back.value, "8") == 0,
	    "an ack of alert 8 at south");
	strcpy(c.target, "campus");
	check(command_invalid(&c) != NULL, "an ack is for one gate");
	strcpy(c.target, "south");
	strcpy(c.value, "08");
	check(command_invalid(&c) != NULL, "an alert id has no leading 0");
}

static void
test_results(void)
{
	struct command	c = sample(), back;
	char		text[COMMAND_TEXT_MAX], *p;

	command_sign(&c, seed_a, text, sizeof text);
	check(command_verify(text, strlen(text), keys, 2, NOW + 600, &back) ==
	    COMMAND_EXPIRED, "expired at its expiry");
	check(command_verify(text, strlen(text), keys, 2, NOW + 599, &back) ==
	    COMMAND_OK, "valid a second before");
	check(command_verify(text, strlen(text), keys, 2, NOW - COMMAND_SKEW,
	    &back) == COMMAND_OK, "issued within the skew ahead: ok");
	check(command_verify(text, strlen(text), keys, 2,
	    NOW - COMMAND_SKEW - 1, &back) == COMMAND_NOT_YET,
	    "issued beyond the skew ahead: not-yet");
	check(command_verify(text, strlen(text), keys + 1, 1, NOW, &back) ==
	    COMMAND_UNKNOWN_KEY && strcmp(back.key, "admin-a") == 0,
	    "unknown key, named");
	check(command_verify(text, strlen(text), NULL, 0, NOW, &back) ==
	    COMMAND_UNKNOWN_KEY, "no keys at all");
	/* Signed by b under a's name. */
	command_sign(&c, seed_b, text, sizeof text);
	check(verify(text, &back) == COMMAND_BAD_SIGNATURE,
	    "another key's signature");
	/* Without its sig member. */
	command_sign(&c, seed_a, text, sizeof text);
	p = strstr(text, ",\"sig\"");
	strcpy(p, "}");
	check(verify(text, &back) == COMMAND_UNSIGNED &&
	    back.seq == c.seq, "unsigned, fields still read");
}

static void
test_malformed(void)
{
	static const char *const bad[] = {
		"", "{", "[]", "null", "1", "{}",
		"{\"v\":1}",
		"{\"v\":2,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":10,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":\"1\",\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":"
		"\"a\",\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"mode\","
		"\"value\":\"open\",\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":"
		"\"a\",\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":0,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":2,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\\n\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\",\"open\":true}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"level\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\",\"sig\":\"AAAA\"}",
		"{\"v\":1,\"site\":\"s\",\"target\":\"campus\",\"what\":\"open\","
		"\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,\"actor\":\"a\","
		"\"reason\":\"r\",\"key\":\"k\"}",
		"{\"v\":1,\"site\":\"s\\u0000x\",\"target\":\"campus\",\"what\":"
		"\"level\",\"value\":1,\"seq\":1,\"issued\":1,\"expires\":2,"
		"\"actor\":\"a\",\"reason\":\"r\",\"key\":\"k\"}",
	};
	struct command	back;
	char		big[COMMAND_TEXT_MAX + 10];
	size_t		i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check(verify(bad[i], &back) == COMMAND_MALFORMED &&
		    back.seq == 0, "malformed %zu: %.60s", i, bad[i]);
	memset(big, ' ', sizeof big - 1);
	big[0] = '{';
	big[sizeof big - 2] = '}';
	big[sizeof big - 1] = '\0';
	check(verify(big, &back) == COMMAND_MALFORMED, "too long");
}

/* Every byte of the canonical form, changed three ways, fails. */
static void
test_canonical(void)
{
	struct command	c = sample();
	uint8_t		canon[COMMAND_CANON_MAX], sig[ED25519_SIG_LEN];
	static const uint8_t flips[] = { 0x01, 0x80, 0xff };
	size_t		n, i, j, passed = 0, tried = 0;

	n = command_canonical(&c, canon, sizeof canon);
	check(n > 0 && ed25519_sign(seed_a, canon, n, sig) == 0 &&
	    ed25519_verify(keys[0].pub, canon, n, sig) == 1,
	    "the canonical form, %zu bytes, signs", n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof flips; j++) {
			canon[i] ^= flips[j];
			passed += ed25519_verify(keys[0].pub, canon, n, sig);
			canon[i] ^= flips[j];
			tried++;
		}
	}
	check(passed == 0, "%zu changed canonical forms: %zu verified",
	    tried, passed);
	check(command_canonical(&c, canon, 10) == 0, "a short buffer");
	c.seq = 0;
	check(command_canonical(&c, canon, sizeof canon) == 0,
	    "an invalid command has none");
}

/* Every bit of the signature, re-encoded in the JSON, fails. */
static void
test_signature_bits(void)
{
	struct command	c = sample(), back;
	char		text[COMMAND_TEXT_MAX], *b64;
	uint8_t		sig[ED25519_SIG_LEN];
	size_t		i, bit, wrong = 0;

	command_sign(&c, seed_a, text, sizeof text);
	b64 = strstr(text, "\"sig\":\"") + 7;
	b64[B64_LEN(ED25519_SIG_LEN)] = '\0';
	b64_decode_exact(b64, sig, sizeof sig);
	b64[B64_LEN(ED25519_SIG_LEN)] = '"';
	for (i = 0; i < sizeof sig; i++) {
		for (bit = 0; bit < 8; bit++) {
			sig[i] ^= (uint8_t)(1u << bit);
			b64_encode(sig, sizeof sig, b64);
			b64[B64_LEN(ED25519_SIG_LEN)] = '"';
			if (verify(text, &back) != COMMAND_BAD_SIGNATURE)
				wrong++;
			sig[i] ^= (uint8_t)(1u << bit);
		}
	}
	check(wrong == 0, "512 flipped signature bits: %zu not bad-signature",
	    wrong);
}

/* Every character of the JSON text, replaced, never verifies. */
static void
test_text_bytes(void)
{
	struct command	c = sample(), back;
	char		text[COMMAND_TEXT_MAX], orig;
	static const char repl[] = { '0', '9', 'A', 'z', '"', ' ', '\\', '}',
	    '\x01', '\xff' };
	size_t		n, i, j, ok = 0, tried = 0;

	command_sign(&c, seed_a, text, sizeof text);
	n = strlen(text);
	for (i = 0; i < n; i++) {
		orig = text[i];
		for (j = 0; j < sizeof repl; j++) {
			if (repl[j] == orig)
				continue;
			text[i] = repl[j];
			ok += verify(text, &back) == COMMAND_OK;
			tried++;
		}
		text[i] = orig;
		ok += command_verify(text, i, keys, 2, NOW, &back) ==
		    COMMAND_OK;
	}
	check(ok == 0, "%zu altered and %zu truncated texts: %zu verified",
	    tried, n, ok);
	check(verify(text, &back) == COMMAND_OK, "the original still does");
}

/* What a gate journals as the actor of a signed command. */
static void
test_journal_actor(void)
{
	struct command	c;
	char		buf[COMMAND_JOURNAL_ACTOR_LEN];

	memset(&c, 0, sizeof c);
	snprintf(c.key, sizeof c.key, "hub");
	snprintf(c.actor, sizeof c.actor, "token:chief");
	command_journal_actor(&c, buf, sizeof buf);
	check(strcmp(buf, "key:hub/token:chief") == 0, "key and operator: %s",
	    buf);
	memset(c.key, 'k', sizeof c.key - 1);
	memset(c.actor, 'a', sizeof c.actor - 1);
	command_journal_actor(&c, buf, sizeof buf);
	check(strlen(buf) == 4 + 31 + 1 + 63, "the longest key and operator "
	    "fit whole (%zu bytes)", strlen(buf));
	c.actor[0] = '\0';
	snprintf(c.key, sizeof c.key, "office");
	command_journal_actor(&c, buf, sizeof buf);
	check(strcmp(buf, "key:office") == 0, "no operator: the key alone");
}

static void
test_key_parse(void)
{
	uint8_t		pub[ED25519_KEY_LEN];
	char		b64[B64_LEN(ED25519_KEY_LEN) + 1];
	const char	*cause = NULL;

	b64_encode(keys[0].pub, ED25519_KEY_LEN, b64);
	check(admin_key_parse(b64, pub, &cause) == 0 &&
	    memcmp(pub, keys[0].pub, sizeof pub) == 0, "a key reads back");
	b64[42] = b64[42] == 'A' ? 'B' : 'A';
	check(admin_key_parse(b64, pub, &cause) == 0 ||
	    cause != NULL, "a changed digit reads as another key or none");
	check(admin_key_parse("AAAA", pub, &cause) == -1 && cause != NULL,
	    "too short");
	check(admin_key_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=",
	    pub, &cause) == -1, "non-canonical last digit");
	check(admin_key_parse("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= ",
	    pub, &cause) == -1, "a trailing space");
}

int
main(void)
{
	size_t	i;

	for (i = 0; i < ED25519_KEY_LEN; i++) {
		seed_a[i] = (uint8_t)(i + 1);
		seed_b[i] = (uint8_t)(0xa0 ^ i);
	}
	strcpy(keys[0].name, "admin-a");
	public_of(seed_a, keys[0].pub);
	strcpy(keys[1].name, "admin-b");
	public_of(seed_b, keys[1].pub);
	test_round_trip();
	test_level_bytes();
	test_people();
	test_quarantine();
	test_ack();
	test_results();
	test_malformed();
	test_canonical();
	test_signature_bits();
	test_text_bytes();
	test_key_parse();
	test_journal_actor();
	return check_done();
}
