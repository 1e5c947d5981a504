/*
 * api-people.c: the campus people list over the hub's API.  An admin
 * posts a list (the CSV itself as the body, ?reason=), which people.c
 * checks with the gates' parser, stores, signs and publishes; viewers see
 * which gate runs which version; guards search the latest list (the
 * console's people page); the epidemic office puts a person into or out
 * of the campus quarantine set, at every online gate within a second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "api.h"
#include "calendar.h"
#include "hub-people.h"
#include "people-csv.h"
#include "xmalloc.h"

#define SEARCH_LIMIT	50

static const char sql_gates[] =
    "SELECT gate, online, state FROM gates ORDER BY gate";
static const char sql_latest[] =
    "SELECT version, sha256, csv, actor, reason, ts_ms FROM people "
    "ORDER BY version DESC LIMIT 1";

void
api_people_post(struct api_req *r)
{
	struct evbuffer	*in = evhttp_request_get_input_buffer(r->req);
	size_t		 len = evbuffer_get_length(in);
	char		 reason[256];
	json_t		*out;
	int		 code;

	if (api_query(r, "reason", reason, sizeof reason) == NULL ||
	    reason[0] == '\0') {
		api_error(r, 400, "?reason= is needed: it is journaled");
		return;
	}
	if (len > API_PEOPLE_BODY_MAX) {
		api_error(r, 413, "the list is larger than 16 MiB");
		return;
	}
	code = hub_people_push(r->hub->people,
	    (const char *)evbuffer_pullup(in, len), len, r->actor, reason,
	    &out);
	api_json(r, code, out);
}

/* A member of a gate's state, two levels down, or NULL. */
static json_t *
state_people(json_t *state, const char *key)
{
	return json_object_get(json_object_get(json_object_get(state,
	    "campus"), "people"), key);
}

static int
gate_row(void *arg, int ncol, const char *const *v)
{
	json_t		*a = ((void **)arg)[0], *state = NULL, *ver;
	long long	 latest = *(long long *)((void **)arg)[1];

	if (ncol != 3)
		return 1;
	if (v[2] != NULL)
		state = json_loads(v[2], 0, NULL);
	ver = state_people(state, "version");
	json_array_append_new(a, json_pack("{ss sb sO sO sO sb}", "gate", v[0],
	    "online", v[1] != NULL && strcmp(v[1], "1") == 0,
	    "version", ver != NULL ? ver : json_null(),
	    "sha256", state_people(state, "sha256") != NULL ?
	    state_people(state, "sha256") : json_null(),
	    "push", state_people(state, "push") != NULL ?
	    state_people(state, "push") : json_null(),
	    "current", json_integer_value(ver) == latest && latest > 0));
	json_decref(state);
	return 0;
}

void
api_people_versions(struct api_req *r)
{
	json_t		*a;
	long long	 latest;
	void		*arg[2];

	if ((latest = hub_people_latest(r->hub->people)) == -1) {
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	a = json_array();
	arg[0] = a;
	arg[1] = &latest;
	if (db_query(r->hub->db, sql_gates, 0, NULL, gate_row, arg) == -1) {
		json_decref(a);
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	api_json(r, 200, json_pack("{sI so}", "latest", (json_int_t)latest,
	    "gates", a));
}

/* The latest list, whole: its row's columns (malloc'd), or NULL. */
struct latest {
	long long	 version;
	char		*csv;
};

static int
latest_row(void *arg, int ncol, const char *const *v)
{
	struct latest	*l = arg;

	if (ncol != 6 || v[0] == NULL || v[2] == NULL)
		return 1;
	l->version = strtoll(v[0], NULL, 10);
	l->csv = xstrdup(v[2]);
	return 0;
}

/* What a search carries from row to row. */
struct search {
	const char		*q;
	json_t			*found;
	const struct hub_people	*people;
};

static void
date_text(uint16_t day, char *buf, size_t size)
{
	int	y, m, d;

	if (day == 0 || day == PEOPLE_DAY_NO_END) {
		buf[0] = '\0';
		return;
	}
	civil_from_days(day, &y, &m, &d);
	snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

/* A row as the search answers it, when it matches q. */
static long
search_row(void *arg, const struct people_row *row)
{
	struct search	*s = arg;
	char		 uid[24], from[16], until[16];
	json_t		*flags;

	snprintf(uid, sizeof uid, "%llu", (unsigned long long)row->uid);
	if (json_array_size(s->found) >= SEARCH_LIMIT ||
	    (strcasestr(row->person_id, s->q) == NULL &&
	    strcasestr(row->name, s->q) == NULL && strcmp(uid, s->q) != 0))
		return 0;
	flags = json_array();
	if (row->flags & PF_QUARANTINE)
		json_array_append_new(flags, json_string("quarantine"));
	if (row->flags & PF_OBSERVATION)
		json_array_append_new(flags, json_string("observation"));
	if (row->flags & PF_VEHICLE)
		json_array_append_new(flags, json_string("vehicle"));
	if (row->flags & PF_EXEMPT)
		json_array_append_new(flags, json_string("exempt"));
	date_text(row->valid_from, from, sizeof from);
	date_text(row->valid_until, until, sizeof until);
	json_array_append_new(s->found, json_pack("{ss ss ss ss ss ss ss ss so"
	    " sb sI}", "person", row->person_id, "name", row->name,
	    "card_uid", uid, "category", category_name(row->category),
	    "home_zone", row->home, "zones_allowed", row->zones_text,
	    "valid_from", from, "valid_until", until, "flags", flags,
	    "campus_quarantine", hub_people_quarantined(s->people,
	    row->person_id), "line", (json_int_t)row->line));
	return 0;
}

void
api_people_search(struct api_req *r)
{
	struct people_errors	 errs;
	struct people_parse	 parse;
	struct latest		 l = { 0, NULL };
	struct search		 s;
	char			 q[128];

	if (api_query(r, "q", q, sizeof q) == NULL || q[0] == '\0') {
		api_error(r, 400, "?q= is needed: a person id, a name or a "
		    "card number");
		return;
	}
	if (db_query(r->hub->db, sql_latest, 0, NULL, latest_row, &l) == -1) {
		api_error(r, 503, db_error(r->hub->db));
		return;
	}
	s.q = q;
	s.found = json_array();
	s.people = r->hub->people;
	if (l.csv != NULL) {
		memset(&parse, 0, sizeof parse);
		parse.name = "people";
		parse.errs = &errs;
		parse.add = search_row;
		parse.add_arg = &s;
		people_parse_buf(&parse, l.csv, strlen(l.csv));
		free(l.csv);
	}
	api_json(r, 200, json_pack("{sI so sb}", "version",
	    (json_int_t)l.version, "people", s.found, "truncated",
	    json_array_size(s.found) >= SEARCH_LIMIT));
}

void
api_people_quarantine(struct api_req *r)
{
	json_t		*body, *on, *out;
	const char	*reason;
	int		 code;

	if ((body = api_body(r)) == NULL)
		return;
	on = json_object_get(body, "on");
	reason = json_string_value(json_object_get(body, "reason"));
	if (!json_is_boolean(on) || reason == NULL || reason[0] == '\0') {
		json_decref(body);
		api_error(r, 400, "{\"on\": true|false, \"reason\": \"...\"} "
		    "is needed");
		return;
	}
	code = hub_people_quarantine(r->hub->people, r->cap[0],
	    json_is_true(on), r->actor, reason, &out);
	json_decref(body);
	api_json(r, code, out);
}
