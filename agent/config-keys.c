/*
 * config-keys.c: the keys of every section of gated.conf, one table per
 * section kind, each key a row of designated fields: its type, where it is
 * stored, its range, its defaults, the variants it is for and what it
 * refers to.  Everything else in the config files reads these tables, and
 * test-config checks docs/gated.conf.md and gated.conf(5) against them.
 */
#include <stddef.h>
#include <string.h>

#include "config-int.h"

/* Where a key is stored: its offset and size in the section's struct. */
#define FIELD(s, f)	.off = offsetof(struct s, f), \
			.size = sizeof(((struct s *)0)->f)
#define GATE(f)		FIELD(gate_conf, f)
#define LINE(f)		FIELD(line_conf, f)
#define DEVICE(f)	FIELD(device_conf, f)
#define LANE(f)		FIELD(lane_conf, f)
#define READER(f)	FIELD(reader_conf, f)
#define THERM(f)	FIELD(thermometer_conf, f)
#define MODE(f)		FIELD(mode, f)
#define LEVEL(f)	FIELD(level, f)
#define REMOTE(f)	FIELD(gate_conf, remote.f)
#define TOKEN(f)	FIELD(token_conf, f)
#define SCHED(f)	FIELD(schedule_conf, f)
#define ADMINKEY(f)	FIELD(admin_key, f)
#define MQTT(f)		FIELD(gate_conf, mqtt.f)

#define SEC(n)		(1000LL * (n))
#define MIN(n)		(60000LL * (n))
#define HOUR(n)		(3600000LL * (n))
#define DAY(n)		(86400000LL * (n))

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
static const char *const apb_modes[] = {
	[APB_OFF] = "off", [APB_SOFT] = "soft", [APB_HARD] = "hard", NULL
};
static const char *const roles[] = {
	[ROLE_VIEWER] = "viewer", [ROLE_GUARD] = "guard",
	[ROLE_ADMIN] = "admin", NULL
};

