/*
 * stream.c: GET /v1/events/stream, the campus's events as server-sent
 * events, each sent once its batch is committed: "data:" and the event as
 * the gate published it plus "gate".  A comment line every 15 s keeps
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

struct stream_client {
	struct hub_stream		*s;
	struct evhttp_request		*req;
	struct evhttp_connection	*conn;
	int				 role;
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

static void
stream_on_close(struct evhttp_connection *conn, void *arg)
{
	(void)conn;
	stream_remove(arg);
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
		if (text[c->role >= HUB_GUARD] != NULL)
			stream_send(c, text[c->role >= HUB_GUARD]);
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

void
api_events_stream(struct api_req *r)
{
	struct hub_stream	*s = r->hub->stream;
	struct stream_client	*c = xcalloc(1, sizeof *c);
	struct evkeyvalq	*h = evhttp_request_get_output_headers(r->req);

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
