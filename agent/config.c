/*
 * config.c: reads a gate's configuration file, checks all of it and builds
 * a struct gate_conf, or reports every error as "file:line: what is wrong";
 * a config with any error is never returned.  This file drives a load: it
 * reads the file (config-read.c), places each section and fills it from
 * its keys, a value or the default of each (config-keys.c, config-types.c),
 * then runs the checks across sections (config-check.c).
 */
#include <sys/param.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-int.h"

/* Parses one value of a key into base; 0, or -1 with the error recorded. */
static int
conf_set(struct conf_load *cl, const struct conf_key *k, void *base,
    const char *value, int line)
{
	char	*cause;

	if (conf_value_parse(k, base, value, cl->dir, &cause) == 0)
		return 0;
	if (cause != NULL) {
		conf_error(cl, line, "%s: %s", k->name, cause);
		free(cause);
	}
	return -1;
}

/* The place of a new section of this kind, or NULL when there is none. */
static void *
conf_target(struct conf_load *cl, const struct section_kind *sk)
{
	struct gate_conf	*gc = cl->gc;
	int			 n;

	switch (sk->id) {
	case S_GATE:
		return gc;
	case S_OUTPUT:
	case S_INPUT:
		if (gc->line_count == LINES_MAX)
			return NULL;
		return &gc->lines[gc->line_count++];
	case S_DEVICE:
		if (gc->device_count == DEVICES_MAX)
			return NULL;
		return &gc->devices[gc->device_count++];
	case S_LANE:
		if (gc->lane_count == LANES_MAX)
			return NULL;
		return &gc->lanes[gc->lane_count++];
	case S_READER:
		if (gc->reader_count == READERS_MAX)
			return NULL;
		return &gc->readers[gc->reader_count++];
	case S_THERM:
		if (gc->therm_count == THERMS_MAX)
			return NULL;
		return &gc->therms[gc->therm_count++];
	case S_MODE:
		if (gc->mode_count == MODES_MAX)
			return NULL;
		return &gc->modes[gc->mode_count++];
	case S_LEVEL:
		n = gc->level_count;
		if (n == LEVELS_MAX)
			return NULL;
		gc->level_count++;
		return &gc->levels[n];
	case S_REMOTE:
	case S_MQTT:
		return gc;
	case S_TOKEN:
		if (gc->token_count == TOKENS_MAX)
			return NULL;
		return &gc->tokens[gc->token_count++];
	case S_SCHEDULE:
		if (gc->schedule_count == SCHEDULES_MAX)
			return NULL;
		return &gc->schedules[gc->schedule_count++];
	case S_ADMIN_KEY:
		if (gc->admin_key_count == ADMIN_KEYS_MAX)
			return NULL;
		return &gc->admin_keys[gc->admin_key_count++];
	}
	return NULL;
}

/* What a section starts as, before its keys: names and the preset values. */
static void
conf_init(struct conf_section *cs, void *target)
{
	struct line_conf	*lc;
	struct mode		*m;
	struct level		*lv;

	switch (cs->kind->id) {
	case S_GATE:
		((struct gate_conf *)target)->alert_ack_required = 1;
		break;
	case S_OUTPUT:
	case S_INPUT:
		lc = target;
		conf_copy(lc->name, sizeof lc->name, cs->name);
		lc->dir = cs->kind->id == S_OUTPUT ? LINE_OUTPUT : LINE_INPUT;
		lc->offset = -1;
		break;
	case S_DEVICE:
		conf_copy(((struct device_conf *)target)->name, NAME_LEN,
		    cs->name);
		break;
	case S_LANE:
		conf_copy(((struct lane_conf *)target)->name, NAME_LEN,
		    cs->name);
		break;
	case S_READER:
		conf_copy(((struct reader_conf *)target)->name, NAME_LEN,
		    cs->name);
		break;
	case S_THERM:
		conf_copy(((struct thermometer_conf *)target)->name, NAME_LEN,
		    cs->name);
		break;
	case S_MODE:
		m = target;
		conf_copy(m->name, sizeof m->name, cs->name);
		m->builtin = false;
		break;
	case S_LEVEL:
		lv = target;
		lv->number = atoi(cs->name);
		snprintf(lv->name, sizeof lv->name, "level %d", lv->number);
		policy_default_measures(&lv->measures);
		break;
	case S_REMOTE:
		((struct gate_conf *)target)->remote.enabled = true;
		break;
	case S_MQTT:
		((struct gate_conf *)target)->mqtt.enabled = true;
		break;
	case S_TOKEN:
		conf_copy(((struct token_conf *)target)->name, NAME_LEN,
		    cs->name);
		break;
	case S_SCHEDULE:
		conf_copy(((struct schedule_conf *)target)->sched.name,
		    SCHED_NAME_LEN, cs->name);
		break;
	case S_ADMIN_KEY:
		conf_copy(((struct admin_key *)target)->name,
		    COMMAND_NAME_LEN, cs->name);
		break;
	}
}

