/*
 * pass-qr.c: a pass as a QR code, drawn in the terminal and written as a
 * PNG, with libqrencode.  The text is digits and upper case only, which
 * libqrencode puts in QR's alphanumeric mode (5.5 bits a character), at
 * error correction M (15%), the usual level for print and screens.
 *
 * The PNG goes through libpng rather than a writer of our own: it is the
 * reference implementation, already on every Debian and Raspberry Pi OS
 * system, and leaves no file-format code here to test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <png.h>
#include <qrencode.h>

#include "gatectl.h"

#define QR_QUIET	4	/* light modules around the code, as QR asks */
#define PNG_SCALE	8	/* pixels a module */

static QRcode *
qr_encode(const char *text)
{
	/* Case-sensitive, so nothing is folded; the text is ASCII. */
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* Whether the module at x, y is dark; the quiet zone is light. */
static int
qr_dark(const QRcode *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1;
}

/*
 * Two rows of modules a line, with half blocks.  On a terminal the colours
 * are set explicitly, black on white, so the code reads on a dark or a
 * light terminal alike; elsewhere (a file, a printer) dark modules are the
 * ink and the paper is the light.
 */
int
pass_qr_print(FILE *f, const char *text, int ansi)
{
	static const char *const glyph[4] = { " ", "\u2584", "\u2580",
	    "\u2588" };
	QRcode	*qr;
	int	 x, y, top, bottom, fg = -1, bg = -1;

	if ((qr = qr_encode(text)) == NULL)
		return -1;
	for (y = -QR_QUIET; y < qr->width + QR_QUIET; y += 2) {
		for (x = -QR_QUIET; x < qr->width + QR_QUIET; x++) {
			top = qr_dark(qr, x, y);
			bottom = qr_dark(qr, x, y + 1);
			if (!ansi) {
				fputs(glyph[top << 1 | bottom], f);
				continue;
			}
			/* Upper half block: top in the foreground colour. */
			if (fg != top || bg != bottom)
				fprintf(f, "\033[%d;%dm", top ? 30 : 97,
				    bottom ? 40 : 107);
			fg = top;
			bg = bottom;
			fputs("\u2580", f);
		}
		if (ansi)
			fputs("\033[0m", f);
		fg = bg = -1;
		fputc('\n', f);
	}
	QRcode_free(qr);
	return 0;
}

/* Writes the rows; -1 when libpng gives up (it has said why). */
static int
png_rows(png_structp png, png_infop info, FILE *f, const QRcode *qr,
    png_bytep row)
{
	int	side = (qr->width + 2 * QR_QUIET) * PNG_SCALE, x, y;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1,
	    PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < side; y++) {
		/* One bit a pixel, 1 is white. */
		memset(row, 0xff, (size_t)(side + 7) / 8);
		for (x = 0; x < side; x++) {
			if (qr_dark(qr, x / PNG_SCALE - QR_QUIET,
			    y / PNG_SCALE - QR_QUIET))
				row[x / 8] &= (png_byte)~(0x80 >> (x % 8));
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	return 0;
}

int
pass_qr_png(const char *path, const char *text, char **why)
{
	QRcode		*qr;
	png_structp	 png = NULL;
	png_infop	 info = NULL;
	png_bytep	 row = NULL;
	FILE		*f = NULL;
	int		 rc = -1, ok;

	if ((qr = qr_encode(text)) == NULL) {
		xasprintf(why, "no QR code from libqrencode: %s",
		    strerror(errno));
		return -1;
	}
	if ((f = fopen(path, "wb")) == NULL) {
		xasprintf(why, "%s: %s", path, strerror(errno));
		goto out;
	}
	row = xmalloc((size_t)((qr->width + 2 * QR_QUIET) * PNG_SCALE + 7) /
	    8);
	if ((png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL,
	    NULL)) == NULL || (info = png_create_info_struct(png)) == NULL) {
		xasprintf(why, "%s: libpng failed", path);
		goto out;
	}
	ok = png_rows(png, info, f, qr, row) == 0;
	if (fclose(f) != 0 || !ok) {
		xasprintf(why, "%s: cannot write the PNG", path);
		f = NULL;
		unlink(path);
		goto out;
	}
	f = NULL;
	rc = 0;
out:
	if (f != NULL) {
		fclose(f);
		unlink(path);
	}
	png_destroy_write_struct(&png, &info);
	free(row);
	QRcode_free(qr);
	return rc;
}
