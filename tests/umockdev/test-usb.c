/*
 * test-usb.c: the libusb backend (hw_libusb_ops) against the REAL libusb,
 * with devices emulated below it by umockdev (mockusb.c): a keyboard-wedge
 * reader typing cards, a TEMPer answering queries, an ASCII line
 * thermometer plugged in later; unplug and replug; an idle loop that must
 * not wake up.  Runs under umockdev-wrapper; prints PASS:/FAIL:/SKIP:.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <glib.h>
#include <umockdev.h>

#include "hw.h"
#include "mockusb.h"
#include "unit.h"

/* A cheap 125 kHz reader: a boot keyboard, interrupt IN 0x81. */
#define WEDGE_HEX \
	"12010002000000" "40ffff350000010102" "0001" \
	"0902220001010080" "32" \
	"090400000103010100" \
	"092111010001223f00" \
	"0705810308000a"
/* TEMPerV1.4: keyboard on interface 0, the sensor on interface 1. */
#define TEMPER_HEX \
	"1201000200000008" "3d41072100000102" "0001" \
	"09023b0002010080" "32" \
	"090400000103010100" "092101010001224100" "0705810308000a" \
	"090401000103000000" "092101010001222900" "0705820308000a"
/* A vendor-specific streaming thermometer, bulk IN 0x81 and OUT 0x01. */
#define LINE_HEX \
	"1201000200000040" "0912010000010102" "0001" \
	"0902200001010080" "32" \
	"09040000" "02ff000000" \
	"07058102400000" "07050102400000"

static struct event_base *base;

static struct {
	int		 cards, temps[2];
	uint64_t	 uid;
	int		 reader, centi[2];
	int		 ups, downs;
	char		 dev[HW_NAME_LEN];
	bool		 up;
	char		 why[128];
} seen;

static void
on_card(void *arg, int reader, uint64_t uid, const struct timespec *ts)
{
	(void)arg;
	(void)ts;
	seen.cards++;
	seen.reader = reader;
	seen.uid = uid;
	printf("# card %d: %llu\n", reader, (unsigned long long)uid);
}

static void
on_temp(void *arg, int therm, int centi, const struct timespec *ts)
{
	(void)arg;
	(void)ts;
	if (therm < 0 || therm > 1)
		return;
	seen.temps[therm]++;
	seen.centi[therm] = centi;
	printf("# temperature %d: %d\n", therm, centi);
}

static void
on_device(void *arg, const char *name, bool up, const char *why)
{
	(void)arg;
	if (up)
		seen.ups++;
	else
		seen.downs++;
	snprintf(seen.dev, sizeof seen.dev, "%s", name);
	seen.up = up;
	snprintf(seen.why, sizeof seen.why, "%s", why);
	printf("# device %s %s: %s\n", name, up ? "up" : "down", why);
}

static const struct hw_events events = {
	.card = on_card, .temperature = on_temp, .device = on_device,
};

static bool	timed_out;

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	timed_out = true;
}

/*
 * Runs the loop until cond holds or ms pass; returns cond.  The loop
 * blocks in between: only real events wake it.  Returns the number of
 * loop iterations in *wakeups when asked.
 */
static bool
run_until(bool (*cond)(void), int ms, int *wakeups)
{
	struct event	*t;
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };
	int		 n = 0;

	timed_out = false;
	t = evtimer_new(base, on_timeout, NULL);
	evtimer_add(t, &tv);
	while (!timed_out && (cond == NULL || !cond())) {
		event_base_loop(base, EVLOOP_ONCE);
		n++;
	}
	event_free(t);
	if (wakeups != NULL)
		*wakeups = n;
	return cond != NULL && cond();
}

static int	want_cards, want_temps0, want_temps1, want_ups, want_downs;

static bool got_card(void) { return seen.cards >= want_cards; }
static bool got_temp0(void) { return seen.temps[0] >= want_temps0; }
static bool got_temp1(void) { return seen.temps[1] >= want_temps1; }
static bool got_up(void) { return seen.ups >= want_ups; }
static bool got_down(void) { return seen.downs >= want_downs; }

static void
temper_reply(struct mockusb *m, int centi)
{
	uint8_t	r[8] = { 0x80, 0x02, 0, 0, 0x4e, 0x20, 0, 0 };

	r[2] = (uint8_t)((centi >> 8) & 0xff);
	r[3] = (uint8_t)(centi & 0xff);
	mockusb_answer(m, 0x82, r, sizeof r);
}

