/* session.c - a reviewer's queue, view and decisions, without the screen. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "relabel/session.h"
#include "session_int.h"

void session_build_view(struct session *s)
{
	const struct item_table *t = &s->a.items;
	const uint32_t *src = s->sub ? s->sub : s->order;
	size_t n = s->sub ? s->nsub : s->norder;

	memset(s->in_view, 0, t->n + 1);
	s->nview = 0;
	s->view_reviewed = 0;
	for (size_t k = 0; k < n; k++) {
		uint32_t i = src[k];

		if (s->filter >= 0 && t->label[i] != s->filter)
			continue;
		s->view[s->nview++] = i;
		s->in_view[i] = 1;
		s->view_reviewed += t->reviewed[i] != 0;
	}
}

int session_open(struct session *s, const char *path, const char *reviewer,
		 enum queue_by by, struct err *e)
{
	memset(s, 0, sizeof *s);
	if (!reviewer || !*reviewer)
		return err_set(e, "who is reviewing? give --reviewer NAME (or "
			       "set $USER)");
	if (store_open(path, 0, &s->st, e))
		return -1;
	s->reviewer = xstrdup(reviewer);
	s->seed = SESSION_SEED;
	s->filter = -1;
	s->by = by;
	if (session_first(s, e) || session_load_start(s, e)) {
		session_close(s);
		return -1;
	}
	return 0;
}

void session_close(struct session *s)
{
	session_load_stop(s);
	if (s->st) {
		session_release(s);
		session_analysis_free(s);
		store_close(s->st);
	}
	free(s->reviewer);
	free(s->order);
	free(s->sub);
	free(s->sub_name);
	free(s->sub_title);
	free(s->view);
	free(s->in_view);
	free(s->undo.c);
	free(s->redo.c);
	free(s->search);
	free(s->match);
	free(s->flags);
	free(s->others);
	session_ids_clear(s);
	memset(s, 0, sizeof *s);
}

void session_ids_clear(struct session *s)
{
	for (size_t k = 0; k < SESSION_ID_CACHE; k++) {
		free(s->ids[k].ext_id);
		s->ids[k].ext_id = NULL;
	}
}

void session_set_order(struct session *s, enum queue_by by)
{
	session_set_order_keep(s, by, -1);
}

void session_set_order_keep(struct session *s, enum queue_by by, long item)
{
	s->by = by;
	if (s->loading)
		return;
	s->norder = queue_order(&s->a.in, &s->a.out, by, 0, s->seed,
				s->order);

	/* The item kept goes first; the rest keep their order. */
	if (item >= 0) {
		size_t k = 0;

		while (k < s->norder && s->order[k] != (uint32_t)item)
			k++;
		if (k == s->norder)
			s->norder++;
		memmove(s->order + 1, s->order, k * sizeof *s->order);
		s->order[0] = (uint32_t)item;
	}
	session_leave_sub(s);
}

void session_set_order_after(struct session *s, enum queue_by by,
			     const uint32_t *head, size_t n)
{
	unsigned char *in_head;
	size_t m = 0, rest;

	s->by = by;
	if (s->loading)
		return;
	rest = queue_order(&s->a.in, &s->a.out, by, 0, s->seed, s->order);
	in_head = xcalloc(s->a.items.n + 1, 1);
	for (size_t k = 0; k < n; k++)
		in_head[head[k]] = 1;

	/* The rest, without the head, then shifted down to make room. */
	for (size_t r = 0; r < rest; r++)
		if (!in_head[s->order[r]])
			s->order[m++] = s->order[r];
	memmove(s->order + n, s->order, m * sizeof *s->order);
	memcpy(s->order, head, n * sizeof *head);
	s->norder = n + m;
	free(in_head);
	session_leave_sub(s);
}

void session_set_filter(struct session *s, int cls)
{
	s->filter = cls;
	session_build_view(s);
}

void session_set_sub(struct session *s, const char *name, const char *title,
		     const uint32_t *items, size_t n)
{
	free(s->sub);
	free(s->sub_name);
	free(s->sub_title);
	s->sub = xmalloc((n + 1) * sizeof *s->sub);
	memcpy(s->sub, items, n * sizeof *items);
	s->nsub = n;
	s->sub_name = xstrdup(name);
	s->sub_title = xstrdup(title);
	session_build_view(s);
}

