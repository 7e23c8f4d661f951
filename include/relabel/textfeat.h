/* textfeat.h - text to hashed sparse features.
 *
 * Tokens are maximal runs of ASCII letters, ASCII digits and bytes
 * >= 0x80 (so every UTF-8 letter stays inside its token); ASCII letters
 * are lower-cased, other bytes kept as they are.  Terms are the tokens
 * (unigrams) and each pair of neighbouring tokens joined by one space
 * (bigrams, "free prize").
 *
 * Each term is hashed with textfeat_hash (MurmurHash3 x86_32, seed
 * TEXTFEAT_SEED) over its bytes:
 *   column = hash & (TEXTFEAT_BUCKETS - 1)     (the low 18 bits)
 *   sign   = hash >> 31 ? -1 : +1              (the top bit)
 * A term seen tf times in a text adds sign * log(1 + tf) to its column;
 * terms that share a column add up.  Each row is then scaled to unit L2
 * norm.  Columns whose sum is exactly zero are dropped, so an empty text
 * (or one without letters or digits) gives an empty row.
 *
 * Reference in Python: tokens = re.findall(rb"[A-Za-z0-9\x80-\xff]+",
 * text.lower()) (lower() on bytes touches ASCII only), terms = tokens +
 * [a + b" " + b for a, b in zip(tokens, tokens[1:])].
 */
#ifndef RELABEL_TEXTFEAT_H
#define RELABEL_TEXTFEAT_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/matrix.h"

#define TEXTFEAT_BITS 18
#define TEXTFEAT_BUCKETS ((size_t)1 << TEXTFEAT_BITS)
#define TEXTFEAT_SEED 0x5EEDu

/* MurmurHash3 x86_32 of n bytes. */
uint32_t textfeat_hash(const void *data, size_t n, uint32_t seed);

/* Finds the next token of text[0..len) at or after *pos.  Returns its
 * length (0 when there is none left) and its start in *start; *pos moves
 * past it.  The token is not lower-cased here. */
size_t textfeat_next(const char *text, size_t len, size_t *pos,
		     size_t *start);

/* Features of n texts: out is [n, TEXTFEAT_BUCKETS] with columns
 * ascending and distinct in each row.  lens[i] is the byte length of
 * texts[i]; lens may be NULL for NUL-terminated texts, and a NULL text
 * is empty.  Returns 0, or -1 if the matrix would not fit in memory
 * (out is then left empty).  Caller frees out with csr_free. */
int textfeat_build(const char *const *texts, const size_t *lens, size_t n,
		   struct csr *out, struct err *e);

/* The same for one text: a [1, TEXTFEAT_BUCKETS] matrix. */
int textfeat_one(const char *text, size_t len, struct csr *out,
		 struct err *e);

#endif
