/*
 * front.c: the front, gated -F, the only process of gated that speaks to
 * the network (docs/privsep.md).  Started by relay.c with its socketpair
 * on fd 3 and the bound TLS sockets on 4 on, it reads its setup from the
 * socketpair (the [remote] settings, the tokens' hashes, its user, the
 * console's directory), loads its certificate and key, opens the console's
 * directory, and then gives up all it can: chroot into an empty
 * directory, an unprivileged user, no new privileges, no children.
 * remote.c serves TLS and HTTP, the console's files and its sign-in
 * sessions, and checks tokens, cookies and CSRF tokens here; what it
 * authenticated goes to the gate process as a frame, and the answer comes
 * back the same way.  The front holds no descriptor of the GPIO chips,
 * the USB devices, the journal or the people file, and no memory of them:
 * it was exec'd afresh.
 */
#include <sys/prctl.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "agent.h"
#include "protocol.h"

#define FRONT_FD		3	/* the socketpair */
#define FRONT_LISTEN_FD		4	/* the first TLS socket */
#define SETUP_MAX		(1024 * 1024)
#define FROM_GATE_MAX		(256 * 1024 * 1024)	/* reports are long */
#define FRONT_URI_MAX		8192	/* relay-request.c's URI_MAX */
#define STREAM_PER_ADDRESS	4	/* event streams from one address */
#define STREAM_WRITE_TIMEOUT_S	60	/* a client not reading is dropped */

/* A request sent to the gate, until its answer (or its stream) ends. */
struct front_req {
	TAILQ_ENTRY(front_req)	 entry;
	struct front		*front;
	uint32_t		 id;
	struct evhttp_request	*req;
	bool			 stream;	/* a /v1/events/stream */
	uint8_t			 key[17];	/* its client's address */
	size_t			 keylen;
};

struct front {
	struct event_base	*base;
	struct gate_conf	*conf;		/* [remote] and the tokens only */
	struct remote		*remote;
	struct bufferevent	*link;
	uint32_t		 next_id;
	TAILQ_HEAD(, front_req)	 reqs;
};

/* The tokens of a FRAME_SETUP or FRAME_TOKENS field: "ROLE HEX NAME" lines. */
static int
front_tokens(struct gate_conf *gc, const char *text, size_t len)
{
	char	*copy = xmalloc(len + 1), *line, *next, hex[65];
	int	 role, n = 0, j;
	unsigned int b;

	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = strtok_r(copy, "\n", &next); line != NULL;
	    line = strtok_r(NULL, "\n", &next)) {
		if (n == TOKENS_MAX || sscanf(line, "%d %64s %31s", &role, hex,
		    gc->tokens[n].name) != 3 || strlen(hex) != 64) {
			free(copy);
			return -1;
		}
		gc->tokens[n].role = role;
		for (j = 0; j < 32; j++) {
			sscanf(hex + 2 * j, "%2x", &b);
			gc->tokens[n].hash[j] = (uint8_t)b;
		}
		n++;
	}
	gc->token_count = n;
	free(copy);
	return 0;
}

/* The setup, read before anything else (the gate sends it at once). */
static void
front_setup(struct gate_conf *gc, char *user, char *empty)
{
	struct evbuffer		*in = evbuffer_new();
	struct remote_conf	*rc = &gc->remote;
	struct frame		 f;
	char			 listen[LISTEN_MAX * 65], *line, *next;
	bool			 ok = true;
	int			 rv;

	while ((rv = frame_take(in, SETUP_MAX, &f)) == 0)
		if (evbuffer_read(in, FRONT_FD, 65536) <= 0)
			fatalx("front: no setup from the gate");
	if (rv == -1 || f.type != FRAME_SETUP || f.nfields != 11 ||
	    frame_text(&f, 0, listen, sizeof listen, false) == -1 ||
	    frame_text(&f, 1, rc->certificate, sizeof rc->certificate,
	    true) == -1 || frame_text(&f, 2, rc->key, sizeof rc->key, true) ==
	    -1 || frame_text(&f, 3, rc->client_ca, sizeof rc->client_ca,
	    true) == -1 || frame_text(&f, 7, user, NAME_LEN, false) == -1 ||
	    frame_text(&f, 8, empty, PATH_MAX, true) == -1 ||
	    front_tokens(gc, f.field[9], f.len[9]) == -1 ||
	    frame_text(&f, 10, rc->console, sizeof rc->console, true) == -1)
		fatalx("front: a malformed setup");
	rc->max_connections = frame_number(&f, 4, 1, 4096, &ok);
	rc->max_per_address = frame_number(&f, 5, 1, 4096, &ok);
	rc->timeout_ms = frame_number(&f, 6, 1, 3600000, &ok);
	if (!ok)
		fatalx("front: a malformed setup");
	rc->enabled = true;
	/* The listen field: the addresses of fds 4 on, with commas. */
	for (line = strtok_r(listen, ",", &next); line != NULL &&
	    rc->listen_count < LISTEN_MAX; line = strtok_r(NULL, ",", &next))
		snprintf(rc->listen[rc->listen_count++], sizeof rc->listen[0],
		    "%s", line);
	frame_clear(&f);
	evbuffer_free(in);
}

