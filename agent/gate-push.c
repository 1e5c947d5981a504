/*
 * gate-push.c: what the campus pushes to the gate through the broker,
 * signed like every campus command (gate-campus.c checks the signature,
 * the key, the addressee and the seq first): the people list, the
 * campus's quarantine set, and the acknowledgement of an alert
 * (docs/mqtt.md, "Pushed by the campus").
 *
 * The people list goes through the local reload's thread
 * (people-push.c, people_reload_push): the same parser, the same
 * file:line errors, the same swap between two decisions; this file says
 * which list a gate reads and keeps the version it runs.  The quarantine set is small and
 * applied here, in the loop: journaled with the set and its seq in one
 * transaction, then swapped in; a decision reads it through
 * gate_campus_quarantined, on top of the people list's own flags.  Both
 * live in the state directory and the journal's state table, so a gate
 * restarted without the broker runs what it ran before.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gate-internal.h"

/* ---- the quarantine set -------------------------------------------------- */

static void
quarantine_free(struct gate *g)
{
	free(g->quarantine);
	free(g->quarantine_buf);
	g->quarantine = NULL;
	g->quarantine_buf = NULL;
	g->quarantine_n = 0;
}

/* Takes a body (ids each ending in a newline, sorted) as the set. */
static void
quarantine_set(struct gate *g, const char *body, size_t len)
{
	char	*p, *nl, *end;
	size_t	 n = 0;

	quarantine_free(g);
	g->quarantine_buf = xmalloc(len + 1);
	memcpy(g->quarantine_buf, body, len);
	g->quarantine_buf[len] = '\0';
	end = g->quarantine_buf + len;
	for (p = g->quarantine_buf; p < end; p++)
		n += *p == '\n';
	g->quarantine = xreallocarray(NULL, n ? n : 1, sizeof *g->quarantine);
	for (p = g->quarantine_buf; p < end && (nl = memchr(p, '\n',
	    (size_t)(end - p))) != NULL; p = nl + 1) {
		*nl = '\0';
		g->quarantine[g->quarantine_n++] = p;
	}
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, *(char *const *)b);
}

bool
gate_campus_quarantined(struct gate *g, const char *person)
{
	return person != NULL && g->quarantine_n > 0 && bsearch(person,
	    g->quarantine, g->quarantine_n, sizeof *g->quarantine,
	    cmp_id) != NULL;
}

/*
 * "+A -B" for what the new set (body) adds to and takes from the one in
 * use, the first few of each: the row says who changed, not only how many.
 */
static void
quarantine_diff(struct gate *g, const char *body, size_t len, char *out,
    size_t size)
{
	const char	*p, *nl, *end = body + len;
	char		 id[COMMAND_PERSON_LEN];
	size_t		 used = 0, shown = 0, i;
	int		 n;

	out[0] = '\0';
	for (p = body; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) !=
	    NULL; p = nl + 1) {
		snprintf(id, sizeof id, "%.*s", (int)(nl - p), p);
		if (gate_campus_quarantined(g, id) || shown++ >= 8)
			continue;
		n = snprintf(out + used, size - used, " +%s", id);
		used += n > 0 && (size_t)n < size - used ? (size_t)n : 0;
	}
	for (i = 0; i < g->quarantine_n; i++) {
		n = (int)strlen(g->quarantine[i]);
		for (p = body; p < end; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl - p == n && memcmp(p, g->quarantine[i], n) == 0)
				break;
		}
		if (p < end || shown++ >= 8)
			continue;
		n = snprintf(out + used, size - used, " -%s",
		    g->quarantine[i]);
		used += n > 0 && (size_t)n < size - used ? (size_t)n : 0;
	}
	if (shown > 8)
		snprintf(out + used, size - used, " (%zu changes)", shown);
}

/*
 * The campus's quarantine set, verified: journaled with the set and its
 * seq in one transaction, then swapped in.  0, or -1 when the journal
 * cannot record it (nothing changes then).
 */
