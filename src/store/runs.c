/* runs.c - training runs, their per-item scores and model blobs. */
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "store_int.h"

static int run_insert(struct store *st, const struct run_record *r,
		      int64_t *id, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "INSERT INTO runs(method, params, metrics, seconds,"
			  " nclass, noise_rate, noise) VALUES(?, ?, ?, ?, ?, ?, ?)",
			  &s, e))
		return -1;
	sqlite3_bind_text(s, 1, r->method, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->params ? r->params : "{}", -1, SQLITE_STATIC);
	store_bind_str(s, 3, r->metrics);
	sqlite3_bind_double(s, 4, r->seconds);
	sqlite3_bind_int(s, 5, r->nclass);
	if (r->noise_rate >= 0)
		sqlite3_bind_double(s, 6, r->noise_rate);
	if (r->noise)
		sqlite3_bind_blob64(s, 7, r->noise, sizeof(float) *
				    (size_t)r->nclass * (size_t)r->nclass,
				    SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "cannot save the run", e);
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int run_insert_scores(struct store *st, const struct run_record *r,
			     int64_t run, struct err *e)
{
	sqlite3_stmt *s;
	size_t row = sizeof(float) * (size_t)r->nclass;
	int rc = SQLITE_DONE;

	if (store_prepare(st, "INSERT INTO scores(run, item, probs, oos,"
			  " suspicion, issue, suggested) VALUES(?, ?, ?, ?, ?, ?, ?)",
			  &s, e))
		return -1;
	for (size_t i = 0; i < r->n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, run);
		sqlite3_bind_int64(s, 2, r->item[i]);
		sqlite3_bind_blob(s, 3, r->probs + i * (size_t)r->nclass,
				  (int)row, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, r->oos ? r->oos[i] : 0);
		if (r->suspicion)
			sqlite3_bind_double(s, 5, r->suspicion[i]);
		if (r->issue)
			sqlite3_bind_int(s, 6, r->issue[i]);
		if (r->suggested && r->suggested[i] != LABEL_NONE)
			sqlite3_bind_int(s, 7, r->suggested[i]);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot save scores", e);
}

static int run_insert_model(struct store *st, const struct run_record *r,
			    int64_t run, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (!r->model)
		return 0;
	if (store_prepare(st, "INSERT INTO models(run, blob) VALUES(?, ?)", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, run);
	sqlite3_bind_blob64(s, 2, r->model, r->model_len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot save the model", e);
}

int store_run_save(struct store *st, const struct run_record *r,
		   int64_t *id, struct err *e)
{
	int64_t run = 0;
	int own, rc;

	if (store_write_begin(st, &own, e))
		return -1;
	rc = run_insert(st, r, &run, e);
	if (rc == 0)
		rc = run_insert_scores(st, r, run, e);
	if (rc == 0)
		rc = run_insert_model(st, r, run, e);
	rc = store_write_end(st, own, rc, e);
	if (rc == 0 && id)
		*id = run;
	return rc;
}

static void run_info_read(sqlite3_stmt *s, struct run_info *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(s, 0);
	r->started = store_col_str(s, 1);
	r->method = store_col_str(s, 2);
	r->params = store_col_str(s, 3);
	r->metrics = store_col_str(s, 4);
	r->seconds = sqlite3_column_double(s, 5);
	r->nclass = sqlite3_column_int(s, 6);
	r->noise_rate = sqlite3_column_type(s, 7) == SQLITE_NULL ?
			-1 : sqlite3_column_double(s, 7);
	size_t want = sizeof(float) * (size_t)r->nclass * (size_t)r->nclass;

	if (want && (size_t)sqlite3_column_bytes(s, 8) == want) {
		r->noise = xmalloc(want);
		memcpy(r->noise, sqlite3_column_blob(s, 8), want);
	}
	r->nscored = (size_t)sqlite3_column_int64(s, 9);
}

int store_runs_list(struct store *st, struct run_info **runs, size_t *n,
		    struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*runs = NULL;
	*n = 0;
	if (store_prepare(st, "SELECT id, started, method, params, metrics,"
			  " seconds, nclass, noise_rate, noise,"
			  " (SELECT count(*) FROM scores WHERE run=runs.id)"
			  " FROM runs ORDER BY id DESC", &s, e))
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*runs = xreallocarray(*runs, *n + 1, sizeof **runs);
		run_info_read(s, &(*runs)[(*n)++]);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot read runs", e);
}

void run_info_free(struct run_info *r)
{
	free(r->started);
	free(r->method);
	free(r->params);
	free(r->metrics);
	free(r->noise);
	memset(r, 0, sizeof *r);
}

int store_run_latest(struct store *st, int64_t *run, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	if (store_prepare(st, "SELECT max(id) FROM runs", &s, e))
		return -1;
	rc = sqlite3_step(s);
	int none = rc != SQLITE_ROW || sqlite3_column_type(s, 0) == SQLITE_NULL;

	if (!none)
		*run = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, "cannot read runs", e);
	return none ? 1 : 0;
}

int store_scores_load(struct store *st, int64_t run,
		      const struct item_table *t, int nclass, float *probs,
		      unsigned char *has, unsigned char *oos, struct err *e)
{
	sqlite3_stmt *s;
	size_t row = sizeof(float) * (size_t)nclass;
	int rc;

	memset(has, 0, t->n);
	if (oos)
		memset(oos, 0, t->n);
	if (store_prepare(st, "SELECT item, probs, oos FROM scores WHERE run=?",
			  &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, run);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		long i = item_table_find(t, sqlite3_column_int64(s, 0));

		if (i < 0 || (size_t)sqlite3_column_bytes(s, 1) != row)
			continue;
		memcpy(probs + (size_t)i * (size_t)nclass,
		       sqlite3_column_blob(s, 1), row);
		has[i] = 1;
		if (oos)
			oos[i] = (unsigned char)sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "cannot read scores", e);
}

int store_model_get(struct store *st, int64_t run, unsigned char **blob,
		    size_t *len, struct err *e)
{
	sqlite3_stmt *s;
	int rc;

	*blob = NULL;
	*len = 0;
	if (store_prepare(st, "SELECT blob FROM models WHERE run=?", &s, e))
		return -1;
	sqlite3_bind_int64(s, 1, run);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(s, 0);
		*blob = xmalloc(*len);
		memcpy(*blob, sqlite3_column_blob(s, 0), *len);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "cannot read the model", e);
	return rc == SQLITE_ROW ? 0 : 1;
}
