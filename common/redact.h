/*
 * redact.h: what a role may not see of an answer (redact.c): person ids,
 * card numbers and temperatures.  Shared by gated's API and gated-hub's.
 */
#ifndef GATED_REDACT_H
#define GATED_REDACT_H

#include <jansson.h>

/*
 * Takes from doc, in place, person ids and temperatures when role is
 * below may (roles are ranks, weakest 0: gated's enum role).  Returns
 * doc, for chaining into a reply.
 */
json_t	*redact_json(json_t *doc, int role, int may);

#endif
