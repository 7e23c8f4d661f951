/* cleanlab.h - confident learning: which given labels are wrong, and the
 * joint distribution of given and true labels.
 *
 * As published by Northcutt, Jiang and Chuang, "Confident Learning:
 * Estimating Uncertainty in Dataset Labels", JAIR 70 (2021), and as the
 * cleanlab library computes it (find_label_issues, filter_by =
 * "prune_by_noise_rate").  Only items that take part are counted: those
 * marked in `use`, labeled, with probabilities.  With p the item's row
 * of P [n, C] and i its given label:
 *
 *  1. Thresholds: t_j = mean of p_j over the items labeled j (NAN and
 *     never reached when no item is labeled j).
 *  2. Confident joint C[i][j] (given i x true j): an item counts in
 *     column j when p_j >= t_j - 1e-6; with several such classes, the
 *     one with the largest p_j; with none, the item is not counted.
 *     Each diagonal entry is raised to at least 1.
 *  3. Calibration: row i is scaled to sum to the number of items labeled
 *     i, the whole to the number of items taking part, and rounded to
 *     integers keeping each row's total (largest remainders).
 *  4. Joint Q[i][j] = calibrated[i][j] / n_used.  noise[i][j] =
 *     P(given = i | true = j) = Q[i][j] / sum_i Q[i][j]: rows are given
 *     labels, columns true labels, each non-empty column sums to 1.
 *     noise_rate = sum of Q off the diagonal.
 *  5. Prune by noise rate: for each i != j, the calibrated[i][j] items
 *     labeled i with the largest p_j - p_i are label issues (ties: lower
 *     item index first).  At most (items labeled i) - 1 are taken from
 *     row i, so every class keeps an item; when the row's counts exceed
 *     that, columns are served in index order.  An item chosen for
 *     several j gets the j with the largest p_j as its suggestion.
 *  6. An issue whose argmax is its given label is dropped (the model
 *     agrees with the label); the rest are the issues, each with its
 *     suggested label.
 *
 * Cost: O(n C) time, O(n) extra memory, no per-item allocation.
 */
#ifndef RELABEL_CLEANLAB_H
#define RELABEL_CLEANLAB_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/scores.h"

/* Slack under the threshold, as in cleanlab. */
#define CLEANLAB_THRESHOLD_SLACK 1e-6

struct cleanlab {
	int C;
	size_t n;		/* items in the arrays below */
	size_t n_used;		/* items that took part */
	double *threshold;	/* [C] t_j */
	double *count;		/* [C] items labeled j that took part */
	double *confident;	/* [C, C] confident joint, [given][true] */
	double *calibrated;	/* [C, C] integers, [given][true] */
	double *joint;		/* [C, C] Q, [given][true], sums to 1 */
	double *noise;		/* [C, C] P(given = row | true = column) */
	double noise_rate;	/* off-diagonal mass of Q; NAN if n_used = 0 */
	int32_t *confident_class; /* [n] column the item counted in, or -1 */
	uint8_t *issue;		/* [n] 1 = label issue */
	int32_t *suggested;	/* [n] suggested label of an issue, else -1 */
	size_t n_issues;
};

/* Runs confident learning over probs [n, C] (rows already checked, see
 * scores.h) and label [n] (-1 = unlabeled).  use [n] marks the items
 * that may take part (NULL: all); unlabeled items never do, and
 * callers clear use for items without probabilities.  cl owns its
 * arrays; free with cleanlab_free.  n < 2^32, C >= 2.  Returns 0, or -1
 * with e filled on bad arguments. */
int cleanlab_compute(const float *probs, const int32_t *label,
		     const uint8_t *use, size_t n, int C, struct cleanlab *cl,
		     struct err *e);

/* The same, reading each item's self-confidence and argmax from sc
 * (scores_compute on the same probs and labels; NULL: from probs), which
 * spares two reads of P. */
int cleanlab_compute_scored(const float *probs, const int32_t *label,
			    const uint8_t *use, size_t n, int C,
			    const struct scores *sc, struct cleanlab *cl,
			    struct err *e);

void cleanlab_free(struct cleanlab *cl);

#endif
