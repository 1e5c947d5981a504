/*
 * cmd-people.c: the people list.  Reloading asks the agent to read its CSV
 * again; the agent keeps the old list when the new one has any error, or
 * would drop more people than people-max-shrink allows without --force,
 * and answers 422 with the errors, which client.c prints.
 */
#include <stdio.h>

#include "gatectl.h"

static void
print_people_reload(const struct ctl_request *req, json_t *a)
{
	char	b[2][64];

	(void)req;
	printf("people: %s loaded in %s ms\n",
	    ctl_json_text(a, "count", b[0], sizeof b[0]),
	    ctl_json_text(a, "ms", b[1], sizeof b[1]));
}

int
cmd_people_reload(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	json_t	*body = NULL;
	int	 ch;

	(void)ctl;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch != 'f')
			return EXIT_USAGE;
		if (body == NULL)
			body = json_pack("{s:b}", "force", 1);
	}
	if (optind != argc) {
		json_decref(body);
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	}
	return ctl_ask(req, CTL_POST, xstrdup("/v1/people/reload"), body,
	    print_people_reload);
}
