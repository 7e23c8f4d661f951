/* test_image.c - decoding, gray conversion, size limits, resizing,
 * windowing and the image feature matrix. */
#include "unit.h"

#include <math.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <stb_image_write.h>

#include "fmnist.h"
#include "relabel/err.h"
#include "relabel/image.h"
#include "relabel/matrix.h"

static const int gray8[] = { 0, 64, 128, 255, 10, 20, 30, 40,
			     200, 210, 220, 230 };
static const int gray16[] = { 0, 1, 257, 32768, 65534, 65535 };
/* rgb8.*: red, green, blue, white through the BT.601 weights. */
static const float rgb_gray[] = { 0.299f, 0.587f, 0.114f, 1.0f };

/* Largest |a[i] - b[i]|, printed so a failure shows how far off. */
static float max_diff(const float *a, const float *b, size_t n)
{
	float m = 0.0f;

	for (size_t i = 0; i < n; i++)
		if (fabsf(a[i] - b[i]) > m)
			m = fabsf(a[i] - b[i]);
	print_message("largest difference %g over %zu pixels\n", m, n);
	return m;
}

static void load_ok(const char *path, int w, int h, int bits,
		    struct image *img)
{
	struct err e = { "" };

	if (image_load(path, img, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(img->w, w);
	assert_int_equal(img->h, h);
	assert_int_equal(img->bits, bits);
}

static void test_png8_gray(void **state)
{
	struct image img;
	float want[12];

	(void)state;
	for (int i = 0; i < 12; i++)
		want[i] = gray8[i] / 255.0f;
	load_ok("data/gray8.png", 4, 3, 8, &img);
	assert_true(max_diff(img.px, want, 12) < 1e-6f);
	image_free(&img);

	load_ok("data/gray8.pgm", 4, 3, 8, &img);
	assert_true(max_diff(img.px, want, 12) < 1e-6f);
	image_free(&img);
	assert_null(img.px);
}

static void test_png16_keeps_depth(void **state)
{
	const char *files[] = { "data/gray16.png", "data/gray16.pgm" };
	struct image img;
	float want[6];

	(void)state;
	for (int i = 0; i < 6; i++)
		want[i] = gray16[i] / 65535.0f;
	for (int f = 0; f < 2; f++) {
		load_ok(files[f], 3, 2, 16, &img);
		assert_true(max_diff(img.px, want, 6) < 1e-7f);
		/* 1 and 257 differ only below the eighth bit. */
		assert_true(img.px[1] > 0.0f && img.px[1] < img.px[2]);
		image_free(&img);
	}
}

static void test_colour_to_luma(void **state)
{
	const char *files[] = { "data/rgb8.png", "data/rgb8.ppm",
				"data/rgb24.bmp" };
	struct image img;

	(void)state;
	for (int f = 0; f < 3; f++) {
		load_ok(files[f], 2, 2, 8, &img);
		assert_true(max_diff(img.px, rgb_gray, 4) < 1e-6f);
		image_free(&img);
	}

	/* Alpha is ignored; 16-bit colour keeps its depth. */
	load_ok("data/rgba8.png", 2, 1, 8, &img);
	assert_true(fabsf(img.px[0] - 200 / 255.0f) < 1e-6f);
	assert_true(fabsf(img.px[1] - 200 / 255.0f) < 1e-6f);
	image_free(&img);
	load_ok("data/rgb16.png", 1, 1, 16, &img);
	assert_true(fabsf(img.px[0] - 0.299f) < 1e-6f);
	image_free(&img);
}

static void write_file(void *ctx, void *data, int size)
{
	fwrite(data, 1, (size_t)size, ctx);
}

/* A constant w x h JPEG of comp channels, written with stb_image_write
 * to a temporary file whose name goes into path. */
static void make_jpeg(char *path, int comp, const unsigned char *colour)
{
	unsigned char px[16 * 16 * 3];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	assert_non_null(f);
	for (int i = 0; i < 16 * 16; i++)
		memcpy(px + i * comp, colour, (size_t)comp);
	assert_true(stbi_write_jpg_to_func(write_file, f, 16, 16, comp, px,
					   95) != 0);
	fclose(f);
}

static void test_jpeg(void **state)
{
	char path[] = "/tmp/relabel-test-XXXXXX";
	const unsigned char g[] = { 128 }, c[] = { 200, 100, 50 };
	float want = (0.299f * 200 + 0.587f * 100 + 0.114f * 50) / 255.0f;
	float wg[256], wc[256];
	struct image img;

	(void)state;
	for (int i = 0; i < 256; i++) {
		wg[i] = 128 / 255.0f;
		wc[i] = want;
	}
	make_jpeg(path, 1, g);
	load_ok(path, 16, 16, 8, &img);
	unlink(path);
	assert_true(max_diff(img.px, wg, 256) <= 2 / 255.0f);
	image_free(&img);

	/* Colour is lossy in JPEG's chroma: allow a few levels. */
	strcpy(path, "/tmp/relabel-test-XXXXXX");
	make_jpeg(path, 3, c);
	load_ok(path, 16, 16, 8, &img);
	unlink(path);
	assert_true(max_diff(img.px, wc, 256) <= 4 / 255.0f);
	image_free(&img);
}

static void load_fails(const char *path, const char *want1,
		       const char *want2)
{
	struct err e = { "" };
	struct image img = { 1, 1, NULL, 8 };

	assert_int_equal(image_load(path, &img, &e), -1);
	print_message("%s\n", e.msg);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, want1));
	if (want2)
		assert_non_null(strstr(e.msg, want2));
	assert_null(img.px);
	assert_int_equal(img.w, 0);
}

