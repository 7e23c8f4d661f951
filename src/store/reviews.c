/* reviews.c - the append-only review log. */
#include "store_int.h"

static int review_insert(struct store *st, const struct review *r,
			 int64_t *id, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "INSERT INTO reviews(item, reviewer, action,"
			  " old_label, new_label, reviewed_after, queue, score,"
			  " target) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, r->item);
	sqlite3_bind_text(s, 2, r->reviewer, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, r->action);
	if (r->old_label != LABEL_NONE)
		sqlite3_bind_int(s, 4, r->old_label);
	if (r->new_label != LABEL_NONE)
		sqlite3_bind_int(s, 5, r->new_label);
	sqlite3_bind_int(s, 6, r->reviewed_after != 0);
	store_bind_str(s, 7, r->queue);
	sqlite3_bind_double(s, 8, r->score);
	if (r->target)
		sqlite3_bind_int64(s, 9, r->target);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "cannot write the review log", e);
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* Keeps the item's current label and reviewed state in step with the log,
 * so queues need not replay it. */
static int review_apply(struct store *st, const struct review *r, int64_t id,
			struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (r->action == REVIEW_SKIP)
		return 0;
	if (store_prepare(st, "UPDATE items SET label=?, reviewed=?, "
			  "last_review=? WHERE id=?", &s, e))
		return -1;
	if (r->new_label != LABEL_NONE)
		sqlite3_bind_int(s, 1, r->new_label);
	sqlite3_bind_int(s, 2, r->reviewed_after != 0);
	if (r->reviewed_after)
		sqlite3_bind_int64(s, 3, id);
	sqlite3_bind_int64(s, 4, r->item);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "cannot update the item", e);
	if (sqlite3_changes(st->db) != 1)
		return err_set(e, "%s: no item with row id %lld", st->path,
			       (long long)r->item);
	return 0;
}

int store_review_add(struct store *st, const struct review *r, int64_t *id,
		     struct err *e)
{
	int own, rc;
	int64_t rid = 0;

	if (!r->reviewer || !*r->reviewer)
		return err_set(e, "a review needs a reviewer name");
	if (store_write_begin(st, &own, e))
		return -1;
	rc = review_insert(st, r, &rid, e);
	if (rc == 0)
		rc = review_apply(st, r, rid, e);
	rc = store_write_end(st, own, rc, e);
	if (rc == 0 && id)
		*id = rid;
	return rc;
}

int store_review_counts(struct store *st, size_t *entries, size_t *changed,
			struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "SELECT (SELECT count(*) FROM reviews),"
			  " (SELECT count(*) FROM items WHERE label IS NOT given)",
			  &s, e))
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*entries = (size_t)sqlite3_column_int64(s, 0);
		*changed = (size_t)sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, "cannot count reviews", e);
}

int store_review_last(struct store *st, int64_t *id, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*id = 0;
	if (store_prepare(st, "SELECT coalesce(max(id), 0) FROM reviews", &s, e))
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, "cannot read reviews", e);
}