int
gate_push_quarantine(struct gate *g, const struct command *c,
    int64_t *event, char **cause)
{
	struct journal_event	ev;
	struct journal_state	kv[3];
	char			actor[COMMAND_JOURNAL_ACTOR_LEN], seq[24], diff[512];
	char			detail[1024], *body;
	size_t			n = 0;
	const char		*p;

	for (p = c->body; p < c->body + c->body_len; p++)
		n += *p == '\n';
	quarantine_diff(g, c->body, c->body_len, diff, sizeof diff);
	command_journal_actor(c, actor, sizeof actor);
	snprintf(seq, sizeof seq, "%" PRIu64, c->seq);
	snprintf(detail, sizeof detail, "campus quarantine %s: %zu people%s: "
	    "%s", seq, n, diff[0] ? diff : " (no change)", c->reason);
	body = xmalloc(c->body_len + 1);
	memcpy(body, c->body, c->body_len);
	body[c->body_len] = '\0';
	kv[0].key = "campus_quarantine";
	kv[0].value = body;
	kv[1].key = "campus_quarantine_seq";
	kv[1].value = seq;
	kv[2].key = "campus_seq:campus:quarantine";
	kv[2].value = seq;
	memset(&ev, 0, sizeof ev);
	ev.kind = "people";
	ev.reason = "campus-quarantine";
	ev.actor = actor;
	ev.detail = detail;
	if (gate_record_state(g, &ev, kv, 3) == -1) {
		free(body);
		gate_set_cause(cause, "journal write failed: quarantine set "
		    "not applied");
		return -1;
	}
	free(body);
	quarantine_set(g, c->body, c->body_len);
	g->quarantine_seq = c->seq;
	if (event != NULL)
		*event = ev.id;
	log_info("campus quarantine %s: %zu people", seq, n);
	return 0;
}

/* ---- acknowledgements ------------------------------------------------- */

/*
 * An alert acknowledged at the campus (the office, the 24-hour duty):
 * the same as a guard's, journaled with the operator and the key.
 * 0, or 1 / -1 with *cause as gate_ack.
 */
int
gate_push_ack(struct gate *g, const struct command *c, int64_t *event,
    char **cause)
{
	char	actor[COMMAND_JOURNAL_ACTOR_LEN];

	command_journal_actor(c, actor, sizeof actor);
	return gate_ack(g, strtoll(c->value, NULL, 10), actor, c->reason,
	    event, cause);
}

/* ---- the people list ------------------------------------------------- */

void
gate_people_source(struct gate *g, char *path, size_t plen, char *name,
    size_t nlen, uint64_t *version, char sha256[65])
{
	const struct gate_conf	*conf = g->conf;
	char			*v, *h;

	*version = 0;
	sha256[0] = '\0';
	snprintf(path, plen, "%s", conf->people_path);
	snprintf(name, nlen, "%s", conf->people_path);
	if (!conf->mqtt.enabled || !conf->mqtt.people_push)
		return;
	v = journal_state_get(g->journal, "people_version");
	h = journal_state_get(g->journal, "people_sha256");
	snprintf(path, plen, "%s/%s", conf->state_dir, PEOPLE_PUSHED_FILE);
	if (v != NULL && h != NULL && access(path, R_OK) == 0) {
		*version = strtoull(v, NULL, 10);
		snprintf(sha256, 65, "%s", h);
		snprintf(name, nlen, "campus-people v%" PRIu64, *version);
	} else
		snprintf(path, plen, "%s", conf->people_path);
	free(v);
	free(h);
}

void
gate_people_version_set(struct gate *g, uint64_t version, const char *sha256)
{
	g->people_version = version;
	snprintf(g->people_sha256, sizeof g->people_sha256, "%s", sha256);
}

/* ---- start, stop, status ------------------------------------------------ */

/* The quarantine set the journal kept: a restart without the broker
 * refuses whom the campus flagged before it. */
void
gate_push_start(struct gate *g)
{
	char	*s;

	if ((s = journal_state_get(g->journal, "campus_quarantine")) != NULL) {
		quarantine_set(g, s, strlen(s));
		free(s);
	}
	if ((s = journal_state_get(g->journal, "campus_quarantine_seq")) !=
	    NULL) {
		g->quarantine_seq = strtoull(s, NULL, 10);
		free(s);
	}
}

void
gate_push_stop(struct gate *g)
{
	quarantine_free(g);
	if (g->push_pending != NULL) {
		command_clear(g->push_pending);
		free(g->push_pending);
		g->push_pending = NULL;
	}
}

/* The status's and the state topic's "campus": what the campus pushed. */
json_t *
gate_push_status(struct gate *g)
{
	return json_pack("{s:{s:I, s:s?, s:b}, s:{s:I, s:I}}",
	    "people", "version", (json_int_t)g->people_version,
	    "sha256", g->people_version ? g->people_sha256 : NULL,
	    "push", g->conf->mqtt.people_push,
	    "quarantine", "seq", (json_int_t)g->quarantine_seq,
	    "count", (json_int_t)g->quarantine_n);
}
