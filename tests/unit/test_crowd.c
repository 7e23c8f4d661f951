/* test_crowd.c - majority vote, Dawid-Skene, annotators, Krippendorff. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/rng.h"

/* Votes held by a test. */
struct vset {
	size_t n, cap, n_items, A;
	int C;
	uint32_t *item, *annot;
	int32_t *label;
	int32_t *gold;		/* [n_items] or NULL */
};

static void vset_add(struct vset *s, uint32_t item, uint32_t annot,
		     int32_t label)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->item = xrealloc(s->item, s->cap * sizeof *s->item);
		s->annot = xrealloc(s->annot, s->cap * sizeof *s->annot);
		s->label = xrealloc(s->label, s->cap * sizeof *s->label);
	}
	s->item[s->n] = item;
	s->annot[s->n] = annot;
	s->label[s->n] = label;
	s->n++;
}

static struct crowd_votes vset_votes(const struct vset *s)
{
	struct crowd_votes v = { s->n, s->item, s->annot, s->label };

	return v;
}

static void vset_free(struct vset *s)
{
	free(s->item);
	free(s->annot);
	free(s->label);
	free(s->gold);
	memset(s, 0, sizeof *s);
}

/* A string -> dense id table (open addressing), for the crowd files. */
struct strtab {
	char **key;
	uint32_t *val;
	size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void strtab_grow(struct strtab *t);

static uint32_t strtab_id(struct strtab *t, const char *s)
{
	size_t k;

	if (2 * (t->n + 1) > t->cap)
		strtab_grow(t);
	for (k = str_hash(s) & (t->cap - 1); t->key[k];
	     k = (k + 1) & (t->cap - 1))
		if (strcmp(t->key[k], s) == 0)
			return t->val[k];
	t->key[k] = xstrdup(s);
	t->val[k] = (uint32_t)t->n++;
	return t->val[k];
}

static void strtab_grow(struct strtab *t)
{
	struct strtab old = *t;

	t->cap = old.cap ? 2 * old.cap : 64;
	t->key = xcalloc(t->cap, sizeof *t->key);
	t->val = xcalloc(t->cap, sizeof *t->val);
	t->n = 0;
	for (size_t k = 0; k < old.cap; k++) {
		size_t j;

		if (!old.key[k])
			continue;
		for (j = str_hash(old.key[k]) & (t->cap - 1); t->key[j];
		     j = (j + 1) & (t->cap - 1))
			;
		t->key[j] = old.key[k];
		t->val[j] = old.val[k];
		t->n++;
	}
	free(old.key);
	free(old.val);
}

static void strtab_free(struct strtab *t)
{
	for (size_t k = 0; k < t->cap; k++)
		free(t->key[k]);
	free(t->key);
	free(t->val);
}

/* Splits line in place at delim into at most max fields; returns count. */
static int split(char *line, char delim, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == delim) {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

static int column(char **f, int nf, const char *name)
{
	for (int k = 0; k < nf; k++)
		if (strcmp(f[k], name) == 0)
			return k;
	fail_msg("column %s missing", name);
	return -1;
}

/* Loads a standardized crowd file (TEMP, WSD): worker, item, response,
 * gold.  The columns used come before any quoted field: checked. */
static void load_crowd(const char *path, char delim, struct vset *s)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL, *f[8];
	size_t cap = 0;
	struct strtab items = {0}, workers = {0}, classes = {0};
	int cw, ci, cr, cg, nf;
	uint32_t *gold_of = NULL;
	size_t gold_cap = 0;

	assert_non_null(fp);
	memset(s, 0, sizeof *s);
	assert_true(getline(&line, &cap, fp) > 0);
	nf = split(line, delim, f, 8);
	cw = column(f, nf, "!amt_worker_ids");
	ci = column(f, nf, "orig_id");
	cr = column(f, nf, "response");
	cg = column(f, nf, "gold");
	while (getline(&line, &cap, fp) > 0) {
		uint32_t it;

		nf = split(line, delim, f, 8);
		assert_true(nf > cg && nf > cr);
		for (int k = 0; k <= 4; k++)
			assert_int_not_equal(f[k][0], '"');
		it = strtab_id(&items, f[ci]);
		vset_add(s, it, strtab_id(&workers, f[cw]),
			 (int32_t)strtab_id(&classes, f[cr]));
		if (it >= gold_cap) {
			gold_cap = 2 * (it + 1);
			gold_of = xrealloc(gold_of, gold_cap * sizeof *gold_of);
		}
		gold_of[it] = strtab_id(&classes, f[cg]);
	}
	fclose(fp);
	free(line);
	s->n_items = items.n;
	s->A = workers.n;
	s->C = (int)classes.n;
	s->gold = xmalloc(s->n_items * sizeof *s->gold);
	for (size_t i = 0; i < s->n_items; i++)
		s->gold[i] = (int32_t)gold_of[i];
	free(gold_of);
	strtab_free(&items);
	strtab_free(&workers);
	strtab_free(&classes);
}

/* The 1979 table: patient, observer, rep, label (1-based). */
static void load_patients(struct vset *s)
{
	FILE *fp = fopen(shared_data("crowd/ds1979_patients.csv"), "r");
	char buf[256];
	int p, o, r, l;

	assert_non_null(fp);
	memset(s, 0, sizeof *s);
	assert_non_null(fgets(buf, sizeof buf, fp));
	while (fgets(buf, sizeof buf, fp))
		if (sscanf(buf, "%d,%d,%d,%d", &p, &o, &r, &l) == 4)
			vset_add(s, (uint32_t)p - 1, (uint32_t)o - 1, l - 1);
	fclose(fp);
	s->n_items = 45;
	s->A = 5;
	s->C = 4;
}

/* Dawid-Skene on the patient table against tests/bench/rank_ds_ref.py
 * (NumPy, same smoothing and stopping rule). */
static void test_ds_patients(void **state)
{
	static const double prior[4] = {
		0.39948705, 0.42194545, 0.11173426, 0.06683325 };
	static const struct { int i, k; double p; } post[] = {
		{ 1, 3, 9.99987795e-01 }, { 1, 2, 1.22050537e-05 },
		{ 2, 0, 3.08082017e-03 }, { 2, 1, 9.96919180e-01 },
		{ 9, 2, 1.36620465e-05 }, { 15, 1, 1.96227039e-06 },
		{ 6, 1, 1.91374202e-02 }, { 34, 2, 5.09804437e-02 },
	};
	static const struct { int a, j, l; double q; } conf[] = {
		{ 0, 0, 0, 0.8889806618 }, { 0, 2, 1, 0.3375843162 },
		{ 0, 3, 2, 0.5542287631 }, { 1, 1, 2, 0.3145524023 },
		{ 2, 2, 3, 0.3970002547 }, { 3, 3, 3, 0.6611468777 },
		{ 4, 1, 0, 0.1591949614 },
	};
	static const double paper[4] = { 0.40, 0.42, 0.11, 0.07 };
	struct vset s;
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_ds ds;
	struct err e;
	double worst = 0.0, worst_paper = 0.0;

	(void)state;
	load_patients(&s);
	assert_int_equal(s.n, 315);
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 45, 5, 4, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, 5, 4, NULL, &ds, &e), 0);
	for (int k = 0; k < 4; k++) {
		worst = fmax(worst, fabs(ds.prior[k] - prior[k]));
		worst_paper = fmax(worst_paper, fabs(ds.prior[k] - paper[k]));
	}
	for (size_t t = 0; t < sizeof post / sizeof post[0]; t++)
		worst = fmax(worst, fabs(ds.post[post[t].i * 4 + post[t].k] -
					 post[t].p));
	for (size_t t = 0; t < sizeof conf / sizeof conf[0]; t++)
		worst = fmax(worst, fabs(ds.conf[(conf[t].a * 4 + conf[t].j) * 4
						 + conf[t].l] - conf[t].q));
	printf("DS 1979: priors %.4f %.4f %.4f %.4f (paper 0.40 0.42 0.11 "
	       "0.07, largest gap %.4f); %d iterations, delta %.2g; "
	       "largest difference from NumPy %.2g\n", ds.prior[0],
	       ds.prior[1], ds.prior[2], ds.prior[3], worst_paper,
	       ds.iterations, ds.delta, worst);
	assert_true(worst < 1e-6);
	assert_true(worst_paper < 0.01);
	assert_int_equal(ds.iterations, 17);
	assert_true(ds.converged);
	assert_int_equal(ds.label[1], 3);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	vset_free(&s);
}

