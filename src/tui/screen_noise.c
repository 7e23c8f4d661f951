/* screen_noise.c - the estimated noise matrix: items by current label
 * (rows) and the class confident learning counted them in (columns);
 * enter on a cell opens exactly those items as a queue. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/screen.h"

struct noise_screen {
	struct screen sc;
	struct grid g;
	size_t *count;		/* [C, C] items, given row x true column */
	size_t total;
	size_t counted_at;	/* session decisions when counted, + 1 */
};

/* Whether item i counts in cell (r, c); c < 0 matches any column. */
static int in_cell(const struct tui *t, size_t i, int r, int c)
{
	int y = t->s.a.items.label[i], k = t->s.a.out.cl.confident_class[i];

	return y >= 0 && k >= 0 && y == r && (c < 0 || k == c);
}

static void noise_count(struct noise_screen *s, const struct tui *t)
{
	size_t C = (size_t)s->g.n;

	/* Labels only change with decisions: count again after one. */
	if (s->counted_at == t->s.decisions + 1)
		return;
	s->counted_at = t->s.decisions + 1;
	memset(s->count, 0, C * C * sizeof *s->count);
	s->total = 0;
	for (size_t i = 0; i < t->s.a.items.n; i++) {
		int y = t->s.a.items.label[i];

		if (in_cell(t, i, y, -1)) {
			s->count[(size_t)y * C +
				 (size_t)t->s.a.out.cl.confident_class[i]]++;
			s->total++;
		}
	}
}

static enum style noise_cell(void *user, int r, int c, struct strbuf *out)
{
	struct noise_screen *s = user;
	size_t n = s->count[(size_t)r * (size_t)s->g.n + (size_t)c];

	strbuf_addf(out, "%zu", n);
	if (r == c)
		return STYLE_NORMAL;
	return n ? STYLE_FLAG : STYLE_DIM;
}

static void noise_draw(struct screen *sc, struct tui *t)
{
	struct noise_screen *s = (struct noise_screen *)sc;
	const struct cleanlab *cl = &t->s.a.out.cl;
	int C = s->g.n, gh = t->rows - 6;
	size_t cell = (size_t)s->g.cur_r * (size_t)C + (size_t)s->g.cur_c;

	if (!t->s.a.out.has_model) {
		draw_str(t, 2, 2, t->cols - 4, STYLE_DIM, "no model "
			 "probabilities yet: relabel train, or import --probs");
		return;
	}
	draw_printf(t, 1, 1, t->cols - 2, STYLE_NORMAL, "items by label "
		    "(rows) and the class confident learning puts them in "
		    "(columns); estimated noise rate %.1f%%",
		    100.0 * cl->noise_rate);
	if (gh > C + 1)
		gh = C + 1;
	noise_count(s, t);
	grid_draw(t, &s->g, 2, 1, gh, t->cols - 2, "given\\true", noise_cell,
		  s);
	draw_printf(t, 3 + gh, 1, t->cols - 2, STYLE_DIM, "cell: labeled %s, "
		    "looks like %s: %zu items (of %zu counted); estimated joint "
		    "%.4f; enter opens them", tui_class(t, s->g.cur_r),
		    tui_class(t, s->g.cur_c), s->count[cell], s->total,
		    cl->joint[cell]);
}

static int noise_key(struct screen *sc, struct tui *t, enum action act,
		     int arg)
{
	struct noise_screen *s = (struct noise_screen *)sc;
	uint32_t *items;
	size_t n = 0;
	char *title;

	(void)arg;
	if (!t->s.a.out.has_model)
		return 0;
	if (grid_key(&s->g, act))
		return 1;
	if (act != ACT_OPEN)
		return 0;
	items = xmalloc((t->s.a.items.n + 1) * sizeof *items);
	for (size_t i = 0; i < t->s.a.items.n; i++)
		if (in_cell(t, i, s->g.cur_r, s->g.cur_c))
			items[n++] = (uint32_t)i;
	if (n == 0) {
		tui_msg(t, "no items in that cell");
		free(items);
		return 1;
	}
	title = xasprintf("noise: labeled %s, looks like %s",
			  tui_class(t, s->g.cur_r), tui_class(t, s->g.cur_c));
	tui_open_sub(t, "noise", title, items, n);
	free(title);
	free(items);
	return 1;
}

static void noise_destroy(struct screen *sc)
{
	struct noise_screen *s = (struct noise_screen *)sc;

	free(s->count);
	free(s);
}

struct screen *screen_noise_new(struct tui *t)
{
	struct noise_screen *s = xcalloc(1, sizeof *s);
	int C = t->s.a.classes.n;
	size_t best = 0;

	s->sc = (struct screen){ .title = "noise matrix (esc: back)",
				 .draw = noise_draw, .key = noise_key,
				 .destroy = noise_destroy };
	s->g.n = C;
	s->count = xcalloc((size_t)C * (size_t)C, sizeof *s->count);
	if (!t->s.a.out.has_model)
		return &s->sc;

	/* Start on the largest off-diagonal cell: the likeliest mix-up. */
	noise_count(s, t);
	for (int r = 0; r < C; r++)
		for (int c = 0; c < C; c++)
			if (r != c && s->count[r * C + c] > best) {
				best = s->count[r * C + c];
				s->g.cur_r = r;
				s->g.cur_c = c;
			}
	return &s->sc;
}
