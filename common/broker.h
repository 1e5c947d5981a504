/*
 * broker.h: the link from a program (gated, gated-hub) to one MQTT
 * broker (broker.c).  libmosquitto runs inside the caller's libevent
 * loop, on the priority the caller gives, so broker work waits behind
 * card work in a gate; there is no libmosquitto thread.  The link
 * connects out, keeps itself alive and reconnects with backoff on its
 * own; the broker being down is logged on each change of state and is
 * never fatal.  docs/mqtt.md says more.
 *
 * Every call below runs on the loop's thread.  The callbacks are called
 * from the loop (never from inside broker_new); they may call
 * broker_publish, broker_subscribe and broker_status, never broker_free.
 */
#ifndef GATED_BROKER_H
#define GATED_BROKER_H

#include <stdbool.h>
#include <stddef.h>

#include <event2/event.h>
#include <jansson.h>

/*
 * What to connect to and as whom.  The strings are copied by broker_new;
 * NULL or "" leaves an optional one unset.
 */
struct broker_conf {
	const char	*host;		/* name or address; names are resolved
					 * without blocking (evdns) */
	int		 port;		/* 1..65535; 8883 with TLS, else 1883 */
	const char	*client_id;	/* the MQTT client id, e.g. the gate */
	int		 keepalive_s;	/* 5..65535; a PINGREQ after this idle */

	/* TLS, on when ca_file is set: the broker's certificate must chain
	 * to ca_file and name host; TLS 1.2 or newer. */
	const char	*ca_file;
	const char	*cert_file;	/* this gate's certificate, PEM */
	const char	*key_file;	/* and its key, PEM, unencrypted */

	const char	*username;
	const char	*password_file;	/* first line is the password */

	/* The last will, published by the broker when the link dies
	 * without a clean disconnect (kill -9, a cut cable). */
	const char	*will_topic;
	const char	*will_payload;
	int		 will_qos;	/* 0 or 1 */
	bool		 will_retain;

	/* Reconnect backoff: the first retry after about retry_min_ms,
	 * doubling up to retry_max_ms, each delay drawn between half and
	 * all of it (jitter, so a campus of gates does not reconnect in
	 * step).  0 takes the defaults, 1000 and 60000. */
	int		 retry_min_ms;
	int		 retry_max_ms;
	/* Published QoS 1 messages on the wire without a PUBACK before
	 * libmosquitto holds the next ones back; 0 takes 1000. */
	int		 max_inflight;
	/* A persistent session (clean_session false): the broker keeps
	 * the subscriptions and queues QoS 1 messages for this client id
	 * while it is away (the hub).  false: a clean session (a gate). */
	bool		 persistent;
	/* Packets read in one turn of the loop while the socket has more:
	 * 0 or 1 for a gate (card work waits behind one at most), more for
	 * a consumer of a whole campus (the hub). */
	int		 read_burst;
};

/* Called on the loop with the arg given to broker_new. */
struct broker_cb {
	/* The broker accepted the connection (CONNACK 0); the
	 * subscriptions are renewed already. */
	void	(*on_connect)(void *arg);
	/* An established connection ended.  Messages not yet acknowledged
	 * may still be, after the reconnect (libmosquitto resends them),
	 * or never; a sender that must not lose any resends from its own
	 * record (the journal). */
	void	(*on_disconnect)(void *arg);
	/* A message on a subscribed topic; topic and payload are valid
	 * during the call only. */
	void	(*on_message)(const char *topic, const void *payload,
		    size_t len, bool retained, void *arg);
	/* The broker acknowledged the QoS 1 publish numbered mid. */
	void	(*on_publish_ack)(int mid, void *arg);
};

struct broker;

/*
 * Creates the link and starts connecting; returns at once.  Its events
 * run at priority prio of base (event_base_priority_init before).
 * callbacks may be NULL, as may each of its members.  Returns NULL with
 * *cause set (the caller frees it) when conf is wrong: a missing host or
 * client id, a value out of range, a TLS or password file that cannot
 * be read.  A broker that cannot be reached is not an error here.
 */
struct broker	*broker_new(struct event_base *base, int prio,
		    const struct broker_conf *conf,
		    const struct broker_cb *callbacks, void *arg, char **cause);

/*
 * Sends a clean DISCONNECT if connected (so the broker drops the will),
 * without waiting for it, and frees everything.  Nothing more is
 * published.  broker_free(NULL) does nothing.
 */
void		 broker_free(struct broker *);

/* Whether the broker has accepted the connection and it still stands. */
bool		 broker_connected(const struct broker *);

/*
 * Publishes len bytes of payload on topic with QoS 0 or 1.  *mid (when
 * not NULL) gets the message id that on_publish_ack reports for QoS 1;
 * ids are 16-bit and wrap.  Returns -1 when not connected or the
 * message was refused (topic, size), 0 when it is sent or queued: up to
 * max_inflight unacknowledged messages are on the wire, more wait in
 * libmosquitto's memory, so a sender with a backlog keeps its own
 * window (broker_queued).
 */
int		 broker_publish(struct broker *, const char *topic,
		    const void *payload, size_t len, int qos, bool retain,
		    int *mid);

/* QoS 1 messages published and not yet acknowledged. */
size_t		 broker_queued(const struct broker *);

/*
 * Subscribes to a topic filter with QoS 0 or 1, now if connected and
 * again on every reconnect (the session may be clean).  Returns -1 for a
 * bad filter.
 */
int		 broker_subscribe(struct broker *, const char *filter, int qos);

/*
 * The link for the gate's status, a new object the caller owns:
 * broker ("host:port"), state ("connected", "connecting", "waiting"),
 * connected, since_ms (wall clock of the last change of state), connects,
 * reconnects (connections after the first), attempts (failed ones since
 * the last connection), retry_in_ms (when waiting), last_error (or
 * null), queued (broker_queued), tls.
 */
json_t		*broker_status(const struct broker *);

#endif
