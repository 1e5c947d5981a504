/*
 * fleet.c: one command to every gate of a fleet file, in parallel.  The
 * command yields its request as for one gate; fleet_run sends it to all
 * gates at once from one event loop, each connection with its own
 * timeouts, so a gate that is down or hangs costs its own row and never
 * holds up the others.  Prints one row per gate; the exit code is 0 when
 * every gate did it, else 1.
 *
 * The file (docs/remote.md): "key = value" lines set defaults for every
 * gate (ca, token-file, cert, key, timeout); "NAME URL [key=value ...]"
 * lines name the gates, with their own ca, token-file, cert or key.
 * Relative paths are taken from the fleet file's directory.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/dns.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "gatectl.h"

#define FLEET_MAX	256

/* The per-gate file settings, in the order of struct ctl_target. */
enum fleet_key { FK_CA, FK_TOKEN, FK_CERT, FK_KEY, FK__COUNT };
static const char *const fleet_keys[FK__COUNT] = {
	"ca", "token-file", "cert", "key"
};

struct fleet_gate {
	struct fleet		*fleet;
	struct ctl_target	 t;
	char			*name, *url, *file[FK__COUNT];
	struct client_conn	*conn;
	bool			 done, failed;
	enum evhttp_request_error error;
	int			 status;
	char			*proto;
	struct evbuffer		*body;
	int			 rc;
	char			*why;
	json_t			*answer;
};

struct fleet {
	char			*dir;
	char			*defaults[FK__COUNT];
	int			 timeout;
	int			 ngates;
	struct fleet_gate	 gates[FLEET_MAX];
	struct event_base	*base;
	int			 pending;
};

/* A path from the file: relative ones from the file's directory. */
static char *
fleet_path(struct fleet *f, const char *p)
{
	char	*out;

	if (p[0] == '/')
		return xstrdup(p);
	xasprintf(&out, "%s/%s", f->dir, p);
	return out;
}

static int
fleet_key(const char *k)
{
	int	i;

	for (i = 0; i < FK__COUNT; i++)
		if (strcmp(fleet_keys[i], k) == 0)
			return i;
	return -1;
}

/* "key = value": a default for every gate, or the timeout. */
static int
fleet_setting(struct fleet *f, const char *key, const char *value,
    const char *file, int line, char **why)
{
	long	v;
	int	k;

	if (*value == '\0' || strpbrk(value, " \t") != NULL) {
		xasprintf(why, "%s:%d: %s: one value wanted", file, line, key);
		return -1;
	}
	if (strcmp(key, "timeout") == 0) {
		if (ctl_parse_long(value, 1, 300, &v) == -1) {
			xasprintf(why, "%s:%d: timeout: seconds from 1 to 300",
			    file, line);
			return -1;
		}
		f->timeout = (int)v;
		return 0;
	}
	if ((k = fleet_key(key)) == -1) {
		xasprintf(why, "%s:%d: unknown setting '%s' (ca, token-file, "
		    "cert, key, timeout)", file, line, key);
		return -1;
	}
	free(f->defaults[k]);
	f->defaults[k] = fleet_path(f, value);
	return 0;
}

/* "NAME URL [key=value ...]": a gate, with files of its own. */
static int
fleet_gate(struct fleet *f, char **w, int n, const char *file, int line,
    char **why)
{
	struct fleet_gate	*g;
	char			*eq;
	int			 i, k;

	if (strlen(w[0]) > GATED_NAME_MAX) {
		xasprintf(why, "%s:%d: %s: a name of at most %d characters",
		    file, line, w[0], GATED_NAME_MAX);
		return -1;
	}
	for (i = 0; i < f->ngates; i++)
		if (strcmp(f->gates[i].name, w[0]) == 0) {
			xasprintf(why, "%s:%d: gate %s is listed twice", file,
			    line, w[0]);
			return -1;
		}
	if (f->ngates == FLEET_MAX) {
		xasprintf(why, "%s:%d: more than %d gates", file, line,
		    FLEET_MAX);
		return -1;
	}
	g = &f->gates[f->ngates++];
	g->fleet = f;
	g->name = xstrdup(w[0]);
	g->url = xstrdup(w[1]);
	for (i = 2; i < n; i++) {
		if ((eq = strchr(w[i], '=')) == NULL) {
			xasprintf(why, "%s:%d: %s: key=value wanted", file,
			    line, w[i]);
			return -1;
		}
		*eq++ = '\0';
		if ((k = fleet_key(w[i])) == -1 || *eq == '\0') {
			xasprintf(why, "%s:%d: %s: not ca, token-file, cert or "
			    "key with a value", file, line, w[i]);
			return -1;
		}
		free(g->file[k]);
		g->file[k] = fleet_path(f, eq);
	}
	return 0;
}

