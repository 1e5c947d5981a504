/*
 * remote.c: the /v1 API over TLS for remote administration.  evhttp serves
 * the [remote] listen addresses through OpenSSL bufferevents, so nothing
 * but TLS is spoken there; with client-ca set a client certificate is
 * required as well.  Every request needs a bearer token of a [token]
 * section whose role covers the route (auth.c), or the cookie of a console
 * session made with one (session.c); the actor journaled with a change is
 * "token:NAME".  Failed attempts are limited per address.  The console's
 * files (console.c) need no token.  It runs in the front, the unprivileged
 * process of front.c: what it authenticated goes to the caller's ops (to
 * the gate process, which answers), failures, sign-ins and sign-outs too
 * (the gate journals them).  So the sessions are the front's, in its
 * memory, and the console's directory is opened here, before the front
 * gives up the file system, and read through that descriptor.
 *
 * A client that sends nothing, or a byte now and then, must not hold a
 * connection for long: bytes reset evhttp's own timeouts, so each
 * connection here has a deadline of its own for the TLS handshake and the
 * whole request, which bytes do not extend.  Connections are limited per
 * client address and in number; when every slot is taken, the oldest
 * connection still waiting for its request makes room for a new one, and
 * the last slot serves only admin tokens.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "agent.h"
#include "clock.h"
#include "protocol.h"
#include "session.h"

#define AUTH_SLOTS		1024	/* client addresses remembered */
#define REMOTE_CIPHERS		"ECDHE-ECDSA-AES128-GCM-SHA256:" \
				"ECDHE-RSA-AES128-GCM-SHA256:" \
				"ECDHE-ECDSA-AES256-GCM-SHA384:" \
				"ECDHE-RSA-AES256-GCM-SHA384:" \
				"ECDHE-ECDSA-CHACHA20-POLY1305:" \
				"ECDHE-RSA-CHACHA20-POLY1305"
#define ADMIN_RESERVE		1	/* busy slots only admins get */
#define DROP_LOG_EVERY_MS	60000	/* one log line a minute at most */
#define SESSIONS_MAX		64	/* console sessions at once */
#define SESSION_TTL_MS		(12 * 3600 * 1000)	/* a guard's shift */

/*
 * A TLS connection, from accept until OpenSSL frees its SSL.  FRESH until
 * its address is known (on the next pass of the loop: evhttp gives the
 * socket to the bufferevent after asking for it); WAITING for a request,
 * with a deadline; BUSY while api.c answers (a stream is busy until it
 * ends); WAITING again after each answer on a kept-alive connection;
 * DROPPED once shut down, until evhttp notices and frees it.
 */
enum conn_state { CONN_FRESH, CONN_WAITING, CONN_BUSY, CONN_DROPPED };

struct remote_conn {
	TAILQ_ENTRY(remote_conn) entry;		/* in the list of its state */
	struct remote_conns	*conns;
	SSL			*ssl;
	enum conn_state		 state;
	int64_t			 deadline;	/* ms, while fresh or waiting */
	uint8_t			 key[17];	/* the client's address */
	size_t			 keylen;
};
TAILQ_HEAD(conn_list, remote_conn);

/*
 * The open TLS connections.  They outlive the remote when needed: libevent
 * may free a connection's SSL (and so call conn_gone) after evhttp_free
 * returns, from the loop's finalizers.
 */
struct remote_conns {
	struct remote		*remote;	/* NULL once freed */
	int			 count;		/* all of them */
	int			 busy;
	int			 dropped;
	struct conn_list	 fresh;
	struct conn_list	 waiting;	/* oldest deadline first */
	struct conn_list	 busyq;
};

