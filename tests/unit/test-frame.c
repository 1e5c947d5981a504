/*
 * test-frame.c: the frames between the gate process and the front.  A
 * frame put is taken back field for field, in pieces as a socket would
 * deliver it; and what a compromised front could write instead (a short
 * or huge length, an unknown type, too many fields, a field longer than
 * its frame, bytes after the last field) is refused and left unread.
 * frame_text and frame_number refuse what relay.c must never use.
 */
#include <string.h>

#include <event2/buffer.h>

#include "agent.h"
#include "unit.h"

static void
test_roundtrip(void)
{
	struct evbuffer	*out = evbuffer_new(), *in = evbuffer_new();
	struct frame	 f;
	const void	*fields[3] = { "GET", NULL, "a\0b" };
	size_t		 len[3] = { (size_t)-1, 0, 3 };
	uint8_t		 byte;
	int		 rc = 0, pieces = 0;

	frame_put(out, FRAME_REQUEST, 7, 3, fields, len);
	frame_put(out, FRAME_END, 8, 0, NULL, NULL);
	/* One byte at a time: nothing is taken before the frame is whole. */
	while (evbuffer_remove(out, &byte, 1) == 1) {
		evbuffer_add(in, &byte, 1);
		pieces++;
		if ((rc = frame_take(in, 1024, &f)) != 0)
			break;
	}
	check(rc == 1 && f.type == FRAME_REQUEST && f.id == 7 &&
	    f.nfields == 3, "a frame is taken once whole (%d bytes)", pieces);
	check(f.len[0] == 3 && memcmp(f.field[0], "GET", 3) == 0 &&
	    f.len[1] == 0 && f.len[2] == 3 && memcmp(f.field[2], "a\0b", 3) ==
	    0, "its fields, empty and binary ones too");
	frame_clear(&f);
	evbuffer_add_buffer(in, out);
	check(frame_take(in, 1024, &f) == 1 && f.type == FRAME_END &&
	    f.id == 8 && f.nfields == 0, "the next frame follows");
	frame_clear(&f);
	check(frame_take(in, 1024, &f) == 0 && evbuffer_get_length(in) == 0,
	    "then nothing");
	evbuffer_free(out);
	evbuffer_free(in);
}

/* A header: length, type, fields, id, then body bytes. */
static void
raw(struct evbuffer *b, uint32_t total, int type, int n, const void *body,
    size_t len)
{
	uint8_t	h[12] = { total >> 24, total >> 16, total >> 8, total,
	    type >> 8, type, 0, n, 0, 0, 0, 1 };

	evbuffer_add(b, h, sizeof h);
	evbuffer_add(b, body, len);
}

static void
test_garbage(void)
{
	static const struct {
		const char	*what;
		uint32_t	 total;
		int		 type, n;
		const char	*body;
		size_t		 len;
	} t[] = {
		{ "a length shorter than the header", 4, FRAME_END, 0, "", 0 },
		{ "a length over the maximum", 1u << 30, FRAME_END, 0, "", 0 },
		{ "type 0", 12, 0, 0, "", 0 },
		{ "an unknown type", 12, FRAME__COUNT, 0, "", 0 },
		{ "too many fields", 12, FRAME_END, FRAME_FIELDS_MAX + 1, "",
		  0 },
		{ "a field longer than its frame", 20, FRAME_CHUNK, 1,
		  "\0\0\0\x09" "abcd", 8 },
		{ "a field's length cut short", 14, FRAME_CHUNK, 1, "\0\0", 2 },
		{ "bytes after the last field", 20, FRAME_CHUNK, 1,
		  "\0\0\0\x02" "abXY", 8 },
	};
	struct evbuffer	*b;
	struct frame	 f;
	size_t		 i, before;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		b = evbuffer_new();
		raw(b, t[i].total, t[i].type, t[i].n, t[i].body, t[i].len);
		before = evbuffer_get_length(b);
		check(frame_take(b, 4096, &f) == -1 &&
		    evbuffer_get_length(b) == before && f.raw == NULL,
		    "refused, left unread: %s", t[i].what);
		evbuffer_free(b);
	}
}

static void
test_fields(void)
{
	struct evbuffer	*b = evbuffer_new();
	struct frame	 f;
	const void	*fields[6] = { "token:ops", "a b", "bad\nline",
	    "42", "042", "-1" };
	char		 buf[16];
	bool		 ok;

	frame_put(b, FRAME_REQUEST, 1, 6, fields, NULL);
	frame_take(b, 4096, &f);
	check(frame_text(&f, 0, buf, sizeof buf, false) == 0 &&
	    strcmp(buf, "token:ops") == 0, "text: a plain field");
	check(frame_text(&f, 1, buf, sizeof buf, false) == -1 &&
	    frame_text(&f, 1, buf, sizeof buf, true) == 0,
	    "text: a space only where allowed");
	check(frame_text(&f, 2, buf, sizeof buf, true) == -1,
	    "text: no control bytes (a header could be smuggled)");
	check(frame_text(&f, 0, buf, 9, false) == -1,
	    "text: no longer than the buffer");
	check(frame_text(&f, 9, buf, sizeof buf, false) == -1,
	    "text: a field that is not there");
	ok = true;
	check(frame_number(&f, 3, 0, 100, &ok) == 42 && ok, "number: 42");
	ok = true;
	frame_number(&f, 3, 0, 10, &ok);
	check(!ok, "number: out of range");
	ok = true;
	frame_number(&f, 4, 0, 100, &ok);
	check(!ok, "number: no leading zero");
	ok = true;
	check(frame_number(&f, 5, -5, 5, &ok) == -1 && ok, "number: -1");
	frame_clear(&f);
	evbuffer_free(b);
}

int
main(void)
{
	test_roundtrip();
	test_garbage();
	test_fields();
	return check_done();
}