/*
 * Gives up what the front does not need: the file system (chroot into an
 * empty directory), the user (when started with the right to change it),
 * new privileges and new processes.  What cannot be dropped because gated
 * runs unprivileged and without the capabilities is said in the log.
 */
static void
front_drop(const char *user, const char *empty)
{
	struct passwd	*pw;
	struct rlimit	 none = { 0, 0 };

	tzset();
	if ((pw = getpwnam(user)) == NULL)
		fatalx("front: no user %s ([remote] front-user)", user);
	if (empty[0] != '\0') {
		if (chroot(empty) == -1 || chdir("/") == -1) {
			if (errno != EPERM)
				fatal("front: chroot %s", empty);
			log_warnx("front: no chroot (%s): not root and no "
			    "CAP_SYS_CHROOT", empty);
		}
	}
	if (pw->pw_uid != geteuid() || pw->pw_gid != getegid()) {
		if (setgroups(1, &pw->pw_gid) == -1 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
			if (errno != EPERM)
				fatal("front: cannot become %s", user);
			log_warnx("front: stays uid %u: not root and no "
			    "CAP_SETUID/CAP_SETGID to become %s",
			    (unsigned)geteuid(), user);
		} else if (pw->pw_uid != 0 && setuid(0) != -1)
			fatalx("front: could become root again");
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("front: PR_SET_NO_NEW_PRIVS");
	/* Set after the change of user, which clears it: a gate killed
	 * with -9 takes its front along at once, listening socket and all,
	 * so that the next gated can bind it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1 || getppid() == 1)
		fatalx("front: the gate is gone");
	if (setrlimit(RLIMIT_NPROC, &none) == -1)
		log_debug("front: RLIMIT_NPROC: %s", strerror(errno));
	log_info("front: serving as uid %u%s", (unsigned)geteuid(),
	    empty[0] != '\0' ? ", chrooted" : "");
}

static struct front_req *
front_find(struct front *fr, uint32_t id)
{
	struct front_req	*q;

	TAILQ_FOREACH(q, &fr->reqs, entry)
		if (q->id == id)
			return q;
	return NULL;
}

/* The request is answered or gone: the front forgets it. */
static void
front_forget(struct front_req *q)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(q->req);

	if (evcon != NULL)
		evhttp_connection_set_closecb(evcon, NULL, NULL);
	TAILQ_REMOVE(&q->front->reqs, q, entry);
	free(q);
}

/* The client went away before its answer ended: the gate is told. */
static void
front_closed(struct evhttp_connection *evcon, void *arg)
{
	struct front_req	*q = arg;
	struct evhttp_request	*req = q->req;

	(void)evcon;
	frame_put(bufferevent_get_output(q->front->link), FRAME_CANCEL, q->id,
	    0, NULL, NULL);
	TAILQ_REMOVE(&q->front->reqs, q, entry);
	free(q);
	/* evhttp let go of the unfinished request: it is ours to free. */
	if (evhttp_request_get_connection(req) == NULL)
		evhttp_request_free(req);
}

/* The client's address as bytes (family, address); 0 when unknown. */
static size_t
front_key(struct evhttp_request *req, uint8_t key[17])
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const struct sockaddr	*sa;

	if (evcon == NULL || (sa = evhttp_connection_get_addr(evcon)) == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		key[0] = AF_INET;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 5;
	}
	if (sa->sa_family == AF_INET6) {
		key[0] = AF_INET6;
		memcpy(key + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    16);
		return 17;
	}
	return 0;
}

/* The method's name (libevent 2.1 has no evhttp_method). */
static const char *
front_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	default:
		return "OPTIONS";
	}
}

/* Whether req asks for an event stream (on the decoded path, as api.c). */
static bool
front_is_stream(struct evhttp_request *req)
{
	const char	*path = evhttp_uri_get_path(
	    evhttp_request_get_evhttp_uri(req));
	char		*decoded;
	bool		 yes;

	if (path == NULL || (decoded = evhttp_uridecode(path, 0, NULL)) ==
	    NULL)
		return false;
	yes = strcmp(decoded, "/v1/events/stream") == 0;
	free(decoded);
	return yes;
}