/* Applies one key: its value if set, else its default. */
static void
conf_apply(struct conf_load *cl, struct conf_section *cs,
    const struct conf_key *k)
{
	struct conf_entry	*e;
	const char		*def;
	int			 vi;

	vi = cs->variant == V_2 ? 1 : 0;
	e = conf_entry(cs, k->name);
	if (e != NULL && k->repeat) {
		for (; e < cs->entries + cs->nentries; e++) {
			if (strcmp(e->key, k->name) == 0 &&
			    conf_set(cl, k, cs->target, e->value, e->line) != 0)
				e->bad = true;
		}
		return;
	}
	if (e != NULL) {
		if (k->only != 0 && cs->variant != 0 &&
		    (k->only & cs->variant) == 0) {
			conf_error(cl, e->line, "%s: only for %s", k->name,
			    cs->kind->variant_names[vi == 0]);
			e->bad = true;
			return;
		}
		if (conf_set(cl, k, cs->target, e->value, e->line) != 0)
			e->bad = true;
		return;
	}
	if (k->only != 0 && (k->only & cs->variant) == 0)
		return;
	/* A section refused at its header has had its error already. */
	if (cs->counted && ((k->required & cs->variant) != 0 ||
	    k->required == V_ALL)) {
		conf_error(cl, cs->line, "[%s%s%s]: %s is required",
		    cs->kind->name, cs->name[0] != '\0' ? " " : "", cs->name,
		    k->name);
		return;
	}
	def = (vi == 1 && k->def2 != NULL) ? k->def2 : k->def;
	if (def == NULL)
		return;
	if (*def == '\0')
		memset((char *)cs->target + k->off, 0, k->size);
	else if (conf_set(cl, k, cs->target, def, cs->line) != 0)
		fatalx("%s: bad default for %s", __func__, k->name);
}

/*
 * Zeroes what a section of this kind can write in scratch: its own object,
 * or, for the kinds whose keys are fields of the gate_conf itself ([gate],
 * [remote], [mqtt]), the span of their keys' fields (conf_init writes
 * only fields it then sets).
 */
static void
scratch_clear(void *scratch, const struct section_kind *sk)
{
	const struct conf_key	*k;
	size_t			 lo = sk->size, hi = 0;

	if (sk->size != sizeof(struct gate_conf)) {
		memset(scratch, 0, sk->size);
		return;
	}
	for (k = sk->keys; k->name != NULL; k++) {
		lo = MIN(lo, k->off);
		hi = MAX(hi, k->off + k->size);
		if (k->off2 != 0) {	/* an int or a uint16_t there */
			lo = MIN(lo, k->off2);
			hi = MAX(hi, k->off2 + sizeof(int));
		}
	}
	if (lo < hi)
		memset((char *)scratch + lo, 0, hi - lo);
}

