/*
 * config-read.c: the syntax of gated.conf.  Reads the file line by line
 * into sections of key = value entries, without looking at a value yet,
 * and keeps every error of a load, each with its line, to report them all
 * at the end, in line order, as "file:line: what is wrong".
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-int.h"

/* Records one error; line 0 is an error about the whole file. */
void
conf_error(struct conf_load *cl, int line, const char *fmt, ...)
{
	struct conf_error	*e;
	va_list			 ap;

	cl->errs = xreallocarray(cl->errs, cl->nerrs + 1, sizeof *cl->errs);
	e = &cl->errs[cl->nerrs];
	e->line = line;
	e->seq = cl->nerrs++;
	va_start(ap, fmt);
	if (vasprintf(&e->text, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
}

/* Errors are shown in line order, and in the order found on one line. */
static int
error_cmp(const void *a, const void *b)
{
	const struct conf_error	*ea = a, *eb = b;

	if (ea->line != eb->line)
		return ea->line < eb->line ? -1 : 1;
	return ea->seq < eb->seq ? -1 : ea->seq > eb->seq;
}

/* Joins the errors, in line order, into one malloc'd string. */
char *
conf_errors(struct conf_load *cl)
{
	char	*out;
	size_t	 size;
	FILE	*f;
	int	 i;

	qsort(cl->errs, cl->nerrs, sizeof *cl->errs, error_cmp);
	if ((f = open_memstream(&out, &size)) == NULL)
		fatal("open_memstream");
	for (i = 0; i < cl->nerrs; i++) {
		if (cl->errs[i].line == 0)
			fprintf(f, "%s: %s\n", cl->file, cl->errs[i].text);
		else
			fprintf(f, "%s:%d: %s\n", cl->file, cl->errs[i].line,
			    cl->errs[i].text);
	}
	if (fclose(f) != 0)
		fatal("open_memstream");
	return out;
}

/* The entry of a key in a section, or NULL. */
struct conf_entry *
conf_entry(const struct conf_section *cs, const char *key)
{
	int	i;

	for (i = 0; i < cs->nentries; i++) {
		if (strcmp(cs->entries[i].key, key) == 0)
			return &cs->entries[i];
	}
	return NULL;
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

/*
 * A "[kind name]" line, from s to e: a new section, or NULL when the
 * header is wrong (said) and the keys under it are to be skipped.  Its
 * name and place are checked once the whole file is read.
 */
static struct conf_section *
read_header(struct conf_load *cl, char *s, char *e, int line)
{
	struct conf_section	*cs;
	char			*name;

	if (e[-1] != ']') {
		conf_error(cl, line, "a section header ends with ']'");
		return NULL;
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

	cl->secs = xreallocarray(cl->secs, cl->nsecs + 1, sizeof *cl->secs);
	cs = &cl->secs[cl->nsecs++];
	memset(cs, 0, sizeof *cs);
	cs->line = line;
	if ((cs->kind = conf_section_kind(s)) == NULL) {
		conf_error(cl, line, "unknown section [%s]", s);
		return cs;
	}
	if (strlen(name) >= sizeof cs->name) {
		conf_error(cl, line, "[%s]: the name is too long", s);
		cs->kind = NULL;
		return cs;
	}
	conf_copy(cs->name, sizeof cs->name, name);
	return cs;
}

/* A "key = value" line of section cs (NULL: of no section or a bad one). */
static void
read_entry(struct conf_load *cl, struct conf_section *cs, char *s, int line)
{
	struct conf_entry	*ce;
	char			*e, *eq;

	if ((eq = strchr(s, '=')) == NULL) {
		conf_error(cl, line, "'%s' is neither key = value nor a "
		    "[section]", s);
		return;
	}
	*eq = '\0';
	for (e = eq; e > s && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	eq++;
	eq += strspn(eq, " \t");
	if (*s == '\0') {
		conf_error(cl, line, "a key is missing before '='");
		return;
	}
	if (cl->nsecs == 0) {
		conf_error(cl, line, "%s: outside any section", s);
		return;
	}
	if (cs == NULL || cs->kind == NULL)
		return;		/* in a bad section: already said */
	cs->entries = xreallocarray(cs->entries, cs->nentries + 1,
	    sizeof *cs->entries);
	ce = &cs->entries[cs->nentries++];
	ce->key = xstrdup(s);
	ce->value = xstrdup(eq);
	ce->line = line;
	ce->bad = false;
}

/* Reads the file into sections of keys; syntax errors are recorded. */
int
conf_read(struct conf_load *cl, FILE *f)
{
	struct conf_section	*cs = NULL;
	char			*buf = NULL, *s, *e;
	size_t			 bufsize = 0;
	ssize_t			 n;
	int			 line = 0;

	while ((n = getline(&buf, &bufsize, f)) != -1) {
		line++;
		if ((size_t)n != strlen(buf)) {
			conf_error(cl, line, "a NUL byte in the line");
			continue;
		}
		e = strip_line(buf, &s);
		if (*s == '\0')
			continue;
		if (*s == '[')
			cs = read_header(cl, s, e, line);
		else
			read_entry(cl, cs, s, line);
	}
	free(buf);
	if (ferror(f)) {
		conf_error(cl, 0, "read: %s", strerror(errno));
		return -1;
	}
	return 0;
}
