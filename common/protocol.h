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
/* A name (gate, lane, mode, token): 1 to 31 of [A-Za-z0-9._-]. */
#define GATED_NAME_MAX		31
/*
 * The roles of the remote API's tokens, weakest first: each may do what
 * the one before may, and more.  A [token] section names one ("role =")
 * and keeps the token's hash as "sha256:" and the SHA-256 in hex.
 */
#define GATED_ROLE_NAMES	"viewer", "guard", "admin"

/*
 * The routes (JSON answers, but for /metrics' Prometheus text; an error is
 * 4xx/5xx with {"error": "reason"}) are one table, api_routes[] in
 * agent/api.c: method, path, the role a remote token needs, handler.
 * docs/api.md lists them and documents the bodies and answers;
 * test-routes checks that the two agree.
 */

/* gatectl exit codes. */
#define EXIT_GATE_REFUSED	1	/* the agent answered 4xx */
#define EXIT_USAGE		2	/* bad command line */
#define EXIT_UNREACHABLE	3	/* no connection, 5xx, bad answer */
#define EXIT_PROTOCOL		4	/* protocol version mismatch */
#define EXIT_DENIED		5	/* sim card: the verdict was a denial */

#endif
