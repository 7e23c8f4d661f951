/* utf8.c - decoding, width and escaping of untrusted text. */
#include <stdio.h>
#include <wchar.h>

#include "relabel/utf8.h"

#define UTF8_BAD 0xFFFFFFFFu

int utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c;
	int len;

	*cp = UTF8_BAD;
	if (n == 0)
		return 1;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}

	/* The lead byte says how many continuation bytes follow. */
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		c = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		c = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 1;
	}
	if ((size_t)len > n)
		return 1;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 1;
		c = (c << 6) | (s[i] & 0x3F);
	}

	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 1;
	*cp = c;
	return len;
}

int utf8_check(const char *s, size_t n, size_t *bad)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		int len = utf8_decode(s + i, n - i, &cp);

		if (cp == UTF8_BAD) {
			if (bad)
				*bad = i;
			return -1;
		}
		i += (size_t)len;
	}
	return 0;
}

static int is_bidi_control(uint32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F;
}

static int needs_escape(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) ||
	       is_bidi_control(cp) || cp == 0xFEFF;
}

static void escape_cp(struct strbuf *out, uint32_t cp)
{
	switch (cp) {
	case '\n': strbuf_adds(out, "\\n"); return;
	case '\r': strbuf_adds(out, "\\r"); return;
	case '\t': strbuf_adds(out, "\\t"); return;
	case 0x1B: strbuf_adds(out, "\\e"); return;
	}
	if (cp < 0x100)
		strbuf_addf(out, "\\x%02x", (unsigned)cp);
	else
		strbuf_addf(out, "\\u{%x}", (unsigned)cp);
}

void utf8_escape(struct strbuf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		int len = utf8_decode(s + i, n - i, &cp);

		if (cp == UTF8_BAD)
			strbuf_addf(out, "\\x%02x", (unsigned char)s[i]);
		else if (needs_escape(cp))
			escape_cp(out, cp);
		else
			strbuf_add(out, s + i, (size_t)len);
		i += (size_t)len;
	}
	if (!out->s)
		strbuf_add(out, "", 0);
}

int utf8_cp_width(uint32_t cp)
{
	if (cp == UTF8_BAD)
		return 4;
	if (needs_escape(cp)) {
		char tmp[16];

		if (cp == '\n' || cp == '\r' || cp == '\t' || cp == 0x1B)
			return 2;
		return cp < 0x100 ? 4 : snprintf(tmp, sizeof tmp, "\\u{%x}", cp);
	}
	int w = wcwidth((wchar_t)cp);

	return w < 0 ? 1 : w;
}

size_t utf8_width(const char *s, size_t n)
{
	size_t i = 0, w = 0;

	while (i < n) {
		uint32_t cp;
		int len = utf8_decode(s + i, n - i, &cp);

		w += (size_t)utf8_cp_width(cp);
		i += (size_t)len;
	}
	return w;
}
