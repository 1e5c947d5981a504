/*
 * config-types.c: the value types of gated.conf.  Each type has one entry
 * in a table with its parse and its print function, so a value is read,
 * range-checked and written back in one place, and `gated -nv` output
 * loads back to the same configuration.  The numbers (whole numbers,
 * durations, temperatures, sizes, shares) share one parse: each brings
 * only how it is written and how it is formatted.
 */
#include <sys/types.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config-int.h"

#define ADDR_LEN	64	/* one remote.listen[] entry */

/* One value type: parse a value into a key's place, print it back. */
struct value_type {
	int	(*parse)(const struct conf_key *, void *, const char *,
		    char **);
	void	(*print)(FILE *, const struct conf_key *, const void *);

	/* The numbers: how one is read and written, what it should be. */
	int	(*number)(const char *, long long *);
	void	(*format)(long long, char *, size_t);
	const char *expect;
};

static const struct value_type value_types[T__COUNT];

/* ---- helpers the other config files use too ---------------------------- */

/* Copies a string that is known to fit. */
void
conf_copy(char *dst, size_t size, const char *src)
{
	size_t	n;

	n = strnlen(src, size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Whether s is a name: 1-31 of letters, digits, '.', '_', '-'. */
bool
conf_valid_name(const char *s)
{
	size_t	n;

	n = strlen(s);
	if (n == 0 || n >= NAME_LEN)
		return false;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return false;
	}
	return true;
}

/* Numbers live in int or long fields; the table's size says which. */
long long
conf_get_int(const void *p, size_t size)
{
	int	i;
	long	l;

	if (size == sizeof(long) && size != sizeof(int)) {
		memcpy(&l, p, sizeof l);
		return l;
	}
	memcpy(&i, p, sizeof i);
	return i;
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

/* The index of word in a NULL-terminated list, or -1. */
int
conf_choice_index(const char *const *choices, const char *word)
{
	int	i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(choices[i], word) == 0)
			return i;
	}
	return -1;
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
			return max + 1;
		words[n++] = w;
	}
	return n;
}

/* ---- how numbers are written -------------------------------------------- */

/* A decimal number, whole string; -1 when it is not one or too large. */
static int
parse_decimal(const char *s, long long *v, const char **end)
{
	const char	*p = s;
	long long	 n = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (LLONG_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	*v = n;
	if (end != NULL)
		*end = p;
	else if (*p != '\0')
		return -1;
	return 0;
}

/* A whole number, negative ones too. */
static int
number_int(const char *s, long long *v)
{
	if (s[0] == '-' && parse_decimal(s + 1, v, NULL) == 0) {
		*v = -*v;
		return 0;
	}
	return parse_decimal(s, v, NULL);
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

	if (parse_decimal(s, &n, &end) != 0)
		return -1;
	for (i = 0; i < count; i++) {
		if (strcmp(end, units[i].name) != 0)
			continue;
		if (n > LLONG_MAX / units[i].scale)
			return -1;
		*v = n * units[i].scale;
		return 0;
	}
	return -1;
}

/* "500ms", "4s", "2m", "1h", "14d": milliseconds.  A bare number is
 * refused. */
static int
number_duration(const char *s, long long *v)
{
	static const struct unit units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
		{ "d", 86400000 }
	};

	return parse_scaled(s, units, sizeof units / sizeof units[0], v);
}

/* "512K", "100M", "2G", "1T": KiB.  A bare number is refused. */
static int
number_size(const char *s, long long *v)
{
	static const struct unit units[] = {
		{ "K", 1 }, { "M", 1024 }, { "G", 1024 * 1024 },
		{ "T", 1024LL * 1024 * 1024 }
	};

	return parse_scaled(s, units, sizeof units / sizeof units[0], v);
}