static void test_refusals(void **state)
{
	(void)state;
	load_fails("data/huge.png", "image is 100000 x 100000 pixels",
		   "the limit is 16384 on a side");
	load_fails("data/truncated.png", "not a readable image (stb: ", NULL);
	load_fails("data/notimage.txt", "not a readable image (stb: ", NULL);
	load_fails("data/no-such-file.png", "cannot open", NULL);
	load_fails("data", "not a regular file", NULL);
}

/* A PNG signature and IHDR claiming w x h, nothing after. */
static size_t png_header(unsigned char *b, uint32_t w, uint32_t h)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r',
					      '\n', 0x1a, '\n' };
	const unsigned char fixed[] = { 0, 0, 0, 13, 'I', 'H', 'D', 'R' };
	uLong crc;

	memcpy(b, sig, 8);
	memcpy(b + 8, fixed, 8);
	for (int i = 0; i < 4; i++) {
		b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
		b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	memcpy(b + 24, "\x08\x00\x00\x00\x00", 5);
	crc = crc32(0, b + 12, 17);
	for (int i = 0; i < 4; i++)
		b[29 + i] = (unsigned char)(crc >> (24 - 8 * i));
	return 33;
}

static void test_limits_in_memory(void **state)
{
	unsigned char b[64];
	struct err e = { "" };
	struct image img;
	size_t n;

	(void)state;
	/* Each side fits, the product does not. */
	n = png_header(b, 10000, 10000);
	assert_int_equal(image_load_mem("big", b, n, &img, &e), -1);
	print_message("%s\n", e.msg);
	assert_non_null(strstr(e.msg, "big: image is 10000 x 10000 pixels"));
	assert_non_null(strstr(e.msg, "64 Mi pixels"));

	/* Within the limits the header alone is not an image. */
	n = png_header(b, 100, 100);
	assert_int_equal(image_load_mem("small", b, n, &img, &e), -1);
	assert_non_null(strstr(e.msg, "small: not a readable image"));
	assert_int_equal(image_load_mem("empty", b, 0, &img, &e), -1);
	assert_non_null(strstr(e.msg, "empty: not a readable image"));
}

