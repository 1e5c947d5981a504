/*
 * api.c: the /v1 routes of the control API, independent of the transport.
 * A listener (control.c for the Unix socket) hands every request here with
 * the name of who is asking; every answer is JSON, every error a 4xx or
 * 5xx with {"error": reason} that a person can act on.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "agent.h"
#include "protocol.h"

struct api {
	struct gate		*gate;
	struct stream		*stream;
	struct metrics		*metrics;
	bool			 reloading;
	struct report_job	*report;	/* the one running, or NULL */
	struct evhttp_request	*report_req;
	enum role		 report_role;	/* what its asker may see */
};

/*
 * A report runs in a thread (report.c), one at a time: another asked for
 * meanwhile is told to come back (503, Retry-After), and one that takes
 * longer than REPORT_MAX_S is stopped (503) rather than hold the thread.
 */
#define REPORT_MAX_S		30
#define REPORT_RETRY_AFTER	"2"

/* A /v1/sim/card request waiting for its decision. */
struct card_wait {
	struct api		*api;
	struct evhttp_request	*req;
	struct event		*timeout;
	char			 lane[NAME_LEN];
	char			 card[24];	/* "": any card (Wiegand bits) */
	bool			 done;
};

static const char *
reply_phrase(int code)
{
	switch (code) {
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 422:
		return "Unprocessable Entity";
	case 429:
		return "Too Many Requests";
	case 503:
		return "Service Unavailable";
	}
	return code < 300 ? "OK" : code < 500 ? "Bad Request" :
	    "Internal Server Error";
}

static void
reply_json(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer	*buf = evbuffer_new();
	char		*text;

	text = json_dumps(body, JSON_COMPACT);
	evbuffer_add_printf(buf, "%s\n", text ? text : "{}");
	free(text);
	json_decref(body);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    GATED_PROTOCOL_HEADER, "1");
	evhttp_send_reply(req, code, reply_phrase(code), buf);
	evbuffer_free(buf);
}

/*
 * A JSON string of any bytes: what jansson refuses (invalid UTF-8, such as
 * a lane name in a path, or a message cut inside a character) becomes '?'
 * byte by byte, so an answer is never an empty object.
 */
static json_t *
api_string(const char *s)
{
	json_t		*v;
	char		*copy;
	unsigned char	*p;

	if ((v = json_string(s)) != NULL)
		return v;
	copy = xstrdup(s);
	for (p = (unsigned char *)copy; *p != '\0'; p++) {
		if (*p >= 0x80)
			*p = '?';
	}
	v = json_string(copy);
	free(copy);
	return v;
}

static void
reply_verror(struct evhttp_request *req, int code, const char *fmt,
    va_list ap)
{
	char	 msg[1024];
	json_t	*o = json_object();

	vsnprintf(msg, sizeof msg, fmt, ap);
	json_object_set_new(o, "error", api_string(msg));
	reply_json(req, code, o);
}

static void
reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reply_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	reply_verror(req, code, fmt, ap);
	va_end(ap);
}

/* For the transports: an error answer in the API's own form. */
void
api_error(struct evhttp_request *req, int code, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	reply_verror(req, code, fmt, ap);
	va_end(ap);
}

/* Parses the request body as a JSON object; replies 400 itself on error. */
static json_t *
body_json(struct evhttp_request *req)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	json_error_t	 err;
	json_t		*j;
	char		*text;

	if (len == 0)
		return json_object();
	if (len > GATED_MAX_BODY) {
		reply_error(req, 413, "body larger than %d bytes",
		    GATED_MAX_BODY);
		return NULL;
	}
	text = xmalloc(len + 1);
	evbuffer_copyout(in, text, len);
	text[len] = '\0';
	j = json_loads(text, 0, &err);
	free(text);
	if (j == NULL) {
		reply_error(req, 400, "malformed JSON: %s (line %d, column %d)",
		    err.text, err.line, err.column);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_error(req, 400, "the body must be a JSON object");
		return NULL;
	}
	return j;
}

/* A string member, or NULL with a 400 already sent when required. */
static const char *
body_string(struct evhttp_request *req, json_t *body, const char *key,
    bool required)
{
	json_t	*v = json_object_get(body, key);

	if (v == NULL || json_is_null(v)) {
		if (required)
			reply_error(req, 400, "missing \"%s\"", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		reply_error(req, 400, "\"%s\" must be a string", key);
		return NULL;
	}
	return json_string_value(v);
}

/*
 * Why a reason a person typed is refused, or NULL when it is fine.  It is
 * journaled, logged and shown in gatectl's tables, so it is one short line
 * of text: at most GATED_MAX_REASON bytes (a row cap must also bound
 * bytes), no control characters (C0, DEL, C1, the Unicode line separators
 * and bidirectional overrides: a newline forges a log line, ESC drives a
 * terminal) and something visible, not only blanks.
 * jansson has already checked that the string is valid UTF-8.
 */
static const char *
reason_invalid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	bool			 visible = false;

	if (strlen(s) > GATED_MAX_REASON)
		return "too long";
	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return "a control character (tab, newline, escape...)";
		if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return "a control character (U+0080 to U+009F)";
		/* U+2028, U+2029: line breaks to some viewers. */
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 ||
		    p[2] == 0xa9))
			return "a line or paragraph separator";
		/* U+202A-U+202E, U+2066-U+2069: text shown out of order. */
		if (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa &&
		    p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 &&
		    p[2] <= 0xa9)))
			return "a bidirectional control character";
		/* Blanks: space, U+00A0, U+2000-U+200B, U+202F, U+205F,
		 * U+3000, U+FEFF, U+1680. */
		if (*p == ' ')
			continue;
		if (p[0] == 0xc2 && p[1] == 0xa0) {
			p++;
			continue;
		}
		if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] <= 0x8b ||
		    p[2] == 0xaf)) {
			p += 2;
			continue;
		}
		if ((p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) ||
		    (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) ||
		    (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) ||
		    (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)) {
			p += 2;
			continue;
		}
		visible = true;
	}
	if (!visible)
		return "nothing visible in it";
	return NULL;
}

