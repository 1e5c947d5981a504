/*
 * cmd-people.c: the people list.  Reloading asks the agent to read its CSV
 * again; the agent keeps the old list when the new one has any error and
 * answers 422 with them all, which client.c prints.
 */
#include <stdio.h>

#include "gatectl.h"

int
cmd_people_reload(struct ctl *ctl, int argc, char **argv)
{
	json_t	*a;
	char	 b[2][64];
	int	 rc;

	if (ctl_getopt(argc, argv, NULL) != -1)
		return EXIT_USAGE;
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	rc = client_call(ctl, CTL_POST, "/v1/people/reload", NULL, &a);
	if (rc != 0)
		return rc;
	if (!ctl->json)
		printf("people: %s loaded in %s ms\n",
		    ctl_json_text(a, "count", b[0], sizeof b[0]),
		    ctl_json_text(a, "ms", b[1], sizeof b[1]));
	json_decref(a);
	return 0;
}