/* "37.3", "-0.25", "40": hundredths of a degree. */
static int
number_temp(const char *s, long long *v)
{
	const char	*p = s, *end;
	long long	 whole, frac = 0;
	int		 sign = 1;

	if (*p == '-' || *p == '+')
		sign = (*p++ == '-') ? -1 : 1;
	if (parse_decimal(p, &whole, &end) != 0 || end - p > 3)
		return -1;
	if (*end == '.') {
		p = end + 1;
		if (!isdigit((unsigned char)p[0]))
			return -1;
		frac = (p[0] - '0') * 10;
		if (isdigit((unsigned char)p[1])) {
			frac += p[1] - '0';
			end = p + 2;
		} else
			end = p + 1;
	}
	if (*end != '\0')
		return -1;
	*v = sign * (whole * 100 + frac);
	return 0;
}

/* "10%" or "10": whole percent. */
static int
number_percent(const char *s, long long *v)
{
	const char	*end;

	if (parse_decimal(s, v, &end) != 0 || (*end != '\0' &&
	    strcmp(end, "%") != 0))
		return -1;
	return 0;
}

static void
format_int(long long v, char *buf, size_t size)
{
	snprintf(buf, size, "%lld", v);
}

/* In the largest unit that is exact: 60000 is "1m". */
static void
format_duration(long long v, char *buf, size_t size)
{
	if (v != 0 && v % 86400000 == 0)
		snprintf(buf, size, "%lldd", v / 86400000);
	else if (v != 0 && v % 3600000 == 0)
		snprintf(buf, size, "%lldh", v / 3600000);
	else if (v != 0 && v % 60000 == 0)
		snprintf(buf, size, "%lldm", v / 60000);
	else if (v % 1000 == 0)
		snprintf(buf, size, "%llds", v / 1000);
	else
		snprintf(buf, size, "%lldms", v);
}

static void
format_size(long long v, char *buf, size_t size)
{
	if (v != 0 && v % (1024LL * 1024 * 1024) == 0)
		snprintf(buf, size, "%lldT", v / (1024LL * 1024 * 1024));
	else if (v != 0 && v % (1024 * 1024) == 0)
		snprintf(buf, size, "%lldG", v / (1024 * 1024));
	else if (v != 0 && v % 1024 == 0)
		snprintf(buf, size, "%lldM", v / 1024);
	else
		snprintf(buf, size, "%lldK", v);
}

/* One decimal when it is exact, two when it is not: 37.3, 37.25. */
static void
format_temp(long long v, char *buf, size_t size)
{
	long long	 a;

	a = v < 0 ? -v : v;
	if (a % 10 == 0)
		snprintf(buf, size, "%s%lld.%lld", v < 0 ? "-" : "",
		    a / 100, (a % 100) / 10);
	else
		snprintf(buf, size, "%s%lld.%02lld", v < 0 ? "-" : "",
		    a / 100, a % 100);
}

static void
format_percent(long long v, char *buf, size_t size)
{
	snprintf(buf, size, "%lld%%", v);
}

/* Formats a stored number the way its type is written. */
void
conf_format(enum conf_type type, long long v, char *buf, size_t size)
{
	value_types[type].format(v, buf, size);
}

/* ---- parse: one function a type ---------------------------------------- */

/* The numbers: read the way the type is written, one range check. */
static int
parse_number(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	const struct value_type	*t = &value_types[k->type];
	char			 lo[32], hi[32];
	long long		 v;

	if (t->number(value, &v) != 0) {
		xasprintf(cause, "'%s' is not %s", value, t->expect);
		return -1;
	}
	if (v < k->min || v > k->max) {
		t->format(k->min, lo, sizeof lo);
		t->format(k->max, hi, sizeof hi);
		xasprintf(cause, "%s is out of range (%s to %s)", value, lo,
		    hi);
		return -1;
	}
	put_int((char *)base + k->off, k->size, v);
	return 0;
}

static int
parse_string(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	size_t	i;

	for (i = 0; value[i] != '\0'; i++) {
		if (iscntrl((unsigned char)value[i])) {
			xasprintf(cause, "control character in value");
			return -1;
		}
	}
	if (strlen(value) >= k->size) {
		xasprintf(cause, "too long (at most %zu characters)",
		    k->size - 1);
		return -1;
	}
	conf_copy((char *)base + k->off, k->size, value);
	return 0;
}

