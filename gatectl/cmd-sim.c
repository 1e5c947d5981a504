/*
 * cmd-sim.c: driving a simulated gate (gpio and usb backends "sim"): a card
 * at a reader, a thermometer reading, a button, an input line, a device
 * going up or down, and the outputs the agent drove.  A real gate answers
 * 409 to all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gatectl.h"

/* Exactly n positional arguments and no options. */
static int
sim_args(int argc, char **argv, int n)
{
	if (ctl_getopt(argc, argv, NULL) != -1)
		return EXIT_USAGE;
	if (argc - optind < n)
		return ctl_usage_error("missing argument");
	if (argc - optind > n)
		return ctl_usage_error("unexpected argument: %s",
		    argv[optind + n]);
	return 0;
}

/* Posts body to route; the answer's plain members are printed. */
static int
sim_post(struct ctl_request *req, const char *route, json_t *body)
{
	if (body == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	return ctl_ask(req, CTL_POST, xstrdup(route), body, ctl_print_scalars);
}

/*
 * A card's line reads like the journal: verdict, reason, event, lane and
 * direction, who.
 */
static void
print_sim_card(const struct ctl_request *req, json_t *a)
{
	const char	*v, *r;
	char		 b[8][64];

	(void)req;
	/* The reason when it says more: "granted", "denied fever". */
	v = ctl_json_text(a, "verdict", b[0], sizeof b[0]);
	r = ctl_json_text(a, "reason", b[1], sizeof b[1]);
	printf("%s%s%s  event %s  %s %s", v, strcmp(v, r) != 0 ? "  " : "",
	    strcmp(v, r) != 0 ? r : "",
	    ctl_json_text(a, "event", b[2], sizeof b[2]),
	    ctl_json_text(a, "lane", b[3], sizeof b[3]),
	    ctl_json_text(a, "direction", b[4], sizeof b[4]));
	if (json_is_string(json_object_get(a, "person"))) {
		printf("  person %s", ctl_json_text(a, "person", b[5],
		    sizeof b[5]));
		if (json_is_string(json_object_get(a, "category")))
			printf(" (%s)", ctl_json_text(a, "category", b[6],
			    sizeof b[6]));
	}
	if (json_is_number(json_object_get(a, "temp")))
		printf("  temp %s", ctl_json_temp(a, "temp", b[7],
		    sizeof b[7]));
	printf("\n");
}

/* Exit 5 on a denial, so that scripts can test access without parsing. */
static int
sim_card_verdict(json_t *a)
{
	const char	*verdict;

	verdict = json_string_value(json_object_get(a, "verdict"));
	return verdict != NULL && strcmp(verdict, "denied") == 0 ?
	    EXIT_DENIED : 0;
}

/* Presents a card at a reader, with a temperature when given. */
int
cmd_sim_card(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "temp", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	json_t		*body;
	double		 temp = 0;
	int		 ch, has_temp = 0;

	(void)ctl;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch != 't')
			return EXIT_USAGE;
		if (ctl_parse_temp(optarg, &temp) == -1)
			return ctl_usage_error("not a temperature: %s", optarg);
		has_temp = 1;
	}
	if (argc - optind != 2)
		return ctl_usage_error(argc - optind < 2 ? "missing argument" :
		    "unexpected argument: %s", argv[optind + 2]);
	body = json_pack("{s:s, s:s}", "reader", argv[optind], "uid",
	    argv[optind + 1]);
	if (body == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	if (has_temp)
		json_object_set_new(body, "temp", json_real(temp));
	req->exit_code = sim_card_verdict;
	return ctl_ask(req, CTL_POST, xstrdup("/v1/sim/card"), body,
	    print_sim_card);
}

/* A visitor pass, as a QR scanner on the reader would type it. */
int
cmd_sim_pass(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	json_t	*body;
	int	 rc;

	(void)ctl;
	if ((rc = sim_args(argc, argv, 2)) != 0)
		return rc;
	body = json_pack("{s:s, s:s}", "reader", argv[optind], "pass",
	    argv[optind + 1]);
	if (body == NULL)
		return ctl_usage_error("arguments must be UTF-8 text");
	req->exit_code = sim_card_verdict;
	return ctl_ask(req, CTL_POST, xstrdup("/v1/sim/card"), body,
	    print_sim_card);
}

int
cmd_sim_temp(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	double	temp;
	int	rc;

	(void)ctl;
	if ((rc = sim_args(argc, argv, 2)) != 0)
		return rc;
	if (ctl_parse_temp(argv[optind + 1], &temp) == -1)
		return ctl_usage_error("not a temperature: %s",
		    argv[optind + 1]);
	return sim_post(req, "/v1/sim/temperature", json_pack("{s:s, s:f}",
	    "thermometer", argv[optind], "temp", temp));
}

