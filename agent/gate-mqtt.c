/*
 * gate-mqtt.c: the gate on the campus broker, an [mqtt] section.  It
 * publishes under gated/v1/<site>/<gate>/: online (retained, 1, the will
 * 0), state (retained, on a change, at most once a second), events (every
 * journal row, QoS 1) and alerts (raised and acknowledged rows, QoS 1).
 *
 * The journal is the outbox: the id up to which the broker acknowledged
 * every event is kept in the journal's state table ("mqtt_acked"); after
 * each connect the events after it are sent again, in id order, a page
 * at a time with at most MQTT_WINDOW unacknowledged, each page on its own
 * turn of the loop at the broker's (lowest) priority, so a backlog drains
 * between card decisions and never all at once.  docs/mqtt.md says more.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <mosquitto.h>

#include "agent.h"
#include "broker.h"

#define MQTT_WINDOW	100	/* events published, not yet acknowledged */
#define MQTT_PAGE	25	/* events read and sent in one turn of the loop */
#define MQTT_SAVE_MS	200	/* the acked id persisted at most this often */
#define MQTT_STATE_S	30	/* the state looked at even with no event */
#define MQTT_SUBS_MAX	8
#define MQTT_STATE_KEY	"mqtt_acked"

/* One event on the wire; id with mid -1 marks rows lost to retention. */
struct mqtt_flight {
	int		 mid;
	int64_t		 id;
	bool		 acked;
};

struct mqtt_sub {
	char		*filter;
	gate_mqtt_fn	 fn;
	void		*arg;
};

struct gate_mqtt {
	struct gate		*g;
	struct journal		*j;
	struct broker		*b;
	char			 prefix[256];	/* gated/v1/<site>/<gate>/ */
	char			 site_prefix[128];	/* gated/v1/<site>/ */
	int64_t			 acked;	/* every event up to it acknowledged */
	int64_t			 saved;	/* acked as last persisted */
	int64_t			 sent;	/* newest published on this link */
	int64_t			 pruned; /* rows retention took unsent */
	int64_t			 published;
	struct mqtt_flight	 fl[MQTT_WINDOW];
	int			 head, n;	/* a ring of fl */
	struct event		*ev_pump;	/* sends one page */
	struct event		*ev_tick;	/* persists, publishes state */
	struct event		*ev_state;	/* the state, after a command */
	int			 ticks;
	bool			 state_dirty;
	int64_t			 state_backlog;	/* in the last state made */
	char			*state_last;	/* as last published */
	struct mqtt_sub		 subs[MQTT_SUBS_MAX];
};

static void
topic(struct gate_mqtt *m, char *buf, size_t len, const char *leaf)
{
	snprintf(buf, len, "%s%s", m->prefix, leaf);
}

/* A message under the gate's prefix; -1 when not sent. */
static int
mqtt_send(struct gate_mqtt *m, const char *leaf, const char *payload,
    bool retain, int *mid)
{
	char	t[300];

	topic(m, t, sizeof t, leaf);
	return broker_publish(m->b, t, payload, strlen(payload), 1, retain,
	    mid);
}

/* What a consumer wants to know of the gate, not what moves each second. */
static char *
state_payload(struct gate_mqtt *m)
{
	json_t		*st = gate_status(m->g), *o, *lanes, *l, *clock;
	size_t		 i;
	int64_t		 last;
	char		*s;

	lanes = json_array();
	json_array_foreach(json_object_get(st, "lanes"), i, l)
		json_array_append_new(lanes, json_pack("{s:O, s:O}", "name",
		    json_object_get(l, "name"), "kind",
		    json_object_get(l, "kind")));
	clock = json_object_get(st, "clock");
	o = json_pack("{s:s, s:O, s:O, s:O, s:O, s:O, s:o, s:O, s:{s:O, s:O},"
	    " s:O, s:o}",
	    "gate", gate_conf(m->g)->id,
	    "mode", json_object_get(st, "mode"),
	    "mode_source", json_object_get(st, "mode_source"),
	    "level", json_object_get(st, "level"),
	    "emergency", json_object_get(st, "emergency"),
	    "locked", json_object_get(st, "locked"),
	    "lanes", lanes,
	    "alerts", json_object_get(st, "alert_counts"),
	    "clock", "synced", json_object_get(clock, "synced"),
	    "source", json_object_get(clock, "source"),
	    "devices", json_object_get(st, "devices"),
	    "campus", gate_campus_state(m->g));
	/* What the campus pushed and the gate runs (people list version,
	 * quarantine set): what `gatectl campus people push` waits for. */
	if (o != NULL)
		json_object_update(json_object_get(o, "campus"),
		    json_object_get(st, "campus"));
	/* As of this publish: large after a reconnect, 0 once drained. */
	last = journal_last_id(m->j);
	m->state_backlog = last > m->acked ? last - m->acked : 0;
	if (o != NULL)
		json_object_set_new(o, "backlog",
		    json_integer(m->state_backlog));
	s = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(o);
	json_decref(st);
	return s;
}

