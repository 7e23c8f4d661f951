/* featcache.c - writing and checking the feature cache blob. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/featcache.h"
#include "relabel/matrix.h"
#include "relabel/mem.h"

#define FEATCACHE_MAGIC "RLFEAT"
#define FEATCACHE_HEAD 48
#define FEATCACHE_TAIL 8

enum { FEATCACHE_DENSE = 0, FEATCACHE_SPARSE = 1 };

uint64_t featcache_hash(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325u ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3u;
	}
	return h;
}

static void featcache_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static void featcache_put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> 8 * i);
}

static uint32_t featcache_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t featcache_get64(const unsigned char *p)
{
	return (uint64_t)featcache_get32(p) |
	       (uint64_t)featcache_get32(p + 4) << 32;
}

static void featcache_put_float(unsigned char *p, float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	featcache_put32(p, u);
}

static float featcache_get_float(const unsigned char *p)
{
	uint32_t u = featcache_get32(p);
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

/* Payload bytes of f into *bytes; -1 if f is inconsistent or too big
 * for one allocation. */
static int featcache_payload(const struct features *f, size_t *bytes)
{
	const size_t lim = SIZE_MAX / 16;
	size_t nnz;

	if (!f->sparse) {
		if (f->d.cols && f->d.rows > lim / f->d.cols)
			return -1;
		if (f->d.rows && f->d.cols && !f->d.v)
			return -1;
		*bytes = f->d.rows * f->d.cols * 4;
		return 0;
	}
	if (!f->s.rowptr || f->s.rows >= lim ||
	    f->s.cols > (uint64_t)UINT32_MAX + 1)
		return -1;
	nnz = f->s.rowptr[f->s.rows];
	if (nnz >= lim || (nnz && (!f->s.col || !f->s.val)))
		return -1;
	*bytes = (f->s.rows + 1) * 8 + nnz * 8;
	return 0;
}

static void featcache_put_payload(const struct features *f,
				  unsigned char *p)
{
	if (!f->sparse) {
		for (size_t i = 0; i < f->d.rows * f->d.cols; i++, p += 4)
			featcache_put_float(p, f->d.v[i]);
		return;
	}
	size_t nnz = f->s.rowptr[f->s.rows];

	for (size_t r = 0; r <= f->s.rows; r++, p += 8)
		featcache_put64(p, f->s.rowptr[r]);
	for (size_t i = 0; i < nnz; i++, p += 4)
		featcache_put32(p, f->s.col[i]);
	for (size_t i = 0; i < nnz; i++, p += 4)
		featcache_put_float(p, f->s.val[i]);
}

int featcache_write(const struct features *f, uint64_t source_checksum,
		    unsigned char **blob, size_t *len)
{
	size_t payload, n;
	unsigned char *p;

	*blob = NULL;
	*len = 0;
	if (featcache_payload(f, &payload) < 0)
		return -1;
	n = FEATCACHE_HEAD + payload + FEATCACHE_TAIL;
	p = xcalloc(n, 1);

	/* Header, payload, then the checksum of both. */
	memcpy(p, FEATCACHE_MAGIC, 6);
	p[6] = FEATCACHE_VERSION & 0xff;
	p[7] = FEATCACHE_VERSION >> 8;
	featcache_put32(p + 8, f->sparse ? FEATCACHE_SPARSE : FEATCACHE_DENSE);
	featcache_put64(p + 16, f->sparse ? f->s.rows : f->d.rows);
	featcache_put64(p + 24, f->sparse ? f->s.cols : f->d.cols);
	featcache_put64(p + 32, f->sparse ? f->s.rowptr[f->s.rows] : 0);
	featcache_put64(p + 40, source_checksum);
	featcache_put_payload(f, p + FEATCACHE_HEAD);
	featcache_put64(p + n - FEATCACHE_TAIL,
			featcache_hash(p, n - FEATCACHE_TAIL, 0));
	*blob = p;
	*len = n;
	return 0;
}

static int featcache_damaged(struct err *e, const char *what)
{
	return err_set(e, "feature cache is damaged (%s); it will be rebuilt",
		       what);
}

/* Checks that rows, cols and nnz describe exactly the payload bytes,
 * without any product that could overflow. */
