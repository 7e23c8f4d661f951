/* screen_confusion.c - one annotator: their votes against the consensus
 * (Dawid-Skene) as a class x class grid, and the items where they
 * disagree with it; enter on a cell opens its items as a queue. */
#include <stdlib.h>
#include <string.h>

#include "relabel/screen.h"

struct confusion_screen {
	struct screen sc;
	uint32_t a;		/* annotator */
	struct grid g;
	unsigned *count;	/* [C, C] votes: consensus row, said column */
	uint32_t *dis;		/* [ndis] items where the vote is not the
				 * consensus */
	size_t ndis;
	char title[96];
};

/* Calls fn for each vote of annotator a that has a consensus. */
static void each_vote(const struct tui *t, uint32_t a,
		      void (*fn)(void *u, uint32_t item, int cons, int said),
		      void *u)
{
	const struct vote_table *v = &t->s.a.votes;
	const struct crowd_ds *ds = &t->s.a.out.ds;

	for (size_t k = 0; k < v->n; k++) {
		uint32_t i = v->item[k];

		if (v->annotator[k] == a && !ds->no_votes[i])
			fn(u, i, ds->label[i], v->label[k]);
	}
}

static void count_vote(void *u, uint32_t item, int cons, int said)
{
	struct confusion_screen *s = u;
	size_t C = (size_t)s->g.n;

	s->count[(size_t)cons * C + (size_t)said]++;
	if (cons != said)
		s->dis[s->ndis++] = item;
}

static enum style conf_cell(void *user, int r, int c, struct strbuf *out)
{
	struct confusion_screen *s = user;
	unsigned n = s->count[(size_t)r * (size_t)s->g.n + (size_t)c];

	strbuf_addf(out, "%u", n);
	if (r == c)
		return STYLE_NORMAL;
	return n ? STYLE_FLAG : STYLE_DIM;
}

static void conf_draw(struct screen *sc, struct tui *t)
{
	struct confusion_screen *s = (struct confusion_screen *)sc;
	const struct crowd_annotators *an = &t->s.a.out.an;
	const struct crowd_ds *ds = &t->s.a.out.ds;
	int C = s->g.n, gh = C + 1, room = t->rows - 7;
	size_t cell = ((size_t)s->a * (size_t)C + (size_t)s->g.cur_r) *
		      (size_t)C + (size_t)s->g.cur_c;
	struct strbuf b;

	if (gh > room * 2 / 3)
		gh = room * 2 / 3;
	draw_printf(t, 1, 1, t->cols - 2, STYLE_NORMAL, "%s: %u votes, "
		    "Dawid-Skene accuracy %.3f, agreement %.3f; rows: the "
		    "consensus, columns: what %s said",
		    t->s.a.votes.annot_name[s->a], an->n_labels[s->a],
		    an->ds_acc[s->a], an->agreement[s->a],
		    t->s.a.votes.annot_name[s->a]);
	grid_draw(t, &s->g, 2, 1, gh, t->cols - 2, "cons\\said", conf_cell, s);
	draw_printf(t, 3 + gh, 1, t->cols - 2, STYLE_DIM, "cell: %s said %s "
		    "when the consensus is %s: %u votes; estimated P = %.3f; "
		    "enter opens them", t->s.a.votes.annot_name[s->a],
		    tui_class(t, s->g.cur_c), tui_class(t, s->g.cur_r),
		    s->count[(size_t)s->g.cur_r * (size_t)C + (size_t)s->g.cur_c],
		    ds->conf[cell]);

	/* The disagreements, as many as fit. */
	strbuf_init(&b);
	for (size_t k = 0; k < s->ndis && k < 200; k++)
		strbuf_addf(&b, "%s%s", k ? "  " : "",
			    session_ext_id(&t->s, s->dis[k]));
	draw_wrapped(t, 4 + gh, 1, t->cols - 2, t->rows - 5 - gh,
		     STYLE_NORMAL, s->ndis ? "disagree" : "agrees", 9,
		     s->ndis ? b.s : "with the consensus on every item");
	strbuf_free(&b);
}

static void pick_cell(void *u, uint32_t item, int cons, int said)
{
	struct confusion_screen *s = u;

	if (cons == s->g.cur_r && said == s->g.cur_c)
		s->dis[s->ndis++] = item;
}

static int conf_key(struct screen *sc, struct tui *t, enum action act,
		    int arg)
{
	struct confusion_screen *s = (struct confusion_screen *)sc;
	size_t keep = s->ndis, n;
	char name[64], *title;

	(void)arg;
	if (grid_key(&s->g, act))
		return 1;
	if (act != ACT_OPEN)
		return 0;

	/* The cell's items go after the disagreements in the same array. */
	s->dis = xreallocarray(s->dis, keep + t->s.a.votes.n + 1,
			       sizeof *s->dis);
	each_vote(t, s->a, pick_cell, s);
	n = s->ndis - keep;
	s->ndis = keep;
	if (n == 0) {
		tui_msg(t, "no votes in that cell");
		return 1;
	}
	snprintf(name, sizeof name, "annotator");
	title = xasprintf("%s said %s, consensus %s",
			  t->s.a.votes.annot_name[s->a],
			  tui_class(t, s->g.cur_c), tui_class(t, s->g.cur_r));
	tui_open_sub(t, name, title, s->dis + keep, n);
	free(title);
	return 1;
}

static void conf_destroy(struct screen *sc)
{
	struct confusion_screen *s = (struct confusion_screen *)sc;

	free(s->count);
	free(s->dis);
	free(s);
}

struct screen *screen_confusion_new(struct tui *t, uint32_t a)
{
	struct confusion_screen *s = xcalloc(1, sizeof *s);
	int C = t->s.a.classes.n;
	unsigned best = 0;

	s->sc = (struct screen){ .title = s->title, .draw = conf_draw,
				 .key = conf_key, .destroy = conf_destroy };
	snprintf(s->title, sizeof s->title, "annotator (esc: back)");
	s->a = a;
	s->g.n = C;
	s->count = xcalloc((size_t)C * (size_t)C, sizeof *s->count);
	s->dis = xmalloc((t->s.a.votes.n + 1) * sizeof *s->dis);
	each_vote(t, a, count_vote, s);

	/* Start on the cell with the most disagreements. */
	for (int r = 0; r < C; r++)
		for (int c = 0; c < C; c++)
			if (r != c && s->count[r * C + c] > best) {
				best = s->count[r * C + c];
				s->g.cur_r = r;
				s->g.cur_c = c;
			}
	return &s->sc;
}
