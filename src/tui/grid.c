/* grid.c - a class x class matrix with a cell cursor, scrolled to fit. */
#include <curses.h>
#include <string.h>

#include "relabel/screen.h"
#include "relabel/utf8.h"

#define GRID_CELL_W 8
#define GRID_LABEL_MAX 16

/* Keeps first within [cur - shown + 1, cur]. */
static int scroll_to(int first, int cur, int shown)
{
	if (shown < 1)
		shown = 1;
	if (cur < first)
		return cur;
	if (cur >= first + shown)
		return cur - shown + 1;
	return first;
}

static int label_width(const struct tui *t, int n)
{
	int w = 5;

	for (int k = 0; k < n; k++) {
		const char *s = tui_class(t, k);
		int cw = (int)utf8_width(s, strlen(s));

		if (cw > w)
			w = cw;
	}
	return w > GRID_LABEL_MAX ? GRID_LABEL_MAX : w;
}

/* One row of cells, numbers right-aligned. */
static void grid_row(struct tui *t, const struct grid *g, int r, int y, int x,
		     int ncols,
		     enum style (*cell)(void *, int, int, struct strbuf *),
		     void *user, struct strbuf *b)
{
	for (int j = 0; j < ncols && g->left_c + j < g->n; j++) {
		int c = g->left_c + j, cx = x + j * GRID_CELL_W, tw;
		enum style st;

		strbuf_reset(b);
		strbuf_add(b, "", 0);
		st = cell(user, r, c, b);
		if (r == g->cur_r && c == g->cur_c)
			st = STYLE_CURSOR;
		draw_fill(t, y, cx, GRID_CELL_W - 1, st);
		tw = (int)utf8_width(b->s, b->len);
		draw_str(t, y, cx + (tw < GRID_CELL_W - 1 ?
			 GRID_CELL_W - 1 - tw : 0), GRID_CELL_W - 1, st, b->s);
	}
}

void grid_draw(struct tui *t, struct grid *g, int y, int x, int h, int w,
	       const char *corner,
	       enum style (*cell)(void *user, int r, int c, struct strbuf *out),
	       void *user)
{
	int lw = label_width(t, g->n);
	int ncols = (w - lw - 1) / GRID_CELL_W, nrows = h - 1;
	struct strbuf b;

	g->top_r = scroll_to(g->top_r, g->cur_r, nrows);
	g->left_c = scroll_to(g->left_c, g->cur_c, ncols);
	draw_str(t, y, x, lw, STYLE_DIM, corner);

	/* Column headings: the true (or said) class. */
	for (int k = 0; k < ncols && g->left_c + k < g->n; k++) {
		int c = g->left_c + k;

		draw_str(t, y, x + lw + 1 + k * GRID_CELL_W, GRID_CELL_W - 1,
			 c == g->cur_c ? STYLE_CURSOR : STYLE_HEAD,
			 tui_class(t, c));
	}
	strbuf_init(&b);
	for (int k = 0; k < nrows && g->top_r + k < g->n; k++) {
		int r = g->top_r + k;

		draw_str(t, y + 1 + k, x, lw,
			 r == g->cur_r ? STYLE_CURSOR : STYLE_HEAD,
			 tui_class(t, r));
		grid_row(t, g, r, y + 1 + k, x + lw + 1, ncols, cell, user, &b);
	}
	strbuf_free(&b);
}

int grid_key(struct grid *g, enum action act)
{
	int *r = &g->cur_r, *c = &g->cur_c;

	switch (act) {
	case ACT_DOWN: *r += 1; break;
	case ACT_UP: *r -= 1; break;
	case ACT_RIGHT: *c += 1; break;
	case ACT_LEFT: *c -= 1; break;
	case ACT_PAGE_DOWN: *r += 10; break;
	case ACT_PAGE_UP: *r -= 10; break;
	case ACT_TOP: *r = *c = 0; break;
	case ACT_BOTTOM: *r = *c = g->n - 1; break;
	default: return 0;
	}
	if (*r < 0)
		*r = 0;
	if (*c < 0)
		*c = 0;
	if (*r >= g->n)
		*r = g->n - 1;
	if (*c >= g->n)
		*c = g->n - 1;
	return 1;
}
