/*
 * gpiod-check.c: proves hw/gpiod.c against the kernel's gpio-sim inside
 * the test VM.  The caller (tests/vm/tests/10-gpiod-backend.sh) makes a
 * five-line chip; this program opens the backend on it, drives inputs by
 * writing the simulator's pull attributes, reads outputs from its value
 * attributes, and prints one PASS:/FAIL: line per check.
 *
 * Usage: gpiod-check SYSFS-CHIP-DIR CHIP-LABEL SYSFS-CHIP2-DIR
 * where SYSFS-CHIP-DIR is /sys/devices/platform/gpio-sim.N/gpiochipM, and
 * the second chip has a line named far-lamp at offset 1: a line is looked
 * for by name on every chip, as on a Pi 5, whose header lines moved from
 * gpiochip4 to gpiochip0 between kernel releases.
 *
 * The same checks prove either backend: hw/gpiod.c on libgpiod 1.6 or
 * hw/gpiod2.c on libgpiod 2, whichever libhw.a holds; tests/vm/run
 * builds it once per build, with -DGATED_GPIOD=1 or 2.
 *
 * Linked with -Wl,--wrap=gpiod_line_release (libgpiod 1) or
 * --wrap=gpiod_line_request_release (libgpiod 2), to sample each output on
 * the simulator at the moment the backend lets go of it: a released
 * gpio-sim line snaps back to its pull, so afterwards would be too late to
 * look.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <gpiod.h>

#include "hw.h"
#include "unit.h"

/* The simulated chip's lines, by offset. */
enum { L_RELAY, L_LAMP, L_DOOR, L_BUTTON, L_BUZZER, L_COUNT };

static const char	*sysdir;
static int		 released[L_COUNT];	/* sim value at release */

static struct event_base *base;
static struct event	*timeout_ev;
static int		 wanted;
static struct seen {
	int		 line, value;
	struct timespec	 ts;
} seen[64];
static int		 nseen;

#ifndef GATED_GPIOD
#error "GATED_GPIOD must be 1 or 2, the libgpiod the backend was built on"
#endif

static int
sim_read_at(const char *dir, int offset)
{
	char	 path[512], buf[16] = "";
	FILE	*f;

	snprintf(path, sizeof path, "%s/sim_gpio%d/value", dir, offset);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
}

static int
sim_read(int offset)
{
	return sim_read_at(sysdir, offset);
}

/* Drives an input the way a contact would: through the line's pull. */
static void
sim_pull(int offset, int up)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/sim_gpio%d/pull", sysdir, offset);
	if ((f = fopen(path, "w")) == NULL) {
		check(0, "open %s: %s", path, strerror(errno));
		return;
	}
	fputs(up ? "pull-up" : "pull-down", f);
	if (fclose(f) != 0)
		check(0, "write %s: %s", path, strerror(errno));
}

#if GATED_GPIOD == 1
void	__real_gpiod_line_release(struct gpiod_line *);
void	__wrap_gpiod_line_release(struct gpiod_line *);

void
__wrap_gpiod_line_release(struct gpiod_line *line)
{
	unsigned int	off = gpiod_line_offset(line);

	if (off < L_COUNT)
		released[off] = sim_read((int)off);
	__real_gpiod_line_release(line);
}
#else
void	__real_gpiod_line_request_release(struct gpiod_line_request *);
void	__wrap_gpiod_line_request_release(struct gpiod_line_request *);

/* A request may hold several lines: each is sampled. */
void
__wrap_gpiod_line_request_release(struct gpiod_line_request *req)
{
	unsigned int	offs[L_COUNT + 1];
	size_t		i, n;

	n = gpiod_line_request_get_requested_offsets(req, offs,
	    sizeof offs / sizeof offs[0]);
	for (i = 0; i < n; i++)
		if (offs[i] < L_COUNT)
			released[offs[i]] = sim_read((int)offs[i]);
	__real_gpiod_line_request_release(req);
}
#endif

