/*
 * cmd-pass.c: visitor passes, made where the issuer's private key is (an
 * office, never a gate): `pass keygen` makes the key pair, `pass new`
 * signs a pass and prints it as text and a QR code, `pass show` verifies
 * one the way a gate will.  No agent is asked: a pass is checked offline.
 * The codec is common/pass.c, the format docs/passes.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "gatectl.h"

#define PASS_EXIT_BAD	1	/* does not verify, or not valid now */
#define PASS_KEYS_MAX	16	/* public keys pass show reads */
#define VISITOR_NAME_MAX 100	/* bytes of the printed name */
#define NAME_RULE	"1-31 letters, digits, '.', '_' or '-'"

/* The form of a pass id everywhere: 16 lower-case hex digits. */
static void
pass_id_text(uint64_t id, char buf[17])
{
	snprintf(buf, 17, "%016" PRIx64, id);
}

/* Whether fields match what the wall clock of t says in the local zone. */
static int
local_is(const struct tm *want, time_t t, int isdst)
{
	struct tm	tm;

	return localtime_r(&t, &tm) != NULL && tm.tm_year == want->tm_year &&
	    tm.tm_mon == want->tm_mon && tm.tm_mday == want->tm_mday &&
	    tm.tm_hour == want->tm_hour && tm.tm_min == want->tm_min &&
	    tm.tm_sec == want->tm_sec && (isdst < 0 || tm.tm_isdst == isdst);
}

/*
 * The local time of the wall-clock fields: the one instant they name, or
 * -1 with *why when the clock skips them (spring forward) or shows them
 * twice (fall back), so no pass starts an hour off unnoticed.
 */
static int
when_local(const struct tm *fields, int64_t *t, const char **why)
{
	struct tm	tm;
	time_t		r, found[2];
	int		isdst, n = 0;

	for (isdst = 0; isdst <= 1; isdst++) {
		tm = *fields;
		tm.tm_isdst = isdst;
		if ((r = mktime(&tm)) == (time_t)-1 && !local_is(fields, r, -1))
			continue;
		if (local_is(fields, r, isdst) && (n == 0 || found[0] != r))
			found[n++] = r;
	}
	if (n == 0) {
		*why = "does not exist in the local time zone (the clock "
		    "skips it): give another time or an offset";
		return -1;
	}
	if (n == 2) {
		*why = "happens twice in the local time zone (the clock goes "
		    "back): add the offset, e.g. +01:00";
		return -1;
	}
	*t = (int64_t)found[0];
	return 0;
}

/*
 * WHEN: YYYY-MM-DDTHH:MM[:SS] (a space may stand for the T), local time
 * (TZ honoured), or followed by Z or +HH:MM / -HH:MM for that offset.
 */
static int
parse_when(const char *s, int64_t *t, const char **why)
{
	struct tm	 tm, check;
	char		 copy[40];
	const char	*end;
	int		 sign, hh, mm;
	size_t		 n = strlen(s);

	*why = "is not YYYY-MM-DDTHH:MM[:SS], local or with Z or +HH:MM";
	if (n < 16 || n >= sizeof copy)
		return -1;
	memcpy(copy, s, n + 1);
	if (copy[10] == ' ')
		copy[10] = 'T';
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(copy, "%Y-%m-%dT%H:%M", &tm)) == NULL ||
	    end != copy + 16)
		return -1;
	if (*end == ':' && ((end = strptime(end, ":%S", &tm)) == NULL ||
	    end != copy + 19 || tm.tm_sec > 59))
		return -1;
	/* strptime takes 2026-02-31; a round trip through timegm does not. */
	check = tm;
	if (timegm(&check) == (time_t)-1 || check.tm_mday != tm.tm_mday ||
	    check.tm_mon != tm.tm_mon)
		return -1;
	if (*end == '\0')
		return when_local(&tm, t, why);
	if (strcmp(end, "Z") == 0) {
		*t = (int64_t)timegm(&tm);
		return 0;
	}
	if ((*end != '+' && *end != '-') || !isdigit((unsigned char)end[1]) ||
	    !isdigit((unsigned char)end[2]))
		return -1;
	sign = *end == '-' ? -1 : 1;
	hh = (end[1] - '0') * 10 + (end[2] - '0');
	end += 3;
	if (*end == ':')
		end++;
	if (!isdigit((unsigned char)end[0]) ||
	    !isdigit((unsigned char)end[1]) || end[2] != '\0')
		return -1;
	mm = (end[0] - '0') * 10 + (end[1] - '0');
	if (hh > 14 || mm > 59)
		return -1;
	*t = (int64_t)timegm(&tm) - sign * (hh * 3600 + mm * 60);
	return 0;
}

