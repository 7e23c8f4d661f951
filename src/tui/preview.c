/* preview.c - fitting an image to a panel, the display view, and the half
 * block and ASCII renderings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/preview.h"

static const char *const mode_names[] = {
	[PREVIEW_AUTO] = "auto", [PREVIEW_SIXEL] = "sixel",
	[PREVIEW_BLOCKS] = "blocks", [PREVIEW_ASCII] = "ascii",
	[PREVIEW_NONE] = "none",
};

const char *preview_mode_name(enum preview_mode m)
{
	return m >= PREVIEW_AUTO && m <= PREVIEW_NONE ? mode_names[m] : "?";
}

int preview_mode_parse(const char *s, enum preview_mode *m, struct err *e)
{
	for (int i = PREVIEW_AUTO; i <= PREVIEW_NONE; i++) {
		if (!strcmp(s, mode_names[i])) {
			*m = (enum preview_mode)i;
			return 0;
		}
	}
	return err_set(e, "--preview: unknown mode '%s'; use auto, sixel, "
		       "blocks, ascii or none", s);
}

void preview_view_reset(struct preview_view *v)
{
	v->level = 0.5f;
	v->width = 1.0f;
	v->invert = 0;
	v->zoom = 0;
}

void preview_view_contrast(struct preview_view *v, int dir)
{
	/* Multiplicative steps: equally fine at every contrast. */
	v->width *= dir > 0 ? 0.8f : 1.25f;
	if (v->width < PREVIEW_WINDOW_MIN)
		v->width = PREVIEW_WINDOW_MIN;
	if (v->width > 4.0f)
		v->width = 4.0f;
}

void preview_view_brightness(struct preview_view *v, int dir)
{
	/* A lower level maps more of the range to white. */
	v->level -= (float)dir * 0.05f * (v->width < 1.0f ? v->width : 1.0f);
	if (v->level < -1.0f)
		v->level = -1.0f;
	if (v->level > 2.0f)
		v->level = 2.0f;
}

void preview_view_zoom(struct preview_view *v, int dir)
{
	v->zoom += dir > 0 ? 1 : -1;
	if (v->zoom < 0)
		v->zoom = 0;
	if (v->zoom > PREVIEW_ZOOM_MAX)
		v->zoom = PREVIEW_ZOOM_MAX;
}

void preview_fit(int img_w, int img_h, int max_w, int max_h, double aspect,
		 int *w, int *h)
{
	double sw, sh, s;

	if (img_w < 1 || img_h < 1 || max_w < 1 || max_h < 1) {
		*w = *h = 1;
		return;
	}

	/* Scale so that both sides fit, in displayed (square) units. */
	sw = (double)max_w / img_w;
	sh = (double)max_h * aspect / img_h;
	s = sw < sh ? sw : sh;
	*w = (int)floor(img_w * s + 1e-9);
	*h = (int)floor(img_h * s / aspect + 1e-9);
	if (*w < 1)
		*w = 1;
	if (*h < 1)
		*h = 1;
	if (*w > max_w)
		*w = max_w;
	if (*h > max_h)
		*h = max_h;
}

void preview_view_crop(const struct preview_view *v, int w, int h, int *cw,
		       int *ch)
{
	double f = pow(PREVIEW_ZOOM_STEP, v->zoom);

	*cw = (int)ceil(w / f - 1e-9);
	*ch = (int)ceil(h / f - 1e-9);
	if (*cw < 1)
		*cw = 1;
	if (*ch < 1)
		*ch = 1;
}

/* The centre of src that the view shows, as a new image. */
static void preview_crop(const struct image *src,
			 const struct preview_view *v, struct image *out)
{
	int cw, ch, x0, y0;

	preview_view_crop(v, src->w, src->h, &cw, &ch);
	x0 = (src->w - cw) / 2;
	y0 = (src->h - ch) / 2;
	out->w = cw;
	out->h = ch;
	out->bits = src->bits;
	out->px = xmalloc((size_t)cw * (size_t)ch * sizeof *out->px);
	for (int y = 0; y < ch; y++)
		memcpy(out->px + (size_t)y * (size_t)cw,
		       src->px + (size_t)(y0 + y) * (size_t)src->w + x0,
		       (size_t)cw * sizeof *out->px);
}

int preview_render(const struct image *src, const struct preview_view *v,
		   int w, int h, struct image *out)
{
	struct image crop = { 0 };
	const struct image *from = src;
	int rc;

	memset(out, 0, sizeof *out);
	if (v->zoom > 0) {
		preview_crop(src, v, &crop);
		from = &crop;
	}
	rc = image_resize(from, w, h, out);
	image_free(&crop);
	if (rc)
		return -1;
	image_window(out, v->level, v->width, v->invert, out);
	return 0;
}

static int gray_byte(float v)
{
	if (!(v > 0.0f))
		return 0;
	if (v >= 1.0f)
		return 255;
	return (int)lrintf(v * 255.0f);
}

static void cells_alloc(struct preview_cells *c, int cols, int rows)
{
	size_t n = (size_t)cols * (size_t)rows;

	c->cols = cols;
	c->rows = rows;
	c->fg = xcalloc(n + 1, 1);
	c->bg = xcalloc(n + 1, 1);
	c->ch = xcalloc(n + 1, 1);
}

void preview_blocks(const struct image *img, struct preview_cells *out)
{
	int rows = (img->h + 1) / 2;

	cells_alloc(out, img->w, rows);
	for (int r = 0; r < rows; r++) {
		const float *top = img->px + (size_t)(2 * r) * (size_t)img->w;
		const float *bot = 2 * r + 1 < img->h ? top + img->w : NULL;

		for (int c = 0; c < img->w; c++) {
			size_t k = (size_t)r * (size_t)img->w + (size_t)c;

			out->fg[k] = (uint8_t)gray_byte(top[c]);
			out->bg[k] = bot ? (uint8_t)gray_byte(bot[c]) : 0;
			out->ch[k] = ' ';
		}
	}
}

void preview_ascii(const struct image *img, struct preview_cells *out)
{
	static const char ramp[] = PREVIEW_ASCII_RAMP;
	const int last = (int)sizeof ramp - 2;
	size_t n = (size_t)img->w * (size_t)img->h;

	cells_alloc(out, img->w, img->h);
	for (size_t k = 0; k < n; k++) {
		int g = gray_byte(img->px[k]);

		/* Equal shares of the gray range for each ramp step. */
		out->ch[k] = ramp[(g * (last + 1)) / 256];
		out->fg[k] = (uint8_t)g;
	}
}

void preview_cells_free(struct preview_cells *c)
{
	free(c->fg);
	free(c->bg);
	free(c->ch);
	memset(c, 0, sizeof *c);
}

int preview_gray256(int gray)
{
	/* Ramp step k (0 .. 23) is gray 8 + 10 k. */
	int k, ramp;

	if (gray < 0)
		gray = 0;
	k = (gray - 8 + 5) / 10;
	if (k < 0)
		k = 0;
	if (k > 23)
		k = 23;
	ramp = 8 + 10 * k;
	if (gray < ramp && gray < ramp - gray)
		return 16;
	if (gray > ramp && 255 - gray < gray - ramp)
		return 231;
	return 232 + k;
}

int preview_gray_quant(int gray, int levels)
{
	int q;

	if (levels < 2)
		levels = 2;
	if (levels > 256)
		levels = 256;
	if (gray < 0)
		gray = 0;
	if (gray > 255)
		gray = 255;
	q = (gray * (levels - 1) + 127) / 255;
	return (q * 255 + (levels - 1) / 2) / (levels - 1);
}
