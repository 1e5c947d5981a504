/*
 * test-config.c: golden tests of the configuration.  Every
 * tests/config/NAME.conf is loaded; NAME.err, when there, must equal the
 * errors, NAME.out the normalised print.  The demo gates in docs/examples
 * are golden inputs too (tests/config/example-NAME.out).  Whatever loads
 * must survive a round trip: print, load the print, print again.  The two
 * references, docs/gated.conf.md and gated.conf(5), must each list every
 * key of every section of the key table, and no key it does not have.
 *
 * Paths in the expected files are machine independent: the absolute
 * directory of the config file, and then the directory as given, are both
 * replaced by "@DIR@" before comparing.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "config-int.h"
#include "unit.h"

/* A whole file as a string, or NULL when it does not exist. */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*buf;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Replaces every from in s by to; s is freed, the result is malloc'd. */
static char *
replace(char *s, const char *from, const char *to)
{
	char	*out, *p, *q, *hit;
	size_t	 n = 0, flen = strlen(from), tlen = strlen(to);

	for (p = s; (p = strstr(p, from)) != NULL; p += flen)
		n++;
	out = xmalloc(strlen(s) + n * tlen + 1);
	for (p = s, q = out; (hit = strstr(p, from)) != NULL; p = hit + flen) {
		memcpy(q, p, hit - p);
		q += hit - p;
		memcpy(q, to, tlen);
		q += tlen;
	}
	strcpy(q, p);
	free(s);
	return out;
}

/* Makes the text machine independent: the config's directory is @DIR@. */
static char *
neutral(char *s, const char *conf)
{
	char	 copy[PATH_MAX], real[PATH_MAX];
	char	*dir;

	snprintf(copy, sizeof copy, "%s", conf);
	dir = dirname(copy);
	if (realpath(dir, real) != NULL)
		s = replace(s, real, "@DIR@");
	return replace(s, dir, "@DIR@");
}

static char *
print_string(const struct gate_conf *gc)
{
	char	*out;
	size_t	 size;
	FILE	*f;

	if ((f = open_memstream(&out, &size)) == NULL)
		fatal("open_memstream");
	config_print(gc, f);
	fclose(f);
	return out;
}

