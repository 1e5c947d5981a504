/*
 * session.c: the console's sign-in over TLS.  A browser cannot keep a
 * bearer token out of the page's reach, so POST /v1/session trades a
 * token for a session: a random 256-bit id in an HttpOnly, Secure,
 * SameSite=Strict cookie, kept only in this process's memory with the
 * token's SHA-256 (looked up in the config on every request, so a token
 * removed by a reload ends its sessions) and an expiry.  A second random
 * value, the CSRF token, is given in the answer's body (and by GET
 * /v1/session) and must come back in X-CSRF-Token on every request that
 * is not a GET made with the cookie: a page of another origin can make a
 * browser send the cookie, never read the value.  A bearer request needs
 * none of this.  remote.c calls here before it looks for a token.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "agent.h"
#include "clock.h"
#include "protocol.h"

#define SESSION_ID_BYTES	32	/* 256 bits: unguessable */
#define SESSION_HEX		(SESSION_ID_BYTES * 2 + 1)
#define SESSION_BODY_MAX	1024	/* {"token": ...} */

struct session {
	char		 id[SESSION_HEX];	/* "": a free slot */
	char		 csrf[SESSION_HEX];
	uint8_t		 hash[32];		/* the token's SHA-256 */
	int64_t		 expires;		/* mono ms */
	int64_t		 expires_wall;		/* what the page is told */
};

struct sessions {
	struct session	*v;
	int		 n;
	int64_t		 ttl_ms;
};

struct sessions *
sessions_new(int max, int64_t ttl_ms)
{
	struct sessions	*s = xcalloc(1, sizeof *s);

	s->v = xcalloc(max, sizeof *s->v);
	s->n = max;
	s->ttl_ms = ttl_ms;
	return s;
}

void
sessions_free(struct sessions *s)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s->v, s->n * sizeof *s->v);
	free(s->v);
	free(s);
}

/* 32 random bytes as 64 hex digits; fatal if the generator fails. */
static void
random_hex(char out[SESSION_HEX])
{
	uint8_t	b[SESSION_ID_BYTES];
	int	i;

	if (RAND_bytes(b, sizeof b) != 1)
		fatalx("session: RAND_bytes failed");
	for (i = 0; i < SESSION_ID_BYTES; i++)
		snprintf(out + i * 2, 3, "%02x", b[i]);
	OPENSSL_cleanse(b, sizeof b);
}

/* The session= value of a Cookie header, copied into id, or -1. */
static int
cookie_id(const char *cookie, char id[SESSION_HEX])
{
	const char	*p = cookie;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " ;");
		if (strncmp(p, "session=", 8) == 0) {
			p += 8;
			n = strcspn(p, "; ");
			if (n != SESSION_HEX - 1)
				return -1;
			memcpy(id, p, n);
			id[n] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -1;
}

/* The [token] whose hash the session holds, in the config now, or NULL. */
static const struct token_conf *
session_token(const struct gate_conf *gc, const struct session *se)
{
	int	i;

	for (i = 0; i < gc->token_count; i++)
		if (CRYPTO_memcmp(gc->tokens[i].hash, se->hash, 32) == 0)
			return &gc->tokens[i];
	return NULL;
}

/* The live session of a request's cookie, or NULL (expired ones go). */
static struct session *
session_of(struct sessions *s, struct evhttp_request *req)
{
	const char	*cookie = evhttp_find_header(
			    evhttp_request_get_input_headers(req), "Cookie");
	char		 id[SESSION_HEX];
	int64_t		 now = mono_ms();
	int		 i;
	struct session	*found = NULL;

	if (cookie == NULL || cookie_id(cookie, id) == -1)
		return NULL;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].id[0] != '\0' && s->v[i].expires <= now)
			memset(&s->v[i], 0, sizeof s->v[i]);
		if (s->v[i].id[0] != '\0' && CRYPTO_memcmp(s->v[i].id, id,
		    SESSION_HEX) == 0)
			found = &s->v[i];
	}
	return found;
}

/*
 * The live session of the request and its token in *tok, or NULL: none,
 * over, or its token gone from the config (the session goes with it).
 */
static struct session *
session_live(struct sessions *s, struct gate *g, struct evhttp_request *req,
    const struct token_conf **tok)
{
	struct session	*se;

	if ((se = session_of(s, req)) == NULL)
		return NULL;
	if ((*tok = session_token(gate_conf(g), se)) == NULL) {
		memset(se, 0, sizeof *se);
		return NULL;
	}
	return se;
}

bool
session_cookie_sent(struct evhttp_request *req)
{
	char		 id[SESSION_HEX];
	const char	*cookie = evhttp_find_header(
			    evhttp_request_get_input_headers(req), "Cookie");

	return cookie != NULL && cookie_id(cookie, id) == 0;
}

