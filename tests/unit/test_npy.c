/* test_npy.c - .npy reading and writing: round trip, float64, versions,
 * and every refusal, from bytes built here. */
#include "unit.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/mem.h"
#include "relabel/npy.h"

/* A .npy image in memory. */
struct img {
	unsigned char *b;
	size_t n;
};

/* Builds version major.0 bytes: magic, length, dict padded to 64 with
 * spaces and a newline, then data. */
static struct img npy_bytes(int major, const char *dict, const void *data,
			    size_t dlen)
{
	size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
	size_t total = (pre + dl + 1 + 63) / 64 * 64, hlen = total - pre;
	struct img m = { xmalloc(total + dlen + 1), total + dlen };

	memcpy(m.b, "\x93NUMPY", 6);
	m.b[6] = (unsigned char)major;
	m.b[7] = 0;
	for (size_t i = 0; i < pre - 8; i++)
		m.b[8 + i] = (unsigned char)(hlen >> (8 * i));
	memcpy(m.b + pre, dict, dl);
	memset(m.b + pre + dl, ' ', hlen - dl - 1);
	m.b[total - 1] = '\n';
	if (dlen)
		memcpy(m.b + total, data, dlen);
	return m;
}

/* Loads from memory and expects the message to start with want. */
static void refuse(struct img m, const char *want)
{
	struct dense d = { 1, 1, NULL };
	struct err e;

	if (npy_load_mem("x.npy", m.b, m.n, &d, &e) == 0)
		fail_msg("accepted; wanted '%s'", want);
	if (strncmp(e.msg, want, strlen(want)) != 0)
		fail_msg("message '%s'; wanted '%s'", e.msg, want);
	assert_null(d.v);
	assert_int_equal(d.rows, 0);
	free(m.b);
}

static const char *tmp_path(char *buf, size_t n, const char *tag)
{
	snprintf(buf, n, "/tmp/relabel-npy-%ld-%s.npy", (long)getpid(), tag);
	return buf;
}

static void test_round_trip(void **state)
{
	struct dense m, back;
	struct err e;
	char path[128];
	float maxd = 0;
	unsigned char head[10];
	FILE *f;

	(void)state;
	dense_init(&m, 37, 5);
	for (size_t i = 0; i < 37 * 5; i++)
		m.v[i] = (float)i * 0.25f - 7.125f + (i % 3 ? 1e-7f : -3e10f);
	tmp_path(path, sizeof path, "rt");
	assert_int_equal(npy_save(path, &m, &e), 0);
	if (npy_load(path, &back, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(back.rows, 37);
	assert_int_equal(back.cols, 5);
	for (size_t i = 0; i < 37 * 5; i++)
		maxd = fmaxf(maxd, fabsf(back.v[i] - m.v[i]));
	printf("round trip: largest difference %g\n", (double)maxd);
	assert_true(maxd == 0);

	/* Version 1.0, data on a 64-byte boundary, '<f4' in the dict. */
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(head, 1, 10, f), 10);
	fclose(f);
	assert_memory_equal(head, "\x93NUMPY\x01\x00", 8);
	assert_int_equal((10 + head[8] + 256 * head[9]) % 64, 0);
	unlink(path);
	dense_free(&m);
	dense_free(&back);
}

static void test_float64_and_versions(void **state)
{
	double v[6] = { 1.5, -2.25, 3e-3, 1e30, -0.0, 42 };
	const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
	struct dense d;
	struct err e;
	char path[128];

	(void)state;
	for (int major = 1; major <= 3; major++) {
		struct img m = npy_bytes(major, dict, v, sizeof v);

		if (npy_load_mem("x.npy", m.b, m.n, &d, &e) != 0)
			fail_msg("version %d: %s", major, e.msg);
		assert_int_equal(d.rows, 2);
		assert_int_equal(d.cols, 3);
		for (int i = 0; i < 6; i++)
			assert_true(d.v[i] == (float)v[i]);
		dense_free(&d);
		free(m.b);
	}

	/* The file path converts in steps; same values. */
	{
		struct img m = npy_bytes(2, dict, v, sizeof v);
		FILE *f = fopen(tmp_path(path, sizeof path, "f8"), "wb");

		assert_int_equal(fwrite(m.b, 1, m.n, f), m.n);
		fclose(f);
		free(m.b);
		if (npy_load(path, &d, &e) != 0)
			fail_msg("%s", e.msg);
		assert_true(d.v[3] == 1e30f && d.v[2] == (float)3e-3);
		dense_free(&d);
		unlink(path);
	}
}

static void test_one_dim_and_spacing(void **state)
{
	float v[4] = { 1, 2, 3, 4 };
	struct dense d;
	struct err e;
	struct img m;

	(void)state;
	/* A 1-D array is one column; Python 2 wrote 4L; key order free. */
	m = npy_bytes(1, "{\"shape\":(4L,),'fortran_order':False,'descr':'<f4'}",
		      v, sizeof v);
	if (npy_load_mem("x.npy", m.b, m.n, &d, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(d.rows, 4);
	assert_int_equal(d.cols, 1);
	assert_true(d.v[3] == 4);
	dense_free(&d);
	free(m.b);

	/* No rows is an empty matrix, not an error. */
	m = npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7), }",
		      NULL, 0);
	assert_int_equal(npy_load_mem("x.npy", m.b, m.n, &d, &e), 0);
	assert_int_equal(d.rows, 0);
	assert_int_equal(d.cols, 7);
	dense_free(&d);
	free(m.b);
}

