/*
 * hub.h: gated-hub, the campus daemon: one private header, prototypes
 * grouped by file.  The hub subscribes to every gate's events, state,
 * alerts and online topics on the campus broker and keeps the campus
 * journal (db.h) that its HTTPS API serves.  docs/hub.md says more.
 */
#ifndef GATED_HUB_H
#define GATED_HUB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "db.h"

struct evbuffer;
struct command;

#define HUB_NAME_LEN	64
#define HUB_TOKENS_MAX	64

/* The API's roles, weakest first; health reads person-level reports. */
enum hub_role { HUB_VIEWER, HUB_GUARD, HUB_HEALTH, HUB_ADMIN, HUB_ROLES };

struct hub_token {
	char		name[HUB_NAME_LEN];
	int		role;			/* enum hub_role */
	uint8_t		hash[32];		/* SHA-256 of the token */
};

/* The config file, as conf.c loads it (docs/hub.md lists the keys). */
struct hub_conf {
	struct {
		char	database[1024];		/* sqlite:PATH | postgresql:.. */
		char	site[HUB_NAME_LEN];
		int	flush_ms;		/* ingest batch, 1..1000 */
		int	batch_max;		/* events per transaction */
		char	people_key[PATH_MAX];	/* Ed25519 private key: signs */
		char	people_key_id[HUB_NAME_LEN];	/* gates' [admin-key] */
	} hub;
	struct {
		bool	set;
		char	host[256];
		int	port;
		char	client_id[HUB_NAME_LEN];
		int	keepalive_s;
		char	ca[PATH_MAX], certificate[PATH_MAX], key[PATH_MAX];
	} mqtt;
	struct {
		bool	set;
		char	listen[128];		/* ADDRESS:PORT */
		char	certificate[PATH_MAX], key[PATH_MAX];
		char	console[PATH_MAX];	/* the web console's files */
	} tls;
	struct {
		bool	set;
		char	url[1024];		/* http://HOST[:PORT]/PATH */
		int	retries;		/* after the first attempt */
		int	backoff_ms;		/* the first retry's delay */
		int	timeout_ms;
	} webhook;
	struct hub_token tokens[HUB_TOKENS_MAX];
	int		 ntokens;
};

/* conf.c: 0, or -1 with *errors "file:line: what" lines (malloc'd). */
int		 hub_conf_load(const char *file, struct hub_conf *,
		    char **errors);
const char	*hub_role_name(int);

/* The running hub: what the files below share. */
struct hub {
	struct event_base	*base;
	struct hub_conf		*conf;
	struct db		*db;
	struct hub_link		*link;
	struct ingest		*ingest;
	struct gaps		*gaps;
	struct alerts		*alerts;
	struct webhook		*webhook;
	struct hub_api		*api;
	struct hub_stream	*stream;
	struct hub_people	*people;
	/* A message on campus/<what>, for people.c (a hook: no cycle). */
	void			(*campus_cb)(void *, const char *what,
				    const void *, size_t);
	void			*campus_arg;
	int64_t			 started_ms;
};

/* link.c: the broker: subscriptions, messages handed to ingest. */
struct hub_link	*hub_link_new(struct hub *, char **cause);
void		 hub_link_free(struct hub_link *);
json_t		*hub_link_status(const struct hub_link *);

/* Publishes on gated/v1/<site>/<leaf>, QoS 1: 0 | -1 (not connected). */
int		 hub_link_publish(struct hub_link *, const char *leaf,
		    const char *text, bool retain);

/* people.c: the campus people list and quarantine set, signed, pushed. */
struct hub_people *hub_people_new(struct hub *, char **cause);
void		 hub_people_free(struct hub_people *);
/* A command signed with the hub's key (malloc'd), NULL without one. */
char		*hub_people_sign(struct hub_people *, const struct command *);

/* campus-cmd.c: a command the hub signs and publishes (an ack, a level,
 * a mode): 0 with *seq, or -1 with *why and *status (an HTTP status). */
int		 hub_command_send(struct hub *, int what, const char *target,
		    const char *value, const char *actor, const char *reason,
		    unsigned long long *seq, int *status, const char **why);