struct remote {
	const struct gate_conf	*conf;		/* remote and tokens */
	const struct remote_ops	*ops;
	void			*arg;
	SSL_CTX			*ctx;
	struct evhttp		*http;
	struct auth_limiter	*limiter;
	struct sessions		*sessions;	/* the console's (session.c) */
	int			 console;	/* its directory, or -1 */
	struct remote_conns	*conns;
	int			 max;
	int			 per_address;
	int			 timeout_ms;
	bool			 paused;
	struct event		*intake;	/* fresh connections to look at */
	struct event		*sweep;		/* the next deadline */
	int64_t			 drop_logged;	/* ms, 0: never */
	unsigned long		 drops_unlogged;
	int			 nbound;
	struct evhttp_bound_socket *bound[LISTEN_MAX];
	struct accept_guard	*guard[LISTEN_MAX];
};

static int	remote_ssl_index = -1;

/* The newest OpenSSL error as text, for a cause. */
static const char *
ssl_error(void)
{
	static char	buf[256];
	unsigned long	e = ERR_get_error();

	if (e == 0)
		return "unknown error";
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

static void
remote_pause(struct remote *r, bool pause)
{
	int	i;

	if (r->paused == pause)
		return;
	r->paused = pause;
	for (i = 0; i < r->nbound; i++)
		accept_guard_hold(r->guard[i], pause);
	if (pause)
		log_info("remote: %d connections, %d of them busy, not "
		    "accepting more", r->conns->count, r->conns->busy);
	else
		log_debug("%s: accepting connections again", __func__);
}

/*
 * Accepting stops when every slot is busy (the waiting ones can always
 * make room), or while too many dropped ones are still on their way out.
 */
static void
remote_update(struct remote *r)
{
	struct remote_conns	*c = r->conns;

	remote_pause(r, c->busy >= r->max ||
	    c->count >= r->max + r->max / 4 + 4);
}

/* Arms the sweep for the earliest deadline. */
static void
remote_schedule(struct remote *r)
{
	struct remote_conn	*rc = TAILQ_FIRST(&r->conns->waiting);
	struct timeval		 tv;
	int64_t			 ms;

	if (rc == NULL || evtimer_pending(r->sweep, NULL))
		return;
	ms = rc->deadline - mono_ms();
	if (ms < 0)
		ms = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000 + 1000;
	evtimer_add(r->sweep, &tv);
}

static struct conn_list *
conn_list_of(struct remote_conns *c, enum conn_state state)
{
	switch (state) {
	case CONN_FRESH:
		return &c->fresh;
	case CONN_WAITING:
		return &c->waiting;
	case CONN_BUSY:
		return &c->busyq;
	case CONN_DROPPED:
		break;
	}
	return NULL;
}

/* Moves a connection to another state (and its list, at the end). */
static void
conn_set(struct remote_conn *rc, enum conn_state state)
{
	struct remote_conns	*c = rc->conns;
	struct conn_list	*l;

	if ((l = conn_list_of(c, rc->state)) != NULL)
		TAILQ_REMOVE(l, rc, entry);
	if (rc->state == CONN_BUSY)
		c->busy--;
	else if (rc->state == CONN_DROPPED)
		c->dropped--;
	rc->state = state;
	if ((l = conn_list_of(c, state)) != NULL)
		TAILQ_INSERT_TAIL(l, rc, entry);
	if (state == CONN_BUSY)
		c->busy++;
	else if (state == CONN_DROPPED)
		c->dropped++;
}

/*
 * Shuts the connection's socket down: evhttp reads the end of it and frees
 * the connection, the TLS handshake and any half request with it.
 */
static void
conn_drop(struct remote *r, struct remote_conn *rc, const char *why)
{
	int64_t	now = mono_ms();
	int	fd;

	conn_set(rc, CONN_DROPPED);
	if ((fd = SSL_get_fd(rc->ssl)) >= 0)
		shutdown(fd, SHUT_RDWR);
	if (r->drop_logged == 0 || now - r->drop_logged >= DROP_LOG_EVERY_MS) {
		log_info("remote: dropped a connection: %s (%lu more dropped "
		    "since the last line)", why, r->drops_unlogged);
		r->drop_logged = now;
		r->drops_unlogged = 0;
	} else
		r->drops_unlogged++;
}

/* The connections past their deadline go. */
static void
remote_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct remote		*r = arg;
	struct remote_conn	*rc;
	int64_t			 now = mono_ms();

	(void)fd;
	(void)what;
	while ((rc = TAILQ_FIRST(&r->conns->waiting)) != NULL &&
	    rc->deadline <= now)
		conn_drop(r, rc, "no complete request within the timeout");
	remote_schedule(r);
}

