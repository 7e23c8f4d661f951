/* pipeline.h - one training run on a project, from its current labels to
 * a stored run: features, cross-fitted co-teaching, the ranking and its
 * noise estimate, all saved in one transaction.
 *
 * Used by `relabel train` and by the review screen's retrain worker
 * (which calls it from its own thread with its own struct store).
 * Current labels are the given labels overridden by reviews; reviewed
 * items are trusted by co-teaching.
 */
#ifndef RELABEL_PIPELINE_H
#define RELABEL_PIPELINE_H

#include <stdint.h>

#include "relabel/err.h"
#include "relabel/store.h"
#include "relabel/train.h"

struct pipeline_opts {
	struct train_opts train;
	int noise_auto;		/* estimate tau (train.noise_rate ignored) */
	int image_size;		/* FEATURIZE_DEFAULT_SIZE */
};

void pipeline_opts_default(struct pipeline_opts *o);

struct pipeline_result {
	int64_t run;		/* the stored run */
	double seconds;		/* training wall time */
	size_t ntrain;		/* labeled training items trained on */
	size_t nreviewed;	/* of them, trusted expert labels */
	float tau;		/* co-teaching rate used */
	int tau_source;		/* 0 given, 1 previous run, 2 pre-pass */
	double noise_rate;	/* estimate of this run, < 0 if none */
	size_t flagged;		/* items flagged as label issues */
	double test_accuracy;	/* on the test split, < 0 if none */
	int64_t last_review;	/* newest review id the run saw */
	int features_cached;
};

/* Trains and stores a run.  fn, user and cancel go to train_run.  On
 * cancel nothing is stored and -1 comes back with "cancelled". */
int pipeline_train(struct store *st, const struct pipeline_opts *o,
		   train_progress_fn fn, void *user,
		   const volatile int *cancel, struct pipeline_result *out,
		   struct err *e);

/* The options of a run as the JSON stored with it, and back. */
char *pipeline_opts_json(const struct pipeline_opts *o);
int pipeline_opts_from_json(const char *json, struct pipeline_opts *o);

#endif
