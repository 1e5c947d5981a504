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

#define PEOPLE_ROWS_MAX		4000000
#define PEOPLE_ERRORS_KEPT	20
#define PERSON_ID_MAX		31
#define PERSON_NAME_MAX		128
#define CSV_FIELDS_MAX		32	/* kept per record; more are counted */
#define SHOWN_MAX		40	/* bytes of a bad value in a message */
#define DAY_NO_END		0xffff

struct people {
	struct person	*v;
	size_t		 n;
	uint32_t	*slots;		/* index into v plus one; 0 is empty */
	size_t		 mask;		/* slot count - 1, a power of two */
	char		*pool;		/* person ids, each NUL-terminated */
	size_t		 pool_len;
	size_t		 pool_size;
};

enum column {
	COL_UID,
	COL_ID,
	COL_NAME,
	COL_CATEGORY,
	COL_HOME,
	COL_ZONES,
	COL_FROM,
	COL_UNTIL,
	COL_FLAGS,
	COL__COUNT
};

static const char *const people_columns[COL__COUNT] = {
	[COL_UID]	= "card_uid",
	[COL_ID]	= "person_id",
	[COL_NAME]	= "name",
	[COL_CATEGORY]	= "category",
	[COL_HOME]	= "home_zone",
	[COL_ZONES]	= "zones_allowed",
	[COL_FROM]	= "valid_from",
	[COL_UNTIL]	= "valid_until",
	[COL_FLAGS]	= "flags",
};

static const struct {
	const char	*name;
	uint8_t		 flag;
} people_flags[] = {
	{ "quarantine",		PF_QUARANTINE },
	{ "observation",	PF_OBSERVATION },
	{ "vehicle",		PF_VEHICLE },
	{ "exempt",		PF_EXEMPT },
};

/*
 * A CSV reader over a buffer it owns and may write: quoted fields are
 * unescaped and every field is NUL-terminated in place, so reading a row
 * copies nothing and allocates nothing.  The buffer has one spare byte
 * after end for the last terminator.
 */
struct csv {
	char		*p;
	char		*end;
	long		 line;		/* physical line of p */
	long		 rec_line;	/* line the last record started on */
	const char	*error;		/* syntax error of the last record */
	int		 nf;		/* fields in the last record, all */
	char		*f[CSV_FIELDS_MAX];
	size_t		 len[CSV_FIELDS_MAX];
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
	int			 col[COL__COUNT];	/* field of each column */
};

