/* store.h - the project file: one SQLite database holding classes, items,
 * annotators and their votes, the append-only review log, training runs
 * with per-item scores, model weights and feature caches.
 *
 * This is the only module with SQL; every statement is prepared with
 * bound parameters.  Functions return 0 on success and -1 with e filled
 * on failure unless said otherwise.  Strings handed out are owned by the
 * caller unless said otherwise.  A struct store is used by one thread;
 * other threads open their own.
 */
#ifndef RELABEL_STORE_H
#define RELABEL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"

#define STORE_SCHEMA_VERSION 2
#define STORE_MAX_CLASSES 1000
#define LABEL_NONE (-1)

struct store;

enum store_flags {
	STORE_CREATE = 1,	/* create the file (mode 0600) if missing */
	STORE_READONLY = 2,
	/* A new file filled by one process before anyone else sees it: no
	 * journal and no syncs.  The caller makes it durable and publishes
	 * it by renaming (store_publish). */
	STORE_BULK = 4
};

enum item_kind { ITEM_IMAGE = 0, ITEM_TEXT = 1 };
enum item_split { SPLIT_TRAIN = 0, SPLIT_TEST = 1, SPLIT_HOLDOUT = 2 };

enum review_action {
	REVIEW_RELABEL = 0,
	REVIEW_CONFIRM = 1,
	REVIEW_SKIP = 2,
	REVIEW_UNDO = 3,
	REVIEW_REDO = 4
};

/* Opens (and with STORE_CREATE creates) a project, applying forward
 * migrations.  Refuses a file that is not SQLite, not a relabel project,
 * or written by a newer relabel. */
int store_open(const char *path, int flags, struct store **out,
	       struct err *e);
void store_close(struct store *st);
const char *store_path(const struct store *st);

/* Makes a closed STORE_BULK file durable and renames it to path, then
 * switches it to the journal every other connection uses. */
int store_publish(const char *bulk_path, const char *path, struct err *e);

/* Explicit transactions (BEGIN IMMEDIATE); calls that write on their own
 * join a transaction already open. */
int store_begin(struct store *st, struct err *e);
int store_commit(struct store *st, struct err *e);
void store_rollback(struct store *st);

/* Project settings, a small key/value table.  store_meta_get returns 1
 * (and *value NULL) when the key is absent. */
int store_meta_get(struct store *st, const char *key, char **value,
		   struct err *e);
int store_meta_set(struct store *st, const char *key, const char *value,
		   struct err *e);

/* Classes are numbered 0..n-1 in the order they were added. */
struct class_list {
	int n;
	char **name;		/* [n] */
};
int store_classes(struct store *st, struct class_list *out, struct err *e);
void class_list_free(struct class_list *c);
/* Index of name in c, or -1. */
int class_list_find(const struct class_list *c, const char *name);
/* Adds a class; returns its index, or -1. */
int store_class_add(struct store *st, const char *name, struct err *e);

/* Items.  id is the row id; ext_id is the dataset's own id. */
struct item_new {
	const char *ext_id;
	enum item_kind kind;
	const char *path;	/* image path, or NULL */
	const char *text;	/* text, or NULL */
	int label;		/* given label, or LABEL_NONE */
	enum item_split split;
	const char *meta;	/* JSON object of extra columns, or NULL */
};
int store_item_add(struct store *st, const struct item_new *it,
		   int64_t *id, struct err *e);
/* Returns 0 and sets *id when found, 1 when not, -1 on error. */
int store_item_find(struct store *st, const char *ext_id, int64_t *id,
		    struct err *e);
/* Sets the given and current label of an item that has no review yet
 * (import uses it for items labelled by their votes). */
int store_item_set_given(struct store *st, int64_t id, int label,
			 struct err *e);

/* Every item in id order, column-wise, for learning and ranking. */
struct item_table {
	size_t n;
	int64_t *id;		/* [n] */
	int *given;		/* [n] given label or LABEL_NONE */
	int *label;		/* [n] current label: latest review, else given */
	unsigned char *split;	/* [n] enum item_split */
	unsigned char *kind;	/* [n] enum item_kind */
	unsigned char *reviewed;/* [n] 1 if an expert decided its label */
};
int store_items_load(struct store *st, struct item_table *t, struct err *e);
void item_table_free(struct item_table *t);
/* Index of id in t (binary search), or -1. */
long item_table_find(const struct item_table *t, int64_t id);

