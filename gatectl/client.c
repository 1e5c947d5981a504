/*
 * client.c: one HTTP exchange with gated over its control socket, through
 * libevent's evhttp client.  The Unix socket is connected here, so that
 * the kernel checks our right to reach the agent and a failure names the
 * socket and errno; relay.c carries evhttp's bytes onto it.  Both sides
 * send the protocol version and a mismatch stops us before we misread.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "gatectl.h"

#define CLIENT_TIMEOUT	5		/* seconds: connect, each read/write */
#define CLIENT_MAX_ANSWER (16 << 20)	/* a year's report fits */

/* What the request callbacks learn, for client_call to judge. */
struct client_state {
	struct event_base	*base;
	int			 done;
	int			 status;	/* HTTP status, 0: none */
	int			 failed;
	enum evhttp_request_error error;
	char			*proto;		/* the agent's version header */
	struct evbuffer		*body;
};

/* A connected, non-blocking Unix socket, or -1 with errno set. */
static int
client_connect(const char *path)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { CLIENT_TIMEOUT, 0 };
	int			fd, saved;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* Linux applies the send timeout to a Unix connect: a full backlog
	 * makes us wait this long, not forever. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    evutil_make_socket_nonblocking(fd) == -1) {
		saved = errno;
		close(fd);
		errno = saved == EINPROGRESS ? ETIMEDOUT : saved;
		return -1;
	}
	return fd;
}

static const char *
client_error_text(enum evhttp_request_error e)
{
	switch (e) {
	case EVREQ_HTTP_TIMEOUT:
		return "timed out";
	case EVREQ_HTTP_EOF:
		return "connection closed before an answer";
	case EVREQ_HTTP_INVALID_HEADER:
		return "malformed answer";
	case EVREQ_HTTP_BUFFER_ERROR:
		return "read or write error";
	case EVREQ_HTTP_DATA_TOO_LONG:
		return "answer too long";
	case EVREQ_HTTP_REQUEST_CANCEL:
		return "request cancelled";
	}
	return "request failed";
}

static void
client_error(enum evhttp_request_error e, void *arg)
{
	struct client_state	*st = arg;

	st->failed = 1;
	st->error = e;
}

static void
client_done(struct evhttp_request *req, void *arg)
{
	struct client_state	*st = arg;
	const char		*hdr;

	st->done = 1;
	event_base_loopexit(st->base, NULL);
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		if (!st->failed) {
			st->failed = 1;
			st->error = EVREQ_HTTP_EOF;
		}
		return;
	}
	st->status = evhttp_request_get_response_code(req);
	hdr = evhttp_find_header(evhttp_request_get_input_headers(req),
	    GATED_PROTOCOL_HEADER);
	if (hdr != NULL)
		st->proto = xstrdup(hdr);
	evbuffer_add_buffer(st->body, evhttp_request_get_input_buffer(req));
}

/* Sends the request and runs the loop until the answer or a failure. */
static int
client_exchange(struct ctl *ctl, struct client_state *st,
    enum ctl_method method, const char *path, json_t *body)
{
	struct evhttp_connection	*evcon = NULL;
	struct evhttp_request		*req;
	struct evkeyvalq		*h;
	struct relay			*relay = NULL;
	char				*text = NULL, version[16];
	int				 fd, port, rc = -1;

	if ((fd = client_connect(ctl->socket)) == -1) {
		fprintf(stderr, "gatectl: cannot connect to %s: %s%s\n",
		    ctl->socket, strerror(errno), errno == ENOENT ||
		    errno == ECONNREFUSED ? " (is gated running?)" : "");
		return EXIT_UNREACHABLE;
	}
	if ((relay = relay_new(st->base, fd, &port)) == NULL) {
		fprintf(stderr, "gatectl: cannot listen on the loopback "
		    "relay: %s\n", strerror(errno));
		return EXIT_UNREACHABLE;
	}
	evcon = evhttp_connection_base_new(st->base, NULL, "127.0.0.1",
	    (unsigned short)port);
	if (evcon == NULL)
		goto fail;
	evhttp_connection_set_timeout(evcon, CLIENT_TIMEOUT);
	evhttp_connection_set_max_body_size(evcon, CLIENT_MAX_ANSWER);
	relay_expect(relay, evcon);

