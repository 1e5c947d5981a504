/*
 * gate-campus.c: campus commands, desired state signed with an admin's
 * key (common/command.c, docs/mqtt.md).  A command that verifies, is for
 * this gate (the campus, or its id) and carries a seq above the last one
 * applied for its (target, what) is applied through gate_set_level or
 * gate_set_mode, as actor key:NAME/WHO (command_journal_actor) with the
 * command's reason; anything else changes nothing and is journaled as a
 * refused command.
 *
 * Only desired state arrives this way, never a one-shot action: a
 * retained command delivered again (each reconnect, each reboot) has the
 * seq already applied, so it is a replay and is ignored; it cannot open a
 * door.  The seq floors live in the journal's state table and so survive
 * a restart.  A floor is written after the change it guards: a crash
 * between the two re-applies the same desired state once, which is
 * harmless, where the other order could lose a change.
 *
 * The kinds the campus pushes (gate-push.c) take the same checks: the
 * people list, the quarantine set and an alert's acknowledgement.  For
 * them the seq of the last one applied is no refusal but the same
 * command again (the retained one at each reconnect, or a QoS 1 message
 * delivered twice), ignored without a row.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gate-internal.h"

/* The journal's reason for a codec result that is not ok. */
static const char *
refusal_of(enum command_result r)
{
	switch (r) {
	case COMMAND_UNSIGNED:
		return "unsigned";
	case COMMAND_UNKNOWN_KEY:
		return "unknown-key";
	case COMMAND_BAD_SIGNATURE:
		return "forged";
	case COMMAND_EXPIRED:
		return "expired";
	case COMMAND_NOT_YET:
		return "not-yet";
	case COMMAND_BAD_HASH:
		return "bad-hash";
	default:
		return "malformed";
	}
}

/* The state key of the seq floor of (target, what). */
static void
floor_key(const struct command *c, char *buf, size_t len)
{
	snprintf(buf, len, "campus_seq:%s:%s", c->target,
	    command_what_name(c->what));
}

/* The last seq applied for the command's (target, what), 0 for none. */
static uint64_t
seq_floor(struct gate *g, const struct command *c)
{
	char		key[96], *s;
	uint64_t	v = 0;

	floor_key(c, key, sizeof key);
	if ((s = journal_state_get(g->journal, key)) != NULL) {
		v = strtoull(s, NULL, 10);
		free(s);
	}
	return v;
}

/*
 * Journals a refusal, unless it repeats the last one (a retained command
 * met again): 1, or -1 when the journal cannot record it.
 */
static int
refuse(struct gate *g, const struct command *c, const char *refusal,
    const char *why, const char **out, char **cause)
{
	struct journal_event	ev;
	char			same[sizeof g->campus_refused], detail[512];

	if (out != NULL)
		*out = refusal;
	gate_set_cause(cause, "command refused (%s): %s", refusal, why);
	snprintf(same, sizeof same, "%s/%s/%" PRIu64 "/%s", c->target,
	    command_what_name(c->what), c->seq, refusal);
	if (strcmp(same, g->campus_refused) == 0) {
		log_debug("%s: %s again, not journaled", __func__, same);
		return 1;
	}
	if (c->key[0] != '\0' && command_has_body(c->what))
		snprintf(detail, sizeof detail, "%s %.12s (%" PRIu64 " bytes) "
		    "for %s, seq %" PRIu64 ", key %s: %s",
		    command_what_name(c->what), c->value, c->size, c->target,
		    c->seq, c->key, why);
	else if (c->key[0] != '\0')
		snprintf(detail, sizeof detail, "%s %s for %s, seq %" PRIu64
		    ", key %s: %s", command_what_name(c->what), c->value,
		    c->target, c->seq, c->key, why);
	else
		snprintf(detail, sizeof detail, "%s", why);
	memset(&ev, 0, sizeof ev);
	ev.kind = "command";
	ev.verdict = "denied";
	ev.reason = refusal;
	ev.actor = "campus";
	ev.detail = detail;
	if (gate_record(g, &ev) == -1)
		return -1;
	snprintf(g->campus_refused, sizeof g->campus_refused, "%s", same);
	log_warnx("campus command refused (%s): %s", refusal, detail);
	return 1;
}

/* Whether the command is for this gate, on the topic it belongs on. */
static const char *
misdirected(struct gate *g, const struct command *c, const char *topic)
{
	char	want[256];

	if (strcmp(c->target, "campus") != 0 &&
	    strcmp(c->target, g->conf->id) != 0)
		return "for another gate";
	if (topic == NULL)
		return NULL;
	snprintf(want, sizeof want, "gated/v1/%s/%s/%s", c->site, c->target,
	    command_what_name(c->what));
	if (strcmp(topic, want) != 0)
		return "arrived on another topic than its own";
	return NULL;
}

/*
 * Applies a command that passed every check: 0, or 1 with *cause.  A
 * people push is only started here: its thread records the seq with its
 * outcome.
 */
