/*
 * command-int.h: what command.c and command-body.c share and nobody else
 * needs: the JSON members of a body, read and written.
 */
#ifndef GATED_COMMAND_INT_H
#define GATED_COMMAND_INT_H

#include <jansson.h>

#include "command.h"

/* Adds "size" and "csv" or "persons" to o: 0, or -1. */
int		 command_body_to_json(const struct command *, json_t *o);
/* Reads them back into c (body owned by c): 0, or -1 if malformed. */
int		 command_body_from_json(json_t *o, struct command *c);
/* Whether the body is the one the value and size name. */
int		 command_body_matches(const struct command *);

#endif
