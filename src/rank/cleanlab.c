/* cleanlab.c - confident learning (Northcutt et al., JAIR 2021). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/cleanlab.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/queue.h"

static int takes_part(const int32_t *label, const uint8_t *use, size_t i)
{
	return label[i] >= 0 && (!use || use[i]);
}

static void cl_alloc(struct cleanlab *cl, size_t n, int C)
{
	size_t cc = (size_t)C * (size_t)C;

	cl->C = C;
	cl->n = n;
	cl->threshold = xcalloc((size_t)C, sizeof *cl->threshold);
	cl->count = xcalloc((size_t)C, sizeof *cl->count);
	cl->confident = xcalloc(cc, sizeof *cl->confident);
	cl->calibrated = xcalloc(cc, sizeof *cl->calibrated);
	cl->joint = xcalloc(cc, sizeof *cl->joint);
	cl->noise = xcalloc(cc, sizeof *cl->noise);
	cl->confident_class = xmalloc(n * sizeof *cl->confident_class);
	cl->issue = xcalloc(n, sizeof *cl->issue);
	cl->suggested = xmalloc(n * sizeof *cl->suggested);
}

/* Step 1: t_j = mean p_j over the items labeled j. */
static void cl_thresholds(const float *probs, const int32_t *label,
			  const uint8_t *use, struct cleanlab *cl)
{
	int C = cl->C;

	for (size_t i = 0; i < cl->n; i++) {
		if (!takes_part(label, use, i))
			continue;
		cl->threshold[label[i]] += probs[i * (size_t)C + label[i]];
		cl->count[label[i]] += 1.0;
		cl->n_used++;
	}
	for (int j = 0; j < C; j++)
		cl->threshold[j] = cl->count[j] > 0.0 ?
			cl->threshold[j] / cl->count[j] : NAN;
}

/* Step 2: the confident joint, [given][true]. */
static void cl_confident(const float *probs, const int32_t *label,
			 const uint8_t *use, struct cleanlab *cl)
{
	int C = cl->C;
	double *t = cl->threshold;

	for (size_t i = 0; i < cl->n; i++) {
		const float *p = probs + i * (size_t)C;
		int best = -1;

		cl->confident_class[i] = -1;
		if (!takes_part(label, use, i))
			continue;
		/* NAN thresholds compare false: that class is never reached. */
		for (int j = 0; j < C; j++)
			if (p[j] >= t[j] - CLEANLAB_THRESHOLD_SLACK &&
			    (best < 0 || p[j] > p[best]))
				best = j;
		if (best < 0)
			continue;
		cl->confident_class[i] = best;
		cl->confident[(size_t)label[i] * C + best] += 1.0;
	}
	for (int j = 0; j < C; j++)
		if (cl->confident[(size_t)j * C + j] < 1.0)
			cl->confident[(size_t)j * C + j] = 1.0;
}

/* Rounds row [C] to integers keeping its rounded total: floors, then one
 * more to the largest remainders (lower index first on a tie). */
static void round_row(double *row, int C)
{
	double total = 0.0, floors = 0.0;

	for (int j = 0; j < C; j++)
		total += row[j];
	total = round(total);
	for (int j = 0; j < C; j++)
		floors += floor(row[j]);
	for (double left = total - floors; left > 0.5; left -= 1.0) {
		int best = -1;
		double rem = -1.0;

		for (int j = 0; j < C; j++) {
			double r = row[j] - floor(row[j]);

			if (r != 0.0 && r > rem) {
				rem = r;
				best = j;
			}
		}
		if (best < 0)
			break;
		row[best] = floor(row[best]) + 1.0;
	}
	for (int j = 0; j < C; j++)
		row[j] = floor(row[j]);
}

/* Step 4: Q, P(given | true) and the off-diagonal mass. */
static void cl_joint(struct cleanlab *cl)
{
	int C = cl->C;
	double n = (double)cl->n_used;

	cl->noise_rate = cl->n_used ? 0.0 : NAN;
	for (int i = 0; i < C; i++)
		for (int j = 0; j < C; j++) {
			size_t k = (size_t)i * C + j;

			cl->joint[k] = n > 0.0 ? cl->calibrated[k] / n : 0.0;
			if (i != j)
				cl->noise_rate += cl->joint[k];
		}
	for (int j = 0; j < C; j++) {
		double col = 0.0;

		for (int i = 0; i < C; i++)
			col += cl->joint[(size_t)i * C + j];
		for (int i = 0; i < C; i++)
			cl->noise[(size_t)i * C + j] = col > 0.0 ?
				cl->joint[(size_t)i * C + j] / col : 0.0;
	}
}

/* Step 3: rows to the given-label counts, the whole to n_used. */
static void cl_calibrate(struct cleanlab *cl)
{
	int C = cl->C;
	double total = 0.0, n = (double)cl->n_used;

	for (int i = 0; i < C; i++) {
		const double *cj = cl->confident + (size_t)i * C;
		double *cal = cl->calibrated + (size_t)i * C, rs = 0.0;

		for (int j = 0; j < C; j++)
			rs += cj[j];
		for (int j = 0; j < C; j++)
			cal[j] = cj[j] / (rs > 1.0 ? rs : 1.0) * cl->count[i];
	}
	for (size_t k = 0; k < (size_t)C * C; k++)
		total += cl->calibrated[k];
	for (int i = 0; i < C; i++) {
		double *cal = cl->calibrated + (size_t)i * C;

		for (int j = 0; j < C; j++)
			cal[j] *= n / (total > 1.0 ? total : 1.0);
		round_row(cal, C);
	}
}

