/* featcache.h - the feature cache blob, so a retrain skips decoding.
 *
 * Layout, every number little-endian:
 *    0  "RLFEAT"             magic, 6 bytes
 *    6  u16 version          FEATCACHE_VERSION
 *    8  u32 kind             0 dense, 1 sparse
 *   12  u32 reserved         0
 *   16  u64 rows, u64 cols, u64 nnz (0 for dense)
 *   40  u64 source checksum  what the features were computed from
 *   48  payload              dense: rows*cols f32, row-major;
 *                            sparse: rowptr (rows+1) u64, col nnz u32,
 *                            val nnz f32
 *  end  u64 checksum         featcache_hash(everything before, seed 0)
 *
 * The source checksum is the caller's: e.g. featcache_hash over every
 * path, file size and mtime plus the image size, or over the texts.  A
 * cache whose source checksum differs is stale.
 */
#ifndef RELABEL_FEATCACHE_H
#define RELABEL_FEATCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/matrix.h"

#define FEATCACHE_VERSION 1

/* FNV-1a 64 of n bytes, the offset basis xor'ed with seed; chain calls by
 * passing the previous result as the seed. */
uint64_t featcache_hash(const void *data, size_t n, uint64_t seed);

/* Serializes f into a new blob (*blob, *len; the caller frees *blob).
 * Returns 0, or -1 if f is inconsistent (a sparse matrix without its
 * arrays, or rowptr not ending at its value count). */
int featcache_write(const struct features *f, uint64_t source_checksum,
		    unsigned char **blob, size_t *len);

/* Reads a blob written by featcache_write into out (free with
 * features_free).  Every shape is checked against len before anything
 * is allocated, and the sparse structure (rowptr rising from 0, columns
 * ascending and below cols) is checked too.  Returns -1, out left empty,
 * with "feature cache is damaged (<what>); it will be rebuilt", "...
 * is stale ...", or "... has version N ..." in e. */
int featcache_read(const unsigned char *blob, size_t len,
		   uint64_t expect_checksum, struct features *out,
		   struct err *e);

#endif
