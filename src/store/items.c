/* items.c - items, annotators and votes. */
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "store_int.h"

int store_item_add(struct store *st, const struct item_new *it,
		   int64_t *id, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_cached(st, STMT_ITEM_ADD, "INSERT INTO items(ext_id, kind, path,"
			 " text, given, label, split, meta)"
			 " VALUES(?, ?, ?, ?, ?, ?, ?, ?)", &s, e))
		return -1;
	sqlite3_bind_text(s, 1, it->ext_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 2, it->kind);
	sqlite3_bind_text(s, 3, it->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, it->text, -1, SQLITE_STATIC);
	if (it->label == LABEL_NONE) {
		sqlite3_bind_null(s, 5);
		sqlite3_bind_null(s, 6);
	} else {
		sqlite3_bind_int(s, 5, it->label);
		sqlite3_bind_int(s, 6, it->label);
	}
	sqlite3_bind_int(s, 7, it->split);
	sqlite3_bind_text(s, 8, it->meta, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT_UNIQUE)
		return err_set(e, "item '%s' is already in the project", it->ext_id);
	if (rc != SQLITE_DONE)
		return store_fail(st, "cannot add an item", e);
	if (id)
		*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_item_find(struct store *st, const char *ext_id, int64_t *id,
		    struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_cached(st, STMT_ITEM_FIND, "SELECT id FROM items WHERE ext_id=?",
			 &s, e))
		return -1;
	sqlite3_bind_text(s, 1, ext_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot look up an item", e);
	return rc == SQLITE_ROW ? 0 : 1;
}

int store_item_set_given(struct store *st, int64_t id, int label,
			 struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "UPDATE items SET given=?1, label=?1 "
			  "WHERE id=?2 AND reviewed=0", &s, e))
		return -1;
	sqlite3_bind_int(s, 1, label);
	sqlite3_bind_int64(s, 2, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot set a label", e);
}

static int col_label(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ?
	       LABEL_NONE : sqlite3_column_int(s, col);
}

static void item_table_grow(struct item_table *t, size_t cap)
{
	t->id = xreallocarray(t->id, cap, sizeof *t->id);
	t->given = xreallocarray(t->given, cap, sizeof *t->given);
	t->label = xreallocarray(t->label, cap, sizeof *t->label);
	t->split = xreallocarray(t->split, cap, 1);
	t->kind = xreallocarray(t->kind, cap, 1);
	t->reviewed = xreallocarray(t->reviewed, cap, 1);
}

int store_items_load(struct store *st, struct item_table *t, struct err *e)
{
	sqlite3_stmt *s;
	size_t cap = 1024;
	int rc;

	memset(t, 0, sizeof *t);
	if (store_prepare(st, "SELECT id, given, label, split, kind, reviewed "
			  "FROM items ORDER BY id", &s, e))
		return -1;
	item_table_grow(t, cap);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (t->n == cap)
			item_table_grow(t, cap *= 2);
		t->id[t->n] = sqlite3_column_int64(s, 0);
		t->given[t->n] = col_label(s, 1);
		t->label[t->n] = col_label(s, 2);
		t->split[t->n] = (unsigned char)sqlite3_column_int(s, 3);
		t->kind[t->n] = (unsigned char)sqlite3_column_int(s, 4);
		t->reviewed[t->n] = (unsigned char)sqlite3_column_int(s, 5);
		t->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		item_table_free(t);
		return store_fail(st, "cannot read items", e);
	}
	return 0;
}

void item_table_free(struct item_table *t)
{
	free(t->id);
	free(t->given);
	free(t->label);
	free(t->split);
	free(t->kind);
	free(t->reviewed);
	memset(t, 0, sizeof *t);
}

long item_table_find(const struct item_table *t, int64_t id)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->id[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->id[lo] == id ? (long)lo : -1;
}

#define ITEM_COLUMNS \
	"SELECT i.id, i.ext_id, i.kind, i.path, i.text, i.meta, i.split," \
	" i.given, i.label, i.reviewed, r.reviewer, r.at" \
	" FROM items i LEFT JOIN reviews r ON r.id = i.last_review"

static void item_detail_read(sqlite3_stmt *s, struct item_detail *d)
{
	d->id = sqlite3_column_int64(s, 0);
	d->ext_id = store_col_str(s, 1);
	d->kind = (enum item_kind)sqlite3_column_int(s, 2);
	d->path = store_col_str(s, 3);
	d->text = store_col_str(s, 4);
	d->meta = store_col_str(s, 5);
	d->split = (enum item_split)sqlite3_column_int(s, 6);
	d->given = col_label(s, 7);
	d->label = col_label(s, 8);
	d->reviewed = sqlite3_column_int(s, 9);
	d->reviewer = store_col_str(s, 10);
	d->reviewed_at = store_col_str(s, 11);
}

