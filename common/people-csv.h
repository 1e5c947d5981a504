/*
 * people-csv.h: the campus people list's CSV format, parsed and validated
 * the one way a gate does it, so that gatectl and the hub refuse a list
 * with exactly the gate's "FILE:LINE: what" errors before it is sent.
 * The gate keeps its lookup tables (agent/people.c); this knows the
 * columns, card uids, categories, zones, dates and flags.
 */
#ifndef GATED_PEOPLE_CSV_H
#define GATED_PEOPLE_CSV_H

#include <stddef.h>
#include <stdint.h>

enum category {
	CAT_STUDENT,
	CAT_STAFF,
	CAT_RESIDENT,		/* lives in a campus housing zone, not a student */
	CAT_CONTRACTOR,
	CAT_VISITOR,
	CAT__COUNT
};
#define CAT_ALL		((1u << CAT__COUNT) - 1)

enum person_flag {
	PF_QUARANTINE	= 0x01,	/* refused everywhere, raises an alert */
	PF_OBSERVATION	= 0x02,	/* under medical observation: journaled */
	PF_VEHICLE	= 0x04,	/* has a registered vehicle */
	PF_EXEMPT	= 0x08	/* movement exemption: student restriction off */
};

#define PEOPLE_FILE_MAX	((size_t)1 << 30)	/* bytes of a people file */
#define PEOPLE_ROWS_MAX	4000000
#define PEOPLE_DAY_NO_END 0xffff	/* valid_until when it is empty */
#define PEOPLE_ZONE_NONE 0xff		/* home_zone when it is empty */

struct people_errors {
	int	count;		/* all errors found */
	int	kept;		/* how many of them are in lines[] */
	char	lines[20][256];	/* "file:line: reason" */
};

/* One valid-looking row; strings point into the parsed buffer. */
struct people_row {
	long		 line;
	uint64_t	 uid;
	const char	*person_id;
	size_t		 id_len;
	const char	*name;
	const char	*home;		/* home_zone as written */
	const char	*zones_text;	/* zones_allowed as written */
	uint32_t	 zones;		/* bitmask of zone ids */
	uint16_t	 valid_from;	/* days since 1970 */
	uint16_t	 valid_until;	/* inclusive; PEOPLE_DAY_NO_END: none */
	uint8_t		 category;	/* enum category */
	uint8_t		 home_zone;	/* zone id or PEOPLE_ZONE_NONE */
	uint8_t		 flags;		/* enum person_flag */
};

/* A zone by name: its id (0-31), or -1 when the name is unknown. */
typedef int	(*people_zone_fn)(const void *arg, const char *name, size_t len);
/* Takes a row whose card uid parsed: 0, or the line of an earlier row
 * with the same uid (the row is then a duplicate and not taken). */
typedef long	(*people_add_fn)(void *arg, const struct people_row *);

struct people_parse {
	const char		*name;	/* the file as messages name it */
	struct people_errors	*errs;	/* zeroed by people_parse_buf */
	people_zone_fn		 zone;	/* NULL: any well-formed name, id 0 */
	const void		*zone_arg;
	people_add_fn		 add;	/* NULL: duplicates checked inside */
	void			*add_arg;
};

/* Parses buf[0..len), which it modifies; buf[len] must be writable.
 * 0 when every row is valid, -1 with every error counted in p->errs. */
int		 people_parse_buf(struct people_parse *, char *buf, size_t len);
/* Lines (newlines plus one) of a buffer: what bounds its rows. */
size_t		 people_line_count(const char *buf, size_t len);
/* Records one "name:line: what" error (line 0: "name: what"). */
void		 people_error(struct people_errors *, const char *name,
		    long line, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));

/* A card uid: 1-20 decimal digits, or 0x and 1-16 hex digits, not 0. */
int		 card_uid_parse(const char *, uint64_t *);
/* The table helpers a caller's own uid index uses. */
uint64_t	 people_uid_hash(uint64_t);
size_t		 people_slots_for(size_t n);
const char	*category_name(enum category);	/* NULL when out of range */
int		 category_from_name(const char *);	/* -1 when unknown */

#endif
