/*
 * relay-int.h: what relay.c (the front's life cycle and its socketpair)
 * and relay-request.c (one request, answered by api.c) share.
 */
#ifndef GATED_RELAY_INT_H
#define GATED_RELAY_INT_H

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

/* A request carries at most a body; the gate's answers may be reports. */
#define FRAME_FROM_FRONT_MAX	(GATED_MAX_BODY + 16384)

struct relay_request;

struct relay {
	struct event_base	*base;
	struct gate		*gate;
	struct api		*api;
	int			 debug;
	bool			 listening;	/* to the gate's journal */
	int			 fds[LISTEN_MAX];	/* the TLS sockets */
	int			 nfds;
	char			 listen[LISTEN_MAX][64];	/* their names */
	char			 empty[PATH_MAX];	/* the chroot, or "" */

	pid_t			 pid;		/* the front, or -1 */
	struct bufferevent	*link;		/* its socketpair */
	int64_t			 started_ms;
	int			 backoff_ms;	/* before the next start */
	char			 why[96];	/* it was dropped: why */
	struct event		*restart;
	struct event		*sigchld;

	/* relay-request.c: the private listener and the requests on it. */
	struct evhttp		*http;
	struct sockaddr_un	 addr;
	socklen_t		 addrlen;
	uint64_t		 seq;
	TAILQ_HEAD(, relay_request) reqs;
};

/* relay.c */
void	relay_later(struct relay *);

/* relay-request.c */
int	relay_request_init(struct relay *, char **cause);
void	relay_request_fini(struct relay *);
int	relay_request_new(struct relay *, const struct frame *);
void	relay_request_written(struct relay *, uint32_t id);
void	relay_request_cancel(struct relay *, uint32_t id);
void	relay_request_all_gone(struct relay *);

#endif
