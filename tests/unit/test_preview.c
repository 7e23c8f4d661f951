/* test_preview.c - the preview renderers as pure functions: fitting,
 * the view (window, invert, zoom), half blocks, the ASCII ramp, the gray
 * palette, text wrapping with escapes and wide characters, and sixel
 * bytes decoded back with libsixel. */
#include "unit.h"

#include <locale.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <sixel.h>

#include "relabel/image.h"
#include "relabel/imgcache.h"
#include "relabel/preview.h"
#include "relabel/utf8.h"

static struct image make_image(int w, int h, const float *px)
{
	struct image img = { w, h, NULL, 8 };

	img.px = malloc((size_t)w * (size_t)h * sizeof *img.px);
	memcpy(img.px, px, (size_t)w * (size_t)h * sizeof *img.px);
	return img;
}

static void test_fit(void **state)
{
	int w, h;

	(void)state;
	/* Half blocks: square pixels, two per cell row. */
	preview_fit(28, 28, 60, 2 * 18, 1.0, &w, &h);
	assert_int_equal(w, 36);
	assert_int_equal(h, 36);
	/* ASCII: a character is twice as tall as wide. */
	preview_fit(28, 28, 60, 20, 2.0, &w, &h);
	assert_int_equal(w, 40);
	assert_int_equal(h, 20);
	/* A wide X-ray into a tall panel keeps its aspect. */
	preview_fit(3000, 1000, 100, 100, 1.0, &w, &h);
	assert_int_equal(w, 100);
	assert_int_equal(h, 33);
	preview_fit(1, 5000, 10, 10, 1.0, &w, &h);
	assert_int_equal(w, 1);
	assert_int_equal(h, 10);
	preview_fit(0, 10, 10, 10, 1.0, &w, &h);
	assert_int_equal(w, 1);
}

static void test_blocks(void **state)
{
	/* 2 x 3: the third row has no partner below it. */
	const float px[] = { 0.0f, 1.0f, 0.5f, 0.25f, 1.0f, 0.0f };
	struct image img = make_image(2, 3, px);
	struct preview_cells c;

	(void)state;
	preview_blocks(&img, &c);
	assert_int_equal(c.cols, 2);
	assert_int_equal(c.rows, 2);
	assert_int_equal(c.fg[0], 0);
	assert_int_equal(c.bg[0], 128);
	assert_int_equal(c.fg[1], 255);
	assert_int_equal(c.bg[1], 64);
	assert_int_equal(c.fg[2], 255);
	assert_int_equal(c.bg[2], 0);
	assert_int_equal(c.fg[3], 0);
	preview_cells_free(&c);
	image_free(&img);
}

static void test_ascii(void **state)
{
	const float px[] = { 0.0f, 0.5f, 1.0f, 0.95f, -1.0f, 2.0f };
	struct image img = make_image(3, 2, px);
	struct preview_cells c;

	(void)state;
	preview_ascii(&img, &c);
	assert_int_equal(c.cols, 3);
	assert_int_equal(c.rows, 2);
	assert_memory_equal(c.ch, " +@@ @", 6);
	assert_int_equal(c.fg[1], 128);
	preview_cells_free(&c);
	image_free(&img);
}

static void test_gray_palette(void **state)
{
	(void)state;
	assert_int_equal(preview_gray256(0), 16);
	assert_int_equal(preview_gray256(3), 16);
	assert_int_equal(preview_gray256(8), 232);
	assert_int_equal(preview_gray256(128), 244);
	assert_int_equal(preview_gray256(238), 255);
	assert_int_equal(preview_gray256(255), 231);
	assert_int_equal(preview_gray256(-5), 16);
	assert_int_equal(preview_gray_quant(0, 4), 0);
	assert_int_equal(preview_gray_quant(255, 4), 255);
	assert_int_equal(preview_gray_quant(100, 4), 85);
	assert_int_equal(preview_gray_quant(200, 4), 170);
}

