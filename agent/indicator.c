/*
 * signal.c: lamp and buzzer patterns.  Each signalling output plays a
 * repeating base pattern (the alert blink, or nothing) and, above it, a
 * one-shot pattern (granted, denied, waiting); when the one-shot ends the
 * base pattern comes back, so a denial never silences an active alert.
 */
#include <string.h>

#include <event2/event.h>

#include "agent.h"

/* Durations in ms, alternating on and off, starting with on; 0 ends. */
static const int pat_steady[] = { 3600000, 0 };
static const int pat_blink[] = { 500, 500, 0 };
static const int pat_alert_buzz[] = { 1000, 4000, 0 };
static const int pat_deny_buzz[] = { 150, 100, 150, 0 };
static const int pat_deny_lamp[] = { 2000, 0 };

void
signal_init(struct signal *s, struct gate *g, int line)
{
	memset(s, 0, sizeof *s);
	s->gate = g;
	s->line = line;
}

static void
signal_output(struct signal *s, int on)
{
	if (s->line >= 0)
		gate_output(s->gate, s->line, on);
}

static void signal_step(evutil_socket_t, short, void *);

/* Starts step `step` of the current pattern, or falls back a layer. */
static void
signal_run(struct signal *s)
{
	struct timeval	 tv;
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
			return signal_run(s);
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
			evtimer_del(s->timer);
		signal_output(s, 0);
		return;
	}
	signal_output(s, (*step % 2) == 0);
	(*step)++;
	if (s->timer == NULL)
		s->timer = evtimer_new(gate_base(s->gate), signal_step, s);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->timer, &tv);
}

static void
signal_step(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	signal_run(arg);
}

/* Plays a one-shot pattern; len_ms, when not 0, sets the first step. */
void
signal_shot(struct signal *s, enum signal_pattern pat, int len_ms)
{
	switch (pat) {
	case SIGNAL_STEADY:
		s->shot = pat_steady;
		break;
	case SIGNAL_DENY_LAMP:
		s->shot = pat_deny_lamp;
		break;
	case SIGNAL_DENY_BUZZ:
		s->shot = pat_deny_buzz;
		break;
	default:
		s->shot = NULL;
		break;
	}
	s->shot_len = len_ms;
	s->shot_step = 0;
	signal_run(s);
}

/* Ends the one-shot pattern now. */
void
signal_shot_end(struct signal *s)
{
	s->shot = NULL;
	signal_run(s);
}

/* Sets the repeating base pattern (SIGNAL_NONE for nothing). */
void
signal_base(struct signal *s, enum signal_pattern pat)
{
	const int	*want;

	switch (pat) {
	case SIGNAL_BLINK:
		want = pat_blink;
		break;
	case SIGNAL_ALERT_BUZZ:
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
		signal_run(s);
}

void
signal_clear(struct signal *s)
{
	if (s->timer != NULL)
		event_free(s->timer);
	s->timer = NULL;
	s->shot = s->base = NULL;
}
