/*
 * test-session.c: the console's session table (common/session.c) on a
 * clock the test holds: a cookie finds its session among other cookies
 * and nothing else does, sessions expire, a full table gives up the one
 * closest to its end, the CSRF token is checked whole, and the cookie
 * carries its flags.
 */
#include <stdio.h>
#include <string.h>

#include "session.h"
#include "unit.h"

static const uint8_t	key_a[32] = { 1 }, key_b[32] = { 2 }, key_c[32] = { 3 };

static char *
cookie_of(const struct session *se, const char *before)
{
	static char	buf[256];

	snprintf(buf, sizeof buf, "%ssession=%s", before, se->id);
	return buf;
}

static void
test_find(void)
{
	struct sessions	*s = sessions_new(4, 1000);
	struct session	*a, *b;
	char		 bad[80];

	a = sessions_open(s, key_a, 0, 5000);
	b = sessions_open(s, key_b, 10, 5010);
	check(strlen(a->id) == 64 && strlen(a->csrf) == 64 &&
	    strcmp(a->id, b->id) != 0 && strcmp(a->id, a->csrf) != 0,
	    "ids and CSRF tokens: 64 hex digits, all different");
	check(a->expires == 1000 && a->expires_wall == 6000,
	    "expires after the ttl, on both clocks");
	check(sessions_find(s, cookie_of(a, ""), 500) == a,
	    "its cookie finds it");
	check(sessions_find(s, cookie_of(b, "theme=dark; "), 500) == b,
	    "... among other cookies");
	check(session_cookie_sent(cookie_of(b, "x=1; ")), "the cookie is seen");
	snprintf(bad, sizeof bad, "session=%.63s", a->id);
	check(sessions_find(s, bad, 500) == NULL && !session_cookie_sent(bad),
	    "63 digits: none");
	snprintf(bad, sizeof bad, "session=%.63sA", a->id);
	check(sessions_find(s, bad, 500) == NULL, "a capital: none");
	snprintf(bad, sizeof bad, "session=%0*d", 64, 0);
	check(sessions_find(s, bad, 500) == NULL, "an id never given: none");
	check(sessions_find(s, NULL, 500) == NULL &&
	    sessions_find(s, "", 500) == NULL &&
	    sessions_find(s, "xsession=1", 500) == NULL, "no cookie: none");
	check(sessions_find(s, cookie_of(a, ""), 1000) == NULL,
	    "at its expiry: gone");
	check(a->id[0] == '\0', "... and wiped");
	check(sessions_find(s, cookie_of(b, ""), 1009) == b, "the other lives");
	sessions_close(b);
	check(sessions_find(s, cookie_of(b, ""), 1009) == NULL,
	    "closed: gone");
	sessions_free(s);
	sessions_free(NULL);
}

static void
test_full(void)
{
	struct sessions	*s = sessions_new(2, 1000);
	struct session	*a, *b, *c;

	a = sessions_open(s, key_a, 0, 0);
	b = sessions_open(s, key_b, 100, 100);
	c = sessions_open(s, key_c, 200, 200);
	check(c == a && memcmp(c->key, key_c, 32) == 0,
	    "a full table: the one closest to its end makes room");
	check(sessions_find(s, cookie_of(b, ""), 300) == b,
	    "the others stay");
	sessions_free(s);
}

static void
test_csrf_cookie(void)
{
	struct sessions	*s = sessions_new(1, 43200000);
	struct session	*a = sessions_open(s, key_a, 0, 0);
	char		 h[SESSION_HEX + 1], buf[200];

	check(session_csrf_check(a, a->csrf) == 0, "the CSRF token: 0");
	memcpy(h, a->csrf, SESSION_HEX);
	h[63] = h[63] == '0' ? '1' : '0';
	check(session_csrf_check(a, h) == -1, "one digit off: -1");
	h[63] = '\0';
	check(session_csrf_check(a, h) == -1, "one short: -1");
	snprintf(h, sizeof h, "%sx", a->csrf);
	check(session_csrf_check(a, h) == -1, "one more: -1");
	check(session_csrf_check(a, NULL) == -1 &&
	    session_csrf_check(a, "") == -1, "none: -1");
	check(session_csrf_check(a, a->id) == -1, "the session id: -1");
	session_set_cookie(s, a, buf, sizeof buf);
	check(strncmp(buf, "session=", 8) == 0 && strncmp(buf + 8, a->id, 64)
	    == 0 && strcmp(buf + 72, "; HttpOnly; Secure; SameSite=Strict; "
	    "Path=/; Max-Age=43200") == 0, "Set-Cookie: %s", buf);
	check(strstr(session_clear_cookie, "Max-Age=0") != NULL,
	    "the sign-out cookie ends it");
	sessions_free(s);
}

int
main(void)
{
	test_find();
	test_full();
	test_csrf_cookie();
	return check_done();
}
