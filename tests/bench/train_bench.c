/* train_bench.c - relabel's training code on Fashion-MNIST, for
 * bench_train.sh.
 *
 *   train_bench sgemm SECONDS
 *	GFLOP/s of a 1024x1024x1024 cblas_sgemm loop (current threads)
 *   train_bench train METHOD EPOCHS THREADS NTRAIN LABELS [HIDDEN]
 *	METHOD coteach|standard; LABELS: a file of 60000 bytes, the
 *	(noisy) training labels; NTRAIN first training items are used.
 *	Prints "RESULT method epochs threads ntrain samples_per_s
 *	train_s accuracy peak_rss_mb".
 * The noise rate for co-teaching comes from $BENCH_TAU (default 0.45),
 * the seed from $BENCH_SEED (default 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <cblas.h>

#include "fmnist.h"
#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/train.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int bench_sgemm(double seconds)
{
	const int n = 1024;
	float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n);
	float *c = malloc(sizeof(float) * n * n);
	int reps = 0;
	double t0, t;

	for (int i = 0; i < n * n; i++) {
		a[i] = (float)(i % 7) * 0.1f;
		b[i] = (float)(i % 5) * 0.1f;
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
		    a, n, b, n, 0.0f, c, n);
	t0 = now();
	do {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n,
			    1.0f, a, n, b, n, 0.0f, c, n);
		reps++;
		t = now() - t0;
	} while (t < seconds);
	printf("SGEMM %.2f\n", 2.0 * n * n * (double)n * reps / t / 1e9);
	free(a);
	free(b);
	free(c);
	return 0;
}

struct clock_user {
	double train_s;
	int fold;
};

/* The elapsed time at the end of the final model's last epoch. */
static void on_progress(const struct train_progress *p, void *user)
{
	struct clock_user *u = user;

	if (p->fold == p->folds && p->epoch == p->epochs)
		u->train_s = p->elapsed;
}

static int bench_train(int argc, char **argv)
{
	enum { NTE = 10000, D = 784 };
	const char *method = argv[2], *labels = argv[6];
	int epochs = atoi(argv[3]), threads = atoi(argv[4]);
	size_t ntr = (size_t)atol(argv[5]), n = ntr + NTE;
	struct features x;
	int *y = malloc(n * sizeof *y), *clean = malloc(n * sizeof *y);
	unsigned char *split = calloc(n, 1), *noisy = malloc(60000);
	FILE *f = fopen(labels, "rb");

	if (!f || fread(noisy, 1, 60000, f) != 60000) {
		fprintf(stderr, "train_bench: cannot read %s\n", labels);
		return 1;
	}
	fclose(f);
	memset(&x, 0, sizeof x);
	dense_init(&x.d, n, D);
	if (fmnist_load("train", ntr, x.d.v, y) < 0 ||
	    fmnist_load("t10k", NTE, x.d.v + ntr * D, y + ntr) < 0) {
		fprintf(stderr, "train_bench: Fashion-MNIST missing\n");
		return 1;
	}
	memcpy(clean, y, n * sizeof *y);
	for (size_t i = 0; i < ntr; i++)
		y[i] = noisy[i];
	memset(split + ntr, 1, NTE);

	struct train_set s = { .x = &x, .n = n, .nclass = 10, .label = y,
			       .split = split };
	struct train_opts o;
	struct train_result r;
	struct clock_user u = { 0, 0 };
	struct err e;

	train_opts_default(&o);
	if (train_method_parse(method, &o.method) < 0)
		return 2;
	o.epochs = epochs;
	o.folds = 1;
	o.threads = threads;
	o.noise_rate = getenv("BENCH_TAU") ? (float)atof(getenv("BENCH_TAU"))
		: 0.45f;
	if (getenv("BENCH_SEED"))
		o.seed = strtoull(getenv("BENCH_SEED"), NULL, 10);
	if (argc > 7)
		o.hidden[0] = atoi(argv[7]);
	if (train_run(&s, &o, on_progress, &u, NULL, &r, &e) < 0) {
		fprintf(stderr, "train_bench: %s\n", e.msg);
		return 1;
	}

	size_t hit = 0;

	for (size_t i = ntr; i < n; i++) {
		int best = 0;

		for (int j = 1; j < 10; j++)
			if (r.probs[i * 10 + j] > r.probs[i * 10 + best])
				best = j;
		hit += best == clean[i];
	}
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	printf("RESULT %s %d %d %zu %.0f %.3f %.4f %.1f\n", method, epochs,
	       threads, ntr, (double)epochs * ntr / u.train_s, u.train_s,
	       (double)hit / NTE, ru.ru_maxrss / 1024.0);
	train_result_free(&r);
	features_free(&x);
	free(y);
	free(clean);
	free(split);
	free(noisy);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "sgemm"))
		return bench_sgemm(atof(argv[2]));
	if (argc >= 7 && !strcmp(argv[1], "train"))
		return bench_train(argc, argv);
	fprintf(stderr, "usage: train_bench sgemm SECONDS | train METHOD "
		"EPOCHS THREADS NTRAIN LABELS [HIDDEN]\n");
	return 2;
}