static int
apply(struct gate *g, struct command *c, int64_t *event, char **cause)
{
	char	actor[COMMAND_JOURNAL_ACTOR_LEN];

	command_journal_actor(c, actor, sizeof actor);
	switch (c->what) {
	case COMMAND_PEOPLE:
		return gate_push_people(g, c, cause);
	case COMMAND_QUARANTINE:
		return gate_push_quarantine(g, c, event, cause) == 0 ? 0 : 1;
	case COMMAND_ACK:
		return gate_push_ack(g, c, event, cause) == 0 ? 0 : 1;
	default:
		break;
	}
	if (c->what == COMMAND_LEVEL)
		return gate_set_level(g, c->value[0] - '0', actor, c->reason,
		    event, cause) == 0 ? 0 : 1;
	return gate_set_mode(g, c->value, actor, c->reason, event, cause) == 0 ?
	    0 : 1;
}

/* gate_campus_command() on a decoded command. */
static int
campus_command(struct gate *g, struct command *c, enum command_result r,
    const char *topic, int64_t *event, const char **refusal, char **cause);

/* A large command from the broker, verified by a thread: the rest here. */
static void
campus_verified(struct gate *g, struct command *c, enum command_result r,
    const char *topic)
{
	campus_command(g, c, r, topic, NULL, NULL, NULL);
}

int
gate_campus_command(struct gate *g, const char *text, size_t len,
    const char *topic, int64_t *event, const char **refusal, char **cause)
{
	struct command		 c;
	enum command_result	 r;
	int			 rc;

	/* Only a people push is this large: decoded off the loop, and what
	 * becomes of it is journaled (the broker link waits for nothing). */
	if (len >= COMMAND_TEXT_MAX && topic != NULL &&
	    gate_push_verify(g, text, len, topic, campus_verified) == 0)
		return 0;
	r = command_verify(text, len, g->conf->admin_keys,
	    (size_t)g->conf->admin_key_count, time(NULL), &c);
	rc = campus_command(g, &c, r, topic, event, refusal, cause);
	command_clear(&c);
	return rc;
}

static int
campus_command(struct gate *g, struct command *c, enum command_result r,
    const char *topic, int64_t *event, const char **refusal, char **cause)
{
	const char		*why;
	char			*fail = NULL, key[96], num[24], reason[160];
	uint64_t		 floor;
	int			 rc;

	if (r != COMMAND_OK)
		return refuse(g, c, refusal_of(r), command_result_name(r),
		    refusal, cause);
	if ((why = misdirected(g, c, topic)) != NULL)
		return refuse(g, c, "not-for-this-gate", why, refusal, cause);
	floor = seq_floor(g, c);
	if (c->what > COMMAND_MODE && c->seq == floor) {
		log_debug("%s: %s %" PRIu64 " applied already", __func__,
		    command_what_name(c->what), c->seq);
		if (refusal != NULL)
			*refusal = NULL;
		return 0;
	}
	if (c->seq <= floor) {
		snprintf(reason, sizeof reason, "seq %" PRIu64 " is not above "
		    "%" PRIu64 ", the last applied", c->seq, floor);
		return refuse(g, c, "replayed", reason, refusal, cause);
	}
	if ((rc = apply(g, c, event, &fail)) != 0) {
		rc = refuse(g, c, c->what == COMMAND_PEOPLE ? "not-enabled" :
		    "invalid", fail ? fail : "not applied", refusal, cause);
		free(fail);
		return rc;
	}
	if (c->what == COMMAND_PEOPLE) {
		g->campus_refused[0] = '\0';
		if (refusal != NULL)
			*refusal = NULL;
		return 0;
	}
	floor_key(c, key, sizeof key);
	snprintf(num, sizeof num, "%" PRIu64, c->seq);
	if (journal_state_set(g->journal, key, num) == -1)
		log_warnx("%s: seq %s of %s not kept", __func__, num, key);
	g->campus_refused[0] = '\0';
	if (refusal != NULL)
		*refusal = NULL;
	return 0;
}

/* The seq floor of (target, what) into o as "target/what", when kept. */
static void
state_floor(struct gate *g, json_t *o, const char *target,
    enum command_what what)
{
	struct command	c;
	char		name[80];
	uint64_t	v;

	memset(&c, 0, sizeof c);
	snprintf(c.target, sizeof c.target, "%s", target);
	c.what = what;
	if ((v = seq_floor(g, &c)) == 0)
		return;
	snprintf(name, sizeof name, "%s/%s", target, command_what_name(what));
	json_object_set_new(o, name, json_integer((json_int_t)v));
}

/*
 * What `gatectl campus level set` waits for in the gate's broker state:
 * the last seq applied per (target, what) and the last refusal, parsed
 * back from campus_refused ("target/what/seq/reason", names have no /).
 */
json_t *
gate_campus_state(struct gate *g)
{
	json_t		*applied = json_object(), *refused = json_null();
	char		 buf[sizeof g->campus_refused], *f[4], *p;
	int		 n;

	state_floor(g, applied, "campus", COMMAND_LEVEL);
	state_floor(g, applied, g->conf->id, COMMAND_LEVEL);
	state_floor(g, applied, g->conf->id, COMMAND_MODE);
	snprintf(buf, sizeof buf, "%s", g->campus_refused);
	for (n = 0, p = buf; n < 4 && p != NULL; n++) {
		f[n] = p;
		if ((p = strchr(p, '/')) != NULL && n < 3)
			*p++ = '\0';
	}
	if (n == 4 && buf[0] != '\0')
		refused = json_pack("{s:s, s:s, s:I, s:s}", "target", f[0],
		    "what", f[1], "seq", (json_int_t)strtoull(f[2], NULL, 10),
		    "reason", f[3]);
	return json_pack("{s:o, s:o}", "applied", applied, "refused",
	    refused);
}
