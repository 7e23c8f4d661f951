/* review_phases.c - where the review screen's start-up time goes: each
 * step of opening a project and building its queue, timed alone, in the
 * order session_open runs them (analysis_load, then queue_order).
 *
 *   review_phases PROJECT.db
 * prints "phase NAME MS ms, resident MiB" lines and the peak memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "relabel/analysis.h"
#include "relabel/queue.h"
#include "relabel/store.h"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Resident memory now, in KiB (0 if /proc does not say). */
static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = 0;

	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

static void phase(const char *name, double *t)
{
	double n = now_ms();

	printf("phase %s %.1f ms, resident %ld MiB\n", name, n - *t,
	       rss_kib() / 1024);
	*t = n;
}

/* The newest run's probabilities, as analysis_load reads them. */
static int phase_scores(struct store *st, struct analysis *a, struct err *e)
{
	size_t n = a->items.n, c = (size_t)a->classes.n;

	if (store_run_latest(st, &a->run, e))
		return -1;
	a->probs = calloc(n * c + 1, sizeof *a->probs);
	a->has = calloc(n + 1, 1);
	a->oos = calloc(n + 1, 1);
	return store_scores_load(st, a->run, &a->items, a->classes.n, a->probs,
				 a->has, a->oos, e);
}

/* rank_compute on the same inputs analysis_load gives it. */
static int phase_rank(struct analysis *a, struct err *e)
{
	const struct item_table *t = &a->items;
	struct rank_input *in = &a->in;

	a->train = malloc(t->n + 1);
	a->expert = malloc((t->n + 1) * sizeof *a->expert);
	for (size_t i = 0; i < t->n; i++) {
		a->train[i] = t->split[i] == SPLIT_TRAIN;
		a->expert[i] = t->reviewed[i] ? t->label[i] : -1;
	}
	memset(in, 0, sizeof *in);
	in->n = t->n;
	in->C = a->classes.n;
	in->label = (const int32_t *)t->label;
	in->probs = a->probs;
	in->has_probs = a->has;
	in->train = a->train;
	in->reviewed = t->reviewed;
	in->votes.n = a->votes.n;
	in->votes.item = a->votes.item;
	in->votes.annotator = a->votes.annotator;
	in->votes.label = (const int32_t *)a->votes.label;
	in->A = a->votes.nannot;
	in->expert = a->expert;
	return rank_compute(in, &a->out, e);
}

int main(int argc, char **argv)
{
	struct store *st;
	struct analysis a;
	struct err e;
	struct rusage ru;
	uint32_t *order;
	double t;

	if (argc != 2)
		return 2;
	t = now_ms();
	if (store_open(argv[1], 0, &st, &e))
		goto fail;
	phase("store_open", &t);
	memset(&a, 0, sizeof a);
	if (store_classes(st, &a.classes, &e) ||
	    store_items_load(st, &a.items, &e))
		goto fail;
	phase("store_items_load", &t);
	if (store_votes_load(st, &a.items, &a.votes, &e))
		goto fail;
	phase("store_votes_load", &t);
	if (phase_scores(st, &a, &e))
		goto fail;
	phase("store_scores_load", &t);
	if (phase_rank(&a, &e))
		goto fail;
	phase("rank_compute", &t);
	analysis_free(&a);
	phase("free", &t);
	if (analysis_load(st, &a, &e))
		goto fail;
	phase("analysis_load (all of the above + scores + rank_compute)", &t);
	order = malloc((a.items.n + 1) * sizeof *order);
	queue_order(&a.in, &a.out, QUEUE_SUSPICION, 0, 1, order);
	phase("queue_order", &t);
	getrusage(RUSAGE_SELF, &ru);
	printf("maxrss %ld\n", ru.ru_maxrss);
	free(order);
	analysis_free(&a);
	store_close(st);
	return 0;
fail:
	fprintf(stderr, "review_phases: %s\n", e.msg);
	return 1;
}