static struct img f4(const char *shape_dict, size_t nvals)
{
	float *v = xcalloc(nvals ? nvals : 1, sizeof *v);
	struct img m = npy_bytes(1, shape_dict, v, nvals * sizeof *v);

	free(v);
	return m;
}

static void test_refusals(void **state)
{
	unsigned char big[12] = "\x93NUMPY\x02\x00";
	struct img m;

	(void)state;
	refuse(f4("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 2),
	       "x.npy: data type '>f4' is not supported");
	refuse(f4("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", 2),
	       "x.npy: data type '<i8' is not supported");
	refuse(f4("{'descr': '|u1', 'fortran_order': False, 'shape': (8,), }", 2),
	       "x.npy: data type '|u1' is not supported");
	refuse(f4("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 2),
	       "x.npy: .npy header: 'descr' is not a simple type");
	refuse(f4("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 1), }", 2),
	       "x.npy: array is in Fortran order");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 1), }", 2),
	       "x.npy: array has 3 dimensions");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 1),
	       "x.npy: array has 0 dimensions");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 5),
	       "x.npy: truncated data: the shape needs 24 bytes, the file has 20");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 7),
	       "x.npy: 4 bytes after the data");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 2), }", 1),
	       "x.npy: array too large");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, "
		  "'shape': (18446744073709551615, 18446744073709551615), }", 1),
	       "x.npy: array too large");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, "
		  "'shape': (99999999999999999999999, 1), }", 1),
	       "x.npy: array too large");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", 1),
	       "x.npy: .npy header: bad number in 'shape'");
	refuse(f4("{'descr': '<f4', 'fortran_order': False}", 1),
	       "x.npy: .npy header lacks 'shape'");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", 1),
	       "x.npy: .npy header: unexpected key 'x'");
	refuse(f4("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", 1),
	       "x.npy: .npy header: unexpected key 'descr'");
	refuse(f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} x", 1),
	       "x.npy: .npy header: text after the dict");

	m = f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 1);
	m.b[0] = 'P';
	refuse(m, "x.npy: not a .npy file");
	m = f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 1);
	m.b[6] = 4;
	refuse(m, "x.npy: .npy format version 4.0 is not supported");
	m = f4("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 1);
	m.n = 40;
	refuse(m, "x.npy: truncated .npy header");

	/* A header length past the limit is refused before it is read. */
	big[8] = 0x21;
	big[9] = 0x4E;	/* 20001 */
	m.b = xmalloc(sizeof big);
	memcpy(m.b, big, sizeof big);
	m.n = sizeof big;
	refuse(m, "x.npy: .npy header too long (20001 bytes; at most 10000)");
}

static void test_not_finite(void **state)
{
	const char *d23 = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
	const char *d8 = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
	float v[6] = { 0, 1, 2, 3, 4, 5 };
	double w[3] = { 1, 2, 1e300 };

	(void)state;
	v[5] = NAN;
	refuse(npy_bytes(1, d23, v, sizeof v), "x.npy: x[1, 2] is NaN");
	v[5] = 0;
	v[1] = -INFINITY;
	refuse(npy_bytes(1, d23, v, sizeof v), "x.npy: x[0, 1] is infinite");
	refuse(npy_bytes(1, d8, w, sizeof w),
	       "x.npy: x[2, 0] is beyond float32 range");
}

static void test_file_errors(void **state)
{
	const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (10000000, 100), }";
	struct img m = npy_bytes(1, dict, "\0\0\0\0", 4);
	struct dense d;
	struct err e;
	char path[128];
	FILE *f = fopen(tmp_path(path, sizeof path, "trunc"), "wb");

	(void)state;
	/* A 4 GB shape over a small file: refused from the file's size,
	 * before allocating. */
	assert_int_equal(fwrite(m.b, 1, m.n, f), m.n);
	fclose(f);
	free(m.b);
	assert_int_equal(npy_load(path, &d, &e), -1);
	assert_non_null(strstr(e.msg, "truncated data"));
	assert_null(d.v);
	unlink(path);

	assert_int_equal(npy_load("/nonexistent/x.npy", &d, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/x.npy"));
	f = fopen(path, "wb");
	fclose(f);
	assert_int_equal(npy_load(path, &d, &e), -1);
	assert_non_null(strstr(e.msg, "not a .npy file"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_float64_and_versions),
		cmocka_unit_test(test_one_dim_and_spacing),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_not_finite),
		cmocka_unit_test(test_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
