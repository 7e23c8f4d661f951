/* test_mlp.c - the MLP's layout, initialization, every layer's gradient
 * against central finite differences (dense and sparse input), and the
 * passes in column blocks against the whole passes. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/loss.h"
#include "relabel/mlp.h"
#include "relabel/rng.h"

/* Sum over the batch of w * loss, in double. */
static double batch_loss(const struct mlp *m, struct mlp_work *w,
			 const struct mlp_batch *b, const int *y,
			 enum loss_kind k)
{
	struct loss_opts o;
	float l[16];
	double s = 0.0;

	loss_opts_default(&o, k);
	mlp_forward(m, w, b);
	loss_batch(&o, w->act[m->nlayer], b->n, m->size[m->nlayer], y, NULL,
		   0, NULL, l, NULL);
	for (size_t i = 0; i < b->n; i++)
		s += l[i] / (double)b->n;
	return s;
}

/* Forward, loss gradient for the batch mean, backward. */
static void analytic(struct mlp *m, struct mlp_work *w,
		     const struct mlp_batch *b, const int *y, enum loss_kind k)
{
	struct loss_opts o;
	float wt[16];

	loss_opts_default(&o, k);
	for (size_t i = 0; i < b->n; i++)
		wt[i] = 1.0f / (float)b->n;
	mlp_grad_zero(m);
	mlp_forward(m, w, b);
	loss_batch(&o, w->act[m->nlayer], b->n, m->size[m->nlayer], y, NULL,
		   0, wt, NULL, w->delta[m->nlayer]);
	mlp_backward(m, w);
}

/* Largest relative difference between m->grad and central differences
 * over every parameter (grad must hold the analytic gradient). */
static double fd_check(struct mlp *m, struct mlp_work *w,
		       const struct mlp_batch *b, const int *y, enum loss_kind k)
{
	/* Small enough that no ReLU flips, large for float32 rounding. */
	const double h = 1e-3;
	double worst = 0.0;
	float *g = malloc(m->nparam * sizeof *g);

	memcpy(g, m->grad, m->nparam * sizeof *g);
	for (size_t p = 0; p < m->nparam; p++) {
		float keep = m->param[p];

		m->param[p] = (float)(keep + h);
		double up = batch_loss(m, w, b, y, k);

		m->param[p] = (float)(keep - h);
		double dn = batch_loss(m, w, b, y, k);

		m->param[p] = keep;
		double fd = (up - dn) / (2 * h);
		double d = fabs(fd - g[p]) / fmax(fabs(fd) + fabs(g[p]), 1e-2);

		worst = d > worst ? d : worst;
	}
	free(g);
	return worst;
}

static void random_net(struct mlp *m, const struct mlp_shape *s, uint64_t seed)
{
	struct rng r;

	assert_int_equal(mlp_init(m, s, 1, NULL), 0);
	rng_seed(&r, seed);
	mlp_init_he(m, &r);
	/* Nonzero biases exercise their gradients too. */
	for (size_t i = 0; i < m->nparam; i++)
		if (m->param[i] == 0.0f)
			m->param[i] = (float)(0.1 * rng_normal(&r));
}

static void test_mlp_layout(void **state)
{
	struct mlp_shape s = { .nin = 7, .nclass = 3, .nhidden = 2,
			       .hidden = { 5, 4 } };
	struct mlp m;

	(void)state;
	assert_int_equal(mlp_init(&m, &s, 1, NULL), 0);
	assert_int_equal(m.nparam, 7 * 5 + 5 + 5 * 4 + 4 + 4 * 3 + 3);
	assert_ptr_equal(m.w[0], m.param);
	assert_ptr_equal(m.b[0], m.param + 35);
	assert_ptr_equal(m.w[1], m.param + 40);
	assert_ptr_equal(m.b[2] + 3, m.param + m.nparam);
	assert_ptr_equal(m.gb[2] + 3, m.grad + m.nparam);
	mlp_free(&m);

	/* Out-of-limit shapes are refused before allocating. */
	struct err e;

	s.hidden[1] = 0;
	assert_int_equal(mlp_init(&m, &s, 1, &e), -1);
	s.hidden[1] = MLP_MAX_WIDTH;
	s.nin = MLP_MAX_IN;
	s.hidden[0] = MLP_MAX_WIDTH;
	assert_int_equal(mlp_init(&m, &s, 0, &e), -1);
	printf("# %s\n", e.msg);
}

