/*
 * clock.h: the clocks gated reads, in milliseconds (clock.c), so that the
 * conversion from a struct timespec is written once.  The monotonic clock
 * times timers, deadlines and ages; the wall clock stamps what people
 * read (journal rows, histories); the boot clock also counts a suspend
 * and no one can set it.
 */
#ifndef GATED_CLOCK_H
#define GATED_CLOCK_H

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC in milliseconds, and in nanoseconds (Wiegand frames). */
int64_t	mono_ms(void);
int64_t	mono_ns(void);
/* CLOCK_REALTIME: Unix time in milliseconds. */
int64_t	wall_ms(void);
/* CLOCK_BOOTTIME in milliseconds. */
int64_t	boot_ms(void);
/* Milliseconds from since, a CLOCK_MONOTONIC reading, to now. */
int64_t	elapsed_ms(const struct timespec *since);

#endif
