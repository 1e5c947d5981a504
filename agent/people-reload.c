/*
 * people-reload.c: reloads the people list in a worker thread.  Parsing
 * 100,000 rows takes tens of milliseconds and the journal record of the
 * reload an fsync; done in the event loop they would hold up every card
 * and button for that long.  The thread reads the CSV with a private copy of the
 * config and journals the outcome on its own SQLite connection (WAL lets
 * the loop's connection go on); the loop only swaps the new set in.  A
 * new set that drops more people than people-max-shrink allows is refused
 * unless the reload is forced: a list cut short at a line end parses.
 *
 * A list the campus pushed (people_reload_push) takes the same path: the
 * thread writes it to the state directory, loads it from there with the
 * same parser, and renames it into place only when it loaded, so the file
 * a restart reads is always a list that was in use.  Its SHA-256 proved it
 * whole, so the shrink guard does not apply to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	char			 path[PATH_MAX + 32];	/* read from */
	char			 name[PATH_MAX];	/* as errors name it */
	uint64_t		 version;	/* pushed: its seq; else 0 */
	char			 sha256[65];
	struct people_push	*push;		/* a push being applied */
	char			 detail[PATH_MAX + 640];
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
	struct journal_state	 kv[4];
	struct journal		*j;
	char			 path[PATH_MAX + 16], count[32], *cause = NULL;
	char			 seq[24];
	int64_t			 id;
	int			 n = 0;

	if (job->people != NULL)
		snprintf(job->detail, sizeof job->detail, "%zu people from %s "
		    "in %.1f ms%s", people_count(job->people), job->name,
		    job->ms, job->forced ? " (forced past people-max-shrink)" :
		    "");
	else
		snprintf(job->detail, sizeof job->detail, "%d errors, first: "
		    "%s", job->errors.count, job->errors.kept ?
		    job->errors.lines[0] : "?");
	if (job->push != NULL) {
		/* What the office sent and why go with what became of it. */
		size_t	used = strlen(job->detail);

		snprintf(job->detail + used, sizeof job->detail - used,
		    " (sha256 %.12s): %s", job->sha256, job->push->reason);
		snprintf(seq, sizeof seq, "%" PRIu64, job->version);
		kv[n].key = "campus_seq:campus:people";
		kv[n++].value = seq;
		if (job->people != NULL) {
			kv[n].key = "people_version";
			kv[n++].value = seq;
			kv[n].key = "people_sha256";
			kv[n++].value = job->sha256;
		}
	}
	memset(&job->ev, 0, sizeof job->ev);
	job->ev.ts_ms = wall_ms();
	job->ev.kind = "people";
	if (job->push != NULL)
		job->ev.reason = job->people != NULL ? "pushed" : "push-refused";
	else
		job->ev.reason = job->people != NULL ? "reloaded" :
		    "reload-failed";
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
		kv[n].key = "people_count";
		kv[n++].value = count;
	}
	/* A refused push records its seq too: the retained message met at
	 * every reconnect is judged once, and a fix comes with a new seq. */
	if (n > 0)
		id = journal_append_state(j, &job->ev, kv, n);
	else
		id = journal_append(j, &job->ev);
	if (id == -1)
		log_warnx("people reload not journaled");
	journal_close(j);
}

