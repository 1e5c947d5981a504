/*
 * test-hub-routes.c: gated-hub's route table (hub/api.c) against
 * docs/hub.md, as test-routes does for a gate: every route has its
 * "### METHOD /path" section, and every such section is a route; each
 * route needs at least a viewer and has a handler and a help line.  Run
 * from the top of the tree (tests/run does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "unit.h"

#define HUB_DOC	"docs/hub.md"

static const char *
method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	default:
		return "?";
	}
}

/* The route's heading: '*' segments are written in capitals in the doc
 * (GATE, ID), so a heading matches a pattern segment by segment. */
static int
heading_matches(const char *heading, const struct api_route *r)
{
	const char	*h = heading, *p = r->path, *m = method_name(r->method);
	size_t		 n = strlen(m);

	if (strncmp(h, m, n) != 0 || h[n] != ' ')
		return 0;
	h += n + 1;
	while (*p != '\0' && *h != '\0') {
		if (*p == '*') {
			if (*h < 'A' || *h > 'Z')
				return 0;
			while (*h != '\0' && *h != '/')
				h++;
			p++;
			continue;
		}
		if (*p++ != *h++)
			return 0;
	}
	return *p == '\0' && *h == '\0';
}

int
main(void)
{
	const struct api_route	*r;
	char			 line[512], *nl;
	char			 headings[128][512];
	int			 nheadings = 0, i, found, nroutes = 0;
	FILE			*f;

	if ((f = fopen(HUB_DOC, "r")) == NULL) {
		check(0, "open %s (run from the top of the tree)", HUB_DOC);
		return check_done();
	}
	while (fgets(line, sizeof line, f) != NULL && nheadings < 128) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (strncmp(line, "### ", 4) == 0 && strchr(line + 4, '/') !=
		    NULL && (strncmp(line + 4, "GET ", 4) == 0 ||
		    strncmp(line + 4, "POST ", 5) == 0 ||
		    strncmp(line + 4, "DELETE ", 7) == 0))
			snprintf(headings[nheadings++], sizeof headings[0],
			    "%s", line + 4);
	}
	fclose(f);

	for (r = hub_api_routes; r->path != NULL; r++) {
		nroutes++;
		found = 0;
		for (i = 0; i < nheadings; i++)
			found |= heading_matches(headings[i], r);
		check(found, "%s %s has its ### section in %s",
		    method_name(r->method), r->path, HUB_DOC);
		check(r->fn != NULL && r->help != NULL && *r->help != '\0' &&
		    r->role >= HUB_VIEWER && r->role < HUB_ROLES,
		    "%s %s: a handler, help, a role (%s)",
		    method_name(r->method), r->path, hub_role_name(r->role));
	}
	for (i = 0; i < nheadings; i++) {
		found = 0;
		for (r = hub_api_routes; r->path != NULL; r++)
			found |= heading_matches(headings[i], r);
		check(found, "### %s in %s is a route", headings[i], HUB_DOC);
	}
	check(nroutes >= 7, "%d routes", nroutes);
	return check_done();
}