/* The "reason" member, checked; NULL with a 400 sent when refused. */
static const char *
body_reason(struct evhttp_request *req, json_t *body, bool required)
{
	const char	*reason, *why;

	if ((reason = body_string(req, body, "reason", required)) == NULL)
		return NULL;
	if ((why = reason_invalid(reason)) != NULL) {
		reply_error(req, 400, "\"reason\": %s; a reason is one line "
		    "of at most %d bytes of visible text", why, GATED_MAX_REASON);
		return NULL;
	}
	return reason;
}

/* A number member in C as hundredths of a degree. */
static int
body_temp(struct evhttp_request *req, json_t *body, const char *key,
    bool *has, int *centi)
{
	json_t	*v = json_object_get(body, key);
	double	 d;

	*has = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v)) {
		reply_error(req, 400, "\"%s\" must be a number (degrees C)",
		    key);
		return -1;
	}
	d = json_number_value(v);
	if (d < -50 || d > 150) {
		reply_error(req, 400, "\"%s\": %.1f is not a temperature", key,
		    d);
		return -1;
	}
	*has = true;
	*centi = (int)(d * 100 + (d < 0 ? -0.5 : 0.5));
	return 0;
}

static void
change_reply(struct evhttp_request *req, int rc, char *cause, json_t *ok)
{
	if (rc == 0)
		reply_json(req, 200, ok);
	else {
		json_decref(ok);
		reply_error(req, rc == 1 ? 404 : strstr(cause ? cause :
		    "", "journal") ? 503 : 400, "%s", cause ? cause :
		    "refused");
	}
	free(cause);
}

/* ---- routes ----------------------------------------------------------------- */

static void
route_status(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	reply_json(req, 200, redact_json(gate_status(a->gate), call->role,
	    ROLE_GUARD));
}

static void
route_mode(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	json_t		*body;
	const char	*mode, *reason;
	char		*cause = NULL;
	int64_t		 ev = 0;
	int		 rc;

	if ((body = body_json(req)) == NULL)
		return;
	if ((mode = body_string(req, body, "mode", true)) == NULL ||
	    (reason = body_reason(req, body, true)) == NULL) {
		json_decref(body);
		return;
	}
	if (config_find_mode(gate_conf(a->gate), mode) == NULL) {
		reply_error(req, 404, "no mode '%s'", mode);
		json_decref(body);
		return;
	}
	rc = gate_set_mode(a->gate, mode, call->actor, reason, &ev, &cause);
	change_reply(req, rc, cause, json_pack("{s:s, s:I}", "mode", mode,
	    "event", (json_int_t)ev));
	json_decref(body);
}

/* Who is inside now: counts by category and the people, oldest first. */
static void
route_occupancy(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	(void)call;
	reply_json(req, 200, gate_occupancy(a->gate));
}

/* A person id as the people list has them: 1-31 printable, no blanks. */
static bool
person_id_ok(const char *s)
{
	size_t	i, n = strlen(s);

	if (n == 0 || n > 31)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A guard forgives anti-passback for one person. */
static void
route_apb_reset(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	json_t		*body;
	const char	*person, *reason;
	char		*cause = NULL;
	int64_t		 ev = 0;
	int		 rc;

	if ((body = body_json(req)) == NULL)
		return;
	if ((person = body_string(req, body, "person", true)) == NULL ||
	    (reason = body_reason(req, body, true)) == NULL) {
		json_decref(body);
		return;
	}
	if (!person_id_ok(person)) {
		reply_error(req, 400, "\"person\": a person id is 1 to 31 "
		    "printable characters without blanks");
		json_decref(body);
		return;
	}
	rc = gate_apb_reset(a->gate, person, call->actor, reason, &ev, &cause);
	change_reply(req, rc, cause, json_pack("{s:s, s:I}", "person", person,
	    "event", (json_int_t)ev));
	json_decref(body);
}

/* The simulator's word on the clock: {"synced": true|false|null}. */
static void
route_sim_clock(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	json_t	*body, *v, *st;

	(void)call;
	if ((body = body_json(req)) == NULL)
		return;
	v = json_object_get(body, "synced");
	if (v == NULL || !(json_is_boolean(v) || json_is_null(v))) {
		reply_error(req, 400, "\"synced\": true, false, or null for "
		    "the real clock's word");
		json_decref(body);
		return;
	}
	gate_sim_synced(a->gate, json_is_null(v) ? -1 : json_is_true(v));
	json_decref(body);
	st = gate_status(a->gate);
	reply_json(req, 200, json_pack("{s:O}", "clock",
	    json_object_get(st, "clock")));
	json_decref(st);
}

static void
route_level(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	const struct level	*lv;
	json_t			*body, *n;
	const char		*reason;
	char			*cause = NULL;
	int64_t			 ev = 0;
	int			 rc, level;

	if ((body = body_json(req)) == NULL)
		return;
	n = json_object_get(body, "level");
	/* Range first: 4294967297 must not wrap to level 1 in an int. */
	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    json_integer_value(n) > INT_MAX) {
		reply_error(req, 400, "\"level\" must be a whole number "
		    "from 0 to %d", INT_MAX);
		json_decref(body);
		return;
	}
	level = (int)json_integer_value(n);
	if ((reason = body_reason(req, body, true)) == NULL) {
		json_decref(body);
		return;
	}
	if (config_find_level(gate_conf(a->gate), level) == NULL) {
		reply_error(req, 404, "no level %d", level);
		json_decref(body);
		return;
	}
	rc = gate_set_level(a->gate, level, call->actor, reason, &ev, &cause);
	lv = config_find_level(gate_conf(a->gate), level);
	change_reply(req, rc, cause, rc != 0 ? json_object() :
	    json_pack("{s:i, s:s, s:s, s:I}", "level", level, "name",
	    lv->name, "mode", lv->mode, "event", (json_int_t)ev));
	json_decref(body);
}

