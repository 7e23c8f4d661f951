/* adam.h - Adam with decoupled weight decay (AdamW, Loshchilov and
 * Hutter), the optimizer of every training run.
 *
 * Per parameter, at step t (from 1) with learning rate lr:
 *	p -= lr * wd * p			(decay, not through m and v)
 *	m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2
 *	p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * which is PyTorch's AdamW.  Defaults: b1 0.9, b2 0.999, eps 1e-8.
 * The decay applies to weights and biases alike.
 *
 * adam_update works on any range of the parameter block, so a sparse
 * first layer updates only the rows its batch touched (lazy Adam, as
 * PyTorch's SparseAdam: untouched rows keep their m, v and value).
 */
#ifndef RELABEL_ADAM_H
#define RELABEL_ADAM_H

#include <stddef.h>

struct adam {
	float beta1, beta2, eps, wd;
	long t;			/* steps taken */
	double bc1, bc2;	/* 1 - b1^t, 1 - b2^t */
	size_t n;
	float *m, *v;		/* [n] each, one block, owned */
};

/* State for n parameters, zeroed, with weight decay wd. */
void adam_init(struct adam *a, size_t n, float wd);
void adam_free(struct adam *a);
/* Starts a step: t += 1 and the bias corrections. */
void adam_tick(struct adam *a);
/* Updates param[off, off + len) from grad (same indexing) at rate lr. */
void adam_update(struct adam *a, float *param, const float *grad,
		 size_t off, size_t len, float lr);

#endif
