/* scores.c - loss, self-confidence, margin, entropy and argmax per item. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/scores.h"

/* Checks one row: finite, non-negative, summing to 1. */
static int row_check(const float *p, int C, size_t item, struct err *e)
{
	double sum = 0.0;

	for (int k = 0; k < C; k++) {
		if (!(p[k] >= 0.0f) || !isfinite(p[k]))
			return err_set(e, "item %zu: probability of class %d is "
				       "%g; probabilities must be finite and "
				       "non-negative", item, k, (double)p[k]);
		sum += p[k];
	}
	if (fabs(sum - 1.0) > SCORES_SUM_TOL)
		return err_set(e, "item %zu: probabilities sum to %.6g, not 1; "
			       "give softmax outputs, one row per item",
			       item, sum);
	return 0;
}

/* Fills item i's scores from its row p. */
static void row_scores(const float *p, int C, int32_t y, float inv_logc,
		       struct scores *s, size_t i)
{
	float best = p[0], h = 0.0f, other = -1.0f;
	int32_t arg = 0;

	for (int k = 0; k < C; k++) {
		if (p[k] > best) {
			best = p[k];
			arg = k;
		}
		if (p[k] > 0.0f)
			h -= p[k] * logf(p[k]);
		if (k != y && p[k] > other)
			other = p[k];
	}
	s->argmax[i] = arg;
	s->entropy[i] = h * inv_logc;
	if (y < 0) {
		s->loss[i] = s->selfconf[i] = s->margin[i] = NAN;
		return;
	}
	s->selfconf[i] = p[y];
	s->margin[i] = p[y] - other;
	s->loss[i] = (float)-log(p[y] > SCORES_EPS ? (double)p[y] : SCORES_EPS);
}

static void scores_alloc(struct scores *s, size_t n)
{
	s->n = n;
	s->loss = xmalloc(n * sizeof *s->loss);
	s->selfconf = xmalloc(n * sizeof *s->selfconf);
	s->margin = xmalloc(n * sizeof *s->margin);
	s->entropy = xmalloc(n * sizeof *s->entropy);
	s->argmax = xmalloc(n * sizeof *s->argmax);
}

int scores_compute(const float *probs, const uint8_t *has_probs,
		   const int32_t *label, size_t n, int C, struct scores *s,
		   struct err *e)
{
	float inv_logc = (float)(1.0 / log((double)C));

	memset(s, 0, sizeof *s);
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	scores_alloc(s, n);
	for (size_t i = 0; i < n; i++) {
		const float *p = probs + i * (size_t)C;
		int32_t y = label[i];

		if (y < -1 || y >= C) {
			scores_free(s);
			return err_set(e, "item %zu: label %d is not a class "
				       "(0 .. %d, or -1 for none)", i, y, C - 1);
		}
		if (has_probs && !has_probs[i]) {
			s->loss[i] = s->selfconf[i] = s->margin[i] = NAN;
			s->entropy[i] = NAN;
			s->argmax[i] = -1;
			continue;
		}
		if (row_check(p, C, i, e) < 0) {
			scores_free(s);
			return -1;
		}
		row_scores(p, C, y, inv_logc, s, i);
	}
	return 0;
}

void scores_free(struct scores *s)
{
	free(s->loss);
	free(s->selfconf);
	free(s->margin);
	free(s->entropy);
	free(s->argmax);
	memset(s, 0, sizeof *s);
}
