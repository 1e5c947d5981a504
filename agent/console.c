/*
 * console.c: the web console's files on the TLS listener.  GET / is the
 * gate's page (index.html), GET /console/NAME any other file of the
 * [remote] console directory; no token is needed to load them (the page
 * signs in with one, session.c), and every answer carries the security
 * headers of common/static.c.  The lookup itself is static.c's, which
 * gated-hub shares.  It runs in the front, chrooted into an empty
 * directory: the files are read through the descriptor of the console's
 * directory that remote.c opened before the chroot.
 */
#include <sys/queue.h>

#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "agent.h"
#include "static.h"

#define CONSOLE_PREFIX	"/console/"

/*
 * Answers the request when its path is the console's: true, else false
 * (an API route, left to the caller).
 */
bool
console_request(int dir, struct evhttp_request *req, const char *path)
{
	struct evkeyvalq	*in = evhttp_request_get_input_headers(req);
	struct evkeyvalq	*out = evhttp_request_get_output_headers(req);
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct static_file	 f;
	struct evbuffer		*buf;
	const char		*name;
	char			 len[24];
	int			 i;

	if (strcmp(path, "/") == 0)
		name = "index.html";
	else if (strncmp(path, CONSOLE_PREFIX, strlen(CONSOLE_PREFIX)) == 0)
		name = path + strlen(CONSOLE_PREFIX);
	else
		return false;
	for (i = 0; static_headers[i] != NULL; i += 2)
		evhttp_add_header(out, static_headers[i], static_headers[i + 1]);
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		evhttp_add_header(out, "Allow", "GET, HEAD");
		api_error(req, 405, "the console's files are read with GET");
		return true;
	}
	if (dir == -1 || static_lookup_at(dir, name,
	    static_accepts_gzip(evhttp_find_header(in, "Accept-Encoding")),
	    evhttp_find_header(in, "If-None-Match"), &f) == -1 ||
	    f.status == 404) {
		api_error(req, 404, "no console file %s", path);
		return true;
	}
	evhttp_add_header(out, "ETag", f.etag);
	evhttp_add_header(out, "Vary", "Accept-Encoding");
	if (f.status == 304) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		static_file_clear(&f);
		return true;
	}
	evhttp_add_header(out, "Content-Type", f.type);
	if (f.encoding != NULL)
		evhttp_add_header(out, "Content-Encoding", f.encoding);
	buf = evbuffer_new();
	if (cmd == EVHTTP_REQ_GET)
		evbuffer_add(buf, f.body, f.len);
	else {
		snprintf(len, sizeof len, "%zu", f.len);
		evhttp_add_header(out, "Content-Length", len);
	}
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
	static_file_clear(&f);
	return true;
}
