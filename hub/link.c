/*
 * link.c: the hub on the campus broker.  One persistent session (clean
 * session off, a fixed client id, QoS 1 subscriptions), so the broker
 * queues what the gates publish while the hub is down or restarting, and
 * hands it over at the next connect.  Each message on
 * gated/v1/<site>/<gate>/{events,state,alerts,online} goes to ingest.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

static const char *const link_topics[] = { "events", "state", "alerts",
    "online" };

struct hub_link {
	struct hub	*hub;
	struct broker	*broker;
	char		 prefix[128];	/* gated/v1/<site>/ */
	long long	 messages, foreign;
};

/* gated/v1/<site>/<gate>/<what>: the gate and what, or -1. */
static int
link_parse(struct hub_link *l, const char *topic, char *gate, size_t gsize,
    const char **what)
{
	const char	*g, *slash;
	size_t		 plen = strlen(l->prefix), i;

	if (strncmp(topic, l->prefix, plen) != 0)
		return -1;
	g = topic + plen;
	if ((slash = strchr(g, '/')) == NULL || slash == g ||
	    (size_t)(slash - g) >= gsize || strspn(g, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != (size_t)(slash - g))
		return -1;
	for (i = 0; i < sizeof link_topics / sizeof link_topics[0]; i++)
		if (strcmp(slash + 1, link_topics[i]) == 0) {
			memcpy(gate, g, slash - g);
			gate[slash - g] = '\0';
			*what = link_topics[i];
			return 0;
		}
	return -1;
}

static void
link_on_message(const char *topic, const void *payload, size_t len,
    bool retained, void *arg)
{
	struct hub_link	*l = arg;
	const char	*what;
	char		 gate[HUB_NAME_LEN];

	(void)retained;
	if (strncmp(topic, l->prefix, strlen(l->prefix)) == 0 &&
	    strncmp(topic + strlen(l->prefix), "campus/", 7) == 0) {
		if (l->hub->campus_cb != NULL)
			l->hub->campus_cb(l->hub->campus_arg, topic +
			    strlen(l->prefix) + 7, payload, len);
		return;
	}
	if (link_parse(l, topic, gate, sizeof gate, &what) == -1) {
		l->foreign++;
		log_debug("%s: %s: not a gate's topic", __func__, topic);
		return;
	}
	l->messages++;
	ingest_message(l->hub->ingest, gate, what, payload, len);
}

static void
link_on_connect(void *arg)
{
	struct hub_link	*l = arg;

	log_info("mqtt: connected to %s:%d as %s (persistent session)",
	    l->hub->conf->mqtt.host, l->hub->conf->mqtt.port,
	    l->hub->conf->mqtt.client_id);
}

struct hub_link *
hub_link_new(struct hub *hub, char **cause)
{
	const struct hub_conf	*hc = hub->conf;
	struct broker_conf	 bc;
	struct broker_cb	 cb = { .on_connect = link_on_connect,
				    .on_message = link_on_message };
	struct hub_link		*l = xcalloc(1, sizeof *l);
	char			 filter[256];
	size_t			 i;

	l->hub = hub;
	snprintf(l->prefix, sizeof l->prefix, "gated/v1/%s/", hc->hub.site);
	memset(&bc, 0, sizeof bc);
	bc.host = hc->mqtt.host;
	bc.port = hc->mqtt.port;
	bc.client_id = hc->mqtt.client_id;
	bc.keepalive_s = hc->mqtt.keepalive_s;
	bc.ca_file = hc->mqtt.ca;
	bc.cert_file = hc->mqtt.certificate;
	bc.key_file = hc->mqtt.key;
	bc.persistent = true;
	bc.read_burst = 256;
	if ((l->broker = broker_new(hub->base, 0, &bc, &cb, l, cause)) ==
	    NULL) {
		free(l);
		return NULL;
	}
	for (i = 0; i < sizeof link_topics / sizeof link_topics[0]; i++) {
		snprintf(filter, sizeof filter, "%s+/%s", l->prefix,
		    link_topics[i]);
		if (broker_subscribe(l->broker, filter, 1) == -1) {
			xasprintf(cause, "mqtt: cannot subscribe %s", filter);
			hub_link_free(l);
			return NULL;
		}
	}
	/* What the campus pushed last: the next seq counts from it. */
	snprintf(filter, sizeof filter, "%scampus/+", l->prefix);
	if (broker_subscribe(l->broker, filter, 1) == -1) {
		xasprintf(cause, "mqtt: cannot subscribe %s", filter);
		hub_link_free(l);
		return NULL;
	}
	return l;
}

int
hub_link_publish(struct hub_link *l, const char *leaf, const char *text,
    bool retain)
{
	char	topic[256];

	if (l == NULL)
		return -1;
	snprintf(topic, sizeof topic, "%s%s", l->prefix, leaf);
	return broker_publish(l->broker, topic, text, strlen(text), 1, retain,
	    NULL);
}

void
hub_link_free(struct hub_link *l)
{
	if (l == NULL)
		return;
	broker_free(l->broker);
	free(l);
}

json_t *
hub_link_status(const struct hub_link *l)
{
	json_t	*st = broker_status(l->broker);

	json_object_set_new(st, "topics", json_sprintf("%s+/{events,state,"
	    "alerts,online}", l->prefix));
	json_object_set_new(st, "messages", json_integer(l->messages));
	json_object_set_new(st, "foreign", json_integer(l->foreign));
	return st;
}
