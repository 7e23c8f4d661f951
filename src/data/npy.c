/* npy.c - NumPy .npy arrays in and out.
 *
 * The header is a small Python dict literal; it is read by hand, token by
 * token, with every length checked against what is really there.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/mem.h"
#include "relabel/npy.h"

#define NPY_MAGIC	"\x93NUMPY"
#define NPY_PRELUDE	12		/* magic, version, longest length */
#define NPY_STEP_BYTES	((size_t)1 << 20)	/* bytes read per step */
#define NPY_FIX		"np.save(path, np.ascontiguousarray(x, dtype=np.float32))"

/* What the header says. */
struct npy_head {
	size_t hoff, hlen;	/* where the dict is, its length */
	size_t itemsize;	/* 4 or 8 */
	size_t rows, cols;
	size_t data_off;	/* where the values start */
};

/* A cursor over the header dict. */
struct lex {
	const char *s;
	size_t n, i;
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Magic, version and header length from the first bytes of b[0..n). */
static int npy_prelude(const char *name, const unsigned char *b, size_t n,
		       struct npy_head *h, struct err *e)
{
	if (n < 10 || memcmp(b, NPY_MAGIC, 6) != 0)
		return err_set(e, "%s: not a .npy file (it does not start "
			       "with \\x93NUMPY); save it with np.save",
			       name);
	if (b[7] != 0 || b[6] < 1 || b[6] > 3)
		return err_set(e, "%s: .npy format version %u.%u is not supported (1.0 to 3.0 are)",
			       name, b[6], b[7]);
	if (b[6] == 1) {
		h->hlen = (size_t)b[8] | (size_t)b[9] << 8;
		h->hoff = 10;
	} else {
		if (n < 12)
			return err_set(e, "%s: truncated .npy header", name);
		h->hlen = le32(b + 8);
		h->hoff = 12;
	}
	if (h->hlen > NPY_MAX_HEADER)
		return err_set(e, "%s: .npy header too long (%zu bytes; at most %d)",
			       name, h->hlen, NPY_MAX_HEADER);
	h->data_off = h->hoff + h->hlen;
	return 0;
}

static void lex_ws(struct lex *l)
{
	while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t' ||
			       l->s[l->i] == '\n' || l->s[l->i] == '\r'))
		l->i++;
}

/* Takes c (after any spaces) if it is next. */
static int lex_take(struct lex *l, char c)
{
	lex_ws(l);
	if (l->i < l->n && l->s[l->i] == c) {
		l->i++;
		return 1;
	}
	return 0;
}

/* A quoted Python string without escapes: *p, *len point into the
 * header. */
static int lex_string(struct lex *l, const char **p, size_t *len)
{
	char q;

	lex_ws(l);
	if (l->i >= l->n || (l->s[l->i] != '\'' && l->s[l->i] != '"'))
		return -1;
	q = l->s[l->i++];
	*p = l->s + l->i;
	while (l->i < l->n && l->s[l->i] != q) {
		if (l->s[l->i] == '\\' || l->s[l->i] == '\n')
			return -1;
		l->i++;
	}
	if (l->i >= l->n)
		return -1;
	*len = (size_t)(l->s + l->i - *p);
	l->i++;
	return 0;
}

/* A bare word such as True. */
static int lex_word(struct lex *l, const char *w)
{
	size_t n = strlen(w);

	lex_ws(l);
	if (l->n - l->i < n || memcmp(l->s + l->i, w, n) != 0)
		return 0;
	l->i += n;
	return 1;
}

/* A non-negative integer (Python 2 wrote a trailing L); *big is set when
 * it does not fit in size_t. */
static int lex_size(struct lex *l, size_t *v, int *big)
{
	size_t start;

	lex_ws(l);
	start = l->i;
	*v = 0;
	while (l->i < l->n && l->s[l->i] >= '0' && l->s[l->i] <= '9') {
		size_t d = (size_t)(l->s[l->i++] - '0');

		if (*v > (SIZE_MAX - d) / 10)
			*big = 1;
		else
			*v = *v * 10 + d;
	}
	if (l->i == start)
		return -1;
	if (l->i < l->n && l->s[l->i] == 'L')
		l->i++;
	return 0;
}