/* A path, already resolved against the config's directory. */
static int
parse_path(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	if (strlen(value) >= k->size) {
		xasprintf(cause, "path too long (at most %zu bytes once "
		    "resolved against the config's directory)", k->size - 1);
		return -1;
	}
	conf_copy((char *)base + k->off, k->size, value);
	return 0;
}

static int
parse_name(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	if (!conf_valid_name(value)) {
		xasprintf(cause, "'%s' is not a name (1-31 letters, digits, "
		    "'.', '_' or '-')", value);
		return -1;
	}
	conf_copy((char *)base + k->off, k->size, value);
	return 0;
}

/* "yes", "true", "on"; "no", "false", "off". */
static int
yes_no(const char *value, bool *v, char **cause)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
	    strcmp(value, "on") == 0)
		*v = true;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
	    strcmp(value, "off") == 0)
		*v = false;
	else {
		xasprintf(cause, "'%s' is not yes or no", value);
		return -1;
	}
	return 0;
}

static int
parse_bool(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	bool	b;

	if (yes_no(value, &b, cause) != 0)
		return -1;
	memcpy((char *)base + k->off, &b, sizeof b);
	return 0;
}

/* A measure that exists to be seen: it cannot be switched off. */
static int
parse_always(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	bool	b;

	if (yes_no(value, &b, cause) != 0)
		return -1;
	if (!b) {
		xasprintf(cause, "cannot be turned off (quarantine is always "
		    "enforced)");
		return -1;
	}
	memcpy((char *)base + k->off, &b, sizeof b);
	return 0;
}

static int
parse_open(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	bool	b;

	if (strcmp(value, "open") == 0)
		b = true;
	else if (strcmp(value, "closed") == 0)
		b = false;
	else {
		xasprintf(cause, "'%s' is not open or closed", value);
		return -1;
	}
	memcpy((char *)base + k->off, &b, sizeof b);
	return 0;
}

/* The index of value among the key's choices, or -1 saying which. */
static int
find_choice(const struct conf_key *k, const char *value, char **cause)
{
	char	list[128];
	int	i;

	if ((i = conf_choice_index(k->choices, value)) == -1) {
		choice_list(k->choices, list, sizeof list);
		xasprintf(cause, "'%s' is not %s", value, list);
	}
	return i;
}

/* One of the choices, stored as its index. */
static int
parse_enum(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	int	i;

	if ((i = find_choice(k, value, cause)) == -1)
		return -1;
	put_int((char *)base + k->off, k->size, i);
	return 0;
}

/* One of the choices, stored as the word. */
static int
parse_choice(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	if (find_choice(k, value, cause) == -1)
		return -1;
	conf_copy((char *)base + k->off, k->size, value);
	return 0;
}

/* Whether one word of a list is good: NULL, or what is wrong with it. */
typedef const char *list_check(const char *);

static const char *
check_zone_word(const char *w)
{
	if (!conf_valid_name(w))
		return "is not a name (1-31 letters, digits, '.', '_' or "
		    "'-')";
	return NULL;
}

/*
 * "127.0.0.1:8443", "[::1]:8443" or "*:8443": a numeric address (a name
 * would need the resolver at start) and a port.  NULL, or why not.
 */
static const char *
check_listen_word(const char *s)
{
	char		 host[64], addr[16];
	const char	*colon;
	long long	 port;
	size_t		 n;

	if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return "is not ADDRESS:PORT";
	if (parse_decimal(colon + 1, &port, NULL) != 0 || port < 1 ||
	    port > 65535)
		return "has no port from 1 to 65535";
	n = colon - s;
	if (n >= sizeof host)
		return "is too long";
	memcpy(host, s, n);
	host[n] = '\0';
	if (strcmp(host, "*") == 0)
		return NULL;
	if (host[0] == '[' && host[n - 1] == ']') {
		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) == 1)
			return NULL;
	} else if (inet_pton(AF_INET, host, addr) == 1)
		return NULL;
	return "is not an IPv4 address, [IPv6] address or * and a port";
}

