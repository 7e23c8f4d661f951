/* fuzz_image.c - image_load_mem on arbitrary bytes, with the size
 * limits in force; a decoded image is also resized and windowed.
 * Headers within the limits but above FUZZ_MAX_PIXELS are skipped: their
 * decoding takes seconds and runs the same code as smaller ones. */
#include <stddef.h>
#include <stdint.h>

#include <stb_image.h>

#include "relabel/err.h"
#include "relabel/image.h"

#define FUZZ_MAX_PIXELS ((size_t)1 << 22)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image img, small, win;
	struct err e;
	int w, h, comp;

	if (size < (size_t)1 << 30 &&
	    stbi_info_from_memory(data, (int)size, &w, &h, &comp) &&
	    w > 0 && h > 0 && w <= IMAGE_MAX_SIDE && h <= IMAGE_MAX_SIDE &&
	    (size_t)w * (size_t)h > FUZZ_MAX_PIXELS)
		return 0;
	if (image_load_mem("fuzz", data, size, &img, &e) < 0)
		return 0;
	if (image_resize(&img, 8, 8, &small) == 0) {
		image_window(&small, 0.5f, 0.25f, 1, &win);
		image_free(&win);
		image_free(&small);
	}
	image_free(&img);
	return 0;
}
