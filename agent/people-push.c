/*
 * people-push.c: the people lists the campus pushes, one at a time.  A
 * verified push (gate-campus.c) goes to the reload's thread
 * (people_reload_push); one that arrives while another is loading waits,
 * and only the latest waits: it is what the campus wants now.  The seq
 * floor is recorded by the thread with the outcome, so the one that
 * waited is judged against it when its turn comes.  A command this large
 * is verified off the loop too (gate_push_verify).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

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
	command_journal_actor(c, push->actor, sizeof push->actor);
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


/* ---- verifying a large command off the loop ---------------------------- */

/*
 * A people push is up to 32 MiB of JSON: decoding it (jansson reads a
 * 10 MB string in about half a second here) and hashing it would hold up
 * every card for as long, so a command that large is verified by a thread
 * of its own; the loop gets the decoded command back and judges the rest
 * (addressee, seq) as for any other.
 */
struct verify_job {
	struct gate		*gate;
	char			*text;
	size_t			 len;
	char			*topic;
	struct admin_key	 keys[ADMIN_KEYS_MAX];
	size_t			 nkeys;
	enum command_result	 result;
	struct command		 c;
	gate_verified_fn	 fn;
	pthread_t		 thread;
	struct event		*finished;
};

static void *
verify_thread(void *arg)
{
	struct verify_job	*job = arg;

	job->result = command_verify(job->text, job->len, job->keys,
	    job->nkeys, time(NULL), &job->c);
	event_active(job->finished, EV_READ, 0);
	return NULL;
}

static void
verify_finished(evutil_socket_t fd, short what, void *arg)
{
	struct verify_job	*job = arg;

	(void)fd;
	(void)what;
	pthread_join(job->thread, NULL);
	job->fn(job->gate, &job->c, job->result, job->topic);
	command_clear(&job->c);
	event_free(job->finished);
	free(job->text);
	free(job->topic);
	free(job);
}

int
gate_push_verify(struct gate *g, const char *text, size_t len,
    const char *topic, gate_verified_fn fn)
{
	struct verify_job	*job;

	job = xcalloc(1, sizeof *job);
	job->gate = g;
	job->text = xmalloc(len + 1);
	memcpy(job->text, text, len);
	job->text[len] = '\0';
	job->len = len;
	job->topic = topic != NULL ? xstrdup(topic) : NULL;
	job->nkeys = (size_t)g->conf->admin_key_count;
	memcpy(job->keys, g->conf->admin_keys, job->nkeys * sizeof *job->keys);
	job->fn = fn;
	job->finished = event_new(g->base, -1, 0, verify_finished, job);
	if (pthread_create(&job->thread, NULL, verify_thread, job) != 0) {
		log_warn("pthread_create");
		event_free(job->finished);
		free(job->text);
		free(job->topic);
		free(job);
		return -1;
	}
	return 0;
}
