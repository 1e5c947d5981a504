/*
 * usb.c: the libusb backend.  One libusb context lives in the libevent
 * loop: its file descriptors become persistent events and the loop runs
 * libusb's event handling, without waiting, when one is ready; no thread
 * of ours, no polling while idle.  Hot-plug finds the configured devices,
 * at start and whenever they come back; each is opened, its interface
 * claimed from the kernel driver and handed to its driver (usb-wedge.c,
 * usb-temper.c, usb-line.c, from the table hw.c passes at open), and
 * released when it leaves or fails.
 *
 * libusb must not close a handle from inside its own transfer or hot-plug
 * callbacks (it deadlocks), so every open and close happens in one
 * deferred "work" event that those callbacks only activate.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <libusb.h>

#include "clock.h"
#include "log.h"
#include "usb-driver.h"

#define USB_XFERS	4	/* transfers per device, at most */
#define USB_DRAIN_MS	1000	/* wait this long for cancelled transfers */

enum usb_state { DEV_IDLE, DEV_RUNNING, DEV_CLOSING };

struct usb_xfer {
	struct usb_dev		*d;
	struct libusb_transfer	*t;
	usb_done_cb		 cb;
	bool			 busy;
};

struct usb_dev {
	struct hw_usb		*u;
	struct hw_usb_binding	 b;		/* b.device is &conf */
	struct device_conf	 conf;		/* ours: configs get reloaded */
	const struct usb_driver	*drv;
	enum usb_state		 state;
	libusb_device		*dev;		/* referenced while open */
	libusb_device_handle	*h;
	int			 iface;		/* claimed, or -1 */
	bool			 detached;	/* by us, to reattach */
	bool			 started;	/* drv->start succeeded */
	void			*priv;		/* the driver's state */
	struct usb_xfer		 xfer[USB_XFERS];
	int			 nxfer, inflight;
	bool			 release;	/* left or failed: release it */
	int64_t			 closing_ms;	/* when cancelling began */
	char			 why[128];	/* and why, for the report */
	int			 up;		/* reported: -1 never, 0, 1 */
};

struct usb_pollfd {
	int		 fd;
	struct event	*ev;
};

struct hw_usb {
	struct event_base	*base;
	libusb_context		*ctx;
	struct hw_events	 ev;
	struct usb_dev		*devs;
	int			 count;
	bool			 hotplug;
	libusb_hotplug_callback_handle hp;
	struct event		*work;		/* deferred opens and closes */
	struct event		*drain;		/* work again, stuck closes */
	struct event		*timer;		/* libusb timeouts, if needed */
	struct usb_pollfd	*pfds;
	size_t			 npfds;
	libusb_device		**arrived;	/* for work, referenced */
	size_t			 narrived;
	bool			 closing;
	const struct usb_driver	*const *drivers;	/* hw.c's table */
	size_t			 ndrivers;
};

static void	usb_work(evutil_socket_t, short, void *);

/* One place for the backend's messages; name is a device or NULL. */
static void __attribute__((format(printf, 2, 0)))
usb_vlog(const char *name, const char *fmt, va_list ap)
{
	char	msg[256];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (name != NULL)
		log_warnx("usb: %s: %s", name, msg);
	else
		log_warnx("usb: %s", msg);
}

void
usb_log(const struct usb_dev *d, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	usb_vlog(d != NULL ? d->b.device->name : NULL, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2)))
usb_logx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	usb_vlog(NULL, fmt, ap);
	va_end(ap);
}

/* libusb's errors in the words an operator acts on. */
const char *
usb_strerror(int r)
{
	switch (r) {
	case LIBUSB_ERROR_ACCESS:
		return "permission denied (udev rule missing?)";
	case LIBUSB_ERROR_BUSY:
		return "in use by another program or driver";
	case LIBUSB_ERROR_NO_DEVICE:
		return "disconnected";
	case LIBUSB_ERROR_NOT_FOUND:
		return "interface or endpoint not found";
	case LIBUSB_ERROR_TIMEOUT:
		return "timed out";
	case LIBUSB_ERROR_PIPE:
		return "endpoint stalled";
	case LIBUSB_ERROR_IO:
		return "I/O error";
	case LIBUSB_ERROR_NO_MEM:
		return "out of memory";
	default:
		return libusb_strerror(r);
	}
}

