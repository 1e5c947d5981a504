/*
 * broker.c: the link to one MQTT broker, libmosquitto driven from the
 * caller's libevent loop (the gate's, the hub's).  No libmosquitto thread: the gate's state stays
 * single-threaded and broker work runs on a priority below card work.
 *
 * libmosquitto's socket is watched by libevent (read always, write only
 * while libmosquitto has something to send); mosquitto_loop_read,
 * _write and _misc are called from those events and from a 1 s tick.
 * The traps of an external loop, and what this file does about each:
 *
 * - The host name: libmosquitto resolves with a blocking getaddrinfo, so
 *   the name is resolved here with evdns and libmosquitto gets the
 *   address.  The broker's certificate is then checked against the name
 *   by OpenSSL (X509_VERIFY_PARAM on our SSL_CTX) instead of by
 *   libmosquitto, which would see the address only.
 * - The TLS handshake: libmosquitto drives it from mosquitto_loop_read
 *   only, even when OpenSSL wants to write, and mosquitto_want_write()
 *   says false while the handshake waits to read.  So while connecting,
 *   a writable socket calls loop_read as well, and the write event stays
 *   on until the TCP connect is known to be done.
 * - A failed handshake: libmosquitto closes its socket without calling
 *   on_disconnect, and a refused or reset TCP connect leaves OpenSSL
 *   reporting a harmless-looking SSL_ERROR_SYSCALL forever, which would
 *   spin the loop.  While connecting, a readable socket is checked for an
 *   error or an end of file first, and a deadline bounds the attempt.
 * - The socket closed before event_del: libmosquitto closes its socket
 *   itself (on a lost connection, inside loop_read), and the number may
 *   be reused at once by another open.  libevent watches a dup() of it,
 *   so the number libevent knows stays ours until we close it.  After
 *   every call into libmosquitto the socket is compared (by inode) with
 *   the watched one and the events are re-made when it changed.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/dns.h>
#include <event2/util.h>
#include <mosquitto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "broker.h"
#include "clock.h"
#include "log.h"
#include "xmalloc.h"

#define BROKER_RETRY_MIN_MS	1000
#define BROKER_RETRY_MAX_MS	60000
#define BROKER_INFLIGHT		1000
/* From connect to CONNACK, TLS handshake included. */
#define BROKER_CONNECT_MS	15000

enum broker_state {
	BROKER_WAITING,		/* retry timer armed, no socket */
	BROKER_RESOLVING,	/* evdns asked */
	BROKER_CONNECTING,	/* socket open, no CONNACK yet */
	BROKER_CONNECTED,
	BROKER_CLOSING		/* in broker_free */
};

static const char *const broker_state_names[] = {
	"waiting", "connecting", "connecting", "connected", "closing"
};

struct broker_sub {
	char	*filter;
	int	 qos;
};

struct broker {
	struct event_base	*base;
	int			 prio;
	struct broker_cb	 cb;
	void			*arg;

	/* The config, copied. */
	char			*host;
	int			 port;
	int			 keepalive_s;
	int			 retry_min_ms, retry_max_ms;
	bool			 tls;
	bool			 numeric;	/* host is an address */
	int			 read_burst;	/* packets a readable turn */

	struct mosquitto	*m;
	SSL_CTX			*ssl_ctx;
	struct evdns_base	*dns;
	struct evdns_getaddrinfo_request *dns_req;

	enum broker_state	 state;
	int64_t			 since_ms;	/* wall clock */
	int64_t			 deadline_ms;	/* monotonic, connecting */
	int64_t			 retry_at_ms;	/* monotonic, waiting */
	bool			 tcp_up;	/* connect seen writable */

	/* libevent watches fd, a dup of libmosquitto's socket (dev, ino). */
	int			 fd;
	dev_t			 fd_dev;
	ino_t			 fd_ino;
	struct event		*ev_read, *ev_write;
	bool			 write_on;
	struct event		*ev_tick, *ev_retry;

