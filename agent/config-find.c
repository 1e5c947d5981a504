/*
 * config-find.c: lookups in a loaded configuration, by name or number,
 * for the config checks and for the rest of the agent.
 */
#include <string.h>

#include "agent.h"

const struct mode *
config_find_mode(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->mode_count; i++) {
		if (strcmp(gc->modes[i].name, name) == 0)
			return &gc->modes[i];
	}
	return NULL;
}

const struct schedule *
config_find_schedule(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->schedule_count; i++) {
		if (strcmp(gc->schedules[i].sched.name, name) == 0)
			return &gc->schedules[i].sched;
	}
	return NULL;
}

const struct level *
config_find_level(const struct gate_conf *gc, int number)
{
	int	i;

	for (i = 0; i < gc->level_count; i++) {
		if (gc->levels[i].number == number)
			return &gc->levels[i];
	}
	return NULL;
}

int
config_find_zone(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->zone_count; i++) {
		if (strcmp(gc->zones[i], name) == 0)
			return i;
	}
	return -1;
}

int
config_find_lane(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->lane_count; i++) {
		if (strcmp(gc->lanes[i].name, name) == 0)
			return i;
	}
	return -1;
}

int
config_find_line(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->line_count; i++) {
		if (strcmp(gc->lines[i].name, name) == 0)
			return i;
	}
	return -1;
}
