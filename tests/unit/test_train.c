/* test_train.c - training runs: AdamW, stratified cross-fitting that
 * never scores an item with a model that saw it, determinism, errors,
 * sparse input, and co-teaching against standard training on
 * Fashion-MNIST with pair-flip noise. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "fmnist.h"
#include "relabel/adam.h"
#include "relabel/matrix.h"
#include "relabel/rng.h"
#include "relabel/train.h"

/* A synthetic set: n items, d dense features, k classes; the features
 * carry the class when signal > 0 and are pure noise when it is 0.
 * Items i >= ntrain are test items; every 10th train item is unlabeled
 * when unlab is set. */
struct toy {
	struct features x;
	int *label;
	unsigned char *split;
	struct train_set set;
};

static void toy_make(struct toy *t, size_t n, size_t ntrain, int d, int k,
		     double signal, int unlab, uint64_t seed)
{
	struct rng r;

	memset(t, 0, sizeof *t);
	dense_init(&t->x.d, n, (size_t)d);
	t->label = malloc(n * sizeof *t->label);
	t->split = calloc(n, 1);
	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		t->label[i] = (int)rng_below(&r, (uint64_t)k);
		for (int j = 0; j < d; j++)
			t->x.d.v[i * d + j] = (float)(rng_normal(&r) +
				(j % k == t->label[i] ? signal : 0.0));
		t->split[i] = i >= ntrain;
		if (unlab && i < ntrain && i % 10 == 9)
			t->label[i] = -1;
	}
	t->set = (struct train_set){ .x = &t->x, .n = n, .nclass = k,
				     .label = t->label, .split = t->split };
}

static void toy_free(struct toy *t)
{
	features_free(&t->x);
	free(t->label);
	free(t->split);
}

static void small_opts(struct train_opts *o)
{
	train_opts_default(o);
	o->epochs = 3;
	o->folds = 3;
	o->hidden[0] = 32;
	o->seed = 7;
}

static void test_train_adamw_step(void **state)
{
	struct adam a;
	struct adam_step s;
	float p[2] = { 1.0f, -2.0f }, g[2] = { 0.5f, -0.1f };

	(void)state;
	adam_init(&a, 2, 0.1f);
	adam_tick(&a, 0.01f, &s);
	adam_update(&a, &s, p, g, 0, 2);
	/* Step 1: m/(1-b1) = g, v/(1-b2) = g^2, so the step is lr * sign(g)
	 * (eps aside) after decay by 1 - lr * wd = 0.999. */
	assert_true(fabs(p[0] - (0.999 - 0.01)) < 1e-6);
	assert_true(fabs(p[1] - (-1.998 + 0.01)) < 1e-6);
	/* The consumed gradient is left zeroed. */
	assert_true(g[0] == 0.0f && g[1] == 0.0f);
	g[0] = 0.5f;
	g[1] = -0.1f;
	adam_tick(&a, 0.01f, &s);
	adam_update(&a, &s, p, g, 1, 1);
	assert_true(fabs(p[0] - (0.999 - 0.01)) < 1e-7);	/* untouched */
	assert_true(g[0] == 0.5f);
	assert_true(fabs(p[1] - ((-1.988) * 0.999 + 0.01)) < 1e-6);
	adam_free(&a);

	/* Long ranges (the vector paths and their tails) against double. */
	enum { N = 37 };
	float q[N], gq[N];
	double rq[N], rm[N] = { 0 }, rv[N] = { 0 }, worst = 0.0;

	adam_init(&a, N, 0.01f);
	for (int i = 0; i < N; i++)
		q[i] = (float)(rq[i] = 0.1 * (i - 18));
	for (int t = 1; t <= 5; t++) {
		for (int i = 0; i < N; i++)
			gq[i] = (float)(0.05 * ((i * 7 + t) % 11) - 0.2);
		for (int i = 0; i < N; i++) {
			rm[i] = 0.9 * rm[i] + 0.1 * gq[i];
			rv[i] = 0.999 * rv[i] + 0.001 * gq[i] * gq[i];
			rq[i] = rq[i] * (1 - 0.002 * 0.01) - 0.002 *
				(rm[i] / (1 - pow(0.9, t))) /
				(sqrt(rv[i] / (1 - pow(0.999, t))) + 1e-8);
		}
		adam_tick(&a, 0.002f, &s);
		/* Split at odd places: the result must not depend on it. */
		adam_update(&a, &s, q, gq, 0, 3);
		adam_update(&a, &s, q, gq, 3, 21);
		adam_update(&a, &s, q, gq, 24, N - 24);
	}
	for (int i = 0; i < N; i++)
		worst = fmax(worst, fabs(q[i] - rq[i]));
	printf("# AdamW 5 steps vs double: largest difference %.2e\n", worst);
	assert_true(worst < 1e-6);
	adam_free(&a);
}

