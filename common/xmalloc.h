/*
 * xmalloc.h: allocation that does not fail (xmalloc.c).  Running out of
 * memory inside gated or gatectl is fatal, in one place; callers never
 * check for NULL.
 */
#ifndef GATED_XMALLOC_H
#define GATED_XMALLOC_H

#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
