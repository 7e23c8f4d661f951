/* mlp.h - a multilayer perceptron over OpenBLAS: ReLU hidden layers,
 * logits out (softmax is applied by the loss), float32.
 *
 * Layer l (0 <= l < nlayer) maps size[l] inputs to size[l+1] outputs:
 *	z = a_l · w[l] + b[l],	a_{l+1} = relu(z) (no ReLU after the last)
 * Every weight is stored [in, out] row-major, so a dense batch [n, in]
 * multiplies it with one cblas_sgemm and a sparse input row picks the
 * rows of w[0] its nonzero columns name.
 *
 * All parameters live in one block (param), each w[l] / b[l] a pointer
 * into it in the order w0 b0 w1 b1 ...; the gradient block (grad) has
 * the same layout.  Saving a model is one write of param; zeroing the
 * gradient is one memset of grad.
 *
 * The backward pass adds into grad (as PyTorch's .grad): the caller
 * zeroes it first with mlp_grad_zero, or lets Adam's update clear what
 * it consumed (adam.h), which saves a pass over the block every step.
 *
 * Threads.  The passes are also offered in column blocks of one layer
 * (mlp_forward_cols, mlp_grad_cols, mlp_delta_cols) so that several
 * threads can share a net: each block writes only its own columns, so
 * blocks of one layer may run at once, and a layer's blocks must all
 * end before the next layer's start.  Running every block of every
 * layer in order gives the whole pass.
 *
 * Sparse first layer (text, up to 2^18 or more columns): the product of
 * a CSR row with w[0] is written by hand (a sum of rows of w[0]), and the
 * backward pass writes only the rows of gw[0] whose column occurs in the
 * batch; mlp_touch lists them in mlp_work.touched.  Memory for such a
 * net is about 4 bytes x in x out for param, the same for grad.
 */
#ifndef RELABEL_MLP_H
#define RELABEL_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/rng.h"

#define MLP_MAX_HIDDEN 8
#define MLP_MAX_LAYERS (MLP_MAX_HIDDEN + 1)
/* Limits checked before allocating (model files are checked too). */
#define MLP_MAX_IN (1 << 26)
#define MLP_MAX_WIDTH (1 << 16)		/* hidden units or classes */
#define MLP_MAX_PARAMS ((size_t)1 << 31)

/* What a net looks like; the model file stores exactly this. */
struct mlp_shape {
	int nin;			/* input columns */
	int sparse;			/* 1: input rows are CSR */
	int nclass;			/* outputs */
	int nhidden;			/* 0..MLP_MAX_HIDDEN */
	int hidden[MLP_MAX_HIDDEN];	/* hidden layer widths */
};

struct mlp {
	int nlayer;			/* weight layers: nhidden + 1 */
	int size[MLP_MAX_LAYERS + 1];	/* size[0] = nin .. size[nlayer] = nclass */
	int sparse;
	size_t nparam;			/* floats in param (and grad) */
	float *param;			/* [nparam], owned */
	float *grad;			/* [nparam] or NULL (predict only), owned */
	float *w[MLP_MAX_LAYERS];	/* [size[l], size[l+1]] into param */
	float *b[MLP_MAX_LAYERS];	/* [size[l+1]] into param */
	float *gw[MLP_MAX_LAYERS];	/* into grad, as w */
	float *gb[MLP_MAX_LAYERS];	/* into grad, as b */
};

/* One batch of input rows.  Dense nets read x; sparse nets read rows
 * idx[0..n) of s, or rows first..first+n-1 when idx is NULL.  The
 * memory must stay valid until mlp_backward. */
struct mlp_batch {
	size_t n;
	const float *x;			/* [n, nin] row-major (dense) */
	const struct csr *s;		/* sparse input matrix ... */
	const uint32_t *idx;		/* ... and the batch's row numbers */
	size_t first;
};

/* Buffers for batches of up to cap rows, reused across batches. */
struct mlp_work {
	size_t cap;
	float *act[MLP_MAX_LAYERS + 1];	/* l >= 1: [cap, size[l]]; act[nlayer]
					 * holds the logits */
	float *delta[MLP_MAX_LAYERS + 1];	/* l >= 1: d loss / d z, as act */
	struct mlp_batch in;		/* the last forward's input */
	/* Sparse first layer: gw[0] rows written by the last backward. */
	uint32_t *stamp;		/* [nin] batch number that last touched */
	uint32_t tick;
	uint32_t *touched;		/* [ntouched] distinct columns */
	size_t ntouched, touched_cap;
};

/* Checks the shape (sizes positive and within the limits above, the
 * parameter count within MLP_MAX_PARAMS) and allocates param (zeroed)
 * and, when with_grad, grad.  -1 with a message on a bad shape. */
int mlp_init(struct mlp *m, const struct mlp_shape *s, int with_grad,
	     struct err *e);
void mlp_free(struct mlp *m);
void mlp_shape_get(const struct mlp *m, struct mlp_shape *s);
/* Floats a net of shape s has; 0 when the shape is out of limits. */
size_t mlp_shape_nparam(const struct mlp_shape *s);

/* He initialization: w ~ N(0, 2 / in), biases 0. */
void mlp_init_he(struct mlp *m, struct rng *r);
void mlp_grad_zero(struct mlp *m);

void mlp_work_init(struct mlp_work *w, const struct mlp *m, size_t cap);
void mlp_work_free(struct mlp_work *w);

/* Forward pass of b->n <= w->cap rows; the logits land in
 * w->act[m->nlayer], [n, nclass]. */
void mlp_forward(const struct mlp *m, struct mlp_work *w,
		 const struct mlp_batch *b);
/* Backward pass of the last forward: the caller fills
 * w->delta[m->nlayer] ([n, nclass], d loss / d logits, already scaled
 * for the batch mean) and the gradient of every parameter is added to
 * m->grad (see above); a sparse net also gets w->touched. */
void mlp_backward(struct mlp *m, struct mlp_work *w);

/* The same passes in blocks, for batch b (b->n <= w->cap rows), layer l.
 * Forward: columns [c0, c1) of layer l's output, act[l+1] (ReLU
 * included).  Grad: columns [c0, c1) of gw[l] and gb[l], from
 * delta[l+1] and layer l's input (b itself for l = 0).  Delta (l >= 1):
 * columns [c0, c1) of delta[l] = delta[l+1] · w[l]^T, ReLU-masked.
 * A sparse net's layer-0 grad blocks need mlp_touch(w, m, b) first. */
void mlp_forward_cols(const struct mlp *m, struct mlp_work *w,
		      const struct mlp_batch *b, int l, int c0, int c1);
void mlp_grad_cols(struct mlp *m, const struct mlp_work *w,
		   const struct mlp_batch *b, int l, int c0, int c1);
void mlp_delta_cols(const struct mlp *m, struct mlp_work *w,
		    const struct mlp_batch *b, int l, int c0, int c1);
/* Lists in w->touched the distinct input columns of sparse batch b:
 * the rows of gw[0] its backward pass writes. */
void mlp_touch(struct mlp_work *w, const struct mlp *m,
	       const struct mlp_batch *b);

#endif