/* ingest.c: messages batched into transactions. */
struct ingest	*ingest_new(struct hub *);
void		 ingest_free(struct ingest *);	/* flushes first */
/* One message on gated/v1/<site>/<gate>/<what>; copied. */
void		 ingest_message(struct ingest *, const char *gate,
		    const char *what, const void *payload, size_t len);
/* Commits what is pending now: 0 | -1. */
int		 ingest_flush(struct ingest *);
json_t		*ingest_status(const struct ingest *);
void		 ingest_metrics(const struct ingest *, struct evbuffer *);

/* gaps.c: per gate, the ids every one of which is in events. */
struct gaps	*gaps_new(struct hub *);
void		 gaps_free(struct gaps *);
/* An event id stored (inserted now, or earlier); inside the batch's
 * transaction.  The gate's row (contiguous, max_id, last_seen_ms) is
 * written at the settle.  0 | -1 on a database error. */
int		 gaps_seen(struct gaps *, const char *gate, long long id);
/* Inside the batch's transaction: the gates' rows, the hub's alerts for
 * holes older than the grace, clears for filled ones.  0 | -1. */
int		 gaps_settle(struct gaps *);
/* Whether the gate's row exists (its state is loaded since start). */
bool		 gaps_known(const struct gaps *, const char *gate);
/* Whether a settle has work without any new message (a hole's grace). */
bool		 gaps_due(const struct gaps *);
/* After a rollback: forget, reload each gate from the database. */
void		 gaps_reset(struct gaps *);
/* The gates with a hole: [{gate, contiguous, max_id, missing}]. */
json_t		*gaps_status(const struct gaps *);
long long	 gaps_missing(const struct gaps *, const char *gate);
void		 gaps_metrics(const struct gaps *, struct evbuffer *);

/* alerts.c: the campus's alerts. */
struct alerts	*alerts_new(struct hub *);
void		 alerts_free(struct alerts *);
/* A row of a gate's alerts topic (kind alert or ack), in the batch. */
int		 alerts_gate_row(struct alerts *, const char *gate,
		    json_t *row);
/* The hub's own alert (a gap), raised or cleared, in the batch. */
int		 alerts_hub_raise(struct alerts *, const char *gate,
		    long long id, const char *reason, const char *detail);
int		 alerts_hub_clear(struct alerts *, const char *gate,
		    long long id);
/* After the commit: the webhook for each alert raised in the batch. */
void		 alerts_settle(struct alerts *);
/* After a rollback: the batch's new alerts were not. */
void		 alerts_reset(struct alerts *);
/* An operator's acknowledgement: 0, -1 with *why (an HTTP status). */
int		 alerts_ack(struct alerts *, const char *gate, long long id,
		    const char *actor, const char *reason, int *status,
		    const char **why);
json_t		*alerts_list(struct alerts *, bool active_only);
long long	 alerts_active(struct alerts *);
/* An acknowledgement back to its gate, signed: NULL when published,
 * else why not (the API's "forwarded"). */
const char	*alerts_forward_ack(struct hub *, const char *gate,
		    long long id, const char *actor, const char *reason);

/* journal.c: the hub's own record (hub_journal); in or out of a batch. */
int		 hub_journal(struct db *, const char *kind, const char *actor,
		    const char *reason, const char *detail);

/* webhook.c: a POST per new alert, with retries, each attempt journaled. */
struct webhook	*webhook_new(struct hub *);
void		 webhook_free(struct webhook *);
void		 webhook_send(struct webhook *, json_t *alert);
json_t		*webhook_status(const struct webhook *);

/* api.c, api-*.c: the HTTPS API. */
struct hub_api	*hub_api_new(struct hub *, char **cause);
void		 hub_api_free(struct hub_api *);

/* stream.c: the SSE clients of /v1/events/stream. */
struct hub_stream *hub_stream_new(struct hub *);
void		 hub_stream_free(struct hub_stream *);
/* An event committed: to every client. */
void		 hub_stream_event(struct hub_stream *, const char *gate,
		    json_t *row);
size_t		 hub_stream_clients(const struct hub_stream *);

#endif
