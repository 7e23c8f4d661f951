/* rank.c - scores, confident learning, crowd consensus and suspicion in
 * one call. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/cleanlab.h"
#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/queue.h"
#include "relabel/rank.h"
#include "relabel/scores.h"

/* Scores, then confident learning over the labeled train items that
 * have probabilities. */
static int rank_model(const struct rank_input *in, struct rank_output *out,
		      struct err *e)
{
	uint8_t *use;
	int rc;

	if (scores_compute(in->probs, in->has_probs, in->label, in->n, in->C,
			   &out->sc, e) < 0)
		return -1;
	use = xmalloc(in->n);
	for (size_t i = 0; i < in->n; i++)
		use[i] = (!in->has_probs || in->has_probs[i]) &&
			(!in->train || in->train[i]);
	rc = cleanlab_compute_scored(in->probs, in->label, use, in->n, in->C,
				     &out->sc, &out->cl, e);
	free(use);
	if (rc == 0)
		out->has_model = 1;
	return rc;
}

static int rank_crowd(const struct rank_input *in, struct rank_output *out,
		      struct err *e)
{
	if (crowd_index_build(&in->votes, in->n, in->A, in->C, &out->ix,
			      e) < 0)
		return -1;
	for (size_t i = 0; in->expert && i < in->n; i++)
		if (in->expert[i] < -1 || in->expert[i] >= in->C)
			return err_set(e, "item %zu: expert label %d is not a "
				       "class (0 .. %d, or -1 for none)", i,
				       in->expert[i], in->C - 1);
	crowd_majority_compute(&in->votes, &out->ix, in->C, &out->maj);
	if (crowd_ds_fit(&in->votes, &out->ix, in->A, in->C, &in->ds,
			 &out->ds, e) < 0)
		return -1;
	crowd_annotators_compute(&in->votes, &out->ix, in->expert, &out->ds,
				 &out->an);
	out->alpha = crowd_alpha(&in->votes, &out->ix, in->C);
	out->has_votes = 1;
	return 0;
}

int rank_compute(const struct rank_input *in, struct rank_output *out,
		 struct err *e)
{
	memset(out, 0, sizeof *out);
	out->n = in->n;
	out->C = in->C;
	out->alpha = NAN;
	if (in->C < 2)
		return err_set(e, "%d classes: need at least two", in->C);
	if (in->n > UINT32_MAX)
		return err_set(e, "%zu items: at most %u can be ranked", in->n,
			       UINT32_MAX);
	for (size_t i = 0; i < in->n; i++)
		if (in->label[i] < -1 || in->label[i] >= in->C)
			return err_set(e, "item %zu: label %d is not a class "
				       "(0 .. %d, or -1 for none)", i,
				       in->label[i], in->C - 1);
	if ((in->probs && rank_model(in, out, e) < 0) ||
	    (in->votes.n && rank_crowd(in, out, e) < 0)) {
		rank_output_free(out);
		return -1;
	}
	queue_suspicion(in, out);
	return 0;
}

void rank_output_free(struct rank_output *out)
{
	scores_free(&out->sc);
	cleanlab_free(&out->cl);
	crowd_index_free(&out->ix);
	crowd_majority_free(&out->maj);
	crowd_ds_free(&out->ds);
	crowd_annotators_free(&out->an);
	free(out->suspicion);
	memset(out, 0, sizeof *out);
	out->alpha = NAN;
}
