/* fuzz_modelblob.c - libFuzzer target for model blobs: reading (as
 * given, and resealed with a valid checksum), and scoring two rows with
 * whatever model was accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/mlp.h"
#include "relabel/modelblob.h"
#include "relabel/train.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Two rows matching the model's input: zeros, or one sparse value. */
static void fuzz_score(const uint8_t *data, size_t size, const struct mlp *m)
{
	struct features x;
	size_t rowptr[3] = { 0, 1, 1 };
	uint32_t col = (uint32_t)m->size[0] - 1;
	float val = 1.0f, probs[2 * 64];
	struct err e;

	if (m->size[m->nlayer] > 64 || m->size[0] > 4096)
		return;
	memset(&x, 0, sizeof x);
	x.sparse = m->sparse;
	if (m->sparse) {
		x.s = (struct csr){ .rows = 2, .cols = (size_t)m->size[0],
				    .rowptr = rowptr, .col = &col,
				    .val = &val };
		train_predict(data, size, &x, probs, &e);
		return;
	}
	dense_init(&x.d, 2, (size_t)m->size[0]);
	train_predict(data, size, &x, probs, &e);
	dense_free(&x.d);
}

static void fuzz_read(const uint8_t *data, size_t size)
{
	struct mlp nets[2];
	struct err e;
	int nnet;

	if (modelblob_read(data, size, nets, &nnet, &e) < 0)
		return;
	fuzz_score(data, size, &nets[0]);
	for (int k = 0; k < nnet; k++)
		mlp_free(&nets[k]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_read(data, size);

	/* The same bytes with a correct checksum reach the deeper checks. */
	if (size >= 8) {
		uint8_t *copy = malloc(size);
		uint64_t h = modelblob_fnv1a(data, size - 8);

		memcpy(copy, data, size);
		for (int i = 0; i < 8; i++)
			copy[size - 8 + i] = (uint8_t)(h >> (8 * i));
		fuzz_read(copy, size);
		free(copy);
	}
	return 0;
}
