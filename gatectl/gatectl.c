/*
 * gatectl.c: main of gatectl.  Global options, the command table, the
 * dispatch, and the one choice the commands leave to it: whether their
 * request goes to one gate (client.c) or to every gate of a fleet
 * (fleet.c).  Everything a command does lives in its cmd-*.c file.
 */
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
	{ "inside", "inside", cmd_inside },
	{ "apb reset", "apb reset PERSON --reason TEXT", cmd_apb_reset },
	{ "reload", "reload", cmd_reload },
	{ "events", "events [--after ID | --before ID] [--limit N] [--follow]",
	    cmd_events },
	{ "report", "report [--from WHEN] [--to WHEN] [--csv] "
	    "[--section hourly|denials|alerts]", cmd_report },
	{ "people reload", "people reload [--force]", cmd_people_reload },
	{ "sim card", "sim card READER UID [--temp C]", cmd_sim_card },
	{ "sim pass", "sim pass READER PASS", cmd_sim_pass },
	{ "sim temp", "sim temp THERMOMETER C", cmd_sim_temp },
	{ "sim button", "sim button NAME", cmd_sim_button },
	{ "sim input", "sim input NAME 0|1", cmd_sim_input },
	{ "sim device", "sim device NAME up|down", cmd_sim_device },
	{ "sim outputs", "sim outputs [--history N]", cmd_sim_outputs },
	{ "sim clock", "sim clock synced|unsynced|real", cmd_sim_clock },
	{ "token new", "token new [--name NAME] [--role viewer|guard|admin]",
	    cmd_token_new },
	{ "pass keygen", "pass keygen --out FILE [--key-id ID]",
	    cmd_pass_keygen },
	{ "pass new", "pass new --key FILE --key-id ID --name TEXT --zones Z,... "
	    "--from WHEN --until WHEN [--uses N] [--category visitor|contractor] "
	    "[--png FILE]", cmd_pass_new },
	{ "pass show", "pass show PASS --pubkey FILE [--key-id ID] [--at WHEN]",
	    cmd_pass_show },
	{ "campus sign", "campus sign --key FILE --key-id NAME --site SITE "
	    "level N|mode NAME --reason TEXT [--target campus|GATE] [--seq N] "
	    "[--expires 24h] [--actor TEXT]", cmd_campus_sign },
	{ "campus report", "campus report [--from WHEN] [--to WHEN] "
	    "[--inside 24h] [--format text|csv|json] [--reason TEXT]",
	    cmd_campus_report },
	{ "campus contacts", "campus contacts PERSON --reason TEXT "
	    "[--days 14] [--window 10m] [--format text|csv|json]",
	    cmd_campus_contacts },
	{ "campus apply", "campus apply [FILE|-]", cmd_campus_apply },
	{ "campus publish", "campus publish [FILE|-] --broker HOST:PORT "
	    "[--ca FILE [--cert FILE --cert-key FILE]] [--user NAME "
	    "[--password-file FILE]] [--timeout S]", cmd_campus_publish },
	{ "campus level set", "campus level set N --reason TEXT --key FILE "
	    "--key-id NAME --site SITE --broker HOST:PORT [--target GATE] "
	    "[--timeout S] [broker and sign options]", cmd_campus_level_set },
	{ "campus mode set", "campus mode set GATE MODE --reason TEXT --key FILE "
	    "--key-id NAME --site SITE --broker HOST:PORT [--timeout S] "
	    "[broker and sign options]", cmd_campus_mode_set },
	{ "campus status", "campus status --site SITE --broker HOST:PORT "
	    "[--ca FILE [--cert FILE --cert-key FILE]] [--user NAME "
	    "[--password-file FILE]]", cmd_campus_status },
	{ "campus people push", "campus people push FILE --key FILE --key-id "
	    "NAME --site SITE --broker HOST:PORT --reason TEXT [--wait 10] "
	    "[--seq N] [--actor TEXT] [--unchecked] [--ca FILE [--cert FILE "
	    "--cert-key FILE]]",
	    cmd_campus_people_push },
	{ "campus quarantine", "campus quarantine PERSON on|off --key FILE "
	    "--key-id NAME --site SITE --broker HOST:PORT --reason TEXT "
	    "[--wait 10] [--seq N] [--actor TEXT] [--ca ...]",
	    cmd_campus_quarantine },
	{ "campus ack", "campus ack GATE ALERT --key FILE --key-id NAME --site "
	    "SITE --broker HOST:PORT --reason TEXT [--actor TEXT] [--ca ...]",
	    cmd_campus_ack },
};
#define NCMDS	(sizeof ctl_cmds / sizeof ctl_cmds[0])

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
	    "       gatectl --hub https://HOST:PORT --token-file FILE "
	    "[--ca FILE] ... campus report|contacts ...\n"
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

/*
 * The command argv names: the longest name that matches, "mode set" before
 * "mode", and in *words how many words of argv it took.  NULL, said why,
 * when there is none.
 */
