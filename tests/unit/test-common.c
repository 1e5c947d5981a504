/*
 * test-common.c: common/: the lines log.c writes (one per call, the level
 * word, errno's text after log_warn's message, no newline inside a line)
 * and the clocks of clock.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "unit.h"

/* What the calls in fn write to stderr, into buf. */
static void
captured(void (*fn)(void), char *buf, size_t len)
{
	FILE	*f;
	size_t	 n;
	int	 saved;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	f = tmpfile();
	dup2(fileno(f), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void
lines(void)
{
	log_info("info %d", 1);
	errno = ENOENT;
	log_warn("open %s", "x");
	log_warnx("two\nlines");
	log_errorx("bad");
	log_debug("hidden");
}

static void
verbose_lines(void)
{
	log_setverbose(1);
	log_debug("shown");
	log_setverbose(0);
}

int
main(void)
{
	char		buf[1024];
	struct timespec	ts;
	int64_t		a, b;
	int		ok;

	unsetenv("JOURNAL_STREAM");
	log_init(0, "t");
	captured(lines, buf, sizeof buf);
	ok = strcmp(buf, "t: info 1\n"
	    "t: open x: No such file or directory\n"
	    "t: two lines\n"
	    "t: error: bad\n") == 0;
	check(ok, "log lines, with errno's text after log_warn's%s%s",
	    ok ? "" : ", got:\n", ok ? "" : buf);
	captured(verbose_lines, buf, sizeof buf);
	check(strcmp(buf, "t: debug: shown\n") == 0, "debug when verbose");

	a = mono_ms();
	b = mono_ms();
	check(a > 0 && b >= a, "mono_ms does not go back");
	check(mono_ns() / 1000000 >= b, "mono_ns on the same clock");
	check(wall_ms() > 1700000000000LL, "wall_ms is Unix time in ms");
	check(boot_ms() >= b - 1000, "boot_ms counts at least as far as mono");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec -= 2;
	a = elapsed_ms(&ts);
	check(a >= 2000 && a < 3000, "elapsed_ms: %lld", (long long)a);
	return check_done();
}
