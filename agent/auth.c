/*
 * auth.c: who may use the remote API.  Bearer tokens are matched by their
 * SHA-256 against the [token] sections, the role a route needs is its
 * row of the route table (api.c), and failed attempts are counted per
 * client address in a small table so that guessing is slow and a burst of
 * failures costs the journal two lines, not one per attempt.  Pure
 * functions of their arguments and the time the caller passes, so the
 * unit test drives them directly.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "agent.h"
#include "protocol.h"

/* The names gatectl's token new also writes, in enum role's order. */
static const char *const role_names[] = { GATED_ROLE_NAMES };
_Static_assert(sizeof role_names / sizeof role_names[0] == ROLE__COUNT,
    "protocol.h names every role of enum role");

const char *
auth_role_name(enum role r)
{
	if ((int)r < 0 || r >= ROLE__COUNT)
		return "none";
	return role_names[r];
}

int
auth_role_from_name(const char *name)
{
	int	r;

	for (r = 0; r < ROLE__COUNT; r++)
		if (strcmp(role_names[r], name) == 0)
			return r;
	return -1;
}

/*
 * The role a request for path needs: the route's, from api.c's route
 * table.  path is percent-decoded, as api.c decodes it before routing, so
 * both read the same route, whatever the method.  A path the table does
 * not name needs an admin, who is then told it is not found.
 */
enum role
auth_role_needed(const char *path)
{
	const struct api_route	*r;

	if ((r = api_route_find(path, NULL, NULL)) == NULL)
		return ROLE_ADMIN;
	return r->role;
}

/* The token of an "Authorization: Bearer TOKEN" header, or NULL. */
const char *
auth_bearer(const char *header)
{
	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0)
		return NULL;
	header += 7;
	header += strspn(header, " ");
	return *header != '\0' ? header : NULL;
}

/* SHA-256 of a token, through EVP (OpenSSL's supported interface). */
int
auth_token_hash(const char *token, uint8_t out[32])
{
	unsigned int	len = 0;

	if (EVP_Digest(token, strlen(token), out, &len, EVP_sha256(), NULL) !=
	    1 || len != 32)
		return -1;
	return 0;
}

/*
 * The [token] whose hash is the token's, or NULL.  Every configured hash
 * is compared, each in constant time, so the time taken says nothing of
 * how close a guess came.
 */
const struct token_conf *
auth_token_find(const struct gate_conf *gc, const char *token)
{
	const struct token_conf	*found = NULL;
	uint8_t			 h[32];
	int			 i;

	if (token == NULL || auth_token_hash(token, h) == -1)
		return NULL;
	for (i = 0; i < gc->token_count; i++)
		if (CRYPTO_memcmp(h, gc->tokens[i].hash, sizeof h) == 0 &&
		    found == NULL)
			found = &gc->tokens[i];
	return found;
}

/* ---- the rate limit of failures ------------------------------------------- */

#define AUTH_KEY_MAX	32

struct auth_slot {
	uint8_t		 key[AUTH_KEY_MAX];	/* the client address */
	size_t		 len;			/* 0: free */
	int		 failures;		/* in the window */
	int64_t		 window_start;
	int64_t		 blocked_until;
	uint64_t	 used;			/* for LRU */
};

struct auth_limiter {
	struct auth_slot	*slots;
	int			 nslots;
	int			 max_failures;
	int64_t			 window_ms, block_ms;
	uint64_t		 tick;
};

struct auth_limiter *
auth_limiter_new(int slots, int max_failures, int window_ms, int block_ms)
{
	struct auth_limiter	*l = xcalloc(1, sizeof *l);

	l->slots = xcalloc(slots, sizeof *l->slots);
	l->nslots = slots;
	l->max_failures = max_failures;
	l->window_ms = window_ms;
	l->block_ms = block_ms;
	return l;
}

void
auth_limiter_free(struct auth_limiter *l)
{
	if (l == NULL)
		return;
	free(l->slots);
	free(l);
}

static struct auth_slot *
slot_find(struct auth_limiter *l, const void *key, size_t len)
{
	int	i;

	if (len > AUTH_KEY_MAX)
		len = AUTH_KEY_MAX;
	for (i = 0; i < l->nslots; i++)
		if (l->slots[i].len == len &&
		    memcmp(l->slots[i].key, key, len) == 0)
			return &l->slots[i];
	return NULL;
}

/*
 * A slot for a new address.  The table is bounded: when it is full the
 * least recently used slot goes, preferring one that is not blocking, so
 * that many addresses failing once cannot free a blocked one.
 */
static struct auth_slot *
slot_take(struct auth_limiter *l, const void *key, size_t len, int64_t now)
{
	struct auth_slot	*s, *lru = NULL, *lru_free = NULL;
	int			 i;

	for (i = 0; i < l->nslots; i++) {
		s = &l->slots[i];
		if (s->len == 0) {
			lru_free = lru = s;
			break;
		}
		if (lru == NULL || s->used < lru->used)
			lru = s;
		if (s->blocked_until <= now &&
		    (lru_free == NULL || s->used < lru_free->used))
			lru_free = s;
	}
	s = lru_free != NULL ? lru_free : lru;
	memset(s, 0, sizeof *s);
	s->len = len > AUTH_KEY_MAX ? AUTH_KEY_MAX : len;
	memcpy(s->key, key, s->len);
	return s;
}

/* Whether the address is refused now: 0, else the milliseconds left. */
int64_t
auth_limit_blocked(struct auth_limiter *l, const void *key, size_t len,
    int64_t now)
{
	struct auth_slot	*s;

	if ((s = slot_find(l, key, len)) == NULL)
		return 0;
	s->used = ++l->tick;
	if (s->blocked_until > now)
		return s->blocked_until - now;
	if (s->blocked_until != 0) {
		/* The block is over: the next failure starts afresh. */
		s->blocked_until = 0;
		s->failures = 0;
	}
	return 0;
}

/*
 * Counts one failed authentication.  Says what to journal: the first
 * failure of a burst, the failure that starts a block, else nothing.
 */
enum auth_note
auth_limit_fail(struct auth_limiter *l, const void *key, size_t len,
    int64_t now)
{
	struct auth_slot	*s;

	if ((s = slot_find(l, key, len)) == NULL)
		s = slot_take(l, key, len, now);
	s->used = ++l->tick;
	if (s->blocked_until > now)
		return AUTH_NOTE_NONE;
	if (s->failures == 0 || now - s->window_start >= l->window_ms) {
		s->failures = 0;
		s->blocked_until = 0;
		s->window_start = now;
	}
	if (++s->failures >= l->max_failures) {
		s->blocked_until = now + l->block_ms;
		return AUTH_NOTE_LIMITED;
	}
	return s->failures == 1 ? AUTH_NOTE_FAILED : AUTH_NOTE_NONE;
}
