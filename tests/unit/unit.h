/*
 * unit.h: the smallest test harness that does the job.  Every check prints
 * one line, PASS: or FAIL:, which tests/run counts; a test program's exit
 * status is non-zero when any check failed.
 */
#ifndef GATED_UNIT_H
#define GATED_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int unit_failed;
static int unit_passed;

/* Records one check: ok, and a printf-style name for it. */
static void __attribute__((format(printf, 2, 3), unused))
check(int ok, const char *fmt, ...)
{
	va_list	ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		unit_passed++;
	else
		unit_failed++;
}

/* Ends the program: exit status 1 when anything failed. */
static int __attribute__((unused))
check_done(void)
{
	fprintf(stderr, "%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
