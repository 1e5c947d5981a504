/*
 * presence.h: where the gate last saw each person pass, for anti-passback
 * and for who is inside now (occupancy, the muster list).  Built from the
 * journal at start, so it survives restarts: the journal is its record.
 */
#ifndef GATED_PRESENCE_H
#define GATED_PRESENCE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

struct presence_set;

/* One person as presence keeps them. */
struct presence_entry {
	char		person[32];	/* person id, as in the journal */
	int		category;	/* enum category, or -1 unknown */
	bool		inside;		/* last granted passage was in */
	int64_t		ts_ms;		/* when */
};

struct presence_set *presence_new(void);
void		 presence_free(struct presence_set *);
/* Reads the last granted passage or anti-passback reset of every person
 * from the journal's events: 0, or -1 with the SQLite error in *cause
 * (static text; the set is left empty). */
int		 presence_load(struct presence_set *, sqlite3 *db,
		    const char **cause);
/* A granted passage (or a guard's open for a known person). */
void		 presence_passed(struct presence_set *, const char *person,
		    int category, bool in, int64_t ts_ms);
/* A guard's forgiveness: the person is unknown again.  Returns whether
 * the person was known. */
bool		 presence_forget(struct presence_set *, const char *person);
/* The person's entry, or NULL when never seen (or forgotten). */
const struct presence_entry *presence_find(const struct presence_set *,
		    const char *person);
/* The inside/outside view anti-passback takes: PRESENCE_* of agent.h as
 * an int, unknown when never seen or longer ago than reset_ms (0: never
 * resets). */
int		 presence_state(const struct presence_set *, const char *person,
		    int64_t now_ms, int64_t reset_ms);
/* People inside now, and per category (counts has CAT__COUNT + 1 slots,
 * the last for unknown categories). */
size_t		 presence_inside(const struct presence_set *, size_t *counts,
		    int ncounts);
/* Calls fn for each person inside, oldest entry first. */
void		 presence_each_inside(const struct presence_set *,
		    void (*fn)(const struct presence_entry *, void *),
		    void *arg);
size_t		 presence_count(const struct presence_set *);

#endif
