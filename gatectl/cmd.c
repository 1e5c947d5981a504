/*
 * cmd.c: what gatectl's commands share: parsing their own options with
 * our messages, saying what was wrong with the arguments, the paging
 * options of a listing, and filling in the request a command yields.
 * gatectl.c runs the commands; they call this file, never gatectl.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatectl.h"

static const char *cmd_name;	/* for messages: "mode set" */

void
ctl_cmd_start(const char *name)
{
	cmd_name = name;
	optind = 0;	/* glibc: a full restart for the command's getopt */
}

/* Prints why the arguments are wrong; the caller returns EXIT_USAGE. */
int
ctl_usage_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "gatectl: %s: ", cmd_name);
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

int
ctl_ask(struct ctl_request *req, enum ctl_method method, char *path,
    json_t *body, void (*print)(const struct ctl_request *, json_t *))
{
	req->method = method;
	req->path = path;
	req->body = body;
	req->print = print;
	return 0;
}

/* Prints the scalar members of an answer, key=value: the sim commands. */
void
ctl_print_scalars(const struct ctl_request *req, json_t *answer)
{
	const char	*key;
	json_t		*v;
	char		 buf[64];
	int		 first = 1;

	(void)req;
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

/* An id after (from 0) or before (from 1) which a page starts. */
int
ctl_paging_option(struct ctl_paging *p, int ch, const char *arg)
{
	switch (ch) {
	case 'a':
		if (ctl_parse_long(arg, 0, LONG_MAX, &p->after) == -1)
			return ctl_usage_error("not an %s id: %s", p->noun,
			    arg);
		break;
	case 'b':
		if (ctl_parse_long(arg, 1, LONG_MAX, &p->before) == -1)
			return ctl_usage_error("not an %s id: %s", p->noun,
			    arg);
		break;
	case 'l':
		if (ctl_parse_long(arg, 1, 1000, &p->limit) == -1)
			return ctl_usage_error("--limit wants 1 to 1000: %s",
			    arg);
		break;
	default:
		return EXIT_USAGE;
	}
	return 0;
}

char *
ctl_paging_path(const char *route, const struct ctl_paging *p)
{
	char	*path;

	if (p->after >= 0)
		xasprintf(&path, "%s?after=%ld&limit=%ld", route, p->after,
		    p->limit);
	else if (p->before >= 0)
		xasprintf(&path, "%s?before=%ld&limit=%ld", route, p->before,
		    p->limit);
	else
		xasprintf(&path, "%s?limit=%ld", route, p->limit);
	return path;
}
