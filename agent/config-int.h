/*
 * config-int.h: what the config files share and nothing else includes.
 * The rest of the agent sees only config_load(), config_print() and the
 * lookups, in agent.h.  A load goes through them in this order:
 *
 *   config-read.c   the file's syntax: lines into sections of key = value
 *   config.c        each section's header, then its keys from the table
 *   config-types.c  one value of a key: parse and print, one entry a type
 *   config-check.c  the checks that need more than one key
 *
 * config-keys.c holds the tables every one of them reads, config-print.c
 * prints a loaded config (gated -nv), config-find.c looks things up in it.
 */
#ifndef GATED_CONFIG_INT_H
#define GATED_CONFIG_INT_H

#include "agent.h"

/* How a value is written and stored. */
enum conf_type {
	T_STRING,	/* free text, char[size] */
	T_PATH,		/* a path, relative ones resolved: char[size] */
	T_NAME,		/* 1-31 of [A-Za-z0-9._-], char[NAME_LEN] */
	T_BOOL,		/* yes no true false on off: bool */
	T_INT,		/* decimal: int or long */
	T_DURATION,	/* 500ms 4s 2m 1h: int milliseconds */
	T_TEMP,		/* 37.3: int hundredths of a degree */
	T_SIZE,		/* 512K 100M 2G: long KiB */
	T_PERCENT,	/* 10%: int percent */
	T_ENUM,		/* one word of choices: int index */
	T_CHOICE,	/* one word of choices: the word, char[size] */
	T_OPEN,		/* open or closed: bool */
	T_ZONES,	/* name list: zones[][NAME_LEN], count at off2 */
	T_ZONE,		/* a name of the zones list: uint8_t index */
	T_ADMIT,	/* all, or a list of categories: uint32_t mask */
	T_USBID,	/* VVVV:PPPP: two uint16_t at off and off2 */
	T_DIGITS,	/* N or N-M: two int at off and off2 */
	T_ALWAYS,	/* yes, and only yes: bool */
	T_ADDRS,	/* ADDRESS:PORT list: char[][64], count at off2 */
	T_HASH,		/* sha256:64 hex digits: uint8_t[32] */
	T_WINDOW,	/* DAYS HH:MM-HH:MM, repeated: a struct schedule */
	T_HOLIDAY,	/* YYYY-MM-DD [name], repeated: a struct schedule */
	T_PASSKEY,	/* ID BASE64, repeated: pass_key[], count at off2 */
	T_PUBKEY,	/* BASE64 of an Ed25519 public key: uint8_t[32] */
	T__COUNT
};

/* What a name refers to; checked once everything is parsed. */
enum conf_ref {
	REF_NONE,
	REF_OUTPUT,
	REF_INPUT,
	REF_LANE,
	REF_THERM,
	REF_DEVICE,
	REF_MODE,
	REF_SCHEDULE
};

/* Variants of a section kind: lanes by kind, lines by direction. */
#define V_1	0x1
#define V_2	0x2
#define V_ALL	(~0u)	/* required: in every section, whatever variant */
#define V_PED	V_1
#define V_VEH	V_2
#define V_OUT	V_1
#define V_IN	V_2
#define V_USB	V_1
#define V_WIEG	V_2

/* One key of a section: the whole description of a scalar setting. */
struct conf_key {
	const char		*name;
	enum conf_type		 type;
	size_t			 off, size, off2;
	long long		 min, max;	/* in the stored unit */
	const char		*def;		/* as written; NULL: none */
	const char		*def2;		/* default for variant 2 */
	unsigned		 only;		/* variants it is for, 0: all */
	unsigned		 required;	/* variants that must set it */
	enum conf_ref		 ref;
	bool			 repeat;	/* may be given more than once */
	const char *const	*choices;
	const char		*help;
};

enum section_id {
	S_GATE, S_OUTPUT, S_INPUT, S_DEVICE, S_LANE, S_READER, S_THERM,
	S_MODE, S_LEVEL, S_REMOTE, S_TOKEN, S_SCHEDULE, S_ADMIN_KEY, S_MQTT
};
#define SECTION_KINDS	(S_MQTT + 1)

/* A section kind: its keys, and how many of it a gate may have. */
struct section_kind {
	enum section_id		 id;
	const char		*name;
	const struct conf_key	*keys;		/* ends at a NULL name */
	int			 max;
	size_t			 size;		/* of the object it fills */
	const char		*variant_key;	/* its value picks the variant */
	const char		*variant_names[2];
};

/* config-keys.c: the tables, indexed by enum section_id. */
extern const struct section_kind conf_sections[SECTION_KINDS];
const struct section_kind *conf_section_kind(const char *);
const struct conf_key *conf_key(const struct section_kind *, const char *);

/* config-types.c: one value, parsed into or printed from the object at
 * base; *cause is a malloc'd "what is wrong" without the key's name (NULL
 * when an earlier error explains it), the caller frees it. */
int		conf_value_parse(const struct conf_key *, void *base,
		    const char *value, const char *dir, char **cause);
void		conf_value_print(FILE *, const struct conf_key *,
		    const void *base);
void		conf_format(enum conf_type, long long, char *, size_t);
long long	conf_get_int(const void *, size_t);
int		conf_choice_index(const char *const *, const char *);
bool		conf_valid_name(const char *);
void		conf_copy(char *, size_t, const char *);

/* One key = value line of a section. */
struct conf_entry {
	char	*key;
	char	*value;
	int	 line;
	bool	 bad;		/* its value was wrong: checks skip it */
};

/* A section as read, kept until the cross-references are checked. */
struct conf_section {
	const struct section_kind *kind;	/* NULL: unknown, skipped */
	char		 name[64];
	int		 line;
	bool		 counted;	/* has a place in the gate_conf */
	unsigned	 variant;
	void		*target;
	struct conf_entry *entries;
	int		 nentries;
};

struct conf_error {
	int	 line;
	int	 seq;
	char	*text;
};

/* Everything one load needs; freed as a whole when it ends. */
struct conf_load {
	const char		*file;		/* as given, for messages */
	char			 dir[PATH_MAX];	/* the file's, absolute */
	struct gate_conf	*gc;
	struct conf_section	*secs;
	int			 nsecs;
	struct conf_error	*errs;
	int			 nerrs;
	void			*scratch;	/* target of rejected sections,
						 * made at the first one */
};

/* config-read.c */
int		 conf_read(struct conf_load *, FILE *);
void		 conf_error(struct conf_load *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
char		*conf_errors(struct conf_load *);
struct conf_entry *conf_entry(const struct conf_section *, const char *);

/* config-check.c */
void		 conf_check(struct conf_load *);

#endif /* GATED_CONFIG_INT_H */
