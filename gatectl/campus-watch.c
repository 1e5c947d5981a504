/*
 * campus-watch.c: the gates of a site as the broker keeps them, their
 * retained online and state (docs/mqtt.md).  `campus status` prints a
 * row per gate; campus_steer (`campus level set`, `campus mode set`)
 * publishes signed desired state and waits for each gate's state to say
 * it applied it (the command's seq in campus.applied) or refused it
 * (campus.refused), so the admin sees the campus follow, gate by gate.
 *
 * A gate is known by a retained online or state under the site.  To know
 * when the broker has sent every retained message, gatectl subscribes a
 * topic of its own after the others and publishes on it: the broker
 * queues one client's messages in order, so that one comes after them.
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

enum result { R_WAIT, R_APPLIED, R_REFUSED };

struct gate_row {
	char		 id[64];
	int		 online;	/* -1: never said; 0; 1 */
	json_t		*state;
	enum result	 result;
	char		 reason[64];
	double		 at_s;		/* applied this long after publishing */
};

struct watch {
	char			 prefix[160];	/* gated/v1/<site>/ */
	char			 sync[200];	/* gatectl's own topic */
	int			 synced;
	struct gate_row		*rows;
	size_t			 n;
	const struct command	*c;		/* NULL: status only */
	char			 key[100];	/* "target/what" */
	int			 mid;		/* the command's message id */
	int			 acked;		/* its PUBACK */
	struct timespec		 t0;
};

static double
since(const struct timespec *t0)
{
	struct timespec	t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static struct gate_row *
row_get(struct watch *w, const char *id, size_t len)
{
	struct gate_row	*r;
	size_t		 i;

	for (i = 0; i < w->n; i++) {
		if (strlen(w->rows[i].id) == len &&
		    memcmp(w->rows[i].id, id, len) == 0)
			return &w->rows[i];
	}
	w->rows = xreallocarray(w->rows, w->n + 1, sizeof *w->rows);
	r = &w->rows[w->n++];
	memset(r, 0, sizeof *r);
	snprintf(r->id, sizeof r->id, "%.*s", (int)len, id);
	r->online = -1;
	return r;
}

/* Whether the command is for this gate: the campus's, or its own. */
static int
concerned(const struct watch *w, const struct gate_row *r)
{
	return w->c != NULL && (strcmp(w->c->target, "campus") == 0 ||
	    strcmp(w->c->target, r->id) == 0);
}

/* The gate's state against the command: applied, refused, or not yet. */
static void
judge(struct watch *w, struct gate_row *r)
{
	json_t		*campus, *ref;
	json_int_t	 seq = (json_int_t)w->c->seq;

	campus = json_object_get(r->state, "campus");
	if (json_integer_value(json_object_get(json_object_get(campus,
	    "applied"), w->key)) >= seq) {
		r->result = R_APPLIED;
		r->at_s = since(&w->t0);
		return;
	}
	ref = json_object_get(campus, "refused");
	if (json_integer_value(json_object_get(ref, "seq")) == seq &&
	    json_is_string(json_object_get(ref, "target")) &&
	    strcmp(json_string_value(json_object_get(ref, "target")),
	    w->c->target) == 0) {
		r->result = R_REFUSED;
		snprintf(r->reason, sizeof r->reason, "%s",
		    json_string_value(json_object_get(ref, "reason")));
	}
}

static void
on_message(struct mosquitto *m, void *arg, const struct mosquitto_message *msg)
{
	struct watch	*w = arg;
	struct gate_row	*r;
	const char	*id, *leaf;
	size_t		 plen = strlen(w->prefix);

	(void)m;
	if (strcmp(msg->topic, w->sync) == 0) {
		w->synced = 1;
		return;
	}
	if (strncmp(msg->topic, w->prefix, plen) != 0)
		return;
	id = msg->topic + plen;
	if ((leaf = strchr(id, '/')) == NULL || leaf == id ||
	    (size_t)(leaf - id) >= sizeof r->id)
		return;
	r = row_get(w, id, (size_t)(leaf - id));
	if (strcmp(leaf, "/online") == 0) {
		r->online = msg->payloadlen == 1 &&
		    ((const char *)msg->payload)[0] == '1';
		return;
	}
	json_decref(r->state);
	r->state = json_loadb(msg->payload, (size_t)msg->payloadlen, 0, NULL);
	if (r->result == R_WAIT && concerned(w, r) && r->state != NULL)
		judge(w, r);
}

/* Only the command's PUBACK counts (the sync message's may come late). */
static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	struct watch	*w = arg;

	(void)m;
	if (w->c != NULL && mid == w->mid)
		w->acked = 1;
}

