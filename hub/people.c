/*
 * people.c: the campus people list and quarantine set, held by the hub.
 * Each list an admin posts is checked by the gates' own parser
 * (common/people-csv.c), kept whole as a version in the people table,
 * signed with the hub's admin key ([hub] people-key, which the gates list
 * as [admin-key hub]) and published retained on
 * gated/v1/<site>/campus/people, so a gate away gets it on its return.
 * The quarantine set is the retained campus/quarantine command's, one
 * person added or taken out and signed again.  Versions count from the
 * highest seq seen, the hub's or a retained one gatectl pushed: a gate
 * refuses a seq at or below its floor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "command.h"
#include "hub-people.h"
#include "key-file.h"
#include "log.h"
#include "people-csv.h"
#include "xmalloc.h"

#define PEOPLE_EXPIRES	(366LL * 24 * 3600)	/* retained: a gate away */

struct hub_people {
	struct hub	*hub;
	bool		 can_sign;
	uint8_t		 seed[32];
	uint64_t	 people_seq;	/* the highest seen retained */
	uint64_t	 quar_seq;
	char		*quar_body;	/* the retained set: ids, '\n' each */
	size_t		 quar_len;
};

static void	people_retained(void *, const char *, const void *, size_t);

static const char sql_max[] = "SELECT MAX(version) FROM people";
static const char sql_insert[] =
    "INSERT INTO people (version, sha256, csv, actor, reason, ts_ms) "
    "VALUES (?, ?, ?, ?, ?, ?)";

struct hub_people *
hub_people_new(struct hub *hub, char **cause)
{
	struct hub_people	*p = xcalloc(1, sizeof *p);
	const char		*key = hub->conf->hub.people_key;
	int			 loose;

	p->hub = hub;
	if (key[0] != '\0') {
		if (key_read_private(key, p->seed, &loose, cause) == -1) {
			free(p);
			return NULL;
		}
		if (loose != 0)
			log_warnx("people-key %s: permissions %04o: others "
			    "may read the key gates obey (chmod 600)", key,
			    (unsigned)loose);
		p->can_sign = true;
	}
	hub->campus_cb = people_retained;
	hub->campus_arg = p;
	return p;
}

void
hub_people_free(struct hub_people *p)
{
	if (p == NULL)
		return;
	p->hub->campus_cb = NULL;
	explicit_bzero(p->seed, sizeof p->seed);
	free(p->quar_body);
	free(p);
}

/* The retained commands tell the seq to count from, and the set. */
static void
people_retained(void *arg, const char *what, const void *payload,
    size_t len)
{
	struct hub_people	*p = arg;
	struct command		 c;
	int			 w;

	if (p == NULL || len == 0 || ((w = command_what_from_name(what)) !=
	    COMMAND_PEOPLE && w != COMMAND_QUARANTINE))
		return;
	/* No keys: only decoded (the gates verify); the body comes too. */
	if (command_verify(payload, len, NULL, 0, time(NULL), &c) ==
	    COMMAND_MALFORMED || (int)c.what != w) {
		command_clear(&c);
		return;
	}
	if (w == COMMAND_PEOPLE && c.seq > p->people_seq)
		p->people_seq = c.seq;
	else if (w == COMMAND_QUARANTINE && c.seq >= p->quar_seq) {
		p->quar_seq = c.seq;
		free(p->quar_body);
		p->quar_body = c.body;
		p->quar_len = c.body_len;
		c.body = NULL;
	}
	command_clear(&c);
}

static int
max_row(void *arg, int ncol, const char *const *vals)
{
	uint64_t	*v = arg;

	if (ncol == 1 && vals[0] != NULL)
		*v = strtoull(vals[0], NULL, 10);
	return 0;
}

/* The hub's latest version: 0 when none, -1 on a database error. */
long long
hub_people_latest(struct hub_people *p)
{
	uint64_t	v = 0;

	if (db_query(p->hub->db, sql_max, 0, NULL, max_row, &v) == -1)
		return -1;
	return (long long)v;
}

/* The command both kinds share, unsigned yet. */
static void
command_base(struct hub_people *p, struct command *c, enum command_what w,
    uint64_t seq, const char *actor, const char *reason)
{
	memset(c, 0, sizeof *c);
	snprintf(c->site, sizeof c->site, "%.31s", p->hub->conf->hub.site);
	snprintf(c->target, sizeof c->target, "campus");
	snprintf(c->key, sizeof c->key, "%.31s",
	    p->hub->conf->hub.people_key_id);
	snprintf(c->actor, sizeof c->actor, "%s", actor);
	snprintf(c->reason, sizeof c->reason, "%s", reason);
	c->what = w;
	c->seq = seq;
	c->issued = (int64_t)time(NULL);
	c->expires = c->issued + PEOPLE_EXPIRES;
}

