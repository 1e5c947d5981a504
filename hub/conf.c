/*
 * conf.c: /etc/gated/hub.conf, the hub's config.  The syntax is the
 * gate's (common/conf-syntax.c); the keys are the table below, checked
 * here, every error reported as "file:line: what is wrong", and a config
 * with any error is never used.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf-syntax.h"
#include "hub.h"
#include "log.h"

enum hub_conf_type { HT_TEXT, HT_NAME, HT_PATH, HT_INT, HT_MS, HT_ROLE,
    HT_HASH, HT_URL };

enum hub_section { HS_HUB, HS_MQTT, HS_TLS, HS_WEBHOOK, HS_TOKEN, HS__N };

/* One key: its section, type, place, range, default and whether needed. */
struct hub_key {
	enum hub_section	 sec;
	const char		*name;
	enum hub_conf_type	 type;
	size_t			 off, size;	/* in the section's object */
	long long		 min, max;
	const char		*def;		/* NULL: none */
	bool			 required;
};

#define K(s, f)		offsetof(struct hub_conf, s.f), \
			sizeof ((struct hub_conf *)0)->s.f
#define KT(f)		offsetof(struct hub_token, f), \
			sizeof ((struct hub_token *)0)->f

static const char *const hub_section_names[HS__N] = {
	[HS_HUB] = "hub", [HS_MQTT] = "mqtt", [HS_TLS] = "tls",
	[HS_WEBHOOK] = "webhook", [HS_TOKEN] = "token",
};

static const struct hub_key hub_keys[] = {
	{ HS_HUB, "database", HT_TEXT, K(hub, database), 0, 0, NULL, true },
	{ HS_HUB, "site", HT_NAME, K(hub, site), 0, 0, NULL, true },
	{ HS_HUB, "flush", HT_MS, K(hub, flush_ms), 1, 1000, "50ms", false },
	{ HS_HUB, "batch-max", HT_INT, K(hub, batch_max), 1, 100000, "5000",
	  false },
	{ HS_HUB, "people-key", HT_PATH, K(hub, people_key), 0, 0, "", false },
	{ HS_HUB, "people-key-id", HT_NAME, K(hub, people_key_id), 0, 0,
	  "hub", false },
	{ HS_MQTT, "host", HT_TEXT, K(mqtt, host), 0, 0, NULL, true },
	{ HS_MQTT, "port", HT_INT, K(mqtt, port), 1, 65535, "1883", false },
	{ HS_MQTT, "client-id", HT_NAME, K(mqtt, client_id), 0, 0,
	  "gated-hub", false },
	{ HS_MQTT, "keepalive", HT_MS, K(mqtt, keepalive_s), 5000, 65535000,
	  "30s", false },
	{ HS_MQTT, "ca", HT_PATH, K(mqtt, ca), 0, 0, "", false },
	{ HS_MQTT, "certificate", HT_PATH, K(mqtt, certificate), 0, 0, "",
	  false },
	{ HS_MQTT, "key", HT_PATH, K(mqtt, key), 0, 0, "", false },
	{ HS_TLS, "listen", HT_TEXT, K(tls, listen), 0, 0, NULL, true },
	{ HS_TLS, "certificate", HT_PATH, K(tls, certificate), 0, 0, NULL,
	  true },
	{ HS_TLS, "key", HT_PATH, K(tls, key), 0, 0, NULL, true },
	{ HS_TLS, "console", HT_PATH, K(tls, console), 0, 0,
	  "/usr/share/gated/console", false },
	{ HS_WEBHOOK, "url", HT_URL, K(webhook, url), 0, 0, NULL, true },
	{ HS_WEBHOOK, "retries", HT_INT, K(webhook, retries), 0, 100, "5",
	  false },
	{ HS_WEBHOOK, "backoff", HT_MS, K(webhook, backoff_ms), 10, 3600000,
	  "1s", false },
	{ HS_WEBHOOK, "timeout", HT_MS, K(webhook, timeout_ms), 100, 600000,
	  "5s", false },
	{ HS_TOKEN, "role", HT_ROLE, KT(role), 0, 0, NULL, true },
	{ HS_TOKEN, "hash", HT_HASH, KT(hash), 0, 0, NULL, true },
};
#define HUB_NKEYS	(sizeof hub_keys / sizeof hub_keys[0])

static const char *const hub_role_names[HUB_ROLES] = {
	"viewer", "guard", "health", "admin"
};

const char *
hub_role_name(int r)
{
	return r >= 0 && r < HUB_ROLES ? hub_role_names[r] : "?";
}

struct hub_load {
	const char		*file;
	char			 dir[PATH_MAX];
	struct hub_conf		*hc;
	FILE			*errs;		/* open_memstream */
	int			 nerrs;
	int			 sec;		/* -1: none or a bad one */
	int			 secline;
	void			*base;		/* the section's object */
	bool			 given[HUB_NKEYS];
	bool			 seen[HS__N];
};

