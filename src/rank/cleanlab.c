/* cleanlab.c - confident learning (Northcutt et al., JAIR 2021). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/cleanlab.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/queue.h"
#include "relabel/scores.h"

/* Margins sampled per cell to find a cut below the k-th largest. */
#define CLEANLAB_SAMPLE 512

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

/* Step 1: t_j = mean p_j over the items labeled j (from the scores'
 * self-confidence when given: 4 bytes an item instead of a row). */
static void cl_thresholds(const float *probs, const int32_t *label,
			  const uint8_t *use, const struct scores *sc,
			  struct cleanlab *cl)
{
	int C = cl->C;

	for (size_t i = 0; i < cl->n; i++) {
		if (!takes_part(label, use, i))
			continue;
		cl->threshold[label[i]] += sc ? sc->selfconf[i] :
			probs[i * (size_t)C + label[i]];
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
	float *t = xmalloc((size_t)C * sizeof *t);

	/* The least float at or above t_j - slack: a float compare then
	 * decides exactly as the double one would. */
	for (int j = 0; j < C; j++) {
		double tj = cl->threshold[j] - CLEANLAB_THRESHOLD_SLACK;

		t[j] = (float)tj;
		if ((double)t[j] < tj)
			t[j] = nextafterf(t[j], INFINITY);
	}
	for (size_t i = 0; i < cl->n; i++) {
		const float *p = probs + i * (size_t)C;
		float top = -1.0f;
		int best = -1;

		cl->confident_class[i] = -1;
		if (!takes_part(label, use, i))
			continue;
		/* NAN thresholds compare false: that class is never reached.
		 * Selections, not branches: they would be unpredictable. */
		for (int j = 0; j < C; j++) {
			float v = p[j] >= t[j] ? p[j] : -1.0f;

			best = v > top ? j : best;
			top = v > top ? v : top;
		}
		if (best < 0)
			continue;
		cl->confident_class[i] = best;
		cl->confident[(size_t)label[i] * C + best] += 1.0;
	}
	for (int j = 0; j < C; j++)
		if (cl->confident[(size_t)j * C + j] < 1.0)
			cl->confident[(size_t)j * C + j] = 1.0;
	free(t);
}

/* A remainder and its column, for largest-remainder rounding. */
struct leftover {
	double r;
	int j;
};

static int leftover_desc(const void *a, const void *b)
{
	const struct leftover *x = a, *y = b;

	if (x->r != y->r)
		return x->r < y->r ? 1 : -1;
	return x->j - y->j;
}

/* Rounds row [C] to integers keeping its rounded total: floors, then one
 * more to the largest remainders (lower index first on a tie).  rem [C]
 * is scratch. */
static void round_row(double *row, int C, struct leftover *rem)
{
	double total = 0.0, floors = 0.0;

	for (int j = 0; j < C; j++) {
		total += row[j];
		rem[j].r = row[j] - floor(row[j]);
		rem[j].j = j;
		row[j] = floor(row[j]);
		floors += row[j];
	}
	qsort(rem, (size_t)C, sizeof *rem, leftover_desc);
	for (int k = 0; k < C && floors + k < round(total) - 0.5; k++)
		row[rem[k].j] += 1.0;
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
	struct leftover *rem = xmalloc((size_t)C * sizeof *rem);

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
		round_row(cal, C, rem);
	}
	free(rem);
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

/* Pruning state.  A cell is one (given i, true j) with items to take.
 * The k items of a cell are those with the largest margin p_j - p_i.
 * A sample of the class's margins gives a cut that somewhat more than
 * k items reach; one sequential pass over P then keys only the items at
 * or above their cells' cuts.  Cells where sampling does not pay (small
 * classes, k over half the class) or whose candidates overflow are done
 * in full from the class's rows. */
struct prune {
	const float *probs;
	const int32_t *label;
	const uint8_t *use;
	size_t n;
	int C;
	const size_t *start;	/* [C + 1] class groups of items */
	const uint32_t *items;
	size_t ncell;
	int *cls, *col;		/* [C * C] each cell's i and j */
	size_t *take;		/* [C * C] items to take */
	float *cut;		/* [C * C] NAN: done in full */
	size_t *base, *cap;	/* [C * C] the cell's room in cand */
	size_t *count;		/* [C * C] items that reached the cut */
	size_t *lo, *hi;	/* [C] the cells of class i */
	uint64_t *cand;		/* candidates, a run per cell */
	uint64_t *key;		/* [largest class], for cells done in full */
	float *sample;		/* [CLEANLAB_SAMPLE] */
	uint32_t *chosen;	/* [n] items given a suggestion */
	size_t nchosen;
};

/* The cells of row i: at most (items labeled i) - 1 items in all,
 * columns served in index order. */
static void cl_prune_plan(const struct cleanlab *cl, struct prune *pr, int i)
{
	int C = cl->C;
	size_t m = pr->start[i + 1] - pr->start[i];
	size_t budget = m ? m - 1 : 0;

	pr->lo[i] = pr->ncell;
	for (int j = 0; j < C && budget > 0; j++) {
		size_t k = (size_t)cl->calibrated[(size_t)i * C + j];

		if (j == i || k == 0)
			continue;
		k = k < budget ? k : budget;
		budget -= k;
		pr->cls[pr->ncell] = i;
		pr->col[pr->ncell] = j;
		pr->take[pr->ncell++] = k;
	}
	pr->hi[i] = pr->ncell;
}

static int float_desc(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Cell c's cut from a sorted sample of its margins, a little below the
 * k-th largest's expected place (plus four standard deviations), and
 * the room its candidates should need; NAN when sampling does not pay. */
static float cl_cut(struct prune *pr, size_t c, size_t *room)
{
	int i = pr->cls[c], j = pr->col[c], C = pr->C;
	size_t m = pr->start[i + 1] - pr->start[i], k = pr->take[c], rank;
	const uint32_t *items = pr->items + pr->start[i];
	double want;

	if (m < 8 * CLEANLAB_SAMPLE || k > m / 2)
		return NAN;
	for (size_t s = 0; s < CLEANLAB_SAMPLE; s++) {
		const float *p = pr->probs +
			(size_t)items[s * (m / CLEANLAB_SAMPLE)] * C;

		pr->sample[s] = p[j] - p[i];
	}
	qsort(pr->sample, CLEANLAB_SAMPLE, sizeof *pr->sample, float_desc);
	want = (double)k * CLEANLAB_SAMPLE / (double)m;
	rank = (size_t)(want + 4.0 * sqrt(want) + 4.0);
	if (rank >= CLEANLAB_SAMPLE)
		return NAN;
	*room = 2 * (rank + 1) * (m / CLEANLAB_SAMPLE + 1) + 64;
	return pr->sample[rank];
}

/* The cuts, and room for every sampled cell's candidates. */
static void cl_prune_cuts(struct prune *pr)
{
	size_t total = 0;

	for (size_t c = 0; c < pr->ncell; c++) {
		size_t room = 0;

		pr->cut[c] = cl_cut(pr, c, &room);
		pr->base[c] = total;
		pr->cap[c] = room;
		pr->count[c] = 0;
		total += room;
	}
	/* Mostly untouched: only the candidates' pages are ever written. */
	pr->cand = xmalloc(total * sizeof *pr->cand);
}

/* The pass: every item at or above a cut of its class becomes a key. */
static void cl_prune_pass(struct prune *pr)
{
	int C = pr->C;

	for (size_t r = 0; r < pr->n; r++) {
		const float *p = pr->probs + r * C;
		int i = pr->label[r];

		if (!takes_part(pr->label, pr->use, r))
			continue;
		for (size_t c = pr->lo[i]; c < pr->hi[i]; c++) {
			float d = p[pr->col[c]] - p[i];

			/* A NAN cut is never reached. */
			if (!(d >= pr->cut[c]))
				continue;
			if (pr->count[c] < pr->cap[c])
				pr->cand[pr->base[c] + pr->count[c]] =
					queue_key(d, (uint32_t)r);
			pr->count[c]++;
		}
	}
}

/* Cell c in full: a key for every item of the class. */
static uint64_t *cl_prune_full(struct prune *pr, size_t c, size_t *nkey)
{
	int i = pr->cls[c], j = pr->col[c], C = pr->C;
	size_t m = pr->start[i + 1] - pr->start[i];
	const uint32_t *items = pr->items + pr->start[i];

	for (size_t r = 0; r < m; r++) {
		const float *p = pr->probs + (size_t)items[r] * C;

		/* The rows are scattered: fetch ahead. */
		if (r + 16 < m)
			__builtin_prefetch(pr->probs + (size_t)items[r + 16] * C);
		pr->key[r] = queue_key(p[j] - p[i], items[r]);
	}
	*nkey = m;
	return pr->key;
}

/* Cell c: its k largest keys; each chosen item keeps the j with the
 * largest p_j. */
static void cl_prune_take(struct prune *pr, size_t c, int32_t *suggested)
{
	int j = pr->col[c];
	size_t k = pr->take[c], nkey = pr->count[c];
	uint64_t *key = pr->cand + pr->base[c];

	/* Too few reached the cut, or too many for the room: in full. */
	if (isnan(pr->cut[c]) || nkey < k || nkey > pr->cap[c])
		key = cl_prune_full(pr, c, &nkey);
	queue_top_keys(key, nkey, k);
	for (size_t r = 0; r < k; r++) {
		uint32_t item = queue_key_item(key[r]);
		const float *p = pr->probs + (size_t)item * pr->C;
		int32_t s = suggested[item];

		if (s < 0)
			pr->chosen[pr->nchosen++] = item;
		if (s < 0 || p[j] > p[s])
			suggested[item] = j;
	}
}

static void prune_alloc(struct prune *pr, size_t most)
{
	size_t cc = (size_t)pr->C * pr->C;

	pr->cls = xmalloc(cc * sizeof *pr->cls);
	pr->col = xmalloc(cc * sizeof *pr->col);
	pr->take = xmalloc(cc * sizeof *pr->take);
	pr->cut = xmalloc(cc * sizeof *pr->cut);
	pr->base = xmalloc(cc * sizeof *pr->base);
	pr->cap = xmalloc(cc * sizeof *pr->cap);
	pr->count = xmalloc(cc * sizeof *pr->count);
	pr->lo = xmalloc((size_t)pr->C * sizeof *pr->lo);
	pr->hi = xmalloc((size_t)pr->C * sizeof *pr->hi);
	pr->key = xmalloc(most * sizeof *pr->key);
	pr->sample = xmalloc(CLEANLAB_SAMPLE * sizeof *pr->sample);
	pr->chosen = xmalloc(pr->n * sizeof *pr->chosen);
}

static void prune_free(struct prune *pr)
{
	free(pr->cls);
	free(pr->col);
	free(pr->take);
	free(pr->cut);
	free(pr->base);
	free(pr->cap);
	free(pr->count);
	free(pr->lo);
	free(pr->hi);
	free(pr->cand);
	free(pr->key);
	free(pr->sample);
	free(pr->chosen);
}

/* Step 5: prune by noise rate, keeping one item in every class. */
static void cl_prune(const float *probs, const int32_t *label,
		     const uint8_t *use, struct cleanlab *cl,
		     struct prune *pr)
{
	int C = cl->C;
	size_t *start = xmalloc(((size_t)C + 1) * sizeof *start), most = 0;
	uint32_t *items = cl_group(label, use, cl->n, C, start);

	*pr = (struct prune){ .probs = probs, .label = label, .use = use,
			      .n = cl->n, .C = C, .start = start,
			      .items = items };
	for (int i = 0; i < C; i++)
		if (start[i + 1] - start[i] > most)
			most = start[i + 1] - start[i];
	prune_alloc(pr, most);
	for (size_t i = 0; i < cl->n; i++)
		cl->suggested[i] = -1;
	for (int i = 0; i < C; i++)
		cl_prune_plan(cl, pr, i);
	cl_prune_cuts(pr);
	cl_prune_pass(pr);
	for (size_t c = 0; c < pr->ncell; c++)
		cl_prune_take(pr, c, cl->suggested);
	free(items);
	free(start);
	pr->start = NULL;
	pr->items = NULL;
}

/* The argmax of row p [C], the lowest index on a tie. */
static int row_argmax(const float *p, int C)
{
	float top = p[0];
	int arg = 0;

	for (int k = 1; k < C; k++) {
		arg = p[k] > top ? k : arg;
		top = p[k] > top ? p[k] : top;
	}
	return arg;
}

/* Step 6: an issue stays only where the model's argmax is not the label. */
static void cl_issues(const float *probs, const int32_t *label,
		      const struct scores *sc, struct cleanlab *cl,
		      const struct prune *pr)
{
	int C = cl->C;

	for (size_t r = 0; r < pr->nchosen; r++) {
		size_t i = pr->chosen[r];
		int arg;

		/* The chosen are scattered: fetch ahead. */
		if (!sc && r + 8 < pr->nchosen)
			__builtin_prefetch(probs + pr->chosen[r + 8] * (size_t)C);
		arg = sc ? sc->argmax[i] : row_argmax(probs + i * (size_t)C, C);
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
	return cleanlab_compute_scored(probs, label, use, n, C, NULL, cl, e);
}

int cleanlab_compute_scored(const float *probs, const int32_t *label,
			    const uint8_t *use, size_t n, int C,
			    const struct scores *sc, struct cleanlab *cl,
			    struct err *e)
{
	struct prune pr;

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
	cl_thresholds(probs, label, use, sc, cl);
	cl_confident(probs, label, use, cl);
	cl_calibrate(cl);
	cl_joint(cl);
	cl_prune(probs, label, use, cl, &pr);
	cl_issues(probs, label, sc, cl, &pr);
	prune_free(&pr);
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
