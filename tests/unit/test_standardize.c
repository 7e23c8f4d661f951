/* test_standardize.c - column statistics from the counted rows only,
 * constant columns, and applying saved statistics. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/matrix.h"
#include "relabel/rng.h"
#include "relabel/standardize.h"

enum { ROWS = 60, COLS = 5 };

/* Column 0 uniform, 1 constant in counted rows, 2 a large mean with a
 * small spread, 3 normal, 4 all zero. */
static void fill(struct dense *x, const unsigned char *use)
{
	struct rng r;

	rng_seed(&r, 7);
	dense_init(x, ROWS, COLS);
	for (size_t i = 0; i < ROWS; i++) {
		float *row = x->v + i * COLS;

		row[0] = (float)rng_uniform(&r);
		row[1] = use && !use[i] ? 0.9f : 0.25f;
		row[2] = 100.0f + (float)rng_uniform(&r) * 0.5f;
		row[3] = (float)rng_normal(&r) * 3.0f + 1.0f;
		row[4] = 0.0f;
	}
}

/* Mean and population std of column j over the counted rows. */
static void ref_stats(const struct dense *x, const unsigned char *use,
		      size_t j, double *mean, double *sd)
{
	double s = 0.0, q = 0.0;
	size_t n = 0;

	for (size_t i = 0; i < x->rows; i++)
		if (!use || use[i]) {
			s += x->v[i * x->cols + j];
			n++;
		}
	*mean = s / (double)n;
	for (size_t i = 0; i < x->rows; i++)
		if (!use || use[i]) {
			double d = x->v[i * x->cols + j] - *mean;

			q += d * d;
		}
	*sd = sqrt(q / (double)n);
	if (*sd < 1e-6)
		*sd = 1.0;
}

static void check(const unsigned char *use)
{
	struct dense x, orig;
	float mean[COLS], sd[COLS];
	double worst = 0.0;

	fill(&x, use);
	fill(&orig, use);
	features_standardize(&x, use, mean, sd);
	for (size_t j = 0; j < COLS; j++) {
		double m, s;

		ref_stats(&orig, use, j, &m, &s);
		worst = fmax(worst, fabs(mean[j] - m) / fmax(1.0, fabs(m)));
		worst = fmax(worst, fabs(sd[j] - s) / s);

		/* Every row, counted or not, goes through the same map. */
		for (size_t i = 0; i < ROWS; i++) {
			double want = (orig.v[i * COLS + j] - m) / s;

			worst = fmax(worst, fabs(x.v[i * COLS + j] - want) /
						    fmax(1.0, fabs(want)));
		}
	}
	print_message("largest relative difference %g\n", worst);
	assert_true(worst < 1e-4);

	/* Constant and zero columns are centred, not blown up. */
	assert_true(sd[1] == 1.0f && sd[4] == 1.0f);
	for (size_t i = 0; i < ROWS; i++)
		assert_true(fabsf(x.v[i * COLS + 1]) <= 0.65f + 1e-6f);
	dense_free(&x);
	dense_free(&orig);
}

static void test_all_rows(void **state)
{
	(void)state;
	check(NULL);
}

static void test_train_rows_only(void **state)
{
	unsigned char use[ROWS];

	(void)state;
	for (size_t i = 0; i < ROWS; i++)
		use[i] = i % 3 != 0;
	check(use);
}

static void test_no_rows_and_apply(void **state)
{
	unsigned char none[ROWS] = { 0 }, use[ROWS];
	struct dense x, y, orig;
	float mean[COLS], sd[COLS];

	(void)state;
	fill(&x, NULL);
	fill(&orig, NULL);
	features_standardize(&x, none, mean, sd);
	assert_memory_equal(x.v, orig.v, sizeof(float) * ROWS * COLS);
	for (size_t j = 0; j < COLS; j++)
		assert_true(mean[j] == 0.0f && sd[j] == 1.0f);

	/* Saved statistics applied later give the same rows. */
	for (size_t i = 0; i < ROWS; i++)
		use[i] = i < 40;
	fill(&y, use);
	dense_free(&x);
	fill(&x, use);
	features_standardize(&x, use, mean, sd);
	features_standardize_apply(&y, mean, sd);
	float d = 0.0f;

	for (size_t i = 0; i < ROWS * COLS; i++)
		d = fmaxf(d, fabsf(x.v[i] - y.v[i]));
	print_message("largest difference %g\n", d);
	assert_true(d == 0.0f);
	dense_free(&x);
	dense_free(&y);
	dense_free(&orig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_rows),
		cmocka_unit_test(test_train_rows_only),
		cmocka_unit_test(test_no_rows_and_apply),
	};

	return cmocka_run_group_tests_name("standardize", tests, NULL, NULL);
}