	unsigned		 attempts;	/* failed since connected */
	unsigned long		 connects;
	size_t			 queued;	/* QoS 1 without PUBACK */
	/* Which message ids are QoS 1 and unacknowledged: libmosquitto
	 * calls on_publish for a QoS 0 message once it is written. */
	uint8_t			 pending[65536 / 8];
	char			 last_error[256];
	char			 logged_error[256];	/* said once */
	char			 lib_error[256];	/* libmosquitto's log */
	char			 refusal[128];		/* CONNACK's reason */

	struct broker_sub	*subs;
	size_t			 nsubs;
};

static void	broker_attempt(struct broker *);
static void	broker_reconcile(struct broker *);

static void
broker_set_state(struct broker *b, enum broker_state state)
{
	if (b->state != state)
		b->since_ms = wall_ms();
	b->state = state;
}

/* Stops watching the socket and closes our dup of it. */
static void
broker_unwatch(struct broker *b)
{
	if (b->fd == -1)
		return;
	event_free(b->ev_read);
	event_free(b->ev_write);
	b->ev_read = b->ev_write = NULL;
	b->write_on = false;
	close(b->fd);
	b->fd = -1;
}

/*
 * The delay before the next attempt: retry_min_ms doubling with each
 * failure up to retry_max_ms, then a random point between half of it
 * and all of it.
 */
static int
broker_backoff_ms(const struct broker *b)
{
	int64_t		d = b->retry_min_ms;
	unsigned	i;

	for (i = 1; i < b->attempts && d < b->retry_max_ms; i++)
		d *= 2;
	if (d > b->retry_max_ms)
		d = b->retry_max_ms;
	return (int)(d / 2 + arc4random_uniform((uint32_t)(d / 2) + 1));
}

/*
 * The attempt failed or the connection was lost, for the reason why:
 * says so once (the same failure again goes to the debug log only),
 * tells the caller if it had been connected, and arms the retry.
 */
static void
broker_fail(struct broker *b, const char *why)
{
	struct timeval	tv;
	bool		was = b->state == BROKER_CONNECTED;
	int		ms;

	if (b->state == BROKER_CLOSING || b->state == BROKER_WAITING)
		return;
	broker_unwatch(b);
	if (b->dns_req != NULL) {
		evdns_getaddrinfo_cancel(b->dns_req);
		b->dns_req = NULL;
	}
	snprintf(b->last_error, sizeof b->last_error, "%s", why);
	b->attempts++;
	ms = broker_backoff_ms(b);
	broker_set_state(b, BROKER_WAITING);
	b->retry_at_ms = mono_ms() + ms;
	if (was) {
		log_warnx("mqtt: %s:%d: connection lost: %s; reconnecting",
		    b->host, b->port, why);
		snprintf(b->logged_error, sizeof b->logged_error, "%s", why);
	} else if (strcmp(b->logged_error, why) != 0) {
		log_warnx("mqtt: %s:%d: cannot connect: %s; retrying",
		    b->host, b->port, why);
		snprintf(b->logged_error, sizeof b->logged_error, "%s", why);
	} else
		log_debug("%s: %s:%d: %s; retry in %d ms", __func__,
		    b->host, b->port, why, ms);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(b->ev_retry, &tv);
	if (was && b->cb.on_disconnect != NULL)
		b->cb.on_disconnect(b->arg);
}

/*
 * Text for a libmosquitto error code; errno is read at once, and a TLS
 * failure takes the OpenSSL line libmosquitto logged.
 */
static void
broker_errstr(struct broker *b, int rc, char *buf, size_t len)
{
	int	saved = errno;

	if (b->refusal[0] != '\0')
		snprintf(buf, len, "refused: %s", b->refusal);
	else if ((rc == MOSQ_ERR_TLS || (rc == MOSQ_ERR_ERRNO &&
	    saved == EPROTO)) && b->lib_error[0] != '\0')
		snprintf(buf, len, "TLS: %s", b->lib_error);
	else if (rc == MOSQ_ERR_ERRNO)
		snprintf(buf, len, "%s", strerror(saved));
	else
		snprintf(buf, len, "%s", mosquitto_strerror(rc));
}