/*
 * A signed campus command, the body as it would arrive from the broker
 * (docs/mqtt.md): the same gate_campus_command the broker link calls.
 * The token's role lets the request in; the command's signature is what
 * gives it authority.
 */
static void
route_campus_command(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(req);
	size_t		 len = evbuffer_get_length(in);
	const char	*refusal = NULL;
	char		*text, *cause = NULL;
	int64_t		 ev = 0;
	int		 rc;

	(void)call;
	if (len >= COMMAND_TEXT_MAX) {
		reply_error(req, 413, "a command is at most %d bytes",
		    COMMAND_TEXT_MAX - 1);
		return;
	}
	text = xmalloc(len + 1);
	evbuffer_copyout(in, text, len);
	text[len] = '\0';
	rc = gate_campus_command(a->gate, text, len, NULL, &ev, &refusal,
	    &cause);
	free(text);
	if (rc == 0)
		reply_json(req, 200, json_pack("{s:b, s:I}", "applied", 1,
		    "event", (json_int_t)ev));
	else if (rc == 1)
		reply_json(req, strcmp(refusal, "replayed") == 0 ? 409 : 403,
		    json_pack("{s:b, s:s, s:o}", "applied", 0, "refused",
		    refusal, "error", api_string(cause ? cause : "refused")));
	else
		reply_error(req, 503, "%s", cause ? cause :
		    "journal write failed: command not applied");
	free(cause);
}

static void
route_open(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	const char	*lane = call->name;
	json_t		*body;
	const char	*reason;
	char		*cause = NULL;
	int64_t		 ev = 0;
	int		 rc;

	if ((body = body_json(req)) == NULL)
		return;
	if ((reason = body_reason(req, body, true)) == NULL) {
		json_decref(body);
		return;
	}
	if (config_find_lane(gate_conf(a->gate), lane) == -1) {
		reply_error(req, 404, "no lane '%s'", lane);
		json_decref(body);
		return;
	}
	rc = gate_open_lane(a->gate, lane, call->actor, reason, &ev, &cause);
	change_reply(req, rc, cause, json_pack("{s:s, s:I}", "lane", lane,
	    "event", (json_int_t)ev));
	json_decref(body);
}

static void
route_ack(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	const char	*id = call->name;
	json_t		*body, *v;
	const char	*reason;
	char		*end, *cause = NULL;
	long long	 alert;
	int64_t		 ev = 0;
	int		 rc;

	errno = 0;
	alert = strtoll(id, &end, 10);
	if (errno != 0 || *end != '\0' || alert <= 0) {
		reply_error(req, 400, "'%s' is not an alert id", id);
		return;
	}
	if ((body = body_json(req)) == NULL)
		return;
	/* Optional here: absent, null or "" is none; any other is checked. */
	v = json_object_get(body, "reason");
	reason = NULL;
	if (v != NULL && !(json_is_string(v) && json_string_value(v)[0] ==
	    '\0') && (reason = body_reason(req, body, false)) == NULL &&
	    !json_is_null(v)) {
		json_decref(body);
		return;
	}
	rc = gate_ack(a->gate, alert, call->actor, reason, &ev, &cause);
	if (rc == 0)
		stream_poke(a->stream);	/* an ack is journaled unannounced */
	change_reply(req, rc, cause, json_pack("{s:I, s:I}", "alert",
	    (json_int_t)alert, "event", (json_int_t)ev));
	json_decref(body);
}

/* A query parameter as a whole number, or def; -1 with a 400 sent. */
static int
query_int(struct evhttp_request *req, struct evkeyvalq *q, const char *key,
    long long def, long long *out)
{
	const char	*v = evhttp_find_header(q, key);
	char		*end;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || *v == '\0' || *out < 0) {
		reply_error(req, 400, "%s: '%s' is not a whole number >= 0",
		    key, v);
		return -1;
	}
	return 0;
}

static void
route_events(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	struct evkeyvalq	*q = call->query;
	long long		 after, before, limit;
	json_t			*j;

	if (query_int(req, q, "after", -1, &after) == -1 ||
	    query_int(req, q, "before", 0, &before) == -1 ||
	    query_int(req, q, "limit", 100, &limit) == -1)
		return;
	if (limit > 1000) {
		reply_error(req, 400, "limit: at most 1000 events at a time");
		return;
	}
	if (after >= 0 && before > 0) {
		reply_error(req, 400, "after and before: one or the other");
		return;
	}
	/* Paging forward from an id, or else the newest, like tail(1). */
	if (after >= 0)
		j = journal_events_json(gate_journal(a->gate), after,
		    (int)limit);
	else
		j = journal_events_before(gate_journal(a->gate), before,
		    (int)limit);
	if (j == NULL) {
		reply_error(req, 503, "journal read failed");
		return;
	}
	reply_json(req, 200, redact_json(j, call->role, ROLE_GUARD));
}

/*
 * The active alerts, a page at a time: status shows only the newest few,
 * so that a flood of alerts never makes every status answer huge.
 */
static void
route_alerts(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	struct evkeyvalq	*q = call->query;
	long long		 after, before, limit;

	if (query_int(req, q, "after", -1, &after) == -1 ||
	    query_int(req, q, "before", 0, &before) == -1 ||
	    query_int(req, q, "limit", 100, &limit) == -1)
		return;
	if (limit < 1 || limit > 1000) {
		reply_error(req, 400, "limit: 1 to 1000 alerts at a time");
		return;
	}
	if (after >= 0 && before > 0) {
		reply_error(req, 400, "after and before: one or the other");
		return;
	}
	reply_json(req, 200, redact_json(gate_alerts_page(a->gate, before,
	    after, (int)limit), call->role, ROLE_GUARD));
}