static void test_mlp_he_init(void **state)
{
	struct mlp_shape s = { .nin = 400, .nclass = 10, .nhidden = 1,
			       .hidden = { 300 } };
	struct mlp m;
	struct rng r;
	double sum = 0, sq = 0;
	size_t n = 400 * 300;

	(void)state;
	assert_int_equal(mlp_init(&m, &s, 0, NULL), 0);
	rng_seed(&r, 3);
	mlp_init_he(&m, &r);
	for (size_t i = 0; i < n; i++) {
		sum += m.w[0][i];
		sq += (double)m.w[0][i] * m.w[0][i];
	}
	printf("# He init: mean %.2e, variance %.5f (want %.5f)\n", sum / n,
	       sq / n, 2.0 / 400);
	assert_true(fabs(sum / n) < 1e-3);
	assert_true(fabs(sq / n - 2.0 / 400) < 0.05 * 2.0 / 400);
	for (int j = 0; j < 300; j++)
		assert_true(m.b[0][j] == 0.0f);
	mlp_free(&m);
}

static void test_mlp_dense_gradient(void **state)
{
	struct mlp_shape s = { .nin = 6, .nclass = 3, .nhidden = 2,
			       .hidden = { 5, 4 } };
	float x[4 * 6];
	int y[4] = { 0, 2, 1, 2 };
	struct mlp m;
	struct mlp_work w;
	struct rng r;
	double worst = 0.0;

	(void)state;
	rng_seed(&r, 11);
	for (int i = 0; i < 4 * 6; i++)
		x[i] = (float)rng_normal(&r);
	random_net(&m, &s, 5);
	mlp_work_init(&w, &m, 4);
	struct mlp_batch b = { .n = 4, .x = x };

	for (int k = LOSS_CE; k <= LOSS_GCE; k++) {
		analytic(&m, &w, &b, y, (enum loss_kind)k);
		double d = fd_check(&m, &w, &b, y, (enum loss_kind)k);

		printf("# dense 6-5-4-3 %-6s: largest relative difference "
		       "%.2e\n", loss_name((enum loss_kind)k), d);
		worst = d > worst ? d : worst;
	}
	assert_true(worst < 1e-2);

	/* No hidden layer: logistic regression. */
	struct mlp m0;
	struct mlp_work w0;

	s.nhidden = 0;
	random_net(&m0, &s, 6);
	mlp_work_init(&w0, &m0, 4);
	analytic(&m0, &w0, &b, y, LOSS_CE);
	worst = fd_check(&m0, &w0, &b, y, LOSS_CE);
	printf("# dense 6-3: largest relative difference %.2e\n", worst);
	assert_true(worst < 1e-2);
	mlp_work_free(&w0);
	mlp_free(&m0);
	mlp_work_free(&w);
	mlp_free(&m);
}

/* A 3-row CSR matrix over 40 columns and its dense twin. */
static void sparse_input(struct csr *c, float *dense)
{
	static size_t rp[4] = { 0, 4, 7, 11 };
	static uint32_t col[11] = { 1, 5, 9, 30, 5, 12, 39, 0, 9, 12, 31 };
	static float val[11] = { 0.5f, -1.2f, 0.8f, 0.3f, 1.1f, -0.4f,
				 0.9f, -0.7f, 0.6f, 1.3f, -0.2f };

	c->rows = 3;
	c->cols = 40;
	c->rowptr = rp;
	c->col = col;
	c->val = val;
	memset(dense, 0, 3 * 40 * sizeof *dense);
	for (size_t r = 0; r < 3; r++)
		for (size_t k = rp[r]; k < rp[r + 1]; k++)
			dense[r * 40 + col[k]] = val[k];
}

