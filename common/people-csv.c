/*
 * people-csv.c: the people list's CSV, read and validated row by row.  A
 * gate (agent/people.c), gatectl and the hub all parse through here, so a
 * list one of them accepts is one every gate accepts, and a bad one is
 * refused with the same "FILE:LINE: what" everywhere.  Every bad field is
 * reported, not only the first, so one run lists all that needs fixing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "pass.h"
#include "people-csv.h"
#include "xmalloc.h"

#define PEOPLE_ERRORS_KEPT	20
#define PERSON_ID_MAX		31
#define PERSON_NAME_MAX		128
#define CSV_FIELDS_MAX		32	/* kept per record; more are counted */
#define SHOWN_MAX		40	/* bytes of a bad value in a message */
#define ZONE_NAME_MAX		31

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

static const char *const category_names[CAT__COUNT] = {
	[CAT_STUDENT]		= "student",
	[CAT_STAFF]		= "staff",
	[CAT_RESIDENT]		= "resident",
	[CAT_CONTRACTOR]	= "contractor",
	[CAT_VISITOR]		= "visitor",
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

/* The uids seen so far, when the caller keeps no table of its own. */
struct uid_seen {
	uint64_t	*uid;
	uint32_t	*line;
	size_t		 mask;
};

/* What one parse carries from row to row. */
struct load {
	struct people_parse	*p;
	struct uid_seen		 seen;
	int			 col[COL__COUNT];	/* field of each column */
};

/*
 * Records one error; all are counted, the first few kept as text.  A long
 * message is cut rather than dropped.
 */
void
people_error(struct people_errors *e, const char *name, long line,
    const char *fmt, ...)
{
	char			*dst;
	size_t			 size = sizeof e->lines[0];
	va_list			 ap;
	int			 n;

	e->count++;
	if (e->kept >= PEOPLE_ERRORS_KEPT)
		return;
	dst = e->lines[e->kept++];
	if (line > 0)
		n = snprintf(dst, size, "%s:%ld: ", name, line);
	else
		n = snprintf(dst, size, "%s: ", name);
	if (n < 0 || (size_t)n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(dst + n, size - (size_t)n, fmt, ap);
	va_end(ap);
}

#define lerror(l, line, ...) \
	people_error((l)->p->errs, (l)->p->name, (line), __VA_ARGS__)

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
	int	 i, j, errors = l->p->errs->count;

	for (j = 0; j < COL__COUNT; j++)
		l->col[j] = -1;
	if (c->nf > CSV_FIELDS_MAX) {
		lerror(l, c->rec_line, "too many columns: %d", c->nf);
		return -1;
	}
	for (i = 0; i < c->nf; i++) {
		for (j = 0; j < COL__COUNT; j++) {
			if (strcmp(c->f[i], people_columns[j]) == 0)
				break;
		}
		if (j == COL__COUNT)
			lerror(l, c->rec_line, "unknown column '%s'",
			    shown(c->f[i], tmp, sizeof tmp));
		else if (l->col[j] != -1)
			lerror(l, c->rec_line, "duplicate column '%s'",
			    people_columns[j]);
		else
			l->col[j] = i;
	}
	for (j = 0; j < COL__COUNT; j++) {
		if (l->col[j] == -1)
			lerror(l, c->rec_line, "missing column '%s'",
			    people_columns[j]);
	}
	return l->p->errs->count == errors ? 0 : -1;
}


/*
 * A zone by name: the caller's id, or, when the caller knows no zones (a
 * hub, gatectl), 0 for any well-formed name: each gate still checks the
 * names against its own config when the list reaches it.
 */
static int
people_zone(struct load *l, const char *name, size_t len)
{
	char	buf[ZONE_NAME_MAX + 1];

	if (len == 0 || len > ZONE_NAME_MAX)
		return -1;
	if (l->p->zone != NULL)
		return l->p->zone(l->p->zone_arg, name, len);
	memcpy(buf, name, len);
	buf[len] = '\0';
	return pass_valid_name(buf) ? 0 : -1;
}

/* The bitmask of a ';'-separated zone list; -1 when a name is bad. */
static int
people_zone_list(struct load *l, long line, const char *s, uint32_t *mask)
{
	const char	*e;
	char		 tmp[64], name[ZONE_NAME_MAX + 8];
	size_t		 len;
	int		 z, rc = 0;

	*mask = 0;
	if (*s == '\0')
		return 0;
	for (;;) {
		e = strchr(s, ';');
		len = e == NULL ? strlen(s) : (size_t)(e - s);
		if (len == 0) {
			lerror(l, line, "empty zone name in zones_allowed");
			rc = -1;
		} else if ((z = people_zone(l, s, len)) == -1) {
			snprintf(name, sizeof name, "%.*s",
			    (int)(len <= ZONE_NAME_MAX ? len : ZONE_NAME_MAX + 1), s);
			lerror(l, line, "unknown zone '%s'",
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
			lerror(l, line, "unknown flag '%s'",
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

	if (date_parse_ymd(s, &n) == -1 || n < 0 || n >= PEOPLE_DAY_NO_END)
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

/* A row's field for a column, and its length. */
#define FIELD(l, c, k)		((c)->f[(l)->col[(k)]])
#define FIELD_LEN(l, c, k)	((c)->len[(l)->col[(k)]])

/* Whether a row has every column and no NUL byte in a field. */
static int
row_shape_ok(struct load *l, struct csv *c, long line)
{
	int	i;

	if (c->nf != COL__COUNT) {
		lerror(l, line, "wrong field count: %d, expected %d",
		    c->nf, COL__COUNT);
		return 0;
	}
	for (i = 0; i < COL__COUNT; i++) {
		if (strlen(c->f[i]) != c->len[i]) {
			lerror(l, line, "NUL byte in field '%s'",
			    people_columns[i]);
			return 0;
		}
	}
	return 1;
}

/* card_uid into p; whether it is a card number. */
static int
row_uid(struct load *l, struct csv *c, long line, struct people_row *p)
{
	const char	*s = FIELD(l, c, COL_UID);
	char		 tmp[64];

	if (card_uid_parse(s, &p->uid) == 0)
		return 1;
	lerror(l, line, "invalid card uid '%s'",
	    shown(s, tmp, sizeof tmp));
	return 0;
}


/* person_id: 1-31 printable characters, no spaces. */
static void
row_person_id(struct load *l, struct csv *c, long line, struct people_row *r)
{
	const char	*s = FIELD(l, c, COL_ID);
	size_t		 len = FIELD_LEN(l, c, COL_ID);
	char		 tmp[64];

	r->person_id = s;
	r->id_len = len;
	if (!person_id_valid(s, len))
		lerror(l, line, "invalid person id '%s': 1-%d printable "
		    "characters, no spaces", shown(s, tmp, sizeof tmp),
		    PERSON_ID_MAX);
}

/* name: checked; the caller decides whether to keep it. */
static void
row_name(struct load *l, struct csv *c, long line, struct people_row *r)
{
	const char	*s = FIELD(l, c, COL_NAME);
	size_t		 len = FIELD_LEN(l, c, COL_NAME);
	int		 i;

	r->name = s;
	if (len == 0)
		lerror(l, line, "empty name");
	else if (len > PERSON_NAME_MAX)
		lerror(l, line, "name longer than %d bytes", PERSON_NAME_MAX);
	else {
		for (i = 0; s[i] != '\0'; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				lerror(l, line, "control character in name");
				break;
			}
		}
	}
}

/* category and home_zone (empty: none). */
static void
row_category_home(struct load *l, struct csv *c, long line,
    struct people_row *r)
{
	const char	*s;
	char		 tmp[64];
	size_t		 len;
	int		 v;

	s = FIELD(l, c, COL_CATEGORY);
	if ((v = category_from_name(s)) == -1)
		lerror(l, line, "unknown category '%s'",
		    shown(s, tmp, sizeof tmp));
	else
		r->category = (uint8_t)v;

	s = r->home = FIELD(l, c, COL_HOME);
	len = FIELD_LEN(l, c, COL_HOME);
	if (len == 0)
		r->home_zone = PEOPLE_ZONE_NONE;
	else if ((v = people_zone(l, s, len)) == -1)
		lerror(l, line, "unknown zone '%s'",
		    shown(s, tmp, sizeof tmp));
	else
		r->home_zone = (uint8_t)v;
}

/* valid_from and valid_until: empty is no limit; from not after until. */
static void
row_validity(struct load *l, struct csv *c, long line, struct people_row *r)
{
	const char	*s;
	char		 tmp[64];
	int		 from_ok, until_ok;

	s = FIELD(l, c, COL_FROM);
	r->valid_from = 0;
	if (!(from_ok = *s == '\0' || date_parse(s, &r->valid_from) == 0))
		lerror(l, line, "invalid valid_from date '%s'",
		    shown(s, tmp, sizeof tmp));
	s = FIELD(l, c, COL_UNTIL);
	r->valid_until = PEOPLE_DAY_NO_END;
	if (!(until_ok = *s == '\0' || date_parse(s, &r->valid_until) == 0))
		lerror(l, line, "invalid valid_until date '%s'",
		    shown(s, tmp, sizeof tmp));
	if (from_ok && until_ok && r->valid_from > r->valid_until)
		lerror(l, line, "valid_from %s is after valid_until %s",
		    FIELD(l, c, COL_FROM), FIELD(l, c, COL_UNTIL));
}

/* The splitmix64 finalizer: card uids are often sequential. */
uint64_t
people_uid_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Slots for n uids: a power of two, at most half full. */
size_t
people_slots_for(size_t n)
{
	size_t	size = 16;

	while (size < 2 * n)
		size <<= 1;
	return size;
}

/* The line of an earlier row with r's uid, or 0 after noting r's. */
static long
seen_add(struct uid_seen *s, const struct people_row *r)
{
	size_t	i = people_uid_hash(r->uid) & s->mask;

	while (s->uid[i] != 0) {
		if (s->uid[i] == r->uid)
			return s->line[i];
		i = (i + 1) & s->mask;
	}
	s->uid[i] = r->uid;
	s->line[i] = (uint32_t)r->line;
	return 0;
}

/* Hands the row over, unless an earlier row has the uid. */
static void
row_add(struct load *l, struct csv *c, const struct people_row *r)
{
	char	tmp[64];
	long	first;

	if (l->p->add != NULL)
		first = l->p->add(l->p->add_arg, r);
	else
		first = seen_add(&l->seen, r);
	if (first != 0)
		lerror(l, r->line, "duplicate card uid '%s', first on "
		    "line %ld", shown(FIELD(l, c, COL_UID), tmp, sizeof tmp),
		    first);
}

/* Validates one row and hands it to the caller. */
static void
people_row(struct load *l, struct csv *c)
{
	struct people_row	 r;
	long			 line = c->rec_line;
	int			 uid_ok;

	if (!row_shape_ok(l, c, line))
		return;
	memset(&r, 0, sizeof r);
	r.line = line;
	uid_ok = row_uid(l, c, line, &r);
	row_person_id(l, c, line, &r);
	row_name(l, c, line, &r);
	row_category_home(l, c, line, &r);
	r.zones_text = FIELD(l, c, COL_ZONES);
	people_zone_list(l, line, r.zones_text, &r.zones);
	row_validity(l, c, line, &r);
	people_flag_list(l, line, FIELD(l, c, COL_FLAGS), &r.flags);
	/*
	 * A row with other errors still claims its uid, so that a later
	 * duplicate is reported in the same run.
	 */
	if (uid_ok)
		row_add(l, c, &r);
}

/* Reads the header and every row of buf, counting errors. */
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
		lerror(l, 0, "no header line");
	else if (c.error != NULL)
		lerror(l, c.rec_line, "%s", c.error);
	else if (people_header(l, &c) == 0) {
		while (csv_next(&c)) {
			if (++rows > PEOPLE_ROWS_MAX) {
				lerror(l, c.rec_line, "more than %d rows",
				    PEOPLE_ROWS_MAX);
				break;
			}
			if (c.error != NULL)
				lerror(l, c.rec_line, "%s", c.error);
			else
				people_row(l, &c);
		}
	}
}

size_t
people_line_count(const char *buf, size_t len)
{
	const char	*p;
	size_t		 lines = 1;

	for (p = buf; (p = memchr(p, '\n', len - (size_t)(p - buf))) != NULL;
	    p++)
		lines++;
	return lines;
}

int
people_parse_buf(struct people_parse *p, char *buf, size_t len)
{
	struct load	l;
	size_t		lines, slots;

	memset(p->errs, 0, sizeof *p->errs);
	memset(&l, 0, sizeof l);
	l.p = p;
	lines = people_line_count(buf, len);
	if (p->add == NULL) {
		slots = people_slots_for(lines < PEOPLE_ROWS_MAX ? lines :
		    PEOPLE_ROWS_MAX);
		l.seen.uid = xcalloc(slots, sizeof *l.seen.uid);
		l.seen.line = xcalloc(slots, sizeof *l.seen.line);
		l.seen.mask = slots - 1;
	}

	/*
	 * Every line of a complete file ends in a newline.  A file without
	 * one was most likely cut short, and a cut inside the last field
	 * can leave a row that still parses, losing what followed.
	 */
	if (len > 0 && buf[len - 1] != '\n')
		lerror(&l, (long)lines, "no newline at the end of the "
		    "file: it may be cut short");
	buf[len] = '\0';
	load_rows(&l, buf, len);
	free(l.seen.uid);
	free(l.seen.line);
	return p->errs->count == 0 ? 0 : -1;
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


/* The name of a category, or NULL when the value is out of range. */
const char *
category_name(enum category c)
{
	if ((unsigned)c >= CAT__COUNT)
		return NULL;
	return category_names[c];
}

int
category_from_name(const char *name)
{
	int	i;

	if (name == NULL)
		return -1;
	for (i = 0; i < CAT__COUNT; i++) {
		if (strcmp(category_names[i], name) == 0)
			return i;
	}
	return -1;
}
