/* test_modelblob.c - model blobs: round trip, every damaged byte and
 * every truncation refused. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/mlp.h"
#include "relabel/modelblob.h"
#include "relabel/rng.h"

static void make_nets(struct mlp *nets, int nnet, int sparse)
{
	struct mlp_shape s = { .nin = 9, .sparse = sparse, .nclass = 3,
			       .nhidden = 2, .hidden = { 5, 4 } };

	for (int k = 0; k < nnet; k++) {
		struct rng r;

		assert_int_equal(mlp_init(&nets[k], &s, 0, NULL), 0);
		rng_seed(&r, 100 + (uint64_t)k);
		mlp_init_he(&nets[k], &r);
		nets[k].b[1][2] = 0.25f * (float)(k + 1);
	}
}

static void test_modelblob_roundtrip(void **state)
{
	(void)state;
	for (int nnet = 1; nnet <= 2; nnet++) {
		struct mlp a[2], b[2];
		struct mlp_shape sa, sb;
		unsigned char *buf;
		size_t len;
		int got;
		struct err e;

		make_nets(a, nnet, nnet == 2);
		modelblob_write(a, nnet, &buf, &len);
		assert_int_equal(modelblob_read(buf, len, b, &got, &e), 0);
		assert_int_equal(got, nnet);
		for (int k = 0; k < nnet; k++) {
			mlp_shape_get(&a[k], &sa);
			mlp_shape_get(&b[k], &sb);
			assert_memory_equal(&sa, &sb, sizeof sa);
			assert_int_equal(a[k].nparam, b[k].nparam);
			assert_memory_equal(a[k].param, b[k].param,
					    a[k].nparam * sizeof(float));
			assert_null(b[k].grad);
			mlp_free(&a[k]);
			mlp_free(&b[k]);
		}
		free(buf);
	}
}

static void test_modelblob_damaged(void **state)
{
	struct mlp a[2], b[2];
	unsigned char *buf;
	size_t len, refused = 0;
	int nnet;
	struct err e;

	(void)state;
	make_nets(a, 2, 0);
	modelblob_write(a, 2, &buf, &len);

	/* Every single flipped bit is caught (header checks or checksum). */
	for (size_t i = 0; i < len; i++)
		for (int bit = 0; bit < 8; bit += 3) {
			buf[i] ^= (unsigned char)(1 << bit);
			e.msg[0] = 0;
			int rc = modelblob_read(buf, len, b, &nnet, &e);

			buf[i] ^= (unsigned char)(1 << bit);
			assert_int_equal(rc, -1);
			assert_true(strstr(e.msg, "retrain with relabel train"));
			refused++;
		}
	printf("# %zu corrupted copies refused; e.g. \"%s\"\n", refused, e.msg);

	/* Every truncation, and one byte too many. */
	for (size_t n = 0; n < len; n++)
		assert_int_equal(modelblob_read(buf, n, b, &nnet, &e), -1);
	unsigned char *big = malloc(len + 1);

	memcpy(big, buf, len);
	big[len] = 0;
	assert_int_equal(modelblob_read(big, len + 1, b, &nnet, &e), -1);
	assert_non_null(strstr(e.msg, "damaged"));
	free(big);
	free(buf);
	mlp_free(&a[0]);
	mlp_free(&a[1]);
}

/* Rewrites the trailing checksum so only the deeper checks remain. */
static void reseal(unsigned char *buf, size_t len)
{
	uint64_t h = modelblob_fnv1a(buf, len - 8);

	for (int i = 0; i < 8; i++)
		buf[len - 8 + i] = (unsigned char)(h >> (8 * i));
}

static void test_modelblob_checked_fields(void **state)
{
	struct mlp a[1], b[2];
	unsigned char *buf;
	size_t len;
	int nnet;
	struct err e;

	(void)state;
	make_nets(a, 1, 0);
	modelblob_write(a, 1, &buf, &len);

	/* A huge claimed input size is refused from the length alone. */
	buf[24] = 0xff;
	buf[25] = 0xff;
	buf[26] = 0xff;
	reseal(buf, len);
	assert_int_equal(modelblob_read(buf, len, b, &nnet, &e), -1);
	printf("# %s\n", e.msg);
	free(buf);

	/* A NaN weight with a valid checksum. */
	float nan = NAN;

	a[0].w[0][3] = nan;
	modelblob_write(a, 1, &buf, &len);
	assert_int_equal(modelblob_read(buf, len, b, &nnet, &e), -1);
	assert_non_null(strstr(e.msg, "non-finite"));
	free(buf);

	/* A newer version says so. */
	a[0].w[0][3] = 0.5f;
	modelblob_write(a, 1, &buf, &len);
	buf[8] = 2;
	reseal(buf, len);
	assert_int_equal(modelblob_read(buf, len, b, &nnet, &e), -1);
	assert_non_null(strstr(e.msg, "version 2"));
	free(buf);
	mlp_free(&a[0]);
}

static void test_modelblob_fnv1a(void **state)
{
	(void)state;
	/* Published FNV-1a 64 test vectors. */
	assert_true(modelblob_fnv1a("", 0) == 0xcbf29ce484222325ULL);
	assert_true(modelblob_fnv1a("a", 1) == 0xaf63dc4c8601ec8cULL);
	assert_true(modelblob_fnv1a("foobar", 6) == 0x85944171f73967e8ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modelblob_roundtrip),
		cmocka_unit_test(test_modelblob_damaged),
		cmocka_unit_test(test_modelblob_checked_fields),
		cmocka_unit_test(test_modelblob_fnv1a),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
