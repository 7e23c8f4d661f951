/* test_leases.c - what review sessions share through the project file:
 * leases (take, renew, expire, release), the log since a point, disputed
 * items, the top of a stored ranking, and the migration that adds the
 * leases table to a version 1 file. */
#include "unit.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "relabel/store.h"

struct fixture {
	char dir[64];
	char path[128];
	struct store *st;
	int64_t id[6];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct err e;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/relabel-leases.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/p.db", f->dir);
	if (store_open(f->path, STORE_CREATE, &f->st, &e) ||
	    store_class_add(f->st, "a", &e) != 0 ||
	    store_class_add(f->st, "b", &e) != 1 ||
	    store_class_add(f->st, "c", &e) != 2)
		return -1;
	for (int i = 0; i < 6; i++) {
		char ext[8];
		struct item_new it = { .ext_id = ext, .kind = ITEM_TEXT,
				       .text = "t", .label = i % 3 };

		snprintf(ext, sizeof ext, "x%d", i);
		if (store_item_add(f->st, &it, &f->id[i], &e))
			return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	store_close(f->st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t decide(struct store *st, int64_t item, const char *who,
		      enum review_action act, int old, int label,
		      int reviewed_after)
{
	struct review r = { .item = item, .reviewer = who, .action = act,
			    .old_label = old, .new_label = label,
			    .reviewed_after = reviewed_after };
	int64_t id;
	struct err e;

	if (store_review_add(st, &r, &id, &e))
		fail_msg("%s", e.msg);
	return id;
}

static void test_lease_take_renew_expire(void **state)
{
	struct fixture *f = *state;
	struct err e;
	char *holder = NULL;
	int64_t *items;
	size_t n;

	assert_int_equal(store_lease_take(f->st, f->id[0], "ann", 1000, 120,
					  NULL, &e), 0);
	/* Bob is refused while Ann's lease runs, and told whose it is. */
	assert_int_equal(store_lease_take(f->st, f->id[0], "bob", 1100, 120,
					  &holder, &e), 1);
	assert_string_equal(holder, "ann");
	free(holder);
	/* Ann renews it; it now runs to 1250. */
	assert_int_equal(store_lease_take(f->st, f->id[0], "ann", 1130, 120,
					  NULL, &e), 0);
	assert_int_equal(store_lease_take(f->st, f->id[0], "bob", 1200, 120,
					  NULL, &e), 1);
	assert_int_equal(store_leases_others(f->st, "bob", 1200, &items, &n,
					     &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0], f->id[0]);
	free(items);
	assert_int_equal(store_leases_others(f->st, "ann", 1200, &items, &n,
					     &e), 0);
	assert_int_equal(n, 0);
	free(items);

	/* Expired: ignored by the list, and taken over. */
	assert_int_equal(store_leases_others(f->st, "bob", 1250, &items, &n,
					     &e), 0);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(store_lease_take(f->st, f->id[0], "bob", 1250, 120,
					  NULL, &e), 0);
	assert_int_equal(store_lease_take(f->st, f->id[0], "ann", 1260, 120,
					  NULL, &e), 1);
}

static void test_lease_release(void **state)
{
	struct fixture *f = *state;
	struct err e;
	int64_t *items;
	size_t n;

	assert_int_equal(store_lease_take(f->st, f->id[1], "ann", 10, 120,
					  NULL, &e), 0);
	assert_int_equal(store_lease_take(f->st, f->id[2], "ann", 10, 120,
					  NULL, &e), 0);
	assert_int_equal(store_lease_take(f->st, f->id[3], "cat", 10, 120,
					  NULL, &e), 0);
	/* Bob cannot release Ann's lease. */
	assert_int_equal(store_lease_release(f->st, f->id[1], "bob", &e), 0);
	assert_int_equal(store_leases_others(f->st, "bob", 20, &items, &n,
					     &e), 0);
	assert_int_equal(n, 3);
	free(items);
	assert_int_equal(store_lease_release(f->st, f->id[1], "ann", &e), 0);
	assert_int_equal(store_lease_take(f->st, f->id[1], "bob", 20, 120,
					  NULL, &e), 0);
	/* Item 0: all of Ann's. */
	assert_int_equal(store_lease_release(f->st, 0, "ann", &e), 0);
	assert_int_equal(store_leases_others(f->st, "cat", 20, &items, &n,
					     &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(items[0], f->id[1]);
	free(items);
}

static void test_changes_since(void **state)
{
	struct fixture *f = *state;
	struct item_state *ch;
	struct err e;
	int64_t newest, r1, r3;
	size_t n, count;

	r1 = decide(f->st, f->id[4], "ann", REVIEW_RELABEL, 1, 2, 1);
	decide(f->st, f->id[1], "bob", REVIEW_SKIP, 1, 1, 0);
	r3 = decide(f->st, f->id[1], "bob", REVIEW_CONFIRM, 1, 1, 1);
	assert_int_equal(store_changes_since(f->st, 0, &ch, &n, &newest, &e),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(newest, r3);
	assert_int_equal(ch[0].item, f->id[1]);
	assert_int_equal(ch[0].label, 1);
	assert_int_equal(ch[0].reviewed, 1);
	assert_int_equal(ch[0].review, r3);
	assert_string_equal(ch[0].reviewer, "bob");
	assert_int_equal(ch[1].item, f->id[4]);
	assert_int_equal(ch[1].label, 2);
	item_states_free(ch, n);

	/* From r1 on: only item 1; from the newest: nothing. */
	assert_int_equal(store_changes_since(f->st, r1, &ch, &n, &newest, &e),
			 0);
	assert_int_equal(n, 1);
	item_states_free(ch, n);
	assert_int_equal(store_changes_since(f->st, r3, &ch, &n, &newest, &e),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(newest, r3);
	item_states_free(ch, n);

	/* The skip decides no label. */
	assert_int_equal(store_review_count_since(f->st, 0, &count, &e), 0);
	assert_int_equal(count, 2);
	assert_int_equal(store_review_count_since(f->st, r1, &count, &e), 0);
	assert_int_equal(count, 1);
}

static void test_disputes(void **state)
{
	struct fixture *f = *state;
	struct dispute *d;
	struct err e;
	size_t n;
	int64_t u;

	/* Item 0: ann says b, bob says c later; bob's holds. */
	decide(f->st, f->id[0], "ann", REVIEW_RELABEL, 0, 1, 1);
	decide(f->st, f->id[0], "bob", REVIEW_RELABEL, 1, 2, 1);
	/* Item 2: both confirm c: no dispute. */
	decide(f->st, f->id[2], "ann", REVIEW_CONFIRM, 2, 2, 1);
	decide(f->st, f->id[2], "bob", REVIEW_CONFIRM, 2, 2, 1);
	/* Item 3: ann relabels, bob relabels otherwise, ann undoes hers
	 * (back to unreviewed as she saw it): only bob's stands. */
	u = decide(f->st, f->id[3], "ann", REVIEW_RELABEL, 0, 1, 1);
	decide(f->st, f->id[3], "bob", REVIEW_RELABEL, 1, 2, 1);
	decide(f->st, f->id[3], "ann", REVIEW_UNDO, 1, 0, 0);
	(void)u;

	assert_int_equal(store_disputes(f->st, 0, &d, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(d[0].item, f->id[0]);
	assert_string_equal(d[0].ext_id, "x0");
	assert_int_equal(d[0].label, 2);
	assert_int_equal(d[0].n, 2);
	assert_string_equal(d[0].reviewer[0], "ann");
	assert_int_equal(d[0].labels[0], 1);
	assert_string_equal(d[0].reviewer[1], "bob");
	assert_int_equal(d[0].labels[1], 2);
	disputes_free(d, n);

	assert_int_equal(store_disputes(f->st, f->id[0], &d, &n, &e), 0);
	assert_int_equal(n, 1);
	disputes_free(d, n);
	assert_int_equal(store_disputes(f->st, f->id[2], &d, &n, &e), 0);
	assert_int_equal(n, 0);
	disputes_free(d, n);
	assert_int_equal(store_disputes(f->st, f->id[3], &d, &n, &e), 0);
	assert_int_equal(n, 0);
	disputes_free(d, n);
}

static void save_run(struct store *st, const int64_t *ids, const float *susp)
{
	float probs[6 * 3];
	unsigned char oos[6], issue[6] = { 0, 1, 0, 0, 1, 0 };
	int sug[6] = { -1, 2, -1, -1, 0, -1 };
	struct run_record r = {
		.method = "standard", .params = "{}", .nclass = 3, .n = 6,
		.item = ids, .probs = probs, .oos = oos, .suspicion = susp,
		.issue = susp ? issue : NULL, .suggested = susp ? sug : NULL,
		.noise_rate = -1,
	};
	struct err e;

	for (int i = 0; i < 18; i++)
		probs[i] = 1.0f / 3;
	memset(oos, 1, sizeof oos);
	if (store_run_save(st, &r, NULL, &e))
		fail_msg("%s", e.msg);
}

static void test_run_top(void **state)
{
	struct fixture *f = *state;
	const float susp[6] = { 0.2f, 1.5f, 0.2f, 0.9f, 1.1f, 0.0f };
	struct run_top top;
	struct err e;
	int64_t run;
	enum item_kind kind;

	save_run(f->st, f->id, NULL);
	assert_int_equal(store_run_latest(f->st, &run, &e), 0);
	assert_int_equal(store_run_top(f->st, run, 3, &top, &e), 1);
	assert_int_equal(top.n, 0);
	run_top_free(&top);

	save_run(f->st, f->id, susp);
	assert_int_equal(store_run_latest(f->st, &run, &e), 0);
	decide(f->st, f->id[3], "ann", REVIEW_CONFIRM, 0, 0, 1);
	assert_int_equal(store_run_top(f->st, run, 4, &top, &e), 0);
	/* Reviewed x3 is left out; ties go to the lower id. */
	assert_int_equal(top.n, 4);
	assert_string_equal(top.ext_id[0], "x1");
	assert_int_equal(top.suggested[0], 2);
	assert_string_equal(top.ext_id[1], "x4");
	assert_int_equal(top.suggested[1], 0);
	assert_string_equal(top.ext_id[2], "x0");
	assert_string_equal(top.ext_id[3], "x2");
	assert_int_equal(top.suggested[3], LABEL_NONE);
	assert_int_equal(top.item[2], f->id[0]);
	assert_int_equal(top.label[0], 1);
	assert_int_equal(top.kind[0], ITEM_TEXT);
	assert_true(top.suspicion[0] > 1.49f && top.suspicion[0] < 1.51f);
	run_top_free(&top);

	assert_int_equal(store_items_kind(f->st, &kind, &e), 0);
	assert_int_equal(kind, ITEM_TEXT);
	assert_int_equal(store_set_cache(f->st, 2048, &e), 0);
}

/* A version 1 file gains the leases table when opened, even by a reader,
 * as long as the file may be written. */
static void test_migration_from_1(void **state)
{
	struct fixture *f = *state;
	sqlite3 *db;
	struct err e;
	int64_t *items;
	size_t n;

	store_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DROP TABLE leases; "
				      "PRAGMA user_version=1", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(f->path, STORE_READONLY, &f->st, &e), 0);
	assert_int_equal(store_leases_others(f->st, "bob", 2, &items, &n, &e),
			 0);
	assert_int_equal(n, 0);
	free(items);
	store_close(f->st);
	assert_int_equal(store_open(f->path, 0, &f->st, &e), 0);
	assert_int_equal(store_lease_take(f->st, f->id[5], "ann", 1, 120,
					  NULL, &e), 0);
	assert_int_equal(store_leases_others(f->st, "bob", 2, &items, &n, &e),
			 0);
	assert_int_equal(n, 1);
	free(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lease_take_renew_expire,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_release, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_changes_since, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disputes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_1, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
