/* import.c - relabel import: items, votes, features and probabilities into
 * a project, all or nothing. */
#include <cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/analysis.h"
#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/featcache.h"
#include "relabel/mem.h"
#include "relabel/npy.h"
#include "relabel/records.h"
#include "relabel/store.h"
#include "relabel/strmap.h"

/* Where a label was first seen, for the unknown-label message. */
struct label_seen {
	char *name;
	char *where;
	int class;	/* index in the project's classes */
};

struct import {
	struct store *st;
	const char *items_path, *votes_path, *root_opt;
	const char *features_path, *probs_path;
	enum records_format items_fmt, votes_fmt;
	int allow_outside;
	char *root;			/* resolved data root */
	struct class_list classes;	/* the project's classes (fixed) */
	int classes_given;		/* from --classes or the project */

	/* Items of this import, in file order. */
	size_t n, cap;
	/* Strings of the items live in one pool, named by offsets
	 * (NO_STR for none): a million rows make no million mallocs. */
	struct strbuf pool;
	size_t *ext_id, *path, *text, *meta;
	long *id_col;		/* [n] column of the id, for messages */
	long *line;		/* [n] line in the items file */
	int *label;		/* [n] index into seen, or -1 */
	unsigned char *split;
	struct strmap ids;		/* ext_id -> index, built when votes need it */

	/* Votes of this import. */
	size_t nv, vcap;
	char **v_item, **v_annot, **v_label, **v_where;

	struct strmap labels;		/* label -> index into seen */
	struct label_seen *seen;
	size_t nseen;
	int64_t *row_id;		/* [n] item ids once stored */
};

static const char import_help[] =
	"usage: relabel import PROJECT.db --items FILE [--annotations FILE]\n"
	"                      [--classes a,b,c] [--root DIR] [--features X.npy]\n"
	"                      [--probs P.npy] [--format csv|tsv|jsonl]\n"
	"                      [--annotations-format csv|tsv|jsonl]\n"
	"                      [--allow-outside-root]\n";

/* Interns a label; returns its index into seen. */
static int import_note_label(struct import *im, const char *label,
			     const struct record *r, long field)
{
	int added;
	int64_t *k = strmap_put(&im->labels, label, (int64_t)im->nseen, &added);

	if (!added)
		return (int)*k;
	im->seen = xreallocarray(im->seen, im->nseen + 1, sizeof *im->seen);
	im->seen[im->nseen].name = xstrdup(label);
	im->seen[im->nseen].where = xasprintf("%s:%ld:%ld", r->file,
					      r->lines[field], r->cols[field]);
	return (int)im->nseen++;
}

/* A byte-order mark inside an id or a label is invisible and makes it a
 * different one: a file joined from several has one at each seam. */
static int import_no_bom(const struct record *r, long f, struct err *e)
{
	if (f < 0 || !strstr(r->values[f], "\xef\xbb\xbf"))
		return 0;
	return err_set(e, "%s:%ld:%ld: byte-order mark (U+FEFF) inside the "
		       "'%s' field (were files joined?); remove it", r->file,
		       r->lines[f], r->cols[f], r->names[f]);
}

static const char *field(const struct record *r, long i)
{
	return i < 0 ? "" : r->values[i];
}

/* Joins a data path to the root and checks it names a file inside it. */
static int import_image_path(struct import *im, const struct record *r,
			     long col, char **out, struct err *e)
{
	const char *rel = r->values[col];
	char *joined, resolved[PATH_MAX];
	size_t rl = strlen(im->root);
	struct stat sb;

	joined = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", im->root, rel);
	if (!realpath(joined, resolved)) {
		free(joined);
		return err_set(e, "%s:%ld:%ld: image '%s' not found (looked under "
			       "%s; set --root to the images' folder)", r->file,
			       r->lines[col], r->cols[col], rel, im->root);
	}
	free(joined);
	if (!im->allow_outside &&
	    (strncmp(resolved, im->root, rl) || resolved[rl] != '/'))
		return err_set(e, "%s:%ld:%ld: image '%s' is outside the data root "
			       "%s (through '..' or a link); move it under the "
			       "root or pass --allow-outside-root", r->file,
			       r->lines[col], r->cols[col], rel, im->root);
	/* Training would block on a pipe and never finish a device. */
	if (stat(resolved, &sb) != 0 || !S_ISREG(sb.st_mode))
		return err_set(e, "%s:%ld:%ld: image '%s' is not a regular file",
			       r->file, r->lines[col], r->cols[col], rel);
	*out = xstrdup(resolved);
	return 0;
}

