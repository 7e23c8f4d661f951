/* session_load.c - a session's first rows from the stored ranking, the
 * whole project read and ranked by a thread with its own connection, and
 * putting that in place without losing the item on screen. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "relabel/session.h"
#include "session_int.h"

struct session_loader {
	pthread_t thread;
	char *path;

	/* Written by the thread before it sets done, read after. */
	int rc;
	struct err err;
	struct analysis a;
	int64_t snapshot;		/* newest log entry before reading */
	struct dispute *disputes;
	size_t ndisputes;

	pthread_mutex_t mu;
	int done;			/* under mu */
};

/* Arrays sized for n items, for the queue and the marks. */
static void session_size(struct session *s, size_t n)
{
	free(s->order);
	free(s->view);
	free(s->in_view);
	free(s->flags);
	s->order = xmalloc((n + 1) * sizeof *s->order);
	s->view = xmalloc((n + 1) * sizeof *s->view);
	s->in_view = xcalloc(n + 1, 1);
	s->flags = xcalloc(n + 1, 1);
	s->norder = s->nview = s->view_reviewed = 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* s->a as a table of just the stored top: items in id order (so that
 * item_table_find works), the stored suspicion as the score. */
static void first_table(struct session *s, const struct run_top *top)
{
	struct analysis *a = &s->a;
	struct item_table *t = &a->items;
	size_t n = top->n;
	uint64_t *key = xmalloc((n + 1) * sizeof *key);

	/* Sorting (id, position) pairs puts the table in id order. */
	for (size_t k = 0; k < n; k++)
		key[k] = (uint64_t)top->item[k] << 16 | k;
	qsort(key, n, sizeof *key, cmp_u64);
	t->n = n;
	t->id = xmalloc((n + 1) * sizeof *t->id);
	t->given = xmalloc((n + 1) * sizeof *t->given);
	t->label = xmalloc((n + 1) * sizeof *t->label);
	t->split = xmalloc(n + 1);
	t->kind = xmalloc(n + 1);
	t->reviewed = xcalloc(n + 1, 1);
	a->out.suspicion = xmalloc((n + 1) * sizeof *a->out.suspicion);
	s->first_suggested = xmalloc((n + 1) * sizeof *s->first_suggested);
	session_size(s, n);
	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)(key[i] & 0xffff);

		t->id[i] = top->item[k];
		t->given[i] = top->given[k];
		t->label[i] = top->label[k];
		t->split[i] = top->split[k];
		t->kind[i] = top->kind[k];
		a->out.suspicion[i] = top->suspicion[k];
		s->first_suggested[i] = top->suggested[k];
		s->order[k] = (uint32_t)i;

		/* The ids are known: no query per row for them. */
		s->ids[i % SESSION_ID_CACHE].item = (uint32_t)i;
		s->ids[i % SESSION_ID_CACHE].ext_id = xstrdup(top->ext_id[k]);
	}
	free(key);
	s->norder = n;
}

/* The rest of s->a that the screen reads while loading. */
static void first_analysis(struct session *s)
{
	struct analysis *a = &s->a;
	size_t n = a->items.n;

	a->train = xmalloc(n + 1);
	a->expert = xmalloc((n + 1) * sizeof *a->expert);
	for (size_t i = 0; i < n; i++) {
		a->train[i] = a->items.split[i] == SPLIT_TRAIN;
		a->expert[i] = -1;
	}
	a->in.n = a->out.n = n;
	a->in.C = a->out.C = a->classes.n;
	a->in.label = (const int32_t *)a->items.label;
	a->in.reviewed = a->items.reviewed;
	a->in.train = a->train;
	a->in.expert = a->expert;
}

int session_first(struct session *s, struct err *e)
{
	struct run_top top;
	enum item_kind kind = ITEM_IMAGE;
	int64_t run = 0;
	int rc;

	s->loading = 1;
	if (store_set_cache(s->st, SESSION_CACHE_KIB, e) ||
	    store_classes(s->st, &s->a.classes, e) ||
	    store_review_last(s->st, &s->synced, e))
		return -1;
	rc = store_items_kind(s->st, &kind, e);
	if (rc < 0)
		return -1;
	if (rc > 0 || s->a.classes.n < 2)
		return err_set(e, "%s: the project has no %s; add them with "
			       "relabel import", store_path(s->st),
			       rc > 0 ? "items" : "classes");
	s->images = kind == ITEM_IMAGE;
	rc = store_run_latest(s->st, &run, e);
	if (rc < 0)
		return -1;
	s->a.run = rc == 0 ? run : 0;
	memset(&top, 0, sizeof top);
	if (s->a.run && s->by == QUEUE_SUSPICION &&
	    store_run_top(s->st, s->a.run, SESSION_FIRST_ROWS, &top, e) < 0)
		return -1;
	if (top.n)
		first_table(s, &top);
	else
		session_size(s, 0);
	run_top_free(&top);
	first_analysis(s);
	session_build_view(s);
	return 0;
}

