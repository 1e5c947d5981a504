/*
 * hold-lines.c: keeps another process's GPIO output requests alive after
 * that process exits, so a test can read the levels it left them at.
 *
 * A released gpio-sim line snaps back to its pull, unlike a Pi pin, which
 * keeps its last level: reading the simulator after gated has exited shows
 * the pull, not what gated did.  A line is released when the last
 * reference to its request's file goes, so this program takes references
 * of its own (pidfd_getfd(2) duplicates the very file, not a new request):
 * gated's exit then drops only its own, the lines stay requested and keep
 * the last value gated set, as a Pi pin would.  When this program ends,
 * the lines are released and snap to their pull, which shows the check
 * was not reading pulls all along.
 *
 * Usage: hold-lines PID
 * Prints "HELD n" once it holds the n output line requests of PID, then
 * waits for a signal.  Exit status 1 when PID holds none or one cannot be
 * taken.  libgpiod 1.6 asks the kernel's v1 uAPI, whose output requests
 * are files named "anon_inode:gpio-linehandle" in /proc/PID/fd; libgpiod 2
 * asks the v2 uAPI, whose requests of either direction are
 * "anon_inode:gpio-line": an output is told from an input by setting its
 * lines to the values they already have, which the kernel refuses with
 * EPERM on an input and which changes nothing on an output.
 */
#include <sys/ioctl.h>
#include <sys/pidfd.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/gpio.h>

#define LINEHANDLE	"anon_inode:gpio-linehandle"	/* v1 output */
#define LINEREQ		"anon_inode:gpio-line"		/* v2, in or out */

/* Whether a v2 line request (fd) is of outputs; -1 on error. */
static int
v2_is_output(int fd)
{
	struct gpio_v2_line_values	v;

	memset(&v, 0, sizeof v);
	v.mask = 1;		/* gated requests one line per request */
	if (ioctl(fd, GPIO_V2_LINE_GET_VALUES_IOCTL, &v) == -1)
		return -1;
	if (ioctl(fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v) == -1)
		return errno == EPERM ? 0 : -1;
	return 1;
}

int
main(int argc, char **argv)
{
	char		 dir[64], path[PATH_MAX], link[256];
	struct dirent	*de;
	DIR		*d;
	ssize_t		 n;
	long		 pid;
	int		 pidfd, fd, out, held = 0;

	if (argc != 2 || (pid = strtol(argv[1], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: hold-lines PID\n");
		return 2;
	}
	if ((pidfd = pidfd_open((pid_t)pid, 0)) == -1) {
		perror("hold-lines: pidfd_open");
		return 1;
	}
	snprintf(dir, sizeof dir, "/proc/%ld/fd", pid);
	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((n = readlink(path, link, sizeof link - 1)) == -1)
			continue;	/* closed meanwhile */
		link[n] = '\0';
		if (strcmp(link, LINEHANDLE) != 0 && strcmp(link, LINEREQ) != 0)
			continue;
		/* The duplicate is never closed: exit releases it. */
		if ((fd = pidfd_getfd(pidfd, atoi(de->d_name), 0)) == -1) {
			perror("hold-lines: pidfd_getfd");
			return 1;
		}
		if (strcmp(link, LINEREQ) == 0) {
			if ((out = v2_is_output(fd)) == -1) {
				perror("hold-lines: a v2 line request");
				return 1;
			}
			if (!out) {
				close(fd);
				continue;
			}
		}
		held++;
	}
	closedir(d);
	if (held == 0) {
		fprintf(stderr, "hold-lines: process %ld holds no output "
		    "line\n", pid);
		return 1;
	}
	printf("HELD %d\n", held);
	fflush(stdout);
	for (;;)
		pause();
}