/* After a call into libmosquitto that returned rc. */
static void
broker_after(struct broker *b, int rc)
{
	char	why[320];

	if (rc != MOSQ_ERR_SUCCESS && (b->state == BROKER_CONNECTING ||
	    b->state == BROKER_CONNECTED)) {
		/* on_disconnect has not run (a failed handshake) or the
		 * socket is in a state libmosquitto does not report. */
		broker_errstr(b, rc, why, sizeof why);
		broker_fail(b, why);
		return;
	}
	broker_reconcile(b);
}

/*
 * While connecting, a socket with an error or at its end is a failed
 * attempt; libmosquitto would not always say so (see the top).  Returns
 * -1 when it failed.
 */
static int
broker_check_connecting(struct broker *b)
{
	int		err = 0;
	socklen_t	len = sizeof err;
	struct sockaddr_storage ss;
	socklen_t	sslen = sizeof ss;
	char		c, why[320];
	ssize_t		n;

	if (getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		broker_fail(b, strerror(err));
		return -1;
	}
	n = recv(b->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0) {
		/* OpenSSL's first write may have taken the connect's error
		 * (SO_ERROR is reported once): a socket that never had a
		 * peer failed to connect. */
		if (getpeername(b->fd, (struct sockaddr *)&ss, &sslen) == -1)
			snprintf(why, sizeof why, "connection refused or "
			    "broker unreachable");
		else if (b->lib_error[0] != '\0')
			snprintf(why, sizeof why, "TLS: %s", b->lib_error);
		else if (b->tls)
			snprintf(why, sizeof why, "closed by the broker "
			    "during the TLS handshake (is the client "
			    "certificate missing or not trusted?)");
		else
			snprintf(why, sizeof why, "closed by the broker "
			    "while connecting");
		broker_fail(b, why);
		return -1;
	}
	if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR && errno != ENOTCONN) {
		broker_fail(b, strerror(errno));
		return -1;
	}
	return 0;
}

/* The socket is readable or writable. */
/*
 * A readable socket: libmosquitto reads one packet a call.  A consumer
 * of many messages (the hub) reads up to read_burst packets while the
 * socket has bytes waiting, rather than one per turn of the loop; a gate
 * keeps 1, so card work never waits behind more than one.  TLS records
 * already decrypted are libmosquitto's to drain inside its call.
 */
static int
broker_read(struct broker *b)
{
	int	rc, avail, n = 0;

	do {
		rc = mosquitto_loop_read(b->m, 1);
	} while (rc == MOSQ_ERR_SUCCESS && ++n < b->read_burst &&
	    mosquitto_socket(b->m) != -1 &&
	    ioctl(mosquitto_socket(b->m), FIONREAD, &avail) == 0 && avail > 0);
	return rc;
}

static void
broker_on_io(evutil_socket_t fd, short what, void *arg)
{
	struct broker	*b = arg;
	int		 rc = MOSQ_ERR_SUCCESS;

	(void)fd;
	if (what & EV_WRITE)
		b->write_on = false;	/* one shot */
	if (b->state == BROKER_CONNECTING) {
		if (broker_check_connecting(b) == -1)
			return;
		if (what & EV_WRITE)
			b->tcp_up = true;
		/* The handshake goes on in loop_read, whichever way. */
		if (b->tls && (what & EV_WRITE))
			rc = mosquitto_loop_read(b->m, 1);
	}
	if (rc == MOSQ_ERR_SUCCESS && (what & EV_READ) &&
	    mosquitto_socket(b->m) != -1)
		rc = broker_read(b);
	if (b->state != BROKER_CONNECTING && b->state != BROKER_CONNECTED)
		return;		/* failed inside, the events are gone */
	if (rc == MOSQ_ERR_SUCCESS && (what & EV_WRITE) &&
	    mosquitto_socket(b->m) != -1)
		rc = mosquitto_loop_write(b->m, 1);
	broker_after(b, rc);
}