static struct timespec
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static long long
ts_ns(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static void
on_input(void *arg, int line, int value, const struct timespec *ts)
{
	(void)arg;
	if (nseen < (int)(sizeof seen / sizeof seen[0])) {
		seen[nseen].line = line;
		seen[nseen].value = value;
		seen[nseen].ts = *ts;
	}
	nseen++;
	if (nseen >= wanted)
		event_base_loopbreak(base);
}

static void
on_timeout(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

/* Runs the loop until want events in all have arrived, or ms have passed. */
static void
run_loop(int want, int ms)
{
	struct timeval	tv = { ms / 1000, (ms % 1000) * 1000 };

	wanted = want;
	if (nseen >= want)
		return;
	evtimer_add(timeout_ev, &tv);
	event_base_dispatch(base);
	evtimer_del(timeout_ev);
}

/* Waits for one event, then stays quiet_ms longer to catch any extra. */
static int
expect_one(int ms, int quiet_ms)
{
	nseen = 0;
	run_loop(1, ms);
	if (nseen == 1)
		run_loop(2, quiet_ms);
	return nseen;
}

/*
 * Whether a bounce train was short enough to prove anything: well inside
 * the 30 ms period.  Writing the pulls takes 1-3 ms under TCG, more on a
 * loaded host; a train that took too long is a skip, not a failure.
 */
static int
bounce_ok(long long took_us, const char *what)
{
	if (took_us < 20000)
		return 1;
	printf("SKIP: bouncing %s: the emulator took %lldus to flip the "
	    "line\n", what, took_us);
	fflush(stdout);
	return 0;
}

static void
conf_line(struct line_conf *c, const char *name, enum line_dir dir,
    const char *line)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	c->dir = dir;
	snprintf(c->line, sizeof c->line, "%s", line);
	c->offset = -1;
	c->bias = BIAS_AS_IS;
}

int
main(int argc, char **argv)
{
	struct line_conf	 conf[L_COUNT + 1], bad;
	struct hw_events	 ev = { .input = on_input };
	const struct hw_gpio_ops *ops = &hw_gpiod_ops;
	struct hw_gpio		*g, *g2;
	struct timespec		 t0, t1;
	char			*cause = NULL;
	int			 i, n, r;
	long long		 took_us;

	if (argc != 4) {
		fprintf(stderr, "usage: gpiod-check sysfs-chip-dir label "
		    "sysfs-chip2-dir\n");
		return 2;
	}
	sysdir = argv[1];
	base = event_base_new();
	timeout_ev = evtimer_new(base, on_timeout, NULL);

	/* The gate: a relay, a lamp, two contacts and a buzzer by offset. */
	conf_line(&conf[L_RELAY], "door", LINE_OUTPUT, "door-relay");
	conf[L_RELAY].active_low = true;
	conf[L_RELAY].safe_value = 0;
	conf_line(&conf[L_LAMP], "red", LINE_OUTPUT, "lamp-red");
	conf[L_LAMP].safe_value = 1;
	conf_line(&conf[L_DOOR], "door-shut", LINE_INPUT, "door-contact");
	conf[L_DOOR].active_low = true;
	conf[L_DOOR].bias = BIAS_PULL_UP;
	conf_line(&conf[L_BUTTON], "exit", LINE_INPUT, "exit-button");
	conf[L_BUTTON].active_low = true;
	conf[L_BUTTON].bias = BIAS_PULL_UP;
	conf[L_BUTTON].debounce_ms = 30;
	conf_line(&conf[L_BUZZER], "buzzer", LINE_OUTPUT, "");
	snprintf(conf[L_BUZZER].chip, sizeof conf[L_BUZZER].chip, "%s",
	    argv[2]);
	conf[L_BUZZER].offset = L_BUZZER;

	/* A missing line, last, so the lines before it are requested first. */
	conf_line(&conf[L_COUNT], "door-south", LINE_OUTPUT, "GATE_DOOR_9");
	g = ops->open(base, conf, L_COUNT + 1, NULL, 0, &ev, &cause);
	check(g == NULL && cause != NULL &&
	    strstr(cause, "'door-south'") != NULL &&
	    strstr(cause, "GATE_DOOR_9") != NULL &&
	    strstr(cause, "no such line") != NULL,
	    "missing line is named in the cause: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	bad = conf[L_BUZZER];
	snprintf(bad.chip, sizeof bad.chip, "no-such-chip");
	g = ops->open(base, &bad, 1, NULL, 0, &ev, &cause);
	check(g == NULL && cause != NULL &&
	    strstr(cause, "no-such-chip") != NULL &&
	    strstr(cause, "no such chip") != NULL,
	    "missing chip is named in the cause: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	bad = conf[L_BUZZER];
	bad.offset = 99;
	g = ops->open(base, &bad, 1, NULL, 0, &ev, &cause);
	check(g == NULL && cause != NULL && strstr(cause, ":99") != NULL,
	    "offset beyond the chip is refused: %s",
	    cause != NULL ? cause : "(none)");
	free(cause);
	cause = NULL;

	/* The failed open released what it had taken, or this would fail. */
	g = ops->open(base, conf, L_COUNT, NULL, 0, &ev, &cause);
	check(g != NULL, "open after a failed open: %s",
	    cause != NULL ? cause : "ok");
	if (g == NULL)
		return check_done();

	g2 = ops->open(base, conf, L_COUNT, NULL, 0, &ev, &cause);
	check(g2 == NULL && cause != NULL && strstr(cause, "in use by 'gated'")
	    != NULL, "a second open finds the lines busy: %s",
	    cause != NULL ? cause : "(opened!)");
	free(cause);
	cause = NULL;
	ops->close(g2);

	/* Outputs come up at their safe values, physically. */
	check(sim_read(L_RELAY) == 1, "relay (active-low, safe 0) starts "
	    "physically high: %d", sim_read(L_RELAY));
	check(sim_read(L_LAMP) == 1, "lamp (safe 1) starts high: %d",
	    sim_read(L_LAMP));
	check(sim_read(L_BUZZER) == 0, "buzzer by chip label and offset "
	    "starts low: %d", sim_read(L_BUZZER));
	check(ops->get(g, L_RELAY) == 0, "relay reads logical 0");

	/* set() reaches the line, inverted for the active-low relay. */
	r = ops->set(g, L_RELAY, 1);
	check(r == 0 && sim_read(L_RELAY) == 0 && ops->get(g, L_RELAY) == 1,
	    "relay set 1 drives the pin low");
	r = ops->set(g, L_RELAY, 0);
	check(r == 0 && sim_read(L_RELAY) == 1, "relay set 0 drives it high");
	r = ops->set(g, L_BUZZER, 1);
	check(r == 0 && sim_read(L_BUZZER) == 1, "buzzer set 1 drives it high");
	errno = 0;
	check(ops->set(g, L_DOOR, 1) == -1 && errno == EPERM,
	    "set on an input fails with EPERM");
	errno = 0;
	check(ops->set(g, L_COUNT, 1) == -1 && errno == EINVAL,
	    "set beyond the lines fails with EINVAL");

	/* The bias was applied: pulled up, active-low, reads 0. */
	check(ops->get(g, L_DOOR) == 0 && sim_read(L_DOOR) == 1,
	    "door contact pulled up reads logical 0");

	/* A contact closing is an edge event with the logical value. */
	t0 = now();
	sim_pull(L_DOOR, 0);
	n = expect_one(2000, 100);
	t1 = now();
	check(n == 1 && seen[0].line == L_DOOR && seen[0].value == 1,
	    "door contact closing reports door-shut=1 (%d events)", n);
	check(n >= 1 && ts_ns(&seen[0].ts) >= ts_ns(&t0) &&
	    ts_ns(&seen[0].ts) <= ts_ns(&t1),
	    "event carries the kernel's monotonic edge time");
	check(ops->get(g, L_DOOR) == 1, "get() agrees with the event");
	sim_pull(L_DOOR, 1);
	n = expect_one(2000, 100);
	check(n == 1 && seen[0].line == L_DOOR && seen[0].value == 0,
	    "door contact opening reports door-shut=0 (%d events)", n);

	/* A bouncing press, a few ms of flips, is one press. */
	t0 = now();
	for (i = 0; i < 7; i++)
		sim_pull(L_BUTTON, i % 2 == 1);
	t1 = now();
	took_us = (ts_ns(&t1) - ts_ns(&t0)) / 1000;
	n = expect_one(2000, 150);
	if (bounce_ok(took_us, "press")) {
		check(n == 1 && seen[0].line == L_BUTTON && seen[0].value == 1,
		    "bouncing press (7 flips in %lldus) is one press (%d "
		    "events)", took_us, n);
		check(n >= 1 && ts_ns(&seen[0].ts) >= ts_ns(&t0) &&
		    ts_ns(&seen[0].ts) <= ts_ns(&t1), "press dated at the "
		    "edge that held, not when the timer ran");
	}
	t0 = now();
	for (i = 0; i < 5; i++)
		sim_pull(L_BUTTON, i % 2 == 0);
	t1 = now();
	took_us = (ts_ns(&t1) - ts_ns(&t0)) / 1000;
	n = expect_one(2000, 150);
	if (bounce_ok(took_us, "release"))
		check(n == 1 && seen[0].value == 0, "bouncing release (5 "
		    "flips in %lldus) is one release (%d events)", took_us, n);
	check(ops->get(g, L_BUTTON) == 0, "button reads released");

	/* A glitch shorter than the debounce period is nothing at all. */
	nseen = 0;
	t0 = now();
	sim_pull(L_BUTTON, 0);
	sim_pull(L_BUTTON, 1);
	t1 = now();
	took_us = (ts_ns(&t1) - ts_ns(&t0)) / 1000;
	run_loop(1, 300);
	if (bounce_ok(took_us, "glitch"))
		check(nseen == 0 && ops->get(g, L_BUTTON) == 0,
		    "a %lldus glitch on the button is ignored (%d events)",
		    took_us, nseen);

	/* close() drives outputs safe before it lets go of them. */
	ops->set(g, L_RELAY, 1);
	ops->set(g, L_LAMP, 0);
	ops->set(g, L_BUZZER, 1);
	for (i = 0; i < L_COUNT; i++)
		released[i] = -1;
	ops->close(g);
	check(released[L_RELAY] == 1 && released[L_LAMP] == 1 &&
	    released[L_BUZZER] == 0, "close() leaves outputs safe: relay %d "
	    "lamp %d buzzer %d", released[L_RELAY], released[L_LAMP],
	    released[L_BUZZER]);
	check(released[L_DOOR] != -1 && released[L_BUTTON] != -1,
	    "close() releases the inputs too");

	g = ops->open(base, conf, L_COUNT, NULL, 0, &ev, &cause);
	check(g != NULL, "open again after close: %s",
	    cause != NULL ? cause : "ok");
	free(cause);
	ops->close(g);
	ops->close(NULL);

	/* A name is looked for on every chip: far-lamp is on the second. */
	conf_line(&conf[0], "far", LINE_OUTPUT, "far-lamp");
	conf[0].safe_value = 1;
	g = ops->open(base, conf, 1, NULL, 0, &ev, &cause);
	check(g != NULL && sim_read_at(argv[3], 1) == 1, "a line named on the "
	    "second chip is found and starts at its safe 1: %s",
	    cause != NULL ? cause : "ok");
	free(cause);
	cause = NULL;
	ops->close(g);

	/* A chip by its name (gpiochipN) and by its number, as by label. */
	for (i = 0; i < 2; i++) {
		bad = conf[L_BUZZER];
		bad.safe_value = 1;
		if (i == 0)
			snprintf(bad.chip, sizeof bad.chip, "%s",
			    strrchr(sysdir, '/') + 1);
		else
			snprintf(bad.chip, sizeof bad.chip, "%s",
			    strrchr(sysdir, '/') + 1 + strlen("gpiochip"));
		g = ops->open(base, &bad, 1, NULL, 0, &ev, &cause);
		check(g != NULL && sim_read(L_BUZZER) == 1, "buzzer by chip "
		    "'%s' and offset is the buzzer: %s", bad.chip,
		    cause != NULL ? cause : "ok");
		free(cause);
		cause = NULL;
		ops->close(g);
	}

	event_free(timeout_ev);
	event_base_free(base);
	return check_done();
}
