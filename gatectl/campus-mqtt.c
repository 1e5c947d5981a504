/*
 * campus-mqtt.c: gatectl on the campus broker.  The broker options every
 * campus command shares (--broker, --ca, --cert, --cert-key, --timeout),
 * one connection made with them, and `gatectl campus publish`: a signed
 * campus command put on the broker, retained, QoS 1, on the topic it
 * belongs on (gated/v1/<site>/<target>/<what>, docs/mqtt.md), where every
 * gate of the site reads it now or when it reconnects.  gatectl is a
 * one-shot client, so libmosquitto runs its blocking loop here; the
 * broker's PUBACK is what "published" means.  The command is checked for
 * form before it is sent (the broker does not judge it; the gates do).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "command.h"
#include "gatectl.h"

#define TIMEOUT_DEFAULT_S	10

/* HOST:PORT or [V6]:PORT into a; 0, or -1. */
static int
parse_broker(const char *s, struct campus_broker *a)
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

int
campus_broker_option(struct campus_broker *a, int ch, const char *arg)
{
	switch (ch) {
	case 'b':
		a->broker = arg;
		return 0;
	case 'c':
		a->ca = arg;
		return 0;
	case 'C':
		a->cert = arg;
		return 0;
	case 'K':
		a->key = arg;
		return 0;
	case 'u':
		a->user = arg;
		return 0;
	case 'p':
		a->password_file = arg;
		return 0;
	case 'w':
		if (ctl_parse_long(arg, 1, 3600, &a->timeout_s) == -1)
			return ctl_usage_error("--timeout: 1 to 3600 s: %s",
			    arg);
		return 0;
	}
	return 1;
}

int
campus_broker_check(struct campus_broker *a)
{
	if (a->timeout_s == 0)
		a->timeout_s = TIMEOUT_DEFAULT_S;
	if (a->broker == NULL || parse_broker(a->broker, a) == -1)
		return ctl_usage_error("--broker HOST:PORT is needed");
	if ((a->cert == NULL) != (a->key == NULL))
		return ctl_usage_error("--cert and --cert-key go together");
	if (a->cert != NULL && a->ca == NULL)
		return ctl_usage_error("--cert needs --ca (TLS)");
	if (a->password_file != NULL && a->user == NULL)
		return ctl_usage_error("--password-file needs --user");
	return 0;
}

static void
on_connect(struct mosquitto *m, void *arg, int rc)
{
	(void)m;
	*(int *)arg = rc == 0 ? 1 : -1;
}

/* The first line of a file: the password; 0, or -1. */
static int
read_password(const char *path, char *buf, size_t len)
{
	FILE	*f;
	int	 ok;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/*
 * Connected (the broker's CONNACK accepted) within the timeout, the
 * callbacks' userdata ud; NULL with *why.  mosquitto_lib_init is the
 * caller's, once.
 */
struct mosquitto *
campus_connect(const struct campus_broker *a, void *ud, const char **why)
{
	struct mosquitto	*m;
	char			 pw[256];
	time_t			 end;
	int			 connected = 0, rc;

	if ((m = mosquitto_new(NULL, true, &connected)) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	mosquitto_connect_callback_set(m, on_connect);
	*why = NULL;
	if (a->ca != NULL && mosquitto_tls_set(m, a->ca, NULL, a->cert,
	    a->key, NULL) != MOSQ_ERR_SUCCESS)
		*why = "TLS: cannot read the CA, certificate or key";
	else if (a->password_file != NULL && read_password(a->password_file,
	    pw, sizeof pw) == -1)
		*why = "cannot read the password file";
	else if (a->user != NULL && mosquitto_username_pw_set(m, a->user,
	    a->password_file != NULL ? pw : NULL) != MOSQ_ERR_SUCCESS)
		*why = "bad user name";
	else if (mosquitto_connect(m, a->host, a->port, 30) !=
	    MOSQ_ERR_SUCCESS)
		*why = "cannot connect to the broker";
	explicit_bzero(pw, sizeof pw);
	end = time(NULL) + a->timeout_s;
	while (*why == NULL && connected == 0 && time(NULL) < end) {
		if ((rc = mosquitto_loop(m, 100, 1)) != MOSQ_ERR_SUCCESS)
			*why = rc == MOSQ_ERR_CONN_LOST ? "the broker closed "
			    "the connection (TLS or authentication?)" :
			    "the connection to the broker was lost";
	}
	if (*why == NULL && connected != 1)
		*why = connected == -1 ? "the broker refused the connection "
		    "(not authorised?)" : "no answer from the broker";
	if (*why != NULL) {
		mosquitto_destroy(m);
		return NULL;
	}
	/* connected lives on this stack only: no callback may write it. */
	mosquitto_connect_callback_set(m, NULL);
	mosquitto_user_data_set(m, ud);
	return m;
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

static void
on_publish(struct mosquitto *m, void *arg, int mid)
{
	(void)m;
	(void)mid;
	*(int *)arg = 1;
}

/* Connects, publishes retained, waits for the PUBACK: 0, or -1 with why. */
static int
mqtt_publish(const struct campus_broker *a, const char *topic,
    const char *text, size_t len, const char **why)
{
	struct mosquitto	*m;
	time_t			 end;
	int			 done = 0, rc = -1;

	mosquitto_lib_init();
	if ((m = campus_connect(a, &done, why)) == NULL)
		goto out;
	mosquitto_publish_callback_set(m, on_publish);
	if (mosquitto_publish(m, NULL, topic, (int)len, text, 1, true) !=
	    MOSQ_ERR_SUCCESS) {
		*why = "the connection to the broker was lost";
		goto out;
	}
	end = time(NULL) + a->timeout_s;
	while (!done && time(NULL) < end) {
		if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS) {
			*why = "the connection to the broker was lost";
			goto out;
		}
	}
	if (!done)
		*why = "the broker did not acknowledge in time";
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
	static const struct option longs[] = { CAMPUS_BROKER_OPTIONS,
		{ NULL, 0, NULL, 0 } };
	struct campus_broker	 a;
	struct command		 c;
	enum command_result	 r;
	const char		*why = NULL, *file;
	char			 text[COMMAND_TEXT_MAX], topic[160];
	size_t			 len;
	int			 ch, rc;

	(void)ctl;
	(void)req;
	memset(&a, 0, sizeof a);
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if ((rc = campus_broker_option(&a, ch, optarg)) != 0)
			return rc == 1 ? EXIT_USAGE : rc;
	}
	if (argc - optind > 1)
		return ctl_usage_error("unexpected argument: %s",
		    argv[optind + 1]);
	file = argc > optind ? argv[optind] : "-";
	if ((rc = campus_broker_check(&a)) != 0)
		return rc;
	if (read_command(file, text, &len) == -1)
		return ctl_usage_error("%s: no command, or one of %d bytes or "
		    "more", file, COMMAND_TEXT_MAX);
	/* No keys here: a well-formed signed command is "unknown-key". */
	r = command_verify(text, len, NULL, 0, time(NULL), &c);
	if (r != COMMAND_UNKNOWN_KEY)
		return ctl_usage_error("%s: %s, not a signed command",
		    file, command_result_name(r));
	snprintf(topic, sizeof topic, "gated/v1/%s/%s/%s", c.site, c.target,
	    command_what_name(c.what));
	if (mqtt_publish(&a, topic, text, len, &why) == -1) {
		fprintf(stderr, "gatectl: %s: %s\n", a.broker, why);
		return EXIT_UNREACHABLE;
	}
	printf("published, retained: %s\n", topic);
	return 0;
}
