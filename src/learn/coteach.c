/* coteach.c - small-loss selection and the batch loop of one model, on
 * one thread or several. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "relabel/coteach.h"
#include "relabel/mem.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define coteach_relax() _mm_pause()
#else
#define coteach_relax() ((void)0)
#endif

/* Polls of a barrier before its waiter sleeps, some tens of
 * microseconds: longer than the usual gap between the threads of one
 * step, short enough to give the CPU up when another process has it. */
#define COTEACH_SPIN 1000
/* Most threads one model uses. */
#define COTEACH_MAX_THREADS 64

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

/* A barrier that spins briefly, then sleeps on a condition variable. */
struct coteach_bar {
	atomic_uint count, gen;
	unsigned n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void coteach_bar_init(struct coteach_bar *b, unsigned n)
{
	atomic_init(&b->count, 0);
	atomic_init(&b->gen, 0);
	b->n = n;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
}

static void coteach_bar_destroy(struct coteach_bar *b)
{
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->cv);
}

/* Returns once all n threads have called it; everything each wrote
 * before is then visible to every other. */
static void coteach_bar_wait(struct coteach_bar *b)
{
	unsigned g;

	if (b->n <= 1)
		return;
	g = atomic_load_explicit(&b->gen, memory_order_acquire);

	/* The last to arrive resets the count, then opens the barrier. */
	if (atomic_fetch_add_explicit(&b->count, 1, memory_order_acq_rel) + 1
	    == b->n) {
		atomic_store_explicit(&b->count, 0, memory_order_relaxed);
		pthread_mutex_lock(&b->mu);
		atomic_store_explicit(&b->gen, g + 1, memory_order_release);
		pthread_cond_broadcast(&b->cv);
		pthread_mutex_unlock(&b->mu);
		return;
	}
	for (int s = 0; s < COTEACH_SPIN; s++) {
		if (atomic_load_explicit(&b->gen, memory_order_acquire) != g)
			return;
		coteach_relax();
	}
	pthread_mutex_lock(&b->mu);
	while (atomic_load_explicit(&b->gen, memory_order_acquire) == g)
		pthread_cond_wait(&b->cv, &b->mu);
	pthread_mutex_unlock(&b->mu);
}

/* One batch's input.  Two alternate, so that a thread may gather the
 * next batch while a peer still learns from this one. */
struct coteach_batch {
	size_t n;
	const uint32_t *rows;		/* [n] item numbers */
	float *x, *x2;			/* [cap, nin] rows (dense); partners */
	uint32_t *rows2;		/* [cap] mixup partners' items */
	int *ya, *yb;			/* [cap] labels; partners' labels */
	unsigned char *tr, *tr2;	/* [cap] trusted; partners' */
	float lam, lr;
	double t;			/* fractional epoch */
};

/* Net k's part of a step: its losses, and the rows its peer chose. */
struct coteach_learn {
	float *loss;			/* [cap] per-sample losses */
	unsigned char *keep;		/* [cap] rows net k learns from */
	uint32_t *pos;			/* [cnt] their batch positions */
	uint64_t *scratch;		/* [cap] */
	float *xk;			/* [cap, nin] kept rows (dense pair) */
	uint32_t *rk;			/* [cap] kept rows' items */
	size_t cnt;
	struct mlp_batch in;		/* what the backward pass reads */
	struct adam_step step;
	double lsum;			/* epoch: weighted loss of kept */
	size_t nkept;			/* epoch: rows learned from */
};

struct coteach_thread {
	struct coteach *c;
	int id;
};

struct coteach_run {
	struct coteach_batch b[2];
	struct coteach_learn k[2];
	struct rng rng;			/* batch order and mixup */
	int ngroup;			/* 2: one net per half of the threads */

	/* The job the threads share, and its arguments. */
	void (*job)(struct coteach *c, int id);
	const struct features *x;
	const int *label;
	const unsigned char *trusted;
	const uint32_t *idx;
	size_t n;
	int epoch;
	const volatile int *cancel;
	int stop;
	float *probs;

	/* Scoring: each thread's own buffers. */
	struct mlp_work *pw;		/* [nthread] */
	float **pxb;			/* [nthread] [cap, nin] (dense) */

