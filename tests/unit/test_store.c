/* test_store.c - the project file: creation, refusals, transactions, the
 * review log, runs and scores, votes. */
#include "unit.h"

#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/store.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/relabel-store.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/p.db", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* A new project with classes a, b, c. */
static struct store *make_project(const char *path)
{
	struct store *st;
	struct err e;

	assert_int_equal(store_open(path, STORE_CREATE, &st, &e), 0);
	assert_int_equal(store_class_add(st, "a", &e), 0);
	assert_int_equal(store_class_add(st, "b", &e), 1);
	assert_int_equal(store_class_add(st, "c", &e), 2);
	return st;
}

static int64_t add_item(struct store *st, const char *ext, int label)
{
	struct item_new it = { .ext_id = ext, .kind = ITEM_TEXT, .text = ext,
			       .label = label, .split = SPLIT_TRAIN };
	int64_t id = 0;
	struct err e;

	assert_int_equal(store_item_add(st, &it, &id, &e), 0);
	assert_true(id > 0);
	return id;
}

/* One integer from a query run straight through SQLite. */
static long long raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	long long v = -12345;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

/* Whether the file is in WAL journal mode (kept in the file itself). */
static int raw_wal(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int wal = 0;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s,
					    NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		wal = !strcmp((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
	return wal;
}

/* Runs sql straight through SQLite; returns its status, *msg its message. */
static int raw_exec(const char *path, const char *sql, char *msg, size_t n)
{
	sqlite3 *db;
	char *m = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	rc = sqlite3_exec(db, sql, NULL, NULL, &m);
	snprintf(msg, n, "%s", m ? m : "");
	sqlite3_free(m);
	sqlite3_close(db);
	return rc;
}

static void test_store_create_reopen(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	struct stat sb;
	struct err e;
	char *v;
	mode_t old = umask(0);

	/* Missing without STORE_CREATE: refused, nothing made. */
	assert_int_equal(store_open(f->path, 0, &st, &e), -1);
	assert_non_null(strstr(e.msg, "no such project file"));
	assert_int_not_equal(stat(f->path, &sb), 0);

	/* Even with a permissive umask the file is 0600. */
	assert_int_equal(store_open(f->path, STORE_CREATE, &st, &e), 0);
	umask(old);
	assert_string_equal(store_path(st), f->path);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(store_meta_set(st, "reviewer", "ann", &e), 0);
	assert_int_equal(store_meta_get(st, "absent", &v, &e), 1);
	assert_null(v);
	store_close(st);

	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
			 STORE_SCHEMA_VERSION);
	assert_int_equal(raw_int(f->path, "PRAGMA application_id"), 0x524c424c);
	assert_true(raw_wal(f->path));

	/* Reopened, read-only too, the settings are still there. */
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	assert_int_equal(store_meta_get(st, "reviewer", &v, &e), 0);
	assert_string_equal(v, "ann");
	free(v);
	assert_int_equal(store_meta_set(st, "x", "y", &e), -1);
	store_close(st);
	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	store_close(st);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
}

static void test_store_refuses_newer(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	struct err e;
	char sql[64], msg[256];

	st = make_project(f->path);
	store_close(st);
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d",
		 STORE_SCHEMA_VERSION + 1);
	assert_int_equal(raw_exec(f->path, sql, msg, sizeof msg), SQLITE_OK);
	for (int flags = 0; flags <= STORE_READONLY; flags += STORE_READONLY) {
		e.msg[0] = 0;
		assert_int_equal(store_open(f->path, flags, &st, &e), -1);
		assert_null(st);
		assert_non_null(strstr(e.msg, "newer"));
		assert_non_null(strstr(e.msg, f->path));
	}
	/* Refusing does not touch the version. */
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"),
			 STORE_SCHEMA_VERSION + 1);
}

static void test_store_refuses_not_sqlite(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "id,label\nx,a\nnot a database at all, "
				   "just enough bytes to look like a file\n";
	struct store *st;
	struct err e;
	char back[sizeof text];
	FILE *fp = fopen(f->path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(store_open(f->path, STORE_CREATE, &st, &e), -1);
	assert_non_null(strstr(e.msg, "not a relabel project"));
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), -1);
	assert_non_null(strstr(e.msg, "not a relabel project"));

	/* The file is as it was. */
	fp = fopen(f->path, "r");
	assert_non_null(fp);
	assert_int_equal(fread(back, 1, sizeof back, fp), sizeof text - 1);
	fclose(fp);
	assert_memory_equal(back, text, sizeof text - 1);
}

