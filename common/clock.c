/*
 * clock.c: the clocks gated reads, in milliseconds: one place for the
 * conversion from clock_gettime() that every module used to repeat.
 */
#include <stdint.h>
#include <time.h>

#include "clock.h"

static int64_t
read_ms(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
mono_ms(void)
{
	return read_ms(CLOCK_MONOTONIC);
}

int64_t
mono_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
wall_ms(void)
{
	return read_ms(CLOCK_REALTIME);
}

int64_t
boot_ms(void)
{
	return read_ms(CLOCK_BOOTTIME);
}

int64_t
elapsed_ms(const struct timespec *since)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
	    (now.tv_nsec - since->tv_nsec) / 1000000;
}
