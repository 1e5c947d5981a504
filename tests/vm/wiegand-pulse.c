/*
 * wiegand-pulse.c: a Wiegand reader on two gpio-sim lines, for the VM
 * tests (tests/vm/tests/40-wiegand.sh).  A pulse is the line pulled low
 * through its sim "pull" attribute and let go, as a reader's open
 * collector does; bits are timed on CLOCK_MONOTONIC with absolute sleeps,
 * so a late pulse does not delay the ones after it.
 *
 * Usage: wiegand-pulse [-l DOOR] [-m MAX_US] SYSFS D0 D1 PULSE_US PERIOD_US
 *            GAP_MS FRAME...
 * SYSFS is the chip's sysfs directory (holding sim_gpioN), D0 and D1 the
 * lines' offsets, FRAME a string of 0 and 1, sent one after the other
 * GAP_MS apart.  With -l, the line DOOR is waited for to read 0 before a
 * frame and timed from the frame's last falling edge until it reads 1:
 * the card-to-relay latency as seen from outside gated.
 * Prints "SENT n", the pulse widths and bit periods achieved, and with -l
 * "LATENCY min med max" in microseconds, or "NOREL" for a frame after
 * which the relay did not move within 3 s.  With -m, "LATE i..." lists
 * the frames (from 0) in which this program, stalled by a busy emulator,
 * let two edges come more than MAX_US apart: frames a reader did not send
 * as it should, which the receiver is right to refuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
sleep_until(int64_t t)
{
	struct timespec	ts;

	ts.tv_sec = t / 1000000000;
	ts.tv_nsec = t % 1000000000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) ==
	    EINTR)
		;
}

static int
open_attr(const char *dir, int line, const char *attr, int flags)
{
	char	path[512];
	int	fd;

	snprintf(path, sizeof path, "%s/sim_gpio%d/%s", dir, line, attr);
	if ((fd = open(path, flags)) == -1) {
		perror(path);
		exit(1);
	}
	return fd;
}

static void
pull(int fd, const char *how)
{
	if (pwrite(fd, how, strlen(how), 0) == -1) {
		perror("pull");
		exit(1);
	}
}

static int
value(int fd)
{
	char	c = '?';

	if (pread(fd, &c, 1, 0) != 1) {
		perror("value");
		exit(1);
	}
	return c == '1';
}

/* Polls the relay line until it reads want: ns taken, or -1 after 3 s. */
static int64_t
wait_value(int fd, int want, int64_t from)
{
	while (value(fd) != want) {
		if (now_ns() - from > 3000000000LL)
			return -1;
		usleep(50);
	}
	return now_ns() - from;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int64_t	 pulse, period, gap, t, start, last = 0, w, wmax = 0;
	int64_t	 wsum = 0, psum = 0, pmax = 0, prev, *lat = NULL;
	int	 fd[2], door = -1, dfd = -1, c, nf, i, k, nbits = 0, nlat = 0;
	int	 norel = 0, nlate = 0, *late = NULL;
	int64_t	 maxp = 0;
	const char *bits;

	while ((c = getopt(argc, argv, "l:m:")) != -1) {
		if (c == 'l')
			door = atoi(optarg);
		else if (c == 'm')
			maxp = atoll(optarg) * 1000;
		else
			goto usage;
	}
	argc -= optind;
	argv += optind;
	if (argc < 7) {
usage:
		fprintf(stderr, "usage: wiegand-pulse [-l DOOR] SYSFS D0 D1 "
		    "PULSE_US PERIOD_US GAP_MS FRAME...\n");
		return 2;
	}
	fd[0] = open_attr(argv[0], atoi(argv[1]), "pull", O_WRONLY);
	fd[1] = open_attr(argv[0], atoi(argv[2]), "pull", O_WRONLY);
	if (door >= 0)
		dfd = open_attr(argv[0], door, "value", O_RDONLY);
	pulse = atoll(argv[3]) * 1000;
	period = atoll(argv[4]) * 1000;
	gap = atoll(argv[5]) * 1000000;
	nf = argc - 6;
	if ((lat = calloc(nf, sizeof *lat)) == NULL ||
	    (late = calloc(nf, sizeof *late)) == NULL)
		return 1;
	pull(fd[0], "pull-up");
	pull(fd[1], "pull-up");
	usleep(gap / 1000);

	for (k = 0; k < nf; k++) {
		bits = argv[6 + k];
		if (dfd != -1 && wait_value(dfd, 0, now_ns()) == -1) {
			fprintf(stderr, "the relay stays set\n");
			return 1;
		}
		start = now_ns();
		prev = -1;
		for (i = 0; bits[i] != '\0'; i++) {
			t = start + i * period;
			sleep_until(t);
			c = bits[i] == '1';
			t = now_ns();
			pull(fd[c], "pull-down");
			last = t;
			if (prev >= 0) {
				if (maxp > 0 && t - prev > maxp &&
				    (nlate == 0 || late[nlate - 1] != k))
					late[nlate++] = k;
				psum += t - prev;
				if (t - prev > pmax)
					pmax = t - prev;
			}
			prev = t;
			/* Short pulses spin: a sleep would be far too long. */
			if (pulse < 200000)
				while (now_ns() - t < pulse)
					;
			else
				sleep_until(t + pulse);
			pull(fd[c], "pull-up");
			w = now_ns() - t;
			wsum += w;
			if (w > wmax)
				wmax = w;
			nbits++;
		}
		if (dfd != -1) {
			if ((w = wait_value(dfd, 1, last)) == -1)
				norel++;
			else
				lat[nlat++] = w;
		}
		sleep_until(now_ns() + gap);
	}
	printf("SENT %d frames, %d bits: pulse mean %lld us max %lld us, "
	    "period mean %lld us max %lld us\n", nf, nbits,
	    (long long)(nbits ? wsum / nbits / 1000 : 0),
	    (long long)(wmax / 1000),
	    (long long)(nbits > nf ? psum / (nbits - nf) / 1000 : 0),
	    (long long)(pmax / 1000));
	if (nlate > 0) {
		printf("LATE");
		for (i = 0; i < nlate; i++)
			printf(" %d", late[i]);
		printf("\n");
	}
	if (dfd != -1) {
		qsort(lat, nlat, sizeof *lat, cmp64);
		if (nlat > 0)
			printf("LATENCY %lld %lld %lld us over %d\n",
			    (long long)(lat[0] / 1000),
			    (long long)(lat[nlat / 2] / 1000),
			    (long long)(lat[nlat - 1] / 1000), nlat);
		if (norel > 0)
			printf("NOREL %d\n", norel);
	}
	free(lat);
	free(late);
	return 0;
}
