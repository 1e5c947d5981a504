/*
 * mockusb.c: emulated USB devices for host tests of the libusb backend,
 * below the real libusb.  umockdev provides sysfs, uevents and a hook for
 * the ioctls libusb sends to the device node; this file answers them the
 * way usbfs does.  Facts that shaped it:
 *  - libusb reaps with REAPURBNDELAY only once the node polls writable,
 *    so the node is a FIFO kept full (not writable) while nothing is to
 *    reap and drained when a URB completes; a regular file would poll
 *    always ready (libusb would spin) and epoll refuses it anyway;
 *  - the handler and the node must exist before the sysfs device is
 *    added, or libusb may open it first;
 *  - USBDEVFS_IOCTL(CONNECT), reattaching the kernel driver, returns 1.
 * The handler runs in umockdev's own thread, hence the lock.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/usbdevice_fs.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <umockdev.h>

#include "mockusb.h"

struct packet {
	uint8_t	ep;
	size_t	len;
	uint8_t	data[64];
};

struct mockusb {
	UMockdevTestbed		*tb;
	UMockdevIoctlBase	*handler;
	char			 name[16];
	char			 devnode[64];	/* /dev/bus/usb/001/NNN */
	char			 syspath[128];	/* /sys/devices/usb1/NAME */
	int			 devnum;
	char			*hex;
	int			 fifo;		/* our end of the node */
	GMutex			 lock;
	GQueue			 pending;	/* IN URBs waiting for data */
	GQueue			 done;		/* URBs ready to reap */
	GQueue			 packets;	/* queued IN data */
	uint8_t			 answer_ep;
	uint8_t			 answer[64];
	size_t			 answer_len;
	bool			 plugged;
	bool			 stuck;		/* swallow discarded URBs */
	struct mockusb_counts	 n;
};

/* Makes the node poll writable: libusb will come and reap. */
static void
mock_signal(struct mockusb *m)
{
	char	buf[65536];

	while (read(m->fifo, buf, sizeof buf) > 0)
		;
}

/* Makes the node poll not writable: nothing to reap. */
static void
mock_quiet(struct mockusb *m)
{
	static const char	buf[4096];

	while (write(m->fifo, buf, sizeof buf) > 0)
		;
}

/* Completes pending IN URBs with queued packets for their endpoint. */
static void
mock_match(struct mockusb *m)
{
	UMockdevIoctlData	*d;
	struct usbdevfs_urb	*urb;
	struct packet		*p;
	GList			*l, *pl, *next;
	size_t			 n;

	for (l = m->pending.head; l != NULL; l = next) {
		next = l->next;
		d = l->data;
		urb = (struct usbdevfs_urb *)d->data;
		for (pl = m->packets.head; pl != NULL; pl = pl->next) {
			p = pl->data;
			if (p->ep == urb->endpoint)
				break;
		}
		if (pl == NULL)
			continue;
		n = p->len < (size_t)urb->buffer_length ? p->len :
		    (size_t)urb->buffer_length;
		/* The client shares our address space: write its buffer. */
		memcpy(urb->buffer, p->data, n);
		urb->actual_length = (int)n;
		urb->status = 0;
		g_queue_delete_link(&m->packets, pl);
		g_free(p);
		g_queue_delete_link(&m->pending, l);
		g_queue_push_tail(&m->done, d);
	}
	if (m->done.length > 0)
		mock_signal(m);
}

static void
mock_queue_packet(struct mockusb *m, uint8_t ep, const void *data,
    size_t len)
{
	struct packet	*p;

	p = g_new0(struct packet, 1);
	p->ep = ep;
	p->len = len < sizeof p->data ? len : sizeof p->data;
	if (len > 0)
		memcpy(p->data, data, p->len);
	g_queue_push_tail(&m->packets, p);
}

