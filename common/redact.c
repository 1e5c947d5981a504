/*
 * redact.c: what a role may not see of the journal.  Person ids, card
 * numbers and temperatures are health data (a denial for fever names
 * someone ill), so a viewer token (a lobby screen, a dashboard) gets the
 * gate's traffic without them; guards and admins see everything, and the
 * report's per-person parts are an export, an admin's alone.  Applied in
 * one place per answer, to the JSON as it leaves (api.c, stream.c), so a
 * field added to an event later is caught by its name, not by a handler
 * someone forgot.  docs/privacy.md has the table.
 */
#include <stdbool.h>
#include <string.h>

#include "redact.h"

/* Fields that identify a person or are a reading, wherever they are. */
static const char *const redact_fields[] = { "person", "card", "temp" };

/*
 * Kinds (of an alert, or an event's reason or kind) whose subject and free
 * text name a person: the policy's alerts about a card ("person P-1 card
 * 4711 38.5 C") and the fire muster (the ids of those inside).
 */
static const char *const redact_kinds[] = {
	"fever", "quarantine", "muster", "apb-reset"
};

static bool
redact_kind(json_t *o, const char *key)
{
	const char	*v = json_string_value(json_object_get(o, key));
	size_t		 i;

	if (v == NULL)
		return false;
	for (i = 0; i < sizeof redact_kinds / sizeof redact_kinds[0]; i++) {
		if (strcmp(v, redact_kinds[i]) == 0)
			return true;
	}
	return false;
}

/*
 * One object: its person fields go, and when it is about a person (it had
 * one, or its kind says so) its subject and free text go too, since they
 * repeat the person ("person P-1 card 4711 38.5 C").
 */
static void
redact_object(json_t *o)
{
	bool	about = false;
	size_t	i;

	for (i = 0; i < sizeof redact_fields / sizeof redact_fields[0]; i++)
		about |= json_object_del(o, redact_fields[i]) == 0;
	about |= redact_kind(o, "kind") || redact_kind(o, "reason");
	if (about) {
		json_object_del(o, "subject");
		json_object_del(o, "detail");
	}
}

static void
redact_walk(json_t *v)
{
	const char	*key;
	json_t		*e;
	size_t		 i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e)
			redact_walk(e);
	} else if (json_is_object(v)) {
		redact_object(v);
		json_object_foreach(v, key, e)
			redact_walk(e);
	}
}

/* Nothing is taken when role is at least may. */
json_t *
redact_json(json_t *doc, int role, int may)
{
	if (doc != NULL && role < may)
		redact_walk(doc);
	return doc;
}
