/* preview_text.c - a text post wrapped to the preview panel. */
#include <stdlib.h>
#include <string.h>

#include "relabel/preview.h"
#include "relabel/utf8.h"

/* One thing that is never split: a character or an escape. */
struct unit {
	size_t off, len;
	int w;
	int blank;		/* a space: where a line may break */
	int subst;		/* too wide for any line: drawn as '?' */
};

struct units {
	struct unit *u;
	size_t n, cap;
};

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* Length in bytes of the escape utf8_escape wrote at s, or 0. */
static size_t escape_len(const char *s, size_t n)
{
	const char *end;

	if (n < 2 || s[0] != '\\')
		return 0;
	if (s[1] == 'n' || s[1] == 'r' || s[1] == 't' || s[1] == 'e')
		return 2;
	if (s[1] == 'x' && n >= 4 && is_hex(s[2]) && is_hex(s[3]))
		return 4;
	if (s[1] == 'u' && n >= 5 && s[2] == '{') {
		end = memchr(s + 3, '}', n - 3 < 8 ? n - 3 : 8);
		if (end)
			return (size_t)(end - s) + 1;
	}
	return 0;
}

static void unit_push(struct units *us, size_t off, size_t len, int w,
		      int blank, int subst)
{
	if (us->n == us->cap) {
		us->cap = us->cap ? 2 * us->cap : 64;
		us->u = xreallocarray(us->u, us->cap, sizeof *us->u);
	}
	us->u[us->n++] = (struct unit){ off, len, w, blank, subst };
}

/* Splits the escaped paragraph s[0..n) into units for a width. */
static void units_split(const char *s, size_t n, int width, struct units *us)
{
	size_t i = 0;

	us->n = 0;
	while (i < n) {
		size_t el = escape_len(s + i, n - i);
		uint32_t cp;
		int len, w;

		if (el) {
			/* An escape wider than the line goes char by char. */
			if ((int)el > width)
				for (size_t k = 0; k < el; k++)
					unit_push(us, i + k, 1, 1, 0, 0);
			else
				unit_push(us, i, el, (int)el, 0, 0);
			i += el;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		w = utf8_cp_width(cp);
		if (w > width)
			unit_push(us, i, (size_t)len, 1, 0, 1);
		else
			unit_push(us, i, (size_t)len, w, cp == ' ', 0);
		i += (size_t)len;
	}
}

static void lines_add(struct preview_lines *l, char *s)
{
	l->line = xreallocarray(l->line, l->n + 1, sizeof *l->line);
	l->line[l->n++] = s;
}

/* Adds units [a, b) of s as one line. */
static void emit(struct preview_lines *l, const char *s,
		 const struct units *us, size_t a, size_t b)
{
	struct strbuf out;

	strbuf_init(&out);
	for (size_t i = a; i < b; i++) {
		if (us->u[i].subst)
			strbuf_addc(&out, '?');
		else
			strbuf_add(&out, s + us->u[i].off, us->u[i].len);
	}
	strbuf_add(&out, "", 0);
	lines_add(l, strbuf_take(&out));
}

/* Greedy wrap of one escaped paragraph. */
static void wrap_para(const char *s, size_t n, int width,
		      struct preview_lines *l, struct units *us)
{
	size_t start = 0, blank = SIZE_MAX;
	int col = 0;

	units_split(s, n, width, us);
	for (size_t i = 0; i < us->n; i++) {
		const struct unit *u = &us->u[i];

		/* A blank that does not fit ends the line and is dropped. */
		if (u->blank && col + u->w > width) {
			emit(l, s, us, start, i);
			start = i + 1;
			col = 0;
			blank = SIZE_MAX;
			continue;
		}
		while (col + u->w > width && i > start) {
			if (blank != SIZE_MAX) {
				/* Break at the last blank; it is dropped. */
				emit(l, s, us, start, blank);
				start = blank + 1;
			} else {
				emit(l, s, us, start, i);
				start = i;
			}
			col = 0;
			for (size_t k = start; k < i; k++)
				col += us->u[k].w;
			blank = SIZE_MAX;
		}
		col += u->w;
		if (u->blank)
			blank = i;
	}
	emit(l, s, us, start, us->n);
}

void preview_wrap(const char *text, int width, struct preview_lines *out)
{
	struct units us = { 0 };
	struct strbuf para;
	const char *p = text ? text : "";

	memset(out, 0, sizeof *out);
	if (width < 1)
		width = 1;
	strbuf_init(&para);
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		/* Each paragraph is escaped on its own: its line break is
		 * the one control character turned into layout. */
		strbuf_reset(&para);
		utf8_escape(&para, p, n);
		wrap_para(para.s, para.len, width, out, &us);
		if (!nl)
			break;
		p = nl + 1;
	}
	strbuf_free(&para);
	free(us.u);
}

void preview_lines_free(struct preview_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	free(l->line);
	memset(l, 0, sizeof *l);
}