static const struct conf_key gate_keys[] = {
	{ .name = "id", .type = T_NAME, GATE(id), .required = V_ALL,
	  .help = "the gate's id, in the journal and the API" },
	{ .name = "name", .type = T_STRING, GATE(name), .def = "",
	  .help = "a name for people" },
	{ .name = "zones", .type = T_ZONES, GATE(zones),
	  .off2 = offsetof(struct gate_conf, zone_count), .min = 1,
	  .max = ZONES_MAX, .required = V_ALL,
	  .help = "every zone of the campus, in the order of people's zone "
		  "lists" },
	{ .name = "inside", .type = T_ZONE, GATE(inside), .required = V_ALL,
	  .help = "the zone this gate leads into" },
	{ .name = "people", .type = T_PATH, GATE(people_path),
	  .required = V_ALL,
	  .help = "the people CSV" },
	{ .name = "people-max-shrink", .type = T_PERCENT,
	  GATE(people_max_shrink), .max = 100, .def = "10%",
	  .help = "a reload may drop at most this share of the people in "
		  "use" },
	{ .name = "state-dir", .type = T_PATH, GATE(state_dir),
	  .def = "/var/lib/gated",
	  .help = "where the journal lives" },
	{ .name = "socket", .type = T_PATH, GATE(socket_path),
	  .def = "/run/gated/control.sock",
	  .help = "the local control socket" },
	{ .name = "socket-group", .type = T_NAME, GATE(socket_group),
	  .def = "gated",
	  .help = "the group that may use the control socket" },
	{ .name = "gpio-backend", .type = T_CHOICE, GATE(gpio_backend),
	  .def = "sim", .choices = backends_gpio,
	  .help = "how GPIO lines are driven" },
	{ .name = "usb-backend", .type = T_CHOICE, GATE(usb_backend),
	  .def = "sim", .choices = backends_usb,
	  .help = "how USB devices are read" },
	{ .name = "level", .type = T_INT, GATE(initial_level), .max = 9,
	  .def = "0",
	  .help = "the level at first start" },
	{ .name = "temperature-min", .type = T_TEMP, GATE(temp_min_centi),
	  .min = 3000, .max = 4000, .def = "34.0",
	  .help = "lower readings are not a body" },
	{ .name = "temperature-max", .type = T_TEMP, GATE(temp_max_centi),
	  .min = 3800, .max = 4500, .def = "42.5",
	  .help = "higher readings are not a body" },
	{ .name = "temperature-fresh", .type = T_DURATION, GATE(temp_fresh_ms),
	  .min = 100, .max = MIN(5), .def = "10s",
	  .help = "a reading this recent counts for a card" },
	{ .name = "journal-max-rows", .type = T_INT, GATE(journal_max_rows),
	  .max = 2000000000LL, .def = "2000000",
	  .help = "keep at most this many events, 0: no limit" },
	{ .name = "journal-max-days", .type = T_INT, GATE(journal_max_days),
	  .max = 36500, .def = "400",
	  .help = "drop events older than this, 0: no limit" },
	{ .name = "journal-warn-free", .type = T_SIZE,
	  GATE(journal_warn_free_kb), .max = 1024LL * 1024 * 1024,
	  .def = "100M",
	  .help = "warn when the state file system has less free" },
	{ .name = "temperature-retention", .type = T_DURATION,
	  GATE(temp_retention_ms), .max = DAY(400), .def = "14d",
	  .help = "then a reading leaves its event, 0: kept" },
	{ .name = "emergency", .type = T_NAME, GATE(emergency), .def = "",
	  .ref = REF_INPUT,
	  .help = "fire alarm input: every lane opens for egress" },
	{ .name = "lock-button", .type = T_NAME, GATE(lock_button), .def = "",
	  .ref = REF_INPUT,
	  .help = "guard's button: the gate closes" },
	{ .name = "ack-button", .type = T_NAME, GATE(ack_button), .def = "",
	  .ref = REF_INPUT,
	  .help = "guard's button: acknowledges every alert" },
	{ .name = "lamp-green", .type = T_NAME, GATE(lamp_green), .def = "",
	  .ref = REF_OUTPUT,
	  .help = "lamp: granted" },
	{ .name = "lamp-red", .type = T_NAME, GATE(lamp_red), .def = "",
	  .ref = REF_OUTPUT,
	  .help = "lamp: denied" },
	{ .name = "lamp-amber", .type = T_NAME, GATE(lamp_amber), .def = "",
	  .ref = REF_OUTPUT,
	  .help = "lamp: an alert is active" },
	{ .name = "buzzer", .type = T_NAME, GATE(buzzer), .def = "",
	  .ref = REF_OUTPUT,
	  .help = "buzzer: denied, alerts" },
	{ .name = "pass-key", .type = T_PASSKEY, GATE(pass_keys),
	  .off2 = offsetof(struct gate_conf, pass_key_count),
	  .max = PASS_KEYS_MAX, .repeat = true,
	  .help = "a key visitor passes are signed with: ID BASE64" },
	{ .name = "clock-sync-timeout", .type = T_DURATION,
	  GATE(clock_sync_timeout_ms), .min = SEC(1), .max = HOUR(24 * 7),
	  .def = "10m",
	  .help = "an unsynchronised clock raises an alert after this" },
	{ .name = NULL }
};

