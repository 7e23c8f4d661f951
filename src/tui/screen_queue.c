/* screen_queue.c - the review queue: the list of items beside the preview
 * and the detail of the item under the cursor; decisions are made here. */
#include <curses.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/screen.h"

/* Neighbours whose images are decoded ahead: next two, previous one. */
static const int prefetch_rows[] = { 1, 2, -1 };
#define NPREFETCH (sizeof prefetch_rows / sizeof prefetch_rows[0])

struct qscreen {
	struct screen sc;
	int have;			/* det holds item det_item */
	uint32_t det_item;
	uint64_t det_gen;		/* s->generation det_item is of */
	struct item_detail det;
	char *det_err;
	char *dispute;			/* "ann bag, bob coat", or NULL */
	int list_h;			/* rows of the list, for paging */
	uint32_t ahead[NPREFETCH];	/* last items prefetched */
	uint64_t ahead_gen;		/* s->generation they are of */
	char title[256];
};

/* Width of the list: half the screen, within reason. */
static int list_width(const struct tui *t)
{
	int w = t->cols / 2;

	return w < 40 ? 40 : w > 80 ? 80 : w;
}

/* A suggested label: confident learning's, else the model's or the
 * annotators' consensus when it differs from the current label. */
static int suggestion(const struct session *s, uint32_t i)
{
	const struct rank_output *o = &s->a.out;
	int y = s->a.items.label[i];

	if (s->loading)
		return s->first_suggested ? s->first_suggested[i] : -1;
	if (o->has_model && o->cl.issue[i])
		return o->cl.suggested[i];
	if (o->has_model && o->sc.argmax[i] >= 0 && o->sc.argmax[i] != y)
		return o->sc.argmax[i];
	if (o->has_votes && !o->ds.no_votes[i] && o->ds.label[i] != y)
		return o->ds.label[i];
	return -1;
}

static void qs_row(struct tui *t, int y, int w, size_t r, int idw, int lw)
{
	struct session *s = &t->s;
	uint32_t i = s->view[r];
	int label = s->a.items.label[i], sug = suggestion(s, i);
	unsigned agree, total;
	char votes[24], mark = ' ';
	float score = session_score(s, i);
	enum style st = STYLE_NORMAL;
	int x;

	session_agreement(s, i, &agree, &total);
	if (total)
		snprintf(votes, sizeof votes, "%u/%u", agree, total);
	else
		snprintf(votes, sizeof votes, s->loading ? "..." : "-");

	/* One mark: disputed, then on another reviewer's screen, then
	 * decided (changed or confirmed). */
	if (s->flags[i] & SESSION_DISPUTED)
		mark = '!';
	else if (session_leased(s, i))
		mark = '@';
	else if (s->a.items.reviewed[i])
		mark = label != s->a.items.given[i] ? '*' : '=';
	if (r == t->row)
		st = STYLE_CURSOR;
	else if (mark == '*')
		st = STYLE_CHANGED;
	else if (s->a.out.has_model && s->a.out.cl.issue[i])
		st = STYLE_FLAG;
	draw_fill(t, y, 0, w, st);
	/* Seven digits: a million rows still show their mark. */
	draw_printf(t, y, 0, 9, st, "%7zu %c", r + 1, mark);
	draw_str(t, y, 10, idw, st, session_ext_id(s, i));
	x = 10 + idw + 1;
	draw_str(t, y, x, lw, st, tui_class(t, label));
	x += lw + 1;
	draw_str(t, y, x, lw, st, sug >= 0 && sug != label ?
		 tui_class(t, sug) : "-");
	x += lw + 1;
	if (isnan(score))
		draw_str(t, y, x, 6, st, "     -");
	else
		draw_printf(t, y, x, 6, st, "%6.3f", (double)score);
	draw_str(t, y, x + 7, w - x - 7, st, votes);
}

