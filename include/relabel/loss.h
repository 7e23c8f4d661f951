/* loss.h - softmax and the per-sample training losses, with their
 * gradients with respect to the logits.
 *
 * With p = softmax(z) and y the label, K classes:
 *   LOSS_CE	 -log p_y
 *   LOSS_SMOOTH -sum_j t_j log p_j, t = (1 - eps) onehot(y) + eps / K
 *		 (label smoothing as in PyTorch; eps default 0.1)
 *   LOSS_FOCAL	 -(1 - p_y)^gamma log p_y (alpha = 1; gamma default 2)
 *   LOSS_MAE	 sum_j |onehot(y)_j - p_j| = 2 - 2 p_y, the L1 distance
 *		 between the softmax and the one-hot target (bounded, its
 *		 gradient -2 p_y (onehot(y) - p) vanishes on hard samples)
 *   LOSS_GCE	 (1 - p_y^q) / q, generalized cross-entropy (q default
 *		 0.7; q -> 0 is CE, q = 1 is MAE / 2)
 * Softmax and log-softmax subtract the row maximum and are computed in
 * double, so logits of any finite size (1000, -1000) are safe.
 *
 * Mixup: a sample mixed as lam * x_a + (1 - lam) * x_b with the one-hot
 * target lam * onehot(y_a) + (1 - lam) * onehot(y_b) is scored as
 * lam * L(z, y_a) + (1 - lam) * L(z, y_b).  For CE and label smoothing
 * that is exactly the loss of the mixed target; the other losses use
 * the same combination (as the mixup paper's reference code does).
 */
#ifndef RELABEL_LOSS_H
#define RELABEL_LOSS_H

#include <stddef.h>

enum loss_kind { LOSS_CE, LOSS_SMOOTH, LOSS_FOCAL, LOSS_MAE, LOSS_GCE };

struct loss_opts {
	enum loss_kind kind;
	float smooth_eps;	/* LOSS_SMOOTH, in [0, 1) */
	float focal_gamma;	/* LOSS_FOCAL, >= 0 */
	float gce_q;		/* LOSS_GCE, in (0, 1] */
};

/* The defaults above for kind. */
void loss_opts_default(struct loss_opts *o, enum loss_kind kind);
/* "ce", "smooth", "focal", "mae", "gce"; loss_parse returns -1 on an
 * unknown name. */
const char *loss_name(enum loss_kind k);
int loss_parse(const char *name, enum loss_kind *k);

/* Row-wise softmax of z[n, k] into p[n, k] (p may equal z). */
void loss_softmax(const float *z, size_t n, int k, float *p);
/* Row-wise log-softmax, same shapes. */
void loss_log_softmax(const float *z, size_t n, int k, float *lp);

/* Losses of a batch of logits z[n, k].
 *   ya[n]	labels in [0, k)
 *   yb[n]	second labels of a mixup batch, or NULL (then lam unused)
 *   w[n]	per-sample weights, or NULL for 1
 *   loss[n]	out: each sample's loss, unweighted (may be NULL)
 *   grad[n, k]	out: w_i * d loss_i / d z_i (may be NULL)
 */
void loss_batch(const struct loss_opts *o, const float *z, size_t n, int k,
		const int *ya, const int *yb, float lam, const float *w,
		float *loss, float *grad);

#endif
