/*
 * ingest.c: the gates' messages into the campus journal.  Messages are
 * held in memory for at most [hub] flush (50 ms) or batch-max of them and
 * then written in one transaction, which is what makes ingest fast on
 * both databases (one fsync per batch, not per event).  Events go in with
 * INSERT ... ON CONFLICT (gate, id) DO NOTHING, so the gates'
 * at-least-once delivery lands exactly once; a conflict is a duplicate,
 * counted.  gaps.c follows each gate's ids, alerts.c the alerts topic.
 * After the commit, and only then, the events go to the SSE stream and
 * the new alerts to the webhook.  A batch that fails to commit is rolled
 * back and kept, and tried again a second later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "clock.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

#define INGEST_RETRY_MS		1000

struct ingest_msg {
	char		 gate[HUB_NAME_LEN];
	const char	*what;		/* link.c's static topic names */
	char		*payload;	/* NUL-terminated copy */
	size_t		 len;
	json_t		*row;		/* an event stored now: for the stream */
};

struct ingest {
	struct hub		*hub;
	struct event		*timer;
	struct event		*tick;		/* a hole's grace running out */
	struct ingest_msg	*msgs;
	size_t			 nmsgs, cap;
	bool			 armed, failing;
	/* Counters since start, for the status and /metrics. */
	long long		 messages, events, duplicates, bad, batches;
	long long		 failures, states, onlines;
	int64_t			 last_ms;	/* the last batch's time */
	size_t			 largest;
};

static const char sql_event[] =
    "INSERT INTO events (gate, id, ts_ms, kind, lane, direction, person, "
    "category, zone, verdict, reason, temp_c, actor, alert_id, detail, body) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (gate, id) DO NOTHING";
static const char sql_gate_new[] =
    "INSERT INTO gates (gate, online, contiguous, max_id) VALUES (?, 0, 0, 0) "
    "ON CONFLICT (gate) DO NOTHING";
static const char sql_gate_state[] =
    "UPDATE gates SET state = ?, last_seen_ms = ? WHERE gate = ?";
static const char sql_gate_online[] =
    "UPDATE gates SET online = ?, last_seen_ms = ? WHERE gate = ?";

/* A JSON value as SQL text into buf: a string, a number, or NULL. */
static const char *
ingest_text(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, size, "%.17g", json_real_value(v));
		return buf;
	}
	return NULL;
}

/* The gate's row, made when the gate is first heard of. */
static int
ingest_gate(struct db *db, const char *gate)
{
	const char	*p[1] = { gate };

	return db_exec(db, sql_gate_new, 1, p);
}

/* One event: stored (or a duplicate), its id to gaps.c. */
static int
ingest_event(struct ingest *in, struct ingest_msg *m, json_t *row)
{
	static const char *const cols[] = { "kind", "lane", "direction",
	    "person", "category", "zone", "verdict", "reason", "temp",
	    "actor", "alert_id", "detail" };
	char		 bufs[15][32];
	const char	*p[16];
	json_t		*id = json_object_get(row, "id");
	size_t		 i;

	if (!json_is_integer(id) || json_integer_value(id) < 1 ||
	    !json_is_integer(json_object_get(row, "ts_ms")) ||
	    !json_is_string(json_object_get(row, "kind"))) {
		in->bad++;
		log_warnx("ingest: %s: an event without id, ts_ms or kind "
		    "dropped", m->gate);
		return 0;
	}
	p[0] = m->gate;
	p[1] = ingest_text(id, bufs[0], sizeof bufs[0]);
	p[2] = ingest_text(json_object_get(row, "ts_ms"), bufs[1],
	    sizeof bufs[1]);
	for (i = 0; i < sizeof cols / sizeof cols[0]; i++)
		p[3 + i] = ingest_text(json_object_get(row, cols[i]),
		    bufs[2 + i], sizeof bufs[2 + i]);
	p[15] = m->payload;
	if (db_exec(in->hub->db, sql_event, 16, p) == -1)
		return -1;
	if (db_changes(in->hub->db) == 1) {
		in->events++;
		m->row = json_incref(row);
	} else
		in->duplicates++;
	return gaps_seen(in->hub->gaps, m->gate,
	    (long long)json_integer_value(id));
}

