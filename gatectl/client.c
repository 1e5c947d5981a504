/*
 * client.c: HTTP exchanges with gated through libevent's evhttp client,
 * on the local control socket or on a gate's remote API over TLS.  The
 * Unix socket is connected here, so that the kernel checks our right to
 * reach the agent and a failure names the socket and errno; unix-bridge.c
 * carries evhttp's bytes onto it.  Over TLS the server's certificate must
 * chain to the CA given (or the system's) and name the URL's host, and a
 * bearer token from a file goes with every request.  Both sides send the
 * protocol version and a mismatch stops us before we misread.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "gatectl.h"

#define CLIENT_MAX_ANSWER (16 << 20)	/* a year's report fits */
#define CLIENT_TOKEN_MAX	1024

/* One connection to one gate, for one or more requests. */
struct client_conn {
	const struct ctl_target		*target;
	struct evhttp_connection	*evcon;
	struct bridge			*bridge;
	SSL				*ssl;	/* TLS: the bufferevent owns it */
	char				*token;
	struct timespec			 sent, failed;	/* monotonic */
	char				 host[300];	/* the Host header */
};

/* What the request callbacks learn, for client_call to judge. */
struct client_state {
	struct event_base	*base;
	int			 done;
	int			 status;	/* HTTP status, 0: none */
	int			 failed;
	enum evhttp_request_error error;
	char			*proto;		/* the agent's version header */
	struct evbuffer		*body;
	struct client_conn	*conn;
};

/* A connected, non-blocking Unix socket, or -1 with errno set. */
static int
client_connect(const char *path, int timeout)
{
	struct sockaddr_un	sun;
	struct timeval		tv = { timeout, 0 };
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
		return "connection refused, or closed before an answer";
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

static char *
ssl_why(const char *what)
{
	char		 buf[256], *out;
	unsigned long	 e = ERR_get_error();

	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	xasprintf(&out, "%s: %s", what, e != 0 ? buf : "failed");
	return out;
}

/*
 * The bearer token: the first line of the file, without white space.  Like
 * ssh with a private key, a file that its group or others may read or
 * write is refused: the token is as good as a password to the gate.
 */
char *
client_token(const struct ctl_target *t, char **why)
{
	struct stat	 st;
	FILE		*f;
	char		 buf[CLIENT_TOKEN_MAX + 2];
	size_t		 n;

	if (t->token_file == NULL) {
		xasprintf(why, "%s: a remote gate needs a token "
		    "(--token-file FILE)", t->name);
		return NULL;
	}
	if ((f = fopen(t->token_file, "r")) == NULL) {
		xasprintf(why, "%s: %s", t->token_file, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == -1) {
		xasprintf(why, "%s: %s", t->token_file, strerror(errno));
		fclose(f);
		return NULL;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		xasprintf(why, "%s: permissions %04o are too open: a token "
		    "file must be for its owner only (chmod 600 %s)",
		    t->token_file, (unsigned)(st.st_mode & 07777),
		    t->token_file);
		fclose(f);
		return NULL;
	}
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (n == 0 || n > CLIENT_TOKEN_MAX || strpbrk(buf, " \t") != NULL) {
		xasprintf(why, "%s: not a token (one line, no spaces, at most "
		    "%d characters)", t->token_file, CLIENT_TOKEN_MAX);
		return NULL;
	}
	return xstrdup(buf);
}

/*
 * The TLS side: a client context trusting the CA file (or the system's
 * store), with our certificate when mTLS is wanted, and an SSL that checks
 * the server's name or address.
 */
static SSL *
client_tls(const struct ctl_target *t, const char *host, char **why)
{
	X509_VERIFY_PARAM	*param;
	SSL_CTX			*ctx;
	SSL			*ssl = NULL;
	unsigned char		 addr[16];
	bool			 is_ip;

	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		*why = ssl_why("TLS");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	if (t->ca != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, t->ca, NULL) != 1) {
			*why = ssl_why(t->ca);
			goto out;
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		*why = ssl_why("the system's CA store");
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (t->cert != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx, t->cert) != 1) {
			*why = ssl_why(t->cert);
			goto out;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, t->key != NULL ? t->key :
		    t->cert, SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			*why = ssl_why(t->key != NULL ? t->key : t->cert);
			goto out;
		}
	}
	if ((ssl = SSL_new(ctx)) == NULL) {
		*why = ssl_why("TLS");
		goto out;
	}
	param = SSL_get0_param(ssl);
	is_ip = inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1;
	if (is_ip) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1) {
			*why = ssl_why(host);
			SSL_free(ssl);
			ssl = NULL;
		}
	} else {
		SSL_set_tlsext_host_name(ssl, host);
		X509_VERIFY_PARAM_set_hostflags(param,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1) {
			*why = ssl_why(host);
			SSL_free(ssl);
			ssl = NULL;
		}
	}