/* Accuracy of labels [n] against gold. */
static double accuracy(const int32_t *label, const int32_t *gold, size_t n)
{
	size_t ok = 0;

	for (size_t i = 0; i < n; i++)
		ok += label[i] == gold[i];
	return (double)ok / n;
}

static void crowd_file_check(const char *name, const char *path, char delim,
			     int C)
{
	struct vset s;
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_majority m;
	struct crowd_ds ds;
	struct err e;
	double mv, dsa;

	load_crowd(path, delim, &s);
	assert_int_equal(s.C, C);
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, s.n_items, s.A, s.C, &ix, &e),
			 0);
	crowd_majority_compute(&v, &ix, s.C, &m);
	assert_int_equal(crowd_ds_fit(&v, &ix, s.A, s.C, NULL, &ds, &e), 0);
	mv = accuracy(m.label, s.gold, s.n_items);
	dsa = accuracy(ds.label, s.gold, s.n_items);
	printf("%s: %zu votes, %zu items, %zu workers: majority %.4f, "
	       "Dawid-Skene %.4f (%d iterations%s)\n", name, s.n, s.n_items,
	       s.A, mv, dsa, ds.iterations, ds.converged ? "" : ", capped");
	assert_true(dsa >= mv);
	crowd_ds_free(&ds);
	crowd_majority_free(&m);
	crowd_index_free(&ix);
	vset_free(&s);
}

