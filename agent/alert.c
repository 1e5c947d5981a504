/*
 * alert.c: the gate's active alerts, held in memory first.  The lamp, the
 * buzzer and the API read this list, so that guards are alerted even when
 * the journal cannot record (a full disk, a failing card); an alert is
 * written to the journal as soon as the journal works, and stays active
 * until a guard acknowledges it there.  A repeat of an active alert (the
 * same kind, lane and subject: a person, a device) counts on that alert
 * instead of making a new one, as alarm management (ISA-18.2) coalesces a
 * repeating alarm, so a card presented again and again costs one alert.
 */
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "agent.h"

#define ALERTS_PAGE_DEFAULT	100
#define ALERTS_PAGE_MAX		1000

struct alert {
	TAILQ_ENTRY(alert)	 entry;
	int64_t			 id;	/* the journal's; 0 until journaled */
	int64_t			 event;	/* its "alert" event in the journal */
	char			*kind;
	char			*lane;	/* or NULL: the whole gate */
	char			*subject; /* person, device, or NULL */
	char			*detail;
	int64_t			 raised_ms, last_ms;
	int64_t			 count;		/* raises, the first included */
	int64_t			 written;	/* the count the journal holds */
};
TAILQ_HEAD(alert_head, alert);

struct alert_list {
	struct alert_head	 head;	/* raise order: ids ascending, then
					 * the ones not journaled yet */
	size_t			 n;
	size_t			 dirty;	/* alerts with something to write */
};

static bool
alert_dirty(const struct alert *a)
{
	return a->id == 0 || a->written != a->count;
}

static char *
alert_strdup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static bool
alert_same(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x, y) == 0;
}

static void
alert_free(struct alert *a)
{
	free(a->kind);
	free(a->lane);
	free(a->subject);
	free(a->detail);
	free(a);
}

struct alert_list *
alert_list_new(void)
{
	struct alert_list	*l = xcalloc(1, sizeof *l);

	TAILQ_INIT(&l->head);
	return l;
}

void
alert_list_free(struct alert_list *l)
{
	struct alert	*a;

	if (l == NULL)
		return;
	while ((a = TAILQ_FIRST(&l->head)) != NULL) {
		TAILQ_REMOVE(&l->head, a, entry);
		alert_free(a);
	}
	free(l);
}

/* The alerts the journal holds as active (they survive a restart). */
int
alert_list_load(struct alert_list *l, struct journal *j)
{
	struct alert	*a;
	json_t		*all, *o;
	size_t		 i;

	if ((all = journal_alerts_active(j)) == NULL)
		return -1;
	json_array_foreach(all, i, o) {
		a = xcalloc(1, sizeof *a);
		a->id = json_integer_value(json_object_get(o, "id"));
		a->event = json_integer_value(json_object_get(o, "event"));
		a->kind = xstrdup(json_string_value(json_object_get(o,
		    "kind")));
		a->lane = alert_strdup(json_string_value(json_object_get(o,
		    "lane")));
		a->subject = alert_strdup(json_string_value(json_object_get(o,
		    "subject")));
		a->detail = alert_strdup(json_string_value(json_object_get(o,
		    "detail")));
		a->raised_ms = json_integer_value(json_object_get(o,
		    "raised_ms"));
		a->last_ms = json_integer_value(json_object_get(o, "last_ms"));
		a->count = json_integer_value(json_object_get(o, "count"));
		a->written = a->count;
		TAILQ_INSERT_TAIL(&l->head, a, entry);
		l->n++;
	}
	json_decref(all);
	return 0;
}

/*
 * Writes what the journal lacks of one alert: the alert itself, or the
 * count it reached meanwhile.  0, or -1 when the journal still fails.
 */