const char *
usb_strstatus(int status)
{
	switch (status) {
	case LIBUSB_TRANSFER_COMPLETED:
		return "completed";
	case LIBUSB_TRANSFER_ERROR:
		return "transfer error";
	case LIBUSB_TRANSFER_TIMED_OUT:
		return "timed out";
	case LIBUSB_TRANSFER_CANCELLED:
		return "cancelled";
	case LIBUSB_TRANSFER_STALL:
		return "endpoint stalled";
	case LIBUSB_TRANSFER_NO_DEVICE:
		return "disconnected";
	case LIBUSB_TRANSFER_OVERFLOW:
		return "overflow";
	default:
		return "unknown status";
	}
}

void *
usb_state(struct usb_dev *d)
{
	return d->priv;
}

const struct hw_usb_binding *
usb_binding(struct usb_dev *d)
{
	return &d->b;
}

libusb_device_handle *
usb_handle(struct usb_dev *d)
{
	return d->h;
}

struct event_base *
usb_base(struct usb_dev *d)
{
	return d->u->base;
}

void
usb_health(struct usb_dev *d, bool up, const char *why)
{
	if (d->up == (int)up)
		return;
	d->up = up;
	if (!up)
		usb_log(d, "down: %s", why);
	if (d->u->ev.device != NULL)
		d->u->ev.device(d->u->ev.arg, d->b.device->name, up, why);
}

void
usb_card(struct usb_dev *d, uint64_t uid)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (d->b.role == HW_READER && d->u->ev.card != NULL)
		d->u->ev.card(d->u->ev.arg, d->b.index, uid, &ts);
}

void
usb_temperature(struct usb_dev *d, int centi)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (d->b.role == HW_THERMOMETER && d->u->ev.temperature != NULL)
		d->u->ev.temperature(d->u->ev.arg, d->b.index, centi, &ts);
}

void
usb_fail(struct usb_dev *d, const char *why)
{
	if (d->state != DEV_RUNNING || d->release)
		return;
	d->release = true;
	snprintf(d->why, sizeof d->why, "%s", why);
	event_active(d->u->work, EV_TIMEOUT, 0);
}

/* Arms the evtimer for libusb's next timeout, when it has no fd for it. */
static void
usb_timer_update(struct hw_usb *u)
{
	struct timeval	tv;

	if (u->timer == NULL)
		return;
	if (libusb_get_next_timeout(u->ctx, &tv) == 1)
		evtimer_add(u->timer, &tv);
	else
		evtimer_del(u->timer);
}

/* Lets libusb handle whatever is ready, without waiting. */
static void
usb_handle_events(struct hw_usb *u)
{
	struct timeval	zero = { 0, 0 };
	int		r;

	r = libusb_handle_events_timeout_completed(u->ctx, &zero, NULL);
	if (r != 0 && r != LIBUSB_ERROR_INTERRUPTED)
		usb_logx("handling events: %s", usb_strerror(r));
	usb_timer_update(u);
}

static void
usb_ready(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	usb_handle_events(arg);
}

static void
usb_pollfd_added(int fd, short events, void *arg)
{
	struct hw_usb		*u = arg;
	struct usb_pollfd	*p;
	short			 what = EV_PERSIST;

	if (events & POLLIN)
		what |= EV_READ;
	if (events & POLLOUT)
		what |= EV_WRITE;
	p = reallocarray(u->pfds, u->npfds + 1, sizeof *u->pfds);
	if (p == NULL) {
		usb_logx("fd %d: out of memory", fd);
		return;
	}
	u->pfds = p;
	p = &u->pfds[u->npfds];
	p->fd = fd;
	if ((p->ev = event_new(u->base, fd, what, usb_ready, u)) == NULL ||
	    event_add(p->ev, NULL) != 0) {
		usb_logx("fd %d: cannot watch it", fd);
		if (p->ev != NULL)
			event_free(p->ev);
		return;
	}
	u->npfds++;
}

