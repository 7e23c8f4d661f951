/* test_coteach.c - the keep-rate schedule and small-loss selection. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/coteach.h"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coteach_keep_rate),
		cmocka_unit_test(test_coteach_select_smallest),
		cmocka_unit_test(test_coteach_select_trusted),
		cmocka_unit_test(test_coteach_epoch_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
