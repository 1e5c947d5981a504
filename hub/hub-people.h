/*
 * hub-people.h: the campus people list and quarantine set the hub holds
 * (people.c) as the API's handlers (api-people.c) use them.  Each call
 * answers with an HTTP status and a JSON document (*out, the caller's).
 */
#ifndef GATED_HUB_PEOPLE_H
#define GATED_HUB_PEOPLE_H

#include "hub.h"

/* A list checked, stored as the next version, signed, published. */
int		 hub_people_push(struct hub_people *, const char *csv,
		    size_t len, const char *actor, const char *reason,
		    json_t **out);
/* One person into (on) or out of the campus quarantine set, pushed. */
int		 hub_people_quarantine(struct hub_people *, const char *person,
		    bool on, const char *actor, const char *reason,
		    json_t **out);
bool		 hub_people_quarantined(const struct hub_people *,
		    const char *person);
/* The latest version stored: 0 when none, -1 on a database error. */
long long	 hub_people_latest(struct hub_people *);

#endif
