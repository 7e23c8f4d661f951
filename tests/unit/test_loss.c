/* test_loss.c - loss values against hand-worked cases, gradients against
 * central differences, softmax with extreme logits. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/loss.h"
#include "relabel/rng.h"

static struct loss_opts opts(enum loss_kind k)
{
	struct loss_opts o;

	loss_opts_default(&o, k);
	return o;
}

static float one_loss(enum loss_kind k, const float *z, int nk, int y)
{
	struct loss_opts o = opts(k);
	float l;

	loss_batch(&o, z, 1, nk, &y, NULL, 0.0f, NULL, &l, NULL);
	return l;
}

/* z = (1, 2, 3), y = 0: p = (0.0900306, 0.2447285, 0.6652410); the
 * references were worked out in double (numpy). */
static void test_loss_values(void **state)
{
	const float z[3] = { 1, 2, 3 };
	const struct { enum loss_kind k; double want; } c[] = {
		{ LOSS_CE, 2.40760596444438 },	/* -log p0 */
		{ LOSS_SMOOTH, 2.30760596444438 },	/* t = (.9333, .0333, .0333) */
		{ LOSS_FOCAL, 1.99360453457863 },	/* -(1 - p0)^2 log p0 */
		{ LOSS_MAE, 1.81993885365924 },	/* 2 - 2 p0 */
		{ LOSS_GCE, 1.16373667824325 },	/* (1 - p0^0.7) / 0.7 */
	};
	double worst = 0.0;

	(void)state;
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		double d = fabs(one_loss(c[i].k, z, 3, 0) - c[i].want);

		worst = d > worst ? d : worst;
		assert_true(d < 1e-5);
	}
	printf("# loss values: largest difference %.3g\n", worst);

	/* Two equal logits: CE = log 2, MAE = 1, focal = log 2 / 4. */
	const float z2[2] = { 0, 0 };

	assert_true(fabs(one_loss(LOSS_CE, z2, 2, 1) - log(2.0)) < 1e-6);
	assert_true(fabs(one_loss(LOSS_MAE, z2, 2, 1) - 1.0) < 1e-6);
	assert_true(fabs(one_loss(LOSS_FOCAL, z2, 2, 1) - log(2.0) / 4) < 1e-6);
}

static void test_loss_mixup_value(void **state)
{
	const float z[3] = { 1, 2, 3 };
	int ya = 0, yb = 2;
	struct loss_opts o = opts(LOSS_CE);
	float l;

	(void)state;
	/* 0.3 * (-log p0) + 0.7 * (-log p2). */
	loss_batch(&o, z, 1, 3, &ya, &yb, 0.3f, NULL, &l, NULL);
	assert_true(fabs(l - 1.00760596444438) < 1e-5);
	o = opts(LOSS_GCE);
	loss_batch(&o, z, 1, 3, &ya, &yb, 0.3f, NULL, &l, NULL);
	assert_true(fabs(l - 0.59735049394788) < 1e-5);
}

/* Largest relative difference of analytic vs central-difference
 * gradients over a random batch, for one loss, optionally mixed and
 * weighted. */
static double grad_check(enum loss_kind k, int mix, int weighted)
{
	enum { N = 6, K = 5 };
	struct loss_opts o = opts(k);
	float z[N * K], g[N * K], w[N], l1[N], l2[N];
	int ya[N], yb[N];
	struct rng r;
	double worst = 0.0, h = 1e-2;

	rng_seed(&r, 7 + (uint64_t)k);
	for (int i = 0; i < N * K; i++)
		z[i] = (float)(2.0 * rng_normal(&r));
	for (int i = 0; i < N; i++) {
		ya[i] = (int)rng_below(&r, K);
		yb[i] = (int)rng_below(&r, K);
		w[i] = weighted ? (float)(0.5 + rng_uniform(&r)) : 1.0f;
	}
	loss_batch(&o, z, N, K, ya, mix ? yb : NULL, 0.35f, w, NULL, g);
	for (int i = 0; i < N * K; i++) {
		float keep = z[i];
		int row = i / K;

		z[i] = (float)(keep + h);
		loss_batch(&o, z, N, K, ya, mix ? yb : NULL, 0.35f, NULL, l1,
			   NULL);
		z[i] = (float)(keep - h);
		loss_batch(&o, z, N, K, ya, mix ? yb : NULL, 0.35f, NULL, l2,
			   NULL);
		z[i] = keep;
		double fd = w[row] * ((double)l1[row] - l2[row]) / (2 * h);
		double d = fabs(fd - g[i]) / fmax(fabs(fd) + fabs(g[i]), 1e-2);

		worst = d > worst ? d : worst;
	}
	return worst;
}

