/*
 * remote.c: the /v1 API over TLS for remote administration.  evhttp serves
 * the [remote] listen addresses through OpenSSL bufferevents, so nothing
 * but TLS is spoken there; with client-ca set a client certificate is
 * required as well.  Every request needs a bearer token of a [token]
 * section whose role covers the route (auth.c); the actor journaled with a
 * change is "token:NAME".  Failed attempts are limited per address, and
 * connections are limited in number: past the limit the listeners pause
 * and new clients wait in the kernel's backlog.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
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
#include "protocol.h"

#define AUTH_SLOTS		1024	/* client addresses remembered */
#define AUTH_MAX_FAILURES	5
#define AUTH_WINDOW_MS		60000
#define AUTH_BLOCK_MS		60000

/*
 * The count of open TLS connections.  It outlives the remote when needed:
 * libevent may free a connection's SSL (and so call conn_gone) after
 * evhttp_free returns, from the loop's finalizers.
 */
struct remote_conns {
	struct remote	*remote;	/* NULL once freed */
	int		 count;
};

struct remote {
	struct gate		*gate;
	struct api		*api;
	SSL_CTX			*ctx;
	struct evhttp		*http;
	struct auth_limiter	*limiter;
	struct remote_conns	*conns;
	int			 max;
	bool			 paused;
	int			 nbound;
	struct evhttp_bound_socket *bound[LISTEN_MAX];
};

static int	remote_ssl_index = -1;

static int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	for (i = 0; i < r->nbound; i++) {
		if (pause)
			evconnlistener_disable(
			    evhttp_bound_socket_get_listener(r->bound[i]));
		else
			evconnlistener_enable(
			    evhttp_bound_socket_get_listener(r->bound[i]));
	}
	if (pause)
		log_info("remote: %d connections, not accepting more", r->max);
	else
		log_debug("%s: accepting connections again", __func__);
}

/* OpenSSL frees a connection's SSL: one connection fewer. */
static void
conn_gone(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
    void *argp)
{
	struct remote_conns	*c = ptr;

	(void)parent;
	(void)ad;
	(void)idx;
	(void)argl;
	(void)argp;
	if (c == NULL)
		return;
	c->count--;
	if (c->remote != NULL) {
		if (c->count < c->remote->max)
			remote_pause(c->remote, false);
	} else if (c->count == 0)
		free(c);
}

/*
 * evhttp asks for the bufferevent of each accepted connection: an OpenSSL
 * one, in accepting state, so the first bytes must be a TLS handshake.
 * Never NULL: evhttp would fall back to plain text.
 */
