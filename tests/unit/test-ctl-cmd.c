/*
 * test-ctl-cmd.c: what gatectl's commands share, table-driven: the paging
 * options of a listing (--after, --before, --limit) into the query that
 * asks for the page, and the request a command yields.
 */
#include <stdlib.h>
#include <string.h>

#include "gatectl.h"
#include "unit.h"

static void
test_paging(void)
{
	static const struct {
		const char	*opts;	/* option letters and values */
		int		 rc;
		const char	*path;
	} t[] = {
		{ "", 0, "/v1/events?limit=50" },
		{ "l7", 0, "/v1/events?limit=7" },
		{ "a0", 0, "/v1/events?after=0&limit=50" },
		{ "a12 l3", 0, "/v1/events?after=12&limit=3" },
		{ "b5", 0, "/v1/events?before=5&limit=50" },
		{ "b5 l1000", 0, "/v1/events?before=5&limit=1000" },
		{ "b0", EXIT_USAGE, NULL },
		{ "a-1", EXIT_USAGE, NULL },
		{ "ax", EXIT_USAGE, NULL },
		{ "l0", EXIT_USAGE, NULL },
		{ "l1001", EXIT_USAGE, NULL },
		{ "x1", EXIT_USAGE, NULL },
	};
	struct ctl_paging	 p;
	char			 copy[64], *opt, *s, *path;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		p = (struct ctl_paging){ "event", -1, -1, 50 };
		snprintf(copy, sizeof copy, "%s", t[i].opts);
		rc = 0;
		for (s = copy; rc == 0 && (opt = strsep(&s, " ")) != NULL;)
			if (*opt != '\0')
				rc = ctl_paging_option(&p, opt[0], opt + 1);
		path = rc == 0 ? ctl_paging_path("/v1/events", &p) : NULL;
		check(rc == t[i].rc && (t[i].path == NULL ||
		    (path != NULL && strcmp(path, t[i].path) == 0)),
		    "paging \"%s\": %s", t[i].opts,
		    t[i].path != NULL ? t[i].path : "usage error");
		free(path);
	}
}

static void
print_nothing(const struct ctl_request *req, json_t *answer)
{
	(void)req;
	(void)answer;
}

static void
test_ask(void)
{
	struct ctl_request	 req;
	json_t			*body = json_object();

	memset(&req, 0, sizeof req);
	check(ctl_ask(&req, CTL_POST, xstrdup("/v1/mode"), body,
	    print_nothing) == 0 && req.method == CTL_POST &&
	    strcmp(req.path, "/v1/mode") == 0 && req.body == body &&
	    req.print == print_nothing && req.exit_code == NULL,
	    "ask: the request holds what the command asked");
	free(req.path);
	json_decref(req.body);
}

int
main(void)
{
	ctl_cmd_start("test");
	test_paging();
	test_ask();
	return check_done();
}
