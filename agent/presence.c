/*
 * presence.c: the last way each person passed this gate.  An open-
 * addressed hash of person ids to entries; entries are never removed
 * from the array (a forgiven person is marked unknown), so the table only
 * grows with the number of people who ever passed, which the people list
 * bounds.  The journal is the durable record: presence_load() rebuilds
 * the table from it at start.
 */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "presence.h"

struct presence_set {
	struct presence_entry	*entries;
	size_t			 count, cap;
	uint32_t		*slots;		/* entry index + 1; 0 empty */
	size_t			 nslots;	/* a power of two */
};

static uint32_t
hash_id(const char *s)
{
	uint32_t	h = 2166136261u;	/* FNV-1a */

	while (*s != '\0')
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

struct presence_set *
presence_new(void)
{
	struct presence_set	*ps = xcalloc(1, sizeof *ps);

	ps->nslots = 1024;
	ps->slots = xcalloc(ps->nslots, sizeof *ps->slots);
	return ps;
}

void
presence_free(struct presence_set *ps)
{
	if (ps == NULL)
		return;
	free(ps->entries);
	free(ps->slots);
	free(ps);
}

/* The slot of a person id: its entry's, or the empty one it would take. */
static size_t
slot_of(const struct presence_set *ps, const char *person)
{
	size_t	i = hash_id(person) & (ps->nslots - 1);

	while (ps->slots[i] != 0 &&
	    strcmp(ps->entries[ps->slots[i] - 1].person, person) != 0)
		i = (i + 1) & (ps->nslots - 1);
	return i;
}

static void
grow_slots(struct presence_set *ps)
{
	size_t	i;

	free(ps->slots);
	ps->nslots *= 2;
	ps->slots = xcalloc(ps->nslots, sizeof *ps->slots);
	for (i = 0; i < ps->count; i++)
		ps->slots[slot_of(ps, ps->entries[i].person)] =
		    (uint32_t)(i + 1);
}

static struct presence_entry *
entry_get(struct presence_set *ps, const char *person, bool create)
{
	struct presence_entry	*e;
	size_t			 s = slot_of(ps, person);

	if (ps->slots[s] != 0)
		return &ps->entries[ps->slots[s] - 1];
	if (!create)
		return NULL;
	if (ps->count == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 256;
		ps->entries = xreallocarray(ps->entries, ps->cap,
		    sizeof *ps->entries);
	}
	e = &ps->entries[ps->count++];
	memset(e, 0, sizeof *e);
	snprintf(e->person, sizeof e->person, "%s", person);
	e->category = -1;
	ps->slots[s] = (uint32_t)ps->count;
	if (ps->count * 2 > ps->nslots)		/* keep probes short */
		grow_slots(ps);
	return e;
}

void
presence_passed(struct presence_set *ps, const char *person, int category,
    bool in, int64_t ts_ms)
{
	struct presence_entry	*e;

	if (person == NULL || *person == '\0')
		return;
	e = entry_get(ps, person, true);
	e->category = category;
	e->inside = in;
	e->ts_ms = ts_ms;
}

bool
presence_forget(struct presence_set *ps, const char *person)
{
	struct presence_entry	*e = entry_get(ps, person, false);
	bool			 known = e != NULL && e->ts_ms != 0;

	if (e != NULL) {
		e->ts_ms = 0;	/* unknown: no passage on record */
		e->inside = false;
	}
	return known;
}

const struct presence_entry *
presence_find(const struct presence_set *ps, const char *person)
{
	size_t	s = slot_of(ps, person);

	if (ps->slots[s] == 0 || ps->entries[ps->slots[s] - 1].ts_ms == 0)
		return NULL;
	return &ps->entries[ps->slots[s] - 1];
}

int
presence_state(const struct presence_set *ps, const char *person,
    int64_t now_ms, int64_t reset_ms)
{
	const struct presence_entry	*e;

	if (person == NULL || (e = presence_find(ps, person)) == NULL)
		return PRESENCE_UNKNOWN;
	if (reset_ms > 0 && now_ms - e->ts_ms >= reset_ms)
		return PRESENCE_UNKNOWN;
	return e->inside ? PRESENCE_INSIDE : PRESENCE_OUTSIDE;
}

size_t
presence_inside(const struct presence_set *ps, size_t *counts, int ncounts)
{
	size_t	i, n = 0;
	int	c;

	for (c = 0; c < ncounts; c++)
		counts[c] = 0;
	for (i = 0; i < ps->count; i++) {
		if (!ps->entries[i].inside || ps->entries[i].ts_ms == 0)
			continue;
		n++;
		c = ps->entries[i].category;
		if (ncounts > 0)
			counts[c >= 0 && c < ncounts - 1 ? c : ncounts - 1]++;
	}
	return n;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct presence_entry *const *x = a, *const *y = b;

	if ((*x)->ts_ms != (*y)->ts_ms)
		return (*x)->ts_ms < (*y)->ts_ms ? -1 : 1;
	return strcmp((*x)->person, (*y)->person);
}

void
presence_each_inside(const struct presence_set *ps,
    void (*fn)(const struct presence_entry *, void *), void *arg)
{
	const struct presence_entry	**list;
	size_t				  i, n = 0;

	list = xcalloc(ps->count ? ps->count : 1, sizeof *list);
	for (i = 0; i < ps->count; i++)
		if (ps->entries[i].inside && ps->entries[i].ts_ms != 0)
			list[n++] = &ps->entries[i];
	qsort(list, n, sizeof *list, entry_cmp);
	for (i = 0; i < n; i++)
		fn(list[i], arg);
	free(list);
}

size_t
presence_count(const struct presence_set *ps)
{
	return ps->count;
}

/*
 * The last row that says where each person is: a granted passage, or a
 * guard's anti-passback reset (kind "apb-reset"), which forgets.  An
 * override with a person counts as a passage: the person did go through.
 */
static const char presence_sql[] =
	"SELECT e.person, e.category, e.kind, e.direction, e.ts_ms"
	" FROM events e JOIN (SELECT person, max(id) AS id FROM events"
	"  WHERE person IS NOT NULL AND (kind = 'apb-reset' OR"
	"  (kind IN ('passage', 'override') AND verdict = 'granted'))"
	"  GROUP BY person) last ON e.id = last.id";

int
presence_load(struct presence_set *ps, sqlite3 *db, const char **cause)
{
	sqlite3_stmt	*st;
	const char	*person, *cat, *kind, *dir;
	int		 rc;

	if (sqlite3_prepare_v2(db, presence_sql, -1, &st, NULL) != SQLITE_OK) {
		*cause = sqlite3_errmsg(db);
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		person = (const char *)sqlite3_column_text(st, 0);
		cat = (const char *)sqlite3_column_text(st, 1);
		kind = (const char *)sqlite3_column_text(st, 2);
		dir = (const char *)sqlite3_column_text(st, 3);
		if (person == NULL || kind == NULL ||
		    strcmp(kind, "apb-reset") == 0)
			continue;
		presence_passed(ps, person, category_from_name(cat),
		    dir != NULL && strcmp(dir, "in") == 0,
		    sqlite3_column_int64(st, 4));
	}
	if (rc != SQLITE_DONE) {
		*cause = sqlite3_errmsg(db);
		sqlite3_finalize(st);
		ps->count = 0;
		memset(ps->slots, 0, ps->nslots * sizeof *ps->slots);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}
