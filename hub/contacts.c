/*
 * contacts.c: contact tracing.  For one person and a range of days, every
 * one of their passages, and everyone else who passed the same lane
 * (gate, lane) within a window either side of it: those are the people
 * who stood where they stood, at nearly the same time.
 *
 * What makes it fast is two indexes of the schema, one lookup each: the
 * person's passages come from events (person, ts_ms), a range scan of a
 * few dozen rows; then each passage is one range scan of events (gate,
 * lane, ts_ms) over ± the window, a few hundred rows on a busy lane.  No
 * query ever reads rows of other lanes or other days, so the answer's
 * cost depends on the person's passages and the lanes' traffic, not on
 * how many events the campus journal holds (docs/hub.md has the figures
 * for 10,000,000).
 *
 * A passage counts whatever its verdict: someone refused at the lane
 * stood there too.  A contact "met" a passage when one of their passages
 * of the same lane falls in its window; "times" counts the person's
 * passages they met, so that a contact who went in and out twice beside
 * them in one window is one time, not four.
 */
#include <stdlib.h>
#include <string.h>

#include "office.h"
#include "xmalloc.h"

/* The person's passages in the range, by events (person, ts_ms). */
static const char sql_passages[] =
    "SELECT gate, lane, ts_ms, direction, verdict FROM events"
    " WHERE person = ? AND ts_ms >= ? AND ts_ms < ? AND kind = 'passage'"
    " ORDER BY ts_ms, gate, id";

/* The others at one lane in one window, by events (gate, lane, ts_ms). */
static const char sql_near[] =
    "SELECT person, ts_ms, direction FROM events"
    " WHERE gate = ? AND lane = ? AND ts_ms >= ? AND ts_ms <= ?"
    " AND kind = 'passage' AND person IS NOT NULL AND person <> ?";

struct passage {
	char	*gate, *lane, *direction, *verdict;
	int64_t	 ts_ms;
};

/* One passage of someone else near one of the person's. */
struct meeting {
	char	*person, *direction;
	size_t	 passage;	/* which of the person's */
	int64_t	 ts_ms;
	int64_t	 dt_ms;		/* theirs - the person's */
};

struct contact {
	const char	*person;	/* the first meeting's */
	size_t		 first, n;	/* its meetings: one a passage */
	int64_t		 closest;
};

struct trace {
	struct passage	*passages;
	size_t		 npassages, passages_size;
	struct meeting	*meetings;
	size_t		 nmeetings, meetings_size;
	size_t		 current;	/* the passage being scanned */
	int64_t		 at;		/* its time */
};

static char *
trace_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static int
trace_passage(void *arg, int ncol, const char *const *vals)
{
	struct trace	*t = arg;
	struct passage	*p;

	if (ncol != 5)
		return 1;
	if (vals[1] == NULL)		/* no lane: nowhere to meet */
		return 0;
	if (t->npassages == t->passages_size) {
		t->passages_size = t->passages_size * 2 + 16;
		t->passages = xreallocarray(t->passages, t->passages_size,
		    sizeof *t->passages);
	}
	p = &t->passages[t->npassages++];
	p->gate = trace_dup(vals[0]);
	p->lane = trace_dup(vals[1]);
	p->ts_ms = strtoll(vals[2], NULL, 10);
	p->direction = trace_dup(vals[3]);
	p->verdict = trace_dup(vals[4]);
	return 0;
}

static int
trace_near(void *arg, int ncol, const char *const *vals)
{
	struct trace	*t = arg;
	struct meeting	*m;

	if (ncol != 3)
		return 1;
	if (t->nmeetings == t->meetings_size) {
		t->meetings_size = t->meetings_size * 2 + 64;
		t->meetings = xreallocarray(t->meetings, t->meetings_size,
		    sizeof *t->meetings);
	}
	m = &t->meetings[t->nmeetings++];
	m->person = xstrdup(vals[0]);
	m->direction = trace_dup(vals[2]);
	m->passage = t->current;
	m->ts_ms = strtoll(vals[1], NULL, 10);
	m->dt_ms = m->ts_ms - t->at;
	return 0;
}

static int64_t
trace_abs(int64_t v)
{
	return v < 0 ? -v : v;
}

/* By person, then passage, then the closest first. */
static int
meeting_cmp(const void *a, const void *b)
{
	const struct meeting	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->person, y->person)) != 0)
		return c;
	if (x->passage != y->passage)
		return x->passage < y->passage ? -1 : 1;
	if (trace_abs(x->dt_ms) != trace_abs(y->dt_ms))
		return trace_abs(x->dt_ms) < trace_abs(y->dt_ms) ? -1 : 1;
	return x->ts_ms < y->ts_ms ? -1 : x->ts_ms > y->ts_ms;
}

/* The most times first, then the closest, then by name. */
static int
contact_cmp(const void *a, const void *b)
{
	const struct contact	*x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->closest != y->closest)
		return x->closest < y->closest ? -1 : 1;
	return strcmp(x->person, y->person);
}

static json_t *
trace_passage_json(const struct passage *p)
{
	json_t	*o = json_object();

	json_object_set_new(o, "gate", fmt_json_string(p->gate));
	json_object_set_new(o, "lane", fmt_json_string(p->lane));
	json_object_set_new(o, "ts_ms", json_integer(p->ts_ms));
	json_object_set_new(o, "time", fmt_json_time(p->ts_ms));
	json_object_set_new(o, "direction", fmt_json_string(p->direction));
	json_object_set_new(o, "verdict", fmt_json_string(p->verdict));
	return o;
}

