/* adam.c - AdamW over ranges of one parameter block. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define ADAM_X86 1
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

void adam_tick(struct adam *a, float lr, struct adam_step *s)
{
	a->t++;
	s->b1 = a->beta1;
	s->b2 = a->beta2;
	s->eps = a->eps;
	s->rate = (float)(lr / (1.0 - pow(a->beta1, (double)a->t)));
	s->rbc2 = (float)(1.0 / (1.0 - pow(a->beta2, (double)a->t)));
	s->decay = 1.0f - lr * a->wd;
}

/* One parameter's update.  The vector paths below do the same float
 * operations in the same order (no fused multiply-add), so every path
 * gives the same bits. */
static inline float adam_one(const struct adam_step *s, float *m, float *v,
			     float p, float g)
{
	*m = s->b1 * *m + (1.0f - s->b1) * g;
	*v = s->b2 * *v + (1.0f - s->b2) * (g * g);
	return p * s->decay - (s->rate * *m) / (sqrtf(*v * s->rbc2) + s->eps);
}

static void adam_scalar(const struct adam_step *s, float *restrict p,
			float *restrict g, float *restrict m,
			float *restrict v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		p[i] = adam_one(s, &m[i], &v[i], p[i], g[i]);
		g[i] = 0.0f;
	}
}

#ifdef ADAM_X86
/* Eight parameters at a time.  Compilers keep a loop with sqrtf scalar
 * (errno), and the default x86-64 target has no AVX, so this function
 * is built for AVX and chosen at run time. */
__attribute__((target("avx")))
static void adam_avx(const struct adam_step *s, float *restrict p,
		     float *restrict g, float *restrict m, float *restrict v,
		     size_t len)
{
	const __m256 b1 = _mm256_set1_ps(s->b1), b2 = _mm256_set1_ps(s->b2);
	const __m256 c1 = _mm256_set1_ps(1.0f - s->b1);
	const __m256 c2 = _mm256_set1_ps(1.0f - s->b2);
	const __m256 rate = _mm256_set1_ps(s->rate);
	const __m256 rbc2 = _mm256_set1_ps(s->rbc2);
	const __m256 eps = _mm256_set1_ps(s->eps);
	const __m256 dec = _mm256_set1_ps(s->decay), zero = _mm256_setzero_ps();
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		__m256 gi = _mm256_loadu_ps(g + i);
		__m256 mi = _mm256_add_ps(_mm256_mul_ps(b1, _mm256_loadu_ps(m + i)),
					  _mm256_mul_ps(c1, gi));
		__m256 vi = _mm256_add_ps(_mm256_mul_ps(b2, _mm256_loadu_ps(v + i)),
					  _mm256_mul_ps(c2, _mm256_mul_ps(gi, gi)));
		__m256 den = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vi, rbc2)),
					   eps);
		__m256 pi = _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(p + i), dec),
					  _mm256_div_ps(_mm256_mul_ps(rate, mi), den));

		_mm256_storeu_ps(m + i, mi);
		_mm256_storeu_ps(v + i, vi);
		_mm256_storeu_ps(p + i, pi);
		_mm256_storeu_ps(g + i, zero);
	}
	adam_scalar(s, p + i, g + i, m + i, v + i, len - i);
}

/* Four at a time with SSE, which every x86-64 has. */
static void adam_sse(const struct adam_step *s, float *restrict p,
		     float *restrict g, float *restrict m, float *restrict v,
		     size_t len)
{
	const __m128 b1 = _mm_set1_ps(s->b1), b2 = _mm_set1_ps(s->b2);
	const __m128 c1 = _mm_set1_ps(1.0f - s->b1);
	const __m128 c2 = _mm_set1_ps(1.0f - s->b2);
	const __m128 rate = _mm_set1_ps(s->rate), rbc2 = _mm_set1_ps(s->rbc2);
	const __m128 eps = _mm_set1_ps(s->eps), dec = _mm_set1_ps(s->decay);
	size_t i = 0;

	for (; i + 4 <= len; i += 4) {
		__m128 gi = _mm_loadu_ps(g + i);
		__m128 mi = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)),
				       _mm_mul_ps(c1, gi));
		__m128 vi = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)),
				       _mm_mul_ps(c2, _mm_mul_ps(gi, gi)));
		__m128 den = _mm_add_ps(_mm_sqrt_ps(_mm_mul_ps(vi, rbc2)), eps);
		__m128 pi = _mm_sub_ps(_mm_mul_ps(_mm_loadu_ps(p + i), dec),
				       _mm_div_ps(_mm_mul_ps(rate, mi), den));

		_mm_storeu_ps(m + i, mi);
		_mm_storeu_ps(v + i, vi);
		_mm_storeu_ps(p + i, pi);
		_mm_storeu_ps(g + i, _mm_setzero_ps());
	}
	adam_scalar(s, p + i, g + i, m + i, v + i, len - i);
}
#endif

void adam_update(struct adam *a, const struct adam_step *s, float *param,
		 float *grad, size_t off, size_t len)
{
	float *p = param + off, *g = grad + off, *m = a->m + off;
	float *v = a->v + off;

#ifdef ADAM_X86
	if (__builtin_cpu_supports("avx"))
		adam_avx(s, p, g, m, v, len);
	else
		adam_sse(s, p, g, m, v, len);
#else
	adam_scalar(s, p, g, m, v, len);
#endif
}
