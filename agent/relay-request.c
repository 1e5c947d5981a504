/*
 * relay-request.c: a request the front authenticated, answered by api.c.
 * api.c answers evhttp requests, and libevent 2.1 makes those only from
 * connections it accepts: so this process listens privately (an abstract
 * Unix socket that only connections from this very process may use, by
 * their credentials) and writes each request there itself, in HTTP it
 * composes from the frame's checked fields: the gate never parses bytes
 * the network sent as HTTP.  The actor is not a header: the request's
 * sequence number is, and it names the frame's checked actor and role.
 *
 * The answer is read back (it is this process's own evhttp's) and goes to
 * the front as FRAME_REPLY, or as FRAME_STREAM, FRAME_CHUNK... FRAME_END
 * for an event stream, which stops being read while the front has chunks
 * its client has not taken (FRAME_WRITTEN), so a slow client costs the
 * gate what it cost before: stream.c's page and a socket's buffer.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "agent.h"
#include "protocol.h"
#include "relay-int.h"

#define RELAY_HEADER		"X-Gated-Relay"
#define HEAD_MAX		16384	/* the status line and headers */
#define CHUNKS_IN_FLIGHT	4	/* sent to the front, not yet written */
#define URI_MAX			8192

enum rq_state { RQ_HEAD, RQ_BODY, RQ_CHUNKS };

struct relay_request {
	TAILQ_ENTRY(relay_request) entry;
	struct relay		*relay;
	uint32_t		 id;		/* the front's */
	uint64_t		 seq;		/* ours, in RELAY_HEADER */
	bool			 taken;		/* api.c has it */
	char			 actor[64];
	enum role		 role;
	bool			 head;		/* a HEAD: no body comes */
	struct bufferevent	*bev;		/* to the private listener */
	enum rq_state		 state;
	int			 status;
	char			 phrase[64];
	char			*headers;	/* "Name: value\n" lines */
	size_t			 length;	/* of the body */
	int			 inflight;	/* chunks */
};

static struct relay_request *
rq_find(struct relay *r, uint32_t id)
{
	struct relay_request	*rq;

	TAILQ_FOREACH(rq, &r->reqs, entry)
		if (rq->id == id)
			return rq;
	return NULL;
}

static void
rq_free(struct relay_request *rq)
{
	TAILQ_REMOVE(&rq->relay->reqs, rq, entry);
	if (rq->bev != NULL)
		bufferevent_free(rq->bev);	/* api.c's side sees it close */
	free(rq->headers);
	free(rq);
}

static void
rq_send(struct relay_request *rq, enum frame_type type, int n,
    const void *const *f, const size_t *len)
{
	if (rq->relay->link != NULL)
		frame_put(bufferevent_get_output(rq->relay->link), type, rq->id,
		    n, f, len);
}

/* A reply of the gate's own (the private listener failed it). */
static void
rq_fail(struct relay_request *rq, const char *why)
{
	char		 body[160];
	const void	*f[4] = { "502", "Bad Gateway",
	    "Content-Type: application/json\n", body };

	snprintf(body, sizeof body, "{\"error\":\"%s\"}\n", why);
	rq_send(rq, FRAME_REPLY, 4, f, NULL);
	rq_free(rq);
}

/*
 * The status line and headers of the answer: 1 once parsed, 0 when not
 * all in yet, -1 when they are not what evhttp writes.
 */
