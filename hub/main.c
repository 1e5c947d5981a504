/*
 * main.c: gated-hub, the campus daemon.  Parses arguments, checks or
 * loads /etc/gated/hub.conf, opens the campus journal, connects to the
 * broker and serves the API, tells systemd when it is ready, and runs the
 * loop until SIGTERM, when the open batch is committed before exit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

#define DEFAULT_CONFIG	"/etc/gated/hub.conf"
#ifndef GATED_VERSION
#error GATED_VERSION: the Makefile defines it from debian/changelog
#endif

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: gated-hub [-dnvV] [-f file]\n");
	exit(2);
}

/* SIGTERM, SIGINT: leave the loop; what follows it commits and closes. */
static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct hub	*hub = arg;

	(void)what;
	log_info("signal %d: stopping", (int)sig);
	sd_notify(0, "STOPPING=1");
	event_base_loopexit(hub->base, NULL);
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	(void)arg;
	log_info("SIGHUP: the hub takes a new config at a restart");
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sd_notify(0, "WATCHDOG=1");
}

/* The config, or NULL with every error logged, one line each. */
static struct hub_conf *
load_config(const char *file)
{
	struct hub_conf	*hc = xcalloc(1, sizeof *hc);
	char		*errors = NULL, *line, *next;

	if (hub_conf_load(file, hc, &errors) == 0)
		return hc;
	for (line = strtok_r(errors, "\n", &next); line != NULL;
	    line = strtok_r(NULL, "\n", &next))
		log_errorx("%s", line);
	free(errors);
	free(hc);
	return NULL;
}

/* Everything the loop runs, in order; NULL members are not configured. */
static void
hub_start(struct hub *hub)
{
	char	 err[512], *cause = NULL;

	if ((hub->db = db_open(hub->conf->hub.database, err, sizeof err)) ==
	    NULL)
		fatalx("database: %s", err);
	log_info("database: %s", db_backend(hub->db));
	hub->gaps = gaps_new(hub);
	hub->alerts = alerts_new(hub);
	hub->webhook = webhook_new(hub);
	hub->stream = hub_stream_new(hub);
	hub->ingest = ingest_new(hub);
	if ((hub->people = hub_people_new(hub, &cause)) == NULL)
		fatalx("%s", cause);
	if (hub->conf->tls.set && (hub->api = hub_api_new(hub, &cause)) ==
	    NULL)
		fatalx("%s", cause);
	if ((hub->link = hub_link_new(hub, &cause)) == NULL)
		fatalx("%s", cause);
}

static void
hub_stop(struct hub *hub)
{
	hub_link_free(hub->link);	/* no more messages */
	ingest_free(hub->ingest);	/* commits what is held */
	hub_people_free(hub->people);
	hub_api_free(hub->api);
	hub_stream_free(hub->stream);
	webhook_free(hub->webhook);
	alerts_free(hub->alerts);
	gaps_free(hub->gaps);
	db_close(hub->db);
}

int
main(int argc, char **argv)
{
	struct hub	 hub;
	struct event	*ev[4], *wd = NULL;
	const char	*file = DEFAULT_CONFIG;
	uint64_t	 wd_usec;
	int		 ch, check = 0, verbose = 0;

	while ((ch = getopt(argc, argv, "df:nvV")) != -1) {
		switch (ch) {
		case 'd':
		case 'v':
			verbose = 1;
			break;
		case 'f':
			file = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'V':
			printf("gated-hub %s\n", GATED_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(verbose, "gated-hub");
	memset(&hub, 0, sizeof hub);
	if ((hub.conf = load_config(file)) == NULL)
		return 1;
	if (check) {
		printf("%s: the configuration is valid\n", file);
		free(hub.conf);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((hub.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	hub.started_ms = wall_ms();
	hub_start(&hub);
	ev[0] = evsignal_new(hub.base, SIGTERM, on_signal, &hub);
	ev[1] = evsignal_new(hub.base, SIGINT, on_signal, &hub);
	ev[2] = evsignal_new(hub.base, SIGHUP, on_hup, &hub);
	ev[3] = NULL;
	for (ch = 0; ev[ch] != NULL; ch++)
		evsignal_add(ev[ch], NULL);
	if (sd_watchdog_enabled(0, &wd_usec) > 0) {
		struct timeval	tv = { wd_usec / 2000000,
				    (wd_usec / 2) % 1000000 };

		wd = event_new(hub.base, -1, EV_PERSIST, on_watchdog, NULL);
		evtimer_add(wd, &tv);
	}
	log_info("gated-hub %s: site %s, ready", GATED_VERSION,
	    hub.conf->hub.site);
	sd_notify(0, "READY=1");
	event_base_dispatch(hub.base);
	hub_stop(&hub);
	for (ch = 0; ev[ch] != NULL; ch++)
		event_free(ev[ch]);
	if (wd != NULL)
		event_free(wd);
	event_base_free(hub.base);
	free(hub.conf);
	log_info("stopped");
	return 0;
}
