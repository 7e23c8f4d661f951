/* crowd.h - what several annotators' votes say: majority vote,
 * Dawid-Skene consensus, per-annotator statistics, Krippendorff's alpha.
 *
 * Votes come in long format, one (item, annotator, label) per vote, for
 * n items, A annotators and C classes (2 <= C).  Repeated votes by one
 * annotator on one item are kept as separate votes everywhere.  Indices
 * are below 2^32.  Every result struct owns its arrays and has a _free;
 * the votes themselves stay the caller's.  Dawid-Skene holds two to six
 * arrays of A C^2 doubles while it fits (more with many votes, for its
 * threads): fine for tens of classes, not for thousands.
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
 *   E-step  T[i][k] ~ prior[k] * prod_{votes (i,a,l)} conf[a][k][l],
 *           normalized to sum 1 (computed with rescaling, never
 *           underflowing however many votes an item has)
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
	int threads;		/* 0: the online CPUs; the result does not
				 * depend on it */
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

/* No-information test: an annotator whose label does not depend on the
 * true class says nothing about it (random clickers, and spammers who
 * always give the same label); then all its confusion rows are alike,
 * and so each diagonal entry equals how often it gives that label
 * anyway.  The test is that consequence, on the table of the
 * annotator's votes (true class x label said), where the true class of
 * a vote is the Dawid-Skene posterior from the OTHER annotators' votes
 * on the item (its own votes would pull the posterior their way and fake
 * a dependence):
 *
 *   kappa = (p_o - p_e) / (1 - p_e)   Cohen's kappa against the true
 *            class: p_o = share of its votes on the true class, p_e =
 *            sum_l q_l m_l / N, the share that votes with its label
 *            frequencies q but no knowledge of the item would reach
 *            (m_l = votes whose true class is l, N = votes);
 *   z = (p_o - p_e) N / sqrt(N p_e (1 - p_e)), its distance from chance.
 *
 * no_info = 1 when kappa < CROWD_NOINFO_KAPPA or z < CROWD_NOINFO_Z.  An
 * annotator who only ever says one label has kappa = 0.  A distance
 * between estimated rows (say the largest total variation between two)
 * would not do: with ten classes and a dozen votes a row, chance alone
 * sets a random clicker's rows far apart.  Below CROWD_NOINFO_MIN_VOTES
 * votes kappa is NAN and there is no flag.  As a description, spread is
 * the bias-corrected Cramer's V of the same table (Bergsma 2013) over the
 * classes holding a vote's worth: 0 = rows alike, 1 = each class its own
 * label (NAN with fewer than two such classes). */
#define CROWD_NOINFO_KAPPA	0.1
#define CROWD_NOINFO_Z		2.33
#define CROWD_NOINFO_MIN_VOTES	10

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
	double *spread;		/* Cramer's V above, 0 .. 1, or NAN */
	double *kappa;		/* kappa above, -1 .. 1, or NAN */
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