static void test_ds_temp(void **state)
{
	(void)state;
	crowd_file_check("TEMP", shared_data("crowd/temp.standardized.csv"),
			 ',', 2);
}

static void test_ds_wsd(void **state)
{
	(void)state;
	crowd_file_check("WSD", shared_data("crowd/wsd.standardized.csv"),
			 '\t', 3);
}

/* The hand-built vote set below: 6 items (item 4 has none), 3
 * annotators, 3 classes; annotator 1 votes twice on item 1. */
static void hand_votes(struct vset *s)
{
	static const int t[][3] = {
		{ 0, 0, 0 }, { 0, 1, 0 }, { 0, 2, 1 },
		{ 1, 0, 1 }, { 1, 1, 1 }, { 1, 1, 1 }, { 1, 2, 1 },
		{ 2, 0, 0 },
		{ 3, 1, 2 }, { 3, 2, 0 },
		{ 5, 0, 0 }, { 5, 2, 1 },
	};

	memset(s, 0, sizeof *s);
	for (size_t k = 0; k < sizeof t / sizeof t[0]; k++)
		vset_add(s, (uint32_t)t[k][0], (uint32_t)t[k][1], t[k][2]);
	s->n_items = 6;
	s->A = 3;
	s->C = 3;
}

static void test_majority(void **state)
{
	static const int32_t label[6] = { 0, 1, 0, 0, -1, 1 };
	static const uint8_t tie[6] = { 0, 0, 0, 1, 0, 1 };
	static const uint32_t nv[6] = { 3, 4, 1, 2, 0, 2 };
	struct vset s;
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_majority m;
	struct err e;
	double h0 = -(2.0 / 3 * log(2.0 / 3) + 1.0 / 3 * log(1.0 / 3)) /
		log(3.0);

	(void)state;
	hand_votes(&s);
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 6, 3, 3, &ix, &e), 0);
	crowd_majority_compute(&v, &ix, 3, &m);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(m.label[i], label[i]);
		assert_int_equal(m.tie[i], tie[i]);
		assert_int_equal(m.n_votes[i], nv[i]);
	}
	/* Item 3 ties 0 and 2: class 0 has more votes overall.  Item 5
	 * ties 0 and 1: class 1 does, so the higher index wins there. */
	assert_true(fabs(m.entropy[0] - h0) < 1e-6);
	assert_true(m.entropy[1] == 0.0f && m.entropy[2] == 0.0f);
	assert_true(isnan(m.entropy[4]));
	crowd_majority_free(&m);
	crowd_index_free(&ix);
	vset_free(&s);
}