/* One message, inside the batch's transaction: 0 | -1 (database). */
static int
ingest_one(struct ingest *in, struct ingest_msg *m, const char *now)
{
	struct db	*db = in->hub->db;
	json_error_t	 jerr;
	json_t		*row = NULL;
	const char	*p[3];
	int		 rc = 0;

	if (!gaps_known(in->hub->gaps, m->gate) &&
	    ingest_gate(db, m->gate) == -1)
		return -1;
	if (strcmp(m->what, "online") == 0) {
		in->onlines++;
		p[0] = m->len == 1 && m->payload[0] == '1' ? "1" : "0";
		p[1] = now;
		p[2] = m->gate;
		return db_exec(db, sql_gate_online, 3, p);
	}
	if (m->len == 0) {
		/* A retained message cleared: nothing to keep. */
		return 0;
	}
	if ((row = json_loadb(m->payload, m->len, 0, &jerr)) == NULL ||
	    !json_is_object(row)) {
		in->bad++;
		log_warnx("ingest: %s/%s: not a JSON object: %s", m->gate,
		    m->what, row == NULL ? jerr.text : "");
		json_decref(row);
		return 0;
	}
	if (strcmp(m->what, "state") == 0) {
		in->states++;
		p[0] = m->payload;
		p[1] = now;
		p[2] = m->gate;
		rc = db_exec(db, sql_gate_state, 3, p);
	} else if (strcmp(m->what, "events") == 0)
		rc = ingest_event(in, m, row);
	else if (strcmp(m->what, "alerts") == 0)
		rc = alerts_gate_row(in->hub->alerts, m->gate, row);
	json_decref(row);
	return rc;
}

static void
ingest_clear(struct ingest *in)
{
	size_t	i;

	for (i = 0; i < in->nmsgs; i++) {
		free(in->msgs[i].payload);
		json_decref(in->msgs[i].row);
	}
	in->nmsgs = 0;
}

static void
ingest_arm(struct ingest *in, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(in->timer, &tv);
	in->armed = true;
}

/*
 * Long: the batch's one transaction, from BEGIN to what follows the
 * commit, reads best in one piece: each step's failure rolls it all back.
 */
int
ingest_flush(struct ingest *in)
{
	struct db	*db = in->hub->db;
	char		 now[24];
	size_t		 i;

	if (in->armed) {
		evtimer_del(in->timer);
		in->armed = false;
	}
	if (in->nmsgs == 0 && !gaps_due(in->hub->gaps))
		return 0;
	snprintf(now, sizeof now, "%lld", (long long)wall_ms());
	if (db_begin(db) == -1)
		goto fail;
	for (i = 0; i < in->nmsgs; i++) {
		json_decref(in->msgs[i].row);
		in->msgs[i].row = NULL;
		if (ingest_one(in, &in->msgs[i], now) == -1)
			goto rollback;
	}
	if (gaps_settle(in->hub->gaps) == -1 || db_commit(db) == -1)
		goto rollback;
	in->batches++;
	in->last_ms = wall_ms();
	if (in->nmsgs > in->largest)
		in->largest = in->nmsgs;
	if (in->failing)
		log_info("ingest: the database takes batches again");
	in->failing = false;
	for (i = 0; i < in->nmsgs; i++)
		if (in->msgs[i].row != NULL)
			hub_stream_event(in->hub->stream, in->msgs[i].gate,
			    in->msgs[i].row);
	alerts_settle(in->hub->alerts);
	ingest_clear(in);
	return 0;
rollback:
	{
		char	keep[512];

		snprintf(keep, sizeof keep, "%s", db_error(db));
		db_rollback(db);
		gaps_reset(in->hub->gaps);
		alerts_reset(in->hub->alerts);
		if (!in->failing)
			log_warnx("ingest: a batch of %zu: %s; kept, tried "
			    "again every %d ms", in->nmsgs, keep,
			    INGEST_RETRY_MS);
	}
fail:
	in->failures++;
	in->failing = true;
	ingest_arm(in, INGEST_RETRY_MS);
	return -1;
}