/*
 * libusb removes a device's fd from inside its own event handling when the
 * device disappears, so this may free the very event whose callback is
 * running; libevent allows that in a single thread.
 */
static void
usb_pollfd_removed(int fd, void *arg)
{
	struct hw_usb	*u = arg;
	size_t		 i;

	for (i = 0; i < u->npfds; i++) {
		if (u->pfds[i].fd != fd)
			continue;
		event_free(u->pfds[i].ev);
		u->pfds[i] = u->pfds[--u->npfds];
		return;
	}
}

/* The core's completion: counts it, then the driver's if still running. */
static void LIBUSB_CALL
usb_transfer_done(struct libusb_transfer *t)
{
	struct usb_xfer	*x = t->user_data;
	struct usb_dev	*d = x->d;

	x->busy = false;
	d->inflight--;
	if (d->state != DEV_RUNNING || d->release) {
		if (d->inflight == 0)
			event_active(d->u->work, EV_TIMEOUT, 0);
		return;
	}
	if (t->status == LIBUSB_TRANSFER_NO_DEVICE) {
		usb_fail(d, "disconnected");
		return;
	}
	x->cb(d, t);
}

struct libusb_transfer *
usb_transfer(struct usb_dev *d, usb_done_cb cb)
{
	struct usb_xfer	*x;

	if (d->nxfer == USB_XFERS)
		return NULL;
	x = &d->xfer[d->nxfer];
	if ((x->t = libusb_alloc_transfer(0)) == NULL)
		return NULL;
	x->d = d;
	x->cb = cb;
	x->busy = false;
	d->nxfer++;
	return x->t;
}

static struct usb_xfer *
usb_xfer_of(struct usb_dev *d, struct libusb_transfer *t)
{
	int	i;

	for (i = 0; i < d->nxfer; i++)
		if (d->xfer[i].t == t)
			return &d->xfer[i];
	return NULL;
}

bool
usb_busy(struct usb_dev *d, struct libusb_transfer *t)
{
	struct usb_xfer	*x = usb_xfer_of(d, t);

	return x != NULL && x->busy;
}

int
usb_submit(struct usb_dev *d, struct libusb_transfer *t)
{
	struct usb_xfer	*x;
	char		 why[64];
	int		 r;

	if (d->state != DEV_RUNNING || d->release ||
	    (x = usb_xfer_of(d, t)) == NULL || x->busy)
		return -1;
	t->callback = usb_transfer_done;
	t->user_data = x;
	if ((r = libusb_submit_transfer(t)) != 0) {
		snprintf(why, sizeof why, "submit: %s", usb_strerror(r));
		if (r != LIBUSB_ERROR_NO_DEVICE)
			usb_log(d, "%s", why);
		usb_fail(d, r == LIBUSB_ERROR_NO_DEVICE ? "disconnected" : why);
		return -1;
	}
	x->busy = true;
	d->inflight++;
	usb_timer_update(d->u);
	return 0;
}

/* A device's port path as bus-port.port..., the form configs use. */
static void
usb_port(libusb_device *dev, char *buf, size_t len)
{
	uint8_t	ports[8];
	int	n, i;
	size_t	off;

	off = (size_t)snprintf(buf, len, "%u", libusb_get_bus_number(dev));
	n = libusb_get_port_numbers(dev, ports, sizeof ports);
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%c%u",
		    i == 0 ? '-' : '.', ports[i]);
}

/* Whether a device is the one a slot is configured for, before opening. */
static bool
usb_matches(const struct usb_dev *d, libusb_device *dev)
{
	struct libusb_device_descriptor	desc;
	char				port[32];

	if (libusb_get_device_descriptor(dev, &desc) != 0)
		return false;
	if (desc.idVendor != d->b.device->vendor ||
	    desc.idProduct != d->b.device->product)
		return false;
	if (d->b.device->port[0] != '\0') {
		usb_port(dev, port, sizeof port);
		if (strcmp(port, d->b.device->port) != 0)
			return false;
	}
	return true;
}

/*
 * Checks the serial number, when one is configured.  This reads a string
 * descriptor synchronously, once per arrival, outside any libusb callback.
 */
