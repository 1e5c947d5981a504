/*
 * indicator.c: lamp and buzzer patterns.  Each signalling output plays a
 * repeating base pattern (the alert blink, or nothing) and, above it, a
 * one-shot pattern (granted, denied, waiting); when the one-shot ends the
 * base pattern comes back, so a denial never silences an active alert.
 * Outputs and timers go through the lane's ops (struct lane_ops), so an
 * indicator knows nothing of the gate or of the event loop.
 */
#include <string.h>

#include "agent.h"

/* Durations in ms, alternating on and off, starting with on; 0 ends. */
static const int pat_steady[] = { 3600000, 0 };
static const int pat_blink[] = { 500, 500, 0 };
static const int pat_alert_buzz[] = { 1000, 4000, 0 };
static const int pat_deny_buzz[] = { 150, 100, 150, 0 };
static const int pat_deny_lamp[] = { 2000, 0 };

void
indicator_init(struct indicator *s, const struct lane_ops *ops, void *arg,
    int line)
{
	memset(s, 0, sizeof *s);
	s->ops = ops;
	s->arg = arg;
	s->line = line;
}

static void
indicator_output(struct indicator *s, int on)
{
	if (s->line >= 0)
		s->ops->output(s->arg, s->line, on);
}

static void indicator_step(void *);

/* Starts step `step` of the current pattern, or falls back a layer. */
static void
indicator_run(struct indicator *s)
{
	const int	*p;
	int		*step;
	int		 ms;

	if (s->line < 0)
		return;
	if (s->shot != NULL) {
		p = s->shot;
		step = &s->shot_step;
		if (p[*step] == 0) {
			s->shot = NULL;
			return indicator_run(s);
		}
		ms = s->shot_len != 0 && *step == 0 ? s->shot_len : p[*step];
	} else if (s->base != NULL) {
		p = s->base;
		step = &s->base_step;
		if (p[*step] == 0)
			*step = 0;
		ms = p[*step];
	} else {
		if (s->timer != NULL)
			s->ops->timer_stop(s->timer);
		indicator_output(s, 0);
		return;
	}
	indicator_output(s, (*step % 2) == 0);
	(*step)++;
	if (s->timer == NULL)
		s->timer = s->ops->timer_new(s->arg, indicator_step, s);
	s->ops->timer_set(s->timer, ms);
}

static void
indicator_step(void *arg)
{
	indicator_run(arg);
}

/* Plays a one-shot pattern; len_ms, when not 0, sets the first step. */
void
indicator_shot(struct indicator *s, enum indicator_pattern pat, int len_ms)
{
	switch (pat) {
	case INDICATOR_STEADY:
		s->shot = pat_steady;
		break;
	case INDICATOR_DENY_LAMP:
		s->shot = pat_deny_lamp;
		break;
	case INDICATOR_DENY_BUZZ:
		s->shot = pat_deny_buzz;
		break;
	default:
		s->shot = NULL;
		break;
	}
	s->shot_len = len_ms;
	s->shot_step = 0;
	indicator_run(s);
}

/* Ends the one-shot pattern now. */
void
indicator_shot_end(struct indicator *s)
{
	s->shot = NULL;
	indicator_run(s);
}

/* Sets the repeating base pattern (INDICATOR_NONE for nothing). */
void
indicator_base(struct indicator *s, enum indicator_pattern pat)
{
	const int	*want;

	switch (pat) {
	case INDICATOR_BLINK:
		want = pat_blink;
		break;
	case INDICATOR_ALERT_BUZZ:
		want = pat_alert_buzz;
		break;
	default:
		want = NULL;
		break;
	}
	if (want == s->base)
		return;
	s->base = want;
	s->base_step = 0;
	if (s->shot == NULL)
		indicator_run(s);
}

void
indicator_clear(struct indicator *s)
{
	if (s->timer != NULL)
		s->ops->timer_free(s->timer);
	s->timer = NULL;
	s->shot = s->base = NULL;
}
