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
	an->kappa = xcalloc(A, sizeof *an->kappa);
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

/* Bias-corrected Cramer's V (Bergsma, 2013) of the table n [C, C] (true
 * class x label said, soft counts) over the rows holding at least one
 * vote's worth; 0 when one label is all the annotator says; NAN when too
 * few votes or rows remain to tell. */
static double an_spread(const double *n, int C)
{
	double *m = xcalloc(2 * (size_t)C, sizeof *m), *q = m + C;
	double N = 0.0, phi = 0.0, df, kc, rc, V = NAN;
	int r = 0, k = 0;

	for (int j = 0; j < C; j++) {
		for (int l = 0; l < C; l++)
			m[j] += n[(size_t)j * C + l];
		if (m[j] < 1.0)
			continue;
		r++;
		N += m[j];
		for (int l = 0; l < C; l++)
			q[l] += n[(size_t)j * C + l];
	}
	for (int l = 0; l < C; l++)
		k += q[l] > 0.0;
	if (N >= CROWD_NOINFO_MIN_VOTES && r >= 2 && k < 2)
		V = 0.0;
	if (N < CROWD_NOINFO_MIN_VOTES || r < 2 || k < 2)
		goto done;

	/* phi^2 = sum n^2 / (m q) - 1, then less its expectation under
	 * independence, which small tables inflate. */
	for (int j = 0; j < C; j++)
		for (int l = 0; m[j] >= 1.0 && l < C; l++)
			if (q[l] > 0.0)
				phi += n[(size_t)j * C + l] *
					n[(size_t)j * C + l] / (m[j] * q[l]);
	df = (k - 1.0) * (r - 1.0);
	phi = fmax(0.0, phi - 1.0 - df / (N - 1.0));
	kc = k - (k - 1.0) * (k - 1.0) / (N - 1.0);
	rc = r - (r - 1.0) * (r - 1.0) / (N - 1.0);
	V = sqrt(phi / fmax(fmin(kc - 1.0, rc - 1.0), 1e-9));
done:
	free(m);
	return V;
}

/* Chance-corrected agreement of the annotator with the true class, from
 * its table n [C, C]: kappa = (p_o - p_e) / (1 - p_e) with p_o the share
 * of votes on the true class and p_e = sum_l q_l m_l / N what votes with
 * the same label frequencies q but no knowledge would reach; z = (p_o -
 * p_e) N / sqrt(N p_e (1 - p_e)).  Returns kappa (NAN below
 * CROWD_NOINFO_MIN_VOTES votes) and sets *z. */
static double an_kappa(const double *n, int C, double *z)
{
	double N = 0.0, po = 0.0, pe = 0.0;

	for (int j = 0; j < C; j++)
		for (int l = 0; l < C; l++)
			N += n[(size_t)j * C + l];
	*z = 0.0;
	if (N < CROWD_NOINFO_MIN_VOTES)
		return NAN;
	for (int l = 0; l < C; l++) {
		double q = 0.0, m = 0.0;

		for (int j = 0; j < C; j++) {
			q += n[(size_t)j * C + l];
			m += n[(size_t)l * C + j];
		}
		po += n[(size_t)l * C + l] / N;
		pe += (q / N) * (m / N);
	}
	/* Always the same label: the votes cannot tell classes apart. */
	if (pe >= 1.0 - 1e-12)
		return 0.0;
	*z = (po - pe) * N / sqrt(N * pe * (1.0 - pe));
	return (po - pe) / (1.0 - pe);
}

/* Adds item i's votes to table [A, C, C] (true class x label said): the
 * true class of each annotator's votes is the posterior from the OTHER
 * annotators' votes (log prior plus their log confusions), so that a
 * random clicker's own votes cannot make it look informative.  lc is
 * log conf [A, C, C]; lp, lg [C] scratch. */
static void an_table_item(const struct crowd_votes *v,
			  const struct crowd_index *ix, const struct crowd_ds *ds,
			  const double *lc, size_t i, double *lp, double *lg,
			  double *table)
{
	int C = ds->C;
	size_t cc = (size_t)C * C, s = ix->start[i], t = ix->start[i + 1];

	for (int j = 0; j < C; j++)
		lp[j] = log(ds->prior[j]);
	for (size_t k = s; k < t; k++) {
		uint32_t vk = ix->vote[k];
		const double *row = lc + v->annotator[vk] * cc + v->label[vk];

		for (int j = 0; j < C; j++)
			lp[j] += row[(size_t)j * C];
	}
	for (size_t g = s, h; g < t; g = h) {
		uint32_t a = v->annotator[ix->vote[g]];
		double top = -INFINITY, sum = 0.0;

		/* Take the annotator's own votes out again. */
		memcpy(lg, lp, (size_t)C * sizeof *lg);
		for (h = g; h < t && v->annotator[ix->vote[h]] == a; h++) {
			const double *row = lc + a * cc + v->label[ix->vote[h]];

			for (int j = 0; j < C; j++)
				lg[j] -= row[(size_t)j * C];
		}
		for (int j = 0; j < C; j++)
			top = fmax(top, lg[j]);
		for (int j = 0; j < C; j++)
			sum += (lg[j] = exp(lg[j] - top));
		for (size_t k = g; k < h; k++) {
			double *cell = table + a * cc + v->label[ix->vote[k]];

			for (int j = 0; j < C; j++)
				cell[(size_t)j * C] += lg[j] / sum;
		}
	}
}

/* Dawid-Skene accuracy and the no-information test per annotator. */
static void an_ds(const struct crowd_votes *v, const struct crowd_index *ix,
		  const struct crowd_ds *ds, struct crowd_annotators *an)
{
	int C = ds->C;
	size_t cc = (size_t)C * C;
	double *table = xcalloc(ds->A * cc, sizeof *table);
	double *lc = xmalloc(ds->A * cc * sizeof *lc);
	double *lp = xmalloc(2 * (size_t)C * sizeof *lp);

	for (size_t k = 0; k < ds->A * cc; k++)
		lc[k] = log(ds->conf[k]);
	for (size_t i = 0; i < ix->n_items; i++)
		an_table_item(v, ix, ds, lc, i, lp, lp + C, table);
	for (size_t a = 0; a < an->A; a++) {
		const double *conf = ds->conf + a * cc;
		double z;

		for (int j = 0; j < C; j++)
			an->ds_acc[a] += ds->prior[j] * conf[(size_t)j * C + j];
		an->spread[a] = an_spread(table + a * cc, C);
		an->kappa[a] = an_kappa(table + a * cc, C, &z);
		an->no_info[a] = !isnan(an->kappa[a]) &&
			(an->kappa[a] < CROWD_NOINFO_KAPPA || z < CROWD_NOINFO_Z);
	}
	free(table);
	free(lc);
	free(lp);
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
	an_ds(v, ix, ds, an);
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
	free(an->kappa);
	free(an->no_info);
	memset(an, 0, sizeof *an);
}