static int
rq_head(struct relay_request *rq, struct evbuffer *in)
{
	struct evbuffer_ptr	 end;
	char			*head, *line, *next, *colon;
	const void		*f[3];
	char			 code[8];
	bool			 chunked = false;
	long long		 length = -1;

	end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
	if (end.pos == -1)
		return evbuffer_get_length(in) > HEAD_MAX ? -1 : 0;
	head = xmalloc(end.pos + 1);
	evbuffer_remove(in, head, end.pos);
	head[end.pos] = '\0';
	evbuffer_drain(in, 4);
	line = strtok_r(head, "\r\n", &next);
	if (line == NULL || sscanf(line, "HTTP/1.%*1[01] %d %63[^\r\n]",
	    &rq->status, rq->phrase) < 1 || rq->status < 100 ||
	    rq->status > 599) {
		free(head);
		return -1;
	}
	rq->headers = xstrdup("");
	while ((line = strtok_r(NULL, "\r\n", &next)) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		colon += 1 + strspn(colon + 1, " ");
		if (strcasecmp(line, "Transfer-Encoding") == 0)
			chunked = strcasecmp(colon, "chunked") == 0;
		else if (strcasecmp(line, "Content-Length") == 0)
			length = strtoll(colon, NULL, 10);
		else if (strcasecmp(line, "Connection") != 0 &&
		    strcasecmp(line, "Date") != 0) {
			rq->headers = xreallocarray(rq->headers, 1,
			    strlen(rq->headers) + strlen(line) +
			    strlen(colon) + 4);
			sprintf(rq->headers + strlen(rq->headers), "%s: %s\n",
			    line, colon);
		}
	}
	free(head);
	if (chunked) {
		rq->state = RQ_CHUNKS;
		snprintf(code, sizeof code, "%d", rq->status);
		f[0] = code;
		f[1] = rq->phrase;
		f[2] = rq->headers;
		rq_send(rq, FRAME_STREAM, 3, f, NULL);
		return 1;
	}
	rq->length = rq->head || rq->status == 204 || rq->status == 304 ||
	    length < 0 ? 0 : (size_t)length;
	rq->state = RQ_BODY;
	return 1;
}

/* The whole body is in: the answer goes to the front, the request ends. */
static int
rq_body(struct relay_request *rq, struct evbuffer *in)
{
	const void	*f[4];
	size_t		 len[4] = { (size_t)-1, (size_t)-1, (size_t)-1, 0 };
	char		 code[8];

	if (evbuffer_get_length(in) < rq->length)
		return 0;
	snprintf(code, sizeof code, "%d", rq->status);
	f[0] = code;
	f[1] = rq->phrase;
	f[2] = rq->headers;
	f[3] = evbuffer_pullup(in, rq->length);
	len[3] = rq->length;
	rq_send(rq, FRAME_REPLY, 4, f, len);
	rq_free(rq);
	return -2;	/* gone */
}

/* The chunks of a stream, each to the front as it comes; -1: malformed. */
static int
rq_chunks(struct relay_request *rq, struct evbuffer *in)
{
	struct evbuffer_ptr	 eol;
	char			 line[24], *end;
	const void		*f[1];
	size_t			 len[1], n, eollen;
	unsigned long		 size;

	for (;;) {
		eol = evbuffer_search_eol(in, NULL, &eollen, EVBUFFER_EOL_CRLF);
		if (eol.pos == -1)
			return evbuffer_get_length(in) > 64 ? -1 : 0;
		if ((size_t)eol.pos >= sizeof line)
			return -1;
		n = (size_t)eol.pos;
		evbuffer_copyout(in, line, n);
		line[n] = '\0';
		size = strtoul(line, &end, 16);
		if (end == line || size > 64 * 1024 * 1024)
			return -1;
		if (evbuffer_get_length(in) < n + eollen + size + 2)
			return 0;
		evbuffer_drain(in, n + eollen);
		if (size == 0) {
			rq_send(rq, FRAME_END, 0, NULL, NULL);
			rq_free(rq);
			return -2;
		}
		f[0] = evbuffer_pullup(in, size);
		len[0] = size;
		rq_send(rq, FRAME_CHUNK, 1, f, len);
		evbuffer_drain(in, size + 2);
		if (++rq->inflight >= CHUNKS_IN_FLIGHT) {
			bufferevent_disable(rq->bev, EV_READ);
			return 0;
		}
	}
}