out:
	SSL_CTX_free(ctx);	/* the SSL holds its own reference */
	return ssl;
}

/* https://HOST[:PORT][/]: the host (no brackets) and port. */
static int
client_url(const char *url, char *host, size_t len, int *port, char **why)
{
	struct evhttp_uri	*u;
	const char		*scheme, *h, *path;
	int			 rc = -1;

	if ((u = evhttp_uri_parse(url)) == NULL) {
		xasprintf(why, "%s: not a URL", url);
		return -1;
	}
	scheme = evhttp_uri_get_scheme(u);
	h = evhttp_uri_get_host(u);
	path = evhttp_uri_get_path(u);
	if (scheme == NULL || strcasecmp(scheme, "https") != 0)
		xasprintf(why, "%s: not https:// (the remote API is TLS "
		    "only)", url);
	else if (h == NULL || *h == '\0' || strlen(h) >= len)
		xasprintf(why, "%s: no host", url);
	else if (path != NULL && *path != '\0' && strcmp(path, "/") != 0)
		xasprintf(why, "%s: give the gate's address only, no path",
		    url);
	else {
		if (h[0] == '[') {
			snprintf(host, len, "%s", h + 1);
			host[strcspn(host, "]")] = '\0';
		} else
			snprintf(host, len, "%s", h);
		*port = evhttp_uri_get_port(u) == -1 ? 443 :
		    evhttp_uri_get_port(u);
		rc = 0;
	}
	evhttp_uri_free(u);
	return rc;
}

struct client_conn *
client_conn_new(struct event_base *base, struct evdns_base *dns,
    const struct ctl_target *t, char **why)
{
	struct client_conn	*c = xcalloc(1, sizeof *c);
	struct bufferevent	*bev;
	char			 host[256];
	int			 fd, port;

	c->target = t;
	if (t->url == NULL) {
		if ((fd = client_connect(t->socket, t->timeout)) == -1) {
			xasprintf(why, "cannot connect to %s: %s%s", t->socket,
			    strerror(errno), errno == ENOENT ||
			    errno == ECONNREFUSED ? " (is gated running?)" :
			    "");
			goto fail;
		}
		if ((c->bridge = bridge_new(base, fd, &port)) == NULL) {
			xasprintf(why, "cannot listen on the loopback relay: "
			    "%s", strerror(errno));
			goto fail;
		}
		snprintf(c->host, sizeof c->host, "gated");
		c->evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1",
		    (unsigned short)port);
		if (c->evcon == NULL) {
			xasprintf(why, "cannot set up a connection");
			goto fail;
		}
		bridge_expect(c->bridge, c->evcon);
	} else {
		if (client_url(t->url, host, sizeof host, &port, why) == -1 ||
		    (c->token = client_token(t, why)) == NULL ||
		    (c->ssl = client_tls(t, host, why)) == NULL)
			goto fail;
		snprintf(c->host, sizeof c->host, strchr(host, ':') ?
		    "[%s]:%d" : "%s:%d", host, port);
		bev = bufferevent_openssl_socket_new(base, -1, c->ssl,
		    BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		if (bev == NULL) {
			SSL_free(c->ssl);
			c->ssl = NULL;
			xasprintf(why, "cannot set up TLS");
			goto fail;
		}
		/* evhttp knows where an answer ends; a server closing without
		 * a TLS close_notify is no error of ours. */
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		c->evcon = evhttp_connection_base_bufferevent_new(base, dns,
		    bev, host, (unsigned short)port);
		if (c->evcon == NULL) {
			bufferevent_free(bev);
			c->ssl = NULL;
			xasprintf(why, "cannot set up a connection");
			goto fail;
		}
	}
	evhttp_connection_set_timeout(c->evcon, t->timeout);
	evhttp_connection_set_max_body_size(c->evcon, CLIENT_MAX_ANSWER);
	return c;
fail:
	client_conn_free(c);
	return NULL;
}

