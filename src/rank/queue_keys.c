/* queue_keys.c - sorting and selecting packed (score, item) keys. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "relabel/queue.h"

static void swap_keys(uint64_t *a, uint64_t *b)
{
	uint64_t t = *a;

	*a = *b;
	*b = t;
}

/* Descending insertion sort, for short runs. */
static void insertion_desc(uint64_t *key, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		uint64_t x = key[i];
		size_t j = i;

		for (; j > 0 && key[j - 1] < x; j--)
			key[j] = key[j - 1];
		key[j] = x;
	}
}

/* Bytes at the low end by which key [n] is already in descending order:
 * 8 (sorted), 4 (the item part of keys made in item order) or 0. */
static int sorted_bytes(const uint64_t *key, size_t n)
{
	int whole = 1, low = 1;

	for (size_t i = 1; i < n && (whole || low); i++) {
		whole &= key[i] <= key[i - 1];
		low &= (uint32_t)key[i] <= (uint32_t)key[i - 1];
	}
	return whole ? 8 : low ? 4 : 0;
}

/* One stable LSD pass over byte d (of the complemented keys). */
static void radix_pass(const uint64_t *src, uint64_t *dst, size_t n,
		       size_t *count, int d)
{
	size_t sum = 0;

	for (int b = 0; b < 256; b++) {
		size_t c = count[b];

		count[b] = sum;
		sum += c;
	}
	for (size_t i = 0; i < n; i++)
		dst[count[(~src[i] >> (8 * d)) & 0xff]++] = src[i];
}

void queue_sort_keys(uint64_t *key, size_t n)
{
	size_t (*count)[256];
	uint64_t *tmp, *src = key, *dst;
	int skip;

	if (n < 64) {
		insertion_desc(key, n);
		return;
	}
	skip = sorted_bytes(key, n);
	if (skip == 8)
		return;

	/* LSD radix over the complemented keys: ascending there is
	 * descending here.  Bytes the input is already ordered by need no
	 * pass; all histograms come from one read. */
	count = xcalloc(8, sizeof *count);
	tmp = xmalloc(n * sizeof *tmp);
	dst = tmp;
	for (size_t i = 0; i < n; i++)
		for (int d = skip; d < 8; d++)
			count[d][(~key[i] >> (8 * d)) & 0xff]++;
	for (int d = skip; d < 8; d++) {
		/* A byte every key shares orders nothing. */
		if (count[d][(~key[0] >> (8 * d)) & 0xff] == n)
			continue;
		radix_pass(src, dst, n, count[d], d);
		src = dst;
		dst = src == key ? tmp : key;
	}
	if (src != key)
		memcpy(key, src, n * sizeof *key);
	free(tmp);
	free(count);
}

/* Median of the first, middle and last keys of [lo, hi]. */
static uint64_t pivot_of(const uint64_t *key, size_t lo, size_t hi)
{
	uint64_t a = key[lo], b = key[lo + (hi - lo) / 2], c = key[hi];

	if ((a < b) == (b < c))
		return b;
	if ((b < a) == (a < c))
		return a;
	return c;
}

void queue_top_keys(uint64_t *key, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, target = (ptrdiff_t)k - 1;
	int rounds = 96;

	if (k == 0 || k >= n)
		return;

	/* Hoare's FIND on descending order: afterwards key[target] is the
	 * k-th largest and everything before it is at least as large. */
	while (lo < hi) {
		uint64_t x = pivot_of(key, (size_t)lo, (size_t)hi);
		ptrdiff_t i = lo, j = hi;

		/* Bad pivots many times over: finish with a full sort. */
		if (rounds-- == 0) {
			queue_sort_keys(key + lo, (size_t)(hi - lo + 1));
			return;
		}
		do {
			while (key[i] > x)
				i++;
			while (key[j] < x)
				j--;
			if (i <= j)
				swap_keys(&key[i++], &key[j--]);
		} while (i <= j);
		if (j < target)
			lo = i;
		if (target < i)
			hi = j;
	}
}