static void test_pnm_maxval(void **state)
{
	/* A 12-bit X-ray as PGM: samples run to maxval 4095. */
	const unsigned char p16[] = "P5\n# 12 bit\n2 1\n4095\n\x0f\xff\x08\x00";
	const unsigned char p8[] = "P5 3 1 100\n\x00\x32\x64";
	const float w16[] = { 1.0f, 2048 / 4095.0f }, w8[] = { 0, 0.5f, 1 };
	struct err e = { "" };
	struct image img;

	(void)state;
	assert_int_equal(image_load_mem("p16", p16, sizeof p16 - 1, &img, &e),
			 0);
	assert_int_equal(img.bits, 16);
	assert_true(max_diff(img.px, w16, 2) < 1e-6f);
	image_free(&img);
	assert_int_equal(image_load_mem("p8", p8, sizeof p8 - 1, &img, &e), 0);
	assert_int_equal(img.bits, 8);
	assert_true(max_diff(img.px, w8, 3) < 1e-6f);
	image_free(&img);

	/* One sample byte short, at either depth. */
	assert_int_equal(image_load_mem("short", p16, sizeof p16 - 2, &img,
					&e), -1);
	print_message("%s\n", e.msg);
	assert_non_null(strstr(e.msg, "short: not a readable image"));
	assert_int_equal(image_load_mem("short8", p8, sizeof p8 - 2, &img,
					&e), -1);
	assert_non_null(strstr(e.msg, "short8: not a readable image"));
}

static void test_resize_constant(void **state)
{
	const int sizes[][2] = { { 3, 3 }, { 20, 13 }, { 1, 1 }, { 7, 5 } };
	struct image img, r;
	float want[20 * 13];

	(void)state;
	for (int i = 0; i < 20 * 13; i++)
		want[i] = 100 / 255.0f;
	load_ok("data/const.png", 7, 5, 8, &img);
	for (int s = 0; s < 4; s++) {
		int w = sizes[s][0], h = sizes[s][1];

		assert_int_equal(image_resize(&img, w, h, &r), 0);
		assert_int_equal(r.w, w);
		assert_int_equal(r.h, h);
		assert_true(max_diff(r.px, want, (size_t)w * h) < 1e-5f);
		image_free(&r);
	}
	assert_int_equal(image_resize(&img, 0, 3, &r), -1);
	assert_int_equal(image_resize(&img, 3, IMAGE_MAX_SIDE + 1, &r), -1);
	assert_null(r.px);
	image_free(&img);
}

static void test_resize_stays_in_range(void **state)
{
	struct image img, r;

	(void)state;
	/* Black and white edges make the filters overshoot. */
	load_ok("data/gray8.png", 4, 3, 8, &img);
	assert_int_equal(image_resize(&img, 17, 11, &r), 0);
	for (int i = 0; i < 17 * 11; i++)
		assert_true(r.px[i] >= 0.0f && r.px[i] <= 1.0f);
	image_free(&r);
	image_free(&img);
}

static void test_window(void **state)
{
	float px[] = { 0.0f, 0.25f, 0.5f, 0.6f, 0.75f, 1.0f };
	float want[] = { 0.0f, 0.0f, 0.5f, 0.7f, 1.0f, 1.0f };
	float inv[6], thr[] = { 0, 0, 1, 1, 1, 1 };
	struct image in = { 6, 1, px, 8 }, out;

	(void)state;
	image_window(&in, 0.5f, 0.5f, 0, &out);
	assert_true(max_diff(out.px, want, 6) < 1e-6f);
	image_free(&out);

	for (int i = 0; i < 6; i++)
		inv[i] = 1.0f - want[i];
	image_window(&in, 0.5f, 0.5f, 1, &out);
	assert_true(max_diff(out.px, inv, 6) < 1e-6f);
	image_free(&out);

	/* No width: a threshold; in place on the input. */
	image_window(&in, 0.5f, 0.0f, 0, &in);
	assert_true(max_diff(px, thr, 6) == 0.0f);
}

