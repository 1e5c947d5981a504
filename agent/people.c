/*
 * people.c: the set of people a gate knows, built whole from a CSV file and
 * never changed afterwards.  A reload builds a new set and the caller swaps
 * it in only when every row was valid: a half-read list could drop a
 * quarantine flag.  Lookup by card uid is a probe in an open-addressing
 * table; names are validated but never kept (data minimisation).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "calendar.h"

#define DAY_NO_END		PEOPLE_DAY_NO_END


struct people {
	struct person	*v;
	size_t		 n;
	uint32_t	*slots;		/* index into v plus one; 0 is empty */
	size_t		 mask;		/* slot count - 1, a power of two */
	char		*pool;		/* person ids, each NUL-terminated */
	size_t		 pool_len;
	size_t		 pool_size;
};

/* What one load carries from row to row. */
struct load {
	const char		*path;
	const char		*name;		/* the file as messages name it */
	const struct gate_conf	*conf;
	struct people_errors	*errs;
	struct people		*set;
	size_t			 max_bytes;	/* the file cap */
	uint32_t		*lines;	/* line of each person, for duplicates */
};

#define load_error(l, line, ...) \
	people_error((l)->errs, (l)->name, (line), __VA_ARGS__)

/* The slot holding uid, or the empty slot where it would go. */
static uint32_t *
people_slot(const struct people *set, uint64_t uid)
{
	size_t	i = people_uid_hash(uid) & set->mask;

	while (set->slots[i] != 0 && set->v[set->slots[i] - 1].uid != uid)
		i = (i + 1) & set->mask;
	return &set->slots[i];
}

/* (Re)builds the table for the people in v; uids are known unique. */
static void
people_index(struct people *set, size_t size)
{
	size_t	i;

	free(set->slots);
	set->slots = xcalloc(size, sizeof *set->slots);
	set->mask = size - 1;
	for (i = 0; i < set->n; i++)
		*people_slot(set, set->v[i].uid) = (uint32_t)(i + 1);
}

/*
 * Whether a file changed between two looks: a copy in place (cp truncates
 * and writes the same inode) changes the size or the modification time,
 * a rename puts another inode at the path.
 */
static int
file_changed(const struct stat *a, const struct stat *b)
{
	return a->st_dev != b->st_dev || a->st_ino != b->st_ino ||
	    a->st_size != b->st_size ||
	    a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	    a->st_mtim.tv_nsec != b->st_mtim.tv_nsec ||
	    a->st_ctim.tv_sec != b->st_ctim.tv_sec ||
	    a->st_ctim.tv_nsec != b->st_ctim.tv_nsec;
}

/*
 * Reads a whole file into a buffer with one spare byte, which the CSV
 * reader uses as the terminator of the last field.  A regular file larger
 * than the cap is refused before anything is read; anything else (a pipe)
 * grows the buffer up to the cap plus two bytes, never past it.  A regular
 * file that changes while it is read, or is replaced at its path, is
 * refused: what was read may be half of an old and half of a new list.
 */