int
main(void)
{
	UMockdevTestbed		*tb;
	struct mockusb		*wedge, *temper, *line;
	struct mockusb_counts	 n;
	struct device_conf	 dev[3];
	struct hw_usb_binding	 bind[3];
	struct hw_usb		*u;
	char			*cause = NULL;
	const char		*preload;
	int			 wakeups;
	bool			 ok;

	preload = getenv("LD_PRELOAD");
	if (preload == NULL || strstr(preload, "umockdev-preload") == NULL) {
		printf("SKIP: not under umockdev-wrapper\n");
		return 0;
	}
	base = event_base_new();
	tb = umockdev_testbed_new();
	mockusb_root_hub(tb);
	wedge = mockusb_new(tb, "1-1", 2, WEDGE_HEX);
	temper = mockusb_new(tb, "1-2", 3, TEMPER_HEX);
	line = mockusb_new(tb, "1-3", 4, LINE_HEX);
	mockusb_plug(wedge);
	mockusb_plug(temper);
	temper_reply(temper, 3662);

	memset(dev, 0, sizeof dev);
	memset(bind, 0, sizeof bind);
	snprintf(dev[0].name, sizeof dev[0].name, "reader0");
	snprintf(dev[0].driver, sizeof dev[0].driver, "keyboard-wedge");
	dev[0].vendor = 0xffff;
	dev[0].product = 0x0035;
	snprintf(dev[0].port, sizeof dev[0].port, "1-1");
	snprintf(dev[1].name, sizeof dev[1].name, "temper0");
	snprintf(dev[1].driver, sizeof dev[1].driver, "temper");
	dev[1].vendor = 0x413d;
	dev[1].product = 0x2107;
	snprintf(dev[2].name, sizeof dev[2].name, "line0");
	snprintf(dev[2].driver, sizeof dev[2].driver, "line");
	dev[2].vendor = 0x1209;
	dev[2].product = 0x0001;
	bind[0] = (struct hw_usb_binding){ &dev[0], HW_READER, 0, false, 8,
	    10 };
	bind[1] = (struct hw_usb_binding){ &dev[1], HW_THERMOMETER, 0, false,
	    0, 0 };
	bind[2] = (struct hw_usb_binding){ &dev[2], HW_THERMOMETER, 1, false,
	    0, 0 };

	/* Start: two devices present, one missing. */
	u = hw_libusb_ops.open(base, bind, 3, &events, &cause);
	check(u != NULL, "open: %s", u != NULL ? "started" : cause);
	if (u == NULL)
		return check_done();
	check(seen.ups == 2, "open: the reader and the TEMPer are up (%d)",
	    seen.ups);
	check(seen.downs == 1 && strcmp(seen.dev, "line0") == 0 &&
	    strcmp(seen.why, "not present") == 0,
	    "open: the missing thermometer is down, not present");
	mockusb_counts(wedge, &n);
	check(n.claim == 1 && n.set_protocol == 1,
	    "wedge: interface claimed, boot protocol asked");

	/* TEMPer: the first query goes out at once. */
	want_temps0 = 1;
	ok = run_until(got_temp0, 2000, NULL);
	check(ok && seen.centi[0] == 3662,
	    "temper: 36.62 C reaches events->temperature (%d)",
	    seen.centi[0]);
	mockusb_counts(temper, &n);
	check(n.set_report >= 1, "temper: SET_REPORT query sent (%d)",
	    n.set_report);
	temper_reply(temper, -525);
	want_temps0 = seen.temps[0] + 2;
	ok = run_until(got_temp0, 3000, NULL);
	check(ok && seen.centi[0] == -525,
	    "temper: -5.25 C, polled again (%d)", seen.centi[0]);

	/* Wedge: a card, with ZLPs after every report. */
	want_cards = 1;
	mockusb_type(wedge, 0x81, "12345678");
	check(run_until(got_card, 2000, NULL) && seen.uid == 12345678 &&
	    seen.reader == 0, "wedge: card 12345678 reaches events->card");
	mockusb_type(wedge, 0x81, "123");
	check(!run_until(NULL, 300, NULL) && seen.cards == 1,
	    "wedge: a 3-digit number is dropped by the reader's format");

	/* A thermometer plugged in while running. */
	want_ups = seen.ups + 1;
	mockusb_plug(line);
	check(run_until(got_up, 3000, NULL) && strcmp(seen.dev, "line0") == 0,
	    "line: plugged in later, reported up");
	want_temps1 = 1;
	mockusb_in(line, 0x81, "T=-1", 4);
	mockusb_in(line, 0x81, ".5\r\nT=37.", 9);
	mockusb_in(line, 0x81, "0", 1);
	ok = run_until(got_temp1, 2000, NULL);
	check(ok && seen.centi[1] == -150,
	    "line: a reading split across transfers (%d)", seen.centi[1]);
	want_temps1 = 2;
	mockusb_in(line, 0x81, "5\r\n", 3);
	ok = run_until(got_temp1, 2000, NULL);
	check(ok && seen.centi[1] == 3705,
	    "line: the next reading completes (%d)", seen.centi[1]);

	/* TEMPer silent: down within the 3 s, up again when it answers. */
	mockusb_answer(temper, 0x82, NULL, 0);
	want_downs = seen.downs + 1;
	ok = run_until(got_down, 5000, NULL);
	check(ok && strcmp(seen.dev, "temper0") == 0 &&
	    strcmp(seen.why, "no reply") == 0,
	    "temper: a silent sensor is reported down (%s)", seen.why);
	temper_reply(temper, 3700);
	want_ups = seen.ups + 1;
	ok = run_until(got_up, 3000, NULL);
	check(ok && strcmp(seen.dev, "temper0") == 0 && seen.centi[0] == 3700,
	    "temper: up again with its next answer (%d)", seen.centi[0]);

	/* Unplug the reader: down; replug: up, and it reads again. */
	want_downs = seen.downs + 1;
	mockusb_unplug(wedge);
	ok = run_until(got_down, 3000, NULL);
	check(ok && strcmp(seen.dev, "reader0") == 0,
	    "wedge: unplugged, reported down (%s)", seen.why);
	want_ups = seen.ups + 1;
	mockusb_plug(wedge);
	check(run_until(got_up, 3000, NULL) &&
	    strcmp(seen.dev, "reader0") == 0,
	    "wedge: plugged back, reported up without a restart");
	mockusb_counts(wedge, &n);
	check(n.claim == 2 && n.release == 1 && n.connect == 1,
	    "wedge: released (kernel driver back) and claimed again "
	    "(%d claims, %d releases, %d reattaches)", n.claim, n.release,
	    n.connect);
	want_cards = seen.cards + 1;
	mockusb_type(wedge, 0x81, "87654321");
	check(run_until(got_card, 2000, NULL) && seen.uid == 87654321,
	    "wedge: reads again after the replug");

	/* A lost cancellation must not keep the reader closed forever. */
	mockusb_stuck(wedge, true);
	want_downs = seen.downs + 1;
	mockusb_unplug(wedge);
	ok = run_until(got_down, 3000, NULL);
	check(ok && strcmp(seen.dev, "reader0") == 0,
	    "stuck: unplugged, reported down (%s)", seen.why);
	mockusb_stuck(wedge, false);
	want_ups = seen.ups + 1;
	mockusb_plug(wedge);
	check(run_until(got_up, 4000, NULL) &&
	    strcmp(seen.dev, "reader0") == 0,
	    "stuck: closed anyway after the drain time, back when replugged");
	want_cards = seen.cards + 1;
	mockusb_type(wedge, 0x81, "11223344");
	check(run_until(got_card, 2000, NULL) && seen.uid == 11223344,
	    "stuck: reads again");

	hw_libusb_ops.close(u);
	mockusb_counts(temper, &n);
	check(n.release == 1, "close: the TEMPer's interface released");

	/* Idle: a reader waiting for a card must not wake the loop. */
	seen.ups = 0;
	u = hw_libusb_ops.open(base, bind, 1, &events, &cause);
	check(u != NULL && seen.ups == 1, "idle: reader alone reopened");
	run_until(NULL, 100, NULL);	/* settle what opening queued */
	run_until(NULL, 1000, &wakeups);
	check(wakeups <= 1, "idle: %d wake-ups in an idle second (the "
	    "timer's own is 1)", wakeups);
	hw_libusb_ops.close(u);

	mockusb_free(wedge);
	mockusb_free(temper);
	mockusb_free(line);
	g_object_unref(tb);
	event_base_free(base);
	return check_done();
}
