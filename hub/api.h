/*
 * api.h: what the hub's API files share (api.c: the listener, the route
 * table, tokens and roles; api-*.c: the handlers; stream.c; metrics.c).
 */
#ifndef GATED_HUB_API_H
#define GATED_HUB_API_H

#include <event2/http.h>

#include "hub.h"

#define API_CAPTURES	4
#define API_BODY_MAX	65536
#define API_PEOPLE_BODY_MAX ((size_t)16 << 20)	/* a people list */

/* One request as the handler sees it, after the route and token checks. */
struct api_req {
	struct hub		*hub;
	struct evhttp_request	*req;
	int			 role;			/* enum hub_role */
	char			 actor[HUB_NAME_LEN + 8];	/* token:NAME */
	/* The path's '*' segments, in order, decoded. */
	char			 cap[API_CAPTURES][128];
};

/* One route: method, path ('*' matches one segment), role, handler. */
struct api_route {
	enum evhttp_cmd_type	 method;
	const char		*path;
	int			 role;		/* the least a token needs */
	void			(*fn)(struct api_req *);
	const char		*help;
};
/* The one path whose routes need no token (the handlers check). */
#define API_OPEN_PATH	"/v1/session"

extern const struct api_route	hub_api_routes[];

/* api-reply.c: the answers. */
void	api_json(struct api_req *, int code, json_t *);	/* steals */
void	api_error(struct api_req *, int code, const char *why);
/* A query parameter, or NULL. */
const char *api_query(struct api_req *, const char *key, char *buf,
	    size_t size);
/* The request's body as a JSON object, or NULL (answered 400). */
json_t	*api_body(struct api_req *);
/* Person ids and temperatures out of doc for roles below guard. */
json_t	*api_redact(struct api_req *, json_t *doc);

/* api-campus.c */
void	api_status(struct api_req *);
void	api_gates(struct api_req *);
void	api_events(struct api_req *);
void	api_alerts(struct api_req *);
void	api_alert_ack(struct api_req *);
/* An event as the API and the stream give it: the gate's JSON + "gate". */
json_t	*api_event_json(const char *gate, const char *body);

/* api-report.c: the epidemic office's campus report and contacts. */
void	api_report(struct api_req *);
void	api_contacts(struct api_req *);
/* Waits for the report thread, if one runs, and drops its answer. */
void	api_report_wait(void);

/* api-console.c: GET / and /console/NAME; true when answered. */
bool	api_console(struct api_req *, const char *path);

/* api-session.c: the console's sign-in (POST, GET, DELETE /v1/session)
 * and a request's session: 0 with *tok, or -1 when answered. */
void	api_session_in(struct api_req *);
void	api_session_get(struct api_req *);
void	api_session_out(struct api_req *);
int	api_session_auth(struct api_req *, const struct hub_token **tok);
bool	api_session_cookie(struct api_req *);
void	api_session_free(void);

/* api-steer.c: the campus level and a gate's mode, signed, published. */
void	api_campus_level(struct api_req *);
void	api_campus_mode(struct api_req *);

/* api-people.c: the campus people list and quarantine set. */
void	api_people_post(struct api_req *);
void	api_people_versions(struct api_req *);
void	api_people_search(struct api_req *);
void	api_people_quarantine(struct api_req *);

/* stream.c */
void	api_events_stream(struct api_req *);
void	api_gate_events_stream(struct api_req *);

/* api-gate.c: one gate through the hub, in the gate's own shapes. */
void	api_gate_status(struct api_req *);
void	api_gate_events(struct api_req *);
void	api_gate_alerts(struct api_req *);

/* metrics.c */
void	api_metrics(struct api_req *);

#endif