void session_analysis_free(struct session *s)
{
	/* The first rows' analysis has a score array and nothing else. */
	if (s->loading) {
		free(s->a.out.suspicion);
		s->a.out.suspicion = NULL;
	}
	analysis_free(&s->a);
	free(s->first_suggested);
	s->first_suggested = NULL;
}

static void *loader_main(void *arg)
{
	struct session_loader *l = arg;
	struct store *st = NULL;
	int rc, loaded = 0;

	rc = store_open(l->path, STORE_READONLY, &st, &l->err);
	if (rc == 0)
		rc = store_set_cache(st, SESSION_LOADER_CACHE_KIB, &l->err);
	if (rc == 0)
		rc = store_review_last(st, &l->snapshot, &l->err);
	if (rc == 0)
		loaded = (rc = analysis_load(st, &l->a, &l->err)) == 0;
	if (rc == 0)
		rc = store_disputes(st, 0, &l->disputes, &l->ndisputes,
				    &l->err);
	if (rc && loaded)
		analysis_free(&l->a);
	store_close(st);
	pthread_mutex_lock(&l->mu);
	l->rc = rc;
	l->done = 1;
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

int session_load_start(struct session *s, struct err *e)
{
	struct session_loader *l;
	int rc;

	if (s->loader)
		return 0;
	l = xcalloc(1, sizeof *l);
	l->path = xstrdup(store_path(s->st));
	pthread_mutex_init(&l->mu, NULL);
	rc = pthread_create(&l->thread, NULL, loader_main, l);
	if (rc != 0) {
		pthread_mutex_destroy(&l->mu);
		free(l->path);
		free(l);
		return err_set(e, "cannot start a thread to read the project: %s",
			       strerror(rc));
	}
	s->loader = l;
	return 0;
}

int session_load_busy(const struct session *s)
{
	return s->loader != NULL;
}

/* Waits for the loader's thread and frees it (its analysis too unless
 * taken). */
static void loader_free(struct session_loader *l, int taken)
{
	pthread_join(l->thread, NULL);
	if (!taken && l->rc == 0) {
		analysis_free(&l->a);
		disputes_free(l->disputes, l->ndisputes);
	}
	pthread_mutex_destroy(&l->mu);
	free(l->path);
	free(l);
}

void session_load_stop(struct session *s)
{
	if (s->loader)
		loader_free(s->loader, 0);
	s->loader = NULL;
}

/* Share of test items with a label whose most probable class is that
 * label; NAN without any. */
static double test_accuracy(const struct analysis *a)
{
	const struct item_table *t = &a->items;
	size_t right = 0, n = 0;
	int C = a->classes.n;

	for (size_t i = 0; a->probs && i < t->n; i++) {
		const float *p = a->probs + i * (size_t)C;
		int best = 0;

		if (t->split[i] != SPLIT_TEST || t->label[i] == LABEL_NONE ||
		    !a->has[i])
			continue;
		for (int k = 1; k < C; k++)
			if (p[k] > p[best])
				best = k;
		right += best == t->label[i];
		n++;
	}
	return n ? (double)right / (double)n : NAN;
}

static double noise_rate(const struct analysis *a)
{
	return a->out.has_model ? a->out.cl.noise_rate : NAN;
}

/* What changed from s->a (the whole project) to b. */
static void session_delta(const struct session *s, const struct analysis *b,
			  struct session_delta *d)
{
	const struct analysis *a = &s->a;
	int same = a->items.n == b->items.n;

	memset(d, 0, sizeof *d);
	d->run_before = a->run;
	d->run_after = b->run;
	d->noise_before = s->loading ? NAN : noise_rate(a);
	d->noise_after = noise_rate(b);
	d->acc_before = s->loading ? NAN : test_accuracy(a);
	d->acc_after = test_accuracy(b);
	if (s->loading || !b->out.has_model)
		return;
	for (size_t j = 0; j < b->items.n; j++) {
		long i = same && a->items.id[j] == b->items.id[j] ? (long)j :
			 item_table_find(&a->items, b->items.id[j]);
		int was = i >= 0 && a->out.has_model && a->out.cl.issue[i];
		int now = b->out.cl.issue[j] != 0;

		if (i < 0)
			continue;
		d->flagged += now && !was;
		d->cleared += was && !now;
	}
}

/* Undo and redo entries follow their items into the new table; an item
 * no longer there drops its entries. */
static void stack_remap(struct session_stack *st, const struct item_table *from,
			const struct item_table *to)
{
	size_t k = 0;

	for (size_t j = 0; j < st->n; j++) {
		long i = item_table_find(to, from->id[st->c[j].item]);

		if (i < 0)
			continue;
		st->c[k] = st->c[j];
		st->c[k++].item = (uint32_t)i;
	}
	st->n = k;
}

/* Marks the disputed items the loader found. */
static void mark_disputes(struct session *s, const struct dispute *d,
			  size_t n)
{
	for (size_t k = 0; k < n; k++) {
		long i = item_table_find(&s->a.items, d[k].item);

		if (i >= 0)
			s->flags[i] |= SESSION_DISPUTED;
	}
}

/* Swaps in the loaded analysis and what belongs to it. */
static void session_take(struct session *s, struct session_loader *l)
{
	stack_remap(&s->undo, &s->a.items, &l->a.items);
	stack_remap(&s->redo, &s->a.items, &l->a.items);
	session_analysis_free(s);
	s->a = l->a;
	s->loading = 0;
	session_size(s, s->a.items.n);
	mark_disputes(s, l->disputes, l->ndisputes);
	disputes_free(l->disputes, l->ndisputes);
	session_ids_clear(s);

	/* Matches and a sub-queue named old item indices. */
	free(s->search);
	free(s->match);
	s->search = NULL;
	s->match = NULL;
	s->nmatch = 0;
	s->changed = 0;
	for (size_t i = 0; i < s->a.items.n; i++)
		s->changed += s->a.items.label[i] != s->a.items.given[i];
	s->generation++;
}

/* Ids of the first rows, in their order. */
static int64_t *first_ids(const struct session *s, size_t *n)
{
	int64_t *ids = xmalloc((s->norder + 1) * sizeof *ids);

	for (size_t r = 0; r < s->norder; r++)
		ids[r] = s->a.items.id[s->order[r]];
	*n = s->norder;
	return ids;
}

/* The queue of the first full load: the first rows as the reviewer saw
 * them (decided ones too), then the rest as ranked.  The first rows were
 * the top of the same ranking, so nothing moves under the cursor. */
static void order_after_first(struct session *s, const int64_t *ids,
			      size_t n)
{
	uint32_t *head = xmalloc((n + 1) * sizeof *head);
	size_t m = 0;

	for (size_t k = 0; k < n; k++) {
		long i = item_table_find(&s->a.items, ids[k]);

		if (i >= 0)
			head[m++] = (uint32_t)i;
	}
	session_set_order_after(s, s->by, head, m);
	free(head);
}

int session_load_poll(struct session *s, long keep, struct session_delta *d,
		      struct err *e)
{
	struct session_loader *l = s->loader;
	int64_t keep_id = keep >= 0 ? s->a.items.id[keep] : 0;
	int64_t *first = NULL;
	size_t nfirst = 0;
	int done, rc;

	if (!l)
		return 0;
	pthread_mutex_lock(&l->mu);
	done = l->done;
	pthread_mutex_unlock(&l->mu);
	if (!done)
		return 0;
	s->loader = NULL;
	if (l->rc) {
		err_set(e, "%s", l->err.msg);
		loader_free(l, 0);
		return -1;
	}
	if (d)
		session_delta(s, &l->a, d);
	if (s->loading && s->by == QUEUE_SUSPICION)
		first = first_ids(s, &nfirst);
	session_take(s, l);

	/* Decisions written while it read are applied on top. */
	s->synced = l->snapshot;
	loader_free(l, 1);
	rc = session_sync_log(s, e);
	if (first)
		order_after_first(s, first, nfirst);
	else
		session_set_order_keep(s, s->by, keep_id ?
				       item_table_find(&s->a.items, keep_id) :
				       -1);
	free(first);
	return rc < 0 ? -1 : 1;
}