static bool
usb_serial_matches(struct usb_dev *d)
{
	struct libusb_device_descriptor	desc;
	unsigned char			serial[128];
	int				r;

	if (d->b.device->serial[0] == '\0')
		return true;
	if (libusb_get_device_descriptor(d->dev, &desc) != 0 ||
	    desc.iSerialNumber == 0)
		return false;
	r = libusb_get_string_descriptor_ascii(d->h, desc.iSerialNumber,
	    serial, sizeof serial);
	if (r < 0)
		return false;
	return strcmp((char *)serial, d->b.device->serial) == 0;
}

/* The interface the driver scores best, in the active configuration. */
static int
usb_claim(struct usb_dev *d, char *why, size_t len)
{
	struct libusb_config_descriptor			*cfg;
	const struct libusb_interface_descriptor	*id, *best = NULL;
	int						 i, s, top = 0, r;

	if ((r = libusb_get_active_config_descriptor(d->dev, &cfg)) != 0) {
		snprintf(why, len, "configuration: %s", usb_strerror(r));
		return -1;
	}
	for (i = 0; i < cfg->bNumInterfaces; i++) {
		if (cfg->interface[i].num_altsetting < 1)
			continue;
		id = &cfg->interface[i].altsetting[0];
		if ((s = d->drv->score(id)) > top) {
			top = s;
			best = id;
		}
	}
	if (best == NULL) {
		snprintf(why, len, "no interface a %s driver can use",
		    d->drv->name);
		libusb_free_config_descriptor(cfg);
		return -1;
	}

	/* libusb detaches usbhid and reattaches it on release. */
	if (libusb_set_auto_detach_kernel_driver(d->h, 1) != 0 &&
	    libusb_kernel_driver_active(d->h, best->bInterfaceNumber) == 1) {
		if ((r = libusb_detach_kernel_driver(d->h,
		    best->bInterfaceNumber)) != 0) {
			snprintf(why, len, "detach kernel driver: %s",
			    usb_strerror(r));
			libusb_free_config_descriptor(cfg);
			return -1;
		}
		d->detached = true;
	}
	if ((r = libusb_claim_interface(d->h, best->bInterfaceNumber)) != 0) {
		snprintf(why, len, "claim interface %d: %s",
		    best->bInterfaceNumber, usb_strerror(r));
		libusb_free_config_descriptor(cfg);
		return -1;
	}
	d->iface = best->bInterfaceNumber;
	if (d->drv->size > 0 && (d->priv = calloc(1, d->drv->size)) == NULL) {
		snprintf(why, len, "out of memory");
		libusb_free_config_descriptor(cfg);
		return -1;
	}
	/* Running before start, so it can submit; stop follows anyway. */
	d->state = DEV_RUNNING;
	d->started = true;
	r = d->drv->start(d, best);
	libusb_free_config_descriptor(cfg);
	if (r != 0) {
		snprintf(why, len, "%s driver cannot start", d->drv->name);
		return -1;
	}
	return 0;
}

/* Closes what an open left behind; never from a libusb callback. */
static void
usb_finish(struct usb_dev *d)
{
	int	i;

	if (d->h != NULL) {
		if (d->iface != -1)
			libusb_release_interface(d->h, d->iface);
		if (d->detached)
			libusb_attach_kernel_driver(d->h, d->iface);
		libusb_close(d->h);	/* drops transfers still flying */
	}
	for (i = 0; i < d->nxfer; i++)
		libusb_free_transfer(d->xfer[i].t);
	if (d->dev != NULL)
		libusb_unref_device(d->dev);
	free(d->priv);
	d->priv = NULL;
	d->h = NULL;
	d->dev = NULL;
	d->iface = -1;
	d->detached = d->started = d->release = false;
	d->nxfer = d->inflight = 0;
	d->state = DEV_IDLE;
}

/* Stops the driver and cancels its transfers; usb_finish() follows. */
static void
usb_begin_release(struct usb_dev *d)
{
	int	i, r;

	if (d->started && d->drv->stop != NULL)
		d->drv->stop(d);
	d->started = false;
	d->state = DEV_CLOSING;
	d->closing_ms = mono_ms();
	for (i = 0; i < d->nxfer; i++) {
		if (!d->xfer[i].busy)
			continue;
		r = libusb_cancel_transfer(d->xfer[i].t);
		if (r != 0 && r != LIBUSB_ERROR_NOT_FOUND &&
		    r != LIBUSB_ERROR_NO_DEVICE)
			usb_log(d, "cancel: %s", usb_strerror(r));
	}
	usb_timer_update(d->u);
}

