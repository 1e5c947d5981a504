/*
 * test-gate-campus.c: campus commands at a real gate on the simulator,
 * in-process, the way the broker link calls gate_campus_command: with the
 * topic the message arrived on, and no event, refusal or cause wanted.  A
 * command on its own topic applies; one on another site's or gate's topic,
 * or for another gate, is refused; the seq floors of the campus level, the
 * gate's level and the gate's mode are separate and survive a restart.
 * The API path and the journal rows: tests/integration/campus-cmd.sh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "agent.h"
#include "unit.h"

/* The public key of the seed 1, 2, ... 32 (test-command.c's key a). */
static const char conf_text[] =
    "[gate]\nid = t\nzones = teaching family sports\ninside = teaching\n"
    "people = %s\nstate-dir = %s\nsocket = %s/s.sock\n"
    "[level 0]\nmode = open\n[level 1]\nmode = closed\n"
    "[lane ped]\nkind = pedestrian\nrelay = door\n"
    "[output door]\nline = DOOR\n"
    "[admin-key ops]\npublic-key = "
    "ebVWLo/mVPlAeLES6KmLp5AfhTrmlb7X4OORC60ElmQ=\n";

static uint8_t			 seed[ED25519_KEY_LEN];
static struct event_base	*base;
static struct gate		*g;

/* A command of key ops, signed; its text in a static buffer. */
static const char *
signed_cmd(const char *site, const char *target, enum command_what what,
    const char *value, uint64_t seq)
{
	static char	text[COMMAND_TEXT_MAX];
	struct command	c;

	memset(&c, 0, sizeof c);
	snprintf(c.site, sizeof c.site, "%s", site);
	snprintf(c.target, sizeof c.target, "%s", target);
	c.what = what;
	snprintf(c.value, sizeof c.value, "%s", value);
	c.seq = seq;
	c.issued = time(NULL);
	c.expires = c.issued + 600;
	strcpy(c.actor, "test");
	strcpy(c.reason, "campus test");
	strcpy(c.key, "ops");
	if (command_sign(&c, seed, text, sizeof text) == -1)
		abort();
	return text;
}

/* As the broker link calls it: the topic, nothing else wanted. */
static int
deliver(const char *topic, const char *text)
{
	return gate_campus_command(g, text, strlen(text), topic, NULL, NULL,
	    NULL);
}

static const char *
mode_now(void)
{
	static char	mode[64];
	json_t		*st = gate_status(g);

	snprintf(mode, sizeof mode, "%s",
	    json_string_value(json_object_get(st, "mode")));
	json_decref(st);
	return mode;
}

static struct gate *
start(const char *path)
{
	struct gate_conf	*conf;
	char			*errors = NULL, *cause = NULL;
	struct gate		*ng;

	if ((conf = config_load(path, &errors)) == NULL) {
		check(0, "config loads: %s", errors);
		exit(check_done());
	}
	if ((ng = gate_new(base, conf, &cause)) == NULL) {
		check(0, "gate starts: %s", cause);
		exit(check_done());
	}
	return ng;
}

static void
test_topics(void)
{
	const char	*c;

	c = signed_cmd("main", "campus", COMMAND_LEVEL, "1", 10);
	check(deliver("gated/v1/other/campus/level", c) == 1 &&
	    strcmp(mode_now(), "open") == 0,
	    "another site's topic: refused, mode still open");
	check(deliver("gated/v1/main/t/level", c) == 1,
	    "a campus command on the gate's topic: refused");
	check(deliver("gated/v1/main/campus/level", c) == 0 &&
	    strcmp(mode_now(), "closed") == 0,
	    "on its own topic: level 1 applied, mode closed");
	check(deliver("gated/v1/main/campus/level", c) == 1,
	    "delivered again (retained, a reconnect): a replay");
	c = signed_cmd("main", "north", COMMAND_LEVEL, "0", 11);
	check(deliver("gated/v1/main/north/level", c) == 1 &&
	    strcmp(mode_now(), "closed") == 0, "for another gate: refused");
	c = signed_cmd("main", "t", COMMAND_LEVEL, "0", 5);
	check(deliver("gated/v1/main/t/level", c) == 0 &&
	    strcmp(mode_now(), "open") == 0,
	    "the gate's own level has its own seq floor (5 < 10 applies)");
	c = signed_cmd("main", "t", COMMAND_MODE, "staff-only", 1);
	check(deliver("gated/v1/main/t/mode", c) == 1,
	    "a mode this gate does not have: refused");
	c = signed_cmd("main", "t", COMMAND_MODE, "closed", 2);
	check(deliver("gated/v1/main/t/mode", c) == 0 &&
	    strcmp(mode_now(), "closed") == 0, "a gate's mode applies");
	c = signed_cmd("main", "t", COMMAND_MODE, "open", 3);
	check(deliver("gated/v1/main/t/level", c) == 1,
	    "a mode on the level topic: refused");
}

static void
test_restart(const char *path)
{
	const char	*c;

	gate_free(g);
	g = start(path);
	c = signed_cmd("main", "campus", COMMAND_LEVEL, "1", 10);
	check(deliver("gated/v1/main/campus/level", c) == 1,
	    "after a restart the campus floor holds");
	c = signed_cmd("main", "t", COMMAND_MODE, "open", 2);
	check(deliver("gated/v1/main/t/mode", c) == 1 &&
	    strcmp(mode_now(), "closed") == 0, "so does the mode's");
	c = signed_cmd("main", "campus", COMMAND_LEVEL, "0", 11);
	check(deliver("gated/v1/main/campus/level", c) == 0 &&
	    strcmp(mode_now(), "open") == 0, "a higher seq applies");
}

int
main(void)
{
	char		 dir[] = "/tmp/test-gate-campus.XXXXXX", path[256];
	char		 people[PATH_MAX];
	FILE		*f;
	size_t		 i;

	log_init(0, "test-gate-campus");
	for (i = 0; i < ED25519_KEY_LEN; i++)
		seed[i] = (uint8_t)(i + 1);
	if (mkdtemp(dir) == NULL)
		return 1;
	if (realpath("tests/integration/people.csv", people) == NULL) {
		check(0, "tests/integration/people.csv: run from the top");
		return check_done();
	}
	snprintf(path, sizeof path, "%s/gate.conf", dir);
	f = fopen(path, "w");
	fprintf(f, conf_text, people, dir, dir);
	fclose(f);
	evthread_use_pthreads();
	base = event_base_new();
	g = start(path);
	check(strcmp(mode_now(), "open") == 0, "starts at level 0, open");
	test_topics();
	test_restart(path);
	gate_free(g);
	event_base_free(base);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		check(0, "%s removed", dir);
	return check_done();
}
