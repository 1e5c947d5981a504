/*
 * report.c: runs a GET /v1/report in a worker thread.  A report reads
 * every row of its range (a day of a busy gate, a month, a million rows)
 * and takes seconds; in the event loop it held up every card for that
 * long.  The thread reads the journal file on a read-only connection of
 * its own (journal_report_file; WAL lets the loop's connection go on
 * writing), builds the JSON, and wakes the loop, which only sends it: the
 * pattern of people-reload.c.  The caller runs one report at a time.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "agent.h"

struct report_job {
	char			*path;
	int64_t			 from_ms;
	int64_t			 to_ms;
	struct report_limits	 limits;
	json_t			*report;	/* the thread's result */
	char			*cause;		/* or why there is none */
	report_done_fn		 done;
	void			*arg;
	pthread_t		 thread;
	struct event		*finished;
};

static void
report_job_free(struct report_job *job)
{
	event_free(job->finished);
	json_decref(job->report);
	free(job->cause);
	free(job->path);
	free(job);
}

static void *
report_thread(void *arg)
{
	struct report_job	*job = arg;

	job->report = journal_report_file(job->path, job->from_ms,
	    job->to_ms, &job->limits, &job->cause);
	/* Wake the loop (libevent is thread-aware: evthread_use_pthreads). */
	event_active(job->finished, EV_READ, 0);
	return NULL;
}

static void
report_finished(evutil_socket_t fd, short what, void *arg)
{
	struct report_job	*job = arg;

	(void)fd;
	(void)what;
	pthread_join(job->thread, NULL);
	job->done(job->arg, job->report, job->cause);
	report_job_free(job);
}

/*
 * Starts the report of [from_ms, to_ms) on the journal file at path, to
 * stop after max_s seconds; done() runs in the loop with the report, or
 * NULL and why, and owns neither.  NULL when the thread cannot start.
 * The finished event runs at priority prio, the API's, below the gate's.
 */
struct report_job *
report_start(struct event_base *base, int prio, const char *path,
    int64_t from_ms, int64_t to_ms, int max_s, report_done_fn done,
    void *arg)
{
	struct report_job	*job;

	job = xcalloc(1, sizeof *job);
	job->path = xstrdup(path);
	job->from_ms = from_ms;
	job->to_ms = to_ms;
	atomic_init(&job->limits.cancel, false);
	clock_gettime(CLOCK_MONOTONIC, &job->limits.deadline);
	job->limits.deadline.tv_sec += max_s;
	job->limits.max_s = max_s;
	job->done = done;
	job->arg = arg;
	job->finished = event_new(base, -1, 0, report_finished, job);
	event_priority_set(job->finished, prio);
	if (pthread_create(&job->thread, NULL, report_thread, job) != 0) {
		log_warn("pthread_create");
		report_job_free(job);
		return NULL;
	}
	return job;
}

/*
 * Stops a running report and waits for its thread, without calling
 * done(): for a daemon that exits with one under way.
 */
void
report_cancel(struct report_job *job)
{
	if (job == NULL)
		return;
	atomic_store(&job->limits.cancel, true);
	pthread_join(job->thread, NULL);
	report_job_free(job);
}
