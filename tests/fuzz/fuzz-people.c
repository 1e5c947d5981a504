/*
 * fuzz-people.c: a libFuzzer target for the people CSV loader and for
 * card_uid_parse, which also reads what card readers send.  Each input is
 * written to a memfd and loaded through its /proc path, as a file would be.
 *
 * Built by hand, with clang only (the Makefile does not know it):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *       -Iagent -Ihw -Icommon $(pkg-config --cflags jansson) \
 *       tests/fuzz/fuzz-people.c agent/people.c agent/policy.c \
 *       common/xmalloc.c common/log.c -o build/fuzz-people
 *   mkdir -p build/fuzz-corpus && cp tests/people/[a-z]*.csv build/fuzz-corpus
 *   build/fuzz-people -max_total_time=60 build/fuzz-corpus
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The demo campus zones, so that rows can be valid. */
static const struct gate_conf *
fuzz_conf(void)
{
	static struct gate_conf	*conf;

	if (conf == NULL) {
		if ((conf = calloc(1, sizeof *conf)) == NULL)
			abort();
		conf->zone_count = 3;
		strcpy(conf->zones[0], "teaching");
		strcpy(conf->zones[1], "family");
		strcpy(conf->zones[2], "sports");
	}
	return conf;
}

/* What must hold whatever the input: the loader's contract. */
static void
fuzz_load(const uint8_t *data, size_t size)
{
	struct people_errors	 errs;
	struct people		*set;
	char			 path[64];
	size_t			 lines, i;
	int			 fd, k;

	if ((fd = memfd_create("fuzz-people", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	set = people_load(path, fuzz_conf(), &errs);
	close(fd);

	if ((set == NULL) != (errs.count != 0))
		abort();
	if (errs.kept != (errs.count < 20 ? errs.count : 20))
		abort();
	for (k = 0; k < errs.kept; k++) {
		if (memchr(errs.lines[k], '\0', sizeof errs.lines[k]) == NULL ||
		    strncmp(errs.lines[k], path, strlen(path)) != 0)
			abort();
	}
	if (set != NULL) {
		for (lines = 1, i = 0; i < size; i++)
			lines += data[i] == '\n';
		if (people_count(set) >= lines || people_memory(set) <
		    people_count(set) * sizeof(struct person))
			abort();
	}
	people_free(set);
}

/* A parsed uid printed back in decimal must parse to itself. */
static void
fuzz_uid(const uint8_t *data, size_t size)
{
	char		*s, back[32];
	uint64_t	 uid, again;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (card_uid_parse(s, &uid) == 0) {
		if (uid == 0)
			abort();
		snprintf(back, sizeof back, "%llu", (unsigned long long)uid);
		if (card_uid_parse(back, &again) != 0 || again != uid)
			abort();
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_uid(data, size);
	fuzz_load(data, size);
	return 0;
}
