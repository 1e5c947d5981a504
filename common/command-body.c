/*
 * command-body.c: the bodies of the campus commands that carry data, not
 * one value: a people push (the CSV) and the campus's quarantine set
 * (person ids).  The signature covers the body's SHA-256 and size (the
 * command's value and size), so the canonical form stays small and of one
 * shape; the gate hashes the body it received and refuses it as bad-hash
 * when it is not the one signed.
 *
 * A quarantine set has one spelling: its ids sorted (bytewise), none
 * twice, so the same set always has the same hash, whoever builds it.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "command-int.h"
#include "xmalloc.h"

int
command_has_body(enum command_what w)
{
	return w == COMMAND_PEOPLE || w == COMMAND_QUARANTINE;
}

int
command_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[EVP_MAX_MD_SIZE];
	unsigned int		n = 0, i;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -1;
	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

int
command_person_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len >= COMMAND_PERSON_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	}
	return 1;
}

void
command_clear(struct command *c)
{
	free(c->body);
	c->body = NULL;
	c->body_len = 0;
}

/* Takes buf (malloc'd, len bytes) as the body, with its hash and size. */
static int
set_body(struct command *c, char *buf, size_t len)
{
	command_clear(c);
	if (len > COMMAND_BODY_MAX || command_sha256_hex(buf, len,
	    c->value) == -1) {
		free(buf);
		return -1;
	}
	c->body = buf;
	c->body_len = len;
	c->size = len;
	return 0;
}

int
command_set_csv(struct command *c, const char *csv, size_t len)
{
	char	*buf;

	if (len > COMMAND_BODY_MAX)
		return -1;
	buf = xmalloc(len + 1);
	memcpy(buf, csv, len);
	buf[len] = '\0';
	return set_body(c, buf, len);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
command_set_persons(struct command *c, const char *const *ids, size_t n,
    const char **cause)
{
	const char	**v;
	char		 *buf;
	size_t		  i, len = 0, k;

	v = xreallocarray(NULL, n ? n : 1, sizeof *v);
	for (i = 0; i < n; i++) {
		if (!command_person_valid(ids[i], strlen(ids[i]))) {
			free(v);
			*cause = "a person id is 1-31 printable characters, "
			    "no spaces";
			return -1;
		}
		v[i] = ids[i];
		len += strlen(ids[i]) + 1;
	}
	qsort(v, n, sizeof *v, cmp_str);
	buf = xmalloc(len + 1);
	for (i = 0, len = 0; i < n; i++) {
		if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
			continue;
		k = strlen(v[i]);
		memcpy(buf + len, v[i], k);
		buf[len + k] = '\n';
		len += k + 1;
	}
	buf[len] = '\0';
	free(v);
	if (set_body(c, buf, len) == -1) {
		*cause = "the set is larger than 16 MiB";
		return -1;
	}
	return 0;
}

int
command_body_to_json(const struct command *c, json_t *o)
{
	json_t		*a;
	const char	*p, *nl, *end;

	json_object_set_new(o, "size", json_integer((json_int_t)c->size));
	if (c->what == COMMAND_PEOPLE)
		return json_object_set_new(o, "csv",
		    json_stringn(c->body, c->body_len));
	a = json_array();
	end = c->body + c->body_len;
	for (p = c->body; p < end && (nl = memchr(p, '\n', (size_t)(end - p)))
	    != NULL; p = nl + 1)
		json_array_append_new(a, json_stringn(p, (size_t)(nl - p)));
	return json_object_set_new(o, "persons", a);
}

/* The persons array as the body: sorted, unique, each a person id. */
static int
persons_from_json(json_t *a, struct command *c)
{
	json_t		*v;
	const char	*s, *prev = NULL;
	size_t		 i, len = 0, k;
	char		*buf;

	if (!json_is_array(a))
		return -1;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || !command_person_valid(
		    json_string_value(v), json_string_length(v)) ||
		    (prev != NULL && strcmp(prev, json_string_value(v)) >= 0))
			return -1;
		prev = json_string_value(v);
		len += json_string_length(v) + 1;
		if (len > COMMAND_BODY_MAX)
			return -1;
	}
	buf = xmalloc(len + 1);
	len = 0;
	json_array_foreach(a, i, v) {
		s = json_string_value(v);
		k = json_string_length(v);
		memcpy(buf + len, s, k);
		buf[len + k] = '\n';
		len += k + 1;
	}
	buf[len] = '\0';
	c->body = buf;
	c->body_len = len;
	return 0;
}

int
command_body_from_json(json_t *o, struct command *c)
{
	json_t	*size = json_object_get(o, "size"), *csv, *persons;

	csv = json_object_get(o, "csv");
	persons = json_object_get(o, "persons");
	if (!command_has_body(c->what))
		return size == NULL && csv == NULL && persons == NULL ? 0 : -1;
	if (!json_is_integer(size) || json_integer_value(size) < 0 ||
	    (uint64_t)json_integer_value(size) > COMMAND_BODY_MAX)
		return -1;
	c->size = (uint64_t)json_integer_value(size);
	if (c->what == COMMAND_QUARANTINE)
		return csv == NULL ? persons_from_json(persons, c) : -1;
	if (persons != NULL || !json_is_string(csv) ||
	    json_string_length(csv) > COMMAND_BODY_MAX)
		return -1;
	c->body_len = json_string_length(csv);
	c->body = xmalloc(c->body_len + 1);
	memcpy(c->body, json_string_value(csv), c->body_len + 1);
	return 0;
}

int
command_body_matches(const struct command *c)
{
	char	hex[65];

	if (c->body == NULL || c->body_len != c->size ||
	    command_sha256_hex(c->body, c->body_len, hex) == -1)
		return 0;
	return strcmp(hex, c->value) == 0;
}
