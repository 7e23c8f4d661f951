/* preview_sixel.c - an image as sixel bytes, encoded by libsixel. */
#include <math.h>
#include <stdlib.h>

#include <sixel.h>

#include "relabel/preview.h"

/* libsixel hands the encoded bytes here, a chunk at a time. */
static int sixel_sink(char *data, int size, void *priv)
{
	strbuf_add(priv, data, (size_t)size);
	return 0;
}

static int sixel_fail(SIXELSTATUS st, const char *what, struct err *e)
{
	return err_set(e, "sixel preview: %s failed (%s)", what,
		       sixel_helper_format_error(st));
}

int preview_sixel(const struct image *img, struct strbuf *out,
		  struct err *e)
{
	size_t n = (size_t)img->w * (size_t)img->h;
	unsigned char *gray = xmalloc(n + 1);
	sixel_output_t *output = NULL;
	sixel_dither_t *dither;
	SIXELSTATUS st;

	/* libsixel takes 8-bit gray; its built-in 256-gray palette holds
	 * every level, so nothing is dithered. */
	for (size_t k = 0; k < n; k++) {
		float v = img->px[k];

		gray[k] = (unsigned char)(v > 0.0f ? (v < 1.0f ?
					  lrintf(v * 255.0f) : 255) : 0);
	}
	st = sixel_output_new(&output, sixel_sink, out, NULL);
	if (SIXEL_FAILED(st)) {
		free(gray);
		return sixel_fail(st, "sixel_output_new", e);
	}
	dither = sixel_dither_get(SIXEL_BUILTIN_G8);
	if (!dither) {
		sixel_output_unref(output);
		free(gray);
		return err_set(e, "sixel preview: libsixel has no gray palette");
	}
	sixel_dither_set_pixelformat(dither, SIXEL_PIXELFORMAT_G8);
	sixel_dither_set_diffusion_type(dither, SIXEL_DIFFUSE_NONE);
	st = sixel_encode(gray, img->w, img->h, 8, dither, output);
	sixel_dither_unref(dither);
	sixel_output_unref(output);
	free(gray);
	if (SIXEL_FAILED(st))
		return sixel_fail(st, "sixel_encode", e);
	return 0;
}
