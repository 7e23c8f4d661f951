/* preview_panel.c - the item drawn in the preview panel: an image as half
 * blocks, ASCII or sixel, or a text post wrapped to the panel. */
#include <math.h>
#include <string.h>

#include "relabel/preview.h"
#include "relabel/screen.h"

/* FNV-1a over what decides an image's rendering; never 0. */
static uint64_t render_key(const struct tui *t, int64_t id, int w, int h)
{
	const struct preview_view *v = &t->view;
	int64_t parts[] = { id, w, h, t->preview, v->invert, v->zoom,
			    t->cell_w, t->cell_h };
	float fl[] = { v->level, v->width };
	uint64_t k = 0xcbf29ce484222325ULL;
	const unsigned char *p = (const unsigned char *)parts;

	for (size_t i = 0; i < sizeof parts; i++)
		k = (k ^ p[i]) * 0x100000001b3ULL;
	p = (const unsigned char *)fl;
	for (size_t i = 0; i < sizeof fl; i++)
		k = (k ^ p[i]) * 0x100000001b3ULL;
	return k ? k : 1;
}

static void panel_text(struct tui *t, const char *text, int y, int x, int h,
		       int w)
{
	struct preview_lines l;

	preview_wrap(text ? text : "(no text)", w, &l);
	for (size_t k = 0; k < l.n && (int)k < h; k++) {
		if ((int)k == h - 1 && k + 1 < l.n) {
			draw_printf(t, y + (int)k, x, w, STYLE_DIM,
				    "... %zu more lines", l.n - k);
			break;
		}
		draw_str(t, y + (int)k, x, w, STYLE_NORMAL, l.line[k]);
	}
	preview_lines_free(&l);
}

/* The image at the largest size that fits max_w x max_h. */
static int panel_render(const struct tui *t, const struct image *img,
			int max_w, int max_h, double aspect, struct image *out)
{
	int cw, ch, pw, ph;

	preview_view_crop(&t->view, img->w, img->h, &cw, &ch);
	preview_fit(cw, ch, max_w, max_h, aspect, &pw, &ph);
	return preview_render(img, &t->view, pw, ph, out);
}

static void panel_cells(struct tui *t, int64_t id, const struct image *img,
			int y, int x, int h, int w)
{
	int blocks = t->preview == PREVIEW_BLOCKS, ox, oy;
	uint64_t key = render_key(t, id, w, h);

	if (t->cells_key != key) {
		struct image r;

		preview_cells_free(&t->cells);
		t->cells_key = 0;
		if (panel_render(t, img, w, blocks ? 2 * h : h, blocks ? 1.0 : 2.0,
				 &r))
			return;
		if (blocks)
			preview_blocks(&r, &t->cells);
		else
			preview_ascii(&r, &t->cells);
		image_free(&r);
		t->cells_key = key;
	}
	ox = x + (w - t->cells.cols) / 2;
	oy = y + (h - t->cells.rows) / 2;
	for (int r = 0; r < t->cells.rows; r++) {
		for (int c = 0; c < t->cells.cols; c++) {
			size_t k = (size_t)r * (size_t)t->cells.cols + (size_t)c;

			draw_gray_cell(t, oy + r, ox + c, t->cells.fg[k],
				       t->cells.bg[k], blocks, t->cells.ch[k]);
		}
	}
}

static void panel_sixel(struct tui *t, int64_t id, const struct image *img,
			int y, int x, int h, int w)
{
	struct tui_sixel *s = &t->want;
	uint64_t key = render_key(t, id, w, h);
	struct image r = { 0 };
	struct err e;

	if (s->key != key) {
		strbuf_reset(&s->bytes);
		s->key = key;
		if (panel_render(t, img, w * t->cell_w, h * t->cell_h, 1.0, &r) ||
		    preview_sixel(&r, &s->bytes, &e)) {
			image_free(&r);
			strbuf_reset(&s->bytes);
			return;
		}
		s->cols = (r.w + t->cell_w - 1) / t->cell_w;
		s->rows = (r.h + t->cell_h - 1) / t->cell_h;
		image_free(&r);
	}
	if (!s->bytes.len)
		return;
	s->x = x + (w - s->cols) / 2;
	s->y = y + (h - s->rows) / 2;
	t->want_set = 1;
}

static void panel_caption(struct tui *t, const struct image *img, int y,
			  int x, int w)
{
	const struct preview_view *v = &t->view;

	draw_printf(t, y, x, w, STYLE_DIM, "%dx%d %d-bit  %s  level %.2f "
		    "width %.2f%s  zoom %d", img->w, img->h, img->bits,
		    preview_mode_name(t->preview), (double)v->level,
		    (double)v->width, v->invert ? " inverted" : "", v->zoom);
}

void preview_panel_draw(struct tui *t, const struct item_detail *d, int y,
			int x, int h, int w)
{
	const struct image *img;
	struct err e;

	if (d->kind == ITEM_TEXT || !d->path) {
		panel_text(t, d->text, y, x + 1, h, w - 2);
		return;
	}
	if (t->preview == PREVIEW_NONE) {
		draw_wrapped(t, y, x + 1, w - 2, h, STYLE_NORMAL, "image", 6,
			     d->path);
		return;
	}
	if (imgcache_get(t->images, (uint64_t)d->id, d->path, &img, &e)) {
		draw_wrapped(t, y, x + 1, w - 2, h, STYLE_ERROR, "image", 6,
			     e.msg);
		return;
	}
	panel_caption(t, img, y + h - 1, x + 1, w - 2);
	if (t->preview == PREVIEW_SIXEL)
		panel_sixel(t, d->id, img, y, x, h - 1, w);
	else
		panel_cells(t, d->id, img, y, x, h - 1, w);
}
