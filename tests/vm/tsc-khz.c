/*
 * tsc-khz.c: prints the host's TSC rate in kHz, for the test VM's kernel
 * command line (tsc_early_khz=).  Under QEMU's TCG the guest's TSC is the
 * host's, but a tinyconfig kernel has no ACPI, hence no HPET or PM timer to
 * calibrate it against, and its PIT calibration fails on a busy host; the
 * kernel then falls back to a 4 ms jiffies clock, too coarse for debounce
 * tests.  Measured against CLOCK_MONOTONIC_RAW, 3 times 100 ms.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static int64_t
ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(void)
{
	int64_t		t0, t1, khz[3], t;
	uint64_t	c0, c1;
	int		i;

	/* The median of three: a preemption skews one sample, not two. */
	for (i = 0; i < 3; i++) {
		t0 = ns();
		c0 = __rdtsc();
		do
			t1 = ns();
		while (t1 - t0 < 100000000LL);
		c1 = __rdtsc();
		khz[i] = (int64_t)((c1 - c0) * 1000000ULL /
		    (uint64_t)(t1 - t0));
	}
	if (khz[0] > khz[1]) { t = khz[0]; khz[0] = khz[1]; khz[1] = t; }
	if (khz[1] > khz[2]) { t = khz[1]; khz[1] = khz[2]; khz[2] = t; }
	if (khz[0] > khz[1]) { t = khz[0]; khz[0] = khz[1]; khz[1] = t; }
	printf("%lld\n", (long long)khz[1]);
	return khz[1] > 0 ? 0 : 1;
}
