/*
 * gatectl.h: the private header of gatectl, the command-line client of
 * gated.  A command is a row of the table in gatectl.c; its handler parses
 * its own arguments and yields one request and the printer of its answer,
 * and gatectl.c sends it to one gate (client.c) or to a fleet (fleet.c).
 * gatectl knows the agent only through protocol.h.
 */
#ifndef GATECTL_H
#define GATECTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "log.h"
#include "pass.h"
#include "protocol.h"
#include "xmalloc.h"


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

enum ctl_method { CTL_GET, CTL_POST };

/*
 * What a command asks of the gate: one request, and how to read one gate's
 * answer.  The command does not know whether it goes to one gate or to a
 * fleet; under --fleet, fleet.c prints a row per gate instead.
 */
struct ctl_request {
	enum ctl_method	 method;
	char		*path;		/* NULL: the command did its work */
	json_t		*body;		/* NULL: none (an empty POST) */
	/* Prints an answer as text; not called with --json. */
	void		(*print)(const struct ctl_request *, json_t *answer);
	/* The exit code an answer means (sim card: 5 for a denial); NULL: 0. */
	int		(*exit_code)(json_t *answer);
	/* What the printer needs of the command line. */
	union {
		long	 limit;		/* alerts: the page size asked for */
		long	 history;	/* sim outputs: changes per output */
		struct {
			int	 csv;
			int	 section;	/* -1: all */
		} report;
		int	 campus_csv;	/* campus report, contacts: CSV */
	} opt;
};

/*
 * A command: name is one or two words ("mode", "mode set").  The handler
 * gets argv[0] as the last word of the name and the arguments after it and
 * fills in the request (gatectl.c frees its path and body); it returns 0 or
 * an exit code of protocol.h, and EXIT_USAGE makes gatectl.c print the
 * command's usage, so a handler only says what was wrong.  A command that
 * needs no request (token new, events --follow) leaves path NULL.
 */
struct ctl_cmd {
	const char	*name;
	const char	*usage;
	int		(*exec)(struct ctl *, int, char **, struct ctl_request *);
};

/* cmd.c: what the commands share. */
/* Starts a command: the name for messages, getopt restarted. */
void	ctl_cmd_start(const char *name);
int	ctl_usage_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
int	ctl_getopt(int, char **, const struct option *);
/* Fills in the request; steals path (malloc'd) and body. Returns 0. */
int	ctl_ask(struct ctl_request *, enum ctl_method, char *path,
	    json_t *body, void (*)(const struct ctl_request *, json_t *));
/* A printer: the answer's scalar members, key=value, or "ok". */
void	ctl_print_scalars(const struct ctl_request *, json_t *);
/*
 * The options of a listing paged by id: --after ID, --before ID, --limit N
 * (option vals 'a', 'b' and 'l'), ids of the noun ("event", "alert").
 */
struct ctl_paging {
	const char	*noun;
	long		 after, before;	/* -1: not given */
	long		 limit;		/* the command's default, or --limit */
};
/* An option from a command's getopt loop: 0 when it was one of the three,
 * else EXIT_USAGE (a bad value said why; a bad option getopt reported). */
int	ctl_paging_option(struct ctl_paging *, int ch, const char *arg);
/* route?after=ID&limit=N (or before=ID, or the limit alone); malloc'd. */
char	*ctl_paging_path(const char *route, const struct ctl_paging *);

/* client.c */
/*
 * One request to one gate, waited for.  body (borrowed) may be NULL.  On
 * success returns 0 with *answer set (caller json_decref's it); otherwise
 * prints why on stderr and returns the exit code (1, 3 or 4), with *answer
 * NULL.  With json every JSON answer, refusals too, goes to stdout.
 */
int	client_call(const struct ctl_target *, int json, enum ctl_method,
	    const char *path, json_t *body, json_t **answer);
/* path + "/" + seg, seg percent-encoded; caller frees. */
char	*client_path(const char *path, const char *seg, const char *rest);

/*
 * The asynchronous side, for many gates in one loop (fleet.c) and for
 * streams (events --follow).  client_conn_new connects to a target: the
 * Unix socket through unix-bridge.c, or TLS with the server's certificate
 * checked against the CA and the URL's host; NULL with *why (malloc'd).
 */
struct event_base;
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
/* Sends the request to every gate, prints a row each (or one JSON object
 * with json): 0 when all did it, 1 when some failed. */
int		 fleet_run(struct fleet *, const struct ctl_request *, int json);

/* format.c: the pure text helpers; no I/O but to the FILE given. */
struct ctl_table;
/* Control characters made visible; the length needed, like snprintf. */
size_t		 ctl_escape(const char *, char *, size_t);
int		 ctl_format_time(int64_t ms, char *, size_t);	/* local */
int		 ctl_when_normalise(const char *, char *, size_t);
void		 ctl_csv_field(FILE *, const char *);
void		 ctl_csv_row(FILE *, const char *const *, int);
/* The header is the first row; the caller frees with ctl_table_free. */
struct ctl_table *ctl_table_new(int cols, const char *const *header);
void		 ctl_table_add(struct ctl_table *, const char *const *);
int		 ctl_table_rows(const struct ctl_table *);	/* no header */
void		 ctl_table_print(const struct ctl_table *, FILE *,
		     const char *indent);
void		 ctl_table_free(struct ctl_table *);
int		 ctl_parse_long(const char *, long min, long max, long *);
int		 ctl_parse_temp(const char *, double *);
/* Member text, in the caller's buffer or the JSON's own string. */
const char	*ctl_json_text(const json_t *, const char *, char *, size_t);
const char	*ctl_json_time(const json_t *, const char *, char *, size_t);
const char	*ctl_json_temp(const json_t *, const char *, char *, size_t);