static int
people_read(struct load *l, char **bufp, size_t *lenp)
{
	struct stat	 st, st2;
	char		*buf;
	size_t		 len = 0, size, max = l->max_bytes;
	ssize_t		 n;
	int		 fd, regular;

	if ((fd = open(l->path, O_RDONLY | O_CLOEXEC)) == -1) {
		load_error(l, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		load_error(l, 0, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	regular = S_ISREG(st.st_mode);
	if (regular && (uintmax_t)st.st_size > max) {
		load_error(l, 0, "file larger than %zu bytes", max);
		close(fd);
		return -1;
	}
	if (regular)
		size = (size_t)st.st_size + 2;	/* EOF read needs no growth */
	else
		size = max + 2 < 65536 ? max + 2 : 65536;
	buf = xmalloc(size);
	for (;;) {
		if (len + 1 == size) {
			if (len > max) {
				load_error(l, 0, "file larger than %zu bytes",
				    max);
				goto fail;
			}
			size = size > (max + 2) / 2 ? max + 2 : size * 2;
			buf = xreallocarray(buf, size, 1);
		}
		n = read(fd, buf + len, size - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			load_error(l, 0, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (regular && (fstat(fd, &st2) == -1 || file_changed(&st, &st2) ||
	    len != (size_t)st.st_size || stat(l->path, &st2) == -1 ||
	    file_changed(&st, &st2))) {
		load_error(l, 0, "file changed while it was read: try again "
		    "(replace the file by renaming a complete copy over it)");
		goto fail;
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;

fail:
	close(fd);
	free(buf);
	return -1;
}

/* A zone of the gate config by name: its id, or -1. */
static int
people_zone(const struct gate_conf *conf, const char *name, size_t len)
{
	int	i;

	if (conf == NULL || len == 0 || len >= NAME_LEN)
		return -1;
	for (i = 0; i < conf->zone_count && i < ZONES_MAX; i++) {
		if (strncmp(conf->zones[i], name, len) == 0 &&
		    conf->zones[i][len] == '\0')
			return i;
	}
	return -1;
}

/* Appends a person id to the pool: its offset. */
static uint32_t
people_pool_add(struct people *set, const char *s, size_t len)
{
	size_t	off = set->pool_len;

	if (set->pool_len + len + 1 > set->pool_size) {
		set->pool_size = set->pool_size == 0 ? 65536 :
		    set->pool_size * 2;
		set->pool = xreallocarray(set->pool, set->pool_size, 1);
	}
	memcpy(set->pool + off, s, len + 1);
	set->pool_len += len + 1;
	return (uint32_t)off;
}


/*
 * Takes a parsed row: its person under its uid, unless an earlier row has
 * the uid (that row's line).
 */
static long
load_add(void *arg, const struct people_row *r)
{
	struct load	*l = arg;
	struct people	*set = l->set;
	struct person	 p;
	uint32_t	*slot;

	slot = people_slot(set, r->uid);
	if (*slot != 0)
		return l->lines[*slot - 1];
	memset(&p, 0, sizeof p);
	p.uid = r->uid;
	p.zones = r->zones;
	p.valid_from = r->valid_from;
	p.valid_until = r->valid_until;
	p.category = r->category;
	p.home_zone = r->home_zone;
	p.flags = r->flags;
	p.id_off = people_pool_add(set, r->person_id, r->id_len);
	l->lines[set->n] = (uint32_t)r->line;
	set->v[set->n++] = p;
	*slot = (uint32_t)set->n;
	return 0;
}

/* A zone of the gate config, for the parser. */
static int
load_zone(const void *arg, const char *name, size_t len)
{
	return people_zone(arg, name, len);
}

/*
 * Builds a set from a CSV file: the set, or NULL with every error counted
 * in errs.  Reentrant, so the reload thread may call it while the event
 * loop looks cards up in the old set.
 */
struct people *
people_load(const char *path, const struct gate_conf *conf,
    struct people_errors *errs)
{
	return people_load_max(path, conf, errs, PEOPLE_FILE_MAX);
}

/*
 * A new set sized once for the file: every row takes a line at least, so
 * the line count bounds the rows.
 */
static void
load_alloc(struct load *l, const char *buf, size_t len)
{
	struct people	*set;
	size_t		 lines, cap;

	lines = people_line_count(buf, len);
	cap = lines < PEOPLE_ROWS_MAX ? lines : PEOPLE_ROWS_MAX;
	set = l->set = xcalloc(1, sizeof *set);
	set->v = xreallocarray(NULL, cap, sizeof *set->v);
	l->lines = xreallocarray(NULL, cap, sizeof *l->lines);
	set->slots = xcalloc(people_slots_for(cap), sizeof *set->slots);
	set->mask = people_slots_for(cap) - 1;
}

/* Gives back what the line count overestimated. */
static void
load_trim(struct people *set)
{
	set->v = xreallocarray(set->v, set->n, sizeof *set->v);
	if (set->pool_len != set->pool_size) {
		set->pool = xreallocarray(set->pool, set->pool_len, 1);
		set->pool_size = set->pool_len;
	}
	if (set->mask + 1 > people_slots_for(set->n))
		people_index(set, people_slots_for(set->n));
}

/* people_load() with another cap on the file's size. */
struct people *
people_load_max(const char *path, const struct gate_conf *conf,
    struct people_errors *errs, size_t max_bytes)
{
	return people_load_as(path, path, conf, errs, max_bytes);
}

/*
 * people_load_max() with the name errors give the file: a list the campus
 * pushed is read from the state directory, but its errors name what the
 * office sent ("campus-people v7:12: ..."), which is what it can find.
 */
struct people *
people_load_as(const char *path, const char *name,
    const struct gate_conf *conf, struct people_errors *errs,
    size_t max_bytes)
{
	struct people_errors	 scratch;
	struct people_parse	 parse;
	struct load		 l;
	char			*buf;
	size_t			 len;

	if (errs == NULL)
		errs = &scratch;
	memset(errs, 0, sizeof *errs);
	memset(&l, 0, sizeof l);
	l.path = path;
	l.name = name;
	l.conf = conf;
	l.errs = errs;
	l.max_bytes = max_bytes;
	if (people_read(&l, &buf, &len) != 0)
		return NULL;
	load_alloc(&l, buf, len);
	memset(&parse, 0, sizeof parse);
	parse.name = name;
	parse.errs = errs;
	parse.zone = load_zone;
	parse.zone_arg = conf;
	parse.add = load_add;
	parse.add_arg = &l;
	people_parse_buf(&parse, buf, len);
	free(l.lines);
	free(buf);
	if (errs->count != 0) {
		people_free(l.set);
		return NULL;
	}
	load_trim(l.set);
	return l.set;
}

/*
 * The guard against a list cut short at a line end, which parses: a new
 * set may not drop more than max_pct percent of the people of the set it
 * replaces.  An operator who means it forces the reload instead.
 */
int
people_shrink_check(size_t before, size_t after, int max_pct,
    const char *path, struct people_errors *errs)
{
	unsigned long long	drop;

	if (after >= before || max_pct >= 100)
		return 0;
	drop = before - after;
	if (drop * 100 <= (unsigned long long)max_pct * before)
		return 0;
	errs->count++;
	if (errs->kept < (int)(sizeof errs->lines / sizeof errs->lines[0]))
		snprintf(errs->lines[errs->kept++], sizeof errs->lines[0],
		    "%s: %zu people where %zu are in use: %llu%% fewer, more "
		    "than people-max-shrink %d%% allows (a file cut short?); "
		    "force the reload if it is meant", path, after, before,
		    (drop * 100 + before - 1) / before, max_pct);
	return -1;
}

/* The person with a card uid, or NULL: one hash, a short probe. */
const struct person *
people_find(const struct people *set, uint64_t uid)
{
	uint32_t	*slot;

	if (set == NULL)
		return NULL;
	slot = people_slot(set, uid);
	if (*slot == 0)
		return NULL;
	return &set->v[*slot - 1];
}

/* The person id of a person of the set; the set owns the string. */
const char *
people_person_id(const struct people *set, const struct person *p)
{
	return set->pool + p->id_off;
}

size_t
people_count(const struct people *set)
{
	return set == NULL ? 0 : set->n;
}

/* Bytes the set holds on the heap: what the RSS budget is checked on. */
size_t
people_memory(const struct people *set)
{
	if (set == NULL)
		return 0;
	return sizeof *set + set->n * sizeof *set->v +
	    (set->mask + 1) * sizeof *set->slots + set->pool_size;
}

void
people_free(struct people *set)
{
	if (set == NULL)
		return;
	free(set->v);
	free(set->slots);
	free(set->pool);
	free(set);
}

/*
 * Days since 1970-01-01 of a time, in local time or UTC: validity dates are
 * calendar days where the gate stands.  Clamped to the uint16_t range.
 */
uint16_t
day_number(time_t t, bool local)
{
	struct tm	tm;
	long		n;

	if ((local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)) == NULL)
		return 0;
	n = days_from_civil((long)tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	if (n < 0)
		return 0;
	if (n > DAY_NO_END)
		return DAY_NO_END;
	return (uint16_t)n;
}
