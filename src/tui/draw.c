/* draw.c - styles, and drawing the data's strings safely and by width. */
#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "relabel/preview.h"
#include "relabel/screen.h"
#include "relabel/utf8.h"

/* Style k uses colour pair k + 1 when there are colours. */
static const struct {
	short fg;
	attr_t attr;		/* with colours */
	attr_t plain;		/* without */
} styles[STYLE_COUNT] = {
	[STYLE_NORMAL] = { -1, A_NORMAL, A_NORMAL },
	[STYLE_TITLE] = { -1, A_REVERSE | A_BOLD, A_REVERSE | A_BOLD },
	[STYLE_HEAD] = { -1, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE },
	[STYLE_CURSOR] = { -1, A_REVERSE, A_REVERSE },
	[STYLE_DIM] = { -1, A_DIM, A_DIM },
	[STYLE_CHANGED] = { COLOR_GREEN, A_BOLD, A_BOLD },
	[STYLE_FLAG] = { COLOR_YELLOW, A_NORMAL, A_UNDERLINE },
	[STYLE_ERROR] = { COLOR_RED, A_BOLD, A_BOLD | A_REVERSE },
};

void draw_init(const struct tui *t)
{
	if (t->colors <= 0)
		return;
	use_default_colors();
	for (int k = 0; k < STYLE_COUNT; k++)
		init_pair((short)(k + 1), styles[k].fg, -1);
}

static void style_set(const struct tui *t, enum style st)
{
	if (t->colors > 0)
		attr_set(styles[st].attr, (short)(st + 1), NULL);
	else
		attr_set(styles[st].plain, 0, NULL);
}

void draw_fill(const struct tui *t, int y, int x, int width, enum style st)
{
	style_set(t, st);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
	style_set(t, STYLE_NORMAL);
}

int draw_str(const struct tui *t, int y, int x, int width, enum style st,
	     const char *s)
{
	struct strbuf b;
	int col = 0;
	size_t i = 0;

	if (width <= 0 || !s)
		return 0;
	strbuf_init(&b);
	utf8_escape(&b, s, strlen(s));
	style_set(t, st);
	move(y, x);
	while (i < b.len) {
		uint32_t cp;
		int len = utf8_decode(b.s + i, b.len - i, &cp);
		const char *p = b.s + i;
		size_t plen = (size_t)len;
		int w = wcwidth((wchar_t)cp);

		/* What the locale cannot draw is drawn as '?', one column. */
		if (w < 0) {
			p = "?";
			plen = 1;
			w = 1;
		}
		if (col + w > width)
			break;
		addnstr(p, (int)plen);
		col += w;
		i += (size_t)len;
	}
	style_set(t, STYLE_NORMAL);
	strbuf_free(&b);
	return col;
}

int draw_printf(const struct tui *t, int y, int x, int width, enum style st,
		const char *fmt, ...)
{
	va_list ap;
	struct strbuf b;
	int n;

	strbuf_init(&b);
	va_start(ap, fmt);
	{
		va_list cp;
		int len;

		va_copy(cp, ap);
		len = vsnprintf(NULL, 0, fmt, cp);
		va_end(cp);
		if (len > 0) {
			char *s = xmalloc((size_t)len + 1);

			vsnprintf(s, (size_t)len + 1, fmt, ap);
			strbuf_add(&b, s, (size_t)len);
			free(s);
		}
	}
	va_end(ap);
	n = draw_str(t, y, x, width, st, b.s ? b.s : "");
	strbuf_free(&b);
	return n;
}

int draw_wrapped(const struct tui *t, int y, int x, int width, int max_rows,
		 enum style st, const char *label, int label_w,
		 const char *text)
{
	struct preview_lines l;
	int rows = 0;

	if (max_rows <= 0 || width <= label_w + 1)
		return 0;
	draw_str(t, y, x, label_w, STYLE_HEAD, label);
	preview_wrap(text, width - label_w - 1, &l);
	for (size_t i = 0; i < l.n && rows < max_rows; i++, rows++) {
		int last = rows == max_rows - 1 && i + 1 < l.n;

		/* The lines come escaped; draw_str keeps them as they are. */
		draw_str(t, y + rows, x + label_w + 1, width - label_w - 1 -
			 (last ? 4 : 0), st, l.line[i]);
		if (last)
			draw_str(t, y + rows, x + width - 3, 3, STYLE_DIM, "...");
	}
	preview_lines_free(&l);
	return rows ? rows : 1;
}

/* The terminal colour for a gray 0 .. 255. */
static int gray_color(const struct tui *t, int g)
{
	if (t->colors >= TUI_DIRECT_COLOR) {
		g = preview_gray_quant(g, 64);
		return g << 16 | g << 8 | g;
	}
	return preview_gray256(g);
}

void draw_gray_cell(const struct tui *t, int y, int x, int fg, int bg,
		    int block, char ch)
{
	cchar_t cc;
	wchar_t w[2] = { block ? 0x2580 : (wchar_t)ch, 0 };
	int pair = 0;

	/* alloc_pair reuses the least recently used pair when they run
	 * out; 26 grays need 676 at most. */
	if (t->colors >= 256)
		pair = alloc_pair(gray_color(t, fg),
				  block ? gray_color(t, bg) : -1);
	if (pair < 0)
		pair = 0;
	setcchar(&cc, w, A_NORMAL, 0, &pair);
	mvadd_wch(y, x, &cc);
}