/* Publishes the state when it differs from the last one published. */
static void
state_publish(struct gate_mqtt *m, bool force)
{
	char	*s;

	m->state_dirty = false;
	if (!broker_connected(m->b) || (s = state_payload(m)) == NULL)
		return;
	if (!force && m->state_last != NULL && strcmp(s, m->state_last) == 0) {
		free(s);
		return;
	}
	if (mqtt_send(m, "state", s, true, NULL) == -1) {
		free(s);
		return;
	}
	free(m->state_last);
	m->state_last = s;
}

static void
flight_push(struct gate_mqtt *m, int mid, int64_t id, bool acked)
{
	struct mqtt_flight	*f = &m->fl[(m->head + m->n) % MQTT_WINDOW];

	f->mid = mid;
	f->id = id;
	f->acked = acked;
	m->n++;
	m->sent = id;
}

/* Rows retention deleted before the broker had them: said, not hidden. */
static void
outbox_gap(struct gate_mqtt *m, int64_t next)
{
	int64_t	lost = next - m->sent - 1;

	m->pruned += lost;
	log_warnx("mqtt: events %" PRId64 "-%" PRId64 " were deleted by "
	    "retention before the broker had them (%" PRId64 " lost)",
	    m->sent + 1, next - 1, lost);
	flight_push(m, -1, next - 1, true);
}

/* One event on events, and on alerts too when it raises or acks one. */
static int
outbox_send(struct gate_mqtt *m, json_t *ev)
{
	const char	*kind = json_string_value(json_object_get(ev, "kind"));
	int64_t		 id = json_integer_value(json_object_get(ev, "id"));
	char		*s;
	int		 mid, rc;

	if (id > m->sent + 1)
		outbox_gap(m, id);
	if (m->n == MQTT_WINDOW)
		return -1;
	if ((s = json_dumps(ev, JSON_COMPACT)) == NULL)
		return -1;
	rc = mqtt_send(m, "events", s, false, &mid);
	if (rc == 0 && kind != NULL && (strcmp(kind, "alert") == 0 ||
	    strcmp(kind, "ack") == 0))
		mqtt_send(m, "alerts", s, false, NULL);
	free(s);
	if (rc == -1)
		return -1;
	flight_push(m, mid, id, false);
	m->published++;
	return 0;
}

/*
 * One page of the outbox: the events after the last sent, as many as the
 * window has room for.  The next page waits for acknowledgements (each
 * PUBACK makes room and activates this again), so one call is bounded.
 */
static void
outbox_pump(evutil_socket_t fd, short what, void *arg)
{
	struct gate_mqtt	*m = arg;
	json_t			*page, *ev;
	size_t			 i;
	int			 room = MQTT_WINDOW - m->n;

	(void)fd;
	(void)what;
	if (!broker_connected(m->b) || room < 2)	/* a gap takes a slot */
		return;
	page = journal_events_json(m->j, m->sent, room - 1 < MQTT_PAGE ?
	    room - 1 : MQTT_PAGE);
	if (page == NULL)
		return;
	json_array_foreach(json_object_get(page, "events"), i, ev) {
		if (outbox_send(m, ev) == -1)
			break;
	}
	/* More room: the next page on a later turn, after any card work. */
	if (json_array_size(json_object_get(page, "events")) == MQTT_PAGE &&
	    m->n < MQTT_WINDOW - 1)
		event_active(m->ev_pump, 0, 0);
	json_decref(page);
}

static void
outbox_kick(struct gate_mqtt *m)
{
	/* Half the window free before the next page: pages, not drips. */
	if (broker_connected(m->b) && m->n <= MQTT_WINDOW / 2)
		event_active(m->ev_pump, 0, 0);
}

