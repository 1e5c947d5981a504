/*
 * hid-type.c: the card reader's hand in the VM tests.  Types card numbers
 * on a configfs HID keyboard gadget (/dev/hidgN) the way a keyboard-wedge
 * reader does: each digit pressed and released as 8-byte boot reports,
 * then Enter.  A write returns once the host has read the report, so when
 * this exits the whole number has reached the host's libusb.
 *
 * Usage: hid-type DEVICE NUMBER...
 * Waits up to 5 s for the gadget to be configured (writes fail with
 * ESHUTDOWN until then).  Exit 0 typed, 1 not, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REPORT_LEN	8
#define KEY_ENTER	0x28
#define WAIT_MS		5000

static void
sleep_ms(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* One report; retried while the host has not configured the gadget yet. */
static int
send_report(int fd, uint8_t key)
{
	uint8_t	r[REPORT_LEN] = { 0 };
	long	waited = 0;
	ssize_t	n;

	r[2] = key;
	for (;;) {
		n = write(fd, r, sizeof r);
		if (n == (ssize_t)sizeof r)
			return 0;
		if (n >= 0) {
			fprintf(stderr, "hid-type: short write %zd\n", n);
			return -1;
		}
		if (errno == EINTR)
			continue;
		if ((errno != ESHUTDOWN && errno != EAGAIN) ||
		    waited >= WAIT_MS) {
			fprintf(stderr, "hid-type: write: %s\n",
			    strerror(errno));
			return -1;
		}
		sleep_ms(10);
		waited += 10;
	}
}

/* A key press and its release, as a keyboard sends them. */
static int
stroke(int fd, uint8_t key)
{
	if (send_report(fd, key) != 0)
		return -1;
	return send_report(fd, 0);
}

static int
type_number(int fd, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9') {
			fprintf(stderr, "hid-type: not a digit: %c\n", *s);
			return -1;
		}
		/* Usages 0x1e-0x26 are 1-9, 0x27 is 0. */
		if (stroke(fd, *s == '0' ? 0x27 : (uint8_t)(0x1e + *s - '1'))
		    != 0)
			return -1;
	}
	return stroke(fd, KEY_ENTER);
}

int
main(int argc, char **argv)
{
	int	fd, i;

	if (argc < 3) {
		fprintf(stderr, "usage: hid-type DEVICE NUMBER...\n");
		return 2;
	}
	if ((fd = open(argv[1], O_WRONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "hid-type: %s: %s\n", argv[1],
		    strerror(errno));
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (type_number(fd, argv[i]) != 0) {
			close(fd);
			return 1;
		}
	}
	close(fd);
	return 0;
}
