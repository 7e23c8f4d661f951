/* features_bench.c - times image_features on a list of image files and
 * textfeat_build on the SMS collection repeated; prints best-of-three
 * wall seconds.
 *   features_bench images LIST SIZE OUT.f32
 *   features_bench text FILE REPEAT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relabel/err.h"
#include "relabel/image.h"
#include "relabel/matrix.h"
#include "relabel/textfeat.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Lines of a file, without their newline; after a tab if skip_tab. */
static char **read_lines(const char *path, int skip_tab, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char line[65536], **v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof line, f)) {
		char *s = line, *tab = strchr(line, '\t');

		line[strcspn(line, "\r\n")] = 0;
		if (skip_tab && tab)
			s = tab + 1;
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(v, cap * sizeof *v);
		}
		v[(*n)++] = strdup(s);
	}
	fclose(f);
	return v;
}

static int bench_images(const char *list, int size, const char *out)
{
	size_t n;
	char **paths = read_lines(list, 0, &n);
	struct dense m = { 0 };
	struct err e;
	double best = 1e30;
	FILE *f;

	if (!paths)
		return 1;
	for (int rep = 0; rep < 3; rep++) {
		double t = now();

		dense_free(&m);
		if (image_features((const char *const *)paths, n, size, &m,
				   &e) < 0) {
			fprintf(stderr, "%s\n", e.msg);
			return 1;
		}
		t = now() - t;
		best = t < best ? t : best;
	}
	if ((f = fopen(out, "wb"))) {
		fwrite(m.v, sizeof *m.v, m.rows * m.cols, f);
		fclose(f);
	}
	printf("%.4f\n", best);
	dense_free(&m);
	return 0;
}

static int bench_text(const char *file, int repeat)
{
	size_t n;
	char **lines = read_lines(file, 1, &n);
	const char **t;
	struct csr m = { 0 };
	struct err e;
	double best = 1e30;

	if (!lines)
		return 1;
	t = malloc(n * (size_t)repeat * sizeof *t);
	for (size_t i = 0; i < n * (size_t)repeat; i++)
		t[i] = lines[i % n];
	for (int rep = 0; rep < 3; rep++) {
		double s = now();

		csr_free(&m);
		textfeat_build(t, NULL, n * (size_t)repeat, &m, &e);
		s = now() - s;
		best = s < best ? s : best;
	}
	printf("%.4f %zu\n", best, m.rowptr[m.rows]);
	csr_free(&m);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "images"))
		return bench_images(argv[2], atoi(argv[3]), argv[4]);
	if (argc == 4 && !strcmp(argv[1], "text"))
		return bench_text(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: features_bench images LIST SIZE OUT | "
		"text FILE REPEAT\n");
	return 2;
}
