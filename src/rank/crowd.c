/* crowd.c - vote index, majority vote and Krippendorff's alpha. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"

static int votes_check(const struct crowd_votes *v, size_t n_items, size_t A,
		       int C, struct err *e)
{
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	if (n_items > UINT32_MAX || A > UINT32_MAX)
		return err_set(e, "%zu items, %zu annotators: at most %u each",
			       n_items, A, UINT32_MAX);
	for (size_t k = 0; k < v->n; k++) {
		if (v->item[k] >= n_items)
			return err_set(e, "vote %zu: item %u out of range "
				       "(%zu items)", k, v->item[k], n_items);
		if (v->annotator[k] >= A)
			return err_set(e, "vote %zu: annotator %u out of range "
				       "(%zu annotators)", k, v->annotator[k], A);
		if (v->label[k] < 0 || v->label[k] >= C)
			return err_set(e, "vote %zu: label %d is not a class "
				       "(0 .. %d)", k, v->label[k], C - 1);
	}
	return 0;
}

/* Stable counting sort of ids by key: out gets ids ordered by key. */
static void count_sort(const uint32_t *ids, size_t n, const uint32_t *key,
		       size_t nkeys, size_t *start, uint32_t *out)
{
	memset(start, 0, (nkeys + 1) * sizeof *start);
	for (size_t k = 0; k < n; k++)
		start[key[ids[k]] + 1]++;
	for (size_t j = 0; j < nkeys; j++)
		start[j + 1] += start[j];
	for (size_t k = 0; k < n; k++)
		out[start[key[ids[k]]]++] = ids[k];
	for (size_t j = nkeys; j > 0; j--)
		start[j] = start[j - 1];
	start[0] = 0;
}

int crowd_index_build(const struct crowd_votes *v, size_t n_items,
		      size_t A, int C, struct crowd_index *ix, struct err *e)
{
	size_t n = v->n;
	uint32_t *ids, *by_annot;
	size_t *astart;

	memset(ix, 0, sizeof *ix);
	if (votes_check(v, n_items, A, C, e) < 0)
		return -1;
	if (n > UINT32_MAX)
		return err_set(e, "%zu votes: at most %u", n, UINT32_MAX);

	/* Two stable passes: by annotator, then by item. */
	ids = xmalloc(n * sizeof *ids);
	by_annot = xmalloc(n * sizeof *by_annot);
	astart = xmalloc((A + 1) * sizeof *astart);
	for (size_t k = 0; k < n; k++)
		ids[k] = (uint32_t)k;
	count_sort(ids, n, v->annotator, A, astart, by_annot);
	ix->n_items = n_items;
	ix->start = xmalloc((n_items + 1) * sizeof *ix->start);
	ix->vote = ids;
	count_sort(by_annot, n, v->item, n_items, ix->start, ix->vote);
	free(by_annot);
	free(astart);
	return 0;
}

void crowd_index_free(struct crowd_index *ix)
{
	free(ix->start);
	free(ix->vote);
	memset(ix, 0, sizeof *ix);
}

/* Entropy of counts [C] with total m, over log C. */
static float counts_entropy(const uint32_t *cnt, int C, uint32_t m)
{
	double h = 0.0;

	if (m == 0)
		return NAN;
	for (int c = 0; c < C; c++)
		if (cnt[c]) {
			double q = (double)cnt[c] / m;

			h -= q * log(q);
		}
	return (float)(h / log((double)C));
}

/* One item's majority from its counts; global [C] breaks ties. */
static void item_majority(const uint32_t *cnt, const size_t *global, int C,
			  int32_t *label, uint8_t *tie)
{
	int best = -1, ntop = 0;

	for (int c = 0; c < C; c++) {
		if (!cnt[c])
			continue;
		if (best < 0 || cnt[c] > cnt[best]) {
			best = c;
			ntop = 1;
		} else if (cnt[c] == cnt[best]) {
			ntop++;
			if (global[c] > global[best])
				best = c;
		}
	}
	*label = best;
	*tie = ntop > 1;
}

void crowd_majority_compute(const struct crowd_votes *v,
			    const struct crowd_index *ix, int C,
			    struct crowd_majority *m)
{
	size_t n = ix->n_items;
	size_t *global = xcalloc((size_t)C, sizeof *global);
	uint32_t *cnt = xcalloc((size_t)C, sizeof *cnt);

	m->n = n;
	m->label = xmalloc(n * sizeof *m->label);
	m->tie = xcalloc(n, sizeof *m->tie);
	m->n_votes = xmalloc(n * sizeof *m->n_votes);
	m->entropy = xmalloc(n * sizeof *m->entropy);
	for (size_t k = 0; k < v->n; k++)
		global[v->label[k]]++;
	for (size_t i = 0; i < n; i++) {
		size_t s = ix->start[i], t = ix->start[i + 1];

		for (size_t k = s; k < t; k++)
			cnt[v->label[ix->vote[k]]]++;
		m->n_votes[i] = (uint32_t)(t - s);
		m->entropy[i] = counts_entropy(cnt, C, (uint32_t)(t - s));
		item_majority(cnt, global, C, &m->label[i], &m->tie[i]);
		for (size_t k = s; k < t; k++)
			cnt[v->label[ix->vote[k]]] = 0;
	}
	free(cnt);
	free(global);
}

void crowd_majority_free(struct crowd_majority *m)
{
	free(m->label);
	free(m->tie);
	free(m->n_votes);
	free(m->entropy);
	memset(m, 0, sizeof *m);
}

double crowd_alpha(const struct crowd_votes *v, const struct crowd_index *ix,
		   int C)
{
	double *total = xcalloc((size_t)C, sizeof *total);
	uint32_t *cnt = xcalloc((size_t)C, sizeof *cnt);
	double dis = 0.0, nn = 0.0, sq = 0.0, den;

	for (size_t i = 0; i < ix->n_items; i++) {
		size_t s = ix->start[i], t = ix->start[i + 1];
		double mu = (double)(t - s), own = 0.0;

		if (t - s < 2)
			continue;
		for (size_t k = s; k < t; k++)
			cnt[v->label[ix->vote[k]]]++;
		for (size_t k = s; k < t; k++) {
			int c = v->label[ix->vote[k]];

			/* Each class once: its count is cleared after use. */
			if (!cnt[c])
				continue;
			own += (double)cnt[c] * cnt[c];
			total[c] += cnt[c];
			cnt[c] = 0;
		}
		/* Pairs within the item that differ, weighted 1/(m_u - 1). */
		dis += (mu * mu - own) / (mu - 1.0);
		nn += mu;
	}
	for (int c = 0; c < C; c++)
		sq += total[c] * total[c];
	free(total);
	free(cnt);
	den = nn * nn - sq;
	if (den <= 0.0)
		return NAN;
	return 1.0 - (nn - 1.0) * dis / den;
}