static void test_store_refuses_foreign(void **state)
{
	struct fixture *f = *state;
	struct store *st;
	struct err e;
	char msg[256];

	assert_int_equal(raw_exec(f->path, "CREATE TABLE people(name TEXT);"
				  "INSERT INTO people VALUES('ann')", msg,
				  sizeof msg), SQLITE_OK);
	assert_int_equal(store_open(f->path, STORE_CREATE, &st, &e), -1);
	assert_non_null(strstr(e.msg, "not a relabel project"));
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), -1);
	assert_non_null(strstr(e.msg, "not a relabel project"));

	/* No table was added, no pragma set. */
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM sqlite_master"),
			 1);
	assert_int_equal(raw_int(f->path, "PRAGMA user_version"), 0);
	assert_int_equal(raw_int(f->path, "PRAGMA application_id"), 0);
}

static void test_store_rollback(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct item_table t;
	struct err e;

	assert_int_equal(store_begin(st, &e), 0);
	add_item(st, "x", 0);
	add_item(st, "y", 1);
	add_item(st, "z", LABEL_NONE);
	store_rollback(st);
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(t.n, 0);
	item_table_free(&t);

	/* Nested: only the outer commit writes, and it writes all. */
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(store_begin(st, &e), 0);
	add_item(st, "x", 0);
	assert_int_equal(store_commit(st, &e), 0);
	add_item(st, "y", 1);
	store_rollback(st);
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(t.n, 0);
	item_table_free(&t);
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(store_begin(st, &e), 0);
	add_item(st, "x", 0);
	assert_int_equal(store_commit(st, &e), 0);
	assert_int_equal(store_commit(st, &e), 0);
	store_close(st);

	/* What is on disk after reopening. */
	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.label[0], 0);
	item_table_free(&t);
	store_close(st);
}

