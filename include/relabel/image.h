/* image.h - decoding images to gray float pixels, resizing, and the
 * image feature matrix.
 *
 * Formats: whatever stb_image reads, in practice PNG (1 to 16 bits per
 * channel), JPEG (baseline and progressive), BMP and binary PGM/PPM (8
 * and 16 bit).  Colour is converted to gray with the BT.601 luma weights
 * 0.299 R + 0.587 G + 0.114 B; an alpha channel is ignored.  Pixels are
 * scaled to [0,1] from the source depth (255 or 65535), so a 16-bit
 * X-ray keeps all its levels.
 *
 * Dimensions are read from the header before anything is decoded, and an
 * image larger than the limits below is refused without allocating its
 * pixels.
 */
#ifndef RELABEL_IMAGE_H
#define RELABEL_IMAGE_H

#include <stddef.h>

#include "relabel/err.h"
#include "relabel/matrix.h"

/* Largest width or height accepted. */
#define IMAGE_MAX_SIDE 16384
/* Largest width * height accepted (64 Mi pixels: 256 MiB of floats). */
#define IMAGE_MAX_PIXELS ((size_t)64 << 20)
/* Largest image file read (1 GiB); stb_image takes an int length. */
#define IMAGE_MAX_FILE_BYTES ((size_t)1 << 30)

struct image {
	int w, h;
	float *px;	/* [h, w] row-major gray in [0,1], owned */
	int bits;	/* 8 or 16: depth of the source samples */
};

/* Decodes the file at path into out.  Errors (out left empty):
 * "path: cannot open: <strerror>", "path: not a regular file",
 * "path: image is W x H pixels; the limit is 16384 on a side" (or the
 * pixel-count or file-size limit), "path: not a readable image (stb:
 * <reason>)" for truncated, damaged or unknown files.  Free out with
 * image_free. */
int image_load(const char *path, struct image *out, struct err *e);

/* The same from len bytes at buf; name is used in messages.  The fuzz
 * target enters here. */
int image_load_mem(const char *name, const void *buf, size_t len,
		   struct image *out, struct err *e);

/* Resamples in to w x h (Mitchell filter down, Catmull-Rom up, edges
 * clamped) into a new image in out, clamped to [0,1].  A constant image
 * stays constant.  Returns -1 if w or h is outside 1..IMAGE_MAX_SIDE or
 * w * h exceeds IMAGE_MAX_PIXELS; out is then left empty. */
int image_resize(const struct image *in, int w, int h, struct image *out);

/* Frees the pixels and empties img; an empty image is fine. */
void image_free(struct image *img);

/* Maps gray through a window for display (contrast and brightness):
 * v' = (v - (level - width/2)) / width, clamped to [0,1], then
 * 1 - v' if invert.  A width <= 0 thresholds at level.  out gets the
 * same size as in; out may be in itself (mapped in place), otherwise
 * out receives new pixels the caller frees with image_free. */
void image_window(const struct image *in, float level, float width,
		  int invert, struct image *out);

/* Image feature matrix: each of the n files is decoded, resized to
 * size x size and stored as row i of out ([n, size*size], row-major
 * pixels in [0,1]).  Files are decoded by up to 8 threads.  On error
 * the message names the first failing path (in input order) and out is
 * left empty; size must be 1..1024.  Caller frees out with dense_free. */
int image_features(const char *const *paths, size_t n, int size,
		   struct dense *out, struct err *e);

#endif