	/* Threads: the caller is thread 0, the others wait at start. */
	pthread_t *th;
	struct coteach_thread *arg;
	int nstarted, quit, launched;
	pthread_mutex_t mu;		/* launched, under cv */
	pthread_cond_t cv;
	struct coteach_bar start, end, all, group[2];
	int blas_threads;		/* OpenBLAS's count, restored by free */
};

/* Part p of np of [0, n): whole cache lines of floats when n allows. */
static void coteach_part(size_t n, int p, int np, size_t *lo, size_t *hi)
{
	size_t unit = n >= 16 * (size_t)np ? 16 : 1;
	size_t units = (n + unit - 1) / unit;

	*lo = units * (size_t)p / (size_t)np * unit;
	*hi = units * (size_t)(p + 1) / (size_t)np * unit;
	*lo = *lo < n ? *lo : n;
	*hi = *hi < n ? *hi : n;
}

/* Thread id's group (the nets it serves), rank in it, and group size. */
static int coteach_group(const struct coteach *c, int id, int *p, int *np)
{
	int half = (c->nthread + 1) / 2;

	if (c->run->ngroup == 1) {
		*p = id;
		*np = c->nthread;
		return 0;
	}
	*p = id < half ? id : id - half;
	*np = id < half ? half : c->nthread - half;
	return id >= half;
}

static void *coteach_thread_main(void *arg)
{
	struct coteach_thread *t = arg;
	struct coteach_run *r = t->c->run;

	/* The barriers are sized once every thread has started. */
	pthread_mutex_lock(&r->mu);
	while (!r->launched)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	for (;;) {
		coteach_bar_wait(&r->start);
		if (r->quit)
			break;
		r->job(t->c, t->id);
		coteach_bar_wait(&r->end);
	}
	return NULL;
}

/* Runs job on every thread; returns when all have finished it. */
static void coteach_run_job(struct coteach *c,
			    void (*job)(struct coteach *c, int id))
{
	struct coteach_run *r = c->run;

	r->job = job;
	coteach_bar_wait(&r->start);
	job(c, 0);
	coteach_bar_wait(&r->end);
}

/* Starts threads 1..n-1; with fewer started, the model uses fewer. */
static void coteach_threads_start(struct coteach *c, int n)
{
	struct coteach_run *r = c->run;

	r->th = xcalloc((size_t)n, sizeof *r->th);
	r->arg = xcalloc((size_t)n, sizeof *r->arg);
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	for (int i = 1; i < n; i++) {
		r->arg[i] = (struct coteach_thread){ c, i };
		if (pthread_create(&r->th[i], NULL, coteach_thread_main,
				   &r->arg[i]) != 0)
			break;
		r->nstarted = i;
	}
	c->nthread = r->nstarted + 1;
	r->ngroup = c->nnet == 2 && c->nthread >= 2 ? 2 : 1;

	/* The threads wait until the barriers know how many they are. */
	coteach_bar_init(&r->start, (unsigned)c->nthread);
	coteach_bar_init(&r->end, (unsigned)c->nthread);
	coteach_bar_init(&r->all, (unsigned)c->nthread);
	for (int g = 0; g < 2; g++) {
		int p, np;

		coteach_group(c, g ? c->nthread - 1 : 0, &p, &np);
		coteach_bar_init(&r->group[g], (unsigned)np);
	}
	pthread_mutex_lock(&r->mu);
	r->launched = 1;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void coteach_threads_stop(struct coteach *c)
{
	struct coteach_run *r = c->run;

	if (!r->th)
		return;
	r->quit = 1;
	coteach_bar_wait(&r->start);
	for (int i = 1; i <= r->nstarted; i++)
		pthread_join(r->th[i], NULL);
	coteach_bar_destroy(&r->start);
	coteach_bar_destroy(&r->end);
	coteach_bar_destroy(&r->all);
	coteach_bar_destroy(&r->group[0]);
	coteach_bar_destroy(&r->group[1]);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r->th);
	free(r->arg);
	r->th = NULL;
}

/* Independent rng streams of one seed (rng_seed mixes them further). */
static uint64_t coteach_stream(uint64_t seed, uint64_t k)
{
	return seed ^ (0x9e3779b97f4a7c15ULL * (k + 1));
}

