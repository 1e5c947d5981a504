/*
 * gaps.c: every gate's event ids are contiguous (its journal's), so the
 * hub knows for each gate the id up to which it has every event
 * (contiguous) and the highest it has seen (max_id).  A hole between
 * them is reported at once in the status and /metrics
 * (gated_hub_gap_events), and as an alert row (source 'hub', id = minus
 * the first missing id) once it has lasted GAPS_GRACE_MS, until it
 * fills: a gate resends from its last acknowledged id after every
 * reconnect, so a hole normally heals by itself.  The state is memory
 * backed by the gates table, loaded per gate at its first event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "clock.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

#define GAPS_GRACE_MS	2000

struct gap_gate {
	char		 name[HUB_NAME_LEN];
	long long	 contiguous, max_id;
	long long	*above;		/* ids > contiguous seen, sorted */
	size_t		 nabove, capabove;
	bool		 dirty;		/* the gates row is behind */
	long long	 hole;		/* first missing id, 0: none */
	int64_t		 hole_since;	/* mono ms */
	long long	 raised;	/* the hole its alert is for, 0: none */
};

struct gaps {
	struct hub	*hub;
	struct gap_gate	*gates;
	size_t		 ngates, cap;
};

static const char sql_load[] =
    "SELECT contiguous, max_id FROM gates WHERE gate = ?";
static const char sql_above[] =
    "SELECT id FROM events WHERE gate = ? AND id > ? ORDER BY id";
static const char sql_raised[] =
    "SELECT id FROM alerts WHERE gate = ? AND source = 'hub' AND "
    "reason = 'gap' AND cleared_ms IS NULL";
static const char sql_save[] =
    "UPDATE gates SET contiguous = ?, max_id = ?, last_seen_ms = ? "
    "WHERE gate = ?";

