/*
 * api-console.c: the web console's files on the hub's listener.  GET /
 * is the campus page (campus.html), GET /console/NAME any other file of
 * [tls] console; no token is needed to load them (the page signs in with
 * one, api-session.c) and every answer carries the security headers of
 * common/static.c, which does the lookup for gated too.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>

#include "api.h"
#include "static.h"

#define CONSOLE_PREFIX	"/console/"

/* The file's answer: 304, or 200 with the bytes (none for a HEAD). */
static void
console_send(struct api_req *r, struct static_file *f)
{
	struct evkeyvalq	*out = evhttp_request_get_output_headers(r->req);
	struct evbuffer		*buf;
	char			 len[24];

	evhttp_add_header(out, "ETag", f->etag);
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	if (f->status == 304) {
		evhttp_send_reply(r->req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(out, "Content-Type", f->type);
	if (f->encoding != NULL)
		evhttp_add_header(out, "Content-Encoding", f->encoding);
	buf = evbuffer_new();
	if (evhttp_request_get_command(r->req) == EVHTTP_REQ_GET)
		evbuffer_add(buf, f->body, f->len);
	else {
		snprintf(len, sizeof len, "%zu", f->len);
		evhttp_add_header(out, "Content-Length", len);
	}
	evhttp_send_reply(r->req, 200, "OK", buf);
	evbuffer_free(buf);
}

bool
api_console(struct api_req *r, const char *path)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(r->req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(r->req);
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(r->req);
	const char		*dir = r->hub->conf->tls.console, *name;
	struct static_file	 f;
	int			 i;

	if (strcmp(path, "/") == 0)
		name = "campus.html";
	else if (strncmp(path, CONSOLE_PREFIX, strlen(CONSOLE_PREFIX)) == 0)
		name = path + strlen(CONSOLE_PREFIX);
	else
		return false;
	for (i = 0; static_headers[i] != NULL; i += 2)
		evhttp_add_header(out, static_headers[i], static_headers[i + 1]);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(out, "Allow", "GET, HEAD");
		api_error(r, 405, "the console's files are read with GET");
		return true;
	}
	if (dir[0] == '\0' || static_lookup(dir, name,
	    static_accepts_gzip(evhttp_find_header(in, "Accept-Encoding")),
	    evhttp_find_header(in, "If-None-Match"), &f) == -1 ||
	    f.status == 404) {
		api_error(r, 404, "no such console file");
		return true;
	}
	console_send(r, &f);
	static_file_clear(&f);
	return true;
}
