/* test_utf8.c - UTF-8 checking, width and escaping of untrusted text. */
#include "unit.h"

#include <string.h>
#include <wchar.h>
#include <locale.h>

#include "relabel/utf8.h"

static char *escaped(const char *s, size_t n)
{
	struct strbuf b;

	strbuf_init(&b);
	utf8_escape(&b, s, n);
	return strbuf_take(&b);
}

static void test_check_valid_and_invalid(void **state)
{
	size_t bad = 99;

	(void)state;
	assert_int_equal(utf8_check("plain", 5, &bad), 0);
	assert_int_equal(utf8_check("caf\xc3\xa9 \xe6\x97\xa5", 9, &bad), 0);
	/* A lone continuation byte, an overlong '/', a surrogate, too high. */
	assert_int_equal(utf8_check("ab\x80", 3, &bad), -1);
	assert_int_equal(bad, 2);
	assert_int_equal(utf8_check("\xc0\xaf", 2, &bad), -1);
	assert_int_equal(bad, 0);
	assert_int_equal(utf8_check("x\xed\xa0\x80", 4, &bad), -1);
	assert_int_equal(bad, 1);
	assert_int_equal(utf8_check("\xf4\x90\x80\x80", 4, &bad), -1);
	/* Truncated sequence at the end. */
	assert_int_equal(utf8_check("ok\xe6\x97", 4, &bad), -1);
	assert_int_equal(bad, 2);
}

static void test_escape_controls(void **state)
{
	const char in[] = "a\x1b[31mred\nline\ttab\x7f\xc2\x9b!";
	char *out = escaped(in, sizeof in - 1);

	(void)state;
	assert_string_equal(out, "a\\e[31mred\\nline\\ttab\\x7f\\x9b!");
	/* Nothing below 0x20 or DEL survives. */
	for (const char *p = out; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	free(out);
}

static void test_escape_bidi_and_invalid(void **state)
{
	/* U+202E RIGHT-TO-LEFT OVERRIDE hides what a name says. */
	char *out = escaped("evil\xe2\x80\xaegnp.exe", 14);

	(void)state;
	assert_string_equal(out, "evil\\u{202e}gnp.exe");
	free(out);
	out = escaped("bad\xff\xfe", 5);
	assert_string_equal(out, "bad\\xff\\xfe");
	free(out);
	out = escaped("", 0);
	assert_string_equal(out, "");
	free(out);
}

static void test_escape_keeps_printable_unicode(void **state)
{
	const char in[] = "na\xc3\xafve \xe6\x97\xa5\xe6\x9c\xac \\n";
	char *out = escaped(in, sizeof in - 1);

	(void)state;
	assert_string_equal(out, in);
	free(out);
}

static void test_width(void **state)
{
	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		fail_msg("no C.UTF-8 locale");
	assert_int_equal(utf8_width("abc", 3), 3);
	/* Two CJK characters take two columns each. */
	assert_int_equal(utf8_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4);
	/* A combining accent takes none. */
	assert_int_equal(utf8_width("e\xcc\x81", 3), 1);
	/* Escapes are measured as drawn: "\e" is two, "\x01" four. */
	assert_int_equal(utf8_width("\x1b", 1), 2);
	assert_int_equal(utf8_width("\x01", 1), 4);
	assert_int_equal(utf8_width("\xe2\x80\xae", 3), 8);
}

static void test_decode(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	assert_int_equal(utf8_decode("\xe2\x82", 2, &cp), 1);
	assert_int_equal(cp, 0xFFFFFFFFu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_valid_and_invalid),
		cmocka_unit_test(test_escape_controls),
		cmocka_unit_test(test_escape_bidi_and_invalid),
		cmocka_unit_test(test_escape_keeps_printable_unicode),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