/* The live stream: after Last-Event-ID, or ?after=, or from now on. */
static void
route_stream(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	struct evkeyvalq	*q = call->query;
	const char		*last;
	char			*end;
	long long		 after;

	last = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Last-Event-ID");
	if (last != NULL) {
		errno = 0;
		after = strtoll(last, &end, 10);
		if (errno != 0 || *end != '\0' || *last == '\0' || after < 0) {
			reply_error(req, 400, "Last-Event-ID: '%s' is not an "
			    "event id", last);
			return;
		}
	} else if (evhttp_find_header(q, "after") != NULL) {
		if (query_int(req, q, "after", 0, &after) == -1)
			return;
	} else
		after = journal_last_id(gate_journal(a->gate));
	if (after < 0)
		after = 0;
	if (stream_start(a->stream, req, after, call->role) == -1)
		reply_error(req, 503, "too many event streams");
}

static void
route_metrics(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	struct evbuffer	*buf = evbuffer_new();

	(void)call;
	metrics_text(a->metrics, buf);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    GATED_PROTOCOL_HEADER, "1");
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
}

/* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (local time) or ms since 1970. */
static int
parse_when(const char *s, int64_t *ms)
{
	struct tm	 tm;
	const char	*end;
	char		*e;
	long long	 v;

	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL || *end) {
		memset(&tm, 0, sizeof tm);
		if ((end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) == NULL ||
		    *end) {
			memset(&tm, 0, sizeof tm);
			if ((end = strptime(s, "%Y-%m-%d", &tm)) == NULL ||
			    *end) {
				errno = 0;
				v = strtoll(s, &e, 10);
				if (errno || *e || *s == '\0' || v < 0)
					return -1;
				*ms = v;
				return 0;
			}
		}
	}
	tm.tm_isdst = -1;
	*ms = (int64_t)mktime(&tm) * 1000;
	return 0;
}

/* In the loop, when the report's thread is done: the answer. */
static void
report_done(void *arg, json_t *report, const char *cause)
{
	struct api		*a = arg;
	struct evhttp_request	*req = a->report_req;

	a->report = NULL;
	a->report_req = NULL;
	/* The report's per-person parts are an export: admins only. */
	if (report != NULL)
		reply_json(req, 200, redact_json(a->report_role >= ROLE_ADMIN ?
		    json_incref(report) : json_deep_copy(report),
		    a->report_role, ROLE_ADMIN));
	else
		reply_error(req, 503, "%s", cause != NULL ? cause :
		    "journal read failed");
}

static void
route_report(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	const char	*from = evhttp_find_header(call->query, "from");
	const char	*to = evhttp_find_header(call->query, "to");
	struct tm	 tm;
	time_t		 now = time(NULL);
	int64_t		 from_ms, to_ms;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	from_ms = (int64_t)mktime(&tm) * 1000;
	to_ms = (int64_t)now * 1000 + 999;
	if (from != NULL && parse_when(from, &from_ms) == -1) {
		reply_error(req, 400, "from: '%s' is not YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS]", from);
		return;
	}
	if (to != NULL && parse_when(to, &to_ms) == -1) {
		reply_error(req, 400, "to: '%s' is not YYYY-MM-DD or "
		    "YYYY-MM-DDTHH:MM[:SS]", to);
		return;
	}
	if (to != NULL && strlen(to) == 10)
		to_ms += 86400 * 1000 - 1;	/* a date means the whole day */
	if (to_ms < from_ms) {
		reply_error(req, 400, "the report ends before it starts");
		return;
	}
	if (a->report != NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", REPORT_RETRY_AFTER);
		reply_error(req, 503, "a report is already running: try again "
		    "in " REPORT_RETRY_AFTER " s");
		return;
	}
	/* An admin's report is an export of person ids: no record, none. */
	if (call->role >= ROLE_ADMIN && gate_export(a->gate, call->actor,
	    "report", from_ms, to_ms) == -1) {
		reply_error(req, 503, "the export cannot be journaled");
		return;
	}
	a->report = report_start(gate_base(a->gate),
	    loop_http_priority(gate_base(a->gate)),
	    journal_report_path(gate_journal(a->gate)), from_ms, to_ms,
	    REPORT_MAX_S, report_done, a);
	if (a->report == NULL) {
		reply_error(req, 503, "cannot start the report thread");
		return;
	}
	a->report_req = req;
	a->report_role = call->role;
}

/* ---- reloads ------------------------------------------------------------------ */

struct reload_wait {
	struct api		*api;
	struct evhttp_request	*req;
};

static void
people_reloaded(void *arg, struct people *p, const struct people_errors *e,
    double ms)
{
	struct reload_wait	*w = arg;
	json_t			*errs;
	int			 i;

	w->api->reloading = false;
	if (p == NULL) {
		errs = json_array();
		for (i = 0; i < e->kept; i++)
			json_array_append_new(errs, json_string(e->lines[i]));
		reply_json(w->req, 422, json_pack("{s:s, s:i, s:o}", "error",
		    e->count == 1 ? "people not reloaded (1 error): the "
		    "running set is kept" : "people not reloaded: the running "
		    "set is kept", "count", e->count, "errors", errs));
	} else {
		reply_json(w->req, 200, json_pack("{s:I, s:f}", "count",
		    (json_int_t)people_count(p), "ms",
		    (double)(int64_t)(ms * 10 + 0.5) / 10));
	}
	free(w);
}

