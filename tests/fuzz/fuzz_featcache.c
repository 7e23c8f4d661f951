/* fuzz_featcache.c - featcache_read on arbitrary bytes, as they come and
 * with the trailing checksum rewritten so the shape and structure checks
 * behind it are reached too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/featcache.h"
#include "relabel/matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t fuzz_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void fuzz_read(const uint8_t *blob, size_t len, uint64_t src)
{
	struct features f;
	struct err e;
	unsigned char *again;
	size_t n;

	if (featcache_read(blob, len, src, &f, &e) < 0)
		return;

	/* What was accepted writes back to the same bytes. */
	if (featcache_write(&f, src, &again, &n) < 0 || n != len ||
	    memcmp(again, blob, len) != 0)
		abort();
	free(again);
	features_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint64_t h;

	fuzz_read(data, size, 0);
	if (size < 56)
		return 0;
	copy = malloc(size);
	memcpy(copy, data, size);
	h = featcache_hash(copy, size - 8, 0);
	for (int i = 0; i < 8; i++)
		copy[size - 8 + i] = (uint8_t)(h >> 8 * i);
	fuzz_read(copy, size, fuzz_get64(copy + 40));
	free(copy);
	return 0;
}
