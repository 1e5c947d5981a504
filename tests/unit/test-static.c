/*
 * test-static.c: the console's file lookup (common/static.c) on a
 * directory made here: names that must not leave it or reach a hidden
 * file, the types, the ETag and its 304, NAME.gz for a client that takes
 * gzip (and not when it is older than NAME), and Accept-Encoding read as
 * HTTP says; through a directory's descriptor (gated's chrooted front),
 * nothing is reached beyond that directory, even by a symlink in it.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "static.h"
#include "unit.h"

static char	dir[] = "/tmp/test-static-XXXXXX";

static void
put(const char *name, const char *text)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		exit(2);
	fputs(text, f);
	fclose(f);
}

/* Sets a file's modification time, seconds from now. */
static void
age(const char *name, int s)
{
	char		path[256];
	struct timeval	tv[2];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec += s;
	tv[1] = tv[0];
	utimes(path, tv);
}

static int
status(const char *name)
{
	struct static_file	f;
	int			s;

	static_lookup(dir, name, false, NULL, &f);
	s = f.status;
	static_file_clear(&f);
	return s;
}

static void
test_names(void)
{
	static const struct {
		const char	*name;
		int		 status;
	} t[] = {
		{ "index.html", 200 }, { "js/app.js", 200 },
		{ "../secret.txt", 404 }, { "js/../index.html", 404 },
		{ ".hidden.css", 404 }, { "js/.x.js", 404 },
		{ "/etc/passwd", 404 }, { "js//app.js", 404 },
		{ "js/", 404 }, { "", 404 }, { "js", 404 },
		{ "index.html%00", 404 }, { "a b.html", 404 },
		{ "notes.md", 404 }, { "missing.js", 404 },
	};
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		check(status(t[i].name) == t[i].status, "'%s': %d",
		    t[i].name, t[i].status);
}

static void
test_etag_gzip(void)
{
	struct static_file	f, g;

	static_lookup(dir, "index.html", false, NULL, &f);
	check(f.status == 200 && f.len == 6 && memcmp(f.body, "<html>", 6) ==
	    0 && strcmp(f.type, "text/html; charset=utf-8") == 0 &&
	    f.encoding == NULL, "index.html: 200, its bytes, text/html");
	check(f.etag[0] == '"' && f.etag[strlen(f.etag) - 1] == '"',
	    "a quoted ETag: %s", f.etag);
	static_lookup(dir, "index.html", false, f.etag, &g);
	check(g.status == 304 && g.body == NULL && strcmp(g.etag, f.etag) == 0,
	    "If-None-Match with it: 304, no body");
	static_file_clear(&g);
	static_lookup(dir, "index.html", false, "\"x\", *", &g);
	check(g.status == 200, "a list without it: 200");
	static_file_clear(&g);
	static_lookup(dir, "index.html", false, "*", &g);
	check(g.status == 304, "If-None-Match *: 304");
	static_file_clear(&g);

	put("index.html.gz", "GZ");
	age("index.html.gz", 10);
	static_lookup(dir, "index.html", true, NULL, &g);
	check(g.status == 200 && g.len == 2 && g.encoding != NULL &&
	    strcmp(g.encoding, "gzip") == 0 && strcmp(g.etag, f.etag) != 0,
	    "gzip taken: the .gz, its own ETag %s", g.etag);
	static_file_clear(&g);
	static_lookup(dir, "index.html", false, NULL, &g);
	check(g.len == 6 && g.encoding == NULL, "gzip not taken: identity");
	static_file_clear(&g);
	age("index.html.gz", -100);
	static_lookup(dir, "index.html", true, NULL, &g);
	check(g.len == 6 && g.encoding == NULL,
	    "a .gz older than its file is not sent");
	static_file_clear(&g);
	static_file_clear(&f);
	check(status("index.html.gz") == 404, "the .gz itself is no name");
}

static void
test_accept(void)
{
	static const struct {
		const char	*h;
		bool		 ok;
	} t[] = {
		{ "gzip", true }, { "gzip, deflate, br", true },
		{ "br, GZIP", true }, { "deflate, gzip;q=0.5", true },
		{ "gzip;q=0", false }, { "gzip; q=0.000", false },
		{ "identity", false }, { "", false }, { NULL, false },
		{ "gzipx", false }, { "x-gzip2", false },
	};
	size_t	i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		check(static_accepts_gzip(t[i].h) == t[i].ok,
		    "Accept-Encoding '%s': %s", t[i].h ? t[i].h : "(none)",
		    t[i].ok ? "gzip" : "identity");
}

/* status of name under the directory of descriptor fd. */
static int
status_at(int fd, const char *name, char *etag, size_t len)
{
	struct static_file	f;
	int			s;

	static_lookup_at(fd, name, false, NULL, &f);
	s = f.status;
	if (etag != NULL)
		snprintf(etag, len, "%s", f.etag);
	static_file_clear(&f);
	return s;
}

/*
 * www/ holds a page and symlinks that lead out of it: to its parent by
 * "..", by an absolute path, and a file link.  Through www's descriptor
 * only the page is served.
 */
static void
test_beneath(void)
{
	struct static_file	f;
	char			path[256], target[256], etag[64];
	int			fd;

	snprintf(path, sizeof path, "%s/www", dir);
	mkdir(path, 0700);
	put("www/page.html", "<p>");
	snprintf(path, sizeof path, "%s/www/up", dir);
	if (symlink("..", path) == -1)
		exit(2);
	snprintf(path, sizeof path, "%s/www/abs", dir);
	if (symlink(dir, path) == -1)
		exit(2);
	snprintf(path, sizeof path, "%s/www/link.html", dir);
	snprintf(target, sizeof target, "%s/index.html", dir);
	if (symlink(target, path) == -1)
		exit(2);
	snprintf(path, sizeof path, "%s/www", dir);
	if ((fd = open(path, O_RDONLY | O_DIRECTORY)) == -1)
		exit(2);
	check(status_at(fd, "page.html", etag, sizeof etag) == 200,
	    "through the descriptor: page.html 200");
	static_lookup(path, "page.html", false, NULL, &f);
	check(f.status == 200 && strcmp(f.etag, etag) == 0,
	    "... the same ETag as by the directory's path");
	static_file_clear(&f);
	check(status_at(fd, "up/index.html", NULL, 0) == 404,
	    "a symlink to .. does not lead out: 404");
	check(status_at(fd, "abs/index.html", NULL, 0) == 404,
	    "an absolute symlink does not either: 404");
	check(status_at(fd, "link.html", NULL, 0) == 404,
	    "a file that is a symlink: 404");
	check(status_at(-1, "page.html", NULL, 0) == 404,
	    "no descriptor: 404");
	close(fd);
}

int
main(void)
{
	char	cmd[128];

	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(cmd, sizeof cmd, "%s/js", dir);
	mkdir(cmd, 0700);
	put("index.html", "<html>");
	put("js/app.js", "export {}");
	put("js/.x.js", "hidden");
	put(".hidden.css", "hidden");
	put("notes.md", "no type");
	test_names();
	test_etag_gzip();
	test_accept();
	test_beneath();
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
