/* coteach.c - small-loss selection and the batch loop of one model. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/coteach.h"
#include "relabel/mem.h"

float coteach_keep_rate(float tau, double t, float tk)
{
	double f = t / tk;

	return (float)(1.0 - tau * (f < 1.0 ? f : 1.0));
}

/* Orders floats as unsigned integers (negative ones below positive). */
static uint32_t coteach_float_key(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u & 0x80000000u ? ~u : u | 0x80000000u;
}

static int coteach_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

size_t coteach_select(const float *loss, const unsigned char *trusted,
		      size_t n, float rate, unsigned char *keep,
		      uint64_t *scratch)
{
	size_t u = 0, nkeep, kept = 0;

	/* Trusted samples are kept outright; the rest are ranked by
	 * (loss, position), packed in one key so the order is total. */
	for (size_t i = 0; i < n; i++) {
		keep[i] = trusted && trusted[i];
		kept += keep[i];
		if (!keep[i])
			scratch[u++] = (uint64_t)coteach_float_key(loss[i])
				<< 32 | (uint32_t)i;
	}
	qsort(scratch, u, sizeof *scratch, coteach_cmp_u64);
	nkeep = (size_t)floor((double)rate * (double)u);
	if (nkeep > u)
		nkeep = u;
	for (size_t j = 0; j < nkeep; j++)
		keep[scratch[j] & 0xffffffffu] = 1;
	return kept + nkeep;
}

/* Independent rng streams of one seed (rng_seed mixes them further). */
static uint64_t coteach_stream(uint64_t seed, uint64_t k)
{
	return seed ^ (0x9e3779b97f4a7c15ULL * (k + 1));
}

int coteach_init(struct coteach *c, const struct mlp_shape *s, int nnet,
		 const struct train_opts *o, uint64_t seed, struct err *e)
{
	size_t cap = (size_t)o->batch, nin = (size_t)s->nin;

	memset(c, 0, sizeof *c);
	c->nnet = nnet;
	c->o = o;
	c->cap = cap;
	for (int k = 0; k < nnet; k++) {
		struct rng r;

		if (mlp_init(&c->net[k], s, 1, e) < 0) {
			coteach_free(c);
			return -1;
		}
		rng_seed(&r, coteach_stream(seed, (uint64_t)k));
		mlp_init_he(&c->net[k], &r);
		adam_init(&c->opt[k], c->net[k].nparam, o->weight_decay);
		mlp_work_init(&c->work[k], &c->net[k], cap);
		c->loss_v[k] = xmalloc(cap * sizeof(float));
		c->keep[k] = xmalloc(cap);
	}
	loss_opts_default(&c->loss, o->loss);
	c->loss.smooth_eps = o->smooth_eps;
	c->loss.focal_gamma = o->focal_gamma;
	c->loss.gce_q = o->gce_q;
	rng_seed(&c->rng, coteach_stream(seed, 2));

	/* Batch buffers, sized once. */
	if (!s->sparse)
		c->xb = xmalloc(cap * nin * sizeof(float));
	if (!s->sparse && o->mixup_alpha > 0.0f)
		c->xb2 = xmalloc(cap * nin * sizeof(float));
	c->rows2 = xmalloc(cap * sizeof *c->rows2);
	c->ya = xmalloc(cap * sizeof *c->ya);
	c->yb = xmalloc(cap * sizeof *c->yb);
	c->tr = xmalloc(cap);
	c->w = xmalloc(cap * sizeof *c->w);
	c->scratch = xmalloc(cap * sizeof *c->scratch);
	return 0;
}

void coteach_free(struct coteach *c)
{
	for (int k = 0; k < 2; k++) {
		mlp_free(&c->net[k]);
		if (c->opt[k].m)
			adam_free(&c->opt[k]);
		mlp_work_free(&c->work[k]);
		free(c->loss_v[k]);
		free(c->keep[k]);
	}
	free(c->xb);
	free(c->xb2);
	free(c->rows2);
	free(c->ya);
	free(c->yb);
	free(c->tr);
	free(c->w);
	free(c->scratch);
	memset(c, 0, sizeof *c);
}

