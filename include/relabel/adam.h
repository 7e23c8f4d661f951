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
 * A step is two calls: adam_tick once, then adam_update on any ranges
 * of the parameter block.  adam_update reads the step's coefficients
 * from its struct adam_step and touches only its own range of param,
 * grad, m and v, so threads may update disjoint ranges at once.  A
 * sparse first layer updates only the rows its batch touched (lazy
 * Adam, as PyTorch's SparseAdam: untouched rows keep their m, v and
 * value).
 *
 * adam_update leaves zero in the gradient it consumed, so a gradient
 * block that starts zeroed is ready for the next backward pass to add
 * into (mlp.h) without a separate clearing pass.
 */
#ifndef RELABEL_ADAM_H
#define RELABEL_ADAM_H

#include <stddef.h>

struct adam {
	float beta1, beta2, eps, wd;
	long t;			/* steps taken */
	size_t n;
	float *m, *v;		/* [n] each, one block, owned */
};

/* The coefficients of one step, shared by its adam_update calls. */
struct adam_step {
	float b1, b2, eps;
	float rate;		/* lr / (1 - b1^t) */
	float rbc2;		/* 1 / (1 - b2^t) */
	float decay;		/* 1 - lr * wd */
};

/* State for n parameters, zeroed, with weight decay wd. */
void adam_init(struct adam *a, size_t n, float wd);
void adam_free(struct adam *a);
/* Starts a step at rate lr: t += 1, and s gets its coefficients. */
void adam_tick(struct adam *a, float lr, struct adam_step *s);
/* Updates param[off, off + len) from grad (same indexing), then sets
 * grad[off, off + len) to zero. */
void adam_update(struct adam *a, const struct adam_step *s, float *param,
		 float *grad, size_t off, size_t len);

#endif
