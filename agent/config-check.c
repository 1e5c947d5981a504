/*
 * config-check.c: the checks that need more than one key, run once every
 * section is filled: names that refer to other sections, a reader's
 * format and lines, GPIO lines named once, the gate's own cross-checks
 * (temperatures, level, socket) and tokens with one hash each.  A key
 * whose value was refused already is not checked again.
 */
#include <sys/types.h>
#include <sys/un.h>

#include <string.h>

#include "config-int.h"

/* An [output] or [input] a key names: there, and of the right direction. */
static void
check_line_ref(struct conf_load *cl, const struct conf_key *k,
    const char *name, int line)
{
	const struct gate_conf	*gc = cl->gc;
	const char		*want, *other;
	int			 i;

	want = k->ref == REF_OUTPUT ? "output" : "input";
	other = k->ref == REF_OUTPUT ? "input" : "output";
	if ((i = config_find_line(gc, name)) == -1) {
		conf_error(cl, line, "%s: no [%s %s]", k->name, want, name);
	} else if (gc->lines[i].dir != (k->ref == REF_OUTPUT ?
	    LINE_OUTPUT : LINE_INPUT)) {
		conf_error(cl, line, "%s: '%s' is an %s, not an %s", k->name,
		    name, other, want);
	}
}

/* A lane's thermometer: there, and measuring this lane. */
static void
check_therm_ref(struct conf_load *cl, const struct conf_key *k,
    const struct conf_section *cs, const char *name, int line)
{
	const struct gate_conf	*gc = cl->gc;
	int			 i;

	for (i = 0; i < gc->therm_count; i++) {
		if (strcmp(gc->therms[i].name, name) == 0)
			break;
	}
	if (i == gc->therm_count)
		conf_error(cl, line, "%s: no [thermometer %s]", k->name, name);
	else if (strcmp(gc->therms[i].lane,
	    ((const struct lane_conf *)cs->target)->name) != 0)
		conf_error(cl, line, "%s: '%s' measures lane '%s'", k->name,
		    name, gc->therms[i].lane);
}

/* A USB device: there, and a card reader for a reader, a thermometer
 * for a thermometer. */
static void
check_device_ref(struct conf_load *cl, const struct conf_key *k,
    const struct conf_section *cs, const char *name, int line)
{
	const struct gate_conf	*gc = cl->gc;
	int			 i;

	for (i = 0; i < gc->device_count; i++) {
		if (strcmp(gc->devices[i].name, name) == 0)
			break;
	}
	if (i == gc->device_count) {
		conf_error(cl, line, "%s: no [device %s]", k->name, name);
	} else if (cs->kind->id == S_READER &&
	    strcmp(gc->devices[i].driver, "temper") == 0) {
		conf_error(cl, line, "%s: '%s' is a thermometer, not a card "
		    "reader", k->name, name);
	} else if (cs->kind->id == S_THERM &&
	    strcmp(gc->devices[i].driver, "keyboard-wedge") == 0) {
		conf_error(cl, line, "%s: '%s' is a card reader, not a "
		    "thermometer", k->name, name);
	}
}

/* Whether the section a key names is there and of the right kind. */
static void
check_ref(struct conf_load *cl, const struct conf_key *k,
    const struct conf_section *cs)
{
	const struct gate_conf	*gc = cl->gc;
	const struct conf_entry	*e;
	const char		*name = (const char *)cs->target + k->off;
	int			 line;

	if (*name == '\0')
		return;
	e = conf_entry(cs, k->name);
	line = e != NULL ? e->line : cs->line;
	switch (k->ref) {
	case REF_NONE:
		return;
	case REF_OUTPUT:
	case REF_INPUT:
		check_line_ref(cl, k, name, line);
		return;
	case REF_LANE:
		if (config_find_lane(gc, name) == -1)
			conf_error(cl, line, "%s: no [lane %s]", k->name, name);
		return;
	case REF_THERM:
		check_therm_ref(cl, k, cs, name, line);
		return;
	case REF_DEVICE:
		check_device_ref(cl, k, cs, name, line);
		return;
	case REF_MODE:
		if (config_find_mode(gc, name) == NULL)
			conf_error(cl, line, "%s: no mode '%s'", k->name, name);
		return;
	case REF_SCHEDULE:
		/* A dangling schedule must never read as "always". */
		if (config_find_schedule(gc, name) == NULL)
			conf_error(cl, line, "%s: no [schedule %s]", k->name,
			    name);
		return;
	}
}

