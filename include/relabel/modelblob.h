/* modelblob.h - a trained model (one net or a co-teaching pair) as a
 * self-checking byte string, stored with the run and read back to score
 * new items.
 *
 * Layout, every integer and float little-endian:
 *	 0  "RLMODEL\0"			magic, 8 bytes
 *	 8  u32 version			MODELBLOB_VERSION
 *	12  u32 nnet			1 or 2 (same shape)
 *	16  u32 sparse			input kind: 0 dense, 1 CSR
 *	20  u32 nlayer			weight layers, 1..MLP_MAX_LAYERS
 *	24  u32 size[nlayer + 1]	inputs, hidden widths, classes
 *	..  u64 nparam			floats per net
 *	..  f32 param[nnet * nparam]	each net's block as in mlp.h
 *	..  u64 checksum		FNV-1a 64 of every byte before it
 * Reading checks the length against every field before allocating
 * anything, then the checksum, then that every weight is finite.
 */
#ifndef RELABEL_MODELBLOB_H
#define RELABEL_MODELBLOB_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/mlp.h"

#define MODELBLOB_VERSION 1

/* FNV-1a, 64 bits. */
uint64_t modelblob_fnv1a(const void *p, size_t n);

/* Writes nets[0..nnet) (nnet 1 or 2, one shape) into a new buffer
 * *out of *len bytes; the caller frees it. */
void modelblob_write(const struct mlp *nets, int nnet, unsigned char **out,
		     size_t *len);

/* Reads a blob into nets[0..*nnet) (initialized without gradients; the
 * caller frees each with mlp_free).  A short, corrupt or inconsistent
 * blob returns -1 with "model blob is damaged (<what>); retrain with
 * relabel train"; nothing is left allocated. */
int modelblob_read(const unsigned char *buf, size_t len, struct mlp nets[2],
		   int *nnet, struct err *e);

#endif
