/*
 * gate-journal.c: what the running gate writes down and who hears of it.
 * Every event is journaled (with the state it sets, in one commit) before
 * any output moves and then told to the listeners (API waiters, streams);
 * alerts are raised in memory first, lamp and buzzer on, and journaled
 * when the journal can; the journal file is watched for an operator's rm
 * and reopened; retention prunes old events every minute.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "gate-internal.h"

/* ---- listeners ---------------------------------------------------------- */

int
gate_listen(struct gate *g, gate_listener_fn fn, void *arg)
{
	int	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (g->listeners[i].fn == NULL) {
			g->listeners[i].fn = fn;
			g->listeners[i].arg = arg;
			return 0;
		}
	return -1;
}

void
gate_unlisten(struct gate *g, gate_listener_fn fn, void *arg)
{
	int	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (g->listeners[i].fn == fn && g->listeners[i].arg == arg)
			g->listeners[i].fn = NULL;
}

/* Tells the listeners of an event that is in the journal. */
void
gate_announce(struct gate *g, const struct journal_event *ev)
{
	int	i;

	for (i = 0; i < LISTENERS_MAX; i++)
		if (g->listeners[i].fn != NULL)
			g->listeners[i].fn(g->listeners[i].arg, ev);
}

static bool	gate_journal_watch(struct gate *);

static void
gate_announce_cb(void *arg, const struct journal_event *ev)
{
	gate_announce(arg, ev);
}

/* ---- the journal -------------------------------------------------------- */

/* Appends, with the state the event sets when n > 0, in one commit. */
static int64_t
gate_append(struct gate *g, struct journal_event *ev,
    const struct journal_state *kv, int n)
{
	return n > 0 ? journal_append_state(g->journal, ev, kv, n) :
	    journal_append(g->journal, ev);
}

/*
 * Journals an event with the state it sets (n > 0), in one commit, and
 * tells the listeners: a change is remembered across a restart exactly
 * when it is journaled.  The event id, or -1 and nothing was written.  A
 * failed write raises the journal alert (in memory: lamp, buzzer, API); a
 * good one writes the alerts the journal missed meanwhile.
 */
int64_t
gate_record_state(struct gate *g, struct journal_event *ev,
    const struct journal_state *kv, int n)
{
	if (ev->ts_ms == 0)
		ev->ts_ms = wall_ms();
	if (gate_append(g, ev, kv, n) == -1) {
		/* The file vanished: the event goes to the new one, if any. */
		if (!gate_journal_watch(g) || gate_append(g, ev, kv, n) == -1) {
			/* "write": apart from the low-space warning */
			gate_alert_about(g, ALERT_JOURNAL, NULL, "write",
			    "journal write failed");
			return -1;
		}
	}
	gate_announce(g, ev);
	if (alert_list_flush(g->alerts, g->journal, gate_announce_cb, g) > 0)
		log_info("alerts raised while the journal failed are "
		    "journaled now");
	return ev->id;
}

/* Journals one event and tells the listeners; the event id or -1. */
int64_t
gate_record(struct gate *g, struct journal_event *ev)
{
	return gate_record_state(g, ev, NULL, 0);
}

/* ---- alerts ------------------------------------------------------------- */

/* The red lamp blinks and the buzzer sounds while any alert is active. */
void
gate_alert_indicators(struct gate *g)
{
	bool	on = alert_list_count(g->alerts) > 0;

	indicator_base(&g->red, on ? INDICATOR_BLINK : INDICATOR_NONE);
	indicator_base(&g->buzzer, on ? INDICATOR_ALERT_BUZZ : INDICATOR_NONE);
}

/* Local time to the second, or the milliseconds when it has none. */
static void
gate_export_time(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)ms);
}

/*
 * Journals that actor took person ids out of the gate (an export: the
 * report's per-person parts), what and of which time, so that the record
 * says who has seen whose health data.  The event id or -1.
 */
int64_t
gate_export(struct gate *g, const char *actor, const char *what,
    int64_t from_ms, int64_t to_ms)
{
	struct journal_event	 ev;
	char			 detail[128], from[32], to[32];

	gate_export_time(from_ms, from, sizeof from);
	gate_export_time(to_ms, to, sizeof to);
	snprintf(detail, sizeof detail, "%s %s to %s", what, from, to);
	memset(&ev, 0, sizeof ev);
	ev.kind = "export";
	ev.reason = what;
	ev.actor = actor;
	ev.detail = detail;
	return gate_record(g, &ev);
}

/* Raises an alert about nothing in particular (a lane, the gate). */
int64_t
gate_alert(struct gate *g, enum alert_kind kind, const char *lane,
    const char *detail)
{
	return gate_alert_about(g, kind, lane, NULL, detail);
}

