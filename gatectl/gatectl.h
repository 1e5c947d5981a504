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
#include "protocol.h"

/* Global options, set before the command runs. */
struct ctl {
	const char	*socket;	/* the agent's control socket */
	int		 json;		/* print answers as JSON */
};

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
 */
int	client_call(struct ctl *, enum ctl_method, const char *path,
	    json_t *body, json_t **answer);
/* path + "/" + seg, seg percent-encoded; caller frees. */
char	*client_path(const char *path, const char *seg, const char *rest);

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
int	cmd_reload(struct ctl *, int, char **);

/* cmd-events.c */
int	cmd_events(struct ctl *, int, char **);
int	cmd_report(struct ctl *, int, char **);

/* cmd-people.c */
int	cmd_people_reload(struct ctl *, int, char **);

/* cmd-sim.c */
int	cmd_sim_card(struct ctl *, int, char **);
int	cmd_sim_temp(struct ctl *, int, char **);
int	cmd_sim_button(struct ctl *, int, char **);
int	cmd_sim_input(struct ctl *, int, char **);
int	cmd_sim_device(struct ctl *, int, char **);
int	cmd_sim_outputs(struct ctl *, int, char **);

#endif
