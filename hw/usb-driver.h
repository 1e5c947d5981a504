/*
 * usb-driver.h: the libusb backend inside, for hw/ only.  usb.c is the
 * core: one libusb context runs inside the event loop; hot-plug opens,
 * claims and starts a configured device when it appears and releases it
 * when it goes, without a restart.  Its drivers (usb-wedge.c,
 * usb-temper.c, usb-line.c) use the calls below; they take a struct
 * usb_dev the core owns from open to release.  The core does not know the
 * drivers: hw.c, where the backends are put together, hands it their
 * table.  Nothing here blocks; transfers are asynchronous and completions
 * come from the loop.
 */
#ifndef GATED_USB_DRIVER_H
#define GATED_USB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw.h"

struct usb_dev;
struct libusb_device_handle;
struct libusb_interface_descriptor;
struct libusb_transfer;

struct usb_driver {
	const char	*name;		/* as in device_conf.driver */
	size_t		 size;		/* its per-device state, zeroed */
	/* How well it can drive an interface: 0 not at all, more is better. */
	int		 (*score)(const struct libusb_interface_descriptor *);
	/*
	 * Starts I/O on the claimed interface (the descriptor is valid only
	 * during the call): 0, or -1 and the device is released.
	 */
	int		 (*start)(struct usb_dev *,
			    const struct libusb_interface_descriptor *);
	/* Stops its timers before release; the core cancels transfers. */
	void		 (*stop)(struct usb_dev *);
};
extern const struct usb_driver	usb_wedge_driver;	/* usb-wedge.c */
extern const struct usb_driver	usb_temper_driver;	/* usb-temper.c */
extern const struct usb_driver	usb_line_driver;	/* usb-line.c */

/*
 * The core's side of hw_libusb_ops, which hw.c builds: open as the
 * contract of hw_usb_ops says, binding each device to the driver of
 * drivers (count ndrivers, static) its config names; close.
 */
struct hw_usb	*usb_backend_open(struct event_base *,
		    const struct usb_driver *const *drivers, size_t ndrivers,
		    const struct hw_usb_binding *, int count,
		    const struct hw_events *, char **cause);
void		 usb_backend_close(struct hw_usb *);

/* A driver's completion: called from the loop, only while running. */
typedef void	 (*usb_done_cb)(struct usb_dev *, struct libusb_transfer *);
/* A transfer the device owns and frees at release; NULL when out. */
struct libusb_transfer	*usb_transfer(struct usb_dev *, usb_done_cb);
/*
 * Submits a transfer filled by the driver (its callback and user_data are
 * the core's).  0, or -1 when the device is not running or the submission
 * failed, in which case the device is released and reported down.
 */
int		 usb_submit(struct usb_dev *, struct libusb_transfer *);
/* Whether a transfer of this device is in flight. */
bool		 usb_busy(struct usb_dev *, struct libusb_transfer *);
void		*usb_state(struct usb_dev *);
const struct hw_usb_binding *usb_binding(struct usb_dev *);
struct libusb_device_handle *usb_handle(struct usb_dev *);
struct event_base *usb_base(struct usb_dev *);
/* Reports a card or a reading for the device's reader or thermometer. */
void		 usb_card(struct usb_dev *, uint64_t);
void		 usb_temperature(struct usb_dev *, int centi);
/* Reports the device up or down (device health); only changes go out. */
void		 usb_health(struct usb_dev *, bool up, const char *why);
/* Releases a device that cannot go on; it is picked up when replugged. */
void		 usb_fail(struct usb_dev *, const char *why);
/* Logs "gated: usb: NAME: ..." to stderr. */
void		 usb_log(const struct usb_dev *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
/* A libusb error code or transfer status in words. */
const char	*usb_strerror(int);
const char	*usb_strstatus(int);

#endif
