/*
 * relay.c: the gate process's side of the front (privilege separation,
 * docs/privsep.md).  The front, front.c, is gated -F: a process started
 * here, exec'd afresh so that it inherits no memory of the gate (the
 * people, the journal's pages), with no descriptor but its end of a
 * socketpair and the TLS listening sockets bound here.  It speaks TLS and
 * HTTP to the network, checks tokens and sends each authenticated request
 * as a frame (frame.c); only this socketpair names the actor.
 *
 * A request is answered by api.c as any other: relay-request.c writes it
 * into a private listener of this process, whose evhttp calls api_handle
 * with the actor the frame named, and the answer goes back as frames.
 *
 * A front that dies (a crash, kill -9) or sends what is not a frame is
 * journaled (kind `front`) and started again, sooner after a long life,
 * later after a short one.  Nothing here ever waits for the front: the
 * socketpair is read and written by the loop, at the HTTP priority, below
 * the gate's own events.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "agent.h"
#include "clock.h"
#include "protocol.h"
#include "relay-int.h"

#define RESTART_MIN_MS		200	/* the first restart after a death */
#define RESTART_MAX_MS		30000
#define LONG_LIFE_MS		60000	/* a front that lived this long */
#define FRONT_FD		3	/* the socketpair, in the front */

/* The tokens as text, one "ROLE HEX NAME" line each (FRAME_SETUP, _TOKENS). */
static char *
relay_tokens(const struct gate_conf *gc)
{
	struct evbuffer	*b = evbuffer_new();
	char		*text;
	size_t		 len;
	int		 i, j;

	for (i = 0; i < gc->token_count; i++) {
		evbuffer_add_printf(b, "%d ", gc->tokens[i].role);
		for (j = 0; j < 32; j++)
			evbuffer_add_printf(b, "%02x", gc->tokens[i].hash[j]);
		evbuffer_add_printf(b, " %s\n", gc->tokens[i].name);
	}
	len = evbuffer_get_length(b);
	text = xmalloc(len + 1);
	evbuffer_remove(b, text, len);
	text[len] = '\0';
	evbuffer_free(b);
	return text;
}

/* What the front needs to start, and nothing more: no key but TLS's. */
static void
relay_send_setup(struct relay *r)
{
	const struct gate_conf	*gc = gate_conf(r->gate);
	const struct remote_conf *rc = &gc->remote;
	char			 listen[LISTEN_MAX * 65], n[3][16];
	size_t			 off = 0;
	char			*tokens = relay_tokens(gc);
	const void		*f[11];
	int			 i;

	listen[0] = '\0';
	for (i = 0; i < r->nfds; i++)
		off += snprintf(listen + off, sizeof listen - off, "%s%s",
		    i > 0 ? "," : "", r->listen[i]);
	snprintf(n[0], sizeof n[0], "%d", rc->max_connections);
	snprintf(n[1], sizeof n[1], "%d", rc->max_per_address);
	snprintf(n[2], sizeof n[2], "%d", rc->timeout_ms);
	f[0] = listen;
	f[1] = rc->certificate;
	f[2] = rc->key;
	f[3] = rc->client_ca;
	f[4] = n[0];
	f[5] = n[1];
	f[6] = n[2];
	f[7] = rc->front_user;
	f[8] = r->empty;
	f[9] = tokens;
	f[10] = rc->console;
	frame_put(bufferevent_get_output(r->link), FRAME_SETUP, 0, 11, f, NULL);
	free(tokens);
}

/* After a reload the tokens may have changed: the front gets the new ones. */
static void
relay_event(void *arg, const struct journal_event *ev)
{
	struct relay	*r = arg;
	const void	*f[1];
	char		*tokens;

	if (r->link == NULL || ev == NULL || ev->kind == NULL ||
	    strcmp(ev->kind, "system") != 0)
		return;
	tokens = relay_tokens(gate_conf(r->gate));
	f[0] = tokens;
	frame_put(bufferevent_get_output(r->link), FRAME_TOKENS, 0, 1, f,
	    NULL);
	free(tokens);
}

/* The whys of a failure the front may send (remote.c's, and no other). */
static const char *const relay_whys[] = {
	"no bearer token", "unknown token", "unknown token at sign-in", NULL
};

