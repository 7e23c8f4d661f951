/* featurize.c - building and caching a project's features. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/featcache.h"
#include "relabel/featurize.h"
#include "relabel/image.h"
#include "relabel/mem.h"
#include "relabel/standardize.h"
#include "relabel/textfeat.h"

struct sources {
	size_t n;
	char **s;		/* [n] path or text of each item */
	size_t *len;		/* [n] */
	int kind;		/* ITEM_IMAGE or ITEM_TEXT */
	uint64_t hash;
	size_t at;
	const struct item_table *t;
};

static int collect(const struct item_detail *d, void *user, struct err *e)
{
	struct sources *src = user;
	const char *s = d->kind == ITEM_IMAGE ? d->path : d->text;

	if (src->at >= src->n || src->t->id[src->at] != d->id)
		return err_set(e, "the project changed while reading it; try "
			       "again");
	if ((int)d->kind != src->kind)
		return err_set(e, "item '%s' is %s but the project's first item "
			       "is %s; a project holds one kind of item",
			       d->ext_id, d->kind == ITEM_IMAGE ? "an image" :
			       "a text", src->kind == ITEM_IMAGE ? "an image" :
			       "a text");
	src->s[src->at] = xstrdup(s ? s : "");
	src->len[src->at] = strlen(src->s[src->at]);

	/* A changed, moved or rewritten file changes the hash. */
	src->hash = featcache_hash(src->s[src->at], src->len[src->at] + 1,
				   src->hash);
	if (d->kind == ITEM_IMAGE) {
		struct stat sb;
		int64_t stamp[2] = { 0, 0 };

		if (stat(s, &sb) == 0) {
			/* Opening a pipe blocks for ever; a device never ends. */
			if (!S_ISREG(sb.st_mode))
				return err_set(e, "%s: image of item '%s' is not a "
					       "regular file", s, d->ext_id);
			stamp[0] = (int64_t)sb.st_size;
			stamp[1] = (int64_t)sb.st_mtime;
		}
		src->hash = featcache_hash(stamp, sizeof stamp, src->hash);
	}
	src->at++;
	return 0;
}

static void sources_free(struct sources *src)
{
	for (size_t i = 0; i < src->n; i++)
		free(src->s[i]);
	free(src->s);
	free(src->len);
}

static int compute(const struct sources *src, int size, struct features *f,
		   struct err *e)
{
	memset(f, 0, sizeof *f);
	if (src->kind == ITEM_TEXT) {
		f->sparse = 1;
		return textfeat_build((const char *const *)src->s, src->len,
				      src->n, &f->s, e);
	}
	return image_features((const char *const *)src->s, src->n, size, &f->d,
			      e);
}

/* Reads the cache entry key if its source hash matches. */
static int cache_load(struct store *st, const char *key, uint64_t hash,
		      struct features *f)
{
	unsigned char *blob;
	size_t len;
	struct err ignored;
	int rc;

	if (store_cache_get(st, key, &blob, &len, &ignored) != 0)
		return -1;
	rc = featcache_read(blob, len, hash, f, &ignored);
	free(blob);
	return rc;
}

/* The cache is an optimisation: a read-only project still trains. */
static void cache_save(struct store *st, const char *key, uint64_t hash,
		       const struct features *f)
{
	unsigned char *blob;
	size_t len;
	struct err ignored;

	if (featcache_write(f, hash, &blob, &len) == 0) {
		store_cache_put(st, key, blob, len, &ignored);
		free(blob);
	}
}

static void standardize_train(struct features *f, const struct item_table *t)
{
	unsigned char *use = xmalloc(t->n + 1);

	if (f->sparse)
		goto out;
	for (size_t i = 0; i < t->n; i++)
		use[i] = t->split[i] == SPLIT_TRAIN;
	features_standardize(&f->d, use, NULL, NULL);
out:
	free(use);
}

int featurize_project(struct store *st, const struct item_table *t,
		      int image_size, struct features *out, int *cached,
		      struct err *e)
{
	struct sources src = { .n = t->n, .t = t };
	char key[64];
	int rc;

	memset(out, 0, sizeof *out);
	if (cached)
		*cached = 1;
	if (t->n == 0)
		return err_set(e, "%s: the project has no items", store_path(st));
	if (cache_load(st, "external", 0, out) == 0 &&
	    features_rows(out) == t->n) {
		standardize_train(out, t);
		return 0;
	}
	features_free(out);
	src.kind = t->kind[0];
	src.s = xcalloc(t->n, sizeof *src.s);
	src.len = xcalloc(t->n, sizeof *src.len);
	src.hash = featcache_hash(&image_size, sizeof image_size, 0);
	rc = store_items_each(st, collect, &src, e);
	snprintf(key, sizeof key, src.kind == ITEM_TEXT ? "text" : "image:%d",
		 image_size);
	if (rc == 0 && cache_load(st, key, src.hash, out) != 0) {
		if (cached)
			*cached = 0;
		rc = compute(&src, image_size, out, e);
		if (rc == 0)
			cache_save(st, key, src.hash, out);
	}
	sources_free(&src);
	if (rc == 0)
		standardize_train(out, t);
	return rc;
}
