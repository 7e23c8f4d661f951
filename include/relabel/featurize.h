/* featurize.h - a project's feature matrix, computed once and cached in
 * the project file.
 *
 * External features (imported with --features) are used when present;
 * otherwise images are decoded to size x size gray pixels, or texts are
 * hashed into sparse unigram and bigram counts.  The cache is keyed by
 * the kind and size and checked against a hash of what the features came
 * from (paths, file sizes and times, or texts), so a changed file is
 * noticed.  Dense features come back standardized with the statistics of
 * the train split.
 */
#ifndef RELABEL_FEATURIZE_H
#define RELABEL_FEATURIZE_H

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/store.h"

#define FEATURIZE_DEFAULT_SIZE 28

/* Fills out with one row per item of t (in t's order).  *cached is set
 * to 1 when the cache was used (cached may be NULL).  Errors name the
 * item or file that could not be read. */
int featurize_project(struct store *st, const struct item_table *t,
		      int image_size, struct features *out, int *cached,
		      struct err *e);

#endif