/* Extra columns become a JSON object shown in the review screen. */
static char *import_meta(const struct record *r)
{
	static const char *const known[] = { "id", "image", "text", "label",
					     "split" };
	cJSON *o = NULL;

	for (size_t i = 0; i < r->nfields; i++) {
		size_t k = 0;

		while (k < 5 && strcmp(r->names[i], known[k]))
			k++;
		if (k < 5)
			continue;
		if (!o)
			o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, r->names[i], r->values[i]);
	}
	if (!o)
		return NULL;
	char *txt = cJSON_PrintUnformatted(o);
	char *s = xstrdup(txt);

	cJSON_free(txt);
	cJSON_Delete(o);
	return s;
}

#define NO_STR ((size_t)-1)

/* Copies s (NULL allowed) into the pool; returns its offset. */
static size_t pool_add(struct import *im, const char *s)
{
	size_t at = im->pool.len;

	if (!s)
		return NO_STR;
	strbuf_add(&im->pool, s, strlen(s) + 1);
	return at;
}

static const char *pooled(const struct import *im, size_t off)
{
	return off == NO_STR ? NULL : im->pool.s + off;
}

static void import_grow(struct import *im)
{
	if (im->n < im->cap)
		return;
	im->cap = im->cap ? im->cap * 2 : 1024;
	im->ext_id = xreallocarray(im->ext_id, im->cap, sizeof(size_t));
	im->label = xreallocarray(im->label, im->cap, sizeof(int));
	im->path = xreallocarray(im->path, im->cap, sizeof(size_t));
	im->text = xreallocarray(im->text, im->cap, sizeof(size_t));
	im->meta = xreallocarray(im->meta, im->cap, sizeof(size_t));
	im->id_col = xreallocarray(im->id_col, im->cap, sizeof(long));
	im->line = xreallocarray(im->line, im->cap, sizeof(long));
	im->split = xreallocarray(im->split, im->cap, 1);
}

static int import_item(const struct record *r, void *user, struct err *e)
{
	struct import *im = user;
	long id = record_find(r, "id"), img = record_find(r, "image");
	long txt = record_find(r, "text"), lab = record_find(r, "label");
	long spl = record_find(r, "split");
	char *path = NULL, *meta;
	int split;

	if (id < 0 || !*r->values[id])
		return err_set(e, "%s:%ld: item without an id (every item needs an "
			       "'id' %s)", r->file, r->line,
			       r->cols ? "column" : "key");
	if (import_no_bom(r, id, e) || import_no_bom(r, lab, e))
		return -1;
	if ((img < 0 || !*r->values[img]) && (txt < 0 || !*r->values[txt]))
		return err_set(e, "%s:%ld: item '%s' has neither an 'image' path "
			       "nor a 'text'", r->file, r->line, r->values[id]);
	if ((split = item_split_parse(field(r, spl))) < 0)
		return err_set(e, "%s:%ld:%ld: unknown split '%s' (use train, test "
			       "or holdout)", r->file, r->lines[spl],
			       r->cols[spl], r->values[spl]);
	if (img >= 0 && *r->values[img] &&
	    import_image_path(im, r, img, &path, e))
		return -1;
	import_grow(im);
	size_t i = im->n;

	im->path[i] = pool_add(im, path);
	free(path);
	im->ext_id[i] = pool_add(im, r->values[id]);
	im->text[i] = pool_add(im, txt >= 0 && *r->values[txt] ?
			       r->values[txt] : NULL);
	im->label[i] = lab >= 0 && *r->values[lab] ?
		       import_note_label(im, r->values[lab], r, lab) : -1;
	meta = import_meta(r);
	im->meta[i] = pool_add(im, meta);
	free(meta);
	im->line[i] = r->lines[id];
	im->id_col[i] = r->cols[id];
	im->split[i] = (unsigned char)split;
	im->n++;
	return 0;
}

