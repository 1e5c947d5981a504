/*
 * static.c: the console's files from a directory (static.h).  A name is
 * checked byte by byte before it touches the file system, the file is
 * read whole (the console's files are small), and its ETag is made from
 * its size, modification time and inode, so a file replaced by an upgrade
 * gets a new one and a browser's copy is revalidated with a 304 instead of
 * sent again.  No compression library: a NAME.gz made beforehand (make
 * install runs gzip) is sent to clients that take gzip.
 *
 * Files are opened relative to the directory's descriptor: gated's front
 * opens it before it chroots into an empty directory.  A descriptor from
 * outside the chroot would let ".." climb out of it, so, besides the
 * name's own check, each open is confined beneath the directory
 * (openat2's RESOLVE_BENEATH: no "..", no absolute symlink on the way) and
 * follows no symlink at the end.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "static.h"
#include "xmalloc.h"

/*
 * Why each: the page runs only its own files (no inline script, no other
 * origin, so an injected tag does nothing), may not be framed (no
 * clickjacking of the open button), and the browser never guesses a type.
 */
const char *const static_headers[] = {
	"Content-Security-Policy", "default-src 'self'; script-src 'self'; "
	    "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
	"X-Content-Type-Options", "nosniff",
	"Referrer-Policy", "no-referrer",
	"Cache-Control", "no-cache",
	NULL
};

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *
type_of(const char *name)
{
	size_t	i, n = strlen(name), e;

	for (i = 0; i < sizeof types / sizeof types[0]; i++) {
		e = strlen(types[i].ext);
		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return NULL;
}

/* Letters, digits, "-_./", no empty part, no part beginning with '.'. */
static bool
name_ok(const char *name)
{
	const char	*p;
	bool		 start = true;

	if (*name == '\0' || strlen(name) > 200)
		return false;
	for (p = name; *p != '\0'; p++) {
		if (start && (*p == '.' || *p == '/'))
			return false;
		start = *p == '/';
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_./", *p) != NULL))
			return false;
	}
	return !start;
}

bool
static_accepts_gzip(const char *h)
{
	const char	*p, *q;
	char		 item[64];
	size_t		 n;

	for (p = h; p != NULL && *p != '\0'; p += n) {
		p += strspn(p, " \t,");
		n = strcspn(p, ",");
		snprintf(item, sizeof item, "%.*s", (int)n, p);
		if (strncasecmp(item, "gzip", 4) != 0 ||
		    strchr(" \t;", item[4]) == NULL)
			continue;
		/* "gzip;q=0" (or 0.0, 0.000) says no. */
		if ((q = strstr(item, "q=")) != NULL && strtod(q + 2, NULL) == 0)
			return false;
		return true;
	}
	return false;
}

/*
 * Without openat2 (Linux before 5.6, qemu-user): one component at a time,
 * none of them a symlink, so nothing on the way leads out of dir.
 */
static int
open_walk(int dir, const char *name)
{
	char	 part[256];
	const char *p = name, *slash;
	int	 fd = dir, next;
	size_t	 n;

	while ((slash = strchr(p, '/')) != NULL) {
		n = (size_t)(slash - p);
		if (n == 0 || n >= sizeof part)
			goto fail;
		memcpy(part, p, n);
		part[n] = '\0';
		next = openat(fd, part, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
		    O_DIRECTORY);
		if (fd != dir)
			close(fd);
		if ((fd = next) == -1)
			return -1;
		p = slash + 1;
	}
	next = openat(fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd != dir)
		close(fd);
	return next;
fail:
	if (fd != dir)
		close(fd);
	return -1;
}

/*
 * Opens name beneath the directory dir, for reading; -1 when it is not
 * there, or would lead out of dir.  A kernel without openat2 (before
 * Linux 5.6) gets openat: the name's check and O_NOFOLLOW only.
 */
static int
open_beneath(int dir, const char *name)
{
#ifdef SYS_openat2
	struct open_how	how;
	long		fd;

	memset(&how, 0, sizeof how);
	how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, dir, name, &how, sizeof how);
	if (fd != -1 || errno != ENOSYS)
		return (int)fd;
#endif
	return open_walk(dir, name);
}

/*
 * Reads the whole regular file of fd, which it closes.  -1: not a
 * regular file, too big, or a short read.
 */
static int
read_file(int fd, const struct stat *st, char **body, size_t *len)
{
	ssize_t	n;
	size_t	got = 0;

	if (!S_ISREG(st->st_mode) || st->st_size > STATIC_MAX_BYTES) {
		close(fd);
		return -1;
	}
	*body = xmalloc((size_t)st->st_size + 1);
	while (got < (size_t)st->st_size) {
		n = read(fd, *body + got, (size_t)st->st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)st->st_size) {
		free(*body);
		*body = NULL;
		return -1;
	}
	*len = got;
	return 0;
}

/* Whether an If-None-Match header names the ETag (or is "*"). */
static bool
etag_matches(const char *header, const char *etag)
{
	const char	*p;
	size_t		 n = strlen(etag);

	if (header == NULL)
		return false;
	if (strcmp(header, "*") == 0)
		return true;
	for (p = header; (p = strstr(p, etag)) != NULL; p += n) {
		if (p[n] == '\0' || p[n] == ',' || p[n] == ' ')
			return true;
	}
	return false;
}

int
static_lookup(const char *root, const char *name, bool gzip_ok,
    const char *if_none_match, struct static_file *out)
{
	int	dir, rc;

	if ((dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		memset(out, 0, sizeof *out);
		out->status = 404;
		return 0;
	}
	rc = static_lookup_at(dir, name, gzip_ok, if_none_match, out);
	close(dir);
	return rc;
}

int
static_lookup_at(int dir, const char *name, bool gzip_ok,
    const char *if_none_match, struct static_file *out)
{
	struct stat	 st, gz;
	char		 gzname[256];
	int		 fd, gzfd = -1, rc;

	memset(out, 0, sizeof *out);
	out->status = 404;
	if (!name_ok(name) || type_of(name) == NULL)
		return 0;
	if ((fd = open_beneath(dir, name)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	snprintf(gzname, sizeof gzname, "%s.gz", name);
	if (gzip_ok && (gzfd = open_beneath(dir, gzname)) != -1 &&
	    (fstat(gzfd, &gz) == -1 || !S_ISREG(gz.st_mode) ||
	    gz.st_mtime < st.st_mtime)) {
		close(gzfd);
		gzfd = -1;
	}
	if (gzfd != -1) {
		close(fd);
		out->encoding = "gzip";
		st = gz;
		rc = read_file(gzfd, &st, &out->body, &out->len);
	} else
		rc = read_file(fd, &st, &out->body, &out->len);
	if (rc == -1) {
		out->encoding = NULL;
		return -1;
	}
	out->type = type_of(name);
	snprintf(out->etag, sizeof out->etag, "\"%jx-%jx-%jx%s\"",
	    (uintmax_t)st.st_ino, (uintmax_t)st.st_size,
	    (uintmax_t)st.st_mtim.tv_sec * 1000 + (uintmax_t)
	    st.st_mtim.tv_nsec / 1000000, out->encoding != NULL ? "-gz" : "");
	if (etag_matches(if_none_match, out->etag)) {
		free(out->body);
		out->body = NULL;
		out->len = 0;
		out->status = 304;
		return 0;
	}
	out->status = 200;
	return 0;
}

void
static_file_clear(struct static_file *f)
{
	free(f->body);
	memset(f, 0, sizeof *f);
}
