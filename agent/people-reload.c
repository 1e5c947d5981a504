/*
 * people-reload.c: reloads the people list in a worker thread.  Parsing
 * 100,000 rows takes tens of milliseconds and the journal record of the
 * reload an fsync; done in the event loop they would hold up every card
 * and button for that long.  The thread reads the CSV with a private copy of the
 * config and journals the outcome on its own SQLite connection (WAL lets
 * the loop's connection go on); the loop only swaps the new set in.  A
 * new set that drops more people than people-max-shrink allows is refused
 * unless the reload is forced: a list cut short at a line end parses.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent.h"
#include "clock.h"

struct people_reload_job {
	struct gate		*gate;
	struct gate_conf	*conf;		/* private copy */
	struct people		*people;
	struct people_errors	 errors;
	size_t			 before;	/* people of the last list */
	bool			 force;
	bool			 forced;	/* the guard was overridden */
	double			 ms;
	char			 actor[64];
	char			 detail[PATH_MAX + 320];
	struct journal_event	 ev;
	people_reload_fn	 done;
	void			*arg;
	pthread_t		 thread;
	struct event		*finished;
};

/* Journals the outcome from the thread, on a connection of its own. */
static void
people_reload_journal(struct people_reload_job *job)
{
	struct journal_limits	 lim = { 0, 0, 0, 0 };
	struct journal_state	 kv[1];
	struct journal		*j;
	char			 path[PATH_MAX + 16], count[32], *cause = NULL;
	int64_t			 id;

	if (job->people != NULL)
		snprintf(job->detail, sizeof job->detail, "%zu people from %s "
		    "in %.1f ms%s", people_count(job->people),
		    job->conf->people_path, job->ms, job->forced ?
		    " (forced past people-max-shrink)" : "");
	else
		snprintf(job->detail, sizeof job->detail, "%d errors, first: "
		    "%s", job->errors.count, job->errors.kept ?
		    job->errors.lines[0] : "?");
	memset(&job->ev, 0, sizeof job->ev);
	job->ev.ts_ms = wall_ms();
	job->ev.kind = "people";
	job->ev.reason = job->people != NULL ? "reloaded" : "reload-failed";
	job->ev.actor = job->actor;
	job->ev.detail = job->detail;
	snprintf(path, sizeof path, "%s/journal.db", job->conf->state_dir);
	if ((j = journal_open(path, &lim, &cause)) == NULL) {
		log_warnx("people reload not journaled: %s", cause);
		free(cause);
		return;
	}
	/* The size of the list in use goes with its record: the guard of
	 * the next reload, and of the next start, compares with it. */
	if (job->people != NULL) {
		snprintf(count, sizeof count, "%zu", people_count(job->people));
		kv[0].key = "people_count";
		kv[0].value = count;
		id = journal_append_state(j, &job->ev, kv, 1);
	} else
		id = journal_append(j, &job->ev);
	if (id == -1)
		log_warnx("people reload not journaled");
	journal_close(j);
}

static void *
people_reload_thread(void *arg)
{
	struct people_reload_job	*job = arg;
	struct timespec		 a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	job->people = people_load(job->conf->people_path, job->conf,
	    &job->errors);
	if (job->people != NULL && people_shrink_check(job->before,
	    people_count(job->people), job->conf->people_max_shrink,
	    job->conf->people_path, &job->errors) == -1) {
		if (job->force) {
			memset(&job->errors, 0, sizeof job->errors);
			job->forced = true;
		} else {
			people_free(job->people);
			job->people = NULL;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	job->ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	people_reload_journal(job);
	/* Wake the loop (libevent is thread-aware: evthread_use_pthreads). */
	event_active(job->finished, EV_READ, 0);
	return NULL;
}

static void
people_reload_finished(evutil_socket_t fd, short what, void *arg)
{
	struct people_reload_job	*job = arg;

	(void)fd;
	(void)what;
	pthread_join(job->thread, NULL);
	if (job->people != NULL)
		gate_install_people(job->gate, job->people, &job->ev);
	else
		log_warnx("people not reloaded, the running set is kept: %s",
		    job->detail);
	if (job->done != NULL)
		job->done(job->arg, job->people, &job->errors, job->ms);
	event_free(job->finished);
	free(job->conf);
	free(job);
}

/*
 * Starts a reload; done() runs in the loop when it has finished.  force
 * installs a list that drops more people than people-max-shrink allows.
 */
int
people_reload(struct gate *g, const char *actor, bool force,
    people_reload_fn done, void *arg)
{
	struct people_reload_job	*job;

	job = xcalloc(1, sizeof *job);
	job->gate = g;
	job->conf = xmalloc(sizeof *job->conf);
	memcpy(job->conf, gate_conf(g), sizeof *job->conf);
	snprintf(job->actor, sizeof job->actor, "%s", actor);
	job->before = gate_people_expected(g);
	job->force = force;
	job->done = done;
	job->arg = arg;
	job->finished = event_new(gate_base(g), -1, 0, people_reload_finished,
	    job);
	if (pthread_create(&job->thread, NULL, people_reload_thread, job) !=
	    0) {
		log_warn("pthread_create");
		event_free(job->finished);
		free(job->conf);
		free(job);
		return -1;
	}
	return 0;
}