static const struct conf_key line_keys[] = {
	{ .name = "line", .type = T_STRING, LINE(line), .def = "",
	  .help = "the kernel's name of the line" },
	{ .name = "chip", .type = T_STRING, LINE(chip), .def = "",
	  .help = "or a chip, with offset" },
	{ .name = "offset", .type = T_INT, LINE(offset), .max = 1023,
	  .help = "the line's offset on chip" },
	{ .name = "active-low", .type = T_BOOL, LINE(active_low), .def = "no",
	  .help = "the line is active when low" },
	{ .name = "bias", .type = T_ENUM, LINE(bias), .def = "as-is",
	  .only = V_IN, .choices = biases,
	  .help = "pull resistor" },
	{ .name = "debounce", .type = T_DURATION, LINE(debounce_ms),
	  .max = SEC(1), .def = "20ms", .only = V_IN,
	  .help = "a change counts once it held this long" },
	{ .name = "safe", .type = T_INT, LINE(safe_value), .max = 1,
	  .def = "0", .only = V_OUT,
	  .help = "logical value at start, stop and on error" },
	{ .name = NULL }
};

static const struct conf_key device_keys[] = {
	{ .name = "driver", .type = T_CHOICE, DEVICE(driver),
	  .required = V_ALL, .choices = drivers,
	  .help = "how the device talks" },
	{ .name = "usb", .type = T_USBID, DEVICE(vendor),
	  .off2 = offsetof(struct device_conf, product), .required = V_ALL,
	  .help = "vendor:product, in hex" },
	{ .name = "serial", .type = T_STRING, DEVICE(serial), .def = "",
	  .help = "only the device with this serial number" },
	{ .name = "port", .type = T_STRING, DEVICE(port), .def = "",
	  .help = "only the device on this port, as bus-port.port" },
	{ .name = NULL }
};

static const struct conf_key lane_keys[] = {
	{ .name = "kind", .type = T_ENUM, LANE(kind), .required = V_ALL,
	  .choices = lane_kinds,
	  .help = "pedestrian or vehicle" },
	{ .name = "open-time", .type = T_DURATION, LANE(open_ms), .min = 100,
	  .max = MIN(5), .def = "5s", .def2 = "10s",
	  .help = "how long a grant releases the door, or raises the "
		  "barrier when no vehicle comes" },
	{ .name = "held-open", .type = T_DURATION, LANE(held_open_ms),
	  .min = SEC(1), .max = HOUR(1), .def = "30s", .only = V_PED,
	  .help = "door open longer: alert" },
	{ .name = "close-timeout", .type = T_DURATION, LANE(close_timeout_ms),
	  .min = SEC(1), .max = HOUR(1), .def = "60s", .only = V_VEH,
	  .help = "barrier lowered after this, once the loop is clear" },
	{ .name = "temperature-wait", .type = T_DURATION, LANE(temp_wait_ms),
	  .max = MIN(1), .def = "5s",
	  .help = "how long a card waits for a reading" },
	{ .name = "relay", .type = T_NAME, LANE(relay), .def = "",
	  .only = V_PED, .required = V_PED, .ref = REF_OUTPUT,
	  .help = "door or turnstile release" },
	{ .name = "barrier-raise", .type = T_NAME, LANE(barrier_raise),
	  .def = "", .only = V_VEH, .required = V_VEH, .ref = REF_OUTPUT,
	  .help = "raises the barrier" },
	{ .name = "barrier-lower", .type = T_NAME, LANE(barrier_lower),
	  .def = "", .only = V_VEH, .ref = REF_OUTPUT,
	  .help = "lowers it, when it has its own line" },
	{ .name = "door-contact", .type = T_NAME, LANE(door_contact),
	  .def = "", .only = V_PED, .ref = REF_INPUT,
	  .help = "door position: forced, held open" },
	{ .name = "exit-button", .type = T_NAME, LANE(exit_button), .def = "",
	  .ref = REF_INPUT,
	  .help = "request to exit, inside" },
	{ .name = "open-button", .type = T_NAME, LANE(open_button), .def = "",
	  .ref = REF_INPUT,
	  .help = "guard's open-once button" },
	{ .name = "loop", .type = T_NAME, LANE(loop), .def = "", .only = V_VEH,
	  .required = V_VEH, .ref = REF_INPUT,
	  .help = "vehicle loop detector: the barrier interlock" },
	{ .name = "thermometer", .type = T_NAME, LANE(thermometer), .def = "",
	  .ref = REF_THERM,
	  .help = "where entry temperatures come from" },
	{ .name = NULL }
};

