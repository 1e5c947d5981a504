/*
 * api-report.c: the epidemic office's two routes of the hub's API,
 * GET /v1/report and GET /v1/contacts, as functions of the database, the
 * caller's role and the query string (office_*_http), which the tests
 * call without a server, and the handlers of the route table (api.c)
 * that hand a request over and send what they answer.  Who may see what,
 * and the journal row written before anything about a person leaves, are
 * decided here, in one place.
 */
#include <sys/queue.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "campus-print.h"
#include "clock.h"
#include "log.h"
#include "office.h"
#include "protocol.h"
#include "xmalloc.h"

#define CONTACTS_DAYS_DEFAULT	14
#define CONTACTS_DAYS_MAX	366
#define CONTACTS_WINDOW_DEFAULT	(10 * 60 * 1000)
#define CONTACTS_WINDOW_MAX	(24 * 3600 * 1000)
#define DAY_MS			(24 * 3600 * 1000LL)
#define INSIDE_DEFAULT		DAY_MS
#define INSIDE_MAX		(31 * DAY_MS)

int64_t
office_duration(const char *s)
{
	char		*end;
	long long	 v;
	int64_t		 unit = 1000;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	v = strtoll(s, &end, 10);
	if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		unit = 3600 * 1000;
	else if (strcmp(end, "d") == 0)
		unit = 24 * 3600 * 1000LL;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		return -1;
	if (v < 0 || v > 366LL * 24 * 3600)
		return -1;
	return v * unit;
}

int64_t
office_when(const char *s)
{
	struct tm	 tm;
	const char	*end;
	time_t		 t;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*end == 'T' || *end == ' ') {
		if ((end = strptime(end + 1, "%H:%M", &tm)) == NULL)
			return -1;
		if (*end == ':' && (end = strptime(end + 1, "%S", &tm)) ==
		    NULL)
			return -1;
	}
	if (*end != '\0')
		return -1;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t * 1000;
}

/* The answer as JSON, the document stolen. */
static void
answer_json(struct office_answer *a, int status, json_t *doc)
{
	a->status = status;
	a->type = "application/json";
	a->body = json_dumps(doc, JSON_COMPACT);
	a->len = a->body != NULL ? strlen(a->body) : 0;
	json_decref(doc);
}

static void
answer_error(struct office_answer *a, int status, const char *why)
{
	answer_json(a, status, json_pack("{ss}", "error", why));
}

/* doc in the format asked for: JSON, or printed as text or CSV. */
static void
answer_format(struct office_answer *a, json_t *doc, const char *format,
    void (*print)(FILE *, const json_t *, enum campus_format))
{
	enum campus_format	 fmt;
	FILE			*f;

	if (format == NULL || strcmp(format, "json") == 0) {
		answer_json(a, 200, doc);
		return;
	}
	campus_format_parse(format, &fmt);	/* checked by the caller */
	if ((f = open_memstream(&a->body, &a->len)) == NULL)
		fatal("open_memstream");
	print(f, doc, fmt);
	fclose(f);
	json_decref(doc);
	a->status = 200;
	a->type = fmt == CAMPUS_CSV ? "text/csv; charset=utf-8" :
	    "text/plain; charset=utf-8";
}

/* A query string's value of key, or NULL. */
static const char *
query_get(struct evkeyvalq *q, const char *key)
{
	return evhttp_find_header(q, key);
}

static int
format_ok(const char *format)
{
	enum campus_format	fmt;

	return format == NULL || strcmp(format, "json") == 0 ||
	    campus_format_parse(format, &fmt) == 0;
}

/* Today 00:00, local. */
static int64_t
today_ms(int64_t now_ms)
{
	struct tm	tm;
	time_t		t = (time_t)(now_ms / 1000);

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

void
office_report_http(struct db *db, enum office_role role, const char *actor,
    const char *query, int64_t now_ms, struct office_answer *a)
{
	struct evkeyvalq	 q;
	const char		*from, *to, *format, *reason, *inside;
	int64_t			 from_ms, to_ms, inside_ms;
	json_t			*report;
	char			*cause = NULL, *detail;
	int			 persons = role >= OFFICE_HEALTH;

	memset(a, 0, sizeof *a);
	TAILQ_INIT(&q);
	if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
		answer_error(a, 400, "the query string cannot be read");
		return;
	}
	from = query_get(&q, "from");
	to = query_get(&q, "to");
	format = query_get(&q, "format");
	reason = query_get(&q, "reason");
	inside = query_get(&q, "inside");
	inside_ms = inside != NULL ? office_duration(inside) : INSIDE_DEFAULT;
	from_ms = from != NULL ? office_when(from) : today_ms(now_ms);
	to_ms = to != NULL ? office_when(to) : now_ms / 1000 * 1000 + 999;
	/* A date means the whole day, as on a gate (agent/api.c). */
	if (to != NULL && strlen(to) == 10 && to_ms != -1)
		to_ms += DAY_MS - 1;
	if (from_ms == -1 || to_ms == -1)
		answer_error(a, 400, "from and to: YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS], local time");
	else if (from_ms > to_ms)
		answer_error(a, 400, "from is after to");
	else if (!format_ok(format))
		answer_error(a, 400, "format: json, csv or text");
	else if (inside_ms <= 0 || inside_ms > INSIDE_MAX)
		answer_error(a, 400, "inside: a duration (24h, 7d) up to 31d");
	if (a->status != 0)
		goto out;

	/* The per-person parts are an export of health data: on record
	 * before they leave, or they do not. */
	if (persons) {
		xasprintf(&detail, "{\"report\":{\"from\":%lld,\"to\":%lld}}",
		    (long long)from_ms, (long long)to_ms);
		if (office_journal(db, now_ms, "export", actor, reason,
		    detail) == -1) {
			free(detail);
			answer_error(a, 503, "the export cannot be journaled");
			goto out;
		}
		free(detail);
	}
	report = campus_report(db, from_ms, to_ms, inside_ms, persons, &cause);
	if (report == NULL) {
		answer_error(a, 503, cause);
		free(cause);
		goto out;
	}
	answer_format(a, report, format, campus_report_print);
out:
	evhttp_clear_headers(&q);
}

