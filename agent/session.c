/*
 * session.c: the console's sign-in on the TLS listener, the HTTP side of
 * common/session.c.  A browser cannot keep a bearer token out of the
 * page's reach, so POST /v1/session trades a token for a session: a
 * cookie that stands for the token, and a CSRF token in the answer's body
 * (and GET /v1/session's) that must come back in X-CSRF-Token on every
 * request made with the cookie that is not a GET: a page of another origin
 * can make a browser send the cookie, never read that value.  The session
 * holds the token's SHA-256 and finds the [token] again on each request,
 * so a token removed by a reload ends its sessions.  A bearer request
 * needs none of this.  remote.c calls here before it looks for a token.
 *
 * All of it runs in the front (front.c, docs/privsep.md): the table is in
 * the front's memory and the tokens are the front's copy of the config's
 * hashes, so a new front starts with no sessions (the page signs in
 * again).  Nothing here journals: the caller sends each sign-in and out
 * to the gate, which checks the token's name and journals it.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "agent.h"
#include "clock.h"
#include "protocol.h"
#include "session.h"

#define SESSION_BODY_MAX	1024	/* {"token": ...} */

static const char *
header(struct evhttp_request *req, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

/* The [token] whose hash the session holds, in the config now, or NULL. */
static const struct token_conf *
session_token(const struct gate_conf *gc, const struct session *se)
{
	int	i;

	for (i = 0; i < gc->token_count; i++)
		if (CRYPTO_memcmp(gc->tokens[i].hash, se->key, 32) == 0)
			return &gc->tokens[i];
	return NULL;
}

/*
 * The live session of the request and its token in *tok, or NULL: none,
 * over, or its token gone from the config (the session goes with it).
 */
static struct session *
session_live(struct sessions *s, const struct gate_conf *gc,
    struct evhttp_request *req, const struct token_conf **tok)
{
	struct session	*se;

	if ((se = sessions_find(s, header(req, "Cookie"), mono_ms())) == NULL)
		return NULL;
	if ((*tok = session_token(gc, se)) == NULL) {
		sessions_close(se);
		return NULL;
	}
	return se;
}

bool
session_cookie_in(struct evhttp_request *req)
{
	return session_cookie_sent(header(req, "Cookie"));
}

static void
session_reply(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer	*buf = evbuffer_new();
	char		*text = json_dumps(body, JSON_COMPACT);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);

	evbuffer_add_printf(buf, "%s\n", text != NULL ? text : "{}");
	free(text);
	json_decref(body);
	evhttp_add_header(out, "Content-Type", "application/json");
	evhttp_add_header(out, "Cache-Control", "no-store");
	evhttp_add_header(out, GATED_PROTOCOL_HEADER, "1");
	evhttp_send_reply(req, code, code == 200 ? "OK" : "Error", buf);
	evbuffer_free(buf);
}

static json_t *
session_json(const struct session *se, const struct token_conf *tok)
{
	return json_pack("{s:b, s:s, s:s, s:s, s:I}", "signed_in", 1,
	    "name", tok->name, "role", auth_role_name(tok->role), "csrf",
	    se->csrf, "expires_ms", (json_int_t)se->expires_wall);
}

/* POST /v1/session {"token": ...}: a new session for a valid token. */
static enum session_result
session_sign_in(struct sessions *s, const struct gate_conf *gc,
    struct evhttp_request *req, const struct token_conf **signed_in)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	size_t			 len = evbuffer_get_length(in);
	const struct token_conf	*tok;
	struct session		*se;
	json_t			*body;
	const char		*token;
	char			 cookie[160];

	if (len > SESSION_BODY_MAX) {
		api_error(req, 413, "the body is {\"token\": \"TOKEN\"}");
		return SESSION_DONE;
	}
	body = json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, NULL);
	if ((token = json_string_value(json_object_get(body, "token"))) ==
	    NULL) {
		json_decref(body);
		api_error(req, 400, "the body is {\"token\": \"TOKEN\"}");
		return SESSION_DONE;
	}
	tok = auth_token_find(gc, token);
	json_decref(body);
	if (tok == NULL)
		return SESSION_BAD_TOKEN;
	se = sessions_open(s, tok->hash, mono_ms(), wall_ms());
	session_set_cookie(s, se, cookie, sizeof cookie);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", cookie);
	session_reply(req, 200, session_json(se, tok));
	*signed_in = tok;
	return SESSION_SIGNED_IN;
}