int
cmd_sim_button(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	int	rc;

	(void)ctl;
	if ((rc = sim_args(argc, argv, 1)) != 0)
		return rc;
	return sim_post(req, "/v1/sim/button", json_pack("{s:s}", "name",
	    argv[optind]));
}

int
cmd_sim_input(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	const char	*v;
	int		 rc;

	(void)ctl;
	if ((rc = sim_args(argc, argv, 2)) != 0)
		return rc;
	v = argv[optind + 1];
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
		return ctl_usage_error("an input is 0 or 1, not %s", v);
	return sim_post(req, "/v1/sim/input", json_pack("{s:s, s:i}", "name",
	    argv[optind], "value", *v == '1'));
}

int
cmd_sim_device(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	const char	*v;
	int		 rc;

	(void)ctl;
	if ((rc = sim_args(argc, argv, 2)) != 0)
		return rc;
	v = argv[optind + 1];
	if (strcmp(v, "up") != 0 && strcmp(v, "down") != 0)
		return ctl_usage_error("a device is up or down, not %s", v);
	return sim_post(req, "/v1/sim/device", json_pack("{s:s, s:b}", "name",
	    argv[optind], "up", strcmp(v, "up") == 0));
}

/* What the simulator says of the clock's sync, or the real clock's word. */
int
cmd_sim_clock(struct ctl *ctl, int argc, char **argv, struct ctl_request *req)
{
	const char	*v;
	int		 rc;

	(void)ctl;
	if ((rc = sim_args(argc, argv, 1)) != 0)
		return rc;
	v = argv[optind];
	if (strcmp(v, "synced") == 0)
		return sim_post(req, "/v1/sim/clock", json_pack("{s:b}",
		    "synced", 1));
	if (strcmp(v, "unsynced") == 0)
		return sim_post(req, "/v1/sim/clock", json_pack("{s:b}",
		    "synced", 0));
	if (strcmp(v, "real") == 0)
		return sim_post(req, "/v1/sim/clock", json_pack("{s:n}",
		    "synced"));
	return ctl_usage_error("the clock is synced, unsynced or real, not "
	    "%s", v);
}

/*
 * The changes of one output, to the millisecond: pulse lengths are what a
 * test of the simulated gate looks at.
 */
static void
sim_history(json_t *o)
{
	json_t		*h;
	json_int_t	 ms;
	char		 b[3][64];
	size_t		 i;

	printf("\n%s:\n", ctl_json_text(o, "name", b[0], sizeof b[0]));
	if (json_array_size(json_object_get(o, "history")) == 0)
		printf("  no changes\n");
	json_array_foreach(json_object_get(o, "history"), i, h) {
		ms = json_integer_value(json_object_get(h, "t_ms"));
		printf("  %s.%03d  %s\n",
		    ctl_json_time(h, "t_ms", b[1], sizeof b[1]),
		    (int)(ms >= 0 ? ms % 1000 : 0),
		    ctl_json_text(h, "value", b[2], sizeof b[2]));
	}
}

/* The outputs as a table, then each one's changes when asked for. */
static void
print_outputs(const struct ctl_request *req, json_t *a)
{
	static const char *const head[] = { "OUTPUT", "VALUE", "CHANGES" };
	struct ctl_table	*t;
	json_t			*o;
	char			 b[3][64];
	size_t			 i;

	t = ctl_table_new(3, head);
	json_array_foreach(json_object_get(a, "outputs"), i, o) {
		const char *row[] = {
			ctl_json_text(o, "name", b[0], sizeof b[0]),
			ctl_json_text(o, "value", b[1], sizeof b[1]),
			ctl_json_text(o, "changes", b[2], sizeof b[2]),
		};
		ctl_table_add(t, row);
	}
	ctl_table_print(t, stdout, NULL);
	ctl_table_free(t);
	if (req->opt.history != 0) {
		json_array_foreach(json_object_get(a, "outputs"), i, o)
			sim_history(o);
	}
}

int
cmd_sim_outputs(struct ctl *ctl, int argc, char **argv,
    struct ctl_request *req)
{
	static const struct option longs[] = {
		{ "history", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	char	*path;
	long	 history = 0;
	int	 ch;

	(void)ctl;
	while ((ch = ctl_getopt(argc, argv, longs)) != -1) {
		if (ch != 'H')
			return EXIT_USAGE;
		if (ctl_parse_long(optarg, 0, 10000, &history) == -1)
			return ctl_usage_error("--history wants 0 to 10000: %s",
			    optarg);
	}
	if (optind != argc)
		return ctl_usage_error("unexpected argument: %s", argv[optind]);
	xasprintf(&path, "/v1/sim/outputs?history=%ld", history);
	req->opt.history = history;
	return ctl_ask(req, CTL_GET, path, NULL, print_outputs);
}