/* Writes len bytes to path and flushes them to the disk: 0, or -1. */
static int
write_synced(const char *path, const char *buf, size_t len)
{
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* The directory's entries to the disk, after a rename in it. */
static void
sync_dir(const char *dir)
{
	int	fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
}

/*
 * A pushed list: written beside the one in use, loaded from there, and
 * renamed over it only once it loaded; a refused one is removed.
 */
static void
people_push_load(struct people_reload_job *job)
{
	struct people_push	*p = job->push;
	char			 final[PATH_MAX + 32];

	snprintf(job->path, sizeof job->path, "%s/%s.new",
	    job->conf->state_dir, PEOPLE_PUSHED_FILE);
	snprintf(final, sizeof final, "%s/%s", job->conf->state_dir,
	    PEOPLE_PUSHED_FILE);
	if (write_synced(job->path, p->csv, p->len) == -1) {
		job->errors.count = job->errors.kept = 1;
		snprintf(job->errors.lines[0], sizeof job->errors.lines[0],
		    "%.40s: cannot keep it in %.120s: %s", job->name,
		    job->conf->state_dir, strerror(errno));
		unlink(job->path);
		return;
	}
	job->people = people_load_as(job->path, job->name, job->conf,
	    &job->errors, PEOPLE_FILE_MAX);
	if (job->people != NULL && rename(job->path, final) == -1) {
		job->errors.count = job->errors.kept = 1;
		snprintf(job->errors.lines[0], sizeof job->errors.lines[0],
		    "%.40s: cannot rename it into place: %s", job->name,
		    strerror(errno));
		people_free(job->people);
		job->people = NULL;
	}
	if (job->people == NULL)
		unlink(job->path);
	else
		sync_dir(job->conf->state_dir);
}

static void *
people_reload_thread(void *arg)
{
	struct people_reload_job	*job = arg;
	struct timespec		 a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (job->push != NULL)
		people_push_load(job);
	else
		job->people = people_load_as(job->path, job->name, job->conf,
		    &job->errors, PEOPLE_FILE_MAX);
	if (job->push == NULL && job->people != NULL &&
	    people_shrink_check(job->before, people_count(job->people),
	    job->conf->people_max_shrink, job->name, &job->errors) == -1) {
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
	if (job->people != NULL) {
		gate_people_version_set(job->gate, job->version, job->sha256);
		gate_install_people(job->gate, job->people, &job->ev);
	} else
		log_warnx("people not reloaded, the running set is kept: %s",
		    job->detail);
	if (job->done != NULL)
		job->done(job->arg, job->people, &job->errors, job->ms);
	event_free(job->finished);
	if (job->push != NULL) {
		free(job->push->csv);
		free(job->push);
	}
	free(job->conf);
	free(job);
}

/* Starts the job's thread: 0, or -1 (the job freed, not the push). */
static int
people_reload_run(struct people_reload_job *job)
{
	job->finished = event_new(gate_base(job->gate), -1, 0,
	    people_reload_finished, job);
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

static struct people_reload_job *
people_reload_job(struct gate *g, const char *actor, people_reload_fn done,
    void *arg)
{
	struct people_reload_job	*job;

	job = xcalloc(1, sizeof *job);
	job->gate = g;
	job->conf = xmalloc(sizeof *job->conf);
	memcpy(job->conf, gate_conf(g), sizeof *job->conf);
	snprintf(job->actor, sizeof job->actor, "%s", actor);
	job->before = gate_people_expected(g);
	job->done = done;
	job->arg = arg;
	return job;
}

/*
 * Starts a reload; done() runs in the loop when it has finished.  force
 * installs a list that drops more people than people-max-shrink allows.
 * It reads the list the gate runs: the pushed one while people-push is on
 * and one was applied (gate_people_source), else the people file.
 */
int
people_reload(struct gate *g, const char *actor, bool force,
    people_reload_fn done, void *arg)
{
	struct people_reload_job	*job;

	job = people_reload_job(g, actor, done, arg);
	job->force = force;
	gate_people_source(g, job->path, sizeof job->path, job->name,
	    sizeof job->name, &job->version, job->sha256);
	return people_reload_run(job);
}

/* Applies a pushed list; the job owns push from here on, whatever comes. */
int
people_reload_push(struct gate *g, struct people_push *push,
    people_reload_fn done, void *arg)
{
	struct people_reload_job	*job;

	job = people_reload_job(g, push->actor, done, arg);
	job->push = push;
	job->version = push->version;
	memcpy(job->sha256, push->sha256, sizeof job->sha256);
	snprintf(job->name, sizeof job->name, "campus-people v%" PRIu64,
	    push->version);
	if (people_reload_run(job) == -1) {
		free(push->csv);
		free(push);
		return -1;
	}
	return 0;
}