/* Whether s is a client address as inet_ntop writes it, or "unknown". */
static bool
relay_address(const char *s)
{
	struct in6_addr	a;

	return strcmp(s, "unknown") == 0 || inet_pton(AF_INET, s, &a) == 1 ||
	    inet_pton(AF_INET6, s, &a) == 1;
}

/*
 * FRAME_AUTH: reason, the client's address, what.  A failed or
 * rate-limited authentication, its why one of remote.c's; or a console
 * session signed in or out, what the name of a token of the config (the
 * gate cannot know that a sign-in took place, only that the actor the
 * front names exists).  Journaled as kind auth; -1: the front is wrong.
 */
static int
relay_auth(struct relay *r, const struct frame *f)
{
	const struct gate_conf	*gc = gate_conf(r->gate);
	struct journal_event	 ev;
	char			 reason[16], addr[64], what[64], actor[80];
	char			 detail[160];
	int			 i;

	if (f->nfields != 3 ||
	    frame_text(f, 0, reason, sizeof reason, false) == -1 ||
	    frame_text(f, 1, addr, sizeof addr, false) == -1 ||
	    !relay_address(addr) ||
	    frame_text(f, 2, what, sizeof what, true) == -1)
		return -1;
	memset(&ev, 0, sizeof ev);
	ev.kind = "auth";
	ev.detail = detail;
	if (strcmp(reason, "failed") == 0 ||
	    strcmp(reason, "rate-limited") == 0) {
		for (i = 0; relay_whys[i] != NULL; i++)
			if (strcmp(relay_whys[i], what) == 0)
				break;
		if (relay_whys[i] == NULL)
			return -1;
		ev.actor = addr;
		if (reason[0] == 'f')
			snprintf(detail, sizeof detail, "%s (further failures "
			    "of this burst are not journaled)", what);
		else
			snprintf(detail, sizeof detail, "%d failures within "
			    "%d s: refused for %d s", AUTH_MAX_FAILURES,
			    AUTH_WINDOW_MS / 1000, AUTH_BLOCK_MS / 1000);
	} else if (strcmp(reason, "signed-in") == 0 ||
	    strcmp(reason, "signed-out") == 0) {
		for (i = 0; i < gc->token_count; i++)
			if (strcmp(gc->tokens[i].name, what) == 0)
				break;
		if (i == gc->token_count)
			return -1;
		snprintf(actor, sizeof actor, "token:%s", what);
		ev.actor = actor;
		snprintf(detail, sizeof detail, "console session from %s",
		    addr);
	} else
		return -1;
	ev.reason = reason;
	gate_record(r->gate, &ev);
	return 0;
}

/* One frame from the front; -1 when it is not one the front may send. */
static int
relay_frame(struct relay *r, const struct frame *f)
{
	switch (f->type) {
	case FRAME_REQUEST:
		return relay_request_new(r, f);
	case FRAME_AUTH:
		return relay_auth(r, f);
	case FRAME_WRITTEN:
		return f->nfields == 0 ? (relay_request_written(r, f->id), 0) :
		    -1;
	case FRAME_CANCEL:
		return f->nfields == 0 ? (relay_request_cancel(r, f->id), 0) :
		    -1;
	default:
		return -1;
	}
}

/* The front is no use any more: it is killed, its death journaled. */
static void
relay_drop(struct relay *r, const char *why)
{
	if (why != NULL && r->why[0] == '\0')
		snprintf(r->why, sizeof r->why, "%s", why);
	if (r->link != NULL) {
		bufferevent_free(r->link);
		r->link = NULL;
	}
	relay_request_all_gone(r);
	if (r->pid > 0)
		kill(r->pid, SIGKILL);
}

static void
relay_read(struct bufferevent *bev, void *arg)
{
	struct relay	*r = arg;
	struct frame	 f;
	int		 rc;

	while (r->link != NULL && (rc = frame_take(bufferevent_get_input(bev),
	    FRAME_FROM_FRONT_MAX, &f)) != 0) {
		if (rc == -1) {
			log_warnx("front: pid %ld sent bytes that are not a "
			    "frame: dropped", (long)r->pid);
			relay_drop(r, "sent bytes that are not a frame");
			return;
		}
		rc = relay_frame(r, &f);
		frame_clear(&f);
		if (rc == -1) {
			log_warnx("front: pid %ld sent a frame it may not "
			    "send: dropped", (long)r->pid);
			relay_drop(r, "sent a frame it may not send");
			return;
		}
	}
}

