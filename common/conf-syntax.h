/*
 * conf-syntax.h: the syntax the config files of gated and gated-hub
 * share (conf-syntax.c): lines of "[kind name]" section headers and
 * "key = value" entries, '#' comments at the start of a line or after
 * white space.  It says what each line is and what is wrong with the
 * syntax; what a section or key means is the caller's.
 */
#ifndef GATED_CONF_SYNTAX_H
#define GATED_CONF_SYNTAX_H

#include <stdio.h>

/*
 * Called in line order.  The strings are the line's, valid during the
 * call only, trimmed of white space; name is "" when the header has
 * none.  An entry under a header with a syntax error, or before any
 * header, is reported as an error and not handed to entry.
 */
struct conf_syntax_cb {
	void	(*section)(void *arg, int line, char *kind, char *name);
	void	(*entry)(void *arg, int line, char *key, char *value);
	/* A syntax error on line (0: the whole file, a read error). */
	void	(*error)(void *arg, int line, const char *what);
};

/* Reads f to its end: 0, or -1 on a read error (reported as line 0). */
int	conf_syntax_read(FILE *f, const struct conf_syntax_cb *, void *arg);

#endif
