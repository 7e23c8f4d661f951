/* train.c - cross-fitted training runs, the final model, scoring. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relabel/coteach.h"
#include "relabel/mem.h"
#include "relabel/modelblob.h"
#include "relabel/train.h"

/* Rows scored per forward pass when predicting. */
#define TRAIN_PREDICT_ROWS 256

void train_opts_default(struct train_opts *o)
{
	memset(o, 0, sizeof *o);
	o->method = TRAIN_COTEACH;
	o->loss = LOSS_CE;
	o->smooth_eps = 0.1f;
	o->focal_gamma = 2.0f;
	o->gce_q = 0.7f;
	o->epochs = 20;
	o->folds = 4;
	o->batch = 128;
	o->hidden[0] = 256;
	o->nhidden = 1;
	o->lr = 1e-3f;
	o->weight_decay = 1e-4f;
	o->noise_rate = 0.2f;
	o->tk_epochs = 10.0f;
	o->trusted_weight = 1.0f;
	o->seed = 1;
}

const char *train_method_name(enum train_method m)
{
	return m == TRAIN_STANDARD ? "standard" : "coteach";
}

int train_method_parse(const char *name, enum train_method *m)
{
	if (!strcmp(name, "coteach"))
		*m = TRAIN_COTEACH;
	else if (!strcmp(name, "standard"))
		*m = TRAIN_STANDARD;
	else
		return -1;
	return 0;
}

/* Everything one run shares between its trainings. */
struct train_ctx {
	const struct train_set *s;
	const struct train_opts *o;
	struct mlp_shape shape;
	int nnet, folds;
	train_progress_fn fn;
	void *user;
	const volatile int *cancel;
	double t0;
	double total, done;		/* item-epochs, for the progress */
};

static double train_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int train_check_opts(const struct train_opts *o, struct err *e)
{
	if (o->epochs < 1 || o->batch < 1 || o->folds < 1)
		return err_set(e, "epochs, batch and folds must be at least 1 "
			       "(got %d, %d, %d)", o->epochs, o->batch,
			       o->folds);
	if (o->nhidden < 0 || o->nhidden > MLP_MAX_HIDDEN)
		return err_set(e, "%d hidden layers; use 0 to %d", o->nhidden,
			       MLP_MAX_HIDDEN);
	if (!(o->lr > 0.0f && o->lr < 1.0f) || !(o->weight_decay >= 0.0f))
		return err_set(e, "learning rate must be in (0, 1) and weight "
			       "decay >= 0");
	if (!(o->noise_rate >= 0.0f && o->noise_rate < 1.0f))
		return err_set(e, "noise rate %g is outside [0, 1); give the "
			       "share of wrong labels, e.g. 0.3",
			       (double)o->noise_rate);
	if (!(o->tk_epochs > 0.0f) || !(o->trusted_weight >= 0.0f) ||
	    !(o->mixup_alpha >= 0.0f))
		return err_set(e, "T_k must be > 0, trusted weight and mixup "
			       "alpha >= 0");
	if (!(o->smooth_eps >= 0.0f && o->smooth_eps < 1.0f) ||
	    !(o->focal_gamma >= 0.0f) ||
	    !(o->gce_q > 0.0f && o->gce_q <= 1.0f))
		return err_set(e, "loss options out of range: smoothing in "
			       "[0, 1), focal gamma >= 0, GCE q in (0, 1]");
	return 0;
}

/* Every stored value finite, every column index in range. */
static int train_check_features(const struct features *x, struct err *e)
{
	if (!x->sparse) {
		for (size_t i = 0; i < x->d.rows * x->d.cols; i++)
			if (!isfinite(x->d.v[i]))
				return err_set(e, "item %zu: feature %zu is not "
					       "finite; recompute the features",
					       i / x->d.cols + 1,
					       i % x->d.cols + 1);
		return 0;
	}
	for (size_t r = 0; r < x->s.rows; r++) {
		if (x->s.rowptr[r + 1] < x->s.rowptr[r])
			return err_set(e, "item %zu: sparse row is malformed; "
				       "recompute the features", r + 1);
		for (size_t k = x->s.rowptr[r]; k < x->s.rowptr[r + 1]; k++)
			if (x->s.col[k] >= x->s.cols || !isfinite(x->s.val[k]))
				return err_set(e, "item %zu: sparse feature "
					       "out of range or not finite; "
					       "recompute the features", r + 1);
	}
	return 0;
}