/* The address of a socket's peer as bytes: family, then the address. */
static size_t
conn_key(int fd, uint8_t key[17])
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof ss;

	if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	if (ss.ss_family == AF_INET) {
		key[0] = AF_INET;
		memcpy(key + 1, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		return 5;
	}
	if (ss.ss_family == AF_INET6) {
		key[0] = AF_INET6;
		memcpy(key + 1, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		return 17;
	}
	return 0;
}

/* How many connections from that address are waiting or busy. */
static int
conns_from(struct remote_conns *c, const uint8_t *key, size_t len)
{
	struct remote_conn	*rc;
	int			 n = 0;

	TAILQ_FOREACH(rc, &c->waiting, entry)
		n += rc->keylen == len && memcmp(rc->key, key, len) == 0;
	TAILQ_FOREACH(rc, &c->busyq, entry)
		n += rc->keylen == len && memcmp(rc->key, key, len) == 0;
	return n;
}

/* The oldest connection from that address still waiting, or NULL. */
static struct remote_conn *
oldest_from(struct remote_conns *c, const uint8_t *key, size_t len)
{
	struct remote_conn	*rc;

	TAILQ_FOREACH(rc, &c->waiting, entry)
		if (rc->keylen == len && memcmp(rc->key, key, len) == 0)
			return rc;
	return NULL;
}

/*
 * The fresh connections, now with a socket, wait for their request.  One
 * over the limit of its address makes room by dropping the oldest one from
 * there still waiting (or is dropped itself when all of them are busy);
 * past max-connections the oldest waiting ones make room the same way.
 * So clients that send nothing or next to nothing cannot keep a new one
 * out, even from their own address (a NAT).
 */
static void
remote_intake(evutil_socket_t fd, short what, void *arg)
{
	struct remote		*r = arg;
	struct remote_conns	*c = r->conns;
	struct remote_conn	*rc, *old;

	(void)fd;
	(void)what;
	while ((rc = TAILQ_FIRST(&c->fresh)) != NULL) {
		rc->keylen = conn_key(SSL_get_fd(rc->ssl), rc->key);
		if (rc->keylen != 0 && conns_from(c, rc->key, rc->keylen) >=
		    r->per_address) {
			if ((old = oldest_from(c, rc->key, rc->keylen)) ==
			    NULL) {
				conn_drop(r, rc, "too many busy connections "
				    "from its address");
				continue;
			}
			conn_drop(r, old, "the oldest from its address "
			    "waiting for its request, to make room");
		}
		conn_set(rc, CONN_WAITING);
	}
	while (c->count - c->dropped > r->max &&
	    (rc = TAILQ_FIRST(&c->waiting)) != NULL)
		conn_drop(r, rc, "the oldest waiting for its request, to make "
		    "room");
	remote_schedule(r);
	remote_update(r);
}

/* OpenSSL frees a connection's SSL: one connection fewer. */
static void
conn_gone(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct remote_conn	*rc = ptr;
	struct remote_conns	*c;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (rc == NULL)
		return;
	c = rc->conns;
	conn_set(rc, CONN_DROPPED);
	c->dropped--;
	c->count--;
	free(rc);
	if (c->remote != NULL)
		remote_update(c->remote);
	else if (c->count == 0)
		free(c);
}

/*
 * evhttp asks for the bufferevent of each accepted connection: an OpenSSL
 * one, in accepting state, so the first bytes must be a TLS handshake.
 * Never NULL: evhttp would fall back to plain text.  The deadline for the
 * handshake and the request starts now.
 */
static struct bufferevent *
remote_bev(struct event_base *base, void *arg)
{
	struct remote		*r = arg;
	struct remote_conn	*rc;
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(r->ctx)) == NULL)
		fatalx("remote: SSL_new: %s", ssl_error());
	rc = xcalloc(1, sizeof *rc);
	rc->conns = r->conns;
	rc->ssl = ssl;
	rc->state = CONN_FRESH;
	TAILQ_INSERT_TAIL(&r->conns->fresh, rc, entry);
	rc->deadline = mono_ms() + r->timeout_ms;
	SSL_set_ex_data(ssl, remote_ssl_index, rc);
	r->conns->count++;
	remote_update(r);
	event_active(r->intake, EV_TIMEOUT, 0);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("remote: bufferevent_openssl_socket_new failed");
	return bev;
}

