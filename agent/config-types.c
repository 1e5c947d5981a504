/*
 * config.c: reads a gate's configuration file, checks all of it and builds
 * a struct gate_conf, or reports every error as "file:line: what is wrong";
 * a config with any error is never returned.  Scalar settings are described
 * by one table per section kind, and parsed, range-checked and printed in
 * one place, so `gated -nv` output loads back to the same configuration.
 */
#include <sys/types.h>
#include <sys/un.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

/* How a value is written and stored. */
enum conf_type {
	T_STRING,	/* free text, char[size] */
	T_PATH,		/* a path, relative ones resolved: char[size] */
	T_NAME,		/* 1-31 of [A-Za-z0-9._-], char[NAME_LEN] */
	T_BOOL,		/* yes no true false on off: bool */
	T_INT,		/* decimal: int or long */
	T_DURATION,	/* 500ms 4s 2m 1h: int milliseconds */
	T_TEMP,		/* 37.3: int hundredths of a degree */
	T_SIZE,		/* 512K 100M 2G: long KiB */
	T_PERCENT,	/* 10%: int percent */
	T_ENUM,		/* one word of choices: int index */
	T_CHOICE,	/* one word of choices: the word, char[size] */
	T_OPEN,		/* open or closed: bool */
	T_ZONES,	/* name list: zones[][NAME_LEN], count at off2 */
	T_ZONE,		/* a name of the zones list: uint8_t index */
	T_ADMIT,	/* all, or a list of categories: uint32_t mask */
	T_USBID,	/* VVVV:PPPP: two uint16_t at off and off2 */
	T_DIGITS,	/* N or N-M: two int at off and off2 */
	T_ALWAYS,	/* yes, and only yes: bool */
	T_ADDRS,	/* ADDRESS:PORT list: char[][64], count at off2 */
	T_HASH		/* sha256:64 hex digits: uint8_t[32] */
};

/* What a name refers to; checked once everything is parsed. */
enum conf_ref {
	REF_NONE,
	REF_OUTPUT,
	REF_INPUT,
	REF_LANE,
	REF_THERM,
	REF_DEVICE,
	REF_MODE
};

/* Variants of a section kind: lanes by kind, lines by direction. */
#define V_1	0x1
#define V_2	0x2
#define V_PED	V_1
#define V_VEH	V_2
#define V_OUT	V_1
#define V_IN	V_2
#define V_USB	V_1
#define V_WIEG	V_2

/* One key of a section: the whole description of a scalar setting. */
struct conf_key {
	const char		*name;
	enum conf_type		 type;
	size_t			 off, size, off2;
	long long		 min, max;	/* in the stored unit */
	const char		*def;		/* as written; NULL: none */
	const char		*def2;		/* default for variant 2 */
	unsigned		 only;		/* variants it is for, 0: all */
	unsigned		 required;	/* variants that must set it */
	enum conf_ref		 ref;
	const char *const	*choices;
	const char		*help;
};

#define F(s, f)		offsetof(struct s, f), sizeof(((struct s *)0)->f)
#define GATE(f)		F(gate_conf, f)
#define LINE(f)		F(line_conf, f)
#define DEVICE(f)	F(device_conf, f)
#define LANE(f)		F(lane_conf, f)
#define READER(f)	F(reader_conf, f)
#define THERM(f)	F(thermometer_conf, f)
#define MODE(f)		F(mode, f)
#define LEVEL(f)	F(level, f)
#define REMOTE(f)	F(gate_conf, remote.f)
#define TOKEN(f)	F(token_conf, f)

#define SEC(n)		(1000LL * (n))
#define MIN(n)		(60000LL * (n))
#define HOUR(n)		(3600000LL * (n))

static const char *const backends_gpio[] = { "sim", "gpiod", NULL };
static const char *const backends_usb[] = { "sim", "libusb", NULL };
static const char *const biases[] = {
	[BIAS_AS_IS] = "as-is", [BIAS_DISABLE] = "disable",
	[BIAS_PULL_UP] = "pull-up", [BIAS_PULL_DOWN] = "pull-down", NULL
};
static const char *const drivers[] = {
	"keyboard-wedge", "temper", "line", NULL
};
static const char *const lane_kinds[] = {
	[LANE_PEDESTRIAN] = "pedestrian", [LANE_VEHICLE] = "vehicle", NULL
};
static const char *const directions[] = {
	[DIR_IN] = "in", [DIR_OUT] = "out", NULL
};
static const char *const formats[] = {
	[FMT_DEC] = "dec", [FMT_HEX] = "hex", [FMT_W26] = "26",
	[FMT_W34] = "34", [FMT_W37] = "37", [FMT_WAUTO] = "auto",
	[FMT_WRAW] = "raw", NULL
};
static const char *const roles[] = {
	[ROLE_VIEWER] = "viewer", [ROLE_GUARD] = "guard",
	[ROLE_ADMIN] = "admin", NULL
};

