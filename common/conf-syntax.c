/*
 * conf-syntax.c: the config files' syntax, line by line, for gated
 * (agent/config-read.c) and gated-hub (hub/conf.c): which lines are
 * section headers, which are key = value, and what is wrong with a line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-syntax.h"

struct conf_syntax {
	const struct conf_syntax_cb	*cb;
	void				*arg;
	bool				 headers;	/* a header was seen */
	bool				 bad;		/* the last one was wrong */
};

static void
syntax_error(struct conf_syntax *sx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
syntax_error(struct conf_syntax *sx, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) == -1)
		what = NULL;
	va_end(ap);
	sx->cb->error(sx->arg, line, what != NULL ? what : "out of memory");
	free(what);
}

/* Drops the comment and the white space around; the end of what is left. */
static char *
strip_line(char *buf, char **start)
{
	char	*s, *e;

	/* A comment is a '#' at the start or after white space. */
	for (e = buf; (e = strchr(e, '#')) != NULL; e++) {
		if (e == buf || isspace((unsigned char)e[-1])) {
			*e = '\0';
			break;
		}
	}
	s = buf + strspn(buf, " \t\r\n");
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	*start = s;
	return e;
}

/* A "[kind name]" line, from s to e. */
static void
read_header(struct conf_syntax *sx, char *s, char *e, int line)
{
	char	*name;

	if (e[-1] != ']') {
		syntax_error(sx, line, "a section header ends with ']'");
		sx->bad = true;
		return;
	}
	e[-1] = '\0';
	s++;
	s += strspn(s, " \t");
	name = s + strcspn(s, " \t");
	if (*name != '\0')
		*name++ = '\0';
	name += strspn(name, " \t");
	e = name + strlen(name);
	while (e > name && isspace((unsigned char)e[-1]))
		*--e = '\0';
	sx->headers = true;
	sx->bad = false;
	sx->cb->section(sx->arg, line, s, name);
}

/* A "key = value" line. */
static void
read_entry(struct conf_syntax *sx, char *s, int line)
{
	char	*e, *eq;

	if ((eq = strchr(s, '=')) == NULL) {
		syntax_error(sx, line, "'%s' is neither key = value nor a "
		    "[section]", s);
		return;
	}
	*eq = '\0';
	for (e = eq; e > s && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	eq++;
	eq += strspn(eq, " \t");
	/* A '#' that begins the value starts a comment, as it does after
	 * "key = ": else "key =#x" has a value that no print of it (with
	 * the spaces) can give back (fuzz-config). */
	if (*eq == '#')
		*eq = '\0';
	if (*s == '\0') {
		syntax_error(sx, line, "a key is missing before '='");
		return;
	}
	if (!sx->headers) {
		syntax_error(sx, line, "%s: outside any section", s);
		return;
	}
	if (sx->bad)
		return;		/* under a bad header: already said */
	sx->cb->entry(sx->arg, line, s, eq);
}

int
conf_syntax_read(FILE *f, const struct conf_syntax_cb *cb, void *arg)
{
	struct conf_syntax	 sx = { .cb = cb, .arg = arg };
	char			*buf = NULL, *s, *e;
	size_t			 bufsize = 0;
	ssize_t			 n;
	int			 line = 0;

	while ((n = getline(&buf, &bufsize, f)) != -1) {
		line++;
		if ((size_t)n != strlen(buf)) {
			syntax_error(&sx, line, "a NUL byte in the line");
			continue;
		}
		e = strip_line(buf, &s);
		if (*s == '\0')
			continue;
		if (*s == '[')
			read_header(&sx, s, e, line);
		else
			read_entry(&sx, s, line);
	}
	free(buf);
	if (ferror(f)) {
		syntax_error(&sx, 0, "read: %s", strerror(errno));
		return -1;
	}
	return 0;
}
