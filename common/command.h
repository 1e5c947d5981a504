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

/* What a command sets. */
enum command_what {
	COMMAND_LEVEL = 0,	/* value: a level number, "0" to "9" */
	COMMAND_MODE = 1,	/* value: a mode's name */
};

/* A command; strings NUL-terminated in their arrays. */
struct command {
	char			site[COMMAND_NAME_LEN];
	char			target[COMMAND_NAME_LEN]; /* "campus" or a gate */
	enum command_what	what;
	char			value[COMMAND_NAME_LEN];
	uint64_t		seq;		/* 1 to 2^63-1, rising */
	int64_t			issued;		/* UTC seconds */
	int64_t			expires;	/* UTC seconds, exclusive */
	char			actor[COMMAND_ACTOR_LEN];
	char			reason[COMMAND_REASON_LEN];
	char			key[COMMAND_NAME_LEN];	/* the admin key's name */
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
};

/* "ok", "malformed", "unsigned", "unknown-key", "bad-signature",
 * "expired", "not-yet". */
const char	*command_result_name(enum command_result);
/* "level", "mode"; from a name, -1 for another. */
const char	*command_what_name(enum command_what);
int		 command_what_from_name(const char *);

/* Why a command cannot be signed, a static sentence; NULL when it can. */
const char	*command_invalid(const struct command *);

/*
 * The canonical form that is signed (docs/mqtt.md): at most
 * COMMAND_CANON_MAX bytes into buf; its length, or 0 when
 * command_invalid() objects.
 */
#define COMMAND_CANON_MAX	(32 + 2 + 4 * 2 + 4 * COMMAND_NAME_LEN + 24 + \
			    2 * 2 + COMMAND_ACTOR_LEN + COMMAND_REASON_LEN)
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

/* The admin key's one-line base64 (44 characters): 0, or -1 with *cause. */
int		 admin_key_parse(const char *b64, uint8_t pub[ED25519_KEY_LEN],
		    const char **cause);

#endif
