/*
 * fuzz-config.c: a libFuzzer target for the gated.conf loader.  Each input
 * is written to a file in a directory of its own and loaded from there
 * (not a memfd: the loader takes the realpath of the file, and a memfd's
 * /proc link has none).  Whatever the bytes, the loader must not crash or leak (ASan
 * sees both), must either load or say why, and what loads must survive
 * the round trip test-config checks on the golden files: print it, load
 * the print, print again; both prints and both configs are the same.  A
 * config that loads but whose print is refused would be one gatectl
 * config show prints and the gate then cannot reload.
 *
 * Built and run by tests/integration/fuzz.sh (make check, short) and
 * scripts/fuzz-long (make fuzz-long); the sources are its srcs().
 */
#include <fcntl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	fuzz_dir[] = "/dev/shm/fuzz-config-XXXXXX";
static char	fuzz_tmp[] = "/tmp/fuzz-config-XXXXXX";
static char	*fuzz_at;
static char	fuzz_path[sizeof fuzz_dir + 16];

static void
fuzz_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_at);
}

/* bytes in the file, loaded from its path. */
static struct gate_conf *
load_bytes(const void *bytes, size_t size, char **errors)
{
	struct gate_conf	*gc;
	int			 fd;

	if (fuzz_path[0] == '\0') {
		if ((fuzz_at = mkdtemp(fuzz_dir)) == NULL &&
		    (fuzz_at = mkdtemp(fuzz_tmp)) == NULL)
			abort();
		snprintf(fuzz_path, sizeof fuzz_path, "%s/gated.conf",
		    fuzz_at);
		atexit(fuzz_cleanup);
	}
	if ((fd = open(fuzz_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		abort();
	if (size > 0 && write(fd, bytes, size) != (ssize_t)size)
		abort();
	close(fd);
	gc = config_load(fuzz_path, errors);
	/* The contract: a config, or NULL and at least one error. */
	if ((gc == NULL) != (*errors != NULL))
		abort();
	if (*errors != NULL && **errors == '\0')
		abort();
	return gc;
}

static char *
print_string(const struct gate_conf *gc, size_t *size)
{
	char	*out;
	FILE	*f;

	if ((f = open_memstream(&out, size)) == NULL)
		abort();
	config_print(gc, f);
	fclose(f);
	return out;
}

/* What loads prints, loads back, and prints the same. */
static void
round_trip(const struct gate_conf *gc)
{
	struct gate_conf	*gc2;
	char			*printed, *again, *errors;
	size_t			 n1, n2;

	printed = print_string(gc, &n1);
	if ((gc2 = load_bytes(printed, n1, &errors)) == NULL) {
		fprintf(stderr, "fuzz-config: the print of a config that "
		    "loads is refused:\n%s--- print:\n%s---\n", errors,
		    printed);
		abort();
	}
	again = print_string(gc2, &n2);
	if (n1 != n2 || memcmp(printed, again, n1) != 0) {
		fprintf(stderr, "fuzz-config: the print changes when loaded "
		    "back:\n%s--- again:\n%s---\n", printed, again);
		abort();
	}
	/* Loaded from the same path, so even gc->path is the same. */
	if (memcmp(gc, gc2, sizeof *gc) != 0) {
		fprintf(stderr, "fuzz-config: the print loads back to another "
		    "config:\n%s---\n", printed);
		abort();
	}
	free(again);
	free(printed);
	config_free(gc2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gate_conf	*gc;
	char			*errors;

	/* Files are small; a huge input only slows the search down. */
	if (size > 16384)
		return 0;
	gc = load_bytes(data, size, &errors);
	if (gc != NULL)
		round_trip(gc);
	config_free(gc);
	free(errors);
	return 0;
}