static void qs_list(struct tui *t, struct qscreen *q, int w)
{
	struct session *s = &t->s;
	int fixed = 10 + 3 + 7 + 5, rest = w - fixed;
	int idw = rest * 2 / 5, lw = (rest - idw) / 2, h = t->rows - 3;

	q->list_h = h;
	if (t->row >= s->nview)
		t->row = s->nview ? s->nview - 1 : 0;
	if (t->row < t->top)
		t->top = t->row;
	if (t->row >= t->top + (size_t)h)
		t->top = t->row - (size_t)h + 1;
	draw_fill(t, 1, 0, w, STYLE_HEAD);
	draw_printf(t, 1, 0, w, STYLE_HEAD, "%7s   %-*.*s %-*.*s %-*.*s %6s "
		    "votes", "#", idw, idw, "id", lw, lw, "label", lw, lw,
		    "suggest", "score");
	for (int k = 0; k < h && t->top + (size_t)k < s->nview; k++)
		qs_row(t, 2 + k, w, t->top + (size_t)k, idw, lw);
}

static void qs_forget(struct qscreen *q)
{
	if (q->have && !q->det_err)
		item_detail_free(&q->det);
	free(q->det_err);
	free(q->dispute);
	q->det_err = q->dispute = NULL;
	q->have = 0;
}

/* "ann bag, bob coat" from the disputed decisions on item i. */
static char *qs_dispute(struct tui *t, uint32_t i)
{
	struct dispute *d;
	struct strbuf b;
	size_t n;
	struct err e;

	if (session_dispute(&t->s, i, &d, &n, &e) || n == 0)
		return NULL;
	strbuf_init(&b);
	for (size_t k = 0; k < d[0].n; k++)
		strbuf_addf(&b, "%s%s %s", k ? ", " : "", d[0].reviewer[k],
			    tui_class(t, d[0].labels[k]));
	disputes_free(d, n);
	return strbuf_take(&b);
}

/* The item under the cursor, read once when the cursor reaches it (and
 * again after a decision changed it, or the queue was reloaded). */
static const struct item_detail *qs_detail(struct tui *t,
					      struct qscreen *q,
					      uint32_t i)
{
	struct err e;

	if (q->have && q->det_item == i && q->det_gen == t->s.generation)
		return q->det_err ? NULL : &q->det;
	qs_forget(q);
	q->have = 1;
	q->det_item = i;
	q->det_gen = t->s.generation;
	if (store_item_get(t->s.st, t->s.a.items.id[i], &q->det, &e)) {
		q->det_err = xstrdup(e.msg);
		return NULL;
	}
	q->dispute = qs_dispute(t, i);
	return &q->det;
}

/* Decodes the images of the next rows while the reviewer looks. */
static void qs_prefetch(struct tui *t, struct qscreen *q)
{
	struct session *s = &t->s;

	if (q->ahead_gen != s->generation) {
		for (size_t k = 0; k < NPREFETCH; k++)
			q->ahead[k] = UINT32_MAX;
		q->ahead_gen = s->generation;
	}
	for (size_t k = 0; k < NPREFETCH; k++) {
		long r = (long)t->row + prefetch_rows[k];
		struct item_detail d;
		struct err e;
		uint32_t i;

		if (r < 0 || (size_t)r >= s->nview)
			continue;
		i = s->view[r];
		if (q->ahead[k] == i || s->a.items.kind[i] != ITEM_IMAGE)
			continue;
		q->ahead[k] = i;
		if (store_item_get(s->st, s->a.items.id[i], &d, &e) == 0) {
			imgcache_prefetch(t->images, (uint64_t)d.id, d.path);
			item_detail_free(&d);
		}
	}
}

static void qs_title(struct tui *t, struct qscreen *q)
{
	const struct session *s = &t->s;

	snprintf(q->title, sizeof q->title, "%s%s%s%s%s",
		 s->sub ? "" : "queue: ", s->sub ? s->sub_title :
		 queue_by_name(s->by), s->filter >= 0 ? "  filter: " : "",
		 s->filter >= 0 ? tui_class(t, s->filter) : "",
		 s->search ? "  (n: next match)" : "");
	q->sc.title = q->title;
}

