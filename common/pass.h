/*
 * pass.h: visitor passes a gate verifies offline.  A pass is a short
 * payload (pass id, key id, category, zones, validity window, uses) signed
 * with an issuer's Ed25519 key and written as one line of digits and
 * upper-case letters that a QR scanner acting as a keyboard types the same
 * on any common layout.  The visitor's name is printed on the paper pass
 * but is not in the payload: a gate learns no names, and the pass id links
 * to the issuer's record.  The format is docs/passes.md.
 *
 * Pure functions of their arguments (OpenSSL's libcrypto for Ed25519, no
 * I/O, no clock, no allocation that outlives a call), so the gate's policy,
 * gatectl, the unit test and the fuzz target share them.
 */
#ifndef GATED_PASS_H
#define GATED_PASS_H

#include <stddef.h>
#include <stdint.h>

#define PASS_PREFIX	"GP1"	/* the text form, version 1 */
#define PASS_VERSION	1	/* the payload's first byte */
#define PASS_NAME_LEN	32	/* key ids, zones: 1-31 of [A-Za-z0-9._-] */
#define PASS_ZONES_MAX	8
#define PASS_USES_MAX	65535
#define PASS_KEY_LEN	32	/* an Ed25519 public key or private seed */
#define PASS_SIG_LEN	64
/* The longest text form, with its NUL: 3 + base32 of 381 bytes, 610. */
#define PASS_TEXT_MAX	640
/* The one-line form of a public key: id, a space, 44 base64 chars. */
#define PASS_KEY_LINE_MAX (PASS_NAME_LEN + 46)
/* Times past this (9999-12-31T23:59:59Z) are malformed. */
#define PASS_TIME_MAX	253402300799LL

enum pass_category {
	PASS_VISITOR = 0,
	PASS_CONTRACTOR = 1,
};

/* What a pass says.  Strings are NUL-terminated in their arrays. */
struct pass {
	uint64_t		id;		/* random, names the issue */
	char			key_id[PASS_NAME_LEN];	/* signing key */
	enum pass_category	category;
	int64_t			valid_from;	/* UTC seconds, inclusive */
	int64_t			valid_until;	/* UTC seconds, exclusive */
	unsigned		uses;		/* 0: any, in the window */
	size_t			nzones;		/* 1 to PASS_ZONES_MAX */
	char			zones[PASS_ZONES_MAX][PASS_NAME_LEN];
};

/* A public key a gate trusts, under the id passes name it by. */
struct pass_key {
	char		id[PASS_NAME_LEN];
	uint8_t		pub[PASS_KEY_LEN];
};

/*
 * What checking a pass found.  The first four come from pass_verify, the
 * time ones from pass_check_time, so a policy maps each to a reason
 * (pass-invalid, pass-expired) on its own terms.
 */
enum pass_result {
	PASS_RESULT_OK = 0,
	PASS_RESULT_MALFORMED,		/* not a pass of this format at all */
	PASS_RESULT_UNKNOWN_KEY,	/* well formed, its key id not listed */
	PASS_RESULT_BAD_SIGNATURE,	/* forged, altered, or another key's */
	PASS_RESULT_NOT_YET_VALID,	/* before valid_from */
	PASS_RESULT_EXPIRED,		/* at or after valid_until */
};

/* "ok", "malformed", "unknown-key", "bad-signature", "not-yet-valid",
 * "expired". */
const char	*pass_result_name(enum pass_result);
/* "visitor", "contractor"; from a name, -1 for another. */
const char	*pass_category_name(enum pass_category);
int		 pass_category_from_name(const char *);
/* Whether s is a key id or zone name: 1-31 of [A-Za-z0-9._-]. */
int		 pass_valid_name(const char *);

/*
 * Why a pass cannot be signed (a name, the zones, the window, uses or
 * category out of range), as a static sentence; NULL when it can.
 */
const char	*pass_invalid(const struct pass *);

/*
 * Writes the signed text form of p into out (PASS_TEXT_MAX is always
 * enough), signed with the Ed25519 private key whose 32-byte seed is given.
 * Ed25519 is deterministic: the same pass and key give the same text.
 * Returns 0, or -1 when pass_invalid() objects, out is too small or
 * libcrypto fails.
 */
int		 pass_sign(const struct pass *p,
		     const uint8_t seed[PASS_KEY_LEN], char *out, size_t len);

/*
 * Decodes text and checks its signature against the key of keys[] whose id
 * the pass names (the first one, if listed twice).  Returns PASS_RESULT_OK
 * with *out filled in, or PASS_RESULT_MALFORMED, PASS_RESULT_UNKNOWN_KEY or
 * PASS_RESULT_BAD_SIGNATURE; then *out is zeroed except, for an unknown
 * key, out->key_id, so a message can name the key.  Only the canonical text
 * verifies: any other string, even one that decodes to the same bytes, is
 * malformed.  Never act on a pass that did not verify.
 */
enum pass_result pass_verify(const char *text, const struct pass_key *keys,
		     size_t nkeys, struct pass *out);

/* PASS_RESULT_OK, _NOT_YET_VALID or _EXPIRED at now (UTC seconds). */
enum pass_result pass_check_time(const struct pass *, int64_t now);

/* Whether the pass names the zone. */
int		 pass_has_zone(const struct pass *, const char *zone);

/*
 * The one-line form of a public key, "ID BASE64" (standard base64 of the
 * 32 bytes), as a gate's configuration lists it.  pass_key_format writes
 * it (PASS_KEY_LINE_MAX is enough; 0 or -1 when not); pass_key_parse reads
 * it, with spaces or tabs between the two and none around, and returns 0,
 * or -1 with *cause a static sentence.
 */
int		 pass_key_format(const struct pass_key *, char *, size_t);
int		 pass_key_parse(const char *, struct pass_key *,
		     const char **cause);

#endif