/* The journal row's detail: for whom and what was asked, as JSON. */
static char *
contacts_detail(const struct contacts_query *cq)
{
	json_t	*o;
	char	*s;

	o = json_pack("{s:s, s:I, s:I, s:I}", "person", cq->person,
	    "from", (json_int_t)cq->from_ms, "to", (json_int_t)cq->to_ms,
	    "window_ms", (json_int_t)cq->window_ms);
	if (o == NULL)		/* a person id that is not UTF-8 */
		o = json_pack("{s:s}", "person", "?");
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* The query's parameters into cq; NULL, or why they are wrong. */
static const char *
contacts_params(struct evkeyvalq *q, int64_t now_ms,
    struct contacts_query *cq)
{
	const char	*days = query_get(q, "days");
	const char	*window = query_get(q, "window");
	const char	*reason = query_get(q, "reason");
	char		*end;
	long		 d = CONTACTS_DAYS_DEFAULT;

	cq->person = query_get(q, "person");
	if (cq->person == NULL || *cq->person == '\0')
		return "person is required";
	if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
		return "a reason is required: a contact trace reveals where "
		    "people were, and is journaled with why";
	if (days != NULL && ((d = strtol(days, &end, 10)) < 1 ||
	    d > CONTACTS_DAYS_MAX || *end != '\0'))
		return "days: 1 to 366";
	cq->window_ms = window != NULL ? office_duration(window) :
	    CONTACTS_WINDOW_DEFAULT;
	if (cq->window_ms < 0 || cq->window_ms > CONTACTS_WINDOW_MAX)
		return "window: a duration (10m, 90s, 1h) up to 24h";
	if (!format_ok(query_get(q, "format")))
		return "format: json, csv or text";
	cq->to_ms = now_ms + 1;
	cq->from_ms = now_ms - d * DAY_MS;
	return NULL;
}

void
office_contacts_http(struct db *db, enum office_role role, const char *actor,
    const char *query, int64_t now_ms, struct office_answer *a)
{
	struct evkeyvalq	 q;
	struct contacts_query	 cq;
	const char		*why;
	json_t			*trace;
	char			*cause = NULL, *detail;

	memset(a, 0, sizeof *a);
	memset(&cq, 0, sizeof cq);
	TAILQ_INIT(&q);
	if (role < OFFICE_HEALTH) {
		answer_error(a, 403, "contact tracing needs a health or "
		    "admin token");
		return;
	}
	if (query != NULL && evhttp_parse_query_str(query, &q) != 0) {
		answer_error(a, 400, "the query string cannot be read");
		return;
	}
	if ((why = contacts_params(&q, now_ms, &cq)) != NULL) {
		answer_error(a, 400, why);
		goto out;
	}
	detail = contacts_detail(&cq);
	if (office_journal(db, now_ms, "contacts", actor,
	    query_get(&q, "reason"), detail) == -1) {
		free(detail);
		answer_error(a, 503, "the query cannot be journaled");
		goto out;
	}
	free(detail);
	if ((trace = contacts_find(db, &cq, &cause)) == NULL) {
		answer_error(a, 503, cause);
		free(cause);
		goto out;
	}
	answer_format(a, trace, query_get(&q, "format"),
	    campus_contacts_print);
out:
	evhttp_clear_headers(&q);
}

/*
 * Sends an answer.  It carries gated's protocol version, as a gate's
 * answers do, since gatectl asks these two routes (campus report,
 * campus contacts) and checks it.  A request whose client went away is
 * freed by evhttp_send_reply.
 */
static void
api_office_send(struct evhttp_request *req, struct office_answer *a)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	struct evbuffer		*b = evbuffer_new();
	char			 v[16];

	snprintf(v, sizeof v, "%d", GATED_PROTOCOL_VERSION);
	evhttp_add_header(h, GATED_PROTOCOL_HEADER, v);
	evhttp_add_header(h, "Content-Type", a->type);
	if (a->status == 503)
		evhttp_add_header(h, "Retry-After", "2");
	if (a->body != NULL)
		evbuffer_add(b, a->body, a->len);
	evhttp_send_reply(req, a->status, a->status < 300 ? "OK" : "Error", b);
	evbuffer_free(b);
	free(a->body);
	a->body = NULL;
}

