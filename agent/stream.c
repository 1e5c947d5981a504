/*
 * stream.c: GET /v1/events/stream, the journal as Server-Sent Events.
 * Every event goes out as "id: N" and "data: {json}", in id order, and a
 * client resumes with Last-Event-ID.  What is sent is always read back from
 * the journal after the last id that client got, a page at a time and the
 * next page only once the last one is written: so nothing is missed or
 * sent twice, and a slow client costs one page of memory, not a backlog.
 * One gate listener serves every client; it only wakes the sender.
 * Streams have a limit of their own, well below the connections': a
 * viewer holding streams must not keep others (and admins above all) from
 * the API.  The limit per client address is the front's (front.c), which
 * knows the address: here every stream comes over a Unix socket.
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "agent.h"
#include "protocol.h"

#define STREAM_PAGE		200	/* events read and sent at a time */
#define STREAM_CLIENTS_MAX	32	/* in all */
#define STREAM_HEARTBEAT_S	15
#define STREAM_WRITE_TIMEOUT_S	60	/* a client not reading is dropped */

struct stream_client {
	TAILQ_ENTRY(stream_client)	 entry;
	struct stream			*stream;
	struct evhttp_request		*req;
	int64_t				 last_id;	/* the last one sent */
	enum role			 role;		/* what it may see */
	bool				 writing;	/* a chunk in flight */
	bool				 more;		/* send again once written */
};

struct stream {
	struct gate			*gate;
	TAILQ_HEAD(, stream_client)	 clients;
	int				 nclients;
	bool				 listening;
	struct event			*wake;		/* the journal grew */
	struct event			*heartbeat;
};

static bool	stream_send(struct stream_client *);

/* A chunk went out: the next page, or what came in meanwhile. */
static void
stream_written(struct evhttp_connection *evcon, void *arg)
{
	struct stream_client	*c = arg;

	(void)evcon;
	c->writing = false;
	if (c->more) {
		c->more = false;
		stream_send(c);
	}
}

static void
stream_chunk(struct stream_client *c, struct evbuffer *buf)
{
	c->writing = true;
	evhttp_send_reply_chunk_with_cb(c->req, buf, stream_written, c);
}

/*
 * Sends the next page of events after the client's last id; whether it
 * sent any.  While a chunk is still being written it only notes that there
 * is more.
 */
static bool
stream_send(struct stream_client *c)
{
	struct evbuffer	*buf;
	json_t		*page, *events, *e;
	char		*text;
	size_t		 i;
	int64_t		 id;

	if (c->writing) {
		c->more = true;
		return false;
	}
	page = journal_events_json(gate_journal(c->stream->gate), c->last_id,
	    STREAM_PAGE);
	if (page == NULL)
		return false;	/* logged; the next event or heartbeat retries */
	events = json_object_get(redact_json(page, c->role, ROLE_GUARD),
	    "events");
	if (json_array_size(events) == 0) {
		json_decref(page);
		return false;
	}
	buf = evbuffer_new();
	json_array_foreach(events, i, e) {
		id = json_integer_value(json_object_get(e, "id"));
		if ((text = json_dumps(e, JSON_COMPACT)) == NULL)
			continue;
		evbuffer_add_printf(buf, "id: %" PRId64 "\ndata: %s\n\n", id,
		    text);
		free(text);
		c->last_id = id;
	}
	c->more = json_array_size(events) == STREAM_PAGE;
	json_decref(page);
	stream_chunk(c, buf);
	evbuffer_free(buf);
	return true;
}

static void
stream_wake(evutil_socket_t fd, short what, void *arg)
{
	struct stream		*s = arg;
	struct stream_client	*c;

	(void)fd;
	(void)what;
	TAILQ_FOREACH(c, &s->clients, entry)
		stream_send(c);
}

/*
 * Every 15 s: what the journal got without a listener hearing of it (an
 * acknowledgement), else a comment line, which keeps proxies and NAT from
 * timing the stream out.
 */
static void
stream_heartbeat(evutil_socket_t fd, short what, void *arg)
{
	struct stream		*s = arg;
	struct stream_client	*c;
	struct evbuffer		*buf;

	(void)fd;
	(void)what;
	TAILQ_FOREACH(c, &s->clients, entry) {
		if (c->writing || stream_send(c))
			continue;
		buf = evbuffer_new();
		evbuffer_add_printf(buf, ": heartbeat\n\n");
		stream_chunk(c, buf);
		evbuffer_free(buf);
	}
}