/* "2026-12-01 08:00 CET", local; seconds only when there are some. */
static void
local_text(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, tm.tm_sec != 0 ? "%Y-%m-%d %H:%M:%S %Z" :
	    "%Y-%m-%d %H:%M %Z", &tm) == 0)
		snprintf(buf, len, "@%" PRId64, t);
}

/* "2026-12-01T07:00:00Z", for --json. */
static void
utc_text(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "@%" PRId64, t);
}

/* Zones as typed: names split on commas or spaces. */
static int
parse_zones(const char *s, struct pass *p)
{
	size_t	n;

	p->nzones = 0;
	for (;;) {
		s += strspn(s, ", ");
		if (*s == '\0')
			return p->nzones > 0 ? 0 : -1;
		n = strcspn(s, ", ");
		if (p->nzones == PASS_ZONES_MAX || n >= PASS_NAME_LEN)
			return -1;
		memcpy(p->zones[p->nzones], s, n);
		p->zones[p->nzones++][n] = '\0';
		s += n;
	}
}

/* The pass's fields as JSON; name is added when given. */
static json_t *
pass_json(const struct pass *p, const char *name, const char *text)
{
	json_t	*o, *zones;
	char	 id[17], from[32], until[32];
	size_t	 i;

	zones = json_array();
	for (i = 0; i < p->nzones; i++)
		json_array_append_new(zones, json_string(p->zones[i]));
	pass_id_text(p->id, id);
	utc_text(p->valid_from, from, sizeof from);
	utc_text(p->valid_until, until, sizeof until);
	o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:s}", "id", id,
	    "key_id", p->key_id, "category", pass_category_name(p->category),
	    "zones", zones, "from", from, "until", until, "uses", (int)p->uses,
	    "pass", text);
	if (name != NULL)
		json_object_set_new(o, "name", json_string(name));
	return o;
}

/* The fields for a person to read, one per line. */
static void
pass_print(const struct pass *p)
{
	char	id[17], from[64], until[64];
	size_t	i;

	pass_id_text(p->id, id);
	local_text(p->valid_from, from, sizeof from);
	local_text(p->valid_until, until, sizeof until);
	printf("  category  %s\n  zones     ", pass_category_name(p->category));
	for (i = 0; i < p->nzones; i++)
		printf("%s%s", i > 0 ? ", " : "", p->zones[i]);
	printf("\n  valid     from %s\n            until %s\n", from, until);
	if (p->uses == 0)
		printf("  uses      any number within the window\n");
	else
		printf("  uses      %u\n", p->uses);
	printf("  pass id   %s\n  key       %s\n", id, p->key_id);
}

static void
json_print(json_t *o)
{
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	printf("\n");
	json_decref(o);
}

/* Needs no gate: the request stays empty. */
int
cmd_pass_keygen(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "key-id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	struct pass_key	 key;
	const char	*out = NULL, *id = "pass";
	char		*pubpath, *why = NULL, line[PASS_KEY_LINE_MAX];
	int		 ch;

	(void)req;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch == 'o')
			out = optarg;
		else if (ch == 'i')
			id = optarg;
		else
			return EXIT_USAGE;
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (out == NULL)
		return ctl_usage_error("--out FILE is needed");
	if (!pass_valid_name(id))
		return ctl_usage_error("--key-id: " NAME_RULE ": %s", id);
	memset(&key, 0, sizeof key);
	snprintf(key.id, sizeof key.id, "%s", id);
	xasprintf(&pubpath, "%s.pub", out);
	if (pass_keygen(out, pubpath, key.pub, &why) == -1) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		free(pubpath);
		return PASS_EXIT_BAD;
	}
	pass_key_format(&key, line, sizeof line);
	if (ctl->json)
		json_print(json_pack("{s:s, s:s, s:s, s:s}", "private", out,
		    "public", pubpath, "key_id", id, "line", line));
	else
		printf("private key: %s (keep it where passes are issued, "
		    "never on a gate)\npublic key:  %s\n\n# the gates' public "
		    "key, one line (docs/passes.md)\n%s\n", out, pubpath, line);
	free(pubpath);
	return 0;
}

