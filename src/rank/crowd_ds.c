/* crowd_ds.c - Dawid-Skene EM over annotators' votes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"

/* Working state of one fit; the arrays that outlive it are in ds. */
struct ds_work {
	const struct crowd_votes *v;
	const struct crowd_index *ix;
	double alpha;
	double *acc;		/* [A, C, C] counts, [a][said l][true j] */
	double *logt;		/* [A, C, C] log conf, [a][said l][true j] */
	double *lp;		/* [C] one item's log posterior */
	size_t *row;		/* [votes] in index order: offset of the vote's
				 * (annotator, said) row in acc and logt */
	size_t n_voted;
};

/* How far ahead the vote loops fetch their (random) rows. */
#define DS_PREFETCH 8

void crowd_ds_params_default(struct crowd_ds_params *p)
{
	p->alpha = CROWD_DS_ALPHA;
	p->tol = CROWD_DS_TOL;
	p->max_iter = CROWD_DS_MAX_ITER;
}

static int ds_params(const struct crowd_ds_params *in,
		     struct crowd_ds_params *p, struct err *e)
{
	crowd_ds_params_default(p);
	if (!in)
		return 0;
	if (in->alpha < 0.0 || in->tol < 0.0 || in->max_iter < 0)
		return err_set(e, "Dawid-Skene: alpha %g, tol %g, max_iter %d: "
			       "none may be negative", in->alpha, in->tol,
			       in->max_iter);
	if (in->alpha > 0.0)
		p->alpha = in->alpha;
	if (in->tol > 0.0)
		p->tol = in->tol;
	if (in->max_iter > 0)
		p->max_iter = in->max_iter;
	return 0;
}

static void ds_alloc(struct crowd_ds *ds, size_t n, size_t A, int C)
{
	size_t cc = (size_t)C * C;

	memset(ds, 0, sizeof *ds);
	ds->n = n;
	ds->A = A;
	ds->C = C;
	ds->post = xcalloc(n * C, sizeof *ds->post);
	ds->prior = xcalloc((size_t)C, sizeof *ds->prior);
	ds->conf = xcalloc(A * cc, sizeof *ds->conf);
	ds->label = xmalloc(n * sizeof *ds->label);
	ds->no_votes = xcalloc(n, sizeof *ds->no_votes);
	ds->doubt = xmalloc(n * sizeof *ds->doubt);
}

/* T starts as each item's share of votes per class. */
static void ds_init(struct ds_work *w, struct crowd_ds *ds)
{
	int C = ds->C;
	size_t cc = (size_t)C * C, nv = w->v->n;

	for (size_t k = 0; k < nv; k++) {
		uint32_t vk = w->ix->vote[k];

		w->row[k] = w->v->annotator[vk] * cc +
			(size_t)w->v->label[vk] * C;
	}

	for (size_t i = 0; i < ds->n; i++) {
		size_t s = w->ix->start[i], t = w->ix->start[i + 1];
		double *T = ds->post + i * C;

		ds->no_votes[i] = s == t;
		if (s == t)
			continue;
		w->n_voted++;
		for (size_t k = s; k < t; k++)
			T[w->v->label[w->ix->vote[k]]] += 1.0 / (double)(t - s);
	}
}

/* M-step: class priors and every annotator's confusion, smoothed. */
static void ds_mstep(struct ds_work *w, struct crowd_ds *ds)
{
	int C = ds->C;
	size_t cc = (size_t)C * C, nv = w->v->n;
	double a = w->alpha;

	memset(w->acc, 0, ds->A * cc * sizeof *w->acc);
	memset(ds->prior, 0, (size_t)C * sizeof *ds->prior);
	for (size_t i = 0; i < ds->n; i++) {
		const double *T = ds->post + i * C;

		if (ds->no_votes[i])
			continue;
		for (int j = 0; j < C; j++)
			ds->prior[j] += T[j];
		for (size_t k = w->ix->start[i]; k < w->ix->start[i + 1]; k++) {
			double *row = w->acc + w->row[k];

			if (k + DS_PREFETCH < nv)
				__builtin_prefetch(w->acc + w->row[k + DS_PREFETCH]);
			for (int j = 0; j < C; j++)
				row[j] += T[j];
		}
	}
	for (int j = 0; j < C; j++)
		ds->prior[j] = (ds->prior[j] + a) / ((double)w->n_voted + C * a);

	/* Normalize each (annotator, true class) row over what was said. */
	for (size_t an = 0; an < ds->A; an++) {
		const double *acc = w->acc + an * cc;
		double *conf = ds->conf + an * cc, *lt = w->logt + an * cc;

		for (int j = 0; j < C; j++) {
			double rs = C * a;

			for (int l = 0; l < C; l++)
				rs += acc[(size_t)l * C + j];
			for (int l = 0; l < C; l++) {
				double q = (acc[(size_t)l * C + j] + a) / rs;

				conf[(size_t)j * C + l] = q;
				lt[(size_t)l * C + j] = log(q);
			}
		}
	}
}