static int train_check_set(const struct train_set *s,
			   const struct train_opts *o, struct err *e)
{
	const struct features *x = s->x;

	if (s->nclass < 2 || s->nclass > MLP_MAX_WIDTH)
		return err_set(e, "%d classes; relabel needs 2 to %d",
			       s->nclass, MLP_MAX_WIDTH);
	if (features_rows(x) != s->n)
		return err_set(e, "features have %zu rows for %zu items; "
			       "recompute the features", features_rows(x),
			       s->n);
	if (features_cols(x) < 1 || features_cols(x) > MLP_MAX_IN)
		return err_set(e, "%zu feature columns; relabel takes 1 to %d",
			       features_cols(x), MLP_MAX_IN);
	if (x->sparse && o->mixup_alpha > 0.0f)
		return err_set(e, "mixup works on dense features only; turn "
			       "it off for text");
	for (size_t i = 0; i < s->n; i++) {
		if (s->label[i] < -1 || s->label[i] >= s->nclass)
			return err_set(e, "item %zu: label %d is not a class "
				       "(0..%d)", i + 1, s->label[i],
				       s->nclass - 1);
		if (s->split && s->split[i] > 2)
			return err_set(e, "item %zu: unknown split %d", i + 1,
				       s->split[i]);
	}
	return train_check_features(x, e);
}

static int train_is_lab(const struct train_set *s, size_t i)
{
	return s->label[i] >= 0 && (!s->split || s->split[i] == 0);
}

/* Stratified folds of the labeled training items lab[0..n): each class
 * shuffled, then dealt round-robin continuing across classes. */
static void train_folds(const struct train_set *s, const uint32_t *lab,
			size_t n, int folds, uint64_t seed, int *fold)
{
	size_t *start = xcalloc((size_t)s->nclass + 1, sizeof *start);
	uint32_t *byc = xmalloc((n ? n : 1) * sizeof *byc);
	struct rng r;
	size_t deal = 0;

	/* Counting sort by class keeps item order within a class. */
	for (size_t i = 0; i < n; i++)
		start[s->label[lab[i]] + 1]++;
	for (int c = 0; c < s->nclass; c++)
		start[c + 1] += start[c];
	for (size_t i = 0; i < n; i++)
		byc[start[s->label[lab[i]]]++] = lab[i];
	rng_seed(&r, seed ^ 0x5851f42d4c957f2dULL);
	/* After the scatter start[c] is the end of class c. */
	for (int c = 0; c < s->nclass; c++) {
		size_t lo = c ? start[c - 1] : 0;

		rng_shuffle(&r, byc + lo, start[c] - lo);
		for (size_t i = lo; i < start[c]; i++)
			fold[byc[i]] = (int)(deal++ % (size_t)folds);
	}
	free(start);
	free(byc);
}

static void train_report(struct train_ctx *c, int fold, int epoch,
			 const struct coteach_stats *st)
{
	struct train_progress p;

	if (!c->fn)
		return;
	p.fold = fold;
	p.folds = c->folds;
	p.epoch = epoch;
	p.epochs = c->o->epochs;
	p.loss = (float)st->loss;
	p.kept = (float)st->kept;
	p.elapsed = train_now() - c->t0;
	p.frac = c->total > 0 ? c->done / c->total : 1.0;
	p.remaining = p.frac > 0 ? p.elapsed * (1.0 - p.frac) / p.frac : 0.0;
	c->fn(&p, c->user);
}