/* Signs c and publishes it retained on campus/<leaf>: 0, or -1 and why. */
static int
sign_publish(struct hub_people *p, struct command *c, const char *leaf,
    const char **why)
{
	char	*text;
	int	 rc;

	if ((*why = command_invalid(c)) != NULL)
		return -1;
	if ((text = command_sign_alloc(c, p->seed)) == NULL) {
		*why = "the command could not be signed";
		return -1;
	}
	rc = hub_link_publish(p->hub->link, leaf, text, true);
	free(text);
	if (rc == -1)
		*why = "the broker is not connected: nothing published";
	return rc;
}

/* The errors of a list the gates would refuse, as the API answers them. */
static json_t *
errors_json(const struct people_errors *e)
{
	json_t	*a = json_array();
	int	 i;

	for (i = 0; i < e->kept; i++)
		json_array_append_new(a, json_string(e->lines[i]));
	return json_pack("{s:s, s:i, s:o}", "error", "the people list has "
	    "errors: nothing stored or published", "count", e->count,
	    "errors", a);
}

/* Whether the gates would take the list; errors named as a gate names
 * them ("campus-people vN:LINE: what"). */
static int
people_valid(const char *csv, size_t len, uint64_t version, json_t **out)
{
	struct people_errors	 errs;
	struct people_parse	 parse;
	char			 name[64], *copy;
	int			 rc;

	snprintf(name, sizeof name, "campus-people v%llu",
	    (unsigned long long)version);
	memset(&parse, 0, sizeof parse);
	parse.name = name;
	parse.errs = &errs;
	copy = xmalloc(len + 1);
	memcpy(copy, csv, len);
	rc = people_parse_buf(&parse, copy, len);
	free(copy);
	if (rc != 0)
		*out = errors_json(&errs);
	return rc;
}

/* Stores version in the people table and the journal: 0 | -1. */
static int
people_store(struct hub_people *p, const struct command *c, const char *csv)
{
	const char	*v[6];
	char		 ver[24], now[24], detail[160];

	snprintf(ver, sizeof ver, "%llu", (unsigned long long)c->seq);
	snprintf(now, sizeof now, "%lld", (long long)wall_ms());
	snprintf(detail, sizeof detail, "people v%s: %llu bytes, sha256 %s",
	    ver, (unsigned long long)c->size, c->value);
	v[0] = ver;
	v[1] = c->value;
	v[2] = csv;
	v[3] = c->actor;
	v[4] = c->reason;
	v[5] = now;
	if (db_begin(p->hub->db) == -1)
		return -1;
	if (db_exec(p->hub->db, sql_insert, 6, v) == -1 ||
	    hub_journal(p->hub->db, "people-push", c->actor, c->reason,
	    detail) == -1 || db_commit(p->hub->db) == -1) {
		db_rollback(p->hub->db);
		return -1;
	}
	return 0;
}

int
hub_people_push(struct hub_people *p, const char *csv, size_t len,
    const char *actor, const char *reason, json_t **out)
{
	struct command	 c;
	const char	*why;
	long long	 latest;
	uint64_t	 version;
	char		*text;

	*out = NULL;
	if (!p->can_sign) {
		*out = json_pack("{s:s}", "error", "no [hub] people-key: the "
		    "hub cannot sign a people list");
		return 409;
	}
	if ((latest = hub_people_latest(p)) == -1)
		goto dberr;
	version = (uint64_t)latest > p->people_seq ? (uint64_t)latest :
	    p->people_seq;
	version++;
	if (people_valid(csv, len, version, out) != 0)
		return 400;
	/* A NUL the parser skipped (in a comment) would cut the stored
	 * text short of what is signed. */
	if (memchr(csv, '\0', len) != NULL) {
		*out = json_pack("{s:s}", "error", "a NUL byte in the list");
		return 400;
	}
	command_base(p, &c, COMMAND_PEOPLE, version, actor, reason);
	if (command_set_csv(&c, csv, len) == -1) {
		*out = json_pack("{s:s}", "error", "larger than 16 MiB");
		return 413;
	}
	text = xmalloc(len + 1);
	memcpy(text, csv, len);
	text[len] = '\0';
	if (people_store(p, &c, text) == -1) {
		free(text);
		command_clear(&c);
		goto dberr;
	}
	free(text);
	if (sign_publish(p, &c, "campus/people", &why) == -1) {
		log_warnx("people v%llu: %s", (unsigned long long)version, why);
		*out = json_pack("{s:s, s:I}", "error", why, "version",
		    (json_int_t)version);
		command_clear(&c);
		return 503;
	}
	p->people_seq = version;
	log_info("people v%llu by %s: published (%s)",
	    (unsigned long long)version, actor, reason);
	*out = json_pack("{s:I, s:s, s:I, s:b}", "version", (json_int_t)version,
	    "sha256", c.value, "size", (json_int_t)c.size, "published", 1);
	command_clear(&c);
	return 200;

dberr:
	*out = json_pack("{s:s}", "error", db_error(p->hub->db));
	return 500;
}

