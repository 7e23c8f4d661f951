/* analysis.c - reading a project and ranking it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/analysis.h"
#include "relabel/mem.h"

static void analysis_input(struct analysis *a)
{
	const struct item_table *t = &a->items;
	struct rank_input *in = &a->in;

	a->train = xmalloc(t->n + 1);
	a->expert = xmalloc((t->n + 1) * sizeof *a->expert);
	for (size_t i = 0; i < t->n; i++) {
		a->train[i] = t->split[i] == SPLIT_TRAIN;
		a->expert[i] = t->reviewed[i] ? t->label[i] : -1;
	}
	memset(in, 0, sizeof *in);
	in->n = t->n;
	in->C = a->classes.n;
	in->label = (const int32_t *)t->label;
	in->probs = a->probs;
	in->has_probs = a->has;
	in->train = a->train;
	in->reviewed = t->reviewed;
	in->votes.n = a->votes.n;
	in->votes.item = a->votes.item;
	in->votes.annotator = a->votes.annotator;
	in->votes.label = (const int32_t *)a->votes.label;
	in->A = a->votes.nannot;
	in->expert = a->expert;
}

static int analysis_probs(struct store *st, struct analysis *a,
			  struct err *e)
{
	size_t n = a->items.n, c = (size_t)a->classes.n;
	int rc = store_run_latest(st, &a->run, e);

	if (rc < 0)
		return -1;
	if (rc > 0) {
		a->run = 0;
		return 0;
	}
	a->probs = xcalloc(n * c + 1, sizeof *a->probs);
	a->has = xcalloc(n + 1, 1);
	a->oos = xcalloc(n + 1, 1);
	return store_scores_load(st, a->run, &a->items, a->classes.n, a->probs,
				 a->has, a->oos, e);
}

int analysis_load(struct store *st, struct analysis *a, struct err *e)
{
	memset(a, 0, sizeof *a);
	if (store_classes(st, &a->classes, e) ||
	    store_items_load(st, &a->items, e) ||
	    store_votes_load(st, &a->items, &a->votes, e) ||
	    analysis_probs(st, a, e))
		goto fail;
	if (a->classes.n < 2) {
		err_set(e, "%s: the project has no classes yet; import items "
			"first", store_path(st));
		goto fail;
	}
	analysis_input(a);
	if (rank_compute(&a->in, &a->out, e))
		goto fail;
	return 0;
fail:
	analysis_free(a);
	return -1;
}

void analysis_free(struct analysis *a)
{
	if (a->out.suspicion)
		rank_output_free(&a->out);
	class_list_free(&a->classes);
	item_table_free(&a->items);
	vote_table_free(&a->votes);
	free(a->probs);
	free(a->has);
	free(a->oos);
	free(a->train);
	free(a->expert);
	memset(a, 0, sizeof *a);
}

static void ranking_take(struct ranking *r, const struct rank_output *o,
			 size_t n, int c)
{
	r->suspicion = xmalloc((n + 1) * sizeof *r->suspicion);
	memcpy(r->suspicion, o->suspicion, n * sizeof *r->suspicion);
	r->issue = xcalloc(n + 1, 1);
	r->suggested = xmalloc((n + 1) * sizeof *r->suggested);
	for (size_t i = 0; i < n; i++)
		r->suggested[i] = LABEL_NONE;
	r->noise_rate = -1;
	if (!o->has_model)
		return;
	for (size_t i = 0; i < n; i++) {
		r->issue[i] = o->cl.issue[i];
		r->suggested[i] = o->cl.issue[i] ? o->cl.suggested[i] : LABEL_NONE;
	}
	r->flagged = o->cl.n_issues;
	if (o->cl.n_used == 0 || isnan(o->cl.noise_rate))
		return;
	r->noise_rate = o->cl.noise_rate;
	r->noise = xmalloc((size_t)c * (size_t)c * sizeof *r->noise);
	for (size_t k = 0; k < (size_t)c * (size_t)c; k++)
		r->noise[k] = (float)o->cl.joint[k];
}

int analysis_rank(struct store *st, const struct item_table *t, int nclass,
		  const float *probs, const unsigned char *has,
		  struct ranking *out, struct err *e)
{
	struct analysis a = { .items = *t };
	int rc;

	memset(out, 0, sizeof *out);
	a.classes.n = nclass;
	a.probs = (float *)probs;
	a.has = (unsigned char *)has;
	if (store_votes_load(st, t, &a.votes, e))
		return -1;
	analysis_input(&a);
	rc = rank_compute(&a.in, &a.out, e);
	if (rc == 0) {
		ranking_take(out, &a.out, t->n, nclass);
		rank_output_free(&a.out);
	}
	vote_table_free(&a.votes);
	free(a.train);
	free(a.expert);
	return rc;
}

void ranking_free(struct ranking *r)
{
	free(r->suspicion);
	free(r->issue);
	free(r->suggested);
	free(r->noise);
	memset(r, 0, sizeof *r);
}

double analysis_noise_rate(const int *label, const unsigned char *split,
			   const float *probs, const unsigned char *oos,
			   size_t n, int nclass)
{
	unsigned char *use = xmalloc(n + 1);
	struct cleanlab cl;
	struct err e;
	double rate = 0;

	for (size_t i = 0; i < n; i++)
		use[i] = (!split || split[i] == SPLIT_TRAIN) && (!oos || oos[i]);
	if (cleanlab_compute(probs, (const int32_t *)label, use, n, nclass, &cl,
			     &e) == 0) {
		if (!isnan(cl.noise_rate))
			rate = cl.noise_rate;
		cleanlab_free(&cl);
	}
	free(use);
	return rate;
}