/* A level's mode by time needs both halves: a schedule and the mode for
 * outside it. */
static void
check_level(struct conf_load *cl, const struct conf_section *cs)
{
	const struct level	*lv = cs->target;

	if (lv->schedule[0] != '\0' && lv->mode_outside[0] == '\0')
		conf_error(cl, cs->line, "[level %s]: schedule %s needs "
		    "mode-outside, the mode outside it", cs->name,
		    lv->schedule);
	if (lv->schedule[0] == '\0' && lv->mode_outside[0] != '\0')
		conf_error(cl, cs->line, "[level %s]: mode-outside needs a "
		    "schedule", cs->name);
}

/* Reads a schedule's holidays file into it; its errors name the file. */
static void
check_schedule(struct conf_load *cl, const struct conf_section *cs)
{
	struct schedule_conf	*sc = cs->target;
	const struct conf_entry	*e;
	char			 why[PATH_MAX + 160];

	if (sc->holidays[0] == '\0')
		return;
	e = conf_entry(cs, "holidays");
	if (sched_holidays_load(&sc->sched, sc->holidays, why,
	    sizeof why) == -1)
		conf_error(cl, e != NULL ? e->line : cs->line, "holidays: %s",
		    why);
}

/* A reader's format is of its kind, and D0 and D1 are two lines. */
static void
check_reader(struct conf_load *cl, const struct conf_section *cs)
{
	const struct reader_conf	*rc = cs->target;
	const struct conf_entry		*e;
	const char *const		*formats;
	bool				 wiegand = cs->variant == V_WIEG;

	formats = conf_key(cs->kind, "format")->choices;
	if ((e = conf_entry(cs, "format")) != NULL && !e->bad &&
	    FMT_WIEGAND(rc->format) != wiegand) {
		conf_error(cl, e->line, "format: '%s' is for %s readers, "
		    "use %s", formats[rc->format], wiegand ? "USB" :
		    "Wiegand", wiegand ? "26, 34, 37, auto or raw" :
		    "dec or hex");
	}
	if (wiegand && rc->wiegand_d0[0] != '\0' &&
	    strcmp(rc->wiegand_d0, rc->wiegand_d1) == 0) {
		e = conf_entry(cs, "wiegand-d1");
		conf_error(cl, e->line, "wiegand-d1: the same line as "
		    "wiegand-d0");
	}
}

/* A line is named one way, and used by one section. */
static void
check_line(struct conf_load *cl, const struct conf_section *cs)
{
	const struct line_conf		*lc = cs->target, *lo;
	const struct conf_section	*o;
	const struct conf_entry		*e;
	int				 has_line, has_chip;

	has_line = lc->line[0] != '\0';
	has_chip = lc->chip[0] != '\0' || lc->offset != -1;
	if (has_line == (lc->chip[0] != '\0' && lc->offset != -1) ||
	    (has_line && has_chip)) {
		conf_error(cl, cs->line, "[%s %s]: give either line, or chip "
		    "and offset", cs->kind->name, cs->name);
		return;
	}
	for (o = cl->secs; o < cs; o++) {
		if (o->kind == NULL || !o->counted ||
		    (o->kind->id != S_OUTPUT && o->kind->id != S_INPUT))
			continue;
		lo = o->target;
		if (has_line ? strcmp(lc->line, lo->line) == 0 :
		    (strcmp(lc->chip, lo->chip) == 0 &&
		    lc->offset == lo->offset)) {
			e = conf_entry(cs, has_line ? "line" : "chip");
			conf_error(cl, e->line, "[%s %s]: the line is already "
			    "used by [%s %s]", cs->kind->name, cs->name,
			    o->kind->name, o->name);
			return;
		}
	}
}