/* The external ids of the items of t, in t's order ([t->n] strings,
 * free with store_names_free). */
int store_item_names(struct store *st, const struct item_table *t,
		     char ***names, struct err *e);
void store_names_free(char **names, size_t n);

/* One item in full. */
struct item_detail {
	int64_t id;
	char *ext_id, *path, *text, *meta;	/* path/text/meta may be NULL */
	enum item_kind kind;
	enum item_split split;
	int given, label, reviewed;
	char *reviewer, *reviewed_at;		/* NULL unless reviewed */
};
int store_item_get(struct store *st, int64_t id, struct item_detail *d,
		   struct err *e);
void item_detail_free(struct item_detail *d);
/* Calls fn for every item in id order; fn returning -1 stops with that
 * error.  The detail is valid during the call only. */
int store_items_each(struct store *st,
		     int (*fn)(const struct item_detail *d, void *user,
			       struct err *e),
		     void *user, struct err *e);

/* Annotators and their votes (long format: one vote a row). */
int store_annotator_add(struct store *st, const char *name, int64_t *id,
			struct err *e);
int store_vote_add(struct store *st, int64_t item, int64_t annotator,
		   int label, struct err *e);
struct vote_table {
	size_t n;
	uint32_t *item;		/* [n] index into the item_table */
	uint32_t *annotator;	/* [n] index into annot_name */
	int *label;		/* [n] */
	size_t nannot;
	char **annot_name;	/* [nannot] */
};
int store_votes_load(struct store *st, const struct item_table *t,
		     struct vote_table *v, struct err *e);
void vote_table_free(struct vote_table *v);

/* The review log.  Adding a review also updates the item's current
 * label and reviewed state, in one transaction, before it returns. */
struct review {
	int64_t item;
	const char *reviewer;
	enum review_action action;
	int old_label, new_label;	/* new_label: the label after it */
	int reviewed_after;		/* the item counts as reviewed after it */
	const char *queue;		/* queue that brought the item up, or NULL */
	double score;			/* its score in that queue */
	int64_t target;			/* review undone or redone, or 0 */
};
int store_review_add(struct store *st, const struct review *r, int64_t *id,
		     struct err *e);
/* Id of the newest log entry, 0 when the log is empty. */
int store_review_last(struct store *st, int64_t *id, struct err *e);
/* Counts of the log: all entries, and items whose label now differs
 * from the given one. */
int store_review_counts(struct store *st, size_t *entries, size_t *changed,
			struct err *e);

/* Training runs.  A run and everything that belongs to it are saved in
 * one transaction, so a run is either whole or absent. */
struct run_record {
	const char *method;	/* "coteach", "standard", "imported" */
	const char *params;	/* JSON object */
	const char *metrics;	/* JSON object, or NULL */
	double seconds;
	int nclass;
	size_t n;
	const int64_t *item;	/* [n] item ids */
	const float *probs;	/* [n, nclass] */
	const unsigned char *oos; /* [n] 1 where probs are out-of-sample */
	/* Ranking at save time, or NULL. */
	const float *suspicion;	/* [n] */
	const unsigned char *issue; /* [n] */
	const int *suggested;	/* [n] */
	double noise_rate;	/* < 0 when not estimated */
	const float *noise;	/* [nclass, nclass] given x true, or NULL */
	const unsigned char *model; /* model blob, or NULL */
	size_t model_len;
};
int store_run_save(struct store *st, const struct run_record *r,
		   int64_t *id, struct err *e);

struct run_info {
	int64_t id;
	char *started, *method, *params, *metrics;
	double seconds, noise_rate;	/* noise_rate < 0: none */
	int nclass;
	float *noise;			/* [nclass, nclass] or NULL */
	size_t nscored;
};
/* Newest first. */
int store_runs_list(struct store *st, struct run_info **runs, size_t *n,
		    struct err *e);
void run_info_free(struct run_info *r);
/* Newest run id; returns 1 when there is none. */
int store_run_latest(struct store *st, int64_t *run, struct err *e);
/* Fills probs [t->n, nclass], has [t->n] (1 where the run scored the
 * item) and, when not NULL, oos [t->n] (1 where the probabilities are
 * out-of-sample) from a run. */
int store_scores_load(struct store *st, int64_t run,
		      const struct item_table *t, int nclass, float *probs,
		      unsigned char *has, unsigned char *oos, struct err *e);