static int
alert_write(struct alert_list *l, struct journal *j, struct alert *a)
{
	bool	was = alert_dirty(a);
	int64_t	id, count;
	int	rc = 0;

	if (a->id == 0) {
		id = journal_alert_raise(j, a->raised_ms, a->kind, a->lane,
		    a->subject, a->detail, &count);
		if (id == -1)
			return -1;
		a->id = id;
		a->event = journal_last_id(j);
		a->written = count;
		if (count > a->count)	/* it joined an alert we did not hold */
			a->count = count;
	}
	if (a->written != a->count) {
		if (journal_alert_seen(j, a->id, a->count, a->last_ms) == 0)
			a->written = a->count;
		else
			rc = -1;
	}
	if (was && !alert_dirty(a))
		l->dirty--;
	return rc;
}

/*
 * Raises an alert, or counts a repeat of the active one with the same
 * kind, lane and subject.  The alert is active (lamp, buzzer, API) whether
 * or not the journal could record it; what it could not is written by
 * alert_list_flush.  1 for a new alert, 0 for a repeat; *id is the
 * journal's id (0 when not journaled yet) and *count the raises so far.
 */
int
alert_list_raise(struct alert_list *l, struct journal *j, int64_t ts_ms,
    const char *kind, const char *lane, const char *subject,
    const char *detail, int64_t *id, int64_t *count)
{
	struct alert	*a;
	int		 fresh = 0;

	TAILQ_FOREACH(a, &l->head, entry) {
		if (strcmp(a->kind, kind) == 0 && alert_same(a->lane, lane) &&
		    alert_same(a->subject, subject))
			break;
	}
	if (a != NULL) {
		if (!alert_dirty(a))
			l->dirty++;
		a->count++;
		if (ts_ms > a->last_ms)
			a->last_ms = ts_ms;
	} else {
		a = xcalloc(1, sizeof *a);
		a->kind = xstrdup(kind);
		a->lane = alert_strdup(lane);
		a->subject = alert_strdup(subject);
		a->detail = alert_strdup(detail);
		a->raised_ms = a->last_ms = ts_ms;
		a->count = 1;
		TAILQ_INSERT_TAIL(&l->head, a, entry);
		l->n++;
		l->dirty++;
		fresh = 1;
	}
	/* Journaled alerts are written in raise order, so that ids ascend
	 * along the list: an older one waiting goes first. */
	if (a->id != 0 || TAILQ_PREV(a, alert_head, entry) == NULL ||
	    TAILQ_PREV(a, alert_head, entry)->id != 0)
		alert_write(l, j, a);
	*id = a->id;
	*count = a->count;
	return fresh;
}

/*
 * Writes what the journal lacks, oldest first, after it failed; fn hears
 * of each alert journaled now (its "alert" event).  The number of alerts
 * journaled, or -1 when the journal still fails.
 */
int
alert_list_flush(struct alert_list *l, struct journal *j,
    void (*fn)(void *, const struct journal_event *), void *arg)
{
	struct journal_event	 ev;
	struct alert		*a;
	bool			 pending;
	int			 n = 0;

	if (l->dirty == 0)
		return 0;
	TAILQ_FOREACH(a, &l->head, entry) {
		if (!alert_dirty(a))
			continue;
		pending = a->id == 0;
		if (alert_write(l, j, a) == -1)
			return -1;
		if (!pending)
			continue;
		n++;
		memset(&ev, 0, sizeof ev);
		ev.id = a->event;
		ev.ts_ms = a->raised_ms;
		ev.kind = "alert";
		ev.lane = a->lane;
		ev.reason = a->kind;
		ev.detail = a->detail;
		ev.alert_id = a->id;
		if (fn != NULL)
			fn(arg, &ev);
	}
	return n;
}

/* Acknowledges an alert: 0, 1 when it is not active (or not journaled
 * yet: an ack is journaled with its alert), -1 when the journal fails. */
int
alert_list_ack(struct alert_list *l, struct journal *j, int64_t id,
    int64_t ts_ms, const char *actor, const char *reason)
{
	struct alert	*a;
	int		 rc;

	TAILQ_FOREACH(a, &l->head, entry)
		if (a->id == id)
			break;
	if (a == NULL || id <= 0)
		return 1;
	if (alert_dirty(a) && alert_write(l, j, a) == -1)
		return -1;
	if ((rc = journal_alert_ack(j, id, ts_ms, actor, reason)) == -1)
		return -1;
	/* 1: acknowledged behind our back (sqlite3 by hand); gone either way */
	TAILQ_REMOVE(&l->head, a, entry);
	l->n--;
	alert_free(a);
	return rc;
}

