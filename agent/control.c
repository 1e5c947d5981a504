/*
 * control.c: the local control socket.  An AF_UNIX stream socket, mode
 * 0660 and owned by the service's group, served by libevent's evhttp; the
 * peer's credentials name the actor journaled with every change.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>

#include "agent.h"
#include "protocol.h"

#define REQUEST_TIMEOUT_S	30	/* a slow client is dropped */

struct control {
	struct api		*api;
	struct evhttp		*http;
	struct evconnlistener	*listener;
	char			 path[PATH_MAX];
};

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
	api_handle(ctl->api, req, actor);
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
	if (ctl->http != NULL)
		evhttp_free(ctl->http);	/* frees the bound listener */
	else if (ctl->listener != NULL)
		evconnlistener_free(ctl->listener);
	unlink(ctl->path);
	free(ctl);
}
