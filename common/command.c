/*
 * command.c: the campus command codec of command.h: checking a command's
 * fields, its canonical byte form, the signed JSON, and verifying a JSON
 * text against a list of admin keys.  The format is docs/mqtt.md
 * ("Signed commands"); a change to it is a new "v" and a new context.
 *
 * The JSON is read strictly (no unknown or duplicate members, each of its
 * type), but the signature never depends on how the JSON is spelled: it
 * covers the canonical form, built again from the decoded fields.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "command-int.h"
#include "pass.h"
#include "xmalloc.h"

/* Signed ahead of the fields: a key that signs passes too can never have
 * a pass read as a command, nor a command as a pass. */
static const char command_context[] = "gated campus command 1";
#define CONTEXT_LEN	(sizeof command_context)	/* with its NUL */

static const char *const result_names[] = {
	[COMMAND_OK] = "ok",
	[COMMAND_MALFORMED] = "malformed",
	[COMMAND_UNSIGNED] = "unsigned",
	[COMMAND_UNKNOWN_KEY] = "unknown-key",
	[COMMAND_BAD_SIGNATURE] = "bad-signature",
	[COMMAND_EXPIRED] = "expired",
	[COMMAND_NOT_YET] = "not-yet",
	[COMMAND_BAD_HASH] = "bad-hash",
};

static const char *const what_names[] = {
	[COMMAND_LEVEL] = "level",
	[COMMAND_MODE] = "mode",
	[COMMAND_PEOPLE] = "people",
	[COMMAND_QUARANTINE] = "quarantine",
	[COMMAND_ACK] = "ack",
};
#define WHAT_COUNT	(int)(sizeof what_names / sizeof what_names[0])

/* The members of the JSON, every one required but "sig" and the body's
 * (command-body.c: only a people or quarantine command has them). */
static const char *const members[] = {
	"v", "site", "target", "what", "value", "seq", "issued", "expires",
	"actor", "reason", "key", "sig", "size", "csv", "persons", NULL
};

const char *
command_result_name(enum command_result r)
{
	if ((unsigned)r >= sizeof result_names / sizeof result_names[0])
		return "unknown";
	return result_names[r];
}

const char *
command_what_name(enum command_what w)
{
	if ((int)w < 0 || (int)w >= WHAT_COUNT)
		return "level";
	return what_names[w];
}

int
command_what_from_name(const char *s)
{
	int	i;

	for (i = 0; i < WHAT_COUNT; i++)
		if (strcmp(s, what_names[i]) == 0)
			return i;
	return -1;
}

