/* mlp.c - forward and backward passes of the MLP through cblas_sgemm. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "relabel/mlp.h"
#include "relabel/mem.h"

size_t mlp_shape_nparam(const struct mlp_shape *s)
{
	int size[MLP_MAX_LAYERS + 1], nl = s->nhidden + 1;
	size_t n = 0;

	if (s->nhidden < 0 || s->nhidden > MLP_MAX_HIDDEN)
		return 0;
	if (s->nin < 1 || s->nin > MLP_MAX_IN)
		return 0;
	size[0] = s->nin;
	for (int l = 0; l < s->nhidden; l++)
		size[l + 1] = s->hidden[l];
	size[nl] = s->nclass;

	/* Each layer adds in*out weights and out biases, checked as it goes. */
	for (int l = 0; l < nl; l++) {
		if (size[l + 1] < 1 || size[l + 1] > MLP_MAX_WIDTH)
			return 0;
		n += ((size_t)size[l] + 1) * (size_t)size[l + 1];
		if (n > MLP_MAX_PARAMS)
			return 0;
	}
	return n;
}

/* Points w/b (and gw/gb) into the blocks in the order w0 b0 w1 b1 ... */
static void mlp_layout(struct mlp *m)
{
	size_t off = 0;

	for (int l = 0; l < m->nlayer; l++) {
		size_t nw = (size_t)m->size[l] * (size_t)m->size[l + 1];

		m->w[l] = m->param + off;
		m->b[l] = m->param + off + nw;
		m->gw[l] = m->grad ? m->grad + off : NULL;
		m->gb[l] = m->grad ? m->grad + off + nw : NULL;
		off += nw + (size_t)m->size[l + 1];
	}
}

int mlp_init(struct mlp *m, const struct mlp_shape *s, int with_grad,
	     struct err *e)
{
	size_t n = mlp_shape_nparam(s);

	memset(m, 0, sizeof *m);
	if (!n)
		return err_set(e, "network shape out of limits (inputs %d, "
			       "%d hidden layers, %d classes); use fewer or "
			       "narrower hidden layers", s->nin, s->nhidden,
			       s->nclass);
	m->nlayer = s->nhidden + 1;
	m->size[0] = s->nin;
	for (int l = 0; l < s->nhidden; l++)
		m->size[l + 1] = s->hidden[l];
	m->size[m->nlayer] = s->nclass;
	m->sparse = s->sparse != 0;
	m->nparam = n;
	m->param = xcalloc(n, sizeof *m->param);
	m->grad = with_grad ? xcalloc(n, sizeof *m->grad) : NULL;
	mlp_layout(m);
	return 0;
}

void mlp_free(struct mlp *m)
{
	free(m->param);
	free(m->grad);
	memset(m, 0, sizeof *m);
}

void mlp_shape_get(const struct mlp *m, struct mlp_shape *s)
{
	memset(s, 0, sizeof *s);
	s->nin = m->size[0];
	s->sparse = m->sparse;
	s->nclass = m->size[m->nlayer];
	s->nhidden = m->nlayer - 1;
	for (int l = 0; l < s->nhidden; l++)
		s->hidden[l] = m->size[l + 1];
}

/* w[0..n) ~ N(0, sd^2) by Marsaglia's polar method: two values per
 * accepted pair and no trigonometry, which matters for the 2^18-row
 * first layer of a text model. */
static void mlp_normal_fill(struct rng *r, float *w, size_t n, double sd)
{
	size_t i = 0;

	while (i < n) {
		double u = 2.0 * rng_uniform(r) - 1.0;
		double v = 2.0 * rng_uniform(r) - 1.0, q = u * u + v * v;

		if (q >= 1.0 || q == 0.0)
			continue;
		q = sd * sqrt(-2.0 * log(q) / q);
		w[i++] = (float)(u * q);
		if (i < n)
			w[i++] = (float)(v * q);
	}
}

void mlp_init_he(struct mlp *m, struct rng *r)
{
	for (int l = 0; l < m->nlayer; l++) {
		size_t nw = (size_t)m->size[l] * (size_t)m->size[l + 1];

		mlp_normal_fill(r, m->w[l], nw, sqrt(2.0 / m->size[l]));
		memset(m->b[l], 0, (size_t)m->size[l + 1] * sizeof(float));
	}
}

void mlp_grad_zero(struct mlp *m)
{
	if (m->grad)
		memset(m->grad, 0, m->nparam * sizeof *m->grad);
}