/* Adds id to the sorted ids above contiguous (once). */
static void
gap_add(struct gap_gate *g, long long id)
{
	size_t	lo = 0, hi = g->nabove, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (g->above[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->nabove && g->above[lo] == id)
		return;
	if (g->nabove == g->capabove) {
		g->capabove = g->capabove == 0 ? 16 : g->capabove * 2;
		g->above = xreallocarray(g->above, g->capabove,
		    sizeof *g->above);
	}
	memmove(&g->above[lo + 1], &g->above[lo],
	    (g->nabove - lo) * sizeof *g->above);
	g->above[lo] = id;
	g->nabove++;
}

/* Moves contiguous over the ids that now follow it. */
static void
gap_advance(struct gap_gate *g)
{
	size_t	n = 0;

	while (n < g->nabove && g->above[n] <= g->contiguous + 1) {
		if (g->above[n] == g->contiguous + 1)
			g->contiguous++;
		n++;
	}
	if (n > 0) {
		memmove(g->above, &g->above[n],
		    (g->nabove - n) * sizeof *g->above);
		g->nabove -= n;
	}
}

static int
gap_load_row(void *arg, int ncol, const char *const *vals)
{
	struct gap_gate	*g = arg;

	if (ncol == 2) {
		g->contiguous = vals[0] != NULL ? strtoll(vals[0], NULL, 10) : 0;
		g->max_id = vals[1] != NULL ? strtoll(vals[1], NULL, 10) : 0;
	}
	return 1;
}

static int
gap_load_above(void *arg, int ncol, const char *const *vals)
{
	if (ncol == 1 && vals[0] != NULL)
		gap_add(arg, strtoll(vals[0], NULL, 10));
	return 0;
}

static int
gap_load_raised(void *arg, int ncol, const char *const *vals)
{
	struct gap_gate	*g = arg;

	if (ncol == 1 && vals[0] != NULL)
		g->raised = -strtoll(vals[0], NULL, 10);
	return 0;
}

/* A gate's state, from the database at its first event. */
static struct gap_gate *
gap_gate(struct gaps *gp, const char *name)
{
	struct gap_gate	*g;
	const char	*p[2];
	char		 buf[24];
	size_t		 i;

	for (i = 0; i < gp->ngates; i++)
		if (strcmp(gp->gates[i].name, name) == 0)
			return &gp->gates[i];
	if (gp->ngates == gp->cap) {
		gp->cap = gp->cap == 0 ? 64 : gp->cap * 2;
		gp->gates = xreallocarray(gp->gates, gp->cap,
		    sizeof *gp->gates);
	}
	g = &gp->gates[gp->ngates];
	memset(g, 0, sizeof *g);
	snprintf(g->name, sizeof g->name, "%s", name);
	p[0] = name;
	if (db_query(gp->hub->db, sql_load, 1, p, gap_load_row, g) == -1)
		return NULL;
	snprintf(buf, sizeof buf, "%lld", g->contiguous);
	p[1] = buf;
	if (db_query(gp->hub->db, sql_above, 2, p, gap_load_above, g) == -1 ||
	    db_query(gp->hub->db, sql_raised, 1, p, gap_load_raised, g) == -1) {
		free(g->above);
		return NULL;
	}
	gap_advance(g);
	if (g->nabove > 0 && g->above[g->nabove - 1] > g->max_id)
		g->max_id = g->above[g->nabove - 1];
	g->dirty = true;
	gp->ngates++;
	return g;
}

/* Whether the gate has its row already (its state is loaded). */
bool
gaps_known(const struct gaps *gp, const char *gate)
{
	size_t	i;

	for (i = 0; i < gp->ngates; i++)
		if (strcmp(gp->gates[i].name, gate) == 0)
			return true;
	return false;
}

int
gaps_seen(struct gaps *gp, const char *gate, long long id)
{
	struct gap_gate	*g;

	if ((g = gap_gate(gp, gate)) == NULL)
		return -1;
	g->dirty = true;	/* last_seen_ms, at least */
	if (id > g->max_id)
		g->max_id = id;
	if (id <= g->contiguous)
		return 0;
	gap_add(g, id);
	gap_advance(g);
	g->dirty = true;
	return 0;
}

/* A gate's hole, raised once it is older than the grace, or cleared. */
static int
gap_alert(struct gaps *gp, struct gap_gate *g, int64_t now)
{
	char		 detail[128];
	long long	 start = g->max_id > g->contiguous ? g->contiguous + 1 : 0;

	if (start != g->hole) {
		g->hole = start;
		g->hole_since = now;
	}
	if (g->raised != 0 && g->raised != start) {
		if (alerts_hub_clear(gp->hub->alerts, g->name, -g->raised) == -1)
			return -1;
		log_info("gaps: %s: the hole from event %lld filled", g->name,
		    g->raised);
		g->raised = 0;
	}
	if (start != 0 && g->raised == 0 && now - g->hole_since >=
	    GAPS_GRACE_MS) {
		snprintf(detail, sizeof detail, "events from %lld missing "
		    "(%lld in all below %lld)", start, gaps_missing(gp, g->name),
		    g->max_id);
		if (alerts_hub_raise(gp->hub->alerts, g->name, -start, "gap",
		    detail) == -1)
			return -1;
		log_warnx("gaps: %s: %s", g->name, detail);
		g->raised = start;
	}
	return 0;
}

int
gaps_settle(struct gaps *gp)
{
	struct gap_gate	*g;
	const char	*p[4];
	char		 c[24], m[24], seen[24];
	int64_t		 now = mono_ms();
	size_t		 i;

	snprintf(seen, sizeof seen, "%lld", (long long)wall_ms());
	for (i = 0; i < gp->ngates; i++) {
		g = &gp->gates[i];
		if (g->dirty) {
			snprintf(c, sizeof c, "%lld", g->contiguous);
			snprintf(m, sizeof m, "%lld", g->max_id);
			p[0] = c;
			p[1] = m;
			p[2] = seen;
			p[3] = g->name;
			if (db_exec(gp->hub->db, sql_save, 4, p) == -1)
				return -1;
			g->dirty = false;
		}
		if (gap_alert(gp, g, now) == -1)
			return -1;
	}
	return 0;
}

bool
gaps_due(const struct gaps *gp)
{
	const struct gap_gate	*g;
	int64_t			 now = mono_ms();
	size_t			 i;

	for (i = 0; i < gp->ngates; i++) {
		g = &gp->gates[i];
		if (g->hole != 0 && g->raised == 0 &&
		    now - g->hole_since >= GAPS_GRACE_MS)
			return true;
	}
	return false;
}

void
gaps_reset(struct gaps *gp)
{
	size_t	i;

	for (i = 0; i < gp->ngates; i++)
		free(gp->gates[i].above);
	gp->ngates = 0;
}

long long
gaps_missing(const struct gaps *gp, const char *gate)
{
	size_t	i;

	for (i = 0; i < gp->ngates; i++)
		if (strcmp(gp->gates[i].name, gate) == 0)
			return gp->gates[i].max_id - gp->gates[i].contiguous -
			    (long long)gp->gates[i].nabove;
	return 0;
}

json_t *
gaps_status(const struct gaps *gp)
{
	const struct gap_gate	*g;
	json_t			*a = json_array();
	size_t			 i;

	for (i = 0; i < gp->ngates; i++) {
		g = &gp->gates[i];
		if (g->max_id <= g->contiguous)
			continue;
		json_array_append_new(a, json_pack("{ss sI sI sI sb}",
		    "gate", g->name, "contiguous", (json_int_t)g->contiguous,
		    "max_id", (json_int_t)g->max_id,
		    "missing", (json_int_t)gaps_missing(gp, g->name),
		    "alerted", g->raised != 0));
	}
	return a;
}

void
gaps_metrics(const struct gaps *gp, struct evbuffer *b)
{
	size_t	i;

	evbuffer_add_printf(b, "# HELP gated_hub_gap_events events missing "
	    "below a gate's highest id\n# TYPE gated_hub_gap_events gauge\n");
	for (i = 0; i < gp->ngates; i++)
		evbuffer_add_printf(b, "gated_hub_gap_events{gate=\"%s\"} %lld\n",
		    gp->gates[i].name, gaps_missing(gp, gp->gates[i].name));
}

struct gaps *
gaps_new(struct hub *hub)
{
	struct gaps	*gp = xcalloc(1, sizeof *gp);

	gp->hub = hub;
	return gp;
}

void
gaps_free(struct gaps *gp)
{
	if (gp == NULL)
		return;
	gaps_reset(gp);
	free(gp->gates);
	free(gp);
}