static void qs_draw(struct screen *sc, struct tui *t)
{
	struct qscreen *q = (struct qscreen *)sc;
	struct session *s = &t->s;
	int lw = list_width(t), rw = t->cols - lw - 1, ph = (t->rows - 3) / 2;
	const struct item_detail *d;
	uint32_t i;

	qs_title(t, q);
	qs_list(t, q, lw);
	mvvline(1, lw, ACS_VLINE, t->rows - 2);
	if (s->nview == 0) {
		draw_str(t, 3, 2, lw - 4, STYLE_DIM, s->loading ?
			 "reading and ranking the project..." : s->norder ?
			 "no items here: esc leaves the sub-queue, f changes "
			 "the filter" : "every item of this queue is reviewed; "
			 "o picks another order");
		return;
	}
	i = s->view[t->row];
	d = qs_detail(t, q, i);
	if (!d) {
		draw_wrapped(t, 2, lw + 2, rw - 2, 4, STYLE_ERROR, "error", 6,
			     q->det_err);
		return;
	}
	preview_panel_draw(t, d, 1, lw + 1, ph, rw);
	mvhline(1 + ph, lw + 1, ACS_HLINE, rw);
	detail_draw(t, i, d, q->dispute, 2 + ph, lw + 2, t->rows - 3 - ph,
		    rw - 2);
	qs_prefetch(t, q);
}

/* The first row from r on, stepping by dir, that is free to offer:
 * not leased by another reviewer (and with skip_done, not decided); -1
 * when none is.  An item just taken by another counts as leased. */
static long qs_free_row(struct tui *t, long r, int dir, int skip_done)
{
	struct session *s = &t->s;
	long n = (long)s->nview;
	struct err e;

	for (; r >= 0 && r < n; r += dir) {
		uint32_t i = s->view[r];

		if (session_leased(s, i) || (skip_done && s->a.items.reviewed[i]))
			continue;
		/* Without a lease (the file busy) the item is still shown. */
		if (session_hold(s, i, session_now(), &e) != 1)
			return r;
	}
	return -1;
}

void tui_land(struct tui *t, long r, int dir, int skip_done)
{
	struct session *s = &t->s;
	long n = (long)s->nview, got;
	struct err e;
	int newer = 0;

	if (session_sync(s, &newer, &e))
		tui_msg(t, "cannot read what other reviewers did: %s", e.msg);
	else if (newer && session_load_start(s, &e))
		tui_msg(t, "cannot read the newer run: %s", e.msg);
	if (n == 0)
		return;
	r = r < 0 ? 0 : r >= n ? n - 1 : r;
	got = qs_free_row(t, r, dir, skip_done);
	if (got >= 0) {
		t->row = (size_t)got;
		return;
	}
	tui_msg(t, "the items %s are on other reviewers' screens%s",
		dir > 0 ? "below" : "above", skip_done ? " or decided" : "");

	/* Trying the others gave up the lease on the item shown. */
	if (!skip_done && t->row < s->nview)
		session_hold(s, s->view[t->row], session_now(), &e);
}

/* Moves the cursor by delta rows, within the view. */
static void qs_move(struct tui *t, long delta)
{
	tui_land(t, (long)t->row + delta, delta < 0 ? -1 : 1, 0);
}

/* Moves on after a decision to the next row nobody holds or decided;
 * 0 when there is none. */
static int qs_next_free(struct tui *t)
{
	char *msg = t->msg ? xstrdup(t->msg) : NULL;
	size_t row = t->row;

	tui_land(t, (long)t->row + 1, 1, 1);

	/* The decision's message stays: landing may only complain. */
	if (msg) {
		tui_msg(t, "%s", msg);
		free(msg);
	}
	return t->row != row;
}

/* Writes a decision on the item under the cursor, then moves on. */
static void qs_decide(struct tui *t, struct qscreen *q,
			 enum review_action act, int label)
{
	struct session *s = &t->s;
	uint32_t i = s->view[t->row];
	int before = s->a.items.label[i];
	const char *id = session_ext_id(s, i);
	char *idc = xstrdup(id);
	struct err e;