void mlp_work_init(struct mlp_work *w, const struct mlp *m, size_t cap)
{
	memset(w, 0, sizeof *w);
	w->cap = cap;
	for (int l = 1; l <= m->nlayer; l++) {
		w->act[l] = xmalloc(cap * (size_t)m->size[l] * sizeof(float));
		w->delta[l] = xmalloc(cap * (size_t)m->size[l] * sizeof(float));
	}
	if (m->sparse)
		w->stamp = xcalloc((size_t)m->size[0], sizeof *w->stamp);
}

void mlp_work_free(struct mlp_work *w)
{
	for (int l = 0; l <= MLP_MAX_LAYERS; l++) {
		free(w->act[l]);
		free(w->delta[l]);
	}
	free(w->stamp);
	free(w->touched);
	memset(w, 0, sizeof *w);
}

/* The elementwise loops work in blocks of 8 so that compilers at -O2
 * vectorize them (a loop of unknown length stays scalar and branchy). */
#define MLP_BLOCK 8

/* z = max(z, 0); NaN becomes 0 as with a comparison. */
static void mlp_relu(float *restrict z, size_t n)
{
	size_t i = 0;

	for (; i + MLP_BLOCK <= n; i += MLP_BLOCK)
		for (int j = 0; j < MLP_BLOCK; j++)
			z[i + j] = z[i + j] > 0.0f ? z[i + j] : 0.0f;
	for (; i < n; i++)
		z[i] = z[i] > 0.0f ? z[i] : 0.0f;
}

/* d = d where a > 0, else 0: the ReLU's derivative. */
static void mlp_relu_mask(float *restrict d, const float *restrict a,
			  size_t n)
{
	size_t i = 0;

	for (; i + MLP_BLOCK <= n; i += MLP_BLOCK)
		for (int j = 0; j < MLP_BLOCK; j++)
			d[i + j] = a[i + j] > 0.0f ? d[i + j] : 0.0f;
	for (; i < n; i++)
		d[i] = a[i] > 0.0f ? d[i] : 0.0f;
}

/* g[0..n) += d[0..n). */
static void mlp_add(float *restrict g, const float *restrict d, size_t n)
{
	size_t i = 0;

	for (; i + MLP_BLOCK <= n; i += MLP_BLOCK)
		for (int j = 0; j < MLP_BLOCK; j++)
			g[i + j] += d[i + j];
	for (; i < n; i++)
		g[i] += d[i];
}

/* Row i of the sparse batch: its row number in the CSR matrix. */
static size_t mlp_row(const struct mlp_batch *b, size_t i)
{
	return b->idx ? b->idx[i] : b->first + i;
}

/* z[i][c0..c1) = b + sum over the row's nonzeros of val * W[col]. */
static void mlp_sparse_fwd(const struct mlp_batch *bt, int out,
			   const float *wt, const float *b, float *z, int c0,
			   int c1)
{
	const struct csr *s = bt->s;
	int nc = c1 - c0;

	for (size_t i = 0; i < bt->n; i++) {
		float *zi = z + i * (size_t)out + c0;
		size_t r = mlp_row(bt, i);

		memcpy(zi, b + c0, (size_t)nc * sizeof *zi);
		for (size_t k = s->rowptr[r]; k < s->rowptr[r + 1]; k++)
			cblas_saxpy(nc, s->val[k],
				    wt + (size_t)s->col[k] * out + c0, 1, zi, 1);
	}
}

void mlp_forward_cols(const struct mlp *m, struct mlp_work *w,
		      const struct mlp_batch *b, int l, int c0, int c1)
{
	int in = m->size[l], out = m->size[l + 1], nc = c1 - c0;
	size_t n = b->n;
	float *z = w->act[l + 1];

	if (nc <= 0 || n == 0)
		return;
	if (l == 0 && m->sparse) {
		mlp_sparse_fwd(b, out, m->w[0], m->b[0], z, c0, c1);
	} else {
		/* The bias goes in first, so sgemm adds to it (beta 1). */
		const float *a = l ? w->act[l] : b->x;

		for (size_t i = 0; i < n; i++)
			memcpy(z + i * (size_t)out + c0, m->b[l] + c0,
			       (size_t)nc * sizeof *z);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n,
			    nc, in, 1.0f, a, in, m->w[l] + c0, out, 1.0f,
			    z + c0, out);
	}
	if (l + 1 == m->nlayer)
		return;
	if (nc == out)
		mlp_relu(z, n * (size_t)out);
	else
		for (size_t i = 0; i < n; i++)
			mlp_relu(z + i * (size_t)out + c0, (size_t)nc);
}

