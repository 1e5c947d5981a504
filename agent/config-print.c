/*
 * config-print.c: prints a loaded configuration normalised, for
 * `gated -nv`: every section and key, defaults included, in canonical
 * order and units, a key that is not set as a comment.  config_load()
 * reads the print back to the same gate_conf (paths are printed resolved).
 */
#include <stdio.h>

#include "config-int.h"

/* A section header and its keys, skipping the other variant's keys. */
static void
print_section(FILE *f, enum section_id id, const char *name,
    const void *base, unsigned variant)
{
	const struct section_kind	*sk = &conf_sections[id];
	const struct conf_key		*k;

	fprintf(f, "\n[%s%s%s]\n", sk->name, name != NULL ? " " : "",
	    name != NULL ? name : "");
	for (k = sk->keys; k->name != NULL; k++) {
		if (k->only == 0 || (k->only & variant) != 0)
			conf_value_print(f, k, base);
	}
}

/* The sections that are not a single place: lanes, readers and so on. */
static void
print_parts(const struct gate_conf *gc, FILE *f)
{
	const struct line_conf	*lc;
	int			 i;

	for (i = 0; i < gc->lane_count; i++) {
		print_section(f, S_LANE, gc->lanes[i].name, &gc->lanes[i],
		    gc->lanes[i].kind == LANE_VEHICLE ? V_VEH : V_PED);
	}
	for (i = 0; i < gc->reader_count; i++) {
		print_section(f, S_READER, gc->readers[i].name,
		    &gc->readers[i], gc->readers[i].wiegand_d0[0] != '\0' ?
		    V_WIEG : V_USB);
	}
	for (i = 0; i < gc->therm_count; i++) {
		print_section(f, S_THERM, gc->therms[i].name, &gc->therms[i],
		    0);
	}
	for (i = 0; i < gc->line_count; i++) {
		lc = &gc->lines[i];
		print_section(f, lc->dir == LINE_OUTPUT ? S_OUTPUT : S_INPUT,
		    lc->name, lc, lc->dir == LINE_OUTPUT ? V_OUT : V_IN);
	}
	for (i = 0; i < gc->device_count; i++) {
		print_section(f, S_DEVICE, gc->devices[i].name,
		    &gc->devices[i], 0);
	}
}

/*
 * Prints the configuration normalised: every section and key, defaults
 * included, in canonical order and units.  config_load() reads it back to
 * the same gate_conf (paths are printed resolved).
 */
void
config_print(const struct gate_conf *gc, FILE *f)
{
	char	buf[16];
	int	i;

	fprintf(f, "# gated configuration of gate %s, normalised\n", gc->id);
	print_section(f, S_GATE, NULL, gc, 0);
	for (i = 0; i < gc->mode_count; i++) {
		if (!gc->modes[i].builtin)
			print_section(f, S_MODE, gc->modes[i].name,
			    &gc->modes[i], 0);
	}
	for (i = 0; i < gc->schedule_count; i++)
		print_section(f, S_SCHEDULE, gc->schedules[i].sched.name,
		    &gc->schedules[i], 0);
	for (i = 0; i < gc->level_count; i++) {
		snprintf(buf, sizeof buf, "%d", gc->levels[i].number);
		print_section(f, S_LEVEL, buf, &gc->levels[i], 0);
	}
	print_parts(gc, f);
	if (gc->remote.enabled)
		print_section(f, S_REMOTE, NULL, gc, 0);
	if (gc->mqtt.enabled)
		print_section(f, S_MQTT, NULL, gc, 0);
	for (i = 0; i < gc->token_count; i++) {
		print_section(f, S_TOKEN, gc->tokens[i].name, &gc->tokens[i],
		    0);
	}
	for (i = 0; i < gc->admin_key_count; i++) {
		print_section(f, S_ADMIN_KEY, gc->admin_keys[i].name,
		    &gc->admin_keys[i], 0);
	}
}