/*
 * A list of at most k->max distinct words, each as check wants it, into
 * char[][stride] at off with the count at off2.
 */
static int
parse_list(const struct conf_key *k, void *base, const char *value,
    char **cause, size_t stride, const char *what, list_check *check)
{
	char		*copyv, *words[ZONES_MAX + 1];
	const char	*why;
	int		 i, j, n;

	copyv = xstrdup(value);
	if ((n = split_words(copyv, words, k->max)) > k->max) {
		xasprintf(cause, "too many %s (at most %lld)", what, k->max);
		goto bad;
	}
	for (i = 0; i < n; i++) {
		if ((why = check(words[i])) != NULL) {
			xasprintf(cause, "'%s' %s", words[i], why);
			goto bad;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(words[i], words[j]) == 0) {
				xasprintf(cause, "'%s' is listed twice",
				    words[i]);
				goto bad;
			}
		}
	}
	for (i = 0; i < n; i++)
		conf_copy((char *)base + k->off + i * stride, stride, words[i]);
	put_int((char *)base + k->off2, sizeof(int), n);
	free(copyv);
	return 0;
bad:
	free(copyv);
	return -1;
}

static int
parse_zones(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	return parse_list(k, base, value, cause, NAME_LEN, "zones",
	    check_zone_word);
}

static int
parse_addrs(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	return parse_list(k, base, value, cause, ADDR_LEN, "addresses",
	    check_listen_word);
}

/* One window of a schedule, appended to its list. */
static int
parse_window(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	struct schedule	*sc = (struct schedule *)((char *)base + k->off);
	char		 why[160];

	if (sc->nwin == SCHED_WINDOWS_MAX) {
		xasprintf(cause, "more than %d windows", SCHED_WINDOWS_MAX);
		return -1;
	}
	if (sched_window_parse(value, &sc->win[sc->nwin], why,
	    sizeof why) == -1) {
		xasprintf(cause, "%s", why);
		return -1;
	}
	sc->nwin++;
	return 0;
}

/* One holiday of a schedule, added to its sorted list. */
static int
parse_holiday(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	struct schedule	*sc = (struct schedule *)((char *)base + k->off);
	char		 why[160];

	if (sched_holiday_add(sc, value, why, sizeof why) == -1) {
		xasprintf(cause, "%s", why);
		return -1;
	}
	return 0;
}

/* A public key of visitor passes, "ID BASE64", appended to the list. */
static int
parse_passkey(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	struct pass_key	*keys = (struct pass_key *)((char *)base + k->off);
	int		*n = (int *)((char *)base + k->off2);
	const char	*why;
	int		 i;

	if (*n >= k->max) {
		xasprintf(cause, "more than %lld keys", k->max);
		return (-1);
	}
	if (pass_key_parse(value, &keys[*n], &why) == -1) {
		xasprintf(cause, "%s", why);
		return (-1);
	}
	for (i = 0; i < *n; i++) {
		if (strcmp(keys[i].id, keys[*n].id) == 0) {
			xasprintf(cause, "key id '%s' is listed twice",
			    keys[i].id);
			return (-1);
		}
	}
	(*n)++;
	return (0);
}

/* One of the gate's zones; base is the gate_conf, zones come first. */
static int
parse_zone(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	int	i;

	if (((struct gate_conf *)base)->zone_count == 0)
		return -1;	/* zones is wrong or missing: said there */
	if ((i = config_find_zone(base, value)) == -1) {
		xasprintf(cause, "'%s' is not one of the zones", value);
		return -1;
	}
	*((uint8_t *)base + k->off) = (uint8_t)i;
	return 0;
}