static void
ingest_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct ingest	*in = arg;

	(void)fd;
	(void)what;
	in->armed = false;
	ingest_flush(in);
}

static void
ingest_on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct ingest	*in = arg;

	(void)fd;
	(void)what;
	if (!in->armed && in->nmsgs == 0 && gaps_due(in->hub->gaps))
		ingest_flush(in);
}

void
ingest_message(struct ingest *in, const char *gate, const char *what,
    const void *payload, size_t len)
{
	struct ingest_msg	*m;

	if (in->nmsgs == in->cap) {
		in->cap = in->cap == 0 ? 256 : in->cap * 2;
		in->msgs = xreallocarray(in->msgs, in->cap, sizeof *in->msgs);
	}
	m = &in->msgs[in->nmsgs++];
	snprintf(m->gate, sizeof m->gate, "%s", gate);
	m->what = what;
	m->payload = xmalloc(len + 1);
	memcpy(m->payload, payload, len);
	m->payload[len] = '\0';
	m->len = len;
	m->row = NULL;
	in->messages++;
	if (in->failing)
		return;		/* the retry timer flushes */
	if (in->nmsgs >= (size_t)in->hub->conf->hub.batch_max)
		ingest_flush(in);
	else if (!in->armed)
		ingest_arm(in, in->hub->conf->hub.flush_ms);
}

struct ingest *
ingest_new(struct hub *hub)
{
	struct ingest	*in = xcalloc(1, sizeof *in);
	struct timeval	 half = { 0, 500000 };

	in->hub = hub;
	if ((in->timer = evtimer_new(hub->base, ingest_on_timer, in)) == NULL ||
	    (in->tick = event_new(hub->base, -1, EV_PERSIST, ingest_on_tick,
	    in)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(in->tick, &half);
	return in;
}

void
ingest_free(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->nmsgs > 0 && ingest_flush(in) == -1)
		log_warnx("ingest: %zu messages not stored at exit", in->nmsgs);
	ingest_clear(in);
	free(in->msgs);
	event_free(in->timer);
	event_free(in->tick);
	free(in);
}

json_t *
ingest_status(const struct ingest *in)
{
	return json_pack("{sI sI sI sI sI sI sI sI sI sI sb}",
	    "messages", (json_int_t)in->messages,
	    "events", (json_int_t)in->events,
	    "duplicates", (json_int_t)in->duplicates,
	    "bad", (json_int_t)in->bad,
	    "states", (json_int_t)in->states,
	    "onlines", (json_int_t)in->onlines,
	    "batches", (json_int_t)in->batches,
	    "failures", (json_int_t)in->failures,
	    "pending", (json_int_t)in->nmsgs,
	    "largest_batch", (json_int_t)in->largest,
	    "failing", in->failing);
}

void
ingest_metrics(const struct ingest *in, struct evbuffer *b)
{
	evbuffer_add_printf(b,
	    "# TYPE gated_hub_events_total counter\n"
	    "gated_hub_events_total %lld\n"
	    "# TYPE gated_hub_duplicates_total counter\n"
	    "gated_hub_duplicates_total %lld\n"
	    "# TYPE gated_hub_bad_messages_total counter\n"
	    "gated_hub_bad_messages_total %lld\n"
	    "# TYPE gated_hub_batch_failures_total counter\n"
	    "gated_hub_batch_failures_total %lld\n"
	    "# TYPE gated_hub_pending gauge\n"
	    "gated_hub_pending %zu\n",
	    in->events, in->duplicates, in->bad, in->failures, in->nmsgs);
}
