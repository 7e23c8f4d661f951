/* rank_bench.c - times relabel's ranking on synthetic data and writes
 * the same data for the NumPy references.
 *
 *   rank_bench cl N C DIR      N items x C classes of model probabilities
 *                              with known label flips: scores, confident
 *                              learning, suspicion and its queue
 *   rank_bench ds N A C K I DIR
 *                              N items, A annotators, C classes, K votes
 *                              per item with known truth: Dawid-Skene with
 *                              the default tolerance and at most I rounds
 *
 * Each mode prints a RESULT line (tab-separated) for bench_rank.sh.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relabel/crowd.h"
#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/queue.h"
#include "relabel/rank.h"
#include "relabel/rng.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void save(const char *dir, const char *name, const void *p,
		 size_t size)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(p, 1, size, fp) != size || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* Probabilities: logits N(0, 1) plus 3 on the true class, softmax; the
 * label is flipped to another class with probability 0.2. */
static void cl_data(size_t n, int C, float *P, int32_t *y, int32_t *truth)
{
	struct rng r;
	double *z = xmalloc((size_t)C * sizeof *z);

	rng_seed(&r, 1);
	for (size_t i = 0; i < n; i++) {
		int j = (int)rng_below(&r, (uint64_t)C);
		double sum = 0.0;

		for (int k = 0; k < C; k++) {
			z[k] = exp(rng_normal(&r) + (k == j ? 3.0 : 0.0));
			sum += z[k];
		}
		for (int k = 0; k < C; k++)
			P[i * C + k] = (float)(z[k] / sum);
		truth[i] = j;
		y[i] = j;
		if (rng_uniform(&r) < 0.2)
			y[i] = (j + 1 + (int)rng_below(&r, (uint64_t)C - 1)) % C;
	}
	free(z);
}

static int bench_cl(size_t n, int C, const char *dir)
{
	float *P = xmalloc(n * C * sizeof *P);
	int32_t *y = xmalloc(n * sizeof *y), *truth = xmalloc(n * sizeof *y);
	uint32_t *order = xmalloc(n * sizeof *order);
	struct rank_input in = { .n = n, .C = C, .label = y, .probs = P };
	struct rank_output out;
	struct err e;
	double best = INFINITY, isum = 0.0;
	size_t hit = 0, flips = 0;
	char meta[64];

	cl_data(n, C, P, y, truth);
	save(dir, "cl_probs.f32", P, n * C * sizeof *P);
	save(dir, "cl_label.i32", y, n * sizeof *y);
	snprintf(meta, sizeof meta, "%zu %d\n", n, C);
	save(dir, "cl_meta.txt", meta, strlen(meta));

	/* Best of five: scores + confident learning + suspicion queue. */
	for (int rep = 0; rep < 5; rep++) {
		double t0 = now();

		if (rank_compute(&in, &out, &e) < 0) {
			fprintf(stderr, "rank_bench: %s\n", e.msg);
			return 1;
		}
		queue_order(&in, &out, QUEUE_SUSPICION, 0, 0, order);
		best = fmin(best, now() - t0);
		if (rep < 4)
			rank_output_free(&out);
	}
	for (size_t i = 0; i < n; i++) {
		flips += y[i] != truth[i];
		hit += out.cl.issue[i] && y[i] != truth[i];
		if (out.cl.issue[i])
			isum += (double)i;
	}
	printf("relabel CL: %zu x %d in %.3f s: %zu issues (precision %.3f, "
	       "recall %.3f), noise rate %.4f, issue index sum %.0f, "
	       "queue head %u %u %u\n", n, C, best, out.cl.n_issues,
	       (double)hit / out.cl.n_issues, (double)hit / flips,
	       out.cl.noise_rate, isum, order[0], order[1], order[2]);
	printf("RESULT\t%.4f\t%zu\t%.6f\n", best, out.cl.n_issues,
	       out.cl.noise_rate);
	rank_output_free(&out);
	free(P);
	free(y);
	free(truth);
	free(order);
	return 0;
}

/* Annotators: accuracy uniform in 0.35 .. 0.95, errors spread evenly;
 * one in ten is a spammer who always gives one class. */
