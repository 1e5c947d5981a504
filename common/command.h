/*
 * command.h: the campus command, desired state for a gate or the whole
 * campus (a level, a gate's mode), signed with an admin's Ed25519 key.
 * It travels as one JSON object (retained on the broker, or posted to a
 * gate's API); the signature covers a canonical byte form defined here
 * and in docs/mqtt.md, never the JSON text, so no JSON spelling can change
 * what was signed.
 *
 * Pure functions of their arguments (jansson, libcrypto), so the gate,
 * gatectl, the unit test and the fuzz target share them.  The clock is an
 * argument: command_verify takes the time to judge a command by.
 */
#ifndef GATED_COMMAND_H
#define GATED_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "ed25519.h"

#define COMMAND_VERSION		1
#define COMMAND_NAME_LEN	32	/* site, target, key, mode: 1-31 */
#define COMMAND_ACTOR_LEN	64	/* 1-63 bytes, no control characters */
#define COMMAND_REASON_LEN	256	/* 1-255 bytes, no control characters */
#define COMMAND_TEXT_MAX	2048	/* the longest JSON taken, with its NUL */
#define COMMAND_SKEW		120	/* s an issue time may be ahead of ours */
#define COMMAND_TIME_MAX	253402300799LL	/* 9999-12-31T23:59:59Z */
#define COMMAND_LEVEL_MAX	9
#define COMMAND_VALUE_LEN	72	/* a level, a mode, an alert id, a SHA-256 */
/* The body of a people push (the CSV) or a quarantine set (its ids, one a
 * line), and the longest JSON that can carry one: every byte of a CSV may
 * take two in JSON ("\"", "\n").  16 MiB: 100,000 people of
 * scripts/gen-people are 9.8 MB. */
#define COMMAND_BODY_MAX	((size_t)16 << 20)
#define COMMAND_PUSH_TEXT_MAX	(2 * COMMAND_BODY_MAX + 65536)
#define COMMAND_PERSON_LEN	32	/* a person id: 1-31 printable bytes */

/* What a command sets. */
enum command_what {
	COMMAND_LEVEL = 0,	/* value: a level number, "0" to "9" */
	COMMAND_MODE = 1,	/* value: a mode's name */
	COMMAND_PEOPLE = 2,	/* value: the SHA-256 of the CSV, in hex */
	COMMAND_QUARANTINE = 3,	/* value: the SHA-256 of the ids, in hex */
	COMMAND_ACK = 4,	/* value: an alert id, in decimal */
};

/* A command; strings NUL-terminated in their arrays. */
struct command {
	char			site[COMMAND_NAME_LEN];
	char			target[COMMAND_NAME_LEN]; /* "campus" or a gate */
	enum command_what	what;
	char			value[COMMAND_VALUE_LEN];
	uint64_t		seq;		/* 1 to 2^63-1, rising */
	int64_t			issued;		/* UTC seconds */
	int64_t			expires;	/* UTC seconds, exclusive */
	char			actor[COMMAND_ACTOR_LEN];
	char			reason[COMMAND_REASON_LEN];
	char			key[COMMAND_NAME_LEN];	/* the admin key's name */
	/* People and quarantine only: the body the value is the hash of
	 * (the CSV; the person ids, sorted, each ending in a newline), its
	 * size, signed, and the body itself, owned (command_clear). */
	uint64_t		size;
	char			*body;
	size_t			body_len;
};

/* An admin's public key, as a gate's [admin-key NAME] section lists it. */
struct admin_key {
	char		name[COMMAND_NAME_LEN];
	uint8_t		pub[ED25519_KEY_LEN];
};

enum command_result {
	COMMAND_OK = 0,
	COMMAND_MALFORMED,	/* not a command of this format */
	COMMAND_UNSIGNED,	/* well formed, no "sig" member */
	COMMAND_UNKNOWN_KEY,	/* its key is not one of the list */
	COMMAND_BAD_SIGNATURE,	/* forged, altered, or another key's */
	COMMAND_EXPIRED,	/* now at or after expires */
	COMMAND_NOT_YET,	/* issued more than COMMAND_SKEW ahead */
	COMMAND_BAD_HASH,	/* signed, but the body is not the one signed */
};

