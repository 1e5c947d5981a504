/*
 * bench-remote-load.c: load for the remote API.  A bounded number of GET
 * requests over TLS, spread over a number of keep-alive connections, all
 * from one event loop; prints requests per second and the latency
 * percentiles it saw.  Loopback only: it is a benchmark, not a weapon.
 *
 * usage: bench-remote-load PORT CA-FILE TOKEN-FILE REQUESTS CONNECTIONS PATH
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ssl.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

struct load;

struct conn {
	struct load			*load;
	struct evhttp_connection	*evcon;
	struct timespec			 t0;
};

struct load {
	struct event_base	*base;
	SSL_CTX			*ctx;
	const char		*path;
	char			 auth[1100];
	int			 port;
	long			 total, sent, done, errors, open;
	double			*lat;		/* ms, one per answered request */
};

static double
since_ms(const struct timespec *t0)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1e3 +
	    (now.tv_nsec - t0->tv_nsec) / 1e6;
}

static void	conn_next(struct conn *);

static void
answered(struct evhttp_request *req, void *arg)
{
	struct conn	*c = arg;
	struct load	*l = c->load;

	if (req == NULL || evhttp_request_get_response_code(req) != 200)
		l->errors++;
	else
		l->lat[l->done - l->errors] = since_ms(&c->t0);
	l->done++;
	if (l->done == l->total)
		event_base_loopexit(l->base, NULL);
	else if (req == NULL) {
		/* The connection failed: this one stops, the others go on. */
		if (--l->open == 0)
			event_base_loopexit(l->base, NULL);
	} else
		conn_next(c);
}

static void
conn_next(struct conn *c)
{
	struct load		*l = c->load;
	struct evhttp_request	*req;
	struct evkeyvalq	*h;

	if (l->sent == l->total)
		return;
	l->sent++;
	req = evhttp_request_new(answered, c);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", "localhost");
	evhttp_add_header(h, "Authorization", l->auth);
	evhttp_add_header(h, "X-Gated-Protocol", "1");
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	if (evhttp_make_request(c->evcon, req, EVHTTP_REQ_GET, l->path) == -1)
		l->errors++, l->done++;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct load		 l;
	struct conn		*c;
	struct bufferevent	*bev;
	struct timespec		 t0;
	FILE			*f;
	char			 tok[1024];
	double			 secs;
	long			 i, nconn, ok;
	SSL			*ssl;

	if (argc != 7) {
		fprintf(stderr, "usage: bench-remote-load PORT CA TOKEN-FILE "
		    "REQUESTS CONNECTIONS PATH\n");
		return 2;
	}
	memset(&l, 0, sizeof l);
	l.port = atoi(argv[1]);
	l.total = atol(argv[4]);
	nconn = atol(argv[5]);
	l.path = argv[6];
	if ((f = fopen(argv[3], "r")) == NULL || fgets(tok, sizeof tok, f) ==
	    NULL) {
		perror(argv[3]);
		return 2;
	}
	fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';
	snprintf(l.auth, sizeof l.auth, "Bearer %s", tok);
	l.lat = calloc(l.total, sizeof *l.lat);
	l.base = event_base_new();
	l.ctx = SSL_CTX_new(TLS_client_method());
	if (l.lat == NULL || l.base == NULL || l.ctx == NULL ||
	    SSL_CTX_load_verify_locations(l.ctx, argv[2], NULL) != 1) {
		fprintf(stderr, "bench-remote-load: setup failed\n");
		return 1;
	}
	SSL_CTX_set_verify(l.ctx, SSL_VERIFY_PEER, NULL);
	c = calloc(nconn, sizeof *c);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nconn; i++) {
		ssl = SSL_new(l.ctx);
		bev = bufferevent_openssl_socket_new(l.base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
		bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
		c[i].load = &l;
		c[i].evcon = evhttp_connection_base_bufferevent_new(l.base, NULL,
		    bev, "127.0.0.1", (unsigned short)l.port);
		evhttp_connection_set_timeout(c[i].evcon, 30);
		l.open++;
		conn_next(&c[i]);
	}
	event_base_dispatch(l.base);
	secs = since_ms(&t0) / 1e3;
	ok = l.done - l.errors;
	qsort(l.lat, ok, sizeof *l.lat, cmp);
	printf("remote load: %ld GET %s over TLS on %ld keep-alive "
	    "connections: %ld ok, %ld failed in %.2f s = %.0f requests/s; "
	    "latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", l.total,
	    l.path, nconn, ok, l.errors, secs, ok / secs,
	    ok ? l.lat[ok / 2] : 0, ok ? l.lat[ok * 99 / 100] : 0,
	    ok ? l.lat[ok - 1] : 0);
	for (i = 0; i < nconn; i++)
		evhttp_connection_free(c[i].evcon);
	free(c);
	free(l.lat);
	SSL_CTX_free(l.ctx);
	event_base_free(l.base);
	return l.errors != 0;
}