/* One line, a setting or a gate; 0, or -1 with *why. */
static int
fleet_line(struct fleet *f, char *s, const char *file, int line, char **why)
{
	char	*w[16], *eq, *p;
	int	 n = 0;

	/* "key = value" and "key=value" alike: split at '=' first. */
	if ((eq = strchr(s, '=')) != NULL && strstr(s, "://") == NULL) {
		*eq = '\0';
		for (p = eq; p > s && isspace((unsigned char)p[-1]); p--)
			p[-1] = '\0';
		eq++;
		eq += strspn(eq, " \t");
		return fleet_setting(f, s, eq, file, line, why);
	}
	while ((p = strsep(&s, " \t")) != NULL) {
		if (*p == '\0')
			continue;
		if (n == (int)(sizeof w / sizeof w[0])) {
			xasprintf(why, "%s:%d: too many words", file, line);
			return -1;
		}
		w[n++] = p;
	}
	if (n < 2 || strstr(w[1], "://") == NULL) {
		xasprintf(why, "%s:%d: neither 'NAME URL' nor 'key = value'",
		    file, line);
		return -1;
	}
	return fleet_gate(f, w, n, file, line, why);
}

struct fleet *
fleet_load(const char *path, int timeout, char **why)
{
	struct fleet	*f;
	FILE		*fp;
	char		*buf = NULL, *s, *e, *copy;
	size_t		 size = 0;
	int		 line = 0, i, k;

	if ((fp = fopen(path, "r")) == NULL) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->timeout = timeout;
	copy = xstrdup(path);
	f->dir = xstrdup(dirname(copy));
	free(copy);
	while (getline(&buf, &size, fp) != -1) {
		line++;
		for (e = buf; (e = strchr(e, '#')) != NULL; e++)
			if (e == buf || isspace((unsigned char)e[-1])) {
				*e = '\0';
				break;
			}
		s = buf + strspn(buf, " \t\r\n");
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s != '\0' && fleet_line(f, s, path, line, why) == -1)
			goto fail;
	}
	if (ferror(fp)) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (f->ngates == 0) {
		xasprintf(why, "%s: no gates (lines 'NAME https://HOST:PORT')",
		    path);
		goto fail;
	}
	for (i = 0; i < f->ngates; i++) {
		for (k = 0; k < FK__COUNT; k++)
			if (f->gates[i].file[k] == NULL &&
			    f->defaults[k] != NULL)
				f->gates[i].file[k] = xstrdup(f->defaults[k]);
		f->gates[i].t.name = f->gates[i].name;
		f->gates[i].t.url = f->gates[i].url;
		f->gates[i].t.ca = f->gates[i].file[FK_CA];
		f->gates[i].t.token_file = f->gates[i].file[FK_TOKEN];
		f->gates[i].t.cert = f->gates[i].file[FK_CERT];
		f->gates[i].t.key = f->gates[i].file[FK_KEY];
		f->gates[i].t.timeout = f->timeout;
	}
	free(buf);
	fclose(fp);
	return f;
fail:
	free(buf);
	fclose(fp);
	fleet_free(f);
	return NULL;
}

void
fleet_free(struct fleet *f)
{
	struct fleet_gate	*g;
	int			 i, k;

	if (f == NULL)
		return;
	for (i = 0; i < f->ngates; i++) {
		g = &f->gates[i];
		client_conn_free(g->conn);
		free(g->name);
		free(g->url);
		for (k = 0; k < FK__COUNT; k++)
			free(g->file[k]);
		free(g->proto);
		free(g->why);
		json_decref(g->answer);
		if (g->body != NULL)
			evbuffer_free(g->body);
	}
	for (k = 0; k < FK__COUNT; k++)
		free(f->defaults[k]);
	free(f->dir);
	free(f);
}

/* ---- sending ------------------------------------------------------------ */

static void
fleet_finished(struct fleet_gate *g)
{
	if (g->done)
		return;
	g->done = true;
	if (--g->fleet->pending == 0)
		event_base_loopexit(g->fleet->base, NULL);
}

