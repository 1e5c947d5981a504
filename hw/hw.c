/*
 * hw.c: where hw/ is put together: the table of backends compiled into
 * gated, looked up by the name a config gives (gpio-backend, usb-backend),
 * and the libusb backend made of the core (usb.c) and its drivers, so
 * that the core names no driver and the drivers only call the core.
 */
#include <string.h>

#include "hw.h"
#include "usb-driver.h"

/* The drivers the libusb core may bind a device to, by config name. */
static const struct usb_driver *const usb_drivers[] = {
	&usb_wedge_driver,
	&usb_temper_driver,
	&usb_line_driver,
};

static struct hw_usb *
hw_libusb_open(struct event_base *base, const struct hw_usb_binding *bind,
    int count, const struct hw_events *ev, char **cause)
{
	return usb_backend_open(base, usb_drivers,
	    sizeof usb_drivers / sizeof usb_drivers[0], bind, count, ev, cause);
}

const struct hw_usb_ops hw_libusb_ops = {
	.name = "libusb",
	.open = hw_libusb_open,
	.close = usb_backend_close,
};

static const struct hw_gpio_ops *const gpio_backends[] = {
	&hw_sim_gpio_ops,
	&hw_gpiod_ops,
};

static const struct hw_usb_ops *const usb_backends[] = {
	&hw_sim_usb_ops,
	&hw_libusb_ops,
};

const struct hw_gpio_ops *
hw_gpio_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof gpio_backends / sizeof gpio_backends[0]; i++)
		if (strcmp(gpio_backends[i]->name, name) == 0)
			return gpio_backends[i];
	return NULL;
}

const struct hw_usb_ops *
hw_usb_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof usb_backends / sizeof usb_backends[0]; i++)
		if (strcmp(usb_backends[i]->name, name) == 0)
			return usb_backends[i];
	return NULL;
}