static void test_store_items(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct class_list c;
	struct item_detail d;
	struct err e;
	int64_t x, id;
	struct item_new dup = { .ext_id = "x", .kind = ITEM_TEXT, .text = "t",
				.label = 1 };
	struct item_new img = { .ext_id = "i", .kind = ITEM_IMAGE,
				.path = "/data/i.png", .label = LABEL_NONE,
				.split = SPLIT_HOLDOUT, .meta = "{\"k\":\"v\"}" };

	assert_int_equal(store_classes(st, &c, &e), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(class_list_find(&c, "c"), 2);
	assert_int_equal(class_list_find(&c, "d"), -1);
	class_list_free(&c);

	x = add_item(st, "x", 0);
	assert_int_equal(store_item_add(st, &dup, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "'x' is already in the project"));
	assert_int_equal(store_item_add(st, &img, &id, &e), 0);
	assert_int_equal(store_item_find(st, "x", &id, &e), 0);
	assert_int_equal(id, x);
	assert_int_equal(store_item_find(st, "nope", &id, &e), 1);

	assert_int_equal(store_item_find(st, "i", &id, &e), 0);
	assert_int_equal(store_item_get(st, id, &d, &e), 0);
	assert_string_equal(d.ext_id, "i");
	assert_string_equal(d.path, "/data/i.png");
	assert_null(d.text);
	assert_string_equal(d.meta, "{\"k\":\"v\"}");
	assert_int_equal(d.kind, ITEM_IMAGE);
	assert_int_equal(d.split, SPLIT_HOLDOUT);
	assert_int_equal(d.given, LABEL_NONE);
	assert_int_equal(d.label, LABEL_NONE);
	assert_int_equal(d.reviewed, 0);
	assert_null(d.reviewer);
	item_detail_free(&d);

	/* Set-given labels an unreviewed item. */
	assert_int_equal(store_item_set_given(st, id, 2, &e), 0);
	assert_int_equal(store_item_get(st, id, &d, &e), 0);
	assert_int_equal(d.given, 2);
	assert_int_equal(d.label, 2);
	item_detail_free(&d);
	assert_int_equal(store_item_get(st, 9999, &d, &e), -1);
	store_close(st);
}

static void test_store_review_add(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct item_table t;
	struct item_detail d;
	struct err e;
	size_t entries, changed;
	int64_t x = add_item(st, "x", 0), r1, r2, last;
	struct review r = { .item = x, .reviewer = "ann",
			    .action = REVIEW_RELABEL, .old_label = 0,
			    .new_label = 2, .reviewed_after = 1,
			    .queue = "suspicion", .score = 0.9 };

	add_item(st, "y", 1);
	assert_int_equal(store_review_last(st, &last, &e), 0);
	assert_int_equal(last, 0);
	assert_int_equal(store_review_add(st, &r, &r1, &e), 0);
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(t.given[0], 0);
	assert_int_equal(t.label[0], 2);
	assert_int_equal(t.reviewed[0], 1);
	assert_int_equal(t.label[1], 1);
	assert_int_equal(t.reviewed[1], 0);
	item_table_free(&t);
	assert_int_equal(store_item_get(st, x, &d, &e), 0);
	assert_string_equal(d.reviewer, "ann");
	assert_non_null(d.reviewed_at);
	item_detail_free(&d);
	assert_int_equal(store_review_counts(st, &entries, &changed, &e), 0);
	assert_int_equal(entries, 1);
	assert_int_equal(changed, 1);
	assert_int_equal(store_review_last(st, &last, &e), 0);
	assert_int_equal(last, r1);

	/* A reviewed item keeps its label when votes would set it. */
	assert_int_equal(store_item_set_given(st, x, 1, &e), 0);
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(t.label[0], 2);
	item_table_free(&t);

	/* Undo is an entry of its own: the label goes back, the log grows. */
	r = (struct review){ .item = x, .reviewer = "ann",
			     .action = REVIEW_UNDO, .old_label = 2,
			     .new_label = 0, .reviewed_after = 0,
			     .target = r1 };
	assert_int_equal(store_review_add(st, &r, &r2, &e), 0);
	assert_true(r2 > r1);
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(t.label[0], 0);
	assert_int_equal(t.reviewed[0], 0);
	item_table_free(&t);
	assert_int_equal(store_review_counts(st, &entries, &changed, &e), 0);
	assert_int_equal(entries, 2);
	assert_int_equal(changed, 0);

	/* A skip is logged but changes nothing. */
	r = (struct review){ .item = x, .reviewer = "bob",
			     .action = REVIEW_SKIP, .old_label = 0,
			     .new_label = 0 };
	assert_int_equal(store_review_add(st, &r, NULL, &e), 0);
	assert_int_equal(store_item_get(st, x, &d, &e), 0);
	assert_int_equal(d.label, 0);
	assert_int_equal(d.reviewed, 0);
	item_detail_free(&d);

	/* Refused: no reviewer, an unknown item; the log is unchanged. */
	r.reviewer = "";
	assert_int_equal(store_review_add(st, &r, NULL, &e), -1);
	r.reviewer = "bob";
	r.action = REVIEW_CONFIRM;
	r.item = 9999;
	assert_int_equal(store_review_add(st, &r, NULL, &e), -1);
	assert_int_equal(store_review_counts(st, &entries, &changed, &e), 0);
	assert_int_equal(entries, 3);
	store_close(st);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reviews"), 3);
	assert_int_equal(raw_int(f->path, "SELECT action FROM reviews WHERE id=2"),
			 REVIEW_UNDO);
	assert_int_equal(raw_int(f->path, "SELECT target FROM reviews WHERE id=2"),
			 r1);
}

static void test_store_log_append_only(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct err e;
	char msg[256];
	int64_t x = add_item(st, "x", 0);
	struct review r = { .item = x, .reviewer = "ann",
			    .action = REVIEW_RELABEL, .old_label = 0,
			    .new_label = 1, .reviewed_after = 1 };

	assert_int_equal(store_review_add(st, &r, NULL, &e), 0);
	store_close(st);

	/* Straight through SQLite, past the store: still refused. */
	assert_int_not_equal(raw_exec(f->path, "UPDATE reviews SET new_label=2",
				      msg, sizeof msg), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_not_equal(raw_exec(f->path, "DELETE FROM reviews", msg,
				      sizeof msg), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM reviews"), 1);
	assert_int_equal(raw_int(f->path, "SELECT new_label FROM reviews"), 1);
}

static void test_store_runs(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct item_table t;
	struct run_info *runs;
	struct err e;
	size_t n, len;
	unsigned char *blob, has[3], oos[3];
	float got[9];
	int64_t ids[3], run, latest;
	const float probs[9] = { 0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f,
				 0.3f, 0.3f, 0.4f };
	const unsigned char o[3] = { 1, 0, 1 }, issue[3] = { 0, 1, 0 };
	const float susp[3] = { 0.3f, 1.7f, 0.6f };
	const int sugg[3] = { LABEL_NONE, 1, LABEL_NONE };
	const float noise[9] = { 0.5f, 0, 0, 0.1f, 0.3f, 0, 0, 0, 0.1f };
	const unsigned char model[5] = { 'M', 0, 1, 2, 255 };

	ids[0] = add_item(st, "x", 0);
	ids[1] = add_item(st, "y", 0);
	ids[2] = add_item(st, "z", 2);
	assert_int_equal(store_run_latest(st, &latest, &e), 1);
	struct run_record rr = {
		.method = "coteach", .params = "{\"epochs\":3}", .seconds = 1.5,
		.nclass = 3, .n = 3, .item = ids, .probs = probs, .oos = o,
		.suspicion = susp, .issue = issue, .suggested = sugg,
		.noise_rate = 0.2, .noise = noise, .model = model,
		.model_len = sizeof model,
	};
	assert_int_equal(store_run_save(st, &rr, &run, &e), 0);
	assert_int_equal(store_run_latest(st, &latest, &e), 0);
	assert_int_equal(latest, run);

	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(store_scores_load(st, run, &t, 3, got, has, oos, &e), 0);
	assert_memory_equal(got, probs, sizeof probs);
	assert_memory_equal(has, "\1\1\1", 3);
	assert_memory_equal(oos, o, 3);
	assert_int_equal(store_model_get(st, run, &blob, &len, &e), 0);
	assert_int_equal(len, sizeof model);
	assert_memory_equal(blob, model, sizeof model);
	free(blob);

	assert_int_equal(store_runs_list(st, &runs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(runs[0].method, "coteach");
	assert_string_equal(runs[0].params, "{\"epochs\":3}");
	assert_int_equal(runs[0].nclass, 3);
	assert_int_equal(runs[0].nscored, 3);
	assert_true(runs[0].noise_rate > 0.199 && runs[0].noise_rate < 0.201);
	assert_non_null(runs[0].noise);
	assert_memory_equal(runs[0].noise, noise, sizeof noise);
	run_info_free(&runs[0]);
	free(runs);

	/* A second run scoring two items, no model: newest first. */
	rr = (struct run_record){ .method = "imported", .nclass = 3, .n = 2,
				  .item = ids + 1, .probs = probs + 3,
				  .noise_rate = -1 };
	int64_t run2;

	assert_int_equal(store_run_save(st, &rr, &run2, &e), 0);
	assert_true(run2 > run);
	assert_int_equal(store_scores_load(st, run2, &t, 3, got, has, NULL, &e),
			 0);
	assert_memory_equal(has, "\0\1\1", 3);
	assert_memory_equal(got + 3, probs + 3, 6 * sizeof(float));
	assert_int_equal(store_model_get(st, run2, &blob, &len, &e), 1);
	assert_null(blob);
	assert_int_equal(store_runs_list(st, &runs, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(runs[0].id, run2);
	assert_true(runs[0].noise_rate < 0);
	assert_null(runs[0].noise);
	assert_int_equal(runs[0].nscored, 2);
	for (size_t i = 0; i < n; i++)
		run_info_free(&runs[i]);
	free(runs);

	/* A run naming an item that does not exist is saved not at all. */
	int64_t bad[2] = { ids[0], 424242 };

	rr = (struct run_record){ .method = "standard", .nclass = 3, .n = 2,
				  .item = bad, .probs = probs,
				  .noise_rate = -1, .model = model,
				  .model_len = sizeof model };
	assert_int_equal(store_run_save(st, &rr, NULL, &e), -1);
	assert_int_equal(store_run_latest(st, &latest, &e), 0);
	assert_int_equal(latest, run2);
	item_table_free(&t);
	store_close(st);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM scores"), 5);
	assert_int_equal(raw_int(f->path, "SELECT count(*) FROM models"), 1);
}

static void test_store_item_names(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct item_table t;
	struct err e;
	char **names;

	add_item(st, "beta", 0);
	add_item(st, "alpha", 1);
	add_item(st, "gamma", LABEL_NONE);
	assert_int_equal(store_items_load(st, &t, &e), 0);

	/* An item added after the table was read is not in the names. */
	add_item(st, "delta", 0);
	assert_int_equal(store_item_names(st, &t, &names, &e), 0);
	assert_string_equal(names[0], "beta");
	assert_string_equal(names[1], "alpha");
	assert_string_equal(names[2], "gamma");
	assert_int_equal(item_table_find(&t, t.id[2]), 2);
	assert_int_equal(item_table_find(&t, t.id[2] + 100), -1);
	store_names_free(names, t.n);
	item_table_free(&t);
	store_close(st);
}

static void test_store_votes(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	struct item_table t;
	struct vote_table v;
	struct err e;
	int64_t x, y, z, w1, w2, again;

	x = add_item(st, "x", LABEL_NONE);
	y = add_item(st, "y", 0);
	z = add_item(st, "z", 1);
	assert_int_equal(store_annotator_add(st, "w2", &w2, &e), 0);
	assert_int_equal(store_annotator_add(st, "w1", &w1, &e), 0);
	assert_int_equal(store_annotator_add(st, "w2", &again, &e), 0);
	assert_int_equal(again, w2);
	assert_int_equal(store_vote_add(st, z, w2, 2, &e), 0);
	assert_int_equal(store_vote_add(st, x, w1, 0, &e), 0);
	assert_int_equal(store_vote_add(st, y, w1, 1, &e), 0);
	assert_int_equal(store_vote_add(st, x, w2, 1, &e), 0);
	assert_int_equal(store_vote_add(st, 9999, w2, 1, &e), -1);

	/* By item, then in the order given; annotators by id. */
	assert_int_equal(store_items_load(st, &t, &e), 0);
	assert_int_equal(store_votes_load(st, &t, &v, &e), 0);
	assert_int_equal(v.n, 4);
	assert_int_equal(v.nannot, 2);
	assert_string_equal(v.annot_name[0], "w2");
	assert_string_equal(v.annot_name[1], "w1");
	const uint32_t item[4] = { 0, 0, 1, 2 }, annot[4] = { 1, 0, 1, 0 };
	const int label[4] = { 0, 1, 1, 2 };

	for (size_t k = 0; k < 4; k++) {
		assert_int_equal(v.item[k], item[k]);
		assert_int_equal(v.annotator[k], annot[k]);
		assert_int_equal(v.label[k], label[k]);
	}
	vote_table_free(&v);

	/* A table without x: its votes are left out, indices follow. */
	struct item_table sub = t;

	sub.n = 2;
	sub.id = t.id + 1;
	assert_int_equal(store_votes_load(st, &sub, &v, &e), 0);
	assert_int_equal(v.n, 2);
	assert_int_equal(v.item[0], 0);
	assert_int_equal(v.item[1], 1);
	assert_int_equal(v.label[1], 2);
	vote_table_free(&v);
	item_table_free(&t);
	store_close(st);
}

static void test_store_cache(void **state)
{
	struct fixture *f = *state;
	struct store *st = make_project(f->path);
	const unsigned char a[4] = { 1, 2, 0, 3 }, b[2] = { 9, 8 };
	unsigned char *blob;
	size_t len;
	struct err e;

	assert_int_equal(store_cache_get(st, "k", &blob, &len, &e), 1);
	assert_null(blob);
	assert_int_equal(store_cache_put(st, "k", a, sizeof a, &e), 0);
	assert_int_equal(store_cache_put(st, "k", b, sizeof b, &e), 0);
	assert_int_equal(store_cache_get(st, "k", &blob, &len, &e), 0);
	assert_int_equal(len, sizeof b);
	assert_memory_equal(blob, b, sizeof b);
	free(blob);
	assert_string_equal(item_split_name(SPLIT_HOLDOUT), "holdout");
	assert_int_equal(item_split_parse("test"), SPLIT_TEST);
	assert_int_equal(item_split_parse(""), SPLIT_TRAIN);
	assert_int_equal(item_split_parse("valid"), -1);
	assert_string_equal(review_action_name(REVIEW_REDO), "redo");
	store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_store_create_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_newer, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_not_sqlite,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_foreign, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_rollback, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_items, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_review_add, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_log_append_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_item_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_votes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_cache, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
