/*
 * test-gate.c: a real gate with its lanes on the simulator backend,
 * in-process: cards, inputs and commands go in, the sim's outputs are read
 * back, through the policy, the journal and the lane tables together.  The
 * same behaviours the VM proves on gpio-sim, here debuggable with gdb on
 * the host.  Timers are short and only ever waited past, never measured.
 * The lane alone, every (state, event) pair on a fake clock: test-lane.c.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "agent.h"
#include "unit.h"

static const char conf_text[] =
    "[gate]\nid = t\nzones = teaching family sports\ninside = teaching\n"
    "people = %s\nstate-dir = %s\nsocket = %s/s.sock\n"
    "emergency = fire\n"
    "[level 0]\nmode = open\n"
    "[lane ped]\nkind = pedestrian\nopen-time = 300ms\nheld-open = 1s\n"
    "relay = door\ndoor-contact = contact\nexit-button = exit\n"
    "[lane car]\nkind = vehicle\nopen-time = 100ms\nclose-timeout = 1s\n"
    "barrier-raise = up\nbarrier-lower = down\nloop = loop\n"
    "[reader ped-in]\nlane = ped\ndirection = in\n"
    "[reader car-in]\nlane = car\ndirection = in\n"
    "[output door]\nline = DOOR\n[output up]\nline = UP\n"
    "[output down]\nline = DOWN\n"
    "[input contact]\nline = CONTACT\n[input exit]\nline = EXIT\n"
    "[input loop]\nline = LOOP\n[input fire]\nline = FIRE\n";

static struct event_base	*base;
static struct gate		*g;

static void
stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Runs the loop for ms: lets the lane's timers fire. */
static void
run_for(int ms)
{
	struct event	*t = evtimer_new(base, stop, base);
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(t, &tv);
	event_base_dispatch(base);
	event_free(t);
}

static int
out(const char *name)
{
	return hw_sim_gpio_ops.get(gate_sim_gpio(g),
	    config_find_line(gate_conf(g), name));
}

static void
in(const char *name, int v)
{
	sim_gpio_input(gate_sim_gpio(g), config_find_line(gate_conf(g), name),
	    v);
}

static void
card(const char *reader, uint64_t uid)
{
	sim_usb_card(gate_sim_usb(g), gate_find_reader(g, reader), uid);
}

static int
alerts(const char *kind)
{
	json_t	*st = gate_status(g), *a;
	size_t	 i;
	int	 n = 0;

	json_array_foreach(json_object_get(st, "alerts"), i, a)
		if (strcmp(json_string_value(json_object_get(a, "kind")),
		    kind) == 0)
			n++;
	json_decref(st);
	return n;
}

int
main(void)
{
	char			 dir[] = "/tmp/test-gate.XXXXXX", path[256];
	char			 people[PATH_MAX], *errors = NULL, *cause = NULL;
	struct gate_conf	*conf;
	FILE			*f;

	log_init(0, "test-gate");
	if (mkdtemp(dir) == NULL)
		return 1;
	/* tests/run runs unit tests from the top of the tree. */
	if (realpath("tests/integration/people.csv", people) == NULL) {
		check(0, "tests/integration/people.csv: run from the top");
		return check_done();
	}
	snprintf(path, sizeof path, "%s/gate.conf", dir);
	f = fopen(path, "w");
	fprintf(f, conf_text, people, dir, dir);
	fclose(f);
	conf = config_load(path, &errors);
	check(conf != NULL, "config loads%s%s", errors ? ": " : "",
	    errors ? errors : "");
	if (conf == NULL)
		return check_done();
	evthread_use_pthreads();
	base = event_base_new();
	g = gate_new(base, conf, &cause);
	check(g != NULL, "gate starts on the simulator%s", cause ? cause : "");
	if (g == NULL)
		return check_done();

	check(out("door") == 0 && out("up") == 0 && out("down") == 0,
	    "outputs start at their safe values");

	/* Pedestrian: one grant, one passage. */
	card("ped-in", 1001);
	check(out("door") == 1, "a grant releases the door");
	in("contact", 1);
	in("contact", 0);
	check(out("door") == 0, "door opened and closed: locked at once");
	check(alerts("door-forced") == 0, "no forced alarm for a grant");
	card("ped-in", 1001);
	run_for(400);
	check(out("door") == 0, "nobody opens: locked after open-time");
	card("ped-in", 999);
	check(out("door") == 0, "an unknown card does not release");

	/* Door alarms. */
	in("contact", 1);
	check(alerts("door-forced") == 1, "door opened without grant: forced");
	run_for(1100);
	check(alerts("door-held-open") == 1, "door left open: held-open");
	in("contact", 0);
	gate_ack_all(g, "test");
	check(alerts("door-forced") == 0, "ack clears the alerts");

	/* Exit button by mode. */
	in("exit", 1);
	in("exit", 0);
	check(out("door") == 1, "exit button releases in mode open");
	run_for(400);
	gate_set_mode(g, "closed", "test", "unit", NULL, NULL);
	in("exit", 1);
	in("exit", 0);
	check(out("door") == 0, "exit button refused when closed");
	gate_set_mode(g, "open", "test", "unit", NULL, NULL);

	/* Vehicle: the interlock. */
	in("loop", 1);
	card("car-in", 1001);
	check(out("up") == 1, "grant raises the barrier");
	run_for(150);
	gate_set_mode(g, "closed", "test", "unit", NULL, NULL);
	check(out("up") == 1 && out("down") == 0,
	    "mode closed with the loop occupied: stays up");
	gate_set_level(g, 0, "test", "unit", NULL, NULL);
	run_for(1100);
	check(out("up") == 1 && out("down") == 0,
	    "close-timeout passes with the loop occupied: stays up");
	in("loop", 0);
	check(out("up") == 0 && out("down") == 1,
	    "loop clears after the car: lowers");
	in("loop", 1);
	check(out("up") == 1 && out("down") == 0,
	    "loop occupied while lowering: raised again");
	in("loop", 0);
	check(out("down") == 1, "lowers once clear again");
	run_for(2100);
	check(out("down") == 0, "lower relay let go after the travel time");
	card("car-in", 1001);
	run_for(1100);
	check(out("down") == 1, "nobody comes: lowers after close-timeout");
	run_for(2100);

	/* The fire input above everything. */
	gate_set_mode(g, "closed", "test", "unit", NULL, NULL);
	in("fire", 1);
	check(out("door") == 1 && out("up") == 1,
	    "fire: door released and barrier raised at a closed gate");
	run_for(500);
	check(out("door") == 1 && out("up") == 1, "fire: held past open-time");
	check(alerts("emergency") == 1, "fire: emergency alert");
	in("loop", 1);
	in("fire", 0);
	check(out("door") == 0, "fire over: door locked");
	check(out("up") == 1, "fire over, loop occupied: barrier stays up");
	in("loop", 0);
	run_for(150);
	check(out("down") == 1, "fire over, loop clear: lowers");

	gate_free(g);
	event_base_free(base);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		return 1;
	return check_done();
}