static void
start_people_reload(struct api *a, struct evhttp_request *req,
    const char *actor, bool force)
{
	struct reload_wait	*w;

	if (a->reloading) {
		reply_error(req, 409, "a reload is already running");
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->api = a;
	w->req = req;
	a->reloading = true;
	if (people_reload(a->gate, actor, force, people_reloaded, w) == -1) {
		a->reloading = false;
		free(w);
		reply_error(req, 503, "cannot start the reload thread");
	}
}

/*
 * A config reload's 422: the cause is a sentence, then one "file:line:
 * reason" per line; the sentence is the error, the lines are "errors" (the
 * sentence itself when there are none, such as a hardware change).
 */
static json_t *
reload_errors(char *cause)
{
	json_t	*o, *errs = json_array();
	char	*nl, *line, *next;
	size_t	 n;

	if ((nl = strchr(cause, '\n')) != NULL) {
		*nl = '\0';
		for (line = nl + 1; *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			else
				next = line + strlen(line);
			if (*line != '\0')
				json_array_append_new(errs, api_string(line));
		}
		n = strlen(cause);
		if (n > 0 && cause[n - 1] == ':')
			cause[n - 1] = '\0';
	}
	if (json_array_size(errs) == 0)
		json_array_append_new(errs, api_string(cause));
	o = json_object();
	json_object_set_new(o, "error", api_string(cause));
	json_object_set_new(o, "errors", errs);
	return o;
}

static void
route_reload(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	char	*cause = NULL;

	if (a->reloading) {
		reply_error(req, 409, "a reload is already running");
		return;
	}
	if (gate_reload_config(a->gate, call->actor, &cause) == -1) {
		reply_json(req, 422, reload_errors(cause));
		free(cause);
		return;
	}
	start_people_reload(a, req, call->actor, false);
}

/* {"force": true} installs a list that shrinks past people-max-shrink. */
static void
route_people_reload(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	json_t	*body, *force;

	if ((body = body_json(req)) == NULL)
		return;
	force = json_object_get(body, "force");
	if (force != NULL && !json_is_boolean(force)) {
		reply_error(req, 400, "\"force\" must be true or false");
		json_decref(body);
		return;
	}
	start_people_reload(a, req, call->actor, json_is_true(force));
	json_decref(body);
}

/* ---- the simulator ---------------------------------------------------------- */

static void
card_wait_free(struct card_wait *w)
{
	if (w->timeout != NULL)
		event_free(w->timeout);
	free(w);
}

static void
card_decided(void *arg, const struct journal_event *ev)
{
	struct card_wait	*w = arg;
	json_t			*j;

	if (w->done || strcmp(ev->kind, "passage") != 0 || ev->card == NULL ||
	    (w->card[0] != '\0' && strcmp(ev->card, w->card) != 0) ||
	    ev->lane == NULL ||
	    strcmp(ev->lane, w->lane) != 0)
		return;
	w->done = true;
	j = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s?, s:s?}",
	    "verdict", ev->verdict, "reason", ev->reason,
	    "event", (json_int_t)ev->id, "lane", ev->lane,
	    "direction", ev->direction, "card", ev->card,
	    "person", ev->person, "category", ev->category);
	if (ev->has_temp)
		json_object_set_new(j, "temp",
		    json_real(ev->temp_centi / 100.0));
	reply_json(w->req, 200, j);
	/* Freed from the loop, not from inside the listener walk. */
	event_active(w->timeout, EV_TIMEOUT, 0);
}

static void
card_wait_end(evutil_socket_t fd, short what, void *arg)
{
	struct card_wait	*w = arg;

	(void)fd;
	(void)what;
	if (!w->done)
		reply_error(w->req, 504, "no decision within the wait");
	gate_unlisten(w->api->gate, card_decided, w);
	card_wait_free(w);
}

/*
 * A sim route needs only the backend it drives (the route table says
 * which): cards, temperatures and devices the USB one, buttons, inputs and
 * outputs the GPIO one.  So a gate on real GPIO lines with simulated
 * readers (the VM tests) still takes cards, and a gate on real hardware
 * refuses them all.
 */
static int
sim_required(struct api *a, struct evhttp_request *req, enum api_sim sim)
{
	if (sim == API_SIM_USB ? gate_sim_usb(a->gate) == NULL :
	    gate_sim_gpio(a->gate) == NULL) {
		reply_error(req, 409, "this gate runs real hardware, not the "
		    "simulator");
		return -1;
	}
	return 0;
}

/*
 * {"reader": R, "bits": "1000..."}: a frame on a Wiegand reader's lines,
 * through the GPIO simulator's assembler and decoder with the pulses
 * gap_ms apart (default 2).  A card is decided as any card, and the reply
 * waits for it; a read error is answered at once with its name.
 */
static void
sim_wiegand(struct api *a, struct evhttp_request *req, json_t *body, int r)
{
	const struct gate_conf	*c = gate_conf(a->gate);
	struct card_wait	*w;
	json_t			*gap;
	const char		*bits, *error;
	struct timeval		 tv;
	double			 gap_ms = 2;
	int			 t, wait_ms;

	if ((bits = body_string(req, body, "bits", true)) == NULL)
		return;
	if ((gap = json_object_get(body, "gap_ms")) != NULL) {
		if (!json_is_number(gap)) {
			reply_error(req, 400, "\"gap_ms\" must be a number");
			return;
		}
		gap_ms = json_number_value(gap);
	}
	if (gate_sim_gpio(a->gate) == NULL) {
		reply_error(req, 409, "this gate runs real GPIO lines, not "
		    "the simulator");
		return;
	}
	if (c->readers[r].wiegand_d0[0] == '\0') {
		reply_error(req, 400, "reader '%s' is not a Wiegand reader",
		    c->readers[r].name);
		return;
	}
	t = config_find_lane(c, c->readers[r].lane);
	w = xcalloc(1, sizeof *w);
	w->api = a;
	w->req = req;
	snprintf(w->lane, sizeof w->lane, "%s", c->readers[r].lane);
	w->timeout = evtimer_new(gate_base(a->gate), card_wait_end, w);
	if (gate_listen(a->gate, card_decided, w) == -1) {
		reply_error(req, 503, "too many waiting requests");
		card_wait_free(w);
		return;
	}
	if (sim_gpio_wiegand(gate_sim_gpio(a->gate), r, bits,
	    (int64_t)(gap_ms * 1e6), &error) == -1) {
		gate_unlisten(a->gate, card_decided, w);
		card_wait_free(w);
		reply_error(req, 400, "bits: a frame is 1 to %d of '0' and "
		    "'1', gap_ms less than the reader's bit-gap",
		    2 * WIEGAND_BITS_MAX);
		return;
	}
	if (error != NULL) {
		gate_unlisten(a->gate, card_decided, w);
		card_wait_free(w);
		reply_json(req, 200, json_pack("{s:s}", "read_error", error));
		return;
	}
	if (w->done) {
		/* Decided at once: card_decided replied and freed it. */
		return;
	}
	wait_ms = c->lanes[t].temp_wait_ms + 5000;
	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	evtimer_add(w->timeout, &tv);
}

