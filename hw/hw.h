/*
 * hw.h: the hardware backends behind two small tables of operations, one
 * for GPIO lines (relays, lamps, buzzer, buttons, contacts, loops) and one
 * for USB devices (card readers, thermometers).  The simulator implements
 * both.  Only hw/ includes <gpiod.h> or <libusb.h>; nothing here knows about
 * policy, and the agent knows a line or device only by its index.
 */
#ifndef GATED_HW_H
#define GATED_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "wiegand.h"

struct event;
struct event_base;

#define HW_NAME_LEN	32

/* A GPIO line as configured: output or input. */
enum line_dir { LINE_OUTPUT, LINE_INPUT };
enum line_bias { BIAS_AS_IS, BIAS_DISABLE, BIAS_PULL_UP, BIAS_PULL_DOWN };

struct line_conf {
	char		name[HW_NAME_LEN];	/* gated's name for it */
	enum line_dir	dir;
	char		line[HW_NAME_LEN];	/* kernel line name, or "" */
	char		chip[HW_NAME_LEN];	/* chip when named by offset */
	int		offset;			/* -1 when named by line */
	bool		active_low;
	enum line_bias	bias;
	int		debounce_ms;		/* inputs */
	int		safe_value;		/* outputs: logical safe value */
};

/* A USB device as configured: matched by vendor:product (+serial/port). */
struct device_conf {
	char		name[HW_NAME_LEN];
	char		driver[HW_NAME_LEN];	/* keyboard-wedge temper line */
	uint16_t	vendor, product;
	char		serial[64];		/* "" any */
	char		port[32];		/* "" any, else "1-1.2" */
};

/*
 * A Wiegand reader on two input lines, as the GPIO backend gets it at
 * open.  Its lines are requested together, for falling edges only and
 * without debounce; they report no input events, only cards and read
 * errors for the reader.
 */
struct hw_wiegand_conf {
	int		 reader;	/* the reader's index, for events */
	int		 d0, d1;	/* indexes of its two input lines */
	enum wiegand_format format;
	long		 facility;	/* -1: any */
	int		 gap_ms;	/* a pause this long ends a frame */
};

/* What a USB device is bound to: a reader or a thermometer (by index). */
enum hw_role { HW_READER, HW_THERMOMETER };
struct hw_usb_binding {
	const struct device_conf *device;
	enum hw_role	 role;
	int		 index;		/* reader or thermometer index */
	bool		 hex;		/* readers: card number is hex */
	int		 min_digits, max_digits;
};

/*
 * Events a backend reports.  Called from the event loop, never from another
 * thread; a callback must not block and may call back into the backend.
 * Values are logical (active-low already applied).  ts is CLOCK_MONOTONIC,
 * from the kernel's event timestamp where there is one.
 */
struct hw_events {
	void	(*input)(void *arg, int line, int value,
		    const struct timespec *ts);
	void	(*card)(void *arg, int reader, uint64_t uid,
		    const struct timespec *ts);
	void	(*temperature)(void *arg, int therm, int centi,
		    const struct timespec *ts);
	/* A reader read something that is not a card: error is a short
	 * static name ("parity", "bit-count", ...). */
	void	(*read_error)(void *arg, int reader, const char *error);
	/* A device (line chip or USB device) came up or went down. */
	void	(*device)(void *arg, const char *name, bool up,
		    const char *why);
	void	*arg;
};

struct hw_gpio;
struct hw_gpio_ops {
	const char	*name;
	/*
	 * Requests every line.  Outputs are requested with their safe value
	 * as the initial value, so they never glitch.  The lines of the
	 * Wiegand readers (wiegand, nwiegand; copied) are read for them and
	 * give no input events.  Returns NULL and a malloc'd *cause naming
	 * the line or chip on error.  May block briefly.
	 */
	struct hw_gpio	*(*open)(struct event_base *, const struct line_conf *,
			    int count, const struct hw_wiegand_conf *wiegand,
			    int nwiegand, const struct hw_events *,
			    char **cause);
	/* Sets an output's logical value; 0, or -1 with errno.  Never blocks. */
	int		 (*set)(struct hw_gpio *, int line, int value);
	/* A line's current logical value, 0 or 1; -1 on error. */
	int		 (*get)(struct hw_gpio *, int line);
	/* Drives every output to its safe value, releases, frees.  NULL ok. */
	void		 (*close)(struct hw_gpio *);
};