/* Fills a section's object from its keys, in table order. */
static void
conf_section_apply(struct conf_load *cl, struct conf_section *cs)
{
	const struct section_kind	*sk = cs->kind;
	const struct conf_key		*k, *vk = NULL;
	const struct conf_entry		*e;
	int				 i, j, v;

	/* A duplicate key is an error, and the first one counts; a key
	 * that repeats (a schedule's windows) takes every line. */
	for (i = 0; i < cs->nentries; i++) {
		k = conf_key(sk, cs->entries[i].key);
		for (j = 0; j < i; j++) {
			if (k != NULL && k->repeat) {
				j = i;
				break;
			}
			if (strcmp(cs->entries[i].key, cs->entries[j].key) == 0)
				break;
		}
		if (j < i) {
			conf_error(cl, cs->entries[i].line, "%s: duplicate "
			    "key (first at line %d)", cs->entries[i].key,
			    cs->entries[j].line);
			cs->entries[i].key[0] = '\0';
		} else if (*cs->entries[i].key != '\0' &&
		    conf_key(sk, cs->entries[i].key) == NULL)
			conf_error(cl, cs->entries[i].line, "unknown key '%s' "
			    "in [%s]", cs->entries[i].key, sk->name);
	}

	/* Refused sections share scratch, and every header is read before
	 * any section is applied: zeroed here, or a refused [schedule]
	 * finds its window count in a refused [lane]'s name (fuzz-config).
	 * Only what the section can write: zeroing a whole gate_conf
	 * (184 KiB) for each of a hundred refused sections was most of
	 * fuzz-config's time. */
	if (cs->target == cl->scratch)
		scratch_clear(cl->scratch, sk);
	conf_init(cs, cs->target);
	if (sk->id == S_OUTPUT)
		cs->variant = V_OUT;
	else if (sk->id == S_INPUT)
		cs->variant = V_IN;
	else if (sk->id == S_READER)
		cs->variant = conf_entry(cs, "wiegand-d0") != NULL ||
		    conf_entry(cs, "wiegand-d1") != NULL ? V_WIEG : V_USB;
	else if (sk->variant_key != NULL) {
		/* The variant key goes first: the others depend on it. */
		vk = conf_key(sk, sk->variant_key);
		conf_apply(cl, cs, vk);
		e = conf_entry(cs, vk->name);
		if (e != NULL &&
		    conf_choice_index(vk->choices, e->value) != -1) {
			v = (int)conf_get_int((char *)cs->target + vk->off,
			    vk->size);
			cs->variant = v == 0 ? V_1 : V_2;
		}
	}
	for (k = sk->keys; k->name != NULL; k++) {
		if (k != vk)
			conf_apply(cl, cs, k);
	}
}

/* Whether a section's name is right for its kind; one error if not. */
static bool
header_name(struct conf_load *cl, const struct conf_section *cs)
{
	const struct section_kind	*sk = cs->kind;
	const char			*name = cs->name;
	int				 i;
	bool				 ok = true;

	if (sk->id == S_GATE || sk->id == S_REMOTE || sk->id == S_MQTT) {
		if (*name != '\0')
			conf_error(cl, cs->line, "[%s] takes no name",
			    sk->name);
	} else if (*name == '\0') {
		conf_error(cl, cs->line, "[%s] needs a name", sk->name);
		ok = false;
	} else if (sk->id == S_LEVEL) {
		if (strlen(name) != 1 || !isdigit((unsigned char)*name)) {
			conf_error(cl, cs->line, "[level %s]: a level is a "
			    "number from 0 to 9", name);
			ok = false;
		}
	} else if (!conf_valid_name(name)) {
		conf_error(cl, cs->line, "[%s %s]: not a name (1-31 letters, "
		    "digits, '.', '_' or '-')", sk->name, name);
		ok = false;
	} else if (sk->id == S_MODE) {
		for (i = 0; i < policy_builtin_mode_count; i++) {
			if (strcmp(policy_builtin_modes[i].name, name) != 0)
				continue;
			conf_error(cl, cs->line, "[mode %s]: a built-in mode "
			    "cannot be redefined", name);
			ok = false;
		}
	}
	return ok;
}

/* Whether no section before has the name (outputs and inputs share). */
static bool
header_unique(struct conf_load *cl, const struct conf_section *cs)
{
	const struct section_kind	*sk = cs->kind;
	const struct conf_section	*o;
	const char			*name = cs->name;

	for (o = cl->secs; o < cs; o++) {
		if (o->kind == NULL || !o->counted ||
		    strcmp(o->name, name) != 0)
			continue;
		if (o->kind->id == sk->id) {
			conf_error(cl, cs->line, "duplicate section [%s%s%s] "
			    "(first at line %d)", sk->name, *name != '\0' ?
			    " " : "", name, o->line);
			return false;
		}
		if ((sk->id == S_INPUT && o->kind->id == S_OUTPUT) ||
		    (sk->id == S_OUTPUT && o->kind->id == S_INPUT)) {
			conf_error(cl, cs->line, "[%s %s]: the name is taken "
			    "by [%s %s] at line %d", sk->name, name,
			    o->kind->name, o->name, o->line);
			return false;
		}
	}
	return true;
}

