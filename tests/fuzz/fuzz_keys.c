/* fuzz_keys.c - the key file parser on arbitrary bytes: it must accept or
 * refuse with a message, and leave a map whose every binding is sound.
 *
 * The fuzz build's library leaves out the screen's files (they need a
 * terminal), so the one pure screen file this target needs is compiled
 * in here. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/tui/keys.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(const struct keys *k)
{
	struct strbuf b;

	strbuf_init(&b);
	for (size_t i = 0; i < k->n; i++) {
		const struct keys_binding *kb = &k->b[i];
		int back = -1, arg;

		if (kb->act <= ACT_NONE || kb->act >= ACT_COUNT)
			abort();
		if (kb->act == ACT_LABEL && !kb->cls &&
		    (kb->arg < 1 || kb->arg > 1000))
			abort();
		/* One binding per key, and its name parses back to it. */
		for (size_t j = i + 1; j < k->n; j++)
			if (k->b[j].key == kb->key)
				abort();
		strbuf_reset(&b);
		keys_name(kb->key, &b);
		if (keys_parse_key(b.s, b.len, &back) || back != kb->key)
			abort();
		if (!kb->cls && keys_lookup(k, kb->key, &arg) != kb->act)
			abort();
	}
	strbuf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "ham", "spam", "t-shirt" };
	struct keys k;
	struct err e;
	struct strbuf help;

	keys_init(&k);
	if (keys_parse(&k, "fuzz.conf", (const char *)data, size, &e) == 0) {
		keys_resolve(&k, names, 3, &e);
		fuzz_check(&k);
	} else if (!e.msg[0] || memchr(e.msg, '\x1b', strlen(e.msg))) {
		abort();
	}
	strbuf_init(&help);
	for (int a = 0; a < ACT_COUNT; a++)
		keys_for(&k, (enum action)a, 0, " ", &help);
	strbuf_free(&help);
	keys_free(&k);
	return 0;
}
