/* matrix.h - the feature matrices passed between data, learn and rank.
 *
 * Plain structs with owned arrays; no module above util is needed to
 * build or read them.
 */
#ifndef RELABEL_MATRIX_H
#define RELABEL_MATRIX_H

#include <stddef.h>
#include <stdint.h>

/* Dense float32 matrix. */
struct dense {
	size_t rows, cols;
	float *v;		/* [rows, cols] row-major, owned */
};

/* Compressed sparse rows, float32 values. */
struct csr {
	size_t rows, cols;
	size_t *rowptr;		/* [rows + 1]; row r is [rowptr[r], rowptr[r+1]) */
	uint32_t *col;		/* [nnz] column of each value, ascending per row */
	float *val;		/* [nnz] */
};

/* Item features: dense (images, external embeddings) or sparse (text). */
struct features {
	int sparse;		/* 1: use s, 0: use d */
	struct dense d;
	struct csr s;
};

void dense_init(struct dense *m, size_t rows, size_t cols);	/* zeroed */
void dense_free(struct dense *m);
void csr_free(struct csr *m);
void features_free(struct features *f);
/* Rows of f (whichever representation is in use). */
size_t features_rows(const struct features *f);
size_t features_cols(const struct features *f);

#endif