/* Folds cover exactly the labeled training items, stratified by class. */
static void test_train_folds(void **state)
{
	struct toy t;
	struct train_opts o;
	struct train_result r;
	struct err e;
	int count[4][3] = { { 0 } };

	(void)state;
	toy_make(&t, 700, 600, 8, 3, 1.0, 1, 1);
	small_opts(&o);
	o.folds = 4;
	o.epochs = 1;
	assert_int_equal(train_run(&t.set, &o, NULL, NULL, NULL, &r, &e), 0);
	for (size_t i = 0; i < t.set.n; i++) {
		int lab = t.label[i] >= 0 && t.split[i] == 0;

		assert_int_equal(r.oos[i], lab);
		if (!lab) {
			assert_int_equal(r.fold[i], -1);
			continue;
		}
		assert_true(r.fold[i] >= 0 && r.fold[i] < 4);
		count[r.fold[i]][t.label[i]]++;
	}
	for (int c = 0; c < 3; c++)
		for (int f = 1; f < 4; f++)
			assert_true(abs(count[f][c] - count[0][c]) <= 1);
	assert_int_equal(r.ntrain, 540);
	/* Every row of probs is a distribution. */
	for (size_t i = 0; i < t.set.n; i++) {
		double s = r.probs[i * 3] + r.probs[i * 3 + 1] + r.probs[i * 3 + 2];

		assert_true(fabs(s - 1.0) < 1e-5);
	}
	train_result_free(&r);
	toy_free(&t);
}

/* Share of items in [lo, hi) (labeled, of the given split) whose
 * argmax probability is their label. */
static double agree(const struct toy *t, const float *p, size_t lo, size_t hi,
		    int k)
{
	size_t n = 0, hit = 0;

	for (size_t i = lo; i < hi; i++) {
		int best = 0;

		if (t->label[i] < 0)
			continue;
		for (int j = 1; j < k; j++)
			if (p[i * k + j] > p[i * k + best])
				best = j;
		n++;
		hit += best == t->label[i];
	}
	return n ? (double)hit / (double)n : 0.0;
}

/* Features are noise and labels random, so only a model that saw an
 * item can know its label.  The final model memorizes its training
 * items; the cross-fitted scores of those same items and the scores of
 * test items must stay at chance. */
static void test_train_crossfit_no_leak(void **state)
{
	struct toy t;
	struct train_opts o;
	struct train_result r;
	struct err e;
	const int k = 4;

	(void)state;
	toy_make(&t, 600, 480, 32, k, 0.0, 0, 2);
	small_opts(&o);
	o.method = TRAIN_STANDARD;
	o.folds = 4;
	o.epochs = 60;
	o.lr = 1e-2f;
	o.hidden[0] = 128;
	assert_int_equal(train_run(&t.set, &o, NULL, NULL, NULL, &r, &e), 0);

	float *pf = malloc(600 * k * sizeof *pf);

	assert_int_equal(train_predict(r.blob, r.blob_len, &t.x, pf, &e), 0);
	double seen = agree(&t, pf, 0, 480, k);
	double oos = agree(&t, r.probs, 0, 480, k);
	double test = agree(&t, r.probs, 480, 600, k);

	printf("# label agreement: final model on its training items %.3f, "
	       "cross-fitted %.3f, test items %.3f (chance 0.25)\n",
	       seen, oos, test);
	assert_true(seen > 0.9);
	assert_true(oos < 0.4);
	assert_true(test < 0.4);
	free(pf);
	train_result_free(&r);
	toy_free(&t);
}