/* E-step for item i: new T from its votes; returns max |change|. */
static double ds_estep_item(struct ds_work *w, struct crowd_ds *ds,
			    const double *logprior, size_t i, double *ll)
{
	int C = ds->C;
	size_t nv = w->v->n;
	double *lp = w->lp, *T = ds->post + i * C, top, sum = 0.0, d = 0.0;

	memcpy(lp, logprior, (size_t)C * sizeof *lp);
	for (size_t k = w->ix->start[i]; k < w->ix->start[i + 1]; k++) {
		const double *lt = w->logt + w->row[k];

		if (k + DS_PREFETCH < nv)
			__builtin_prefetch(w->logt + w->row[k + DS_PREFETCH]);
		for (int j = 0; j < C; j++)
			lp[j] += lt[j];
	}

	/* Log-sum-exp from the largest term keeps exp() in range. */
	top = lp[0];
	for (int j = 1; j < C; j++)
		top = lp[j] > top ? lp[j] : top;
	for (int j = 0; j < C; j++)
		sum += (lp[j] = exp(lp[j] - top));
	/* sum >= 1: the largest term is exp(0). */
	/* cppcheck-suppress invalidFunctionArg */
	*ll += top + log(sum);
	for (int j = 0; j < C; j++) {
		double t = lp[j] / sum, dt = fabs(t - T[j]);

		d = dt > d ? dt : d;
		T[j] = t;
	}
	return d;
}

static double ds_estep(struct ds_work *w, struct crowd_ds *ds,
		       double *logprior)
{
	double d = 0.0, ll = 0.0;

	for (int j = 0; j < ds->C; j++)
		logprior[j] = log(ds->prior[j]);
	for (size_t i = 0; i < ds->n; i++) {
		double di;

		if (ds->no_votes[i])
			continue;
		di = ds_estep_item(w, ds, logprior, i, &ll);
		d = di > d ? di : d;
	}
	ds->loglik = ll;
	return d;
}

/* Labels and doubt from the final posteriors; no votes: the prior. */
static void ds_finish(struct crowd_ds *ds)
{
	int C = ds->C;

	for (size_t i = 0; i < ds->n; i++) {
		double *T = ds->post + i * C;
		int best = 0;

		if (ds->no_votes[i]) {
			memcpy(T, ds->prior, (size_t)C * sizeof *T);
			ds->label[i] = -1;
			ds->doubt[i] = NAN;
			continue;
		}
		for (int j = 1; j < C; j++)
			if (T[j] > T[best])
				best = j;
		ds->label[i] = best;
		ds->doubt[i] = (float)(1.0 - T[best]);
	}
}

int crowd_ds_fit(const struct crowd_votes *v, const struct crowd_index *ix,
		 size_t A, int C, const struct crowd_ds_params *p,
		 struct crowd_ds *ds, struct err *e)
{
	struct crowd_ds_params par;
	struct ds_work w = { .v = v, .ix = ix };
	size_t cc = (size_t)C * C;
	double *logprior;

	memset(ds, 0, sizeof *ds);
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	if (ds_params(p, &par, e) < 0)
		return -1;
	ds_alloc(ds, ix->n_items, A, C);
	w.alpha = par.alpha;
	w.acc = xmalloc(A * cc * sizeof *w.acc);
	w.logt = xmalloc(A * cc * sizeof *w.logt);
	w.lp = xmalloc((size_t)C * sizeof *w.lp);
	w.row = xmalloc(v->n * sizeof *w.row);
	logprior = xmalloc((size_t)C * sizeof *logprior);

	ds_init(&w, ds);
	while (ds->iterations < par.max_iter) {
		ds_mstep(&w, ds);
		ds->delta = ds_estep(&w, ds, logprior);
		ds->iterations++;
		if (ds->delta < par.tol) {
			ds->converged = 1;
			break;
		}
	}
	ds_finish(ds);
	free(w.acc);
	free(w.logt);
	free(w.lp);
	free(w.row);
	free(logprior);
	return 0;
}

void crowd_ds_free(struct crowd_ds *ds)
{
	free(ds->post);
	free(ds->prior);
	free(ds->conf);
	free(ds->label);
	free(ds->no_votes);
	free(ds->doubt);
	memset(ds, 0, sizeof *ds);
}