static void
mock_submit(struct mockusb *m, UMockdevIoctlClient *c, UMockdevIoctlData *a)
{
	UMockdevIoctlData	*d, *buf;
	struct usbdevfs_urb	*urb;
	const uint8_t		*setup;
	int			 wlength;

	if (!m->plugged) {
		umockdev_ioctl_client_complete(c, -1, ENODEV);
		return;
	}
	d = umockdev_ioctl_data_resolve(a, 0, sizeof *urb, NULL);
	urb = (struct usbdevfs_urb *)d->data;
	if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
		buf = umockdev_ioctl_data_resolve(d,
		    G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
		    urb->buffer_length, NULL);
		setup = buf->data;
		wlength = setup[6] | setup[7] << 8;
		if (setup[0] == 0x21 && setup[1] == 0x09) {
			m->n.set_report++;
			if (m->answer_len > 0)
				mock_queue_packet(m, m->answer_ep, m->answer,
				    m->answer_len);
		} else if (setup[0] == 0x21 && setup[1] == 0x0b)
			m->n.set_protocol++;
		urb->actual_length = (setup[0] & 0x80) ? 0 : wlength;
		urb->status = 0;
		g_object_unref(buf);
		g_queue_push_tail(&m->done, d);
	} else if (urb->endpoint & 0x80)
		g_queue_push_tail(&m->pending, d);
	else {
		urb->actual_length = urb->buffer_length;
		urb->status = 0;
		g_queue_push_tail(&m->done, d);
	}
	umockdev_ioctl_client_complete(c, 0, 0);
	mock_match(m);
}

static void
mock_reap(struct mockusb *m, UMockdevIoctlClient *c, UMockdevIoctlData *a)
{
	UMockdevIoctlData	*d, *ptr;

	if ((d = g_queue_pop_head(&m->done)) == NULL) {
		mock_quiet(m);
		umockdev_ioctl_client_complete(c, -1, EAGAIN);
		return;
	}
	ptr = umockdev_ioctl_data_resolve(a, 0, sizeof(gpointer), NULL);
	umockdev_ioctl_data_set_ptr(ptr, 0, d);
	umockdev_ioctl_client_complete(c, 0, 0);
	g_object_unref(ptr);
	g_object_unref(d);
}

static void
mock_discard(struct mockusb *m, UMockdevIoctlClient *c, UMockdevIoctlData *a)
{
	UMockdevIoctlData	*d;
	GList			*l;
	gulong			 addr = (gulong)*(void **)a->data;

	m->n.discard++;
	for (l = m->pending.head; l != NULL; l = l->next) {
		d = l->data;
		if (d->client_addr != addr)
			continue;
		if (m->stuck) {
			umockdev_ioctl_client_complete(c, 0, 0);
			return;
		}
		((struct usbdevfs_urb *)d->data)->status = -ENOENT;
		((struct usbdevfs_urb *)d->data)->actual_length = 0;
		g_queue_delete_link(&m->pending, l);
		g_queue_push_tail(&m->done, d);
		umockdev_ioctl_client_complete(c, 0, 0);
		mock_signal(m);
		return;
	}
	umockdev_ioctl_client_complete(c, -1, EINVAL);
}

