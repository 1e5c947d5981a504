/*
 * reload.c: reloads the people list in a worker thread.  Parsing 100,000
 * rows takes tens of milliseconds; done in the event loop it would hold up
 * every card and button for that long.  The thread only reads the CSV and
 * a private copy of the config; the new set is swapped in by the loop.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent.h"

struct reload_job {
	struct gate		*gate;
	struct gate_conf	*conf;		/* private copy */
	struct people		*people;
	struct people_errors	 errors;
	double			 ms;
	char			 actor[64];
	reload_done_fn		 done;
	void			*arg;
	pthread_t		 thread;
	struct event		*finished;
};

static void *
reload_thread(void *arg)
{
	struct reload_job	*job = arg;
	struct timespec		 a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	job->people = people_load(job->conf->people_path, job->conf,
	    &job->errors);
	clock_gettime(CLOCK_MONOTONIC, &b);
	job->ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	/* Wake the loop (libevent is thread-aware: evthread_use_pthreads). */
	event_active(job->finished, EV_READ, 0);
	return NULL;
}

static void
reload_finished(evutil_socket_t fd, short what, void *arg)
{
	struct reload_job	*job = arg;
	struct journal_event	 ev;
	char			 detail[320];

	(void)fd;
	(void)what;
	pthread_join(job->thread, NULL);
	if (job->people != NULL)
		gate_install_people(job->gate, job->people, job->actor,
		    job->ms);
	else {
		snprintf(detail, sizeof detail, "%d errors, first: %s",
		    job->errors.count, job->errors.kept ?
		    job->errors.lines[0] : "?");
		memset(&ev, 0, sizeof ev);
		ev.kind = "people";
		ev.reason = "reload-failed";
		ev.actor = job->actor;
		ev.detail = detail;
		gate_record(job->gate, &ev);
		log_warnx("people not reloaded, the running set is kept: %s",
		    detail);
	}
	if (job->done != NULL)
		job->done(job->arg, job->people, &job->errors, job->ms);
	event_free(job->finished);
	free(job->conf);
	free(job);
}

/* Starts a reload; done() runs in the loop when it has finished. */
int
reload_people(struct gate *g, const char *actor, reload_done_fn done,
    void *arg)
{
	struct reload_job	*job;

	job = xcalloc(1, sizeof *job);
	job->gate = g;
	job->conf = xmalloc(sizeof *job->conf);
	memcpy(job->conf, gate_conf(g), sizeof *job->conf);
	snprintf(job->actor, sizeof job->actor, "%s", actor);
	job->done = done;
	job->arg = arg;
	job->finished = event_new(gate_base(g), -1, 0, reload_finished, job);
	if (pthread_create(&job->thread, NULL, reload_thread, job) != 0) {
		log_warn("pthread_create");
		event_free(job->finished);
		free(job->conf);
		free(job);
		return -1;
	}
	return 0;
}