/*
 * Raises an alert, signalled until a guard acknowledges it, or counts a
 * repeat of the active one about the same subject (a person, a device).
 * Lamp, buzzer and API come first: the journal records the alert when it
 * can, so a failing journal never keeps an alert from the guards.  The
 * alert's id, 0 while it is not journaled.
 */
int64_t
gate_alert_about(struct gate *g, enum alert_kind kind, const char *lane,
    const char *subject, const char *detail)
{
	struct journal_event	ev;
	int64_t			id, count;
	const char		*name = alert_kind_name(kind);

	if (alert_list_raise(g->alerts, g->journal, wall_ms(), name, lane,
	    subject, detail, &id, &count) == 0) {
		log_debug("alert %" PRId64 " (%s) repeated, %" PRId64 " times",
		    id, name, count);
		return id;
	}
	gate_alert_indicators(g);
	if (id == 0) {
		log_warnx("alert %s%s%s: %s (not journaled yet)", name,
		    lane ? " on " : "", lane ? lane : "", detail);
		return 0;
	}
	log_info("alert %" PRId64 ": %s%s%s: %s", id, name,
	    lane ? " on " : "", lane ? lane : "", detail);
	/* Listeners hear of it like of any other journaled event. */
	memset(&ev, 0, sizeof ev);
	ev.ts_ms = wall_ms();
	ev.kind = "alert";
	ev.lane = lane;
	ev.reason = name;
	ev.detail = detail;
	ev.alert_id = id;
	ev.id = journal_last_id(g->journal);
	gate_announce(g, &ev);
	return id;
}

/* A page of the active alerts, for GET /v1/alerts. */
json_t *
gate_alerts_page(struct gate *g, int64_t before, int64_t after, int limit)
{
	return alert_list_page(g->alerts, before, after, limit);
}

/* ---- the journal file and retention ------------------------------------- */

/* Journals why the journal is a new file, and raises its alert. */
void
gate_journal_incident(struct gate *g, const char *reason)
{
	struct journal_event	 ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = "system";
	ev.reason = reason;
	ev.detail = journal_incident(g->journal);
	gate_record(g, &ev);
	/* Its own subject: not a repeat of a write failure or of the loss. */
	gate_alert_about(g, ALERT_JOURNAL, NULL, reason,
	    journal_incident(g->journal));
}

/*
 * The journal file removed or replaced under the running gate (an
 * operator's rm journal.db*): appends fail (no passage is granted without
 * a record) until a new file is open at the path, which starts with a
 * system event saying so.  Runs from a timer and after a failed append;
 * true when it has just opened a new file.
 */
static bool
gate_journal_watch(struct gate *g)
{
	char	*cause = NULL;
	bool	 reopened = false;

	if (g->journal_busy || journal_check(g->journal) == 0)
		return false;
	g->journal_busy = true;
	if (journal_reopen(g->journal, &cause) == 0) {
		gate_journal_incident(g, "journal-vanished");
		g->journal_lost = false;
		reopened = true;
	} else if (!g->journal_lost) {
		/* Raised in the vanished file, carried over on reopening. */
		log_errorx("journal cannot be reopened: %s; every card"
		    " is denied until it can", cause);
		gate_alert_about(g, ALERT_JOURNAL, NULL, "journal-lost",
		    "journal file vanished and cannot be reopened: cards are"
		    " denied");
		g->journal_lost = true;
	}
	free(cause);
	g->journal_busy = false;
	return reopened;
}

void
gate_journal_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	gate_journal_watch(arg);
}

void
gate_prune_tick(evutil_socket_t fd, short what, void *arg)
{
	struct gate	*g = arg;
	json_t		*st;
	long		 n;
	bool		 low, near;

	(void)fd;
	(void)what;
	/* Retention's age moves with a clock no one can set (journal.c). */
	if ((n = journal_prune(g->journal, wall_ms(), boot_ms())) > 0)
		log_info("journal: %ld old events removed", n);
	/* The journal may work again with no event to record. */
	if (alert_list_flush(g->alerts, g->journal, gate_announce_cb, g) > 0)
		log_info("alerts raised while the journal failed are "
		    "journaled now");
	if ((st = journal_stats(g->journal)) == NULL)
		return;
	low = json_is_true(json_object_get(st, "low_space"));
	near = json_is_true(json_object_get(st, "near_row_limit"));
	if (low && !g->warned_space) {
		log_warnx("journal: file system almost full (%" JSON_INTEGER_FORMAT
		    " KiB free)", json_integer_value(json_object_get(st,
		    "free_kb")));
		gate_alert(g, ALERT_JOURNAL, NULL, "journal storage low");
	}
	if (near && !g->warned_rows)
		log_warnx("journal: near its row limit, oldest events will be "
		    "removed");
	g->warned_space = low;
	g->warned_rows = near;
	json_decref(st);
}