/* The [gate] keys that go together: temperatures, the level. */
static void
check_gate(struct conf_load *cl, const struct conf_section *gate)
{
	const struct gate_conf	*gc = cl->gc;
	const struct conf_entry	*e, *e2;
	char			 tmin[32], tmax[32];

	e = conf_entry(gate, "temperature-min");
	e2 = conf_entry(gate, "temperature-max");
	if ((e == NULL || !e->bad) && (e2 == NULL || !e2->bad) &&
	    gc->temp_min_centi >= gc->temp_max_centi) {
		conf_format(T_TEMP, gc->temp_min_centi, tmin, sizeof tmin);
		conf_format(T_TEMP, gc->temp_max_centi, tmax, sizeof tmax);
		conf_error(cl, e != NULL ? e->line : gate->line,
		    "temperature-min: %s is not below temperature-max %s",
		    tmin, tmax);
	}
	e = conf_entry(gate, "level");
	if ((e == NULL || !e->bad) &&
	    config_find_level(gc, gc->initial_level) == NULL) {
		conf_error(cl, e != NULL ? e->line : gate->line,
		    "level: no [level %d]", gc->initial_level);
	}
}

/* One token, one hash: otherwise who acted could not be told. */
static void
check_tokens(struct conf_load *cl)
{
	const struct conf_section	*cs, *o;
	const struct conf_entry		*e, *e2;

	for (cs = cl->secs; cs < cl->secs + cl->nsecs; cs++) {
		if (cs->kind == NULL || !cs->counted || cs->kind->id != S_TOKEN ||
		    (e = conf_entry(cs, "hash")) == NULL || e->bad)
			continue;
		for (o = cl->secs; o < cs; o++) {
			if (o->kind == NULL || !o->counted ||
			    o->kind->id != S_TOKEN ||
			    (e2 = conf_entry(o, "hash")) == NULL || e2->bad ||
			    memcmp(((struct token_conf *)cs->target)->hash,
			    ((struct token_conf *)o->target)->hash, 32) != 0)
				continue;
			conf_error(cl, e->line, "hash: the same as [token %s] "
			    "at line %d", o->name, e2->line);
			break;
		}
	}
}

/* The control socket's path fits a sockaddr_un. */
static void
check_socket(struct conf_load *cl, const struct conf_section *gate)
{
	const struct conf_entry	*e;
	struct sockaddr_un	 sun;

	e = conf_entry(gate, "socket");
	if (strlen(cl->gc->socket_path) >= sizeof(sun.sun_path)) {
		conf_error(cl, e != NULL ? e->line : gate->line,
		    "socket: path too long for a socket (at most %zu bytes)",
		    sizeof(sun.sun_path) - 1);
	}
}

/* A client certificate goes with its key, and over TLS only. */
static void
check_mqtt(struct conf_load *cl, const struct conf_section *cs)
{
	const struct mqtt_conf	*m = &cl->gc->mqtt;

	if ((m->certificate[0] == '\0') != (m->key[0] == '\0'))
		conf_error(cl, cs->line, "[mqtt]: certificate and key go "
		    "together");
	else if (m->certificate[0] != '\0' && m->ca[0] == '\0')
		conf_error(cl, cs->line, "[mqtt]: a client certificate needs "
		    "TLS (ca)");
}

/* The checks that need more than one key: cross-references and all. */
void
conf_check(struct conf_load *cl)
{
	const struct conf_section	*cs, *gate = NULL;
	const struct conf_key		*k;
	int				 i;

	/* By index: an empty file has no sections and secs is NULL, and
	 * NULL + 0 is undefined (UBSan under clang, fuzz-config). */
	for (i = 0; i < cl->nsecs; i++) {
		cs = &cl->secs[i];
		if (cs->kind == NULL || !cs->counted)
			continue;
		if (cs->kind->id == S_GATE)
			gate = cs;
		for (k = cs->kind->keys; k->name != NULL; k++)
			check_ref(cl, k, cs);
		if (cs->kind->id == S_READER)
			check_reader(cl, cs);
		if (cs->kind->id == S_OUTPUT || cs->kind->id == S_INPUT)
			check_line(cl, cs);
		if (cs->kind->id == S_LEVEL)
			check_level(cl, cs);
		if (cs->kind->id == S_SCHEDULE)
			check_schedule(cl, cs);
		if (cs->kind->id == S_MQTT)
			check_mqtt(cl, cs);
	}
	if (cl->gc->lane_count == 0)
		conf_error(cl, 0, "no [lane] section (a gate needs one)");
	if (gate == NULL) {
		conf_error(cl, 0, "no [gate] section");
		return;
	}
	check_gate(cl, gate);
	check_tokens(cl);
	check_socket(cl, gate);
}