struct hw_usb;
struct hw_usb_ops {
	const char	*name;
	/*
	 * Starts watching for the bound devices; a missing device is not an
	 * error (it is reported down and picked up when it appears).  NULL and
	 * *cause only when the backend itself cannot start.  The bindings
	 * and the device_conf they point to need live only during the call:
	 * the backend copies what it keeps, as a config reload frees them.
	 */
	struct hw_usb	*(*open)(struct event_base *,
			    const struct hw_usb_binding *, int count,
			    const struct hw_events *, char **cause);
	/* Releases every device and frees.  NULL ok. */
	void		 (*close)(struct hw_usb *);
};

/* hw.c: the backends compiled in, by name; NULL when unknown. */
const struct hw_gpio_ops	*hw_gpio_find(const char *name);
const struct hw_usb_ops		*hw_usb_find(const char *name);

/*
 * sim.c: the simulator.  Beyond the tables above it keeps every output's
 * state with a timestamped history and lets the API drive its inputs and
 * devices.  These calls take the objects its own open() returned.
 */
extern const struct hw_gpio_ops	hw_sim_gpio_ops;
extern const struct hw_usb_ops	hw_sim_usb_ops;
/*
 * gpiod.c (libgpiod 1.x) or gpiod2.c (libgpiod 2.x), whichever the build
 * picked: the backend for real boards and gpio-sim.
 */
extern const struct hw_gpio_ops	hw_gpiod_ops;
int	 sim_gpio_input(struct hw_gpio *, int line, int value);
json_t	*sim_gpio_outputs(struct hw_gpio *, int history);
int	 sim_usb_card(struct hw_usb *, int reader, uint64_t uid);
/*
 * A Wiegand frame on a reader's lines, bits as '0' and '1' characters, the
 * first sent first, fed to the same assembler and decoder as real edges
 * with kernel-like timestamps gap_ns apart, the last one now.  0 and *error
 * NULL when a card was reported, else the read error's name; -1 and ENOENT
 * when the reader is not a Wiegand reader, EINVAL for a bad string.
 */
int	 sim_gpio_wiegand(struct hw_gpio *, int reader, const char *bits,
	     int64_t gap_ns, const char **error);
int	 sim_usb_temperature(struct hw_usb *, int therm, int centi);
/* -1 and ENOENT for a device name no reader or thermometer uses. */
int	 sim_usb_device(struct hw_usb *, const char *name, bool up);

/*
 * wiegand-reader.c: what every GPIO backend does for a Wiegand reader
 * around the pure assembler and decoder of wiegand.c: feed it the kernel's
 * edge timestamps, decode a finished frame and report a card or a read
 * error, and keep a timer at the frame's deadline.  The backend owns the
 * timer's callback (it guards against close() from a callback) and calls
 * hw_wiegand_flush() from it.
 */
struct hw_wiegand {
	struct hw_wiegand_conf	 conf;
	struct wiegand		 w;
	struct event		*timer;		/* NULL: no timer (sim) */
};
void	 hw_wiegand_init(struct hw_wiegand *, const struct hw_wiegand_conf *);
/*
 * An edge on D0 (bit 0) or D1 (bit 1) at the kernel's ts_ns; reports the
 * frame before it when the edge came after a gap.  Both return what a
 * reported frame was (WIEGAND_OK: a card, else the enum wiegand_error
 * reported), or -1 when no frame ended.
 */
int	 hw_wiegand_edge(struct hw_wiegand *, int bit, int64_t ts_ns,
	     const struct hw_events *);
/* Reports the open frame when it has ended by now_ns (CLOCK_MONOTONIC). */
int	 hw_wiegand_flush(struct hw_wiegand *, int64_t now_ns,
	     const struct hw_events *);
/* Sets the timer to the open frame's deadline, or clears it. */
void	 hw_wiegand_arm(struct hw_wiegand *);

/*
 * debounce.c: a contact's raw edges in, clean changes out.  Pure: every
 * time comes from the caller (the kernel's edge timestamps).  A new level
 * becomes stable once it has held for period_ms; period 0 passes all.
 */