static void	load_error(struct hub_load *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
load_error(struct hub_load *hl, int line, const char *fmt, ...)
{
	va_list	ap;

	if (line > 0)
		fprintf(hl->errs, "%s:%d: ", hl->file, line);
	else
		fprintf(hl->errs, "%s: ", hl->file);
	va_start(ap, fmt);
	vfprintf(hl->errs, fmt, ap);
	va_end(ap);
	fputc('\n', hl->errs);
	hl->nerrs++;
}

/* The decimal value of s with an optional ms/s/m suffix, in ms. */
static int
parse_ms(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		*out = v;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		*out = v * 1000;
	else if (strcmp(end, "m") == 0)
		*out = v * 60000;
	else
		return -1;
	return 0;
}

/* Parses value into dst by the key's type; NULL or what is wrong. */
static const char *
parse_value(struct hub_load *hl, const struct hub_key *k, void *dst,
    const char *value)
{
	static char	 why[128];
	long long	 v;
	char		*end;
	size_t		 i;
	uint8_t		*h = dst;

	switch (k->type) {
	case HT_NAME:
		if (*value == '\0' || strspn(value, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(value))
			return "a name of letters, digits, '.', '_' and '-'";
		/* FALLTHROUGH */
	case HT_TEXT:
		if (strlen(value) >= k->size)
			return "too long";
		snprintf(dst, k->size, "%s", value);
		return NULL;
	case HT_URL:
		if (strncmp(value, "http://", 7) != 0 || value[7] == '\0')
			return "an http:// URL (https is not supported)";
		if (strlen(value) >= k->size)
			return "too long";
		snprintf(dst, k->size, "%s", value);
		return NULL;
	case HT_PATH:
		if (*value != '/' && *value != '\0') {
			if ((size_t)snprintf(dst, k->size, "%s/%s", hl->dir,
			    value) >= k->size)
				return "too long";
		} else if ((size_t)snprintf(dst, k->size, "%s", value) >=
		    k->size)
			return "too long";
		return NULL;
	case HT_INT:
	case HT_MS:
		errno = 0;
		if (k->type == HT_MS) {
			if (parse_ms(value, &v) == -1)
				return "a duration: 500ms, 2s, 1m";
		} else {
			v = strtoll(value, &end, 10);
			if (errno != 0 || end == value || *end != '\0')
				return "a decimal number";
		}
		if (v < k->min || v > k->max) {
			snprintf(why, sizeof why, "out of range %lld..%lld%s",
			    k->min, k->max, k->type == HT_MS ? " ms" : "");
			return why;
		}
		/* keepalive is kept in seconds, the others as given. */
		if (k->off == offsetof(struct hub_conf, mqtt.keepalive_s))
			v /= 1000;
		*(int *)dst = (int)v;
		return NULL;
	case HT_ROLE:
		for (i = 0; i < HUB_ROLES; i++)
			if (strcmp(value, hub_role_names[i]) == 0) {
				*(int *)dst = (int)i;
				return NULL;
			}
		return "viewer, guard, health or admin";
	case HT_HASH:
		if (strncmp(value, "sha256:", 7) != 0 || strlen(value) != 71)
			return "sha256: and 64 hex digits";
		for (i = 0; i < 32; i++) {
			unsigned	 b;

			if (!isxdigit((unsigned char)value[7 + 2 * i]) ||
			    !isxdigit((unsigned char)value[8 + 2 * i]) ||
			    sscanf(value + 7 + 2 * i, "%2x", &b) != 1)
				return "sha256: and 64 hex digits";
			h[i] = (uint8_t)b;
		}
		return NULL;
	}
	return "?";
}

/* The object a section's keys fill. */
static void *
section_base(struct hub_load *hl, int sec, const char *name, int line)
{
	struct hub_token	*t;
	int			 i;

	if (sec != HS_TOKEN)
		return hl->hc;
	if (*name == '\0') {
		load_error(hl, line, "[token NAME]: the name is missing");
		return NULL;
	}
	for (i = 0; i < hl->hc->ntokens; i++)
		if (strcmp(hl->hc->tokens[i].name, name) == 0) {
			load_error(hl, line, "[token %s] again", name);
			return NULL;
		}
	if (hl->hc->ntokens == HUB_TOKENS_MAX) {
		load_error(hl, line, "more than %d tokens", HUB_TOKENS_MAX);
		return NULL;
	}
	t = &hl->hc->tokens[hl->hc->ntokens++];
	if (strlen(name) >= sizeof t->name) {
		load_error(hl, line, "[token %s]: the name is too long", name);
		return NULL;
	}
	snprintf(t->name, sizeof t->name, "%s", name);
	return t;
}

/* Checks the section that ends: its required keys, its defaults. */
static void
section_end(struct hub_load *hl)
{
	const char	*why;
	size_t		 i;

	if (hl->sec < 0)
		return;
	for (i = 0; i < HUB_NKEYS; i++) {
		const struct hub_key	*k = &hub_keys[i];

		if ((int)k->sec != hl->sec || hl->given[i])
			continue;
		if (k->required)
			load_error(hl, hl->secline, "[%s]: %s is required",
			    hub_section_names[k->sec], k->name);
		else if ((why = parse_value(hl, k, (char *)hl->base + k->off,
		    k->def)) != NULL)
			load_error(hl, hl->secline, "%s: default: %s",
			    k->name, why);
	}
	hl->sec = -1;
}

static void
on_section(void *arg, int line, char *kind, char *name)
{
	struct hub_load	*hl = arg;
	int		 s;

	section_end(hl);
	memset(hl->given, 0, sizeof hl->given);
	for (s = 0; s < HS__N; s++)
		if (strcmp(kind, hub_section_names[s]) == 0)
			break;
	if (s == HS__N) {
		load_error(hl, line, "unknown section [%s]", kind);
		return;
	}
	if (s != HS_TOKEN && *name != '\0') {
		load_error(hl, line, "[%s] takes no name", kind);
		return;
	}
	if (s != HS_TOKEN && hl->seen[s]) {
		load_error(hl, line, "[%s] again", kind);
		return;
	}
	hl->seen[s] = true;
	if ((hl->base = section_base(hl, s, name, line)) == NULL)
		return;
	hl->sec = s;
	hl->secline = line;
}

static void
on_entry(void *arg, int line, char *key, char *value)
{
	struct hub_load	*hl = arg;
	const char	*why;
	size_t		 i;

	if (hl->sec < 0)
		return;		/* a bad section: said at its header */
	for (i = 0; i < HUB_NKEYS; i++)
		if ((int)hub_keys[i].sec == hl->sec &&
		    strcmp(hub_keys[i].name, key) == 0)
			break;
	if (i == HUB_NKEYS) {
		load_error(hl, line, "[%s]: unknown key %s",
		    hub_section_names[hl->sec], key);
		return;
	}
	if (hl->given[i]) {
		load_error(hl, line, "%s: given twice", key);
		return;
	}
	hl->given[i] = true;
	if ((why = parse_value(hl, &hub_keys[i],
	    (char *)hl->base + hub_keys[i].off, value)) != NULL)
		load_error(hl, line, "%s = %s: %s", key, value, why);
}

static void
on_error(void *arg, int line, const char *what)
{
	load_error(arg, line, "%s", what);
}

/* The checks across keys, once every section is read. */
static void
check_all(struct hub_load *hl)
{
	struct hub_conf	*hc = hl->hc;

	if (!hl->seen[HS_HUB])
		load_error(hl, 0, "no [hub] section (database, site)");
	if (!hl->seen[HS_MQTT])
		load_error(hl, 0, "no [mqtt] section: the hub has nothing to "
		    "listen to");
	hc->mqtt.set = hl->seen[HS_MQTT];
	hc->tls.set = hl->seen[HS_TLS];
	hc->webhook.set = hl->seen[HS_WEBHOOK];
	if ((*hc->mqtt.certificate != '\0') != (*hc->mqtt.key != '\0'))
		load_error(hl, 0, "[mqtt]: certificate and key go together");
	if (*hc->mqtt.certificate != '\0' && *hc->mqtt.ca == '\0')
		load_error(hl, 0, "[mqtt]: a certificate needs ca (TLS)");
	if (hc->tls.set && strrchr(hc->tls.listen, ':') == NULL)
		load_error(hl, 0, "[tls]: listen is ADDRESS:PORT");
	if (hc->tls.set && hc->ntokens == 0)
		load_error(hl, 0, "[tls] without any [token NAME]: nobody "
		    "could use the API");
}

int
hub_conf_load(const char *file, struct hub_conf *hc, char **errors)
{
	static const struct conf_syntax_cb cb = {
		.section = on_section, .entry = on_entry, .error = on_error,
	};
	struct hub_load	 hl;
	char		 copy[PATH_MAX], *buf = NULL;
	size_t		 size;
	FILE		*f;

	memset(hc, 0, sizeof *hc);
	memset(&hl, 0, sizeof hl);
	hl.file = file;
	hl.hc = hc;
	hl.sec = -1;
	if ((hl.errs = open_memstream(&buf, &size)) == NULL)
		fatal("open_memstream");
	snprintf(copy, sizeof copy, "%s", file);
	if (realpath(dirname(copy), hl.dir) == NULL)
		snprintf(hl.dir, sizeof hl.dir, ".");
	if ((f = fopen(file, "r")) == NULL)
		load_error(&hl, 0, "%s", strerror(errno));
	else {
		conf_syntax_read(f, &cb, &hl);
		fclose(f);
		section_end(&hl);
		check_all(&hl);
	}
	fclose(hl.errs);
	if (hl.nerrs == 0) {
		free(buf);
		*errors = NULL;
		return 0;
	}
	*errors = buf;
	return -1;
}