/*
 * Makes the events match libmosquitto's socket: none without one, new
 * ones for a new one, the write event on while it has data to send (and
 * while a connect is in progress).
 */
static void
broker_reconcile(struct broker *b)
{
	struct stat	st;
	int		sock = mosquitto_socket(b->m);
	bool		want;

	if ((b->state != BROKER_CONNECTING && b->state != BROKER_CONNECTED) ||
	    sock == -1 || fstat(sock, &st) == -1) {
		broker_unwatch(b);
		return;
	}
	if (b->fd != -1 && (st.st_dev != b->fd_dev || st.st_ino != b->fd_ino))
		broker_unwatch(b);
	if (b->fd == -1) {
		if ((b->fd = fcntl(sock, F_DUPFD_CLOEXEC, 3)) == -1) {
			broker_fail(b, strerror(errno));
			return;
		}
		b->fd_dev = st.st_dev;
		b->fd_ino = st.st_ino;
		b->ev_read = event_new(b->base, b->fd, EV_READ | EV_PERSIST,
		    broker_on_io, b);
		b->ev_write = event_new(b->base, b->fd, EV_WRITE, broker_on_io,
		    b);
		if (b->ev_read == NULL || b->ev_write == NULL)
			fatalx("mqtt: event_new");
		event_priority_set(b->ev_read, b->prio);
		event_priority_set(b->ev_write, b->prio);
		event_add(b->ev_read, NULL);
	}
	want = mosquitto_want_write(b->m) ||
	    (b->state == BROKER_CONNECTING && !b->tcp_up);
	if (want && !b->write_on) {
		event_add(b->ev_write, NULL);
		b->write_on = true;
	} else if (!want && b->write_on) {
		event_del(b->ev_write);
		b->write_on = false;
	}
}

/* Connects to the address addr (numeric), after the name resolved. */
static void
broker_connect_to(struct broker *b, const char *addr)
{
	char	why[320];
	int	rc;

	b->lib_error[0] = b->refusal[0] = '\0';
	b->tcp_up = false;
	broker_set_state(b, BROKER_CONNECTING);
	b->deadline_ms = mono_ms() + BROKER_CONNECT_MS;
	log_debug("%s: %s:%d at %s", __func__, b->host, b->port, addr);
	rc = mosquitto_connect_async(b->m, addr, b->port, b->keepalive_s);
	if (rc != MOSQ_ERR_SUCCESS) {
		broker_errstr(b, rc, why, sizeof why);
		broker_fail(b, why);
		return;
	}
	broker_reconcile(b);
}

