/*
 * alerts-forward.c: an acknowledgement made at the hub, on its way back
 * to the gate that raised the alert.  This is the hook: the gate takes an
 * acknowledgement from the broker only as a signed campus command (the
 * "ack" kind of common/command.c, h-push's), which needs an admin's
 * Ed25519 key the hub does not hold yet.  Until the hub signs, the
 * acknowledgement stays the hub's (journaled, the alert closed in the
 * campus view) and the log says it was not forwarded.
 */
#include "hub.h"
#include "log.h"

void
alerts_forward_ack(struct hub *hub, const char *gate, long long id,
    const char *actor, const char *reason)
{
	(void)hub;
	(void)reason;
	if (id < 0)
		return;		/* the hub's own alert: nothing at the gate */
	log_info("alerts: ack of %s/%lld by %s not forwarded to the gate: "
	    "no signed ack command yet (hub/alerts-forward.c)", gate, id,
	    actor);
}
