/*
 * log.h: the one logging API of gated (log.c), on its own so that hw/
 * logs through it without the agent's header.  Under systemd each line
 * carries its syslog priority, so `journalctl -p warning` finds warnings.
 */
#ifndef GATED_LOG_H
#define GATED_LOG_H

#include <syslog.h>	/* LOG_ERR ... LOG_DEBUG */

void	log_init(int debug, const char *progname);
void	log_setverbose(int);
/*
 * One line at a syslog priority.  LOG_ERR lines say "error: ", LOG_DEBUG
 * lines "debug: " and are written only when verbose.  The names below are
 * what callers use.
 */
void	log_msg(int priority, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
#define log_errorx(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warnx(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
/* A warning with strerror(errno) after the message. */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(1); fatal() adds strerror(errno). */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
