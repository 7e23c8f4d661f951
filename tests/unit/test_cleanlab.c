/* test_cleanlab.c - confident learning on hand-worked and synthetic data. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/cleanlab.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/rng.h"
#include "relabel/scores.h"

static double max_gap(const double *a, const double *b, size_t n)
{
	double worst = 0.0;

	for (size_t k = 0; k < n; k++)
		worst = fmax(worst, fabs(a[k] - b[k]));
	return worst;
}

/* Three classes, eleven items, worked by hand:
 *   t = (0.56, 0.4, 0.6); item 3 clears two thresholds (0 wins, larger
 *   p), item 8 too (2 wins), items 10 none.  Confident joint
 *   [[3,1,0],[0,1,2],[0,1,2]]; row 0 calibrated to 5 items gives
 *   [3.75,1.25,0] -> [4,1,0].  Pruned: item 2 (0->1), items 5 and 6
 *   (1->2), item 9 (2->1, argmax 1 on a tie with 2). */
static void test_cleanlab_hand(void **state)
{
	static const float P[11][3] = {
		{ 0.8f, 0.1f, 0.1f }, { 0.6f, 0.3f, 0.1f },
		{ 0.3f, 0.6f, 0.1f }, { 0.6f, 0.4f, 0.0f },
		{ 0.1f, 0.8f, 0.1f }, { 0.1f, 0.2f, 0.7f },
		{ 0.2f, 0.2f, 0.6f }, { 0.1f, 0.1f, 0.8f },
		{ 0.0f, 0.4f, 0.6f }, { 0.2f, 0.4f, 0.4f },
		{ 0.5f, 0.3f, 0.2f },
	};
	static const int32_t y[11] = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0 };
	static const int32_t cc[11] = { 0, 0, 1, 0, 1, 2, 2, 2, 2, 1, -1 };
	static const int32_t sug[11] = { -1, -1, 1, -1, -1, 2, 2, -1, -1, 1,
					 -1 };
	static const double t[3] = { 0.56, 0.4, 0.6 };
	static const double cj[9] = { 3, 1, 0, 0, 1, 2, 0, 1, 2 };
	static const double cal[9] = { 4, 1, 0, 0, 1, 2, 0, 1, 2 };
	static const double noise[9] = { 1, 1.0 / 3, 0, 0, 1.0 / 3, 0.5,
					 0, 1.0 / 3, 0.5 };
	struct cleanlab cl;
	struct err e;
	double joint[9], worst;

	(void)state;
	assert_int_equal(cleanlab_compute(&P[0][0], y, NULL, 11, 3, &cl, &e),
			 0);
	for (int k = 0; k < 9; k++)
		joint[k] = cal[k] / 11.0;
	worst = max_gap(cl.threshold, t, 3);
	worst = fmax(worst, max_gap(cl.confident, cj, 9));
	worst = fmax(worst, max_gap(cl.calibrated, cal, 9));
	worst = fmax(worst, max_gap(cl.joint, joint, 9));
	worst = fmax(worst, max_gap(cl.noise, noise, 9));
	worst = fmax(worst, fabs(cl.noise_rate - 4.0 / 11));
	printf("hand case: largest difference %.2g, %zu issues\n", worst,
	       cl.n_issues);
	assert_true(worst < 1e-6);
	assert_int_equal(cl.n_used, 11);
	assert_int_equal(cl.n_issues, 4);
	for (int i = 0; i < 11; i++) {
		assert_int_equal(cl.confident_class[i], cc[i]);
		assert_int_equal(cl.suggested[i], sug[i]);
		assert_int_equal(cl.issue[i], sug[i] >= 0);
	}
	cleanlab_free(&cl);
}

/* Item 2 is pruned (0 -> 1) but the model's argmax is still 0: it is
 * no issue, though the noise rate is 1/6. */
static void test_cleanlab_argmax_rule(void **state)
{
	static const float P[6][2] = {
		{ 0.9f, 0.1f }, { 0.9f, 0.1f }, { 0.55f, 0.45f },
		{ 0.6f, 0.4f }, { 0.6f, 0.4f }, { 0.6f, 0.4f },
	};
	static const int32_t y[6] = { 0, 0, 0, 1, 1, 1 };
	struct cleanlab cl;
	struct err e;

	(void)state;
	assert_int_equal(cleanlab_compute(&P[0][0], y, NULL, 6, 2, &cl, &e),
			 0);
	assert_true(cl.calibrated[1] == 1.0 && cl.calibrated[0] == 2.0);
	assert_true(fabs(cl.noise_rate - 1.0 / 6) < 1e-12);
	assert_int_equal(cl.confident_class[2], 1);
	assert_int_equal(cl.n_issues, 0);
	assert_int_equal(cl.suggested[2], -1);
	cleanlab_free(&cl);
}

/* Three identical items labeled 0, two of them to prune: the lower
 * indices go; the diagonal is raised to 1 before calibration
 * ([0,3] -> [1,3] -> [0.75,2.25] -> [1,2]).  Item 5 does not take part. */
static void test_cleanlab_ties(void **state)
{
	static const float P[6][2] = {
		{ 0.2f, 0.8f }, { 0.2f, 0.8f }, { 0.2f, 0.8f },
		{ 0.2f, 0.8f }, { 0.2f, 0.8f }, { 0.9f, 0.1f },
	};
	static const int32_t y[6] = { 0, 0, 0, 1, 1, 1 };
	static const uint8_t use[6] = { 1, 1, 1, 1, 1, 0 };
	struct cleanlab cl;
	struct err e;

	(void)state;
	assert_int_equal(cleanlab_compute(&P[0][0], y, use, 6, 2, &cl, &e),
			 0);
	assert_int_equal(cl.n_used, 5);
	assert_true(cl.confident[0] == 1.0 && cl.confident[1] == 3.0);
	assert_true(cl.calibrated[0] == 1.0 && cl.calibrated[1] == 2.0);
	assert_int_equal(cl.n_issues, 2);
	assert_true(cl.issue[0] && cl.issue[1] && !cl.issue[2]);
	assert_int_equal(cl.suggested[0], 1);
	assert_int_equal(cl.confident_class[5], -1);
	assert_false(cl.issue[5]);
	cleanlab_free(&cl);
}