/* The connection a request came on. */
static struct remote_conn *
conn_of(struct evhttp_request *req)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	struct bufferevent		*bev;
	SSL				*ssl;

	if (evcon == NULL ||
	    (bev = evhttp_connection_get_bufferevent(evcon)) == NULL ||
	    (ssl = bufferevent_openssl_get_ssl(bev)) == NULL)
		return NULL;
	return SSL_get_ex_data(ssl, remote_ssl_index);
}

/* The answer is out: a kept-alive connection waits, with a new deadline. */
static void
remote_done(struct evhttp_request *req, void *arg)
{
	struct remote_conn	*rc = arg;
	struct remote		*r = rc->conns->remote;

	(void)req;
	if (rc->state != CONN_BUSY || r == NULL)
		return;
	rc->deadline = mono_ms() + r->timeout_ms;
	conn_set(rc, CONN_WAITING);
	remote_schedule(r);
	remote_update(r);
}

/*
 * The client's address: as text for the journal ("192.0.2.7", "::1") and
 * as bytes for the rate limit.  len 0 when it cannot be told.
 */
static void
peer(struct evhttp_request *req, char *text, size_t textlen, uint8_t *key,
    size_t *len)
{
	struct evhttp_connection	*evcon = evhttp_request_get_connection(req);
	const struct sockaddr		*sa;
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	snprintf(text, textlen, "unknown");
	*len = 0;
	if (evcon == NULL || (sa = evhttp_connection_get_addr(evcon)) == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, text, textlen);
		key[0] = AF_INET;
		memcpy(key + 1, &sin->sin_addr, 4);
		*len = 5;
	} else if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, text, textlen);
		key[0] = AF_INET6;
		memcpy(key + 1, &sin6->sin6_addr, 16);
		*len = 17;
	}
}

/*
 * A failed authentication from addr: counted for the limit, and sent to
 * be journaled when the limiter says so (the first of a burst, the block).
 */
static void
remote_failed(struct remote *r, const char *addr, const uint8_t *key,
    size_t keylen, const char *why)
{
	enum auth_note	note;

	note = auth_limit_fail(r->limiter, key, keylen, mono_ms());
	if (note == AUTH_NOTE_LIMITED)
		log_warnx("remote: %s rate-limited after %d failed "
		    "authentications", addr, AUTH_MAX_FAILURES);
	if (note != AUTH_NOTE_NONE)
		r->ops->journal(r->arg, note == AUTH_NOTE_FAILED ? "failed" :
		    "rate-limited", addr, why);
}

/*
 * Who asks: the token of the Authorization header, else of the session
 * cookie (session.c), or NULL when answered here: the sign-in routes, a
 * failure (counted for the limit, journaled as it says), a refused
 * session (no such session, or a change without its CSRF token).
 */