static void test_mlp_sparse_gradient(void **state)
{
	struct mlp_shape s = { .nin = 40, .sparse = 1, .nclass = 4,
			       .nhidden = 1, .hidden = { 6 } };
	uint32_t idx[3] = { 2, 0, 1 };
	int y[3] = { 3, 0, 1 };
	struct csr c;
	float dense[3 * 40];
	struct mlp m;
	struct mlp_work w;

	(void)state;
	sparse_input(&c, dense);
	random_net(&m, &s, 9);
	mlp_work_init(&w, &m, 3);
	struct mlp_batch b = { .n = 3, .s = &c, .idx = idx };

	analytic(&m, &w, &b, y, LOSS_CE);
	double d = fd_check(&m, &w, &b, y, LOSS_CE);

	printf("# sparse 40-6-4: largest relative difference %.2e\n", d);
	assert_true(d < 1e-2);

	/* Exactly the columns in use are listed, each once. */
	int seen[40] = { 0 };

	assert_int_equal(w.ntouched, 8);
	for (size_t t = 0; t < w.ntouched; t++)
		assert_int_equal(seen[w.touched[t]]++, 0);
	for (int col = 0; col < 40; col++) {
		int used = seen[col];

		for (int j = 0; !used && j < 6; j++)
			assert_true(m.gw[0][col * 6 + j] == 0.0f);
	}

	/* The sparse product equals the dense one with the same weights. */
	struct mlp_shape sd = s;
	struct mlp md;
	struct mlp_work wd;
	float xd[3 * 40];
	double worst = 0.0;

	sd.sparse = 0;
	assert_int_equal(mlp_init(&md, &sd, 1, NULL), 0);
	memcpy(md.param, m.param, m.nparam * sizeof *m.param);
	for (int i = 0; i < 3; i++)
		memcpy(xd + i * 40, dense + idx[i] * 40, 40 * sizeof *xd);
	mlp_work_init(&wd, &md, 3);
	struct mlp_batch bd = { .n = 3, .x = xd };

	mlp_forward(&m, &w, &b);
	mlp_forward(&md, &wd, &bd);
	for (int i = 0; i < 3 * 4; i++) {
		double diff = fabs(w.act[2][i] - wd.act[2][i]);

		worst = diff > worst ? diff : worst;
	}
	printf("# sparse vs dense logits: largest difference %.2e\n", worst);
	assert_true(worst < 1e-5);
	mlp_work_free(&wd);
	mlp_free(&md);
	mlp_work_free(&w);
	mlp_free(&m);
}

/* Passes in column blocks (as threads run them) equal the whole pass. */
static void test_mlp_column_blocks(void **state)
{
	struct mlp_shape s = { .nin = 29, .nclass = 5, .nhidden = 2,
			       .hidden = { 33, 18 } };
	enum { N = 7 };
	float x[N * 29], *g1;
	struct mlp m;
	struct mlp_work w1, w2;
	struct rng r;
	double worst = 0.0;

	(void)state;
	rng_seed(&r, 13);
	for (int i = 0; i < N * 29; i++)
		x[i] = (float)rng_normal(&r);
	random_net(&m, &s, 8);
	mlp_work_init(&w1, &m, N);
	mlp_work_init(&w2, &m, N);
	struct mlp_batch b = { .n = N, .x = x };

	/* Whole passes, from the same loss gradient. */
	mlp_forward(&m, &w1, &b);
	for (int i = 0; i < N * 5; i++)
		w1.delta[3][i] = w2.delta[3][i] = (float)rng_normal(&r);
	mlp_grad_zero(&m);
	mlp_backward(&m, &w1);
	g1 = malloc(m.nparam * sizeof *g1);
	memcpy(g1, m.grad, m.nparam * sizeof *g1);

	/* The same in three uneven blocks of columns per layer. */
	mlp_grad_zero(&m);
	for (int l = 0; l < 3; l++)
		for (int p = 0; p < 3; p++)
			mlp_forward_cols(&m, &w2, &b, l, m.size[l + 1] * p / 3,
					 m.size[l + 1] * (p + 1) / 3);
	for (int l = 2; l >= 0; l--)
		for (int p = 0; p < 3; p++) {
			mlp_grad_cols(&m, &w2, &b, l, m.size[l + 1] * p / 3,
				      m.size[l + 1] * (p + 1) / 3);
			if (l > 0)
				mlp_delta_cols(&m, &w2, &b, l, m.size[l] * p / 3,
					       m.size[l] * (p + 1) / 3);
		}
	for (int l = 1; l <= 3; l++)
		for (int i = 0; i < N * m.size[l]; i++)
			worst = fmax(worst, fabs(w1.act[l][i] - w2.act[l][i]) /
				     (1.0 + fabs(w1.act[l][i])));
	for (size_t i = 0; i < m.nparam; i++)
		worst = fmax(worst, fabs(g1[i] - m.grad[i]) /
			     (1.0 + fabs(g1[i])));
	printf("# column blocks vs whole passes: largest relative "
	       "difference %.2e\n", worst);
	assert_true(worst < 1e-6);

	/* The backward pass adds to what grad holds. */
	mlp_backward(&m, &w1);
	for (size_t i = 0; i < m.nparam; i++)
		assert_true(fabs(m.grad[i] - 2.0f * g1[i]) <=
			    1e-6 * (1.0 + fabs(g1[i])));
	free(g1);
	mlp_work_free(&w1);
	mlp_work_free(&w2);
	mlp_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mlp_layout),
		cmocka_unit_test(test_mlp_he_init),
		cmocka_unit_test(test_mlp_dense_gradient),
		cmocka_unit_test(test_mlp_sparse_gradient),
		cmocka_unit_test(test_mlp_column_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
