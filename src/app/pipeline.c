/* pipeline.c - a training run from the project's labels to a stored run. */
#include <cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/analysis.h"
#include "relabel/featurize.h"
#include "relabel/mem.h"
#include "relabel/pipeline.h"

void pipeline_opts_default(struct pipeline_opts *o)
{
	memset(o, 0, sizeof *o);
	train_opts_default(&o->train);
	o->noise_auto = 1;
	o->image_size = FEATURIZE_DEFAULT_SIZE;
}

static const char *const loss_names[] = { "ce", "smooth", "focal", "mae",
					  "gce" };

char *pipeline_opts_json(const struct pipeline_opts *o)
{
	const struct train_opts *t = &o->train;
	cJSON *j = cJSON_CreateObject(), *h = cJSON_CreateArray();

	cJSON_AddStringToObject(j, "method", train_method_name(t->method));
	cJSON_AddStringToObject(j, "loss", loss_names[t->loss]);
	cJSON_AddNumberToObject(j, "epochs", t->epochs);
	cJSON_AddNumberToObject(j, "folds", t->folds);
	cJSON_AddNumberToObject(j, "batch", t->batch);
	for (int i = 0; i < t->nhidden; i++)
		cJSON_AddItemToArray(h, cJSON_CreateNumber(t->hidden[i]));
	cJSON_AddItemToObject(j, "hidden", h);
	cJSON_AddNumberToObject(j, "lr", t->lr);
	cJSON_AddNumberToObject(j, "weight_decay", t->weight_decay);
	cJSON_AddNumberToObject(j, "noise_rate", t->noise_rate);
	cJSON_AddBoolToObject(j, "noise_auto", o->noise_auto);
	cJSON_AddNumberToObject(j, "tk_epochs", t->tk_epochs);
	cJSON_AddNumberToObject(j, "smooth_eps", t->smooth_eps);
	cJSON_AddNumberToObject(j, "focal_gamma", t->focal_gamma);
	cJSON_AddNumberToObject(j, "gce_q", t->gce_q);
	cJSON_AddNumberToObject(j, "mixup", t->mixup_alpha);
	cJSON_AddNumberToObject(j, "trusted_weight", t->trusted_weight);
	cJSON_AddNumberToObject(j, "seed", (double)t->seed);
	cJSON_AddNumberToObject(j, "image_size", o->image_size);
	char *s = cJSON_PrintUnformatted(j), *out = xstrdup(s);

	cJSON_free(s);
	cJSON_Delete(j);
	return out;
}

static void json_num(const cJSON *j, const char *key, float *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsNumber(x))
		*v = (float)x->valuedouble;
}

static void json_int(const cJSON *j, const char *key, int *v)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsNumber(x))
		*v = x->valueint;
}

int pipeline_opts_from_json(const char *json, struct pipeline_opts *o)
{
	cJSON *j = cJSON_Parse(json);
	struct train_opts *t = &o->train;

	if (!j)
		return -1;
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(j, "loss");
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "hidden");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "noise_auto");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "seed");

	if (cJSON_IsString(m))
		train_method_parse(m->valuestring, &t->method);
	for (int k = 0; cJSON_IsString(l) && k < 5; k++)
		if (!strcmp(l->valuestring, loss_names[k]))
			t->loss = (enum loss_kind)k;
	if (cJSON_IsArray(h) && cJSON_GetArraySize(h) >= 1 &&
	    cJSON_GetArraySize(h) <= 8) {
		t->nhidden = cJSON_GetArraySize(h);
		for (int k = 0; k < t->nhidden; k++)
			t->hidden[k] = cJSON_GetArrayItem(h, k)->valueint;
	}
	json_int(j, "epochs", &t->epochs);
	json_int(j, "folds", &t->folds);
	json_int(j, "batch", &t->batch);
	json_num(j, "lr", &t->lr);
	json_num(j, "weight_decay", &t->weight_decay);
	json_num(j, "noise_rate", &t->noise_rate);
	json_num(j, "tk_epochs", &t->tk_epochs);
	json_num(j, "smooth_eps", &t->smooth_eps);
	json_num(j, "focal_gamma", &t->focal_gamma);
	json_num(j, "gce_q", &t->gce_q);
	json_num(j, "mixup", &t->mixup_alpha);
	json_num(j, "trusted_weight", &t->trusted_weight);
	json_int(j, "image_size", &o->image_size);
	if (cJSON_IsBool(a))
		o->noise_auto = cJSON_IsTrue(a);
	if (cJSON_IsNumber(s))
		t->seed = (uint64_t)s->valuedouble;
	cJSON_Delete(j);
	return 0;
}

/* tau for co-teaching: the newest run's estimate, else a quick standard
 * pre-pass ranked by confident learning. */