/* Every gate the command is for has answered, or is offline. */
static int
all_answered(const struct watch *w)
{
	size_t	i;

	for (i = 0; i < w->n; i++) {
		if (concerned(w, &w->rows[i]) && w->rows[i].online == 1 &&
		    w->rows[i].result == R_WAIT)
			return 0;
	}
	return w->acked;
}

/* Runs the loop until done(w) or the deadline: 0, or -1 with *why. */
static int
run_until(struct mosquitto *m, struct watch *w, int (*done)(const struct
    watch *), const struct timespec *t0, long timeout_s, const char **why)
{
	while (!done(w)) {
		if (since(t0) >= (double)timeout_s)
			return 0;
		if (mosquitto_loop(m, 50, 1) != MOSQ_ERR_SUCCESS) {
			*why = "the connection to the broker was lost";
			return -1;
		}
	}
	return 0;
}

static int
is_synced(const struct watch *w)
{
	return w->synced;
}

/* Connected and every retained online and state of the site read. */
static struct mosquitto *
watch_start(const struct campus_broker *a, const char *site, struct watch *w,
    const char **why)
{
	struct mosquitto	*m;
	struct timespec		 t0;
	char			 sub[200];

	snprintf(w->prefix, sizeof w->prefix, "gated/v1/%s/", site);
	snprintf(w->sync, sizeof w->sync, "%scampus/gatectl-sync/%ld-%ld",
	    w->prefix, (long)getpid(), (long)time(NULL));
	mosquitto_lib_init();
	if ((m = campus_connect(a, w, why)) == NULL)
		return NULL;
	mosquitto_message_callback_set(m, on_message);
	mosquitto_publish_callback_set(m, on_publish);
	snprintf(sub, sizeof sub, "%s+/online", w->prefix);
	mosquitto_subscribe(m, NULL, sub, 1);
	snprintf(sub, sizeof sub, "%s+/state", w->prefix);
	mosquitto_subscribe(m, NULL, sub, 1);
	mosquitto_subscribe(m, NULL, w->sync, 1);
	mosquitto_publish(m, NULL, w->sync, 1, "s", 1, false);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (run_until(m, w, is_synced, &t0, a->timeout_s, why) == -1 ||
	    (!w->synced && (*why = "the broker did not answer in time"))) {
		mosquitto_destroy(m);
		return NULL;
	}
	return m;
}

static void
watch_end(struct mosquitto *m, struct watch *w)
{
	size_t	i;

	if (m != NULL) {
		mosquitto_disconnect(m);
		mosquitto_destroy(m);
	}
	mosquitto_lib_cleanup();
	for (i = 0; i < w->n; i++)
		json_decref(w->rows[i].state);
	free(w->rows);
}

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gate_row *)a)->id,
	    ((const struct gate_row *)b)->id);
}

static const char *
online_word(int online)
{
	return online == 1 ? "yes" : online == 0 ? "no" : "?";
}

/* One gate's row after a command; counts its outcome. */
static void
steer_row(const struct watch *w, const struct gate_row *r,
    struct ctl_table *t, int count[4])
{
	const char	*cells[4];
	char		 detail[96];

	cells[0] = r->id;
	cells[1] = online_word(r->online);
	if (r->result == R_APPLIED) {
		cells[2] = "applied";
		snprintf(detail, sizeof detail, "%s %s, %.3f s",
		    command_what_name(w->c->what), w->c->value, r->at_s);
		count[0]++;
	} else if (r->result == R_REFUSED) {
		cells[2] = "refused";
		snprintf(detail, sizeof detail, "%s", r->reason);
		count[1]++;
	} else if (r->online != 1) {
		cells[2] = "offline";
		snprintf(detail, sizeof detail, "applies it on reconnecting");
		count[2]++;
	} else {
		cells[2] = "no answer";
		snprintf(detail, sizeof detail, "no state with seq %" PRIu64,
		    w->c->seq);
		count[3]++;
	}
	cells[3] = detail;
	ctl_table_add(t, cells);
}