static struct bufferevent *
remote_bev(struct event_base *base, void *arg)
{
	struct remote		*r = arg;
	struct bufferevent	*bev;
	SSL			*ssl;

	if ((ssl = SSL_new(r->ctx)) == NULL)
		fatalx("remote: SSL_new: %s", ssl_error());
	SSL_set_ex_data(ssl, remote_ssl_index, r->conns);
	if (++r->conns->count >= r->max)
		remote_pause(r, true);
	bev = bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		fatalx("remote: bufferevent_openssl_socket_new failed");
	return bev;
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

/* Journals a failed authentication as the limiter says to. */
static void
remote_journal_failure(struct remote *r, enum auth_note note,
    const char *addr, const char *why)
{
	struct journal_event	ev;
	char			detail[160];

	if (note == AUTH_NOTE_NONE)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = "auth";
	ev.actor = addr;
	if (note == AUTH_NOTE_FAILED) {
		ev.reason = "failed";
		snprintf(detail, sizeof detail, "%s (further failures of "
		    "this burst are not journaled)", why);
	} else {
		ev.reason = "rate-limited";
		snprintf(detail, sizeof detail, "%d failures within %d s: "
		    "refused for %d s", AUTH_MAX_FAILURES,
		    AUTH_WINDOW_MS / 1000, AUTH_BLOCK_MS / 1000);
		log_warnx("remote: %s rate-limited after %d failed "
		    "authentications", addr, AUTH_MAX_FAILURES);
	}
	ev.detail = detail;
	gate_record(r->gate, &ev);
}

/* Authenticates, authorises, and hands the request to api.c. */
static void
remote_request(struct evhttp_request *req, void *arg)
{
	struct remote		*r = arg;
	const struct token_conf	*tok;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	const char		*path = evhttp_uri_get_path(uri), *token;
	char			 addr[INET6_ADDRSTRLEN], actor[64];
	char			 retry[24], *decoded = NULL;
	uint8_t			 key[17];
	size_t			 keylen;
	int64_t			 left;
	enum role		 need;

	peer(req, addr, sizeof addr, key, &keylen);
	if (r->conns->count > r->max) {
		evhttp_add_header(out, "Connection", "close");
		api_error(req, 503, "too many connections, try again later");
		return;
	}
	if ((left = auth_limit_blocked(r->limiter, key, keylen,
	    mono_ms())) > 0) {
		snprintf(retry, sizeof retry, "%" PRId64, (left + 999) / 1000);
		evhttp_add_header(out, "Retry-After", retry);
		api_error(req, 429, "too many failed authentications from %s: "
		    "try again in %s s", addr, retry);
		return;
	}
	token = auth_bearer(evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Authorization"));
	if ((tok = auth_token_find(gate_conf(r->gate), token)) == NULL) {
		remote_journal_failure(r, auth_limit_fail(r->limiter, key,
		    keylen, mono_ms()), addr, token == NULL ? "no bearer "
		    "token" : "unknown token");
		evhttp_add_header(out, "WWW-Authenticate", token == NULL ?
		    "Bearer realm=\"gated\"" :
		    "Bearer realm=\"gated\", error=\"invalid_token\"");
		api_error(req, 401, "%s", token == NULL ? "a bearer token is "
		    "required (Authorization: Bearer TOKEN)" :
		    "the token is not valid");
		return;
	}
	/* api.c routes on the decoded path: the role is judged on it too. */
	if (path == NULL || (decoded = evhttp_uridecode(path, 0, NULL)) ==
	    NULL) {
		api_error(req, 400, "bad path");
		return;
	}
	need = auth_role_needed(decoded);
	free(decoded);
	if ((int)need > tok->role) {
		api_error(req, 403, "this needs the %s role; token %s has the "
		    "%s role", auth_role_name(need), tok->name,
		    auth_role_name(tok->role));
		return;
	}
	snprintf(actor, sizeof actor, "token:%s", tok->name);
	api_handle(r->api, req, actor);
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

/* A listening socket for "ADDRESS:PORT"; "*" is every address. */
static int
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
 * Starts the TLS listener of the config's [remote] section: certificates
 * loaded and every address bound, or NULL with the cause and nothing left.
 */
struct remote *
remote_new(struct event_base *base, struct gate *g, struct api *api,
    char **cause)
{
	const struct remote_conf	*rc = &gate_conf(g)->remote;
	struct remote			*r;
	struct timeval			 tv;
	int				 i, fd;

	if (remote_ssl_index == -1 && (remote_ssl_index =
	    SSL_get_ex_new_index(0, NULL, NULL, NULL, conn_gone)) == -1) {
		xasprintf(cause, "remote: SSL_get_ex_new_index: %s",
		    ssl_error());
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	r->gate = g;
	r->api = api;
	r->max = rc->max_connections;
	r->conns = xcalloc(1, sizeof *r->conns);
	r->conns->remote = r;
	r->limiter = auth_limiter_new(AUTH_SLOTS, AUTH_MAX_FAILURES,
	    AUTH_WINDOW_MS, AUTH_BLOCK_MS);
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
		if ((fd = remote_socket(rc->listen[i], cause)) == -1)
			goto fail;
		if ((r->bound[r->nbound] = evhttp_accept_socket_with_handle(
		    r->http, fd)) == NULL) {
			close(fd);
			xasprintf(cause, "remote: listen %s: evhttp refused "
			    "the socket", rc->listen[i]);
			goto fail;
		}
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
	if (r == NULL)
		return;
	if (r->http != NULL)
		evhttp_free(r->http);	/* closes listeners and connections */
	r->conns->remote = NULL;
	if (r->conns->count == 0)
		free(r->conns);
	SSL_CTX_free(r->ctx);		/* live SSLs keep their reference */
	auth_limiter_free(r->limiter);
	free(r);
}