static const struct conf_key reader_keys[] = {
	{ .name = "lane", .type = T_NAME, READER(lane), .required = V_ALL,
	  .ref = REF_LANE,
	  .help = "the lane it admits to" },
	{ .name = "direction", .type = T_ENUM, READER(dir), .required = V_ALL,
	  .choices = directions,
	  .help = "in or out" },
	{ .name = "format", .type = T_ENUM, READER(format), .def = "dec",
	  .def2 = "auto", .choices = formats,
	  .help = "USB: dec or hex; Wiegand: 26, 34, 37, auto or raw" },
	{ .name = "digits", .type = T_DIGITS, READER(min_digits),
	  .off2 = offsetof(struct reader_conf, max_digits), .min = 1,
	  .max = 20, .def = "1-20", .only = V_USB,
	  .help = "how many digits a card number has" },
	{ .name = "device", .type = T_NAME, READER(device), .def = "",
	  .only = V_USB, .ref = REF_DEVICE,
	  .help = "the USB device" },
	{ .name = "wiegand-d0", .type = T_NAME, READER(wiegand_d0),
	  .only = V_WIEG, .required = V_WIEG, .ref = REF_INPUT,
	  .help = "the input wired to D0" },
	{ .name = "wiegand-d1", .type = T_NAME, READER(wiegand_d1),
	  .only = V_WIEG, .required = V_WIEG, .ref = REF_INPUT,
	  .help = "the input wired to D1" },
	{ .name = "facility", .type = T_INT, READER(facility), .min = -1,
	  .max = 65535, .def = "-1", .only = V_WIEG,
	  .help = "the facility code cards must carry, -1: any" },
	{ .name = "bit-gap", .type = T_DURATION, READER(bit_gap_ms), .min = 2,
	  .max = SEC(1), .def = "25ms", .only = V_WIEG,
	  .help = "a pause this long between pulses ends a frame" },
	{ .name = NULL }
};

static const struct conf_key therm_keys[] = {
	{ .name = "lane", .type = T_NAME, THERM(lane), .required = V_ALL,
	  .ref = REF_LANE,
	  .help = "the lane it measures" },
	{ .name = "offset", .type = T_TEMP, THERM(offset_centi), .min = -500,
	  .max = 500, .def = "0.0",
	  .help = "calibration, added to every reading" },
	{ .name = "device", .type = T_NAME, THERM(device), .def = "",
	  .ref = REF_DEVICE,
	  .help = "the USB device" },
	{ .name = NULL }
};

static const struct conf_key mode_keys[] = {
	{ .name = "pedestrian", .type = T_OPEN, MODE(pedestrian_open),
	  .def = "open",
	  .help = "pedestrian lanes open or closed" },
	{ .name = "vehicle", .type = T_OPEN, MODE(vehicle_open), .def = "open",
	  .help = "vehicle lanes open or closed" },
	{ .name = "admit", .type = T_ADMIT, MODE(admit), .def = "all",
	  .help = "the categories let through" },
	{ .name = "residents-only", .type = T_BOOL, MODE(residents_only),
	  .def = "no",
	  .help = "entry only for people whose home is inside" },
	{ .name = NULL }
};

