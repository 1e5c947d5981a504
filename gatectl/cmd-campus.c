/*
 * cmd-campus.c: campus commands, made where an admin's private key is.
 * `campus sign` signs desired state (a level for the campus or a gate, a
 * gate's mode) and prints the command, one line of JSON, for the broker
 * or a file; `campus apply` hands a signed command to a gate (or each
 * gate of a fleet) through POST /v1/campus/command, the way the broker
 * link does; `campus level set` and `campus mode set` sign, publish on
 * the broker and follow each gate (campus-watch.c).  The codec is
 * common/command.c, the format docs/mqtt.md.
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

#define SIGN_OPTIONS \
	{ "key", required_argument, NULL, 'k' }, \
	{ "key-id", required_argument, NULL, 'i' }, \
	{ "site", required_argument, NULL, 's' }, \
	{ "target", required_argument, NULL, 't' }, \
	{ "reason", required_argument, NULL, 'r' }, \
	{ "actor", required_argument, NULL, 'a' }, \
	{ "seq", required_argument, NULL, 'q' }, \
	{ "expires", required_argument, NULL, 'e' }

/*
 * The options of a signing command, and with b the broker's too; the
 * positional arguments are left from optind on.
 */
static int
sign_options(int argc, char **argv, struct sign_args *a,
    struct campus_broker *b)
{
	static const struct option sign_only[] = { SIGN_OPTIONS,
		{ NULL, 0, NULL, 0 } };
	static const struct option with_broker[] = { SIGN_OPTIONS,
		CAMPUS_BROKER_OPTIONS, { NULL, 0, NULL, 0 } };
	int	ch, rc;

	while ((ch = ctl_getopt(argc, argv, b != NULL ? with_broker :
	    sign_only)) != -1) {
		if (b != NULL && (rc = campus_broker_option(b, ch, optarg)) !=
		    1) {
			if (rc != 0)
				return rc;
			continue;
		}
		if ((rc = sign_opt(ch, optarg, a)) != 0)
			return rc;
	}
	return b != NULL ? campus_broker_check(b) : 0;
}

/* What and its value set, the rest checked; 0 or EXIT_USAGE. */
static int
sign_finish(struct sign_args *a, enum command_what what, const char *value)
{
	const char	*why;

	a->c.what = what;
	snprintf(a->c.value, sizeof a->c.value, "%s", value);
	if (a->key_file == NULL || a->c.key[0] == '\0' ||
	    a->c.site[0] == '\0' || a->c.reason[0] == '\0')
		return ctl_usage_error("--key, --key-id, --site and --reason "
		    "are needed");
	a->c.expires = a->c.issued + a->expires_s;
	if ((why = command_invalid(&a->c)) != NULL)
		return ctl_usage_error("%s", why);
	return 0;
}

static void
sign_defaults(struct sign_args *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->c.target, sizeof a->c.target, "campus");
	default_actor(a->c.actor, sizeof a->c.actor);
	a->c.seq = seq_now();
	a->c.issued = (int64_t)time(NULL);
	a->expires_s = EXPIRES_DEFAULT;
}

/* The command signed with the key of its file into text: 0, or 1. */
static int
sign_text(struct sign_args *a, char *text, size_t len)
{
	uint8_t	 seed[ED25519_KEY_LEN];
	char	*why = NULL;
	int	 rc;

	if (pass_read_private(a->key_file, seed, &why) == -1) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		return 1;
	}
	rc = command_sign(&a->c, seed, text, len);
	explicit_bzero(seed, sizeof seed);
	if (rc == -1) {
		fprintf(stderr, "gatectl: the command could not be signed\n");
		return 1;
	}
	return 0;
}

/* Needs no gate: prints the signed command, the request stays empty. */
int
cmd_campus_sign(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct sign_args a;
	char		 text[COMMAND_TEXT_MAX];
	int		 rc, w;

	(void)ctl;
	(void)req;
	sign_defaults(&a);
	if ((rc = sign_options(argc, argv, &a, NULL)) != 0)
		return rc;
	if (argc - optind != 2)
		return ctl_usage_error("level N or mode NAME is needed");
	if ((w = command_what_from_name(argv[optind])) == -1)
		return ctl_usage_error("level or mode, not %s", argv[optind]);
	if ((rc = sign_finish(&a, (enum command_what)w, argv[optind + 1])) !=
	    0 || (rc = sign_text(&a, text, sizeof text)) != 0)
		return rc;
	printf("%s\n", text);
	return 0;
}

/* Signed, published, followed gate by gate (campus-watch.c). */
static int
campus_set(struct ctl *ctl, int argc, char **argv, enum command_what what)
{
	struct sign_args	 a;
	struct campus_broker	 b;
	char			 text[COMMAND_TEXT_MAX];
	int			 rc, want = what == COMMAND_LEVEL ? 1 : 2;

	sign_defaults(&a);
	memset(&b, 0, sizeof b);
	if ((rc = sign_options(argc, argv, &a, &b)) != 0)
		return rc;
	if (argc - optind != want)
		return ctl_usage_error(what == COMMAND_LEVEL ? "the level N "
		    "is needed" : "the gate and the mode are needed");
	if (what == COMMAND_MODE)
		snprintf(a.c.target, sizeof a.c.target, "%s", argv[optind]);
	if ((rc = sign_finish(&a, what, argv[optind + want - 1])) != 0 ||
	    (rc = sign_text(&a, text, sizeof text)) != 0)
		return rc;
	return campus_steer(&b, &a.c, text, ctl->json);
}

/* campus level set N: the campus's level (or with --target a gate's). */
int
cmd_campus_level_set(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	(void)req;
	return campus_set(ctl, argc, argv, COMMAND_LEVEL);
}

/* campus mode set GATE MODE: one gate's mode. */
int
cmd_campus_mode_set(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	(void)req;
	return campus_set(ctl, argc, argv, COMMAND_MODE);
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