static void test_ds_no_votes(void **state)
{
	struct vset s;
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_ds ds;
	struct err e;
	double sum = 0.0;

	(void)state;
	hand_votes(&s);
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 6, 3, 3, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, 3, 3, NULL, &ds, &e), 0);
	assert_true(ds.no_votes[4]);
	assert_int_equal(ds.label[4], -1);
	assert_true(isnan(ds.doubt[4]));
	for (int k = 0; k < 3; k++) {
		assert_true(ds.post[4 * 3 + k] == ds.prior[k]);
		sum += ds.prior[k];
	}
	assert_true(fabs(sum - 1.0) < 1e-12);
	/* Smoothing: no confusion entry is 0, every row sums to 1. */
	for (int r = 0; r < 3 * 3; r++) {
		double rs = 0.0;

		for (int l = 0; l < 3; l++) {
			assert_true(ds.conf[r * 3 + l] > 0.0);
			rs += ds.conf[r * 3 + l];
		}
		assert_true(fabs(rs - 1.0) < 1e-12);
	}
	assert_int_equal(ds.label[1], 1);
	assert_true(ds.iterations >= 1 && ds.iterations <= CROWD_DS_MAX_ITER);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	vset_free(&s);
}

/* One item with 100,000 votes, far past where a product of likelihoods
 * underflows: the posterior and the log-likelihood still match the same
 * parameters worked in logs. */
static void test_ds_many_votes(void **state)
{
	enum { N = 100000, V = N + 3 };
	uint32_t *item = malloc(V * sizeof *item), *annot = malloc(V * sizeof *annot);
	int32_t *label = malloc(V * sizeof *label);
	struct crowd_votes v = { V, item, annot, label };
	struct crowd_index ix;
	struct crowd_ds ds;
	struct err e;
	double ll = 0.0, worst = 0.0;

	(void)state;
	for (uint32_t k = 0; k < N; k++) {
		item[k] = 0;
		annot[k] = k;
		label[k] = k % 3 == 0;
	}
	for (uint32_t k = N; k < V; k++) {
		item[k] = 1;
		annot[k] = k - N;
		label[k] = k != N;
	}
	assert_int_equal(crowd_index_build(&v, 2, N, 2, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, N, 2, NULL, &ds, &e), 0);
	for (size_t i = 0; i < 2; i++) {
		double lp[2], top, sum = 0.0;

		for (int j = 0; j < 2; j++) {
			lp[j] = log(ds.prior[j]);
			for (size_t k = 0; k < V; k++)
				if (item[k] == i)
					lp[j] += log(ds.conf[((size_t)annot[k] * 2 +
							      (size_t)j) * 2 +
							     (size_t)label[k]]);
		}
		top = lp[0] > lp[1] ? lp[0] : lp[1];
		for (int j = 0; j < 2; j++)
			sum += exp(lp[j] - top);
		ll += top + log(sum);
		for (int j = 0; j < 2; j++) {
			double d = fabs(exp(lp[j] - top) / sum - ds.post[i * 2 + j]);

			worst = d > worst ? d : worst;
			assert_true(isfinite(ds.post[i * 2 + j]));
		}
	}
	printf("# 100,000 votes on one item: largest posterior difference from "
	       "logs %.1e, log-likelihood %.6f vs %.6f\n", worst, ds.loglik, ll);
	assert_true(worst < 1e-12);
	assert_true(fabs(ds.loglik - ll) < 1e-9 * fabs(ll));
	assert_int_equal(ds.label[0], 0);
	assert_int_equal(ds.label[1], 1);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	free(item);
	free(annot);
	free(label);
}

