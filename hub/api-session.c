/*
 * api-session.c: the console's sign-in on the hub's listener, the HTTP
 * side of common/session.c as agent/session.c is on a gate.  POST
 * /v1/session trades a token for a session: an HttpOnly cookie that
 * stands for the token's SHA-256, and a CSRF token in the answer (and in
 * GET /v1/session's) that must come back in X-CSRF-Token on every request
 * made with the cookie that is not a GET or HEAD.  The session finds its
 * [token NAME] again on each request.  Sign-in and sign-out go to
 * hub_journal (kind "session").  The hub has no limiter of its own and
 * gated's is in agent/auth.c, so failed sign-ins are counted here, per
 * address: SESSION_FAILS in a row shut it out for SESSION_LOCK_MS (429).
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <event2/keyvalq_struct.h>

#include "api.h"
#include "clock.h"
#include "log.h"
#include "session.h"

#define SESSION_MAX	256
#define SESSION_TTL_MS	(12LL * 3600 * 1000)
#define SESSION_FAILS	5		/* failed sign-ins before the lock */
#define SESSION_LOCK_MS	60000
#define SESSION_ADDRS	64		/* addresses remembered */

static struct sessions	*sessions;

/* An address's failed sign-ins: how many in a row, until when it waits. */
static struct session_fail {
	char	addr[64];
	int	count;
	int64_t	until;		/* monotonic ms; 0: not locked */
	int64_t	last;
} fails[SESSION_ADDRS];

static const char *
header(struct api_req *r, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(r->req),
	    name);
}

static const char *
peer(struct api_req *r)
{
	struct evhttp_connection	*c;
	char				*addr = NULL;
	uint16_t			 port;

	if ((c = evhttp_request_get_connection(r->req)) != NULL)
		evhttp_connection_get_peer(c, &addr, &port);
	return addr != NULL ? addr : "?";
}

/* The address's slot: its own, else the least recently used. */
static struct session_fail *
fail_slot(const char *addr)
{
	struct session_fail	*old = &fails[0];
	int			 i;

	for (i = 0; i < SESSION_ADDRS; i++) {
		if (strcmp(fails[i].addr, addr) == 0)
			return &fails[i];
		if (fails[i].last < old->last)
			old = &fails[i];
	}
	memset(old, 0, sizeof *old);
	snprintf(old->addr, sizeof old->addr, "%s", addr);
	return old;
}

static struct sessions *
table(void)
{
	if (sessions == NULL)
		sessions = sessions_new(SESSION_MAX, SESSION_TTL_MS);
	return sessions;
}

void
api_session_free(void)
{
	sessions_free(sessions);
	sessions = NULL;
}

/* The [token] whose hash is key, in the config now, or NULL. */
static const struct hub_token *
token_of(struct api_req *r, const uint8_t key[32])
{
	const struct hub_conf	*hc = r->hub->conf;
	int			 i;

	for (i = 0; i < hc->ntokens; i++)
		if (CRYPTO_memcmp(hc->tokens[i].hash, key, 32) == 0)
			return &hc->tokens[i];
	return NULL;
}

/* The request's live session and its token, or NULL. */
static struct session *
live(struct api_req *r, const struct hub_token **tok)
{
	struct session	*se;

	if ((se = sessions_find(table(), header(r, "Cookie"), mono_ms())) ==
	    NULL)
		return NULL;
	if ((*tok = token_of(r, se->key)) == NULL) {
		sessions_close(se);
		return NULL;
	}
	return se;
}

static void
reply(struct api_req *r, json_t *doc)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Cache-Control", "no-store");
	api_json(r, 200, doc);
}

static json_t *
session_json(const struct session *se, const struct hub_token *tok)
{
	return json_pack("{s:b, s:s, s:s, s:s, s:I}", "signed_in", 1,
	    "name", tok->name, "role", hub_role_name(tok->role), "csrf",
	    se->csrf, "expires_ms", (json_int_t)se->expires_wall);
}

static void
journal(struct api_req *r, const struct hub_token *tok, const char *what)
{
	char	actor[HUB_NAME_LEN + 8], detail[128];

	snprintf(actor, sizeof actor, "token:%s", tok->name);
	snprintf(detail, sizeof detail, "console session from %s", peer(r));
	if (hub_journal(r->hub->db, "session", actor, what, detail) == -1)
		log_warnx("session: %s not journaled: %s", what,
		    db_error(r->hub->db));
}

