/*
 * cmd-campus-people.c: what the campus pushes to its gates through the
 * broker (docs/mqtt.md, "Pushed by the campus"), signed here with an
 * admin's key: `campus people push` (the people list, retained, then
 * which gate runs which version, from their retained states), `campus
 * quarantine` (one person added to or taken from the campus's retained
 * quarantine set, signed with its seq + 1) and `campus ack` (an alert
 * acknowledged, one-shot, not retained).  The payloads are built by
 * common/command.c and command-body.c, which gated-hub links too.
 *
 * gatectl is a one-shot client, so libmosquitto's blocking loop runs
 * here, with one connection per command: read what is retained, publish,
 * then watch the gates' state topics.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "command.h"
#include "gatectl.h"
#include "people-csv.h"

#define LINK_TIMEOUT_S	10	/* a PUBACK, a SUBACK */
#define RETAINED_MS	500	/* after the SUBACK, for a retained message */
#define PUSH_EXPIRES	(366LL * 24 * 3600)	/* retained: a gate away */
#define ACK_EXPIRES	3600LL			/* a one-shot: an hour */
#define GATES_MAX	256

/* What every command here takes: the key, the site, the broker. */
struct push_opts {
	const char	*key_file, *ca, *cert, *cert_key;
	char		 host[256];
	int		 port;
	long		 wait_s;
	int		 unchecked;	/* people: the gates alone check */
	struct command	 c;
};

/* One gate as its retained state and online topics describe it. */
struct gate_seen {
	char		id[COMMAND_NAME_LEN];
	int		online;		/* -1 unknown */
	int		push;		/* people-push on */
	uint64_t	version;	/* people list */
	char		sha256[65];
	uint64_t	quarantine;	/* the set's seq */
};

/* The connection and what its callbacks collected. */
struct link {
	struct mosquitto	*m;
	int			 acked;		/* PUBACK of the last publish */
	int			 subacked;
	char			*retained;	/* the one retained message */
	size_t			 retained_len;
	char			 prefix[128];	/* gated/v1/<site>/ */
	struct gate_seen	 gates[GATES_MAX];
	int			 ngates;
};

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	(void)mid;
	((struct link *)arg)->acked = 1;
}

static void
on_subscribe(struct mosquitto *m, void *arg, int mid, int n, const int *q)
{
	(void)m;
	(void)mid;
	(void)n;
	(void)q;
	((struct link *)arg)->subacked = 1;
}

static struct gate_seen *
gate_seen(struct link *l, const char *id, size_t n)
{
	int	i;

	if (n == 0 || n >= COMMAND_NAME_LEN)
		return NULL;
	for (i = 0; i < l->ngates; i++)
		if (strncmp(l->gates[i].id, id, n) == 0 &&
		    l->gates[i].id[n] == '\0')
			return &l->gates[i];
	if (l->ngates == GATES_MAX || strncmp(id, "campus", n) == 0)
		return NULL;
	memset(&l->gates[l->ngates], 0, sizeof l->gates[0]);
	memcpy(l->gates[l->ngates].id, id, n);
	l->gates[l->ngates].online = -1;
	return &l->gates[l->ngates++];
}

/* A gate's state: the "campus" member, what the gate runs. */
static void
state_seen(struct gate_seen *g, const char *payload, size_t len)
{
	json_t		*o, *p, *q;
	const char	*sha;

	if ((o = json_loadb(payload, len, 0, NULL)) == NULL)
		return;
	p = json_object_get(json_object_get(o, "campus"), "people");
	q = json_object_get(json_object_get(o, "campus"), "quarantine");
	g->version = (uint64_t)json_integer_value(json_object_get(p,
	    "version"));
	g->push = json_is_true(json_object_get(p, "push"));
	sha = json_string_value(json_object_get(p, "sha256"));
	snprintf(g->sha256, sizeof g->sha256, "%s", sha ? sha : "");
	g->quarantine = (uint64_t)json_integer_value(json_object_get(q,
	    "seq"));
	json_decref(o);
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct link		*l = arg;
	struct gate_seen	*g;
	const char		*t = msg->topic, *slash;
	size_t			 n = strlen(l->prefix);

	(void)m;
	if (strncmp(t, l->prefix, n) != 0 || (slash = strchr(t + n, '/')) ==
	    NULL)
		return;
	if (strcmp(slash, "/state") == 0 || strcmp(slash, "/online") == 0) {
		if ((g = gate_seen(l, t + n, (size_t)(slash - t - n))) == NULL)
			return;
		if (slash[1] == 's')
			state_seen(g, msg->payload, (size_t)msg->payloadlen);
		else
			g->online = msg->payloadlen == 1 &&
			    ((char *)msg->payload)[0] == '1';
		return;
	}
	if (msg->retain && l->retained == NULL && msg->payloadlen > 0) {
		l->retained = xmalloc((size_t)msg->payloadlen + 1);
		memcpy(l->retained, msg->payload, (size_t)msg->payloadlen);
		l->retained[msg->payloadlen] = '\0';
		l->retained_len = (size_t)msg->payloadlen;
	}
}