/* "all", or a list of categories: a mask of them. */
static int
parse_admit(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char		*copyv, *words[ZONES_MAX + 1];
	uint32_t	 mask = 0;
	int		 i, n, c;

	copyv = xstrdup(value);
	n = split_words(copyv, words, ZONES_MAX);
	for (i = 0; i < n && i < ZONES_MAX; i++) {
		if (strcmp(words[i], "all") == 0)
			mask |= CAT_ALL;
		else if ((c = category_from_name(words[i])) != -1)
			mask |= 1u << c;
		else {
			xasprintf(cause, "'%s' is not all or a category",
			    words[i]);
			free(copyv);
			return -1;
		}
	}
	free(copyv);
	if (mask == 0) {
		xasprintf(cause, "names no category");
		return -1;
	}
	memcpy((char *)base + k->off, &mask, sizeof mask);
	return 0;
}

/* An admin's Ed25519 public key, 44 characters of base64. */
static int
parse_pubkey(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	const char	*why;

	if (admin_key_parse(value, (uint8_t *)base + k->off, &why) == -1) {
		xasprintf(cause, "%s", why);
		return -1;
	}
	return 0;
}

/* "sha256:" and 64 hex digits into 32 bytes. */
static int
parse_hash(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	uint8_t		*out = (uint8_t *)base + k->off;
	const char	*s;
	unsigned int	 v;
	int		 i;

	if (strncmp(value, "sha256:", 7) != 0)
		goto bad;
	s = value + 7;
	if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
		goto bad;
	for (i = 0; i < 32; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			goto bad;
		out[i] = (uint8_t)v;
	}
	return 0;
bad:
	xasprintf(cause, "not sha256: and 64 hex digits (gatectl token new "
	    "makes one)");
	return -1;
}

/* "413d:2107": vendor at off, product at off2. */
static int
parse_usbid(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	unsigned int	vendor, product;

	if (strlen(value) != 9 || value[4] != ':' ||
	    strspn(value, "0123456789abcdefABCDEF:") != 9 ||
	    sscanf(value, "%4x:%4x", &vendor, &product) != 2) {
		xasprintf(cause, "'%s' is not vendor:product (use 413d:2107)",
		    value);
		return -1;
	}
	*(uint16_t *)((char *)base + k->off) = (uint16_t)vendor;
	*(uint16_t *)((char *)base + k->off2) = (uint16_t)product;
	return 0;
}

/* "N" or "N-M" within the key's range: N at off, M at off2. */
static int
parse_digits(const struct conf_key *k, void *base, const char *value,
    char **cause)
{
	char		*copyv, *dash;
	long long	 lo, hi = 0;
	bool		 ok = false;

	copyv = xstrdup(value);
	if ((dash = strchr(copyv, '-')) != NULL)
		*dash++ = '\0';
	if (parse_decimal(copyv, &lo, NULL) == 0 && (dash == NULL ||
	    parse_decimal(dash, &hi, NULL) == 0)) {
		if (dash == NULL)
			hi = lo;
		ok = lo >= k->min && lo <= hi && hi <= k->max;
	}
	free(copyv);
	if (!ok) {
		xasprintf(cause, "'%s' is not N or N-M with %lld <= N <= M <= "
		    "%lld", value, k->min, k->max);
		return -1;
	}
	put_int((char *)base + k->off, sizeof(int), lo);
	put_int((char *)base + k->off2, sizeof(int), hi);
	return 0;
}

/* ---- print: one function a type, the way parse reads it back ------------ */

/* The numbers: unset ones (no default, out of range) as a comment. */
static void
print_number(FILE *f, const struct conf_key *k, const void *base)
{
	char		buf[64];
	long long	v;

	v = conf_get_int((const char *)base + k->off, k->size);
	if (k->def == NULL && (v < k->min || v > k->max)) {
		fprintf(f, "# %s: not set\n", k->name);
		return;
	}
	value_types[k->type].format(v, buf, sizeof buf);
	fprintf(f, "%s = %s\n", k->name, buf);
}

/* Strings, paths, names and choices: an empty one is not set. */
static void
print_text(FILE *f, const struct conf_key *k, const void *base)
{
	const char	*p = (const char *)base + k->off;

	if (*p == '\0')
		fprintf(f, "# %s: not set\n", k->name);
	else
		fprintf(f, "%s = %s\n", k->name, p);
}

