/* fuzz_text.c - textfeat_build on arbitrary bytes, split into texts at
 * NUL bytes; checks the row invariants the learner relies on. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/textfeat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check(const struct csr *m)
{
	for (size_t r = 0; r < m->rows; r++) {
		double s = 0.0;

		for (size_t i = m->rowptr[r]; i < m->rowptr[r + 1]; i++) {
			if (m->col[i] >= m->cols || !isfinite(m->val[i]) ||
			    (i > m->rowptr[r] && m->col[i] <= m->col[i - 1]))
				abort();
			s += (double)m->val[i] * m->val[i];
		}
		if (m->rowptr[r + 1] > m->rowptr[r] && fabs(s - 1.0) > 1e-4)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *texts[64];
	size_t lens[64], n = 0, start = 0;
	struct csr m;
	struct err e;

	/* Texts are the pieces between NUL bytes, lengths given. */
	for (size_t i = 0; i <= size && n < 64; i++) {
		if (i < size && data[i] != 0)
			continue;
		texts[n] = (const char *)data + start;
		lens[n++] = i - start;
		start = i + 1;
	}
	if (textfeat_build(texts, lens, n, &m, &e) == 0) {
		fuzz_check(&m);
		csr_free(&m);
	}
	return 0;
}