static void run_twice(struct train_set *s, struct train_opts *o)
{
	struct train_result a, b;
	struct err e;
	size_t bytes = s->n * (size_t)s->nclass * sizeof(float);

	assert_int_equal(train_run(s, o, NULL, NULL, NULL, &a, &e), 0);
	assert_int_equal(train_run(s, o, NULL, NULL, NULL, &b, &e), 0);
	assert_memory_equal(a.probs, b.probs, bytes);
	assert_int_equal(a.blob_len, b.blob_len);
	assert_memory_equal(a.blob, b.blob, a.blob_len);
	train_result_free(&b);

	/* Another seed gives other scores. */
	o->seed++;
	assert_int_equal(train_run(s, o, NULL, NULL, NULL, &b, &e), 0);
	assert_true(memcmp(a.probs, b.probs, bytes) != 0);
	o->seed--;
	train_result_free(&a);
	train_result_free(&b);
}

static void test_train_deterministic(void **state)
{
	struct toy t;
	struct train_opts o;

	(void)state;
	toy_make(&t, 500, 400, 16, 3, 0.8, 1, 3);
	small_opts(&o);
	o.threads = 2;
	run_twice(&t.set, &o);
	o.mixup_alpha = 0.4f;
	o.method = TRAIN_STANDARD;
	run_twice(&t.set, &o);
	printf("# dense runs repeat bit for bit (2 training threads)\n");
	toy_free(&t);
}

/* Sparse text-like rows over 2^18 columns: each class has its own
 * words, plus shared noise words. */
static void sparse_make(struct features *x, int *label, size_t n, int k,
			uint64_t seed)
{
	const size_t per = 12;
	struct rng r;

	memset(x, 0, sizeof *x);
	x->sparse = 1;
	x->s.rows = n;
	x->s.cols = (size_t)1 << 18;
	x->s.rowptr = malloc((n + 1) * sizeof *x->s.rowptr);
	x->s.col = malloc(n * per * sizeof *x->s.col);
	x->s.val = malloc(n * per * sizeof *x->s.val);
	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		label[i] = (int)rng_below(&r, (uint64_t)k);
		x->s.rowptr[i] = i * per;
		for (size_t j = 0; j < per; j++) {
			/* Half the words name the class, half are noise. */
			uint32_t w = j % 2 ? (uint32_t)rng_below(&r, 1u << 18)
				: (uint32_t)(label[i] * 1000 + rng_below(&r, 50));

			x->s.col[i * per + j] = w;
			x->s.val[i * per + j] = 0.3f;
		}
	}
	x->s.rowptr[n] = n * per;
}

