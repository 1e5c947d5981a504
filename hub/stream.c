/*
 * stream.c: GET /v1/events/stream, the campus's events as server-sent
 * events, each sent once its batch is committed: "data:" and the event as
 * the gate published it plus "gate".  GET /v1/gates/G/events/stream is
 * gate G's alone, as the gate's own stream sends them: each with "id:"
 * (the gate's event id), and from Last-Event-ID or ?after= the journal's
 * events after it first, so that a page resumes with none missed or
 * twice (the console's gate page through the hub).  A comment line every 15 s keeps
 * idle connections (and proxies) open; a client that reads slower than
 * the campus writes is dropped when STREAM_BACKLOG_MAX is queued to it,
 * rather than the hub buffering without end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>

#include "api.h"
#include "log.h"
#include "redact.h"
#include "xmalloc.h"

#define STREAM_BACKLOG_MAX	(4 << 20)
#define STREAM_PING_S		15
#define STREAM_REPLAY_MAX	1000	/* events sent again on a resume */

struct stream_client {
	struct hub_stream		*s;
	struct evhttp_request		*req;
	struct evhttp_connection	*conn;
	int				 role;
	char				 gate[HUB_NAME_LEN];	/* "": all */
	long long			 last_id;	/* of gate, sent */
	struct stream_client		*next;
};

struct hub_stream {
	struct hub		*hub;
	struct stream_client	*clients;
	size_t			 nclients;
	struct event		*ping;
	long long		 dropped;
};

static void
stream_remove(struct stream_client *c)
{
	struct stream_client	**pp;

	for (pp = &c->s->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			c->s->nclients--;
			break;
		}
	free(c);
}

/*
 * The connection is going.  When the client hung up, evhttp has let go of
 * the unfinished request and it is ours to free (as agent/stream.c does);
 * when the hub is shutting down, evhttp frees it itself.
 */
static void
stream_on_close(struct evhttp_connection *conn, void *arg)
{
	struct stream_client	*c = arg;

	(void)conn;
	if (evhttp_request_get_connection(c->req) == NULL)
		evhttp_request_free(c->req);
	stream_remove(c);
}

/* Sends text to one client, or drops it when it is too far behind. */
static void
stream_send(struct stream_client *c, const char *text)
{
	struct bufferevent	*bev = evhttp_connection_get_bufferevent(
				    c->conn);
	struct evbuffer		*b;

	if (bev != NULL && evbuffer_get_length(bufferevent_get_output(bev)) >
	    STREAM_BACKLOG_MAX) {
		log_warnx("stream: a client %d MiB behind dropped",
		    STREAM_BACKLOG_MAX >> 20);
		c->s->dropped++;
		evhttp_connection_set_closecb(c->conn, NULL, NULL);
		evhttp_send_reply_end(c->req);
		stream_remove(c);
		return;
	}
	b = evbuffer_new();
	evbuffer_add(b, text, strlen(text));
	evhttp_send_reply_chunk(c->req, b);
	evbuffer_free(b);
}

/* One event of a gate's stream, with its id; none twice, none backwards. */
static void
stream_send_id(struct stream_client *c, long long id, const char *data)
{
	char	*text;

	if (id <= c->last_id)
		return;
	c->last_id = id;
	xasprintf(&text, "id: %lld\n%s", id, data);
	stream_send(c, text);
	free(text);
}

void
hub_stream_event(struct hub_stream *s, const char *gate, json_t *row)
{
	struct stream_client	*c, *next;
	json_t			*doc;
	char			*text[2] = { NULL, NULL }, *json;
	int			 i;

	if (s == NULL || s->clients == NULL)
		return;
	/* Two versions at most: as guards see it, and without persons. */
	for (i = 0; i < 2; i++) {
		doc = json_deep_copy(row);
		json_object_set_new(doc, "gate", json_string(gate));
		redact_json(doc, i, 1);
		json = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(doc);
		if (json != NULL)
			xasprintf(&text[i], "data: %s\n\n", json);
		free(json);
	}
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (text[c->role >= HUB_GUARD] == NULL)
			continue;
		if (c->gate[0] == '\0')
			stream_send(c, text[c->role >= HUB_GUARD]);
		else if (strcmp(c->gate, gate) == 0)
			stream_send_id(c, json_integer_value(json_object_get(row,
			    "id")), text[c->role >= HUB_GUARD]);
	}
	free(text[0]);
	free(text[1]);
}