/* Enough votes that the fit works in parts on threads: one thread or
 * three give the same posteriors and confusions bit for bit. */
static void test_ds_threads(void **state)
{
	enum { N = 30000, K = 8, V = N * K, A = 400, C = 3 };
	uint32_t *item = malloc(V * sizeof *item), *annot = malloc(V * sizeof *annot);
	int32_t *label = malloc(V * sizeof *label);
	struct crowd_votes v = { V, item, annot, label };
	struct crowd_ds_params p;
	struct crowd_index ix;
	struct crowd_ds one, three;
	struct err e;
	struct rng r;

	(void)state;
	rng_seed(&r, 11);
	for (uint32_t i = 0; i < N; i++) {
		int32_t truth = (int32_t)rng_below(&r, C);

		for (uint32_t k = 0; k < K; k++) {
			uint32_t a = (uint32_t)rng_below(&r, A);

			item[i * K + k] = i;
			annot[i * K + k] = a;
			label[i * K + k] = rng_uniform(&r) < 0.2 + 0.5 * (a % 4 == 0) ?
				(int32_t)rng_below(&r, C) : truth;
		}
	}
	assert_int_equal(crowd_index_build(&v, N, A, C, &ix, &e), 0);
	crowd_ds_params_default(&p);
	p.threads = 1;
	assert_int_equal(crowd_ds_fit(&v, &ix, A, C, &p, &one, &e), 0);
	p.threads = 3;
	assert_int_equal(crowd_ds_fit(&v, &ix, A, C, &p, &three, &e), 0);
	printf("# %d votes: %d rounds on 1 thread, %d on 3\n", V,
	       one.iterations, three.iterations);
	assert_int_equal(one.iterations, three.iterations);
	assert_memory_equal(one.post, three.post, N * C * sizeof *one.post);
	assert_memory_equal(one.conf, three.conf, A * C * C * sizeof *one.conf);
	assert_memory_equal(&one.loglik, &three.loglik, sizeof one.loglik);
	crowd_ds_free(&one);
	crowd_ds_free(&three);
	crowd_index_free(&ix);
	free(item);
	free(annot);
	free(label);
}

/* Repeated votes count as separate votes: two votes for 1 beat one
 * for 0 even when they come from one annotator. */
static void test_repeated_votes(void **state)
{
	uint32_t item[3] = { 0, 0, 0 }, annot[3] = { 0, 0, 1 };
	int32_t label[3] = { 1, 1, 0 };
	struct crowd_votes v = { 3, item, annot, label };
	struct crowd_index ix;
	struct crowd_majority m;
	struct err e;

	(void)state;
	assert_int_equal(crowd_index_build(&v, 1, 2, 2, &ix, &e), 0);
	crowd_majority_compute(&v, &ix, 2, &m);
	assert_int_equal(m.n_votes[0], 3);
	assert_int_equal(m.label[0], 1);
	assert_int_equal(m.tie[0], 0);
	crowd_majority_free(&m);
	crowd_index_free(&ix);
}

