/*
 * control.c: the local control socket.  An AF_UNIX stream socket, mode
 * 0660 and owned by the service's group, served by libevent's evhttp; the
 * peer's credentials name the actor journaled with every change.  It also
 * keeps every listener of the daemon (this one and the remote API's) from
 * spinning when accept(2) fails, at the limit of open files.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "agent.h"
#include "clock.h"
#include "protocol.h"

#define REQUEST_TIMEOUT_S	30	/* a slow client is dropped */
#define GUARD_PAUSE_MIN_MS	100	/* after a failed accept */
#define GUARD_PAUSE_MAX_MS	1000	/* when it goes on failing */
#define GUARD_LOG_EVERY_S	60	/* one line a minute, with a count */

/*
 * A listener whose accept(2) fails (EMFILE, ENFILE, ENOBUFS) stays
 * readable: libevent would call it again at once, forever, and log each
 * failure.  The guard pauses it instead, 100 ms and doubling up to 1 s
 * while the failures go on, and logs one line a minute at most.  The owner
 * holds the listener through the guard too (remote.c pauses at its
 * connection limit), so that the two never enable it behind each other.
 */
struct accept_guard {
	LIST_ENTRY(accept_guard)	 entry;
	struct evconnlistener		*lev;
	struct event			*resume;
	char				 what[64];
	bool				 held;		/* by the owner */
	bool				 backoff;	/* by the guard */
	int				 pause_ms;
	int64_t				 last_fail_ms;
	int64_t				 logged_ms;	/* 0: never */
	unsigned long			 unlogged;	/* failures since */
};

/* libevent's error callback gets the listener's own argument (evhttp's,
 * for the listeners evhttp made): the guards are found by listener. */
static LIST_HEAD(, accept_guard)	guards = LIST_HEAD_INITIALIZER(guards);

struct control {
	struct api		*api;
	struct evhttp		*http;
	struct evconnlistener	*listener;
	struct accept_guard	*guard;
	char			 path[PATH_MAX];
};

static void
guard_apply(struct accept_guard *g)
{
	if (g->held || g->backoff)
		evconnlistener_disable(g->lev);
	else
		evconnlistener_enable(g->lev);
}

static void
guard_resume(evutil_socket_t fd, short what, void *arg)
{
	struct accept_guard	*g = arg;

	(void)fd;
	(void)what;
	g->backoff = false;
	guard_apply(g);
}

/* accept(2) failed on a guarded listener: pause it for a while. */
static void
guard_error(struct evconnlistener *lev, void *arg)
{
	struct accept_guard	*g;
	struct timeval		 tv;
	int			 err = EVUTIL_SOCKET_ERROR();
	int64_t			 now = mono_ms();

	(void)arg;
	LIST_FOREACH(g, &guards, entry)
		if (g->lev == lev)
			break;
	if (g == NULL) {
		evconnlistener_disable(lev);	/* cannot happen */
		return;
	}
	if (now - g->last_fail_ms < 2 * GUARD_PAUSE_MAX_MS)
		g->pause_ms = g->pause_ms * 2 > GUARD_PAUSE_MAX_MS ?
		    GUARD_PAUSE_MAX_MS : g->pause_ms * 2;
	else
		g->pause_ms = GUARD_PAUSE_MIN_MS;
	g->last_fail_ms = now;
	if (g->logged_ms == 0 || now - g->logged_ms >=
	    GUARD_LOG_EVERY_S * 1000) {
		if (g->unlogged > 0)
			log_warnx("%s: accept: %s (and %lu more times since "
			    "the last line); not accepting for %d ms", g->what,
			    strerror(err), g->unlogged, g->pause_ms);
		else
			log_warnx("%s: accept: %s; not accepting for %d ms",
			    g->what, strerror(err), g->pause_ms);
		g->logged_ms = now;
		g->unlogged = 0;
	} else
		g->unlogged++;
	g->backoff = true;
	guard_apply(g);
	tv.tv_sec = g->pause_ms / 1000;
	tv.tv_usec = (g->pause_ms % 1000) * 1000;
	evtimer_add(g->resume, &tv);
}

/* Guards lev; what names it in the log ("control socket PATH"). */
struct accept_guard *
accept_guard_new(struct evconnlistener *lev, const char *what)
{
	struct accept_guard	*g = xcalloc(1, sizeof *g);

	g->lev = lev;
	snprintf(g->what, sizeof g->what, "%s", what);
	g->pause_ms = GUARD_PAUSE_MIN_MS;
	g->resume = evtimer_new(evconnlistener_get_base(lev), guard_resume,
	    g);
	if (g->resume == NULL)
		fatalx("%s: evtimer_new", __func__);
	LIST_INSERT_HEAD(&guards, g, entry);
	evconnlistener_set_error_cb(lev, guard_error);
	return g;
}