/* Runs the loop for ms, or until *flag is set when flag is given. */
static int
link_run(struct link *l, long ms, const int *flag)
{
	struct timespec	a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (;;) {
		if (flag != NULL && *flag)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) /
		    1000000 >= ms)
			return flag != NULL ? -1 : 0;
		if (mosquitto_loop(l->m, 50, 1) != MOSQ_ERR_SUCCESS)
			return -1;
	}
}

static int
link_open(struct link *l, const struct push_opts *o)
{
	memset(l, 0, sizeof *l);
	snprintf(l->prefix, sizeof l->prefix, "gated/v1/%s/", o->c.site);
	mosquitto_lib_init();
	if ((l->m = mosquitto_new(NULL, true, l)) == NULL)
		return -1;
	mosquitto_publish_callback_set(l->m, on_publish);
	mosquitto_subscribe_callback_set(l->m, on_subscribe);
	mosquitto_message_callback_set(l->m, on_message);
	if (o->ca != NULL && mosquitto_tls_set(l->m, o->ca, NULL, o->cert,
	    o->cert_key, NULL) != MOSQ_ERR_SUCCESS)
		return -1;
	if (mosquitto_connect(l->m, o->host, o->port, 30) != MOSQ_ERR_SUCCESS)
		return -1;
	return 0;
}

static void
link_close(struct link *l)
{
	if (l->m != NULL) {
		mosquitto_disconnect(l->m);
		mosquitto_destroy(l->m);
	}
	free(l->retained);
	mosquitto_lib_cleanup();
}

/* The command retained on "campus/<what>", decoded (no keys: the gates
 * judge it), into c; 0 when there is one, -1 when none. */
static int
link_current(struct link *l, const char *what, struct command *c)
{
	char	topic[192];

	snprintf(topic, sizeof topic, "%scampus/%s", l->prefix, what);
	l->subacked = 0;
	if (mosquitto_subscribe(l->m, NULL, topic, 1) != MOSQ_ERR_SUCCESS ||
	    link_run(l, LINK_TIMEOUT_S * 1000, &l->subacked) == -1 ||
	    link_run(l, RETAINED_MS, NULL) == -1)
		return -1;
	mosquitto_unsubscribe(l->m, NULL, topic);
	if (l->retained == NULL || command_verify(l->retained,
	    l->retained_len, NULL, 0, time(NULL), c) != COMMAND_UNKNOWN_KEY)
		return -1;
	return 0;
}

static int
link_publish(struct link *l, const char *topic, const char *text,
    bool retain)
{
	l->acked = 0;
	if (mosquitto_publish(l->m, NULL, topic, (int)strlen(text), text, 1,
	    retain) != MOSQ_ERR_SUCCESS)
		return -1;
	return link_run(l, LINK_TIMEOUT_S * 1000, &l->acked);
}

/* Whether every online gate with people-push runs version (or, with
 * quarantine, has the set's seq). */
static int
all_there(const struct link *l, uint64_t version, bool quarantine)
{
	int	i;

	for (i = 0; i < l->ngates; i++) {
		const struct gate_seen	*g = &l->gates[i];

		if (g->online != 1)
			continue;
		if (quarantine ? g->quarantine < version :
		    g->push && g->version != version)
			return 0;
	}
	return 1;
}

/* Watches the gates' retained states for wait_s; prints what each runs.
 * 0 when every online gate runs it, else 1. */
