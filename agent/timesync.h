/*
 * timesync.h: whether the system clock can be trusted, i.e. whether
 * something (systemd-timesyncd, chrony, ntpd) has synchronised it since
 * boot.  A Raspberry Pi has no real-time clock: until then it runs from
 * the time saved at the last shutdown, which may be days old.
 */
#ifndef GATED_TIMESYNC_H
#define GATED_TIMESYNC_H

#include <stdbool.h>
#include <stdint.h>

#define TIMESYNC_FLAG	"/run/systemd/timesync/synchronized"

struct timesync {
	bool		 synced;
	const char	*source;	/* "kernel", "timesyncd" or "none" */
	long		 maxerror_ms;	/* the kernel's bound; -1 unknown */
};

/*
 * Reads the kernel's NTP state (adjtimex: STA_UNSYNC clear and no
 * TIME_ERROR) and, as a second opinion, timesyncd's flag file (flag_path,
 * NULL for TIMESYNC_FLAG), which it creates once it has synchronised.
 */
void	timesync_probe(struct timesync *, const char *flag_path);

/*
 * The watch over it: when the clock has been unsynchronised for longer
 * than the allowed time, an alert is due.  Pure: the caller passes the
 * monotonic time and the probe's answer.
 */
struct timesync_watch {
	int64_t		 unsynced_since_ms;	/* monotonic; -1 synced */
	bool		 alerted;
};
enum timesync_change {
	TIMESYNC_SAME,
	TIMESYNC_ALERT,		/* unsynchronised too long: raise */
	TIMESYNC_RECOVERED	/* synchronised again after an alert */
};
void			 timesync_watch_init(struct timesync_watch *);
enum timesync_change	 timesync_watch_step(struct timesync_watch *,
			    bool synced, int64_t mono_ms, int64_t allow_ms);

#endif