static void
print_bool(FILE *f, const struct conf_key *k, const void *base)
{
	bool	b;

	memcpy(&b, (const char *)base + k->off, sizeof b);
	fprintf(f, "%s = %s\n", k->name, b ? "yes" : "no");
}

static void
print_open(FILE *f, const struct conf_key *k, const void *base)
{
	bool	b;

	memcpy(&b, (const char *)base + k->off, sizeof b);
	fprintf(f, "%s = %s\n", k->name, b ? "open" : "closed");
}

static void
print_enum(FILE *f, const struct conf_key *k, const void *base)
{
	fprintf(f, "%s = %s\n", k->name,
	    k->choices[conf_get_int((const char *)base + k->off, k->size)]);
}

/* A list of words of stride bytes each, the count at off2. */
static void
print_list(FILE *f, const struct conf_key *k, const void *base,
    size_t stride)
{
	const char	*p = (const char *)base + k->off;
	int		 i, n;

	n = (int)conf_get_int((const char *)base + k->off2, sizeof(int));
	fprintf(f, "%s =", k->name);
	for (i = 0; i < n; i++)
		fprintf(f, " %s", p + i * stride);
	fprintf(f, "\n");
}

static void
print_zones(FILE *f, const struct conf_key *k, const void *base)
{
	print_list(f, k, base, NAME_LEN);
}

static void
print_addrs(FILE *f, const struct conf_key *k, const void *base)
{
	print_list(f, k, base, ADDR_LEN);
}

static void
print_window(FILE *f, const struct conf_key *k, const void *base)
{
	const struct schedule	*sc = (const struct schedule *)
				    ((const char *)base + k->off);
	char			 buf[96];
	int			 i;

	for (i = 0; i < sc->nwin; i++) {
		sched_window_print(&sc->win[i], buf, sizeof buf);
		fprintf(f, "%s = %s\n", k->name, buf);
	}
}

/* Every holiday, those of the holidays file too: the print reads back
 * to the same schedule, and a holiday listed twice counts once. */
static void
print_holiday(FILE *f, const struct conf_key *k, const void *base)
{
	const struct schedule	*sc = (const struct schedule *)
				    ((const char *)base + k->off);
	int			 i, y, m, d;

	if (sc->nholiday == 0)
		fprintf(f, "# %s: not set\n", k->name);
	for (i = 0; i < sc->nholiday; i++) {
		civil_from_days(sc->holiday[i], &y, &m, &d);
		fprintf(f, "%s = %04d-%02d-%02d\n", k->name, y, m, d);
	}
}

static void
print_passkey(FILE *f, const struct conf_key *k, const void *base)
{
	const struct pass_key	*keys = (const struct pass_key *)
				    ((const char *)base + k->off);
	int			 i, n = *(const int *)((const char *)base +
				    k->off2);
	char			 line[PASS_KEY_LINE_MAX];

	if (n == 0)
		fprintf(f, "# %s: not set\n", k->name);
	for (i = 0; i < n; i++) {
		if (pass_key_format(&keys[i], line, sizeof line) == 0)
			fprintf(f, "%s = %s\n", k->name, line);
	}
}

static void
print_zone(FILE *f, const struct conf_key *k, const void *base)
{
	fprintf(f, "%s = %s\n", k->name, ((const struct gate_conf *)
	    base)->zones[*((const uint8_t *)base + k->off)]);
}

static void
print_admit(FILE *f, const struct conf_key *k, const void *base)
{
	uint32_t	mask;
	int		i;

	memcpy(&mask, (const char *)base + k->off, sizeof mask);
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
}

static void
print_pubkey(FILE *f, const struct conf_key *k, const void *base)
{
	char	b64[B64_LEN(ED25519_KEY_LEN) + 1];

	b64_encode((const uint8_t *)base + k->off, ED25519_KEY_LEN, b64);
	fprintf(f, "%s = %s\n", k->name, b64);
}

static void
print_hash(FILE *f, const struct conf_key *k, const void *base)
{
	const uint8_t	*p = (const uint8_t *)base + k->off;
	int		 i;

	fprintf(f, "%s = sha256:", k->name);
	for (i = 0; i < 32; i++)
		fprintf(f, "%02x", p[i]);
	fprintf(f, "\n");
}

