/* matrix.c - allocation and release of feature matrices. */
#include <stdlib.h>
#include <string.h>

#include "relabel/matrix.h"
#include "relabel/mem.h"

void dense_init(struct dense *m, size_t rows, size_t cols)
{
	size_t n = rows * cols;

	m->rows = rows;
	m->cols = cols;
	m->v = xcalloc(n ? n : 1, sizeof *m->v);
}

void dense_free(struct dense *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

void csr_free(struct csr *m)
{
	free(m->rowptr);
	free(m->col);
	free(m->val);
	memset(m, 0, sizeof *m);
}

void features_free(struct features *f)
{
	dense_free(&f->d);
	csr_free(&f->s);
	f->sparse = 0;
}

size_t features_rows(const struct features *f)
{
	return f->sparse ? f->s.rows : f->d.rows;
}

size_t features_cols(const struct features *f)
{
	return f->sparse ? f->s.cols : f->d.cols;
}
