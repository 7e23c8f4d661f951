/* crowd_ds.c - Dawid-Skene EM over annotators' votes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"

/* Working state of one fit; the arrays that outlive it are in ds.
 *
 * The E-step works in probabilities, not logs: an item's posterior is the
 * prior times one likelihood row per vote, rescaled by DS_SCALE whenever
 * it gets small, so that a round costs no exp() per item and no log() per
 * confusion cell.  Each item's new posterior is added into the next
 * M-step's counts as soon as it is known, so a round reads the votes
 * once. */
struct ds_work {
	const struct crowd_votes *v;
	const struct crowd_index *ix;
	double alpha;
	double *acc;		/* [A, C, C] counts, [a][said l][true j] */
	double *lik;		/* [A, C, C] conf, [a][said l][true j] */
	double *prior_acc;	/* [C] the next prior's counts */
	double *p;		/* [C] one item's unnormalized posterior */
	size_t *row;		/* [votes] in index order: offset of the vote's
				 * (annotator, said) row in acc and lik */
	size_t n_voted;
};

/* How far ahead the vote loops fetch their (random) rows. */
#define DS_PREFETCH 8
/* A posterior whose largest term falls under DS_TINY is multiplied by
 * DS_SCALE.  Smoothing keeps every likelihood above alpha / (votes of
 * the annotator + C alpha), far above DS_TINY / DBL_MIN per vote, and
 * the check runs after every DS_CHECK votes. */
#define DS_TINY 0x1p-400
#define DS_SCALE 0x1p400
#define DS_CHECK 4

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

/* Adds item i's posterior T to the next M-step's counts. */
static void ds_count(struct ds_work *w, int C, size_t i, const double *T)
{
	size_t nv = w->v->n;

	for (int j = 0; j < C; j++)
		w->prior_acc[j] += T[j];
	for (size_t k = w->ix->start[i]; k < w->ix->start[i + 1]; k++) {
		double *row = w->acc + w->row[k];

		if (k + DS_PREFETCH < nv)
			__builtin_prefetch(w->acc + w->row[k + DS_PREFETCH]);
		for (int j = 0; j < C; j++)
			row[j] += T[j];
	}
}

/* T starts as each item's share of votes per class, counted at once. */
static void ds_init(struct ds_work *w, struct crowd_ds *ds)
{
	int C = ds->C;
	size_t cc = (size_t)C * C, nv = w->v->n;

	for (size_t k = 0; k < nv; k++) {
		uint32_t vk = w->ix->vote[k];

		w->row[k] = w->v->annotator[vk] * cc +
			(size_t)w->v->label[vk] * C;
	}

	memset(w->acc, 0, ds->A * cc * sizeof *w->acc);
	memset(w->prior_acc, 0, (size_t)C * sizeof *w->prior_acc);
	for (size_t i = 0; i < ds->n; i++) {
		size_t s = w->ix->start[i], t = w->ix->start[i + 1];
		double *T = ds->post + i * C;

		ds->no_votes[i] = s == t;
		if (s == t)
			continue;
		w->n_voted++;
		for (size_t k = s; k < t; k++)
			T[w->v->label[w->ix->vote[k]]] += 1.0 / (double)(t - s);
		ds_count(w, C, i, T);
	}
}

/* M-step from the counts: class priors and every annotator's confusion,
 * smoothed; then the counts start again from zero. */
static void ds_mstep(struct ds_work *w, struct crowd_ds *ds)
{
	int C = ds->C;
	size_t cc = (size_t)C * C;
	double a = w->alpha;

	for (int j = 0; j < C; j++)
		ds->prior[j] = (w->prior_acc[j] + a) /
			((double)w->n_voted + C * a);

	/* Normalize each (annotator, true class) row over what was said. */
	for (size_t an = 0; an < ds->A; an++) {
		const double *acc = w->acc + an * cc;
		double *conf = ds->conf + an * cc, *lik = w->lik + an * cc;

		for (int j = 0; j < C; j++) {
			double rs = C * a;

			for (int l = 0; l < C; l++)
				rs += acc[(size_t)l * C + j];
			rs = 1.0 / rs;
			for (int l = 0; l < C; l++) {
				double q = (acc[(size_t)l * C + j] + a) * rs;

				conf[(size_t)j * C + l] = q;
				lik[(size_t)l * C + j] = q;
			}
		}
	}
	memset(w->acc, 0, ds->A * cc * sizeof *w->acc);
	memset(w->prior_acc, 0, (size_t)C * sizeof *w->prior_acc);
}

