/*
 * test-redact.c: what each role sees of an answer (common/redact.c), as a
 * table: a JSON document in, what a role at or above `may' and one below
 * it get out.
 */
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "unit.h"

static const struct {
	const char	*name;
	const char	*in;
	const char	*cut;	/* what a role below may gets */
} cases[] = {
	{ "a passage loses person, card, temp and its detail",
	  "{\"id\": 1, \"kind\": \"passage\", \"lane\": \"ped\","
	  " \"person\": \"E1008\", \"card\": \"1008\", \"temp\": 38.2,"
	  " \"verdict\": \"denied\", \"reason\": \"fever\","
	  " \"detail\": \"anti-passback: in twice\"}",
	  "{\"id\": 1, \"kind\": \"passage\", \"lane\": \"ped\","
	  " \"verdict\": \"denied\", \"reason\": \"fever\"}" },
	{ "a fever alert event loses its detail",
	  "{\"id\": 2, \"kind\": \"alert\", \"reason\": \"fever\","
	  " \"detail\": \"person E1008 card 1008 38.2 C\", \"alert_id\": 1}",
	  "{\"id\": 2, \"kind\": \"alert\", \"reason\": \"fever\","
	  " \"alert_id\": 1}" },
	{ "an active quarantine alert loses subject and detail",
	  "{\"alerts\": [{\"id\": 3, \"kind\": \"quarantine\","
	  " \"subject\": \"S1002\", \"detail\": \"person S1002 card 1002\","
	  " \"count\": 2}], \"active\": 1}",
	  "{\"alerts\": [{\"id\": 3, \"kind\": \"quarantine\","
	  " \"count\": 2}], \"active\": 1}" },
	{ "a muster names no one",
	  "{\"kind\": \"muster\", \"reason\": \"2\","
	  " \"detail\": \"E1001 S1002\"}",
	  "{\"kind\": \"muster\", \"reason\": \"2\"}" },
	{ "a device alert keeps its device and detail",
	  "{\"kind\": \"device\", \"subject\": \"therm\","
	  " \"detail\": \"thermometer therm gone\"}",
	  "{\"kind\": \"device\", \"subject\": \"therm\","
	  " \"detail\": \"thermometer therm gone\"}" },
	{ "a mode change keeps its reason text",
	  "{\"events\": [{\"kind\": \"mode\", \"actor\": \"token:ops\","
	  " \"detail\": \"closed: drill\"}]}",
	  "{\"events\": [{\"kind\": \"mode\", \"actor\": \"token:ops\","
	  " \"detail\": \"closed: drill\"}]}" },
	{ "deep in a report: the alerts part is cut, totals stay",
	  "{\"alerts\": [{\"kind\": \"alert\", \"person\": \"E1008\","
	  " \"temp\": 38.2}], \"totals\": {\"alerts\": 1}}",
	  "{\"alerts\": [{\"kind\": \"alert\"}], \"totals\": {\"alerts\": 1}}" },
};

static json_t *
parse(const char *s)
{
	json_error_t	err;
	json_t		*j = json_loads(s, 0, &err);

	if (j == NULL) {
		check(0, "test JSON does not parse: %s: %s", err.text, s);
		exit(check_done());
	}
	return j;
}

static void
test_table(void)
{
	json_t	*in, *want, *doc;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		in = parse(cases[i].in);
		want = parse(cases[i].cut);

		doc = redact_json(json_deep_copy(in), ROLE_VIEWER, ROLE_GUARD);
		check(json_equal(doc, want), "viewer: %s", cases[i].name);
		json_decref(doc);

		doc = redact_json(json_deep_copy(in), ROLE_GUARD, ROLE_ADMIN);
		check(json_equal(doc, want), "guard, an admin's export: %s",
		    cases[i].name);
		json_decref(doc);

		doc = redact_json(json_deep_copy(in), ROLE_GUARD, ROLE_GUARD);
		check(json_equal(doc, in), "guard sees it whole: %s",
		    cases[i].name);
		json_decref(doc);

		doc = redact_json(json_deep_copy(in), ROLE_ADMIN, ROLE_ADMIN);
		check(json_equal(doc, in), "admin sees it whole: %s",
		    cases[i].name);
		json_decref(doc);

		json_decref(in);
		json_decref(want);
	}
	check(redact_json(NULL, ROLE_VIEWER, ROLE_GUARD) == NULL,
	    "NULL in, NULL out");
}

int
main(void)
{
	test_table();
	return check_done();
}