void
client_conn_free(struct client_conn *c)
{
	if (c == NULL)
		return;
	if (c->evcon != NULL)
		evhttp_connection_free(c->evcon);	/* and the SSL */
	bridge_free(c->bridge);
	if (c->token != NULL) {
		explicit_bzero(c->token, strlen(c->token));
		free(c->token);
	}
	free(c);
}

struct evhttp_request *
client_request_new(struct client_conn *c,
    void (*cb)(struct evhttp_request *, void *), void *arg)
{
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	char			 version[16], *auth;

	if ((req = evhttp_request_new(cb, arg)) == NULL)
		fatalx("out of memory");
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", c->host);
	evhttp_add_header(h, "Accept", "application/json");
	snprintf(version, sizeof version, "%d", GATED_PROTOCOL_VERSION);
	evhttp_add_header(h, GATED_PROTOCOL_HEADER, version);
	if (c->token != NULL) {
		xasprintf(&auth, "Bearer %s", c->token);
		evhttp_add_header(h, "Authorization", auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	return req;
}

int
client_send(struct client_conn *c, struct evhttp_request *req,
    enum ctl_method method, const char *path, json_t *body)
{
	struct evkeyvalq	*h = evhttp_request_get_output_headers(req);
	json_t			*empty = NULL;
	char			*text;

	if (method == CTL_POST) {
		if (body == NULL)
			body = empty = json_object();
		text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
		json_decref(empty);
		if (text == NULL) {
			evhttp_request_free(req);
			return -1;
		}
		evhttp_add_header(h, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), text,
		    strlen(text));
		free(text);
	}
	clock_gettime(CLOCK_MONOTONIC, &c->sent);
	/* evhttp frees the request itself when this fails. */
	return evhttp_make_request(c->evcon, req, method == CTL_POST ?
	    EVHTTP_REQ_POST : EVHTTP_REQ_GET, path);
}

/* Notes when a request failed: libevent 2.1 reports a connect or
 * handshake that timed out as a plain failure, the clock tells them apart. */
void
client_failed(struct client_conn *c)
{
	clock_gettime(CLOCK_MONOTONIC, &c->failed);
}

/* Why there is no answer: the TLS verdict when there is one. */
char *
client_failure(struct client_conn *c, int error)
{
	char		*out, buf[256];
	unsigned long	 e;
	long		 v;
	double		 took;

	if (c->ssl != NULL && (v = SSL_get_verify_result(c->ssl)) !=
	    X509_V_OK) {
		xasprintf(&out, "TLS: the gate's certificate is not trusted: "
		    "%s", X509_verify_cert_error_string(v));
		return out;
	}
	/* Only OpenSSL's own errors: the bufferevent also queues errno. */
	if (c->ssl != NULL && (e = bufferevent_get_openssl_error(
	    evhttp_connection_get_bufferevent(c->evcon))) != 0 &&
	    ERR_GET_LIB(e) != 0) {
		ERR_error_string_n(e, buf, sizeof buf);
		xasprintf(&out, "TLS: %s", buf);
		return out;
	}
	took = (c->failed.tv_sec - c->sent.tv_sec) +
	    (c->failed.tv_nsec - c->sent.tv_nsec) / 1e9;
	if (error != EVREQ_HTTP_TIMEOUT && c->failed.tv_sec != 0 &&
	    took >= c->target->timeout - 0.05) {
		xasprintf(&out, "timed out: no answer within %d s",
		    c->target->timeout);
		return out;
	}
	return xstrdup(client_error_text(error));
}

/* Says why the agent refused; a 422 carries the list of what is wrong. */
static char *
client_refused(const struct ctl_target *t, int status, json_t *answer)
{
	json_t		*errors, *e;
	const char	*why;
	char		*out, *more;
	size_t		 i;

	why = json_string_value(json_object_get(answer, "error"));
	if (status >= 500)
		xasprintf(&out, "the agent at %s failed: %s", t->name,
		    why != NULL ? why : "no reason given");
	else if (why != NULL)
		out = xstrdup(why);
	else
		xasprintf(&out, "the gate refused (HTTP %d)", status);
	errors = json_object_get(answer, "errors");
	json_array_foreach(errors, i, e) {
		/* A problem without a line is the error itself: once. */
		if (!json_is_string(e) || (why != NULL &&
		    strcmp(why, json_string_value(e)) == 0))
			continue;
		xasprintf(&more, "%s\n    %s", out, json_string_value(e));
		free(out);
		out = more;
	}
	return out;
}

int
client_judge(const struct ctl_target *t, int status, const char *proto,
    const void *body, size_t len, json_t **answer, char **why)
{
	json_error_t	 jerr;
	json_t		*a = NULL;
	long		 version;

	*answer = NULL;
	*why = NULL;
	/* A version we do not speak: stop before reading anything else.  An
	 * error page from evhttp itself carries no version; judge it below. */
	if ((proto != NULL && (ctl_parse_long(proto, 0, 1000000, &version) ==
	    -1 || version != GATED_PROTOCOL_VERSION)) ||
	    (proto == NULL && status < 400)) {
		xasprintf(why, "protocol mismatch: gatectl speaks version %d, "
		    "the agent at %s %s%s", GATED_PROTOCOL_VERSION, t->name,
		    proto != NULL ? "speaks version " : "sent no version",
		    proto != NULL ? proto : "");
		return EXIT_PROTOCOL;
	}
	if (len != 0)
		a = json_loadb(body, len, 0, &jerr);
	if (status >= 200 && status < 300) {
		if (!json_is_object(a)) {
			xasprintf(why, "bad answer from %s: %s", t->name,
			    a == NULL && len != 0 ? jerr.text :
			    "not a JSON object");
			json_decref(a);
			return EXIT_UNREACHABLE;
		}
		*answer = a;
		return 0;
	}
	*why = client_refused(t, status, a);
	*answer = a;
	return status >= 400 && status < 500 ? EXIT_GATE_REFUSED :
	    EXIT_UNREACHABLE;
}

/* ---- one request, waited for ----------------------------------------- */

static void
client_error(enum evhttp_request_error e, void *arg)
{
	struct client_state	*st = arg;

	st->failed = 1;
	st->error = e;
	client_failed(st->conn);
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
			client_failed(st->conn);
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

/* Prints why, one "gatectl: " line and its continuation lines. */
static void
client_say(const char *why)
{
	fprintf(stderr, "gatectl: %s\n", why);
}

int
client_call(const struct ctl_target *t, int json, enum ctl_method method,
    const char *path, json_t *body, json_t **answer)
{
	struct client_state	 st;
	struct client_conn	*conn = NULL;
	struct evhttp_request	*req;
	char			*why = NULL;
	json_t			*a = NULL;
	int			 rc;

	*answer = NULL;
	memset(&st, 0, sizeof st);
	if ((st.base = event_base_new()) == NULL ||
	    (st.body = evbuffer_new()) == NULL) {
		fprintf(stderr, "gatectl: cannot set up libevent\n");
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	if ((conn = client_conn_new(st.base, NULL, t, &why)) == NULL) {
		client_say(why);
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	st.conn = conn;
	req = client_request_new(conn, client_done, &st);
	evhttp_request_set_error_cb(req, client_error);
	if (client_send(conn, req, method, path, body) == -1) {
		fprintf(stderr, "gatectl: cannot send a request to %s\n",
		    t->name);
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	event_base_dispatch(st.base);
	if (!st.done) {
		st.failed = 1;
		st.error = EVREQ_HTTP_EOF;
	}
	if (st.failed) {
		why = client_failure(conn, st.error);
		fprintf(stderr, "gatectl: no answer from %s: %s\n", t->name,
		    why);
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	rc = client_judge(t, st.status, st.proto,
	    evbuffer_pullup(st.body, -1), evbuffer_get_length(st.body), &a,
	    &why);
	if (a != NULL && json && rc != EXIT_PROTOCOL) {
		json_dumpf(a, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
		fputc('\n', stdout);
		fflush(stdout);
	}
	if (rc == 0) {
		*answer = a;
		a = NULL;
	} else
		client_say(why);

out:
	free(why);
	json_decref(a);
	free(st.proto);
	client_conn_free(conn);
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