/* How many alerts are active. */
size_t
alert_list_count(struct alert_list *l)
{
	return l->n;
}

/* The id of the first journaled active alert after id `after', or 0. */
int64_t
alert_list_next(struct alert_list *l, int64_t after)
{
	struct alert	*a;

	TAILQ_FOREACH(a, &l->head, entry)
		if (a->id > after)
			return a->id;
	return 0;
}

static json_t *
alert_json(const struct alert *a)
{
	json_t	*o;

	o = json_pack("{s:o, s:s, s:I, s:I, s:I, s:b}",
	    "id", a->id != 0 ? json_integer(a->id) : json_null(),
	    "kind", a->kind, "raised_ms", (json_int_t)a->raised_ms,
	    "last_ms", (json_int_t)a->last_ms, "count", (json_int_t)a->count,
	    "journaled", a->id != 0);
	if (a->lane != NULL)
		json_object_set_new(o, "lane", json_string(a->lane));
	if (a->subject != NULL)
		json_object_set_new(o, "subject", json_string(a->subject));
	if (a->detail != NULL)
		json_object_set_new(o, "detail", json_string(a->detail));
	if (a->event != 0)
		json_object_set_new(o, "event", json_integer(a->event));
	return o;
}

/* The newest `max' active alerts, newest first: what status shows. */
json_t *
alert_list_newest(struct alert_list *l, size_t max)
{
	struct alert	*a;
	json_t		*arr = json_array();

	TAILQ_FOREACH_REVERSE(a, &l->head, alert_head, entry) {
		if (json_array_size(arr) >= max)
			break;
		json_array_append_new(arr, alert_json(a));
	}
	return arr;
}

/* How many alerts are active, in all and by kind, and not journaled. */
json_t *
alert_list_counts(struct alert_list *l)
{
	struct alert	*a;
	json_t		*kinds = json_object(), *v;
	size_t		 unjournaled = 0;

	TAILQ_FOREACH(a, &l->head, entry) {
		v = json_object_get(kinds, a->kind);
		json_object_set_new(kinds, a->kind, json_integer(v != NULL ?
		    json_integer_value(v) + 1 : 1));
		if (a->id == 0)
			unjournaled++;
	}
	return json_pack("{s:I, s:I, s:o}", "active", (json_int_t)l->n,
	    "unjournaled", (json_int_t)unjournaled, "by_kind", kinds);
}

/*
 * One page of the active alerts for GET /v1/alerts.  With after >= 0, the
 * journaled alerts of higher id, oldest first (a feed: one not journaled
 * yet comes once it is, with a higher id); with before > 0, those of lower
 * id, newest first (paging back); with neither, the newest first, those
 * not journaled yet at the top.  limit 0 means the default.
 */
json_t *
alert_list_page(struct alert_list *l, int64_t before, int64_t after,
    int limit)
{
	struct alert	*a;
	json_t		*arr = json_array();

	if (limit <= 0)
		limit = ALERTS_PAGE_DEFAULT;
	if (limit > ALERTS_PAGE_MAX)
		limit = ALERTS_PAGE_MAX;
	if (after >= 0) {
		TAILQ_FOREACH(a, &l->head, entry) {
			if (json_array_size(arr) >= (size_t)limit)
				break;
			if (a->id > after)
				json_array_append_new(arr, alert_json(a));
		}
	} else {
		TAILQ_FOREACH_REVERSE(a, &l->head, alert_head, entry) {
			if (json_array_size(arr) >= (size_t)limit)
				break;
			if (before > 0 && (a->id == 0 || a->id >= before))
				continue;
			json_array_append_new(arr, alert_json(a));
		}
	}
	return json_pack("{s:o, s:I}", "alerts", arr, "active",
	    (json_int_t)l->n);
}