/* A name to print: no control characters, at most VISITOR_NAME_MAX. */
static int
visitor_name_ok(const char *name)
{
	const char	*s;

	for (s = name; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	}
	return s != name && s - name <= VISITOR_NAME_MAX;
}

/* The arguments of pass new, checked. */
struct pass_args {
	const char	*key_file, *name, *png;
	struct pass	 pass;
};

static int
pass_new_args(int argc, char **argv, struct pass_args *a)
{
	static const struct option longs[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-id", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'n' },
		{ "zones", required_argument, NULL, 'z' },
		{ "from", required_argument, NULL, 'f' },
		{ "until", required_argument, NULL, 'u' },
		{ "uses", required_argument, NULL, 'U' },
		{ "category", required_argument, NULL, 'c' },
		{ "png", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct pass	*p = &a->pass;
	const char	*why;
	long		 uses;
	int		 ch, c, have = 0;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'k':
			a->key_file = optarg;
			break;
		case 'i':
			if (!pass_valid_name(optarg))
				return ctl_usage_error("--key-id: "
				    NAME_RULE ": %s", optarg);
			snprintf(p->key_id, sizeof p->key_id, "%s", optarg);
			break;
		case 'n':
			a->name = optarg;
			break;
		case 'z':
			if (parse_zones(optarg, p) == -1)
				return ctl_usage_error("--zones: 1 to %d zone "
				    "names, comma-separated: %s",
				    PASS_ZONES_MAX, optarg);
			break;
		case 'f':
		case 'u':
			if (parse_when(optarg, ch == 'f' ? &p->valid_from :
			    &p->valid_until, &why) == -1)
				return ctl_usage_error("--%s %s %s",
				    ch == 'f' ? "from" : "until", optarg, why);
			have |= ch == 'f' ? 1 : 2;
			break;
		case 'U':
			if (ctl_parse_long(optarg, 0, PASS_USES_MAX, &uses) ==
			    -1)
				return ctl_usage_error("--uses: 0 (any) to "
				    "%d: %s", PASS_USES_MAX, optarg);
			p->uses = (unsigned)uses;
			break;
		case 'c':
			if ((c = pass_category_from_name(optarg)) == -1)
				return ctl_usage_error("--category is visitor "
				    "or contractor: %s", optarg);
			p->category = (enum pass_category)c;
			break;
		case 'p':
			a->png = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (a->key_file == NULL || p->key_id[0] == '\0' || a->name == NULL ||
	    p->nzones == 0 || have != 3)
		return ctl_usage_error("--key, --key-id, --name, --zones, "
		    "--from and --until are needed");
	if (!visitor_name_ok(a->name))
		return ctl_usage_error("--name: 1 to %d bytes of visible text",
		    VISITOR_NAME_MAX);
	if ((why = pass_invalid(p)) != NULL)
		return ctl_usage_error("%s", why);
	return 0;
}

/* Needs no gate: the request stays empty. */
int
cmd_pass_new(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct pass_args a;
	uint8_t		 seed[PASS_KEY_LEN];
	char		 text[PASS_TEXT_MAX], *why = NULL;
	json_t		*o;
	int		 rc;

	(void)req;
	memset(&a, 0, sizeof a);
	a.pass.category = PASS_VISITOR;
	if ((rc = pass_new_args(argc, argv, &a)) != 0)
		return rc;
	if (pass_read_private(a.key_file, seed, &why) == -1) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		return PASS_EXIT_BAD;
	}
	if (RAND_bytes((unsigned char *)&a.pass.id, sizeof a.pass.id) != 1 ||
	    pass_sign(&a.pass, seed, text, sizeof text) == -1) {
		explicit_bzero(seed, sizeof seed);
		fprintf(stderr, "gatectl: OpenSSL could not sign the pass\n");
		return PASS_EXIT_BAD;
	}
	explicit_bzero(seed, sizeof seed);
	if (a.png != NULL && pass_qr_png(a.png, text, &why) == -1) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		return PASS_EXIT_BAD;
	}
	if (ctl->json) {
		o = pass_json(&a.pass, a.name, text);
		if (a.png != NULL)
			json_object_set_new(o, "png", json_string(a.png));
		json_print(o);
		return 0;
	}
	printf("%s pass for %s\n", a.pass.category == PASS_CONTRACTOR ?
	    "Contractor" : "Visitor", a.name);
	pass_print(&a.pass);
	printf("\n%s\n\n", text);
	if (pass_qr_print(stdout, text, isatty(STDOUT_FILENO) &&
	    getenv("NO_COLOR") == NULL) == -1)
		fprintf(stderr, "gatectl: no QR code from libqrencode\n");
	if (a.png != NULL)
		printf("\nQR code: %s\n", a.png);
	return 0;
}

