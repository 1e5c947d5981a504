/*
 * log.c: the one logging API of gated.  Everything goes to stderr, which
 * systemd hands to the journal; debug lines appear only when verbose.
 * When stderr is the journal's stream (JOURNAL_STREAM names its device and
 * inode), each line starts with its sd-daemon priority, "<4>" for a
 * warning, which journald takes as the line's priority and strips.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>

#include "log.h"

static int		 log_verbose;
static int		 log_journal;	/* stderr is journald's stream */
static const char	*log_progname = "gated";

static void	vlog(const char *, const char *, const char *, int,
		    const char *, va_list) __attribute__((format(printf, 5, 0)));

/* Whether stderr is the stream systemd connected to the journal. */
static int
log_stderr_is_journal(void)
{
	const char		*v = getenv("JOURNAL_STREAM");
	struct stat		 st;
	unsigned long long	 dev, ino;

	if (v == NULL || sscanf(v, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int verbose, const char *progname)
{
	log_verbose = verbose;
	if (progname != NULL)
		log_progname = progname;
	log_journal = log_stderr_is_journal();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

/*
 * Writes one line: "[<prio>]prog: [level: ]message[: strerror]".  A
 * newline inside the message would start a line of its own, a forged one
 * under journald: it is written as a space.
 */
static void
vlog(const char *prio, const char *level, const char *errstr, int with_errno,
    const char *fmt, va_list ap)
{
	char	msg[1024], *p;

	vsnprintf(msg, sizeof msg, fmt, ap);
	for (p = msg; (p = strpbrk(p, "\r\n")) != NULL; p++)
		*p = ' ';
	if (!log_journal)
		prio = "";
	if (with_errno)
		fprintf(stderr, "%s%s: %s%s: %s\n", prio, log_progname, level,
		    msg, errstr);
	else
		fprintf(stderr, "%s%s: %s%s\n", prio, log_progname, level, msg);
	fflush(stderr);
}

/*
 * The lines without errno, whatever their priority (log.h names them
 * log_errorx, log_warnx, log_info and log_debug).
 */
void
log_msg(int priority, const char *fmt, ...)
{
	va_list	 ap;
	char	 prio[8];

	if (priority == LOG_DEBUG && !log_verbose)
		return;
	snprintf(prio, sizeof prio, "<%d>", priority);
	va_start(ap, fmt);
	vlog(prio, priority == LOG_ERR ? "error: " : priority == LOG_DEBUG ?
	    "debug: " : "", NULL, 0, fmt, ap);
	va_end(ap);
}

/*
 * A line with errno's text after the message.  glibc's strerror_r (GNU,
 * as _GNU_SOURCE builds it) returns the text, often a static string
 * without touching buf: its result is the text, not buf.
 */
static void __attribute__((format(printf, 3, 0)))
vlog_errno(const char *prio, const char *level, const char *fmt, va_list ap)
{
	char	buf[128];

	vlog(prio, level, strerror_r(errno, buf, sizeof buf), 1, fmt, ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(SD_WARNING, "", fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog_errno(SD_ERR, "fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(SD_ERR, "fatal: ", NULL, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
