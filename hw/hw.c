/*
 * hw.c: the table of backends compiled into gated, looked up by the name
 * a config gives (gpio-backend, usb-backend).
 */
#include <string.h>

#include "hw.h"

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
