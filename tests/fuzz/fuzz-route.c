/*
 * fuzz-route.c: a libFuzzer target for the remote API's decision on a
 * request: which route answers, and whether the token may use it.  The
 * input is three lines, the method, the raw path and the Authorization
 * header, each any bytes.  The decision is made as remote.c and api.c
 * make it (auth_bearer, auth_token_find, evhttp_uridecode,
 * auth_role_needed, api_route_find), and must be the one a reference
 * written here from the route table's rows and the three tokens' text
 * makes: in particular no route ever answers a token whose role is below
 * its row's, or a method not its row's.
 *
 * Built and run by tests/integration/fuzz.sh (make check, short) and
 * scripts/fuzz-long (make fuzz-long); api.c needs most of the agent, so
 * its srcs() are the agent's, hw's and common's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>

#include "agent.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The answers a request may get before its handler runs, or 200. */
enum answer { V_OK = 200, V_BAD_PATH = 400, V_NO_TOKEN = 401,
    V_FORBIDDEN = 403, V_NO_ROUTE = 404, V_METHOD = 405 };

/* One token per role, in enum role's order; their text is the seeds'. */
static const char *const tokens[ROLE__COUNT] = {
	"viewer-0123456789abcdef", "guard-0123456789abcdef",
	"admin-0123456789abcdef"
};

static const struct gate_conf *
fuzz_conf(void)
{
	static struct gate_conf	*gc;
	int			 r;

	if (gc != NULL)
		return gc;
	if ((gc = calloc(1, sizeof *gc)) == NULL)
		abort();
	for (r = 0; r < ROLE__COUNT; r++) {
		snprintf(gc->tokens[r].name, sizeof gc->tokens[r].name,
		    "t%d", r);
		gc->tokens[r].role = r;
		if (auth_token_hash(tokens[r], gc->tokens[r].hash) == -1)
			abort();
	}
	gc->token_count = ROLE__COUNT;
	return gc;
}

/* The decision as remote.c then api.c take it; *route the route. */
static enum answer
decide(const char *method, const char *path, const char *authorization,
    const struct api_route **route)
{
	const struct token_conf	*tok;
	char			*decoded;
	enum role		 need;

	*route = NULL;
	tok = auth_token_find(fuzz_conf(), auth_bearer(authorization));
	if (tok == NULL)
		return V_NO_TOKEN;
	if ((decoded = evhttp_uridecode(path, 0, NULL)) == NULL)
		return V_BAD_PATH;
	need = auth_role_needed(decoded);
	if ((int)need > tok->role) {
		free(decoded);
		return V_FORBIDDEN;
	}
	*route = api_route_find(decoded, NULL, NULL);
	free(decoded);
	if (*route == NULL)
		return V_NO_ROUTE;
	return strcmp((*route)->method, method) == 0 ? V_OK : V_METHOD;
}

/* ---- the reference ------------------------------------------------------ */

/* The role of the token in an Authorization header, or -1: "Bearer",
 * any case, spaces, then one of the tokens exactly. */
static int
ref_role(const char *h)
{
	int	r;

	if (strncasecmp(h, "bearer ", 7) != 0)
		return -1;
	for (h += 7; *h == ' '; h++)
		;
	for (r = 0; r < ROLE__COUNT; r++)
		if (strcmp(h, tokens[r]) == 0)
			return r;
	return -1;
}

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %XX is the byte, anything else itself, '+' too; a C string, so a
 * decoded %00 ends it, for the agent and the reference alike. */
static void
ref_decode(const char *in, char *out)
{
	for (; *in != '\0'; out++) {
		if (in[0] == '%' && hex(in[1]) >= 0 && hex(in[2]) >= 0) {
			*out = (char)(hex(in[1]) * 16 + hex(in[2]));
			in += 3;
		} else
			*out = *in++;
	}
	*out = '\0';
}

/* A row's path: the same text, or with a '*': its prefix, a name of any
 * bytes, then its suffix, which starts at the path's last '/'. */
static int
ref_match(const char *pattern, const char *path)
{
	const char	*star = strchr(pattern, '*'), *last;
	size_t		 pre, n = strlen(path);

	if (star == NULL)
		return strcmp(pattern, path) == 0;
	pre = (size_t)(star - pattern);
	if (n < pre + strlen(star + 1) || memcmp(path, pattern, pre) != 0)
		return 0;
	if ((last = strrchr(path, '/')) == NULL || last < path + pre)
		return 0;
	return strcmp(last, star + 1) == 0;
}

static enum answer
reference(const char *method, const char *path, const char *authorization,
    const struct api_route **route)
{
	const struct api_route	*r;
	char			*decoded;
	int			 role;

	*route = NULL;
	if ((role = ref_role(authorization)) == -1)
		return V_NO_TOKEN;
	if ((decoded = malloc(strlen(path) + 1)) == NULL)
		abort();
	ref_decode(path, decoded);
	for (r = api_routes; r->method != NULL; r++)
		if (ref_match(r->path, decoded))
			break;
	free(decoded);
	/* A path no row names needs an admin, who is told it is not found. */
	if ((int)(r->method != NULL ? r->role : ROLE_ADMIN) > role)
		return V_FORBIDDEN;
	if (r->method == NULL)
		return V_NO_ROUTE;
	*route = r;
	return strcmp(r->method, method) == 0 ? V_OK : V_METHOD;
}

/* The next line of the input, as a C string (a NUL in it ends it). */
static char *
field(const uint8_t **p, const uint8_t *end)
{
	const uint8_t	*nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t		 n = (nl != NULL ? nl : end) - *p;
	char		*s;

	if ((s = malloc(n + 1)) == NULL)
		abort();
	memcpy(s, *p, n);
	s[n] = '\0';
	*p = nl != NULL ? nl + 1 : end;
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct api_route	*got_r, *want_r;
	const uint8_t		*p = data, *end = data + size;
	enum answer		 got, want;
	char			*method, *path, *auth;

	method = field(&p, end);
	path = field(&p, end);
	auth = field(&p, end);
	got = decide(method, path, auth, &got_r);
	want = reference(method, path, auth, &want_r);
	if (got != want || got_r != want_r) {
		fprintf(stderr, "fuzz-route: %s %s [%s]: decided %d (%s), the "
		    "reference %d (%s)\n", method, path, auth, got,
		    got_r != NULL ? got_r->path : "-", want,
		    want_r != NULL ? want_r->path : "-");
		abort();
	}
	/* What is answered is a row the token's role and method may use. */
	if (got == V_OK && (got_r->role > ref_role(auth) ||
	    strcmp(got_r->method, method) != 0))
		abort();
	free(method);
	free(path);
	free(auth);
	return 0;
}