static const struct ctl_cmd *
cmd_find(int argc, char **argv, int *words)
{
	const struct ctl_cmd	*cmd = NULL;
	size_t			 i, n = strlen(argv[0]);
	int			 w, known = 0;

	*words = 0;
	for (i = 0; i < NCMDS; i++) {
		w = cmd_match(&ctl_cmds[i], argc, argv);
		if (w > *words) {
			*words = w;
			cmd = &ctl_cmds[i];
		}
	}
	if (cmd != NULL)
		return cmd;
	for (i = 0; i < NCMDS; i++) {
		if (strncmp(ctl_cmds[i].name, argv[0], n) == 0 &&
		    ctl_cmds[i].name[n] == ' ')
			known = 1;
	}
	fprintf(stderr, "gatectl: unknown command: %s%s%s\n", argv[0],
	    known && argc > 1 ? " " : "", known && argc > 1 ? argv[1] : "");
	if (known)
		usage_of(argv[0]);
	else
		usage(stderr);
	return NULL;
}

/* A global option that getopt_long refused. */
static int
bad_option(char **argv)
{
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

/*
 * The global options, up to the command.  Returns -1 to go on, or the
 * exit code when gatectl is done: -h, --version, a bad option.
 */
static int
options(struct ctl *ctl, int argc, char **argv, const char **fleet)
{
	static const struct option longs[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "gate", required_argument, NULL, 'g' },
		{ "hub", required_argument, NULL, 'g' },	/* the same */
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
	struct ctl_target	*t = &ctl->target;
	long			 timeout;
	int			 ch;

	/* "+": stop at the command, whose options are its own. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+s:h", longs, NULL)) != -1) {
		switch (ch) {
		case 's':
			t->socket = optarg;
			break;
		case 'j':
			ctl->json = 1;
			break;
		case 'g':
			t->url = optarg;
			break;
		case 't':
			t->token_file = optarg;
			break;
		case 'C':
			t->ca = optarg;
			break;
		case 'c':
			t->cert = optarg;
			break;
		case 'k':
			t->key = optarg;
			break;
		case 'F':
			*fleet = optarg;
			break;
		case 'T':
			if (ctl_parse_long(optarg, 1, 300, &timeout) == -1) {
				fprintf(stderr, "gatectl: --timeout: seconds "
				    "from 1 to 300\n");
				return EXIT_USAGE;
			}
			t->timeout = (int)timeout;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("gatectl (protocol %d)\n",
			    GATED_PROTOCOL_VERSION);
			return 0;
		default:
			return bad_option(argv);
		}
	}
	return -1;
}

/* Where the command goes: the socket, --gate and its files, or --fleet. */
static int
targets(struct ctl *ctl, const char *fleet)
{
	struct ctl_target	*t = &ctl->target;
	char			*why = NULL;

	t->name = t->url != NULL ? t->url : t->socket;
	if (fleet != NULL && t->url != NULL) {
		fprintf(stderr, "gatectl: --fleet and --gate exclude each "
		    "other\n");
		return EXIT_USAGE;
	}
	if (t->url == NULL && (t->token_file != NULL || t->ca != NULL ||
	    t->cert != NULL)) {
		fprintf(stderr, "gatectl: --token-file, --ca and --cert are for "
		    "--gate or --hub\n");
		return EXIT_USAGE;
	}
	if ((t->cert == NULL) != (t->key == NULL)) {
		fprintf(stderr, "gatectl: --cert and --key go together\n");
		return EXIT_USAGE;
	}
	if (fleet != NULL &&
	    (ctl->fleet = fleet_load(fleet, t->timeout, &why)) == NULL) {
		fprintf(stderr, "gatectl: %s\n", why);
		free(why);
		return EXIT_USAGE;
	}
	return 0;
}

/* Sends what the command asks to one gate, or to the fleet, and prints. */
static int
send_request(struct ctl *ctl, const struct ctl_request *req)
{
	json_t	*answer;
	int	 rc;

	if (ctl->fleet != NULL)
		return fleet_run(ctl->fleet, req, ctl->json);
	rc = client_call(&ctl->target, ctl->json, req->method, req->path,
	    req->body, &answer);
	if (rc != 0)
		return rc;
	if (!ctl->json)
		req->print(req, answer);
	if (req->exit_code != NULL)
		rc = req->exit_code(answer);
	json_decref(answer);
	return rc;
}

int
main(int argc, char **argv)
{
	struct ctl		 ctl;
	struct ctl_request	 req;
	const struct ctl_cmd	*cmd;
	const char		*fleet = NULL;
	int			 words, rc;

	memset(&ctl, 0, sizeof ctl);
	memset(&req, 0, sizeof req);
	if ((ctl.target.socket = getenv("GATED_SOCKET")) == NULL ||
	    *ctl.target.socket == '\0')
		ctl.target.socket = GATED_DEFAULT_SOCKET;
	ctl.target.timeout = 5;
	log_init(0, "gatectl");

	if ((rc = options(&ctl, argc, argv, &fleet)) != -1)
		return rc;
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((rc = targets(&ctl, fleet)) != 0)
		return rc;
	if ((cmd = cmd_find(argc, argv, &words)) == NULL) {
		fleet_free(ctl.fleet);
		return EXIT_USAGE;
	}

	ctl_cmd_start(cmd->name);
	rc = cmd->exec(&ctl, argc - (words - 1), argv + (words - 1), &req);
	if (rc == EXIT_USAGE)
		fprintf(stderr, "usage: gatectl %s\n", cmd->usage);
	else if (rc == 0 && req.path != NULL)
		rc = send_request(&ctl, &req);
	free(req.path);
	json_decref(req.body);
	fleet_free(ctl.fleet);
	return rc;
}