	if (session_decide(s, i, act, label, &e)) {
		tui_msg(t, "NOT SAVED: %s", e.msg);
		free(idc);
		return;
	}
	qs_forget(q);
	if (act == REVIEW_SKIP)
		tui_msg(t, "%s: skipped (saved)", idc);
	else if (s->a.items.label[i] != before)
		tui_msg(t, "%s: %s -> %s (saved)", idc, tui_class(t, before),
			tui_class(t, s->a.items.label[i]));
	else
		tui_msg(t, "%s: confirmed %s (saved)", idc, tui_class(t, before));
	free(idc);
	if (act != REVIEW_SKIP)
		retrain_decided(t);

	/* Decided: the lease goes, and the next free item is offered. */
	session_release(s);
	if (t->row + 1 < s->nview && qs_next_free(t))
		return;
	tui_msg(t, "%s; that was the last free item of this view", t->msg);
}

static void qs_undo(struct tui *t, struct qscreen *q, int redo)
{
	struct session *s = &t->s;
	uint32_t i;
	struct err e;
	int rc = redo ? session_redo(s, &i, &e) : session_undo(s, &i, &e);
	long r;

	if (rc > 0) {
		tui_msg(t, redo ? "nothing to redo" : "nothing to undo in this "
			"session");
		return;
	}
	if (rc < 0) {
		tui_msg(t, "NOT SAVED: %s", e.msg);
		return;
	}
	qs_forget(q);
	r = session_find_row(s, i);
	if (r >= 0)
		tui_land(t, r, 1, 0);
	tui_msg(t, "%s %s: now %s (saved)", redo ? "redid" : "undid",
		session_ext_id(s, i), tui_class(t, s->a.items.label[i]));
}

static void qs_search(struct tui *t, int dir, int ask)
{
	struct session *s = &t->s;
	struct err e;
	long r;

	if (ask) {
		if (tui_prompt(t, "search ids and texts: ") || !t->answer.len)
			return;
		tui_msg(t, "searching...");
		tui_draw(t);
		if (session_search(s, t->answer.s, &e)) {
			tui_msg(t, "search failed: %s", e.msg);
			return;
		}
	}
	if (!s->search) {
		tui_msg(t, "no search yet; / starts one");
		return;
	}
	r = session_next_match(s, t->row, dir);
	if (r < 0) {
		tui_msg(t, "'%s': %zu matches, none in this view", s->search,
			s->nmatch);
		return;
	}
	tui_msg(t, "'%s': %zu matches", s->search, s->nmatch);
	tui_land(t, r, dir, 0);
}

/* A class from what was typed: its number, its name, or a unique
 * beginning of a name.  -1: all; -2: no such class. */
static int parse_class(const struct tui *t, const char *s)
{
	const struct class_list *c = &t->s.a.classes;
	char *end;
	long v;
	int found = -2;

	if (!*s)
		return -1;
	v = strtol(s, &end, 10);
	if (!*end)
		return v >= 1 && v <= c->n ? (int)v - 1 : -2;
	for (int k = 0; k < c->n; k++) {
		if (!strcmp(c->name[k], s))
			return k;
		if (!strncmp(c->name[k], s, strlen(s)))
			found = found == -2 ? k : -3;
	}
	return found == -3 ? -2 : found;
}

static void qs_filter(struct tui *t)
{
	int c;

	if (tui_prompt(t, "filter by label (number or name; empty: all): "))
		return;
	c = parse_class(t, t->answer.s);
	if (c == -2) {
		tui_msg(t, "no class '%s'", t->answer.s);
		return;
	}
	session_set_filter(&t->s, c);
	t->row = t->top = 0;
	tui_land(t, 0, 1, 0);
	tui_msg(t, c < 0 ? "showing every label" : "showing items labeled %s",
		tui_class(t, c));
}

static void qs_order(struct tui *t)
{
	enum queue_by by = (enum queue_by)((t->s.by + 1) % QUEUE_COUNT);

	session_set_order(&t->s, by);
	t->row = t->top = 0;
	tui_land(t, 0, 1, 0);
	tui_msg(t, "order: %s, %zu items", queue_by_name(by), t->s.nview);
}