/* A visitor pass as a QR scanner on a USB reader types it. */
static void
sim_pass(struct api *a, struct evhttp_request *req, json_t *body, int r)
{
	const struct gate_conf	*c = gate_conf(a->gate);
	struct card_wait	*w;
	const char		*text;
	struct timeval		 tv = { 5, 0 };

	if ((text = body_string(req, body, "pass", true)) == NULL)
		return;
	if (strlen(text) >= PASS_TEXT_MAX) {
		reply_error(req, 400, "\"pass\": longer than a reader types "
		    "(%d characters)", PASS_TEXT_MAX - 1);
		return;
	}
	if (c->readers[r].wiegand_d0[0] != '\0') {
		reply_error(req, 400, "reader '%s' is a Wiegand reader: passes "
		    "come from a QR scanner (USB)", c->readers[r].name);
		return;
	}
	w = xcalloc(1, sizeof *w);
	w->api = a;
	w->req = req;
	snprintf(w->lane, sizeof w->lane, "%s", c->readers[r].lane);
	w->timeout = evtimer_new(gate_base(a->gate), card_wait_end, w);
	evtimer_add(w->timeout, &tv);
	if (gate_listen(a->gate, card_decided, w) == -1) {
		reply_error(req, 503, "too many waiting requests");
		card_wait_free(w);
		return;
	}
	sim_usb_pass(gate_sim_usb(a->gate), r, text);
}

static void
route_sim_card(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	const struct gate_conf	*c = gate_conf(a->gate);
	struct card_wait	*w;
	json_t			*body;
	const char		*reader, *uidtext;
	struct timeval		 tv;
	uint64_t		 uid;
	bool			 has_temp;
	int			 r, t, centi, wait_ms;

	(void)call;
	if ((body = body_json(req)) == NULL)
		return;
	if ((reader = body_string(req, body, "reader", true)) == NULL)
		goto out;
	if (json_object_get(body, "bits") != NULL) {
		if ((r = gate_find_reader(a->gate, reader)) == -1)
			reply_error(req, 404, "no reader '%s'", reader);
		else
			sim_wiegand(a, req, body, r);
		goto out;
	}
	if (json_object_get(body, "pass") != NULL) {
		if ((r = gate_find_reader(a->gate, reader)) == -1)
			reply_error(req, 404, "no reader '%s'", reader);
		else
			sim_pass(a, req, body, r);
		goto out;
	}
	if ((uidtext = body_string(req, body, "uid", true)) == NULL ||
	    body_temp(req, body, "temp", &has_temp, &centi) == -1)
		goto out;
	if ((r = gate_find_reader(a->gate, reader)) == -1) {
		reply_error(req, 404, "no reader '%s'", reader);
		goto out;
	}
	if (card_uid_parse(uidtext, &uid) == -1) {
		reply_error(req, 400, "uid: '%s' is not a card number "
		    "(decimal, or hex with 0x)", uidtext);
		goto out;
	}
	t = config_find_lane(c, c->readers[r].lane);
	if (has_temp) {
		if (!c->lanes[t].thermometer[0]) {
			reply_error(req, 400, "lane %s has no thermometer",
			    c->lanes[t].name);
			goto out;
		}
		sim_usb_temperature(gate_sim_usb(a->gate),
		    gate_find_therm(a->gate, c->lanes[t].thermometer), centi);
	}
	w = xcalloc(1, sizeof *w);
	w->api = a;
	w->req = req;
	snprintf(w->lane, sizeof w->lane, "%s", c->readers[r].lane);
	snprintf(w->card, sizeof w->card, "%" PRIu64, uid);
	w->timeout = evtimer_new(gate_base(a->gate), card_wait_end, w);
	wait_ms = c->lanes[t].temp_wait_ms + 5000;
	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	evtimer_add(w->timeout, &tv);
	if (gate_listen(a->gate, card_decided, w) == -1) {
		reply_error(req, 503, "too many waiting requests");
		event_free(w->timeout);
		free(w);
		goto out;
	}
	sim_usb_card(gate_sim_usb(a->gate), r, uid);
out:
	json_decref(body);
}

static void
route_sim_temperature(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	json_t		*body;
	const char	*name;
	bool		 has;
	int		 t, centi;

	(void)call;

	if ((body = body_json(req)) == NULL)
		return;
	if ((name = body_string(req, body, "thermometer", true)) == NULL ||
	    body_temp(req, body, "temp", &has, &centi) == -1)
		goto out;
	if (!has) {
		reply_error(req, 400, "missing \"temp\"");
		goto out;
	}
	if ((t = gate_find_therm(a->gate, name)) == -1) {
		reply_error(req, 404, "no thermometer '%s'", name);
		goto out;
	}
	sim_usb_temperature(gate_sim_usb(a->gate), t, centi);
	reply_json(req, 200, json_pack("{s:s, s:f}", "thermometer", name,
	    "temp", centi / 100.0));
out:
	json_decref(body);
}