/* The shape tuple: checks dimensions and size before anything is
 * allocated. */
static int npy_shape(const char *name, struct lex *l, struct npy_head *h,
		     struct err *e)
{
	size_t dim[2] = { 0, 0 }, nd = 0, v, elems = 1;
	int big = 0, over = 0;

	if (!lex_take(l, '('))
		return err_set(e, "%s: .npy header: 'shape' is not a tuple", name);
	while (!lex_take(l, ')')) {
		if (lex_size(l, &v, &big) < 0)
			return err_set(e, "%s: .npy header: bad number in 'shape' at byte %zu",
				       name, l->i);
		if (nd < 2)
			dim[nd] = v;
		nd++;
		if (v && elems > SIZE_MAX / v)
			over = 1;
		else
			elems *= v;
		if (!lex_take(l, ',') && (lex_ws(l), l->i >= l->n || l->s[l->i] != ')'))
			return err_set(e, "%s: .npy header: 'shape' is not a tuple", name);
	}
	if (nd == 0 || nd > 2)
		return err_set(e, "%s: array has %zu dimensions; expected 1 (N) "
			       "or 2 (N, D): save x.reshape(len(x), -1)",
			       name, nd);
	if (big || over || elems > NPY_MAX_ELEMS)
		return err_set(e, "%s: array too large (shape beyond %zu elements)",
			       name, (size_t)NPY_MAX_ELEMS);
	h->rows = dim[0];
	h->cols = nd == 2 ? dim[1] : 1;
	return 0;
}

/* The value of 'descr': only little-endian float32 and float64. */
static int npy_descr(const char *name, struct lex *l, struct npy_head *h,
		     struct err *e)
{
	const char *d;
	size_t n;

	if (lex_string(l, &d, &n) < 0)
		return err_set(e, "%s: .npy header: 'descr' is not a simple "
			       "type (structured arrays are not supported); "
			       NPY_FIX, name);
	if (n == 3 && !memcmp(d, "<f4", 3))
		h->itemsize = 4;
	else if (n == 3 && !memcmp(d, "<f8", 3))
		h->itemsize = 8;
	else
		return err_set(e, "%s: data type '%.*s' is not supported "
			       "(little-endian float32 '<f4' or float64 '<f8' are); "
			       NPY_FIX, name, (int)(n > 16 ? 16 : n), d);
	return 0;
}

/* One key and its value; *seen collects which keys were there. */
static int npy_item(const char *name, struct lex *l, struct npy_head *h,
		    int *seen, struct err *e)
{
	const char *k;
	size_t n;
	int bit;

	if (lex_string(l, &k, &n) < 0 || !lex_take(l, ':'))
		return err_set(e, "%s: .npy header is not a dict at byte %zu",
			       name, l->i);
	bit = n == 5 && !memcmp(k, "descr", 5) ? 1
	    : n == 13 && !memcmp(k, "fortran_order", 13) ? 2
	    : n == 5 && !memcmp(k, "shape", 5) ? 4 : 0;
	if (!bit || (*seen & bit))
		return err_set(e, "%s: .npy header: unexpected key '%.*s'", name,
			       (int)(n > 20 ? 20 : n), k);
	*seen |= bit;
	if (bit == 1)
		return npy_descr(name, l, h, e);
	if (bit == 4)
		return npy_shape(name, l, h, e);
	if (lex_word(l, "True"))
		return err_set(e, "%s: array is in Fortran order; " NPY_FIX, name);
	if (!lex_word(l, "False"))
		return err_set(e, "%s: .npy header: 'fortran_order' is not True or False",
			       name);
	return 0;
}

/* The header dict s[0..n). */
static int npy_dict(const char *name, const char *s, size_t n,
		    struct npy_head *h, struct err *e)
{
	struct lex l = { s, n, 0 };
	int seen = 0;