/*
 * Whether s is what relay-request.c accepts in a field: printable bytes,
 * no space, shorter than max.  A request that is not would get the front
 * dropped as a liar: it is refused here instead.
 */
static bool
front_printable(const char *s, size_t max)
{
	size_t	n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s <= 0x20 || *s > 0x7e || n + 1 >= max)
			return false;
	return true;
}

/*
 * The URI the gate gets: the path and the query as evhttp parsed them, so
 * that an absolute URI (http://host/path) reaches it as a path.
 */
static char *
front_uri(struct evhttp_request *req)
{
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(req);
	const char		*path = evhttp_uri_get_path(u);
	const char		*query = evhttp_uri_get_query(u);
	char			*uri;

	if (path == NULL || path[0] != '/')
		return NULL;
	xasprintf(&uri, "%s%s%s", path, query != NULL ? "?" : "",
	    query != NULL ? query : "");
	if (!front_printable(uri, FRONT_URI_MAX)) {
		free(uri);
		return NULL;
	}
	return uri;
}

/*
 * remote.c authenticated and authorised req: it goes to the gate.  The
 * limit of streams per client address is kept here, where the address is
 * known (the gate sees every stream come from the front).
 */
static void
front_handle(void *arg, struct evhttp_request *req, const char *actor,
    enum role role)
{
	struct front		*fr = arg;
	struct evbuffer		*body = evhttp_request_get_input_buffer(req);
	struct evkeyvalq	*h = evhttp_request_get_input_headers(req);
	struct front_req	*q, *o;
	const char		*last, *proto;
	char			*uri;
	const void		*f[7];
	size_t			 len[7] = { -1, -1, -1, -1, -1, -1, 0 };
	char			 rolestr[4];
	int			 same = 0;

	last = evhttp_find_header(h, "Last-Event-ID");
	proto = evhttp_find_header(h, GATED_PROTOCOL_HEADER);
	if ((uri = front_uri(req)) == NULL) {
		api_error(req, 400, "bad path");
		return;
	}
	if ((last != NULL && !front_printable(last, 64)) ||
	    (proto != NULL && !front_printable(proto, 16))) {
		free(uri);
		api_error(req, 400, "bad %s header", last != NULL &&
		    !front_printable(last, 64) ? "Last-Event-ID" :
		    GATED_PROTOCOL_HEADER);
		return;
	}
	q = xcalloc(1, sizeof *q);
	q->front = fr;
	q->req = req;
	q->id = ++fr->next_id;
	if ((q->stream = front_is_stream(req))) {
		q->keylen = front_key(req, q->key);
		TAILQ_FOREACH(o, &fr->reqs, entry)
			same += o->stream && o->keylen == q->keylen &&
			    q->keylen != 0 && memcmp(o->key, q->key,
			    q->keylen) == 0;
		if (same >= STREAM_PER_ADDRESS) {
			free(q);
			free(uri);
			api_error(req, 503, "too many event streams from "
			    "your address: try again later");
			return;
		}
	}
	TAILQ_INSERT_TAIL(&fr->reqs, q, entry);
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    front_closed, q);
	snprintf(rolestr, sizeof rolestr, "%d", (int)role);
	f[0] = front_method(req);
	f[1] = uri;
	f[2] = actor;
	f[3] = rolestr;
	f[4] = last != NULL ? last : "";
	f[5] = proto != NULL ? proto : "";
	len[6] = evbuffer_get_length(body);
	f[6] = evbuffer_pullup(body, -1);
	frame_put(bufferevent_get_output(fr->link), FRAME_REQUEST, q->id, 7, f,
	    len);
	free(uri);
}

/* A failure, a sign-in or a sign-out: the gate checks it and journals. */
static void
front_journal(void *arg, const char *reason, const char *addr,
    const char *what)
{
	struct front	*fr = arg;
	const void	*f[3] = { reason, addr, what };

	frame_put(bufferevent_get_output(fr->link), FRAME_AUTH, 0, 3, f, NULL);
}

static const struct remote_ops front_ops = {
	.handle = front_handle,
	.journal = front_journal,
};

/* The headers of an answer ("Name: value" lines) onto req. */
static void
front_headers(struct evhttp_request *req, const char *text, size_t len)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	char			*copy = xmalloc(len + 1), *line, *next, *v;

	memcpy(copy, text, len);
	copy[len] = '\0';
	for (line = strtok_r(copy, "\n", &next); line != NULL;
	    line = strtok_r(NULL, "\n", &next)) {
		if ((v = strstr(line, ": ")) == NULL)
			continue;
		*v = '\0';
		if (strcasecmp(line, "Content-Length") != 0)
			evhttp_add_header(out, line, v + 2);
	}
	free(copy);
}