/* The items taking part, grouped by given label: start [C + 1]. */
static uint32_t *cl_group(const int32_t *label, const uint8_t *use,
			  size_t n, int C, size_t *start)
{
	uint32_t *items = xmalloc(n * sizeof *items);

	memset(start, 0, ((size_t)C + 1) * sizeof *start);
	for (size_t i = 0; i < n; i++)
		if (takes_part(label, use, i))
			start[label[i] + 1]++;
	for (int j = 0; j < C; j++)
		start[j + 1] += start[j];
	for (size_t i = 0; i < n; i++)
		if (takes_part(label, use, i))
			items[start[label[i]]++] = (uint32_t)i;
	/* The fill advanced each start to the next class's; shift back. */
	for (int j = C; j > 0; j--)
		start[j] = start[j - 1];
	start[0] = 0;
	return items;
}

/* Step 5 for one (given i, true j): the k items of the group with the
 * largest p_j - p_i are chosen; each keeps the j with the largest p_j. */
static void cl_prune_cell(const float *probs, int C, const uint32_t *items,
			  size_t m, int i, int j, size_t k, uint64_t *key,
			  int32_t *suggested)
{
	for (size_t r = 0; r < m; r++) {
		const float *p = probs + (size_t)items[r] * C;

		key[r] = queue_key(p[j] - p[i], items[r]);
	}
	queue_top_keys(key, m, k);
	for (size_t r = 0; r < k; r++) {
		uint32_t item = queue_key_item(key[r]);
		const float *p = probs + (size_t)item * C;
		int32_t s = suggested[item];

		if (s < 0 || p[j] > p[s])
			suggested[item] = j;
	}
}

/* Step 5: prune by noise rate, keeping one item in every class. */
static void cl_prune(const float *probs, const int32_t *label,
		     const uint8_t *use, struct cleanlab *cl)
{
	int C = cl->C;
	size_t *start = xmalloc(((size_t)C + 1) * sizeof *start);
	uint32_t *items = cl_group(label, use, cl->n, C, start);
	uint64_t *key = xmalloc(cl->n_used * sizeof *key);

	for (size_t i = 0; i < cl->n; i++)
		cl->suggested[i] = -1;
	for (int i = 0; i < C; i++) {
		size_t m = start[i + 1] - start[i];
		size_t budget = m ? m - 1 : 0;

		for (int j = 0; j < C && budget > 0; j++) {
			size_t k = (size_t)cl->calibrated[(size_t)i * C + j];

			if (j == i || k == 0)
				continue;
			k = k < budget ? k : budget;
			budget -= k;
			cl_prune_cell(probs, C, items + start[i], m, i, j, k,
				      key, cl->suggested);
		}
	}
	free(key);
	free(items);
	free(start);
}

/* Step 6: an issue stays only where the model's argmax is not the label. */
static void cl_issues(const float *probs, const int32_t *label,
		      struct cleanlab *cl)
{
	int C = cl->C;

	for (size_t i = 0; i < cl->n; i++) {
		const float *p = probs + i * (size_t)C;
		int arg = 0;

		if (cl->suggested[i] < 0)
			continue;
		for (int k = 1; k < C; k++)
			if (p[k] > p[arg])
				arg = k;
		if (arg == label[i]) {
			cl->suggested[i] = -1;
			continue;
		}
		cl->issue[i] = 1;
		cl->n_issues++;
	}
}

int cleanlab_compute(const float *probs, const int32_t *label,
		     const uint8_t *use, size_t n, int C, struct cleanlab *cl,
		     struct err *e)
{
	memset(cl, 0, sizeof *cl);
	if (C < 2)
		return err_set(e, "%d classes: need at least two", C);
	if (n > UINT32_MAX)
		return err_set(e, "%zu items: at most %u can be ranked", n,
			       UINT32_MAX);
	for (size_t i = 0; i < n; i++)
		if (label[i] >= C || label[i] < -1)
			return err_set(e, "item %zu: label %d is not a class "
				       "(0 .. %d, or -1 for none)", i,
				       label[i], C - 1);
	cl_alloc(cl, n, C);
	cl_thresholds(probs, label, use, cl);
	cl_confident(probs, label, use, cl);
	cl_calibrate(cl);
	cl_joint(cl);
	cl_prune(probs, label, use, cl);
	cl_issues(probs, label, cl);
	return 0;
}

void cleanlab_free(struct cleanlab *cl)
{
	free(cl->threshold);
	free(cl->count);
	free(cl->confident);
	free(cl->calibrated);
	free(cl->joint);
	free(cl->noise);
	free(cl->confident_class);
	free(cl->issue);
	free(cl->suggested);
	memset(cl, 0, sizeof *cl);
}