/* The model blob of a run; returns 1 when the run has none. */
int store_model_get(struct store *st, int64_t run, unsigned char **blob,
		    size_t *len, struct err *e);

/* Feature caches by key; store_cache_get returns 1 when absent. */
int store_cache_get(struct store *st, const char *key, unsigned char **blob,
		    size_t *len, struct err *e);
int store_cache_put(struct store *st, const char *key,
		    const unsigned char *blob, size_t len, struct err *e);

/* The page cache of this connection, in KiB (SQLite's default for a
 * project is 64 MiB); a long-lived reader of bulk rows needs little. */
int store_set_cache(struct store *st, int kib, struct err *e);

/* What several review sessions on one project share (leases.c).
 *
 * Leases: an item on a reviewer's screen is held for that reviewer until
 * it is released or the lease expires.  Times are seconds since the
 * epoch on the caller's clock (now).  A lease write waits only a moment
 * for another writer (such as a run being saved): it fails with a
 * message saying so, and the caller tries again later. */
#define STORE_LEASE_SECONDS 120
/* Takes or renews the lease on item for reviewer until now + seconds.
 * Returns 0 when it is reviewer's, 1 when another reviewer holds an
 * unexpired lease (*holder, unless holder is NULL, gets that name), -1
 * on error.  An expired lease is taken over. */
int store_lease_take(struct store *st, int64_t item, const char *reviewer,
		     double now, double seconds, char **holder,
		     struct err *e);
/* Releases reviewer's lease on item (item 0: every lease reviewer
 * holds). */
int store_lease_release(struct store *st, int64_t item,
			const char *reviewer, struct err *e);
/* The items ([*n], ascending, free()) with an unexpired lease held by
 * anyone but reviewer. */
int store_leases_others(struct store *st, const char *reviewer, double now,
			int64_t **items, size_t *n, struct err *e);

/* An item's state after the newest entries of the review log. */
struct item_state {
	int64_t item;
	int label;		/* current label, or LABEL_NONE */
	int reviewed;
	int64_t review;		/* its newest log entry */
	char *reviewer;		/* who wrote that entry */
};
/* The items with a log entry newer than after ([*n], in item order), and
 * in *newest the newest entry id (after, when there is none). */
int store_changes_since(struct store *st, int64_t after,
			struct item_state **out, size_t *n, int64_t *newest,
			struct err *e);
void item_states_free(struct item_state *s, size_t n);
/* Log entries newer than after that decide a label (all but skips). */
int store_review_count_since(struct store *st, int64_t after, size_t *n,
			     struct err *e);

/* A disputed item: two or more reviewers whose standing decisions name
 * different labels.  A reviewer's standing decision on an item is their
 * newest entry other than a skip, when it leaves the item reviewed (an
 * undo of their only decision withdraws it).  The later decision holds:
 * it is the item's current label. */
struct dispute {
	int64_t item;
	char *ext_id;
	int label;		/* the current label */
	size_t n;
	char **reviewer;	/* [n], oldest decision first */
	int *labels;		/* [n] each one's label */
};
/* The disputes on item, or on every item when item is 0, in item order
 * ([*n]; free with disputes_free). */
int store_disputes(struct store *st, int64_t item, struct dispute **out,
		   size_t *n, struct err *e);
void disputes_free(struct dispute *d, size_t n);

/* The top of a run's stored ranking, for a first screen that need not
 * wait for the whole project to be read. */
struct run_top {
	size_t n;
	int64_t *item;		/* [n] highest stored suspicion first (ties:
				 * lower id first) */
	char **ext_id;		/* [n] */
	int *given, *label;	/* [n] */
	unsigned char *kind, *split; /* [n] */
	float *suspicion;	/* [n] */
	int *suggested;		/* [n] LABEL_NONE unless flagged */
};
/* The at most max items of run not reviewed yet with the highest stored
 * suspicion.  Returns 1 (and an empty out) when the run stored no
 * ranking. */
int store_run_top(struct store *st, int64_t run, size_t max,
		  struct run_top *out, struct err *e);
void run_top_free(struct run_top *t);
/* The kind of the project's first item; 1 when it has none. */
int store_items_kind(struct store *st, enum item_kind *kind, struct err *e);

/* Names for the enums, as stored and printed. */
const char *item_split_name(enum item_split s);
int item_split_parse(const char *s);	/* -1 if unknown */
const char *review_action_name(enum review_action a);

#endif
