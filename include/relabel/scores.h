/* scores.h - per-item scores from a model's predicted probabilities.
 *
 * Input is P [n, C] float32, row-major, one row of class probabilities
 * per item (out-of-sample, rows sum to 1), and each item's current
 * label y (-1 = unlabeled).  Every score is computed in one pass over P.
 *
 *   loss       -log max(p_y, SCORES_EPS)      0 .. 27.6, higher = worse
 *   selfconf   p_y                            0 .. 1, the self-confidence
 *   margin     p_y - max_{k != y} p_k         -1 .. 1, negative when the
 *                                             model prefers another class
 *   entropy    -sum_k p_k log p_k / log C     0 .. 1 (1 = uniform row);
 *                                             terms with p_k = 0 add 0
 *   argmax     the most probable class, the lowest index on a tie
 *
 * loss, selfconf and margin are NAN for unlabeled items; every score is
 * NAN (argmax -1) for items without probabilities.
 */
#ifndef RELABEL_SCORES_H
#define RELABEL_SCORES_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"

/* Probabilities below this count as this in the loss. */
#define SCORES_EPS 1e-12
/* A row is refused when its sum is further than this from 1. */
#define SCORES_SUM_TOL 1e-3

struct scores {
	size_t n;
	float *loss;		/* [n] */
	float *selfconf;	/* [n] */
	float *margin;		/* [n] */
	float *entropy;		/* [n] */
	int32_t *argmax;	/* [n] */
};

/* Fills s (arrays owned by s, freed by scores_free) from probs [n, C].
 * has_probs [n] marks the rows that hold probabilities (NULL: all do).
 * label [n] in -1 .. C-1.  Fails, naming the item, on a label out of
 * range or a row with a negative, non-finite or badly summing value;
 * s is left empty then.  C >= 2.  Returns 0 or -1. */
int scores_compute(const float *probs, const uint8_t *has_probs,
		   const int32_t *label, size_t n, int C, struct scores *s,
		   struct err *e);

void scores_free(struct scores *s);

#endif
