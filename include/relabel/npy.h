/* npy.h - reading NumPy .npy arrays (format versions 1.0 to 3.0).
 *
 * Accepted: little-endian float32 ('<f4') or float64 ('<f8'), C order,
 * one or two dimensions (a 1-D array is one column).  Anything else is
 * refused with a message that says what was found and what to write
 * instead (e.g. "np.save(path, x.astype(np.float32))").
 */
#ifndef RELABEL_NPY_H
#define RELABEL_NPY_H

#include <stddef.h>

#include "relabel/err.h"
#include "relabel/matrix.h"

/* Largest array accepted, in elements, checked before allocating. */
#define NPY_MAX_ELEMS ((size_t)1 << 32)
/* Longest header dict accepted, in bytes (NumPy's own reading limit). */
#define NPY_MAX_HEADER 10000

/* Messages name values as NumPy indexes them: x[row, col], from 0.  The
 * file's size is checked against the shape before anything is
 * allocated; bytes after the data are refused as a sign of a damaged
 * or concatenated file. */

/* Loads path into out (float32; float64 input is converted).  Every
 * value must be finite: the first NaN or infinity is reported with its
 * row and column.  Errors name "path: what".  On error out is left
 * empty.  Caller frees with dense_free. */
int npy_load(const char *path, struct dense *out, struct err *e);

/* Same from memory (name used in messages).  The fuzz target enters
 * here. */
int npy_load_mem(const char *name, const void *buf, size_t len,
		 struct dense *out, struct err *e);

/* Writes m as a version 1.0 '<f4' C-order array; used by tests and by
 * `relabel export --probs`. */
int npy_save(const char *path, const struct dense *m, struct err *e);

#endif
