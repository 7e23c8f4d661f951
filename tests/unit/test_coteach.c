/* test_coteach.c - the keep-rate schedule, small-loss selection, and a
 * model's steps (packed kept rows, one or more threads) against a plain
 * reference step. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/adam.h"
#include "relabel/coteach.h"
#include "relabel/loss.h"
#include "relabel/mlp.h"
#include "relabel/rng.h"

static void test_coteach_keep_rate(void **state)
{
	(void)state;
	assert_true(coteach_keep_rate(0.4f, 0.0, 10.0f) == 1.0f);
	assert_true(fabs(coteach_keep_rate(0.4f, 5.0, 10.0f) - 0.8f) < 1e-6);
	assert_true(fabs(coteach_keep_rate(0.4f, 10.0, 10.0f) - 0.6f) < 1e-6);
	assert_true(fabs(coteach_keep_rate(0.4f, 37.5, 10.0f) - 0.6f) < 1e-6);
	assert_true(coteach_keep_rate(0.0f, 37.5, 10.0f) == 1.0f);
}

/* Rank of loss[i] among the untrusted samples (0 = smallest). */
static size_t rank_of(const float *loss, const unsigned char *tr, size_t n,
		      size_t i)
{
	size_t r = 0;

	for (size_t j = 0; j < n; j++)
		if (!(tr && tr[j]) && (loss[j] < loss[i] ||
				       (loss[j] == loss[i] && j < i)))
			r++;
	return r;
}

static void test_coteach_select_smallest(void **state)
{
	enum { N = 128 };
	float loss[N];
	unsigned char keep[N];
	uint64_t scratch[N];
	struct rng r;

	(void)state;
	rng_seed(&r, 42);
	for (int i = 0; i < N; i++)
		loss[i] = (float)rng_uniform(&r) * 3.0f;
	loss[5] = loss[6];	/* a tie */
	for (float rate = 0.3f; rate <= 1.0f; rate += 0.1f) {
		size_t want = (size_t)floor((double)rate * N), got;

		got = coteach_select(loss, NULL, N, rate, keep, scratch);
		assert_int_equal(got, want);
		for (size_t i = 0; i < N; i++)
			assert_int_equal(keep[i], rank_of(loss, NULL, N, i) < want);
	}
}

static void test_coteach_select_trusted(void **state)
{
	enum { N = 100 };
	float loss[N];
	unsigned char keep[N], tr[N];
	uint64_t scratch[N];
	size_t ntr = 0;

	(void)state;
	/* Trusted samples get the largest losses: they would be dropped
	 * first if they were ranked. */
	for (int i = 0; i < N; i++) {
		tr[i] = i % 7 == 0;
		ntr += tr[i];
		loss[i] = tr[i] ? 100.0f + i : (float)((i * 37) % N);
	}
	size_t u = N - ntr, want = (size_t)floor(0.55 * u);
	size_t got = coteach_select(loss, tr, N, 0.55f, keep, scratch);

	assert_int_equal(got, ntr + want);
	for (int i = 0; i < N; i++) {
		if (tr[i])
			assert_int_equal(keep[i], 1);
		else
			assert_int_equal(keep[i],
					 rank_of(loss, tr, N, (size_t)i) < want);
	}

	/* All trusted: nothing is dropped whatever the rate. */
	memset(tr, 1, N);
	assert_int_equal(coteach_select(loss, tr, N, 0.1f, keep, scratch), N);
}

