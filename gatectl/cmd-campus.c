/*
 * cmd-campus.c: campus commands, made where an admin's private key is.
 * `campus sign` signs desired state (a level for the campus or a gate, a
 * gate's mode) and prints the command, one line of JSON, for the broker
 * or a file; `campus apply` hands a signed command to a gate (or each
 * gate of a fleet) through POST /v1/campus/command, the way the broker
 * link does.  The codec is common/command.c, the format docs/mqtt.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "gatectl.h"

#define EXPIRES_DEFAULT	(24 * 3600)	/* s: a day */
#define EXPIRES_MAX	(366LL * 24 * 3600)

/* "90s", "10m", "24h", "7d": seconds, or -1. */
static long long
parse_duration(const char *s)
{
	char		*end;
	long long	 v, unit;

	v = strtoll(s, &end, 10);
	if (end == s || v <= 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
		unit = 86400;
		break;
	default:
		return -1;
	}
	if (v > EXPIRES_MAX / unit)
		return -1;
	return v * unit;
}

/* The default seq: the UTC time in ms, rising across admins' clocks. */
static uint64_t
seq_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Who signs, when --actor is not given: the login name. */
static void
default_actor(char *buf, size_t len)
{
	const char	*u = getenv("USER");

	snprintf(buf, len, "%s", u != NULL && *u != '\0' ? u : "admin");
}

struct sign_args {
	const char	*key_file;
	long long	 expires_s;
	struct command	 c;
};

static int
sign_opt(int ch, const char *arg, struct sign_args *a)
{
	struct command	*c = &a->c;
	char		*end;

	switch (ch) {
	case 'k':
		a->key_file = arg;
		return 0;
	case 'i':
		snprintf(c->key, sizeof c->key, "%s", arg);
		return 0;
	case 's':
		snprintf(c->site, sizeof c->site, "%s", arg);
		return 0;
	case 't':
		snprintf(c->target, sizeof c->target, "%s", arg);
		return 0;
	case 'r':
		snprintf(c->reason, sizeof c->reason, "%s", arg);
		return 0;
	case 'a':
		snprintf(c->actor, sizeof c->actor, "%s", arg);
		return 0;
	case 'q':
		c->seq = strtoull(arg, &end, 10);
		if (*arg < '0' || *arg > '9' || *end != '\0' || c->seq == 0 ||
		    c->seq > INT64_MAX)
			return ctl_usage_error("--seq: 1 to 2^63-1: %s", arg);
		return 0;
	case 'e':
		if ((a->expires_s = parse_duration(arg)) == -1)
			return ctl_usage_error("--expires: a duration up to a "
			    "year (90s, 10m, 24h, 7d): %s", arg);
		return 0;
	}
	return EXIT_USAGE;
}

static int
sign_args(int argc, char **argv, struct sign_args *a)
{
	static const struct option longs[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-id", required_argument, NULL, 'i' },
		{ "site", required_argument, NULL, 's' },
		{ "target", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'r' },
		{ "actor", required_argument, NULL, 'a' },
		{ "seq", required_argument, NULL, 'q' },
		{ "expires", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*why;
	int		 ch, rc, w;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if ((rc = sign_opt(ch, optarg, a)) != 0)
			return rc;
	}
	if (argc - optind != 2)
		return ctl_usage_error("level N or mode NAME is needed");
	if ((w = command_what_from_name(argv[optind])) == -1)
		return ctl_usage_error("level or mode, not %s", argv[optind]);
	a->c.what = (enum command_what)w;
	snprintf(a->c.value, sizeof a->c.value, "%s", argv[optind + 1]);
	if (a->key_file == NULL || a->c.key[0] == '\0' ||
	    a->c.site[0] == '\0' || a->c.reason[0] == '\0')
		return ctl_usage_error("--key, --key-id, --site and --reason "
		    "are needed");
	a->c.expires = a->c.issued + a->expires_s;
	if ((why = command_invalid(&a->c)) != NULL)
		return ctl_usage_error("%s", why);
	return 0;
}

/* Needs no gate: prints the signed command, the request stays empty. */
int
cmd_campus_sign(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct sign_args a;
	uint8_t		 seed[ED25519_KEY_LEN];
	char		 text[COMMAND_TEXT_MAX], *why = NULL;
	int		 rc;

	(void)ctl;
	(void)req;
	memset(&a, 0, sizeof a);
	snprintf(a.c.target, sizeof a.c.target, "campus");
	default_actor(a.c.actor, sizeof a.c.actor);
	a.c.seq = seq_now();
	a.c.issued = (int64_t)time(NULL);
	a.expires_s = EXPIRES_DEFAULT;
	if ((rc = sign_args(argc, argv, &a)) != 0)
		return rc;
	if (pass_read_private(a.key_file, seed, &why) == -1) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		return 1;
	}
	rc = command_sign(&a.c, seed, text, sizeof text);
	explicit_bzero(seed, sizeof seed);
	if (rc == -1) {
		fprintf(stderr, "gatectl: the command could not be signed\n");
		return 1;
	}
	printf("%s\n", text);
	return 0;
}

static void
apply_print(const struct ctl_request *req, json_t *answer)
{
	(void)req;
	printf("applied, event %" JSON_INTEGER_FORMAT "\n",
	    json_integer_value(json_object_get(answer, "event")));
}

/* The command of a file ("-": standard input), one JSON object. */
int
cmd_campus_apply(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	json_error_t	 err;
	json_t		*body;
	const char	*path;

	(void)ctl;
	if (ctl_getopt(argc, argv, NULL) != -1)
		return EXIT_USAGE;
	if (argc - optind > 1)
		return ctl_usage_error("unexpected argument: %s",
		    argv[optind + 1]);
	path = argc > optind ? argv[optind] : "-";
	body = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &err) :
	    json_load_file(path, 0, &err);
	if (body == NULL || !json_is_object(body)) {
		json_decref(body);
		return ctl_usage_error("%s: not a JSON object: %s", path,
		    err.text);
	}
	return ctl_ask(req, CTL_POST, xstrdup("/v1/campus/command"), body,
	    apply_print);
}
