/* textfeat.c - tokens, hashed unigrams and bigrams, sparse rows. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/mem.h"
#include "relabel/textfeat.h"

/* One column of a row being built. */
struct textfeat_cell {
	uint32_t col;
	float v;
};

/* Buffers reused from one text to the next. */
struct textfeat_work {
	char *low;			/* lower-cased text */
	size_t low_cap;
	char *term;			/* "a b" for a bigram */
	size_t term_cap;
	uint32_t *hash;			/* one per term occurrence */
	size_t hash_cap;
	struct textfeat_cell *cell;	/* one per distinct term */
	size_t cell_cap;
};

/* The output matrix while it grows. */
struct textfeat_out {
	struct csr *m;
	size_t nnz, cap;
};

static uint32_t textfeat_rotl(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

uint32_t textfeat_hash(const void *data, size_t n, uint32_t seed)
{
	const unsigned char *p = data;
	const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
	uint32_t h = seed, k;
	size_t i;

	/* Blocks of four bytes, read little-endian whatever the host. */
	for (i = 0; i + 4 <= n; i += 4) {
		k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
		    (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
		k = textfeat_rotl(k * c1, 15) * c2;
		h = textfeat_rotl(h ^ k, 13) * 5 + 0xe6546b64u;
	}

	/* The last one to three bytes. */
	k = 0;
	switch (n & 3) {
	case 3:
		k ^= (uint32_t)p[i + 2] << 16;
		/* fall through */
	case 2:
		k ^= (uint32_t)p[i + 1] << 8;
		/* fall through */
	case 1:
		k ^= p[i];
		h ^= textfeat_rotl(k * c1, 15) * c2;
	}

	/* Final avalanche. */
	h ^= (uint32_t)n;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static int textfeat_is_tok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

size_t textfeat_next(const char *text, size_t len, size_t *pos,
		     size_t *start)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = *pos, j;

	while (i < len && !textfeat_is_tok(s[i]))
		i++;
	for (j = i; j < len && textfeat_is_tok(s[j]); j++)
		;
	*start = i;
	*pos = j;
	return j - i;
}

static void *textfeat_grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need > 2 * *cap ? need : 2 * *cap;
	return xreallocarray(p, *cap, size);
}

/* Hashes every unigram and bigram of the text into w->hash; returns how
 * many there are. */
static size_t textfeat_terms(struct textfeat_work *w, const char *text,
			     size_t len)
{
	size_t pos = 0, start, tl, prev = 0, prev_len = 0, nh = 0;

	/* A text of len bytes has at most len / 2 + 1 tokens. */
	w->low = textfeat_grow(w->low, &w->low_cap, len + 1, 1);
	w->hash = textfeat_grow(w->hash, &w->hash_cap, len + 2,
				sizeof *w->hash);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		w->low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}

	while ((tl = textfeat_next(w->low, len, &pos, &start)) > 0) {
		w->hash[nh++] = textfeat_hash(w->low + start, tl,
					      TEXTFEAT_SEED);
		if (prev_len) {
			/* A bigram is its two tokens with a space between. */
			size_t bl = prev_len + 1 + tl;

			w->term = textfeat_grow(w->term, &w->term_cap, bl, 1);
			memcpy(w->term, w->low + prev, prev_len);
			w->term[prev_len] = ' ';
			memcpy(w->term + prev_len + 1, w->low + start, tl);
			w->hash[nh++] = textfeat_hash(w->term, bl,
						      TEXTFEAT_SEED);
		}
		prev = start;
		prev_len = tl;
	}
	return nh;
}

static int textfeat_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static int textfeat_cmp_cell(const void *a, const void *b)
{
	const struct textfeat_cell *x = a, *y = b;

	return (x->col > y->col) - (x->col < y->col);
}

/* Counts equal hashes (the same term) and turns each into a signed
 * log(1 + tf) cell; returns the number of cells. */
static size_t textfeat_count(struct textfeat_work *w, size_t nh)
{
	size_t nc = 0;

	qsort(w->hash, nh, sizeof *w->hash, textfeat_cmp_u32);
	w->cell = textfeat_grow(w->cell, &w->cell_cap, nh ? nh : 1,
				sizeof *w->cell);
	for (size_t i = 0, j; i < nh; i = j) {
		uint32_t h = w->hash[i];

		for (j = i + 1; j < nh && w->hash[j] == h; j++)
			;
		w->cell[nc].col = h & (uint32_t)(TEXTFEAT_BUCKETS - 1);
		w->cell[nc].v = (h >> 31 ? -1.0f : 1.0f) *
				(float)log1p((double)(j - i));
		nc++;
	}
	return nc;
}

/* Sums cells that share a column, drops zeros, scales to unit norm and
 * appends the row to the output. */
static void textfeat_emit(struct textfeat_work *w, size_t nc,
			  struct textfeat_out *o)
{
	size_t base = o->nnz, k = base;
	double norm = 0.0;

	qsort(w->cell, nc, sizeof *w->cell, textfeat_cmp_cell);
	if (o->nnz + nc > o->cap) {
		o->m->col = textfeat_grow(o->m->col, &o->cap, o->nnz + nc,
					  sizeof *o->m->col);
		o->m->val = xreallocarray(o->m->val, o->cap,
					  sizeof *o->m->val);
	}
	for (size_t i = 0, j; i < nc; i = j) {
		double sum = 0.0;

		for (j = i; j < nc && w->cell[j].col == w->cell[i].col; j++)
			sum += w->cell[j].v;
		if (sum == 0.0)
			continue;
		o->m->col[k] = w->cell[i].col;
		o->m->val[k++] = (float)sum;
		norm += sum * sum;
	}

	norm = sqrt(norm);
	for (size_t i = base; i < k; i++)
		o->m->val[i] = (float)(o->m->val[i] / norm);
	o->nnz = k;
}

int textfeat_build(const char *const *texts, const size_t *lens, size_t n,
		   struct csr *out, struct err *e)
{
	struct textfeat_work w = { 0 };
	struct textfeat_out o = { .m = out };

	memset(out, 0, sizeof *out);
	if (n >= SIZE_MAX / sizeof *out->rowptr)
		return err_set(e, "%zu texts do not fit in memory", n);
	out->rows = n;
	out->cols = TEXTFEAT_BUCKETS;
	out->rowptr = xcalloc(n + 1, sizeof *out->rowptr);
	out->col = xmalloc(sizeof *out->col);
	out->val = xmalloc(sizeof *out->val);
	o.cap = 1;

	for (size_t r = 0; r < n; r++) {
		const char *t = texts[r] ? texts[r] : "";
		size_t len = lens && texts[r] ? lens[r] : strlen(t);
		size_t nh = textfeat_terms(&w, t, len);

		textfeat_emit(&w, textfeat_count(&w, nh), &o);
		out->rowptr[r + 1] = o.nnz;
	}
	free(w.low);
	free(w.term);
	free(w.hash);
	free(w.cell);
	return 0;
}

int textfeat_one(const char *text, size_t len, struct csr *out,
		 struct err *e)
{
	return textfeat_build(&text, &len, 1, out, e);
}
