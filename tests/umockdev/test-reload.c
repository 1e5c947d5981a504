/*
 * test-reload.c: a config reload must not leave the libusb backend holding
 * the old config.  The whole agent runs with the REAL libusb and a
 * keyboard-wedge reader emulated by umockdev (mockusb.c): reload the
 * config, unplug the reader, plug it back, present a card; the lane must
 * open.  The reload frees the config the backend was opened with, so a
 * backend that kept pointers into it reads freed memory on the unplug
 * (ASan stops here) or fails to recognise the replugged reader.
 * Runs under umockdev-wrapper; prints PASS:/FAIL:/SKIP:.
 * usage: test-reload CONFIG  (tests/umockdev/bench-usb.conf, filled in)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <event2/thread.h>
#include <glib.h>
#include <umockdev.h>

#include "agent.h"
#include "mockusb.h"
#include "unit.h"

/* The reader of test-usb.c: a boot keyboard, interrupt IN 0x81, at 1-1. */
#define WEDGE_HEX \
	"12010002000000" "40ffff350000010102" "0001" \
	"0902220001010080" "32" \
	"090400000103010100" \
	"092111010001223f00" \
	"0705810308000a"

static struct event_base *base;

static struct {
	int	ups, downs, granted, denied;
	char	dev[64];
	char	lane[64];
} seen;

static void
on_event(void *arg, const struct journal_event *ev)
{
	(void)arg;
	if (strcmp(ev->kind, "device") == 0) {
		if (strcmp(ev->reason, "up") == 0)
			seen.ups++;
		else
			seen.downs++;
		snprintf(seen.dev, sizeof seen.dev, "%s",
		    ev->actor ? ev->actor : "");
		printf("# device %s %s: %s\n", seen.dev, ev->reason,
		    ev->detail ? ev->detail : "");
	} else if (strcmp(ev->kind, "passage") == 0 && ev->verdict != NULL) {
		if (strcmp(ev->verdict, "granted") == 0)
			seen.granted++;
		else
			seen.denied++;
		snprintf(seen.lane, sizeof seen.lane, "%s",
		    ev->lane ? ev->lane : "");
		printf("# passage %s on %s: %s\n", ev->verdict, seen.lane,
		    ev->reason ? ev->reason : "");
	}
}

static bool	timed_out;

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	timed_out = true;
}

/* Runs the loop until cond holds or ms pass; returns cond. */
static bool
run_until(bool (*cond)(void), int ms)
{
	struct event	*t;
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	timed_out = false;
	t = evtimer_new(base, on_timeout, NULL);
	evtimer_add(t, &tv);
	while (!timed_out && !cond())
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
	return cond();
}

static int	want_ups, want_downs, want_decided;

static bool got_up(void) { return seen.ups >= want_ups; }
static bool got_down(void) { return seen.downs >= want_downs; }
static bool
got_decision(void)
{
	return seen.granted + seen.denied >= want_decided;
}

/* Rewrites a setting the reload may change: the lane's open time. */
static int
edit_config(const char *path)
{
	FILE	*f;
	char	*text, *at;
	long	 len;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if ((text = calloc(1, (size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	if ((at = strstr(text, "open-time = 5s")) == NULL) {
		free(text);
		return -1;
	}
	at[strlen("open-time = ")] = '4';
	if ((f = fopen(path, "w")) == NULL) {
		free(text);
		return -1;
	}
	fputs(text, f);
	free(text);
	return fclose(f);
}

int
main(int argc, char **argv)
{
	UMockdevTestbed		*tb;
	struct mockusb		*wedge;
	struct gate_conf	*conf;
	struct gate		*g;
	char			*errors = NULL, *cause = NULL;
	const char		*preload;
	int			 door, before;
	json_t			*out;
	bool			 ok;

	preload = getenv("LD_PRELOAD");
	if (preload == NULL || strstr(preload, "umockdev-preload") == NULL) {
		printf("SKIP: not under umockdev-wrapper\n");
		return 0;
	}
	if (argc != 2) {
		printf("FAIL: usage: test-reload CONFIG\n");
		return 1;
	}
	log_init(0, "test-reload");
	evthread_use_pthreads();
	base = event_base_new();
	tb = umockdev_testbed_new();
	mockusb_root_hub(tb);
	wedge = mockusb_new(tb, "1-1", 2, WEDGE_HEX);
	mockusb_plug(wedge);

	if ((conf = config_load(argv[1], &errors)) == NULL) {
		printf("FAIL: config: %s\n", errors);
		return 1;
	}
	if ((g = gate_new(base, conf, &cause)) == NULL) {
		printf("FAIL: gate: %s\n", cause);
		return 1;
	}
	gate_listen(g, on_event, NULL);
	door = config_find_line(gate_conf(g), "door");
	check(door != -1 && hw_sim_gpio_ops.get(gate_sim_gpio(g), door) == 0,
	    "start: the door relay rests closed");

	/* The reload frees the config the backend was opened with. */
	check(edit_config(argv[1]) == 0, "config edited (open-time 4s)");
	ok = gate_reload_config(g, "test", &cause) == 0;
	check(ok, "reload: %s", ok ? "applied" : cause);
	check(gate_conf(g)->lanes[0].open_ms == 4000,
	    "reload: the new open time is in force (%d ms)",
	    gate_conf(g)->lanes[0].open_ms);

	/* Unplug: reported down under its own name. */
	want_downs = seen.downs + 1;
	mockusb_unplug(wedge);
	ok = run_until(got_down, 3000);
	check(ok && strcmp(seen.dev, "reader0") == 0,
	    "unplug after the reload: reader0 reported down ('%s')",
	    seen.dev);

	/* Replug: recognised again from the configured vendor and port. */
	want_ups = seen.ups + 1;
	mockusb_plug(wedge);
	ok = run_until(got_up, 3000);
	check(ok && strcmp(seen.dev, "reader0") == 0,
	    "replug after the reload: reader0 back up ('%s')", seen.dev);

	/* A valid card on the replugged reader opens the lane. */
	out = sim_gpio_outputs(gate_sim_gpio(g), 0);
	before = (int)json_integer_value(json_object_get(json_array_get(out,
	    (size_t)door), "changes"));
	json_decref(out);
	want_decided = seen.granted + seen.denied + 1;
	mockusb_type(wedge, 0x81, "1001");
	ok = run_until(got_decision, 3000);
	check(ok && seen.granted == 1 && strcmp(seen.lane, "ped") == 0,
	    "card 1001 on the replugged reader is granted on lane ped");
	out = sim_gpio_outputs(gate_sim_gpio(g), 0);
	check(hw_sim_gpio_ops.get(gate_sim_gpio(g), door) == 1 &&
	    json_integer_value(json_object_get(json_array_get(out,
	    (size_t)door), "changes")) == before + 1,
	    "the door relay opened for it");
	json_decref(out);

	gate_free(g);
	mockusb_free(wedge);
	g_object_unref(tb);
	event_base_free(base);
	return check_done();
}