static void test_train_sparse(void **state)
{
	enum { N = 900, K = 3 };
	struct features x;
	int label[N];
	unsigned char split[N];
	struct train_opts o;
	struct train_result a, b;
	struct err e;
	float *p = malloc(N * K * sizeof *p);

	(void)state;
	sparse_make(&x, label, N, K, 4);
	for (int i = 0; i < N; i++)
		split[i] = i >= 600;
	struct train_set s = { .x = &x, .n = N, .nclass = K, .label = label,
			       .split = split };

	small_opts(&o);
	o.folds = 2;
	o.epochs = 4;
	o.hidden[0] = 16;
	assert_int_equal(train_run(&s, &o, NULL, NULL, NULL, &a, &e), 0);
	struct toy t = { .label = label };
	double acc = agree(&t, a.probs, 600, N, K);
	double oos = agree(&t, a.probs, 0, 600, K);

	printf("# sparse 2^18 columns: test accuracy %.3f, cross-fitted %.3f, "
	       "%.1f s\n", acc, oos, a.seconds);
	assert_true(acc > 0.9 && oos > 0.9);

	/* Deterministic, and the stored model scores as the run did. */
	assert_int_equal(train_run(&s, &o, NULL, NULL, NULL, &b, &e), 0);
	assert_memory_equal(a.probs, b.probs, N * K * sizeof(float));
	train_result_free(&b);
	assert_int_equal(train_predict(a.blob, a.blob_len, &x, p, &e), 0);
	double worst = 0.0;

	for (size_t i = 600 * K; i < N * K; i++)
		worst = fmax(worst, fabs(p[i] - a.probs[i]));
	printf("# stored model vs run: largest difference %.2e\n", worst);
	assert_true(worst < 1e-5);

	/* Mixup is refused for sparse features. */
	o.mixup_alpha = 0.2f;
	assert_int_equal(train_run(&s, &o, NULL, NULL, NULL, &b, &e), -1);
	assert_non_null(strstr(e.msg, "mixup"));
	train_result_free(&a);
	train_result_free(&b);
	free(p);
	features_free(&x);
}

static void test_train_errors(void **state)
{
	struct toy t;
	struct train_opts o;
	struct train_result r;
	struct err e;

	(void)state;
	toy_make(&t, 40, 40, 4, 2, 1.0, 0, 5);
	small_opts(&o);

	t.label[7] = 2;
	assert_int_equal(train_run(&t.set, &o, NULL, NULL, NULL, &r, &e), -1);
	printf("# %s\n", e.msg);
	assert_non_null(strstr(e.msg, "item 8"));
	t.label[7] = 0;

	o.noise_rate = 1.0f;
	assert_int_equal(train_run(&t.set, &o, NULL, NULL, NULL, &r, &e), -1);
	printf("# %s\n", e.msg);
	o.noise_rate = 0.2f;

	t.x.d.v[13] = NAN;
	assert_int_equal(train_run(&t.set, &o, NULL, NULL, NULL, &r, &e), -1);
	printf("# %s\n", e.msg);
	t.x.d.v[13] = 0.0f;

	for (int i = 0; i < 40; i++)
		t.label[i] = i < 2 ? 0 : -1;
	assert_int_equal(train_run(&t.set, &o, NULL, NULL, NULL, &r, &e), -1);
	printf("# %s\n", e.msg);
	assert_null(r.probs);

	/* A model does not score features of another width. */
	struct toy u;

	toy_make(&u, 40, 40, 4, 2, 1.0, 0, 5);
	assert_int_equal(train_run(&u.set, &o, NULL, NULL, NULL, &r, &e), 0);
	float p[40 * 2];

	assert_int_equal(train_predict(r.blob, r.blob_len, &u.x, p, &e), 0);
	u.x.d.cols = 2;
	u.x.d.rows = 80;
	assert_int_equal(train_predict(r.blob, r.blob_len, &u.x, p, &e), -1);
	printf("# %s\n", e.msg);
	u.x.d.cols = 4;
	u.x.d.rows = 40;
	r.blob[r.blob_len / 2] ^= 1;
	assert_int_equal(train_predict(r.blob, r.blob_len, &u.x, p, &e), -1);
	assert_non_null(strstr(e.msg, "damaged"));
	train_result_free(&r);
	toy_free(&u);
	toy_free(&t);
}

struct watch {
	int calls, cancel_at;
	double last_frac;
	int ok;
	volatile int stop;
};

static void watch_fn(const struct train_progress *p, void *user)
{
	struct watch *w = user;

	w->calls++;
	w->ok &= p->frac >= w->last_frac && p->frac <= 1.0 + 1e-9;
	w->ok &= p->epoch >= 1 && p->epoch <= p->epochs;
	w->ok &= p->fold >= 0 && p->fold <= p->folds;
	w->ok &= p->kept > 0.0f && p->kept <= 1.0f && isfinite(p->loss);
	w->last_frac = p->frac;
	if (w->calls == w->cancel_at)
		w->stop = 1;
}

