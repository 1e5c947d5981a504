/*
 * session.c: the console's sessions (session.h).  The ids come from
 * OpenSSL's generator, are compared in constant time, and are wiped when
 * a session ends; the table is a fixed array, so no number of sign-ins
 * grows the process: past max, the session closest to its end makes room.
 * The cookie is HttpOnly (no script reads it), Secure (never over plain
 * HTTP) and SameSite=Strict (no other site's page makes a browser send it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "log.h"
#include "session.h"
#include "xmalloc.h"

struct sessions {
	struct session	*v;
	int		 n;
	int64_t		 ttl_ms;
};

const char session_clear_cookie[] = "session=; HttpOnly; Secure; "
    "SameSite=Strict; Path=/; Max-Age=0";

struct sessions *
sessions_new(int max, int64_t ttl_ms)
{
	struct sessions	*s = xcalloc(1, sizeof *s);

	s->v = xcalloc(max > 0 ? max : 1, sizeof *s->v);
	s->n = max > 0 ? max : 1;
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
	uint8_t	b[32];
	int	i;

	if (RAND_bytes(b, sizeof b) != 1)
		fatalx("session: RAND_bytes failed");
	for (i = 0; i < 32; i++)
		snprintf(out + i * 2, 3, "%02x", b[i]);
	OPENSSL_cleanse(b, sizeof b);
}

struct session *
sessions_open(struct sessions *s, const uint8_t key[32], int64_t now,
    int64_t now_wall)
{
	struct session	*se = &s->v[0];
	int		 i;

	for (i = 1; i < s->n && se->id[0] != '\0'; i++)
		if (s->v[i].id[0] == '\0' || s->v[i].expires < se->expires)
			se = &s->v[i];
	sessions_close(se);
	random_hex(se->id);
	random_hex(se->csrf);
	memcpy(se->key, key, sizeof se->key);
	se->expires = now + s->ttl_ms;
	se->expires_wall = now_wall + s->ttl_ms;
	return se;
}

void
sessions_close(struct session *se)
{
	if (se != NULL)
		OPENSSL_cleanse(se, sizeof *se);
}

/* The session= value of a Cookie header into id: 0, or -1. */
static int
cookie_id(const char *cookie, char id[SESSION_HEX])
{
	const char	*p = cookie;
	size_t		 n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t;");
		if (strncmp(p, "session=", 8) == 0) {
			p += 8;
			n = strcspn(p, "; \t");
			if (n != SESSION_HEX - 1 ||
			    strspn(p, "0123456789abcdef") < n)
				return -1;
			memcpy(id, p, n);
			id[n] = '\0';
			return 0;
		}
		p = strchr(p, ';');
	}
	return -1;
}

bool
session_cookie_sent(const char *cookie)
{
	char	id[SESSION_HEX];

	return cookie != NULL && cookie_id(cookie, id) == 0;
}

struct session *
sessions_find(struct sessions *s, const char *cookie, int64_t now)
{
	struct session	*found = NULL;
	char		 id[SESSION_HEX];
	int		 i;

	if (cookie == NULL || cookie_id(cookie, id) == -1)
		return NULL;
	for (i = 0; i < s->n; i++) {
		if (s->v[i].id[0] != '\0' && s->v[i].expires <= now)
			sessions_close(&s->v[i]);
		if (s->v[i].id[0] != '\0' && CRYPTO_memcmp(s->v[i].id, id,
		    SESSION_HEX) == 0)
			found = &s->v[i];
	}
	return found;
}

int
session_csrf_check(const struct session *se, const char *h)
{
	if (h == NULL || strlen(h) != SESSION_HEX - 1 ||
	    CRYPTO_memcmp(h, se->csrf, SESSION_HEX - 1) != 0)
		return -1;
	return 0;
}

void
session_set_cookie(const struct sessions *s, const struct session *se,
    char *buf, size_t len)
{
	snprintf(buf, len, "session=%s; HttpOnly; Secure; SameSite=Strict; "
	    "Path=/; Max-Age=%lld", se->id, (long long)(s->ttl_ms / 1000));
}