static void
stream_on_ping(evutil_socket_t fd, short what, void *arg)
{
	struct hub_stream	*s = arg;
	struct stream_client	*c, *next;

	(void)fd;
	(void)what;
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		stream_send(c, ": keepalive\n\n");
	}
}

/* The client's stream begins: the headers, and it joins the list. */
static struct stream_client *
stream_open(struct api_req *r, const char *gate)
{
	struct hub_stream	*s = r->hub->stream;
	struct stream_client	*c = xcalloc(1, sizeof *c);
	struct evkeyvalq	*h = evhttp_request_get_output_headers(r->req);

	snprintf(c->gate, sizeof c->gate, "%s", gate);
	c->s = s;
	c->req = r->req;
	c->conn = evhttp_request_get_connection(r->req);
	c->role = r->role;
	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	evhttp_send_reply_start(r->req, 200, "OK");
	evhttp_connection_set_closecb(c->conn, stream_on_close, c);
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	stream_send(c, ": gated-hub events\n\n");
	return c;
}

void
api_events_stream(struct api_req *r)
{
	stream_open(r, "");
}

/* A journal row sent again on a resume, as the stream sends it. */
static int
replay_row(void *arg, int ncol, const char *const *v)
{
	struct stream_client	*c = arg;
	json_t			*e;
	char			*json, *text;

	if (ncol != 2 || v[0] == NULL || v[1] == NULL)
		return 0;
	e = api_event_json(v[0], v[1]);
	redact_json(e, c->role >= HUB_GUARD, 1);
	json = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	if (json != NULL) {
		xasprintf(&text, "data: %s\n\n", json);
		stream_send_id(c, json_integer_value(json_object_get(e, "id")),
		    text);
		free(text);
	}
	free(json);
	json_decref(e);
	return 0;
}

static const char sql_replay[] =
    "SELECT gate, body FROM events WHERE gate = ? AND id > ? "
    "ORDER BY id LIMIT ?";

/*
 * GET /v1/gates/G/events/stream: gate G's events, after Last-Event-ID or
 * ?after= (the journal's first, then live), or from now on.  The replay
 * and the list are on the hub's one loop, where batches are committed:
 * no event falls between them.
 */
void
api_gate_events_stream(struct api_req *r)
{
	struct stream_client	*c;
	const char		*last, *p[3];
	char			 buf[32], lim[16];

	last = evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    "Last-Event-ID");
	if (last == NULL)
		last = api_query(r, "after", buf, sizeof buf);
	if (last != NULL && (*last == '\0' || strspn(last, "0123456789") !=
	    strlen(last) || strlen(last) > 18)) {
		api_error(r, 400, "after (or Last-Event-ID) is an event id");
		return;
	}
	c = stream_open(r, r->cap[0]);
	if (last == NULL)
		return;
	c->last_id = strtoll(last, NULL, 10);
	snprintf(lim, sizeof lim, "%d", STREAM_REPLAY_MAX);
	p[0] = c->gate;
	p[1] = last;
	p[2] = lim;
	if (db_query(r->hub->db, sql_replay, 3, p, replay_row, c) == -1)
		log_warnx("stream: %s's events after %s: %s", c->gate, last,
		    db_error(r->hub->db));
}

size_t
hub_stream_clients(const struct hub_stream *s)
{
	return s == NULL ? 0 : s->nclients;
}

struct hub_stream *
hub_stream_new(struct hub *hub)
{
	struct hub_stream	*s = xcalloc(1, sizeof *s);
	struct timeval		 tv = { STREAM_PING_S, 0 };

	s->hub = hub;
	if ((s->ping = event_new(hub->base, -1, EV_PERSIST, stream_on_ping,
	    s)) == NULL)
		fatalx("event_new");
	evtimer_add(s->ping, &tv);
	return s;
}

void
hub_stream_free(struct hub_stream *s)
{
	if (s == NULL)
		return;
	while (s->clients != NULL) {
		evhttp_connection_set_closecb(s->clients->conn, NULL, NULL);
		stream_remove(s->clients);
	}
	event_free(s->ping);
	free(s);
}
