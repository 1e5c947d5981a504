/*
 * test-timesync.c: the watch that turns "not synchronised for too long"
 * into one alert and "synchronised again" into its recovery; and the
 * probe against the real kernel and a flag file the test controls.
 */
#include <sys/timex.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timesync.h"
#include "unit.h"

static void
test_watch(void)
{
	struct timesync_watch	w;

	timesync_watch_init(&w);
	check(timesync_watch_step(&w, true, 0, 600000) == TIMESYNC_SAME,
	    "synced: nothing");
	check(timesync_watch_step(&w, false, 1000, 600000) == TIMESYNC_SAME,
	    "unsynced from 1 s: nothing yet");
	check(timesync_watch_step(&w, false, 600999, 600000) ==
	    TIMESYNC_SAME, "just under the allowed 10 min: nothing");
	check(timesync_watch_step(&w, false, 601000, 600000) ==
	    TIMESYNC_ALERT, "10 min unsynced: the alert");
	check(timesync_watch_step(&w, false, 900000, 600000) ==
	    TIMESYNC_SAME, "still unsynced: no second alert");
	check(timesync_watch_step(&w, true, 901000, 600000) ==
	    TIMESYNC_RECOVERED, "synced again: recovered");
	check(timesync_watch_step(&w, false, 902000, 600000) ==
	    TIMESYNC_SAME && w.unsynced_since_ms == 902000,
	    "unsynced again: the wait starts over");
	check(timesync_watch_step(&w, true, 903000, 600000) == TIMESYNC_SAME,
	    "synced before the alert: no recovery to report");
}

static void
test_probe(void)
{
	struct timesync	 ts;
	struct timex	 tx = { .modes = 0 };
	char		 path[] = "/tmp/test-timesync-XXXXXX";
	int		 fd, rc = adjtimex(&tx);
	bool		 kernel = rc != -1 && rc != TIME_ERROR &&
			    !(tx.status & STA_UNSYNC);

	if ((fd = mkstemp(path)) == -1) {
		check(0, "mkstemp");
		return;
	}
	close(fd);
	timesync_probe(&ts, path);
	check(ts.synced && strcmp(ts.source, kernel ? "kernel" :
	    "timesyncd") == 0, "with the flag file: synced by %s", ts.source);
	unlink(path);
	timesync_probe(&ts, path);
	check(ts.synced == kernel && strcmp(ts.source, kernel ? "kernel" :
	    "none") == 0, "without it: the kernel's word (%s)", ts.source);
}

int
main(void)
{
	test_watch();
	test_probe();
	return check_done();
}