/* Tries an arrived device for a slot: 0 when it is now running. */
static int
usb_open_dev(struct usb_dev *d, libusb_device *dev)
{
	char	why[128];
	int	r;

	d->dev = libusb_ref_device(dev);
	if ((r = libusb_open(dev, &d->h)) != 0) {
		d->h = NULL;
		snprintf(why, sizeof why, "cannot open: %s", usb_strerror(r));
		usb_log(d, "%s", why);
		usb_finish(d);
		usb_health(d, false, why);
		return -1;
	}
	if (!usb_serial_matches(d)) {
		usb_finish(d);	/* same model, another unit: not ours */
		return -1;
	}
	if (usb_claim(d, why, sizeof why) != 0) {
		usb_log(d, "%s", why);
		usb_begin_release(d);
		if (d->inflight == 0)
			usb_finish(d);
		else
			snprintf(d->why, sizeof d->why, "%s", why);
		usb_health(d, false, why);
		return -1;
	}
	usb_health(d, true, "connected");
	return 0;
}

/* Queues an arrival for the work event; the callback may not open. */
static void
usb_queue(struct hw_usb *u, libusb_device *dev)
{
	libusb_device	**a;

	a = reallocarray(u->arrived, u->narrived + 1, sizeof *u->arrived);
	if (a == NULL) {
		usb_logx("hot-plug: out of memory, a device is ignored");
		return;
	}
	u->arrived = a;
	u->arrived[u->narrived++] = libusb_ref_device(dev);
}

static int LIBUSB_CALL
usb_hotplug(libusb_context *ctx, libusb_device *dev,
    libusb_hotplug_event event, void *arg)
{
	struct hw_usb	*u = arg;
	struct usb_dev	*d;
	int		 i;

	(void)ctx;
	if (u->closing)
		return 0;
	for (i = 0; i < u->count; i++) {
		d = &u->devs[i];
		if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT &&
		    d->dev == dev && d->state == DEV_RUNNING && !d->release) {
			d->release = true;
			snprintf(d->why, sizeof d->why, "unplugged");
		}
		if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED &&
		    usb_matches(d, dev)) {
			usb_queue(u, dev);
			break;
		}
	}
	event_active(u->work, EV_TIMEOUT, 0);
	return 0;
}

/* Runs work again when the first closing device's drain time is over. */
static void
usb_drain_arm(struct hw_usb *u)
{
	struct timeval	 tv;
	struct usb_dev	*d;
	int64_t		 left, first = -1;
	int		 j;

	for (j = 0; j < u->count; j++) {
		d = &u->devs[j];
		if (d->state != DEV_CLOSING || d->inflight == 0)
			continue;
		left = d->closing_ms + USB_DRAIN_MS - mono_ms();
		if (left < 1)
			left = 1;
		if (first == -1 || left < first)
			first = left;
	}
	if (first == -1) {
		evtimer_del(u->drain);
		return;
	}
	tv.tv_sec = first / 1000;
	tv.tv_usec = (first % 1000) * 1000;
	evtimer_add(u->drain, &tv);
}

/*
 * The one place that opens and closes: releases what left or failed,
 * finishes what has no transfer in flight any more, then opens arrivals
 * for idle slots.  An arrival meant for a slot still closing waits for
 * the next run, which the last cancelled transfer triggers.
 */