static void
relay_link_event(struct bufferevent *bev, short what, void *arg)
{
	struct relay	*r = arg;

	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		relay_drop(r, NULL);	/* SIGCHLD tells how it ended */
}

/*
 * In the child, between fork and exec: only async-signal-safe calls.  The
 * socketpair becomes fd 3, the listening sockets 4 on, every other
 * descriptor above them is closed.
 */
static void __attribute__((noreturn))
relay_child(struct relay *r, int sp, char *const argv[])
{
	int	i, high[1 + LISTEN_MAX];

	/* First above the range they go to, so no dup2 closes another. */
	high[0] = fcntl(sp, F_DUPFD, FRONT_FD + 1 + r->nfds);
	for (i = 0; i < r->nfds; i++)
		high[1 + i] = fcntl(r->fds[i], F_DUPFD, FRONT_FD + 1 + r->nfds);
	for (i = 0; i <= r->nfds; i++)
		if (high[i] == -1 || dup2(high[i], FRONT_FD + i) == -1)
			_exit(127);
	if (close_range(FRONT_FD + 1 + r->nfds, ~0U, 0) == -1)
		for (i = FRONT_FD + 1 + r->nfds; i < 65536; i++)
			close(i);
	execv("/proc/self/exe", argv);
	_exit(127);
}

/* Starts a front; on failure the restart timer tries again. */
static void
relay_spawn(struct relay *r)
{
	char	*argv[] = { "gated", "-F", r->debug ? "-d" : NULL, NULL };
	int	 sp[2];
	pid_t	 pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == -1) {
		log_warn("front: socketpair");
		relay_later(r);
		return;
	}
	if ((pid = fork()) == -1) {
		log_warn("front: fork");
		close(sp[0]);
		close(sp[1]);
		relay_later(r);
		return;
	}
	if (pid == 0)
		relay_child(r, sp[1], argv);
	close(sp[1]);
	r->pid = pid;
	r->started_ms = mono_ms();
	r->why[0] = '\0';
	evutil_make_socket_nonblocking(sp[0]);
	r->link = bufferevent_socket_new(r->base, sp[0],
	    BEV_OPT_CLOSE_ON_FREE);
	if (r->link == NULL)
		fatalx("%s: bufferevent_socket_new", __func__);
	bufferevent_priority_set(r->link, loop_http_priority(r->base));
	bufferevent_setcb(r->link, relay_read, NULL, relay_link_event, r);
	bufferevent_enable(r->link, EV_READ | EV_WRITE);
	relay_send_setup(r);
	log_info("front: started, pid %ld", (long)pid);
}

static void
relay_restart(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	relay_spawn(arg);
}

/* The next start, after the back-off. */
void
relay_later(struct relay *r)
{
	struct timeval	tv;

	tv.tv_sec = r->backoff_ms / 1000;
	tv.tv_usec = (r->backoff_ms % 1000) * 1000;
	evtimer_add(r->restart, &tv);
}

/* Journals how the front ended, and starts another after the back-off. */
static void
relay_reaped(struct relay *r, int status)
{
	struct journal_event	ev;
	char			detail[256], how[96];
	int64_t			lived = mono_ms() - r->started_ms;

	if (lived >= LONG_LIFE_MS)
		r->backoff_ms = RESTART_MIN_MS;
	if (WIFSIGNALED(status))
		snprintf(how, sizeof how, "killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(how, sizeof how, "exited with status %d",
		    WEXITSTATUS(status));
	snprintf(detail, sizeof detail, "pid %ld %s%s%s after %lld s; "
	    "restarting in %d ms", (long)r->pid, how, r->why[0] ? ": " : "",
	    r->why, (long long)(lived / 1000), r->backoff_ms);
	log_warnx("front: %s", detail);
	memset(&ev, 0, sizeof ev);
	ev.kind = "front";
	ev.reason = r->why[0] ? "protocol" : WIFSIGNALED(status) ? "signal" :
	    "exit";
	ev.detail = detail;
	gate_record(r->gate, &ev);
	r->pid = -1;
	relay_later(r);
	r->backoff_ms = r->backoff_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS :
	    r->backoff_ms * 2;
}

