/* leases.c - what several review sessions on one project share: leases
 * on the items on their screens, the log entries written since a point,
 * disputed items, and the top of a run's stored ranking for a quick first
 * screen. */
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "store_int.h"

/* How long a lease write waits for another writer, and the wait every
 * other statement gets (as store_open sets it). */
#define LEASE_BUSY_MS 20
#define STORE_BUSY_MS 5000

static int col_label(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ?
	       LABEL_NONE : sqlite3_column_int(s, col);
}

/* Runs a prepared lease write with the short wait; returns the step's
 * result code. */
static int lease_step(struct store *st, sqlite3_stmt *s)
{
	int rc;

	sqlite3_busy_timeout(st->db, LEASE_BUSY_MS);
	rc = sqlite3_step(s);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	return rc;
}

/* The reviewer holding an unexpired lease on item, or NULL. */
static int lease_holder(struct store *st, int64_t item, double now,
			char **holder, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*holder = NULL;
	if (store_prepare(st, "SELECT reviewer FROM leases WHERE item=? AND "
			  "expires>?", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_double(s, 2, now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*holder = store_col_str(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot read leases", e);
	return 0;
}

int store_lease_take(struct store *st, int64_t item, const char *reviewer,
		     double now, double seconds, char **holder,
		     struct err *e)
{
	sqlite3_stmt *s;
	char *who;
	int rc;

	if (holder)
		*holder = NULL;

	/* One statement: taking and renewing are atomic against another
	 * reviewer doing the same. */
	if (store_prepare(st, "INSERT INTO leases(item, reviewer, expires) "
			  "VALUES(?1, ?2, ?3) ON CONFLICT(item) DO UPDATE SET "
			  "reviewer=excluded.reviewer, expires=excluded.expires "
			  "WHERE leases.reviewer=excluded.reviewer OR "
			  "leases.expires<=?4", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_text(s, 2, reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 3, now + seconds);
	sqlite3_bind_double(s, 4, now);
	rc = lease_step(st, s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "cannot take the lease on an item", e);
	if (sqlite3_changes(st->db) == 1)
		return 0;
	if (lease_holder(st, item, now, &who, e))
		return -1;
	if (holder)
		*holder = who ? who : xstrdup("another reviewer");
	else
		free(who);
	return 1;
}

int store_lease_release(struct store *st, int64_t item,
			const char *reviewer, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, item ? "DELETE FROM leases WHERE item=?2 AND "
			  "reviewer=?1" : "DELETE FROM leases WHERE reviewer=?1",
			  &s, e))
		return -1;
	sqlite3_bind_text(s, 1, reviewer, -1, SQLITE_STATIC);
	if (item)
		sqlite3_bind_int64(s, 2, item);
	rc = lease_step(st, s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 :
	       store_fail(st, "cannot release a lease", e);
}

int store_leases_others(struct store *st, const char *reviewer, double now,
			int64_t **items, size_t *n, struct err *e)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*items = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT item FROM leases WHERE reviewer!=? AND "
			  "expires>? ORDER BY item", &s, e))
		return -1;
	sqlite3_bind_text(s, 1, reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*items = xreallocarray(*items, cap, sizeof **items);
		}
		(*items)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(*items);
		*items = NULL;
		*n = 0;
		return store_fail(st, "cannot read leases", e);
	}
	return 0;
}

int store_changes_since(struct store *st, int64_t after,
			struct item_state **out, size_t *n, int64_t *newest,
			struct err *e)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	*newest = after;

	/* The range of new log entries is read through the primary key. */
	if (store_prepare(st, "SELECT i.id, i.label, i.reviewed, r.id, "
			  "r.reviewer FROM (SELECT item, max(id) AS last FROM "
			  "reviews WHERE id>? GROUP BY item) m "
			  "JOIN reviews r ON r.id=m.last JOIN items i ON "
			  "i.id=m.item ORDER BY i.id", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, after);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct item_state *it;

		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*out = xreallocarray(*out, cap, sizeof **out);
		}
		it = &(*out)[(*n)++];
		it->item = sqlite3_column_int64(s, 0);
		it->label = col_label(s, 1);
		it->reviewed = sqlite3_column_int(s, 2);
		it->review = sqlite3_column_int64(s, 3);
		it->reviewer = store_col_str(s, 4);
		if (it->review > *newest)
			*newest = it->review;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		item_states_free(*out, *n);
		*out = NULL;
		*n = 0;
		return store_fail(st, "cannot read the review log", e);
	}
	return 0;
}

