/*
 * protocol.h: the wire contract between gated and its clients.  HTTP/1.1
 * with JSON bodies, the same over the local Unix socket and (later) TLS.
 * Both sides send the protocol version in a header and refuse a mismatch,
 * so an old gatectl never misreads a newer agent.
 */
#ifndef GATED_PROTOCOL_H
#define GATED_PROTOCOL_H

#define GATED_PROTOCOL_VERSION	1
#define GATED_PROTOCOL_HEADER	"X-Gated-Protocol"
#define GATED_DEFAULT_SOCKET	"/run/gated/control.sock"
#define GATED_MAX_BODY		65536
/* A reason typed for a change: bytes, one line of visible text. */
#define GATED_MAX_REASON	200

/*
 * Routes (all answer JSON; an error is 4xx/5xx with {"error": "reason"}):
 *
 *  GET  /v1/status
 *  POST /v1/mode            {"mode": NAME, "reason": TEXT}
 *  POST /v1/level           {"level": N, "reason": TEXT}
 *  POST /v1/lanes/LANE/open {"reason": TEXT}
 *  GET  /v1/alerts?before=ID|after=ID&limit=N           active alerts
 *  POST /v1/alerts/ID/ack   {"reason": TEXT}            reason optional
 *  GET  /v1/events?after=ID&limit=N
 *  GET  /v1/report?from=TIME&to=TIME                     ISO date/time
 *  POST /v1/people/reload   {}
 *  POST /v1/reload          {}                           config + people
 *  Simulated gate only (409 otherwise):
 *  POST /v1/sim/card        {"reader": R, "uid": UID, "temp": 36.6}
 *  POST /v1/sim/temperature {"thermometer": T, "temp": 36.6}
 *  POST /v1/sim/button      {"name": INPUT}              press + release
 *  POST /v1/sim/input       {"name": INPUT, "value": 0|1}
 *  POST /v1/sim/device      {"name": DEVICE, "up": true|false}
 *  GET  /v1/sim/outputs?history=N
 *
 * docs/api.md documents the bodies and answers.
 */

/* gatectl exit codes. */
#define EXIT_GATE_REFUSED	1	/* the agent answered 4xx */
#define EXIT_USAGE		2	/* bad command line */
#define EXIT_UNREACHABLE	3	/* no connection, 5xx, bad answer */
#define EXIT_PROTOCOL		4	/* protocol version mismatch */
#define EXIT_DENIED		5	/* sim card: the verdict was a denial */

#endif
