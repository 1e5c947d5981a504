/*
 * frame.c: the messages between the gate process and the front (the
 * unprivileged TLS process, front.c) over their socketpair.  A frame is a
 * header (its whole length, its type, the number of its fields, a request
 * id) and then its fields, each a length and that many bytes.  Both sides
 * read with frame_take(), which checks every length before any byte is
 * used: the gate reads what a process exposed to the network wrote, so a
 * frame that is short, too long, of an unknown type or with the wrong
 * number of fields is an error and the front is dropped.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "agent.h"

#define FRAME_HEADER	12	/* u32 length, u16 type, u16 fields, u32 id */

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * Appends a frame of n fields to out; a NULL field is empty.  len[i] of
 * (size_t)-1 takes strlen(field[i]).
 */
void
frame_put(struct evbuffer *out, enum frame_type type, uint32_t id,
    int n, const void *const *field, const size_t *len)
{
	uint8_t	 h[FRAME_HEADER], l[4];
	size_t	 total = FRAME_HEADER, fl[FRAME_FIELDS_MAX];
	int	 i;

	if (n > FRAME_FIELDS_MAX)
		fatalx("%s: %d fields", __func__, n);
	for (i = 0; i < n; i++) {
		fl[i] = field[i] == NULL ? 0 : len == NULL ||
		    len[i] == (size_t)-1 ? strlen(field[i]) : len[i];
		total += 4 + fl[i];
	}
	put32(h, (uint32_t)total);
	h[4] = (uint8_t)(type >> 8);
	h[5] = (uint8_t)type;
	h[6] = 0;
	h[7] = (uint8_t)n;
	put32(h + 8, id);
	evbuffer_add(out, h, sizeof h);
	for (i = 0; i < n; i++) {
		put32(l, (uint32_t)fl[i]);
		evbuffer_add(out, l, sizeof l);
		if (fl[i] > 0)
			evbuffer_add(out, field[i], fl[i]);
	}
}

/*
 * Takes the next whole frame from in into f (the bytes are f's own, freed
 * by frame_clear): 1 when one was taken, 0 when it has not all arrived,
 * -1 when the bytes are not a frame (in is then left as it was).  max is
 * the longest frame this side accepts.
 */
int
frame_take(struct evbuffer *in, size_t max, struct frame *f)
{
	uint8_t		 h[FRAME_HEADER], *p, *end;
	uint32_t	 total, fl;
	int		 i, n, type;

	memset(f, 0, sizeof *f);
	if (evbuffer_copyout(in, h, sizeof h) < (ssize_t)sizeof h)
		return 0;
	total = get32(h);
	type = h[4] << 8 | h[5];
	n = h[7];
	if (total < FRAME_HEADER || total > max || h[6] != 0 ||
	    n > FRAME_FIELDS_MAX || type <= 0 || type >= FRAME__COUNT)
		return -1;
	if (evbuffer_get_length(in) < total)
		return 0;
	f->raw = xmalloc(total + 1);
	evbuffer_copyout(in, f->raw, total);
	p = f->raw + FRAME_HEADER;
	end = f->raw + total;
	for (i = 0; i < n; i++) {
		if (end - p < 4 || (fl = get32(p)) > (size_t)(end - p - 4)) {
			frame_clear(f);
			return -1;
		}
		f->field[i] = (char *)p + 4;
		f->len[i] = fl;
		p += 4 + fl;
	}
	if (p != end) {
		frame_clear(f);
		return -1;
	}
	evbuffer_drain(in, total);
	f->type = (enum frame_type)type;
	f->nfields = n;
	f->id = get32(h + 8);
	return 1;
}

void
frame_clear(struct frame *f)
{
	free(f->raw);
	memset(f, 0, sizeof *f);
}

/*
 * Field i as a C string in buf (size bytes with its NUL): -1 when the
 * field is missing, too long or holds a byte outside printable ASCII
 * (space allowed only when spaces is true).
 */
int
frame_text(const struct frame *f, int i, char *buf, size_t size,
    bool spaces)
{
	size_t	j;
	char	c;

	if (i >= f->nfields || f->len[i] >= size)
		return -1;
	for (j = 0; j < f->len[i]; j++) {
		c = f->field[i][j];
		if (c < 0x20 || c > 0x7e || (c == ' ' && !spaces))
			return -1;
	}
	memcpy(buf, f->field[i], f->len[i]);
	buf[f->len[i]] = '\0';
	return 0;
}

/* Field i as a decimal number in [min, max], or -1 into ok=false. */
long long
frame_number(const struct frame *f, int i, long long min, long long max,
    bool *ok)
{
	char		 buf[24], *end;
	long long	 v;

	if (frame_text(f, i, buf, sizeof buf, false) == -1 || buf[0] == '\0' ||
	    (buf[0] == '0' && buf[1] != '\0')) {
		*ok = false;
		return -1;
	}
	v = strtoll(buf, &end, 10);
	if (*end != '\0' || v < min || v > max || buf[0] == '+') {
		*ok = false;
		return -1;
	}
	return v;
}
