/* crowd_ds.c - Dawid-Skene EM over annotators' votes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/par.h"

/* The E-step works in probabilities, not logs: an item's posterior is the
 * prior times one likelihood row per vote, rescaled by DS_SCALE whenever
 * it gets small, so that a round costs no exp() per item and no log() per
 * confusion cell.  Each item's new posterior is added into the next
 * M-step's counts as soon as it is known, so a round reads the votes
 * once.
 *
 * The items are cut into parts by their number of votes alone; each part
 * counts into arrays of its own, and the M-step adds the parts up in
 * order.  Threads take whole parts, so the result is the same bit for
 * bit whatever the number of threads. */

/* One part of the items and what its E-step leaves. */
struct ds_part {
	size_t lo, hi;		/* items lo .. hi - 1 */
	double *acc;		/* [A, C, C] counts, [a][said l][true j] */
	double *prior_acc;	/* [C] the next prior's counts */
	double *p;		/* [C] one item's unnormalized posterior */
	double *p_sum;		/* [C, C] a thread's M-step scratch */
	double delta;		/* max |change| of its posteriors */
	double mant;		/* its likelihood = mant * 2^ex, mant in */
	long ex;		/* [2^-400, 1], so no item needs a log() */
};

struct ds_work {
	const struct crowd_votes *v;
	const struct crowd_index *ix;
	struct crowd_ds *ds;
	double alpha;
	double *lik;		/* [A, C, C] conf, [a][said l][true j] */
	size_t *row;		/* [votes] in index order: offset of the vote's
				 * (annotator, said) row in lik and acc */
	size_t n_voted;
	struct ds_part *part;
	int nparts, threads;
};

/* How far ahead the vote loops fetch their (random) rows. */
#define DS_PREFETCH 8
/* A posterior whose largest term falls under DS_TINY is multiplied by
 * DS_SCALE, checked after every DS_CHECK votes and at the end.  Between
 * checks it shrinks at most by the smallest likelihood to the power
 * DS_CHECK; smoothing keeps a likelihood above alpha / (the annotator's
 * votes + C alpha), and 2^-400 times eight such factors stays well above
 * the smallest double for any real count of votes. */
#define DS_TINY 0x1p-400
#define DS_SCALE 0x1p400
#define DS_CHECK 8
/* Parts only pay off with many votes, and each holds A C^2 counts. */
#define DS_PARTS 4
#define DS_PART_MIN_VOTES 200000
#define DS_PART_MAX_BYTES (256u << 20)

void crowd_ds_params_default(struct crowd_ds_params *p)
{
	p->alpha = CROWD_DS_ALPHA;
	p->tol = CROWD_DS_TOL;
	p->max_iter = CROWD_DS_MAX_ITER;
	p->threads = 0;
}