/* An epoch of a pair reports the kept share the schedule implies. */
static void test_coteach_epoch_kept(void **state)
{
	enum { N = 512, D = 8 };
	struct train_opts o;
	struct features x;
	int y[N];
	uint32_t idx[N];
	struct coteach c;
	struct coteach_stats st;
	struct rng r;
	struct mlp_shape s = { .nin = D, .nclass = 2, .nhidden = 1,
			       .hidden = { 16 } };

	(void)state;
	train_opts_default(&o);
	o.noise_rate = 0.25f;
	o.tk_epochs = 1e-6f;	/* full drop from the first batch on */
	memset(&x, 0, sizeof x);
	dense_init(&x.d, N, D);
	rng_seed(&r, 1);
	for (int i = 0; i < N; i++) {
		y[i] = i & 1;
		idx[i] = (uint32_t)i;
		for (int j = 0; j < D; j++)
			x.d.v[i * D + j] = (float)rng_normal(&r) + y[i];
	}
	assert_int_equal(coteach_init(&c, &s, 2, &o, 9, NULL), 0);
	assert_int_equal(coteach_epoch(&c, &x, y, NULL, idx, N, 1, NULL, &st), 0);
	/* The first batch starts at t = 1 (epoch 1): R = 0.75 throughout. */
	printf("# kept %.4f, loss %.4f\n", st.kept, st.loss);
	assert_true(fabs(st.kept - 96.0 / 128.0) < 1e-9);
	assert_true(st.loss > 0.0 && isfinite(st.loss));

	/* A quarter trusted: each batch keeps them all and 3/4 of the rest,
	 * short of less than one sample per batch from the floor. */
	unsigned char tr[N];

	for (int i = 0; i < N; i++)
		tr[i] = i % 4 == 0;
	assert_int_equal(coteach_epoch(&c, &x, y, tr, idx, N, 1, NULL, &st), 0);
	printf("# a quarter trusted: kept %.4f (want 0.8125)\n", st.kept);
	assert_true(st.kept <= 0.8125 + 1e-9 && st.kept > 0.8125 - 4.0 / N);

	/* A raised cancel flag stops before the first batch. */
	volatile int stop = 1;

	assert_int_equal(coteach_epoch(&c, &x, y, NULL, idx, N, 2, &stop, &st),
			 -1);
	coteach_free(&c);
	features_free(&x);
}

/* A set of n rows: dense [n, d], or CSR over d columns with a few
 * nonzeros a row; labels in [0, k) that the features carry. */
static void step_set(struct features *x, int *y, size_t n, int d, int k,
		     int sparse, uint64_t seed)
{
	const size_t per = 5;
	struct rng r;

	memset(x, 0, sizeof *x);
	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		y[i] = (int)rng_below(&r, (uint64_t)k);
	if (!sparse) {
		dense_init(&x->d, n, (size_t)d);
		for (size_t i = 0; i < n * (size_t)d; i++)
			x->d.v[i] = (float)rng_normal(&r) +
				(i % (size_t)d % (size_t)k == (size_t)y[i / d]);
		return;
	}
	x->sparse = 1;
	x->s.rows = n;
	x->s.cols = (size_t)d;
	x->s.rowptr = malloc((n + 1) * sizeof *x->s.rowptr);
	x->s.col = malloc(n * per * sizeof *x->s.col);
	x->s.val = malloc(n * per * sizeof *x->s.val);
	for (size_t i = 0; i < n; i++) {
		x->s.rowptr[i] = i * per;
		for (size_t j = 0; j < per; j++) {
			/* Ascending columns: one that names the class first. */
			x->s.col[i * per + j] = (uint32_t)(j ? 7 * j +
				rng_below(&r, 7) : (uint64_t)y[i]);
			x->s.val[i * per + j] = (float)(0.5 + rng_uniform(&r));
		}
	}
	x->s.rowptr[n] = n * per;
}

/* One batch of the model written plainly: every net forward on the
 * whole batch, the selection from its peer's losses, the backward pass
 * over the whole batch with weight 0 on dropped rows, one AdamW step
 * (touched rows only for a sparse first layer). */
static void ref_step(struct mlp *nets, struct adam *opt, int nnet,
		     const struct features *x, const int *y,
		     const unsigned char *tr, const uint32_t *rows, size_t n,
		     const struct train_opts *o, float rate)
{
	enum { CAP = 128 };
	struct loss_opts lo;
	struct mlp_work w[2];
	float loss[2][CAP], wt[CAP], *xb = NULL;
	unsigned char keep[CAP], trb[CAP];
	uint64_t scratch[CAP];
	int ya[CAP];

	assert_true(n <= CAP);
	loss_opts_default(&lo, o->loss);
	for (size_t i = 0; i < n; i++) {
		ya[i] = y[rows[i]];
		trb[i] = tr ? tr[rows[i]] : 0;
	}
	struct mlp_batch b = { .n = n, .s = &x->s, .idx = rows };

	if (!x->sparse) {
		xb = malloc(n * x->d.cols * sizeof *xb);
		for (size_t i = 0; i < n; i++)
			memcpy(xb + i * x->d.cols, x->d.v + rows[i] * x->d.cols,
			       x->d.cols * sizeof *xb);
		b.x = xb;
	}
	for (int k = 0; k < nnet; k++) {
		const struct mlp *m = &nets[k];

		mlp_work_init(&w[k], m, n);
		mlp_forward(m, &w[k], &b);
		loss_batch(&lo, w[k].act[m->nlayer], n, m->size[m->nlayer], ya,
			   NULL, 1.0f, NULL, loss[k], NULL);
	}
	for (int k = 0; k < nnet; k++) {
		struct mlp *m = &nets[k];
		size_t cnt = n, out = (size_t)m->size[1], off = 0;
		struct adam_step st;

		if (nnet == 2)
			cnt = coteach_select(loss[1 - k], trb, n, rate, keep,
					     scratch);
		else
			memset(keep, 1, n);
		for (size_t i = 0; i < n; i++)
			wt[i] = keep[i] ? (trb[i] ? o->trusted_weight : 1.0f) /
				(float)cnt : 0.0f;
		mlp_grad_zero(m);
		loss_batch(&lo, w[k].act[m->nlayer], n, m->size[m->nlayer], ya,
			   NULL, 1.0f, wt, NULL, w[k].delta[m->nlayer]);
		mlp_backward(m, &w[k]);
		adam_tick(&opt[k], o->lr, &st);
		if (m->sparse) {
			for (size_t t = 0; t < w[k].ntouched; t++)
				adam_update(&opt[k], &st, m->param, m->grad,
					    w[k].touched[t] * out, out);
			off = (size_t)m->size[0] * out;
		}
		adam_update(&opt[k], &st, m->param, m->grad, off,
			    m->nparam - off);
	}
	for (int k = 0; k < nnet; k++)
		mlp_work_free(&w[k]);
	free(xb);
}