static void	people_error(struct load *, long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * Records one error; all are counted, the first few kept as text.  A long
 * message is cut rather than dropped.
 */
static void
people_error(struct load *l, long line, const char *fmt, ...)
{
	struct people_errors	*e = l->errs;
	char			*dst;
	size_t			 size = sizeof e->lines[0];
	va_list			 ap;
	int			 n;

	e->count++;
	if (e->kept >= PEOPLE_ERRORS_KEPT)
		return;
	dst = e->lines[e->kept++];
	if (line > 0)
		n = snprintf(dst, size, "%s:%ld: ", l->name, line);
	else
		n = snprintf(dst, size, "%s: ", l->name);
	if (n < 0 || (size_t)n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(dst + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * A bad value as it may appear in a message: short, and with anything that
 * is not printable ASCII replaced, so a message never carries a control
 * character into a log or an API answer.
 */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i < SHOWN_MAX && i + 4 < size; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] != '\0')
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

/* The splitmix64 finalizer: card uids are often sequential. */
static uint64_t
uid_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Slots for n people: a power of two, at most half full. */
static size_t
slots_for(size_t n)
{
	size_t	size = 16;

	while (size < 2 * n)
		size <<= 1;
	return size;
}

/* The slot holding uid, or the empty slot where it would go. */
static uint32_t *
people_slot(const struct people *set, uint64_t uid)
{
	size_t	i = uid_hash(uid) & set->mask;

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
		people_error(l, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		people_error(l, 0, "cannot stat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	regular = S_ISREG(st.st_mode);
	if (regular && (uintmax_t)st.st_size > max) {
		people_error(l, 0, "file larger than %zu bytes", max);
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
				people_error(l, 0, "file larger than %zu bytes",
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
			people_error(l, 0, "cannot read: %s", strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (regular && (fstat(fd, &st2) == -1 || file_changed(&st, &st2) ||
	    len != (size_t)st.st_size || stat(l->path, &st2) == -1 ||
	    file_changed(&st, &st2))) {
		people_error(l, 0, "file changed while it was read: try again "
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

/* Moves the reader past the end of the current line. */
static void
csv_skip_line(struct csv *c, char *p)
{
	if ((p = memchr(p, '\n', (size_t)(c->end - p))) == NULL)
		c->p = c->end;
	else {
		c->p = p + 1;
		c->line++;
	}
}

/*
 * Reads one record (RFC 4180), skipping blank lines and lines starting
 * with '#': 1 when a record was read, 0 at the end.  On a syntax error the
 * record has c->error set and the reader resumes at the next line.
 */
static int
csv_next(struct csv *c)
{
	char	*p, *w, *start, delim;

	c->nf = 0;
	c->error = NULL;
	for (;;) {
		if (c->p >= c->end)
			return 0;
		for (p = c->p; p < c->end; p++) {
			if (*p != ' ' && *p != '\t' && *p != '\r')
				break;
		}
		if (p < c->end && *p != '\n' && *p != '#')
			break;
		csv_skip_line(c, p);
	}

	c->rec_line = c->line;
	p = c->p;
	for (;;) {
		start = w = p;
		if (p < c->end && *p == '"') {
			for (p++;; p++) {
				if (p >= c->end) {
					c->error = "unterminated quoted field";
					c->p = c->end;
					return 1;
				}
				if (*p == '"') {
					if (p + 1 < c->end && p[1] == '"')
						p++;
					else
						break;
				} else if (*p == '\n')
					c->line++;
				*w++ = *p;
			}
			p++;
			if (p < c->end && *p == '\r' &&
			    (p + 1 == c->end || p[1] == '\n'))
				p++;
			if (p < c->end && *p != ',' && *p != '\n') {
				c->error = "text after a closing quote";
				csv_skip_line(c, p);
				return 1;
			}
		} else {
			while (p < c->end && *p != ',' && *p != '\n' &&
			    *p != '"')
				p++;
			if (p < c->end && *p == '"') {
				c->error = "quote inside an unquoted field";
				csv_skip_line(c, p);
				return 1;
			}
			w = p;
			if (w > start && w[-1] == '\r' && (p == c->end ||
			    *p == '\n'))
				w--;
		}
		delim = p < c->end ? *p : '\n';
		*w = '\0';
		if (c->nf < CSV_FIELDS_MAX) {
			c->f[c->nf] = start;
			c->len[c->nf] = (size_t)(w - start);
		}
		c->nf++;
		if (delim == ',') {
			p++;
			continue;
		}
		if (p < c->end) {
			p++;
			c->line++;
		}
		c->p = p;
		return 1;
	}
}

/* Maps the header's columns to fields: 0, or -1 when it is not usable. */
static int
people_header(struct load *l, struct csv *c)
{
	char	 tmp[64];
	int	 i, j, errors = l->errs->count;

	for (j = 0; j < COL__COUNT; j++)
		l->col[j] = -1;
	if (c->nf > CSV_FIELDS_MAX) {
		people_error(l, c->rec_line, "too many columns: %d", c->nf);
		return -1;
	}
	for (i = 0; i < c->nf; i++) {
		for (j = 0; j < COL__COUNT; j++) {
			if (strcmp(c->f[i], people_columns[j]) == 0)
				break;
		}
		if (j == COL__COUNT)
			people_error(l, c->rec_line, "unknown column '%s'",
			    shown(c->f[i], tmp, sizeof tmp));
		else if (l->col[j] != -1)
			people_error(l, c->rec_line, "duplicate column '%s'",
			    people_columns[j]);
		else
			l->col[j] = i;
	}
	for (j = 0; j < COL__COUNT; j++) {
		if (l->col[j] == -1)
			people_error(l, c->rec_line, "missing column '%s'",
			    people_columns[j]);
	}
	return l->errs->count == errors ? 0 : -1;
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

/* The bitmask of a ';'-separated zone list; -1 when a name is bad. */
static int
people_zone_list(struct load *l, long line, const char *s, uint32_t *mask)
{
	const char	*e;
	char		 tmp[64], name[NAME_LEN + 8];
	size_t		 len;
	int		 z, rc = 0;

	*mask = 0;
	if (*s == '\0')
		return 0;
	for (;;) {
		e = strchr(s, ';');
		len = e == NULL ? strlen(s) : (size_t)(e - s);
		if (len == 0) {
			people_error(l, line, "empty zone name in zones_allowed");
			rc = -1;
		} else if ((z = people_zone(l->conf, s, len)) == -1) {
			snprintf(name, sizeof name, "%.*s",
			    (int)(len < NAME_LEN ? len : NAME_LEN), s);
			people_error(l, line, "unknown zone '%s'",
			    shown(name, tmp, sizeof tmp));
			rc = -1;
		} else
			*mask |= 1u << z;
		if (e == NULL)
			return rc;
		s = e + 1;
	}
}

/* The bits of a ';'-separated flag list; -1 when a flag is bad. */
static int
people_flag_list(struct load *l, long line, const char *s, uint8_t *flags)
{
	const char	*e;
	char		 tmp[64], name[SHOWN_MAX + 8];
	size_t		 len, i;
	int		 rc = 0;

	*flags = 0;
	if (*s == '\0')
		return 0;
	for (;;) {
		e = strchr(s, ';');
		len = e == NULL ? strlen(s) : (size_t)(e - s);
		for (i = 0; i < sizeof people_flags / sizeof people_flags[0];
		    i++) {
			if (strncmp(people_flags[i].name, s, len) == 0 &&
			    people_flags[i].name[len] == '\0')
				break;
		}
		if (i < sizeof people_flags / sizeof people_flags[0])
			*flags |= people_flags[i].flag;
		else {
			snprintf(name, sizeof name, "%.*s",
			    (int)(len < SHOWN_MAX + 1 ? len : SHOWN_MAX + 1), s);
			people_error(l, line, "unknown flag '%s'",
			    shown(name, tmp, sizeof tmp));
			rc = -1;
		}
		if (e == NULL)
			return rc;
		s = e + 1;
	}
}

/* Parses YYYY-MM-DD, a real date from 1970 that fits a uint16_t. */
static int
date_parse(const char *s, uint16_t *day)
{
	long	n;

	if (date_parse_ymd(s, &n) == -1 || n < 0 || n >= DAY_NO_END)
		return -1;
	*day = (uint16_t)n;
	return 0;
}

/* A person id: 1-31 printable ASCII characters, no spaces. */
static int
person_id_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > PERSON_ID_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	}
	return 1;
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

/* A row's field for a column, and its length. */
#define FIELD(l, c, k)		((c)->f[(l)->col[(k)]])
#define FIELD_LEN(l, c, k)	((c)->len[(l)->col[(k)]])

/* Whether a row has every column and no NUL byte in a field. */
static int
row_shape_ok(struct load *l, struct csv *c, long line)
{
	int	i;

	if (c->nf != COL__COUNT) {
		people_error(l, line, "wrong field count: %d, expected %d",
		    c->nf, COL__COUNT);
		return 0;
	}
	for (i = 0; i < COL__COUNT; i++) {
		if (strlen(c->f[i]) != c->len[i]) {
			people_error(l, line, "NUL byte in field '%s'",
			    people_columns[i]);
			return 0;
		}
	}
	return 1;
}

/* card_uid into p; whether it is a card number. */
static int
row_uid(struct load *l, struct csv *c, long line, struct person *p)
{
	const char	*s = FIELD(l, c, COL_UID);
	char		 tmp[64];

	if (card_uid_parse(s, &p->uid) == 0)
		return 1;
	people_error(l, line, "invalid card uid '%s'",
	    shown(s, tmp, sizeof tmp));
	return 0;
}

/* person_id, kept in the set's pool. */
static void
row_person_id(struct load *l, struct csv *c, long line, struct person *p)
{
	const char	*s = FIELD(l, c, COL_ID);
	size_t		 len = FIELD_LEN(l, c, COL_ID);
	char		 tmp[64];

	if (!person_id_valid(s, len))
		people_error(l, line, "invalid person id '%s': 1-%d printable "
		    "characters, no spaces", shown(s, tmp, sizeof tmp),
		    PERSON_ID_MAX);
	else
		p->id_off = people_pool_add(l->set, s, len);
}

/* name: checked, never kept (data minimisation). */
static void
row_name(struct load *l, struct csv *c, long line)
{
	const char	*s = FIELD(l, c, COL_NAME);
	size_t		 len = FIELD_LEN(l, c, COL_NAME);
	int		 i;

	if (len == 0)
		people_error(l, line, "empty name");
	else if (len > PERSON_NAME_MAX)
		people_error(l, line, "name longer than %d bytes",
		    PERSON_NAME_MAX);
	else {
		for (i = 0; s[i] != '\0'; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				people_error(l, line,
				    "control character in name");
				break;
			}
		}
	}
}

/* category and home_zone (empty: none). */
static void
row_category_home(struct load *l, struct csv *c, long line,
    struct person *p)
{
	const char	*s;
	char		 tmp[64];
	size_t		 len;
	int		 v;

	s = FIELD(l, c, COL_CATEGORY);
	if ((v = category_from_name(s)) == -1)
		people_error(l, line, "unknown category '%s'",
		    shown(s, tmp, sizeof tmp));
	else
		p->category = (uint8_t)v;

	s = FIELD(l, c, COL_HOME);
	len = FIELD_LEN(l, c, COL_HOME);
	if (len == 0)
		p->home_zone = ZONE_NONE;
	else if ((v = people_zone(l->conf, s, len)) == -1)
		people_error(l, line, "unknown zone '%s'",
		    shown(s, tmp, sizeof tmp));
	else
		p->home_zone = (uint8_t)v;
}

/* valid_from and valid_until: empty is no limit; from not after until. */
static void
row_validity(struct load *l, struct csv *c, long line, struct person *p)
{
	const char	*s;
	char		 tmp[64];
	int		 from_ok, until_ok;

	s = FIELD(l, c, COL_FROM);
	p->valid_from = 0;
	if (!(from_ok = *s == '\0' || date_parse(s, &p->valid_from) == 0))
		people_error(l, line, "invalid valid_from date '%s'",
		    shown(s, tmp, sizeof tmp));
	s = FIELD(l, c, COL_UNTIL);
	p->valid_until = DAY_NO_END;
	if (!(until_ok = *s == '\0' || date_parse(s, &p->valid_until) == 0))
		people_error(l, line, "invalid valid_until date '%s'",
		    shown(s, tmp, sizeof tmp));
	if (from_ok && until_ok && p->valid_from > p->valid_until)
		people_error(l, line, "valid_from %s is after valid_until %s",
		    FIELD(l, c, COL_FROM), FIELD(l, c, COL_UNTIL));
}

/* Adds the person under its uid, unless an earlier row has the uid. */
static void
row_add(struct load *l, struct csv *c, long line, const struct person *p)
{
	struct people	*set = l->set;
	uint32_t	*slot;
	char		 tmp[64];

	slot = people_slot(set, p->uid);
	if (*slot != 0) {
		people_error(l, line, "duplicate card uid '%s', first on "
		    "line %u", shown(FIELD(l, c, COL_UID), tmp, sizeof tmp),
		    l->lines[*slot - 1]);
		return;
	}
	l->lines[set->n] = (uint32_t)line;
	set->v[set->n++] = *p;
	*slot = (uint32_t)set->n;
}

/*
 * Validates one row and adds its person.  Every bad field is reported, not
 * only the first, so one run of the loader lists all that needs fixing.
 */
static void
people_row(struct load *l, struct csv *c)
{
	struct person	 p;
	long		 line = c->rec_line;
	int		 uid_ok;

	if (!row_shape_ok(l, c, line))
		return;
	memset(&p, 0, sizeof p);
	uid_ok = row_uid(l, c, line, &p);
	row_person_id(l, c, line, &p);
	row_name(l, c, line);
	row_category_home(l, c, line, &p);
	people_zone_list(l, line, FIELD(l, c, COL_ZONES), &p.zones);
	row_validity(l, c, line, &p);
	people_flag_list(l, line, FIELD(l, c, COL_FLAGS), &p.flags);
	/*
	 * A row with other errors still claims its uid, so that a later
	 * duplicate is reported in the same run.
	 */
	if (uid_ok)
		row_add(l, c, line, &p);
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
 * the line count bounds the rows.  Returns the line count.
 */
static size_t
load_alloc(struct load *l, const char *buf, size_t len)
{
	struct people	*set;
	const char	*p;
	size_t		 lines, cap;

	lines = 1;
	for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL;
	    p++)
		lines++;
	cap = lines < PEOPLE_ROWS_MAX ? lines : PEOPLE_ROWS_MAX;
	set = l->set = xcalloc(1, sizeof *set);
	set->v = xreallocarray(NULL, cap, sizeof *set->v);
	l->lines = xreallocarray(NULL, cap, sizeof *l->lines);
	set->slots = xcalloc(slots_for(cap), sizeof *set->slots);
	set->mask = slots_for(cap) - 1;
	return lines;
}

/* Reads the header and every row of buf into l's set, counting errors. */
static void
load_rows(struct load *l, char *buf, size_t len)
{
	struct csv	 c;
	size_t		 rows = 0;

	memset(&c, 0, sizeof c);
	c.p = buf;
	c.end = buf + len;
	c.line = 1;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		c.p += 3;
	if (!csv_next(&c))
		people_error(l, 0, "no header line");
	else if (c.error != NULL)
		people_error(l, c.rec_line, "%s", c.error);
	else if (people_header(l, &c) == 0) {
		while (csv_next(&c)) {
			if (++rows > PEOPLE_ROWS_MAX) {
				people_error(l, c.rec_line,
				    "more than %d rows", PEOPLE_ROWS_MAX);
				break;
			}
			if (c.error != NULL)
				people_error(l, c.rec_line, "%s", c.error);
			else
				people_row(l, &c);
		}
	}
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
	if (set->mask + 1 > slots_for(set->n))
		people_index(set, slots_for(set->n));
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
	struct load		 l;
	char			*buf;
	size_t			 len, lines;

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
	lines = load_alloc(&l, buf, len);

	/*
	 * Every line of a complete file ends in a newline.  A file without
	 * one was most likely cut short, and a cut inside the last field
	 * can leave a row that still parses, losing what followed.
	 */
	if (len > 0 && buf[len - 1] != '\n')
		people_error(&l, (long)lines, "no newline at the end of the "
		    "file: it may be cut short");
	load_rows(&l, buf, len);
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
 * A card uid as a number: 1-20 decimal digits that fit 64 bits, or 0x and
 * 1-16 hex digits.  Zero is no card.  Readers' input goes through here too.
 */
int
card_uid_parse(const char *s, uint64_t *uid)
{
	uint64_t	v = 0;
	int		i, d;

	if (s == NULL)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; s[i] != '\0'; i++) {
			if (s[i] >= '0' && s[i] <= '9')
				d = s[i] - '0';
			else if (s[i] >= 'a' && s[i] <= 'f')
				d = s[i] - 'a' + 10;
			else if (s[i] >= 'A' && s[i] <= 'F')
				d = s[i] - 'A' + 10;
			else
				return -1;
			if (i - 2 >= 16)
				return -1;
			v = v << 4 | (uint64_t)d;
		}
		if (i == 2)
			return -1;
	} else {
		for (i = 0; s[i] != '\0'; i++) {
			if (s[i] < '0' || s[i] > '9' || i >= 20)
				return -1;
			d = s[i] - '0';
			if (v > (UINT64_MAX - (uint64_t)d) / 10)
				return -1;
			v = v * 10 + (uint64_t)d;
		}
		if (i == 0)
			return -1;
	}
	if (v == 0)
		return -1;
	*uid = v;
	return 0;
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
