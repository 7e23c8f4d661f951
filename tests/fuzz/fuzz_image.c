/* fuzz_image.c - image_load_mem on arbitrary bytes, with the size
 * limits in force; a decoded image is also resized and windowed. */
#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image img, small, win;
	struct err e;

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