/* evdns answered; each new attempt takes the next address. */
static void
broker_on_resolved(int result, struct evutil_addrinfo *res, void *arg)
{
	struct broker		*b = arg;
	struct evutil_addrinfo	*ai;
	char			 addr[INET6_ADDRSTRLEN], why[320];
	unsigned		 n = 0, pick;
	void			*sa;

	if (result == EVUTIL_EAI_CANCEL) {
		if (res != NULL)
			evutil_freeaddrinfo(res);
		return;
	}
	b->dns_req = NULL;
	if (result != 0) {
		snprintf(why, sizeof why, "resolving %s: %s", b->host,
		    evutil_gai_strerror(result));
		broker_fail(b, why);
		return;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		n++;
	if (n == 0) {
		snprintf(why, sizeof why, "resolving %s: no address", b->host);
		broker_fail(b, why);
		return;
	}
	pick = b->attempts % n;
	for (ai = res; pick > 0; ai = ai->ai_next)
		pick--;
	if (ai->ai_family == AF_INET6)
		sa = &((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr;
	else
		sa = &((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr;
	inet_ntop(ai->ai_family, sa, addr, sizeof addr);
	evutil_freeaddrinfo(res);
	broker_connect_to(b, addr);
}

/* One attempt: resolve the name (unless it is an address), connect. */
static void
broker_attempt(struct broker *b)
{
	struct evutil_addrinfo	hints;

	if (b->numeric) {
		broker_connect_to(b, b->host);
		return;
	}
	broker_set_state(b, BROKER_RESOLVING);
	b->deadline_ms = mono_ms() + BROKER_CONNECT_MS;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	/* The callback may run before evdns_getaddrinfo returns (the
	 * answer from /etc/hosts): the request is NULL then. */
	b->dns_req = evdns_getaddrinfo(b->dns, b->host, NULL, &hints,
	    broker_on_resolved, b);
}

static void
broker_on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	broker_attempt(arg);
}

/* Every second: keepalive (PINGREQ, the broker's silence) and the
 * deadline of an attempt. */
static void
broker_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct broker	*b = arg;
	char		 why[64];

	(void)fd;
	(void)what;
	if ((b->state == BROKER_CONNECTING || b->state == BROKER_RESOLVING) &&
	    mono_ms() > b->deadline_ms) {
		snprintf(why, sizeof why, "no answer within %d s",
		    BROKER_CONNECT_MS / 1000);
		broker_fail(b, why);
		return;
	}
	if (b->state == BROKER_CONNECTED)
		broker_after(b, mosquitto_loop_misc(b->m));
}

static void
broker_on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct broker	*b = arg;
	size_t		 i;

	if (rc != 0) {
		/* libmosquitto closes and calls on_disconnect next. */
		snprintf(b->refusal, sizeof b->refusal, "%s",
		    mosquitto_connack_string(rc));
		return;
	}
	broker_set_state(b, BROKER_CONNECTED);
	b->attempts = 0;
	b->connects++;
	b->last_error[0] = b->logged_error[0] = '\0';
	log_info("mqtt: connected to %s:%d%s", b->host, b->port,
	    b->tls ? " (TLS)" : "");
	for (i = 0; i < b->nsubs; i++)
		mosquitto_subscribe(m, NULL, b->subs[i].filter,
		    b->subs[i].qos);
	if (b->cb.on_connect != NULL)
		b->cb.on_connect(b->arg);
}

static void
broker_on_disconnect(struct mosquitto *m, void *arg, int rc)
{
	struct broker	*b = arg;
	char		 why[320];

	(void)m;
	if (rc == MOSQ_ERR_SUCCESS)
		snprintf(why, sizeof why, "disconnected");
	else
		broker_errstr(b, rc, why, sizeof why);
	broker_fail(b, why);
}

static void
broker_on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct broker	*b = arg;

	(void)m;
	if (mid < 0 || mid > 65535 ||
	    !(b->pending[mid / 8] & (1 << (mid % 8))))
		return;		/* QoS 0, written */
	b->pending[mid / 8] &= ~(1 << (mid % 8));
	b->queued--;
	if (b->cb.on_publish_ack != NULL)
		b->cb.on_publish_ack(mid, b->arg);
}

static void
broker_on_message(struct mosquitto *m, void *arg,
    const struct mosquitto_message *msg)
{
	struct broker	*b = arg;

	(void)m;
	if (b->cb.on_message != NULL)
		b->cb.on_message(msg->topic, msg->payload,
		    (size_t)msg->payloadlen, msg->retain, b->arg);
}

/* libmosquitto's own log: its errors say why TLS failed. */
static void
broker_on_log(struct mosquitto *m, void *arg, int level, const char *line)
{
	struct broker	*b = arg;

	(void)m;
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING))
		snprintf(b->lib_error, sizeof b->lib_error, "%s", line);
	if (level & (MOSQ_LOG_ERR | MOSQ_LOG_WARNING | MOSQ_LOG_NOTICE))
		log_debug("%s: %s", __func__, line);
}

