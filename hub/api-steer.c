/*
 * api-steer.c: the campus steered from the hub: POST /v1/campus/level
 * and POST /v1/campus/mode (admin).  Each is a command signed with the
 * hub's key and published retained (campus-cmd.c), then journaled in
 * hub_journal with the operator and the reason; the gates' confirmations
 * come back in their state (GET /v1/campus/gates: campus_applied).
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "command.h"

/* Signs, publishes, journals and answers 202 {target, what, value, seq}. */
static void
steer(struct api_req *r, int what, const char *target, const char *value,
    const char *reason)
{
	unsigned long long	 seq;
	const char		*why;
	char			 detail[160];
	int			 status;

	if (hub_command_send(r->hub, what, target, value, r->actor, reason,
	    &seq, &status, &why) == -1) {
		api_error(r, status, why);
		return;
	}
	snprintf(detail, sizeof detail, "%s %s for %s, seq %llu",
	    command_what_name((enum command_what)what), value, target, seq);
	if (hub_journal(r->hub->db, what == COMMAND_LEVEL ? "campus-level" :
	    "campus-mode", r->actor, reason, detail) == -1) {
		api_error(r, 503, "published, but the journal row failed");
		return;
	}
	api_json(r, 202, json_pack("{ss ss ss sI}", "target", target, "what",
	    command_what_name((enum command_what)what), "value", value, "seq",
	    (json_int_t)seq));
}

/* The body's reason, 1-255 bytes (a command's); NULL when answered. */
static const char *
steer_reason(struct api_req *r, json_t *body)
{
	const char	*reason;

	reason = json_string_value(json_object_get(body, "reason"));
	if (reason == NULL || *reason == '\0' ||
	    strlen(reason) >= COMMAND_REASON_LEN) {
		api_error(r, 400, "a reason (1-255 bytes) is required");
		return NULL;
	}
	return reason;
}

/* POST /v1/campus/level {"level": N, "reason": "..."} */
void
api_campus_level(struct api_req *r)
{
	const char	*reason;
	json_t		*body, *lv;
	char		 value[4];

	if ((body = api_body(r)) == NULL)
		return;
	lv = json_object_get(body, "level");
	if (!json_is_integer(lv) || json_integer_value(lv) < 0 ||
	    json_integer_value(lv) > COMMAND_LEVEL_MAX)
		api_error(r, 400, "level is a number, 0 to 9");
	else if ((reason = steer_reason(r, body)) != NULL) {
		snprintf(value, sizeof value, "%d", (int)json_integer_value(lv));
		steer(r, COMMAND_LEVEL, "campus", value, reason);
	}
	json_decref(body);
}

/* POST /v1/campus/mode {"gate": G, "mode": M, "reason": "..."} */
void
api_campus_mode(struct api_req *r)
{
	const char	*reason, *gate, *mode;
	json_t		*body;

	if ((body = api_body(r)) == NULL)
		return;
	gate = json_string_value(json_object_get(body, "gate"));
	mode = json_string_value(json_object_get(body, "mode"));
	if (gate == NULL || mode == NULL || strcmp(gate, "campus") == 0 ||
	    strlen(gate) >= COMMAND_NAME_LEN || strlen(mode) >=
	    COMMAND_NAME_LEN)
		api_error(r, 400, "a gate and a mode (1-31 bytes) are needed");
	else if ((reason = steer_reason(r, body)) != NULL)
		steer(r, COMMAND_MODE, gate, mode, reason);
	json_decref(body);
}
