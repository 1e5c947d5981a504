/*
 * usb-wedge.c: the keyboard-wedge card reader, a USB keyboard that types
 * the card number and Enter.  Its boot-protocol reports come from the
 * interrupt IN endpoint of its HID interface (taken from usbhid, so the
 * number never reaches a console), go through wedge_feed() and, when the
 * number fits the reader's format, become a card.
 */
#include <stdio.h>
#include <string.h>

#include <libusb.h>

#include "clock.h"
#include "decode.h"
#include "usb-driver.h"

#define WEDGE_BUF	64	/* more than a report: the test gadget's ZLPs */
#define WEDGE_ERRORS	5	/* failed reads in a row before giving up */

struct wedge_dev {
	struct wedge		 w;
	struct libusb_transfer	*in;
	struct libusb_transfer	*proto;
	uint8_t			 buf[WEDGE_BUF];
	uint8_t			 setup[LIBUSB_CONTROL_SETUP_SIZE];
	int			 errors;
};

/* A HID interface with an interrupt IN endpoint; a boot keyboard best. */
static int
wedge_score(const struct libusb_interface_descriptor *id)
{
	int	i;

	if (id->bInterfaceClass != LIBUSB_CLASS_HID)
		return 0;
	for (i = 0; i < id->bNumEndpoints; i++) {
		if ((id->endpoint[i].bmAttributes & 0x3) !=
		    LIBUSB_TRANSFER_TYPE_INTERRUPT ||
		    !(id->endpoint[i].bEndpointAddress & LIBUSB_ENDPOINT_IN))
			continue;
		return id->bInterfaceProtocol == 1 ? 2 : 1;
	}
	return 0;
}

/* Turns a finished number into a card, if the reader's format allows. */
static void
wedge_number_done(struct usb_dev *d, const char *s)
{
	const struct hw_usb_binding	*b = usb_binding(d);
	uint64_t			 uid;

	if (wedge_number(s, b->hex, b->min_digits, b->max_digits,
	    &uid) != 0) {
		usb_log(d, "dropped card number %s: not %d-%d %s digits", s,
		    b->min_digits, b->max_digits, b->hex ? "hex" : "decimal");
		return;
	}
	usb_card(d, uid);
}

static void
wedge_read(struct usb_dev *d, struct libusb_transfer *t)
{
	struct wedge_dev	*wd = usb_state(d);
	char			 out[WEDGE_DIGITS_MAX + 1];
	int			 v;

	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		usb_log(d, "read: %s", usb_strstatus(t->status));
		if (++wd->errors >= WEDGE_ERRORS) {
			usb_fail(d, usb_strstatus(t->status));
			return;
		}
	} else {
		wd->errors = 0;
		v = wedge_feed(&wd->w, t->buffer, (size_t)t->actual_length,
		    mono_ms(), out, sizeof out);
		if (v == 1)
			wedge_number_done(d, out);
		else if (v == -1)
			usb_log(d, "dropped an unreadable card number");
	}
	usb_submit(d, t);
}

/* SET_PROTOCOL's answer does not matter: many readers only know boot. */
static void
wedge_protocol_set(struct usb_dev *d, struct libusb_transfer *t)
{
	(void)d;
	(void)t;
}

static int
wedge_start(struct usb_dev *d, const struct libusb_interface_descriptor *id)
{
	struct wedge_dev	*wd = usb_state(d);
	uint8_t			 ep = 0;
	int			 i;

	wedge_init(&wd->w);
	for (i = 0; i < id->bNumEndpoints && ep == 0; i++)
		if ((id->endpoint[i].bmAttributes & 0x3) ==
		    LIBUSB_TRANSFER_TYPE_INTERRUPT &&
		    (id->endpoint[i].bEndpointAddress & LIBUSB_ENDPOINT_IN))
			ep = id->endpoint[i].bEndpointAddress;
	if ((wd->in = usb_transfer(d, wedge_read)) == NULL)
		return -1;

	/*
	 * Boot protocol makes every report the 8-byte layout the decoder
	 * reads, whatever report protocol usbhid left the device in.
	 */
	if (id->bInterfaceSubClass == 1) {
		if ((wd->proto = usb_transfer(d, wedge_protocol_set)) == NULL)
			return -1;
		libusb_fill_control_setup(wd->setup, LIBUSB_REQUEST_TYPE_CLASS |
		    LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT, 0x0b, 0,
		    id->bInterfaceNumber, 0);
		libusb_fill_control_transfer(wd->proto, usb_handle(d),
		    wd->setup, NULL, NULL, 1000);
		if (usb_submit(d, wd->proto) != 0)
			return -1;
	}

	libusb_fill_interrupt_transfer(wd->in, usb_handle(d), ep, wd->buf,
	    sizeof wd->buf, NULL, NULL, 0);
	return usb_submit(d, wd->in);
}

const struct usb_driver usb_wedge_driver = {
	.name = "keyboard-wedge",
	.size = sizeof(struct wedge_dev),
	.score = wedge_score,
	.start = wedge_start,
	.stop = NULL,
};