static int
link_watch(struct link *l, long wait_s, uint64_t version, bool quarantine)
{
	char	topic[192];
	int	i, n, ok;

	for (n = 0; n < 2; n++) {
		snprintf(topic, sizeof topic, "%s+/%s", l->prefix,
		    n ? "online" : "state");
		if (mosquitto_subscribe(l->m, NULL, topic, 1) !=
		    MOSQ_ERR_SUCCESS)
			return 1;
	}
	link_run(l, RETAINED_MS, NULL);
	for (n = 0; n < wait_s * 10 && !all_there(l, version, quarantine); n++)
		link_run(l, 100, NULL);
	ok = all_there(l, version, quarantine);
	printf("%-20s %-7s %-11s %-16s %s\n", "GATE", "ONLINE", "PEOPLE-PUSH",
	    quarantine ? "QUARANTINE-SEQ" : "PEOPLE-VERSION", "SHA256");
	for (i = 0; i < l->ngates; i++) {
		const struct gate_seen	*g = &l->gates[i];

		printf("%-20s %-7s %-11s %-16" PRIu64 " %.12s\n", g->id,
		    g->online == 1 ? "yes" : g->online == 0 ? "no" : "?",
		    g->push ? "yes" : "no", quarantine ? g->quarantine :
		    g->version, g->sha256[0] ? g->sha256 : "-");
	}
	return ok ? 0 : 1;
}

/* HOST:PORT into o; 0, or -1. */
static int
parse_host_port(const char *s, struct push_opts *o)
{
	const char	*colon = strrchr(s, ':');
	long		 port;

	if (colon == NULL || colon == s || (size_t)(colon - s) >=
	    sizeof o->host || ctl_parse_long(colon + 1, 1, 65535, &port) == -1)
		return -1;
	memcpy(o->host, s, (size_t)(colon - s));
	o->host[colon - s] = '\0';
	o->port = (int)port;
	return 0;
}

static int
push_opt(struct push_opts *o, int ch, const char *arg)
{
	struct command	*c = &o->c;
	char		*end;

	switch (ch) {
	case 'k':
		o->key_file = arg;
		break;
	case 'i':
		snprintf(c->key, sizeof c->key, "%s", arg);
		break;
	case 's':
		snprintf(c->site, sizeof c->site, "%s", arg);
		break;
	case 'r':
		snprintf(c->reason, sizeof c->reason, "%s", arg);
		break;
	case 'a':
		snprintf(c->actor, sizeof c->actor, "%s", arg);
		break;
	case 'c':
		o->ca = arg;
		break;
	case 'C':
		o->cert = arg;
		break;
	case 'K':
		o->cert_key = arg;
		break;
	case 'b':
		if (parse_host_port(arg, o) == -1)
			return ctl_usage_error("--broker HOST:PORT: %s", arg);
		break;
	case 'w':
		return ctl_parse_long(arg, 0, 3600, &o->wait_s) == -1 ?
		    ctl_usage_error("--wait: 0 to 3600 seconds: %s", arg) : 0;
	case 'U':
		o->unchecked = 1;
		break;
	case 'q':
		c->seq = strtoull(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || c->seq == 0 ||
		    c->seq > INT64_MAX)
			return ctl_usage_error("--seq: 1 to 2^63-1: %s", arg);
		break;
	default:
		return EXIT_USAGE;
	}
	return 0;
}