void item_states_free(struct item_state *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].reviewer);
	free(s);
}

int store_review_count_since(struct store *st, int64_t after, size_t *n,
			     struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	if (store_prepare(st, "SELECT count(*) FROM reviews WHERE id>? AND "
			  "action!=?", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_int(s, 2, REVIEW_SKIP);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = (size_t)sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 :
	       store_fail(st, "cannot count reviews", e);
}

/* Every reviewer's standing decision, on disputed items only.  ?1 is the
 * item, or 0 for all. */
#define DISPUTES_SQL(where) \
	"WITH last AS (SELECT item, reviewer, max(id) AS id FROM reviews" \
	" WHERE action!=2" where " GROUP BY item, reviewer)," \
	" stand AS (SELECT r.item, r.reviewer, r.new_label, r.id FROM last" \
	" JOIN reviews r ON r.id=last.id WHERE r.reviewed_after=1 AND" \
	" r.new_label IS NOT NULL)," \
	" disp AS (SELECT item FROM stand GROUP BY item" \
	" HAVING count(DISTINCT new_label)>1)" \
	" SELECT s.item, i.ext_id, i.label, s.reviewer, s.new_label" \
	" FROM stand s JOIN disp d ON d.item=s.item JOIN items i ON" \
	" i.id=s.item ORDER BY s.item, s.id"

/* Appends one reviewer's row to the dispute list, starting a new dispute
 * when the item changes. */
static void dispute_add(sqlite3_stmt *s, struct dispute **out, size_t *n,
			size_t *cap)
{
	int64_t item = sqlite3_column_int64(s, 0);
	struct dispute *d;

	if (*n == 0 || (*out)[*n - 1].item != item) {
		if (*n == *cap) {
			*cap = *cap ? 2 * *cap : 16;
			*out = xreallocarray(*out, *cap, sizeof **out);
		}
		d = &(*out)[(*n)++];
		memset(d, 0, sizeof *d);
		d->item = item;
		d->ext_id = store_col_str(s, 1);
		d->label = col_label(s, 2);
	}
	d = &(*out)[*n - 1];
	d->reviewer = xreallocarray(d->reviewer, d->n + 1, sizeof *d->reviewer);
	d->labels = xreallocarray(d->labels, d->n + 1, sizeof *d->labels);
	d->reviewer[d->n] = store_col_str(s, 3);
	d->labels[d->n++] = col_label(s, 4);
}

int store_disputes(struct store *st, int64_t item, struct dispute **out,
		   size_t *n, struct err *e)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (store_prepare(st, item ? DISPUTES_SQL(" AND item=?1") :
			  DISPUTES_SQL(""), &s, e))
		return -1;
	if (item)
		sqlite3_bind_int64(s, 1, item);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		dispute_add(s, out, n, &cap);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		disputes_free(*out, *n);
		*out = NULL;
		*n = 0;
		return store_fail(st, "cannot read the review log", e);
	}
	return 0;
}

void disputes_free(struct dispute *d, size_t n)
{
	for (size_t i = 0; d && i < n; i++) {
		for (size_t k = 0; k < d[i].n; k++)
			free(d[i].reviewer[k]);
		free(d[i].reviewer);
		free(d[i].labels);
		free(d[i].ext_id);
	}
	free(d);
}

static void run_top_grow(struct run_top *t, size_t cap)
{
	t->item = xreallocarray(t->item, cap, sizeof *t->item);
	t->ext_id = xreallocarray(t->ext_id, cap, sizeof *t->ext_id);
	t->given = xreallocarray(t->given, cap, sizeof *t->given);
	t->label = xreallocarray(t->label, cap, sizeof *t->label);
	t->kind = xreallocarray(t->kind, cap, 1);
	t->split = xreallocarray(t->split, cap, 1);
	t->suspicion = xreallocarray(t->suspicion, cap, sizeof *t->suspicion);
	t->suggested = xreallocarray(t->suggested, cap, sizeof *t->suggested);
}

