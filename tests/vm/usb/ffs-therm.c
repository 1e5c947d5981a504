/*
 * ffs-therm.c: a streaming "line" thermometer for the VM tests, as a
 * FunctionFS gadget function: one vendor-specific interface with a bulk IN
 * endpoint, on which each line read from stdin goes out as "LINE\r\n",
 * the way a microcontroller thermometer streams "T=36.62".  The host's
 * hw/usb-line.c reads it through libusb.
 *
 * Usage: ffs-therm DIR    (DIR: where this function's functionfs is mounted)
 * Writes the descriptors and strings to DIR/ep0, keeps ep0 open (closing
 * it would take the function away), prints READY: the gadget may now be
 * bound to a UDC.  Then for every stdin line it prints "SENT LINE" once
 * the host has read it.  A line sent while the host is gone (UDC unbound)
 * waits, since the kernel blocks the write until the function is enabled.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>

#define IFACE_NAME	"gated VM thermometer"

/* The descriptors are little-endian; so is the only guest, x86-64. */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ffs-therm writes its descriptors in host byte order"
#endif

struct iface_descs {
	struct usb_interface_descriptor			intf;
	struct usb_endpoint_descriptor_no_audio		in;
} __attribute__((packed));

static const struct {
	struct usb_functionfs_descs_head_v2	head;
	__le32					fs_count, hs_count;
	struct iface_descs			fs, hs;
} __attribute__((packed)) descs = {
	.head = {
		.magic = FUNCTIONFS_DESCRIPTORS_MAGIC_V2,
		.flags = FUNCTIONFS_HAS_FS_DESC |
		    FUNCTIONFS_HAS_HS_DESC,
		.length = sizeof descs,
	},
	.fs_count = 2,
	.hs_count = 2,
#define IFACE(maxpacket) {						\
	.intf = {							\
		.bLength = sizeof(struct usb_interface_descriptor),	\
		.bDescriptorType = USB_DT_INTERFACE,			\
		.bNumEndpoints = 1,					\
		.bInterfaceClass = USB_CLASS_VENDOR_SPEC,		\
		.iInterface = 1,					\
	},								\
	.in = {								\
		.bLength = sizeof(struct usb_endpoint_descriptor_no_audio), \
		.bDescriptorType = USB_DT_ENDPOINT,			\
		.bEndpointAddress = 1 | USB_DIR_IN,			\
		.bmAttributes = USB_ENDPOINT_XFER_BULK,			\
		.wMaxPacketSize = maxpacket,				\
	},								\
}
	.fs = IFACE(64),
	.hs = IFACE(512),
#undef IFACE
};

static const struct {
	struct usb_functionfs_strings_head	head;
	struct {
		__le16	code;
		char	str[sizeof IFACE_NAME];
	} __attribute__((packed)) lang0;
} __attribute__((packed)) strings = {
	.head = {
		.magic = FUNCTIONFS_STRINGS_MAGIC,
		.length = sizeof strings,
		.str_count = 1,
		.lang_count = 1,
	},
	.lang0 = { 0x0409, IFACE_NAME },
};

static int
write_all(int fd, const void *buf, size_t len, const char *what)
{
	ssize_t	n;

	if ((n = write(fd, buf, len)) != (ssize_t)len) {
		fprintf(stderr, "ffs-therm: %s: %s\n", what,
		    n == -1 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/*
 * Sends one line.  A disconnect in the middle of a transfer fails it with
 * ESHUTDOWN: the line is sent again once the host is back.
 */
static int
send_line(int ep, const char *line)
{
	struct timespec	pause = { 0, 10 * 1000000 };
	char		buf[128];
	int		len;
	ssize_t		n;

	len = snprintf(buf, sizeof buf, "%s\r\n", line);
	if (len < 0 || (size_t)len >= sizeof buf)
		return -1;
	for (;;) {
		n = write(ep, buf, (size_t)len);
		if (n == len)
			return 0;
		if (n >= 0 || (errno != ESHUTDOWN && errno != EINTR)) {
			fprintf(stderr, "ffs-therm: ep1: %s\n",
			    n >= 0 ? "short write" : strerror(errno));
			return -1;
		}
		nanosleep(&pause, NULL);
	}
}

int
main(int argc, char **argv)
{
	char	path[256], line[96];
	size_t	len;
	int	ep0, ep1;

	if (argc != 2) {
		fprintf(stderr, "usage: ffs-therm DIR\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/ep0", argv[1]);
	if ((ep0 = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		fprintf(stderr, "ffs-therm: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (write_all(ep0, &descs, sizeof descs, "descriptors") != 0 ||
	    write_all(ep0, &strings, sizeof strings, "strings") != 0)
		return 1;
	/* The endpoint files appear once the descriptors are accepted. */
	snprintf(path, sizeof path, "%s/ep1", argv[1]);
	if ((ep1 = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "ffs-therm: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("READY\n");
	fflush(stdout);

	while (fgets(line, sizeof line, stdin) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0)
			continue;
		if (send_line(ep1, line) != 0)
			return 1;
		printf("SENT %s\n", line);
		fflush(stdout);
	}
	close(ep1);
	close(ep0);
	return 0;
}