/* Two epochs of one batch each: the model against ref_step. */
static double step_check(int nnet, int sparse, int threads)
{
	enum { N = 90, D = 37, K = 3 };
	struct mlp_shape s = { .nin = D, .sparse = sparse, .nclass = K,
			       .nhidden = 2, .hidden = { 40, 24 } };
	struct train_opts o;
	struct features x;
	struct coteach c;
	struct coteach_stats st;
	struct mlp ref[2];
	struct adam opt[2];
	unsigned char tr[N];
	uint32_t idx[N], rows[N];
	int y[N];
	double worst = 0.0;

	train_opts_default(&o);
	o.batch = N;
	o.noise_rate = 0.4f;
	o.tk_epochs = 1e-6f;
	o.trusted_weight = 2.0f;
	o.threads = threads;
	step_set(&x, y, N, D, K, sparse, 3);
	for (int i = 0; i < N; i++) {
		tr[i] = i % 9 == 4;
		idx[i] = (uint32_t)i;
	}
	assert_int_equal(coteach_init(&c, &s, nnet, &o, 5, NULL), 0);
	for (int k = 0; k < nnet; k++) {
		assert_int_equal(mlp_init(&ref[k], &s, 1, NULL), 0);
		memcpy(ref[k].param, c.net[k].param,
		       ref[k].nparam * sizeof(float));
		adam_init(&opt[k], ref[k].nparam, o.weight_decay);
	}
	for (int e = 1; e <= 2; e++) {
		/* The epoch shuffles idx: that order is its one batch. */
		assert_int_equal(coteach_epoch(&c, &x, y, tr, idx, N, e, NULL,
					       &st), 0);
		memcpy(rows, idx, sizeof rows);
		ref_step(ref, opt, nnet, &x, y, tr, rows, N, &o, 0.6f);
	}
	for (int k = 0; k < nnet; k++) {
		for (size_t i = 0; i < ref[k].nparam; i++)
			worst = fmax(worst, fabs(c.net[k].param[i] -
						 ref[k].param[i]));
		mlp_free(&ref[k]);
		adam_free(&opt[k]);
	}
	coteach_free(&c);
	features_free(&x);
	return worst;
}

static void test_coteach_step_reference(void **state)
{
	double worst = 0.0;

	(void)state;
	for (int v = 0; v < 12; v++) {
		int nnet = v % 2 + 1, sparse = v / 2 % 2, threads = v / 4 + 1;
		double d = step_check(nnet, sparse, threads);

		printf("# %s, %s input, %d thread(s): largest parameter "
		       "difference %.2e\n", nnet == 2 ? "pair" : "one net",
		       sparse ? "sparse" : "dense", threads, d);
		worst = fmax(worst, d);
	}
	/* A step moves a parameter by about lr = 1e-3. */
	assert_true(worst < 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coteach_keep_rate),
		cmocka_unit_test(test_coteach_select_smallest),
		cmocka_unit_test(test_coteach_select_trusted),
		cmocka_unit_test(test_coteach_epoch_kept),
		cmocka_unit_test(test_coteach_step_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