static const struct token_conf *
remote_token(struct remote *r, struct evhttp_request *req, const char *path,
    const char *addr, const uint8_t *key, size_t keylen)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const struct token_conf	*tok = NULL;
	const char		*token;

	token = auth_bearer(evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization"));
	if (path != NULL && strcmp(path, SESSION_PATH) == 0) {
		switch (session_route(r->sessions, r->conf, req, &tok)) {
		case SESSION_BAD_TOKEN:
			remote_failed(r, addr, key, keylen,
			    "unknown token at sign-in");
			api_error(req, 401, "the token is not valid");
			break;
		case SESSION_SIGNED_IN:
			r->ops->journal(r->arg, "signed-in", addr, tok->name);
			break;
		case SESSION_SIGNED_OUT:
			r->ops->journal(r->arg, "signed-out", addr, tok->name);
			break;
		case SESSION_DONE:
			break;
		}
		return NULL;
	}
	/* A browser's session stands for its token; a bearer token wins. */
	if (token == NULL && session_cookie_in(req)) {
		if (session_auth(r->sessions, r->conf, req, &tok) == -1)
			return NULL;
	} else if ((tok = auth_token_find(r->conf, token)) == NULL) {
		remote_failed(r, addr, key, keylen, token == NULL ?
		    "no bearer token" : "unknown token");
		evhttp_add_header(out, "WWW-Authenticate", token == NULL ?
		    "Bearer realm=\"gated\"" :
		    "Bearer realm=\"gated\", error=\"invalid_token\"");
		api_error(req, 401, "%s", token == NULL ? "a bearer token is "
		    "required (Authorization: Bearer TOKEN)" :
		    "the token is not valid");
		return NULL;
	}
	return tok;
}

/* Authenticates, authorises, and hands the request to the ops. */
static void
remote_request(struct evhttp_request *req, void *arg)
{
	struct remote		*r = arg;
	struct remote_conn	*rc = conn_of(req);
	const struct token_conf	*tok;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const char		*path = evhttp_uri_get_path(uri);
	char			 addr[INET6_ADDRSTRLEN], actor[64];
	char			 retry[24], *decoded = NULL;
	uint8_t			 key[17];
	size_t			 keylen;
	int64_t			 left;
	enum role		 need;

	peer(req, addr, sizeof addr, key, &keylen);
	/* The request is in: no deadline while it is answered. */
	if (rc != NULL && (rc->state == CONN_WAITING ||
	    rc->state == CONN_FRESH)) {
		conn_set(rc, CONN_BUSY);
		evhttp_request_set_on_complete_cb(req, remote_done, rc);
		remote_update(r);
	}
	if (path != NULL && console_request(r->console, req, path))
		return;
	if ((left = auth_limit_blocked(r->limiter, key, keylen,
	    mono_ms())) > 0) {
		snprintf(retry, sizeof retry, "%" PRId64, (left + 999) / 1000);
		evhttp_add_header(out, "Retry-After", retry);
		api_error(req, 429, "too many failed authentications from %s: "
		    "try again in %s s", addr, retry);
		return;
	}
	if ((tok = remote_token(r, req, path, addr, key, keylen)) == NULL)
		return;
	/* api.c routes on the decoded path: the role is judged on it too. */
	if (path == NULL || (decoded = evhttp_uridecode(path, 0, NULL)) ==
	    NULL) {
		api_error(req, 400, "bad path");
		return;
	}
	need = auth_role_needed(decoded);
	free(decoded);
	if (r->conns->busy > r->max - ADMIN_RESERVE && r->max > ADMIN_RESERVE &&
	    tok->role < ROLE_ADMIN) {
		evhttp_add_header(out, "Connection", "close");
		api_error(req, 503, "every connection is in use, the last one "
		    "is kept for admin tokens: try again later");
		return;
	}
	if ((int)need > tok->role) {
		api_error(req, 403, "this needs the %s role; token %s has the "
		    "%s role", auth_role_name(need), tok->name,
		    auth_role_name(tok->role));
		return;
	}
	snprintf(actor, sizeof actor, "token:%s", tok->name);
	r->ops->handle(r->arg, req, actor, tok->role);
}

