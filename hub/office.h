/*
 * office.h: what the hub answers the epidemic office: the campus report
 * (campus-report.c) and contact tracing (contacts.c), read from the
 * campus journal through db.h, so both run on SQLite and PostgreSQL; the
 * helpers they share (office.c); and their two API routes
 * (api-report.c), which the hub's route table calls.
 */
#ifndef GATED_HUB_OFFICE_H
#define GATED_HUB_OFFICE_H

#include <stdint.h>

#include <jansson.h>

#include "db.h"
#include "fmt.h"

/* office.c */
/* A decimal number as text into buf[24], for a parameter. */
const char *office_int(char buf[24], int64_t);
/*
 * Writes a row of hub_journal (its id MAX+1, in a transaction of its
 * own): 0, or -1 with db_error set.  kind "contacts", "export".
 */
int	 office_journal(struct db *, int64_t ts_ms, const char *kind,
	    const char *actor, const char *reason, const char *detail);

/* campus-report.c */
/*
 * The campus report of [from_ms, to_ms): per gate, hour, lane and
 * direction, granted and denied; per day and gate; denials by reason; the
 * gates' fever and quarantine alerts and every fever or quarantine
 * passage (hits); who is inside each zone at to_ms, by the passages of
 * the inside_ms before it; the totals, per gate and in all.  The gate's report's names and shapes where they are the
 * same thing (hourly, denials, alerts, alerts_more, totals), so the two
 * can be compared.  persons: with person ids, temperatures and the names
 * of those inside (the office's part); without, those are left out.
 * NULL with *cause (malloc'd) on a database error.
 */
json_t	*campus_report(struct db *, int64_t from_ms, int64_t to_ms,
	    int64_t inside_ms, int persons, char **cause);

/* contacts.c */
struct contacts_query {
	const char	*person;
	int64_t		 from_ms, to_ms;	/* passages in [from, to) */
	int64_t		 window_ms;	/* each side of a passage */
};
/*
 * Everyone else who passed the same lane (gate, lane) within the window
 * of one of the person's passages, ranked by how many of the person's
 * passages they met (then the closest first), each with when and where.
 * One range scan of events (gate, lane, ts_ms) per passage, found by
 * events (person, ts_ms).  Journals nothing: the caller does, first.
 * NULL with *cause (malloc'd) on a database error.
 */
json_t	*contacts_find(struct db *, const struct contacts_query *,
	    char **cause);

/* api-report.c */
/* The roles of the hub's tokens, in order of what they may. */
enum office_role {
	OFFICE_VIEWER, OFFICE_GUARD, OFFICE_HEALTH, OFFICE_ADMIN
};
/*
 * One answer of the two routes: HTTP status, Content-Type and the body
 * (malloc'd; the caller frees it).
 */
struct office_answer {
	int		 status;
	const char	*type;		/* the Content-Type */
	char		*body;
	size_t		 len;
};
/*
 * GET /v1/report?from=&to=&inside=24h&format=json|csv|text (viewer; the
 * per-person
 * parts for health and admin, journaled first as an export).  query is
 * the URI's query string as sent, percent-encoded (NULL: none); actor
 * names the token for the journal ("token:office").  Errors are JSON
 * {"error": ...}.
 */
void	office_report_http(struct db *, enum office_role, const char *actor,
	    const char *query, int64_t now_ms, struct office_answer *);
/*
 * GET /v1/contacts?person=&days=14&window=10m&reason=&format= (health
 * and admin: 403 for others; 400 without a reason), journaled first as
 * kind "contacts" with who asked, for whom and why: 503 when it cannot
 * be.
 */
void	office_contacts_http(struct db *, enum office_role,
	    const char *actor, const char *query, int64_t now_ms,
	    struct office_answer *);
/* Parses "10m", "90s", "1h", "7d", "600" (seconds): milliseconds, or
 * -1. */
int64_t	office_duration(const char *);
/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]", local time: ms, or -1. */
int64_t	office_when(const char *);

#endif
