/* test_featcache.c - the cache blob: round trips, every damaged byte and
 * truncation refused, stale and crafted blobs refused. */
#include "unit.h"

#include <string.h>

#include "relabel/err.h"
#include "relabel/featcache.h"
#include "relabel/matrix.h"
#include "relabel/rng.h"
#include "relabel/textfeat.h"

#define SRC 0x1234567890abcdefull

static void test_hash_vectors(void **state)
{
	uint64_t h;

	(void)state;
	/* Published FNV-1a 64 values (seed 0 keeps the offset basis). */
	assert_true(featcache_hash("", 0, 0) == 0xcbf29ce484222325ull);
	assert_true(featcache_hash("a", 1, 0) == 0xaf63dc4c8601ec8cull);
	assert_true(featcache_hash("foobar", 6, 0) == 0x85944171f73967e8ull);

	/* Chaining through the seed differs from hashing the parts alone. */
	h = featcache_hash("foo", 3, 0);
	assert_true(featcache_hash("bar", 3, h) != featcache_hash("bar", 3, 0));
	assert_true(featcache_hash("ab", 2, 7) != featcache_hash("ba", 2, 7));
}

static void make_dense(struct features *f, size_t rows, size_t cols)
{
	struct rng r;

	memset(f, 0, sizeof *f);
	rng_seed(&r, 42);
	dense_init(&f->d, rows, cols);
	for (size_t i = 0; i < rows * cols; i++)
		f->d.v[i] = (float)(rng_uniform(&r) * 10.0 - 5.0);
}

static void make_sparse(struct features *f)
{
	const char *t[] = { "free prize now", "", "hello world hello",
			    "?!", "a b c d e f" };
	struct err e;

	memset(f, 0, sizeof *f);
	f->sparse = 1;
	assert_int_equal(textfeat_build(t, NULL, 5, &f->s, &e), 0);
}

static void same_features(const struct features *a,
			  const struct features *b)
{
	assert_int_equal(a->sparse, b->sparse);
	assert_int_equal(features_rows(a), features_rows(b));
	assert_int_equal(features_cols(a), features_cols(b));
	if (!a->sparse) {
		assert_memory_equal(a->d.v, b->d.v,
				    a->d.rows * a->d.cols * sizeof *a->d.v);
		return;
	}
	size_t nnz = a->s.rowptr[a->s.rows];

	assert_memory_equal(a->s.rowptr, b->s.rowptr,
			    (a->s.rows + 1) * sizeof *a->s.rowptr);
	assert_memory_equal(a->s.col, b->s.col, nnz * sizeof *a->s.col);
	assert_memory_equal(a->s.val, b->s.val, nnz * sizeof *a->s.val);
}

static void round_trip(const struct features *f)
{
	unsigned char *blob;
	size_t len;
	struct features g;
	struct err e = { "" };

	assert_int_equal(featcache_write(f, SRC, &blob, &len), 0);
	if (featcache_read(blob, len, SRC, &g, &e) != 0)
		fail_msg("%s", e.msg);
	same_features(f, &g);
	features_free(&g);
	free(blob);
}

static void test_round_trip(void **state)
{
	struct features f;

	(void)state;
	make_dense(&f, 13, 7);
	round_trip(&f);
	features_free(&f);
	make_dense(&f, 0, 784);
	round_trip(&f);
	features_free(&f);
	make_sparse(&f);
	assert_true(f.s.rowptr[f.s.rows] > 10);
	round_trip(&f);
	features_free(&f);
}

/* read must fail, leave out empty and say the cache will be rebuilt. */
static void refused(const unsigned char *blob, size_t len, uint64_t src,
		    const char *want)
{
	struct features g;
	struct err e = { "" };

	assert_int_equal(featcache_read(blob, len, src, &g, &e), -1);
	assert_non_null(strstr(e.msg, "it will be rebuilt"));
	if (want && !strstr(e.msg, want))
		fail_msg("'%s' does not say '%s'", e.msg, want);
	assert_null(g.d.v);
	assert_null(g.s.rowptr);
}