static void test_annotators_hand(void **state)
{
	/* Worked by hand from hand_votes, with expert labels on items
	 * 0, 2 and 5. */
	static const int32_t expert[6] = { 0, -1, 1, -1, -1, 1 };
	static const uint32_t nl[3] = { 4, 4, 4 }, nc[3] = { 3, 4, 4 };
	static const double agree[3] = { 0.5, 0.625, 0.25 };
	static const uint32_t ne[3] = { 3, 1, 2 };
	static const double eacc[3] = { 1.0 / 3, 1.0, 0.5 };
	struct vset s;
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_ds ds;
	struct crowd_annotators an;
	struct err e;

	(void)state;
	hand_votes(&s);
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 6, 3, 3, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, 3, 3, NULL, &ds, &e), 0);
	crowd_annotators_compute(&v, &ix, expert, &ds, &an);
	for (int a = 0; a < 3; a++) {
		double acc = 0.0;

		assert_int_equal(an.n_labels[a], nl[a]);
		assert_int_equal(an.n_compared[a], nc[a]);
		assert_true(fabs(an.agreement[a] - agree[a]) < 1e-12);
		assert_int_equal(an.n_expert[a], ne[a]);
		assert_true(fabs(an.expert_acc[a] - eacc[a]) < 1e-12);
		for (int j = 0; j < 3; j++)
			acc += ds.prior[j] * ds.conf[(a * 3 + j) * 3 + j];
		assert_true(fabs(an.ds_acc[a] - acc) < 1e-12);
	}
	crowd_annotators_free(&an);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	vset_free(&s);
}

/* Three careful annotators, a random clicker and one who always says 0:
 * the last two carry no information. */
static void test_annotators_spam(void **state)
{
	struct vset s = {0};
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_ds ds;
	struct crowd_annotators an;
	struct rng r;
	struct err e;
	int32_t *truth = xmalloc(600 * sizeof *truth);
	size_t ok = 0;

	(void)state;
	rng_seed(&r, 7);
	for (uint32_t i = 0; i < 600; i++) {
		truth[i] = (int32_t)rng_below(&r, 3);
		for (uint32_t a = 0; a < 3; a++) {
			int32_t l = truth[i];

			if (rng_uniform(&r) < 0.15)
				l = (l + 1 + (int32_t)rng_below(&r, 2)) % 3;
			vset_add(&s, i, a, l);
		}
		vset_add(&s, i, 3, (int32_t)rng_below(&r, 3));
		vset_add(&s, i, 4, 0);
	}
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 600, 5, 3, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, 5, 3, NULL, &ds, &e), 0);
	crowd_annotators_compute(&v, &ix, truth, &ds, &an);
	for (int a = 0; a < 5; a++)
		printf("annotator %d: agreement %.3f, expert %.3f, DS %.3f, "
		       "kappa %.3f, spread %.3f, no_info %d\n", a,
		       an.agreement[a], an.expert_acc[a], an.ds_acc[a],
		       an.kappa[a], an.spread[a], an.no_info[a]);
	for (int a = 0; a < 3; a++) {
		assert_false(an.no_info[a]);
		assert_true(an.kappa[a] > 0.5 && an.spread[a] > 0.5);
		assert_true(fabs(an.ds_acc[a] - 0.85) < 0.05);
		assert_true(fabs(an.expert_acc[a] - 0.85) < 0.05);
	}
	assert_true(an.no_info[3] && fabs(an.kappa[3]) < 0.1);
	assert_true(an.no_info[4] && an.kappa[4] == 0.0);
	assert_true(an.ds_acc[3] < 0.45 && an.ds_acc[4] < 0.45);
	for (int i = 0; i < 600; i++)
		ok += ds.label[i] == truth[i];
	assert_true(ok > 570);
	crowd_annotators_free(&an);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	vset_free(&s);
	free(truth);
}

/* Ten classes and some 160 votes an annotator, as in the sample data:
 * rows of a random clicker hold a dozen votes each and differ by chance
 * alone (their largest total-variation distance is some 0.5), yet it is
 * the only one flagged. */
static void test_annotators_ten_classes(void **state)
{
	struct vset s = {0};
	struct crowd_votes v;
	struct crowd_index ix;
	struct crowd_ds ds;
	struct crowd_annotators an;
	struct rng r;
	struct err e;

	(void)state;
	rng_seed(&r, 5);
	for (uint32_t i = 0; i < 200; i++) {
		int32_t truth = (int32_t)rng_below(&r, 10);

		for (uint32_t a = 0; a < 5; a++) {
			int32_t l = truth;

			if (rng_uniform(&r) < 0.2)
				continue;
			if (a == 4 || rng_uniform(&r) < 0.3)
				l = (int32_t)rng_below(&r, 10);
			vset_add(&s, i, a, l);
		}
	}
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 200, 5, 10, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, 5, 10, NULL, &ds, &e), 0);
	crowd_annotators_compute(&v, &ix, NULL, &ds, &an);
	for (int a = 0; a < 5; a++) {
		printf("annotator %d: %u votes, kappa %.3f, V %.3f, "
		       "no_info %d\n", a, an.n_labels[a], an.kappa[a],
		       an.spread[a], an.no_info[a]);
		assert_int_equal(an.no_info[a], a == 4);
	}
	crowd_annotators_free(&an);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	vset_free(&s);
}