static void run_top_read(sqlite3_stmt *s, struct run_top *t)
{
	size_t k = t->n++;

	t->item[k] = sqlite3_column_int64(s, 0);
	t->ext_id[k] = store_col_str(s, 1);
	t->given[k] = col_label(s, 2);
	t->label[k] = col_label(s, 3);
	t->kind[k] = (unsigned char)sqlite3_column_int(s, 4);
	t->split[k] = (unsigned char)sqlite3_column_int(s, 5);
	t->suspicion[k] = (float)sqlite3_column_double(s, 6);
	t->suggested[k] = sqlite3_column_int(s, 7) ? col_label(s, 8) :
			  LABEL_NONE;
}

/* Swaps rows j and k of t. */
static void run_top_swap(struct run_top *t, size_t j, size_t k)
{
	int64_t item = t->item[j];
	char *ext = t->ext_id[j];
	int given = t->given[j], label = t->label[j], sug = t->suggested[j];
	unsigned char kind = t->kind[j], split = t->split[j];
	float susp = t->suspicion[j];

	t->item[j] = t->item[k];
	t->ext_id[j] = t->ext_id[k];
	t->given[j] = t->given[k];
	t->label[j] = t->label[k];
	t->suggested[j] = t->suggested[k];
	t->kind[j] = t->kind[k];
	t->split[j] = t->split[k];
	t->suspicion[j] = t->suspicion[k];
	t->item[k] = item;
	t->ext_id[k] = ext;
	t->given[k] = given;
	t->label[k] = label;
	t->suggested[k] = sug;
	t->kind[k] = kind;
	t->split[k] = split;
	t->suspicion[k] = susp;
}

/* Rows of equal suspicion in id order, as the queues order ties
 * (insertion sort: the rows come nearly in order). */
static void run_top_ties(struct run_top *t)
{
	for (size_t k = 1; k < t->n; k++)
		for (size_t j = k; j > 0 && t->suspicion[j - 1] == t->suspicion[j]
		     && t->item[j - 1] > t->item[j]; j--)
			run_top_swap(t, j - 1, j);
}

int store_run_top(struct store *st, int64_t run, size_t max,
		  struct run_top *out, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof *out);

	/* The suspicion index is walked from its top; NULL (no stored
	 * ranking) sorts last, so the first row tells.  Ordering ties by
	 * item too would make SQLite gather every tie (all rows, when
	 * nothing is stored) before the first row: ties are sorted here. */
	if (store_prepare(st, "SELECT s.item, i.ext_id, i.given, i.label, "
			  "i.kind, i.split, s.suspicion, coalesce(s.issue, 0), "
			  "s.suggested FROM scores s JOIN items i ON i.id=s.item "
			  "WHERE s.run=? AND i.reviewed=0 ORDER BY s.suspicion "
			  "DESC LIMIT ?", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)max);
	run_top_grow(out, max ? max : 1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_type(s, 6) == SQLITE_NULL)
			break;
		run_top_read(s, out);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		run_top_free(out);
		return store_fail(st, "cannot read scores", e);
	}
	run_top_ties(out);
	return out->n == 0 && rc == SQLITE_ROW ? 1 : 0;
}

void run_top_free(struct run_top *t)
{
	for (size_t k = 0; k < t->n; k++)
		free(t->ext_id[k]);
	free(t->item);
	free(t->ext_id);
	free(t->given);
	free(t->label);
	free(t->kind);
	free(t->split);
	free(t->suspicion);
	free(t->suggested);
	memset(t, 0, sizeof *t);
}

int store_items_kind(struct store *st, enum item_kind *kind, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "SELECT kind FROM items ORDER BY id LIMIT 1", &s,
			  e))
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*kind = (enum item_kind)sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot read items", e);
	return rc == SQLITE_ROW ? 0 : 1;
}