struct debounce {
	int		 stable;	/* the accepted level, 0 or 1 */
	int		 candidate;	/* the last raw level seen */
	bool		 pending;	/* candidate differs from stable */
	struct timespec	 since;		/* when candidate was first seen */
	int		 period_ms;
};
void	 debounce_init(struct debounce *, int value, int period_ms);
/* Feeds a raw level; 1 when stable changed, first seen at *changed_at. */
int	 debounce_feed(struct debounce *, int value, const struct timespec *,
	     struct timespec *changed_at);
/* Accepts a candidate that has held until now; 1 when stable changed. */
int	 debounce_expire(struct debounce *, const struct timespec *now,
	     struct timespec *changed_at);
/* When to call debounce_expire(): 0 and *when, or -1 if nothing pends. */
int	 debounce_deadline(const struct debounce *, struct timespec *when);
/* The same as a libevent timeout from now, rounded up to the microsecond:
 * 0 and *tv, or -1 if nothing pends. */
struct timeval;
int	 debounce_wait(const struct debounce *, const struct timespec *now,
	     struct timeval *tv);

/*
 * decode.c: the bytes USB devices send, turned into card numbers and
 * temperatures.  Pure functions of their input: no I/O, no clock; the
 * caller passes the time.  Documented in docs/devices.md.
 */
#define WEDGE_DIGITS_MAX	32	/* longer numbers are dropped whole */
#define WEDGE_GAP_MS		500	/* a pause this long drops a partial */
struct wedge {
	uint8_t		 held[6];	/* key codes of the previous report */
	char		 buf[WEDGE_DIGITS_MAX + 1];
	size_t		 len;
	bool		 bad;		/* a key that is not a digit, or too long */
	int64_t		 last_ms;	/* when the last key of buf came */
};
void	 wedge_init(struct wedge *);
/*
 * Feeds one boot-protocol keyboard report (modifier, reserved, 6 key codes;
 * shorter ones, such as zero-length packets, are ignored) seen at now_ms.
 * Only keys not held in the previous report count.  Returns 1 when Enter
 * ended a number, now in out (NUL-terminated, lower-case hex digits); -1
 * when Enter ended a number that cannot be one (a stray key, longer than
 * WEDGE_DIGITS_MAX, or one that does not fit outlen); 0 otherwise.
 */
int	 wedge_feed(struct wedge *, const uint8_t *report, size_t len,
	     int64_t now_ms, char *out, size_t outlen);
/*
 * Checks a number against a reader's format (hex or decimal digits, min to
 * max of them) and converts it: 0 and *uid, or -1 when it does not fit.
 */
int	 wedge_number(const char *, bool hex, int min_digits, int max_digits,
	     uint64_t *uid);

/* The 8-byte command that asks a TEMPer for a reading (SET_REPORT). */
extern const uint8_t	temper_query[8];
/*
 * Decodes a TEMPer reply: bytes 2-3, big-endian signed hundredths of a
 * degree C.  0 and *centi, or -1 for a short reply or the "no sensor"
 * value 0x4e20.
 */
int	 temper_decode(const uint8_t *, size_t, int *centi);

#define LINE_LEN_MAX	32	/* longer lines are dropped */
struct linebuf {
	char		 buf[LINE_LEN_MAX + 1];
	size_t		 len;
	bool		 overflow;	/* the current line is too long */
	unsigned long	 dropped;	/* garbage or overlong lines so far */
};
void	 line_init(struct linebuf *);
/*
 * Feeds bytes of an ASCII reading stream ("T=36.62\r\n", "36.6\n"), which
 * may split a line anywhere.  Returns 1 with the newest reading completed
 * in these bytes in *centi (hundredths of C), else 0; bad lines are
 * counted in dropped.
 */
int	 line_feed(struct linebuf *, const uint8_t *, size_t, int *centi);
/* Parses one line without its terminator: 0 and *centi, or -1. */
int	 line_parse(const char *, int *centi);

/*
 * usb.c: the libusb backend.  One libusb context runs inside the event
 * loop; hot-plug opens, claims and starts a configured device when it
 * appears and releases it when it goes, without a restart.  Its drivers
 * (usb-wedge.c, usb-temper.c, usb-line.c) use the calls below; they take
 * a struct usb_dev the core owns from open to release.  Nothing here
 * blocks; transfers are asynchronous and completions come from the loop.
 */
extern const struct hw_usb_ops	hw_libusb_ops;

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