void session_leave_sub(struct session *s)
{
	free(s->sub);
	free(s->sub_name);
	free(s->sub_title);
	s->sub = NULL;
	s->sub_name = s->sub_title = NULL;
	s->nsub = 0;
	session_build_view(s);
}

long session_find_row(const struct session *s, uint32_t item)
{
	if (!s->in_view[item])
		return -1;
	for (size_t r = 0; r < s->nview; r++)
		if (s->view[r] == item)
			return (long)r;
	return -1;
}

const char *session_queue_name(const struct session *s)
{
	return s->sub ? s->sub_name : queue_by_name(s->by);
}

/* Entropy of a posterior row / log C, as the uncertainty queue orders. */
static float post_entropy(const double *p, int C)
{
	double h = 0.0;

	for (int k = 0; k < C; k++)
		if (p[k] > 0.0)
			h -= p[k] * log(p[k]);
	return (float)(h / log((double)C));
}

float session_score(const struct session *s, uint32_t i)
{
	const struct rank_output *o = &s->a.out;

	switch (s->sub ? QUEUE_SUSPICION : s->by) {
	case QUEUE_LOSS:
		return o->has_model ? o->sc.loss[i] : NAN;
	case QUEUE_MARGIN:
		return o->has_model ? o->sc.margin[i] : NAN;
	case QUEUE_DISAGREEMENT:
		return o->has_votes ? o->maj.entropy[i] : NAN;
	case QUEUE_UNCERTAINTY:
		if (o->has_model && !isnan(o->sc.entropy[i]))
			return o->sc.entropy[i];
		if (o->has_votes && !o->ds.no_votes[i])
			return post_entropy(o->ds.post + (size_t)i * (size_t)o->C,
					    o->C);
		return NAN;
	case QUEUE_SUSPICION:
	case QUEUE_RANDOM:
		break;
	}
	return o->suspicion[i];
}

void session_agreement(const struct session *s, uint32_t i, unsigned *agree,
		       unsigned *total)
{
	const struct rank_output *o = &s->a.out;
	int y = s->a.items.label[i];

	*agree = *total = 0;
	if (!o->has_votes)
		return;
	for (size_t k = o->ix.start[i]; k < o->ix.start[i + 1]; k++) {
		*total += 1;
		*agree += s->a.votes.label[o->ix.vote[k]] == y;
	}
}

const char *session_ext_id(struct session *s, uint32_t item)
{
	size_t slot = item % SESSION_ID_CACHE;
	struct item_detail d;
	struct err e;

	if (s->ids[slot].ext_id && s->ids[slot].item == item)
		return s->ids[slot].ext_id;
	if (store_item_get(s->st, s->a.items.id[item], &d, &e))
		return "?";
	free(s->ids[slot].ext_id);
	s->ids[slot].item = item;
	s->ids[slot].ext_id = d.ext_id;
	d.ext_id = NULL;
	item_detail_free(&d);
	return s->ids[slot].ext_id;
}

void session_apply(struct session *s, uint32_t i, int label, int reviewed)
{
	struct item_table *t = &s->a.items;

	s->changed -= t->label[i] != t->given[i];
	s->changed += label != t->given[i];
	if (s->in_view[i])
		s->view_reviewed += (size_t)(reviewed != 0) - (t->reviewed[i] != 0);
	t->label[i] = label;
	t->reviewed[i] = reviewed != 0;
	s->a.expert[i] = reviewed ? label : -1;
}

static void stack_push(struct session_stack *st, const struct session_change *c)
{
	if (st->n == st->cap) {
		st->cap = st->cap ? 2 * st->cap : 64;
		st->c = xreallocarray(st->c, st->cap, sizeof *st->c);
	}
	st->c[st->n++] = *c;
}

/* Writes one log entry for item i and commits it. */
static int session_log(struct session *s, uint32_t i, enum review_action act,
		       int old_label, int new_label, int reviewed_after,
		       int64_t target, int64_t *id, struct err *e)
{
	struct review r = {
		.item = s->a.items.id[i],
		.reviewer = s->reviewer,
		.action = act,
		.old_label = old_label,
		.new_label = new_label,
		.reviewed_after = reviewed_after,
		.queue = session_queue_name(s),
		.score = session_score(s, i),
		.target = target,
	};

	/* An undefined score (NAN) is stored as NULL. */
	if (store_review_add(s->st, &r, id, e))
		return -1;
	s->decisions++;
	return 0;
}

