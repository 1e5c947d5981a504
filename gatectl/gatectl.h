/*
 * gatectl.h: the private header of gatectl, the command-line client of
 * gated.  A command is a row of the table in gatectl.c; its handler parses
 * its own arguments, makes one request through client.c and prints.
 */
#ifndef GATECTL_H
#define GATECTL_H

#include <getopt.h>

#include <jansson.h>

#include "agent.h"
#include "pass.h"
#include "protocol.h"

/*
 * One gate to talk to: its local control socket, or its remote API over
 * TLS with a bearer token.  Strings are owned by whoever filled it in.
 */
struct ctl_target {
	const char	*name;		/* for messages: socket, URL, fleet name */
	const char	*socket;	/* local: the control socket */
	const char	*url;		/* remote: https://HOST[:PORT] */
	const char	*token_file;	/* remote: the bearer token */
	const char	*ca;		/* remote: CA file, else the system's */
	const char	*cert, *key;	/* remote: client certificate, mTLS */
	int		 timeout;	/* seconds: connect, each read/write */
};

struct fleet;

/* Global options, set before the command runs. */
struct ctl {
	struct ctl_target target;	/* -s, or --gate and its options */
	struct fleet	*fleet;		/* --fleet: every gate of a file */
	int		 json;		/* print answers as JSON */
};

/*
 * client_call's answer under --fleet: the request is noted, not sent, and
 * the handler returns this at once; gatectl.c then sends it to every gate
 * in parallel (fleet.c) and prints one row per gate.
 */
#define CTL_FLEET_DEFERRED	100

/*
 * A command: name is one or two words ("mode", "mode set").  The handler
 * gets argv[0] as the last word of the name and the arguments after it; it
 * returns an exit code of protocol.h, and EXIT_USAGE makes gatectl.c print
 * the command's usage, so a handler only says what was wrong.
 */
struct ctl_cmd {
	const char	*name;
	const char	*usage;
	int		(*exec)(struct ctl *, int, char **);
};

/* gatectl.c */
int	ctl_usage_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
int	ctl_getopt(int, char **, const struct option *);
void	ctl_print_scalars(json_t *);

/* client.c */
enum ctl_method { CTL_GET, CTL_POST };
/*
 * One request to the agent.  body may be NULL; the call steals it.  On
 * success returns 0 with *answer set (caller json_decref's it); otherwise
 * prints why on stderr and returns the exit code (1, 3 or 4), with *answer
 * NULL.  With --json every JSON answer, refusals too, goes to stdout.
 * Under --fleet it notes the request and returns CTL_FLEET_DEFERRED.
 */
int	client_call(struct ctl *, enum ctl_method, const char *path,
	    json_t *body, json_t **answer);
/* path + "/" + seg, seg percent-encoded; caller frees. */
char	*client_path(const char *path, const char *seg, const char *rest);

/*
 * The asynchronous side, for many gates in one loop (fleet.c) and for
 * streams (events --follow).  client_conn_new connects to a target: the
 * Unix socket through relay.c, or TLS with the server's certificate
 * checked against the CA and the URL's host; NULL with *why (malloc'd).
 */
struct evdns_base;
struct evhttp_request;
struct client_conn;
struct client_conn *client_conn_new(struct event_base *, struct evdns_base *,
	    const struct ctl_target *, char **why);
/* A request with the protocol, Host and Authorization headers set. */
struct evhttp_request *client_request_new(struct client_conn *,
	    void (*)(struct evhttp_request *, void *), void *);
/* Sends it; body (borrowed) for POST.  0, or -1 (the request is freed). */
int	client_send(struct client_conn *, struct evhttp_request *,
	    enum ctl_method, const char *path, json_t *body);
/* Call from the error callback; then client_failure says why: TLS,
 * timeout, refused. */
void	 client_failed(struct client_conn *);
char	*client_failure(struct client_conn *, int error);
void	 client_conn_free(struct client_conn *);
/*
 * Judges an answer: protocol version, status, JSON.  Returns the exit
 * code; on 0 *answer is the object (caller frees), else *why says what
 * went wrong (malloc'd, may span lines), and *answer is the refusal's
 * JSON when there is one, for --json.
 */
int	client_judge(const struct ctl_target *, int status, const char *proto,
	    const void *body, size_t len, json_t **answer, char **why);
/* Reads the target's token file; NULL with *why. */
char	*client_token(const struct ctl_target *, char **why);

/* fleet.c: one command to many gates, in parallel. */
struct fleet	*fleet_load(const char *path, int timeout, char **why);
void		 fleet_free(struct fleet *);
/* Notes the request client_call deferred; the call steals body. */
void		 fleet_defer(struct fleet *, enum ctl_method, const char *path,
		    json_t *body);
/* Sends it to every gate, prints a row each: 0 all ok, 1 some failed. */
int		 fleet_run(struct ctl *);

/* cmd-token.c */
int	cmd_token_new(struct ctl *, int, char **);

/* relay.c: carries one connection from evhttp's TCP client to a Unix fd. */
struct event_base;
struct evhttp_connection;
struct relay;
struct relay	*relay_new(struct event_base *, int unix_fd, int *port);
void		 relay_expect(struct relay *, struct evhttp_connection *);
void		 relay_free(struct relay *);

/* cmd-gate.c */
int	cmd_status(struct ctl *, int, char **);
int	cmd_mode(struct ctl *, int, char **);
int	cmd_mode_set(struct ctl *, int, char **);
int	cmd_level(struct ctl *, int, char **);
int	cmd_level_set(struct ctl *, int, char **);
int	cmd_open(struct ctl *, int, char **);
int	cmd_ack(struct ctl *, int, char **);
int	cmd_alerts(struct ctl *, int, char **);
int	cmd_reload(struct ctl *, int, char **);

/* cmd-events.c */
int	cmd_events(struct ctl *, int, char **);
int	cmd_report(struct ctl *, int, char **);

/* cmd-people.c */
int	cmd_people_reload(struct ctl *, int, char **);

/* cmd-pass.c, pass-keys.c, pass-qr.c: visitor passes, offline. */
int	cmd_pass_keygen(struct ctl *, int, char **);
int	cmd_pass_new(struct ctl *, int, char **);
int	cmd_pass_show(struct ctl *, int, char **);
/* 0, or -1 with *why (malloc'd) naming the file. */
int	pass_read_private(const char *, uint8_t seed[PASS_KEY_LEN], char **);
int	pass_read_public(const char *, const char *key_id, struct pass_key *,
	    size_t *n, size_t max, char **);
int	pass_keygen(const char *, const char *pubpath,
	    uint8_t pub[PASS_KEY_LEN], char **);
/* The QR code of a pass: in a terminal (ansi: with colours), as PNG. */
int	pass_qr_print(FILE *, const char *, int ansi);
int	pass_qr_png(const char *, const char *, char **);

/* cmd-sim.c */
int	cmd_sim_card(struct ctl *, int, char **);
int	cmd_sim_temp(struct ctl *, int, char **);
int	cmd_sim_button(struct ctl *, int, char **);
int	cmd_sim_input(struct ctl *, int, char **);
int	cmd_sim_device(struct ctl *, int, char **);
int	cmd_sim_outputs(struct ctl *, int, char **);

#endif
