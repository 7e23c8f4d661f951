/* adam.c - AdamW over ranges of one parameter block. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/adam.h"
#include "relabel/mem.h"

void adam_init(struct adam *a, size_t n, float wd)
{
	memset(a, 0, sizeof *a);
	a->beta1 = 0.9f;
	a->beta2 = 0.999f;
	a->eps = 1e-8f;
	a->wd = wd;
	a->n = n;
	a->m = xcalloc(2 * (n ? n : 1), sizeof *a->m);
	a->v = a->m + n;
}

void adam_free(struct adam *a)
{
	free(a->m);
	memset(a, 0, sizeof *a);
}

void adam_tick(struct adam *a)
{
	a->t++;
	a->bc1 = 1.0 - pow(a->beta1, (double)a->t);
	a->bc2 = 1.0 - pow(a->beta2, (double)a->t);
}

/* The inner loop, restrict so the compiler may vectorize it. */
static void adam_kernel(float *restrict p, const float *restrict g,
			float *restrict m, float *restrict v, size_t len,
			float b1, float b2, float step, float rbc2,
			float eps, float decay)
{
	for (size_t i = 0; i < len; i++) {
		float gi = g[i];
		float mi = b1 * m[i] + (1.0f - b1) * gi;
		float vi = b2 * v[i] + (1.0f - b2) * gi * gi;

		m[i] = mi;
		v[i] = vi;
		p[i] = p[i] * decay - step * mi / (sqrtf(vi * rbc2) + eps);
	}
}

void adam_update(struct adam *a, float *param, const float *grad,
		 size_t off, size_t len, float lr)
{
	float step = (float)(lr / a->bc1), rbc2 = (float)(1.0 / a->bc2);

	adam_kernel(param + off, grad + off, a->m + off, a->v + off, len,
		    a->beta1, a->beta2, step, rbc2, a->eps, 1.0f - lr * a->wd);
}