int session_decide(struct session *s, uint32_t i, enum review_action act,
		   int label, struct err *e)
{
	struct item_table *t = &s->a.items;
	struct session_change c = {
		.item = i,
		.before = t->label[i],
		.before_reviewed = t->reviewed[i],
		.after_reviewed = 1,
	};
	int64_t id;

	if (act == REVIEW_RELABEL && label == c.before)
		act = REVIEW_CONFIRM;
	c.after = act == REVIEW_RELABEL ? label : c.before;
	if (act == REVIEW_SKIP)
		return session_log(s, i, act, c.before, c.before,
				   c.before_reviewed, 0, &id, e);
	if (session_log(s, i, act, c.before, c.after, 1, 0, &id, e))
		return -1;

	/* On disk: now the screen may show it. */
	session_apply(s, i, c.after, 1);
	c.review = c.decision = id;
	stack_push(&s->undo, &c);
	s->redo.n = 0;
	return 0;
}

int session_undo(struct session *s, uint32_t *item, struct err *e)
{
	struct session_change c;
	int64_t id;

	if (s->undo.n == 0)
		return 1;
	c = s->undo.c[s->undo.n - 1];
	if (session_log(s, c.item, REVIEW_UNDO, c.after, c.before,
			c.before_reviewed, c.review, &id, e))
		return -1;
	s->undo.n--;
	session_apply(s, c.item, c.before, c.before_reviewed);
	stack_push(&s->redo, &c);
	*item = c.item;
	return 0;
}

int session_redo(struct session *s, uint32_t *item, struct err *e)
{
	struct session_change c;
	int64_t id;

	if (s->redo.n == 0)
		return 1;
	c = s->redo.c[s->redo.n - 1];
	if (session_log(s, c.item, REVIEW_REDO, c.before, c.after,
			c.after_reviewed, c.decision, &id, e))
		return -1;
	s->redo.n--;
	session_apply(s, c.item, c.after, c.after_reviewed);
	c.review = id;
	stack_push(&s->undo, &c);
	*item = c.item;
	return 0;
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* needle (already lower case) in hay, ASCII letters in any case. */
static int ci_contains(const char *hay, const char *needle, size_t nlen)
{
	if (!hay)
		return 0;
	for (; *hay; hay++) {
		size_t k = 0;

		while (k < nlen && hay[k] && lower((unsigned char)hay[k]) ==
		       (unsigned char)needle[k])
			k++;
		if (k == nlen)
			return 1;
	}
	return 0;
}

struct search_ctx {
	struct session *s;
	size_t next;		/* expected index of the next item */
	char *needle;
	size_t nlen;
};

static int search_item(const struct item_detail *d, void *user,
		       struct err *e)
{
	struct search_ctx *c = user;
	const struct item_table *t = &c->s->a.items;
	long i;

	(void)e;
	/* Items come in id order, as in the table. */
	if (c->next < t->n && t->id[c->next] == d->id)
		i = (long)c->next;
	else
		i = item_table_find(t, d->id);
	if (i < 0)
		return 0;
	c->next = (size_t)i + 1;
	if (ci_contains(d->ext_id, c->needle, c->nlen) ||
	    ci_contains(d->text, c->needle, c->nlen)) {
		c->s->match[i] = 1;
		c->s->nmatch++;
	}
	return 0;
}

int session_search(struct session *s, const char *text, struct err *e)
{
	struct search_ctx c = { s, 0, xstrdup(text), strlen(text) };
	int rc;

	for (size_t k = 0; k < c.nlen; k++)
		c.needle[k] = (char)lower((unsigned char)c.needle[k]);
	free(s->search);
	s->search = xstrdup(text);
	if (!s->match)
		s->match = xmalloc(s->a.items.n + 1);
	memset(s->match, 0, s->a.items.n + 1);
	s->nmatch = 0;
	rc = store_items_each(s->st, search_item, &c, e);
	free(c.needle);
	return rc;
}

long session_next_match(const struct session *s, size_t from, int dir)
{
	size_t n = s->nview;

	if (!s->match || s->nmatch == 0 || n == 0)
		return -1;
	for (size_t step = 1; step <= n; step++) {
		size_t r = dir > 0 ? (from + step) % n : (from + n - step % n) % n;

		if (s->match[s->view[r]])
			return (long)r;
	}
	return -1;
}