static void test_view(void **state)
{
	/* 4 x 4 with a bright 2 x 2 centre. */
	float px[16] = { 0 };
	struct image img, out;
	struct preview_view v;
	int cw, ch;

	(void)state;
	px[5] = px[6] = px[9] = px[10] = 0.8f;
	img = make_image(4, 4, px);
	preview_view_reset(&v);
	assert_int_equal(preview_render(&img, &v, 4, 4, &out), 0);
	assert_true(fabsf(out.px[5] - 0.8f) < 1e-5f);
	image_free(&out);

	/* Inverted. */
	v.invert = 1;
	assert_int_equal(preview_render(&img, &v, 4, 4, &out), 0);
	assert_true(fabsf(out.px[0] - 1.0f) < 1e-5f);
	image_free(&out);

	/* A narrow window around 0.8 saturates the centre, blackens the
	 * rest. */
	preview_view_reset(&v);
	v.level = 0.7f;
	v.width = 0.2f;
	assert_int_equal(preview_render(&img, &v, 4, 4, &out), 0);
	assert_true(out.px[5] > 0.99f && out.px[0] < 0.01f);
	image_free(&out);

	/* Zoom 2 keeps the centre 4 / 1.5^2 -> 2 pixels: all bright. */
	preview_view_reset(&v);
	preview_view_zoom(&v, 1);
	preview_view_zoom(&v, 1);
	preview_view_crop(&v, 4, 4, &cw, &ch);
	assert_int_equal(cw, 2);
	assert_int_equal(ch, 2);
	assert_int_equal(preview_render(&img, &v, 2, 2, &out), 0);
	for (int k = 0; k < 4; k++)
		assert_true(fabsf(out.px[k] - 0.8f) < 1e-4f);
	image_free(&out);
	for (int k = 0; k < 20; k++)
		preview_view_zoom(&v, -1);
	assert_int_equal(v.zoom, 0);
	for (int k = 0; k < 100; k++)
		preview_view_contrast(&v, 1);
	assert_true(v.width >= PREVIEW_WINDOW_MIN);
	image_free(&img);
}

static void wrap(const char *text, int width, struct preview_lines *l)
{
	preview_wrap(text, width, l);
	for (size_t i = 0; i < l->n; i++) {
		size_t w = utf8_width(l->line[i], strlen(l->line[i]));

		print_message("  |%s| (%zu columns)\n", l->line[i], w);
		assert_true(w <= (size_t)width);
		for (const char *p = l->line[i]; *p; p++)
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	}
}

static void test_wrap_words(void **state)
{
	struct preview_lines l;

	(void)state;
	wrap("hello world foo", 11, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.line[0], "hello world");
	assert_string_equal(l.line[1], "foo");
	preview_lines_free(&l);

	/* A word longer than the line is broken inside. */
	wrap("abcdefghij", 4, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.line[2], "ij");
	preview_lines_free(&l);

	/* Line breaks are kept as breaks; an empty text is one empty line. */
	wrap("a\n\nb", 10, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.line[1], "");
	preview_lines_free(&l);
	wrap(NULL, 10, &l);
	assert_int_equal(l.n, 1);
	preview_lines_free(&l);
}

static void test_wrap_escapes(void **state)
{
	struct preview_lines l;

	(void)state;
	/* Control characters come out escaped, an escape is not split. */
	wrap("ab\x1b]2;x\x07 y", 6, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.line[0], "ab\\e]2");
	assert_string_equal(l.line[1], ";x\\x07");
	assert_string_equal(l.line[2], "y");
	preview_lines_free(&l);
	wrap("ab \xe2\x80\xae!", 9, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.line[1], "\\u{202e}!");
	preview_lines_free(&l);

	/* An escape wider than the line goes char by char. */
	wrap("\xe2\x80\xae", 3, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.line[2], "e}");
	preview_lines_free(&l);

	/* A tab and a carriage return too; invalid bytes as \xNN. */
	wrap("a\tb\rc\xff", 40, &l);
	assert_string_equal(l.line[0], "a\\tb\\rc\\xff");
	preview_lines_free(&l);
}