/* Window, level, inversion and zoom of the image preview. */
static int qs_view_key(struct tui *t, enum action act)
{
	struct preview_view *v = &t->view;

	switch (act) {
	case ACT_CONTRAST_UP: preview_view_contrast(v, 1); break;
	case ACT_CONTRAST_DOWN: preview_view_contrast(v, -1); break;
	case ACT_BRIGHTER: preview_view_brightness(v, 1); break;
	case ACT_DARKER: preview_view_brightness(v, -1); break;
	case ACT_INVERT: v->invert = !v->invert; break;
	case ACT_ZOOM_IN: preview_view_zoom(v, 1); break;
	case ACT_ZOOM_OUT: preview_view_zoom(v, -1); break;
	case ACT_VIEW_RESET: preview_view_reset(v); break;
	default: return 0;
	}
	tui_msg(t, "window level %.2f width %.2f%s, zoom %d", (double)v->level,
		(double)v->width, v->invert ? ", inverted" : "", v->zoom);
	return 1;
}

static int qs_back(struct tui *t)
{
	if (t->s.sub) {
		session_leave_sub(&t->s);
		t->row = t->top = 0;
		tui_land(t, 0, 1, 0);
		tui_msg(t, "back to the %s queue", queue_by_name(t->s.by));
		return 1;
	}
	if (t->s.filter >= 0) {
		session_set_filter(&t->s, -1);
		t->row = t->top = 0;
		tui_land(t, 0, 1, 0);
		tui_msg(t, "showing every label");
		return 1;
	}
	return 0;
}

static int qs_key(struct screen *sc, struct tui *t, enum action act,
		     int arg)
{
	struct qscreen *q = (struct qscreen *)sc;
	long page = q->list_h > 1 ? q->list_h - 1 : 1;
	int empty = t->s.nview == 0;

	/* These need the whole project read and ranked. */
	if (t->s.loading && (act == ACT_SEARCH || act == ACT_FILTER ||
			     act == ACT_ORDER)) {
		tui_msg(t, "still reading the project; %s in a moment",
			keys_action_name(act));
		return 1;
	}
	switch (act) {
	case ACT_DOWN: qs_move(t, 1); return 1;
	case ACT_UP: qs_move(t, -1); return 1;
	case ACT_PAGE_DOWN: qs_move(t, page); return 1;
	case ACT_PAGE_UP: qs_move(t, -page); return 1;
	case ACT_TOP: tui_land(t, 0, 1, 0); return 1;
	case ACT_BOTTOM: tui_land(t, (long)t->s.nview - 1, -1, 0); return 1;
	case ACT_LABEL:
		if (arg > t->s.a.classes.n)
			tui_msg(t, "no class %d: the project has %d", arg,
				t->s.a.classes.n);
		else if (!empty)
			qs_decide(t, q, REVIEW_RELABEL, arg - 1);
		return 1;
	case ACT_CONFIRM:
	case ACT_SKIP:
		if (!empty)
			qs_decide(t, q, act == ACT_SKIP ? REVIEW_SKIP :
				     REVIEW_CONFIRM, 0);
		return 1;
	case ACT_UNDO: qs_undo(t, q, 0); return 1;
	case ACT_REDO: qs_undo(t, q, 1); return 1;
	case ACT_SEARCH: qs_search(t, 1, 1); return 1;
	case ACT_SEARCH_NEXT: qs_search(t, 1, 0); return 1;
	case ACT_SEARCH_PREV: qs_search(t, -1, 0); return 1;
	case ACT_FILTER: qs_filter(t); return 1;
	case ACT_ORDER: qs_order(t); return 1;
	case ACT_BACK: return qs_back(t);
	default: return qs_view_key(t, act);
	}
}

static void qs_destroy(struct screen *sc)
{
	struct qscreen *q = (struct qscreen *)sc;

	qs_forget(q);
	free(q);
}

struct screen *screen_queue_new(struct tui *t)
{
	struct qscreen *q = xcalloc(1, sizeof *q);

	q->sc = (struct screen){ .title = q->title, .draw = qs_draw,
				 .key = qs_key, .destroy = qs_destroy };
	for (size_t k = 0; k < NPREFETCH; k++)
		q->ahead[k] = UINT32_MAX;
	qs_title(t, q);
	return &q->sc;
}