static void test_loss_gradients(void **state)
{
	double worst = 0.0;

	(void)state;
	for (int k = LOSS_CE; k <= LOSS_GCE; k++)
		for (int v = 0; v < 4; v++) {
			double d = grad_check((enum loss_kind)k, v & 1, v >> 1);

			printf("# %-6s mix=%d weights=%d: largest relative "
			       "difference %.2e\n", loss_name((enum loss_kind)k),
			       v & 1, v >> 1, d);
			worst = d > worst ? d : worst;
		}
	assert_true(worst < 2e-3);
}

static void test_loss_focal_gamma0_is_ce(void **state)
{
	const float z[4] = { 0.3f, -1.0f, 2.0f, 0.5f };
	struct loss_opts a = opts(LOSS_CE), b = opts(LOSS_FOCAL);
	float ga[4], gb[4], la, lb;
	int y = 1;

	(void)state;
	b.focal_gamma = 0.0f;
	loss_batch(&a, z, 1, 4, &y, NULL, 0, NULL, &la, ga);
	loss_batch(&b, z, 1, 4, &y, NULL, 0, NULL, &lb, gb);
	assert_true(fabs(la - lb) < 1e-6);
	for (int j = 0; j < 4; j++)
		assert_true(fabs(ga[j] - gb[j]) < 1e-6);
}

static void test_loss_softmax_stable(void **state)
{
	const float z[6] = { 1000, 0, -1000, 1000, 1000, 1000 };
	float p[6], lp[6], l[2], g[6];
	int y[2] = { 1, 0 };
	struct loss_opts o = opts(LOSS_CE);

	(void)state;
	loss_softmax(z, 2, 3, p);
	loss_log_softmax(z, 2, 3, lp);
	for (int i = 0; i < 6; i++)
		assert_true(isfinite(p[i]) && isfinite(lp[i]));
	assert_true(fabs(p[0] - 1.0f) < 1e-7 && p[1] == 0.0f);
	assert_true(fabs(lp[1] + 1000.0f) < 1e-3 && fabs(lp[2] + 2000.0f) < 1e-3);
	for (int j = 3; j < 6; j++)
		assert_true(fabs(p[j] - 1.0f / 3) < 1e-6);

	/* The loss of a confidently wrong row is large but finite, and its
	 * gradient is p - onehot. */
	loss_batch(&o, z, 2, 3, y, NULL, 0, NULL, l, g);
	assert_true(fabs(l[0] - 1000.0f) < 1e-3);
	assert_true(fabs(l[1] - log(3.0)) < 1e-5);
	assert_true(fabs(g[0] - 1.0f) < 1e-6 && fabs(g[1] + 1.0f) < 1e-6);
	for (int k = LOSS_SMOOTH; k <= LOSS_GCE; k++) {
		o = opts((enum loss_kind)k);
		loss_batch(&o, z, 2, 3, y, NULL, 0, NULL, l, g);
		for (int i = 0; i < 6; i++)
			assert_true(isfinite(g[i]));
		assert_true(isfinite(l[0]) && isfinite(l[1]));
	}
}

static void test_loss_names(void **state)
{
	enum loss_kind k;

	(void)state;
	for (int i = LOSS_CE; i <= LOSS_GCE; i++) {
		assert_int_equal(loss_parse(loss_name((enum loss_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_int_equal(loss_parse("hinge", &k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loss_values),
		cmocka_unit_test(test_loss_mixup_value),
		cmocka_unit_test(test_loss_gradients),
		cmocka_unit_test(test_loss_focal_gamma0_is_ce),
		cmocka_unit_test(test_loss_softmax_stable),
		cmocka_unit_test(test_loss_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