static int
sim_input_line(struct api *a, struct evhttp_request *req, const char *name)
{
	const struct gate_conf	*c = gate_conf(a->gate);
	int			 line;

	if ((line = config_find_line(c, name)) == -1 ||
	    c->lines[line].dir != LINE_INPUT) {
		reply_error(req, 404, "no input '%s'", name);
		return -1;
	}
	return line;
}

/* A button is pressed and released; an input holds the value given. */
static void
sim_input(struct api *a, struct evhttp_request *req, bool press)
{
	json_t		*body, *v;
	const char	*name;
	int		 line, value = 1;

	if ((body = body_json(req)) == NULL)
		return;
	if ((name = body_string(req, body, "name", true)) == NULL)
		goto out;
	if (!press) {
		v = json_object_get(body, "value");
		if (!json_is_integer(v) || (json_integer_value(v) != 0 &&
		    json_integer_value(v) != 1)) {
			reply_error(req, 400, "\"value\" must be 0 or 1");
			goto out;
		}
		value = (int)json_integer_value(v);
	}
	if ((line = sim_input_line(a, req, name)) == -1)
		goto out;
	if (press) {
		sim_gpio_input(gate_sim_gpio(a->gate), line, 1);
		sim_gpio_input(gate_sim_gpio(a->gate), line, 0);
	} else
		sim_gpio_input(gate_sim_gpio(a->gate), line, value);
	reply_json(req, 200, json_pack("{s:s, s:i}", "name", name, "value",
	    press ? 0 : value));
out:
	json_decref(body);
}

static void
route_sim_button(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	(void)call;
	sim_input(a, req, true);
}

static void
route_sim_input(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	(void)call;
	sim_input(a, req, false);
}

static void
route_sim_device(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	json_t		*body, *up;
	const char	*name;

	(void)call;

	if ((body = body_json(req)) == NULL)
		return;
	if ((name = body_string(req, body, "name", true)) == NULL)
		goto out;
	up = json_object_get(body, "up");
	if (!json_is_boolean(up)) {
		reply_error(req, 400, "\"up\" must be true or false");
		goto out;
	}
	if (sim_usb_device(gate_sim_usb(a->gate), name, json_is_true(up)) ==
	    -1) {
		reply_error(req, 404, "no device '%s' (not a reader's or "
		    "thermometer's)", name);
		goto out;
	}
	reply_json(req, 200, json_pack("{s:s, s:b}", "name", name, "up",
	    json_is_true(up)));
out:
	json_decref(body);
}

static void
route_sim_outputs(struct api *a, struct evhttp_request *req,
    const struct api_call *call)
{
	long long	history;

	if (query_int(req, call->query, "history", 0, &history) == -1)
		return;
	reply_json(req, 200, json_pack("{s:o}", "outputs",
	    sim_gpio_outputs(gate_sim_gpio(a->gate), (int)history)));
}

/* ---- the api ----------------------------------------------------------- */

struct api *
api_new(struct gate *g)
{
	struct api	*a = xcalloc(1, sizeof *a);

	a->gate = g;
	a->stream = stream_new(g);
	a->metrics = metrics_new(g);
	return a;
}

/* After the transports: their connections end the streams. */
void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	report_cancel(a->report);
	stream_free(a->stream);
	metrics_free(a->metrics);
	free(a);
}

/* ---- the route table --------------------------------------------------- */

/*
 * Every route once: its method, its path, the least role a token needs
 * for it (auth.c reads it here) and the simulator it drives, if any.
 * docs/api.md lists the same routes with their methods and roles, and
 * test-routes checks that the two agree.  In a path, '*' stands for a
 * name: see route_match.
 */
const struct api_route api_routes[] = {
	{ .method = "GET", .path = "/v1/status", .role = ROLE_VIEWER,
	  .handle = route_status },
	{ .method = "POST", .path = "/v1/mode", .role = ROLE_ADMIN,
	  .handle = route_mode },
	{ .method = "POST", .path = "/v1/level", .role = ROLE_ADMIN,
	  .handle = route_level },
	{ .method = "POST", .path = "/v1/campus/command", .role = ROLE_ADMIN,
	  .handle = route_campus_command },
	{ .method = "POST", .path = "/v1/lanes/*/open", .role = ROLE_GUARD,
	  .handle = route_open },
	{ .method = "POST", .path = "/v1/alerts/*/ack", .role = ROLE_GUARD,
	  .handle = route_ack },
	{ .method = "GET", .path = "/v1/occupancy", .role = ROLE_GUARD,
	  .handle = route_occupancy },
	{ .method = "POST", .path = "/v1/apb/reset", .role = ROLE_GUARD,
	  .handle = route_apb_reset },
	{ .method = "GET", .path = "/v1/alerts", .role = ROLE_VIEWER,
	  .handle = route_alerts },
	{ .method = "GET", .path = "/v1/events", .role = ROLE_VIEWER,
	  .handle = route_events },
	{ .method = "GET", .path = "/v1/events/stream", .role = ROLE_VIEWER,
	  .handle = route_stream },
	{ .method = "GET", .path = "/metrics", .role = ROLE_VIEWER,
	  .handle = route_metrics },
	{ .method = "GET", .path = "/v1/report", .role = ROLE_VIEWER,
	  .handle = route_report },
	{ .method = "POST", .path = "/v1/people/reload", .role = ROLE_ADMIN,
	  .handle = route_people_reload },
	{ .method = "POST", .path = "/v1/reload", .role = ROLE_ADMIN,
	  .handle = route_reload },
	{ .method = "POST", .path = "/v1/sim/card", .role = ROLE_ADMIN,
	  .sim = API_SIM_USB, .handle = route_sim_card },
	{ .method = "POST", .path = "/v1/sim/temperature", .role = ROLE_ADMIN,
	  .sim = API_SIM_USB, .handle = route_sim_temperature },
	{ .method = "POST", .path = "/v1/sim/button", .role = ROLE_ADMIN,
	  .sim = API_SIM_GPIO, .handle = route_sim_button },
	{ .method = "POST", .path = "/v1/sim/input", .role = ROLE_ADMIN,
	  .sim = API_SIM_GPIO, .handle = route_sim_input },
	{ .method = "POST", .path = "/v1/sim/device", .role = ROLE_ADMIN,
	  .sim = API_SIM_USB, .handle = route_sim_device },
	{ .method = "GET", .path = "/v1/sim/outputs", .role = ROLE_ADMIN,
	  .sim = API_SIM_GPIO, .handle = route_sim_outputs },
	{ .method = "POST", .path = "/v1/sim/clock", .role = ROLE_ADMIN,
	  .sim = API_SIM_GPIO, .handle = route_sim_clock },
	{ .method = NULL }
};

