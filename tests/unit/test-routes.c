/*
 * test-routes.c: the route table of api.c against docs/api.md, the
 * reference a client programmer reads.  Every route of the table is a row
 * of the document's "Routes and roles" table with the same method and
 * role, and has a "### METHOD /path" section; every row and every such
 * section is a route of the table.  Then how a path finds its route: the
 * name a '*' takes, paths that are no route, and that the role auth.c
 * judges is the table's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "unit.h"

#define API_DOC		"docs/api.md"
#define DOC_ROUTES_MAX	64

/* A route as the document gives it; the path with '*' for a name. */
struct doc_route {
	char	method[8];
	char	path[128];
	char	role[16];	/* "" for a section heading */
};

struct doc {
	struct doc_route	rows[DOC_ROUTES_MAX];	/* the table */
	int			nrows;
	struct doc_route	heads[DOC_ROUTES_MAX];	/* the sections */
	int			nheads;
};

/* Where a path ends in the document's text. */
#define PATH_END	" ?,`|\n"

/*
 * The document's path as the table writes it: a name in capitals (LANE,
 * ID) becomes '*'.
 */
static void
doc_path(const char *s, char *out, size_t size)
{
	size_t	n = 0, len;
	char	prev = '\0';

	while (*s != '\0' && strchr(PATH_END, *s) == NULL && n + 2 < size) {
		len = 0;
		if (prev == '/')
			len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		if (len > 0 && strchr("/" PATH_END, s[len]) != NULL) {
			prev = out[n++] = '*';
			s += len;
			continue;
		}
		prev = out[n++] = *s++;
	}
	out[n] = '\0';
}

/* A table row "| GET | `/v1/status` | viewer |", or -1. */
static int
doc_row(const char *line, struct doc_route *r)
{
	char	path[128];

	if (sscanf(line, "| %7s | `%127[^`]` | %15s |", r->method, path,
	    r->role) != 3 || (strcmp(r->method, "GET") != 0 &&
	    strcmp(r->method, "POST") != 0))
		return -1;
	doc_path(path, r->path, sizeof r->path);
	return 0;
}

/* A section heading "### GET /v1/alerts, ?before=ID...", or -1. */
static int
doc_heading(const char *line, struct doc_route *r)
{
	char	path[128];

	if (sscanf(line, "### %7s /%126s", r->method, path + 1) != 2 ||
	    (strcmp(r->method, "GET") != 0 && strcmp(r->method, "POST") != 0 &&
	    strcmp(r->method, "DELETE") != 0))
		return -1;
	path[0] = '/';
	doc_path(path, r->path, sizeof r->path);
	r->role[0] = '\0';
	return 0;
}

/* Reads the routes the document names; -1 when it cannot be read. */
static int
doc_read(struct doc *d)
{
	FILE	*f;
	char	 line[1024];
	bool	 in_table = false;

	memset(d, 0, sizeof *d);
	if ((f = fopen(API_DOC, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "### Routes and roles", 20) == 0)
			in_table = true;
		else if (strncmp(line, "#", 1) == 0)
			in_table = false;
		if (in_table && d->nrows < DOC_ROUTES_MAX &&
		    doc_row(line, &d->rows[d->nrows]) == 0)
			d->nrows++;
		if (d->nheads < DOC_ROUTES_MAX &&
		    doc_heading(line, &d->heads[d->nheads]) == 0)
			d->nheads++;
	}
	fclose(f);
	return 0;
}

static const struct doc_route *
doc_find(const struct doc_route *v, int n, const char *path)
{
	int	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].path, path) == 0)
			return &v[i];
	return NULL;
}

static const struct api_route *
table_find(const char *path)
{
	const struct api_route	*r;

	for (r = api_routes; r->method != NULL; r++)
		if (strcmp(r->path, path) == 0)
			return r;
	return NULL;
}

/* Whether the heading is a route of session.c's /v1/session table. */
static bool
session_doc(const char *method, const char *path)
{
	const struct session_route	*r;

	if (strcmp(path, SESSION_PATH) != 0)
		return false;
	for (r = session_routes; r->method != NULL; r++)
		if (strcmp(r->method, method) == 0)
			return true;
	return false;
}

/* Every route of the session table has its section in docs/api.md. */
static void
test_session_doc(void)
{
	static struct doc		 d;
	const struct session_route	*r;
	int				 i;
	bool				 found;

	doc_read(&d);
	for (r = session_routes; r->method != NULL; r++) {
		found = false;
		for (i = 0; i < d.nheads; i++)
			found |= strcmp(d.heads[i].method, r->method) == 0 &&
			    strcmp(d.heads[i].path, SESSION_PATH) == 0;
		check(found, "%s %s has a section in %s", r->method,
		    SESSION_PATH, API_DOC);
	}
	check(api_route_find(SESSION_PATH, NULL, NULL) == NULL,
	    "%s is not a route of the Unix socket's table", SESSION_PATH);
}

