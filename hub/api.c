/*
 * api.c: the hub's HTTPS API: the TLS listener (evhttp on
 * libevent_openssl, as a gate's remote listener), the route table that
 * the dispatcher, the role check and the docs test read, and the
 * answers.  A request carries "Authorization: Bearer TOKEN"; the token's
 * SHA-256 is matched against the [token NAME] sections (each compared in
 * constant time) and its role must be at least the route's.  Person ids
 * and temperatures are taken out of answers for roles below guard
 * (common/redact.c), as on a gate.  docs/hub.md lists the routes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "api.h"
#include "log.h"
#include "xmalloc.h"

struct hub_api {
	struct hub	*hub;
	struct evhttp	*http;
	SSL_CTX		*ctx;
};

/* The routes; docs/hub.md has a "### METHOD /path" section for each. */
const struct api_route hub_api_routes[] = {
	{ EVHTTP_REQ_GET, "/v1/status", HUB_VIEWER, api_status,
	  "the hub, its database, broker link, ingest and gaps" },
	{ EVHTTP_REQ_GET, "/v1/campus/gates", HUB_VIEWER, api_gates,
	  "every gate the hub has heard of" },
	{ EVHTTP_REQ_GET, "/v1/events", HUB_VIEWER, api_events,
	  "the campus journal's events, a page at a time" },
	{ EVHTTP_REQ_GET, "/v1/events/stream", HUB_VIEWER, api_events_stream,
	  "the events as they are stored (server-sent events)" },
	{ EVHTTP_REQ_GET, "/v1/gates/*/status", HUB_VIEWER, api_gate_status,
	  "one gate's status as the gate gives it, from the hub" },
	{ EVHTTP_REQ_GET, "/v1/gates/*/events", HUB_VIEWER, api_gate_events,
	  "one gate's events as the gate gives them, from the hub" },
	{ EVHTTP_REQ_GET, "/v1/gates/*/events/stream", HUB_VIEWER,
	  api_gate_events_stream, "one gate's events live, with ids" },
	{ EVHTTP_REQ_GET, "/v1/gates/*/alerts", HUB_VIEWER, api_gate_alerts,
	  "one gate's active alerts as the gate lists them" },
	{ EVHTTP_REQ_POST, "/v1/gates/*/alerts/*/ack", HUB_GUARD, api_alert_ack,
	  "acknowledge one of the gate's alerts (as /v1/alerts/G/ID/ack)" },
	{ EVHTTP_REQ_GET, "/v1/alerts", HUB_VIEWER, api_alerts,
	  "the campus's alerts" },
	{ EVHTTP_REQ_POST, "/v1/alerts/*/*/ack", HUB_GUARD, api_alert_ack,
	  "acknowledge an alert, with a reason" },
	{ EVHTTP_REQ_GET, "/v1/report", HUB_VIEWER, api_report,
	  "the campus report (per-person parts: health, journaled)" },
	{ EVHTTP_REQ_GET, "/v1/contacts", HUB_HEALTH, api_contacts,
	  "contact tracing, with a reason (journaled)" },
	{ EVHTTP_REQ_POST, "/v1/campus/level", HUB_ADMIN, api_campus_level,
	  "the campus's level, signed and published (journaled)" },
	{ EVHTTP_REQ_POST, "/v1/campus/mode", HUB_ADMIN, api_campus_mode,
	  "a gate's mode, signed and published (journaled)" },
	{ EVHTTP_REQ_POST, "/v1/people", HUB_ADMIN, api_people_post,
	  "push a people list (the CSV as the body, ?reason=)" },
	{ EVHTTP_REQ_GET, "/v1/people/versions", HUB_VIEWER,
	  api_people_versions, "the list version each gate runs" },
	{ EVHTTP_REQ_GET, "/v1/people", HUB_GUARD, api_people_search,
	  "search the latest people list (?q=)" },
	{ EVHTTP_REQ_POST, "/v1/people/*/quarantine", HUB_HEALTH,
	  api_people_quarantine, "a person into or out of the quarantine set" },
	{ EVHTTP_REQ_GET, "/metrics", HUB_VIEWER, api_metrics,
	  "Prometheus metrics" },
	{ EVHTTP_REQ_POST, "/v1/session", HUB_VIEWER, api_session_in,
	  "the console's sign-in: a token for a cookie" },
	{ EVHTTP_REQ_GET, "/v1/session", HUB_VIEWER, api_session_get,
	  "who the console's cookie is, its CSRF token" },
	{ EVHTTP_REQ_DELETE, "/v1/session", HUB_VIEWER, api_session_out,
	  "the console's sign-out" },
	{ 0, NULL, 0, NULL, NULL }
};

