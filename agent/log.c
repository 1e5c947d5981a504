/*
 * log.c: the one logging API of gated.  Everything goes to stderr, which
 * systemd hands to the journal; debug lines appear only when verbose.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static int		 log_verbose;
static const char	*log_progname = "gated";

static void	vlog(const char *, const char *, int, const char *, va_list)
		    __attribute__((format(printf, 4, 0)));

void
log_init(int verbose, const char *progname)
{
	log_verbose = verbose;
	if (progname != NULL)
		log_progname = progname;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

/* Writes one line: "prog: [level: ]message[: strerror]". */
static void
vlog(const char *level, const char *errstr, int with_errno, const char *fmt,
    va_list ap)
{
	char	msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (with_errno)
		fprintf(stderr, "%s: %s%s: %s\n", log_progname, level, msg,
		    errstr);
	else
		fprintf(stderr, "%s: %s%s\n", log_progname, level, msg);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[128];

	strerror_r(errno, err, sizeof err);
	va_start(ap, fmt);
	vlog("", err, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("", NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("", NULL, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	vlog("debug: ", NULL, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	char	 err[128];

	strerror_r(errno, err, sizeof err);
	va_start(ap, fmt);
	vlog("fatal: ", err, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("fatal: ", NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