static void
fleet_error(enum evhttp_request_error e, void *arg)
{
	struct fleet_gate	*g = arg;

	g->failed = true;
	g->error = e;
	client_failed(g->conn);
	fleet_finished(g);
}

static void
fleet_done(struct evhttp_request *req, void *arg)
{
	struct fleet_gate	*g = arg;
	const char		*hdr;

	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		if (!g->failed) {
			g->failed = true;
			g->error = EVREQ_HTTP_EOF;
			client_failed(g->conn);
		}
		fleet_finished(g);
		return;
	}
	g->status = evhttp_request_get_response_code(req);
	hdr = evhttp_find_header(evhttp_request_get_input_headers(req),
	    GATED_PROTOCOL_HEADER);
	if (hdr != NULL)
		g->proto = xstrdup(hdr);
	evbuffer_add_buffer(g->body, evhttp_request_get_input_buffer(req));
	fleet_finished(g);
}

/* The last word: whatever has not answered by now has timed out. */
static void
fleet_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct fleet	*f = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(f->base);
}

/* Sends the request to every gate and waits for all answers or errors. */
static void
fleet_send(struct fleet *f, const struct ctl_request *r)
{
	struct evdns_base	*dns;
	struct fleet_gate	*g;
	struct evhttp_request	*req;
	struct event		*deadline;
	struct timeval		 tv;
	int			 i;

	dns = evdns_base_new(f->base, EVDNS_BASE_INITIALIZE_NAMESERVERS);
	for (i = 0; i < f->ngates; i++) {
		g = &f->gates[i];
		g->body = evbuffer_new();
		if ((g->conn = client_conn_new(f->base, dns, &g->t, &g->why)) ==
		    NULL) {
			g->rc = EXIT_UNREACHABLE;
			g->done = true;
			continue;
		}
		req = client_request_new(g->conn, fleet_done, g);
		evhttp_request_set_error_cb(req, fleet_error);
		f->pending++;
		if (client_send(g->conn, req, r->method, r->path, r->body) ==
		    -1) {
			g->failed = true;
			g->error = EVREQ_HTTP_REQUEST_CANCEL;
			fleet_finished(g);
		}
	}
	/* Connect, handshake, send and answer each have the timeout. */
	tv.tv_sec = 3 * f->timeout + 1;
	tv.tv_usec = 0;
	deadline = evtimer_new(f->base, fleet_deadline, f);
	evtimer_add(deadline, &tv);
	if (f->pending > 0)
		event_base_dispatch(f->base);
	event_free(deadline);
	for (i = 0; i < f->ngates; i++) {
		g = &f->gates[i];
		if (g->conn == NULL)
			continue;
		if (!g->done) {
			g->rc = EXIT_UNREACHABLE;
			xasprintf(&g->why, "no answer: timed out");
		} else if (g->failed) {
			g->rc = EXIT_UNREACHABLE;
			g->why = client_failure(g->conn, g->error);
		} else
			g->rc = client_judge(&g->t, g->status, g->proto,
			    evbuffer_pullup(g->body, -1),
			    evbuffer_get_length(g->body), &g->answer,
			    &g->why);
		/* Connections go before the DNS base they may use. */
		client_conn_free(g->conn);
		g->conn = NULL;
	}
	if (dns != NULL)
		evdns_base_free(dns, 0);
}

/* ---- printing ----------------------------------------------------------- */

/* A why on one line, for a table cell. */
static const char *
one_line(const char *why, char *buf, size_t len)
{
	char	*p;

	snprintf(buf, len, "%s", why != NULL ? why : "failed");
	while ((p = strstr(buf, "\n    ")) != NULL) {
		*p = ';';
		memmove(p + 1, p + 4, strlen(p + 4) + 1);
	}
	return buf;
}