/* Rescales p[0..C) by DS_SCALE while its largest term is under DS_TINY;
 * returns how many times. */
static int ds_rescale(double *p, int C)
{
	int times = 0;

	for (;;) {
		double top = p[0];

		for (int j = 1; j < C; j++)
			top = p[j] > top ? p[j] : top;
		if (!(top < DS_TINY) || top == 0.0)
			return times;
		for (int j = 0; j < C; j++)
			p[j] *= DS_SCALE;
		times++;
	}
}

/* E-step for item i: new T from its votes, counted for the next M-step;
 * returns max |change|.  The log-likelihood is kept as a mantissa and a
 * binary exponent so that no item needs a log(). */
static double ds_estep_item(struct ds_work *w, struct crowd_ds *ds, size_t i,
			    double *mant, long *ex)
{
	int C = ds->C, scaled = 0, e1, e2;
	size_t nv = w->v->n, s = w->ix->start[i], t = w->ix->start[i + 1];
	double *p = w->p, *T = ds->post + i * C, sum = 0.0, d = 0.0;

	memcpy(p, ds->prior, (size_t)C * sizeof *p);
	for (size_t k = s; k < t; k++) {
		const double *lik = w->lik + w->row[k];

		if (k + DS_PREFETCH < nv)
			__builtin_prefetch(w->lik + w->row[k + DS_PREFETCH]);
		for (int j = 0; j < C; j++)
			p[j] *= lik[j];
		if ((k - s) % DS_CHECK == DS_CHECK - 1)
			scaled += ds_rescale(p, C);
	}
	scaled += ds_rescale(p, C);

	for (int j = 0; j < C; j++)
		sum += p[j];
	*mant = frexp(*mant * frexp(sum, &e1), &e2);
	*ex += e1 + e2 - 400L * scaled;
	sum = 1.0 / sum;
	for (int j = 0; j < C; j++) {
		double v = p[j] * sum, dt = fabs(v - T[j]);

		d = dt > d ? dt : d;
		T[j] = v;
	}
	ds_count(w, C, i, T);
	return d;
}
static double ds_estep(struct ds_work *w, struct crowd_ds *ds)
{
	double d = 0.0, mant = 1.0;
	long ex = 0;

	for (size_t i = 0; i < ds->n; i++) {
		double di;

		if (ds->no_votes[i])
			continue;
		di = ds_estep_item(w, ds, i, &mant, &ex);
		d = di > d ? di : d;
	}
	ds->loglik = log(mant) + (double)ex * M_LN2;
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

	memset(ds, 0, sizeof *ds);
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	if (ds_params(p, &par, e) < 0)
		return -1;
	ds_alloc(ds, ix->n_items, A, C);
	w.alpha = par.alpha;
	w.acc = xmalloc(A * cc * sizeof *w.acc);
	w.lik = xmalloc(A * cc * sizeof *w.lik);
	w.prior_acc = xmalloc((size_t)C * sizeof *w.prior_acc);
	w.p = xmalloc((size_t)C * sizeof *w.p);
	w.row = xmalloc(v->n * sizeof *w.row);

	/* Each round: the M-step from the counts the last E-step left, then
	 * the E-step, which counts for the next round as it goes. */
	ds_init(&w, ds);
	while (ds->iterations < par.max_iter) {
		ds_mstep(&w, ds);
		ds->delta = ds_estep(&w, ds);
		ds->iterations++;
		if (ds->delta < par.tol) {
			ds->converged = 1;
			break;
		}
	}
	ds_finish(ds);
	free(w.acc);
	free(w.lik);
	free(w.prior_acc);
	free(w.p);
	free(w.row);
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