/* The options; nargs words must follow them. */
static int
push_args(int argc, char **argv, struct push_opts *o, int nargs)
{
	static const struct option longs[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-id", required_argument, NULL, 'i' },
		{ "site", required_argument, NULL, 's' },
		{ "reason", required_argument, NULL, 'r' },
		{ "actor", required_argument, NULL, 'a' },
		{ "broker", required_argument, NULL, 'b' },
		{ "ca", required_argument, NULL, 'c' },
		{ "cert", required_argument, NULL, 'C' },
		{ "cert-key", required_argument, NULL, 'K' },
		{ "wait", required_argument, NULL, 'w' },
		{ "seq", required_argument, NULL, 'q' },
		{ "unchecked", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*u = getenv("USER");
	int		 ch, rc;

	memset(o, 0, sizeof *o);
	o->wait_s = 10;
	snprintf(o->c.actor, sizeof o->c.actor, "%s", u && *u ? u : "admin");
	while ((ch = ctl_getopt(argc, argv, longs)) != -1)
		if ((rc = push_opt(o, ch, optarg)) != 0)
			return rc;
	if (argc - optind != nargs)
		return ctl_usage_error("%d argument%s expected", nargs,
		    nargs == 1 ? "" : "s");
	if (o->key_file == NULL || o->c.key[0] == '\0' ||
	    o->c.site[0] == '\0' || o->c.reason[0] == '\0' || o->port == 0)
		return ctl_usage_error("--key, --key-id, --site, --broker and "
		    "--reason are needed");
	if ((o->cert == NULL) != (o->cert_key == NULL) ||
	    (o->cert != NULL && o->ca == NULL))
		return ctl_usage_error("--cert and --cert-key go together, "
		    "with --ca");
	return 0;
}

/* Signs o->c with the key file: the JSON text (caller frees), or NULL. */
static char *
push_sign(struct push_opts *o, long long expires_s)
{
	uint8_t		 seed[ED25519_KEY_LEN];
	const char	*why;
	char		*text, *cause = NULL;

	o->c.issued = (int64_t)time(NULL);
	o->c.expires = o->c.issued + expires_s;
	if ((why = command_invalid(&o->c)) != NULL) {
		fprintf(stderr, "gatectl: %s\n", why);
		return NULL;
	}
	if (pass_read_private(o->key_file, seed, &cause) == -1) {
		fprintf(stderr, "gatectl: %s\n", cause);
		free(cause);
		return NULL;
	}
	text = command_sign_alloc(&o->c, seed);
	explicit_bzero(seed, sizeof seed);
	if (text == NULL)
		fprintf(stderr, "gatectl: the command could not be signed\n");
	return text;
}

/*
 * Signs and publishes o->c on topic; the next seq is the retained one's +
 * 1 when --seq was not given (cur: the retained command, seq 0 if none).
 * Returns 0 or an exit code, having said why.
 */
static int
push_publish(struct link *l, struct push_opts *o, const struct command *cur,
    const char *topic, bool retain, long long expires_s)
{
	char	*text;
	int	 rc;

	if (o->c.seq == 0)
		o->c.seq = cur->seq + 1;
	if ((text = push_sign(o, expires_s)) == NULL)
		return 1;
	rc = link_publish(l, topic, text, retain);
	free(text);
	if (rc == -1) {
		fprintf(stderr, "gatectl: %s:%d: not acknowledged by the "
		    "broker\n", o->host, o->port);
		return EXIT_UNREACHABLE;
	}
	printf("published%s: %s seq %" PRIu64 "\n", retain ? ", retained" : "",
	    topic, o->c.seq);
	return 0;
}

/* The file, whole, at most COMMAND_BODY_MAX bytes: malloc'd, or NULL. */
static char *
read_csv(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	buf = xmalloc(COMMAND_BODY_MAX + 1);
	*len = fread(buf, 1, COMMAND_BODY_MAX + 1, f);
	fclose(f);
	if (*len > COMMAND_BODY_MAX) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The whole list through the gate's own parser (common/people-csv.c), on
 * a copy: a list a gate would refuse is refused here with the gate's
 * "FILE:LINE: what" errors, and nothing is published.  Zones are any
 * well-formed name: gatectl has no gate's config, and every gate checks
 * them against its own.
 */
static int
csv_check(const char *path, const char *csv, size_t len)
{
	struct people_errors	 errs;
	struct people_parse	 p;
	char			*copy;
	int			 i, rc;

	memset(&p, 0, sizeof p);
	p.name = path;
	p.errs = &errs;
	copy = xmalloc(len + 1);
	memcpy(copy, csv, len);
	rc = people_parse_buf(&p, copy, len);
	free(copy);
	for (i = 0; i < errs.kept; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	if (errs.count > errs.kept)
		fprintf(stderr, "%s: %d more errors\n", path,
		    errs.count - errs.kept);
	if (rc != 0)
		fprintf(stderr, "gatectl: %s: %d error%s, nothing published\n",
		    path, errs.count, errs.count == 1 ? "" : "s");
	return rc;
}

/*
 * One command's session: connect; read the command retained on
 * campus/<what> into cur, the seq to count from (an ack, never retained,
 * counts from the time in ms); let change() make o->c from it (1: nothing
 * to publish); publish on leaf; for a retained kind, watch the gates.
 * Returns 0 or an exit code, having said why; clears o->c.
 */
static int
push_session(struct push_opts *o, const char *leaf, bool retain,
    int (*change)(struct push_opts *, const struct command *, void *),
    void *arg)
{
	struct command	cur;
	struct link	l;
	struct timespec	ts;
	char		topic[192];
	int		rc = 0;

	memset(&cur, 0, sizeof cur);
	if (link_open(&l, o) == -1) {
		fprintf(stderr, "gatectl: %s:%d: cannot connect\n", o->host,
		    o->port);
		rc = EXIT_UNREACHABLE;
		goto out;
	}
	if (retain)
		link_current(&l, command_what_name(o->c.what), &cur);
	else {
		clock_gettime(CLOCK_REALTIME, &ts);
		cur.seq = (uint64_t)ts.tv_sec * 1000 +
		    (uint64_t)ts.tv_nsec / 1000000;
	}
	if (change != NULL && change(o, &cur, arg) == 1)
		goto out;
	snprintf(topic, sizeof topic, "%s%s", l.prefix, leaf);
	rc = push_publish(&l, o, &cur, topic, retain, retain ? PUSH_EXPIRES :
	    ACK_EXPIRES);
	if (rc == 0 && retain)
		rc = link_watch(&l, o->wait_s, o->c.seq,
		    o->c.what == COMMAND_QUARANTINE);
out:
	link_close(&l);
	command_clear(&cur);
	command_clear(&o->c);
	return rc;
}

/* Needs no gate: the request stays empty. */
int
cmd_campus_people_push(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct push_opts	 o;
	char			*csv;
	size_t			 len;
	int			 rc;

	(void)ctl;
	(void)req;
	if ((rc = push_args(argc, argv, &o, 1)) != 0)
		return rc;
	if ((csv = read_csv(argv[optind], &len)) == NULL)
		return ctl_usage_error("%s: cannot read it, or larger than "
		    "16 MiB", argv[optind]);
	if (!o.unchecked && csv_check(argv[optind], csv, len) != 0) {
		free(csv);
		return 1;
	}
	o.c.what = COMMAND_PEOPLE;
	snprintf(o.c.target, sizeof o.c.target, "campus");
	command_set_csv(&o.c, csv, len);
	free(csv);
	return push_session(&o, "campus/people", true, NULL, NULL);
}

/* The retained set with person added (on) or taken out (off) into o->c:
 * 1 when that changes it, 0 when not. */
static int
quarantine_change(struct push_opts *o, const struct command *cur,
    const char *person, bool on)
{
	const char	**ids, *p, *end, *why = NULL;
	char		 *copy;
	size_t		  n = 0, k = 0, i;
	int		  had = 0;

	copy = xmalloc(cur->body_len + 1);
	memcpy(copy, cur->body ? cur->body : "", cur->body_len);
	copy[cur->body_len] = '\0';
	end = copy + cur->body_len;
	for (p = copy; p < end; p++)
		n += *p == '\n';
	ids = xreallocarray(NULL, n + 1, sizeof *ids);
	for (p = copy, i = 0; i < n; i++) {
		char	*nl = strchr(p, '\n');

		*nl = '\0';
		if (strcmp(p, person) == 0)
			had = 1;
		else
			ids[k++] = p;
		p = nl + 1;
	}
	if (on)
		ids[k++] = person;
	if (had != on)
		command_set_persons(&o->c, ids, k, &why);
	free(ids);
	free(copy);
	return had != on;
}

/* The person and on/off of `campus quarantine`, for push_session. */
struct quarantine_arg {
	const char	*person;
	bool		 on;
};

static int
quarantine_apply(struct push_opts *o, const struct command *cur, void *arg)
{
	struct quarantine_arg	*q = arg;

	if (quarantine_change(o, cur, q->person, q->on))
		return 0;
	printf("%s is %s the campus quarantine already (seq %" PRIu64 ")\n",
	    q->person, q->on ? "in" : "not in", cur->seq);
	return 1;
}

int
cmd_campus_quarantine(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct push_opts	 o;
	struct quarantine_arg	 q;
	const char		*state;
	int			 rc;

	(void)ctl;
	(void)req;
	if ((rc = push_args(argc, argv, &o, 2)) != 0)
		return rc;
	q.person = argv[optind];
	state = argv[optind + 1];
	if (!command_person_valid(q.person, strlen(q.person)))
		return ctl_usage_error("%s: not a person id", q.person);
	if (strcmp(state, "on") != 0 && strcmp(state, "off") != 0)
		return ctl_usage_error("on or off, not %s", state);
	q.on = strcmp(state, "on") == 0;
	o.c.what = COMMAND_QUARANTINE;
	snprintf(o.c.target, sizeof o.c.target, "campus");
	return push_session(&o, "campus/quarantine", true, quarantine_apply,
	    &q);
}

/* An alert acknowledged from the campus: one-shot, never retained. */
int
cmd_campus_ack(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct push_opts	 o;
	char			 leaf[COMMAND_NAME_LEN + 8];
	int			 rc;

	(void)ctl;
	(void)req;
	if ((rc = push_args(argc, argv, &o, 2)) != 0)
		return rc;
	o.c.what = COMMAND_ACK;
	snprintf(o.c.target, sizeof o.c.target, "%s", argv[optind]);
	snprintf(o.c.value, sizeof o.c.value, "%s", argv[optind + 1]);
	snprintf(leaf, sizeof leaf, "%s/ack", o.c.target);
	return push_session(&o, leaf, false, NULL, NULL);
}
