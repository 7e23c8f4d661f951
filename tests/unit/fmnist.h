/* fmnist.h - reads Fashion-MNIST from the Debian package for the unit
 * tests (gzip'd IDX files under /usr/share/datasets/fashion-mnist). */
#ifndef RELABEL_TEST_FMNIST_H
#define RELABEL_TEST_FMNIST_H

#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

static inline uint32_t fmnist_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads the first n images (scaled to [0,1], [n, 784]) and labels of a
 * set ("train" or "t10k").  Returns 0, or -1 if the files are missing. */
static inline int fmnist_load(const char *set, size_t n, float *x, int *y)
{
	char path[256];
	unsigned char head[16];
	gzFile f;

	snprintf(path, sizeof path, FMNIST_DIR "/%s-images-idx3-ubyte.gz", set);
	if (!(f = gzopen(path, "rb")))
		return -1;
	if (gzread(f, head, 16) != 16 || fmnist_be32(head + 4) < n) {
		gzclose(f);
		return -1;
	}
	unsigned char *px = malloc(n * 784);
	int got = gzread(f, px, (unsigned)(n * 784));

	gzclose(f);
	if (got != (int)(n * 784)) {
		free(px);
		return -1;
	}
	for (size_t i = 0; i < n * 784; i++)
		x[i] = px[i] / 255.0f;
	free(px);

	snprintf(path, sizeof path, FMNIST_DIR "/%s-labels-idx1-ubyte.gz", set);
	if (!(f = gzopen(path, "rb")))
		return -1;
	unsigned char lab[8];
	unsigned char *l = malloc(n);

	got = gzread(f, lab, 8) == 8 ? gzread(f, l, (unsigned)n) : -1;
	gzclose(f);
	for (size_t i = 0; got == (int)n && i < n; i++)
		y[i] = l[i];
	free(l);
	return got == (int)n ? 0 : -1;
}

#endif
