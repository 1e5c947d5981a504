/*
 * people-push.c: the people lists the campus pushes, one at a time.  A
 * verified push (gate-campus.c) goes to the reload's thread
 * (people_reload_push); one that arrives while another is loading waits,
 * and only the latest waits: it is what the campus wants now.  The seq
 * floor is recorded by the thread with the outcome, so the one that
 * waited is judged against it when its turn comes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gate-internal.h"

static void	push_next(struct gate *);

/* A push has been loaded (or refused) and journaled: the next may go. */
static void
push_done(void *arg, struct people *p, const struct people_errors *errs,
    double ms)
{
	struct gate	*g = arg;

	(void)p;
	(void)errs;
	(void)ms;
	g->push_busy = false;
	push_next(g);
}

/* Hands a verified push to the reload thread; the job owns its body. */
static int
push_run(struct gate *g, struct command *c)
{
	struct people_push	*push;

	push = xcalloc(1, sizeof *push);
	push->version = c->seq;
	memcpy(push->sha256, c->value, sizeof push->sha256);
	push->sha256[64] = '\0';
	snprintf(push->actor, sizeof push->actor, "key:%s", c->key);
	snprintf(push->reason, sizeof push->reason, "%s", c->reason);
	push->csv = c->body;
	push->len = c->body_len;
	c->body = NULL;
	c->body_len = 0;
	if (people_reload_push(g, push, push_done, g) == -1)
		return -1;
	g->push_busy = true;
	return 0;
}

/* The push that waited for the one being loaded, if still above it. */
static void
push_next(struct gate *g)
{
	struct command	*c = g->push_pending;
	char		*s;
	uint64_t	 floor = 0;

	if (c == NULL)
		return;
	g->push_pending = NULL;
	if ((s = journal_state_get(g->journal,
	    "campus_seq:campus:people")) != NULL) {
		floor = strtoull(s, NULL, 10);
		free(s);
	}
	if (c->seq > floor && push_run(g, c) == -1)
		log_warnx("people push %" PRIu64 " not applied: no thread",
		    c->seq);
	command_clear(c);
	free(c);
}

/*
 * A verified people push above the seq floor.  One is loaded at a time;
 * one that arrives meanwhile waits, replacing any that waited before it
 * (the latest is what the campus wants).  The floor is recorded by the
 * thread, with the outcome.  0 (started or waiting), or 1 with *cause:
 * people-push is off.  Takes c's body.
 */
int
gate_push_people(struct gate *g, struct command *c, char **cause)
{
	if (!g->conf->mqtt.people_push) {
		gate_set_cause(cause, "people-push is off in this gate's "
		    "[mqtt]: it runs its people file");
		return 1;
	}
	if (g->push_busy) {
		if (g->push_pending != NULL) {
			command_clear(g->push_pending);
			free(g->push_pending);
		}
		g->push_pending = xmalloc(sizeof *c);
		memcpy(g->push_pending, c, sizeof *c);
		c->body = NULL;
		c->body_len = 0;
		return 0;
	}
	if (push_run(g, c) == -1) {
		gate_set_cause(cause, "cannot start the people load");
		return 1;
	}
	return 0;
}

