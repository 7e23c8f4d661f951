/* test_worker.c - the background training run: a real small retrain on a
 * temporary project stores one whole run while another connection writes
 * decisions; a cancelled run stores nothing; a failure says why. */
#include "unit.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relabel/featcache.h"
#include "relabel/matrix.h"
#include "relabel/mem.h"
#include "relabel/pipeline.h"
#include "relabel/rng.h"
#include "relabel/store.h"
#include "relabel/worker.h"

#define NITEMS 240
#define NCLASS 3
#define DIM 8

struct fixture {
	char dir[64];
	char path[128];
	int64_t id[NITEMS];
};

/* Three Gaussian blobs, one per class, every tenth label flipped; the
 * features go in as an external feature cache. */
static void build_project(struct fixture *f)
{
	struct store *st;
	struct err e;
	struct rng r;
	struct features x = { 0 };
	unsigned char *blob;
	size_t len;

	rng_seed(&r, 7);
	assert_int_equal(store_open(f->path, STORE_CREATE, &st, &e), 0);
	assert_int_equal(store_begin(st, &e), 0);
	for (int c = 0; c < NCLASS; c++) {
		char name[8];

		snprintf(name, sizeof name, "c%d", c);
		assert_int_equal(store_class_add(st, name, &e), c);
	}
	dense_init(&x.d, NITEMS, DIM);
	for (int i = 0; i < NITEMS; i++) {
		char ext[16];
		int truth = i % NCLASS;
		struct item_new it = {
			.ext_id = ext, .kind = ITEM_TEXT, .text = ext,
			.label = i % 10 == 0 ? (truth + 1) % NCLASS : truth,
			.split = i % 8 == 0 ? SPLIT_TEST : SPLIT_TRAIN,
		};

		snprintf(ext, sizeof ext, "i%03d", i);
		assert_int_equal(store_item_add(st, &it, &f->id[i], &e), 0);
		for (int d = 0; d < DIM; d++)
			x.d.v[i * DIM + d] = (float)rng_normal(&r) +
					     (d % NCLASS == truth ? 2.5f : 0.0f);
	}
	assert_int_equal(featcache_write(&x, 0, &blob, &len), 0);
	assert_int_equal(store_cache_put(st, "external", blob, len, &e), 0);
	assert_int_equal(store_commit(st, &e), 0);
	free(blob);
	features_free(&x);
	store_close(st);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/relabel-worker.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof f->path, "%s/p.db", f->dir);
	build_project(f);
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

static void small_opts(struct pipeline_opts *o, int epochs)
{
	pipeline_opts_default(o);
	o->train.epochs = epochs;
	o->train.folds = 2;
	o->train.hidden[0] = 16;
	o->train.nhidden = 1;
	o->train.batch = 32;
	o->noise_auto = 0;
	o->train.noise_rate = 0.1f;
}

static void sleep_ms(int ms)
{
	struct timespec t = { 0, (long)ms * 1000000L };

	nanosleep(&t, NULL);
}

/* Polls until the run ends (at most 60 s); stage_seen gets the highest
 * stage seen while it ran. */
static void wait_end(struct worker *w, struct worker_status *s,
		     int *stage_seen)
{
	for (int k = 0; k < 6000; k++) {
		worker_poll(w, s);
		if (stage_seen && s->state == WORKER_RUNNING &&
		    (int)s->stage > *stage_seen)
			*stage_seen = (int)s->stage;
		if (s->state != WORKER_RUNNING)
			return;
		sleep_ms(10);
	}
	fail_msg("the run did not end within 60 s");
}

static size_t count_runs(const char *path)
{
	struct store *st;
	struct run_info *runs;
	size_t n;
	struct err e;

	assert_int_equal(store_open(path, STORE_READONLY, &st, &e), 0);
	assert_int_equal(store_runs_list(st, &runs, &n, &e), 0);
	for (size_t i = 0; i < n; i++)
		run_info_free(&runs[i]);
	free(runs);
	store_close(st);
	return n;
}

static void review(struct store *st, int64_t item, int label)
{
	struct review r = { .item = item, .reviewer = "ann",
			    .action = REVIEW_RELABEL, .old_label = 0,
			    .new_label = label, .reviewed_after = 1 };
	struct err e;

	if (store_review_add(st, &r, NULL, &e))
		fail_msg("%s", e.msg);
}

/* A retrain stores one whole run; decisions written by another
 * connection while it trains are kept, and are not in the run. */