static const struct conf_key level_keys[] = {
	{ .name = "name", .type = T_STRING, LEVEL(name),
	  .help = "a name for people" },
	{ .name = "mode", .type = T_NAME, LEVEL(mode), .required = V_ALL,
	  .ref = REF_MODE,
	  .help = "the mode the gate takes" },
	{ .name = "temperature-check", .type = T_BOOL,
	  LEVEL(measures.temperature_check),
	  .help = "entry needs a temperature" },
	{ .name = "fever", .type = T_TEMP, LEVEL(measures.fever_centi),
	  .min = 3500, .max = 4000,
	  .help = "this or more is a fever" },
	{ .name = "refuse-outsiders", .type = T_BOOL,
	  LEVEL(measures.refuse_outsiders),
	  .help = "contractors and visitors refused" },
	{ .name = "refuse-outside-vehicles", .type = T_BOOL,
	  LEVEL(measures.refuse_outside_vehicles),
	  .help = "unregistered vehicles refused" },
	{ .name = "restrict-students", .type = T_BOOL,
	  LEVEL(measures.restrict_students),
	  .help = "students neither in nor out" },
	{ .name = "quarantine", .type = T_ALWAYS, LEVEL(measures.quarantine),
	  .help = "people in quarantine refused: always" },
	{ .name = "schedule", .type = T_NAME, LEVEL(schedule), .def = "",
	  .ref = REF_SCHEDULE,
	  .help = "mode applies inside this schedule, mode-outside outside" },
	{ .name = "mode-outside", .type = T_NAME, LEVEL(mode_outside),
	  .def = "", .ref = REF_MODE,
	  .help = "the mode outside the schedule" },
	{ .name = "student-hours", .type = T_NAME, LEVEL(hours[CAT_STUDENT]),
	  .def = "", .ref = REF_SCHEDULE,
	  .help = "students enter only within this schedule" },
	{ .name = "staff-hours", .type = T_NAME, LEVEL(hours[CAT_STAFF]),
	  .def = "", .ref = REF_SCHEDULE,
	  .help = "staff enter only within this schedule" },
	{ .name = "resident-hours", .type = T_NAME,
	  LEVEL(hours[CAT_RESIDENT]), .def = "", .ref = REF_SCHEDULE,
	  .help = "residents enter only within this schedule" },
	{ .name = "contractor-hours", .type = T_NAME,
	  LEVEL(hours[CAT_CONTRACTOR]), .def = "", .ref = REF_SCHEDULE,
	  .help = "contractors enter only within this schedule" },
	{ .name = "visitor-hours", .type = T_NAME, LEVEL(hours[CAT_VISITOR]),
	  .def = "", .ref = REF_SCHEDULE,
	  .help = "visitors enter only within this schedule" },
	{ .name = "anti-passback", .type = T_ENUM,
	  LEVEL(measures.anti_passback), .choices = apb_modes, .def = "off",
	  .help = "in twice or out twice: off, soft (journaled), hard" },
	{ .name = "anti-passback-reset", .type = T_DURATION,
	  LEVEL(apb_reset_ms), .min = MIN(1), .max = HOUR(24 * 7),
	  .def = "12h",
	  .help = "anti-passback forgets a passage after this" },
	{ .name = "admit-passes", .type = T_BOOL, LEVEL(measures.admit_passes),
	  .def = "no",
	  .help = "visitor passes admitted even when outsiders are refused" },
	{ .name = NULL }
};

/* A weekly schedule: windows, and holidays on which only "hol" ones hold. */
static const struct conf_key schedule_keys[] = {
	{ .name = "window", .type = T_WINDOW, SCHED(sched), .repeat = true,
	  .required = V_ALL,
	  .help = "DAYS HH:MM-HH:MM, once per window" },
	{ .name = "holiday", .type = T_HOLIDAY, SCHED(sched), .repeat = true,
	  .help = "YYYY-MM-DD [name], once per holiday" },
	{ .name = "holidays", .type = T_PATH, SCHED(holidays), .def = "",
	  .help = "a file of YYYY-MM-DD name lines" },
	{ .name = NULL }
};