static const struct conf_key gate_keys[] = {
	{ "id", T_NAME, GATE(id), 0, 0, 0, NULL, NULL, 0, ~0u, 0, NULL,
	  "the gate's id, in the journal and the API" },
	{ "name", T_STRING, GATE(name), 0, 0, 0, "", NULL, 0, 0, 0, NULL,
	  "a name for people" },
	{ "zones", T_ZONES, GATE(zones), offsetof(struct gate_conf, zone_count),
	  1, ZONES_MAX, NULL, NULL, 0, ~0u, 0, NULL,
	  "every zone of the campus, in the order of people's zone lists" },
	{ "inside", T_ZONE, GATE(inside), 0, 0, 0, NULL, NULL, 0, ~0u, 0,
	  NULL, "the zone this gate leads into" },
	{ "people", T_PATH, GATE(people_path), 0, 0, 0, NULL, NULL, 0, ~0u, 0,
	  NULL, "the people CSV" },
	{ "people-max-shrink", T_PERCENT, GATE(people_max_shrink), 0, 0, 100,
	  "10%", NULL, 0, 0, 0, NULL,
	  "a reload may drop at most this share of the people in use" },
	{ "state-dir", T_PATH, GATE(state_dir), 0, 0, 0, "/var/lib/gated",
	  NULL, 0, 0, 0, NULL, "where the journal lives" },
	{ "socket", T_PATH, GATE(socket_path), 0, 0, 0,
	  "/run/gated/control.sock", NULL, 0, 0, 0, NULL,
	  "the local control socket" },
	{ "socket-group", T_NAME, GATE(socket_group), 0, 0, 0, "gated", NULL,
	  0, 0, 0, NULL, "the group that may use the control socket" },
	{ "gpio-backend", T_CHOICE, GATE(gpio_backend), 0, 0, 0, "sim", NULL,
	  0, 0, 0, backends_gpio, "how GPIO lines are driven" },
	{ "usb-backend", T_CHOICE, GATE(usb_backend), 0, 0, 0, "sim", NULL,
	  0, 0, 0, backends_usb, "how USB devices are read" },
	{ "level", T_INT, GATE(initial_level), 0, 0, 9, "0", NULL, 0, 0, 0,
	  NULL, "the level at first start" },
	{ "temperature-min", T_TEMP, GATE(temp_min_centi), 0, 3000, 4000,
	  "34.0", NULL, 0, 0, 0, NULL, "lower readings are not a body" },
	{ "temperature-max", T_TEMP, GATE(temp_max_centi), 0, 3800, 4500,
	  "42.5", NULL, 0, 0, 0, NULL, "higher readings are not a body" },
	{ "temperature-fresh", T_DURATION, GATE(temp_fresh_ms), 0, 100,
	  MIN(5), "10s", NULL, 0, 0, 0, NULL,
	  "a reading this recent counts for a card" },
	{ "journal-max-rows", T_INT, GATE(journal_max_rows), 0, 0,
	  2000000000LL, "2000000", NULL, 0, 0, 0, NULL,
	  "keep at most this many events, 0: no limit" },
	{ "journal-max-days", T_INT, GATE(journal_max_days), 0, 0, 36500,
	  "400", NULL, 0, 0, 0, NULL,
	  "drop events older than this, 0: no limit" },
	{ "journal-warn-free", T_SIZE, GATE(journal_warn_free_kb), 0, 0,
	  1024LL * 1024 * 1024, "100M", NULL, 0, 0, 0, NULL,
	  "warn when the state file system has less free" },
	{ "emergency", T_NAME, GATE(emergency), 0, 0, 0, "", NULL, 0, 0,
	  REF_INPUT, NULL, "fire alarm input: every lane opens for egress" },
	{ "lock-button", T_NAME, GATE(lock_button), 0, 0, 0, "", NULL, 0, 0,
	  REF_INPUT, NULL, "guard's button: the gate closes" },
	{ "ack-button", T_NAME, GATE(ack_button), 0, 0, 0, "", NULL, 0, 0,
	  REF_INPUT, NULL, "guard's button: acknowledges every alert" },
	{ "lamp-green", T_NAME, GATE(lamp_green), 0, 0, 0, "", NULL, 0, 0,
	  REF_OUTPUT, NULL, "lamp: granted" },
	{ "lamp-red", T_NAME, GATE(lamp_red), 0, 0, 0, "", NULL, 0, 0,
	  REF_OUTPUT, NULL, "lamp: denied" },
	{ "lamp-amber", T_NAME, GATE(lamp_amber), 0, 0, 0, "", NULL, 0, 0,
	  REF_OUTPUT, NULL, "lamp: an alert is active" },
	{ "buzzer", T_NAME, GATE(buzzer), 0, 0, 0, "", NULL, 0, 0,
	  REF_OUTPUT, NULL, "buzzer: denied, alerts" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key line_keys[] = {
	{ "line", T_STRING, LINE(line), 0, 0, 0, "", NULL, 0, 0, 0, NULL,
	  "the kernel's name of the line" },
	{ "chip", T_STRING, LINE(chip), 0, 0, 0, "", NULL, 0, 0, 0, NULL,
	  "or a chip, with offset" },
	{ "offset", T_INT, LINE(offset), 0, 0, 1023, NULL, NULL, 0, 0, 0, NULL,
	  "the line's offset on chip" },
	{ "active-low", T_BOOL, LINE(active_low), 0, 0, 0, "no", NULL, 0, 0,
	  0, NULL, "the line is active when low" },
	{ "bias", T_ENUM, LINE(bias), 0, 0, 0, "as-is", NULL, V_IN, 0, 0,
	  biases, "pull resistor" },
	{ "debounce", T_DURATION, LINE(debounce_ms), 0, 0, SEC(1), "20ms",
	  NULL, V_IN, 0, 0, NULL, "a change counts once it held this long" },
	{ "safe", T_INT, LINE(safe_value), 0, 0, 1, "0", NULL, V_OUT, 0, 0,
	  NULL, "logical value at start, stop and on error" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key device_keys[] = {
	{ "driver", T_CHOICE, DEVICE(driver), 0, 0, 0, NULL, NULL, 0, ~0u, 0,
	  drivers, "how the device talks" },
	{ "usb", T_USBID, DEVICE(vendor), offsetof(struct device_conf, product),
	  0, 0, NULL, NULL, 0, ~0u, 0, NULL, "vendor:product, in hex" },
	{ "serial", T_STRING, DEVICE(serial), 0, 0, 0, "", NULL, 0, 0, 0, NULL,
	  "only the device with this serial number" },
	{ "port", T_STRING, DEVICE(port), 0, 0, 0, "", NULL, 0, 0, 0, NULL,
	  "only the device on this port, as bus-port.port" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key lane_keys[] = {
	{ "kind", T_ENUM, LANE(kind), 0, 0, 0, NULL, NULL, 0, ~0u, 0,
	  lane_kinds, "pedestrian or vehicle" },
	{ "open-time", T_DURATION, LANE(open_ms), 0, 100, MIN(5), "5s", "10s",
	  0, 0, 0, NULL, "how long a grant releases the door, or raises "
	  "the barrier when no vehicle comes" },
	{ "held-open", T_DURATION, LANE(held_open_ms), 0, SEC(1), HOUR(1),
	  "30s", NULL, V_PED, 0, 0, NULL, "door open longer: alert" },
	{ "close-timeout", T_DURATION, LANE(close_timeout_ms), 0, SEC(1),
	  HOUR(1), "60s", NULL, V_VEH, 0, 0, NULL,
	  "barrier lowered after this, once the loop is clear" },
	{ "temperature-wait", T_DURATION, LANE(temp_wait_ms), 0, 0, MIN(1),
	  "5s", NULL, 0, 0, 0, NULL, "how long a card waits for a reading" },
	{ "relay", T_NAME, LANE(relay), 0, 0, 0, "", NULL, V_PED, V_PED,
	  REF_OUTPUT, NULL, "door or turnstile release" },
	{ "barrier-raise", T_NAME, LANE(barrier_raise), 0, 0, 0, "", NULL,
	  V_VEH, V_VEH, REF_OUTPUT, NULL, "raises the barrier" },
	{ "barrier-lower", T_NAME, LANE(barrier_lower), 0, 0, 0, "", NULL,
	  V_VEH, 0, REF_OUTPUT, NULL, "lowers it, when it has its own line" },
	{ "door-contact", T_NAME, LANE(door_contact), 0, 0, 0, "", NULL,
	  V_PED, 0, REF_INPUT, NULL, "door position: forced, held open" },
	{ "exit-button", T_NAME, LANE(exit_button), 0, 0, 0, "", NULL, 0, 0,
	  REF_INPUT, NULL, "request to exit, inside" },
	{ "open-button", T_NAME, LANE(open_button), 0, 0, 0, "", NULL, 0, 0,
	  REF_INPUT, NULL, "guard's open-once button" },
	{ "loop", T_NAME, LANE(loop), 0, 0, 0, "", NULL, V_VEH, V_VEH,
	  REF_INPUT, NULL, "vehicle loop detector: the barrier interlock" },
	{ "thermometer", T_NAME, LANE(thermometer), 0, 0, 0, "", NULL, 0, 0,
	  REF_THERM, NULL, "where entry temperatures come from" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key reader_keys[] = {
	{ "lane", T_NAME, READER(lane), 0, 0, 0, NULL, NULL, 0, ~0u, REF_LANE,
	  NULL, "the lane it admits to" },
	{ "direction", T_ENUM, READER(dir), 0, 0, 0, NULL, NULL, 0, ~0u, 0,
	  directions, "in or out" },
	{ "format", T_ENUM, READER(format), 0, 0, 0, "dec", "auto", 0, 0, 0,
	  formats, "USB: dec or hex; Wiegand: 26, 34, 37, auto or raw" },
	{ "digits", T_DIGITS, READER(min_digits),
	  offsetof(struct reader_conf, max_digits), 1, 20, "1-20", NULL,
	  V_USB, 0, 0, NULL, "how many digits a card number has" },
	{ "device", T_NAME, READER(device), 0, 0, 0, "", NULL, V_USB, 0,
	  REF_DEVICE, NULL, "the USB device" },
	{ "wiegand-d0", T_NAME, READER(wiegand_d0), 0, 0, 0, NULL, NULL,
	  V_WIEG, V_WIEG, REF_INPUT, NULL, "the input wired to D0" },
	{ "wiegand-d1", T_NAME, READER(wiegand_d1), 0, 0, 0, NULL, NULL,
	  V_WIEG, V_WIEG, REF_INPUT, NULL, "the input wired to D1" },
	{ "facility", T_INT, READER(facility), 0, -1, 65535, "-1", NULL,
	  V_WIEG, 0, 0, NULL, "the facility code cards must carry, -1: any" },
	{ "bit-gap", T_DURATION, READER(bit_gap_ms), 0, 2, SEC(1), "25ms",
	  NULL, V_WIEG, 0, 0, NULL,
	  "a pause this long between pulses ends a frame" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key therm_keys[] = {
	{ "lane", T_NAME, THERM(lane), 0, 0, 0, NULL, NULL, 0, ~0u, REF_LANE,
	  NULL, "the lane it measures" },
	{ "offset", T_TEMP, THERM(offset_centi), 0, -500, 500, "0.0", NULL,
	  0, 0, 0, NULL, "calibration, added to every reading" },
	{ "device", T_NAME, THERM(device), 0, 0, 0, "", NULL, 0, 0,
	  REF_DEVICE, NULL, "the USB device" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key mode_keys[] = {
	{ "pedestrian", T_OPEN, MODE(pedestrian_open), 0, 0, 0, "open", NULL,
	  0, 0, 0, NULL, "pedestrian lanes open or closed" },
	{ "vehicle", T_OPEN, MODE(vehicle_open), 0, 0, 0, "open", NULL, 0, 0,
	  0, NULL, "vehicle lanes open or closed" },
	{ "admit", T_ADMIT, MODE(admit), 0, 0, 0, "all", NULL, 0, 0, 0, NULL,
	  "the categories let through" },
	{ "residents-only", T_BOOL, MODE(residents_only), 0, 0, 0, "no", NULL,
	  0, 0, 0, NULL, "entry only for people whose home is inside" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key level_keys[] = {
	{ "name", T_STRING, LEVEL(name), 0, 0, 0, NULL, NULL, 0, 0, 0, NULL,
	  "a name for people" },
	{ "mode", T_NAME, LEVEL(mode), 0, 0, 0, NULL, NULL, 0, ~0u, REF_MODE,
	  NULL, "the mode the gate takes" },
	{ "temperature-check", T_BOOL, LEVEL(measures.temperature_check), 0,
	  0, 0, NULL, NULL, 0, 0, 0, NULL, "entry needs a temperature" },
	{ "fever", T_TEMP, LEVEL(measures.fever_centi), 0, 3500, 4000, NULL,
	  NULL, 0, 0, 0, NULL, "this or more is a fever" },
	{ "refuse-outsiders", T_BOOL, LEVEL(measures.refuse_outsiders), 0, 0,
	  0, NULL, NULL, 0, 0, 0, NULL, "contractors and visitors refused" },
	{ "refuse-outside-vehicles", T_BOOL,
	  LEVEL(measures.refuse_outside_vehicles), 0, 0, 0, NULL, NULL, 0, 0,
	  0, NULL, "unregistered vehicles refused" },
	{ "restrict-students", T_BOOL, LEVEL(measures.restrict_students), 0,
	  0, 0, NULL, NULL, 0, 0, 0, NULL, "students neither in nor out" },
	{ "quarantine", T_ALWAYS, LEVEL(measures.quarantine), 0, 0, 0, NULL,
	  NULL, 0, 0, 0, NULL, "people in quarantine refused: always" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

/* The remote API: a TLS listener; its keys live in gate_conf.remote. */
static const struct conf_key remote_keys[] = {
	{ "listen", T_ADDRS, REMOTE(listen),
	  offsetof(struct gate_conf, remote.listen_count), 1, LISTEN_MAX, NULL,
	  NULL, 0, ~0u, 0, NULL, "addresses and ports to serve TLS on" },
	{ "certificate", T_PATH, REMOTE(certificate), 0, 0, 0, NULL, NULL, 0,
	  ~0u, 0, NULL, "the server's certificate chain, PEM" },
	{ "key", T_PATH, REMOTE(key), 0, 0, 0, NULL, NULL, 0, ~0u, 0, NULL,
	  "the server's private key, PEM" },
	{ "client-ca", T_PATH, REMOTE(client_ca), 0, 0, 0, "", NULL, 0, 0, 0,
	  NULL, "when set, clients need a certificate this CA signed" },
	{ "max-connections", T_INT, REMOTE(max_connections), 0, 1, 4096, "64",
	  NULL, 0, 0, 0, NULL, "connections at once; more wait" },
	{ "max-per-address", T_INT, REMOTE(max_per_address), 0, 1, 4096, "8",
	  NULL, 0, 0, 0, NULL, "connections at once from one client address" },
	{ "timeout", T_DURATION, REMOTE(timeout_ms), 0, SEC(1), MIN(10),
	  "30s", NULL, 0, 0, 0, NULL, "a client this slow is dropped" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

static const struct conf_key token_keys[] = {
	{ "role", T_ENUM, TOKEN(role), 0, 0, 0, NULL, NULL, 0, ~0u, 0, roles,
	  "viewer, guard or admin" },
	{ "hash", T_HASH, TOKEN(hash), 0, 0, 0, NULL, NULL, 0, ~0u, 0, NULL,
	  "sha256: and the SHA-256 of the token, in hex" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL }
};

enum section_id {
	S_GATE, S_OUTPUT, S_INPUT, S_DEVICE, S_LANE, S_READER, S_THERM,
	S_MODE, S_LEVEL, S_REMOTE, S_TOKEN
};

/* A section kind: its keys, and how many of it a gate may have. */
struct section_kind {
	enum section_id		 id;
	const char		*name;
	const struct conf_key	*keys;
	int			 max;
	const char		*variant_key;	/* its value picks the variant */
	const char		*variant_names[2];
};

static const struct section_kind sections[] = {
	{ S_GATE, "gate", gate_keys, 1, NULL, { NULL, NULL } },
	{ S_OUTPUT, "output", line_keys, LINES_MAX, NULL,
	  { "outputs", "inputs" } },
	{ S_INPUT, "input", line_keys, LINES_MAX, NULL,
	  { "outputs", "inputs" } },
	{ S_DEVICE, "device", device_keys, DEVICES_MAX, NULL, { NULL, NULL } },
	{ S_LANE, "lane", lane_keys, LANES_MAX, "kind",
	  { "pedestrian lanes", "vehicle lanes" } },
	{ S_READER, "reader", reader_keys, READERS_MAX, NULL,
	  { "USB readers", "Wiegand readers" } },
	{ S_THERM, "thermometer", therm_keys, THERMS_MAX, NULL,
	  { NULL, NULL } },
	{ S_MODE, "mode", mode_keys, MODES_MAX, NULL, { NULL, NULL } },
	{ S_LEVEL, "level", level_keys, LEVELS_MAX, NULL, { NULL, NULL } },
	{ S_REMOTE, "remote", remote_keys, 1, NULL, { NULL, NULL } },
	{ S_TOKEN, "token", token_keys, TOKENS_MAX, NULL, { NULL, NULL } },
};
#define SECTION_KINDS	((int)(sizeof sections / sizeof sections[0]))

/* ---- loading ----------------------------------------------------------- */

struct conf_entry {
	char	*key;
	char	*value;
	int	 line;
	bool	 bad;		/* its value was wrong: checks skip it */
};

/* A section as read, kept until the cross-references are checked. */
struct conf_section {
	const struct section_kind *kind;	/* NULL: unknown, skipped */
	char		 name[64];
	int		 line;
	bool		 counted;	/* has a place in the gate_conf */
	unsigned	 variant;
	void		*target;
	struct conf_entry *entries;
	int		 nentries;
};

struct conf_error {
	int	 line;
	int	 seq;
	char	*text;
};

/* Everything one load needs; freed as a whole when it ends. */
struct conf_load {
	const char		*file;		/* as given, for messages */
	char			 dir[PATH_MAX];	/* the file's, absolute */
	struct gate_conf	*gc;
	struct conf_section	*secs;
	int			 nsecs;
	struct conf_error	*errs;
	int			 nerrs;
	void			*scratch;	/* target of rejected sections */
};

static void	conf_error(struct conf_load *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Records one error; line 0 is an error about the whole file. */
static void
conf_error(struct conf_load *cl, int line, const char *fmt, ...)
{
	struct conf_error	*e;
	va_list			 ap;

	cl->errs = xreallocarray(cl->errs, cl->nerrs + 1, sizeof *cl->errs);
	e = &cl->errs[cl->nerrs];
	e->line = line;
	e->seq = cl->nerrs++;
	va_start(ap, fmt);
	if (vasprintf(&e->text, fmt, ap) == -1)
		fatal("vasprintf");
	va_end(ap);
}

/* Copies a string that is known to fit. */
static void
copy(char *dst, size_t size, const char *src)
{
	size_t	n;

	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Whether s is a name: 1-31 of letters, digits, '.', '_', '-'. */
static bool
valid_name(const char *s)
{
	size_t	n;

	n = strlen(s);
	if (n == 0 || n >= NAME_LEN)
		return (false);
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return (false);
	}
	return (true);
}

/* A decimal number, whole string; -1 when it is not one or too large. */
static int
parse_number(const char *s, long long *v, const char **end)
{
	const char	*p = s;
	long long	 n = 0;

	if (!isdigit((unsigned char)*p))
		return (-1);
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (LLONG_MAX - 9) / 10)
			return (-1);
		n = n * 10 + (*p - '0');
	}
	*v = n;
	if (end != NULL)
		*end = p;
	else if (*p != '\0')
		return (-1);
	return (0);
}

struct unit {
	const char	*name;
	long long	 scale;
};

/* A number followed by exactly one of the units, scaled; -1 if not. */
static int
parse_scaled(const char *s, const struct unit *units, size_t count,
    long long *v)
{
	const char	*end;
	long long	 n;
	size_t		 i;

	if (parse_number(s, &n, &end) != 0)
		return (-1);
	for (i = 0; i < count; i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (n > LLONG_MAX / units[i].scale)
			return (-1);
		*v = n * units[i].scale;
		return (0);
	}
	return (-1);
}

/* "500ms", "4s", "2m", "1h": milliseconds.  A bare number is refused. */
static int
parse_duration(const char *s, long long *v)
{
	static const struct unit units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }
	};

	return (parse_scaled(s, units, sizeof units / sizeof units[0], v));
}

/* "512K", "100M", "2G", "1T": KiB.  A bare number is refused. */
static int
parse_size(const char *s, long long *v)
{
	static const struct unit units[] = {
		{ "K", 1 }, { "M", 1024 }, { "G", 1024 * 1024 },
		{ "T", 1024LL * 1024 * 1024 }
	};

	return (parse_scaled(s, units, sizeof units / sizeof units[0], v));
}

/* "37.3", "-0.25", "40": hundredths of a degree. */
static int
parse_temp(const char *s, long long *v)
{
	const char	*p = s, *end;
	long long	 whole, frac = 0;
	int		 sign = 1;

	if (*p == '-' || *p == '+')
		sign = (*p++ == '-') ? -1 : 1;
	if (parse_number(p, &whole, &end) != 0 || end - p > 3)
		return (-1);
	if (*end == '.') {
		p = end + 1;
		if (!isdigit((unsigned char)p[0]))
			return (-1);
		frac = (p[0] - '0') * 10;
		if (isdigit((unsigned char)p[1])) {
			frac += p[1] - '0';
			end = p + 2;
		} else
			end = p + 1;
	}
	if (*end != '\0')
		return (-1);
	*v = sign * (whole * 100 + frac);
	return (0);
}

static int
parse_bool(const char *s, bool *v)
{
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 ||
	    strcmp(s, "on") == 0)
		*v = true;
	else if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0 ||
	    strcmp(s, "off") == 0)
		*v = false;
	else
		return (-1);
	return (0);
}

/* The index of word in a NULL-terminated list, or -1. */
static int
choice_index(const char *const *choices, const char *word)
{
	int	i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(choices[i], word) == 0)
			return (i);
	}
	return (-1);
}

/* "a, b or c" for messages. */
static void
choice_list(const char *const *choices, char *buf, size_t size)
{
	size_t	len = 0;
	int	i;

	buf[0] = '\0';
	for (i = 0; choices[i] != NULL && len < size; i++) {
		len += snprintf(buf + len, size - len, "%s%s", i == 0 ? "" :
		    choices[i + 1] == NULL ? " or " : ", ", choices[i]);
	}
}

/* Splits a list on spaces and commas, in place; the number of words. */
static int
split_words(char *s, char **words, int max)
{
	char	*w;
	int	 n = 0;

	while ((w = strsep(&s, " \t,")) != NULL) {
		if (*w == '\0')
			continue;
		if (n == max)
			return (max + 1);
		words[n++] = w;
	}
	return (n);
}

/*
 * "127.0.0.1:8443", "[::1]:8443" or "*:8443": a numeric address (a name
 * would need the resolver at start) and a port.  0, or -1 with why.
 */
static int
parse_listen(const char *s, const char **why)
{
	char		 host[64], addr[16];
	const char	*colon;
	long long	 port;
	size_t		 n;

	if ((colon = strrchr(s, ':')) == NULL || colon == s) {
		*why = "is not ADDRESS:PORT";
		return (-1);
	}
	if (parse_number(colon + 1, &port, NULL) != 0 || port < 1 ||
	    port > 65535) {
		*why = "has no port from 1 to 65535";
		return (-1);
	}
	n = colon - s;
	if (n >= sizeof host) {
		*why = "is too long";
		return (-1);
	}
	memcpy(host, s, n);
	host[n] = '\0';
	if (strcmp(host, "*") == 0)
		return (0);
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) == 1)
			return (0);
	} else if (inet_pton(AF_INET, host, addr) == 1)
		return (0);
	*why = "is not an IPv4 address, [IPv6] address or * and a port";
	return (-1);
}

/* "sha256:" and 64 hex digits into 32 bytes. */
static int
parse_hash(const char *s, uint8_t *out)
{
	unsigned int	v;
	int		i;

	if (strncmp(s, "sha256:", 7) != 0)
		return (-1);
	s += 7;
	if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
		return (-1);
	for (i = 0; i < 32; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return (-1);
		out[i] = (uint8_t)v;
	}
	return (0);
}

/* Formats a stored number the way the type is written. */
static void
format_value(enum conf_type type, long long v, char *buf, size_t size)
{
	long long	 a;

	switch (type) {
	case T_DURATION:
		if (v != 0 && v % 3600000 == 0)
			snprintf(buf, size, "%lldh", v / 3600000);
		else if (v != 0 && v % 60000 == 0)
			snprintf(buf, size, "%lldm", v / 60000);
		else if (v % 1000 == 0)
			snprintf(buf, size, "%llds", v / 1000);
		else
			snprintf(buf, size, "%lldms", v);
		break;
	case T_SIZE:
		if (v != 0 && v % (1024LL * 1024 * 1024) == 0)
			snprintf(buf, size, "%lldT", v / (1024LL * 1024 * 1024));
		else if (v != 0 && v % (1024 * 1024) == 0)
			snprintf(buf, size, "%lldG", v / (1024 * 1024));
		else if (v != 0 && v % 1024 == 0)
			snprintf(buf, size, "%lldM", v / 1024);
		else
			snprintf(buf, size, "%lldK", v);
		break;
	case T_PERCENT:
		snprintf(buf, size, "%lld%%", v);
		break;
	case T_TEMP:
		a = v < 0 ? -v : v;
		if (a % 10 == 0)
			snprintf(buf, size, "%s%lld.%lld", v < 0 ? "-" : "",
			    a / 100, (a % 100) / 10);
		else
			snprintf(buf, size, "%s%lld.%02lld", v < 0 ? "-" : "",
			    a / 100, a % 100);
		break;
	default:
		snprintf(buf, size, "%lld", v);
		break;
	}
}

/* Numbers live in int or long fields; the table's size says which. */
static long long
get_int(const void *p, size_t size)
{
	int	i;
	long	l;

	if (size == sizeof(long) && size != sizeof(int)) {
		memcpy(&l, p, sizeof l);
		return (l);
	}
	memcpy(&i, p, sizeof i);
	return (i);
}

static void
put_int(void *p, size_t size, long long v)
{
	int	i = (int)v;
	long	l = (long)v;

	if (size == sizeof(long) && size != sizeof(int))
		memcpy(p, &l, sizeof l);
	else
		memcpy(p, &i, sizeof i);
}

/*
 * Parses one value of a key into the object at base: the one place where
 * values are checked.  Returns 0, or -1 with the error recorded.
 */
static int
conf_set(struct conf_load *cl, const struct conf_key *k, void *base,
    const char *value, int line)
{
	char		*dst = (char *)base + k->off, *copyv, *words[ZONES_MAX + 1];
	char		 lo[32], hi[32], list[128], path[PATH_MAX];
	const char	*end;
	long long	 v = 0, v2 = 0;
	bool		 b;
	int		 i, j, n, c;
	uint32_t	 mask;
	unsigned int	 vendor, product;

	if (*value == '\0') {
		conf_error(cl, line, "%s: missing value", k->name);
		return (-1);
	}
	switch (k->type) {
	case T_STRING:
		for (i = 0; value[i] != '\0'; i++) {
			if (iscntrl((unsigned char)value[i])) {
				conf_error(cl, line, "%s: control character "
				    "in value", k->name);
				return (-1);
			}
		}
		if (strlen(value) >= k->size) {
			conf_error(cl, line, "%s: too long (at most %zu "
			    "characters)", k->name, k->size - 1);
			return (-1);
		}
		copy(dst, k->size, value);
		return (0);
	case T_PATH:
		if (value[0] == '/')
			n = snprintf(path, sizeof path, "%s", value);
		else {
			if (strncmp(value, "./", 2) == 0)
				value += 2;
			n = snprintf(path, sizeof path, "%s/%s", cl->dir,
			    value);
		}
		if (n < 0 || (size_t)n >= k->size) {
			conf_error(cl, line, "%s: path too long", k->name);
			return (-1);
		}
		copy(dst, k->size, path);
		return (0);
	case T_NAME:
		if (!valid_name(value)) {
			conf_error(cl, line, "%s: '%s' is not a name (1-31 "
			    "letters, digits, '.', '_' or '-')", k->name,
			    value);
			return (-1);
		}
		copy(dst, k->size, value);
		return (0);
	case T_BOOL:
		if (parse_bool(value, &b) != 0) {
			conf_error(cl, line, "%s: '%s' is not yes or no",
			    k->name, value);
			return (-1);
		}
		memcpy(dst, &b, sizeof b);
		return (0);
	case T_ALWAYS:
		if (parse_bool(value, &b) != 0) {
			conf_error(cl, line, "%s: '%s' is not yes or no",
			    k->name, value);
			return (-1);
		}
		if (!b) {
			conf_error(cl, line, "%s: cannot be turned off "
			    "(quarantine is always enforced)", k->name);
			return (-1);
		}
		memcpy(dst, &b, sizeof b);
		return (0);
	case T_OPEN:
		if (strcmp(value, "open") == 0)
			b = true;
		else if (strcmp(value, "closed") == 0)
			b = false;
		else {
			conf_error(cl, line, "%s: '%s' is not open or closed",
			    k->name, value);
			return (-1);
		}
		memcpy(dst, &b, sizeof b);
		return (0);
	case T_ENUM:
	case T_CHOICE:
		if ((i = choice_index(k->choices, value)) == -1) {
			choice_list(k->choices, list, sizeof list);
			conf_error(cl, line, "%s: '%s' is not %s", k->name,
			    value, list);
			return (-1);
		}
		if (k->type == T_CHOICE)
			copy(dst, k->size, value);
		else
			put_int(dst, k->size, i);
		return (0);
	case T_INT:
		if (value[0] == '-' && parse_number(value + 1, &v, NULL) == 0)
			v = -v;
		else if (parse_number(value, &v, NULL) != 0) {
			conf_error(cl, line, "%s: '%s' is not a whole number",
			    k->name, value);
			return (-1);
		}
		break;
	case T_DURATION:
		if (parse_duration(value, &v) != 0) {
			conf_error(cl, line, "%s: '%s' is not a duration "
			    "(use 500ms, 4s, 2m)", k->name, value);
			return (-1);
		}
		break;
	case T_TEMP:
		if (parse_temp(value, &v) != 0) {
			conf_error(cl, line, "%s: '%s' is not a temperature "
			    "(use 37.3)", k->name, value);
			return (-1);
		}
		break;
	case T_PERCENT:
		if (parse_number(value, &v, &end) != 0 || (*end != '\0' &&
		    strcmp(end, "%") != 0)) {
			conf_error(cl, line, "%s: '%s' is not a percentage "
			    "(use 10%%)", k->name, value);
			return (-1);
		}
		break;
	case T_SIZE:
		if (parse_size(value, &v) != 0) {
			conf_error(cl, line, "%s: '%s' is not a size "
			    "(use 512K, 100M, 2G)", k->name, value);
			return (-1);
		}
		break;
	case T_ZONES:
		copyv = xstrdup(value);
		n = split_words(copyv, words, ZONES_MAX);
		if (n > ZONES_MAX) {
			conf_error(cl, line, "%s: too many zones (at most %d)",
			    k->name, ZONES_MAX);
			free(copyv);
			return (-1);
		}
		for (i = 0; i < n; i++) {
			if (!valid_name(words[i])) {
				conf_error(cl, line, "%s: '%s' is not a name "
				    "(1-31 letters, digits, '.', '_' or '-')",
				    k->name, words[i]);
				free(copyv);
				return (-1);
			}
			for (j = 0; j < i; j++) {
				if (strcmp(words[i], words[j]) != 0)
					continue;
				conf_error(cl, line, "%s: '%s' is listed "
				    "twice", k->name, words[i]);
				free(copyv);
				return (-1);
			}
		}
		for (i = 0; i < n; i++)
			copy(dst + i * NAME_LEN, NAME_LEN, words[i]);
		put_int((char *)base + k->off2, sizeof(int), n);
		free(copyv);
		return (0);
	case T_ZONE:
		if (((struct gate_conf *)base)->zone_count == 0)
			return (-1);	/* zones is wrong or missing */
		if ((i = config_find_zone(base, value)) == -1) {
			conf_error(cl, line, "%s: '%s' is not one of the "
			    "zones", k->name, value);
			return (-1);
		}
		*(uint8_t *)dst = (uint8_t)i;
		return (0);
	case T_ADMIT:
		copyv = xstrdup(value);
		n = split_words(copyv, words, ZONES_MAX);
		mask = 0;
		for (i = 0; i < n && i < ZONES_MAX; i++) {
			if (strcmp(words[i], "all") == 0)
				mask |= CAT_ALL;
			else if ((c = category_from_name(words[i])) != -1)
				mask |= 1u << c;
			else {
				conf_error(cl, line, "%s: '%s' is not all or "
				    "a category", k->name, words[i]);
				free(copyv);
				return (-1);
			}
		}
		free(copyv);
		if (mask == 0) {
			conf_error(cl, line, "%s: names no category", k->name);
			return (-1);
		}
		memcpy(dst, &mask, sizeof mask);
		return (0);
	case T_ADDRS:
		copyv = xstrdup(value);
		n = split_words(copyv, words, ZONES_MAX);
		if (n > k->max) {
			conf_error(cl, line, "%s: too many addresses (at most "
			    "%lld)", k->name, k->max);
			free(copyv);
			return (-1);
		}
		for (i = 0; i < n; i++) {
			const char	*why;

			if (parse_listen(words[i], &why) != 0) {
				conf_error(cl, line, "%s: '%s' %s", k->name,
				    words[i], why);
				free(copyv);
				return (-1);
			}
			for (j = 0; j < i; j++) {
				if (strcmp(words[i], words[j]) != 0)
					continue;
				conf_error(cl, line, "%s: '%s' is listed "
				    "twice", k->name, words[i]);
				free(copyv);
				return (-1);
			}
		}
		for (i = 0; i < n; i++)
			copy(dst + i * 64, 64, words[i]);
		put_int((char *)base + k->off2, sizeof(int), n);
		free(copyv);
		return (0);
	case T_HASH:
		if (parse_hash(value, (uint8_t *)dst) != 0) {
			conf_error(cl, line, "%s: not sha256: and 64 hex "
			    "digits (gatectl token new makes one)", k->name);
			return (-1);
		}
		return (0);
	case T_USBID:
		if (strlen(value) != 9 || value[4] != ':' ||
		    strspn(value, "0123456789abcdefABCDEF:") != 9 ||
		    sscanf(value, "%4x:%4x", &vendor, &product) != 2) {
			conf_error(cl, line, "%s: '%s' is not vendor:product "
			    "(use 413d:2107)", k->name, value);
			return (-1);
		}
		*(uint16_t *)dst = (uint16_t)vendor;
		*(uint16_t *)((char *)base + k->off2) = (uint16_t)product;
		return (0);
	case T_DIGITS:
		copyv = xstrdup(value);
		n = 0;
		if ((dst = strchr(copyv, '-')) != NULL)
			*dst++ = '\0';
		if (parse_number(copyv, &v, NULL) == 0 && (dst == NULL ||
		    parse_number(dst, &v2, NULL) == 0)) {
			if (dst == NULL)
				v2 = v;
			if (v >= k->min && v <= v2 && v2 <= k->max)
				n = 1;
		}
		free(copyv);
		if (!n) {
			conf_error(cl, line, "%s: '%s' is not N or N-M with "
			    "%lld <= N <= M <= %lld", k->name, value, k->min,
			    k->max);
			return (-1);
		}
		put_int((char *)base + k->off, sizeof(int), v);
		put_int((char *)base + k->off2, sizeof(int), v2);
		return (0);
	}

	/* The numbers: one range check for all of them. */
	if (v < k->min || v > k->max) {
		format_value(k->type, k->min, lo, sizeof lo);
		format_value(k->type, k->max, hi, sizeof hi);
		conf_error(cl, line, "%s: %s is out of range (%s to %s)",
		    k->name, value, lo, hi);
		return (-1);
	}
	put_int(dst, k->size, v);
	return (0);
}

/* The place of a new section of this kind, or NULL when there is none. */
static void *
conf_target(struct conf_load *cl, const struct section_kind *sk)
{
	struct gate_conf	*gc = cl->gc;
	int			 n;

	switch (sk->id) {
	case S_GATE:
		return (gc);
	case S_OUTPUT:
	case S_INPUT:
		if (gc->line_count == LINES_MAX)
			return (NULL);
		return (&gc->lines[gc->line_count++]);
	case S_DEVICE:
		if (gc->device_count == DEVICES_MAX)
			return (NULL);
		return (&gc->devices[gc->device_count++]);
	case S_LANE:
		if (gc->lane_count == LANES_MAX)
			return (NULL);
		return (&gc->lanes[gc->lane_count++]);
	case S_READER:
		if (gc->reader_count == READERS_MAX)
			return (NULL);
		return (&gc->readers[gc->reader_count++]);
	case S_THERM:
		if (gc->therm_count == THERMS_MAX)
			return (NULL);
		return (&gc->therms[gc->therm_count++]);
	case S_MODE:
		if (gc->mode_count == MODES_MAX)
			return (NULL);
		return (&gc->modes[gc->mode_count++]);
	case S_LEVEL:
		n = gc->level_count;
		if (n == LEVELS_MAX)
			return (NULL);
		gc->level_count++;
		return (&gc->levels[n]);
	case S_REMOTE:
		return (gc);
	case S_TOKEN:
		if (gc->token_count == TOKENS_MAX)
			return (NULL);
		return (&gc->tokens[gc->token_count++]);
	}
	return (NULL);
}

/* What a section starts as, before its keys: names and the preset values. */
static void
conf_init(struct conf_section *cs, void *target)
{
	struct line_conf	*lc;
	struct mode		*m;
	struct level		*lv;

	switch (cs->kind->id) {
	case S_GATE:
		((struct gate_conf *)target)->alert_ack_required = 1;
		break;
	case S_OUTPUT:
	case S_INPUT:
		lc = target;
		copy(lc->name, sizeof lc->name, cs->name);
		lc->dir = cs->kind->id == S_OUTPUT ? LINE_OUTPUT : LINE_INPUT;
		lc->offset = -1;
		break;
	case S_DEVICE:
		copy(((struct device_conf *)target)->name, NAME_LEN, cs->name);
		break;
	case S_LANE:
		copy(((struct lane_conf *)target)->name, NAME_LEN, cs->name);
		break;
	case S_READER:
		copy(((struct reader_conf *)target)->name, NAME_LEN, cs->name);
		break;
	case S_THERM:
		copy(((struct thermometer_conf *)target)->name, NAME_LEN,
		    cs->name);
		break;
	case S_MODE:
		m = target;
		copy(m->name, sizeof m->name, cs->name);
		m->builtin = false;
		break;
	case S_LEVEL:
		lv = target;
		lv->number = atoi(cs->name);
		snprintf(lv->name, sizeof lv->name, "level %d", lv->number);
		policy_default_measures(&lv->measures);
		break;
	case S_REMOTE:
		((struct gate_conf *)target)->remote.enabled = true;
		break;
	case S_TOKEN:
		copy(((struct token_conf *)target)->name, NAME_LEN, cs->name);
		break;
	}
}

/* The entry of a key in a section, or NULL. */
static struct conf_entry *
conf_entry(const struct conf_section *cs, const char *key)
{
	int	i;

	for (i = 0; i < cs->nentries; i++) {
		if (strcmp(cs->entries[i].key, key) == 0)
			return (&cs->entries[i]);
	}
	return (NULL);
}

/* The table entry of a key, or NULL. */
static const struct conf_key *
conf_key(const struct section_kind *sk, const char *name)
{
	const struct conf_key	*k;

	for (k = sk->keys; k->name != NULL; k++) {
		if (strcmp(k->name, name) == 0)
			return (k);
	}
	return (NULL);
}

/* Applies one key: its value if set, else its default. */
static void
conf_apply(struct conf_load *cl, struct conf_section *cs,
    const struct conf_key *k)
{
	struct conf_entry	*e;
	const char		*def;
	int			 vi;

	vi = cs->variant == V_2 ? 1 : 0;
	e = conf_entry(cs, k->name);
	if (e != NULL) {
		if (k->only != 0 && cs->variant != 0 &&
		    (k->only & cs->variant) == 0) {
			conf_error(cl, e->line, "%s: only for %s", k->name,
			    cs->kind->variant_names[vi == 0]);
			e->bad = true;
			return;
		}
		if (conf_set(cl, k, cs->target, e->value, e->line) != 0)
			e->bad = true;
		return;
	}
	if (k->only != 0 && (k->only & cs->variant) == 0)
		return;
	/* A section refused at its header has had its error already. */
	if (cs->counted && ((k->required & cs->variant) != 0 ||
	    k->required == ~0u)) {
		conf_error(cl, cs->line, "[%s%s%s]: %s is required",
		    cs->kind->name, cs->name[0] != '\0' ? " " : "", cs->name,
		    k->name);
		return;
	}
	def = (vi == 1 && k->def2 != NULL) ? k->def2 : k->def;
	if (def == NULL)
		return;
	if (*def == '\0')
		memset((char *)cs->target + k->off, 0, k->size);
	else if (conf_set(cl, k, cs->target, def, cs->line) != 0)
		fatalx("%s: bad default for %s", __func__, k->name);
}

/* Fills a section's object from its keys, in table order. */
static void
conf_section_apply(struct conf_load *cl, struct conf_section *cs)
{
	const struct section_kind	*sk = cs->kind;
	const struct conf_key		*k, *vk = NULL;
	const struct conf_entry		*e;
	int				 i, j, v;

	/* A duplicate key is an error, and the first one counts. */
	for (i = 0; i < cs->nentries; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(cs->entries[i].key, cs->entries[j].key) == 0)
				break;
		}
		if (j < i) {
			conf_error(cl, cs->entries[i].line, "%s: duplicate "
			    "key (first at line %d)", cs->entries[i].key,
			    cs->entries[j].line);
			cs->entries[i].key[0] = '\0';
		} else if (*cs->entries[i].key != '\0' &&
		    conf_key(sk, cs->entries[i].key) == NULL)
			conf_error(cl, cs->entries[i].line, "unknown key '%s' "
			    "in [%s]", cs->entries[i].key, sk->name);
	}

	conf_init(cs, cs->target);
	if (sk->id == S_OUTPUT)
		cs->variant = V_OUT;
	else if (sk->id == S_INPUT)
		cs->variant = V_IN;
	else if (sk->id == S_READER)
		cs->variant = conf_entry(cs, "wiegand-d0") != NULL ||
		    conf_entry(cs, "wiegand-d1") != NULL ? V_WIEG : V_USB;
	else if (sk->variant_key != NULL) {
		/* The variant key goes first: the others depend on it. */
		vk = conf_key(sk, sk->variant_key);
		conf_apply(cl, cs, vk);
		e = conf_entry(cs, vk->name);
		if (e != NULL && choice_index(vk->choices, e->value) != -1) {
			v = (int)get_int((char *)cs->target + vk->off,
			    vk->size);
			cs->variant = v == 0 ? V_1 : V_2;
		}
	}
	for (k = sk->keys; k->name != NULL; k++) {
		if (k != vk)
			conf_apply(cl, cs, k);
	}
}

/* Checks a section header and finds its object; one error if it is bad. */
static void
conf_section_header(struct conf_load *cl, struct conf_section *cs)
{
	const struct section_kind	*sk = cs->kind;
	struct conf_section		*o;
	const char			*name = cs->name;
	int				 i, max;
	bool				 ok = true;

	if (sk->id == S_GATE || sk->id == S_REMOTE) {
		if (*name != '\0')
			conf_error(cl, cs->line, "[%s] takes no name",
			    sk->name);
	} else if (*name == '\0') {
		conf_error(cl, cs->line, "[%s] needs a name", sk->name);
		ok = false;
	} else if (sk->id == S_LEVEL) {
		if (strlen(name) != 1 || !isdigit((unsigned char)*name)) {
			conf_error(cl, cs->line, "[level %s]: a level is a "
			    "number from 0 to 9", name);
			ok = false;
		}
	} else if (!valid_name(name)) {
		conf_error(cl, cs->line, "[%s %s]: not a name (1-31 letters, "
		    "digits, '.', '_' or '-')", sk->name, name);
		ok = false;
	} else if (sk->id == S_MODE) {
		for (i = 0; i < policy_builtin_mode_count; i++) {
			if (strcmp(policy_builtin_modes[i].name, name) != 0)
				continue;
			conf_error(cl, cs->line, "[mode %s]: a built-in mode "
			    "cannot be redefined", name);
			ok = false;
		}
	}

	for (o = cl->secs; ok && o < cs; o++) {
		if (o->kind == NULL || !o->counted)
			continue;
		if (o->kind->id == sk->id) {
			if (strcmp(o->name, name) != 0)
				continue;
			conf_error(cl, cs->line, "duplicate section [%s%s%s] "
			    "(first at line %d)", sk->name, *name != '\0' ?
			    " " : "", name, o->line);
			ok = false;
		} else if ((sk->id == S_INPUT && o->kind->id == S_OUTPUT) ||
		    (sk->id == S_OUTPUT && o->kind->id == S_INPUT)) {
			if (strcmp(o->name, name) != 0)
				continue;
			conf_error(cl, cs->line, "[%s %s]: the name is taken "
			    "by [%s %s] at line %d", sk->name, name,
			    o->kind->name, o->name, o->line);
			ok = false;
		}
	}
	if (ok && (cs->target = conf_target(cl, sk)) == NULL) {
		if (sk->id == S_OUTPUT || sk->id == S_INPUT)
			max = LINES_MAX;
		else if (sk->id == S_MODE)
			max = MODES_MAX - policy_builtin_mode_count;
		else
			max = sk->max;
		conf_error(cl, cs->line, "too many [%s] sections (at most %d)",
		    max == LINES_MAX ? "output] and [input" : sk->name, max);
		ok = false;
	}
	if (ok)
		cs->counted = true;
	else {
		/* Still read, into scratch, so its errors are found too. */
		memset(cl->scratch, 0, sizeof *cl->gc);
		cs->target = cl->scratch;
	}
}

/* Reads the file into sections of keys; syntax errors are recorded. */
static int
conf_read(struct conf_load *cl, FILE *f)
{
	struct conf_section	*cs = NULL;
	struct conf_entry	*ce;
	char			*buf = NULL, *s, *e, *eq, *name;
	size_t			 bufsize = 0;
	ssize_t			 n;
	int			 line = 0, i;

	while ((n = getline(&buf, &bufsize, f)) != -1) {
		line++;
		if ((size_t)n != strlen(buf)) {
			conf_error(cl, line, "a NUL byte in the line");
			continue;
		}
		/* A comment is a '#' at the start or after white space. */
		for (e = buf; (e = strchr(e, '#')) != NULL; e++) {
			if (e == buf || isspace((unsigned char)e[-1])) {
				*e = '\0';
				break;
			}
		}
		s = buf + strspn(buf, " \t\r\n");
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0')
			continue;

		if (*s == '[') {
			if (e[-1] != ']') {
				conf_error(cl, line, "a section header ends "
				    "with ']'");
				cs = NULL;
				continue;
			}
			e[-1] = '\0';
			s++;
			s += strspn(s, " \t");
			name = s + strcspn(s, " \t");
			if (*name != '\0')
				*name++ = '\0';
			name += strspn(name, " \t");
			e = name + strlen(name);
			while (e > name && isspace((unsigned char)e[-1]))
				*--e = '\0';

			cl->secs = xreallocarray(cl->secs, cl->nsecs + 1,
			    sizeof *cl->secs);
			cs = &cl->secs[cl->nsecs++];
			memset(cs, 0, sizeof *cs);
			cs->line = line;
			for (i = 0; i < SECTION_KINDS; i++) {
				if (strcmp(sections[i].name, s) == 0)
					cs->kind = &sections[i];
			}
			if (cs->kind == NULL) {
				conf_error(cl, line, "unknown section [%s]", s);
				continue;
			}
			if (strlen(name) >= sizeof cs->name) {
				conf_error(cl, line, "[%s]: the name is too "
				    "long", s);
				cs->kind = NULL;
				continue;
			}
			copy(cs->name, sizeof cs->name, name);
			conf_section_header(cl, cs);
			continue;
		}

		if ((eq = strchr(s, '=')) == NULL) {
			conf_error(cl, line, "'%s' is neither key = value nor "
			    "a [section]", s);
			continue;
		}
		*eq = '\0';
		for (e = eq; e > s && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		eq++;
		eq += strspn(eq, " \t");
		if (*s == '\0') {
			conf_error(cl, line, "a key is missing before '='");
			continue;
		}
		if (cl->nsecs == 0) {
			conf_error(cl, line, "%s: outside any section", s);
			continue;
		}
		if (cs == NULL || cs->kind == NULL)
			continue;	/* in a bad section: already said */
		cs->entries = xreallocarray(cs->entries, cs->nentries + 1,
		    sizeof *cs->entries);
		ce = &cs->entries[cs->nentries++];
		ce->key = xstrdup(s);
		ce->value = xstrdup(eq);
		ce->line = line;
		ce->bad = false;
	}
	free(buf);
	if (ferror(f)) {
		conf_error(cl, 0, "read: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

/* Whether a name is a line of the given direction; errors if not. */
static void
check_ref(struct conf_load *cl, const struct conf_key *k,
    const struct conf_section *cs)
{
	const struct gate_conf	*gc = cl->gc;
	const struct conf_entry	*e;
	const char		*name = (const char *)cs->target + k->off;
	int			 i, line;

	if (*name == '\0')
		return;
	e = conf_entry(cs, k->name);
	line = e != NULL ? e->line : cs->line;
	switch (k->ref) {
	case REF_NONE:
		return;
	case REF_OUTPUT:
	case REF_INPUT:
		if ((i = config_find_line(gc, name)) == -1) {
			conf_error(cl, line, "%s: no [%s %s]", k->name,
			    k->ref == REF_OUTPUT ? "output" : "input", name);
		} else if (gc->lines[i].dir != (k->ref == REF_OUTPUT ?
		    LINE_OUTPUT : LINE_INPUT)) {
			conf_error(cl, line, "%s: '%s' is an %s, not an %s",
			    k->name, name, k->ref == REF_OUTPUT ? "input" :
			    "output", k->ref == REF_OUTPUT ? "output" :
			    "input");
		}
		return;
	case REF_LANE:
		if (config_find_lane(gc, name) == -1)
			conf_error(cl, line, "%s: no [lane %s]", k->name, name);
		return;
	case REF_THERM:
		for (i = 0; i < gc->therm_count; i++) {
			if (strcmp(gc->therms[i].name, name) == 0)
				break;
		}
		if (i == gc->therm_count)
			conf_error(cl, line, "%s: no [thermometer %s]",
			    k->name, name);
		else if (strcmp(gc->therms[i].lane,
		    ((const struct lane_conf *)cs->target)->name) != 0)
			conf_error(cl, line, "%s: '%s' measures lane '%s'",
			    k->name, name, gc->therms[i].lane);
		return;
	case REF_DEVICE:
		for (i = 0; i < gc->device_count; i++) {
			if (strcmp(gc->devices[i].name, name) == 0)
				break;
		}
		if (i == gc->device_count) {
			conf_error(cl, line, "%s: no [device %s]", k->name,
			    name);
		} else if (cs->kind->id == S_READER &&
		    strcmp(gc->devices[i].driver, "temper") == 0) {
			conf_error(cl, line, "%s: '%s' is a thermometer, not "
			    "a card reader", k->name, name);
		} else if (cs->kind->id == S_THERM &&
		    strcmp(gc->devices[i].driver, "keyboard-wedge") == 0) {
			conf_error(cl, line, "%s: '%s' is a card reader, not "
			    "a thermometer", k->name, name);
		}
		return;
	case REF_MODE:
		if (config_find_mode(gc, name) == NULL)
			conf_error(cl, line, "%s: no mode '%s'", k->name, name);
		return;
	}
}

/* A reader's format is of its kind, and D0 and D1 are two lines. */
static void
check_reader(struct conf_load *cl, const struct conf_section *cs)
{
	const struct reader_conf	*rc = cs->target;
	const struct conf_entry		*e;
	bool				 wiegand = cs->variant == V_WIEG;

	if ((e = conf_entry(cs, "format")) != NULL && !e->bad &&
	    FMT_WIEGAND(rc->format) != wiegand) {
		conf_error(cl, e->line, "format: '%s' is for %s readers, "
		    "use %s", formats[rc->format], wiegand ? "USB" :
		    "Wiegand", wiegand ? "26, 34, 37, auto or raw" :
		    "dec or hex");
	}
	if (wiegand && rc->wiegand_d0[0] != '\0' &&
	    strcmp(rc->wiegand_d0, rc->wiegand_d1) == 0) {
		e = conf_entry(cs, "wiegand-d1");
		conf_error(cl, e->line, "wiegand-d1: the same line as "
		    "wiegand-d0");
	}
}

/* The checks that need more than one key: cross-references and all. */
static void
conf_check(struct conf_load *cl)
{
	struct gate_conf	*gc = cl->gc;
	struct conf_section	*cs, *gate = NULL, *o;
	const struct conf_key	*k;
	const struct conf_entry	*e, *e2;
	struct line_conf	*lc, *lo;
	struct sockaddr_un	 sun;
	char			 tmin[32], tmax[32];
	int			 has_line, has_chip;

	for (cs = cl->secs; cs < cl->secs + cl->nsecs; cs++) {
		if (cs->kind == NULL || !cs->counted)
			continue;
		if (cs->kind->id == S_GATE)
			gate = cs;
		for (k = cs->kind->keys; k->name != NULL; k++)
			check_ref(cl, k, cs);
		if (cs->kind->id == S_READER)
			check_reader(cl, cs);
		if (cs->kind->id != S_OUTPUT && cs->kind->id != S_INPUT)
			continue;

		/* A line is named one way, and used by one section. */
		lc = cs->target;
		has_line = lc->line[0] != '\0';
		has_chip = lc->chip[0] != '\0' || lc->offset != -1;
		if (has_line == (lc->chip[0] != '\0' && lc->offset != -1) ||
		    (has_line && has_chip)) {
			conf_error(cl, cs->line, "[%s %s]: give either line, "
			    "or chip and offset", cs->kind->name, cs->name);
			continue;
		}
		for (o = cl->secs; o < cs; o++) {
			if (o->kind == NULL || !o->counted ||
			    (o->kind->id != S_OUTPUT && o->kind->id != S_INPUT))
				continue;
			lo = o->target;
			if (has_line ? strcmp(lc->line, lo->line) == 0 :
			    (strcmp(lc->chip, lo->chip) == 0 &&
			    lc->offset == lo->offset)) {
				e = conf_entry(cs, has_line ? "line" : "chip");
				conf_error(cl, e->line, "[%s %s]: the line is "
				    "already used by [%s %s]", cs->kind->name,
				    cs->name, o->kind->name, o->name);
				break;
			}
		}
	}

	if (gc->lane_count == 0)
		conf_error(cl, 0, "no [lane] section (a gate needs one)");
	if (gate == NULL) {
		conf_error(cl, 0, "no [gate] section");
		return;
	}
	e = conf_entry(gate, "temperature-min");
	e2 = conf_entry(gate, "temperature-max");
	if ((e == NULL || !e->bad) && (e2 == NULL || !e2->bad) &&
	    gc->temp_min_centi >= gc->temp_max_centi) {
		format_value(T_TEMP, gc->temp_min_centi, tmin, sizeof tmin);
		format_value(T_TEMP, gc->temp_max_centi, tmax, sizeof tmax);
		conf_error(cl, e != NULL ? e->line : gate->line,
		    "temperature-min: %s is not below temperature-max %s",
		    tmin, tmax);
	}
	e = conf_entry(gate, "level");
	if ((e == NULL || !e->bad) &&
	    config_find_level(gc, gc->initial_level) == NULL) {
		conf_error(cl, e != NULL ? e->line : gate->line,
		    "level: no [level %d]", gc->initial_level);
	}
	/* One token, one hash: otherwise who acted could not be told. */
	for (cs = cl->secs; cs < cl->secs + cl->nsecs; cs++) {
		if (cs->kind == NULL || !cs->counted || cs->kind->id != S_TOKEN ||
		    (e = conf_entry(cs, "hash")) == NULL || e->bad)
			continue;
		for (o = cl->secs; o < cs; o++) {
			if (o->kind == NULL || !o->counted ||
			    o->kind->id != S_TOKEN ||
			    (e2 = conf_entry(o, "hash")) == NULL || e2->bad ||
			    memcmp(((struct token_conf *)cs->target)->hash,
			    ((struct token_conf *)o->target)->hash, 32) != 0)
				continue;
			conf_error(cl, e->line, "hash: the same as [token %s] "
			    "at line %d", o->name, e2->line);
			break;
		}
	}
	e = conf_entry(gate, "socket");
	if (strlen(gc->socket_path) >= sizeof(sun.sun_path)) {
		conf_error(cl, e != NULL ? e->line : gate->line,
		    "socket: path too long for a socket (at most %zu bytes)",
		    sizeof(sun.sun_path) - 1);
	}
}

/* Errors are shown in line order, and in the order found on one line. */
static int
error_cmp(const void *a, const void *b)
{
	const struct conf_error	*ea = a, *eb = b;

	if (ea->line != eb->line)
		return (ea->line < eb->line ? -1 : 1);
	return (ea->seq < eb->seq ? -1 : ea->seq > eb->seq);
}

/* Levels are kept by number, so a print loads back in the same order. */
static int
level_cmp(const void *a, const void *b)
{
	const struct level	*la = a, *lb = b;

	return (la->number < lb->number ? -1 : la->number > lb->number);
}

/* Joins the errors, in line order, into one malloc'd string. */
static char *
conf_errors(struct conf_load *cl)
{
	char	*out;
	size_t	 size;
	FILE	*f;
	int	 i;

	qsort(cl->errs, cl->nerrs, sizeof *cl->errs, error_cmp);
	if ((f = open_memstream(&out, &size)) == NULL)
		fatal("open_memstream");
	for (i = 0; i < cl->nerrs; i++) {
		if (cl->errs[i].line == 0)
			fprintf(f, "%s: %s\n", cl->file, cl->errs[i].text);
		else
			fprintf(f, "%s:%d: %s\n", cl->file, cl->errs[i].line,
			    cl->errs[i].text);
	}
	if (fclose(f) != 0)
		fatal("open_memstream");
	return (out);
}

/*
 * Loads and checks a config file.  Returns a gate_conf the caller frees
 * with config_free(), or NULL with *errors a malloc'd list of every error,
 * one "file:line: what is wrong" per line.
 */
struct gate_conf *
config_load(const char *path, char **errors)
{
	struct conf_load	 cl;
	struct gate_conf	*gc = NULL;
	FILE			*f;
	char			*slash, real[PATH_MAX];
	int			 i;

	memset(&cl, 0, sizeof cl);
	cl.file = path;
	*errors = NULL;

	if ((f = fopen(path, "r")) == NULL) {
		conf_error(&cl, 0, "%s", strerror(errno));
		goto out;
	}
	if (realpath(path, real) == NULL) {
		conf_error(&cl, 0, "%s", strerror(errno));
		fclose(f);
		goto out;
	}
	gc = xcalloc(1, sizeof *gc);
	cl.gc = gc;
	cl.scratch = xcalloc(1, sizeof *gc);
	copy(gc->path, sizeof gc->path, real);
	copy(cl.dir, sizeof cl.dir, real);
	if ((slash = strrchr(cl.dir, '/')) != NULL)
		*(slash == cl.dir ? slash + 1 : slash) = '\0';

	/* The built-in modes come first; custom ones follow. */
	for (i = 0; i < policy_builtin_mode_count; i++)
		gc->modes[i] = policy_builtin_modes[i];
	gc->mode_count = policy_builtin_mode_count;

	conf_read(&cl, f);
	fclose(f);
	for (i = 0; i < cl.nsecs; i++) {
		if (cl.secs[i].kind != NULL)
			conf_section_apply(&cl, &cl.secs[i]);
	}
	conf_check(&cl);
	qsort(gc->levels, gc->level_count, sizeof gc->levels[0], level_cmp);

out:
	if (cl.nerrs != 0) {
		*errors = conf_errors(&cl);
		free(gc);
		gc = NULL;
	}
	for (i = 0; i < cl.nerrs; i++)
		free(cl.errs[i].text);
	free(cl.errs);
	for (i = 0; i < cl.nsecs; i++) {
		while (cl.secs[i].nentries-- > 0) {
			free(cl.secs[i].entries[cl.secs[i].nentries].key);
			free(cl.secs[i].entries[cl.secs[i].nentries].value);
		}
		free(cl.secs[i].entries);
	}
	free(cl.secs);
	free(cl.scratch);
	return (gc);
}

void
config_free(struct gate_conf *gc)
{
	free(gc);
}

/* ---- printing ---------------------------------------------------------- */

/* Prints one key the way config_load reads it back; unset ones commented. */
static void
print_key(FILE *f, const struct conf_key *k, const void *base)
{
	const char	*p = (const char *)base + k->off;
	char		 buf[64];
	long long	 v, v2;
	bool		 b;
	uint32_t	 mask;
	int		 i, n;

	switch (k->type) {
	case T_STRING:
	case T_PATH:
	case T_NAME:
	case T_CHOICE:
		if (*p == '\0')
			fprintf(f, "# %s: not set\n", k->name);
		else
			fprintf(f, "%s = %s\n", k->name, p);
		return;
	case T_BOOL:
	case T_ALWAYS:
		memcpy(&b, p, sizeof b);
		fprintf(f, "%s = %s\n", k->name, b ? "yes" : "no");
		return;
	case T_OPEN:
		memcpy(&b, p, sizeof b);
		fprintf(f, "%s = %s\n", k->name, b ? "open" : "closed");
		return;
	case T_ENUM:
		fprintf(f, "%s = %s\n", k->name,
		    k->choices[get_int(p, k->size)]);
		return;
	case T_ZONES:
		n = (int)get_int((const char *)base + k->off2, sizeof(int));
		fprintf(f, "%s =", k->name);
		for (i = 0; i < n; i++)
			fprintf(f, " %s", p + i * NAME_LEN);
		fprintf(f, "\n");
		return;
	case T_ZONE:
		fprintf(f, "%s = %s\n", k->name,
		    ((const struct gate_conf *)base)->zones[*(const uint8_t *)p]);
		return;
	case T_ADMIT:
		memcpy(&mask, p, sizeof mask);
		if (mask == CAT_ALL) {
			fprintf(f, "%s = all\n", k->name);
			return;
		}
		fprintf(f, "%s =", k->name);
		for (i = 0; i < CAT__COUNT; i++) {
			if (mask & (1u << i))
				fprintf(f, " %s", category_name(i));
		}
		fprintf(f, "\n");
		return;
	case T_ADDRS:
		n = (int)get_int((const char *)base + k->off2, sizeof(int));
		fprintf(f, "%s =", k->name);
		for (i = 0; i < n; i++)
			fprintf(f, " %s", p + i * 64);
		fprintf(f, "\n");
		return;
	case T_HASH:
		fprintf(f, "%s = sha256:", k->name);
		for (i = 0; i < 32; i++)
			fprintf(f, "%02x", (const uint8_t)p[i]);
		fprintf(f, "\n");
		return;
	case T_USBID:
		fprintf(f, "%s = %04x:%04x\n", k->name, *(const uint16_t *)p,
		    *(const uint16_t *)((const char *)base + k->off2));
		return;
	case T_DIGITS:
		v = get_int(p, sizeof(int));
		v2 = get_int((const char *)base + k->off2, sizeof(int));
		if (v == v2)
			fprintf(f, "%s = %lld\n", k->name, v);
		else
			fprintf(f, "%s = %lld-%lld\n", k->name, v, v2);
		return;
	case T_INT:
	case T_DURATION:
	case T_TEMP:
	case T_SIZE:
	case T_PERCENT:
		v = get_int(p, k->size);
		if (k->def == NULL && (v < k->min || v > k->max)) {
			fprintf(f, "# %s: not set\n", k->name);
			return;
		}
		format_value(k->type, v, buf, sizeof buf);
		fprintf(f, "%s = %s\n", k->name, buf);
		return;
	}
}

/* A section header and its keys, skipping the other variant's keys. */
static void
print_section(FILE *f, const char *kind, const char *name,
    const struct conf_key *keys, const void *base, unsigned variant)
{
	const struct conf_key	*k;

	fprintf(f, "\n[%s%s%s]\n", kind, name != NULL ? " " : "",
	    name != NULL ? name : "");
	for (k = keys; k->name != NULL; k++) {
		if (k->only == 0 || (k->only & variant) != 0)
			print_key(f, k, base);
	}
}

/*
 * Prints the configuration normalised: every section and key, defaults
 * included, in canonical order and units.  config_load() reads it back to
 * the same gate_conf (paths are printed resolved).
 */
void
config_print(const struct gate_conf *gc, FILE *f)
{
	char	buf[16];
	int	i;

	fprintf(f, "# gated configuration of gate %s, normalised\n", gc->id);
	print_section(f, "gate", NULL, gate_keys, gc, 0);
	for (i = 0; i < gc->mode_count; i++) {
		if (!gc->modes[i].builtin)
			print_section(f, "mode", gc->modes[i].name, mode_keys,
			    &gc->modes[i], 0);
	}
	for (i = 0; i < gc->level_count; i++) {
		snprintf(buf, sizeof buf, "%d", gc->levels[i].number);
		print_section(f, "level", buf, level_keys, &gc->levels[i], 0);
	}
	for (i = 0; i < gc->lane_count; i++) {
		print_section(f, "lane", gc->lanes[i].name, lane_keys,
		    &gc->lanes[i], gc->lanes[i].kind == LANE_VEHICLE ? V_VEH :
		    V_PED);
	}
	for (i = 0; i < gc->reader_count; i++) {
		print_section(f, "reader", gc->readers[i].name, reader_keys,
		    &gc->readers[i], gc->readers[i].wiegand_d0[0] != '\0' ?
		    V_WIEG : V_USB);
	}
	for (i = 0; i < gc->therm_count; i++) {
		print_section(f, "thermometer", gc->therms[i].name, therm_keys,
		    &gc->therms[i], 0);
	}
	for (i = 0; i < gc->line_count; i++) {
		print_section(f, gc->lines[i].dir == LINE_OUTPUT ? "output" :
		    "input", gc->lines[i].name, line_keys, &gc->lines[i],
		    gc->lines[i].dir == LINE_OUTPUT ? V_OUT : V_IN);
	}
	for (i = 0; i < gc->device_count; i++) {
		print_section(f, "device", gc->devices[i].name, device_keys,
		    &gc->devices[i], 0);
	}
	if (gc->remote.enabled)
		print_section(f, "remote", NULL, remote_keys, gc, 0);
	for (i = 0; i < gc->token_count; i++) {
		print_section(f, "token", gc->tokens[i].name, token_keys,
		    &gc->tokens[i], 0);
	}
}

/* ---- lookups ----------------------------------------------------------- */

const struct mode *
config_find_mode(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->mode_count; i++) {
		if (strcmp(gc->modes[i].name, name) == 0)
			return (&gc->modes[i]);
	}
	return (NULL);
}

const struct level *
config_find_level(const struct gate_conf *gc, int number)
{
	int	i;

	for (i = 0; i < gc->level_count; i++) {
		if (gc->levels[i].number == number)
			return (&gc->levels[i]);
	}
	return (NULL);
}

int
config_find_zone(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->zone_count; i++) {
		if (strcmp(gc->zones[i], name) == 0)
			return (i);
	}
	return (-1);
}

int
config_find_lane(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->lane_count; i++) {
		if (strcmp(gc->lanes[i].name, name) == 0)
			return (i);
	}
	return (-1);
}

int
config_find_line(const struct gate_conf *gc, const char *name)
{
	int	i;

	for (i = 0; i < gc->line_count; i++) {
		if (strcmp(gc->lines[i].name, name) == 0)
			return (i);
	}
	return (-1);
}
