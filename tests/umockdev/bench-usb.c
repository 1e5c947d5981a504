/*
 * bench-usb.c: card-to-relay latency through the whole agent with the
 * REAL libusb: a keyboard-wedge reader emulated by umockdev types cards,
 * the libusb backend decodes them in the event loop, the gate decides,
 * journals durably and releases the relay (sim GPIO).  The figure is the
 * gate's own: from the transfer completion that ended the number (the
 * timestamp hw/usb.c passes with the card) to the relay line being set.
 * usage (under umockdev-wrapper): bench-usb CONFIG [CARDS]
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

/* The reader of tests/umockdev/test-usb.c: a boot keyboard, IN 0x81. */
#define WEDGE_HEX \
	"12010002000000" "40ffff350000010102" "0001" \
	"0902220001010080" "32" \
	"090400000103010100" \
	"092111010001223f00" \
	"0705810308000a"

static int	passages;

static void
on_event(void *arg, const struct journal_event *ev)
{
	(void)arg;
	if (strcmp(ev->kind, "passage") == 0)
		passages++;
}

static int
cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	UMockdevTestbed		*tb;
	struct mockusb		*wedge;
	struct event_base	*base;
	struct gate_conf	*conf;
	struct gate		*g;
	uint32_t		 lat[1024];
	char			*errors = NULL, *cause = NULL;
	size_t			 n;
	int			 cards, i, spins;

	if (argc < 2)
		return 2;
	cards = argc > 2 ? atoi(argv[2]) : 200;
	if (cards > 1024)
		cards = 1024;
	log_init(0, "bench-usb");
	evthread_use_pthreads();
	base = event_base_new();
	tb = umockdev_testbed_new();
	mockusb_root_hub(tb);
	wedge = mockusb_new(tb, "1-1", 2, WEDGE_HEX);
	mockusb_plug(wedge);
	if ((conf = config_load(argv[1], &errors)) == NULL) {
		fputs(errors, stderr);
		return 1;
	}
	if ((g = gate_new(base, conf, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	gate_listen(g, on_event, NULL);
	for (i = 0; i < cards; i++) {
		mockusb_type(wedge, 0x81, "1001");
		for (spins = 0; passages <= i && spins < 100000; spins++)
			event_base_loop(base, EVLOOP_ONCE);
		if (passages <= i) {
			fprintf(stderr, "card %d never decided\n", i);
			return 1;
		}
	}
	n = gate_latency_recent(g, lat, sizeof lat / sizeof lat[0]);
	if (n == 0) {
		fprintf(stderr, "no granted card\n");
		return 1;
	}
	qsort(lat, n, sizeof lat[0], cmp);
	printf("card to relay via libusb (umockdev reader, sim GPIO, host): "
	    "p50 %.2f ms, p99 %.2f ms, max %.2f ms over %zu cards (transfer "
	    "completion to relay set; the durable journal commit is on the "
	    "path)\n", lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3,
	    lat[n - 1] / 1e3, n);
	gate_free(g);
	mockusb_free(wedge);
	g_object_unref(tb);
	event_base_free(base);
	return 0;
}