static void
print_usbid(FILE *f, const struct conf_key *k, const void *base)
{
	fprintf(f, "%s = %04x:%04x\n", k->name,
	    *(const uint16_t *)((const char *)base + k->off),
	    *(const uint16_t *)((const char *)base + k->off2));
}

static void
print_digits(FILE *f, const struct conf_key *k, const void *base)
{
	long long	v, v2;

	v = conf_get_int((const char *)base + k->off, sizeof(int));
	v2 = conf_get_int((const char *)base + k->off2, sizeof(int));
	if (v == v2)
		fprintf(f, "%s = %lld\n", k->name, v);
	else
		fprintf(f, "%s = %lld-%lld\n", k->name, v, v2);
}

/* ---- the table ---------------------------------------------------------- */

#define NUMBER(n, fmt, what) \
	.parse = parse_number, .print = print_number, .number = (n), \
	.format = (fmt), .expect = (what)

static const struct value_type value_types[T__COUNT] = {
	[T_STRING] = { .parse = parse_string, .print = print_text },
	[T_PATH] = { .parse = parse_path, .print = print_text },
	[T_NAME] = { .parse = parse_name, .print = print_text },
	[T_BOOL] = { .parse = parse_bool, .print = print_bool },
	[T_INT] = { NUMBER(number_int, format_int, "a whole number") },
	[T_DURATION] = { NUMBER(number_duration, format_duration,
	    "a duration (use 500ms, 4s, 2m)") },
	[T_TEMP] = { NUMBER(number_temp, format_temp,
	    "a temperature (use 37.3)") },
	[T_SIZE] = { NUMBER(number_size, format_size,
	    "a size (use 512K, 100M, 2G)") },
	[T_PERCENT] = { NUMBER(number_percent, format_percent,
	    "a percentage (use 10%)") },
	[T_ENUM] = { .parse = parse_enum, .print = print_enum },
	[T_CHOICE] = { .parse = parse_choice, .print = print_text },
	[T_OPEN] = { .parse = parse_open, .print = print_open },
	[T_ZONES] = { .parse = parse_zones, .print = print_zones },
	[T_ZONE] = { .parse = parse_zone, .print = print_zone },
	[T_ADMIT] = { .parse = parse_admit, .print = print_admit },
	[T_USBID] = { .parse = parse_usbid, .print = print_usbid },
	[T_DIGITS] = { .parse = parse_digits, .print = print_digits },
	[T_ALWAYS] = { .parse = parse_always, .print = print_bool },
	[T_ADDRS] = { .parse = parse_addrs, .print = print_addrs },
	[T_HASH] = { .parse = parse_hash, .print = print_hash },
	[T_PUBKEY] = { .parse = parse_pubkey, .print = print_pubkey },
	[T_WINDOW] = { .parse = parse_window, .print = print_window },
	[T_HOLIDAY] = { .parse = parse_holiday, .print = print_holiday },
	[T_PASSKEY] = { .parse = parse_passkey, .print = print_passkey },
};

/*
 * Parses one value of a key into the object at base: the one place where
 * values are checked.  A relative path is taken from dir, the directory
 * of the config file, here, so that the types need not know it.
 */
int
conf_value_parse(const struct conf_key *k, void *base, const char *value,
    const char *dir, char **cause)
{
	char	*path = NULL;
	int	 r;

	*cause = NULL;
	if (*value == '\0') {
		xasprintf(cause, "missing value");
		return -1;
	}
	if (k->type == T_PATH && value[0] != '/') {
		if (strncmp(value, "./", 2) == 0)
			value += 2;
		xasprintf(&path, "%s/%s", dir, value);
		value = path;
	}
	r = value_types[k->type].parse(k, base, value, cause);
	free(path);
	return r;
}

/* Prints one key the way conf_value_parse reads it back. */
void
conf_value_print(FILE *f, const struct conf_key *k, const void *base)
{
	value_types[k->type].print(f, k, base);
}
