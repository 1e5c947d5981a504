/*
 * campus-mqtt.c: `gatectl campus publish`: a signed campus command put on
 * the broker, retained, QoS 1, on the topic it belongs on
 * (gated/v1/<site>/<target>/<what>, docs/mqtt.md), where every gate of
 * the site reads it now or when it reconnects.  gatectl is a one-shot
 * client, so libmosquitto runs its blocking loop here; the broker's
 * PUBACK is what "published" means.  The command is checked for form
 * before it is sent (the broker does not judge it; the gates do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "command.h"
#include "gatectl.h"

#define PUBLISH_TIMEOUT_S	10

struct publish_args {
	const char	*file, *broker, *ca, *cert, *key;
	char		 host[256];
	int		 port;
};

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	(void)mid;
	*(int *)arg = 1;
}

/* HOST:PORT or [V6]:PORT into a; 0, or -1. */
static int
parse_broker(const char *s, struct publish_args *a)
{
	const char	*colon;
	long		 port;
	size_t		 n;

	if (s[0] == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - s - 1);
		s++;
		colon++;
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || n >= sizeof a->host ||
	    ctl_parse_long(colon + 1, 1, 65535, &port) == -1)
		return -1;
	memcpy(a->host, s, n);
	a->host[n] = '\0';
	a->port = (int)port;
	return 0;
}

static int
publish_args(int argc, char **argv, struct publish_args *a)
{
	static const struct option longs[] = {
		{ "broker", required_argument, NULL, 'b' },
		{ "ca", required_argument, NULL, 'c' },
		{ "cert", required_argument, NULL, 'C' },
		{ "cert-key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch == 'b')
			a->broker = optarg;
		else if (ch == 'c')
			a->ca = optarg;
		else if (ch == 'C')
			a->cert = optarg;
		else if (ch == 'k')
			a->key = optarg;
		else
			return EXIT_USAGE;
	}
	if (argc - optind > 1)
		return ctl_usage_error("unexpected argument: %s",
		    argv[optind + 1]);
	a->file = argc > optind ? argv[optind] : "-";
	if (a->broker == NULL || parse_broker(a->broker, a) == -1)
		return ctl_usage_error("--broker HOST:PORT is needed");
	if ((a->cert == NULL) != (a->key == NULL))
		return ctl_usage_error("--cert and --cert-key go together");
	if (a->cert != NULL && a->ca == NULL)
		return ctl_usage_error("--cert needs --ca (TLS)");
	return 0;
}

/* The command's text, up to COMMAND_TEXT_MAX, without a final newline. */
static int
read_command(const char *path, char *buf, size_t *len)
{
	FILE	*f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t	 n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, COMMAND_TEXT_MAX, f);
	if (f != stdin)
		fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	if (n == 0 || n >= COMMAND_TEXT_MAX)
		return -1;
	buf[n] = '\0';
	*len = n;
	return 0;
}

/* Connects, publishes retained, waits for the PUBACK: 0, or -1 with why. */
static int
mqtt_publish(const struct publish_args *a, const char *topic,
    const char *text, size_t len, const char **why)
{
	struct mosquitto	*m;
	time_t			 end;
	int			 done = 0, rc = -1;

	mosquitto_lib_init();
	if ((m = mosquitto_new(NULL, true, &done)) == NULL) {
		*why = "out of memory";
		goto out;
	}
	mosquitto_publish_callback_set(m, on_publish);
	if (a->ca != NULL && mosquitto_tls_set(m, a->ca, NULL, a->cert,
	    a->key, NULL) != MOSQ_ERR_SUCCESS) {
		*why = "TLS: cannot read the CA, certificate or key";
		goto out;
	}
	if (mosquitto_connect(m, a->host, a->port, 30) != MOSQ_ERR_SUCCESS ||
	    mosquitto_publish(m, NULL, topic, (int)len, text, 1, true) !=
	    MOSQ_ERR_SUCCESS) {
		*why = "cannot connect to the broker";
		goto out;
	}
	end = time(NULL) + PUBLISH_TIMEOUT_S;
	while (!done && time(NULL) < end) {
		if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS) {
			*why = "the connection to the broker was lost";
			goto out;
		}
	}
	if (!done)
		*why = "the broker did not acknowledge within 10 s";
	else
		rc = 0;
	mosquitto_disconnect(m);
out:
	mosquitto_destroy(m);
	mosquitto_lib_cleanup();
	return rc;
}

/* Needs no gate: the request stays empty. */
int
cmd_campus_publish(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	struct publish_args	 a;
	struct command		 c;
	enum command_result	 r;
	const char		*why = NULL;
	char			 text[COMMAND_TEXT_MAX], topic[160];
	size_t			 len;
	int			 rc;

	(void)ctl;
	(void)req;
	memset(&a, 0, sizeof a);
	if ((rc = publish_args(argc, argv, &a)) != 0)
		return rc;
	if (read_command(a.file, text, &len) == -1)
		return ctl_usage_error("%s: no command, or one of %d bytes or "
		    "more", a.file, COMMAND_TEXT_MAX);
	/* No keys here: a well-formed signed command is "unknown-key". */
	r = command_verify(text, len, NULL, 0, time(NULL), &c);
	if (r != COMMAND_UNKNOWN_KEY)
		return ctl_usage_error("%s: %s, not a signed command",
		    a.file, command_result_name(r));
	snprintf(topic, sizeof topic, "gated/v1/%s/%s/%s", c.site, c.target,
	    command_what_name(c.what));
	if (mqtt_publish(&a, topic, text, len, &why) == -1) {
		fprintf(stderr, "gatectl: %s: %s\n", a.broker, why);
		return EXIT_UNREACHABLE;
	}
	printf("published, retained: %s\n", topic);
	return 0;
}