/* Krippendorff (2011), "Computing Krippendorff's alpha-reliability",
 * the nominal example with missing values: 4 observers, 12 units,
 * alpha = 0.743 (0.7434210526 recomputed from the coincidence matrix). */
static void test_alpha(void **state)
{
	static const int d[4][12] = {
		{ 1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0 },
		{ 1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3 },
		{ 0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0 },
		{ 1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0 },
	};
	struct vset s = {0};
	struct crowd_votes v;
	struct crowd_index ix;
	struct err e;
	double alpha;

	(void)state;
	for (uint32_t o = 0; o < 4; o++)
		for (uint32_t u = 0; u < 12; u++)
			if (d[o][u])
				vset_add(&s, u, o, d[o][u] - 1);
	v = vset_votes(&s);
	assert_int_equal(crowd_index_build(&v, 12, 4, 5, &ix, &e), 0);
	alpha = crowd_alpha(&v, &ix, 5);
	printf("Krippendorff alpha %.10f (expected 0.7434210526, difference "
	       "%.2g)\n", alpha, fabs(alpha - 0.7434210526));
	assert_true(fabs(alpha - 0.7434210526) < 1e-9);
	crowd_index_free(&ix);

	/* One value everywhere: no variation, alpha undefined. */
	for (size_t k = 0; k < s.n; k++)
		s.label[k] = 1;
	assert_int_equal(crowd_index_build(&v, 12, 4, 5, &ix, &e), 0);
	assert_true(isnan(crowd_alpha(&v, &ix, 5)));
	crowd_index_free(&ix);
	vset_free(&s);
}

static void test_bad_votes(void **state)
{
	uint32_t item[2] = { 0, 3 }, annot[2] = { 0, 0 };
	int32_t label[2] = { 0, 1 };
	struct crowd_votes v = { 2, item, annot, label };
	struct crowd_index ix;
	struct crowd_ds ds;
	struct crowd_ds_params p = { -1.0, 0.0, 0, 0 };
	struct err e;

	(void)state;
	assert_int_equal(crowd_index_build(&v, 3, 1, 2, &ix, &e), -1);
	assert_non_null(strstr(e.msg, "vote 1: item 3"));
	item[1] = 1;
	label[1] = 2;
	assert_int_equal(crowd_index_build(&v, 3, 1, 2, &ix, &e), -1);
	assert_non_null(strstr(e.msg, "vote 1: label 2"));
	label[1] = 1;
	assert_int_equal(crowd_index_build(&v, 3, 1, 2, &ix, &e), 0);
	assert_int_equal(crowd_ds_fit(&v, &ix, 1, 2, &p, &ds, &e), -1);
	assert_non_null(strstr(e.msg, "negative"));
	crowd_index_free(&ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ds_patients),
		cmocka_unit_test(test_ds_temp),
		cmocka_unit_test(test_ds_wsd),
		cmocka_unit_test(test_majority),
		cmocka_unit_test(test_ds_no_votes),
		cmocka_unit_test(test_ds_many_votes),
		cmocka_unit_test(test_ds_threads),
		cmocka_unit_test(test_repeated_votes),
		cmocka_unit_test(test_annotators_hand),
		cmocka_unit_test(test_annotators_spam),
		cmocka_unit_test(test_annotators_ten_classes),
		cmocka_unit_test(test_alpha),
		cmocka_unit_test(test_bad_votes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