/* Verifies text as a gate would, at a time, and says what it found. */
static int
show_result(struct ctl *ctl, const char *text, const struct pass_key *keys,
    size_t nkeys, int64_t at)
{
	struct pass	 p;
	enum pass_result r, t;
	char		 at_text[64];
	json_t		*o;

	r = pass_verify(text, keys, nkeys, &p);
	t = r == PASS_RESULT_OK ? pass_check_time(&p, at) : r;
	if (ctl->json) {
		o = r == PASS_RESULT_OK ? pass_json(&p, NULL, text) :
		    json_object();
		json_object_set_new(o, "result",
		    json_string(pass_result_name(t)));
		if (r == PASS_RESULT_UNKNOWN_KEY)
			json_object_set_new(o, "key_id", json_string(p.key_id));
		json_print(o);
		return t == PASS_RESULT_OK ? 0 : PASS_EXIT_BAD;
	}
	switch (r) {
	case PASS_RESULT_OK:
		break;
	case PASS_RESULT_UNKNOWN_KEY:
		fprintf(stderr, "gatectl: pass refused: signed with key %s, "
		    "which no --pubkey gives\n", p.key_id);
		return PASS_EXIT_BAD;
	case PASS_RESULT_BAD_SIGNATURE:
		fprintf(stderr, "gatectl: pass refused: bad signature (forged, "
		    "altered or signed by another key)\n");
		return PASS_EXIT_BAD;
	default:
		fprintf(stderr, "gatectl: pass refused: malformed (not a "
		    "whole %s pass)\n", PASS_PREFIX);
		return PASS_EXIT_BAD;
	}
	printf("%s pass, signature of key %s: good\n",
	    p.category == PASS_CONTRACTOR ? "Contractor" : "Visitor", p.key_id);
	pass_print(&p);
	local_text(at, at_text, sizeof at_text);
	printf("  at %s: %s\n", at_text, t == PASS_RESULT_OK ? "valid" :
	    t == PASS_RESULT_EXPIRED ? "expired" : "not yet valid");
	return t == PASS_RESULT_OK ? 0 : PASS_EXIT_BAD;
}

/* Needs no gate: the request stays empty. */
int
cmd_pass_show(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "pubkey", required_argument, NULL, 'p' },
		{ "key-id", required_argument, NULL, 'i' },
		{ "at", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct pass_key	 keys[PASS_KEYS_MAX];
	const char	*files[PASS_KEYS_MAX], *key_id = NULL, *why;
	char		*err = NULL;
	size_t		 nfiles = 0, nkeys = 0, i;
	int64_t		 at = (int64_t)time(NULL);
	int		 ch;

	(void)req;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'p':
			if (nfiles == PASS_KEYS_MAX)
				return ctl_usage_error("at most %d --pubkey",
				    PASS_KEYS_MAX);
			files[nfiles++] = optarg;
			break;
		case 'i':
			key_id = optarg;
			break;
		case 'a':
			if (parse_when(optarg, &at, &why) == -1)
				return ctl_usage_error("--at %s %s", optarg,
				    why);
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1)
		return ctl_usage_error("one pass is needed");
	if (nfiles == 0)
		return ctl_usage_error("--pubkey FILE is needed");
	if (key_id != NULL && !pass_valid_name(key_id))
		return ctl_usage_error("--key-id: " NAME_RULE ": %s", key_id);
	for (i = 0; i < nfiles; i++) {
		if (pass_read_public(files[i], key_id, keys, &nkeys,
		    PASS_KEYS_MAX, &err) == -1) {
			fprintf(stderr, "gatectl: %s\n", err);
			free(err);
			return PASS_EXIT_BAD;
		}
	}

	return show_result(ctl, argv[optind], keys, nkeys, at);
}
