/*
 * api-console.c: the web console's files on the hub's listener: GET / is
 * the campus page (campus.html), GET /console/NAME any other file of [tls]
 * console, no token needed (the page signs in with one, api-session.c).
 * common/static-http.c does it all, headers, ETags and the .gz included.
 */
#include "api.h"
#include "static.h"

bool
api_console(struct api_req *r, const char *path)
{
	return static_http(r->hub->conf->tls.console, "campus.html", r->req,
	    path);
}
