/*
 * usb-temper.c: the TEMPer HID thermometers (TEMPerV1.4, TEMPer1F; USB
 * 413d:2107 and 0c45:7401).  Once a second it sends the read command as a
 * SET_REPORT on interface 1; the reply comes on that interface's interrupt
 * IN endpoint and temper_decode() reads it.  A sensor that has not
 * answered for TEMPER_SILENT_MS, or whose transfers fail, is reported down
 * and up again with its next answer; it stays open all the while.
 */
#include <string.h>

#include <event2/event.h>
#include <libusb.h>

#include "clock.h"
#include "decode.h"
#include "usb-driver.h"

#define TEMPER_POLL_MS		1000	/* one reading a second */
#define TEMPER_SILENT_MS	3000	/* unanswered this long: down */
#define TEMPER_CTRL_MS		1000	/* the command's own timeout */
#define TEMPER_BUF		64

struct temper_dev {
	struct libusb_transfer	*query;
	struct libusb_transfer	*in;
	struct event		*tick;
	uint8_t			 ctrl[LIBUSB_CONTROL_SETUP_SIZE + 8];
	uint8_t			 buf[TEMPER_BUF];
	uint16_t		 iface;
	int64_t			 asked_ms;	/* oldest unanswered query */
	bool			 waiting;
};

/* Interface 1 of a TEMPer is the sensor; interface 0 a keyboard. */
static int
temper_score(const struct libusb_interface_descriptor *id)
{
	int	i;

	if (id->bInterfaceClass != LIBUSB_CLASS_HID)
		return 0;
	for (i = 0; i < id->bNumEndpoints; i++)
		if ((id->endpoint[i].bmAttributes & 0x3) ==
		    LIBUSB_TRANSFER_TYPE_INTERRUPT &&
		    (id->endpoint[i].bEndpointAddress & LIBUSB_ENDPOINT_IN))
			return id->bInterfaceNumber == 1 ? 2 : 1;
	return 0;
}

static void
temper_reply(struct usb_dev *d, struct libusb_transfer *t)
{
	struct temper_dev	*td = usb_state(d);
	int			 centi;

	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		/* Read again at the next tick, not in a tight loop. */
		usb_health(d, false, usb_strstatus(t->status));
		return;
	}
	if (t->actual_length > 0 &&
	    temper_decode(t->buffer, (size_t)t->actual_length, &centi) == 0) {
		td->waiting = false;
		usb_health(d, true, "answering");
		usb_temperature(d, centi);
	} else if (t->actual_length >= 4)
		usb_health(d, false, "no sensor");
	usb_submit(d, t);	/* zero-length packets come in between */
}

static void
temper_sent(struct usb_dev *d, struct libusb_transfer *t)
{
	if (t->status != LIBUSB_TRANSFER_COMPLETED)
		usb_health(d, false, usb_strstatus(t->status));
}

/* Asks for a reading; notes silence; restarts a failed reply read. */
static void
temper_tick(evutil_socket_t fd, short what, void *arg)
{
	struct usb_dev		*d = arg;
	struct temper_dev	*td = usb_state(d);
	int64_t			 now = mono_ms();

	(void)fd;
	(void)what;
	if (td->waiting && now - td->asked_ms >= TEMPER_SILENT_MS)
		usb_health(d, false, "no reply");
	if (!usb_busy(d, td->in) && usb_submit(d, td->in) != 0)
		return;
	if (usb_busy(d, td->query))
		return;
	libusb_fill_control_setup(td->ctrl, LIBUSB_REQUEST_TYPE_CLASS |
	    LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT, 0x09, 0x0200,
	    td->iface, sizeof temper_query);
	memcpy(td->ctrl + LIBUSB_CONTROL_SETUP_SIZE, temper_query,
	    sizeof temper_query);
	libusb_fill_control_transfer(td->query, usb_handle(d), td->ctrl, NULL,
	    NULL, TEMPER_CTRL_MS);
	if (usb_submit(d, td->query) != 0)
		return;
	if (!td->waiting) {
		td->waiting = true;
		td->asked_ms = now;
	}
}

static int
temper_start(struct usb_dev *d, const struct libusb_interface_descriptor *id)
{
	struct temper_dev	*td = usb_state(d);
	struct timeval		 tv = { TEMPER_POLL_MS / 1000,
				    (TEMPER_POLL_MS % 1000) * 1000 };
	uint8_t			 ep = 0;
	int			 i;

	td->iface = id->bInterfaceNumber;
	for (i = 0; i < id->bNumEndpoints && ep == 0; i++)
		if ((id->endpoint[i].bmAttributes & 0x3) ==
		    LIBUSB_TRANSFER_TYPE_INTERRUPT &&
		    (id->endpoint[i].bEndpointAddress & LIBUSB_ENDPOINT_IN))
			ep = id->endpoint[i].bEndpointAddress;
	if ((td->in = usb_transfer(d, temper_reply)) == NULL ||
	    (td->query = usb_transfer(d, temper_sent)) == NULL)
		return -1;
	libusb_fill_interrupt_transfer(td->in, usb_handle(d), ep, td->buf,
	    sizeof td->buf, NULL, NULL, 0);
	td->tick = event_new(usb_base(d), -1, EV_PERSIST, temper_tick, d);
	if (td->tick == NULL || event_add(td->tick, &tv) != 0)
		return -1;
	temper_tick(-1, 0, d);	/* the first reading now, not in a second */
	return 0;
}

static void
temper_stop(struct usb_dev *d)
{
	struct temper_dev	*td = usb_state(d);

	if (td->tick != NULL)
		event_free(td->tick);
	td->tick = NULL;
}

const struct usb_driver usb_temper_driver = {
	.name = "temper",
	.size = sizeof(struct temper_dev),
	.score = temper_score,
	.start = temper_start,
	.stop = temper_stop,
};
