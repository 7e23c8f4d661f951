/* screen_annot.c - the annotator audit: one row per annotator, least
 * accurate first; enter opens one annotator's confusion matrix. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/screen.h"

struct annot_screen {
	struct screen sc;
	uint32_t *order;	/* [A] annotators, least accurate first */
	size_t n, row, top;
};

static void fmt_share(char *buf, size_t n, double v)
{
	if (isnan(v))
		snprintf(buf, n, "     -");
	else
		snprintf(buf, n, "%6.3f", v);
}

static void annot_row(struct tui *t, int y, uint32_t a, int cursor)
{
	const struct crowd_annotators *an = &t->s.a.out.an;
	char agree[16], ds[16], ex[32], spread[16];
	enum style st = cursor ? STYLE_CURSOR :
			an->no_info[a] ? STYLE_FLAG : STYLE_NORMAL;
	int w = t->cols - 2;

	fmt_share(agree, sizeof agree, an->agreement[a]);
	fmt_share(ds, sizeof ds, an->ds_acc[a]);
	fmt_share(spread, sizeof spread, an->spread[a]);
	if (an->n_expert[a])
		snprintf(ex, sizeof ex, "%5u %6.3f", an->n_expert[a],
			 an->expert_acc[a]);
	else
		snprintf(ex, sizeof ex, "%5u      -", 0u);
	draw_fill(t, y, 1, w, st);
	draw_str(t, y, 1, 16, st, t->s.a.votes.annot_name[a]);
	draw_printf(t, y, 18, w - 17, st, "%7u %8u %s %s %s %s  %s",
		    an->n_labels[a], an->n_compared[a], agree, ds, ex, spread,
		    an->no_info[a] ? "no information (spammer?)" : "");
}

static void annot_draw(struct screen *sc, struct tui *t)
{
	struct annot_screen *s = (struct annot_screen *)sc;
	int h = t->rows - 5;

	if (s->n == 0) {
		draw_str(t, 2, 2, t->cols - 4, STYLE_DIM, "no annotator votes in "
			 "this project (relabel import --annotations adds them)");
		return;
	}
	if (s->row < s->top)
		s->top = s->row;
	if (s->row >= s->top + (size_t)h)
		s->top = s->row - (size_t)h + 1;
	draw_fill(t, 1, 1, t->cols - 2, STYLE_HEAD);
	draw_printf(t, 1, 1, t->cols - 2, STYLE_HEAD, "%-16s %7s %8s %6s %6s "
		    "%5s %6s %6s", "annotator", "votes", "compared", "agree",
		    "ds-acc", "exprt", "acc", "spread");
	for (int k = 0; k < h && s->top + (size_t)k < s->n; k++)
		annot_row(t, 2 + k, s->order[s->top + (size_t)k],
			  s->top + (size_t)k == s->row);
	draw_printf(t, t->rows - 3, 1, t->cols - 2, STYLE_DIM,
		    "Krippendorff's alpha %.3f.  agree: with the other "
		    "annotators' majority; ds-acc: Dawid-Skene estimate.",
		    t->s.a.out.alpha);
	draw_str(t, t->rows - 2, 1, t->cols - 2, STYLE_DIM, "enter: this "
		 "annotator's confusion matrix and disagreements; esc: back");
}

static int annot_key(struct screen *sc, struct tui *t, enum action act,
		     int arg)
{
	struct annot_screen *s = (struct annot_screen *)sc;

	(void)arg;
	if (s->n == 0)
		return 0;
	switch (act) {
	case ACT_DOWN: s->row += s->row + 1 < s->n; return 1;
	case ACT_UP: s->row -= s->row > 0; return 1;
	case ACT_TOP: s->row = 0; return 1;
	case ACT_BOTTOM: s->row = s->n - 1; return 1;
	case ACT_PAGE_DOWN:
		s->row = s->row + 10 < s->n ? s->row + 10 : s->n - 1;
		return 1;
	case ACT_PAGE_UP: s->row = s->row > 10 ? s->row - 10 : 0; return 1;
	case ACT_OPEN:
		tui_push(t, screen_confusion_new(t, s->order[s->row]));
		return 1;
	default: return 0;
	}
}

static void annot_destroy(struct screen *sc)
{
	struct annot_screen *s = (struct annot_screen *)sc;

	free(s->order);
	free(s);
}

struct screen *screen_annot_new(struct tui *t)
{
	struct annot_screen *s = xcalloc(1, sizeof *s);
	const struct rank_output *o = &t->s.a.out;
	uint64_t *key;

	s->sc = (struct screen){ .title = "annotators", .draw = annot_draw,
				 .key = annot_key, .destroy = annot_destroy };
	if (!o->has_votes)
		return &s->sc;
	s->n = o->an.A;
	s->order = xmalloc((s->n + 1) * sizeof *s->order);
	key = xmalloc((s->n + 1) * sizeof *key);

	/* Least accurate first: the queue's sort on minus the accuracy. */
	for (size_t a = 0; a < s->n; a++)
		key[a] = queue_key(-(float)o->an.ds_acc[a], (uint32_t)a);
	queue_sort_keys(key, s->n);
	for (size_t a = 0; a < s->n; a++)
		s->order[a] = queue_key_item(key[a]);
	free(key);
	return &s->sc;
}