static void
usb_work(evutil_socket_t fd, short what, void *arg)
{
	struct hw_usb	*u = arg;
	struct usb_dev	*d;
	libusb_device	*dev;
	size_t		 i, keep;
	int		 j;
	bool		 wanted, opened;

	(void)fd;
	(void)what;
	for (j = 0; j < u->count; j++) {
		d = &u->devs[j];
		if (d->state == DEV_RUNNING && d->release) {
			usb_begin_release(d);
			usb_health(d, false, d->why);
		}
		if (d->state != DEV_CLOSING)
			continue;
		if (d->inflight > 0 &&
		    mono_ms() - d->closing_ms >= USB_DRAIN_MS)
			usb_log(d, "%d transfers not back; closing anyway",
			    d->inflight);
		else if (d->inflight > 0)
			continue;
		usb_finish(d);	/* libusb_close() drops what still flies */
	}

	for (i = 0, keep = 0; i < u->narrived; i++) {
		dev = u->arrived[i];
		wanted = opened = false;
		for (j = 0; j < u->count && !opened; j++) {
			d = &u->devs[j];
			if (!usb_matches(d, dev))
				continue;
			if (d->state == DEV_CLOSING)
				wanted = true;
			else if (d->state == DEV_IDLE)
				opened = usb_open_dev(d, dev) == 0;
		}
		if (wanted && !opened)
			u->arrived[keep++] = dev;
		else
			libusb_unref_device(dev);
	}
	u->narrived = keep;
	usb_drain_arm(u);
}

/* libusb timeouts when it cannot give a timerfd to poll. */
static void
usb_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	usb_handle_events(arg);
}

/* The driver a device's config names, from the table hw.c gave. */
static const struct usb_driver *
usb_driver_find(const struct hw_usb *u, const char *name)
{
	size_t	i;

	for (i = 0; i < u->ndrivers; i++)
		if (strcmp(u->drivers[i]->name, name) == 0)
			return u->drivers[i];
	return NULL;
}

/*
 * A slot for each bound device, with its driver; a device bound twice
 * counts once.  0, or -1 and why for a driver no one knows.
 */
static int
usb_bind(struct hw_usb *u, const struct hw_usb_binding *bind, int count,
    char *why, size_t len)
{
	struct usb_dev	*d;
	int		 i, j;

	for (i = 0; i < count; i++) {
		for (j = 0; j < u->count; j++)
			if (strcmp(u->devs[j].conf.name,
			    bind[i].device->name) == 0)
				break;
		if (j < u->count) {
			usb_logx("%s: bound twice, only the first counts",
			    bind[i].device->name);
			continue;
		}
		d = &u->devs[u->count];
		d->u = u;
		/*
		 * A copy: a config reload frees the config the bindings
		 * point into while the devices stay open and replug.
		 */
		d->conf = *bind[i].device;
		d->b = bind[i];
		d->b.device = &d->conf;
		d->iface = -1;
		d->up = -1;
		if ((d->drv = usb_driver_find(u, bind[i].device->driver)) ==
		    NULL) {
			snprintf(why, len, "%s: unknown driver %s",
			    bind[i].device->name, bind[i].device->driver);
			return -1;
		}
		u->count++;
	}
	return 0;
}

/*
 * Starts a libusb context inside the loop: its file descriptors become
 * events, and a timer serves its timeouts where it has no fd for them.
 * 0, or -1 and why.
 */
static int
usb_context_start(struct hw_usb *u, char *why, size_t len)
{
	const struct libusb_pollfd	**fds;
	int				 i, r;

	if ((r = libusb_init(&u->ctx)) != 0) {
		u->ctx = NULL;
		snprintf(why, len, "libusb: %s", usb_strerror(r));
		return -1;
	}
	if ((u->work = event_new(u->base, -1, 0, usb_work, u)) == NULL ||
	    (u->drain = evtimer_new(u->base, usb_work, u)) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	if (!libusb_pollfds_handle_timeouts(u->ctx) &&
	    (u->timer = evtimer_new(u->base, usb_timeout, u)) == NULL) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	libusb_set_pollfd_notifiers(u->ctx, usb_pollfd_added,
	    usb_pollfd_removed, u);
	if ((fds = libusb_get_pollfds(u->ctx)) == NULL) {
		snprintf(why, len, "libusb: no file descriptors");
		return -1;
	}
	for (i = 0; fds[i] != NULL; i++)
		usb_pollfd_added(fds[i]->fd, fds[i]->events, u);
	libusb_free_pollfds(fds);
	return 0;
}

/*
 * Watches devices come and go through hot-plug, which also enumerates
 * those present now; without hot-plug, queues those present now, the only
 * ones it will see.  0, or -1 and why.
 */
static int
usb_watch(struct hw_usb *u, char *why, size_t len)
{
	libusb_device	**list;
	ssize_t		 n;
	int		 i, j, r;

	if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) {
		r = libusb_hotplug_register_callback(u->ctx,
		    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
		    LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, LIBUSB_HOTPLUG_ENUMERATE,
		    LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
		    LIBUSB_HOTPLUG_MATCH_ANY, usb_hotplug, u, &u->hp);
		if (r != 0) {
			snprintf(why, len, "hot-plug: %s", usb_strerror(r));
			return -1;
		}
		u->hotplug = true;
		return 0;
	}
	usb_logx("no hot-plug: devices are found at start only");
	if ((n = libusb_get_device_list(u->ctx, &list)) >= 0) {
		for (i = 0; i < n; i++)
			for (j = 0; j < u->count; j++)
				if (usb_matches(&u->devs[j], list[i])) {
					usb_queue(u, list[i]);
					break;
				}
		libusb_free_device_list(list, 1);
	}
	return 0;
}

