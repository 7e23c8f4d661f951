/* fuzz_npy.c - .npy arrays from arbitrary bytes: no crash, and what
 * loads is a finite matrix of the size the bytes hold. */
#include <math.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/npy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dense d;
	struct err e;

	if (npy_load_mem("fuzz.npy", data, size, &d, &e) != 0) {
		if (d.v || d.rows || d.cols)
			__builtin_trap();
		return 0;
	}
	if (d.rows * d.cols * 4 > size)
		__builtin_trap();
	for (size_t i = 0; i < d.rows * d.cols; i++)
		if (!isfinite(d.v[i]))
			__builtin_trap();
	dense_free(&d);
	return 0;
}
