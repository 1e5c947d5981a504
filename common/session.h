/*
 * session.h: the console's sessions, kept in memory (session.c): what
 * gated and gated-hub share of the sign-in, without HTTP.  A session is
 * a random 256-bit id (the cookie), a second random value (the CSRF token
 * a page sends back in X-CSRF-Token) and the key of what it stands for
 * (the SHA-256 of a token), until it expires.  The caller passes the time.
 */
#ifndef GATED_SESSION_H
#define GATED_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_HEX	65		/* 256 bits in hex, and the NUL */

struct session {
	char		 id[SESSION_HEX];	/* "": a free slot */
	char		 csrf[SESSION_HEX];
	uint8_t		 key[32];		/* what it stands for */
	int64_t		 expires;		/* monotonic ms */
	int64_t		 expires_wall;		/* Unix ms, for the page */
};

struct sessions;
/* A table of max sessions, each lasting ttl_ms; _free(NULL) is a no-op. */
struct sessions	*sessions_new(int max, int64_t ttl_ms);
void		 sessions_free(struct sessions *);
/* A new session for key: a free slot, else the one closest to its end. */
struct session	*sessions_open(struct sessions *, const uint8_t key[32],
		    int64_t now, int64_t now_wall);
/* The live session a Cookie header names, or NULL; expired ones go. */
struct session	*sessions_find(struct sessions *, const char *cookie,
		    int64_t now);
void		 sessions_close(struct session *);
/* Whether a Cookie header has a session= of the right form at all. */
bool		 session_cookie_sent(const char *cookie);
/* 0 when header is the session's CSRF token (constant time), else -1. */
int		 session_csrf_check(const struct session *, const char *header);
/* The Set-Cookie value that gives the session to a browser, and the one
 * that takes it back. */
void		 session_set_cookie(const struct sessions *,
		    const struct session *, char *buf, size_t len);
extern const char session_clear_cookie[];

#endif
