/* test_keys.c - the key map: defaults, the key file parser and its
 * messages, key names, and assets/keys.conf matching the defaults. */
#include "unit.h"

#include <string.h>

#include "relabel/err.h"
#include "relabel/keys.h"

static void parse_ok(struct keys *k, const char *text)
{
	struct err e = { "" };

	if (keys_parse(k, "test.conf", text, strlen(text), &e))
		fail_msg("%s", e.msg);
}

/* Parses text and checks the message holds want. */
static void parse_bad(const char *text, const char *want)
{
	struct keys k;
	struct err e = { "" };

	keys_init(&k);
	assert_int_equal(keys_parse(&k, "keys.conf", text, strlen(text), &e),
			 -1);
	print_message("message: %s\n", e.msg);
	assert_non_null(strstr(e.msg, want));
	keys_free(&k);
}

static void expect(const struct keys *k, int key, enum action act, int arg)
{
	int got_arg;
	enum action got = keys_lookup(k, key, &got_arg);

	if (got != act || got_arg != arg)
		fail_msg("key %#x: got %s %d, want %s %d", (unsigned)key,
			 keys_action_name(got), got_arg, keys_action_name(act),
			 arg);
}

static void test_defaults(void **state)
{
	struct keys k;

	(void)state;
	keys_init(&k);
	expect(&k, 'j', ACT_DOWN, 0);
	expect(&k, KEYS_DOWN, ACT_DOWN, 0);
	expect(&k, 'k', ACT_UP, 0);
	expect(&k, '1', ACT_LABEL, 1);
	expect(&k, '9', ACT_LABEL, 9);
	expect(&k, '0', ACT_LABEL, 10);
	expect(&k, 'a', ACT_CONFIRM, 0);
	expect(&k, 's', ACT_SKIP, 0);
	expect(&k, 'u', ACT_UNDO, 0);
	expect(&k, 'U', ACT_REDO, 0);
	expect(&k, '/', ACT_SEARCH, 0);
	expect(&k, 'f', ACT_FILTER, 0);
	expect(&k, 'o', ACT_ORDER, 0);
	expect(&k, 'A', ACT_ANNOTATORS, 0);
	expect(&k, 'm', ACT_NOISE, 0);
	expect(&k, 'q', ACT_QUIT, 0);
	expect(&k, '?', ACT_HELP, 0);
	expect(&k, KEYS_ENTER, ACT_OPEN, 0);
	expect(&k, 'Z', ACT_NONE, 0);
	keys_free(&k);
}

/* The shipped key file documents exactly the built-in table. */
static void test_assets_match_defaults(void **state)
{
	struct keys def, file = { 0 };
	struct err e = { "" };

	(void)state;
	keys_init(&def);
	if (keys_load_file(&file, "../../assets/keys.conf", &e) != 0)
		fail_msg("assets/keys.conf: %s", e.msg);
	print_message("defaults %zu bindings, file %zu\n", def.n, file.n);
	assert_int_equal(def.n, file.n);
	for (size_t i = 0; i < def.n; i++)
		expect(&file, def.b[i].key, def.b[i].act, def.b[i].arg);
	keys_free(&def);
	keys_free(&file);
}

static void test_overrides(void **state)
{
	static const char *const names[] = { "ankle-boot", "bag", "trouser" };
	struct keys k;
	struct err e = { "" };

	(void)state;
	keys_init(&k);
	parse_ok(&k, "# remap\n"
		 "   # indented comment\n"
		 "j = up\r\n"
		 "x = label 3   # trailing comment\n"
		 "T = label trouser\n"
		 "q = none\n"
		 "hash = help\n"
		 "\t\n"
		 "C-x = quit\n"
		 "F12 = runs\n"
		 "\xc3\xa9 = label 2\n"
		 "= = zoom-out");
	expect(&k, 'j', ACT_UP, 0);
	expect(&k, 'x', ACT_LABEL, 3);
	expect(&k, 'q', ACT_NONE, 0);
	expect(&k, '#', ACT_HELP, 0);
	expect(&k, 24, ACT_QUIT, 0);
	expect(&k, KEYS_F1 + 11, ACT_RUNS, 0);
	expect(&k, 0xe9, ACT_LABEL, 2);
	expect(&k, '=', ACT_ZOOM_OUT, 0);
	/* A class name means nothing until resolved. */
	expect(&k, 'T', ACT_NONE, 0);
	if (keys_resolve(&k, names, 3, &e))
		fail_msg("%s", e.msg);
	expect(&k, 'T', ACT_LABEL, 3);
	keys_free(&k);
}

static void test_errors(void **state)
{
	struct keys k;
	struct err e = { "" };

	(void)state;
	parse_bad("j = down\nfoo bar\n", "keys.conf:2: expected 'KEY = ACTION'");
	parse_bad("\n\nj = jump\n", "keys.conf:3: unknown action 'jump'");
	parse_bad("j = jump\n", "the actions are: none down up");
	parse_bad("Ctrl-x = up\n", "keys.conf:1: unknown key 'Ctrl-x'");
	parse_bad("F13 = up\n", "unknown key 'F13'");
	parse_bad("x = label\n", "keys.conf:1: 'label' needs a class");
	parse_bad("x = down 3\n", "only 'label' takes an argument");
	parse_bad("x = label 0\n", "class number '0' is not from 1 to 1000");
	parse_bad("x = label 3 4\n", "expected 'KEY = ACTION'");
	parse_bad("x : down\n", "expected 'KEY = ACTION'");
	parse_bad("\x1b = down\n", "unknown key '\\e'");

	keys_init(&k);
	parse_ok(&k, "\nz = label shirt\n");
	assert_int_equal(keys_resolve(&k, (const char *const[]){ "a", "b" },
				      2, &e), -1);
	print_message("message: %s\n", e.msg);
	assert_non_null(strstr(e.msg, "test.conf:2: no class named 'shirt'"));
	keys_free(&k);
}

/* Every default key's name parses back to the key. */
static void test_names_round_trip(void **state)
{
	struct keys k;
	struct strbuf b;

	(void)state;
	keys_init(&k);
	strbuf_init(&b);
	for (size_t i = 0; i < k.n; i++) {
		int back = -1;

		strbuf_reset(&b);
		keys_name(k.b[i].key, &b);
		assert_int_equal(keys_parse_key(b.s, b.len, &back), 0);
		assert_int_equal(back, k.b[i].key);
	}
	strbuf_reset(&b);
	assert_int_equal(keys_for(&k, ACT_DOWN, 0, ", ", &b), 2);
	assert_string_equal(b.s, "j, down");
	strbuf_reset(&b);
	assert_int_equal(keys_for(&k, ACT_LABEL, 10, ", ", &b), 1);
	assert_string_equal(b.s, "0");
	strbuf_free(&b);
	keys_free(&k);
}

static void test_missing_file(void **state)
{
	struct keys k = { 0 };
	struct err e = { "" };

	(void)state;
	assert_int_equal(keys_load_file(&k, "no/such/keys.conf", &e), 1);
	assert_int_equal(k.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_assets_match_defaults),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