/* Trains one model on items tr[0..ntr) (shuffled in place) and scores
 * items pr[0..npr) into out (item-indexed [n, nclass]).  The final
 * model (fold == folds) also becomes the blob in res. */
static int train_fit(struct train_ctx *c, int fold, uint32_t *tr, size_t ntr,
		     const uint32_t *pr, size_t npr, float *out,
		     struct train_result *res, struct err *e)
{
	const struct train_set *s = c->s;
	size_t k = (size_t)s->nclass;
	struct coteach ct;
	struct coteach_stats st = { 0, 0 };
	int rc = 0;

	/* Each training has its own streams: folds never share an init. */
	uint64_t seed = c->o->seed +
		0x632be59bd9b4e019ULL * (uint64_t)(fold + 1);

	if (coteach_init(&ct, &c->shape, c->nnet, c->o, seed, e) < 0)
		return -1;
	for (int ep = 0; ep < c->o->epochs && rc == 0; ep++) {
		rc = coteach_epoch(&ct, s->x, s->label, s->trusted, tr, ntr,
				   ep, c->cancel, &st);
		c->done += (double)ntr;
		if (rc == 0)
			train_report(c, fold, ep + 1, &st);
	}
	if (rc < 0) {
		coteach_free(&ct);
		return err_set(e, "cancelled");
	}

	/* Scores land in a contiguous buffer, then in their items' rows. */
	float *p = xmalloc((npr ? npr : 1) * k * sizeof *p);

	coteach_score(&ct, s->x, pr, npr, p);
	for (size_t i = 0; i < npr; i++)
		memcpy(out + (size_t)pr[i] * k, p + i * k, k * sizeof *p);
	free(p);
	if (fold == c->folds) {
		modelblob_write(ct.net, ct.nnet, &res->blob, &res->blob_len);
		res->kept_final = (float)st.kept;
		res->loss_final = (float)st.loss;
	}
	coteach_free(&ct);
	return 0;
}

/* Shape of the nets for this set and these options. */
static int train_shape(const struct train_set *s, const struct train_opts *o,
		       struct mlp_shape *sh, struct err *e)
{
	memset(sh, 0, sizeof *sh);
	sh->nin = (int)features_cols(s->x);
	sh->sparse = s->x->sparse;
	sh->nclass = s->nclass;
	sh->nhidden = o->nhidden;
	memcpy(sh->hidden, o->hidden, sizeof sh->hidden);
	if (!mlp_shape_nparam(sh))
		return err_set(e, "network too large or hidden width out of "
			       "1..%d; use fewer or narrower hidden layers",
			       MLP_MAX_WIDTH);
	return 0;
}