static void ds_data(size_t n, size_t A, int C, int K, uint32_t *item,
		    uint32_t *annot, int32_t *label, int32_t *truth)
{
	struct rng r;
	double *acc = xmalloc(A * sizeof *acc);
	size_t v = 0;

	rng_seed(&r, 2);
	for (size_t a = 0; a < A; a++)
		acc[a] = a % 10 == 9 ? -1.0 : 0.35 + 0.6 * rng_uniform(&r);
	for (size_t i = 0; i < n; i++) {
		int j = (int)rng_below(&r, (uint64_t)C);

		truth[i] = j;
		for (int k = 0; k < K; k++, v++) {
			size_t a = (size_t)rng_below(&r, A);
			int l = j;

			if (acc[a] < 0.0)
				l = (int)(a % (size_t)C);
			else if (rng_uniform(&r) >= acc[a])
				l = (j + 1 + (int)rng_below(&r,
					(uint64_t)C - 1)) % C;
			item[v] = (uint32_t)i;
			annot[v] = (uint32_t)a;
			label[v] = l;
		}
	}
	free(acc);
}

static int bench_ds(size_t n, size_t A, int C, int K, int max_iter,
		    const char *dir)
{
	size_t nv = n * (size_t)K, ok = 0, okm = 0;
	uint32_t *item = xmalloc(nv * 4), *annot = xmalloc(nv * 4);
	int32_t *label = xmalloc(nv * 4), *truth = xmalloc(n * 4);
	struct crowd_votes v = { nv, item, annot, label };
	struct crowd_index ix;
	struct crowd_majority m;
	struct crowd_ds ds;
	struct crowd_ds_params par;
	struct err e;
	double best = INFINITY;
	char meta[64];

	crowd_ds_params_default(&par);
	par.max_iter = max_iter;
	ds_data(n, A, C, K, item, annot, label, truth);
	save(dir, "ds_item.i32", item, nv * 4);
	save(dir, "ds_annot.i32", annot, nv * 4);
	save(dir, "ds_label.i32", label, nv * 4);
	save(dir, "ds_truth.i32", truth, n * 4);
	snprintf(meta, sizeof meta, "%zu %zu %d %d\n", n, A, C, max_iter);
	save(dir, "ds_meta.txt", meta, strlen(meta));

	/* Best of two: grouping the votes, then EM to convergence. */
	for (int rep = 0; rep < 2; rep++) {
		double t0 = now();

		if (crowd_index_build(&v, n, A, C, &ix, &e) < 0 ||
		    crowd_ds_fit(&v, &ix, A, C, &par, &ds, &e) < 0) {
			fprintf(stderr, "rank_bench: %s\n", e.msg);
			return 1;
		}
		best = fmin(best, now() - t0);
		if (rep < 1) {
			crowd_ds_free(&ds);
			crowd_index_free(&ix);
		}
	}
	crowd_majority_compute(&v, &ix, C, &m);
	for (size_t i = 0; i < n; i++) {
		ok += ds.label[i] == truth[i];
		okm += m.label[i] == truth[i];
	}
	printf("relabel DS: %zu votes, %.3f s, %d iterations, delta %.3g%s, "
	       "accuracy %.4f (majority %.4f)\n", nv, best, ds.iterations,
	       ds.delta, ds.converged ? "" : " (not converged)",
	       (double)ok / n, (double)okm / n);
	printf("RESULT\t%.4f\t%.4f\t%d\n", best, (double)ok / n,
	       ds.iterations);
	crowd_majority_free(&m);
	crowd_ds_free(&ds);
	crowd_index_free(&ix);
	free(item);
	free(annot);
	free(label);
	free(truth);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "cl") == 0)
		return bench_cl(strtoul(argv[2], NULL, 10), atoi(argv[3]),
				argv[4]);
	if (argc == 8 && strcmp(argv[1], "ds") == 0)
		return bench_ds(strtoul(argv[2], NULL, 10),
				strtoul(argv[3], NULL, 10), atoi(argv[4]),
				atoi(argv[5]), atoi(argv[6]), argv[7]);
	fprintf(stderr, "usage: rank_bench cl N C DIR | "
		"rank_bench ds N A C K I DIR\n");
	return 2;
}
