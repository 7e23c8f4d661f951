/* crowd_annot.c - per-annotator counts, agreement, accuracy, spam test. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/crowd.h"
#include "relabel/mem.h"

static void an_alloc(struct crowd_annotators *an, size_t A)
{
	an->A = A;
	an->n_labels = xcalloc(A, sizeof *an->n_labels);
	an->n_compared = xcalloc(A, sizeof *an->n_compared);
	an->agreement = xcalloc(A, sizeof *an->agreement);
	an->n_expert = xcalloc(A, sizeof *an->n_expert);
	an->expert_acc = xcalloc(A, sizeof *an->expert_acc);
	an->ds_acc = xcalloc(A, sizeof *an->ds_acc);
	an->spread = xcalloc(A, sizeof *an->spread);
	an->no_info = xcalloc(A, sizeof *an->no_info);
}

/* Credit of vote l against the others' counts [C]: 1/t when l is one of
 * the t classes at the top, else 0; -1 when the others cast no vote. */
static double loo_credit(const uint32_t *others, int C, int l)
{
	uint32_t top = 0;
	int ntop = 0;

	for (int c = 0; c < C; c++) {
		if (others[c] > top) {
			top = others[c];
			ntop = 1;
		} else if (others[c] == top && top > 0) {
			ntop++;
		}
	}
	if (top == 0)
		return -1.0;
	return others[l] == top ? 1.0 / ntop : 0.0;
}

/* Leave-one-out agreement on item i: each annotator's run of votes (the
 * index keeps them together) is taken out of the counts in turn. */
static void an_item(const struct crowd_votes *v, const struct crowd_index *ix,
		    size_t i, int C, uint32_t *cnt, struct crowd_annotators *an)
{
	size_t s = ix->start[i], t = ix->start[i + 1];

	for (size_t k = s; k < t; k++)
		cnt[v->label[ix->vote[k]]]++;
	for (size_t g = s, h; g < t; g = h) {
		uint32_t a = v->annotator[ix->vote[g]];

		for (h = g; h < t && v->annotator[ix->vote[h]] == a; h++)
			cnt[v->label[ix->vote[h]]]--;
		for (size_t k = g; k < h; k++) {
			double c = loo_credit(cnt, C, v->label[ix->vote[k]]);

			if (c < 0.0)
				break;
			an->n_compared[a]++;
			an->agreement[a] += c;
		}
		for (size_t k = g; k < h; k++)
			cnt[v->label[ix->vote[k]]]++;
	}
	for (size_t k = s; k < t; k++)
		cnt[v->label[ix->vote[k]]] = 0;
}

/* Largest total-variation distance between rows with enough mass. */
static double an_spread(const double *conf, const double *mass, int C)
{
	double best = NAN;

	for (int j = 0; j < C; j++) {
		if (mass[j] < CROWD_NOINFO_MASS)
			continue;
		for (int k = j + 1; k < C; k++) {
			double tv = 0.0;

			if (mass[k] < CROWD_NOINFO_MASS)
				continue;
			for (int l = 0; l < C; l++)
				tv += fabs(conf[(size_t)j * C + l] -
					   conf[(size_t)k * C + l]);
			tv *= 0.5;
			if (isnan(best) || tv > best)
				best = tv;
		}
	}
	return best;
}

/* Dawid-Skene accuracy and the no-information test per annotator. */
static void an_ds(const struct crowd_votes *v, const struct crowd_ds *ds,
		  struct crowd_annotators *an)
{
	int C = ds->C;
	size_t cc = (size_t)C * C;
	double *mass = xcalloc(ds->A * C, sizeof *mass);

	for (size_t k = 0; k < v->n; k++) {
		const double *T = ds->post + (size_t)v->item[k] * C;
		double *m = mass + (size_t)v->annotator[k] * C;

		for (int j = 0; j < C; j++)
			m[j] += T[j];
	}
	for (size_t a = 0; a < an->A; a++) {
		const double *conf = ds->conf + a * cc;

		for (int j = 0; j < C; j++)
			an->ds_acc[a] += ds->prior[j] * conf[(size_t)j * C + j];
		an->spread[a] = an_spread(conf, mass + a * C, C);
		an->no_info[a] = !isnan(an->spread[a]) &&
			an->spread[a] < CROWD_NOINFO_TV;
	}
	free(mass);
}

void crowd_annotators_compute(const struct crowd_votes *v,
			      const struct crowd_index *ix,
			      const int32_t *expert, const struct crowd_ds *ds,
			      struct crowd_annotators *an)
{
	int C = ds->C;
	uint32_t *cnt = xcalloc((size_t)C, sizeof *cnt);

	an_alloc(an, ds->A);
	for (size_t k = 0; k < v->n; k++) {
		uint32_t a = v->annotator[k];
		int32_t x = expert ? expert[v->item[k]] : -1;

		an->n_labels[a]++;
		if (x < 0)
			continue;
		an->n_expert[a]++;
		an->expert_acc[a] += v->label[k] == x;
	}
	for (size_t i = 0; i < ix->n_items; i++)
		an_item(v, ix, i, C, cnt, an);
	for (size_t a = 0; a < an->A; a++) {
		an->agreement[a] = an->n_compared[a] ?
			an->agreement[a] / an->n_compared[a] : NAN;
		an->expert_acc[a] = an->n_expert[a] ?
			an->expert_acc[a] / an->n_expert[a] : NAN;
	}
	an_ds(v, ds, an);
	free(cnt);
}

void crowd_annotators_free(struct crowd_annotators *an)
{
	free(an->n_labels);
	free(an->n_compared);
	free(an->agreement);
	free(an->n_expert);
	free(an->expert_acc);
	free(an->ds_acc);
	free(an->spread);
	free(an->no_info);
	memset(an, 0, sizeof *an);
}