/* The K cross-fitting trainings; each scores its held-out fold. */
static int train_crossfit(struct train_ctx *c, const uint32_t *lab,
			  size_t nlab, uint32_t *tr, uint32_t *pr,
			  struct train_result *r, struct err *e)
{
	for (int f = 0; f < c->folds; f++) {
		size_t ntr = 0, npr = 0;

		for (size_t i = 0; i < nlab; i++)
			if (r->fold[lab[i]] == f)
				pr[npr++] = lab[i];
			else
				tr[ntr++] = lab[i];
		if (train_fit(c, f, tr, ntr, pr, npr, r->probs, r, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < nlab; i++)
		r->oos[lab[i]] = 1;
	return 0;
}

/* Lists the labeled training items; sets up the folds and the totals. */
static int train_plan(struct train_ctx *c, uint32_t *lab, size_t *nlab,
		      struct train_result *r, struct err *e)
{
	const struct train_set *s = c->s;
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (train_is_lab(s, i))
			lab[n++] = (uint32_t)i;
	*nlab = n;
	if (n == 0)
		return err_set(e, "no labeled training items; label some items "
			       "of the train split");
	if (c->folds >= 2 && n < (size_t)c->folds)
		return err_set(e, "%zu labeled training items for %d folds; "
			       "use fewer folds", n, c->folds);
	if (c->folds >= 2)
		train_folds(s, lab, n, c->folds, c->o->seed, r->fold);

	/* Work is item-epochs: K trainings on (K-1)/K of them, then all. */
	c->total = (double)c->o->epochs * (double)n *
		(c->folds >= 2 ? c->folds : 1);
	return 0;
}

int train_run(const struct train_set *s, const struct train_opts *o,
	      train_progress_fn fn, void *user, const volatile int *cancel,
	      struct train_result *out, struct err *e)
{
	struct train_ctx c = { .s = s, .o = o, .fn = fn, .user = user,
			       .cancel = cancel, .t0 = train_now() };
	size_t nlab = 0, npr = 0, k = (size_t)s->nclass;

	memset(out, 0, sizeof *out);
	if (train_check_opts(o, e) < 0 || train_check_set(s, o, e) < 0 ||
	    train_shape(s, o, &c.shape, e) < 0)
		return -1;
	c.nnet = o->method == TRAIN_COTEACH ? 2 : 1;
	c.folds = o->folds >= 2 ? o->folds : 1;

	uint32_t *lab = xmalloc((s->n ? s->n : 1) * sizeof *lab);
	uint32_t *tr = xmalloc((s->n ? s->n : 1) * sizeof *tr);
	uint32_t *pr = xmalloc((s->n ? s->n : 1) * sizeof *pr);

	out->probs = xcalloc(s->n ? s->n * k : 1, sizeof *out->probs);
	out->oos = xcalloc(s->n ? s->n : 1, 1);
	out->fold = xmalloc((s->n ? s->n : 1) * sizeof *out->fold);
	for (size_t i = 0; i < s->n; i++)
		out->fold[i] = -1;
	int rc = train_plan(&c, lab, &nlab, out, e);

	if (rc == 0 && c.folds >= 2)
		rc = train_crossfit(&c, lab, nlab, tr, pr, out, e);

	/* The final model learns every labeled training item and scores
	 * whatever cross-fitting did not. */
	for (size_t i = 0; rc == 0 && i < s->n; i++)
		if (!out->oos[i])
			pr[npr++] = (uint32_t)i;
	if (rc == 0) {
		memcpy(tr, lab, nlab * sizeof *tr);
		rc = train_fit(&c, c.folds, tr, nlab, pr, npr, out->probs, out,
			       e);
	}
	free(lab);
	free(tr);
	free(pr);
	out->ntrain = nlab;
	out->seconds = train_now() - c.t0;
	if (rc < 0)
		train_result_free(out);
	return rc;
}

void train_result_free(struct train_result *r)
{
	free(r->probs);
	free(r->oos);
	free(r->fold);
	free(r->blob);
	memset(r, 0, sizeof *r);
}

int train_predict(const unsigned char *blob, size_t len,
		  const struct features *x, float *probs, struct err *e)
{
	struct mlp nets[2];
	struct mlp_work w;
	int nnet;

	if (modelblob_read(blob, len, nets, &nnet, e) < 0)
		return -1;
	if (x->sparse != nets[0].sparse ||
	    features_cols(x) != (size_t)nets[0].size[0]) {
		err_set(e, "features (%s, %zu columns) do not match the model "
			"(%s, %d inputs); retrain with relabel train",
			x->sparse ? "sparse" : "dense", features_cols(x),
			nets[0].sparse ? "sparse" : "dense", nets[0].size[0]);
		goto fail;
	}
	if (train_check_features(x, e) < 0)
		goto fail;
	mlp_work_init(&w, &nets[0], TRAIN_PREDICT_ROWS);
	coteach_predict(nets, nnet, &w, NULL, x, NULL, features_rows(x), probs);
	mlp_work_free(&w);
	for (int k = 0; k < nnet; k++)
		mlp_free(&nets[k]);
	return 0;
fail:
	for (int k = 0; k < nnet; k++)
		mlp_free(&nets[k]);
	return -1;
}