static void test_retrain_while_reviewing(void **state)
{
	struct fixture *f = *state;
	struct pipeline_opts o;
	struct worker *w;
	struct worker_status s;
	struct store *st;
	struct err e;
	int64_t before;
	size_t late, scored = 0;
	int stage = -1;

	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	review(st, f->id[1], 0);
	assert_int_equal(store_review_last(st, &before, &e), 0);
	small_opts(&o, 600);
	assert_int_equal(worker_start(f->path, &o, &w, &e), 0);

	/* Past the snapshot of the labels once an epoch is reported. */
	for (int k = 0; k < 6000; k++) {
		worker_poll(w, &s);
		if (s.state != WORKER_RUNNING || s.stage != WORKER_PREPARING)
			break;
		sleep_ms(5);
	}
	review(st, f->id[2], 2);
	review(st, f->id[3], 0);
	wait_end(w, &s, &stage);
	if (s.state != WORKER_DONE)
		fail_msg("state %d: %s", s.state, s.err.msg);
	print_message("run %lld in %.2f s, highest stage seen %d, threads %d\n",
		      (long long)s.result.run, s.elapsed, stage, s.threads);
	assert_true(s.result.run > 0);
	assert_int_equal(s.result.last_review, before);
	assert_int_equal(s.result.nreviewed, 1);
	assert_int_equal(s.threads, worker_blas_threads());
	assert_true(s.progress.frac >= 1.0);
	assert_int_equal(s.progress.folds, 2);
	assert_int_equal(s.progress.epochs, 600);

	/* Both late decisions are in the log, after the run's snapshot. */
	assert_int_equal(store_review_count_since(st, s.result.last_review,
						  &late, &e), 0);
	assert_int_equal(late, 2);
	struct run_info *runs;
	size_t n;

	assert_int_equal(store_runs_list(st, &runs, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].id, s.result.run);
	scored = runs[0].nscored;
	for (size_t i = 0; i < n; i++)
		run_info_free(&runs[i]);
	free(runs);
	assert_int_equal(scored, NITEMS);
	worker_free(w);
	store_close(st);
}

/* A run cancelled as it starts ends cancelled and stores nothing. */
static void test_cancel_stores_nothing(void **state)
{
	struct fixture *f = *state;
	struct pipeline_opts o;
	struct worker *w;
	struct worker_status s;
	struct err e;
	size_t runs = count_runs(f->path);

	small_opts(&o, 2000);
	assert_int_equal(worker_start(f->path, &o, &w, &e), 0);
	worker_cancel(w);
	wait_end(w, &s, NULL);
	print_message("ended in %.2f s, state %d\n", s.elapsed, s.state);
	assert_int_equal(s.state, WORKER_CANCELLED);
	assert_int_equal(s.cancelling, 1);
	assert_true(s.progress.frac < 1.0);
	worker_free(w);
	assert_int_equal(count_runs(f->path), runs);
}

/* A run cancelled mid-way also stores nothing; freeing a running
 * worker cancels and waits for it. */
static void test_free_cancels(void **state)
{
	struct fixture *f = *state;
	struct pipeline_opts o;
	struct worker *w;
	struct worker_status s;
	struct err e;
	size_t runs = count_runs(f->path);

	small_opts(&o, 2000);
	assert_int_equal(worker_start(f->path, &o, &w, &e), 0);
	for (int k = 0; k < 6000; k++) {
		worker_poll(w, &s);
		if (s.stage == WORKER_TRAINING || s.state != WORKER_RUNNING)
			break;
		sleep_ms(5);
	}
	assert_int_equal(s.state, WORKER_RUNNING);
	worker_free(w);
	assert_int_equal(count_runs(f->path), runs);
}

/* A failure comes back with the pipeline's message. */
static void test_failure_says_why(void **state)
{
	struct fixture *f = *state;
	struct pipeline_opts o;
	struct worker *w;
	struct worker_status s;
	struct err e;
	char *missing = xasprintf("%s/none.db", f->dir);

	small_opts(&o, 2);
	assert_int_equal(worker_start(missing, &o, &w, &e), 0);
	wait_end(w, &s, NULL);
	print_message("message: %s\n", s.err.msg);
	assert_int_equal(s.state, WORKER_FAILED);
	assert_non_null(strstr(s.err.msg, "no such project file"));
	worker_free(w);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_retrain_while_reviewing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_stores_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_cancels, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_failure_says_why, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
