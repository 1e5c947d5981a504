/*
 * cmd-hub.c: the epidemic office's commands, asked of the campus hub
 * (gated-hub, docs/hub.md) rather than of a gate: `campus report` and
 * `campus contacts`.  The hub is reached like a remote gate, --hub URL
 * with --token-file and the TLS options; its answers are JSON, printed as
 * text or CSV by common/campus-print.c, which the hub serves too.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "campus-print.h"
#include "gatectl.h"

/* The hub, not a gate or a fleet: the commands' one target. */
static int
hub_target(struct ctl *ctl)
{
	if (ctl->fleet != NULL)
		return ctl_usage_error("asks the hub, not a fleet: --hub URL");
	if (ctl->target.url == NULL)
		return ctl_usage_error("asks the hub: --hub https://HOST:PORT "
		    "--token-file FILE");
	return 0;
}

/* text, csv or json: 0 with *csv set and ctl->json for json. */
static int
hub_format(struct ctl *ctl, const char *arg, int *csv)
{
	enum campus_format	fmt;

	if (strcmp(arg, "json") == 0) {
		ctl->json = 1;
		return 0;
	}
	if (campus_format_parse(arg, &fmt) == -1)
		return ctl_usage_error("--format: text, csv or json");
	*csv = fmt == CAMPUS_CSV;
	return 0;
}

/* Appends "&key=value" to *path, value percent-encoded. */
static void
hub_param(char **path, const char *key, const char *value)
{
	char	*enc, *q;

	if ((enc = evhttp_uriencode(value, -1, 0)) == NULL)
		fatalx("out of memory");
	xasprintf(&q, "%s&%s=%s", *path, key, enc);
	free(enc);
	free(*path);
	*path = q;
}

static void
print_campus_report(const struct ctl_request *req, json_t *a)
{
	campus_report_print(stdout, a, req->opt.campus_csv ? CAMPUS_CSV :
	    CAMPUS_TEXT);
}

static void
print_campus_contacts(const struct ctl_request *req, json_t *a)
{
	campus_contacts_print(stdout, a, req->opt.campus_csv ? CAMPUS_CSV :
	    CAMPUS_TEXT);
}

int
cmd_campus_report(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ "reason", required_argument, NULL, 'r' },
		{ "inside", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*from = NULL, *to = NULL, *reason = NULL;
	const char	*inside = NULL;
	char		*path;
	int		 ch, csv = 0;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'F':
			if (hub_format(ctl, optarg, &csv) != 0)
				return EXIT_USAGE;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'i':
			inside = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	if (hub_target(ctl) != 0)
		return EXIT_USAGE;
	path = xstrdup("/v1/report?format=json");
	if ((from != NULL && ctl_report_when(&path, "from", from) != 0) ||
	    (to != NULL && ctl_report_when(&path, "to", to) != 0)) {
		free(path);
		return EXIT_USAGE;
	}
	if (reason != NULL)
		hub_param(&path, "reason", reason);
	if (inside != NULL)
		hub_param(&path, "inside", inside);
	req->opt.campus_csv = csv;
	return ctl_ask(req, CTL_GET, path, NULL, print_campus_report);
}

int
cmd_campus_contacts(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "window", required_argument, NULL, 'w' },
		{ "reason", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*window = "10m", *reason = NULL, *person;
	char		*path, days[16];
	long		 d = 14;
	int		 ch, csv = 0;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		switch (ch) {
		case 'd':
			if (ctl_parse_long(optarg, 1, 366, &d) == -1)
				return ctl_usage_error("--days: 1 to 366");
			break;
		case 'w':
			window = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'F':
			if (hub_format(ctl, optarg, &csv) != 0)
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return ctl_usage_error(optind == argc ? "which person?" :
		    "one person at a time");
	person = argv[optind];
	if (reason == NULL || reason[strspn(reason, " \t")] == '\0')
		return ctl_usage_error("--reason is required: a trace reveals "
		    "where people were, and the hub journals why");
	if (hub_target(ctl) != 0)
		return EXIT_USAGE;
	snprintf(days, sizeof days, "%ld", d);
	path = xstrdup("/v1/contacts?format=json");
	hub_param(&path, "person", person);
	hub_param(&path, "days", days);
	hub_param(&path, "window", window);
	hub_param(&path, "reason", reason);
	req->opt.campus_csv = csv;
	return ctl_ask(req, CTL_GET, path, NULL, print_campus_contacts);
}
