/* test_scores.c - per-item scores against hand-worked values. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/scores.h"

/* Largest |a - b| so far, both NAN counting as equal. */
static double gap(double worst, double a, double b)
{
	if (isnan(a) && isnan(b))
		return worst;
	if (isnan(a) || isnan(b))
		return INFINITY;
	return fmax(worst, fabs(a - b));
}

static double ent3(double a, double b, double c)
{
	double h = 0.0, p[3] = { a, b, c };

	for (int k = 0; k < 3; k++)
		if (p[k] > 0.0)
			h -= p[k] * log(p[k]);
	return h / log(3.0);
}

static void test_scores_hand(void **state)
{
	static const float P[5][3] = {
		{ 0.7f, 0.2f, 0.1f },
		{ 0.2f, 0.5f, 0.3f },
		{ 0.0f, 1.0f, 0.0f },
		{ 1.0f / 3, 1.0f / 3, 1.0f / 3 },
		{ 0.5f, 0.5f, 0.0f },
	};
	static const int32_t y[5] = { 0, 2, 0, -1, 1 };
	static const uint8_t has[5] = { 1, 1, 1, 1, 0 };
	/* loss, selfconf, margin, entropy, argmax, worked by hand */
	double want[5][5] = {
		{ -log(0.7), 0.7, 0.5, ent3(0.7, 0.2, 0.1), 0 },
		{ -log(0.3), 0.3, -0.2, ent3(0.2, 0.5, 0.3), 1 },
		{ -log(1e-12), 0.0, -1.0, 0.0, 1 },
		{ NAN, NAN, NAN, 1.0, 0 },
		{ NAN, NAN, NAN, NAN, -1 },
	};
	struct scores s;
	struct err e;
	double worst = 0.0;

	(void)state;
	assert_int_equal(scores_compute(&P[0][0], has, y, 5, 3, &s, &e), 0);
	for (int i = 0; i < 5; i++) {
		worst = gap(worst, s.loss[i], want[i][0]);
		worst = gap(worst, s.selfconf[i], want[i][1]);
		worst = gap(worst, s.margin[i], want[i][2]);
		worst = gap(worst, s.entropy[i], want[i][3]);
		assert_int_equal(s.argmax[i], (int)want[i][4]);
	}
	printf("scores: largest difference from hand values %.2g\n", worst);
	assert_true(worst < 1e-5);
	scores_free(&s);
}

static void test_scores_reject(void **state)
{
	float P[2][2] = { { 0.5f, 0.5f }, { 0.6f, 0.3f } };
	int32_t y[2] = { 0, 1 };
	struct scores s;
	struct err e;

	(void)state;
	assert_int_equal(scores_compute(&P[0][0], NULL, y, 2, 2, &s, &e), -1);
	assert_non_null(strstr(e.msg, "item 1: probabilities sum to 0.9"));
	assert_null(s.loss);

	P[1][1] = NAN;
	assert_int_equal(scores_compute(&P[0][0], NULL, y, 2, 2, &s, &e), -1);
	assert_non_null(strstr(e.msg, "item 1: probability of class 1"));

	P[1][0] = 1.1f;
	P[1][1] = -0.1f;
	assert_int_equal(scores_compute(&P[0][0], NULL, y, 2, 2, &s, &e), -1);
	assert_non_null(strstr(e.msg, "non-negative"));

	/* A row without probabilities is not checked at all. */
	uint8_t has[2] = { 1, 0 };
	assert_int_equal(scores_compute(&P[0][0], has, y, 2, 2, &s, &e), 0);
	scores_free(&s);

	P[1][0] = 0.4f;
	P[1][1] = 0.6f;
	y[0] = 2;
	assert_int_equal(scores_compute(&P[0][0], NULL, y, 2, 2, &s, &e), -1);
	assert_non_null(strstr(e.msg, "item 0: label 2"));
	assert_int_equal(scores_compute(&P[0][0], NULL, y, 2, 1, &s, &e), -1);
}

/* Enough rows to be scored on threads: every item's scores equal those
 * of its row scored alone, and of two bad rows the first is named. */
static void test_scores_many(void **state)
{
	enum { N = 300000, C = 4 };
	float *P = malloc((size_t)N * C * sizeof *P);
	int32_t *y = malloc(N * sizeof *y);
	struct scores s, one;
	struct err e;
	double worst = 0.0;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		float a = (float)(i % 97) / 97.0f * 0.5f + 0.1f;

		P[i * C] = a;
		P[i * C + 1] = 0.5f * (1.0f - a);
		P[i * C + 2] = 0.3f * (1.0f - a);
		P[i * C + 3] = 1.0f - a - P[i * C + 1] - P[i * C + 2];
		y[i] = (int32_t)(i % 5) - 1;
	}
	assert_int_equal(scores_compute(P, NULL, y, N, C, &s, &e), 0);
	for (size_t i = 0; i < N; i += 997) {
		assert_int_equal(scores_compute(P + i * C, NULL, y + i, 1, C,
						&one, &e), 0);
		worst = gap(worst, s.loss[i], one.loss[0]);
		worst = gap(worst, s.margin[i], one.margin[0]);
		worst = gap(worst, s.entropy[i], one.entropy[0]);
		worst = gap(worst, s.selfconf[i], one.selfconf[0]);
		assert_int_equal(s.argmax[i], one.argmax[0]);
		scores_free(&one);
	}
	assert_true(worst == 0.0);
	scores_free(&s);

	P[250001 * C] = NAN;
	y[200003] = C;
	assert_int_equal(scores_compute(P, NULL, y, N, C, &s, &e), -1);
	assert_non_null(strstr(e.msg, "item 200003: label 4 is not a class"));
	y[200003] = 0;
	assert_int_equal(scores_compute(P, NULL, y, N, C, &s, &e), -1);
	assert_non_null(strstr(e.msg, "item 250001: probability of class 0"));
	free(P);
	free(y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores_hand),
		cmocka_unit_test(test_scores_reject),
		cmocka_unit_test(test_scores_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
