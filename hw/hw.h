/*
 * hw.h: the hardware backends behind two small tables of operations, one
 * for GPIO lines (relays, lamps, buzzer, buttons, contacts, loops) and one
 * for USB devices (card readers, thermometers).  The simulator implements
 * both.  This is all the agent sees of hw/: what each backend does inside
 * is in hw/'s own headers (usb-driver.h, debounce.h, decode.h,
 * wiegand-reader.h), which only hw/ includes.  Only hw/ includes <gpiod.h>
 * or <libusb.h>; nothing here knows about policy, and the agent knows a
 * line or device only by its index.
 */
#ifndef GATED_HW_H
#define GATED_HW_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "wiegand.h"

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
/* hw.c: usb.c's libusb core with the drivers of usb-*.c. */
extern const struct hw_usb_ops	hw_libusb_ops;
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

#endif