/* The role of a hub token as the office's functions take it. */
static enum office_role
api_office_role(int role)
{
	switch (role) {
	case HUB_ADMIN:
		return OFFICE_ADMIN;
	case HUB_HEALTH:
		return OFFICE_HEALTH;
	case HUB_GUARD:
		return OFFICE_GUARD;
	default:
		return OFFICE_VIEWER;
	}
}

/*
 * A report reads every row of its range, seconds for a day of a busy
 * campus, so it runs in a thread on a database connection of its own
 * (SQLite's WAL lets ingest go on writing; PostgreSQL takes another
 * session) and the loop only sends its answer, as a gate's report does
 * (agent/report.c).  The thread tells the loop through a pipe, which
 * needs nothing of libevent's threading.  One report at a time.
 */
struct report_job {
	struct evhttp_request	*req;
	char			*url, *query;
	enum office_role	 role;
	char			 actor[HUB_NAME_LEN + 8];
	int64_t			 now_ms;
	struct office_answer	 answer;
	int			 pipe[2];
	struct event		*finished;
	pthread_t		 thread;
};

static struct report_job	*report_running;

static void
report_job_free(struct report_job *job)
{
	if (job->finished != NULL)
		event_free(job->finished);
	close(job->pipe[0]);
	close(job->pipe[1]);
	free(job->answer.body);
	free(job->url);
	free(job->query);
	free(job);
}

static void *
report_thread(void *arg)
{
	struct report_job	*job = arg;
	struct db		*db;
	char			 err[256], *why;
	ssize_t			 n;

	if ((db = db_open(job->url, err, sizeof err)) == NULL) {
		xasprintf(&why, "the campus journal cannot be read: %s", err);
		answer_error(&job->answer, 503, why);
		free(why);
	} else {
		office_report_http(db, job->role, job->actor, job->query,
		    job->now_ms, &job->answer);
		db_close(db);
	}
	do
		n = write(job->pipe[1], "", 1);
	while (n == -1 && errno == EINTR);
	return NULL;
}

static void
report_finished(evutil_socket_t fd, short what, void *arg)
{
	struct report_job	*job = arg;

	(void)fd;
	(void)what;
	pthread_join(job->thread, NULL);
	report_running = NULL;
	api_office_send(job->req, &job->answer);
	report_job_free(job);
}

void
api_report(struct api_req *r)
{
	struct report_job	*job;
	const char		*query;

	if (report_running != NULL) {
		struct office_answer	a;

		memset(&a, 0, sizeof a);
		answer_error(&a, 503, "a report is already running: try again "
		    "in 2 s");
		api_office_send(r->req, &a);
		return;
	}
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
	job = xcalloc(1, sizeof *job);
	job->req = r->req;
	job->url = xstrdup(r->hub->conf->hub.database);
	job->query = query != NULL ? xstrdup(query) : NULL;
	job->role = api_office_role(r->role);
	snprintf(job->actor, sizeof job->actor, "%s", r->actor);
	job->now_ms = wall_ms();
	job->pipe[0] = job->pipe[1] = -1;
	if (pipe2(job->pipe, O_CLOEXEC) == -1 ||
	    (job->finished = event_new(r->hub->base, job->pipe[0], EV_READ,
	    report_finished, job)) == NULL ||
	    event_add(job->finished, NULL) == -1 ||
	    pthread_create(&job->thread, NULL, report_thread, job) != 0) {
		log_warn("api: report thread");
		answer_error(&job->answer, 503, "cannot start the report");
		api_office_send(r->req, &job->answer);
		report_job_free(job);
		return;
	}
	report_running = job;
}

/*
 * Waits for a report still running and drops its answer: for the API's
 * end, before evhttp frees the requests.
 */
void
api_report_wait(void)
{
	struct report_job	*job = report_running;

	if (job == NULL)
		return;
	pthread_join(job->thread, NULL);
	report_running = NULL;
	report_job_free(job);
}

/* A trace is two indexed lookups per passage: it runs in the loop. */
void
api_contacts(struct api_req *r)
{
	struct office_answer	a;

	office_contacts_http(r->hub->db, api_office_role(r->role), r->actor,
	    evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req)),
	    wall_ms(), &a);
	api_office_send(r->req, &a);
}