/* Reads what came of the answer: -2 once rq is gone, else 0. */
static int
rq_process(struct relay_request *rq)
{
	struct evbuffer	*in = bufferevent_get_input(rq->bev);
	int		 rc = 1;

	while (rc == 1) {
		switch (rq->state) {
		case RQ_HEAD:
			rc = rq_head(rq, in);
			break;
		case RQ_BODY:
			rc = rq_body(rq, in);
			break;
		case RQ_CHUNKS:
			rc = rq_chunks(rq, in);
			break;
		}
	}
	if (rc == -1) {
		log_warnx("%s: the private listener's answer is malformed",
		    __func__);
		if (rq->state == RQ_CHUNKS) {
			rq_send(rq, FRAME_END, 0, NULL, NULL);
			rq_free(rq);
		} else
			rq_fail(rq, "the gate's answer was malformed");
		return -2;
	}
	return rc == -2 ? -2 : 0;
}

static void
rq_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	rq_process(arg);
}

/* The private connection closed: the stream is over, or the answer lost. */
static void
rq_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay_request	*rq = arg;

	(void)bev;
	if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) == 0)
		return;
	if (rq_process(rq) == -2)
		return;
	if (rq->state == RQ_CHUNKS) {
		rq_send(rq, FRAME_END, 0, NULL, NULL);
		rq_free(rq);
	} else
		rq_fail(rq, "the gate closed the request unanswered");
}

/* The request as HTTP of our own making, on a private connection. */
static int
rq_write(struct relay_request *rq, const char *method, const char *uri,
    const char *last_id, const char *proto, const void *body, size_t len)
{
	struct relay	*r = rq->relay;
	struct evbuffer	*out;
	int		 fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&r->addr, r->addrlen) == -1) {
		close(fd);
		return -1;
	}
	rq->bev = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (rq->bev == NULL) {
		close(fd);
		return -1;
	}
	bufferevent_priority_set(rq->bev, loop_http_priority(r->base));
	bufferevent_setcb(rq->bev, rq_read, NULL, rq_event, rq);
	out = bufferevent_get_output(rq->bev);
	evbuffer_add_printf(out, "%s %s HTTP/1.1\r\nHost: gated\r\n"
	    "Connection: close\r\n" RELAY_HEADER ": %" PRIu64 "\r\n", method,
	    uri, rq->seq);
	if (last_id[0] != '\0')
		evbuffer_add_printf(out, "Last-Event-ID: %s\r\n", last_id);
	if (proto[0] != '\0')
		evbuffer_add_printf(out, GATED_PROTOCOL_HEADER ": %s\r\n",
		    proto);
	evbuffer_add_printf(out, "Content-Length: %zu\r\n\r\n", len);
	evbuffer_add(out, body, len);
	bufferevent_enable(rq->bev, EV_READ | EV_WRITE);
	return 0;
}

/*
 * FRAME_REQUEST: method, uri, actor, role, Last-Event-ID, the protocol
 * header, body.  Every field is checked before it is used: the actor must
 * be a token of the config with that very role.  -1: the front is wrong.
 */
int
relay_request_new(struct relay *r, const struct frame *f)
{
	static const char *const methods[] = { "GET", "POST", "PUT",
	    "DELETE", "PATCH", "HEAD", "OPTIONS", NULL };
	const struct gate_conf	*gc = gate_conf(r->gate);
	struct relay_request	*rq;
	char			 method[8], uri[URI_MAX], actor[64];
	char			 last_id[64], proto[16];
	bool			 ok = true;
	long long		 role;
	int			 i;

	if (f->nfields != 7 || rq_find(r, f->id) != NULL ||
	    frame_text(f, 0, method, sizeof method, false) == -1 ||
	    frame_text(f, 1, uri, sizeof uri, false) == -1 || uri[0] != '/' ||
	    frame_text(f, 2, actor, sizeof actor, false) == -1 ||
	    strncmp(actor, "token:", 6) != 0 ||
	    frame_text(f, 4, last_id, sizeof last_id, false) == -1 ||
	    frame_text(f, 5, proto, sizeof proto, false) == -1 ||
	    f->len[6] > GATED_MAX_BODY)
		return -1;
	role = frame_number(f, 3, 0, ROLE__COUNT - 1, &ok);
	for (i = 0; methods[i] != NULL; i++)
		if (strcmp(methods[i], method) == 0)
			break;
	if (!ok || methods[i] == NULL)
		return -1;
	for (i = 0; i < gc->token_count; i++)
		if (strcmp(gc->tokens[i].name, actor + 6) == 0)
			break;
	if (i == gc->token_count || gc->tokens[i].role != role)
		return -1;
	rq = xcalloc(1, sizeof *rq);
	rq->relay = r;
	rq->id = f->id;
	rq->seq = ++r->seq;
	snprintf(rq->actor, sizeof rq->actor, "%s", actor);
	rq->role = (enum role)role;
	rq->head = strcmp(method, "HEAD") == 0;
	TAILQ_INSERT_TAIL(&r->reqs, rq, entry);
	if (rq_write(rq, method, uri, last_id, proto, f->field[6],
	    f->len[6]) == -1) {
		log_warn("%s: private listener", __func__);
		rq_fail(rq, "the gate cannot take the request now");
	}
	return 0;
}

