/*
 * gatectl.c: main of gatectl.  Global options, the command table and the
 * dispatch; everything a command does lives in its cmd-*.c file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatectl.h"

static const struct ctl_cmd ctl_cmds[] = {
	{ "status", "status", cmd_status },
	{ "mode", "mode", cmd_mode },
	{ "mode set", "mode set MODE --reason TEXT", cmd_mode_set },
	{ "level", "level", cmd_level },
	{ "level set", "level set N --reason TEXT", cmd_level_set },
	{ "open", "open LANE --reason TEXT", cmd_open },
	{ "alerts", "alerts [--before ID] [--limit N]", cmd_alerts },
	{ "ack", "ack ALERT [--reason TEXT]", cmd_ack },
	{ "reload", "reload", cmd_reload },
	{ "events", "events [--after ID | --before ID] [--limit N] [--follow]",
	    cmd_events },
	{ "report", "report [--from WHEN] [--to WHEN] [--csv] "
	    "[--section hourly|denials|alerts]", cmd_report },
	{ "people reload", "people reload [--force]", cmd_people_reload },
	{ "sim card", "sim card READER UID [--temp C]", cmd_sim_card },
	{ "sim temp", "sim temp THERMOMETER C", cmd_sim_temp },
	{ "sim button", "sim button NAME", cmd_sim_button },
	{ "sim input", "sim input NAME 0|1", cmd_sim_input },
	{ "sim device", "sim device NAME up|down", cmd_sim_device },
	{ "sim outputs", "sim outputs [--history N]", cmd_sim_outputs },
	{ "token new", "token new [--name NAME] [--role viewer|guard|admin]",
	    cmd_token_new },
	{ "pass keygen", "pass keygen --out FILE [--key-id ID]",
	    cmd_pass_keygen },
	{ "pass new", "pass new --key FILE --key-id ID --name TEXT --zones Z,... "
	    "--from WHEN --until WHEN [--uses N] [--category visitor|contractor] "
	    "[--png FILE]", cmd_pass_new },
	{ "pass show", "pass show PASS --pubkey FILE [--key-id ID] [--at WHEN]",
	    cmd_pass_show },
};
#define NCMDS	(sizeof ctl_cmds / sizeof ctl_cmds[0])

static const char *ctl_cmd_name;	/* for messages: "mode set" */

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: gatectl [-s socket] [--json] command [arguments]\n"
	    "       gatectl --gate https://HOST:PORT --token-file FILE "
	    "[--ca FILE]\n"
	    "               [--cert FILE --key FILE] [--timeout S] [--json] "
	    "command ...\n"
	    "       gatectl --fleet FILE [--timeout S] [--json] command ...\n"
	    "       gatectl -h | --version\n"
	    "commands:\n");
	for (i = 0; i < NCMDS; i++)
		fprintf(f, "    %s\n", ctl_cmds[i].usage);
}

/* The usage of every command sharing a first word with the one typed. */
static void
usage_of(const char *word)
{
	size_t	i, n;
	int	first = 1;

	n = strcspn(word, " ");
	for (i = 0; i < NCMDS; i++) {
		if (strncmp(ctl_cmds[i].name, word, n) != 0 ||
		    (ctl_cmds[i].name[n] != '\0' && ctl_cmds[i].name[n] != ' '))
			continue;
		fprintf(stderr, "%s gatectl %s\n", first ? "usage:" : "      ",
		    ctl_cmds[i].usage);
		first = 0;
	}
}

/* How many words of argv the command name takes, 0 if it does not match. */
static int
cmd_match(const struct ctl_cmd *cmd, int argc, char **argv)
{
	const char	*p = cmd->name;
	size_t		 n;
	int		 words = 0;

	while (*p != '\0') {
		n = strcspn(p, " ");
		if (words == argc || strlen(argv[words]) != n ||
		    strncmp(argv[words], p, n) != 0)
			return 0;
		words++;
		p += n;
		if (*p == ' ')
			p++;
	}
	return words;
}

/* Prints why the arguments are wrong; the caller returns EXIT_USAGE. */
int
ctl_usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "gatectl: %s: ", ctl_cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return EXIT_USAGE;
}

/*
 * getopt_long for a command's own options, restarted for its argv, long
 * options only, with our own messages.  Returns the option's val, -1 at
 * the end, '?' on a bad one (already reported).
 */
int
ctl_getopt(int argc, char **argv, const struct option *longs)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	int	ch;

	opterr = 0;
	ch = getopt_long(argc, argv, ":", longs != NULL ? longs : none, NULL);
	if (ch == ':') {
		ctl_usage_error("%s needs a value", argv[optind - 1]);
		return '?';
	}
	if (ch == '?') {
		ctl_usage_error("unknown option %s", argv[optind - 1]);
		return '?';
	}
	return ch;
}

