/* rank.h - every ranking score for a project in one call.
 *
 * rank_compute runs what the inputs allow: with probabilities, the
 * per-item scores (scores.h) and confident learning (cleanlab.h); with
 * votes, majority vote, Dawid-Skene, annotator statistics and
 * Krippendorff's alpha (crowd.h); always, the suspicion score
 * (queue.h).  Queues and their "why" lines are built from the result
 * with queue_order and queue_why.
 *
 * Ownership: the input arrays stay the caller's and are only read; they
 * must outlive any queue_order / queue_why call on the output.  The
 * output owns every array in it; rank_output_free releases them all.
 * Cost: O(n C + votes C) per call plus one O(n) radix sort per queue;
 * no per-item allocation.
 */
#ifndef RELABEL_RANK_H
#define RELABEL_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/cleanlab.h"
#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/scores.h"

struct rank_input {
	size_t n;			/* items, below 2^32 */
	int C;				/* classes, >= 2 */
	const int32_t *label;		/* [n] current label, -1 = unlabeled */
	const float *probs;		/* [n, C] out-of-sample probabilities,
					 * or NULL: no model */
	const uint8_t *has_probs;	/* [n] rows of probs that hold values,
					 * NULL = all */
	const uint8_t *train;		/* [n] items confident learning may use
					 * (e.g. split = train), NULL = all */
	const uint8_t *reviewed;	/* [n] reviewed by an expert, NULL = none;
					 * only the queues read it */
	struct crowd_votes votes;	/* votes.n = 0: no votes */
	size_t A;			/* annotators */
	const int32_t *expert;		/* [n] expert label, -1 = none; NULL */
	struct crowd_ds_params ds;	/* zero fields: the defaults */
};

struct rank_output {
	size_t n;
	int C;
	int has_model;			/* probs given: sc and cl are filled */
	int has_votes;			/* votes given: ix .. alpha are filled */
	struct scores sc;
	struct cleanlab cl;
	struct crowd_index ix;
	struct crowd_majority maj;
	struct crowd_ds ds;
	struct crowd_annotators an;
	double alpha;			/* Krippendorff's alpha; NAN without */
	float *suspicion;		/* [n], see queue.h */
};

/* Fills out from in.  Bad input (a label or vote out of range, a row
 * of probabilities that is not a distribution) fails with a message
 * naming the item or vote; out is then empty.  Returns 0 or -1. */
int rank_compute(const struct rank_input *in, struct rank_output *out,
		 struct err *e);

void rank_output_free(struct rank_output *out);

#endif