struct fm_dir {
	char dir[64];
	char **paths;
	size_t n;
};

/* Writes the first n Fashion-MNIST training images as PNG files. */
static int fm_write(struct fm_dir *d, const float *x, size_t n)
{
	unsigned char px[784];

	strcpy(d->dir, "/tmp/relabel-test-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	d->n = n;
	d->paths = calloc(n, sizeof *d->paths);
	for (size_t i = 0; i < n; i++) {
		d->paths[i] = malloc(96);
		snprintf(d->paths[i], 96, "%s/%05zu.png", d->dir, i);
		for (int k = 0; k < 784; k++)
			px[k] = (unsigned char)lrintf(x[i * 784 + k] * 255.0f);
		if (!stbi_write_png(d->paths[i], 28, 28, 1, px, 28))
			return -1;
	}
	return 0;
}

static void fm_remove(struct fm_dir *d)
{
	for (size_t i = 0; i < d->n; i++) {
		unlink(d->paths[i]);
		free(d->paths[i]);
	}
	free(d->paths);
	rmdir(d->dir);
}

static void test_features_fmnist(void **state)
{
	enum { N = 300 };
	static float x[N * 784];
	static int y[N];
	struct fm_dir d;
	struct dense m;
	struct err e = { "" };

	(void)state;
	if (fmnist_load("train", N, x, y) < 0)
		skip();
	assert_int_equal(fm_write(&d, x, N), 0);

	/* At the native size the rows are the pixels exactly. */
	if (image_features((const char *const *)d.paths, N, 28, &m, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(m.rows, N);
	assert_int_equal(m.cols, 784);
	assert_true(max_diff(m.v, x, (size_t)N * 784) < 1e-6f);
	dense_free(&m);

	/* Smaller: the right shape, every value in [0,1]. */
	assert_int_equal(image_features((const char *const *)d.paths, N, 14,
					&m, &e), 0);
	assert_int_equal(m.cols, 196);
	for (size_t i = 0; i < m.rows * m.cols; i++)
		assert_true(m.v[i] >= 0.0f && m.v[i] <= 1.0f);
	dense_free(&m);
	fm_remove(&d);
}

static void test_features_first_error(void **state)
{
	enum { N = 200 };
	const char *paths[N];
	struct dense m;
	struct err e = { "" };

	(void)state;
	for (int i = 0; i < N; i++)
		paths[i] = "data/gray8.png";
	paths[150] = "data/notimage.txt";
	paths[77] = "data/huge.png";
	paths[190] = "data/missing.png";

	/* Whichever thread gets there first, the earliest row is named. */
	for (int rep = 0; rep < 5; rep++) {
		assert_int_equal(image_features(paths, N, 8, &m, &e), -1);
		assert_non_null(strstr(e.msg, "data/huge.png: image is"));
		assert_null(m.v);
	}
	assert_int_equal(image_features(paths, 77, 8, &m, &e), 0);
	assert_int_equal(m.rows, 77);
	dense_free(&m);
	assert_int_equal(image_features(paths, 3, 0, &m, &e), -1);
	assert_non_null(strstr(e.msg, "image size 0"));
	assert_int_equal(image_features(paths, 0, 8, &m, &e), 0);
	assert_int_equal(m.rows, 0);
	dense_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png8_gray),
		cmocka_unit_test(test_png16_keeps_depth),
		cmocka_unit_test(test_colour_to_luma),
		cmocka_unit_test(test_jpeg),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_limits_in_memory),
		cmocka_unit_test(test_pnm_maxval),
		cmocka_unit_test(test_resize_constant),
		cmocka_unit_test(test_resize_stays_in_range),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_features_fmnist),
		cmocka_unit_test(test_features_first_error),
	};

	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
