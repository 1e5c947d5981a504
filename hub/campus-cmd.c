/*
 * campus-cmd.c: the commands the hub signs for an operator's decision:
 * an alert's acknowledgement (one-shot, on <gate>/ack, not retained, an
 * hour to live) and the campus's level or a gate's mode (desired state,
 * retained on campus/level or <gate>/mode, a year to live: a gate away
 * gets it on its return).  Signed with the hub's key ([hub] people-key,
 * which the gates list as [admin-key hub]).
 *
 * The seq is the wall clock in ms, as gatectl's `campus level set` and
 * `campus ack`, so the hub's and an admin's commands rise together
 * whichever issued the last; within the hub it rises at least by one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "command.h"
#include "hub.h"
#include "log.h"
#include "xmalloc.h"

#define ACK_EXPIRES	3600LL			/* a one-shot: an hour */
#define STATE_EXPIRES	(366LL * 24 * 3600)	/* retained: a gate away */

static uint64_t	last_seq;

/* src cut to size-1 bytes at a character's start (an ack's reason may be
 * 500 characters at the API, a command's is 255 bytes of UTF-8). */
static void
text_copy(char *dst, size_t size, const char *src)
{
	size_t	n = strlen(src);

	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
hub_command_send(struct hub *hub, int what, const char *target,
    const char *value, const char *actor, const char *reason,
    unsigned long long *seq, int *status, const char **why)
{
	struct command	 c;
	char		 leaf[COMMAND_NAME_LEN + 16], *text;
	uint64_t	 now = (uint64_t)wall_ms();
	bool		 retain = what != COMMAND_ACK;
	int		 rc;

	memset(&c, 0, sizeof c);
	snprintf(c.site, sizeof c.site, "%.31s", hub->conf->hub.site);
	snprintf(c.target, sizeof c.target, "%.31s", target);
	snprintf(c.key, sizeof c.key, "%.31s", hub->conf->hub.people_key_id);
	snprintf(c.value, sizeof c.value, "%s", value);
	text_copy(c.actor, sizeof c.actor, actor);
	text_copy(c.reason, sizeof c.reason, reason);
	c.what = (enum command_what)what;
	c.seq = now > last_seq ? now : last_seq + 1;
	c.issued = (int64_t)time(NULL);
	c.expires = c.issued + (retain ? STATE_EXPIRES : ACK_EXPIRES);
	*status = 400;
	if ((*why = command_invalid(&c)) != NULL)
		return -1;
	if (hub->conf->hub.people_key[0] == '\0') {
		*status = 409;
		*why = "the hub has no key to sign with ([hub] people-key)";
		return -1;
	}
	if ((text = hub_people_sign(hub->people, &c)) == NULL) {
		*status = 500;
		*why = "the command could not be signed";
		return -1;
	}
	snprintf(leaf, sizeof leaf, "%s/%s", c.target, command_what_name(
	    c.what));
	rc = hub_link_publish(hub->link, leaf, text, retain);
	free(text);
	if (rc == -1) {
		*status = 503;
		*why = "the broker is not connected: nothing published";
		return -1;
	}
	last_seq = c.seq;
	*seq = c.seq;
	log_info("campus: %s %s for %s, seq %llu, by %s: %s", command_what_name(
	    c.what), c.value, c.target, (unsigned long long)c.seq, actor,
	    reason);
	return 0;
}