	if (!lex_take(&l, '{'))
		return err_set(e, "%s: .npy header is not a dict", name);
	while (!lex_take(&l, '}')) {
		if (npy_item(name, &l, h, &seen, e) < 0)
			return -1;
		if (!lex_take(&l, ',') && (lex_ws(&l), l.i >= l.n || l.s[l.i] != '}'))
			return err_set(e, "%s: .npy header is not a dict at byte %zu",
				       name, l.i);
	}
	lex_ws(&l);
	if (l.i != l.n)
		return err_set(e, "%s: .npy header: text after the dict", name);
	if (seen != 7)
		return err_set(e, "%s: .npy header lacks '%s'", name,
			       !(seen & 1) ? "descr" : !(seen & 2) ? "fortran_order"
			       : "shape");
	return 0;
}

/* Checks that avail bytes of data are exactly what the shape needs. */
static int npy_size_check(const char *name, const struct npy_head *h,
			  size_t avail, struct err *e)
{
	size_t need = h->rows * h->cols * h->itemsize;

	if (avail < need)
		return err_set(e, "%s: truncated data: the shape needs %zu bytes, the file has %zu",
			       name, need, avail);
	if (avail > need)
		return err_set(e, "%s: %zu bytes after the data (is this one .npy array?)",
			       name, avail - need);
	return 0;
}

/* Converts n values starting at element first to float32, checking each
 * is finite. */
static int npy_convert(const char *name, const struct npy_head *h,
		       const unsigned char *b, size_t first, size_t n,
		       float *out, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		double d;
		float f;

		if (h->itemsize == 4) {
			uint32_t u = le32(b + 4 * i);

			memcpy(&f, &u, 4);
			d = f;
		} else {
			uint64_t u = le64(b + 8 * i);

			memcpy(&d, &u, 8);
			f = (float)d;
		}
		if (!isfinite(f)) {
			size_t at = first + i;

			return err_set(e, "%s: x[%zu, %zu] is %s; every value must "
				       "be finite (np.nan_to_num, or drop the row)",
				       name, at / h->cols, at % h->cols,
				       isnan(d) ? "NaN" : isinf(d) ? "infinite"
				       : "beyond float32 range");
		}
		out[i] = f;
	}
	return 0;
}

/* Header checks shared by both loaders: b[0..n) holds the prelude and
 * at least the header. */
static int npy_head_read(const char *name, const unsigned char *b, size_t n,
			 struct npy_head *h, struct err *e)
{
	if (npy_prelude(name, b, n, h, e) < 0)
		return -1;
	if (n < h->data_off)
		return err_set(e, "%s: truncated .npy header", name);
	return npy_dict(name, (const char *)b + h->hoff, h->hlen, h, e);
}

int npy_load_mem(const char *name, const void *buf, size_t len,
		 struct dense *out, struct err *e)
{
	const unsigned char *b = buf;
	struct npy_head h;

	memset(out, 0, sizeof *out);
	if (npy_head_read(name, b, len, &h, e) < 0 ||
	    npy_size_check(name, &h, len - h.data_off, e) < 0)
		return -1;
	dense_init(out, h.rows, h.cols);
	if (npy_convert(name, &h, b + h.data_off, 0, h.rows * h.cols, out->v,
			e) < 0) {
		dense_free(out);
		return -1;
	}
	return 0;
}

/* Reads the prelude and header of an open file into *hb. */
static int npy_file_head(const char *path, FILE *f, struct npy_head *h,
			 unsigned char **hb, struct err *e)
{
	unsigned char pre[NPY_PRELUDE];
	size_t got = fread(pre, 1, sizeof pre, f);

	*hb = NULL;
	if (ferror(f))
		return err_errno(e, path);
	if (npy_prelude(path, pre, got, h, e) < 0)
		return -1;
	*hb = xmalloc(h->data_off);
	memcpy(*hb, pre, got < h->data_off ? got : h->data_off);
	if (got < h->data_off &&
	    fread(*hb + got, 1, h->data_off - got, f) != h->data_off - got)
		return ferror(f) ? err_errno(e, path)
				 : err_set(e, "%s: truncated .npy header", path);
	if (got > h->data_off && fseek(f, (long)h->data_off, SEEK_SET) != 0)
		return err_errno(e, path);
	return npy_dict(path, (const char *)*hb + h->hoff, h->hlen, h, e);
}