/* The rows, the summary line and the exit code of a command. */
static int
steer_print(struct watch *w, double took, int json)
{
	static const char *const head[] = { "GATE", "ONLINE", "RESULT",
	    "DETAIL" };
	struct ctl_table	*t = ctl_table_new(4, head);
	json_t			*o, *gates;
	int			 count[4] = { 0, 0, 0, 0 };
	size_t			 i;
	static const char *const word[] = { "applied", "refused", "offline",
	    "no-answer" };

	qsort(w->rows, w->n, sizeof *w->rows, row_cmp);
	gates = json_array();
	for (i = 0; i < w->n; i++) {
		if (!concerned(w, &w->rows[i]))
			continue;
		steer_row(w, &w->rows[i], t, count);
		json_array_append_new(gates, json_pack("{s:s, s:b, s:s, s:s?}",
		    "gate", w->rows[i].id, "online", w->rows[i].online == 1,
		    "result", w->rows[i].result == R_APPLIED ? word[0] :
		    w->rows[i].result == R_REFUSED ? word[1] :
		    w->rows[i].online != 1 ? word[2] : word[3], "reason",
		    w->rows[i].result == R_REFUSED ? w->rows[i].reason : NULL));
	}
	if (json) {
		o = json_pack("{s:s, s:s, s:I, s:f, s:o}", "what",
		    command_what_name(w->c->what), "value", w->c->value, "seq",
		    (json_int_t)w->c->seq, "seconds", took, "gates", gates);
		json_dumpf(o, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(o);
	} else {
		json_decref(gates);
		ctl_table_print(t, stdout, "");
		printf("%s %s (seq %" PRIu64 "): %d applied, %d refused, "
		    "%d offline, %d no answer; %.3f s\n",
		    command_what_name(w->c->what), w->c->value, w->c->seq,
		    count[0], count[1], count[2], count[3], took);
	}
	ctl_table_free(t);
	if (count[1] > 0 || count[3] > 0)
		return 1;
	return count[2] > 0 || count[0] == 0 ? EXIT_OFFLINE : 0;
}

int
campus_steer(const struct campus_broker *a, const struct command *c,
    const char *text, int json)
{
	struct mosquitto	*m;
	struct watch		 w;
	const char		*why = NULL;
	char			 topic[256];
	double			 took;
	int			 rc;

	memset(&w, 0, sizeof w);
	if ((m = watch_start(a, c->site, &w, &why)) == NULL)
		goto fail;
	w.c = c;
	snprintf(w.key, sizeof w.key, "%s/%s", c->target,
	    command_what_name(c->what));
	if (strcmp(c->target, "campus") != 0)
		(void)row_get(&w, c->target, strlen(c->target));
	snprintf(topic, sizeof topic, "%s%s/%s", w.prefix, c->target,
	    command_what_name(c->what));
	clock_gettime(CLOCK_MONOTONIC, &w.t0);
	if (mosquitto_publish(m, &w.mid, topic, (int)strlen(text), text, 1,
	    true) != MOSQ_ERR_SUCCESS) {
		why = "the connection to the broker was lost";
		goto fail;
	}
	if (run_until(m, &w, all_answered, &w.t0, a->timeout_s, &why) == -1)
		goto fail;
	took = since(&w.t0);
	if (!w.acked) {
		why = "the broker did not acknowledge the command in time";
		goto fail;
	}
	rc = steer_print(&w, took, json);
	watch_end(m, &w);
	return rc;
fail:
	fprintf(stderr, "gatectl: %s: %s\n", a->broker, why);
	watch_end(m, &w);
	return EXIT_UNREACHABLE;
}

/* "2/3 up", or "-" when the state has none. */
static void
devices_cell(json_t *devs, char *buf, size_t len)
{
	json_t	*d;
	size_t	 i, up = 0;

	if (!json_is_array(devs) || json_array_size(devs) == 0) {
		snprintf(buf, len, "-");
		return;
	}
	json_array_foreach(devs, i, d) {
		if (json_is_true(json_object_get(d, "up")))
			up++;
	}
	snprintf(buf, len, "%zu/%zu up", up, json_array_size(devs));
}

/* One gate's row of `campus status`. */
static void
status_row(const struct gate_row *r, struct ctl_table *t)
{
	json_t		*s = r->state, *lv = json_object_get(s, "level");
	const char	*cells[8];
	char		 level[48], mode[64], alerts[24], devs[32], backlog[24];

	cells[0] = r->id;
	cells[1] = online_word(r->online);
	snprintf(level, sizeof level, "%" JSON_INTEGER_FORMAT " %s",
	    json_integer_value(json_object_get(lv, "number")),
	    json_string_value(json_object_get(lv, "name")) != NULL ?
	    json_string_value(json_object_get(lv, "name")) : "");
	snprintf(mode, sizeof mode, "%s (%s)",
	    ctl_json_text(s, "mode", mode, sizeof mode),
	    json_string_value(json_object_get(s, "mode_source")) != NULL ?
	    json_string_value(json_object_get(s, "mode_source")) : "-");
	snprintf(alerts, sizeof alerts, "%" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(json_object_get(s, "alerts"),
	    "active")));
	devices_cell(json_object_get(s, "devices"), devs, sizeof devs);
	snprintf(backlog, sizeof backlog, "%" JSON_INTEGER_FORMAT,
	    json_integer_value(json_object_get(s, "backlog")));
	cells[2] = s == NULL ? "-" : level;
	cells[3] = s == NULL ? "-" : mode;
	cells[4] = s == NULL ? "-" : alerts;
	cells[5] = s == NULL ? "-" : json_is_true(json_object_get(
	    json_object_get(s, "clock"), "synced")) ? "synced" : "unsynced";
	cells[6] = s == NULL ? "-" : devs;
	cells[7] = s == NULL ? "-" : backlog;
	ctl_table_add(t, cells);
}

