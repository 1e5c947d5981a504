/*
 * api-reply.c: what the hub's handlers share to read a request and
 * answer it: JSON answers and errors, query parameters, a JSON body, and
 * the redaction of person ids and temperatures for roles below guard.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "redact.h"

void
api_json(struct api_req *r, int code, json_t *doc)
{
	struct evbuffer	*b = evbuffer_new();
	char		*s;

	s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	if (s != NULL) {
		evbuffer_add(b, s, strlen(s));
		evbuffer_add(b, "\n", 1);
		free(s);
	}
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Content-Type", "application/json");
	evhttp_send_reply(r->req, code, code < 300 ? "OK" : "Error", b);
	evbuffer_free(b);
}

void
api_error(struct api_req *r, int code, const char *why)
{
	api_json(r, code, json_pack("{ss}", "error", why));
}

const char *
api_query(struct api_req *r, const char *key, char *buf, size_t size)
{
	const struct evhttp_uri	*u = evhttp_request_get_evhttp_uri(r->req);
	struct evkeyvalq	 q;
	const char		*v, *query = evhttp_uri_get_query(u);

	if (query == NULL)
		return NULL;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(query, &q) != 0)
		return NULL;
	if ((v = evhttp_find_header(&q, key)) != NULL)
		snprintf(buf, size, "%s", v);
	evhttp_clear_headers(&q);
	return v != NULL ? buf : NULL;
}

json_t *
api_body(struct api_req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->req);
	size_t		 len = evbuffer_get_length(in);
	json_error_t	 err;
	json_t		*doc;

	if (len > API_BODY_MAX) {
		api_error(r, 413, "the body is too large");
		return NULL;
	}
	doc = json_loadb((const char *)evbuffer_pullup(in, len), len, 0, &err);
	if (!json_is_object(doc)) {
		json_decref(doc);
		api_error(r, 400, "the body is not a JSON object");
		return NULL;
	}
	return doc;
}

json_t *
api_redact(struct api_req *r, json_t *doc)
{
	/* gated's ranks: 0 viewer, 1 guard; the hub's guard and up see. */
	return redact_json(doc, r->role >= HUB_GUARD ? 1 : 0, 1);
}

/* An event row as the API gives it: the gate's JSON and "gate" (here, not
 * in api-campus.c, so that stream.c need not depend on a route's file). */
json_t *
api_event_json(const char *gate, const char *body)
{
	json_t	*o = json_loads(body, 0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_object_set_new(o, "gate", json_string(gate));
	return o;
}