/* Whether path matches pattern ('*' one segment), captures filled. */
static int
api_match(const char *pattern, const char *path, struct api_req *r)
{
	const char	*p = pattern, *s = path, *e;
	char		*dec;
	int		 ncap = 0;

	while (*p != '\0' && *s != '\0') {
		if (*p == '*') {
			e = s + strcspn(s, "/");
			if (e == s || ncap == API_CAPTURES ||
			    (size_t)(e - s) >= sizeof r->cap[0])
				return 0;
			memcpy(r->cap[ncap], s, e - s);
			r->cap[ncap][e - s] = '\0';
			if ((dec = evhttp_uridecode(r->cap[ncap], 0, NULL)) ==
			    NULL)
				return 0;
			snprintf(r->cap[ncap], sizeof r->cap[0], "%s", dec);
			free(dec);
			ncap++;
			s = e;
			p++;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

/* The [token] of the request's bearer token, or NULL. */
static const struct hub_token *
api_token(struct hub *hub, struct evhttp_request *req)
{
	const char		*h = evhttp_find_header(
				    evhttp_request_get_input_headers(req),
				    "Authorization");
	const struct hub_token	*found = NULL;
	uint8_t			 d[32];
	unsigned int		 len = 0;
	int			 i;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	h += strspn(h, " ");
	if (*h == '\0' || EVP_Digest(h, strlen(h), d, &len, EVP_sha256(),
	    NULL) != 1 || len != 32)
		return NULL;
	for (i = 0; i < hub->conf->ntokens; i++)
		if (CRYPTO_memcmp(d, hub->conf->tokens[i].hash, 32) == 0 &&
		    found == NULL)
			found = &hub->conf->tokens[i];
	return found;
}

/* Every request: the route, the token and its role, the handler. */
static void
api_dispatch(struct evhttp_request *req, void *arg)
{
	struct hub_api		*api = arg;
	const struct api_route	*rt, *hit = NULL;
	const struct hub_token	*tok;
	struct api_req		 r;
	const char		*path;
	bool			 other_method = false;

	memset(&r, 0, sizeof r);
	r.hub = api->hub;
	r.req = req;
	path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	if (path != NULL && api_console(&r, path))
		return;
	for (rt = hub_api_routes; path != NULL && rt->path != NULL; rt++) {
		if (!api_match(rt->path, path, &r))
			continue;
		if (rt->method == evhttp_request_get_command(req)) {
			hit = rt;
			break;
		}
		other_method = true;
	}
	if (hit == NULL) {
		api_error(&r, other_method ? 405 : 404, other_method ?
		    "method not allowed" : "no such route");
		return;
	}
	if (strcmp(hit->path, API_OPEN_PATH) == 0) {
		hit->fn(&r);
		return;
	}
	if ((tok = api_token(api->hub, req)) == NULL &&
	    evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization") == NULL && api_session_cookie(&r)) {
		if (api_session_auth(&r, &tok) == -1)
			return;
	}
	if (tok == NULL) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "WWW-Authenticate", "Bearer");
		api_error(&r, 401, "a valid bearer token is required");
		return;
	}
	if (tok->role < hit->role) {
		api_error(&r, 403, "this token's role may not");
		return;
	}
	r.role = tok->role;
	snprintf(r.actor, sizeof r.actor, "token:%s", tok->name);
	hit->fn(&r);
}

/* Each connection gets its TLS bufferevent. */
static struct bufferevent *
api_bevcb(struct event_base *base, void *arg)
{
	struct hub_api	*api = arg;
	SSL		*ssl = SSL_new(api->ctx);

	if (ssl == NULL)
		return NULL;
	return bufferevent_openssl_socket_new(base, -1, ssl,
	    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
}

struct hub_api *
hub_api_new(struct hub *hub, char **cause)
{
	const struct hub_conf	*hc = hub->conf;
	struct hub_api		*api;
	char			 host[128], *colon;
	int			 port;

	if (!hc->tls.set)
		return NULL;
	api = xcalloc(1, sizeof *api);
	api->hub = hub;
	snprintf(host, sizeof host, "%s", hc->tls.listen);
	colon = strrchr(host, ':');
	*colon = '\0';
	port = atoi(colon + 1);
	if (host[0] == '[' && colon[-1] == ']') {	/* [::1]:8443 */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if ((api->ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(api->ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate_chain_file(api->ctx,
	    hc->tls.certificate) != 1 ||
	    SSL_CTX_use_PrivateKey_file(api->ctx, hc->tls.key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(api->ctx) != 1) {
		xasprintf(cause, "tls: %s, %s: %s", hc->tls.certificate,
		    hc->tls.key, ERR_reason_error_string(ERR_get_error()));
		hub_api_free(api);
		return NULL;
	}
	api->http = evhttp_new(hub->base);
	evhttp_set_bevcb(api->http, api_bevcb, api);
	evhttp_set_gencb(api->http, api_dispatch, api);
	evhttp_set_allowed_methods(api->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD);
	evhttp_set_max_body_size(api->http, API_PEOPLE_BODY_MAX);
	evhttp_set_timeout(api->http, 30);
	if (evhttp_bind_socket_with_handle(api->http, host, port) == NULL) {
		xasprintf(cause, "tls: cannot listen on %s", hc->tls.listen);
		hub_api_free(api);
		return NULL;
	}
	log_info("api: listening on %s (TLS)", hc->tls.listen);
	return api;
}

void
hub_api_free(struct hub_api *api)
{
	if (api == NULL)
		return;
	api_report_wait();
	api_session_free();
	if (api->http != NULL)
		evhttp_free(api->http);
	SSL_CTX_free(api->ctx);
	free(api);
}