static void
front_chunk_written(struct evhttp_connection *evcon, void *arg)
{
	struct front_req	*q = arg;

	(void)evcon;
	frame_put(bufferevent_get_output(q->front->link), FRAME_WRITTEN, q->id,
	    0, NULL, NULL);
}

/* A start, a reply, a chunk or an end from the gate, for request q. */
static void
front_answer(struct front_req *q, const struct frame *f)
{
	struct evbuffer			*buf;
	struct evhttp_connection	*evcon;
	struct timeval			 tv = { STREAM_WRITE_TIMEOUT_S, 0 };
	char				 phrase[64];
	bool				 ok = true;
	int				 code;

	if (f->type == FRAME_REPLY || f->type == FRAME_STREAM) {
		code = frame_number(f, 0, 100, 599, &ok);
		if (!ok || frame_text(f, 1, phrase, sizeof phrase, true) == -1)
			snprintf(phrase, sizeof phrase, "Answer");
		front_headers(q->req, f->field[2], f->len[2]);
	}
	switch (f->type) {
	case FRAME_REPLY:
		buf = evbuffer_new();
		evbuffer_add(buf, f->field[3], f->len[3]);
		front_forget(q);
		evhttp_send_reply(q->req, ok ? code : 502, phrase, buf);
		evbuffer_free(buf);
		break;
	case FRAME_STREAM:
		evhttp_send_reply_start(q->req, ok ? code : 502, phrase);
		/* The client only listens now: no read timeout, a write one. */
		if ((evcon = evhttp_request_get_connection(q->req)) != NULL)
			bufferevent_set_timeouts(
			    evhttp_connection_get_bufferevent(evcon), NULL, &tv);
		break;
	case FRAME_CHUNK:
		buf = evbuffer_new();
		evbuffer_add(buf, f->field[0], f->len[0]);
		evhttp_send_reply_chunk_with_cb(q->req, buf,
		    front_chunk_written, q);
		evbuffer_free(buf);
		break;
	case FRAME_END:
		front_forget(q);
		evhttp_send_reply_end(q->req);
		break;
	default:
		break;
	}
}

static void
front_read(struct bufferevent *bev, void *arg)
{
	struct front		*fr = arg;
	struct front_req	*q;
	struct frame		 f;
	int			 rc;

	while ((rc = frame_take(bufferevent_get_input(bev), FROM_GATE_MAX,
	    &f)) == 1) {
		if (f.type == FRAME_TOKENS && f.nfields == 1) {
			if (front_tokens(fr->conf, f.field[0], f.len[0]) == -1)
				fatalx("front: malformed tokens");
			log_debug("%s: %d tokens", __func__,
			    fr->conf->token_count);
		} else if ((f.type == FRAME_REPLY && f.nfields == 4) ||
		    (f.type == FRAME_STREAM && f.nfields == 3) ||
		    (f.type == FRAME_CHUNK && f.nfields == 1) ||
		    (f.type == FRAME_END && f.nfields == 0)) {
			if ((q = front_find(fr, f.id)) != NULL)
				front_answer(q, &f);
		} else
			fatalx("front: an unexpected frame from the gate");
		frame_clear(&f);
	}
	if (rc == -1)
		fatalx("front: bytes from the gate that are not a frame");
}

/* The gate went away (or dropped us): the front ends with it. */
static void
front_link_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		log_debug("front: the gate closed the socketpair");
		exit(0);
	}
}

int
front_main(int debug)
{
	struct front	 fr;
	char		 user[NAME_LEN], empty[PATH_MAX], *cause = NULL;
	int		 fds[LISTEN_MAX], i;

	log_init(debug, "gated-front");
	/* Only the gate ends the front (its socketpair closing, or a kill):
	 * a terminal's ^C or systemd's stop reach the gate, which does. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	memset(&fr, 0, sizeof fr);
	TAILQ_INIT(&fr.reqs);
	fr.conf = xcalloc(1, sizeof *fr.conf);
	front_setup(fr.conf, user, empty);
	for (i = 0; i < fr.conf->remote.listen_count; i++)
		fds[i] = FRONT_LISTEN_FD + i;
	fr.base = loop_new();
	if ((fr.remote = remote_new(fr.base, fr.conf, fds, &front_ops, &fr,
	    &cause)) == NULL)
		fatalx("front: %s", cause);
	front_drop(user, empty);
	evutil_make_socket_nonblocking(FRONT_FD);
	if ((fr.link = bufferevent_socket_new(fr.base, FRONT_FD, 0)) == NULL)
		fatalx("front: bufferevent_socket_new");
	bufferevent_setcb(fr.link, front_read, NULL, front_link_event, &fr);
	bufferevent_enable(fr.link, EV_READ | EV_WRITE);
	event_base_dispatch(fr.base);
	return 0;
}