/* A PUBACK: acked advances over the front of the window that is done. */
static void
on_ack(int mid, void *arg)
{
	struct gate_mqtt	*m = arg;
	int			 i;

	for (i = 0; i < m->n; i++) {
		if (m->fl[(m->head + i) % MQTT_WINDOW].mid == mid) {
			m->fl[(m->head + i) % MQTT_WINDOW].acked = true;
			break;
		}
	}
	while (m->n > 0 && m->fl[m->head].acked) {
		m->acked = m->fl[m->head].id;
		m->head = (m->head + 1) % MQTT_WINDOW;
		m->n--;
	}
	/* Drained: the state said a backlog, say 0 now. */
	if (m->n == 0 && m->state_backlog > 0 &&
	    journal_last_id(m->j) == m->acked)
		event_active(m->ev_state, 0, 0);
	outbox_kick(m);
}

static void
outbox_save(struct gate_mqtt *m)
{
	char	buf[32];

	if (m->acked == m->saved)
		return;
	snprintf(buf, sizeof buf, "%" PRId64, m->acked);
	if (journal_state_set(m->j, MQTT_STATE_KEY, buf) == 0)
		m->saved = m->acked;
}

/* Every MQTT_SAVE_MS: the acked id to disk, the state once a second. */
static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gate_mqtt	*m = arg;

	(void)fd;
	(void)what;
	outbox_save(m);
	if (++m->ticks % (1000 / MQTT_SAVE_MS) != 0)
		return;
	/* Rows no listener hears of (acknowledgements are not announced). */
	if (journal_last_id(m->j) > m->sent) {
		m->state_dirty = true;
		outbox_kick(m);
	}
	/* The state said a backlog that has drained since: say 0. */
	if (m->state_backlog > 0 && journal_last_id(m->j) == m->acked)
		m->state_dirty = true;
	if (m->state_dirty || m->ticks % (MQTT_STATE_S * 1000 /
	    MQTT_SAVE_MS) == 0)
		state_publish(m, false);
}

/* Connected: online, the state, then the outbox from the acked id on. */
static void
on_connect(void *arg)
{
	struct gate_mqtt	*m = arg;

	log_info("mqtt: connected; sending the events after %" PRId64,
	    m->acked);
	m->head = m->n = 0;
	m->sent = m->acked;
	mqtt_send(m, "online", "1", true, NULL);
	state_publish(m, true);
	outbox_kick(m);
}

/* What was in flight is sent again after the next connect. */
static void
on_disconnect(void *arg)
{
	struct gate_mqtt	*m = arg;

	m->head = m->n = 0;
	m->sent = m->acked;
}

static void
on_message(const char *t, const void *payload, size_t len, bool retained,
    void *arg)
{
	struct gate_mqtt	*m = arg;
	bool			 match;
	int			 i;

	for (i = 0; i < MQTT_SUBS_MAX; i++) {
		if (m->subs[i].fn == NULL || mosquitto_topic_matches_sub(
		    m->subs[i].filter, t, &match) != MOSQ_ERR_SUCCESS ||
		    !match)
			continue;
		m->subs[i].fn(t, payload, len, retained, m->subs[i].arg);
	}
}

/* A level, a mode or a refused command: the state at once, not at the
 * next second, since `gatectl campus level set` waits for it.  Active
 * after the command's call returns, so its seq floor is written. */
static void
on_state(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	state_publish(arg, false);
}

/* Events change the outbox, and all but passages may change the state. */
static void
on_event(void *arg, const struct journal_event *ev)
{
	struct gate_mqtt	*m = arg;

	if (ev->kind == NULL || strcmp(ev->kind, "passage") != 0)
		m->state_dirty = true;
	if (ev->kind != NULL && (strcmp(ev->kind, "level") == 0 ||
	    strcmp(ev->kind, "mode") == 0 || strcmp(ev->kind, "command") == 0))
		event_active(m->ev_state, 0, 0);
	outbox_kick(m);
}

/* The link's part of the gate's status. */
static json_t *
mqtt_status(void *arg)
{
	struct gate_mqtt	*m = arg;
	json_t			*o = broker_status(m->b);
	int64_t			 last = journal_last_id(m->j);

	json_object_set_new(o, "topic", json_string(m->prefix));
	json_object_set_new(o, "acked_id", json_integer(m->acked));
	json_object_set_new(o, "sent_id", json_integer(m->sent));
	json_object_set_new(o, "backlog", json_integer(last > m->acked ?
	    last - m->acked : 0));
	json_object_set_new(o, "published", json_integer(m->published));
	json_object_set_new(o, "pruned_unsent", json_integer(m->pruned));
	return o;
}