static int pipeline_tau(struct store *st, const struct pipeline_opts *o,
			const struct train_set *set, struct pipeline_result *r,
			const volatile int *cancel, struct err *e)
{
	struct run_info *runs;
	size_t n;

	r->tau = o->train.noise_rate;
	r->tau_source = 0;
	if (!o->noise_auto || o->train.method != TRAIN_COTEACH)
		return 0;
	if (store_runs_list(st, &runs, &n, e))
		return -1;
	if (n && runs[0].noise_rate >= 0) {
		r->tau = (float)runs[0].noise_rate;
		r->tau_source = 1;
	}
	for (size_t i = 0; i < n; i++)
		run_info_free(&runs[i]);
	free(runs);
	if (r->tau_source == 1)
		goto clamp;

	struct train_opts pre = o->train;
	struct train_result tr;
	double rate;

	pre.method = TRAIN_STANDARD;
	pre.epochs = pre.epochs < 5 ? pre.epochs : 5;
	pre.folds = pre.folds >= 2 ? 2 : pre.folds;
	if (train_run(set, &pre, NULL, NULL, cancel, &tr, e))
		return -1;
	rate = analysis_noise_rate(set->label, set->split, tr.probs, tr.oos,
				   set->n, set->nclass);
	train_result_free(&tr);
	r->tau = (float)rate;
	r->tau_source = 2;
clamp:
	/* Co-teaching needs some samples kept, and half is the most that
	 * small-loss selection can tell apart. */
	if (!(r->tau >= 0))
		r->tau = 0;
	if (r->tau > 0.5f)
		r->tau = 0.5f;
	return 0;
}

static double test_accuracy(const struct item_table *t, const float *probs,
			    int c)
{
	size_t right = 0, n = 0;

	for (size_t i = 0; i < t->n; i++) {
		if (t->split[i] != SPLIT_TEST || t->label[i] == LABEL_NONE)
			continue;
		const float *p = probs + i * (size_t)c;
		int best = 0;

		for (int k = 1; k < c; k++)
			if (p[k] > p[best])
				best = k;
		right += best == t->label[i];
		n++;
	}
	return n ? (double)right / (double)n : -1;
}

static char *metrics_json(const struct pipeline_result *r)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddNumberToObject(j, "ntrain", (double)r->ntrain);
	cJSON_AddNumberToObject(j, "nreviewed", (double)r->nreviewed);
	cJSON_AddNumberToObject(j, "tau", r->tau);
	cJSON_AddStringToObject(j, "tau_source", r->tau_source == 0 ? "given" :
				r->tau_source == 1 ? "previous run" : "pre-pass");
	cJSON_AddNumberToObject(j, "flagged", (double)r->flagged);
	cJSON_AddNumberToObject(j, "last_review", (double)r->last_review);
	if (r->test_accuracy >= 0)
		cJSON_AddNumberToObject(j, "test_accuracy", r->test_accuracy);
	char *s = cJSON_PrintUnformatted(j), *out = xstrdup(s);

	cJSON_free(s);
	cJSON_Delete(j);
	return out;
}

/* Ranks the new probabilities and saves the run in one transaction. */
static int pipeline_save(struct store *st, const struct pipeline_opts *o,
			 const struct item_table *t, int nclass,
			 struct train_result *tr, struct pipeline_result *r,
			 struct err *e)
{
	struct ranking rk;
	unsigned char *has = xmalloc(t->n + 1);
	struct pipeline_opts used = *o;
	int rc;

	memset(has, 1, t->n + 1);
	if (analysis_rank(st, t, nclass, tr->probs, has, &rk, e)) {
		free(has);
		return -1;
	}
	r->noise_rate = rk.noise_rate;
	r->flagged = rk.flagged;
	r->test_accuracy = test_accuracy(t, tr->probs, nclass);
	used.train.noise_rate = r->tau;
	char *params = pipeline_opts_json(&used), *metrics = metrics_json(r);
	struct run_record run = {
		.method = train_method_name(o->train.method),
		.params = params, .metrics = metrics,
		.seconds = tr->seconds, .nclass = nclass, .n = t->n,
		.item = t->id, .probs = tr->probs, .oos = tr->oos,
		.suspicion = rk.suspicion, .issue = rk.issue,
		.suggested = rk.suggested, .noise_rate = rk.noise_rate,
		.noise = rk.noise, .model = tr->blob, .model_len = tr->blob_len,
	};

	rc = store_run_save(st, &run, &r->run, e);
	free(params);
	free(metrics);
	free(has);
	ranking_free(&rk);
	return rc;
}

int pipeline_train(struct store *st, const struct pipeline_opts *o,
		   train_progress_fn fn, void *user,
		   const volatile int *cancel, struct pipeline_result *out,
		   struct err *e)
{
	struct class_list c;
	struct item_table t;
	struct features x;
	struct train_result tr;
	struct train_opts topts = o->train;
	int rc = -1;

	memset(out, 0, sizeof *out);
	out->noise_rate = out->test_accuracy = -1;
	if (store_classes(st, &c, e))
		return -1;
	if (store_review_last(st, &out->last_review, e) ||
	    store_items_load(st, &t, e)) {
		class_list_free(&c);
		return -1;
	}
	if (featurize_project(st, &t, o->image_size, &x, &out->features_cached,
			      e))
		goto out_items;
	struct train_set set = {
		.x = &x, .n = t.n, .nclass = c.n, .label = t.label,
		.split = t.split, .trusted = t.reviewed,
	};

	for (size_t i = 0; i < t.n; i++) {
		int train = t.split[i] == SPLIT_TRAIN && t.label[i] != LABEL_NONE;

		out->ntrain += train;
		out->nreviewed += train && t.reviewed[i];
	}
	if (pipeline_tau(st, o, &set, out, cancel, e))
		goto out_x;
	topts.noise_rate = out->tau;
	if (train_run(&set, &topts, fn, user, cancel, &tr, e))
		goto out_x;
	out->seconds = tr.seconds;
	rc = pipeline_save(st, o, &t, c.n, &tr, out, e);
	train_result_free(&tr);
out_x:
	features_free(&x);
out_items:
	item_table_free(&t);
	class_list_free(&c);
	return rc;
}
