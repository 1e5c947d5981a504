/*
 * webhook.c: a POST of each new alert to [webhook] url, so a fever at a
 * gate at 3 a.m. reaches someone.  libevent's HTTP client on the hub's
 * loop; an answer other than 2xx, or none within the timeout, is tried
 * again after backoff, doubling, up to retries more times.  Each attempt
 * is journaled (hub_journal kind "webhook": the alert, the attempt, the
 * answer), so "was the duty told?" has an answer.  http:// only: the
 * receiver is expected on the hub's host or a trusted network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "hub.h"
#include "log.h"
#include "xmalloc.h"

struct delivery {
	struct webhook			*wh;
	char				*body;
	char				 what[96];	/* "alert GATE/ID" */
	int				 attempt;	/* 1, 2, ... */
	struct event			*timer;
	struct evhttp_connection	*conn;
	struct delivery			*next;
};

struct webhook {
	struct hub		*hub;
	char			 host[256], path[1024];
	int			 port;
	struct delivery		*pending;
	long long		 sent, failed, attempts;
};

static void	delivery_attempt(struct delivery *);

static void
delivery_free(struct delivery *d)
{
	struct delivery	**pp;

	for (pp = &d->wh->pending; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	if (d->conn != NULL)
		evhttp_connection_free(d->conn);
	event_free(d->timer);
	free(d->body);
	free(d);
}

/* Journals an attempt; "webhook" rows say what the receiver answered. */
static void
delivery_journal(struct delivery *d, const char *result)
{
	char	detail[1500];

	snprintf(detail, sizeof detail, "attempt %d to http://%s:%d%s: %s",
	    d->attempt, d->wh->host, d->wh->port, d->wh->path, result);
	if (hub_journal(d->wh->hub->db, "webhook", "hub", d->what, detail) ==
	    -1)
		log_warnx("webhook: journal: %s", db_error(d->wh->hub->db));
}

/* The timer: the next attempt, or (after an answer) the end. */
static void
delivery_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct delivery	*d = arg;

	(void)fd;
	(void)what;
	if (d->conn != NULL) {
		evhttp_connection_free(d->conn);
		d->conn = NULL;
	}
	if (d->attempt == 0) {
		delivery_free(d);	/* done: freed outside the callback */
		return;
	}
	delivery_attempt(d);
}

/* Ends an attempt: done, or the next one after the backoff. */
static void
delivery_done(struct delivery *d, int code)
{
	const struct hub_conf	*hc = d->wh->hub->conf;
	struct timeval		 tv = { 0, 0 };
	char			 result[64];
	long long		 ms;

	if (code >= 200 && code < 300) {
		snprintf(result, sizeof result, "HTTP %d, delivered", code);
		delivery_journal(d, result);
		d->wh->sent++;
		d->attempt = 0;
	} else {
		if (code == 0)
			snprintf(result, sizeof result, "no answer");
		else
			snprintf(result, sizeof result, "HTTP %d", code);
		delivery_journal(d, result);
		if (d->attempt > hc->webhook.retries) {
			log_warnx("webhook: %s: given up after %d attempts",
			    d->what, d->attempt);
			d->wh->failed++;
			d->attempt = 0;
		} else {
			ms = (long long)hc->webhook.backoff_ms <<
			    (d->attempt - 1 < 16 ? d->attempt - 1 : 16);
			log_info("webhook: %s: %s, again in %lld ms", d->what,
			    result, ms);
			tv.tv_sec = ms / 1000;
			tv.tv_usec = (ms % 1000) * 1000;
		}
	}
	/* The connection is freed on the timer, outside its own callback. */
	evtimer_add(d->timer, &tv);
}

static void
delivery_on_answer(struct evhttp_request *req, void *arg)
{
	delivery_done(arg, req == NULL ? 0 : evhttp_request_get_response_code(
	    req));
}

static void
delivery_attempt(struct delivery *d)
{
	struct webhook		*wh = d->wh;
	struct evhttp_request	*req;
	struct evkeyvalq	*h;
	char			 hostport[300];

	d->attempt++;
	wh->attempts++;
	if ((d->conn = evhttp_connection_base_new(wh->hub->base, NULL,
	    wh->host, wh->port)) == NULL) {
		delivery_done(d, 0);
		return;
	}
	evhttp_connection_set_timeout(d->conn,
	    (wh->hub->conf->webhook.timeout_ms + 999) / 1000);
	req = evhttp_request_new(delivery_on_answer, d);
	h = evhttp_request_get_output_headers(req);
	snprintf(hostport, sizeof hostport, "%s:%d", wh->host, wh->port);
	evhttp_add_header(h, "Host", hostport);
	evhttp_add_header(h, "Content-Type", "application/json");
	evhttp_add_header(h, "User-Agent", "gated-hub");
	evbuffer_add(evhttp_request_get_output_buffer(req), d->body,
	    strlen(d->body));
	if (evhttp_make_request(d->conn, req, EVHTTP_REQ_POST, wh->path) != 0)
		delivery_done(d, 0);	/* req was freed by libevent */
}

void
webhook_send(struct webhook *wh, json_t *alert)
{
	struct delivery	*d;
	json_t		*doc;

	if (wh == NULL)
		return;
	d = xcalloc(1, sizeof *d);
	d->wh = wh;
	doc = json_pack("{ss sO}", "site", wh->hub->conf->hub.site, "alert",
	    alert);
	d->body = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	snprintf(d->what, sizeof d->what, "alert %s/%lld",
	    json_string_value(json_object_get(alert, "gate")),
	    (long long)json_integer_value(json_object_get(alert, "id")));
	if ((d->timer = evtimer_new(wh->hub->base, delivery_on_timer, d)) ==
	    NULL)
		fatalx("evtimer_new");
	d->next = wh->pending;
	wh->pending = d;
	delivery_attempt(d);
}

struct webhook *
webhook_new(struct hub *hub)
{
	const char		*url = hub->conf->webhook.url;
	struct evhttp_uri	*u;
	struct webhook		*wh;
	const char		*path, *query;

	if (!hub->conf->webhook.set)
		return NULL;
	if ((u = evhttp_uri_parse(url)) == NULL ||
	    evhttp_uri_get_host(u) == NULL) {
		log_warnx("webhook: %s: not a URL", url);
		evhttp_uri_free(u);
		return NULL;
	}
	wh = xcalloc(1, sizeof *wh);
	wh->hub = hub;
	snprintf(wh->host, sizeof wh->host, "%s", evhttp_uri_get_host(u));
	wh->port = evhttp_uri_get_port(u) > 0 ? evhttp_uri_get_port(u) : 80;
	path = evhttp_uri_get_path(u);
	query = evhttp_uri_get_query(u);
	snprintf(wh->path, sizeof wh->path, "%s%s%s",
	    path != NULL && *path != '\0' ? path : "/",
	    query != NULL ? "?" : "", query != NULL ? query : "");
	evhttp_uri_free(u);
	return wh;
}

void
webhook_free(struct webhook *wh)
{
	if (wh == NULL)
		return;
	while (wh->pending != NULL)
		delivery_free(wh->pending);
	free(wh);
}

json_t *
webhook_status(const struct webhook *wh)
{
	const struct delivery	*d;
	json_int_t		 n = 0;

	if (wh == NULL)
		return json_null();
	for (d = wh->pending; d != NULL; d = d->next)
		n++;
	return json_pack("{ss sI sI sI sI}", "url", wh->hub->conf->webhook.url,
	    "delivered", (json_int_t)wh->sent, "given_up",
	    (json_int_t)wh->failed, "attempts", (json_int_t)wh->attempts,
	    "pending", n);
}