/* unix-bridge.c: carries one connection from evhttp's TCP client to a
 * Unix fd. */
struct evhttp_connection;
struct bridge;
struct bridge	*bridge_new(struct event_base *, int unix_fd, int *port);
void		 bridge_expect(struct bridge *, struct evhttp_connection *);
void		 bridge_free(struct bridge *);

/* cmd-gate.c */
int	cmd_status(struct ctl *, int, char **, struct ctl_request *);
int	cmd_mode(struct ctl *, int, char **, struct ctl_request *);
int	cmd_mode_set(struct ctl *, int, char **, struct ctl_request *);
int	cmd_level(struct ctl *, int, char **, struct ctl_request *);
int	cmd_level_set(struct ctl *, int, char **, struct ctl_request *);
int	cmd_open(struct ctl *, int, char **, struct ctl_request *);
int	cmd_ack(struct ctl *, int, char **, struct ctl_request *);
int	cmd_inside(struct ctl *, int, char **, struct ctl_request *);
int	cmd_apb_reset(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_clock(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_pass(struct ctl *, int, char **, struct ctl_request *);
int	cmd_alerts(struct ctl *, int, char **, struct ctl_request *);
int	cmd_reload(struct ctl *, int, char **, struct ctl_request *);

/* cmd-events.c */
int	cmd_events(struct ctl *, int, char **, struct ctl_request *);
int	cmd_report(struct ctl *, int, char **, struct ctl_request *);
/* Appends "&key=WHEN" (or "?key=WHEN") to *query, WHEN checked and
 * percent-encoded: 0, or EXIT_USAGE said why. */
int	ctl_report_when(char **query, const char *key, const char *when);

/* cmd-hub.c: the hub's campus report and contact tracing (--hub). */
int	cmd_campus_report(struct ctl *, int, char **, struct ctl_request *);
int	cmd_campus_contacts(struct ctl *, int, char **,
	    struct ctl_request *);

/* cmd-people.c */
int	cmd_people_reload(struct ctl *, int, char **, struct ctl_request *);

/* cmd-pass.c, pass-keys.c, pass-qr.c: visitor passes, offline. */
int	cmd_pass_keygen(struct ctl *, int, char **, struct ctl_request *);
/* cmd-campus.c: signed campus commands (docs/mqtt.md). */
int	cmd_campus_sign(struct ctl *, int, char **, struct ctl_request *);
int	cmd_campus_apply(struct ctl *, int, char **, struct ctl_request *);
int	cmd_campus_publish(struct ctl *, int, char **, struct ctl_request *);
/* cmd-campus-people.c: what the campus pushes (docs/mqtt.md). */
int	cmd_campus_people_push(struct ctl *, int, char **,
	    struct ctl_request *);
int	cmd_campus_quarantine(struct ctl *, int, char **, struct ctl_request *);
int	cmd_campus_ack(struct ctl *, int, char **, struct ctl_request *);
int	cmd_campus_level_set(struct ctl *, int, char **, struct ctl_request *);
int	cmd_campus_mode_set(struct ctl *, int, char **, struct ctl_request *);
/* campus-mqtt.c: the broker options and one connection to the broker. */
struct campus_broker {
	const char	*broker, *ca, *cert, *key;	/* --broker, TLS */
	const char	*user, *password_file;
	char		 host[256];
	int		 port;
	long		 timeout_s;	/* connect, acknowledge, confirm */
};
#define CAMPUS_BROKER_OPTIONS \
	{ "broker", required_argument, NULL, 'b' }, \
	{ "ca", required_argument, NULL, 'c' }, \
	{ "cert", required_argument, NULL, 'C' }, \
	{ "cert-key", required_argument, NULL, 'K' }, \
	{ "user", required_argument, NULL, 'u' }, \
	{ "password-file", required_argument, NULL, 'p' }, \
	{ "timeout", required_argument, NULL, 'w' }
/* An option of CAMPUS_BROKER_OPTIONS: 0; 1 when ch is none of them;
 * EXIT_USAGE for a bad value (said why). */
int	campus_broker_option(struct campus_broker *, int ch, const char *);
/* After the options: 0, or EXIT_USAGE (said why). */
int	campus_broker_check(struct campus_broker *);
struct mosquitto;
struct command;
/* Connected, CONNACK accepted, callbacks' userdata ud; NULL with *why. */
struct mosquitto *campus_connect(const struct campus_broker *, void *ud,
	    const char **why);
/* campus-watch.c: the gates as their retained online and state say. */
int	cmd_campus_status(struct ctl *, int, char **, struct ctl_request *);
/* Publishes the signed command (text) retained and waits for each gate
 * it is for to apply or refuse it; prints a row per gate; the exit code
 * (docs/mqtt.md): 0 all applied, 1 a refusal or no answer, 3 no broker,
 * EXIT_OFFLINE every online gate applied but some are offline. */
int	campus_steer(const struct campus_broker *, const struct command *,
	    const char *text, int json);
#define EXIT_OFFLINE	6	/* campus: applied by every online gate, some offline */
int	cmd_pass_new(struct ctl *, int, char **, struct ctl_request *);
int	cmd_pass_show(struct ctl *, int, char **, struct ctl_request *);
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
int	cmd_sim_card(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_temp(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_button(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_input(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_device(struct ctl *, int, char **, struct ctl_request *);
int	cmd_sim_outputs(struct ctl *, int, char **, struct ctl_request *);

/* cmd-token.c */
int	cmd_token_new(struct ctl *, int, char **, struct ctl_request *);

#endif