void mlp_forward(const struct mlp *m, struct mlp_work *w,
		 const struct mlp_batch *b)
{
	w->in = *b;
	for (int l = 0; l < m->nlayer; l++)
		mlp_forward_cols(m, w, b, l, 0, m->size[l + 1]);
}

/* Starts a new stamp; wrap-around clears them all. */
static void mlp_tick(struct mlp_work *w, size_t nin)
{
	if (++w->tick == 0) {
		memset(w->stamp, 0, nin * sizeof *w->stamp);
		w->tick = 1;
	}
	w->ntouched = 0;
}

void mlp_touch(struct mlp_work *w, const struct mlp *m,
	       const struct mlp_batch *b)
{
	const struct csr *s = b->s;

	mlp_tick(w, (size_t)m->size[0]);
	for (size_t i = 0; i < b->n; i++) {
		size_t r = mlp_row(b, i);

		for (size_t k = s->rowptr[r]; k < s->rowptr[r + 1]; k++) {
			uint32_t c = s->col[k];

			if (w->stamp[c] == w->tick)
				continue;
			w->stamp[c] = w->tick;
			if (w->ntouched == w->touched_cap) {
				w->touched_cap = w->touched_cap ?
					2 * w->touched_cap : 1024;
				w->touched = xreallocarray(w->touched,
							   w->touched_cap,
							   sizeof *w->touched);
			}
			w->touched[w->ntouched++] = c;
		}
	}
}

/* gw0[col][c0..c1) += val * delta1[i][c0..c1) for every nonzero. */
static void mlp_sparse_grad(struct mlp *m, const struct mlp_work *w,
			    const struct mlp_batch *b, int c0, int c1)
{
	const struct csr *s = b->s;
	int out = m->size[1];

	for (size_t i = 0; i < b->n; i++) {
		const float *di = w->delta[1] + i * (size_t)out + c0;
		size_t r = mlp_row(b, i);

		for (size_t k = s->rowptr[r]; k < s->rowptr[r + 1]; k++)
			cblas_saxpy(c1 - c0, s->val[k], di, 1,
				    m->gw[0] + (size_t)s->col[k] * out + c0, 1);
	}
}

void mlp_grad_cols(struct mlp *m, const struct mlp_work *w,
		   const struct mlp_batch *b, int l, int c0, int c1)
{
	int in = m->size[l], out = m->size[l + 1], nc = c1 - c0;
	const float *d = w->delta[l + 1];

	if (nc <= 0 || b->n == 0)
		return;

	/* gb += column sums of d, row by row (contiguous). */
	for (size_t i = 0; i < b->n; i++)
		mlp_add(m->gb[l] + c0, d + i * (size_t)out + c0, (size_t)nc);
	if (l == 0 && m->sparse) {
		mlp_sparse_grad(m, w, b, c0, c1);
		return;
	}

	/* gW[in, c0..c1) += a^T · d; the input of layer 0 is the batch. */
	const float *a = l ? w->act[l] : b->x;

	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, nc, (int)b->n,
		    1.0f, a, in, d + c0, out, 1.0f, m->gw[l] + c0, out);
}

void mlp_delta_cols(const struct mlp *m, struct mlp_work *w,
		    const struct mlp_batch *b, int l, int c0, int c1)
{
	int in = m->size[l], out = m->size[l + 1], nc = c1 - c0;
	float *dp = w->delta[l] + c0;
	const float *a = w->act[l] + c0;

	if (nc <= 0 || b->n == 0)
		return;

	/* d_prev = (d · W^T) masked by the ReLU that produced a. */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b->n, nc, out,
		    1.0f, w->delta[l + 1], out, m->w[l] + (size_t)c0 * out, out,
		    0.0f, dp, in);
	if (nc == in) {
		mlp_relu_mask(dp, a, b->n * (size_t)in);
		return;
	}
	for (size_t i = 0; i < b->n; i++)
		mlp_relu_mask(dp + i * (size_t)in, a + i * (size_t)in,
			      (size_t)nc);
}

void mlp_backward(struct mlp *m, struct mlp_work *w)
{
	const struct mlp_batch *b = &w->in;

	if (m->sparse)
		mlp_touch(w, m, b);
	for (int l = m->nlayer - 1; l >= 0; l--) {
		mlp_grad_cols(m, w, b, l, 0, m->size[l + 1]);
		if (l > 0)
			mlp_delta_cols(m, w, b, l, 0, m->size[l]);
	}
}