/*
 * Whether path is the pattern's: the same bytes, or for a pattern with a
 * '*', the bytes before it, then a name, then the bytes after it, which
 * begin with the path's last '/'.  The name is any bytes, even none or a
 * '/' (the lane of /v1/lanes/a/b/open is "a/b"): the handler answers that
 * there is no such lane or alert, as for any other unknown name.
 */
static bool
route_match(const char *pattern, const char *path, size_t *name_off,
    size_t *name_len)
{
	const char	*star, *slash;
	size_t		 n;

	if ((star = strchr(pattern, '*')) == NULL) {
		if (strcmp(pattern, path) != 0)
			return false;
		if (name_off != NULL)
			*name_off = strlen(path);	/* no name: "" */
		if (name_len != NULL)
			*name_len = 0;
		return true;
	}
	n = (size_t)(star - pattern);
	if (strncmp(path, pattern, n) != 0 ||
	    (slash = strrchr(path + n, '/')) == NULL ||
	    strcmp(slash, star + 1) != 0)
		return false;
	if (name_off != NULL)
		*name_off = n;
	if (name_len != NULL)
		*name_len = (size_t)(slash - (path + n));
	return true;
}

/*
 * The route of a percent-decoded path, whatever the method, or NULL; a
 * '*' in its pattern matched the name_len bytes at name_off (either may be
 * NULL).  No two routes share a path, so the first that matches is it.
 */
const struct api_route *
api_route_find(const char *path, size_t *name_off, size_t *name_len)
{
	const struct api_route	*r;

	for (r = api_routes; r->method != NULL; r++) {
		if (route_match(r->path, path, name_off, name_len))
			return r;
	}
	return NULL;
}

/* ---- dispatch ---------------------------------------------------------- */

static bool
method_is(struct evhttp_request *req, const char *want)
{
	enum evhttp_cmd_type	cmd = evhttp_request_get_command(req);

	if ((cmd == EVHTTP_REQ_GET && strcmp(want, "GET") == 0) ||
	    (cmd == EVHTTP_REQ_POST && strcmp(want, "POST") == 0))
		return true;
	reply_error(req, 405, "use %s", want);
	return false;
}

/*
 * The version in an X-Gated-Protocol header: digits only, so "1abc", " 1"
 * or "+1" is not version 1; -1 for anything else.
 */
static long
protocol_version(const char *v)
{
	const char	*p;

	if (*v == '\0' || strlen(v) > 9)
		return -1;
	for (p = v; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return -1;
	}
	return strtol(v, NULL, 10);
}

/*
 * Answers one request.  actor names who asks (a local user, later a
 * token); it is journaled with every change.  role is what it may see
 * (the local socket has every right): redact.c takes the rest.  Checked
 * in this order: the protocol version, the path, the query, the route
 * (404), the simulator it needs (409), its method (405); then the route's
 * handler answers.
 */
void
api_handle(struct api *a, struct evhttp_request *req, const char *actor,
    enum role role)
{
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path = evhttp_uri_get_path(uri);
	const char		*query = evhttp_uri_get_query(uri);
	const char		*proto;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const struct api_route	*r;
	struct api_call		 call;
	struct evkeyvalq	 q;
	char			*decoded = NULL;
	size_t			 name_off = 0, name_len = 0;

	/* Set on every request: an openssl bufferevent re-creates its
	 * events after the handshake, at the default priority. */
	if (evcon != NULL)
		bufferevent_priority_set(evhttp_connection_get_bufferevent(
		    evcon), loop_http_priority(gate_base(a->gate)));
	TAILQ_INIT(&q);
	proto = evhttp_find_header(evhttp_request_get_input_headers(req),
	    GATED_PROTOCOL_HEADER);
	if (proto != NULL && protocol_version(proto) != GATED_PROTOCOL_VERSION) {
		reply_error(req, 400, "protocol version %s not supported "
		    "(this agent speaks %d)", proto, GATED_PROTOCOL_VERSION);
		return;
	}
	if (path == NULL || (decoded = evhttp_uridecode(path, 0, NULL)) ==
	    NULL) {
		reply_error(req, 400, "bad path");
		return;
	}
	if (query != NULL && evhttp_parse_query_str(query, &q) == -1)
		reply_error(req, 400, "bad query string");
	else if ((r = api_route_find(decoded, &name_off, &name_len)) == NULL)
		reply_error(req, 404, "no route %s", decoded);
	else if (r->sim != API_SIM_NONE && sim_required(a, req, r->sim) == -1)
		;
	else if (method_is(req, r->method)) {
		decoded[name_off + name_len] = '\0';
		call.actor = actor;
		call.role = role;
		call.query = &q;
		call.name = decoded + name_off;
		r->handle(a, req, &call);
	}
	evhttp_clear_headers(&q);
	free(decoded);
}