/* Copies dense rows rows[0..n) of x into buf [n, cols]. */
static void coteach_gather(const struct dense *x, const uint32_t *rows,
			   size_t n, float *buf)
{
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * x->cols, x->v + (size_t)rows[i] * x->cols,
		       x->cols * sizeof *buf);
}

/* Mixes the gathered batch with a shuffled copy of itself. */
static float coteach_mixup(struct coteach *c, const struct dense *x,
			   const uint32_t *rows, size_t n)
{
	float lam = (float)rng_beta(&c->rng, c->o->mixup_alpha,
				    c->o->mixup_alpha);
	uint32_t *perm = (uint32_t *)c->scratch;

	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	rng_shuffle(&c->rng, perm, n);
	for (size_t i = 0; i < n; i++) {
		c->rows2[i] = rows[perm[i]];
		c->yb[i] = c->ya[perm[i]];
	}
	/* keep[0] is free until selection: it holds the partners' flags. */
	for (size_t i = 0; i < n; i++)
		c->keep[0][i] = c->tr[perm[i]];
	for (size_t i = 0; i < n; i++)
		c->tr[i] = c->tr[i] && c->keep[0][i];
	coteach_gather(x, c->rows2, n, c->xb2);
	for (size_t i = 0; i < n * x->cols; i++)
		c->xb[i] = lam * c->xb[i] + (1.0f - lam) * c->xb2[i];
	return lam;
}

/* Applies net k's gradient: touched rows of a sparse first layer, then
 * the contiguous rest of the block (or all of it for a dense net). */
static void coteach_apply(struct coteach *c, int k, float lr)
{
	struct mlp *m = &c->net[k];
	struct adam *a = &c->opt[k];
	size_t off = 0;

	adam_tick(a);
	if (m->sparse) {
		size_t out = (size_t)m->size[1];

		for (size_t t = 0; t < c->work[k].ntouched; t++)
			adam_update(a, m->param, m->grad,
				    c->work[k].touched[t] * out, out, lr);
		off = (size_t)m->size[0] * out;
	}
	adam_update(a, m->param, m->grad, off, m->nparam - off, lr);
}

/* Net k steps on the samples keep[] marks; returns the weighted loss
 * sum and adds the count kept to *nkept. */
static double coteach_learn(struct coteach *c, int k,
			    const unsigned char *keep, size_t n, float lam,
			    float lr, size_t *nkept)
{
	const struct mlp *m = &c->net[k];
	size_t cnt = 0;
	double sum = 0.0;

	for (size_t i = 0; i < n; i++)
		cnt += keep[i];
	for (size_t i = 0; i < n; i++) {
		float wi = c->tr[i] ? c->o->trusted_weight : 1.0f;

		c->w[i] = keep[i] ? wi / (float)cnt : 0.0f;
		sum += keep[i] ? (double)wi * c->loss_v[k][i] : 0.0;
	}
	loss_batch(&c->loss, c->work[k].act[m->nlayer], n, m->size[m->nlayer],
		   c->ya, c->xb2 ? c->yb : NULL, lam, c->w, NULL,
		   c->work[k].delta[m->nlayer]);
	mlp_backward(&c->net[k], &c->work[k]);
	coteach_apply(c, k, lr);
	*nkept += cnt;
	return sum;
}