/* Prints, loads the print, prints again: both prints and configs agree. */
static void
round_trip(const char *name, const struct gate_conf *gc, const char *printed)
{
	char			 tmp[] = "/tmp/test-config-XXXXXX";
	char			*errors, *again;
	struct gate_conf	*gc2, a, b;
	int			 fd;
	FILE			*f;

	if ((fd = mkstemp(tmp)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		check(0, "%s: round trip: mkstemp: %s", name, strerror(errno));
		return;
	}
	fputs(printed, f);
	fclose(f);
	gc2 = config_load(tmp, &errors);
	unlink(tmp);
	check(gc2 != NULL, "%s: round trip: the print loads%s%s", name,
	    errors != NULL ? ": " : "", errors != NULL ? errors : "");
	if (gc2 == NULL) {
		free(errors);
		return;
	}
	again = print_string(gc2);
	check(strcmp(printed, again) == 0, "%s: round trip: same print",
	    name);
	a = *gc;
	b = *gc2;
	memset(a.path, 0, sizeof a.path);
	memset(b.path, 0, sizeof b.path);
	check(memcmp(&a, &b, sizeof a) == 0, "%s: round trip: same config",
	    name);
	free(again);
	config_free(gc2);
}

/* Compares got with the expected file, reporting the first difference. */
static void
compare(const char *name, const char *what, const char *got,
    const char *want)
{
	size_t	 i, line = 1;

	for (i = 0; got[i] != '\0' && got[i] == want[i]; i++) {
		if (got[i] == '\n')
			line++;
	}
	if (got[i] == want[i]) {
		check(1, "%s: %s as expected", name, what);
		return;
	}
	check(0, "%s: %s as expected: differs at line %zu", name, what, line);
	printf("--- got:\n%s--- want:\n%s---\n", got, want);
}

/* One golden input: its expected errors or print, then the round trip. */
static void
golden(const char *conf, const char *expect_base)
{
	struct gate_conf	*gc;
	char			*errors, *want_err, *want_out, *got, path[PATH_MAX];

	snprintf(path, sizeof path, "%s.err", expect_base);
	want_err = slurp(path);
	snprintf(path, sizeof path, "%s.out", expect_base);
	want_out = slurp(path);
	check(want_err != NULL || want_out != NULL, "%s: has a .err or .out",
	    conf);

	gc = config_load(conf, &errors);
	if (want_err != NULL) {
		check(gc == NULL, "%s: refused", conf);
		if (errors != NULL) {
			errors = neutral(errors, conf);
			compare(conf, "errors", errors, want_err);
		}
	}
	if (want_out != NULL) {
		check(gc != NULL && errors == NULL, "%s: loads%s%s", conf,
		    errors != NULL ? ": " : "", errors != NULL ? errors : "");
		if (gc != NULL) {
			got = neutral(print_string(gc), conf);
			compare(conf, "print", got, want_out);
			free(got);
		}
	}
	if (gc != NULL) {
		got = print_string(gc);
		round_trip(conf, gc, got);
		free(got);
	}
	config_free(gc);
	free(errors);
	free(want_err);
	free(want_out);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every tests/config/NAME.conf, in name order. */
static int
golden_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, conf[PATH_MAX], base[PATH_MAX];
	size_t		 n = 0, i, len;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len > 5 && strcmp(de->d_name + len - 5, ".conf") == 0) {
			names = xreallocarray(names, n + 1, sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(conf, sizeof conf, "%s/%s", dir, names[i]);
		snprintf(base, sizeof base, "%s/%.*s", dir,
		    (int)(strlen(names[i]) - 5), names[i]);
		golden(conf, base);
		free(names[i]);
	}
	free(names);
	return (int)n;
}

/* The demo gate as the daemon and the policy will see it. */
static void
test_south(void)
{
	struct gate_conf	*gc;
	const struct mode	*m;
	const struct level	*lv;
	char			*errors;
	int			 i;

	gc = config_load("docs/examples/south.conf", &errors);
	check(gc != NULL, "south: loads");
	if (gc == NULL) {
		free(errors);
		return;
	}
	check(strcmp(gc->id, "south") == 0 && gc->zone_count == 3 &&
	    config_find_zone(gc, "teaching") == 0 && gc->inside == 0,
	    "south: gate and zones");
	check(config_find_zone(gc, "sports") == 2 &&
	    config_find_zone(gc, "nowhere") == -1, "south: config_find_zone");
	check(gc->people_path[0] == '/' &&
	    strstr(gc->people_path, "docs/examples/people.csv") != NULL,
	    "south: people path resolved against the config's directory");
	check(gc->path[0] == '/', "south: path is absolute");
	check(gc->lane_count == 2 && config_find_lane(gc, "south-car") == 1 &&
	    config_find_lane(gc, "north") == -1, "south: config_find_lane");
	i = config_find_lane(gc, "south-car");
	check(i == 1 && gc->lanes[i].kind == LANE_VEHICLE &&
	    gc->lanes[i].open_ms == 10000 &&
	    gc->lanes[i].close_timeout_ms == 60000 &&
	    strcmp(gc->lanes[i].loop, "loop-south") == 0, "south: car lane");
	check(gc->lanes[0].kind == LANE_PEDESTRIAN &&
	    gc->lanes[0].held_open_ms == 30000 &&
	    gc->lanes[0].temp_wait_ms == 5000, "south: pedestrian lane");
	i = config_find_line(gc, "loop-south");
	check(i >= 0 && gc->lines[i].dir == LINE_INPUT &&
	    gc->lines[i].debounce_ms == 100 && gc->lines[i].active_low &&
	    gc->lines[i].bias == BIAS_PULL_UP && gc->lines[i].offset == -1,
	    "south: config_find_line, input values");
	check(config_find_line(gc, "nothing") == -1,
	    "south: config_find_line unknown");
	check(gc->mode_count == policy_builtin_mode_count + 1 &&
	    gc->modes[0].builtin, "south: built-in modes first");
	m = config_find_mode(gc, "staff-only");
	check(m != NULL && !m->builtin && m->pedestrian_open &&
	    m->admit == ((1u << CAT_STAFF) | (1u << CAT_RESIDENT)),
	    "south: custom mode staff-only");
	check(config_find_mode(gc, "pedestrian-only") != NULL &&
	    config_find_mode(gc, "party") == NULL, "south: config_find_mode");
	lv = config_find_level(gc, 2);
	check(lv != NULL && strcmp(lv->mode, "staff-only") == 0 &&
	    lv->measures.temperature_check &&
	    lv->measures.restrict_students && lv->measures.quarantine &&
	    lv->measures.fever_centi == 3730, "south: level 2");
	check(config_find_level(gc, 9) == NULL, "south: no level 9");
	check(gc->temp_min_centi == 3400 && gc->temp_max_centi == 4250 &&
	    gc->temp_fresh_ms == 10000 && gc->journal_max_rows == 2000000 &&
	    gc->journal_warn_free_kb == 100 * 1024 &&
	    gc->alert_ack_required == 1, "south: gate defaults");
	check(gc->therm_count == 1 && gc->therms[0].offset_centi == 30,
	    "south: thermometer offset");
	check(gc->reader_count == 4 && gc->readers[1].dir == DIR_OUT &&
	    gc->readers[1].min_digits == 8 && gc->readers[1].max_digits == 10,
	    "south: readers");
	check(gc->device_count == 5 && gc->devices[4].vendor == 0x413d &&
	    gc->devices[4].product == 0x2107, "south: devices");
	config_free(gc);
}

/*
 * The reference must document what the table knows: every section and key
 * the demo gate prints (it has every kind of section) has its row there.
 */
static void
test_doc(void)
{
	struct gate_conf	*gc;
	char			*doc, *out, *line, *p, *errors, want[128];
	int			 missing = 0, seen = 0;

	doc = slurp("docs/gated.conf.md");
	gc = config_load("docs/examples/south.conf", &errors);
	check(doc != NULL && gc != NULL, "doc: reference and demo there");
	if (doc == NULL || gc == NULL) {
		free(doc);
		free(errors);
		config_free(gc);
		return;
	}
	out = print_string(gc);
	for (p = out; (line = strsep(&p, "\n")) != NULL;) {
		if (line[0] == '[') {
			line[strcspn(line, " ]")] = '\0';
			snprintf(want, sizeof want, "%s%s]", line,
			    strcmp(line, "[gate") == 0 ? "" :
			    strcmp(line, "[level") == 0 ? " N" : " NAME");
		} else if (strncmp(line, "# ", 2) == 0 &&
		    strstr(line, ": not set") != NULL) {
			line[strcspn(line, ":")] = '\0';
			snprintf(want, sizeof want, "| `%s` |", line + 2);
		} else if (strstr(line, " = ") != NULL) {
			line[strcspn(line, " ")] = '\0';
			snprintf(want, sizeof want, "| `%s` |", line);
		} else
			continue;
		seen++;
		if (strstr(doc, want) == NULL) {
			printf("not in docs/gated.conf.md: %s\n", want);
			missing++;
		}
	}
	check(seen > 50 && missing == 0, "doc: all %d printed keys and "
	    "sections documented (%d missing)", seen, missing);
	free(out);
	free(doc);
	config_free(gc);
}

/* The keys of a reference or of the table: "[kind] key" pairs. */
struct pairs {
	char	(*v)[80];
	int	  n;
};

static void
pairs_add(struct pairs *p, const char *kind, const char *key)
{
	p->v = xreallocarray(p->v, p->n + 1, sizeof *p->v);
	snprintf(p->v[p->n++], sizeof *p->v, "[%.31s] %.45s", kind, key);
}

static bool
pairs_has(const struct pairs *p, const char *pair)
{
	int	i;

	for (i = 0; i < p->n; i++) {
		if (strcmp(p->v[i], pair) == 0)
			return true;
	}
	return false;
}

/* The section kinds a heading names: every "[kind" in it. */
static int
heading_kinds(const char *line, char kinds[][NAME_LEN], int max)
{
	const char	*p;
	size_t		 n;
	int		 count = 0;

	for (p = line; (p = strchr(p, '[')) != NULL && count < max; p++) {
		n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz-");
		if (n > 0 && n < NAME_LEN)
			snprintf(kinds[count++], NAME_LEN, "%.*s", (int)n, p + 1);
	}
	return count;
}

/*
 * docs/gated.conf.md: a "## " heading names the kinds its part is about,
 * and the rows of its tables headed "| key |" are the keys, in backquotes.
 */
static void
read_md(char *doc, struct pairs *out)
{
	char	*p = doc, *line, kinds[4][NAME_LEN], *key;
	int	 nkinds = 0, i, in_keys = 0, fence = 0;

	while ((line = strsep(&p, "\n")) != NULL) {
		if (strncmp(line, "```", 3) == 0)
			fence = !fence;
		if (fence)
			continue;
		if (line[0] == '#') {
			nkinds = strncmp(line, "## ", 3) == 0 ?
			    heading_kinds(line, kinds, 4) : 0;
			continue;
		}
		if (line[0] != '|') {
			in_keys = 0;
			continue;
		}
		if (strncmp(line, "| key |", 7) == 0) {
			in_keys = 1;
			continue;
		}
		if (!in_keys || strncmp(line, "| `", 3) != 0)
			continue;
		key = line + 3;
		key[strcspn(key, "`")] = '\0';
		for (i = 0; i < nkinds; i++)
			pairs_add(out, kinds[i], key);
	}
}

/*
 * docs/man/gated.conf.5: a ".Ss" names the kinds, its ".It" lines the
 * keys: each word marked up with Ic, "Ic a , b" listing two.
 */
static void
read_man(char *doc, struct pairs *out)
{
	char	*p = doc, *line, *w, kinds[4][NAME_LEN];
	int	 nkinds = 0, i, ic;

	while ((line = strsep(&p, "\n")) != NULL) {
		if (strncmp(line, ".Sh", 3) == 0) {
			nkinds = 0;
			continue;
		}
		if (strncmp(line, ".Ss", 3) == 0) {
			nkinds = heading_kinds(line, kinds, 4);
			continue;
		}
		if (strncmp(line, ".It ", 4) != 0 || nkinds == 0)
			continue;
		ic = 0;
		for (line += 4; (w = strsep(&line, " ")) != NULL;) {
			if (strcmp(w, ",") == 0 || strcmp(w, "|") == 0)
				continue;
			if (isupper((unsigned char)w[0]) &&
			    islower((unsigned char)w[1]) && strlen(w) <= 3) {
				ic = strcmp(w, "Ic") == 0;
				continue;
			}
			for (i = 0; ic && i < nkinds; i++)
				pairs_add(out, kinds[i], w);
		}
	}
}

/* One reference against the table: every key in it, and no other. */
static void
check_reference(const char *path, void (*reader)(char *, struct pairs *),
    const struct pairs *table)
{
	struct pairs	 doc = { NULL, 0 };
	char		*text;
	int		 i, missing = 0, extra = 0;

	if ((text = slurp(path)) == NULL) {
		check(0, "%s: there", path);
		return;
	}
	reader(text, &doc);
	for (i = 0; i < table->n; i++) {
		if (!pairs_has(&doc, table->v[i])) {
			printf("not in %s: %s\n", path, table->v[i]);
			missing++;
		}
	}
	for (i = 0; i < doc.n; i++) {
		if (!pairs_has(table, doc.v[i])) {
			printf("in %s, not a key: %s\n", path, doc.v[i]);
			extra++;
		}
	}
	check(table->n > 80 && missing == 0 && extra == 0, "%s: every key "
	    "of every section of the table, and no other (%d missing, %d "
	    "not keys)", path, missing, extra);
	free(doc.v);
	free(text);
}

/*
 * The two references, docs/gated.conf.md and gated.conf(5), are checked
 * against the key table itself (config-keys.c), section by section.
 */
static void
test_references(void)
{
	struct pairs		 table = { NULL, 0 };
	const struct conf_key	*k;
	int			 i;

	for (i = 0; i < SECTION_KINDS; i++) {
		for (k = conf_sections[i].keys; k->name != NULL; k++)
			pairs_add(&table, conf_sections[i].name, k->name);
	}
	check_reference("docs/gated.conf.md", read_md, &table);
	check_reference("docs/man/gated.conf.5", read_man, &table);
	free(table.v);
}

/* Errors the golden files cannot carry: a file that is not there. */
static void
test_missing(void)
{
	struct gate_conf	*gc;
	char			*errors = NULL;

	gc = config_load("tests/config/no-such-file.conf", &errors);
	check(gc == NULL && errors != NULL && strcmp(errors,
	    "tests/config/no-such-file.conf: No such file or directory\n") == 0,
	    "missing file: one error naming it");
	free(errors);
	config_free(NULL);
	check(1, "config_free(NULL) is a no-op");
}

int
main(int argc, char **argv)
{
	char	top[PATH_MAX];
	int	n;

	(void)argc;
	/* Run from the top of the tree, as tests/run does. */
	if (access("tests/config", F_OK) != 0) {
		snprintf(top, sizeof top, "%s/../..", dirname(argv[0]));
		if (chdir(top) != 0)
			fatal("chdir %s", top);
	}
	n = golden_dir("tests/config");
	check(n >= 14, "%d golden inputs in tests/config", n);
	golden("docs/examples/south.conf", "tests/config/example-south");
	golden("docs/examples/family.conf", "tests/config/example-family");
	test_south();
	test_doc();
	test_references();
	test_missing();
	return check_done();
}