/* Reads and converts the values in steps, so float64 input never needs
 * a second full-size buffer. */
static int npy_file_data(const char *path, FILE *f, const struct npy_head *h,
			 float *out, struct err *e)
{
	size_t total = h->rows * h->cols;
	size_t step = NPY_STEP_BYTES / h->itemsize;
	unsigned char *b = xmalloc(NPY_STEP_BYTES);
	int rc = 0;

	for (size_t at = 0; at < total && rc == 0; at += step) {
		size_t n = total - at < step ? total - at : step;

		if (fread(b, h->itemsize, n, f) != n)
			rc = ferror(f) ? err_errno(e, path)
				       : err_set(e, "%s: truncated data", path);
		else
			rc = npy_convert(path, h, b, at, n, out + at, e);
	}
	free(b);
	return rc;
}

int npy_load(const char *path, struct dense *out, struct err *e)
{
	struct npy_head h;
	unsigned char *hb;
	struct stat st;
	FILE *f;
	int rc;

	memset(out, 0, sizeof *out);
	if (!(f = fopen(path, "rb")))
		return err_errno(e, path);
	rc = npy_file_head(path, f, &h, &hb, e);
	free(hb);

	/* The file's size must match the shape before memory is taken. */
	if (rc == 0 && fstat(fileno(f), &st) != 0)
		rc = err_errno(e, path);
	else if (rc == 0 && (!S_ISREG(st.st_mode) ||
			     (size_t)st.st_size < h.data_off))
		rc = err_set(e, "%s: not a regular .npy file", path);
	if (rc == 0)
		rc = npy_size_check(path, &h, (size_t)st.st_size - h.data_off, e);
	if (rc == 0) {
		dense_init(out, h.rows, h.cols);
		if ((rc = npy_file_data(path, f, &h, out->v, e)) < 0)
			dense_free(out);
	}
	fclose(f);
	return rc;
}

/* The version 1.0 header for m, padded so the data starts on a
 * 64-byte boundary. */
static size_t npy_save_head(const struct dense *m, char *buf, size_t cap)
{
	int n = snprintf(buf + 10, cap - 10,
			 "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
			 m->rows, m->cols);
	size_t total = 10 + (size_t)n + 1;

	total = (total + 63) / 64 * 64;
	memcpy(buf, NPY_MAGIC "\x01\x00", 8);
	buf[8] = (char)((total - 10) & 0xFF);
	buf[9] = (char)((total - 10) >> 8);
	memset(buf + 10 + n, ' ', total - 10 - (size_t)n - 1);
	buf[total - 1] = '\n';
	return total;
}

/* Writes the values as little-endian float32, a block at a time. */
static int npy_save_data(FILE *f, const struct dense *m)
{
	size_t total = m->rows * m->cols, step = 1 << 16;
	unsigned char *b = xmalloc(4 * step);
	int rc = 0;

	for (size_t at = 0; at < total && rc == 0; at += step) {
		size_t n = total - at < step ? total - at : step;

		for (size_t i = 0; i < n; i++) {
			uint32_t u;

			memcpy(&u, &m->v[at + i], 4);
			b[4 * i] = (unsigned char)u;
			b[4 * i + 1] = (unsigned char)(u >> 8);
			b[4 * i + 2] = (unsigned char)(u >> 16);
			b[4 * i + 3] = (unsigned char)(u >> 24);
		}
		if (fwrite(b, 4, n, f) != n)
			rc = -1;
	}
	free(b);
	return rc;
}

int npy_save(const char *path, const struct dense *m, struct err *e)
{
	char head[256];
	size_t hn = npy_save_head(m, head, sizeof head);
	FILE *f = fopen(path, "wb");

	if (!f)
		return err_errno(e, path);
	if (fwrite(head, 1, hn, f) != hn || npy_save_data(f, m) < 0) {
		int saved = errno;

		fclose(f);
		errno = saved;
		return err_errno(e, path);
	}
	if (fclose(f) != 0)
		return err_errno(e, path);
	return 0;
}
