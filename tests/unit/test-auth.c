/*
 * test-auth.c: the remote API's authentication.  The role each route
 * needs (table-driven, including routes written with percent escapes, as
 * api.c decodes them), bearer header parsing, tokens found by their
 * SHA-256, and the rate limit of failures: when it journals, when it
 * blocks, when a block ends, and that its bounded table keeps blocked
 * addresses when many others come and go.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "agent.h"
#include "unit.h"

static void
test_roles(void)
{
	static const struct {
		const char	*path;
		enum role	 need;
	} t[] = {
		{ "/v1/status", ROLE_VIEWER },
		{ "/v1/alerts", ROLE_VIEWER },
		{ "/v1/events", ROLE_VIEWER },
		{ "/v1/events/stream", ROLE_VIEWER },
		{ "/v1/report", ROLE_VIEWER },
		{ "/metrics", ROLE_VIEWER },
		{ "/v1/lanes/ped/open", ROLE_GUARD },
		{ "/v1/lanes/a b/open", ROLE_GUARD },
		{ "/v1/alerts/12/ack", ROLE_GUARD },
		{ "/v1/mode", ROLE_ADMIN },
		{ "/v1/level", ROLE_ADMIN },
		{ "/v1/people/reload", ROLE_ADMIN },
		{ "/v1/reload", ROLE_ADMIN },
		{ "/v1/sim/card", ROLE_ADMIN },
		{ "/v1/sim/outputs", ROLE_ADMIN },
		/* unknown routes are closed: admins see the 404 */
		{ "/v1/nope", ROLE_ADMIN },
		{ "/", ROLE_ADMIN },
		{ "", ROLE_ADMIN },
		{ "/v1/status/", ROLE_ADMIN },
		{ "/v1/lanes/ped/close", ROLE_ADMIN },
		{ "/v1/lanes/", ROLE_ADMIN },
		{ "/V1/STATUS", ROLE_ADMIN },
	};
	static const struct {
		const char	*raw;
		enum role	 need;
	} enc[] = {
		{ "/v1/%6Dode", ROLE_ADMIN },
		{ "/v1/%73tatus", ROLE_VIEWER },
		{ "/v1/lanes/x%2Fopen", ROLE_GUARD },
		{ "/v1/sim%2Fcard", ROLE_ADMIN },
	};
	size_t	i;
	char	*d;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		check(auth_role_needed(t[i].path) == t[i].need,
		    "role for '%s' is %s", t[i].path,
		    auth_role_name(t[i].need));
	for (i = 0; i < sizeof enc / sizeof enc[0]; i++) {
		d = evhttp_uridecode(enc[i].raw, 0, NULL);
		check(d != NULL && auth_role_needed(d) == enc[i].need,
		    "role for '%s' decoded is %s", enc[i].raw,
		    auth_role_name(enc[i].need));
		free(d);
	}
	check(strcmp(auth_role_name(ROLE_GUARD), "guard") == 0 &&
	    strcmp(auth_role_name(ROLE__COUNT), "none") == 0,
	    "auth_role_name");
	check(auth_role_from_name("admin") == ROLE_ADMIN &&
	    auth_role_from_name("viewer") == ROLE_VIEWER &&
	    auth_role_from_name("root") == -1, "auth_role_from_name");
	check(ROLE_VIEWER < ROLE_GUARD && ROLE_GUARD < ROLE_ADMIN,
	    "each role may do what the one before may");
}

static void
test_bearer(void)
{
	const char	*t;

	check(auth_bearer(NULL) == NULL, "bearer: no header");
	check(auth_bearer("Basic dXNlcjpwYXNz") == NULL, "bearer: Basic");
	check(auth_bearer("Bearer ") == NULL, "bearer: empty token");
	check(auth_bearer("Bearer") == NULL, "bearer: no space");
	t = auth_bearer("Bearer abc.DEF_12");
	check(t != NULL && strcmp(t, "abc.DEF_12") == 0, "bearer: token");
	t = auth_bearer("bearer   xyz");
	check(t != NULL && strcmp(t, "xyz") == 0,
	    "bearer: scheme in any case, spaces skipped");
}