int store_item_get(struct store *st, int64_t id, struct item_detail *d,
		   struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	memset(d, 0, sizeof *d);
	if (store_prepare(st, ITEM_COLUMNS " WHERE i.id=?", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		item_detail_read(s, d);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return err_set(e, "%s: no item with row id %lld", st->path,
			       (long long)id);
	return rc == SQLITE_ROW ? 0 : store_fail(st, "cannot read an item", e);
}

void item_detail_free(struct item_detail *d)
{
	free(d->ext_id);
	free(d->path);
	free(d->text);
	free(d->meta);
	free(d->reviewer);
	free(d->reviewed_at);
	memset(d, 0, sizeof *d);
}

int store_items_each(struct store *st,
		     int (*fn)(const struct item_detail *d, void *user,
			       struct err *e),
		     void *user, struct err *e)
{
	sqlite3_stmt *s;
	int rc, stop = 0;

	if (store_prepare(st, ITEM_COLUMNS " ORDER BY i.id", &s, e))
		return -1;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct item_detail d;

		item_detail_read(s, &d);
		stop = fn(&d, user, e) != 0;
		item_detail_free(&d);
	}
	sqlite3_finalize(s);
	if (stop)
		return -1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot read items", e);
}

int store_annotator_add(struct store *st, const char *name, int64_t *id,
			struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	/* The no-op update makes RETURNING give the id of an existing row. */
	if (store_cached(st, STMT_ANNOTATOR_ADD, "INSERT INTO annotators(name) "
			 "VALUES(?) ON CONFLICT(name) DO UPDATE SET "
			 "name=excluded.name RETURNING id", &s, e))
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store_fail(st, "cannot add an annotator", e);
}

int store_vote_add(struct store *st, int64_t item, int64_t annotator,
		   int label, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_cached(st, STMT_VOTE_ADD, "INSERT INTO annotations(item,"
			 " annotator, label) VALUES(?, ?, ?)", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, item);
	sqlite3_bind_int64(s, 2, annotator);
	sqlite3_bind_int(s, 3, label);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot add a vote", e);
}

static int votes_load_annotators(struct store *st, struct vote_table *v,
				 int64_t **ids, struct err *e)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	if (store_prepare(st, "SELECT id, name FROM annotators ORDER BY id", &s, e))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Doubling: a crowd may have a hundred thousand workers. */
		if (v->nannot == cap) {
			cap = cap ? cap * 2 : 64;
			v->annot_name = xreallocarray(v->annot_name, cap,
						      sizeof *v->annot_name);
			*ids = xreallocarray(*ids, cap, sizeof **ids);
		}
		(*ids)[v->nannot] = sqlite3_column_int64(s, 0);
		v->annot_name[v->nannot++] = store_col_str(s, 1);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot read annotators", e);
}

static long find_id(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? (long)lo : -1;
}

int store_votes_load(struct store *st, const struct item_table *t,
		     struct vote_table *v, struct err *e)
{
	sqlite3_stmt *s = NULL;
	int64_t *aids = NULL;
	size_t cap = 0;
	int rc = SQLITE_ERROR;

	memset(v, 0, sizeof *v);
	if (votes_load_annotators(st, v, &aids, e) ||
	    store_prepare(st, "SELECT item, annotator, label FROM annotations "
			  "ORDER BY item, id", &s, e))
		goto done;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long i = item_table_find(t, sqlite3_column_int64(s, 0));
		long a = find_id(aids, v->nannot, sqlite3_column_int64(s, 1));

		if (i < 0 || a < 0)
			continue;
		if (v->n == cap) {
			cap = cap ? cap * 2 : 1024;
			v->item = xreallocarray(v->item, cap, sizeof *v->item);
			v->annotator = xreallocarray(v->annotator, cap,
						     sizeof *v->annotator);
			v->label = xreallocarray(v->label, cap, sizeof *v->label);
		}
		v->item[v->n] = (uint32_t)i;
		v->annotator[v->n] = (uint32_t)a;
		v->label[v->n++] = sqlite3_column_int(s, 2);
	}
done:
	sqlite3_finalize(s);
	free(aids);
	if (rc != SQLITE_DONE) {
		vote_table_free(v);
		return s ? store_fail(st, "cannot read votes", e) : -1;
	}
	return 0;
}

void vote_table_free(struct vote_table *v)
{
	for (size_t i = 0; i < v->nannot; i++)
		free(v->annot_name[i]);
	free(v->annot_name);
	free(v->item);
	free(v->annotator);
	free(v->label);
	memset(v, 0, sizeof *v);
}

int store_item_names(struct store *st, const struct item_table *t,
		     char ***names, struct err *e)
{
	sqlite3_stmt *s;
	size_t i = 0;
	int rc;

	*names = xcalloc(t->n + 1, sizeof **names);
	if (store_prepare(st, "SELECT id, ext_id FROM items ORDER BY id", &s, e))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);

		/* Items added since t was read are not in it. */
		while (i < t->n && t->id[i] < id)
			(*names)[i++] = xstrdup("");
		if (i < t->n && t->id[i] == id)
			(*names)[i++] = store_col_str(s, 1);
	}
	sqlite3_finalize(s);
	while (i < t->n)
		(*names)[i++] = xstrdup("");
	if (rc != SQLITE_DONE) {
		store_names_free(*names, t->n);
		*names = NULL;
		return store_fail(st, "cannot read item ids", e);
	}
	return 0;
}

void store_names_free(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