/* Whether the address may try now; a 429 answered when not. */
static bool
fail_allowed(struct api_req *r, struct session_fail *f, int64_t now)
{
	char	retry[24], why[160];

	if (f->until == 0 || now >= f->until) {
		if (f->until != 0)
			f->count = 0;
		f->until = 0;
		return true;
	}
	snprintf(retry, sizeof retry, "%" PRId64, (f->until - now + 999) /
	    1000);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Retry-After", retry);
	snprintf(why, sizeof why, "too many failed sign-ins from %s: try "
	    "again in %s s", f->addr, retry);
	api_error(r, 429, why);
	return false;
}

/* The [token] of a token's text, or NULL. */
static const struct hub_token *
token_find(struct api_req *r, const char *token)
{
	uint8_t		d[32];
	unsigned int	len = 0;

	if (EVP_Digest(token, strlen(token), d, &len, EVP_sha256(), NULL) !=
	    1 || len != 32)
		return NULL;
	return token_of(r, d);
}

/* POST /v1/session {"token": ...}: a new session for a valid token. */
void
api_session_in(struct api_req *r)
{
	struct session_fail	*f = fail_slot(peer(r));
	const struct hub_token	*tok = NULL;
	int64_t			 now = mono_ms();
	struct session		*se;
	const char		*token;
	char			 cookie[160];
	json_t			*body;

	f->last = now;
	if (!fail_allowed(r, f, now) || (body = api_body(r)) == NULL)
		return;
	if ((token = json_string_value(json_object_get(body, "token"))) ==
	    NULL) {
		json_decref(body);
		api_error(r, 400, "the body is {\"token\": \"TOKEN\"}");
		return;
	}
	tok = token_find(r, token);
	json_decref(body);
	if (tok == NULL) {
		if (++f->count >= SESSION_FAILS)
			f->until = now + SESSION_LOCK_MS;
		log_warnx("session: a wrong token from %s (%d)", f->addr,
		    f->count);
		api_error(r, 401, "no such token");
		return;
	}
	f->count = 0;
	se = sessions_open(table(), tok->hash, now, wall_ms());
	session_set_cookie(table(), se, cookie, sizeof cookie);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Set-Cookie", cookie);
	journal(r, tok, "signed-in");
	reply(r, session_json(se, tok));
}

/* GET /v1/session: who the cookie is (not an error when nobody). */
void
api_session_get(struct api_req *r)
{
	const struct hub_token	*tok = NULL;
	struct session		*se;

	if ((se = live(r, &tok)) == NULL)
		reply(r, json_pack("{s:b}", "signed_in", 0));
	else
		reply(r, session_json(se, tok));
}

/* DELETE /v1/session: signs out, with the CSRF token as any change. */
void
api_session_out(struct api_req *r)
{
	const struct hub_token	*tok = NULL;
	struct session		*se;

	if ((se = live(r, &tok)) == NULL) {
		api_error(r, 401, "not signed in");
		return;
	}
	if (session_csrf_check(se, header(r, "X-CSRF-Token")) == -1) {
		api_error(r, 403, "signing out needs the X-CSRF-Token header "
		    "of the session");
		return;
	}
	journal(r, tok, "signed-out");
	sessions_close(se);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
	    "Set-Cookie", session_clear_cookie);
	reply(r, json_pack("{s:b}", "signed_out", 1));
}

bool
api_session_cookie(struct api_req *r)
{
	return session_cookie_sent(header(r, "Cookie"));
}

int
api_session_auth(struct api_req *r, const struct hub_token **tok)
{
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(r->req);
	struct session		*se;

	if ((se = live(r, tok)) == NULL) {
		api_error(r, 401, "the session is over: sign in again");
		return -1;
	}
	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD &&
	    session_csrf_check(se, header(r, "X-CSRF-Token")) == -1) {
		api_error(r, 403, "a change made with a session cookie needs "
		    "its X-CSRF-Token header");
		return -1;
	}
	return 0;
}