/* Prints the scalar members of an answer, key=value: the sim commands. */
void
ctl_print_scalars(json_t *answer)
{
	const char	*key;
	json_t		*v;
	char		 buf[64];
	int		 first = 1;

	json_object_foreach(answer, key, v) {
		if (json_is_object(v) || json_is_array(v))
			continue;
		printf("%s%s=%s", first ? "" : " ", key,
		    json_is_null(v) ? "-" :
		    ctl_json_text(answer, key, buf, sizeof buf));
		first = 0;
	}
	printf("%s", first ? "ok\n" : "\n");
}

int
main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "gate", required_argument, NULL, 'g' },
		{ "token-file", required_argument, NULL, 't' },
		{ "ca", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "fleet", required_argument, NULL, 'F' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl		 ctl;
	const struct ctl_cmd	*cmd = NULL;
	const char		*fleet = NULL;
	char			*why = NULL;
	size_t			 i;
	long			 timeout = 5;
	int			 ch, words, best = 0, known, rc;

	memset(&ctl, 0, sizeof ctl);
	if ((ctl.target.socket = getenv("GATED_SOCKET")) == NULL ||
	    *ctl.target.socket == '\0')
		ctl.target.socket = GATED_DEFAULT_SOCKET;
	log_init(0, "gatectl");

	/* "+": stop at the command, whose options are its own. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+s:h", longs, NULL)) != -1) {
		switch (ch) {
		case 's':
			ctl.target.socket = optarg;
			break;
		case 'j':
			ctl.json = 1;
			break;
		case 'g':
			ctl.target.url = optarg;
			break;
		case 't':
			ctl.target.token_file = optarg;
			break;
		case 'C':
			ctl.target.ca = optarg;
			break;
		case 'c':
			ctl.target.cert = optarg;
			break;
		case 'k':
			ctl.target.key = optarg;
			break;
		case 'F':
			fleet = optarg;
			break;
		case 'T':
			if (ctl_parse_long(optarg, 1, 300, &timeout) == -1) {
				fprintf(stderr, "gatectl: --timeout: seconds "
				    "from 1 to 300\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("gatectl (protocol %d)\n",
			    GATED_PROTOCOL_VERSION);
			return 0;
		default:
			if (optopt == 's')
				fprintf(stderr, "gatectl: -s needs a path\n");
			else if (optopt != 0)
				fprintf(stderr, "gatectl: %s needs a value\n",
				    argv[optind - 1]);
			else
				fprintf(stderr, "gatectl: unknown option %s\n",
				    argv[optind - 1]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	ctl.target.timeout = (int)timeout;
	ctl.target.name = ctl.target.url != NULL ? ctl.target.url :
	    ctl.target.socket;
	if (fleet != NULL && ctl.target.url != NULL) {
		fprintf(stderr, "gatectl: --fleet and --gate exclude each "
		    "other\n");
		return EXIT_USAGE;
	}
	if (ctl.target.url == NULL && (ctl.target.token_file != NULL ||
	    ctl.target.ca != NULL || ctl.target.cert != NULL)) {
		fprintf(stderr, "gatectl: --token-file, --ca and --cert are for "
		    "--gate\n");
		return EXIT_USAGE;
	}
	if ((ctl.target.cert == NULL) != (ctl.target.key == NULL)) {
		fprintf(stderr, "gatectl: --cert and --key go together\n");
		return EXIT_USAGE;
	}
	if (fleet != NULL &&
	    (ctl.fleet = fleet_load(fleet, (int)timeout, &why)) == NULL) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		return EXIT_USAGE;
	}

	/* The longest name that matches: "mode set" before "mode". */
	for (i = 0; i < NCMDS; i++) {
		words = cmd_match(&ctl_cmds[i], argc, argv);
		if (words > best) {
			best = words;
			cmd = &ctl_cmds[i];
		}
	}
	if (cmd == NULL) {
		known = 0;
		for (i = 0; i < NCMDS; i++) {
			if (strncmp(ctl_cmds[i].name, argv[0],
			    strlen(argv[0])) == 0 &&
			    ctl_cmds[i].name[strlen(argv[0])] == ' ')
				known = 1;
		}
		fprintf(stderr, "gatectl: unknown command: %s%s%s\n", argv[0],
		    known && argc > 1 ? " " : "", known && argc > 1 ? argv[1] :
		    "");
		if (known)
			usage_of(argv[0]);
		else
			usage(stderr);
		return EXIT_USAGE;
	}

	ctl_cmd_name = cmd->name;
	optind = 0;	/* glibc: a full restart for the command's getopt */
	rc = cmd->exec(&ctl, argc - (best - 1), argv + (best - 1));
	if (rc == EXIT_USAGE)
		fprintf(stderr, "usage: gatectl %s\n", cmd->usage);
	if (rc == CTL_FLEET_DEFERRED)
		rc = fleet_run(&ctl);
	fleet_free(ctl.fleet);
	return rc;
}