static void
test_doc(void)
{
	static struct doc		 d;
	const struct api_route		*r;
	const struct doc_route		*row, *head;
	int				 i, n = 0;

	check(doc_read(&d) == 0, "%s is readable (run from the top "
	    "directory)", API_DOC);
	check(d.nrows > 0 && d.nheads > 0, "%s: %d table rows, %d route "
	    "sections", API_DOC, d.nrows, d.nheads);
	for (r = api_routes; r->method != NULL; r++) {
		n++;
		row = doc_find(d.rows, d.nrows, r->path);
		check(row != NULL && strcmp(row->method, r->method) == 0 &&
		    strcmp(row->role, auth_role_name(r->role)) == 0,
		    "%s %s (%s) is a row of the table in %s", r->method,
		    r->path, auth_role_name(r->role), API_DOC);
		head = doc_find(d.heads, d.nheads, r->path);
		check(head != NULL && strcmp(head->method, r->method) == 0,
		    "%s %s has a section in %s", r->method, r->path, API_DOC);
	}
	check(n == d.nrows, "the table in %s has %d rows, api_routes %d",
	    API_DOC, d.nrows, n);
	for (i = 0; i < d.nrows; i++) {
		r = table_find(d.rows[i].path);
		check(r != NULL && strcmp(r->method, d.rows[i].method) == 0 &&
		    strcmp(auth_role_name(r->role), d.rows[i].role) == 0,
		    "documented %s %s (%s) is in api_routes", d.rows[i].method,
		    d.rows[i].path, d.rows[i].role);
	}
	for (i = 0; i < d.nheads; i++) {
		if (session_doc(d.heads[i].method, d.heads[i].path))
			continue;
		r = table_find(d.heads[i].path);
		check(r != NULL && strcmp(r->method, d.heads[i].method) == 0,
		    "documented section %s %s is in api_routes",
		    d.heads[i].method, d.heads[i].path);
	}
}

/* No two routes share a path: the first that matches is the route. */
static void
test_unique(void)
{
	const struct api_route	*r, *s;
	int			 dup = 0;

	for (r = api_routes; r->method != NULL; r++)
		for (s = r + 1; s->method != NULL; s++)
			if (strcmp(r->path, s->path) == 0)
				dup++;
	check(dup == 0, "no two routes share a path");
}

/* Paths to their routes, the name a '*' takes, and the roles auth.c sees. */
static void
test_find(void)
{
	static const struct {
		const char	*path;
		const char	*route;		/* NULL: none */
		const char	*name;
	} t[] = {
		{ "/v1/status", "/v1/status", "" },
		{ "/v1/lanes/south-ped/open", "/v1/lanes/*/open", "south-ped" },
		{ "/v1/lanes/a b/open", "/v1/lanes/*/open", "a b" },
		{ "/v1/lanes/a/b/open", "/v1/lanes/*/open", "a/b" },
		{ "/v1/lanes//open", "/v1/lanes/*/open", "" },
		{ "/v1/alerts/12/ack", "/v1/alerts/*/ack", "12" },
		{ "/v1/alerts", "/v1/alerts", "" },
		{ "/v1/events/stream", "/v1/events/stream", "" },
		{ "/v1/sim/outputs", "/v1/sim/outputs", "" },
		{ "/v1/lanes/open", NULL, NULL },
		{ "/v1/lanes/x/open/", NULL, NULL },
		{ "/v1/lanes/x/close", NULL, NULL },
		{ "/v1/alerts/", NULL, NULL },
		{ "/v1/status/", NULL, NULL },
		{ "/v1/sim/nope", NULL, NULL },
		{ "/V1/STATUS", NULL, NULL },
		{ "", NULL, NULL },
	};
	const struct api_route	*r;
	size_t			 i, off, len;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		off = len = 99;
		r = api_route_find(t[i].path, &off, &len);
		if (t[i].route == NULL) {
			check(r == NULL, "'%s' is no route", t[i].path);
			continue;
		}
		check(r != NULL && strcmp(r->path, t[i].route) == 0 &&
		    len == strlen(t[i].name) &&
		    strncmp(t[i].path + off, t[i].name, len) == 0,
		    "'%s' is %s, name '%s'", t[i].path, t[i].route,
		    t[i].name);
		check(r != NULL && auth_role_needed(t[i].path) == r->role,
		    "'%s' needs the route's role", t[i].path);
	}
	check(api_route_find("/v1/mode", NULL, NULL) != NULL,
	    "the name's place may be left unasked");
}

int
main(void)
{
	test_doc();
	test_session_doc();
	test_unique();
	test_find();
	return check_done();
}