/* The gate journaled something: send it from the loop, not from here. */
static void
stream_event(void *arg, const struct journal_event *ev)
{
	struct stream	*s = arg;

	(void)ev;
	if (s->nclients > 0)
		event_active(s->wake, EV_TIMEOUT, 0);
}

/* Something was journaled that no listener hears of: send it now. */
void
stream_poke(struct stream *s)
{
	stream_event(s, NULL);
}

/*
 * The connection is going.  When the client hung up, evhttp has let go of
 * the unfinished request and it is ours to free; when the server is
 * shutting down, evhttp frees it itself.
 */
static void
stream_closed(struct evhttp_connection *evcon, void *arg)
{
	struct stream_client	*c = arg;
	struct stream		*s = c->stream;

	(void)evcon;
	TAILQ_REMOVE(&s->clients, c, entry);
	s->nclients--;
	if (evhttp_request_get_connection(c->req) == NULL)
		evhttp_request_free(c->req);
	log_debug("%s: stream client gone after id %" PRId64, __func__,
	    c->last_id);
	free(c);
	if (s->nclients == 0)
		evtimer_del(s->heartbeat);
}

struct stream *
stream_new(struct gate *g)
{
	struct stream	*s = xcalloc(1, sizeof *s);

	s->gate = g;
	TAILQ_INIT(&s->clients);
	s->wake = event_new(gate_base(g), -1, 0, stream_wake, s);
	s->heartbeat = event_new(gate_base(g), -1, EV_PERSIST,
	    stream_heartbeat, s);
	if (s->wake == NULL || s->heartbeat == NULL)
		fatalx("%s: event_new", __func__);
	/* Below the gate's own events: a stream never delays a decision. */
	event_priority_set(s->wake, loop_http_priority(gate_base(g)));
	event_priority_set(s->heartbeat, loop_http_priority(gate_base(g)));
	return s;
}

void
stream_free(struct stream *s)
{
	struct stream_client	*c;

	if (s == NULL)
		return;
	/* The transports are freed first, which closes every stream; a
	 * client still here is forgotten, its connection owns the request. */
	while ((c = TAILQ_FIRST(&s->clients)) != NULL) {
		TAILQ_REMOVE(&s->clients, c, entry);
		if (evhttp_request_get_connection(c->req) != NULL)
			evhttp_connection_set_closecb(
			    evhttp_request_get_connection(c->req), NULL, NULL);
		free(c);
	}
	if (s->listening)
		gate_unlisten(s->gate, stream_event, s);
	event_free(s->wake);
	event_free(s->heartbeat);
	free(s);
}

/*
 * Starts a stream on req: the events after `after` first, then each new
 * one as it is journaled, as role may see them.  0, or -1 when the caller
 * must refuse (503).
 */
int
stream_start(struct stream *s, struct evhttp_request *req, int64_t after,
    enum role role)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	struct evkeyvalq		*h = evhttp_request_get_output_headers(req);
	struct stream_client		*c;
	struct timeval			 tv = { STREAM_WRITE_TIMEOUT_S, 0 };
	struct timeval			 beat = { STREAM_HEARTBEAT_S, 0 };

	if (evcon == NULL || s->nclients >= STREAM_CLIENTS_MAX)
		return -1;
	if (!s->listening) {
		if (gate_listen(s->gate, stream_event, s) == -1)
			return -1;
		s->listening = true;
	}
	c = xcalloc(1, sizeof *c);
	c->stream = s;
	c->req = req;
	c->last_id = after;
	c->role = role;
	TAILQ_INSERT_TAIL(&s->clients, c, entry);
	if (s->nclients++ == 0)
		evtimer_add(s->heartbeat, &beat);

	evhttp_add_header(h, "Content-Type", "text/event-stream");
	evhttp_add_header(h, "Cache-Control", "no-cache");
	evhttp_add_header(h, GATED_PROTOCOL_HEADER, "1");
	evhttp_send_reply_start(req, 200, "OK");
	/* The client only listens now: no read timeout, a write one. */
	bufferevent_set_timeouts(evhttp_connection_get_bufferevent(evcon),
	    NULL, &tv);
	evhttp_connection_set_closecb(evcon, stream_closed, c);
	stream_send(c);
	return 0;
}
