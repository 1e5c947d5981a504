/*
 * metrics.c: GET /metrics, the hub in the Prometheus text format: ingest
 * counters, each gate's missing events (gated_hub_gap_events{gate}), the
 * broker link, active alerts, the webhook and the stream.
 */
#include <event2/buffer.h>
#include <event2/http.h>

#include "api.h"

void
api_metrics(struct api_req *r)
{
	struct hub	*hub = r->hub;
	struct evbuffer	*b = evbuffer_new();
	json_t		*link = hub_link_status(hub->link);
	json_t		*wh = webhook_status(hub->webhook);

	ingest_metrics(hub->ingest, b);
	gaps_metrics(hub->gaps, b);
	evbuffer_add_printf(b,
	    "# TYPE gated_hub_broker_connected gauge\n"
	    "gated_hub_broker_connected %d\n"
	    "# TYPE gated_hub_alerts_active gauge\n"
	    "gated_hub_alerts_active %lld\n"
	    "# TYPE gated_hub_webhook_delivered_total counter\n"
	    "gated_hub_webhook_delivered_total %lld\n"
	    "# TYPE gated_hub_webhook_given_up_total counter\n"
	    "gated_hub_webhook_given_up_total %lld\n"
	    "# TYPE gated_hub_stream_clients gauge\n"
	    "gated_hub_stream_clients %zu\n",
	    json_is_true(json_object_get(link, "connected")),
	    alerts_active(hub->alerts),
	    (long long)json_integer_value(json_object_get(wh, "delivered")),
	    (long long)json_integer_value(json_object_get(wh, "given_up")),
	    hub_stream_clients(hub->stream));
	json_decref(link);
	json_decref(wh);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Content-Type", "text/plain; version=0.0.4");
	evhttp_send_reply(r->req, 200, "OK", b);
	evbuffer_free(b);
}