static int ds_params(const struct crowd_ds_params *in,
		     struct crowd_ds_params *p, struct err *e)
{
	crowd_ds_params_default(p);
	if (!in)
		return 0;
	if (in->alpha < 0.0 || in->tol < 0.0 || in->max_iter < 0 ||
	    in->threads < 0)
		return err_set(e, "Dawid-Skene: alpha %g, tol %g, max_iter %d, "
			       "threads %d: none may be negative", in->alpha,
			       in->tol, in->max_iter, in->threads);
	if (in->alpha > 0.0)
		p->alpha = in->alpha;
	if (in->tol > 0.0)
		p->tol = in->tol;
	if (in->max_iter > 0)
		p->max_iter = in->max_iter;
	p->threads = in->threads;
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

/* Cuts the items into parts of about equal votes; their number depends
 * on the size of the data only. */
static void ds_parts(struct ds_work *w, size_t A, int C, int threads)
{
	size_t nv = w->v->n, cc = (size_t)C * C, n = w->ix->n_items, i = 0;
	int np = nv >= DS_PART_MIN_VOTES &&
		 A * cc * sizeof(double) * DS_PARTS <= DS_PART_MAX_BYTES ?
		 DS_PARTS : 1;

	w->nparts = np;
	w->part = xcalloc((size_t)np, sizeof *w->part);
	for (int k = 0; k < np; k++) {
		struct ds_part *pt = &w->part[k];
		size_t goal = nv / (size_t)np * (size_t)(k + 1);

		pt->lo = i;
		while (i < n && (k == np - 1 || w->ix->start[i] < goal))
			i++;
		pt->hi = i;
		pt->acc = xcalloc(A * cc, sizeof *pt->acc);
		pt->prior_acc = xcalloc((size_t)C, sizeof *pt->prior_acc);
		pt->p = xmalloc((size_t)C * sizeof *pt->p);
		pt->p_sum = xmalloc(cc * sizeof *pt->p_sum);
	}

	if (threads <= 0)
		threads = par_cpus(np);
	w->threads = threads < np ? threads : np;
}

static void ds_parts_free(struct ds_work *w)
{
	for (int k = 0; k < w->nparts; k++) {
		free(w->part[k].acc);
		free(w->part[k].prior_acc);
		free(w->part[k].p);
		free(w->part[k].p_sum);
	}
	free(w->part);
}

/* Adds item i's posterior T to its part's counts. */
static void ds_count(struct ds_work *w, struct ds_part *pt, int C, size_t i,
		     const double *T)
{
	size_t nv = w->v->n;

	for (int j = 0; j < C; j++)
		pt->prior_acc[j] += T[j];
	for (size_t k = w->ix->start[i]; k < w->ix->start[i + 1]; k++) {
		double *row = pt->acc + w->row[k];

		if (k + DS_PREFETCH < nv)
			__builtin_prefetch(pt->acc + w->row[k + DS_PREFETCH]);
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

	for (int p = 0; p < w->nparts; p++) {
		struct ds_part *pt = &w->part[p];

		for (size_t i = pt->lo; i < pt->hi; i++) {
			size_t s = w->ix->start[i], t = w->ix->start[i + 1];
			double *T = ds->post + i * C;

			ds->no_votes[i] = s == t;
			if (s == t)
				continue;
			w->n_voted++;
			for (size_t k = s; k < t; k++)
				T[w->v->label[w->ix->vote[k]]] +=
					1.0 / (double)(t - s);
			ds_count(w, pt, C, i, T);
		}
	}
}

/* The M-step's class priors from the parts' counts, added in order. */
static void ds_mstep_prior(struct ds_work *w, struct crowd_ds *ds)
{
	int C = ds->C;
	double a = w->alpha;

	for (int j = 0; j < C; j++) {
		double pacc = 0.0;

		for (int p = 0; p < w->nparts; p++) {
			pacc += w->part[p].prior_acc[j];
			w->part[p].prior_acc[j] = 0.0;
		}
		ds->prior[j] = (pacc + a) / ((double)w->n_voted + C * a);
	}
}

/* The M-step for annotators lo .. hi - 1: their counts in every part,
 * added in order and cleared for the next round, smoothed into their
 * confusion.  sum holds C^2 doubles. */
static void ds_mstep_annotators(struct ds_work *w, size_t lo, size_t hi,
				double *sum)
{
	struct crowd_ds *ds = w->ds;
	int C = ds->C;
	size_t cc = (size_t)C * C;
	double a = w->alpha;

	for (size_t an = lo; an < hi; an++) {
		double *conf = ds->conf + an * cc, *lik = w->lik + an * cc;
		double *acc = w->part[0].acc + an * cc;

		memcpy(sum, acc, cc * sizeof *sum);
		memset(acc, 0, cc * sizeof *acc);
		for (int p = 1; p < w->nparts; p++) {
			acc = w->part[p].acc + an * cc;
			for (size_t c = 0; c < cc; c++)
				sum[c] += acc[c];
			memset(acc, 0, cc * sizeof *acc);
		}

		/* Normalize each (annotator, true class) row over what was
		 * said. */
		for (int j = 0; j < C; j++) {
			double rs = C * a;

			for (int l = 0; l < C; l++)
				rs += sum[(size_t)l * C + j];
			rs = 1.0 / rs;
			for (int l = 0; l < C; l++) {
				double q = (sum[(size_t)l * C + j] + a) * rs;

				conf[(size_t)j * C + l] = q;
				lik[(size_t)l * C + j] = q;
			}
		}
	}
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
 * returns max |change|. */
static double ds_estep_item(struct ds_work *w, struct ds_part *pt, size_t i)
{
	const struct crowd_ds *ds = w->ds;
	int C = ds->C, scaled = 0;
	size_t nv = w->v->n, s = w->ix->start[i], t = w->ix->start[i + 1];
	double *p = pt->p, *T = ds->post + i * C, sum = 0.0, d = 0.0;

	/* Most items have fewer votes than DS_CHECK: no check until the
	 * end, where the sum (not under the largest term) tells. */
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
	for (int j = 0; j < C; j++)
		sum += p[j];
	if (sum < DS_TINY) {
		scaled += ds_rescale(p, C);
		sum = 0.0;
		for (int j = 0; j < C; j++)
			sum += p[j];
	}

	pt->mant *= sum;
	pt->ex -= 400L * scaled;
	while (pt->mant < DS_TINY) {
		pt->mant *= DS_SCALE;
		pt->ex -= 400;
	}
	sum = 1.0 / sum;
	for (int j = 0; j < C; j++) {
		double v = p[j] * sum, dt = fabs(v - T[j]);

		d = dt > d ? dt : d;
		T[j] = v;
	}
	ds_count(w, pt, C, i, T);
	return d;
}

static void ds_estep_part(struct ds_work *w, struct ds_part *pt)
{
	pt->delta = 0.0;
	pt->mant = 1.0;
	pt->ex = 0;
	for (size_t i = pt->lo; i < pt->hi; i++) {
		double di;

		if (w->ds->no_votes[i])
			continue;
		di = ds_estep_item(w, pt, i);
		pt->delta = di > pt->delta ? di : pt->delta;
	}
}

/* Thread t of a round's step: the E-step of parts t, t + threads, ...,
 * or the M-step of the t-th share of the annotators. */
struct ds_job {
	struct ds_work *w;
	int t, mstep;
};

static void *ds_job_run(void *arg)
{
	struct ds_job *j = arg;
	struct ds_work *w = j->w;

	if (j->mstep) {
		size_t A = w->ds->A, T = (size_t)w->threads;

		ds_mstep_annotators(w, A * (size_t)j->t / T,
				    A * (size_t)(j->t + 1) / T,
				    w->part[j->t].p_sum);
		return NULL;
	}
	for (int p = j->t; p < w->nparts; p += w->threads)
		ds_estep_part(w, &w->part[p]);
	return NULL;
}

/* Runs one step on w->threads threads (the calling one among them). */
static void ds_run(struct ds_work *w, int mstep)
{
	struct ds_job job[DS_PARTS] = { { 0 } };

	for (int t = 0; t < w->threads; t++)
		job[t] = (struct ds_job){ w, t, mstep };
	par_run(ds_job_run, job, sizeof *job, w->threads);
}

static void ds_mstep(struct ds_work *w, struct crowd_ds *ds)
{
	ds_mstep_prior(w, ds);
	ds_run(w, 1);
}

/* The E-step over every part; returns the largest change. */
static double ds_estep(struct ds_work *w, struct crowd_ds *ds)
{
	double d = 0.0;

	ds_run(w, 0);
	ds->loglik = 0.0;
	for (int p = 0; p < w->nparts; p++) {
		const struct ds_part *pt = &w->part[p];

		d = pt->delta > d ? pt->delta : d;
		ds->loglik += log(pt->mant) + (double)pt->ex * M_LN2;
	}
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
	struct ds_work w = { .v = v, .ix = ix, .ds = ds };

	memset(ds, 0, sizeof *ds);
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	if (ds_params(p, &par, e) < 0)
		return -1;
	ds_alloc(ds, ix->n_items, A, C);
	w.alpha = par.alpha;
	w.lik = xmalloc(A * (size_t)C * C * sizeof *w.lik);
	w.row = xmalloc(v->n * sizeof *w.row);
	ds_parts(&w, A, C, par.threads);

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
	ds_parts_free(&w);
	free(w.lik);
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
