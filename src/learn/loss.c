/* loss.c - softmax and per-sample losses, computed in double per row. */
#include <math.h>
#include <string.h>

#include "relabel/loss.h"

static const char *const loss_names[] = {
	[LOSS_CE] = "ce", [LOSS_SMOOTH] = "smooth", [LOSS_FOCAL] = "focal",
	[LOSS_MAE] = "mae", [LOSS_GCE] = "gce",
};

void loss_opts_default(struct loss_opts *o, enum loss_kind kind)
{
	o->kind = kind;
	o->smooth_eps = 0.1f;
	o->focal_gamma = 2.0f;
	o->gce_q = 0.7f;
}

const char *loss_name(enum loss_kind k)
{
	if ((unsigned)k >= sizeof loss_names / sizeof *loss_names)
		return "?";
	return loss_names[k];
}

int loss_parse(const char *name, enum loss_kind *k)
{
	for (size_t i = 0; i < sizeof loss_names / sizeof *loss_names; i++)
		if (!strcmp(name, loss_names[i])) {
			*k = (enum loss_kind)i;
			return 0;
		}
	return -1;
}

/* log sum_j exp(z_j), shifted by the maximum so nothing overflows. */
static double loss_lse(const float *z, int k)
{
	double mx = z[0], s = 0.0;

	for (int j = 1; j < k; j++)
		if (z[j] > mx)
			mx = z[j];
	for (int j = 0; j < k; j++)
		s += exp(z[j] - mx);
	/* The maximum's own term is exp(0) = 1 (k >= 1), so s >= 1. */
	/* cppcheck-suppress invalidFunctionArg */
	return mx + log(s);
}

void loss_softmax(const float *z, size_t n, int k, float *p)
{
	for (size_t i = 0; i < n; i++) {
		const float *zi = z + i * (size_t)k;
		double lse = loss_lse(zi, k);

		for (int j = 0; j < k; j++)
			p[i * (size_t)k + j] = (float)exp(zi[j] - lse);
	}
}

void loss_log_softmax(const float *z, size_t n, int k, float *lp)
{
	for (size_t i = 0; i < n; i++) {
		const float *zi = z + i * (size_t)k;
		double lse = loss_lse(zi, k);

		for (int j = 0; j < k; j++)
			lp[i * (size_t)k + j] = (float)(zi[j] - lse);
	}
}

/* Loss of one label from its log-probability lp, and the factor c with
 * d loss / d z_j = c * (onehot_j - p_j).  Label smoothing is handled by
 * the caller (its gradient is not of this form). */
static double loss_term(const struct loss_opts *o, double lp, double *c)
{
	double p = exp(lp), omp = -expm1(lp), g = o->focal_gamma;

	switch (o->kind) {
	case LOSS_FOCAL:
		if (g == 0.0 || omp <= 0.0) {
			*c = g == 0.0 ? -1.0 : 0.0;
			return g == 0.0 ? -lp : 0.0;
		}
		*c = g * pow(omp, g - 1.0) * p * lp - pow(omp, g);
		return -pow(omp, g) * lp;
	case LOSS_MAE:
		*c = -2.0 * p;
		return 2.0 * omp;
	case LOSS_GCE: {
		double pq = exp(o->gce_q * lp);

		*c = -pq;
		return (1.0 - pq) / o->gce_q;
	}
	default:
		*c = -1.0;
		return -lp;
	}
}

/* One row: lam * L(y_a) + (1 - lam) * L(y_b) and its weighted gradient. */
static float loss_row(const struct loss_opts *o, const float *z, int k,
		      int ya, int yb, double lam, double wi, float *g)
{
	double lse = loss_lse(z, k), la, lb, ca, cb;

	if (o->kind == LOSS_SMOOTH) {
		double eps = o->smooth_eps, sumlp = 0.0;

		for (int j = 0; j < k; j++)
			sumlp += z[j] - lse;
		la = -(1.0 - eps) * (z[ya] - lse) - eps / k * sumlp;
		lb = -(1.0 - eps) * (z[yb] - lse) - eps / k * sumlp;
		for (int j = 0; g && j < k; j++) {
			double t = eps / k + (1.0 - eps) *
				(lam * (j == ya) + (1.0 - lam) * (j == yb));

			g[j] = (float)(wi * (exp(z[j] - lse) - t));
		}
		return (float)(lam * la + (1.0 - lam) * lb);
	}
	la = loss_term(o, z[ya] - lse, &ca);
	lb = yb == ya ? la : loss_term(o, z[yb] - lse, &cb);
	if (yb == ya)
		cb = ca;
	for (int j = 0; g && j < k; j++) {
		double p = exp(z[j] - lse);

		g[j] = (float)(wi * (lam * ca * ((j == ya) - p) +
				     (1.0 - lam) * cb * ((j == yb) - p)));
	}
	return (float)(lam * la + (1.0 - lam) * lb);
}

void loss_batch(const struct loss_opts *o, const float *z, size_t n, int k,
		const int *ya, const int *yb, float lam, const float *w,
		float *loss, float *grad)
{
	double l = yb ? lam : 1.0;

	for (size_t i = 0; i < n; i++) {
		float *g = grad ? grad + i * (size_t)k : NULL;
		float li = loss_row(o, z + i * (size_t)k, k, ya[i],
				    yb ? yb[i] : ya[i], l, w ? w[i] : 1.0, g);

		if (loss)
			loss[i] = li;
	}
}