/* Net k, its optimizer, work and selection buffers. */
static int coteach_net_init(struct coteach *c, int k,
			    const struct mlp_shape *s, uint64_t seed,
			    struct err *e)
{
	struct coteach_learn *L = &c->run->k[k];
	size_t cap = c->cap;
	struct rng r;

	if (mlp_init(&c->net[k], s, 1, e) < 0)
		return -1;
	rng_seed(&r, coteach_stream(seed, (uint64_t)k));
	mlp_init_he(&c->net[k], &r);
	adam_init(&c->opt[k], c->net[k].nparam, c->o->weight_decay);
	mlp_work_init(&c->work[k], &c->net[k], cap);
	L->loss = xmalloc(cap * sizeof *L->loss);
	L->keep = xmalloc(cap);
	L->pos = xmalloc(cap * sizeof *L->pos);
	L->scratch = xmalloc(cap * sizeof *L->scratch);
	L->rk = xmalloc(cap * sizeof *L->rk);
	if (c->nnet == 2 && !s->sparse)
		L->xk = xmalloc(cap * (size_t)s->nin * sizeof *L->xk);
	return 0;
}

/* The two alternating batch buffers. */
static void coteach_batch_init(struct coteach *c, const struct mlp_shape *s)
{
	size_t cap = c->cap, nin = (size_t)s->nin;
	int mix = !s->sparse && c->o->mixup_alpha > 0.0f;

	for (int i = 0; i < 2; i++) {
		struct coteach_batch *b = &c->run->b[i];

		b->x = s->sparse ? NULL : xmalloc(cap * nin * sizeof *b->x);
		b->x2 = mix ? xmalloc(cap * nin * sizeof *b->x2) : NULL;
		b->rows2 = xmalloc(cap * sizeof *b->rows2);
		b->ya = xmalloc(cap * sizeof *b->ya);
		b->yb = xmalloc(cap * sizeof *b->yb);
		b->tr = xmalloc(cap);
		b->tr2 = xmalloc(cap);
		b->lam = 1.0f;
	}
}

/* Each thread's scoring buffers (one thread scores with work[0]). */
static void coteach_score_init(struct coteach *c, const struct mlp_shape *s)
{
	struct coteach_run *r = c->run;
	int n = c->nthread;

	if (n == 1)
		return;
	r->pw = xcalloc((size_t)n, sizeof *r->pw);
	r->pxb = xcalloc((size_t)n, sizeof *r->pxb);
	for (int t = 0; t < n; t++) {
		mlp_work_init(&r->pw[t], &c->net[0], c->cap);
		if (!s->sparse)
			r->pxb[t] = xmalloc(c->cap * (size_t)s->nin *
					    sizeof(float));
	}
}

int coteach_init(struct coteach *c, const struct mlp_shape *s, int nnet,
		 const struct train_opts *o, uint64_t seed, struct err *e)
{
	int nt = o->threads > 0 ? o->threads : openblas_get_num_threads();

	memset(c, 0, sizeof *c);
	c->nnet = nnet;
	c->o = o;
	c->cap = (size_t)o->batch;
	c->run = xcalloc(1, sizeof *c->run);
	c->run->blas_threads = openblas_get_num_threads();
	for (int k = 0; k < nnet; k++)
		if (coteach_net_init(c, k, s, seed, e) < 0) {
			coteach_free(c);
			return -1;
		}
	loss_opts_default(&c->loss, o->loss);
	c->loss.smooth_eps = o->smooth_eps;
	c->loss.focal_gamma = o->focal_gamma;
	c->loss.gce_q = o->gce_q;
	rng_seed(&c->run->rng, coteach_stream(seed, 2));
	coteach_batch_init(c, s);

	/* Each thread calls a single-threaded sgemm on its share. */
	openblas_set_num_threads(1);
	nt = nt < 1 ? 1 : nt > COTEACH_MAX_THREADS ? COTEACH_MAX_THREADS : nt;
	coteach_threads_start(c, nt);
	coteach_score_init(c, s);
	return 0;
}

static void coteach_learn_free(struct coteach_learn *L)
{
	free(L->loss);
	free(L->keep);
	free(L->pos);
	free(L->scratch);
	free(L->xk);
	free(L->rk);
}

