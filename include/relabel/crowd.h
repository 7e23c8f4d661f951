/* crowd.h - what several annotators' votes say: majority vote,
 * Dawid-Skene consensus, per-annotator statistics, Krippendorff's alpha.
 *
 * Votes come in long format, one (item, annotator, label) per vote, for
 * n items, A annotators and C classes (2 <= C).  Repeated votes by one
 * annotator on one item are kept as separate votes everywhere.  Indices
 * are below 2^32.  Every result struct owns its arrays and has a _free;
 * the votes themselves stay the caller's.
 */
#ifndef RELABEL_CROWD_H
#define RELABEL_CROWD_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"

struct crowd_votes {
	size_t n;			/* number of votes */
	const uint32_t *item;		/* [n] 0 .. items - 1 */
	const uint32_t *annotator;	/* [n] 0 .. A - 1 */
	const int32_t *label;		/* [n] 0 .. C - 1 */
};

/* The votes grouped by item, within an item by annotator, then in input
 * order: item i's votes are vote[start[i] .. start[i+1]). */
struct crowd_index {
	size_t n_items;
	size_t *start;		/* [n_items + 1] */
	uint32_t *vote;		/* [votes] indices into struct crowd_votes */
};

/* Checks every vote (item, annotator and label in range; the message
 * names the vote) and builds ix.  Returns 0 or -1. */
int crowd_index_build(const struct crowd_votes *v, size_t n_items,
		      size_t A, int C, struct crowd_index *ix, struct err *e);
void crowd_index_free(struct crowd_index *ix);

/* Plain majority vote.  On a tie the returned label is the tied class
 * with the most votes over the whole data set, then the lowest index;
 * tie[i] says a tie was broken. */
struct crowd_majority {
	size_t n;
	int32_t *label;		/* [n] -1 for an item without votes */
	uint8_t *tie;		/* [n] 1 when two or more classes share the top */
	uint32_t *n_votes;	/* [n] */
	float *entropy;		/* [n] entropy of the vote shares / log C:
				 * 0 .. 1, 0 with one vote, NAN with none */
};

/* Reads v through ix (built for the same votes).  Never fails. */
void crowd_majority_compute(const struct crowd_votes *v,
			    const struct crowd_index *ix, int C,
			    struct crowd_majority *m);
void crowd_majority_free(struct crowd_majority *m);

/* Dawid & Skene (1979), "Maximum likelihood estimation of observer
 * error-rates using the EM algorithm", with smoothing:
 *
 *   start   T[i][k] = share of item i's votes that say k (soft majority)
 *   M-step  prior[k]   = (sum_i T[i][k] + alpha) / (n_voted + C alpha)
 *           conf[a][j][l] = (alpha + sum_{votes (i,a,l)} T[i][j])
 *                         / (C alpha + sum_{votes (i,a,.)} T[i][j])
 *   E-step  log T[i][k] = log prior[k] + sum_{votes (i,a,l)} log conf[a][k][l],
 *           normalized with log-sum-exp
 *
 * repeated until the largest change of any T[i][k] is below tol, or
 * max_iter M+E rounds have run.  Only items with votes (n_voted of them)
 * take part; an item without votes gets post = prior, label -1 and
 * no_votes = 1.  An annotator's confusion row for a class it was never
 * seen on is uniform (1/C), which alpha guarantees. */
#define CROWD_DS_ALPHA		0.01
#define CROWD_DS_TOL		1e-6
#define CROWD_DS_MAX_ITER	100

struct crowd_ds_params {
	double alpha;		/* Dirichlet smoothing added to every count */
	double tol;		/* convergence: max |delta T| below this */
	int max_iter;		/* cap on M+E rounds */
};

struct crowd_ds {
	size_t n, A;
	int C;
	double *post;		/* [n, C] P(true class | votes) */
	double *prior;		/* [C] */
	double *conf;		/* [A, C, C] conf[(a*C + j)*C + l] =
				 * P(annotator a says l | true class j) */
	int32_t *label;		/* [n] argmax of post (lowest index on a tie),
				 * -1 without votes */
	uint8_t *no_votes;	/* [n] */
	float *doubt;		/* [n] 1 - max_k post[k], NAN without votes */
	int iterations;		/* M+E rounds run */
	double delta;		/* max |delta T| of the last round */
	int converged;		/* delta < tol */
	double loglik;		/* log P(votes) under the last parameters */
};

/* Fills p with the defaults above. */
void crowd_ds_params_default(struct crowd_ds_params *p);

/* Runs the EM above over votes v indexed by ix; p NULL, or a field 0,
 * means the default.  Fails only on a negative parameter.  ds owns its
 * arrays (free with crowd_ds_free).  Returns 0 or -1. */
int crowd_ds_fit(const struct crowd_votes *v, const struct crowd_index *ix,
		 size_t A, int C, const struct crowd_ds_params *p,
		 struct crowd_ds *ds, struct err *e);
void crowd_ds_free(struct crowd_ds *ds);

/* No-information test: an annotator whose confusion rows are all alike
 * says nothing about the true class (random clickers, and spammers who
 * always give the same label).  Rows whose Dawid-Skene mass (sum of T
 * over the annotator's votes) is below CROWD_NOINFO_MASS are too thin to
 * compare and are skipped; with two or more rows left, no_info = 1 when
 * the largest total-variation distance between two of them,
 * max_{j,j'} 1/2 sum_l |conf[a][j][l] - conf[a][j'][l]|, is below
 * CROWD_NOINFO_TV. */
#define CROWD_NOINFO_TV		0.2
#define CROWD_NOINFO_MASS	2.0

/* Per annotator, arrays [A]. */
struct crowd_annotators {
	size_t A;
	uint32_t *n_labels;	/* votes given */
	uint32_t *n_compared;	/* votes on items others also voted on */
	double *agreement;	/* leave-one-out: share of n_compared votes
				 * equal to the majority of the OTHER
				 * annotators' votes on the item (a tie among
				 * t classes counts 1/t when the vote is one
				 * of them); NAN when n_compared = 0 */
	uint32_t *n_expert;	/* votes on items with an expert label */
	double *expert_acc;	/* share of those equal to it; NAN if none */
	double *ds_acc;		/* sum_j prior[j] conf[a][j][j] */
	double *spread;		/* the largest row distance above; NAN when
				 * fewer than two rows are compared */
	uint8_t *no_info;	/* 1 = no information (see above) */
};

/* expert [n_items] (-1 = none) may be NULL.  ds from crowd_ds_fit on the
 * same votes.  Never fails. */
void crowd_annotators_compute(const struct crowd_votes *v,
			      const struct crowd_index *ix,
			      const int32_t *expert, const struct crowd_ds *ds,
			      struct crowd_annotators *an);
void crowd_annotators_free(struct crowd_annotators *an);

/* Krippendorff's alpha for nominal data over the items with two or more
 * votes (each vote one value, repeats included):
 * alpha = 1 - (N - 1) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)
 *             / (N^2 - sum_c N_c^2),
 * with n_uc the votes for c on item u, m_u = sum_c n_uc, N_c = sum_u n_uc
 * and N = sum_c N_c.  NAN when that denominator is 0 (one value in use,
 * or no item with two votes). */
double crowd_alpha(const struct crowd_votes *v, const struct crowd_index *ix,
		   int C);

#endif
