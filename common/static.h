/*
 * static.h: static files from a directory, for the console that gated and
 * gated-hub both serve (static.c).  Transport-free: the caller maps a URL
 * to a name, asks here, and writes the answer with its own HTTP library.
 */
#ifndef GATED_STATIC_H
#define GATED_STATIC_H

#include <stdbool.h>
#include <stddef.h>

#define STATIC_MAX_BYTES	(1024 * 1024)	/* a bigger file is refused */

/* What to answer: the status and, for a 200, the bytes to send. */
struct static_file {
	int		 status;	/* 200, 304, 404 */
	const char	*type;		/* Content-Type; NULL unless 200/304 */
	const char	*encoding;	/* "gzip" (NAME.gz was sent) or NULL */
	char		 etag[64];	/* a quoted strong ETag; "" on 404 */
	char		*body;		/* the caller frees (static_file_clear) */
	size_t		 len;
};

/*
 * Looks up name (relative: "index.html", "js/gate.js") under root.  Names
 * are letters, digits, '-', '_', '.' and '/' only, and no part begins with
 * '.', so nothing outside root (or hidden in it) is ever read.  gzip_ok:
 * the client accepts gzip, and NAME.gz, when present and not older than
 * NAME, is sent instead.  if_none_match: the client's header or NULL; a
 * match is a 304 with no body.  0, or -1 on a read error (status 404).
 */
int	 static_lookup(const char *root, const char *name, bool gzip_ok,
	    const char *if_none_match, struct static_file *out);
/* The same under the directory of descriptor dir (the caller's, kept
 * open): a process that chroots opens it first.  Nothing is opened beyond
 * dir, even through a symlink (where the kernel has openat2). */
int	 static_lookup_at(int dir, const char *name, bool gzip_ok,
	    const char *if_none_match, struct static_file *out);
void	 static_file_clear(struct static_file *);
/* Whether an Accept-Encoding header allows gzip (and not "gzip;q=0"). */
bool	 static_accepts_gzip(const char *accept_encoding);
/*
 * static-http.c: answers an evhttp request when path is the console's
 * ("/": the file index; "/console/NAME"): true, else false (not a console
 * path, left to the caller).  The struct is libevent's (event2/http.h).
 */
struct evhttp_request;
bool	 static_http(const char *dir, const char *index,
	    struct evhttp_request *req, const char *path);
/* The security headers every console answer carries: name, value pairs,
 * ending with a NULL name. */
extern const char *const static_headers[];

#endif