static void damage_every_byte(const struct features *f)
{
	unsigned char *blob, *copy;
	size_t len;

	assert_int_equal(featcache_write(f, SRC, &blob, &len), 0);
	copy = malloc(len);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(copy, blob, len);
			copy[i] ^= (unsigned char)(1u << bit);
			refused(copy, len, SRC, NULL);
		}
	}
	for (size_t n = 0; n < len; n++)
		refused(blob, n, SRC, n < 56 ? "damaged" : NULL);
	print_message("%zu bytes: every flip and truncation refused\n", len);
	free(copy);
	free(blob);
}

static void test_damage(void **state)
{
	struct features f;

	(void)state;
	make_dense(&f, 5, 6);
	damage_every_byte(&f);
	features_free(&f);
	make_sparse(&f);
	damage_every_byte(&f);
	features_free(&f);
}

static void test_stale(void **state)
{
	struct features f;
	unsigned char *blob;
	size_t len;

	(void)state;
	make_dense(&f, 3, 3);
	assert_int_equal(featcache_write(&f, SRC, &blob, &len), 0);
	refused(blob, len, SRC + 1, "stale");
	refused(blob, len, 0, "stale");
	free(blob);
	features_free(&f);
}

static void put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

/* Rewrites the trailing checksum after a deliberate change, as a crafted
 * (not merely damaged) blob would. */
static void reseal(unsigned char *blob, size_t len)
{
	put64(blob + len - 8, featcache_hash(blob, len - 8, 0));
}

static void test_crafted(void **state)
{
	struct features f;
	unsigned char *blob, *c;
	size_t len;

	(void)state;
	make_sparse(&f);
	assert_int_equal(featcache_write(&f, SRC, &blob, &len), 0);
	c = malloc(len);

	/* Shapes that would need far more bytes than the blob holds. */
	memcpy(c, blob, len);
	put64(c + 16, 1ull << 62);
	reseal(c, len);
	refused(c, len, SRC, "shape larger than the file");
	memcpy(c, blob, len);
	put64(c + 32, UINT64_MAX);
	reseal(c, len);
	refused(c, len, SRC, "damaged");

	/* A newer version. */
	memcpy(c, blob, len);
	c[6] = 2;
	reseal(c, len);
	refused(c, len, SRC, "version 2");

	/* Columns out of order: swap the first row's first two. */
	size_t colat = 48 + (f.s.rows + 1) * 8;

	memcpy(c, blob, len);
	memcpy(c + colat, blob + colat + 4, 4);
	memcpy(c + colat + 4, blob + colat, 4);
	reseal(c, len);
	refused(c, len, SRC, "bad column index");

	/* A column past cols, and row offsets that fall back. */
	memcpy(c, blob, len);
	put64(c + 24, 1000);
	reseal(c, len);
	refused(c, len, SRC, "bad column index");
	memcpy(c, blob, len);
	put64(c + 48 + 8, 1000);
	reseal(c, len);
	refused(c, len, SRC, "bad row offsets");
	memcpy(c, blob, len);
	put64(c + 8, 7);
	reseal(c, len);
	refused(c, len, SRC, "unknown kind");
	free(c);
	free(blob);
	features_free(&f);
}

static void test_dense_shape(void **state)
{
	struct features f;
	unsigned char *blob;
	size_t len;

	(void)state;
	/* rows * cols * 4 wrapping to the payload size is still refused. */
	make_dense(&f, 4, 4);
	assert_int_equal(featcache_write(&f, SRC, &blob, &len), 0);
	put64(blob + 16, 1ull << 62);
	put64(blob + 24, 4);
	reseal(blob, len);
	refused(blob, len, SRC, "shape larger than the file");
	put64(blob + 16, 4);
	put64(blob + 24, 0);
	reseal(blob, len);
	refused(blob, len, SRC, "absurd shape");
	free(blob);
	features_free(&f);

	/* An inconsistent struct is not written. */
	memset(&f, 0, sizeof f);
	f.sparse = 1;
	f.s.rows = 3;
	assert_int_equal(featcache_write(&f, SRC, &blob, &len), -1);
	assert_null(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damage),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_crafted),
		cmocka_unit_test(test_dense_shape),
	};

	return cmocka_run_group_tests_name("featcache", tests, NULL, NULL);
}
