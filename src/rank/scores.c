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

/* Fills item i's scores from its row p; returns -1 when the row may not
 * be a distribution (row_check decides, in double), else 0. */
static int row_scores(const float *p, int C, int32_t y, float inv_logc,
		      struct scores *s, size_t i)
{
	float best = p[0], h = 0.0f, other = -1.0f, sum = 0.0f;
	int32_t arg = 0;
	int bad = 0;

	/* Written as selections, not branches: the comparisons are
	 * unpredictable on real data. */
	for (int k = 0; k < C; k++) {
		float x = p[k], o = k == y ? -1.0f : x;

		/* NAN fails the first test, infinity the second. */
		bad |= !(x >= 0.0f) | (x > 2.0f);
		sum += x;
		arg = x > best ? k : arg;
		best = x > best ? x : best;
		other = o > other ? o : other;
	}

	/* Apart: around the calls every value above would be spilled. */
	for (int k = 0; k < C; k++)
		if (p[k] > 0.0f)
			h -= p[k] * logf(p[k]);
	s->argmax[i] = arg;
	s->entropy[i] = h * inv_logc;
	if (y < 0) {
		s->loss[i] = s->selfconf[i] = s->margin[i] = NAN;
	} else {
		s->selfconf[i] = p[y];
		s->margin[i] = p[y] - other;
		s->loss[i] = -logf(p[y] > (float)SCORES_EPS ? p[y] :
				   (float)SCORES_EPS);
	}
	return bad || fabsf(sum - 1.0f) > (float)SCORES_SUM_TOL ? -1 : 0;
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
		/* A doubtful row is checked again in double, which decides
		 * and names the fault. */
		if (row_scores(p, C, y, inv_logc, s, i) < 0 &&
		    row_check(p, C, i, e) < 0) {
			scores_free(s);
			return -1;
		}
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