static void
test_tokens(void)
{
	/* echo -n test | sha256sum */
	static const uint8_t test_sha[32] = {
		0x9f, 0x86, 0xd0, 0x81, 0x88, 0x4c, 0x7d, 0x65, 0x9a, 0x2f,
		0xea, 0xa0, 0xc5, 0x5a, 0xd0, 0x15, 0xa3, 0xbf, 0x4f, 0x1b,
		0x2b, 0x0b, 0x82, 0x2c, 0xd1, 0x5d, 0x6c, 0x15, 0xb0, 0xf0,
		0x0a, 0x08
	};
	struct gate_conf		*gc = xcalloc(1, sizeof *gc);
	const struct token_conf		*t;
	uint8_t				 h[32];

	check(auth_token_hash("test", h) == 0 &&
	    memcmp(h, test_sha, 32) == 0, "SHA-256 of 'test'");
	check(auth_token_find(gc, "test") == NULL, "no tokens: none found");
	snprintf(gc->tokens[0].name, NAME_LEN, "ops");
	gc->tokens[0].role = ROLE_ADMIN;
	auth_token_hash("first-token", gc->tokens[0].hash);
	snprintf(gc->tokens[1].name, NAME_LEN, "dash");
	gc->tokens[1].role = ROLE_VIEWER;
	memcpy(gc->tokens[1].hash, test_sha, 32);
	gc->token_count = 2;
	t = auth_token_find(gc, "test");
	check(t == &gc->tokens[1] && t->role == ROLE_VIEWER,
	    "token found by its hash");
	t = auth_token_find(gc, "first-token");
	check(t == &gc->tokens[0], "the other token");
	check(auth_token_find(gc, "tes") == NULL &&
	    auth_token_find(gc, "test ") == NULL &&
	    auth_token_find(gc, "") == NULL && auth_token_find(gc, NULL) ==
	    NULL, "near misses and no token: not found");
	/* A hash in the config is not a token: knowing it gives nothing. */
	check(auth_token_find(gc, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0"
	    "b822cd15d6c15b0f00a08") == NULL, "the hash itself is no token");
	config_free(gc);
}

static void
test_limit(void)
{
	struct auth_limiter	*l;
	const uint8_t		 a[5] = { 2, 10, 0, 0, 1 };
	const uint8_t		 b[5] = { 2, 10, 0, 0, 2 };
	uint8_t			 k[5];
	int64_t			 now = 1000000, left;
	int			 i, notes[6];

	l = auth_limiter_new(8, 5, 60000, 60000);
	check(auth_limit_blocked(l, a, sizeof a, now) == 0,
	    "limit: an unknown address is not blocked");
	for (i = 0; i < 5; i++)
		notes[i] = auth_limit_fail(l, a, sizeof a, now + i * 1000);
	check(notes[0] == AUTH_NOTE_FAILED, "limit: the first failure of a "
	    "burst is journaled");
	check(notes[1] == AUTH_NOTE_NONE && notes[2] == AUTH_NOTE_NONE &&
	    notes[3] == AUTH_NOTE_NONE, "limit: the next ones are not");
	check(notes[4] == AUTH_NOTE_LIMITED, "limit: the fifth in 60 s "
	    "starts a block, journaled once");
	left = auth_limit_blocked(l, a, sizeof a, now + 5000);
	check(left == 60000 - 1000, "limit: blocked, %lld ms left",
	    (long long)left);
	check(auth_limit_fail(l, a, sizeof a, now + 6000) == AUTH_NOTE_NONE,
	    "limit: failures while blocked are not journaled");
	check(auth_limit_blocked(l, b, sizeof b, now + 5000) == 0,
	    "limit: another address is not blocked");
	check(auth_limit_blocked(l, a, sizeof a, now + 4000 + 60000) == 0,
	    "limit: the block ends after 60 s");
	check(auth_limit_fail(l, a, sizeof a, now + 70000) ==
	    AUTH_NOTE_FAILED, "limit: after a block, a failure starts a "
	    "new burst");

	/* Four failures, then the window passes: no block, a new burst. */
	for (i = 0; i < 4; i++)
		notes[i] = auth_limit_fail(l, b, sizeof b, now + i);
	notes[4] = auth_limit_fail(l, b, sizeof b, now + 60000);
	check(notes[3] == AUTH_NOTE_NONE && notes[4] == AUTH_NOTE_FAILED &&
	    auth_limit_blocked(l, b, sizeof b, now + 60001) == 0,
	    "limit: failures spread over more than the window never block");

	/* Block a, then 50 other addresses fail once: a stays blocked. */
	for (i = 0; i < 5; i++)
		auth_limit_fail(l, a, sizeof a, now + 100000 + i);
	check(auth_limit_blocked(l, a, sizeof a, now + 100010) > 0,
	    "limit: a blocked again");
	for (i = 0; i < 50; i++) {
		memcpy(k, b, sizeof k);
		k[3] = (uint8_t)(i + 1);
		check(auth_limit_fail(l, k, sizeof k, now + 100020 + i) ==
		    AUTH_NOTE_FAILED, "limit: address %d, first failure", i);
	}
	check(auth_limit_blocked(l, a, sizeof a, now + 100100) > 0,
	    "limit: a full table evicts the unblocked, not the blocked");
	auth_limiter_free(l);
	auth_limiter_free(NULL);
	check(1, "limit: auth_limiter_free(NULL) is a no-op");
}

int
main(void)
{
	test_roles();
	test_bearer();
	test_tokens();
	test_limit();
	return check_done();
}