/* Checks a section header and finds its object; one error if it is bad. */
static void
conf_section_header(struct conf_load *cl, struct conf_section *cs)
{
	const struct section_kind	*sk = cs->kind;
	int				 max;
	bool				 ok;

	ok = header_name(cl, cs) && header_unique(cl, cs);
	if (ok && (cs->target = conf_target(cl, sk)) == NULL) {
		if (sk->id == S_OUTPUT || sk->id == S_INPUT)
			max = LINES_MAX;
		else if (sk->id == S_MODE)
			max = MODES_MAX - policy_builtin_mode_count;
		else
			max = sk->max;
		conf_error(cl, cs->line, "too many [%s] sections (at most %d)",
		    max == LINES_MAX ? "output] and [input" : sk->name, max);
		ok = false;
	}
	if (ok)
		cs->counted = true;
	else {
		/* Still read, into scratch, so its errors are found too;
		 * zeroed when it is applied (conf_section_apply).  Big
		 * enough for any section, and made only when one is refused. */
		if (cl->scratch == NULL)
			cl->scratch = xcalloc(1, sizeof *cl->gc);
		cs->target = cl->scratch;
	}
}

/* Levels are kept by number, so a print loads back in the same order. */
static int
level_cmp(const void *a, const void *b)
{
	const struct level	*la = a, *lb = b;

	return la->number < lb->number ? -1 : la->number > lb->number;
}

/* Opens the file and starts the gate_conf; -1 with the error recorded. */
static int
conf_start(struct conf_load *cl, const char *path, FILE **f)
{
	struct gate_conf	*gc;
	char			*slash, real[PATH_MAX];
	int			 i;

	if ((*f = fopen(path, "r")) == NULL) {
		conf_error(cl, 0, "%s", strerror(errno));
		return -1;
	}
	if (realpath(path, real) == NULL) {
		conf_error(cl, 0, "%s", strerror(errno));
		fclose(*f);
		return -1;
	}
	gc = cl->gc = xcalloc(1, sizeof *gc);
	conf_copy(gc->path, sizeof gc->path, real);
	conf_copy(cl->dir, sizeof cl->dir, real);
	if ((slash = strrchr(cl->dir, '/')) != NULL)
		*(slash == cl->dir ? slash + 1 : slash) = '\0';

	/* The built-in modes come first; custom ones follow. */
	for (i = 0; i < policy_builtin_mode_count; i++)
		gc->modes[i] = policy_builtin_modes[i];
	gc->mode_count = policy_builtin_mode_count;
	return 0;
}

/* Frees what a load kept, but not the gate_conf. */
static void
conf_end(struct conf_load *cl)
{
	struct conf_section	*cs;
	int			 i;

	for (i = 0; i < cl->nerrs; i++)
		free(cl->errs[i].text);
	free(cl->errs);
	for (i = 0; i < cl->nsecs; i++) {
		cs = &cl->secs[i];
		while (cs->nentries-- > 0) {
			free(cs->entries[cs->nentries].key);
			free(cs->entries[cs->nentries].value);
		}
		free(cs->entries);
	}
	free(cl->secs);
	free(cl->scratch);
}

/*
 * Loads and checks a config file.  Returns a gate_conf the caller frees
 * with config_free(), or NULL with *errors a malloc'd list of every error,
 * one "file:line: what is wrong" per line.
 */
struct gate_conf *
config_load(const char *path, char **errors)
{
	struct conf_load	 cl;
	struct gate_conf	*gc;
	FILE			*f;
	int			 i;

	memset(&cl, 0, sizeof cl);
	cl.file = path;
	*errors = NULL;

	if (conf_start(&cl, path, &f) == 0) {
		conf_read(&cl, f);
		fclose(f);
		/* Headers first: a section's place depends on those before. */
		for (i = 0; i < cl.nsecs; i++) {
			if (cl.secs[i].kind != NULL)
				conf_section_header(&cl, &cl.secs[i]);
		}
		for (i = 0; i < cl.nsecs; i++) {
			if (cl.secs[i].kind != NULL)
				conf_section_apply(&cl, &cl.secs[i]);
		}
		conf_check(&cl);
		qsort(cl.gc->levels, cl.gc->level_count,
		    sizeof cl.gc->levels[0], level_cmp);
	}

	gc = cl.gc;
	if (cl.nerrs != 0) {
		*errors = conf_errors(&cl);
		free(gc);
		gc = NULL;
	}
	conf_end(&cl);
	return gc;
}

void
config_free(struct gate_conf *gc)
{
	free(gc);
}