void coteach_free(struct coteach *c)
{
	struct coteach_run *r = c->run;

	if (r) {
		coteach_threads_stop(c);
		for (int t = 0; r->pw && t < c->nthread; t++) {
			mlp_work_free(&r->pw[t]);
			free(r->pxb[t]);
		}
		free(r->pw);
		free(r->pxb);
		for (int i = 0; i < 2; i++) {
			struct coteach_batch *b = &r->b[i];

			free(b->x);
			free(b->x2);
			free(b->rows2);
			free(b->ya);
			free(b->yb);
			free(b->tr);
			free(b->tr2);
			coteach_learn_free(&r->k[i]);
		}
		if (r->blas_threads > 0)
			openblas_set_num_threads(r->blas_threads);
		free(r);
	}
	for (int k = 0; k < 2; k++) {
		mlp_free(&c->net[k]);
		if (c->opt[k].m)
			adam_free(&c->opt[k]);
		mlp_work_free(&c->work[k]);
	}
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

/* Labels, trust flags and (dense) input of the batch's rows [lo, hi). */
static void coteach_fill(const struct coteach_run *r, struct coteach_batch *b,
			 const uint32_t *rows, size_t lo, size_t hi)
{
	for (size_t i = lo; i < hi; i++) {
		b->ya[i] = r->label[rows[i]];
		b->tr[i] = r->trusted ? r->trusted[rows[i]] != 0 : 0;
	}
	if (!r->x->sparse)
		coteach_gather(&r->x->d, rows + lo, hi - lo,
			       b->x + lo * r->x->d.cols);
}

/* Mixes the gathered batch with a shuffled copy of itself. */
static void coteach_mixup(struct coteach *c, struct coteach_batch *b)
{
	struct coteach_run *r = c->run;
	const struct dense *x = &r->x->d;
	float lam = (float)rng_beta(&r->rng, c->o->mixup_alpha,
				    c->o->mixup_alpha);
	uint32_t *perm = b->rows2;
	size_t n = b->n;

	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	rng_shuffle(&r->rng, perm, n);
	for (size_t i = 0; i < n; i++) {
		b->yb[i] = b->ya[perm[i]];
		b->tr2[i] = b->tr[perm[i]];
		perm[i] = b->rows[perm[i]];
	}
	for (size_t i = 0; i < n; i++)
		b->tr[i] = b->tr[i] && b->tr2[i];
	coteach_gather(x, b->rows2, n, b->x2);
	for (size_t i = 0; i < n * x->cols; i++)
		b->x[i] = lam * b->x[i] + (1.0f - lam) * b->x2[i];
	b->lam = lam;
}

/* lr for the first two thirds, then linear to 0 at the last epoch's end. */
static float coteach_lr(float lr, double e, int epochs)
{
	double f = 3.0 * (epochs - e) / epochs;

	return f < 1.0 ? (float)(lr * f) : lr;
}

/* Thread id's share of setting up batch j of nb.  Thread 0 also sets
 * the batch's schedule and reads the cancel flag; with mixup (which
 * draws from the one rng) it does the whole batch. */
static void coteach_prepare(struct coteach *c, size_t j, size_t nb, int id)
{
	struct coteach_run *r = c->run;
	struct coteach_batch *b = &r->b[j & 1];
	const uint32_t *rows = r->idx + j * c->cap;
	size_t n = j + 1 < nb ? c->cap : r->n - j * c->cap, lo, hi;

	if (id == 0) {
		b->n = n;
		b->rows = rows;
		b->t = r->epoch + (double)j / (double)nb;
		b->lr = coteach_lr(c->o->lr, b->t, c->o->epochs);
		r->stop = r->cancel && *r->cancel;
	}
	if (b->x2) {
		if (id == 0) {
			coteach_fill(r, b, rows, 0, n);
			coteach_mixup(c, b);
		}
		return;
	}
	coteach_part(n, id, c->nthread, &lo, &hi);
	coteach_fill(r, b, rows, lo, hi);
}

/* Net k's forward pass on the batch, layer by layer over the group's
 * threads, then the losses (and their unweighted gradients in
 * delta[nlayer]) of this thread's rows. */
static void coteach_forward(struct coteach *c, int k, struct coteach_batch *b,
			    int p, int np, struct coteach_bar *gb)
{
	const struct mlp *m = &c->net[k];
	struct mlp_work *w = &c->work[k];
	struct mlp_batch in = { .n = b->n, .x = b->x, .s = &c->run->x->s,
				.idx = b->rows };
	int nl = m->nlayer, nk = m->size[nl];
	size_t lo, hi;

	for (int l = 0; l < nl; l++) {
		coteach_part((size_t)m->size[l + 1], p, np, &lo, &hi);
		mlp_forward_cols(m, w, &in, l, (int)lo, (int)hi);
		coteach_bar_wait(gb);
	}
	coteach_part(b->n, p, np, &lo, &hi);
	loss_batch(&c->loss, w->act[nl] + lo * nk, hi - lo, nk, b->ya + lo,
		   b->x2 ? b->yb + lo : NULL, b->lam, NULL,
		   c->run->k[k].loss + lo, w->delta[nl] + lo * nk);
}

/* Which rows net k learns from (its peer's choice, or all of them for
 * one net), their batch positions, the batch the backward pass reads,
 * the epoch totals and the optimizer step.  One thread per net. */
static void coteach_choose(struct coteach *c, int k, struct coteach_batch *b)
{
	struct coteach_run *r = c->run;
	struct coteach_learn *L = &r->k[k];
	size_t n = b->n, cnt = 0;

	if (c->nnet == 2) {
		float rate = coteach_keep_rate(c->o->noise_rate, b->t,
					       c->o->tk_epochs);

		coteach_select(r->k[1 - k].loss, b->tr, n, rate, L->keep,
			       L->scratch);
	} else {
		memset(L->keep, 1, n);
	}
	for (size_t i = 0; i < n; i++) {
		float wi = b->tr[i] ? c->o->trusted_weight : 1.0f;

		if (!L->keep[i])
			continue;
		L->lsum += (double)wi * L->loss[i];
		L->rk[cnt] = b->rows[i];
		L->pos[cnt++] = (uint32_t)i;
	}
	L->cnt = cnt;
	L->nkept += cnt;

	/* All kept: the batch as it is; else the packed rows. */
	L->in = (struct mlp_batch){ .n = cnt, .x = b->x, .s = &r->x->s,
				    .idx = b->rows };
	if (cnt < n) {
		L->in.x = L->xk;
		L->in.idx = L->rk;
	}
	if (c->net[k].sparse)
		mlp_touch(&c->work[k], &c->net[k], &L->in);
	adam_tick(&c->opt[k], b->lr, &L->step);
}

/* Moves row pos[j] of a[n, cols] to row j (pos ascending, so j <=
 * pos[j] and rows move up in place), columns [c0, c1) only. */
static void coteach_pack_rows(float *dst, const float *src, size_t cols,
			      const uint32_t *pos, size_t cnt, size_t c0,
			      size_t c1)
{
	for (size_t j = 0; j < cnt; j++)
		if (dst != src || pos[j] != j)
			memmove(dst + j * cols + c0, src + pos[j] * cols + c0,
				(c1 - c0) * sizeof *dst);
}

/* This thread's columns of the packing: hidden activations, input rows
 * and the loss gradient, scaled by each kept row's weight / cnt. */
static void coteach_pack(struct coteach *c, int k, struct coteach_batch *b,
			 int p, int np)
{
	const struct mlp *m = &c->net[k];
	struct coteach_learn *L = &c->run->k[k];
	struct mlp_work *w = &c->work[k];
	int nl = m->nlayer, nk = m->size[nl];
	size_t lo, hi;

	if (L->cnt < b->n) {
		for (int l = 1; l < nl; l++) {
			coteach_part((size_t)m->size[l], p, np, &lo, &hi);
			coteach_pack_rows(w->act[l], w->act[l],
					  (size_t)m->size[l], L->pos, L->cnt,
					  lo, hi);
		}
		if (L->xk) {
			coteach_part((size_t)m->size[0], p, np, &lo, &hi);
			coteach_pack_rows(L->xk, b->x, (size_t)m->size[0],
					  L->pos, L->cnt, lo, hi);
		}
	}
	coteach_part((size_t)nk, p, np, &lo, &hi);
	for (size_t j = 0; j < L->cnt; j++) {
		size_t i = L->pos[j];
		float s = (b->tr[i] ? c->o->trusted_weight : 1.0f) /
			(float)L->cnt;
		float *dst = w->delta[nl] + j * nk;
		const float *src = w->delta[nl] + i * nk;

		for (size_t t = lo; t < hi; t++)
			dst[t] = src[t] * s;
	}
}

/* Adam on the parameters whose gradient this thread computed: columns
 * [c0, c1) of each layer (touched rows only, for a sparse layer 0). */
static void coteach_adam(struct coteach *c, int k, int p, int np)
{
	struct mlp *m = &c->net[k];
	const struct mlp_work *w = &c->work[k];
	struct adam *a = &c->opt[k];
	const struct adam_step *s = &c->run->k[k].step;

	for (int l = 0; l < m->nlayer; l++) {
		size_t in = (size_t)m->size[l], out = (size_t)m->size[l + 1];
		size_t wo = (size_t)(m->w[l] - m->param), lo, hi;

		coteach_part(out, p, np, &lo, &hi);
		if (l == 0 && m->sparse) {
			for (size_t t = 0; t < w->ntouched; t++)
				adam_update(a, s, m->param, m->grad,
					    wo + w->touched[t] * out + lo,
					    hi - lo);
		} else if (hi - lo == out) {
			/* The weights and the bias after them, at once. */
			adam_update(a, s, m->param, m->grad, wo, (in + 1) * out);
			continue;
		} else {
			for (size_t i = 0; i < in; i++)
				adam_update(a, s, m->param, m->grad,
					    wo + i * out + lo, hi - lo);
		}
		adam_update(a, s, m->param, m->grad, wo + in * out + lo,
			    hi - lo);
	}
}

/* Net k's step on the rows its peer chose, over the group's threads. */
static void coteach_learn(struct coteach *c, int k, struct coteach_batch *b,
			  int p, int np, struct coteach_bar *gb)
{
	struct mlp *m = &c->net[k];
	struct mlp_work *w = &c->work[k];
	const struct mlp_batch *in = &c->run->k[k].in;
	size_t lo, hi;

	if (p == 0)
		coteach_choose(c, k, b);
	coteach_bar_wait(gb);
	coteach_pack(c, k, b, p, np);
	coteach_bar_wait(gb);

	/* Layer by layer down: gradients of this thread's columns, and its
	 * columns of the delta the layer below needs. */
	for (int l = m->nlayer - 1; l >= 0; l--) {
		coteach_part((size_t)m->size[l + 1], p, np, &lo, &hi);
		mlp_grad_cols(m, w, in, l, (int)lo, (int)hi);
		if (l == 0)
			break;
		coteach_part((size_t)m->size[l], p, np, &lo, &hi);
		mlp_delta_cols(m, w, in, l, (int)lo, (int)hi);
		coteach_bar_wait(gb);
	}

	/* No thread reads the weights again before the next batch. */
	coteach_adam(c, k, p, np);
}

/* One thread's part of an epoch: every batch, two meetings each. */
static void coteach_epoch_job(struct coteach *c, int id)
{
	struct coteach_run *r = c->run;
	size_t nb = (r->n + c->cap - 1) / c->cap;
	int p, np, g = coteach_group(c, id, &p, &np);
	int k0 = r->ngroup == 2 ? g : 0, k1 = r->ngroup == 2 ? g + 1 : c->nnet;
	struct coteach_bar *gb = &r->group[g];

	for (size_t j = 0; j < nb; j++) {
		struct coteach_batch *b = &r->b[j & 1];

		coteach_prepare(c, j, nb, id);
		coteach_bar_wait(&r->all);
		if (r->stop)
			break;
		for (int k = k0; k < k1; k++)
			coteach_forward(c, k, b, p, np, gb);

		/* Both nets' losses are known: each learns from its peer. */
		coteach_bar_wait(&r->all);
		for (int k = k0; k < k1; k++)
			coteach_learn(c, k, b, p, np, gb);
	}
}

int coteach_epoch(struct coteach *c, const struct features *x,
		  const int *label, const unsigned char *trusted,
		  uint32_t *idx, size_t n, int epoch,
		  const volatile int *cancel, struct coteach_stats *st)
{
	struct coteach_run *r = c->run;
	size_t nkept = 0;
	double lsum = 0.0;

	rng_shuffle(&r->rng, idx, n);
	r->x = x;
	r->label = label;
	r->trusted = trusted;
	r->idx = idx;
	r->n = n;
	r->epoch = epoch;
	r->cancel = cancel;
	r->stop = 0;
	for (int k = 0; k < c->nnet; k++) {
		r->k[k].lsum = 0.0;
		r->k[k].nkept = 0;
	}
	coteach_run_job(c, coteach_epoch_job);
	if (r->stop)
		return -1;
	c->step += (long)((n + c->cap - 1) / c->cap);
	for (int k = 0; k < c->nnet; k++) {
		lsum += r->k[k].lsum;
		nkept += r->k[k].nkept;
	}
	st->loss = nkept ? lsum / (double)nkept : 0.0;
	st->kept = n ? (double)nkept / ((double)n * c->nnet) : 0.0;
	return 0;
}

/* Mean softmax of nets on rows [i0, i0 + n) of the list idx (or of x
 * when idx is NULL), into probs[n, nclass]. */
static void coteach_predict_rows(const struct mlp *nets, int nnet,
				 struct mlp_work *work, float *xb,
				 const struct features *x, const uint32_t *idx,
				 size_t i0, size_t n, float *probs)
{
	int k = nets[0].size[nets[0].nlayer], nl = nets[0].nlayer;
	struct mlp_batch b = { .n = n, .s = &x->s,
			       .idx = idx ? idx + i0 : NULL, .first = i0 };
	float *q = work->delta[nl];

	/* Dense rows are used in place unless they need gathering. */
	if (!x->sparse && idx) {
		coteach_gather(&x->d, idx + i0, n, xb);
		b.x = xb;
	} else if (!x->sparse) {
		b.x = x->d.v + i0 * x->d.cols;
	}
	mlp_forward(&nets[0], work, &b);
	loss_softmax(work->act[nl], n, k, probs);
	for (int j = 1; j < nnet; j++) {
		mlp_forward(&nets[j], work, &b);
		loss_softmax(work->act[nl], n, k, q);
		for (size_t t = 0; t < n * (size_t)k; t++)
			probs[t] += q[t];
	}
	for (size_t t = 0; nnet > 1 && t < n * (size_t)k; t++)
		probs[t] /= (float)nnet;
}

void coteach_predict(const struct mlp *nets, int nnet,
		     struct mlp_work *work, float *xb,
		     const struct features *x, const uint32_t *idx, size_t n,
		     float *probs)
{
	size_t k = (size_t)nets[0].size[nets[0].nlayer];

	for (size_t i0 = 0; i0 < n; i0 += work->cap) {
		size_t m = n - i0 < work->cap ? n - i0 : work->cap;

		coteach_predict_rows(nets, nnet, work, xb, x, idx, i0, m,
				     probs + i0 * k);
	}
}

/* Thread id scores chunks id, id + nthread, ... of cap rows each. */
static void coteach_score_job(struct coteach *c, int id)
{
	struct coteach_run *r = c->run;
	size_t k = (size_t)c->net[0].size[c->net[0].nlayer];

	for (size_t i0 = (size_t)id * c->cap; i0 < r->n;
	     i0 += (size_t)c->nthread * c->cap) {
		size_t m = r->n - i0 < c->cap ? r->n - i0 : c->cap;

		coteach_predict_rows(c->net, c->nnet, &r->pw[id], r->pxb[id],
				     r->x, r->idx, i0, m, r->probs + i0 * k);
	}
}

void coteach_score(struct coteach *c, const struct features *x,
		   const uint32_t *idx, size_t n, float *probs)
{
	struct coteach_run *r = c->run;

	if (c->nthread == 1) {
		coteach_predict(c->net, c->nnet, &c->work[0], r->b[0].x, x,
				idx, n, probs);
		return;
	}
	r->x = x;
	r->idx = idx;
	r->n = n;
	r->probs = probs;
	coteach_run_job(c, coteach_score_job);
}