/* 0 when the request carries the session's CSRF token, else -1. */
static int
session_csrf_ok(const struct session *se, struct evhttp_request *req)
{
	const char	*h = evhttp_find_header(
			    evhttp_request_get_input_headers(req),
			    "X-CSRF-Token");

	if (h == NULL || strlen(h) != SESSION_HEX - 1 ||
	    CRYPTO_memcmp(h, se->csrf, SESSION_HEX - 1) != 0)
		return -1;
	return 0;
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
	    "name", tok->name, "role",
	    auth_role_name(tok->role), "csrf", se->csrf, "expires_ms",
	    (json_int_t)se->expires_wall);
}

/* Journals a sign-in or out: kind auth, the actor as every change has it. */
static void
session_journal(struct gate *g, const struct token_conf *tok,
    const char *what, const char *addr)
{
	struct journal_event	ev;
	char			actor[64], detail[96];

	memset(&ev, 0, sizeof ev);
	snprintf(actor, sizeof actor, "token:%s", tok->name);
	snprintf(detail, sizeof detail, "console session from %s", addr);
	ev.kind = "auth";
	ev.reason = what;
	ev.actor = actor;
	ev.detail = detail;
	gate_record(g, &ev);
}

/* POST /v1/session {"token": ...}: a new session, the oldest making room. */
static enum session_result
session_sign_in(struct sessions *s, struct gate *g, struct evhttp_request *req,
    const char *addr)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	size_t			 len = evbuffer_get_length(in);
	const struct token_conf	*tok;
	struct session		*se = NULL;
	json_t			*body;
	const char		*token;
	char			 cookie[160];
	int			 i;

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
	tok = auth_token_find(gate_conf(g), token);
	json_decref(body);
	if (tok == NULL)
		return SESSION_BAD_TOKEN;
	/* A free slot, else the one that would expire first. */
	se = &s->v[0];
	for (i = 1; i < s->n && se->id[0] != '\0'; i++)
		if (s->v[i].id[0] == '\0' || s->v[i].expires < se->expires)
			se = &s->v[i];
	memset(se, 0, sizeof *se);
	random_hex(se->id);
	random_hex(se->csrf);
	memcpy(se->hash, tok->hash, sizeof se->hash);
	se->expires = mono_ms() + s->ttl_ms;
	se->expires_wall = wall_ms() + s->ttl_ms;
	snprintf(cookie, sizeof cookie, "session=%s; HttpOnly; Secure; "
	    "SameSite=Strict; Path=/; Max-Age=%lld", se->id,
	    (long long)(s->ttl_ms / 1000));
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", cookie);
	session_journal(g, tok, "signed-in", addr);
	session_reply(req, 200, session_json(se, tok));
	return SESSION_DONE;
}

/* GET /v1/session: who the cookie is, and its CSRF token again. */
static enum session_result
session_whoami(struct sessions *s, struct gate *g, struct evhttp_request *req,
    const char *addr)
{
	struct session		*se;
	const struct token_conf	*tok = NULL;

	(void)addr;
	/* Not an error: a page asks this before it shows a sign-in. */
	if ((se = session_live(s, g, req, &tok)) == NULL)
		session_reply(req, 200, json_pack("{s:b}", "signed_in", 0));
	else
		session_reply(req, 200, session_json(se, tok));
	return SESSION_DONE;
}

/* DELETE /v1/session: signs out, with the CSRF token as any change. */
static enum session_result
session_sign_out(struct sessions *s, struct gate *g, struct evhttp_request *req,
    const char *addr)
{
	struct session		*se;
	const struct token_conf	*tok = NULL;

	if ((se = session_live(s, g, req, &tok)) == NULL) {
		api_error(req, 401, "not signed in");
		return SESSION_DONE;
	}
	if (session_csrf_ok(se, req) == -1) {
		api_error(req, 403, "signing out needs the X-CSRF-Token header "
		    "of the session");
		return SESSION_DONE;
	}
	session_journal(g, tok, "signed-out", addr);
	memset(se, 0, sizeof *se);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Set-Cookie", "session=; HttpOnly; Secure; SameSite=Strict; "
	    "Path=/; Max-Age=0");
	session_reply(req, 200, json_pack("{s:b}", "signed_out", 1));
	return SESSION_DONE;
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
 * failure and answers 401), GET says who the cookie is, DELETE signs out.
 */
enum session_result
session_route(struct sessions *s, struct gate *g, struct evhttp_request *req,
    const char *addr)
{
	const struct session_route	*r;

	for (r = session_routes; r->method != NULL; r++)
		if (r->cmd == (int)evhttp_request_get_command(req))
			return r->handle(s, g, req, addr);
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
session_auth(struct sessions *s, struct gate *g, struct evhttp_request *req,
    const struct token_conf **tok)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	struct session		*se;

	if ((se = session_live(s, g, req, tok)) == NULL) {
		api_error(req, 401, "the session is over: sign in again");
		return -1;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD &&
	    session_csrf_ok(se, req) == -1) {
		log_warnx("session: %s refused for token %s: no or a wrong "
		    "X-CSRF-Token", evhttp_request_get_uri(req), (*tok)->name);
		api_error(req, 403, "a change made with a session cookie needs "
		    "its X-CSRF-Token header");
		return -1;
	}
	return 0;
}