/* Items drawn with true class j, model logits N(0, 1) plus `sep` on j,
 * and a given label drawn from column j of noise [C, C]
 * (P(given = row | true = column)). */
static void synth(size_t n, int C, const double *noise, double sep,
		  uint64_t seed, float *P, int32_t *given, int32_t *truth)
{
	struct rng r;
	double *z = xmalloc((size_t)C * sizeof *z);

	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		int j = (int)rng_below(&r, (uint64_t)C);
		double u = rng_uniform(&r), sum = 0.0, top = -INFINITY;
		int g = 0;

		for (int k = 0; k < C; k++) {
			z[k] = rng_normal(&r) + (k == j ? sep : 0.0);
			top = fmax(top, z[k]);
		}
		for (int k = 0; k < C; k++)
			sum += (z[k] = exp(z[k] - top));
		for (int k = 0; k < C; k++)
			P[i * C + k] = (float)(z[k] / sum);
		for (double acc = noise[j]; acc <= u && g < C - 1;
		     acc += noise[(size_t)++g * C + j])
			;
		truth[i] = j;
		given[i] = g;
	}
	free(z);
}

static void test_cleanlab_synthetic(void **state)
{
	enum { N = 20000, C = 4 };
	static const double noise[C * C] = {
		0.80, 0.00, 0.05, 0.20,
		0.10, 0.85, 0.00, 0.00,
		0.10, 0.15, 0.90, 0.00,
		0.00, 0.00, 0.05, 0.80,
	};
	float *P = xmalloc((size_t)N * C * sizeof *P);
	int32_t *y = xmalloc(N * sizeof *y), *truth = xmalloc(N * sizeof *y);
	struct cleanlab cl, cl2;
	struct scores sc;
	struct err e;
	size_t flips = 0, hit = 0, right = 0;
	double worst, true_rate = 0.0;

	(void)state;
	synth(N, C, noise, 3.0, 42, P, y, truth);
	assert_int_equal(cleanlab_compute(P, y, NULL, N, C, &cl, &e), 0);
	for (size_t i = 0; i < N; i++) {
		flips += y[i] != truth[i];
		hit += cl.issue[i] && y[i] != truth[i];
		right += cl.issue[i] && cl.suggested[i] == truth[i];
	}
	true_rate = (double)flips / N;
	worst = max_gap(cl.noise, noise, C * C);
	printf("synthetic %d x %d: %zu flips, %zu flagged; precision %.3f, "
	       "recall %.3f, suggestion right %.3f\n", N, C, flips,
	       cl.n_issues, (double)hit / cl.n_issues, (double)hit / flips,
	       (double)right / cl.n_issues);
	printf("noise matrix: largest difference from the true one %.4f; "
	       "noise rate %.4f (true %.4f)\n", worst, cl.noise_rate,
	       true_rate);
	for (int i = 0; i < C; i++)
		printf("  %.3f %.3f %.3f %.3f\n", cl.noise[i * C],
		       cl.noise[i * C + 1], cl.noise[i * C + 2],
		       cl.noise[i * C + 3]);
	assert_true(worst < 0.03);
	assert_true(fabs(cl.noise_rate - true_rate) < 0.02);
	assert_true((double)hit / cl.n_issues > 0.8);
	assert_true((double)hit / flips > 0.7);

	/* Reading p_y and the argmax from the scores changes nothing. */
	assert_int_equal(scores_compute(P, NULL, y, N, C, &sc, &e), 0);
	assert_int_equal(cleanlab_compute_scored(P, y, NULL, N, C, &sc, &cl2,
						 &e), 0);
	assert_memory_equal(cl.issue, cl2.issue, N);
	assert_memory_equal(cl.suggested, cl2.suggested, N * sizeof *y);
	assert_memory_equal(cl.calibrated, cl2.calibrated,
			    C * C * sizeof *cl.calibrated);
	scores_free(&sc);
	cleanlab_free(&cl2);
	cleanlab_free(&cl);
	free(P);
	free(y);
	free(truth);
}

static void test_cleanlab_empty(void **state)
{
	static const float P[2][2] = { { 0.5f, 0.5f }, { 0.1f, 0.9f } };
	static const int32_t y[2] = { -1, -1 };
	int32_t bad[2] = { 0, 2 };
	struct cleanlab cl;
	struct err e;

	(void)state;
	assert_int_equal(cleanlab_compute(&P[0][0], y, NULL, 2, 2, &cl, &e),
			 0);
	assert_int_equal(cl.n_used, 0);
	assert_int_equal(cl.n_issues, 0);
	assert_true(isnan(cl.noise_rate));
	assert_true(isnan(cl.threshold[0]));
	cleanlab_free(&cl);
	assert_int_equal(cleanlab_compute(&P[0][0], bad, NULL, 2, 2, &cl, &e),
			 -1);
	assert_non_null(strstr(e.msg, "item 1: label 2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cleanlab_hand),
		cmocka_unit_test(test_cleanlab_argmax_rule),
		cmocka_unit_test(test_cleanlab_ties),
		cmocka_unit_test(test_cleanlab_synthetic),
		cmocka_unit_test(test_cleanlab_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
