/*
 * usb-line.c: thermometers that stream ASCII readings ("T=36.62\r\n") on
 * a bulk IN endpoint of a vendor-specific interface.  line_feed() joins
 * lines that transfers split and drops garbage; the newest reading of each
 * transfer is reported.  An OUT endpoint, if any, is not used.
 */
#include <libusb.h>

#include "decode.h"
#include "usb-driver.h"

#define LINE_BUF	512	/* a whole high-speed bulk packet */
#define LINE_ERRORS	5	/* failed reads in a row before giving up */

struct line_dev {
	struct linebuf		 lb;
	struct libusb_transfer	*in;
	uint8_t			 buf[LINE_BUF];
	unsigned long		 logged;	/* dropped count last logged */
	int			 errors;
};

/* A vendor interface with a bulk IN endpoint; any such interface will do. */
static int
line_score(const struct libusb_interface_descriptor *id)
{
	int	i;

	for (i = 0; i < id->bNumEndpoints; i++)
		if ((id->endpoint[i].bmAttributes & 0x3) ==
		    LIBUSB_TRANSFER_TYPE_BULK &&
		    (id->endpoint[i].bEndpointAddress & LIBUSB_ENDPOINT_IN))
			return id->bInterfaceClass ==
			    LIBUSB_CLASS_VENDOR_SPEC ? 2 : 1;
	return 0;
}

/* Logs dropped lines at 1, 10, 100...: a babbling device cannot flood. */
static void
line_log_dropped(struct usb_dev *d, struct line_dev *ld)
{
	unsigned long	n = ld->lb.dropped, step = 1;

	if (n == ld->logged)
		return;
	while (step * 10 <= n)
		step *= 10;
	if (ld->logged < step)
		usb_log(d, "%lu bad line%s dropped so far", n,
		    n == 1 ? "" : "s");
	ld->logged = n;
}

static void
line_read(struct usb_dev *d, struct libusb_transfer *t)
{
	struct line_dev	*ld = usb_state(d);
	int		 centi;

	if (t->status != LIBUSB_TRANSFER_COMPLETED) {
		usb_log(d, "read: %s", usb_strstatus(t->status));
		if (++ld->errors >= LINE_ERRORS) {
			usb_fail(d, usb_strstatus(t->status));
			return;
		}
	} else {
		ld->errors = 0;
		if (line_feed(&ld->lb, t->buffer, (size_t)t->actual_length,
		    &centi) == 1)
			usb_temperature(d, centi);
		line_log_dropped(d, ld);
	}
	usb_submit(d, t);
}

static int
line_start(struct usb_dev *d, const struct libusb_interface_descriptor *id)
{
	struct line_dev	*ld = usb_state(d);
	uint8_t		 ep = 0;
	int		 i;

	line_init(&ld->lb);
	for (i = 0; i < id->bNumEndpoints && ep == 0; i++)
		if ((id->endpoint[i].bmAttributes & 0x3) ==
		    LIBUSB_TRANSFER_TYPE_BULK &&
		    (id->endpoint[i].bEndpointAddress & LIBUSB_ENDPOINT_IN))
			ep = id->endpoint[i].bEndpointAddress;
	if ((ld->in = usb_transfer(d, line_read)) == NULL)
		return -1;
	libusb_fill_bulk_transfer(ld->in, usb_handle(d), ep, ld->buf,
	    sizeof ld->buf, NULL, NULL, 0);
	return usb_submit(d, ld->in);
}

const struct usb_driver usb_line_driver = {
	.name = "line",
	.size = sizeof(struct line_dev),
	.score = line_score,
	.start = line_start,
	.stop = NULL,
};