/* GET /v1/session: who the cookie is, and its CSRF token again. */
static enum session_result
session_whoami(struct sessions *s, const struct gate_conf *gc,
    struct evhttp_request *req, const struct token_conf **unused)
{
	struct session		*se;
	const struct token_conf	*tok = NULL;

	(void)unused;
	/* Not an error: a page asks this before it shows a sign-in. */
	if ((se = session_live(s, gc, req, &tok)) == NULL)
		session_reply(req, 200, json_pack("{s:b}", "signed_in", 0));
	else
		session_reply(req, 200, session_json(se, tok));
	return SESSION_DONE;
}

/* DELETE /v1/session: signs out, with the CSRF token as any change. */
static enum session_result
session_sign_out(struct sessions *s, const struct gate_conf *gc,
    struct evhttp_request *req, const struct token_conf **signed_out)
{
	struct session		*se;
	const struct token_conf	*tok = NULL;

	if ((se = session_live(s, gc, req, &tok)) == NULL) {
		api_error(req, 401, "not signed in");
		return SESSION_DONE;
	}
	if (session_csrf_check(se, header(req, "X-CSRF-Token")) == -1) {
		api_error(req, 403, "signing out needs the X-CSRF-Token header "
		    "of the session");
		return SESSION_DONE;
	}
	sessions_close(se);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", session_clear_cookie);
	session_reply(req, 200, json_pack("{s:b}", "signed_out", 1));
	*signed_out = tok;
	return SESSION_SIGNED_OUT;
}

/* The routes of /v1/session; test-routes checks them against docs/api.md. */
const struct session_route session_routes[] = {
	{ .method = "POST", .cmd = EVHTTP_REQ_POST, .handle = session_sign_in },
	{ .method = "GET", .cmd = EVHTTP_REQ_GET, .handle = session_whoami },
	{ .method = "DELETE", .cmd = EVHTTP_REQ_DELETE,
	  .handle = session_sign_out },
	{ .method = NULL }
};

/*
 * /v1/session: POST signs in (SESSION_BAD_TOKEN: the caller counts the
 * failure and answers 401), GET says who the cookie is, DELETE signs out;
 * SESSION_SIGNED_IN and _OUT name the token in *tok, for the journal.
 */
enum session_result
session_route(struct sessions *s, const struct gate_conf *gc,
    struct evhttp_request *req, const struct token_conf **tok)
{
	const struct session_route	*r;

	for (r = session_routes; r->method != NULL; r++)
		if (r->cmd == (int)evhttp_request_get_command(req))
			return r->handle(s, gc, req, tok);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    "POST, GET, DELETE");
	api_error(req, 405, "use POST to sign in, GET, or DELETE to sign out");
	return SESSION_DONE;
}

/*
 * A request with a session cookie and no bearer token: its token in *tok
 * (0), or -1 when answered: 401 no such session, 403 a request that is not
 * a GET (or HEAD) without the session's X-CSRF-Token.
 */
int
session_auth(struct sessions *s, const struct gate_conf *gc,
    struct evhttp_request *req, const struct token_conf **tok)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct session		*se;

	if ((se = session_live(s, gc, req, tok)) == NULL) {
		api_error(req, 401, "the session is over: sign in again");
		return -1;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD &&
	    session_csrf_check(se, header(req, "X-CSRF-Token")) == -1) {
		log_warnx("session: %s refused for token %s: no or a wrong "
		    "X-CSRF-Token", evhttp_request_get_uri(req), (*tok)->name);
		api_error(req, 403, "a change made with a session cookie needs "
		    "its X-CSRF-Token header");
		return -1;
	}
	return 0;
}