/* The remote API: a TLS listener; its keys live in gate_conf.remote. */
static const struct conf_key remote_keys[] = {
	{ .name = "listen", .type = T_ADDRS, REMOTE(listen),
	  .off2 = offsetof(struct gate_conf, remote.listen_count), .min = 1,
	  .max = LISTEN_MAX, .required = V_ALL,
	  .help = "addresses and ports to serve TLS on" },
	{ .name = "certificate", .type = T_PATH, REMOTE(certificate),
	  .required = V_ALL,
	  .help = "the server's certificate chain, PEM" },
	{ .name = "key", .type = T_PATH, REMOTE(key), .required = V_ALL,
	  .help = "the server's private key, PEM" },
	{ .name = "client-ca", .type = T_PATH, REMOTE(client_ca), .def = "",
	  .help = "when set, clients need a certificate this CA signed" },
	{ .name = "console", .type = T_PATH, REMOTE(console),
	  .def = "/usr/share/gated/console",
	  .help = "the web console's files, served at / and /console/" },
	{ .name = "max-connections", .type = T_INT, REMOTE(max_connections),
	  .min = 1, .max = 4096, .def = "64",
	  .help = "connections at once; more wait" },
	{ .name = "max-per-address", .type = T_INT, REMOTE(max_per_address),
	  .min = 1, .max = 4096, .def = "8",
	  .help = "connections at once from one client address" },
	{ .name = "timeout", .type = T_DURATION, REMOTE(timeout_ms),
	  .min = SEC(1), .max = MIN(10), .def = "30s",
	  .help = "a client this slow is dropped" },
	{ .name = "front-user", .type = T_NAME, REMOTE(front_user),
	  .def = "nobody",
	  .help = "the user the TLS front runs as (docs/privsep.md)" },
	{ .name = NULL }
};

/* The campus broker (gate-mqtt.c); its keys live in gate_conf.mqtt. */
static const struct conf_key mqtt_keys[] = {
	{ .name = "host", .type = T_STRING, MQTT(host), .required = V_ALL,
	  .help = "the broker's name or address" },
	{ .name = "port", .type = T_INT, MQTT(port), .min = 1, .max = 65535,
	  .def = "1883",
	  .help = "the broker's port; 8883 is the usual one with TLS" },
	{ .name = "site", .type = T_NAME, MQTT(site), .required = V_ALL,
	  .help = "the campus, the <site> of the topics gated/v1/<site>/<gate>/" },
	{ .name = "client-id", .type = T_NAME, MQTT(client_id), .def = "",
	  .help = "the MQTT client id; the gate's id when empty" },
	{ .name = "keepalive", .type = T_DURATION, MQTT(keepalive_ms),
	  .min = SEC(5), .max = HOUR(18), .def = "30s",
	  .help = "a PINGREQ after this long idle; a dead link found in 1.5 times it" },
	{ .name = "ca", .type = T_PATH, MQTT(ca), .def = "",
	  .help = "the campus CA, PEM: TLS (1.2 or newer) when set" },
	{ .name = "certificate", .type = T_PATH, MQTT(certificate), .def = "",
	  .help = "the gate's client certificate, PEM (with ca and key)" },
	{ .name = "key", .type = T_PATH, MQTT(key), .def = "",
	  .help = "the client certificate's key, PEM, unencrypted" },
	{ .name = "people-push", .type = T_BOOL, MQTT(people_push), .def = "no",
	  .help = "run the people list the campus pushes (gated/v1/<site>/campus/people) in place of the people file" },
	{ .name = "username", .type = T_STRING, MQTT(username), .def = "",
	  .help = "the MQTT user name; the client id when a password-file alone is set" },
	{ .name = "password-file", .type = T_PATH, MQTT(password_file),
	  .def = "",
	  .help = "a file whose first line is the MQTT password (mode 0600)" },
	{ .name = NULL }
};

static const struct conf_key token_keys[] = {
	{ .name = "role", .type = T_ENUM, TOKEN(role), .required = V_ALL,
	  .choices = roles,
	  .help = "viewer, guard or admin" },
	{ .name = "hash", .type = T_HASH, TOKEN(hash), .required = V_ALL,
	  .help = "sha256: and the SHA-256 of the token, in hex" },
	{ .name = NULL }
};

