/*
 * mockusb.h: emulated USB devices for host tests of the libusb backend.
 * Each device is a sysfs entry in a umockdev testbed plus an ioctl handler
 * that plays usbfs for the REAL libusb: it takes URBs, completes control
 * requests at once and IN transfers when the test queues data, and makes
 * the device node (a FIFO) ready exactly when there is something to reap.
 */
#ifndef GATED_MOCKUSB_H
#define GATED_MOCKUSB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <umockdev.h>

struct mockusb;

/* A device at sysfs name (such as "1-2") on bus 1; not plugged yet. */
struct mockusb	*mockusb_new(UMockdevTestbed *, const char *name, int devnum,
		    const char *descriptors_hex);
void		 mockusb_free(struct mockusb *);
/* Adds the sysfs device (an "add" uevent) or removes it ("remove"). */
void		 mockusb_plug(struct mockusb *);
void		 mockusb_unplug(struct mockusb *);
/* Queues one IN packet for an endpoint; len 0 is a zero-length packet. */
void		 mockusb_in(struct mockusb *, uint8_t ep, const void *,
		    size_t);
/*
 * Types a decimal number and Enter on a boot-keyboard IN endpoint the way
 * a keyboard-wedge reader does: press, release, each report followed by
 * a zero-length packet.
 */
void		 mockusb_type(struct mockusb *, uint8_t ep, const char *digits);
/*
 * What a SET_REPORT (a TEMPer query) gets back on endpoint ep: the reply
 * bytes, or silence when len is 0.
 */
void		 mockusb_answer(struct mockusb *, uint8_t ep, const void *,
		    size_t);
/* A device that accepts DISCARDURB but never gives the URB back. */
void		 mockusb_stuck(struct mockusb *, bool);
/* Counts of requests seen: SET_REPORT, SET_PROTOCOL, claims, releases. */
struct mockusb_counts {
	int	set_report, set_protocol, claim, release, connect, discard;
};
void		 mockusb_counts(struct mockusb *, struct mockusb_counts *);
/* Adds the root hub every test device hangs from. */
void		 mockusb_root_hub(UMockdevTestbed *);

#endif
