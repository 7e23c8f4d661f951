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

/* z[n, out] = x[n, in] · W[in, out] + b, then ReLU unless last. */
static void mlp_dense_layer(size_t n, int in, int out, const float *x,
			    const float *wt, const float *b, float *z,
			    int relu)
{
	for (size_t i = 0; i < n; i++)
		memcpy(z + i * (size_t)out, b, (size_t)out * sizeof *z);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, out, in,
		    1.0f, x, in, wt, out, 1.0f, z, out);
	if (relu)
		mlp_relu(z, n * (size_t)out);
}

/* z[i] = b + sum over the row's nonzeros of val * W[col], then ReLU. */
static void mlp_sparse_layer(const struct mlp_batch *bt, int out,
			     const float *wt, const float *b, float *z,
			     int relu)
{
	const struct csr *s = bt->s;

	for (size_t i = 0; i < bt->n; i++) {
		float *zi = z + i * (size_t)out;
		size_t r = bt->idx ? bt->idx[i] : bt->first + i;

		memcpy(zi, b, (size_t)out * sizeof *zi);
		for (size_t k = s->rowptr[r]; k < s->rowptr[r + 1]; k++)
			cblas_saxpy(out, s->val[k], wt + (size_t)s->col[k] * out,
				    1, zi, 1);
		if (relu)
			mlp_relu(zi, (size_t)out);
	}
}

void mlp_forward(const struct mlp *m, struct mlp_work *w,
		 const struct mlp_batch *b)
{
	int last = m->nlayer - 1;

	w->in = *b;
	if (m->sparse)
		mlp_sparse_layer(b, m->size[1], m->w[0], m->b[0], w->act[1],
				 last > 0);
	else
		mlp_dense_layer(b->n, m->size[0], m->size[1], b->x, m->w[0],
				m->b[0], w->act[1], last > 0);
	for (int l = 1; l <= last; l++)
		mlp_dense_layer(b->n, m->size[l], m->size[l + 1], w->act[l],
				m->w[l], m->b[l], w->act[l + 1], l < last);
}

/* gb[out] = column sums of d[n, out]. */
static void mlp_bias_grad(size_t n, int out, const float *restrict d,
			  float *restrict gb)
{
	int j = 0;

	memset(gb, 0, (size_t)out * sizeof *gb);
	for (; j + MLP_BLOCK <= out; j += MLP_BLOCK)
		for (size_t i = 0; i < n; i++)
			for (int t = 0; t < MLP_BLOCK; t++)
				gb[j + t] += d[i * (size_t)out + j + t];
	for (; j < out; j++)
		for (size_t i = 0; i < n; i++)
			gb[j] += d[i * (size_t)out + j];
}

/* Lists a column the first time this batch touches it; zeroes its row. */
static void mlp_touch(struct mlp_work *w, float *gw0, int out, uint32_t c)
{
	if (w->stamp[c] == w->tick)
		return;
	w->stamp[c] = w->tick;
	if (w->ntouched == w->touched_cap) {
		w->touched_cap = w->touched_cap ? 2 * w->touched_cap : 1024;
		w->touched = xreallocarray(w->touched, w->touched_cap,
					   sizeof *w->touched);
	}
	w->touched[w->ntouched++] = c;
	memset(gw0 + (size_t)c * out, 0, (size_t)out * sizeof *gw0);
}

/* gw0[col] += val * delta1[i] for every nonzero of every batch row. */
static void mlp_sparse_grad(struct mlp *m, struct mlp_work *w)
{
	const struct csr *s = w->in.s;
	int out = m->size[1];

	/* A new tick makes every stamp stale; wrap-around clears them. */
	if (++w->tick == 0) {
		memset(w->stamp, 0, (size_t)m->size[0] * sizeof *w->stamp);
		w->tick = 1;
	}
	w->ntouched = 0;
	for (size_t i = 0; i < w->in.n; i++) {
		const float *di = w->delta[1] + i * (size_t)out;
		size_t r = w->in.idx ? w->in.idx[i] : w->in.first + i;

		for (size_t k = s->rowptr[r]; k < s->rowptr[r + 1]; k++) {
			uint32_t c = s->col[k];

			mlp_touch(w, m->gw[0], out, c);
			cblas_saxpy(out, s->val[k], di, 1,
				    m->gw[0] + (size_t)c * out, 1);
		}
	}
}

void mlp_backward(struct mlp *m, struct mlp_work *w)
{
	int n = (int)w->in.n;

	for (int l = m->nlayer - 1; l >= 0; l--) {
		int in = m->size[l], out = m->size[l + 1];
		const float *d = w->delta[l + 1];

		mlp_bias_grad(w->in.n, out, d, m->gb[l]);
		if (l == 0 && m->sparse) {
			mlp_sparse_grad(m, w);
			break;
		}

		/* gW[in, out] = a^T · d; the input of layer 0 is the batch. */
		const float *a = l ? w->act[l] : w->in.x;

		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, in, out, n,
			    1.0f, a, in, d, out, 0.0f, m->gw[l], out);
		if (l == 0)
			break;

		/* d_prev = (d · W^T) masked by the ReLU that produced a. */
		float *dp = w->delta[l];

		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, in, out,
			    1.0f, d, out, m->w[l], out, 0.0f, dp, in);
		mlp_relu_mask(dp, a, (size_t)n * (size_t)in);
	}
}
