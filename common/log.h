/*
 * log.h: the one logging API of gated (log.c), on its own so that hw/
 * logs through it without the agent's header.  Under systemd each line
 * carries its syslog priority, so `journalctl -p warning` finds warnings.
 */
#ifndef GATED_LOG_H
#define GATED_LOG_H

void	log_init(int debug, const char *progname);
void	log_setverbose(int);
void	log_errorx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
