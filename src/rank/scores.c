/* scores.c - loss, self-confidence, margin, entropy and argmax per item. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/par.h"
#include "relabel/scores.h"

/* Threads for many rows: a million items of ten classes take tens of
 * milliseconds on one. */
#define SCORES_THREADS 4
#define SCORES_THREAD_MIN (1u << 20)

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

/* Scores items lo .. hi - 1; returns the first that fails (a label out
 * of range, or a row that is not a distribution), else hi. */
static size_t scores_range(const float *probs, const uint8_t *has_probs,
			   const int32_t *label, size_t lo, size_t hi, int C,
			   struct scores *s)
{
	float inv_logc = (float)(1.0 / log((double)C));
	struct err e;

	for (size_t i = lo; i < hi; i++) {
		const float *p = probs + i * (size_t)C;
		int32_t y = label[i];

		if (y < -1 || y >= C)
			return i;
		if (has_probs && !has_probs[i]) {
			s->loss[i] = s->selfconf[i] = s->margin[i] = NAN;
			s->entropy[i] = NAN;
			s->argmax[i] = -1;
			continue;
		}
		/* A doubtful row is checked again in double, which decides. */
		if (row_scores(p, C, y, inv_logc, s, i) < 0 &&
		    row_check(p, C, i, &e) < 0)
			return i;
	}
	return hi;
}

struct scores_job {
	const float *probs;
	const uint8_t *has_probs;
	const int32_t *label;
	size_t lo, hi, bad;
	int C;
	struct scores *s;
};

static void *scores_thread(void *arg)
{
	struct scores_job *j = arg;

	j->bad = scores_range(j->probs, j->has_probs, j->label, j->lo, j->hi,
			      j->C, j->s);
	return NULL;
}

/* Rows go to threads in fixed shares; each item's scores depend on its
 * row alone, so the result is the same on any number of threads.  The
 * first failing item is the smallest any thread found. */
static size_t scores_threads(const float *probs, const uint8_t *has_probs,
			     const int32_t *label, size_t n, int C,
			     struct scores *s)
{
	struct scores_job job[SCORES_THREADS] = { { 0 } };
	int T = n * (size_t)C >= SCORES_THREAD_MIN ?
		par_cpus(SCORES_THREADS) : 1;
	size_t bad = n;

	for (int t = 0; t < T; t++)
		job[t] = (struct scores_job){ probs, has_probs, label,
			n * (size_t)t / (size_t)T,
			n * (size_t)(t + 1) / (size_t)T, 0, C, s };
	par_run(scores_thread, job, sizeof *job, T);
	for (int t = 0; t < T; t++)
		if (job[t].bad < job[t].hi && job[t].bad < bad)
			bad = job[t].bad;
	return bad;
}

int scores_compute(const float *probs, const uint8_t *has_probs,
		   const int32_t *label, size_t n, int C, struct scores *s,
		   struct err *e)
{
	size_t bad;

	memset(s, 0, sizeof *s);
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	scores_alloc(s, n);
	bad = scores_threads(probs, has_probs, label, n, C, s);
	if (bad == n)
		return 0;

	/* The first fault, named. */
	if (label[bad] < -1 || label[bad] >= C)
		err_set(e, "item %zu: label %d is not a class (0 .. %d, or -1 "
			"for none)", bad, label[bad], C - 1);
	else
		row_check(probs + bad * (size_t)C, C, bad, e);
	scores_free(s);
	return -1;
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
