/*
 * timesync.c: is the wall clock set?  The kernel knows whether an NTP
 * client has disciplined it (adjtimex); systemd-timesyncd also leaves a
 * flag file once it has.  Either is enough.  Journal stamps never go back
 * whatever this says (journal.c); this is for the status, the metrics and
 * the alert an installer needs when a gate's network never reaches NTP.
 */
#include <sys/timex.h>

#include <unistd.h>

#include "timesync.h"

void
timesync_probe(struct timesync *ts, const char *flag_path)
{
	struct timex	tx = { .modes = 0 };
	int		rc = adjtimex(&tx);

	ts->maxerror_ms = rc == -1 ? -1 : tx.maxerror / 1000;
	if (rc != -1 && rc != TIME_ERROR && !(tx.status & STA_UNSYNC)) {
		ts->synced = true;
		ts->source = "kernel";
		return;
	}
	if (access(flag_path != NULL ? flag_path : TIMESYNC_FLAG, F_OK) == 0) {
		ts->synced = true;
		ts->source = "timesyncd";
		return;
	}
	ts->synced = false;
	ts->source = "none";
}

void
timesync_watch_init(struct timesync_watch *w)
{
	w->unsynced_since_ms = -1;
	w->alerted = false;
}

enum timesync_change
timesync_watch_step(struct timesync_watch *w, bool synced, int64_t mono_ms,
    int64_t allow_ms)
{
	if (synced) {
		w->unsynced_since_ms = -1;
		if (!w->alerted)
			return TIMESYNC_SAME;
		w->alerted = false;
		return TIMESYNC_RECOVERED;
	}
	if (w->unsynced_since_ms < 0)
		w->unsynced_since_ms = mono_ms;
	if (w->alerted || mono_ms - w->unsynced_since_ms < allow_ms)
		return TIMESYNC_SAME;
	w->alerted = true;
	return TIMESYNC_ALERT;
}