static gboolean
mock_ioctl(UMockdevIoctlBase *h, UMockdevIoctlClient *c, gpointer arg)
{
	struct mockusb		*m = arg;
	UMockdevIoctlData	*a, *d;
	gulong			 req;
	gboolean		 handled = TRUE;

	(void)h;
	a = umockdev_ioctl_client_get_arg(c);
	req = umockdev_ioctl_client_get_request(c);
	g_mutex_lock(&m->lock);
	switch (req) {
	case USBDEVFS_GET_CAPABILITIES:
		d = umockdev_ioctl_data_resolve(a, 0, sizeof(guint32), NULL);
		*(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION |
		    USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
		    USBDEVFS_CAP_REAP_AFTER_DISCONNECT |
		    USBDEVFS_CAP_ZERO_PACKET;
		umockdev_ioctl_client_complete(c, 0, 0);
		g_object_unref(d);
		break;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_DISCONNECT_CLAIM:
		m->n.claim++;
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	case USBDEVFS_RELEASEINTERFACE:
		m->n.release++;
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	case USBDEVFS_IOCTL:
		d = umockdev_ioctl_data_resolve(a, 0,
		    sizeof(struct usbdevfs_ioctl), NULL);
		if (((struct usbdevfs_ioctl *)d->data)->ioctl_code ==
		    (int)USBDEVFS_CONNECT) {
			m->n.connect++;
			umockdev_ioctl_client_complete(c, 1, 0);
		} else
			umockdev_ioctl_client_complete(c, 0, 0);
		g_object_unref(d);
		break;
	case USBDEVFS_GETDRIVER:
		umockdev_ioctl_client_complete(c, -1, ENODATA);
		break;
	case USBDEVFS_SUBMITURB:
		mock_submit(m, c, a);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		mock_reap(m, c, a);
		break;
	case USBDEVFS_DISCARDURB:
		mock_discard(m, c, a);
		break;
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESET:
	case USBDEVFS_RESETEP:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_SETCONFIGURATION:
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	default:
		fprintf(stderr, "mockusb: %s: unhandled ioctl 0x%lx\n",
		    m->name, req);
		handled = FALSE;
		break;
	}
	g_mutex_unlock(&m->lock);
	return handled;
}

struct mockusb *
mockusb_new(UMockdevTestbed *tb, const char *name, int devnum,
    const char *hex)
{
	struct mockusb	*m;
	char		*root, *path, *dir;

	m = g_new0(struct mockusb, 1);
	m->tb = g_object_ref(tb);
	g_strlcpy(m->name, name, sizeof m->name);
	m->devnum = devnum;
	m->hex = g_strdup(hex);
	snprintf(m->devnode, sizeof m->devnode, "/dev/bus/usb/001/%03d",
	    devnum);
	snprintf(m->syspath, sizeof m->syspath, "/sys/devices/usb1/%s", name);
	g_mutex_init(&m->lock);
	g_queue_init(&m->pending);
	g_queue_init(&m->done);
	g_queue_init(&m->packets);

	m->handler = umockdev_ioctl_base_new();
	g_object_connect(m->handler, "signal-after::handle-ioctl", mock_ioctl,
	    m, NULL);
	if (!umockdev_testbed_attach_ioctl(tb, m->devnode, m->handler, NULL))
		g_error("mockusb: cannot attach an ioctl handler to %s",
		    m->devnode);

	/* Replace whatever node umockdev made with our FIFO. */
	root = umockdev_testbed_get_root_dir(tb);
	path = g_strconcat(root, m->devnode, NULL);
	dir = g_path_get_dirname(path);
	g_mkdir_with_parents(dir, 0755);
	unlink(path);
	if (mkfifo(path, 0666) != 0 ||
	    (m->fifo = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1)
		g_error("mockusb: %s: %s", path, g_strerror(errno));
	mock_quiet(m);
	g_free(dir);
	g_free(path);
	g_free(root);
	return m;
}

void
mockusb_plug(struct mockusb *m)
{
	char	*s;

	g_mutex_lock(&m->lock);
	m->plugged = true;
	g_queue_clear_full(&m->packets, g_free);
	g_queue_clear_full(&m->pending, g_object_unref);
	g_mutex_unlock(&m->lock);
	s = g_strdup_printf(
	    "P: /devices/usb1/%s\n"
	    "E: SUBSYSTEM=usb\n"
	    "E: DEVTYPE=usb_device\n"
	    "E: DRIVER=usb\n"
	    "E: BUSNUM=001\n"
	    "E: DEVNUM=%03d\n"
	    "E: DEVNAME=%s\n"
	    "A: busnum=1\\n\n"
	    "A: devnum=%d\\n\n"
	    "A: bConfigurationValue=1\\n\n"
	    "A: speed=12\\n\n"
	    "A: devpath=%s\\n\n"
	    "H: descriptors=%s\n",
	    m->name, m->devnum, m->devnode, m->devnum, m->name + 2, m->hex);
	if (!umockdev_testbed_add_from_string(m->tb, s, NULL))
		g_error("mockusb: cannot add %s", m->name);
	g_free(s);
}

void
mockusb_unplug(struct mockusb *m)
{
	g_mutex_lock(&m->lock);
	m->plugged = false;
	g_mutex_unlock(&m->lock);
	umockdev_testbed_uevent(m->tb, m->syspath, "remove");
	umockdev_testbed_remove_device(m->tb, m->syspath);
}

void
mockusb_in(struct mockusb *m, uint8_t ep, const void *data, size_t len)
{
	g_mutex_lock(&m->lock);
	mock_queue_packet(m, ep, data, len);
	mock_match(m);
	g_mutex_unlock(&m->lock);
}

void
mockusb_answer(struct mockusb *m, uint8_t ep, const void *data, size_t len)
{
	g_mutex_lock(&m->lock);
	m->answer_ep = ep;
	m->answer_len = len < sizeof m->answer ? len : sizeof m->answer;
	if (len > 0)
		memcpy(m->answer, data, m->answer_len);
	g_mutex_unlock(&m->lock);
}

void
mockusb_stuck(struct mockusb *m, bool stuck)
{
	g_mutex_lock(&m->lock);
	m->stuck = stuck;
	g_mutex_unlock(&m->lock);
}

void
mockusb_counts(struct mockusb *m, struct mockusb_counts *n)
{
	g_mutex_lock(&m->lock);
	*n = m->n;
	g_mutex_unlock(&m->lock);
}

void
mockusb_root_hub(UMockdevTestbed *tb)
{
	if (!umockdev_testbed_add_from_string(tb,
	    "P: /devices/usb1\n"
	    "E: SUBSYSTEM=usb\n"
	    "E: DEVTYPE=usb_device\n"
	    "E: DRIVER=usb\n"
	    "E: BUSNUM=001\n"
	    "E: DEVNUM=001\n"
	    "E: DEVNAME=/dev/bus/usb/001/001\n"
	    "A: busnum=1\\n\n"
	    "A: devnum=1\\n\n"
	    "A: bConfigurationValue=1\\n\n"
	    "A: speed=480\\n\n"
	    "H: descriptors=12010002090001406b1d020006060302010109021900010100"
	    "e0000904000001090000000705810304000c\n", NULL))
		g_error("mockusb: cannot add the root hub");
}

void
mockusb_free(struct mockusb *m)
{
	if (m == NULL)
		return;
	umockdev_testbed_detach_ioctl(m->tb, m->devnode, NULL);
	close(m->fifo);
	g_queue_clear_full(&m->pending, g_object_unref);
	g_queue_clear_full(&m->done, g_object_unref);
	g_queue_clear_full(&m->packets, g_free);
	g_object_unref(m->handler);
	g_object_unref(m->tb);
	g_mutex_clear(&m->lock);
	g_free(m->hex);
	g_free(m);
}

/* HID usage of a digit key: 1..9 are 0x1e..0x26, 0 is 0x27. */
static uint8_t
mockusb_digit_key(char c)
{
	return c == '0' ? 0x27 : (uint8_t)(0x1e + (c - '1'));
}

void
mockusb_type(struct mockusb *m, uint8_t ep, const char *s)
{
	uint8_t	r[8];

	for (;; s++) {
		memset(r, 0, sizeof r);
		r[2] = *s == '\0' ? 0x28 : mockusb_digit_key(*s);
		mockusb_in(m, ep, r, sizeof r);
		mockusb_in(m, ep, NULL, 0);
		r[2] = 0;
		mockusb_in(m, ep, r, sizeof r);
		mockusb_in(m, ep, NULL, 0);
		if (*s == '\0')
			break;
	}
}
