/* screen_help.c - every action with the keys bound to it, generated from
 * the key map in force. */
#include <stdlib.h>
#include <string.h>

#include "relabel/screen.h"

struct help_screen {
	struct screen sc;
	struct preview_lines l;	/* the text, one entry a line */
	size_t top;
};

static void help_add(struct preview_lines *l, char *s)
{
	l->line = xreallocarray(l->line, l->n + 1, sizeof *l->line);
	l->line[l->n++] = s;
}

/* One line "KEYS   what it does"; actions without keys are listed too,
 * so that a key file can bind them. */
static void help_action(struct help_screen *h, const struct tui *t,
			enum action act)
{
	struct strbuf k;

	strbuf_init(&k);
	if (!keys_for(&t->keys, act, 0, " ", &k))
		strbuf_adds(&k, "(unbound)");
	help_add(&h->l, xasprintf("  %-22s %-14s %s", k.s,
				  keys_action_name(act), keys_action_help(act)));
	strbuf_free(&k);
}

/* The label keys, one line per class, then keys bound to a class number
 * this project does not have. */
static void help_labels(struct help_screen *h, const struct tui *t)
{
	int C = t->s.a.classes.n;
	struct strbuf k, none;

	strbuf_init(&k);
	strbuf_init(&none);
	help_add(&h->l, xstrdup(""));
	help_add(&h->l, xstrdup("Relabel (then the next item):"));
	for (int c = 0; c < C; c++) {
		strbuf_reset(&k);
		if (!keys_for(&t->keys, ACT_LABEL, c + 1, " ", &k))
			strbuf_adds(&k, "(unbound)");
		help_add(&h->l, xasprintf("  %-22s label %-8d %s", k.s, c + 1,
					  tui_class(t, c)));
	}
	for (size_t i = 0; i < t->keys.n; i++) {
		const struct keys_binding *b = &t->keys.b[i];

		if (b->act != ACT_LABEL || b->arg <= C)
			continue;
		strbuf_adds(&none, none.len ? " " : "");
		keys_name(b->key, &none);
	}
	if (none.len)
		help_add(&h->l, xasprintf("  %-22s (no such class: this project "
					  "has %d)", none.s, C));
	strbuf_free(&k);
	strbuf_free(&none);
}

static void help_build(struct help_screen *h, const struct tui *t)
{
	help_add(&h->l, xstrdup("Keys in force (defaults: assets/keys.conf; "
				"yours: $XDG_CONFIG_HOME/relabel/keys.conf)"));
	help_add(&h->l, xstrdup(""));
	for (int a = ACT_NONE + 1; a < ACT_COUNT; a++)
		if (a != ACT_LABEL)
			help_action(h, t, (enum action)a);
	help_labels(h, t);
	help_add(&h->l, xstrdup(""));
	help_add(&h->l, xstrdup("Every decision is committed to the project "
				"file before the screen moves on; undo and "
				"redo are entries of the review log too."));
	help_add(&h->l, xstrdup("A retrain runs in the background on the "
				"current labels; when it is stored the queue "
				"is re-ranked, the item on screen kept."));
	help_add(&h->l, xstrdup("Marks in the queue: * relabelled, = "
				"confirmed, @ on another reviewer's screen "
				"(skipped), ! disputed between reviewers."));
}

static void help_draw(struct screen *sc, struct tui *t)
{
	struct help_screen *h = (struct help_screen *)sc;
	int rows = t->rows - 2;

	if (h->l.n > (size_t)rows && h->top > h->l.n - (size_t)rows)
		h->top = h->l.n - (size_t)rows;
	for (int k = 0; k < rows && h->top + (size_t)k < h->l.n; k++)
		draw_str(t, 1 + k, 1, t->cols - 2, k == 0 && h->top == 0 ?
			 STYLE_HEAD : STYLE_NORMAL, h->l.line[h->top + (size_t)k]);
}

static int help_key(struct screen *sc, struct tui *t, enum action act,
		    int arg)
{
	struct help_screen *h = (struct help_screen *)sc;
	size_t page = t->rows > 4 ? (size_t)t->rows - 4 : 1;

	(void)arg;
	switch (act) {
	case ACT_DOWN: h->top++; return 1;
	case ACT_UP: h->top -= h->top > 0; return 1;
	case ACT_PAGE_DOWN: h->top += page; return 1;
	case ACT_PAGE_UP: h->top = h->top > page ? h->top - page : 0; return 1;
	case ACT_TOP: h->top = 0; return 1;
	case ACT_BOTTOM: h->top = h->l.n; return 1;
	case ACT_HELP:
		tui_pop(t);
		return 1;
	default: return 0;
	}
}

static void help_destroy(struct screen *sc)
{
	struct help_screen *h = (struct help_screen *)sc;

	preview_lines_free(&h->l);
	free(h);
}

struct screen *screen_help_new(struct tui *t)
{
	struct help_screen *h = xcalloc(1, sizeof *h);

	h->sc = (struct screen){ .title = "help (esc closes)",
				 .draw = help_draw, .key = help_key,
				 .destroy = help_destroy };
	help_build(h, t);
	return &h->sc;
}
