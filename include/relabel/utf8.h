/* utf8.h - UTF-8 checking, decoding, display width, and making
 * untrusted text safe to show on a terminal.
 */
#ifndef RELABEL_UTF8_H
#define RELABEL_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/mem.h"

/* Returns 0 when s[0..n) is valid UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF); else -1 with *bad set to the offset of the
 * first bad byte (bad may be NULL). */
int utf8_check(const char *s, size_t n, size_t *bad);

/* Decodes one code point at s (n bytes available).  Returns its length
 * in bytes (1..4) and sets *cp; an invalid sequence returns 1 with
 * *cp = 0xFFFFFFFF. */
int utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Appends s[0..n) to out with every control character (C0, DEL, C1),
 * bidirectional override and invalid byte written as a visible escape
 * (\n, \t, \e, \x1f, \u{202e}, ...).  A backslash is kept as it is. */
void utf8_escape(struct strbuf *out, const char *s, size_t n);

/* Terminal columns one code point takes: 0, 1 or 2 (wcwidth, with
 * non-printable code points counted as the width of their escape). */
int utf8_cp_width(uint32_t cp);

/* Columns s[0..n) takes once escaped. */
size_t utf8_width(const char *s, size_t n);

#endif
