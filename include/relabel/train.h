/* train.h - training runs: cross-fitted out-of-sample probabilities and
 * a final model, for the train command and the retrain worker.
 *
 * Which items are used.  A labeled training item has label >= 0 and
 * split 0 (train).  Only those are ever trained on; unlabeled items
 * (label -1) and the test and holdout splits never are.
 *
 * Cross-fitting (folds = K >= 2).  The labeled training items are dealt
 * into K stratified folds: each class's items, shuffled with the seed,
 * are dealt round-robin, continuing from where the previous class
 * stopped, so every fold gets each class's share to within one item.
 * For each fold a model is trained on the other K - 1 folds and scores
 * the fold's items (oos = 1, fold[i] = that fold).  Then a final model
 * is trained on all labeled training items; it scores every other item
 * (oos = 0, fold[i] = -1) and is returned as a model blob.  That is
 * K + 1 trainings.  folds = 1 skips cross-fitting: only the final model
 * is trained, and every item's probabilities come from it (oos all 0),
 * including items it was trained on.
 *
 * A model is a co-teaching pair (TRAIN_COTEACH, see coteach.h) or one
 * net (TRAIN_STANDARD: plain training on every sample).  A pair's
 * probabilities are the mean of its two nets' softmax.
 *
 * Schedule: each epoch visits the model's training items once in a
 * fresh shuffled order, in batches of `batch` (the last one smaller).
 * The learning rate is lr for the first two thirds of the epochs, then
 * falls linearly to 0 at the end of the last epoch, step by step:
 *	lr(e) = lr * min(1, 3 * (epochs - e) / epochs), e = fractional epoch.
 * Optimizer: AdamW (adam.h) with weight_decay.
 *
 * Deterministic: every random choice (folds, initializations, shuffles,
 * mixup) comes from rng streams derived from seed, and the work is split
 * between threads by their count alone, so the same inputs, seed and
 * threads give bit-identical probabilities.
 *
 * Threads: a training runs on `threads` threads of its own (0: as many
 * as OpenBLAS is set to use), each calling single-threaded OpenBLAS on
 * its share (coteach.h); OpenBLAS is set to one thread while a model
 * trains and set back after.  Threads started by the caller's thread
 * inherit its scheduling priority.
 *
 * Memory: one training at a time, each net holding 16 bytes per
 * parameter (weights, gradient, Adam's two moments).  A text model with
 * 2^18 inputs and 256 hidden units is 67M parameters: about 1 GiB per
 * net, 2 GiB for a co-teaching pair.
 */
#ifndef RELABEL_TRAIN_H
#define RELABEL_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/loss.h"
#include "relabel/matrix.h"

enum train_method { TRAIN_COTEACH, TRAIN_STANDARD };

struct train_opts {
	enum train_method method;	/* default TRAIN_COTEACH */
	enum loss_kind loss;		/* default LOSS_CE */
	float smooth_eps;		/* 0.1 */
	float focal_gamma;		/* 2 */
	float gce_q;			/* 0.7 */
	float mixup_alpha;		/* 0 = off; dense features only */
	int epochs;			/* 20 */
	int folds;			/* 4; 1 = final model only */
	int batch;			/* 128 */
	int hidden[8], nhidden;		/* {256}, 1 */
	float lr;			/* 1e-3 */
	float weight_decay;		/* 1e-4 (decoupled) */
	float noise_rate;		/* co-teaching tau, in [0, 1); 0.2 */
	float tk_epochs;		/* co-teaching T_k, > 0; 10 */
	float trusted_weight;		/* loss weight of trusted items; 1 */
	uint64_t seed;			/* 1 */
	int threads;			/* training threads, 0 = OpenBLAS's */
};

void train_opts_default(struct train_opts *o);
/* "coteach" / "standard"; train_method_parse returns -1 if unknown. */
const char *train_method_name(enum train_method m);
int train_method_parse(const char *name, enum train_method *m);

struct train_set {
	const struct features *x;	/* n rows, dense or CSR */
	size_t n;
	int nclass;			/* 2 .. MLP_MAX_WIDTH */
	const int *label;		/* [n] current label, -1 = unlabeled */
	const unsigned char *split;	/* [n] 0 train, 1 test, 2 holdout;
					 * NULL = all train */
	const unsigned char *trusted;	/* [n] 1 = expert-reviewed, or NULL */
};

struct train_progress {
	int fold, folds;		/* fold == folds: the final model */
	int epoch, epochs;		/* epoch just finished, from 1 */
	float loss;			/* mean loss of the samples trained on */
	float kept;			/* fraction of samples trained on */
	double elapsed, remaining;	/* seconds; remaining is an estimate */
	double frac;			/* of the whole run, in [0, 1] */
};
typedef void (*train_progress_fn)(const struct train_progress *p,
				  void *user);

struct train_result {
	float *probs;		/* [n, nclass]: cross-fitted for labeled
				 * training items, final model for others */
	unsigned char *oos;	/* [n] 1 where probs are cross-fitted */
	int *fold;		/* [n] fold that held the item out, -1 where
				 * the final model scored it */
	unsigned char *blob;	/* final model (modelblob.h) */
	size_t blob_len;
	size_t ntrain;		/* labeled training items */
	double seconds;		/* wall time of the whole run */
	float kept_final;	/* final model, last epoch: fraction kept */
	float loss_final;	/* final model, last epoch: mean loss */
};

/* Runs the trainings described above.  fn (may be NULL) is called after
 * every epoch of every training, from the calling thread.  cancel (may
 * be NULL) is read between batches: nonzero stops the run, which
 * returns -1 with the message "cancelled".  Other errors (bad options,
 * labels out of range, too few labeled items, non-finite features,
 * mixup with sparse features) return -1 with a message saying what to
 * change.  On success out owns its arrays: train_result_free. */
int train_run(const struct train_set *s, const struct train_opts *o,
	      train_progress_fn fn, void *user, const volatile int *cancel,
	      struct train_result *out, struct err *e);
void train_result_free(struct train_result *r);

/* Scores x ([rows, nclass] into probs) with a model blob from a train
 * run.  -1 if the blob is damaged or x does not match the model's input
 * (kind or columns). */
int train_predict(const unsigned char *blob, size_t len,
		  const struct features *x, float *probs, struct err *e);

#endif