/* "ok", "malformed", "unsigned", "unknown-key", "bad-signature",
 * "expired", "not-yet", "bad-hash". */
const char	*command_result_name(enum command_result);
/* "level", "mode", "people", "quarantine", "ack"; from a name, -1 for
 * another. */
const char	*command_what_name(enum command_what);
int		 command_what_from_name(const char *);

/* Why a command cannot be signed, a static sentence; NULL when it can. */
const char	*command_invalid(const struct command *);

/*
 * The canonical form that is signed (docs/mqtt.md): at most
 * COMMAND_CANON_MAX bytes into buf; its length, or 0 when
 * command_invalid() objects.
 */
#define COMMAND_CANON_MAX	(32 + 2 + 4 * 2 + 3 * COMMAND_NAME_LEN + 24 + \
			    2 * 2 + COMMAND_VALUE_LEN + COMMAND_ACTOR_LEN + \
			    COMMAND_REASON_LEN + 8)
size_t		 command_canonical(const struct command *, uint8_t *buf,
		    size_t len);

/*
 * Writes the signed JSON of c into out (COMMAND_TEXT_MAX is enough),
 * signed with the Ed25519 private key of the 32-byte seed; one line, no
 * newline.  Returns 0, or -1 when command_invalid() objects, out is too
 * small or libcrypto fails.
 */
int		 command_sign(const struct command *c,
		    const uint8_t seed[ED25519_KEY_LEN], char *out, size_t len);

/*
 * Decodes len bytes of JSON and checks them: the form, then the signature
 * against the key of keys[] the command names, then the time at now (UTC
 * seconds).  *out is filled in for every result but COMMAND_MALFORMED
 * (zeroed then), so a refusal can name the key, target and seq; act only
 * on COMMAND_OK.
 */
enum command_result command_verify(const char *text, size_t len,
		    const struct admin_key *keys, size_t nkeys, int64_t now,
		    struct command *out);

/*
 * command_sign() into a buffer of its own, for a command of any size (a
 * people push): the text, or NULL.  The caller frees it.
 */
char		*command_sign_alloc(const struct command *c,
		    const uint8_t seed[ED25519_KEY_LEN]);

/*
 * Who a signed command's change is journaled as at a gate: "key:KEY/ACTOR",
 * the admin key that signed it and the operator the signer named (the
 * hub names its token's, gatectl the user's), or "key:KEY" without one.
 */
#define COMMAND_JOURNAL_ACTOR_LEN	(COMMAND_NAME_LEN + COMMAND_ACTOR_LEN + 8)
void		 command_journal_actor(const struct command *, char *, size_t);

/* command-body.c: the bodies of people and quarantine commands. */

/* Whether the kind carries a body (people, quarantine). */
int		 command_has_body(enum command_what);
/* Frees what a command owns (its body); the struct stays. */
void		 command_clear(struct command *);
/*
 * Gives a people command its CSV: a copy as the body, its SHA-256 as the
 * value, its length as the size.  0, or -1 when longer than
 * COMMAND_BODY_MAX.
 */
int		 command_set_csv(struct command *, const char *csv, size_t len);
/*
 * Gives a quarantine command its set of person ids (any order, repeats
 * dropped): the body, its hash and size as above.  0, or -1 with *cause
 * when an id is not a person id or the body would be too long.
 */
int		 command_set_persons(struct command *, const char *const *ids,
		    size_t n, const char **cause);
/* Whether s is a person id of people.csv: 1-31 printable bytes, no space. */
int		 command_person_valid(const char *s, size_t len);
/* The SHA-256 of len bytes in hex (65 bytes with the NUL): 0, or -1. */
int		 command_sha256_hex(const void *, size_t len, char out[65]);

/* The admin key's one-line base64 (44 characters): 0, or -1 with *cause. */
int		 admin_key_parse(const char *b64, uint8_t pub[ED25519_KEY_LEN],
		    const char **cause);

#endif