static void
fleet_print_status(struct fleet *f)
{
	static const char *const head[] = {
		"GATE", "RESULT", "MODE", "LEVEL", "ALERTS", "DEVICES DOWN"
	};
	struct ctl_table	*t = ctl_table_new(6, head);
	struct fleet_gate	*g;
	json_t			*d, *active;
	char			 b[6][512];
	size_t			 i, n;
	int			 k;

	for (k = 0; k < f->ngates; k++) {
		g = &f->gates[k];
		memset(b, 0, sizeof b);
		snprintf(b[0], sizeof b[0], "%s", g->name);
		if (g->rc != 0) {
			snprintf(b[1], sizeof b[1], "error: %s",
			    one_line(g->why, b[5], sizeof b[5]));
			b[5][0] = '\0';
		} else {
			snprintf(b[1], sizeof b[1], "ok");
			snprintf(b[2], sizeof b[2], "%s",
			    json_is_string(json_object_get(g->answer, "mode")) ?
			    json_string_value(json_object_get(g->answer,
			    "mode")) : "?");
			snprintf(b[3], sizeof b[3], "%" JSON_INTEGER_FORMAT,
			    json_integer_value(json_object_get(
			    json_object_get(g->answer, "level"), "number")));
			/* status lists only the newest alerts: the count
			 * is alert_counts.active (absent from older gated) */
			active = json_object_get(json_object_get(g->answer,
			    "alert_counts"), "active");
			snprintf(b[4], sizeof b[4], "%" JSON_INTEGER_FORMAT,
			    json_is_integer(active) ?
			    json_integer_value(active) : (json_int_t)
			    json_array_size(json_object_get(g->answer,
			    "alerts")));
			n = 0;
			json_array_foreach(json_object_get(g->answer,
			    "devices"), i, d) {
				if (json_is_true(json_object_get(d, "up")))
					continue;
				n += snprintf(b[5] + n, n < sizeof b[5] ?
				    sizeof b[5] - n : 0, "%s%s", n ? "," : "",
				    json_string_value(json_object_get(d,
				    "name")));
				if (n >= sizeof b[5])
					n = sizeof b[5] - 1;
			}
			if (n == 0)
				snprintf(b[5], sizeof b[5], "none");
		}
		const char *row[] = { b[0], b[1], b[2], b[3], b[4], b[5] };
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
}

/* A change: ok and what the gate said (its event), or the error. */
static void
fleet_print_change(struct fleet *f)
{
	static const char *const head[] = { "GATE", "RESULT", "DETAIL" };
	struct ctl_table	*t = ctl_table_new(3, head);
	struct fleet_gate	*g;
	const char		*key;
	json_t			*v;
	char			 b[3][512], cell[64];
	size_t			 n;
	int			 k;

	for (k = 0; k < f->ngates; k++) {
		g = &f->gates[k];
		snprintf(b[0], sizeof b[0], "%s", g->name);
		if (g->rc != 0) {
			snprintf(b[1], sizeof b[1], "error");
			one_line(g->why, b[2], sizeof b[2]);
		} else {
			snprintf(b[1], sizeof b[1], "ok");
			n = 0;
			b[2][0] = '\0';
			json_object_foreach(g->answer, key, v) {
				if (json_is_object(v) || json_is_array(v) ||
				    n >= sizeof b[2])
					continue;
				n += snprintf(b[2] + n, sizeof b[2] - n,
				    "%s%s=%s", n ? " " : "", key,
				    json_is_null(v) ? "-" : ctl_json_text(
				    g->answer, key, cell, sizeof cell));
				if (n >= sizeof b[2])
					n = sizeof b[2];
			}
		}
		const char *row[] = { b[0], b[1], b[2] };
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
}

/* --json: {"gate": {"ok": true, "answer": {...}} or {"ok": false, ...}}. */
static void
fleet_print_json(struct fleet *f)
{
	struct fleet_gate	*g;
	json_t			*all = json_object(), *o;
	int			 k;

	for (k = 0; k < f->ngates; k++) {
		g = &f->gates[k];
		o = json_pack("{s:b}", "ok", g->rc == 0);
		if (g->answer != NULL)
			json_object_set(o, "answer", g->answer);
		if (g->rc != 0)
			json_object_set_new(o, "error", json_string(g->why ?
			    g->why : "failed"));
		json_object_set_new(all, g->name, o);
	}
	json_dumpf(all, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	fputc('\n', stdout);
	json_decref(all);
}

int
fleet_run(struct fleet *f, const struct ctl_request *r, int json)
{
	int	k, rc = 0;

	if ((f->base = event_base_new()) == NULL) {
		fprintf(stderr, "gatectl: cannot set up libevent\n");
		return EXIT_UNREACHABLE;
	}
	fleet_send(f, r);
	event_base_free(f->base);
	f->base = NULL;
	if (json)
		fleet_print_json(f);
	else if (r->method == CTL_GET && strcmp(r->path, "/v1/status") == 0)
		fleet_print_status(f);
	else
		fleet_print_change(f);
	for (k = 0; k < f->ngates; k++)
		if (f->gates[k].rc != 0)
			rc = 1;
	fflush(stdout);
	return rc;
}
