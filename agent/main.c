/*
 * main.c: gated, the gate agent.  Parses arguments, checks or loads the
 * config, builds the gate, its control socket and, when configured, the
 * remote API's TLS listener, tells systemd when it is
 * ready and that it is alive, and runs the event loop until SIGTERM, when
 * every output is driven to its safe state before exit.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "agent.h"

#define DEFAULT_CONFIG	"/etc/gated/gated.conf"
/* The Makefile passes the version from debian/changelog, its one source. */
#ifndef GATED_VERSION
#error GATED_VERSION: the Makefile defines it from debian/changelog
#endif

struct agent {
	struct event_base	*base;
	struct gate		*gate;
	struct api		*api;
	struct control		*control;
	struct relay		*relay;		/* the front: remote API */
	struct gate_mqtt	*mqtt;
	struct event		*ev_term, *ev_int, *ev_hup, *watchdog;
};

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: gated [-dnvV] [-f file]\n"
	    "  -f file  config file (default " DEFAULT_CONFIG ")\n"
	    "  -n       check the config and exit; with -v print it "
	    "normalised\n"
	    "  -d       debug logging\n"
	    "  -v       verbose\n"
	    "  -V       print the version and exit\n");
	exit(2);
}

/* Creates the state directory (and its parents) when missing. */
static int
make_dirs(const char *path)
{
	char	buf[PATH_MAX], *p;

	snprintf(buf, sizeof buf, "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0750) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0750) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static void
on_term(evutil_socket_t sig, short what, void *arg)
{
	struct agent	*a = arg;

	(void)what;
	log_info("signal %d: stopping, outputs to their safe state",
	    (int)sig);
	sd_notify(0, "STOPPING=1");
	event_base_loopbreak(a->base);
}

static void
hup_done(void *arg, struct people *p, const struct people_errors *e,
    double ms)
{
	(void)arg;
	(void)e;
	if (p != NULL)
		log_info("SIGHUP: reload done (%.1f ms)", ms);
	sd_notify(0, "READY=1");
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct agent	*a = arg;
	char		*cause = NULL;

	(void)sig;
	(void)what;
	sd_notify(0, "RELOADING=1");
	if (gate_reload_config(a->gate, "signal:SIGHUP", &cause) == -1) {
		log_warnx("SIGHUP: %s", cause);
		free(cause);
	}
	if (people_reload(a->gate, "signal:SIGHUP", false, hup_done, a) == -1)
		sd_notify(0, "READY=1");
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	/* Pinged from the loop itself: a hung loop stops the pings. */
	sd_notify(0, "WATCHDOG=1");
}

static void
start_watchdog(struct agent *a)
{
	struct timeval	tv;
	uint64_t	usec;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return;
	usec /= 2;
	tv.tv_sec = usec / 1000000;
	tv.tv_usec = usec % 1000000;
	a->watchdog = event_new(a->base, -1, EV_PERSIST, on_watchdog, a);
	evtimer_add(a->watchdog, &tv);
}

/* gated -n: the config is good; now the people list it names. */
static int
check_config(struct gate_conf *conf, const char *file, int verbose)
{
	struct people_errors	 perr;
	struct people		*people;
	int			 i;

	memset(&perr, 0, sizeof perr);
	if ((people = people_load(conf->people_path, conf, &perr)) == NULL) {
		for (i = 0; i < perr.kept; i++)
			log_errorx("%s", perr.lines[i]);
		if (perr.count > perr.kept)
			log_errorx("%s: %d more errors", conf->people_path,
			    perr.count - perr.kept);
		config_free(conf);
		return 1;
	}
	if (verbose)
		config_print(conf, stdout);
	else
		fprintf(stderr, "%s: configuration OK, %zu people in %s\n",
		    file, people_count(people), conf->people_path);
	people_free(people);
	config_free(conf);
	return 0;
}

/* What the command line asks for. */
struct options {
	const char	*file;
	int		 check, debug, verbose;
	int		 front;		/* -F: the front, for relay.c only */
};

static void
parse_options(int argc, char **argv, struct options *o)
{
	int	ch;

	memset(o, 0, sizeof *o);
	o->file = DEFAULT_CONFIG;
	while ((ch = getopt(argc, argv, "dFf:nvV")) != -1) {
		switch (ch) {
		case 'd':
			o->debug = 1;
			break;
		case 'F':
			o->front = 1;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'n':
			o->check = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'V':
			printf("gated %s\n", GATED_VERSION);
			exit(0);
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* The config, or NULL with every error logged, one line each. */
static struct gate_conf *
load_config(const char *file)
{
	struct gate_conf	*conf;
	char			*errors = NULL, *line, *next;

	if ((conf = config_load(file, &errors)) != NULL)
		return conf;
	/* One log line each, errors under journald too. */
	for (line = strtok_r(errors, "\n", &next); line != NULL;
	    line = strtok_r(NULL, "\n", &next))
		log_errorx("%s", line);
	if (errors == NULL)
		log_errorx("%s: config: failed", file);
	free(errors);
	return NULL;
}


/* A desired-state command from the broker: the gate checks and applies
 * or refuses it, journaled either way (gate-campus.c). */
static void
campus_message(const char *topic, const void *payload, size_t len,
    bool retained, void *arg)
{
	(void)retained;	/* retained or not, the seq decides */
	gate_campus_command(arg, payload, len, topic, NULL, NULL, NULL);
}

/*
 * The topics desired state comes on (docs/mqtt.md): the campus's level,
 * and this gate's own level and mode.  Only desired state is ever
 * retained there, so what the broker replays at a reconnect or a reboot
 * is at most a replay the seq floor refuses: never a door opened.
 */
static void
campus_subscribe(struct agent *a)
{
	static const char *const mine[] = { "level", "mode", "ack" };
	static const char *const campus[] = { "level", "quarantine", "people" };
	char	 filter[256];
	size_t	 i, n = sizeof campus / sizeof campus[0];

	/* The people list only where people-push is on (gate-push.c). */
	if (!gate_conf(a->gate)->mqtt.people_push)
		n--;
	for (i = 0; i < n; i++) {
		snprintf(filter, sizeof filter, "%scampus/%s",
		    gate_mqtt_prefix(a->mqtt, true), campus[i]);
		if (gate_mqtt_subscribe(a->mqtt, filter, campus_message,
		    a->gate) == -1)
			log_warnx("mqtt: cannot subscribe %s", filter);
	}
	for (i = 0; i < sizeof mine / sizeof mine[0]; i++) {
		snprintf(filter, sizeof filter, "%s%s",
		    gate_mqtt_prefix(a->mqtt, false), mine[i]);
		if (gate_mqtt_subscribe(a->mqtt, filter, campus_message,
		    a->gate) == -1)
			log_warnx("mqtt: cannot subscribe %s", filter);
	}
}

/*
 * The gate and its listeners on a new loop, the signals it answers and
 * the watchdog; fatal when any cannot start.  The gate owns conf.
 */
static void
agent_start(struct agent *a, struct gate_conf *conf, int debug)
{
	char	*cause = NULL;

	memset(a, 0, sizeof *a);
	signal(SIGPIPE, SIG_IGN);
	a->base = loop_new();
	if (make_dirs(conf->state_dir) == -1)
		fatal("state directory %s", conf->state_dir);
	if ((a->gate = gate_new(a->base, conf, &cause)) == NULL)
		fatalx("%s", cause);
	a->api = api_new(a->gate);
	a->control = control_new(a->base, a->api,
	    gate_conf(a->gate)->socket_path, gate_conf(a->gate)->socket_group,
	    &cause);
	if (a->control == NULL) {
		gate_free(a->gate);
		fatalx("%s", cause);
	}
	if (gate_conf(a->gate)->remote.enabled &&
	    (a->relay = relay_new(a->base, a->gate, a->api, debug, &cause)) ==
	    NULL) {
		control_free(a->control);
		api_free(a->api);
		gate_free(a->gate);
		fatalx("%s", cause);
	}
	/* The broker last: the gate decides whether it is there or not. */
	if (gate_conf(a->gate)->mqtt.enabled &&
	    (a->mqtt = gate_mqtt_new(a->base, a->gate, &cause)) == NULL) {
		relay_free(a->relay);
		control_free(a->control);
		api_free(a->api);
		gate_free(a->gate);
		fatalx("mqtt: %s", cause);
	}
	if (a->mqtt != NULL)
		campus_subscribe(a);
	a->ev_term = evsignal_new(a->base, SIGTERM, on_term, a);
	a->ev_int = evsignal_new(a->base, SIGINT, on_term, a);
	a->ev_hup = evsignal_new(a->base, SIGHUP, on_hup, a);
	evsignal_add(a->ev_term, NULL);
	evsignal_add(a->ev_int, NULL);
	evsignal_add(a->ev_hup, NULL);
	start_watchdog(a);
}

/* After the loop: the listeners first, the gate's outputs safe last. */
static void
agent_stop(struct agent *a)
{
	gate_mqtt_free(a->mqtt);
	control_free(a->control);
	relay_free(a->relay);
	api_free(a->api);
	gate_free(a->gate);	/* outputs safe before the lines are released */
	if (a->watchdog != NULL)
		event_free(a->watchdog);
	event_free(a->ev_term);
	event_free(a->ev_int);
	event_free(a->ev_hup);
	event_base_free(a->base);
}

int
main(int argc, char **argv)
{
	struct agent		 a;
	struct options		 o;
	struct gate_conf	*conf;
	struct timespec		 t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	parse_options(argc, argv, &o);
	if (o.front)
		return front_main(o.debug);
	log_init(o.debug, "gated");
	if ((conf = load_config(o.file)) == NULL)
		return 1;
	if (o.check)
		return check_config(conf, o.file, o.verbose);

	agent_start(&a, conf, o.debug);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sd_notify(0, "READY=1");
	log_info("gate %s ready in %.1f ms", gate_conf(a.gate)->id,
	    (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);

	event_base_dispatch(a.base);

	agent_stop(&a);
	log_info("stopped");
	return 0;
}