/* 1 to max-1 bytes, none below 0x20 nor DEL: one line of text. */
static int
valid_text(const char *s, size_t max)
{
	size_t	n = strnlen(s, max), i;

	if (n == 0 || n == max)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* Whether s is 64 lower-case hex digits: a SHA-256 as the body's value. */
static int
valid_sha256(const char *s)
{
	size_t	i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* Whether s is an alert id: 1 to 2^63-1 in decimal, no leading zero. */
static int
valid_alert(const char *s)
{
	size_t	n = strnlen(s, 20), i;

	if (n == 0 || n > 19 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

/* The value of one of the kinds after level and mode: NULL when valid. */
static const char *
invalid_value(const struct command *c)
{
	int	campus = strcmp(c->target, "campus") == 0;

	switch (c->what) {
	case COMMAND_PEOPLE:
	case COMMAND_QUARANTINE:
		if (!campus)
			return "a people list or a quarantine set is for the "
			    "campus";
		if (!valid_sha256(c->value))
			return "the value is the body's SHA-256, in hex";
		if (c->size > COMMAND_BODY_MAX)
			return "the body is larger than 16 MiB";
		return NULL;
	case COMMAND_ACK:
		if (campus)
			return "an acknowledgement is for one gate";
		if (!valid_alert(c->value))
			return "an alert id is a number from 1";
		return NULL;
	default:
		return "what is not level, mode, people, quarantine nor ack";
	}
}

const char *
command_invalid(const struct command *c)
{
	const char	*why;

	if (!pass_valid_name(c->site))
		return "the site is not a name (1-31 letters, digits, '.', "
		    "'_' or '-')";
	if (!pass_valid_name(c->target))
		return "the target is not \"campus\" nor a gate id";
	if (!pass_valid_name(c->key))
		return "the key name is not a name";
	if (c->what == COMMAND_LEVEL) {
		if (strlen(c->value) != 1 || c->value[0] < '0' ||
		    c->value[0] > '0' + COMMAND_LEVEL_MAX)
			return "a level is a number from 0 to 9";
	} else if (c->what == COMMAND_MODE) {
		if (!pass_valid_name(c->value))
			return "a mode is a name";
		if (strcmp(c->target, "campus") == 0)
			return "a mode is set per gate, not for the campus";
	} else if ((why = invalid_value(c)) != NULL)
		return why;
	if (c->seq == 0 || c->seq > INT64_MAX)
		return "seq is 1 to 2^63-1";
	if (c->issued < 0 || c->expires > COMMAND_TIME_MAX ||
	    c->issued >= c->expires)
		return "the command expires before it is issued";
	if (!valid_text(c->actor, COMMAND_ACTOR_LEN))
		return "the actor is 1-63 bytes of one line";
	if (!valid_text(c->reason, COMMAND_REASON_LEN))
		return "the reason is 1-255 bytes of one line";
	return NULL;
}

/* A 2-byte big-endian length, then the bytes (no NUL). */
static uint8_t *
put_str(uint8_t *b, const char *s)
{
	size_t	n = strlen(s);

	b = put_be(b, n, 2);
	memcpy(b, s, n);
	return b + n;
}

size_t
command_canonical(const struct command *c, uint8_t *buf, size_t len)
{
	uint8_t	*b = buf;

	if (len < COMMAND_CANON_MAX || command_invalid(c) != NULL)
		return 0;
	memcpy(b, command_context, CONTEXT_LEN);
	b += CONTEXT_LEN;
	b = put_be(b, COMMAND_VERSION, 1);
	b = put_str(b, c->site);
	b = put_str(b, c->target);
	b = put_be(b, (uint64_t)c->what, 1);
	b = put_str(b, c->value);
	b = put_be(b, c->seq, 8);
	b = put_be(b, (uint64_t)c->issued, 8);
	b = put_be(b, (uint64_t)c->expires, 8);
	b = put_str(b, c->actor);
	b = put_str(b, c->reason);
	b = put_str(b, c->key);
	/* The kinds with a body sign its size after the fields all share;
	 * a level or mode command's bytes are those of before. */
	if (command_has_body(c->what))
		b = put_be(b, c->size, 8);
	return (size_t)(b - buf);
}

/* The command's JSON, members in the documented order, without "sig". */
static json_t *
command_json(const struct command *c)
{
	json_t	*o;

	o = json_pack("{s:i, s:s, s:s, s:s}", "v", COMMAND_VERSION,
	    "site", c->site, "target", c->target,
	    "what", command_what_name(c->what));
	if (o == NULL)
		return NULL;
	if (c->what == COMMAND_LEVEL)
		json_object_set_new(o, "value",
		    json_integer(c->value[0] - '0'));
	else
		json_object_set_new(o, "value", json_string(c->value));
	json_object_set_new(o, "seq", json_integer((json_int_t)c->seq));
	json_object_set_new(o, "issued", json_integer(c->issued));
	json_object_set_new(o, "expires", json_integer(c->expires));
	json_object_set_new(o, "actor", json_string(c->actor));
	json_object_set_new(o, "reason", json_string(c->reason));
	json_object_set_new(o, "key", json_string(c->key));
	if (command_has_body(c->what) && command_body_to_json(c, o) == -1) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
command_sign(const struct command *c, const uint8_t seed[ED25519_KEY_LEN],
    char *out, size_t len)
{
	uint8_t	 canon[COMMAND_CANON_MAX], sig[ED25519_SIG_LEN];
	char	 b64[B64_LEN(ED25519_SIG_LEN) + 1];
	json_t	*o;
	size_t	 n;
	int	 rc = -1;

	if ((n = command_canonical(c, canon, sizeof canon)) == 0 ||
	    ed25519_sign(seed, canon, n, sig) == -1 ||
	    (o = command_json(c)) == NULL)
		return -1;
	b64_encode(sig, sizeof sig, b64);
	json_object_set_new(o, "sig", json_string(b64));
	n = json_dumpb(o, out, len, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (n > 0 && n < len) {
		out[n] = '\0';
		rc = 0;
	}
	json_decref(o);
	return rc;
}

char *
command_sign_alloc(const struct command *c,
    const uint8_t seed[ED25519_KEY_LEN])
{
	size_t	 len = command_has_body(c->what) ? COMMAND_PUSH_TEXT_MAX :
		    COMMAND_TEXT_MAX;
	char	*out = xmalloc(len);

	if (command_sign(c, seed, out, len) == -1) {
		free(out);
		return NULL;
	}
	return out;
}

/* A string member into out[size]: 0, or -1 when absent, not a string,
 * holding a NUL, or too long. */
static int
get_str(json_t *o, const char *name, char *out, size_t size)
{
	json_t	*v = json_object_get(o, name);
	size_t	 n;

	if (!json_is_string(v) || (n = json_string_length(v)) >= size ||
	    strlen(json_string_value(v)) != n)
		return -1;
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

/* An integer member from 0 to max: 0, or -1. */
static int
get_int(json_t *o, const char *name, json_int_t max, json_int_t *out)
{
	json_t	*v = json_object_get(o, name);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* Only the members of the format, none twice (the loader's flag). */
static int
known_members(json_t *o)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	json_object_foreach(o, k, v) {
		for (i = 0; members[i] != NULL; i++)
			if (strcmp(k, members[i]) == 0)
				break;
		if (members[i] == NULL)
			return -1;
	}
	return 0;
}

/* The fields of a command object; 0, or -1 if malformed. */
static int
command_parse(json_t *o, struct command *c)
{
	json_int_t	v, seq, issued, expires;
	char		what[16];
	json_t		*val;
	int		w;

	if (!json_is_object(o) || known_members(o) == -1 ||
	    get_int(o, "v", 255, &v) == -1 || v != COMMAND_VERSION ||
	    get_str(o, "site", c->site, sizeof c->site) == -1 ||
	    get_str(o, "target", c->target, sizeof c->target) == -1 ||
	    get_str(o, "what", what, sizeof what) == -1 ||
	    (w = command_what_from_name(what)) == -1 ||
	    get_int(o, "seq", INT64_MAX, &seq) == -1 ||
	    get_int(o, "issued", COMMAND_TIME_MAX, &issued) == -1 ||
	    get_int(o, "expires", COMMAND_TIME_MAX, &expires) == -1 ||
	    get_str(o, "actor", c->actor, sizeof c->actor) == -1 ||
	    get_str(o, "reason", c->reason, sizeof c->reason) == -1 ||
	    get_str(o, "key", c->key, sizeof c->key) == -1)
		return -1;
	c->what = (enum command_what)w;
	if (command_body_from_json(o, c) == -1)
		return -1;
	c->seq = (uint64_t)seq;
	c->issued = issued;
	c->expires = expires;
	/* A level is a JSON number, a mode a string: one spelling each. */
	val = json_object_get(o, "value");
	if (c->what == COMMAND_LEVEL) {
		if (get_int(o, "value", COMMAND_LEVEL_MAX, &v) == -1)
			return -1;
		c->value[0] = (char)('0' + v);
		c->value[1] = '\0';
	} else if (!json_is_string(val) ||
	    get_str(o, "value", c->value, sizeof c->value) == -1)
		return -1;
	return command_invalid(c) == NULL ? 0 : -1;
}

enum command_result
command_verify(const char *text, size_t len, const struct admin_key *keys,
    size_t nkeys, int64_t now, struct command *out)
{
	uint8_t			 canon[COMMAND_CANON_MAX], sig[ED25519_SIG_LEN];
	const struct admin_key	*key = NULL;
	json_t			*o, *s;
	size_t			 n, i;
	int			 signed_ok;

	memset(out, 0, sizeof *out);
	if (len >= COMMAND_PUSH_TEXT_MAX || (o = json_loadb(text, len,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return COMMAND_MALFORMED;
	/* Only a command with a body may be longer than a line or two. */
	if (command_parse(o, out) == -1 || (len >= COMMAND_TEXT_MAX &&
	    !command_has_body(out->what)) ||
	    ((s = json_object_get(o, "sig")) != NULL && (!json_is_string(s) ||
	    b64_decode_exact(json_string_value(s), sig, sizeof sig) == -1))) {
		json_decref(o);
		command_clear(out);
		memset(out, 0, sizeof *out);
		return COMMAND_MALFORMED;
	}
	json_decref(o);
	if (s == NULL)
		return COMMAND_UNSIGNED;
	for (i = 0; i < nkeys && key == NULL; i++) {
		if (strcmp(keys[i].name, out->key) == 0)
			key = &keys[i];
	}
	if (key == NULL)
		return COMMAND_UNKNOWN_KEY;
	n = command_canonical(out, canon, sizeof canon);
	signed_ok = n > 0 && ed25519_verify(key->pub, canon, n, sig);
	if (!signed_ok)
		return COMMAND_BAD_SIGNATURE;
	if (command_has_body(out->what) && !command_body_matches(out))
		return COMMAND_BAD_HASH;
	if (now >= out->expires)
		return COMMAND_EXPIRED;
	if (out->issued > now + COMMAND_SKEW)
		return COMMAND_NOT_YET;
	return COMMAND_OK;
}

int
admin_key_parse(const char *b64, uint8_t pub[ED25519_KEY_LEN],
    const char **cause)
{
	if (b64_decode_exact(b64, pub, ED25519_KEY_LEN) == -1) {
		*cause = "expected 44 characters of base64 (an Ed25519 public "
		    "key, 32 bytes), as `gatectl pass keygen` prints it";
		return -1;
	}
	return 0;
}

void
command_journal_actor(const struct command *c, char *buf, size_t len)
{
	if (c->actor[0] != '\0')
		snprintf(buf, len, "key:%s/%s", c->key, c->actor);
	else
		snprintf(buf, len, "key:%s", c->key);
}