	if ((req = evhttp_request_new(client_done, st)) == NULL)
		goto fail;
	evhttp_request_set_error_cb(req, client_error);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", "gated");
	evhttp_add_header(h, "Accept", "application/json");
	snprintf(version, sizeof version, "%d", GATED_PROTOCOL_VERSION);
	evhttp_add_header(h, GATED_PROTOCOL_HEADER, version);
	if (method == CTL_POST) {
		text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
		if (text == NULL) {
			evhttp_request_free(req);
			goto fail;
		}
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), text,
		    strlen(text));
	}
	if (evhttp_make_request(evcon, req, method == CTL_POST ?
	    EVHTTP_REQ_POST : EVHTTP_REQ_GET, path) == -1)
		goto fail;
	event_base_dispatch(st->base);
	if (!st->done) {
		st->failed = 1;
		st->error = EVREQ_HTTP_EOF;
	}
	if (st->failed) {
		fprintf(stderr, "gatectl: no answer from %s: %s\n",
		    ctl->socket, client_error_text(st->error));
		rc = EXIT_UNREACHABLE;
	} else
		rc = 0;
	goto out;

fail:
	fprintf(stderr, "gatectl: cannot send a request to %s\n", ctl->socket);
	rc = EXIT_UNREACHABLE;
out:
	free(text);
	if (evcon != NULL)
		evhttp_connection_free(evcon);
	relay_free(relay);
	return rc;
}

/* Says why the agent refused; a 422 carries the list of what is wrong. */
static void
client_refused(struct ctl *ctl, int status, json_t *answer)
{
	json_t		*errors, *e;
	const char	*why;
	size_t		 i;

	why = json_string_value(json_object_get(answer, "error"));
	if (status >= 500)
		fprintf(stderr, "gatectl: the agent at %s failed: %s\n",
		    ctl->socket, why != NULL ? why : "no reason given");
	else if (why != NULL)
		fprintf(stderr, "gatectl: %s\n", why);
	else
		fprintf(stderr, "gatectl: the gate refused (HTTP %d)\n",
		    status);
	errors = json_object_get(answer, "errors");
	json_array_foreach(errors, i, e) {
		if (json_is_string(e))
			fprintf(stderr, "    %s\n", json_string_value(e));
	}
}

int
client_call(struct ctl *ctl, enum ctl_method method, const char *path,
    json_t *body, json_t **answer)
{
	struct client_state	 st;
	json_error_t		 jerr;
	json_t			*a = NULL;
	long			 version;
	int			 rc;

	*answer = NULL;
	memset(&st, 0, sizeof st);
	if (method == CTL_POST && body == NULL)
		body = json_object();
	if ((st.base = event_base_new()) == NULL ||
	    (st.body = evbuffer_new()) == NULL) {
		fprintf(stderr, "gatectl: cannot set up libevent\n");
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	if ((rc = client_exchange(ctl, &st, method, path, body)) != 0)
		goto out;

	/* A version we do not speak: stop before reading anything else.  An
	 * error page from evhttp itself carries no version; judge it below. */
	if ((st.proto != NULL && (ctl_parse_long(st.proto, 0, 1000000,
	    &version) == -1 || version != GATED_PROTOCOL_VERSION)) ||
	    (st.proto == NULL && st.status < 400)) {
		fprintf(stderr, "gatectl: protocol mismatch: gatectl speaks "
		    "version %d, the agent at %s %s%s\n",
		    GATED_PROTOCOL_VERSION, ctl->socket, st.proto != NULL ?
		    "speaks version " : "sent no version",
		    st.proto != NULL ? st.proto : "");
		rc = EXIT_PROTOCOL;
		goto out;
	}

	if (evbuffer_get_length(st.body) != 0) {
		a = json_loadb((const char *)evbuffer_pullup(st.body, -1),
		    evbuffer_get_length(st.body), 0, &jerr);
	}
	if (a != NULL && ctl->json) {
		json_dumpf(a, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (st.status >= 200 && st.status < 300) {
		if (!json_is_object(a)) {
			fprintf(stderr, "gatectl: bad answer from %s: %s\n",
			    ctl->socket, a == NULL && evbuffer_get_length(
			    st.body) != 0 ? jerr.text : "not a JSON object");
			rc = EXIT_UNREACHABLE;
			goto out;
		}
		*answer = a;
		a = NULL;
		rc = 0;
	} else {
		client_refused(ctl, st.status, a);
		rc = st.status >= 400 && st.status < 500 ? EXIT_GATE_REFUSED :
		    EXIT_UNREACHABLE;
	}

out:
	json_decref(a);
	json_decref(body);
	free(st.proto);
	if (st.body != NULL)
		evbuffer_free(st.body);
	if (st.base != NULL)
		event_base_free(st.base);
	return rc;
}

/* A route with one caller-given segment, e.g. /v1/lanes/<lane>/open. */
char *
client_path(const char *path, const char *seg, const char *rest)
{
	char	*enc, *out;

	if ((enc = evhttp_uriencode(seg, -1, 0)) == NULL)
		fatalx("out of memory");
	xasprintf(&out, "%s/%s%s", path, enc, rest == NULL ? "" : rest);
	free(enc);
	return out;
}
