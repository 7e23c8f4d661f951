/* standardize.c - column means and deviations, in double precision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/matrix.h"
#include "relabel/mem.h"
#include "relabel/standardize.h"

/* Column means over the counted rows; returns how many rows counted. */
static size_t standardize_mean(const struct dense *x,
			       const unsigned char *use_row, double *mean)
{
	size_t cnt = 0;

	for (size_t r = 0; r < x->rows; r++) {
		const float *row = x->v + r * x->cols;

		if (use_row && !use_row[r])
			continue;
		for (size_t j = 0; j < x->cols; j++)
			mean[j] += row[j];
		cnt++;
	}
	for (size_t j = 0; cnt && j < x->cols; j++)
		mean[j] /= (double)cnt;
	return cnt;
}

/* Deviations from the mean, a second pass so large means lose nothing. */
static void standardize_std(const struct dense *x,
			    const unsigned char *use_row, const double *mean,
			    size_t cnt, double *sd)
{
	for (size_t r = 0; r < x->rows; r++) {
		const float *row = x->v + r * x->cols;

		if (use_row && !use_row[r])
			continue;
		for (size_t j = 0; j < x->cols; j++) {
			double d = row[j] - mean[j];

			sd[j] += d * d;
		}
	}
	for (size_t j = 0; j < x->cols; j++) {
		sd[j] = sqrt(sd[j] / (double)cnt);
		if (!(sd[j] >= STANDARDIZE_MIN_STD))
			sd[j] = 1.0;
	}
}

void features_standardize_apply(struct dense *x, const float *mean,
				const float *std)
{
	for (size_t r = 0; r < x->rows; r++) {
		float *row = x->v + r * x->cols;

		for (size_t j = 0; j < x->cols; j++)
			row[j] = (row[j] - mean[j]) / std[j];
	}
}

void features_standardize(struct dense *x, const unsigned char *use_row,
			  float *mean_out, float *std_out)
{
	size_t cols = x->cols ? x->cols : 1;
	double *mean = xcalloc(cols, sizeof *mean);
	double *sd = xcalloc(cols, sizeof *sd);
	float *mf = xmalloc(cols * sizeof *mf);
	float *sf = xmalloc(cols * sizeof *sf);
	size_t cnt = standardize_mean(x, use_row, mean);

	if (cnt)
		standardize_std(x, use_row, mean, cnt, sd);
	for (size_t j = 0; j < x->cols; j++) {
		mf[j] = (float)mean[j];
		sf[j] = cnt ? (float)sd[j] : 1.0f;
	}

	/* The rounded statistics are applied, so rows standardized later
	 * with features_standardize_apply match these exactly. */
	if (cnt)
		features_standardize_apply(x, mf, sf);
	if (mean_out)
		memcpy(mean_out, mf, x->cols * sizeof *mf);
	if (std_out)
		memcpy(std_out, sf, x->cols * sizeof *sf);
	free(mean);
	free(sd);
	free(mf);
	free(sf);
}
