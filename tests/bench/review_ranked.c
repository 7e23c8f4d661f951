/* review_ranked.c - stores the newest run's probabilities again as a new
 * run that carries its ranking (suspicion, issue, suggested label per
 * item), as a run from relabel train does; a run imported with --probs
 * stores none, and the review screen's first page comes from it.
 *
 *   review_ranked PROJECT.db
 * prints "ranked run N (MS ms)". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relabel/analysis.h"
#include "relabel/store.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int rank_again(struct store *st, struct err *e)
{
	struct class_list c;
	struct item_table t;
	struct ranking rk;
	float *probs = NULL;
	unsigned char *has = NULL, *oos = NULL;
	int64_t run, id;
	int rc = -1;

	if (store_classes(st, &c, e))
		return -1;
	if (store_items_load(st, &t, e)) {
		class_list_free(&c);
		return -1;
	}
	if ((rc = store_run_latest(st, &run, e)) != 0) {
		if (rc > 0)
			err_set(e, "the project has no run to rank");
		rc = -1;
		goto out;
	}
	rc = -1;
	probs = malloc((t.n * (size_t)c.n + 1) * sizeof *probs);
	has = malloc(t.n + 1);
	oos = malloc(t.n + 1);
	if (store_scores_load(st, run, &t, c.n, probs, has, oos, e) ||
	    analysis_rank(st, &t, c.n, probs, has, &rk, e))
		goto out;
	struct run_record r = {
		.method = "imported", .params = "{\"ranked\":true}",
		.nclass = c.n, .n = t.n, .item = t.id, .probs = probs,
		.oos = oos, .suspicion = rk.suspicion, .issue = rk.issue,
		.suggested = rk.suggested, .noise_rate = rk.noise_rate,
		.noise = rk.noise,
	};

	rc = store_run_save(st, &r, &id, e);
	ranking_free(&rk);
	if (rc == 0)
		printf("ranked run %lld", (long long)id);
out:
	free(probs);
	free(has);
	free(oos);
	item_table_free(&t);
	class_list_free(&c);
	return rc;
}

int main(int argc, char **argv)
{
	struct store *st;
	struct err e;
	double t0 = now_ms();

	if (argc != 2)
		return 2;
	if (store_open(argv[1], 0, &st, &e) || rank_again(st, &e)) {
		fprintf(stderr, "review_ranked: %s\n", e.msg);
		return 1;
	}
	store_close(st);
	printf(" (%.0f ms)\n", now_ms() - t0);
	return 0;
}
