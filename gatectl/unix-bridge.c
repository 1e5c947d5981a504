/*
 * unix-bridge.c: a private bridge between libevent 2.1's evhttp client, which
 * can only dial TCP (it closes a pre-connected socket and redials), and the
 * agent's Unix socket, already connected by client.c.  It listens on an
 * ephemeral loopback port and bridges only the connection whose far end is
 * the evhttp connection's own socket, so no other local process can borrow
 * our access to the agent; libevent 2.2 can drop this file.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "gatectl.h"

struct bridge {
	struct event_base		*base;
	struct evconnlistener		*listener;
	struct evhttp_connection	*evcon;		/* whose socket we expect */
	int				 unix_fd;	/* until the bridge runs */
	struct bufferevent		*tcp;		/* evhttp's side */
	struct bufferevent		*sock;		/* the agent's side */
	int				 sock_eof;
};

/* Copies what one side read to the other side's output. */
static void
bridge_read(struct bufferevent *bev, void *arg)
{
	struct bridge		*r = arg;
	struct bufferevent	*other = bev == r->tcp ? r->sock : r->tcp;

	if (other == NULL) {
		evbuffer_drain(bufferevent_get_input(bev),
		    evbuffer_get_length(bufferevent_get_input(bev)));
		return;
	}
	evbuffer_add_buffer(bufferevent_get_output(other),
	    bufferevent_get_input(bev));
}

/* Once the agent has hung up and evhttp has all it sent, hang up on evhttp. */
static void
bridge_written(struct bufferevent *bev, void *arg)
{
	struct bridge	*r = arg;

	if (bev == r->tcp && r->sock_eof &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
		bufferevent_free(r->tcp);
		r->tcp = NULL;
	}
}

static void
bridge_event(struct bufferevent *bev, short what, void *arg)
{
	struct bridge	*r = arg;

	if ((what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) == 0)
		return;
	if (bev == r->sock) {
		bufferevent_free(r->sock);
		r->sock = NULL;
		r->sock_eof = 1;
		if (r->tcp != NULL)
			bridge_written(r->tcp, r);
		return;
	}
	/* evhttp hung up: nothing more will go either way. */
	bufferevent_free(r->tcp);
	r->tcp = NULL;
	if (r->sock != NULL) {
		bufferevent_free(r->sock);
		r->sock = NULL;
	}
}

/* Is the peer that connected to us the evhttp connection's socket? */
static int
bridge_is_ours(struct bridge *r, const struct sockaddr *sa, int salen)
{
	struct sockaddr_in		 mine;
	const struct sockaddr_in	*peer = (const struct sockaddr_in *)sa;
	socklen_t			 len = sizeof mine;
	int				 fd;

	if (r->evcon == NULL || sa->sa_family != AF_INET ||
	    salen < (int)sizeof *peer)
		return 0;
	fd = bufferevent_getfd(evhttp_connection_get_bufferevent(r->evcon));
	if (fd == -1 || getsockname(fd, (struct sockaddr *)&mine, &len) == -1)
		return 0;
	return mine.sin_family == AF_INET && mine.sin_port == peer->sin_port &&
	    mine.sin_addr.s_addr == peer->sin_addr.s_addr;
}

static void
bridge_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct bridge	*r = arg;

	if (r->unix_fd == -1 || !bridge_is_ours(r, sa, salen)) {
		close(fd);
		return;
	}
	evconnlistener_disable(l);
	evutil_make_socket_nonblocking(fd);
	r->tcp = bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE);
	r->sock = bufferevent_socket_new(r->base, r->unix_fd,
	    BEV_OPT_CLOSE_ON_FREE);
	r->unix_fd = -1;
	if (r->tcp == NULL || r->sock == NULL) {
		/* evhttp sees the hang-up and reports it. */
		if (r->tcp != NULL)
			bufferevent_free(r->tcp);
		else
			close(fd);
		if (r->sock != NULL)
			bufferevent_free(r->sock);
		r->tcp = r->sock = NULL;
		return;
	}
	bufferevent_setcb(r->tcp, bridge_read, bridge_written, bridge_event, r);
	bufferevent_setcb(r->sock, bridge_read, NULL, bridge_event, r);
	bufferevent_enable(r->tcp, EV_READ | EV_WRITE);
	bufferevent_enable(r->sock, EV_READ | EV_WRITE);
}

/*
 * Takes ownership of unix_fd and listens on 127.0.0.1; *port is where
 * evhttp must connect.  NULL with errno set on failure (unix_fd closed).
 */
struct bridge *
bridge_new(struct event_base *base, int unix_fd, int *port)
{
	struct bridge		*r;
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;

	r = xcalloc(1, sizeof *r);
	r->base = base;
	r->unix_fd = unix_fd;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->listener = evconnlistener_new_bind(base, bridge_accept, r,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 4,
	    (struct sockaddr *)&sin, sizeof sin);
	if (r->listener == NULL ||
	    getsockname(evconnlistener_get_fd(r->listener),
	    (struct sockaddr *)&sin, &len) == -1) {
		bridge_free(r);
		return NULL;
	}
	*port = ntohs(sin.sin_port);
	return r;
}

/* Names the evhttp connection whose socket alone may come through. */
void
bridge_expect(struct bridge *r, struct evhttp_connection *evcon)
{
	r->evcon = evcon;
}

void
bridge_free(struct bridge *r)
{
	int	saved = errno;

	if (r == NULL)
		return;
	if (r->listener != NULL)
		evconnlistener_free(r->listener);
	if (r->tcp != NULL)
		bufferevent_free(r->tcp);
	if (r->sock != NULL)
		bufferevent_free(r->sock);
	if (r->unix_fd != -1)
		close(r->unix_fd);
	free(r);
	errno = saved;
}