static void
conf_from(const struct gate_conf *gc, struct broker_conf *bc, char *will,
    size_t len, const char *prefix)
{
	const struct mqtt_conf	*c = &gc->mqtt;

	memset(bc, 0, sizeof *bc);
	bc->host = c->host;
	bc->port = c->port;
	bc->client_id = c->client_id[0] != '\0' ? c->client_id : gc->id;
	bc->keepalive_s = c->keepalive_ms / 1000;
	bc->ca_file = c->ca;
	bc->cert_file = c->certificate;
	bc->key_file = c->key;
	bc->username = c->username;
	bc->password_file = c->password_file;
	snprintf(will, len, "%sonline", prefix);
	bc->will_topic = will;
	bc->will_payload = "0";
	bc->will_qos = 1;
	bc->will_retain = true;
}

struct gate_mqtt *
gate_mqtt_new(struct event_base *base, struct gate *g, char **cause)
{
	static const struct broker_cb	 cb = { .on_connect = on_connect,
	    .on_disconnect = on_disconnect, .on_message = on_message,
	    .on_publish_ack = on_ack };
	const struct gate_conf		*gc = gate_conf(g);
	struct gate_mqtt		*m;
	struct broker_conf		 bc;
	struct timeval			 tv = { 0, MQTT_SAVE_MS * 1000 };
	char				 will[300], *v;
	int				 prio = loop_http_priority(base);

	m = xcalloc(1, sizeof *m);
	m->g = g;
	m->j = gate_journal(g);
	snprintf(m->site_prefix, sizeof m->site_prefix, "gated/v1/%s/",
	    gc->mqtt.site);
	snprintf(m->prefix, sizeof m->prefix, "%s%s/", m->site_prefix, gc->id);
	if ((v = journal_state_get(m->j, MQTT_STATE_KEY)) != NULL) {
		m->acked = m->saved = strtoll(v, NULL, 10);
		free(v);
	}
	m->sent = m->acked;
	m->ev_pump = event_new(base, -1, 0, outbox_pump, m);
	m->ev_tick = event_new(base, -1, EV_PERSIST, on_tick, m);
	event_priority_set(m->ev_pump, prio);
	event_priority_set(m->ev_tick, prio);
	m->ev_state = event_new(base, -1, 0, on_state, m);
	event_priority_set(m->ev_state, prio);
	conf_from(gc, &bc, will, sizeof will, m->prefix);
	if ((m->b = broker_new(base, prio, &bc, &cb, m, cause)) == NULL) {
		gate_mqtt_free(m);
		return NULL;
	}
	event_add(m->ev_tick, &tv);
	gate_listen(g, on_event, m);
	gate_status_part(g, "mqtt", mqtt_status, m);
	log_info("mqtt: %s:%d as %s, events after %" PRId64 " to send",
	    gc->mqtt.host, gc->mqtt.port, bc.client_id, m->acked);
	return m;
}

/* A clean stop: online 0 (the will is not published then), acked saved. */
void
gate_mqtt_free(struct gate_mqtt *m)
{
	int	i;

	if (m == NULL)
		return;
	if (m->b != NULL) {
		gate_unlisten(m->g, on_event, m);
		gate_status_part(m->g, NULL, NULL, NULL);
		if (broker_connected(m->b))
			mqtt_send(m, "online", "0", true, NULL);
		broker_free(m->b);
	}
	outbox_save(m);
	if (m->ev_pump != NULL)
		event_free(m->ev_pump);
	if (m->ev_tick != NULL)
		event_free(m->ev_tick);
	if (m->ev_state != NULL)
		event_free(m->ev_state);
	for (i = 0; i < MQTT_SUBS_MAX; i++)
		free(m->subs[i].filter);
	free(m->state_last);
	free(m);
}

int
gate_mqtt_subscribe(struct gate_mqtt *m, const char *filter, gate_mqtt_fn fn,
    void *arg)
{
	int	i;

	for (i = 0; i < MQTT_SUBS_MAX; i++) {
		if (m->subs[i].fn != NULL)
			continue;
		if (broker_subscribe(m->b, filter, 1) == -1)
			return -1;
		m->subs[i].filter = xstrdup(filter);
		m->subs[i].fn = fn;
		m->subs[i].arg = arg;
		return 0;
	}
	return -1;
}

const char *
gate_mqtt_prefix(struct gate_mqtt *m, bool site)
{
	return site ? m->site_prefix : m->prefix;
}