struct hw_usb *
usb_backend_open(struct event_base *base,
    const struct usb_driver *const *drivers, size_t ndrivers,
    const struct hw_usb_binding *bind, int count,
    const struct hw_events *ev, char **cause)
{
	struct hw_usb	*u;
	char		 why[256];
	int		 j;

	if ((u = calloc(1, sizeof *u)) == NULL ||
	    (u->devs = calloc(count > 0 ? count : 1, sizeof *u->devs)) ==
	    NULL) {
		free(u);
		*cause = strdup("out of memory");
		return NULL;
	}
	u->base = base;
	u->ev = *ev;
	u->drivers = drivers;
	u->ndrivers = ndrivers;
	if (usb_bind(u, bind, count, why, sizeof why) != 0 ||
	    usb_context_start(u, why, sizeof why) != 0 ||
	    usb_watch(u, why, sizeof why) != 0) {
		*cause = strdup(why);
		usb_backend_close(u);
		return NULL;
	}

	/* Open what is here now, so that only the rest is "not present". */
	usb_work(-1, 0, u);
	for (j = 0; j < u->count; j++)
		if (u->devs[j].up == -1)
			usb_health(&u->devs[j], false, "not present");
	return u;
}

/*
 * Stops every device, lets cancelled transfers come back for a moment (a
 * handle must not close with transfers in flight if it can be helped),
 * then frees everything.  Devices are not reported down: the agent is the
 * one closing.
 */
void
usb_backend_close(struct hw_usb *u)
{
	struct timeval	 tv = { 0, 50000 };
	int64_t		 until;
	int		 j, flying;
	size_t		 i;

	if (u == NULL)
		return;
	u->closing = true;
	if (u->ctx != NULL) {
		if (u->hotplug)
			libusb_hotplug_deregister_callback(u->ctx, u->hp);
		for (j = 0; j < u->count; j++)
			if (u->devs[j].state == DEV_RUNNING)
				usb_begin_release(&u->devs[j]);
		until = mono_ms() + USB_DRAIN_MS;
		do {
			for (j = 0, flying = 0; j < u->count; j++)
				flying += u->devs[j].inflight;
			if (flying == 0)
				break;
			libusb_handle_events_timeout_completed(u->ctx, &tv,
			    NULL);
		} while (mono_ms() < until);
		for (j = 0; j < u->count; j++)
			if (u->devs[j].state != DEV_IDLE)
				usb_finish(&u->devs[j]);
		for (i = 0; i < u->narrived; i++)
			libusb_unref_device(u->arrived[i]);
		libusb_set_pollfd_notifiers(u->ctx, NULL, NULL, NULL);
	}
	for (i = 0; i < u->npfds; i++)
		event_free(u->pfds[i].ev);
	if (u->ctx != NULL)
		libusb_exit(u->ctx);
	if (u->work != NULL)
		event_free(u->work);
	if (u->drain != NULL)
		event_free(u->drain);
	if (u->timer != NULL)
		event_free(u->timer);
	free(u->pfds);
	free(u->arrived);
	free(u->devs);
	free(u);
}