static void test_wrap_wide(void **state)
{
	struct preview_lines l;

	(void)state;
	/* Two columns a character: five columns hold two. */
	wrap("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86\xe3\x82\xad",
	     5, &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.line[0], "\xe6\x97\xa5\xe6\x9c\xac");
	preview_lines_free(&l);

	/* A wide character in a one-column panel becomes '?'. */
	wrap("\xe6\x97\xa5", 1, &l);
	assert_string_equal(l.line[0], "?");
	preview_lines_free(&l);
}

static void test_sixel_round_trip(void **state)
{
	float px[16 * 12];
	struct image img;
	struct strbuf b;
	struct err e;
	unsigned char *pixels = NULL, *palette = NULL;
	int w, h, ncolors;
	float worst = 0.0f;

	(void)state;
	for (int k = 0; k < 16 * 12; k++)
		px[k] = (float)(k % 16) / 15.0f * (k / 16 % 2 ? 1.0f : 0.5f);
	img = make_image(16, 12, px);
	strbuf_init(&b);
	if (preview_sixel(&img, &b, &e))
		fail_msg("%s", e.msg);
	assert_true(b.len > 10);
	assert_memory_equal(b.s, "\x1bP", 2);
	assert_memory_equal(b.s + b.len - 2, "\x1b\\", 2);
	assert_int_equal(sixel_decode_raw((unsigned char *)b.s, (int)b.len,
					  &pixels, &w, &h, &palette, &ncolors,
					  NULL), SIXEL_OK);
	assert_int_equal(w, 16);
	assert_int_equal(h, 12);
	for (int k = 0; k < 16 * 12; k++) {
		/* The palette holds RGB triples; gray has R = G = B. */
		float got = palette[3 * pixels[k]] / 255.0f;

		if (fabsf(got - px[k]) > worst)
			worst = fabsf(got - px[k]);
	}
	/* Sixel colour registers are percentages: 0.5% is the finest. */
	print_message("largest difference %g over %d pixels\n", worst, w * h);
	assert_true(worst < 0.0065f);
	free(pixels);
	free(palette);
	strbuf_free(&b);
	image_free(&img);
}

/* The worker decodes a queued image without anyone asking for it. */
static void test_prefetch(void **state)
{
	struct imgcache *c = imgcache_new();
	const struct image *img = NULL;
	struct timespec pause = { 0, 1000000 };
	struct err e;
	int waited = 0;

	(void)state;
	imgcache_prefetch(c, 7, "data/gray8.png");
	while (imgcache_prefetched(c) == 0 && waited++ < 5000)
		nanosleep(&pause, NULL);
	print_message("decoded ahead after about %d ms\n", waited);
	assert_int_equal(imgcache_prefetched(c), 1);
	assert_int_equal(imgcache_get(c, 7, "data/gray8.png", &img, &e), 0);
	assert_int_equal(img->w, 4);
	assert_int_equal(img->h, 3);

	/* A file that cannot be read says why; the others stay. */
	assert_int_equal(imgcache_get(c, 8, "data/missing.png", &img, &e), -1);
	assert_non_null(strstr(e.msg, "missing.png"));
	for (uint32_t k = 0; k < 20; k++)
		imgcache_prefetch(c, 100 + k, "data/gray16.png");
	assert_int_equal(imgcache_get(c, 119, "data/gray16.png", &img, &e), 0);
	assert_int_equal(img->bits, 16);
	imgcache_free(c);
}

static void test_modes(void **state)
{
	enum preview_mode m;
	struct err e;

	(void)state;
	assert_int_equal(preview_mode_parse("sixel", &m, &e), 0);
	assert_int_equal(m, PREVIEW_SIXEL);
	assert_string_equal(preview_mode_name(PREVIEW_BLOCKS), "blocks");
	assert_int_equal(preview_mode_parse("kitty", &m, &e), -1);
	assert_non_null(strstr(e.msg, "auto, sixel, blocks, ascii or none"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_gray_palette),
		cmocka_unit_test(test_view),
		cmocka_unit_test(test_wrap_words),
		cmocka_unit_test(test_wrap_escapes),
		cmocka_unit_test(test_wrap_wide),
		cmocka_unit_test(test_sixel_round_trip),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_modes),
	};

	/* Display widths come from the locale. */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "en_US.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
