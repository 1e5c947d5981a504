/*
 * config-read.c: gated.conf read into sections of key = value entries,
 * without looking at a value yet (the syntax is common/conf-syntax.c's,
 * shared with gated-hub), and every error of a load kept, each with its
 * line, to report them all at the end, in line order, as "file:line:
 * what is wrong".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-syntax.h"
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

/*
 * A "[kind name]" header: a new section.  Its kind is looked up now, its
 * name and place are checked once the whole file is read.
 */
static void
read_section(void *arg, int line, char *kind, char *name)
{
	struct conf_load	*cl = arg;
	struct conf_section	*cs;

	cl->secs = xreallocarray(cl->secs, cl->nsecs + 1, sizeof *cl->secs);
	cs = &cl->secs[cl->nsecs++];
	memset(cs, 0, sizeof *cs);
	cs->line = line;
	if ((cs->kind = conf_section_kind(kind)) == NULL) {
		conf_error(cl, line, "unknown section [%s]", kind);
		return;
	}
	if (strlen(name) >= sizeof cs->name) {
		conf_error(cl, line, "[%s]: the name is too long", kind);
		cs->kind = NULL;
		return;
	}
	conf_copy(cs->name, sizeof cs->name, name);
}

/* A "key = value" line of the last section. */
static void
read_entry(void *arg, int line, char *key, char *value)
{
	struct conf_load	*cl = arg;
	struct conf_section	*cs = &cl->secs[cl->nsecs - 1];
	struct conf_entry	*ce;

	if (cs->kind == NULL)
		return;		/* in a bad section: already said */
	cs->entries = xreallocarray(cs->entries, cs->nentries + 1,
	    sizeof *cs->entries);
	ce = &cs->entries[cs->nentries++];
	ce->key = xstrdup(key);
	ce->value = xstrdup(value);
	ce->line = line;
	ce->bad = false;
}

static void
read_error(void *arg, int line, const char *what)
{
	conf_error(arg, line, "%s", what);
}

/* Reads the file into sections of keys; syntax errors are recorded. */
int
conf_read(struct conf_load *cl, FILE *f)
{
	static const struct conf_syntax_cb cb = {
		.section = read_section,
		.entry = read_entry,
		.error = read_error,
	};

	return conf_syntax_read(f, &cb, cl);
}