/*
 * The retained set with person added (on) or taken out, into c: 1 when
 * that changes it, 0 when not, -1 with *why when an id is bad.
 */
static int
quarantine_change(struct hub_people *p, struct command *c,
    const char *person, bool on, const char **why)
{
	const char	**ids;
	char		 *copy, *s, *nl;
	size_t		  n = 0, k = 0, i;
	int		  had = 0, rc;

	copy = xmalloc(p->quar_len + 1);
	if (p->quar_len > 0)
		memcpy(copy, p->quar_body, p->quar_len);
	copy[p->quar_len] = '\0';
	for (i = 0; i < p->quar_len; i++)
		n += copy[i] == '\n';
	ids = xreallocarray(NULL, n + 1, sizeof *ids);
	for (s = copy; (nl = strchr(s, '\n')) != NULL; s = nl + 1) {
		*nl = '\0';
		if (strcmp(s, person) == 0)
			had = 1;
		else
			ids[k++] = s;
	}
	if (on)
		ids[k++] = person;
	rc = had != on;
	if (rc && command_set_persons(c, ids, k, why) == -1)
		rc = -1;
	free(ids);
	free(copy);
	return rc;
}

int
hub_people_quarantine(struct hub_people *p, const char *person, bool on,
    const char *actor, const char *reason, json_t **out)
{
	struct command	 c;
	const char	*why = NULL;
	char		 detail[128];
	int		 rc;

	*out = NULL;
	if (!p->can_sign) {
		*out = json_pack("{s:s}", "error", "no [hub] people-key: the "
		    "hub cannot sign the quarantine set");
		return 409;
	}
	if (!command_person_valid(person, strlen(person))) {
		*out = json_pack("{s:s}", "error", "not a person id");
		return 400;
	}
	command_base(p, &c, COMMAND_QUARANTINE, p->quar_seq + 1, actor,
	    reason);
	if ((rc = quarantine_change(p, &c, person, on, &why)) <= 0) {
		command_clear(&c);
		if (rc == -1) {
			*out = json_pack("{s:s}", "error", why);
			return 400;
		}
		*out = json_pack("{s:s, s:b, s:b, s:I}", "person", person,
		    "on", on, "changed", 0, "seq", (json_int_t)p->quar_seq);
		return 200;
	}
	if (sign_publish(p, &c, "campus/quarantine", &why) == -1) {
		command_clear(&c);
		*out = json_pack("{s:s}", "error", why);
		return 503;
	}
	snprintf(detail, sizeof detail, "quarantine %s%s: seq %llu",
	    on ? "+" : "-", person, (unsigned long long)c.seq);
	if (hub_journal(p->hub->db, "people-quarantine", actor, reason,
	    detail) == -1)
		log_warnx("%s: not journaled: %s", detail,
		    db_error(p->hub->db));
	log_info("%s by %s (%s)", detail, actor, reason);
	p->quar_seq = c.seq;
	free(p->quar_body);
	p->quar_body = c.body;
	p->quar_len = c.body_len;
	c.body = NULL;
	*out = json_pack("{s:s, s:b, s:b, s:I}", "person", person, "on", on,
	    "changed", 1, "seq", (json_int_t)p->quar_seq);
	command_clear(&c);
	return 200;
}

/* Whether a person is in the campus quarantine set the hub last saw. */
bool
hub_people_quarantined(const struct hub_people *p, const char *person)
{
	const char	*s = p->quar_body, *end = s + p->quar_len, *nl;
	size_t		 n = strlen(person);

	for (; s != NULL && s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			break;
		if ((size_t)(nl - s) == n && memcmp(s, person, n) == 0)
			return true;
	}
	return false;
}

/* c signed with the hub's key for campus-cmd.c: the text (the caller
 * frees it), or NULL without a people-key or when it cannot be signed. */
char *
hub_people_sign(struct hub_people *p, const struct command *c)
{
	if (p == NULL || !p->can_sign)
		return NULL;
	return command_sign_alloc(c, p->seed);
}