/* The first line of a file, for the password; NULL with *cause. */
static char *
broker_read_secret(const char *path, char **cause)
{
	FILE	*f;
	char	 buf[1024];
	size_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "mqtt: %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Why OpenSSL failed, in words for the config's reader ("No such file
 * or directory", "key values mismatch"). */
static const char *
broker_ssl_error(void)
{
	unsigned long	 e = ERR_peek_error();
	const char	*why = ERR_reason_error_string(e);

	ERR_clear_error();
#ifdef ERR_SYSTEM_ERROR
	if (why == NULL && ERR_SYSTEM_ERROR(e))
		why = strerror(ERR_GET_REASON(e));
#endif
	return why != NULL ? why : "unknown error";
}

/*
 * TLS: our own SSL_CTX, handed to libmosquitto without its defaults, so
 * OpenSSL checks the chain and the name (the configured host; libmosquitto
 * sees the address only).  Not libmosquitto's own checks: 2.0.11 fails
 * every handshake with a caller's SSL_CTX when it made none itself (its
 * verify callback finds no client in an ex_data index never created).
 */
static int
broker_tls(struct broker *b, const struct broker_conf *c, char **cause)
{
	X509_VERIFY_PARAM	*param;
	const char		*cert = c->cert_file, *key = c->key_file;
	SSL_CTX			*ctx;

	if (cert != NULL && cert[0] == '\0')
		cert = NULL;
	if (key != NULL && key[0] == '\0')
		key = NULL;
	if ((cert == NULL) != (key == NULL)) {
		xasprintf(cause, "mqtt: a client certificate needs its key "
		    "and a key its certificate");
		return -1;
	}
	if ((b->ssl_ctx = ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		xasprintf(cause, "mqtt: SSL_CTX_new: %s", broker_ssl_error());
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION);
	if (SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL) != 1) {
		xasprintf(cause, "mqtt: CA file %s: %s", c->ca_file,
		    broker_ssl_error());
		return -1;
	}
	if (cert != NULL &&
	    (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)) {
		xasprintf(cause, "mqtt: client certificate %s, key %s: %s",
		    cert, key, broker_ssl_error());
		return -1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	param = SSL_CTX_get0_param(ctx);
	if (b->numeric)
		X509_VERIFY_PARAM_set1_ip_asc(param, b->host);
	else
		X509_VERIFY_PARAM_set1_host(param, b->host, 0);
	if (mosquitto_void_option(b->m, MOSQ_OPT_SSL_CTX, ctx) !=
	    MOSQ_ERR_SUCCESS ||
	    mosquitto_int_option(b->m, MOSQ_OPT_SSL_CTX_WITH_DEFAULTS, 0) !=
	    MOSQ_ERR_SUCCESS) {
		xasprintf(cause, "mqtt: libmosquitto refused the SSL_CTX");
		return -1;
	}
	return 0;
}

static bool
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* The checks and settings of broker_new, on b->m. */
static int
broker_setup(struct broker *b, const struct broker_conf *c, char **cause)
{
	char	*pw = NULL;
	int	 rc, inflight;

	mosquitto_connect_callback_set(b->m, broker_on_connect);
	mosquitto_disconnect_callback_set(b->m, broker_on_disconnect);
	mosquitto_publish_callback_set(b->m, broker_on_publish);
	mosquitto_message_callback_set(b->m, broker_on_message);
	mosquitto_log_callback_set(b->m, broker_on_log);
	inflight = c->max_inflight > 0 ? c->max_inflight : BROKER_INFLIGHT;
	mosquitto_int_option(b->m, MOSQ_OPT_SEND_MAXIMUM, inflight);
	b->read_burst = c->read_burst > 0 ? c->read_burst : 1;
	if (!empty(c->will_topic)) {
		rc = mosquitto_will_set(b->m, c->will_topic,
		    c->will_payload ? (int)strlen(c->will_payload) : 0,
		    c->will_payload, c->will_qos, c->will_retain);
		if (rc != MOSQ_ERR_SUCCESS) {
			xasprintf(cause, "mqtt: last will on %s: %s",
			    c->will_topic, mosquitto_strerror(rc));
			return -1;
		}
	}
	if (!empty(c->username) || !empty(c->password_file)) {
		if (!empty(c->password_file) &&
		    (pw = broker_read_secret(c->password_file, cause)) == NULL)
			return -1;
		rc = mosquitto_username_pw_set(b->m,
		    empty(c->username) ? c->client_id : c->username, pw);
		free(pw);
		if (rc != MOSQ_ERR_SUCCESS) {
			xasprintf(cause, "mqtt: username: %s",
			    mosquitto_strerror(rc));
			return -1;
		}
	}
	if (b->tls && broker_tls(b, c, cause) == -1)
		return -1;
	return 0;
}

struct broker *
broker_new(struct event_base *base, int prio, const struct broker_conf *c,
    const struct broker_cb *callbacks, void *arg, char **cause)
{
	static bool	 lib_ready;
	struct broker	*b;
	struct in6_addr	 a6;
	struct timeval	 tick = { 1, 0 }, now = { 0, 0 };

	*cause = NULL;
	if (empty(c->host) || empty(c->client_id)) {
		xasprintf(cause, "mqtt: a broker host and a client id are "
		    "needed");
		return NULL;
	}
	if (c->port < 1 || c->port > 65535 || c->keepalive_s < 5 ||
	    c->keepalive_s > 65535 || c->will_qos < 0 || c->will_qos > 1 ||
	    c->retry_min_ms < 0 || c->retry_max_ms < 0) {
		xasprintf(cause, "mqtt: port, keepalive or will QoS out of "
		    "range");
		return NULL;
	}
	if (prio < 0 || prio >= event_base_get_npriorities(base)) {
		xasprintf(cause, "mqtt: event priority %d: the loop has %d",
		    prio, event_base_get_npriorities(base));
		return NULL;
	}
	if (!lib_ready) {
		mosquitto_lib_init();
		lib_ready = true;
	}
	b = xcalloc(1, sizeof *b);
	b->base = base;
	b->prio = prio;
	if (callbacks != NULL)
		b->cb = *callbacks;
	b->arg = arg;
	b->fd = -1;
	b->host = xstrdup(c->host);
	b->port = c->port;
	b->keepalive_s = c->keepalive_s;
	b->retry_min_ms = c->retry_min_ms > 0 ? c->retry_min_ms :
	    BROKER_RETRY_MIN_MS;
	b->retry_max_ms = c->retry_max_ms > 0 ? c->retry_max_ms :
	    BROKER_RETRY_MAX_MS;
	if (b->retry_max_ms < b->retry_min_ms)
		b->retry_max_ms = b->retry_min_ms;
	b->tls = !empty(c->ca_file);
	b->numeric = inet_pton(AF_INET, c->host, &a6) == 1 ||
	    inet_pton(AF_INET6, c->host, &a6) == 1;
	b->state = BROKER_WAITING;
	b->since_ms = wall_ms();
	if ((b->m = mosquitto_new(c->client_id, !c->persistent, b)) == NULL) {
		xasprintf(cause, "mqtt: mosquitto_new: %s", strerror(errno));
		broker_free(b);
		return NULL;
	}
	if (broker_setup(b, c, cause) == -1) {
		broker_free(b);
		return NULL;
	}
	if (!b->numeric && (b->dns = evdns_base_new(base,
	    EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL) {
		xasprintf(cause, "mqtt: evdns_base_new failed");
		broker_free(b);
		return NULL;
	}
	b->ev_tick = event_new(base, -1, EV_PERSIST, broker_on_tick, b);
	b->ev_retry = evtimer_new(base, broker_on_retry, b);
	if (b->ev_tick == NULL || b->ev_retry == NULL)
		fatalx("mqtt: event_new");
	event_priority_set(b->ev_tick, prio);
	event_priority_set(b->ev_retry, prio);
	event_add(b->ev_tick, &tick);
	/* The first attempt from the loop, so no callback runs before
	 * broker_new has returned. */
	evtimer_add(b->ev_retry, &now);
	return b;
}

void
broker_free(struct broker *b)
{
	size_t	i;
	bool	was;

	if (b == NULL)
		return;
	/* Closing first: libmosquitto may call on_disconnect from inside
	 * mosquitto_disconnect, and it must not be passed on. */
	was = b->state == BROKER_CONNECTED;
	b->state = BROKER_CLOSING;
	/* One try, never a wait; unsent, the broker publishes the will. */
	if (b->m != NULL && was &&
	    mosquitto_disconnect(b->m) == MOSQ_ERR_SUCCESS &&
	    mosquitto_want_write(b->m))
		mosquitto_loop_write(b->m, 1);
	broker_unwatch(b);
	if (b->dns_req != NULL)
		evdns_getaddrinfo_cancel(b->dns_req);
	if (b->dns != NULL)
		evdns_base_free(b->dns, 0);
	if (b->ev_tick != NULL)
		event_free(b->ev_tick);
	if (b->ev_retry != NULL)
		event_free(b->ev_retry);
	if (b->m != NULL)
		mosquitto_destroy(b->m);
	/* libmosquitto holds a reference of its own. */
	SSL_CTX_free(b->ssl_ctx);
	for (i = 0; i < b->nsubs; i++)
		free(b->subs[i].filter);
	free(b->subs);
	free(b->host);
	free(b);
}

bool
broker_connected(const struct broker *b)
{
	return b->state == BROKER_CONNECTED;
}

int
broker_publish(struct broker *b, const char *topic, const void *payload,
    size_t len, int qos, bool retain, int *mid)
{
	int	rc, id = 0;

	if (b->state != BROKER_CONNECTED || len > INT32_MAX || qos < 0 ||
	    qos > 1)
		return -1;
	rc = mosquitto_publish(b->m, &id, topic, (int)len, payload, qos,
	    retain);
	if (rc != MOSQ_ERR_SUCCESS) {
		log_debug("%s: %s: %s", __func__, topic,
		    mosquitto_strerror(rc));
		/* A write that failed is a lost connection: the read
		 * event sees it and libmosquitto says so. */
		broker_reconcile(b);
		return -1;
	}
	if (qos == 1 && id >= 0 && id <= 65535 &&
	    !(b->pending[id / 8] & (1 << (id % 8)))) {
		b->pending[id / 8] |= 1 << (id % 8);
		b->queued++;
	}
	if (mid != NULL)
		*mid = id;
	broker_reconcile(b);
	return 0;
}

size_t
broker_queued(const struct broker *b)
{
	return b->queued;
}

int
broker_subscribe(struct broker *b, const char *filter, int qos)
{
	bool	bad;

	if (qos < 0 || qos > 1 ||
	    mosquitto_sub_topic_check(filter) != MOSQ_ERR_SUCCESS)
		return -1;
	b->subs = xreallocarray(b->subs, b->nsubs + 1, sizeof *b->subs);
	b->subs[b->nsubs].filter = xstrdup(filter);
	b->subs[b->nsubs].qos = qos;
	b->nsubs++;
	if (b->state == BROKER_CONNECTED) {
		bad = mosquitto_subscribe(b->m, NULL, filter, qos) !=
		    MOSQ_ERR_SUCCESS;
		broker_reconcile(b);
		if (bad)
			log_debug("%s: %s: not sent now, on reconnect",
			    __func__, filter);
	}
	return 0;
}

json_t *
broker_status(const struct broker *b)
{
	json_t	*o;
	char	 where[300];
	int64_t	 in = 0;

	snprintf(where, sizeof where, b->numeric && strchr(b->host, ':') ?
	    "[%s]:%d" : "%s:%d", b->host, b->port);
	if (b->state == BROKER_WAITING && (in = b->retry_at_ms - mono_ms()) < 0)
		in = 0;
	o = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
	    "broker", where,
	    "state", broker_state_names[b->state],
	    "connected", b->state == BROKER_CONNECTED,
	    "since_ms", (json_int_t)b->since_ms,
	    "connects", (json_int_t)b->connects,
	    "reconnects", (json_int_t)(b->connects > 0 ? b->connects - 1 : 0),
	    "attempts", (json_int_t)b->attempts,
	    "retry_in_ms", (json_int_t)in,
	    "queued", (json_int_t)b->queued,
	    "tls", b->tls);
	if (o == NULL)
		fatalx("mqtt: json_pack");
	json_object_set_new(o, "last_error", b->last_error[0] != '\0' ?
	    json_string(b->last_error) : json_null());
	return o;
}
