/* analysis.h - a project's ranking: its items, votes and newest run read
 * from the store and handed to the rank module.
 *
 * Used by the rank, audit, export and eval commands, the training
 * pipeline and the review screen, so that every one of them orders and
 * flags items the same way.
 */
#ifndef RELABEL_ANALYSIS_H
#define RELABEL_ANALYSIS_H

#include <stdint.h>

#include "relabel/err.h"
#include "relabel/rank.h"
#include "relabel/store.h"

struct analysis {
	struct class_list classes;
	struct item_table items;
	struct vote_table votes;
	int64_t run;			/* newest run, 0 when there is none */
	float *probs;			/* [n, C] or NULL without a run */
	unsigned char *has;		/* [n] item scored by the run */
	unsigned char *oos;		/* [n] out-of-sample probabilities */
	unsigned char *train;		/* [n] split is train */
	int32_t *expert;		/* [n] reviewed label, else -1 */
	struct rank_input in;
	struct rank_output out;
};

/* Reads everything and ranks it against the current labels. */
int analysis_load(struct store *st, struct analysis *a, struct err *e);
void analysis_free(struct analysis *a);

/* What a run stores of its ranking. */
struct ranking {
	float *suspicion;	/* [n] */
	unsigned char *issue;	/* [n] */
	int *suggested;		/* [n] LABEL_NONE unless an issue */
	double noise_rate;	/* < 0 when not estimated */
	float *noise;		/* [C, C] joint of given x true, or NULL */
	size_t flagged;
};

/* Ranks probs [t->n, nclass] (rows marked in has) with the project's
 * votes, for a run about to be saved. */
int analysis_rank(struct store *st, const struct item_table *t, int nclass,
		  const float *probs, const unsigned char *has,
		  struct ranking *out, struct err *e);
void ranking_free(struct ranking *r);

/* Confident learning's noise rate over train items with out-of-sample
 * probabilities; 0 when it cannot be estimated. */
double analysis_noise_rate(const int *label, const unsigned char *split,
			   const float *probs, const unsigned char *oos,
			   size_t n, int nclass);

#endif