static void test_train_progress_cancel(void **state)
{
	struct toy t;
	struct train_opts o;
	struct train_result r;
	struct err e;
	struct watch w = { .ok = 1 };

	(void)state;
	toy_make(&t, 300, 300, 8, 3, 1.0, 0, 6);
	small_opts(&o);
	assert_int_equal(train_run(&t.set, &o, watch_fn, &w, &w.stop, &r, &e), 0);
	assert_int_equal(w.calls, (3 + 1) * 3);
	assert_true(w.ok);
	assert_true(fabs(w.last_frac - 1.0) < 1e-9);
	assert_true(r.kept_final > 0.0f && r.kept_final <= 1.0f);
	train_result_free(&r);

	/* Cancelled from the second fold on: -1, nothing left allocated. */
	w = (struct watch){ .ok = 1, .cancel_at = 4 };
	assert_int_equal(train_run(&t.set, &o, watch_fn, &w, &w.stop, &r, &e),
			 -1);
	assert_string_equal(e.msg, "cancelled");
	assert_int_equal(w.calls, 4);
	assert_null(r.probs);
	assert_null(r.blob);
	toy_free(&t);
}

/* Pair flip: class c becomes c + 1 mod 10 with probability rate. */
static void pair_flip(int *y, size_t n, double rate, uint64_t seed)
{
	struct rng r;

	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		if (rng_uniform(&r) < rate)
			y[i] = (y[i] + 1) % 10;
}

static void test_train_fmnist_coteach(void **state)
{
	enum { NTR = 10000, NTE = 2000, N = NTR + NTE, D = 784 };
	struct features x;
	int *y = malloc(N * sizeof *y), *clean = malloc(N * sizeof *y);
	unsigned char *split = calloc(N, 1);
	struct train_opts o;
	struct train_result r;
	struct err e;
	double acc[2];

	(void)state;
	memset(&x, 0, sizeof x);
	dense_init(&x.d, N, D);
	if (fmnist_load("train", NTR, x.d.v, y) < 0 ||
	    fmnist_load("t10k", NTE, x.d.v + (size_t)NTR * D, y + NTR) < 0) {
		printf("# Fashion-MNIST not installed (" FMNIST_DIR ")\n");
		fail();
	}
	memcpy(clean, y, N * sizeof *y);
	pair_flip(y, NTR, 0.45, 2018);
	memset(split + NTR, 1, NTE);
	struct train_set s = { .x = &x, .n = N, .nclass = 10, .label = y,
			       .split = split };

	train_opts_default(&o);
	o.folds = 1;
	o.epochs = 20;
	o.hidden[0] = 128;
	o.noise_rate = 0.45f;
	for (int m = 0; m < 2; m++) {
		o.method = m ? TRAIN_COTEACH : TRAIN_STANDARD;
		assert_int_equal(train_run(&s, &o, NULL, NULL, NULL, &r, &e), 0);
		struct toy t = { .label = clean };

		acc[m] = agree(&t, r.probs, NTR, N, 10);
		printf("# Fashion-MNIST %d train items, 45%% pair flip: %s "
		       "clean test accuracy %.4f (%.1f s, kept %.2f)\n", NTR,
		       train_method_name(o.method), acc[m], r.seconds,
		       r.kept_final);
		train_result_free(&r);
	}
	assert_true(acc[1] > acc[0] + 0.05);
	free(y);
	free(clean);
	free(split);
	features_free(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_train_adamw_step),
		cmocka_unit_test(test_train_folds),
		cmocka_unit_test(test_train_crossfit_no_leak),
		cmocka_unit_test(test_train_deterministic),
		cmocka_unit_test(test_train_sparse),
		cmocka_unit_test(test_train_errors),
		cmocka_unit_test(test_train_progress_cancel),
		cmocka_unit_test(test_train_fmnist_coteach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