static int featcache_check_shape(uint32_t kind, uint64_t rows,
				 uint64_t cols, uint64_t nnz, size_t avail,
				 struct err *e)
{
	if (kind == FEATCACHE_DENSE) {
		if (nnz != 0 || (rows && !cols))
			return featcache_damaged(e, "absurd shape");
		if (cols && rows > avail / 4 / cols)
			return featcache_damaged(e, "shape larger than the "
						 "file");
		if (rows * cols * 4 != avail)
			return featcache_damaged(e, "shape does not match "
						 "size");
		return 0;
	}
	if (cols > (uint64_t)UINT32_MAX + 1)
		return featcache_damaged(e, "absurd shape");
	if (rows >= avail / 8 || nnz > avail / 8)
		return featcache_damaged(e, "shape larger than the file");
	if ((rows + 1) * 8 + nnz * 8 != avail)
		return featcache_damaged(e, "shape does not match size");
	return 0;
}

static void featcache_read_dense(const unsigned char *p, struct dense *d,
				 size_t rows, size_t cols)
{
	dense_init(d, rows, cols);
	for (size_t i = 0; i < rows * cols; i++, p += 4)
		d->v[i] = featcache_get_float(p);
}

/* Reads rowptr, col and val, checking the structure as it goes. */
static int featcache_read_sparse(const unsigned char *p, struct csr *s,
				 size_t rows, uint64_t cols, size_t nnz,
				 struct err *e)
{
	const unsigned char *pc = p + (rows + 1) * 8, *pv = pc + nnz * 4;

	s->rows = rows;
	s->cols = (size_t)cols;
	s->rowptr = xmalloc((rows + 1) * sizeof *s->rowptr);
	s->col = xmalloc((nnz ? nnz : 1) * sizeof *s->col);
	s->val = xmalloc((nnz ? nnz : 1) * sizeof *s->val);
	for (size_t r = 0; r <= rows; r++) {
		uint64_t v = featcache_get64(p + 8 * r);

		if ((r == 0 && v != 0) || (r > 0 && v < s->rowptr[r - 1]) ||
		    v > nnz || (r == rows && v != nnz))
			return featcache_damaged(e, "bad row offsets");
		s->rowptr[r] = (size_t)v;
	}
	for (size_t r = 0; r < rows; r++) {
		for (size_t i = s->rowptr[r]; i < s->rowptr[r + 1]; i++) {
			s->col[i] = featcache_get32(pc + 4 * i);
			s->val[i] = featcache_get_float(pv + 4 * i);
			if (s->col[i] >= cols ||
			    (i > s->rowptr[r] && s->col[i] <= s->col[i - 1]))
				return featcache_damaged(e, "bad column index");
		}
	}
	return 0;
}

int featcache_read(const unsigned char *blob, size_t len,
		   uint64_t expect_checksum, struct features *out,
		   struct err *e)
{
	uint32_t kind;
	uint64_t rows, cols, nnz;
	unsigned ver;

	memset(out, 0, sizeof *out);
	if (len < FEATCACHE_HEAD + FEATCACHE_TAIL)
		return featcache_damaged(e, "truncated");
	if (memcmp(blob, FEATCACHE_MAGIC, 6) != 0)
		return featcache_damaged(e, "not a feature cache");

	/* Damage anywhere shows in the trailing checksum. */
	if (featcache_get64(blob + len - FEATCACHE_TAIL) !=
	    featcache_hash(blob, len - FEATCACHE_TAIL, 0))
		return featcache_damaged(e, "checksum mismatch");
	ver = blob[6] | (unsigned)blob[7] << 8;
	if (ver != FEATCACHE_VERSION)
		return err_set(e, "feature cache has version %u, this relabel "
			       "reads version %d; it will be rebuilt", ver,
			       FEATCACHE_VERSION);

	kind = featcache_get32(blob + 8);
	rows = featcache_get64(blob + 16);
	cols = featcache_get64(blob + 24);
	nnz = featcache_get64(blob + 32);
	if (kind > FEATCACHE_SPARSE || featcache_get32(blob + 12) != 0)
		return featcache_damaged(e, "unknown kind");
	if (featcache_check_shape(kind, rows, cols, nnz,
				  len - FEATCACHE_HEAD - FEATCACHE_TAIL, e) < 0)
		return -1;
	if (featcache_get64(blob + 40) != expect_checksum)
		return err_set(e, "feature cache is stale (made from other "
			       "source data); it will be rebuilt");

	out->sparse = kind == FEATCACHE_SPARSE;
	if (!out->sparse) {
		featcache_read_dense(blob + FEATCACHE_HEAD, &out->d,
				     (size_t)rows, (size_t)cols);
		return 0;
	}
	if (featcache_read_sparse(blob + FEATCACHE_HEAD, &out->s,
				  (size_t)rows, cols, (size_t)nnz, e) < 0) {
		features_free(out);
		return -1;
	}
	return 0;
}