static long find_either(const struct record *r, const char *a, const char *b)
{
	long i = record_find(r, a);

	return i >= 0 ? i : record_find(r, b);
}

static int import_vote(const struct record *r, void *user, struct err *e)
{
	struct import *im = user;
	long it = find_either(r, "item", "task");
	long an = find_either(r, "annotator", "worker");
	long lab = record_find(r, "label");

	if (it < 0 || an < 0 || lab < 0)
		return err_set(e, "%s:%ld: a vote needs 'item' (or 'task'), "
			       "'annotator' (or 'worker') and 'label'", r->file,
			       r->line);
	if (!*r->values[it] || !*r->values[an] || !*r->values[lab])
		return err_set(e, "%s:%ld: empty item, annotator or label in a vote",
			       r->file, r->line);
	if (import_no_bom(r, it, e) || import_no_bom(r, an, e) ||
	    import_no_bom(r, lab, e))
		return -1;
	if (im->nv == im->vcap) {
		im->vcap = im->vcap ? im->vcap * 2 : 1024;
		im->v_item = xreallocarray(im->v_item, im->vcap, sizeof(char *));
		im->v_annot = xreallocarray(im->v_annot, im->vcap, sizeof(char *));
		im->v_label = xreallocarray(im->v_label, im->vcap, sizeof(char *));
		im->v_where = xreallocarray(im->v_where, im->vcap, sizeof(char *));
	}
	im->v_item[im->nv] = xstrdup(r->values[it]);
	im->v_annot[im->nv] = xstrdup(r->values[an]);
	im->v_label[im->nv] = xstrdup(r->values[lab]);
	im->v_where[im->nv] = xasprintf("%s:%ld:%ld", r->file, r->lines[it],
					r->cols[it]);
	import_note_label(im, r->values[lab], r, lab);
	im->nv++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_key(const char *key, int64_t val, void *user)
{
	char **keys = user;

	keys[val] = (char *)key;
}

/* Splits "a,b,c" into names; empty names are refused. */
static int split_list(const char *opt, char ***out, int *n, struct err *e)
{
	char *list = xstrdup(opt), *save = NULL;

	*out = NULL;
	*n = 0;
	for (char *c = strtok_r(list, ",", &save); c;
	     c = strtok_r(NULL, ",", &save)) {
		*out = xreallocarray(*out, (size_t)*n + 1, sizeof **out);
		(*out)[(*n)++] = xstrdup(c);
	}
	free(list);
	if (*n < 2)
		return err_set(e, "--classes: give at least two names, separated "
			       "by commas");
	return 0;
}

static void free_list(char **l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* A new project takes --classes in that order, else the sorted labels
 * seen; an existing project keeps its classes. */
static int import_make_classes(struct import *im, const char *opt,
			       char **keys, struct err *e)
{
	char **names = keys;
	int n = (int)im->nseen, rc = 0;

	if (opt && split_list(opt, &names, &n, e))
		return -1;
	if (!opt)
		qsort(keys, im->nseen, sizeof *keys, cmp_str);
	for (int i = 0; i < n && rc == 0; i++)
		if (class_list_find(&im->classes, names[i]) < 0 &&
		    store_class_add(im->st, names[i], e) < 0)
			rc = -1;
	if (opt)
		free_list(names, n);
	class_list_free(&im->classes);
	return rc ? -1 : store_classes(im->st, &im->classes, e);
}

static int import_check_classes(struct import *im, const char *opt,
				char **keys, struct err *e)
{
	struct strbuf bad;
	char **names;
	int n, rc = 0;

	if (opt) {
		if (split_list(opt, &names, &n, e))
			return -1;
		for (int i = 0; i < n && rc == 0; i++)
			if (class_list_find(&im->classes, names[i]) < 0)
				rc = err_set(e, "--classes: '%s' is not one of the "
					     "project's classes", names[i]);
		free_list(names, n);
		if (rc)
			return -1;
	}
	strbuf_init(&bad);
	for (size_t i = 0; i < im->nseen; i++)
		if (class_list_find(&im->classes, keys[i]) < 0)
			strbuf_addf(&bad, "%s'%s' (first at %s)", bad.len ? ", " : "",
				    keys[i], im->seen[i].where);
	if (bad.len)
		rc = err_set(e, "unknown labels: %s; the classes are %s", bad.s,
			     opt ? "given by --classes" : "the project's");
	strbuf_free(&bad);
	return rc;
}

static int import_classes(struct import *im, const char *opt, struct err *e)
{
	char **keys = xcalloc(im->nseen + 1, sizeof *keys);
	int rc;

	strmap_each(&im->labels, collect_key, keys);
	if (!im->classes.n && !opt && im->nseen > STORE_MAX_CLASSES) {
		free(keys);
		return err_set(e, "%s: %zu different labels, but a project holds "
			       "at most %d classes (is 'label' the right column?)",
			       im->seen[STORE_MAX_CLASSES].where, im->nseen,
			       STORE_MAX_CLASSES);
	}
	if (!im->classes.n)
		rc = import_make_classes(im, opt, keys, e);
	else
		rc = 0;
	if (rc == 0)
		rc = import_check_classes(im, opt, keys, e);
	free(keys);
	for (size_t i = 0; rc == 0 && i < im->nseen; i++)
		im->seen[i].class = class_list_find(&im->classes, im->seen[i].name);
	if (rc == 0 && im->classes.n < 2)
		rc = err_set(e, "%s: at least two classes are needed (found %d); "
			     "give them with --classes", im->items_path,
			     im->classes.n);
	return rc;
}

/* An insert refused by the unique index is a duplicate: said against its
 * first line when that is in this file, else against the project. */
static int import_item_failed(const struct import *im, size_t i,
			      struct err *e)
{
	const char *id = pooled(im, im->ext_id[i]);

	for (size_t k = 0; k < i; k++)
		if (!strcmp(pooled(im, im->ext_id[k]), id))
			return err_set(e, "%s:%ld:%ld: duplicate id '%s' (first on "
				       "line %ld)", im->items_path, im->line[i],
				       im->id_col[i], id, im->line[k]);
	return err_prefix(e, "%s:%ld", im->items_path, im->line[i]);
}

static void import_index_ids(struct import *im)
{
	for (size_t i = 0; i < im->n; i++)
		strmap_put(&im->ids, pooled(im, im->ext_id[i]), (int64_t)i, NULL);
}

static int import_store_items(struct import *im, struct err *e)
{
	im->row_id = xcalloc(im->n + 1, sizeof *im->row_id);
	for (size_t i = 0; i < im->n; i++) {
		struct item_new it = {
			.ext_id = pooled(im, im->ext_id[i]),
			.kind = im->path[i] != NO_STR ? ITEM_IMAGE : ITEM_TEXT,
			.path = pooled(im, im->path[i]),
			.text = pooled(im, im->text[i]),
			.label = im->label[i] < 0 ? LABEL_NONE :
				 im->seen[im->label[i]].class,
			.split = (enum item_split)im->split[i],
			.meta = pooled(im, im->meta[i]),
		};

		if (store_item_add(im->st, &it, &im->row_id[i], e))
			return import_item_failed(im, i, e);
	}
	return 0;
}

struct vote_ref {
	int64_t item;
	size_t idx;	/* position in the votes file */
};

static int cmp_vote(const void *a, const void *b)
{
	const struct vote_ref *x = a, *y = b;

	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Items without a given label take the majority of their votes; a tie
 * goes to the tied class listed first in the project's classes. */
static int import_majority(struct import *im, struct vote_ref *ref,
			   struct err *e)
{
	int c = im->classes.n, rc = 0;
	int *count = xcalloc((size_t)c, sizeof *count);

	qsort(ref, im->nv, sizeof *ref, cmp_vote);
	for (size_t v = 0; v < im->nv && rc == 0;) {
		size_t w = v;
		int best = 0;

		memset(count, 0, sizeof *count * (size_t)c);
		for (; w < im->nv && ref[w].item == ref[v].item; w++)
			count[class_list_find(&im->classes,
					      im->v_label[ref[w].idx])]++;
		for (int k = 1; k < c; k++)
			if (count[k] > count[best])
				best = k;
		int64_t *local = strmap_get(&im->ids, im->v_item[ref[v].idx]);

		if (local && im->label[*local] < 0)
			rc = store_item_set_given(im->st, ref[v].item, best, e);
		v = w;
	}
	free(count);
	return rc;
}

static int import_vote_item(struct import *im, size_t v, int64_t *id,
			    struct err *e)
{
	int64_t *local = strmap_get(&im->ids, im->v_item[v]);
	int rc;

	if (local) {
		*id = im->row_id[*local];
		return 0;
	}
	rc = store_item_find(im->st, im->v_item[v], id, e);
	if (rc > 0)
		return err_set(e, "%s: vote for unknown item '%s'; every voted "
			       "item must be in --items or already in the project",
			       im->v_where[v], im->v_item[v]);
	return rc;
}

static int import_store_votes(struct import *im, struct err *e)
{
	struct vote_ref *ref = xcalloc(im->nv + 1, sizeof *ref);
	struct strmap annot;
	int rc = 0;

	strmap_init(&annot);
	for (size_t v = 0; v < im->nv && rc == 0; v++) {
		int64_t aid = 0;
		int added;

		ref[v].idx = v;
		if ((rc = import_vote_item(im, v, &ref[v].item, e)))
			break;
		int64_t *ap = strmap_put(&annot, im->v_annot[v], 0, &added);

		if (added && (rc = store_annotator_add(im->st, im->v_annot[v],
						       &aid, e)) == 0)
			*ap = aid;
		if (rc == 0)
			rc = store_vote_add(im->st, ref[v].item, *ap,
					    class_list_find(&im->classes,
							    im->v_label[v]), e);
	}
	strmap_free(&annot);
	if (rc == 0)
		rc = import_majority(im, ref, e);
	free(ref);
	return rc;
}

/* Probabilities must be rows of a distribution over the classes. */
static int import_check_probs(struct import *im, const struct dense *p,
			      struct err *e)
{
	if (p->rows != im->n || p->cols != (size_t)im->classes.n)
		return err_set(e, "%s: shape is [%zu, %zu]; expected [%zu, %d] "
			       "(one row per item of %s, one column per class)",
			       im->probs_path, p->rows, p->cols, im->n,
			       im->classes.n, im->items_path);
	for (size_t i = 0; i < p->rows; i++) {
		double sum = 0;

		for (size_t j = 0; j < p->cols; j++) {
			float v = p->v[i * p->cols + j];

			if (v < 0)
				return err_set(e, "%s: row %zu (item '%s'), column %zu"
					       " is negative (%g)", im->probs_path,
					       i, pooled(im, im->ext_id[i]), j, v);
			sum += v;
		}
		if (fabs(sum - 1.0) > 1e-3)
			return err_set(e, "%s: row %zu (item '%s') sums to %.6f, not 1;"
				       " pass softmax probabilities, not logits",
				       im->probs_path, i, pooled(im, im->ext_id[i]),
				       sum);
	}
	return 0;
}

/* Imported probabilities are ranked like a trained run's, so that the
 * review queue and its first screen read the ranking straight from the
 * run. */
static int import_probs(struct import *im, struct err *e)
{
	struct dense p = { 0 };
	struct item_table t;
	struct ranking rk;
	unsigned char *flag;
	float *probs;
	size_t k = im->classes.n;
	int rc;

	if (npy_load(im->probs_path, &p, e))
		return -1;
	if (import_check_probs(im, &p, e) || store_items_load(im->st, &t, e)) {
		dense_free(&p);
		return -1;
	}
	/* Rows follow the items file; the ranking follows the store's ids. */
	probs = xmalloc((t.n ? t.n : 1) * k * sizeof *probs);
	for (size_t i = 0; i < im->n; i++) {
		long at = item_table_find(&t, im->row_id[i]);

		memcpy(probs + (size_t)at * k, p.v + i * k, k * sizeof *probs);
	}
	dense_free(&p);
	flag = xmalloc(t.n + 1);
	memset(flag, 1, t.n + 1);
	if (analysis_rank(im->st, &t, (int)k, probs, flag, &rk, e)) {
		free(flag);
		free(probs);
		item_table_free(&t);
		return -1;
	}

	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "file", im->probs_path);
	char *params = cJSON_PrintUnformatted(o);
	struct run_record run = {
		.method = "imported",
		.params = params,
		.nclass = (int)k,
		.n = t.n,
		.item = t.id,
		.probs = probs,
		.oos = flag,
		.suspicion = rk.suspicion,
		.issue = rk.issue,
		.suggested = rk.suggested,
		.noise_rate = rk.noise_rate,
		.noise = rk.noise,
	};

	rc = store_run_save(im->st, &run, NULL, e);
	cJSON_free(params);
	cJSON_Delete(o);
	ranking_free(&rk);
	free(flag);
	free(probs);
	item_table_free(&t);
	return rc;
}

/* External features are kept as a cache entry that never goes stale: its
 * rows follow the project's items in id order. */
static int import_features(struct import *im, size_t before, struct err *e)
{
	struct features f = { 0 };
	unsigned char *blob;
	size_t len;
	int rc;

	if (before)
		return err_set(e, "%s: --features must come with the import that "
			       "creates the project's items (it already has %zu)",
			       im->features_path, before);
	if (npy_load(im->features_path, &f.d, e))
		return -1;
	if (f.d.rows != im->n) {
		rc = err_set(e, "%s: %zu rows, but %s has %zu items; one row per "
			     "item, in file order", im->features_path, f.d.rows,
			     im->items_path, im->n);
		features_free(&f);
		return rc;
	}
	if (featcache_write(&f, 0, &blob, &len)) {
		features_free(&f);
		return err_set(e, "%s: cannot encode the features",
			       im->features_path);
	}
	rc = store_cache_put(im->st, "external", blob, len, e);
	free(blob);
	features_free(&f);
	return rc;
}

static int import_root(struct import *im, struct err *e)
{
	char resolved[PATH_MAX];
	char *dir = xstrdup(im->items_path);
	const char *want = im->root_opt ? im->root_opt : dirname(dir);

	if (!realpath(want, resolved)) {
		err_set(e, "%s: data root not found%s", want,
			im->root_opt ? " (--root)" : "");
		free(dir);
		return -1;
	}
	free(dir);
	im->root = xstrdup(resolved);
	return 0;
}

static int import_run(struct import *im, const char *classes, struct err *e)
{
	struct item_table before;
	size_t n_before;

	if (store_items_load(im->st, &before, e))
		return -1;
	n_before = before.n;
	item_table_free(&before);
	if (store_classes(im->st, &im->classes, e) || import_root(im, e))
		return -1;
	if (records_read(im->items_path, im->items_fmt, import_item, im, e) < 0)
		return -1;
	if (im->n == 0)
		return err_set(e, "%s: no items (a header row and no data)",
			       im->items_path);
	if (im->votes_path &&
	    records_read(im->votes_path, im->votes_fmt, import_vote, im, e) < 0)
		return -1;
	if (import_classes(im, classes, e) || import_store_items(im, e))
		return -1;
	if (im->nv)
		import_index_ids(im);
	if (im->nv && import_store_votes(im, e))
		return -1;
	if (im->features_path && import_features(im, n_before, e))
		return -1;
	if (im->probs_path && n_before)
		return err_set(e, "%s: --probs must come with the import that "
			       "creates the project's items", im->probs_path);
	if (im->probs_path && import_probs(im, e))
		return -1;
	return 0;
}

static void import_free(struct import *im)
{
	for (size_t v = 0; v < im->nv; v++) {
		free(im->v_item[v]);
		free(im->v_annot[v]);
		free(im->v_label[v]);
		free(im->v_where[v]);
	}
	for (size_t i = 0; i < im->nseen; i++) {
		free(im->seen[i].name);
		free(im->seen[i].where);
	}
	free(im->ext_id);
	free(im->label);
	free(im->path);
	free(im->text);
	free(im->meta);
	free(im->id_col);
	strbuf_free(&im->pool);
	free(im->line);
	free(im->split);
	free(im->v_item);
	free(im->v_annot);
	free(im->v_label);
	free(im->v_where);
	free(im->seen);
	free(im->row_id);
	free(im->root);
	strmap_free(&im->ids);
	strmap_free(&im->labels);
	class_list_free(&im->classes);
}

static int parse_format(const char *s, enum records_format *f)
{
	if (!strcmp(s, "csv"))
		*f = RECORDS_CSV;
	else if (!strcmp(s, "tsv"))
		*f = RECORDS_TSV;
	else if (!strcmp(s, "jsonl"))
		*f = RECORDS_JSONL;
	else
		return -1;
	return 0;
}

enum { OPT_ITEMS = 256, OPT_VOTES, OPT_CLASSES, OPT_ROOT, OPT_FEATURES,
       OPT_PROBS, OPT_FORMAT, OPT_VFORMAT, OPT_OUTSIDE, OPT_HELP };

static const struct option import_opts[] = {
	{ "items", required_argument, NULL, OPT_ITEMS },
	{ "annotations", required_argument, NULL, OPT_VOTES },
	{ "classes", required_argument, NULL, OPT_CLASSES },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "features", required_argument, NULL, OPT_FEATURES },
	{ "probs", required_argument, NULL, OPT_PROBS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "annotations-format", required_argument, NULL, OPT_VFORMAT },
	{ "allow-outside-root", no_argument, NULL, OPT_OUTSIDE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ 0 }
};

static int import_options(int argc, char **argv, struct import *im,
			  const char **classes)
{
	int c;

	while ((c = getopt_long(argc, argv, "", import_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ITEMS: im->items_path = optarg; break;
		case OPT_VOTES: im->votes_path = optarg; break;
		case OPT_CLASSES: *classes = optarg; break;
		case OPT_ROOT: im->root_opt = optarg; break;
		case OPT_FEATURES: im->features_path = optarg; break;
		case OPT_PROBS: im->probs_path = optarg; break;
		case OPT_OUTSIDE: im->allow_outside = 1; break;
		case OPT_FORMAT:
		case OPT_VFORMAT:
			if (parse_format(optarg, c == OPT_FORMAT ? &im->items_fmt :
					 &im->votes_fmt))
				return cli_usage("import", "unknown format '%s' (csv, "
						 "tsv or jsonl)", optarg);
			break;
		case OPT_HELP: fputs(import_help, stdout); return -1;
		default: return cli_usage("import", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("import", "give exactly one project file");
	if (!im->items_path)
		return cli_usage("import", "--items FILE is required");
	return 0;
}

/* Every input is a regular file, checked before the project is opened
 * or created. */
static int import_check_inputs(const struct import *im, struct err *e)
{
	const char *const in[] = { im->items_path, im->votes_path,
				   im->features_path, im->probs_path };

	for (size_t i = 0; i < 4; i++)
		if (in[i] && cli_input(in[i], e))
			return -1;
	return 0;
}

/* A project killed before its first checkpoint lives in its log. */
static int wal_has_data(const char *path)
{
	char *wal = xasprintf("%s-wal", path);
	struct stat sb;
	int has = stat(wal, &sb) == 0 && sb.st_size > 0;

	free(wal);
	return has;
}

/* Removes a private project file and anything SQLite left beside it. */
static void remove_bulk(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < 4; i++) {
		char *p = xasprintf("%s%s", path, ext[i]);

		unlink(p);
		free(p);
	}
}

/* Removes what imports killed before they finished left beside target:
 * their private files, named by process ids no longer running. */
static void remove_stale_bulk(const char *target)
{
	char *pattern = xasprintf("%s.importing-*", target);
	glob_t g;

	if (glob(pattern, GLOB_NOSORT, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			const char *pid = strrchr(g.gl_pathv[i], '-') + 1;
			char *end;
			long v = strtol(pid, &end, 10);

			if (*end == '\0' && v > 0 && kill((pid_t)v, 0) != 0 &&
			    errno == ESRCH)
				remove_bulk(g.gl_pathv[i]);
		}
		globfree(&g);
	}
	free(pattern);
}

/* Where a new project goes: the file a symbolic link names, else the
 * path itself.  NULL (with e set) for a dangling link. */
static char *new_project_target(const char *path, struct err *e)
{
	char resolved[PATH_MAX];
	struct stat sb;

	if (lstat(path, &sb) != 0 || !S_ISLNK(sb.st_mode))
		return xstrdup(path);
	if (!realpath(path, resolved)) {
		err_set(e, "%s: a symbolic link to a missing file; point it at a "
			"project or remove it", path);
		return NULL;
	}
	return xstrdup(resolved);
}

static int import_into(struct import *im, const char *path, int flags,
		       const char *classes, struct err *e)
{
	int rc;

	if (store_open(path, flags, &im->st, e))
		return -1;
	rc = store_begin(im->st, e);
	if (rc == 0)
		rc = import_run(im, classes, e);
	if (rc == 0)
		rc = store_commit(im->st, e);
	else
		store_rollback(im->st);
	store_close(im->st);
	im->st = NULL;
	return rc;
}

/* A new project is filled in a private file and renamed into place, so
 * a failed or killed import leaves nothing where the project would be,
 * and the private file needs no journal. */
static int import_new(struct import *im, const char *path,
		      const char *classes, struct err *e)
{
	char *target = new_project_target(path, e), *tmp;
	int rc;

	if (!target)
		return -1;
	char *dir = xstrdup(target);

	/* The folder is checked here so the message names the project. */
	rc = access(dirname(dir), W_OK);
	free(dir);
	if (rc != 0) {
		err_set(e, "%s: cannot create the project file: %s", path,
			strerror(errno));
		free(target);
		return -1;
	}
	tmp = xasprintf("%s.importing-%ld", target, (long)getpid());
	remove_stale_bulk(target);
	remove_bulk(tmp);
	rc = import_into(im, tmp, STORE_CREATE | STORE_BULK, classes, e);
	if (rc == 0)
		rc = store_publish(tmp, target, e);
	if (rc)
		remove_bulk(tmp);
	free(tmp);
	free(target);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	struct import im = { 0 };
	const char *classes = NULL;
	struct err e;
	struct stat sb;
	int rc, fresh;

	optind = 1;
	strmap_init(&im.ids);
	strmap_init(&im.labels);
	rc = import_options(argc, argv, &im, &classes);
	if (rc)
		return rc > 0 ? rc : EXIT_DONE;
	const char *path = argv[optind];

	if (import_check_inputs(&im, &e)) {
		import_free(&im);
		return cli_fail(&e);
	}

	/* An empty file is a project not made yet, unless its log has one. */
	fresh = stat(path, &sb) != 0 ? errno == ENOENT :
		S_ISREG(sb.st_mode) && sb.st_size == 0 && !wal_has_data(path);
	if (fresh && stat(path, &sb) == 0 && access(path, W_OK) != 0)
		fresh = 0;
	if (fresh)
		rc = import_new(&im, path, classes, &e);
	else
		rc = import_into(&im, path, STORE_CREATE, classes, &e);
	if (rc == 0)
		printf("imported %zu items and %zu votes into %s (%d classes)\n",
		       im.n, im.nv, path, im.classes.n);
	import_free(&im);
	return rc ? cli_fail(&e) : EXIT_DONE;
}