/* A chunk reached the front's client: read on when we had stopped. */
void
relay_request_written(struct relay *r, uint32_t id)
{
	struct relay_request	*rq;

	if ((rq = rq_find(r, id)) == NULL || rq->inflight == 0)
		return;
	if (rq->inflight-- == CHUNKS_IN_FLIGHT) {
		bufferevent_enable(rq->bev, EV_READ);
		rq_process(rq);
	}
}

/* The client went away: so does the request (stream.c sees it close). */
void
relay_request_cancel(struct relay *r, uint32_t id)
{
	struct relay_request	*rq;

	if ((rq = rq_find(r, id)) != NULL)
		rq_free(rq);
}

/* The front is gone: every request of it too. */
void
relay_request_all_gone(struct relay *r)
{
	struct relay_request	*rq;

	while ((rq = TAILQ_FIRST(&r->reqs)) != NULL)
		rq_free(rq);
}

/*
 * A request on the private listener: from this process (its credentials
 * say so) and naming a relayed request not yet taken, else refused.
 */
static void
relay_private(struct evhttp_request *req, void *arg)
{
	struct relay			*r = arg;
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	struct relay_request		*rq;
	struct ucred			 cred;
	socklen_t			 clen = sizeof cred;
	const char			*h;
	uint64_t			 seq;

	if (evcon == NULL || getsockopt(bufferevent_getfd(
	    evhttp_connection_get_bufferevent(evcon)), SOL_SOCKET, SO_PEERCRED,
	    &cred, &clen) == -1 || cred.pid != getpid() ||
	    (h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    RELAY_HEADER)) == NULL) {
		api_error(req, 403, "not for you");
		return;
	}
	seq = strtoull(h, NULL, 10);
	TAILQ_FOREACH(rq, &r->reqs, entry)
		if (rq->seq == seq && !rq->taken)
			break;
	if (rq == NULL) {
		api_error(req, 403, "no such request");
		return;
	}
	rq->taken = true;
	api_handle(r->api, req, rq->actor, rq->role);
}

/* The private listener: an abstract Unix socket the kernel names. */
int
relay_request_init(struct relay *r, char **cause)
{
	struct evconnlistener	*lev;
	int			 fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	memset(&r->addr, 0, sizeof r->addr);
	r->addr.sun_family = AF_UNIX;
	r->addrlen = sizeof r->addr;
	if (fd == -1 || bind(fd, (struct sockaddr *)&r->addr,
	    sizeof(sa_family_t)) == -1 || listen(fd, 128) == -1 ||
	    getsockname(fd, (struct sockaddr *)&r->addr, &r->addrlen) == -1) {
		xasprintf(cause, "front: private listener: %s",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	lev = evconnlistener_new(r->base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE |
	    LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (lev == NULL || (r->http = evhttp_new(r->base)) == NULL)
		fatalx("%s: evconnlistener_new", __func__);
	evhttp_set_allowed_methods(r->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_body_size(r->http, GATED_MAX_BODY);
	evhttp_set_timeout(r->http, 3600);
	evhttp_set_gencb(r->http, relay_private, r);
	if (evhttp_bind_listener(r->http, lev) == NULL)
		fatalx("%s: evhttp_bind_listener", __func__);
	return 0;
}

void
relay_request_fini(struct relay *r)
{
	relay_request_all_gone(r);
	if (r->http != NULL)
		evhttp_free(r->http);
}