/* One batch: forward both nets, select, each net learns from its peer. */
static void coteach_step(struct coteach *c, const struct features *x,
			 const uint32_t *rows, size_t n, double t, float lr,
			 double *lsum, size_t *nkept)
{
	struct mlp_batch b = { .n = n, .x = c->xb, .s = &x->s, .idx = rows };
	float lam = 1.0f;

	if (!x->sparse)
		coteach_gather(&x->d, rows, n, c->xb);
	if (c->xb2)
		lam = coteach_mixup(c, &x->d, rows, n);
	for (int k = 0; k < c->nnet; k++) {
		struct mlp *m = &c->net[k];

		mlp_forward(m, &c->work[k], &b);
		loss_batch(&c->loss, c->work[k].act[m->nlayer], n,
			   m->size[m->nlayer], c->ya, c->xb2 ? c->yb : NULL,
			   lam, NULL, c->loss_v[k], NULL);
	}

	/* A pair swaps selections; one net keeps everything. */
	if (c->nnet == 2) {
		float r = coteach_keep_rate(c->o->noise_rate, t,
					    c->o->tk_epochs);

		for (int k = 0; k < 2; k++)
			coteach_select(c->loss_v[k], c->tr, n, r, c->keep[k],
				       c->scratch);
		*lsum += coteach_learn(c, 0, c->keep[1], n, lam, lr, nkept);
		*lsum += coteach_learn(c, 1, c->keep[0], n, lam, lr, nkept);
	} else {
		memset(c->keep[0], 1, n);
		*lsum += coteach_learn(c, 0, c->keep[0], n, lam, lr, nkept);
	}
	c->step++;
}

/* lr for the first two thirds, then linear to 0 at the last epoch's end. */
static float coteach_lr(float lr, double e, int epochs)
{
	double f = 3.0 * (epochs - e) / epochs;

	return f < 1.0 ? (float)(lr * f) : lr;
}

int coteach_epoch(struct coteach *c, const struct features *x,
		  const int *label, const unsigned char *trusted,
		  uint32_t *idx, size_t n, int epoch,
		  const volatile int *cancel, struct coteach_stats *st)
{
	size_t nb = (n + c->cap - 1) / c->cap, nkept = 0;
	double lsum = 0.0;

	rng_shuffle(&c->rng, idx, n);
	for (size_t j = 0; j < nb; j++) {
		const uint32_t *rows = idx + j * c->cap;
		size_t m = j + 1 < nb ? c->cap : n - j * c->cap;
		double t = epoch + (double)j / (double)nb;

		if (cancel && *cancel)
			return -1;
		for (size_t i = 0; i < m; i++) {
			c->ya[i] = label[rows[i]];
			c->tr[i] = trusted ? trusted[rows[i]] != 0 : 0;
		}
		coteach_step(c, x, rows, m, t,
			     coteach_lr(c->o->lr, t, c->o->epochs), &lsum,
			     &nkept);
	}
	st->loss = nkept ? lsum / (double)nkept : 0.0;
	st->kept = n ? (double)nkept / ((double)n * c->nnet) : 0.0;
	return 0;
}

void coteach_predict(const struct mlp *nets, int nnet,
		     struct mlp_work *work, float *xb,
		     const struct features *x, const uint32_t *idx, size_t n,
		     float *probs)
{
	int k = nets[0].size[nets[0].nlayer], nl = nets[0].nlayer;

	for (size_t i0 = 0; i0 < n; i0 += work->cap) {
		size_t m = n - i0 < work->cap ? n - i0 : work->cap;
		struct mlp_batch b = { .n = m, .s = &x->s,
				       .idx = idx ? idx + i0 : NULL,
				       .first = i0 };
		float *p = probs + i0 * (size_t)k, *q = work->delta[nl];

		/* Dense rows are used in place unless they need gathering. */
		if (!x->sparse && idx) {
			coteach_gather(&x->d, idx + i0, m, xb);
			b.x = xb;
		} else if (!x->sparse) {
			b.x = x->d.v + i0 * x->d.cols;
		}
		mlp_forward(&nets[0], work, &b);
		loss_softmax(work->act[nl], m, k, p);
		for (int j = 1; j < nnet; j++) {
			mlp_forward(&nets[j], work, &b);
			loss_softmax(work->act[nl], m, k, q);
			for (size_t t = 0; t < m * (size_t)k; t++)
				p[t] += q[t];
		}
		for (size_t t = 0; nnet > 1 && t < m * (size_t)k; t++)
			p[t] /= (float)nnet;
	}
}