/* An admin's public key: campus commands signed with it are applied. */
static const struct conf_key admin_key_keys[] = {
	{ .name = "public-key", .type = T_PUBKEY, ADMINKEY(pub),
	  .required = V_ALL,
	  .help = "the Ed25519 public key, base64 (gatectl pass keygen)" },
	{ .name = NULL }
};

const struct section_kind conf_sections[SECTION_KINDS] = {
	[S_GATE] = { .id = S_GATE, .name = "gate", .keys = gate_keys,
	    .max = 1,
	    .size = sizeof(struct gate_conf) },
	[S_OUTPUT] = { .id = S_OUTPUT, .name = "output", .keys = line_keys,
	    .max = LINES_MAX, .variant_names = { "outputs", "inputs" },
	    .size = sizeof(struct line_conf) },
	[S_INPUT] = { .id = S_INPUT, .name = "input", .keys = line_keys,
	    .max = LINES_MAX, .variant_names = { "outputs", "inputs" },
	    .size = sizeof(struct line_conf) },
	[S_DEVICE] = { .id = S_DEVICE, .name = "device", .keys = device_keys,
	    .max = DEVICES_MAX,
	    .size = sizeof(struct device_conf) },
	[S_LANE] = { .id = S_LANE, .name = "lane", .keys = lane_keys,
	    .max = LANES_MAX, .variant_key = "kind",
	    .variant_names = { "pedestrian lanes", "vehicle lanes" },
	    .size = sizeof(struct lane_conf) },
	[S_READER] = { .id = S_READER, .name = "reader", .keys = reader_keys,
	    .max = READERS_MAX,
	    .variant_names = { "USB readers", "Wiegand readers" },
	    .size = sizeof(struct reader_conf) },
	[S_THERM] = { .id = S_THERM, .name = "thermometer",
	    .keys = therm_keys, .max = THERMS_MAX,
	    .size = sizeof(struct thermometer_conf) },
	[S_MODE] = { .id = S_MODE, .name = "mode", .keys = mode_keys,
	    .max = MODES_MAX,
	    .size = sizeof(struct mode) },
	[S_LEVEL] = { .id = S_LEVEL, .name = "level", .keys = level_keys,
	    .max = LEVELS_MAX,
	    .size = sizeof(struct level) },
	[S_REMOTE] = { .id = S_REMOTE, .name = "remote", .keys = remote_keys,
	    .max = 1,
	    .size = sizeof(struct gate_conf) },
	[S_TOKEN] = { .id = S_TOKEN, .name = "token", .keys = token_keys,
	    .max = TOKENS_MAX,
	    .size = sizeof(struct token_conf) },
	[S_SCHEDULE] = { .id = S_SCHEDULE, .name = "schedule",
	    .keys = schedule_keys, .max = SCHEDULES_MAX,
	    .size = sizeof(struct schedule_conf) },
	[S_ADMIN_KEY] = { .id = S_ADMIN_KEY, .name = "admin-key",
	    .keys = admin_key_keys, .max = ADMIN_KEYS_MAX,
	    .size = sizeof(struct admin_key) },
	[S_MQTT] = { .id = S_MQTT, .name = "mqtt", .keys = mqtt_keys,
	    .max = 1,
	    .size = sizeof(struct gate_conf) },
};

/* The kind of section a header names, or NULL. */
const struct section_kind *
conf_section_kind(const char *name)
{
	int	i;

	for (i = 0; i < SECTION_KINDS; i++) {
		if (strcmp(conf_sections[i].name, name) == 0)
			return &conf_sections[i];
	}
	return NULL;
}

/* The table entry of a key, or NULL. */
const struct conf_key *
conf_key(const struct section_kind *sk, const char *name)
{
	const struct conf_key	*k;

	for (k = sk->keys; k->name != NULL; k++) {
		if (strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}
