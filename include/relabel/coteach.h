/* coteach.h - co-teaching (Han et al., 2018) and the training loop of
 * one model: a pair of nets, or one net for standard training.
 *
 * Two nets start from different seeds and see the same batches.  In
 * every batch each net computes its loss on every sample and keeps its
 * small-loss samples; its peer takes a gradient step on them (and only
 * on them).  The share kept falls over the first T_k epochs:
 *	R(t) = 1 - tau * min(t / T_k, 1)
 * where t is the fractional epoch at the start of the batch (epoch e,
 * batch j of J: t = e + j / J, e from 0).
 *
 * Selection within a batch of n samples, u of them untrusted: trusted
 * samples are always kept and do not count against the quota; of the
 * u untrusted samples the floor(R * u) with the smallest loss are kept
 * (ties broken by position in the batch).  So exactly
 * u - floor(R * u) samples are dropped, all untrusted.  The loss that
 * ranks is the training loss (loss.h); CE, MAE and GCE all fall as p_y
 * rises, so they rank alike.
 *
 * A net's step minimizes the mean over the n_kept samples its peer
 * chose of w_i * loss_i, with w_i = trusted_weight for trusted samples
 * and 1 for others.  Standard training (one net) keeps every sample.
 * With mixup (dense input), the batch is mixed before both nets see it
 * and the selection ranks the mixed samples; a mixed sample counts as
 * trusted only when both of its sources are.
 *
 * Each net's forward pass on the whole batch gives both the losses that
 * rank and the activations its step needs: the rows its peer kept are
 * packed together and the backward pass runs on them alone.
 *
 * Threads (train_opts.threads; 0 takes OpenBLAS's count).  A pair with
 * two or more threads gives each net half of them, and the nets run
 * side by side, meeting twice a batch (batch gathered; both nets'
 * losses known).  Threads that share one net split every layer's
 * columns.  Every dense product is a single-threaded cblas_sgemm on
 * the thread's share: OpenBLAS is set to one thread from coteach_init
 * to coteach_free, which restores its count.  The split depends only on
 * the thread count, so a run repeats bit for bit at the same count.
 */
#ifndef RELABEL_COTEACH_H
#define RELABEL_COTEACH_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/adam.h"
#include "relabel/loss.h"
#include "relabel/matrix.h"
#include "relabel/mlp.h"
#include "relabel/rng.h"
#include "relabel/train.h"

/* R(t) above; tau in [0, 1), tk > 0. */
float coteach_keep_rate(float tau, double t, float tk);

/* Marks in keep[n] (0/1) the samples kept by the rule above and returns
 * their number.  trusted may be NULL.  scratch: [n] work space. */
size_t coteach_select(const float *loss, const unsigned char *trusted,
		      size_t n, float rate, unsigned char *keep,
		      uint64_t *scratch);

struct coteach_run;	/* batch buffers, selection state, threads */

/* A model in training and everything its steps reuse. */
struct coteach {
	int nnet;			/* 2: co-teaching pair, 1: standard */
	int nthread;			/* threads sharing every step */
	struct mlp net[2];
	struct adam opt[2];
	struct mlp_work work[2];
	struct loss_opts loss;
	const struct train_opts *o;
	size_t cap;			/* batch rows */
	long step;			/* batches taken */
	struct coteach_run *run;	/* owned (coteach.c) */
};

/* Statistics of one epoch (for progress). */
struct coteach_stats {
	double loss;			/* mean weighted loss of kept samples */
	double kept;			/* kept / seen, averaged over nets */
};

/* Sets up a model of the given shape: nets from seed streams, Adam
 * state, buffers for o->batch rows, the threads.  Shape is checked (see
 * mlp_init). */
int coteach_init(struct coteach *c, const struct mlp_shape *s, int nnet,
		 const struct train_opts *o, uint64_t seed, struct err *e);
void coteach_free(struct coteach *c);

/* One epoch (number epoch, from 0) over the items idx[0..n) of x with
 * labels label[] and trusted[] (item-indexed, trusted may be NULL).
 * Returns 0, or -1 when *cancel became nonzero (nothing is reported in
 * that case; the caller says "cancelled"). */
int coteach_epoch(struct coteach *c, const struct features *x,
		  const int *label, const unsigned char *trusted,
		  uint32_t *idx, size_t n, int epoch,
		  const volatile int *cancel, struct coteach_stats *st);

/* Mean softmax of c's nets on rows idx[0..n) of x (idx NULL: rows
 * 0..n-1) into probs[n, nclass], row i for idx[i], on c's threads. */
void coteach_score(struct coteach *c, const struct features *x,
		   const uint32_t *idx, size_t n, float *probs);

/* Mean softmax of nets[0..nnet) (one shape) on rows idx[0..n) of x
 * (idx NULL: rows 0..n-1), into probs[n, nclass], row i for idx[i].
 * work: made for that shape, any cap >= 1; xb: [work cap, nin] for
 * dense input with idx, else unused (may be NULL). */
void coteach_predict(const struct mlp *nets, int nnet,
		     struct mlp_work *work, float *xb,
		     const struct features *x, const uint32_t *idx, size_t n,
		     float *probs);

#endif