/* The owner pauses (true) or resumes the listener; a back-off still runs. */
void
accept_guard_hold(struct accept_guard *g, bool hold)
{
	g->held = hold;
	guard_apply(g);
}

/* Before the listener is freed. */
void
accept_guard_free(struct accept_guard *g)
{
	if (g == NULL)
		return;
	LIST_REMOVE(g, entry);
	evconnlistener_set_error_cb(g->lev, NULL);
	event_free(g->resume);
	free(g);
}

/* "local:NAME" (or "local:uid=N") for the process on the other end. */
static void
peer_actor(struct evhttp_request *req, char *actor, size_t len)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent	*bev;
	struct ucred		 cred;
	socklen_t		 clen = sizeof cred;
	struct passwd		 pw, *pwp = NULL;
	char			 buf[1024];

	snprintf(actor, len, "local:unknown");
	if (conn == NULL ||
	    (bev = evhttp_connection_get_bufferevent(conn)) == NULL)
		return;
	if (getsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_PEERCRED, &cred,
	    &clen) == -1)
		return;
	if (getpwuid_r(cred.uid, &pw, buf, sizeof buf, &pwp) == 0 &&
	    pwp != NULL)
		snprintf(actor, len, "local:%s", pw.pw_name);
	else
		snprintf(actor, len, "local:uid=%u", (unsigned)cred.uid);
}

static void
control_request(struct evhttp_request *req, void *arg)
{
	struct control	*ctl = arg;
	char		 actor[64];

	peer_actor(req, actor, sizeof actor);
	api_handle(ctl->api, req, actor, ROLE_ADMIN);	/* every right */
}

/* Binds path, refusing to steal the socket of a gated still running. */
static int
control_bind(const char *path, const char *group, char **cause)
{
	struct sockaddr_un	 sun;
	struct group		*gr;
	mode_t			 old;
	int			 fd, probe;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path longer than %zu bytes", path,
		    sizeof sun.sun_path - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe != -1 && connect(probe, (struct sockaddr *)&sun,
	    sizeof sun) == 0) {
		close(probe);
		xasprintf(cause, "%s: another gated is listening there", path);
		return -1;
	}
	if (probe != -1)
		close(probe);
	if (unlink(path) == -1 && errno != ENOENT) {
		xasprintf(cause, "%s: cannot remove stale socket: %s", path,
		    strerror(errno));
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "%s: bind: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) == -1)
		log_warn("%s: chmod", path);
	if (group != NULL && group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL)
			log_warnx("%s: group '%s' does not exist, the socket "
			    "keeps the group of the process", path, group);
		else if (chown(path, (uid_t)-1, gr->gr_gid) == -1)
			log_warn("%s: chown to group %s", path, group);
	}
	if (listen(fd, 16) == -1) {
		xasprintf(cause, "%s: listen: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct control *
control_new(struct event_base *base, struct api *api, const char *path,
    const char *group, char **cause)
{
	struct control	*ctl;
	char		 what[PATH_MAX + 32];
	int		 fd;

	if ((fd = control_bind(path, group, cause)) == -1)
		return NULL;
	ctl = xcalloc(1, sizeof *ctl);
	ctl->api = api;
	snprintf(ctl->path, sizeof ctl->path, "%s", path);
	ctl->listener = evconnlistener_new(base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (ctl->listener == NULL) {
		close(fd);
		xasprintf(cause, "%s: cannot listen", path);
		free(ctl);
		return NULL;
	}
	snprintf(what, sizeof what, "control socket %s", path);
	ctl->guard = accept_guard_new(ctl->listener, what);
	ctl->http = evhttp_new(base);
	/* Every method reaches api.c, which answers 405 with a reason. */
	evhttp_set_allowed_methods(ctl->http, EVHTTP_REQ_GET |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_PATCH | EVHTTP_REQ_HEAD | EVHTTP_REQ_OPTIONS);
	evhttp_set_max_body_size(ctl->http, GATED_MAX_BODY);
	/* Read an oversized body to its end before closing, so that the
	 * client gets the 413 instead of a reset mid-upload. */
	evhttp_set_flags(ctl->http, EVHTTP_SERVER_LINGERING_CLOSE);
	evhttp_set_max_headers_size(ctl->http, 16384);
	evhttp_set_timeout(ctl->http, REQUEST_TIMEOUT_S);
	evhttp_set_gencb(ctl->http, control_request, ctl);
	if (evhttp_bind_listener(ctl->http, ctl->listener) == NULL) {
		xasprintf(cause, "%s: evhttp_bind_listener failed", path);
		control_free(ctl);
		return NULL;
	}
	log_info("control socket %s", path);
	return ctl;
}

void
control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	accept_guard_free(ctl->guard);
	if (ctl->http != NULL)
		evhttp_free(ctl->http);	/* frees the bound listener */
	else if (ctl->listener != NULL)
		evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl);
}