static void
relay_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct relay	*r = arg;
	pid_t		 pid;
	int		 status;

	(void)sig;
	(void)what;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid != r->pid)
			continue;
		if (r->link != NULL)
			relay_drop(r, NULL);
		relay_reaped(r, status);
	}
}

/*
 * An empty directory for the front's chroot: <state-dir>/empty, made
 * here (the front cannot, once it is nobody); "" when it cannot be.
 */
static void
relay_empty_dir(struct relay *r)
{
	struct stat	st;

	if (snprintf(r->empty, sizeof r->empty, "%s/empty",
	    gate_conf(r->gate)->state_dir) >= (int)sizeof r->empty) {
		r->empty[0] = '\0';
		return;
	}
	if (mkdir(r->empty, 0755) == -1 && errno != EEXIST) {
		log_warn("front: %s", r->empty);
		r->empty[0] = '\0';
	} else if (stat(r->empty, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    (st.st_mode & 022) != 0) {
		log_warnx("front: %s is not a directory only its owner may "
		    "write: no chroot", r->empty);
		r->empty[0] = '\0';
	}
}

/*
 * Binds the [remote] sockets and starts the front; NULL with the cause
 * when a socket cannot be bound (the front's own troubles are logged and
 * retried instead: the gate runs without its remote API meanwhile).
 */
struct relay *
relay_new(struct event_base *base, struct gate *g, struct api *api,
    int debug, char **cause)
{
	const struct remote_conf	*rc = &gate_conf(g)->remote;
	struct relay			*r = xcalloc(1, sizeof *r);
	int				 i;

	r->base = base;
	r->gate = g;
	r->api = api;
	r->debug = debug;
	r->pid = -1;
	r->backoff_ms = RESTART_MIN_MS;
	TAILQ_INIT(&r->reqs);
	if (remote_check(rc, cause) == -1) {
		free(r);
		return NULL;
	}
	if (getpwnam(rc->front_user) == NULL) {
		xasprintf(cause, "remote: front-user %s: no such user",
		    rc->front_user);
		free(r);
		return NULL;
	}
	for (i = 0; i < rc->listen_count; i++) {
		if ((r->fds[i] = remote_socket(rc->listen[i], cause)) == -1) {
			relay_free(r);
			return NULL;
		}
		snprintf(r->listen[r->nfds++], sizeof r->listen[0], "%s",
		    rc->listen[i]);
		log_info("remote API on %s (TLS%s, in the front)",
		    rc->listen[i], rc->client_ca[0] ?
		    ", client certificates required" : "");
	}
	if (relay_request_init(r, cause) == -1) {
		relay_free(r);
		return NULL;
	}
	relay_empty_dir(r);
	r->restart = evtimer_new(base, relay_restart, r);
	r->sigchld = evsignal_new(base, SIGCHLD, relay_sigchld, r);
	if (r->restart == NULL || r->sigchld == NULL ||
	    evsignal_add(r->sigchld, NULL) == -1)
		fatalx("%s: event_new", __func__);
	if (gate_listen(g, relay_event, r) == -1)
		fatalx("%s: no room for a gate listener", __func__);
	r->listening = true;
	relay_spawn(r);
	return r;
}

/* Stops the front (it holds nothing to save) and closes the sockets. */
void
relay_free(struct relay *r)
{
	int	i;

	if (r == NULL)
		return;
	if (r->listening)
		gate_unlisten(r->gate, relay_event, r);
	if (r->sigchld != NULL)
		event_free(r->sigchld);
	if (r->restart != NULL)
		event_free(r->restart);
	relay_drop(r, NULL);
	if (r->pid > 0)
		waitpid(r->pid, NULL, 0);
	relay_request_fini(r);
	for (i = 0; i < r->nfds; i++)
		close(r->fds[i]);
	free(r);
}