static void
status_print(struct watch *w, int json)
{
	static const char *const head[] = { "GATE", "ONLINE", "LEVEL", "MODE",
	    "ALERTS", "CLOCK", "DEVICES", "BACKLOG" };
	struct ctl_table	*t;
	json_t			*o;
	size_t			 i;

	qsort(w->rows, w->n, sizeof *w->rows, row_cmp);
	if (json) {
		o = json_object();
		for (i = 0; i < w->n; i++)
			json_object_set_new(o, w->rows[i].id, json_pack(
			    "{s:b, s:O?}", "online", w->rows[i].online == 1,
			    "state", w->rows[i].state));
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\n");
		json_decref(o);
		return;
	}
	t = ctl_table_new(8, head);
	for (i = 0; i < w->n; i++)
		status_row(&w->rows[i], t);
	ctl_table_print(t, stdout, "");
	ctl_table_free(t);
}

/* Needs no gate: the broker's retained view, the request stays empty. */
int
cmd_campus_status(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = { CAMPUS_BROKER_OPTIONS,
		{ "site", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 } };
	struct campus_broker	 a;
	struct mosquitto	*m;
	struct watch		 w;
	const char		*site = NULL, *why = NULL;
	int			 ch, rc;

	(void)req;
	memset(&a, 0, sizeof a);
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch == 's')
			site = optarg;
		else if ((rc = campus_broker_option(&a, ch, optarg)) != 0)
			return rc == 1 ? EXIT_USAGE : rc;
	}
	if (argc > optind)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (site == NULL)
		return ctl_usage_error("--site is needed");
	if ((rc = campus_broker_check(&a)) != 0)
		return rc;
	memset(&w, 0, sizeof w);
	if ((m = watch_start(&a, site, &w, &why)) == NULL) {
		fprintf(stderr, "gatectl: %s: %s\n", a.broker, why);
		watch_end(NULL, &w);
		return EXIT_UNREACHABLE;
	}
	status_print(&w, ctl->json);
	watch_end(m, &w);
	return 0;
}
