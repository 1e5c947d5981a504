/*
 * static-http.c: the console's files answered on an evhttp request, the
 * glue above static.c that gated-hub uses (hub/api-console.c) and gated's
 * agent/console.c can take too: GET / is the page named index, GET
 * /console/NAME any file of dir; GET and HEAD only, the security headers
 * on every answer, ETag, 304, the .gz.  Errors are {"error": "..."}, the
 * shape of both APIs.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "static.h"

#define CONSOLE_PREFIX	"/console/"

static void
static_http_error(struct evhttp_request *req, int code, const char *why)
{
	struct evbuffer	*buf = evbuffer_new();

	evbuffer_add_printf(buf, "{\"error\":\"%s\"}\n", why);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, code, "Error", buf);
	evbuffer_free(buf);
}

/* The file's answer: 304, or 200 with the bytes (none for a HEAD). */
static void
static_http_send(struct evhttp_request *req, struct static_file *f)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	struct evbuffer		*buf;
	char			 len[24];

	evhttp_add_header(out, "ETag", f->etag);
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	if (f->status == 304) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(out, "Content-Type", f->type);
	if (f->encoding != NULL)
		evhttp_add_header(out, "Content-Encoding", f->encoding);
	buf = evbuffer_new();
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET)
		evbuffer_add(buf, f->body, f->len);
	else {
		snprintf(len, sizeof len, "%zu", f->len);
		evhttp_add_header(out, "Content-Length", len);
	}
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
}

bool
static_http(const char *dir, const char *index, struct evhttp_request *req,
    const char *path)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct static_file	 f;
	const char		*name;
	int			 i;

	if (strcmp(path, "/") == 0)
		name = index;
	else if (strncmp(path, CONSOLE_PREFIX, strlen(CONSOLE_PREFIX)) == 0)
		name = path + strlen(CONSOLE_PREFIX);
	else
		return false;
	for (i = 0; static_headers[i] != NULL; i += 2)
		evhttp_add_header(out, static_headers[i], static_headers[i + 1]);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(out, "Allow", "GET, HEAD");
		static_http_error(req, 405, "the console's files are read "
		    "with GET");
		return true;
	}
	if (dir[0] == '\0' || static_lookup(dir, name,
	    static_accepts_gzip(evhttp_find_header(in, "Accept-Encoding")),
	    evhttp_find_header(in, "If-None-Match"), &f) == -1 ||
	    f.status == 404) {
		static_http_error(req, 404, "no such console file");
		return true;
	}
	static_http_send(req, &f);
	static_file_clear(&f);
	return true;
}
