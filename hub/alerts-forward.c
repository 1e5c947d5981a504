/*
 * alerts-forward.c: an acknowledgement made at the hub, on its way back
 * to the gate that raised the alert.  The gate takes one from the broker
 * only as a signed campus command (the "ack" kind of common/command.c):
 * the hub signs it with its own key ([hub] people-key) and publishes it
 * once, not retained, on <gate>/ack (campus-cmd.c); the gate applies it
 * as a guard's, its actor key:hub/token:NAME.  Without the key the
 * acknowledgement stays the hub's (journaled, the alert closed in the
 * campus view) and the API's answer says it was not forwarded.
 */
#include <stdio.h>

#include "command.h"
#include "hub.h"
#include "log.h"

const char *
alerts_forward_ack(struct hub *hub, const char *gate, long long id,
    const char *actor, const char *reason)
{
	unsigned long long	 seq;
	const char		*why;
	char			 value[24];
	int			 status;

	if (id < 0)
		return "the hub's own alert: nothing at the gate";
	snprintf(value, sizeof value, "%lld", id);
	if (hub_command_send(hub, COMMAND_ACK, gate, value, actor, reason,
	    &seq, &status, &why) == -1) {
		log_info("alerts: ack of %s/%lld by %s not forwarded to the "
		    "gate: %s", gate, id, actor, why);
		return why;
	}
	return NULL;
}