static SSL_CTX *
remote_tls(const struct remote_conf *rc, char **cause)
{
	STACK_OF(X509_NAME)	*names;
	SSL_CTX			*ctx;

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		xasprintf(cause, "remote: SSL_CTX_new: %s", ssl_error());
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	/* TLS 1.2: forward secrecy and AEAD only, no CBC or SHA-1 MACs (the
	 * TLS 1.3 suites all are). */
	if (SSL_CTX_set_cipher_list(ctx, REMOTE_CIPHERS) != 1) {
		xasprintf(cause, "remote: cipher list: %s", ssl_error());
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, rc->certificate) != 1) {
		xasprintf(cause, "remote: certificate %s: %s", rc->certificate,
		    ssl_error());
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, rc->key, SSL_FILETYPE_PEM) !=
	    1) {
		xasprintf(cause, "remote: key %s: %s", rc->key, ssl_error());
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		xasprintf(cause, "remote: key %s does not match certificate "
		    "%s", rc->key, rc->certificate);
		goto fail;
	}
	if (rc->client_ca[0] != '\0') {
		if (SSL_CTX_load_verify_locations(ctx, rc->client_ca, NULL) !=
		    1 || (names = SSL_load_client_CA_file(rc->client_ca)) ==
		    NULL) {
			xasprintf(cause, "remote: client-ca %s: %s",
			    rc->client_ca, ssl_error());
			goto fail;
		}
		SSL_CTX_set_client_CA_list(ctx, names);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/*
 * Whether the certificate, key and client CA load and match: the gate
 * process asks at start, so that a wrong file stops gated with its cause
 * as before, rather than a front that fails and is restarted.
 */
int
remote_check(const struct remote_conf *rc, char **cause)
{
	SSL_CTX	*ctx;

	if ((ctx = remote_tls(rc, cause)) == NULL)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

/*
 * A listening socket for "ADDRESS:PORT"; "*" is every address.  The gate
 * process binds them (a port below 1024 needs its rights) and hands them
 * to each front it starts.
 */
int
remote_socket(const char *listen_on, char **cause)
{
	struct sockaddr_storage	 ss;
	char			 buf[80];
	int			 len = sizeof ss, fd, on = 1, off = 0;

	if (strncmp(listen_on, "*:", 2) == 0)
		snprintf(buf, sizeof buf, "[::]%s", listen_on + 1);
	else
		snprintf(buf, sizeof buf, "%s", listen_on);
	memset(&ss, 0, sizeof ss);
	if (evutil_parse_sockaddr_port(buf, (struct sockaddr *)&ss, &len) ==
	    -1) {
		xasprintf(cause, "remote: listen %s: not an address", listen_on);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 && ss.ss_family == AF_INET6 &&
	    strncmp(listen_on, "*:", 2) == 0) {
		/* No IPv6 here: every IPv4 address, then. */
		snprintf(buf, sizeof buf, "0.0.0.0%s", listen_on + 1);
		len = sizeof ss;
		evutil_parse_sockaddr_port(buf, (struct sockaddr *)&ss, &len);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	}
	if (fd == -1) {
		xasprintf(cause, "remote: listen %s: socket: %s", listen_on,
		    strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    strncmp(listen_on, "*:", 2) == 0 ? &off : &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 128) == -1) {
		xasprintf(cause, "remote: listen %s: %s", listen_on,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The console's directory, opened now: the front is about to give up the
 * file system (chroot), and reads the files through this descriptor
 * (static.c refuses a name that would lead out of it).  -1 when there is
 * none: every console path is then a 404, the API works as ever.
 */
static int
remote_console(const char *dir)
{
	int	fd;

	if (dir[0] == '\0')
		return -1;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		log_info("remote: no console (%s: %s)", dir, strerror(errno));
	return fd;
}

/*
 * Starts the TLS listener of the config's [remote] section on the bound
 * sockets fds: certificates loaded, or NULL with the cause (the sockets
 * stay the caller's then).
 */
struct remote *
remote_new(struct event_base *base, const struct gate_conf *conf,
    const int *fds, const struct remote_ops *ops, void *arg, char **cause)
{
	const struct remote_conf	*rc = &conf->remote;
	struct remote			*r;
	struct timeval			 tv;
	char				 what[96];
	int				 i;

	if (remote_ssl_index == -1 && (remote_ssl_index =
	    SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_gone)) == -1) {
		xasprintf(cause, "remote: SSL_get_ex_new_index: %s",
		    ssl_error());
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->conf = conf;
	r->ops = ops;
	r->arg = arg;
	r->max = rc->max_connections;
	r->per_address = rc->max_per_address;
	r->timeout_ms = rc->timeout_ms;
	r->conns = xcalloc(1, sizeof *r->conns);
	r->conns->remote = r;
	TAILQ_INIT(&r->conns->fresh);
	TAILQ_INIT(&r->conns->waiting);
	TAILQ_INIT(&r->conns->busyq);
	r->intake = event_new(base, -1, 0, remote_intake, r);
	r->sweep = evtimer_new(base, remote_sweep, r);
	if (r->intake == NULL || r->sweep == NULL)
		fatalx("%s: event_new", __func__);
	r->limiter = auth_limiter_new(AUTH_SLOTS, AUTH_MAX_FAILURES,
	    AUTH_WINDOW_MS, AUTH_BLOCK_MS);
	r->sessions = sessions_new(SESSIONS_MAX, SESSION_TTL_MS);
	r->console = remote_console(rc->console);
	if ((r->ctx = remote_tls(rc, cause)) == NULL)
		goto fail;
	if ((r->http = evhttp_new(base)) == NULL) {
		xasprintf(cause, "remote: evhttp_new failed");
		goto fail;
	}
	/* Every method reaches api.c, which answers 405 with a reason. */
	evhttp_set_allowed_methods(r->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_body_size(r->http, GATED_MAX_BODY);
	/* Read an oversized body to its end before closing, so that the
	 * client gets the 413 instead of a reset mid-upload. */
	evhttp_set_flags(r->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(r->http, 16384);
	tv.tv_sec = rc->timeout_ms / 1000;
	tv.tv_usec = (rc->timeout_ms % 1000) * 1000;
	evhttp_set_timeout_tv(r->http, &tv);
	evhttp_set_bevcb(r->http, remote_bev, r);
	evhttp_set_gencb(r->http, remote_request, r);
	for (i = 0; i < rc->listen_count; i++) {
		if ((r->bound[r->nbound] = evhttp_accept_socket_with_handle(
		    r->http, fds[i])) == NULL) {
			xasprintf(cause, "remote: listen %s: evhttp refused "
			    "the socket", rc->listen[i]);
			goto fail;
		}
		snprintf(what, sizeof what, "remote %s", rc->listen[i]);
		r->guard[r->nbound] = accept_guard_new(
		    evhttp_bound_socket_get_listener(r->bound[r->nbound]), what);
		r->nbound++;
		log_info("remote API on %s (TLS%s)", rc->listen[i],
		    rc->client_ca[0] ? ", client certificates required" : "");
	}
	return r;
fail:
	remote_free(r);
	return NULL;
}

void
remote_free(struct remote *r)
{
	struct remote_conns	*c;
	int			 i;

	if (r == NULL)
		return;
	/* From here a connection going (in evhttp_free or later, from the
	 * loop's finalizers) no longer calls back into r; the count held
	 * here keeps c until the end of this function. */
	c = r->conns;
	c->remote = NULL;
	c->count++;
	for (i = 0; i < r->nbound; i++)
		accept_guard_free(r->guard[i]);
	if (r->http != NULL)
		evhttp_free(r->http);	/* closes listeners and connections */
	if (r->intake != NULL)
		event_free(r->intake);
	if (r->sweep != NULL)
		event_free(r->sweep);
	if (--c->count == 0)
		free(c);
	SSL_CTX_free(r->ctx);		/* live SSLs keep their reference */
	auth_limiter_free(r->limiter);
	sessions_free(r->sessions);
	if (r->console != -1)
		close(r->console);
	free(r);
}
