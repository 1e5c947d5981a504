/*
 * bench-ready.c: start-to-READY time and RSS of the real daemon.  It plays
 * systemd's part: a NOTIFY_SOCKET datagram socket, then fork+exec gated
 * and time until READY=1 arrives; VmRSS is read from /proc at that moment
 * and again after the given settle time.
 * usage: bench-ready GATED CONFIG [RUNS]
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long
rss_kb(pid_t pid)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un	sun;
	struct timespec		a, b;
	char			buf[512];
	double			t[64];
	long			rss = 0, r;
	int			fd, runs, i, devnull;
	pid_t			pid;
	ssize_t			n;

	if (argc < 3)
		return 2;
	runs = argc > 3 ? atoi(argv[3]) : 10;
	if (runs > 64)
		runs = 64;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "/tmp/bench-notify.%d",
	    (int)getpid());
	unlink(sun.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
		return 1;
	setenv("NOTIFY_SOCKET", sun.sun_path, 1);
	for (i = 0; i < runs; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if ((pid = fork()) == 0) {
			devnull = open("/dev/null", O_WRONLY);
			dup2(devnull, 2);
			execl(argv[1], argv[1], "-f", argv[2], (char *)NULL);
			_exit(127);
		}
		for (;;) {
			n = recv(fd, buf, sizeof buf - 1, 0);
			if (n <= 0)
				return 1;
			buf[n] = '\0';
			if (strstr(buf, "READY=1") != NULL)
				break;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		t[i] = (b.tv_sec - a.tv_sec) * 1e3 +
		    (b.tv_nsec - a.tv_nsec) / 1e6;
		if ((r = rss_kb(pid)) > rss)
			rss = r;
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	unlink(sun.sun_path);
	qsort(t, runs, sizeof *t, cmp);
	printf("start to READY: median %.1f ms, max %.1f ms over %d starts "
	    "(fork+exec to READY=1 on NOTIFY_SOCKET, config %s)\n",
	    t[runs / 2], t[runs - 1], runs, argv[2]);
	printf("daemon RSS at READY: %.2f MiB (max VmRSS over the starts)\n",
	    rss / 1024.0);
	return 0;
}
