/* standardize.h - per-column standardization of dense features.
 *
 * Each column becomes (x - mean) / std, with mean and std (population,
 * divided by the row count) taken over the rows that count, e.g. the
 * training split, so held-out rows do not leak into the statistics.  A
 * column whose std is below STANDARDIZE_MIN_STD (a pixel that is the
 * same in every counted row) is only centred: its divisor is 1, so a
 * different value in another row cannot blow up.
 */
#ifndef RELABEL_STANDARDIZE_H
#define RELABEL_STANDARDIZE_H

#include "relabel/matrix.h"

#define STANDARDIZE_MIN_STD 1e-6f

/* Standardizes x in place.  use_row [x->rows]: nonzero for rows whose
 * values count; NULL counts all.  If no row counts, x is left as it is
 * (mean 0, divisor 1).  mean_out and std_out [x->cols], either may be
 * NULL, receive each column's mean and the divisor used. */
void features_standardize(struct dense *x, const unsigned char *use_row,
			  float *mean_out, float *std_out);

/* Applies saved statistics to new rows: x[:, j] = (x[:, j] - mean[j]) /
 * std[j], with mean and std as features_standardize returned them. */
void features_standardize_apply(struct dense *x, const float *mean,
				const float *std);

#endif
