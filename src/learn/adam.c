/* adam.c - AdamW over ranges of one parameter block. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/* One parameter's update. */
static inline float adam_one(float *m, float *v, float p, float g, float b1,
			     float b2, float step, float rbc2, float eps,
			     float decay)
{
	*m = b1 * *m + (1.0f - b1) * g;
	*v = b2 * *v + (1.0f - b2) * g * g;
	return p * decay - step * *m / (sqrtf(*v * rbc2) + eps);
}

/* The inner loop.  Compilers keep a loop with sqrtf scalar (errno), so
 * on x86-64 four parameters at a time go through SSE. */
static void adam_kernel(float *restrict p, const float *restrict g,
			float *restrict m, float *restrict v, size_t len,
			float b1, float b2, float step, float rbc2,
			float eps, float decay)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128 vb1 = _mm_set1_ps(b1), vb2 = _mm_set1_ps(b2);
	const __m128 cb1 = _mm_set1_ps(1.0f - b1), cb2 = _mm_set1_ps(1.0f - b2);
	const __m128 vstep = _mm_set1_ps(step), vr = _mm_set1_ps(rbc2);
	const __m128 veps = _mm_set1_ps(eps), vdec = _mm_set1_ps(decay);

	for (; i + 4 <= len; i += 4) {
		__m128 gi = _mm_loadu_ps(g + i);
		__m128 mi = _mm_add_ps(_mm_mul_ps(vb1, _mm_loadu_ps(m + i)),
				       _mm_mul_ps(cb1, gi));
		__m128 vi = _mm_add_ps(_mm_mul_ps(vb2, _mm_loadu_ps(v + i)),
				       _mm_mul_ps(cb2, _mm_mul_ps(gi, gi)));
		__m128 den = _mm_add_ps(_mm_sqrt_ps(_mm_mul_ps(vi, vr)), veps);
		__m128 pi = _mm_sub_ps(_mm_mul_ps(_mm_loadu_ps(p + i), vdec),
				       _mm_div_ps(_mm_mul_ps(vstep, mi), den));

		_mm_storeu_ps(m + i, mi);
		_mm_storeu_ps(v + i, vi);
		_mm_storeu_ps(p + i, pi);
	}
#endif
	for (; i < len; i++)
		p[i] = adam_one(&m[i], &v[i], p[i], g[i], b1, b2, step, rbc2,
				eps, decay);
}

void adam_update(struct adam *a, float *param, const float *grad,
		 size_t off, size_t len, float lr)
{
	float step = (float)(lr / a->bc1), rbc2 = (float)(1.0 / a->bc2);

	adam_kernel(param + off, grad + off, a->m + off, a->v + off, len,
		    a->beta1, a->beta2, step, rbc2, a->eps, 1.0f - lr * a->wd);
}