static json_t *
trace_meeting_json(const struct trace *t, const struct meeting *m)
{
	const struct passage	*p = &t->passages[m->passage];
	json_t			*o = json_object();

	json_object_set_new(o, "gate", fmt_json_string(p->gate));
	json_object_set_new(o, "lane", fmt_json_string(p->lane));
	json_object_set_new(o, "ts_ms", json_integer(m->ts_ms));
	json_object_set_new(o, "time", fmt_json_time(m->ts_ms));
	json_object_set_new(o, "direction", fmt_json_string(m->direction));
	json_object_set_new(o, "dt_ms", json_integer(m->dt_ms));
	json_object_set_new(o, "passage_ts_ms", json_integer(p->ts_ms));
	return o;
}

/*
 * The meetings sorted, kept one per contact and passage (the closest),
 * folded into contacts and ranked.
 */
static json_t *
trace_rank(struct trace *t)
{
	struct contact	*cs;
	json_t		*a, *o, *ms;
	size_t		 i, j, nc = 0, keep = 0;

	/* No meeting: meetings is NULL, which qsort may not be given. */
	if (t->nmeetings > 0)
		qsort(t->meetings, t->nmeetings, sizeof *t->meetings,
		    meeting_cmp);
	cs = xcalloc(t->nmeetings + 1, sizeof *cs);
	for (i = 0; i < t->nmeetings; i++) {
		struct meeting	*m = &t->meetings[i];

		if (keep > 0 && strcmp(t->meetings[keep - 1].person,
		    m->person) == 0 && t->meetings[keep - 1].passage ==
		    m->passage)
			continue;	/* a farther one at the same passage */
		if (i != keep) {	/* a dropped one goes to i */
			struct meeting	 swap = t->meetings[keep];

			t->meetings[keep] = *m;
			*m = swap;
		}
		if (nc == 0 || strcmp(cs[nc - 1].person,
		    t->meetings[keep].person) != 0) {
			cs[nc].person = t->meetings[keep].person;
			cs[nc].first = keep;
			cs[nc].closest = INT64_MAX;
			nc++;
		}
		cs[nc - 1].n++;
		if (trace_abs(t->meetings[keep].dt_ms) < cs[nc - 1].closest)
			cs[nc - 1].closest = trace_abs(t->meetings[keep].dt_ms);
		keep++;
	}
	/* What was not kept still owns its strings. */
	for (i = keep; i < t->nmeetings; i++) {
		free(t->meetings[i].person);
		free(t->meetings[i].direction);
	}
	t->nmeetings = keep;
	qsort(cs, nc, sizeof *cs, contact_cmp);

	a = json_array();
	for (i = 0; i < nc; i++) {
		o = json_object();
		json_object_set_new(o, "person", fmt_json_string(cs[i].person));
		json_object_set_new(o, "times", json_integer(cs[i].n));
		json_object_set_new(o, "closest_ms",
		    json_integer(cs[i].closest));
		ms = json_array();
		for (j = 0; j < cs[i].n; j++)
			json_array_append_new(ms, trace_meeting_json(t,
			    &t->meetings[cs[i].first + j]));
		json_object_set_new(o, "meetings", ms);
		json_array_append_new(a, o);
	}
	free(cs);
	return a;
}

static void
trace_free(struct trace *t)
{
	size_t	i;

	for (i = 0; i < t->npassages; i++) {
		free(t->passages[i].gate);
		free(t->passages[i].lane);
		free(t->passages[i].direction);
		free(t->passages[i].verdict);
	}
	free(t->passages);
	for (i = 0; i < t->nmeetings; i++) {
		free(t->meetings[i].person);
		free(t->meetings[i].direction);
	}
	free(t->meetings);
}

/* One range scan per passage. */
static int
trace_scan(struct db *db, const struct contacts_query *q, struct trace *t)
{
	const char	*p[5];
	char		 b[3][24];
	size_t		 i;

	p[0] = q->person;
	p[1] = office_int(b[0], q->from_ms);
	p[2] = office_int(b[1], q->to_ms);
	if (db_query(db, sql_passages, 3, p, trace_passage, t) == -1)
		return -1;
	for (i = 0; i < t->npassages; i++) {
		t->current = i;
		t->at = t->passages[i].ts_ms;
		p[0] = t->passages[i].gate;
		p[1] = t->passages[i].lane;
		p[2] = office_int(b[0], t->at - q->window_ms);
		p[3] = office_int(b[1], t->at + q->window_ms);
		p[4] = q->person;
		if (db_query(db, sql_near, 5, p, trace_near, t) == -1)
			return -1;
	}
	return 0;
}

json_t *
contacts_find(struct db *db, const struct contacts_query *q, char **cause)
{
	struct trace	 t;
	json_t		*o, *a;
	size_t		 i;

	memset(&t, 0, sizeof t);
	if (trace_scan(db, q, &t) == -1) {
		xasprintf(cause, "campus journal read failed: %s",
		    db_error(db));
		trace_free(&t);
		return NULL;
	}
	o = json_object();
	json_object_set_new(o, "person", fmt_json_string(q->person));
	json_object_set_new(o, "from", json_integer(q->from_ms));
	json_object_set_new(o, "to", json_integer(q->to_ms));
	json_object_set_new(o, "window_ms", json_integer(q->window_ms));
	a = json_array();
	for (i = 0; i < t.npassages; i++)
		json_array_append_new(a, trace_passage_json(&t.passages[i]));
	json_object_set_new(o, "passages", a);
	json_object_set_new(o, "contacts", trace_rank(&t));
	trace_free(&t);
	return o;
}
