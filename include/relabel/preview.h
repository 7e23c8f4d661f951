/* preview.h - what the review screen shows of an item, as pure functions:
 * an image fitted to a panel and turned into terminal cells (half blocks
 * or an ASCII ramp) or sixel bytes, and a text wrapped to the panel.
 *
 * Nothing here touches the terminal; the screen draws what these return.
 * Every string returned is safe to draw: the data's control characters,
 * bidirectional overrides and invalid bytes are visible escapes.
 */
#ifndef RELABEL_PREVIEW_H
#define RELABEL_PREVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/err.h"
#include "relabel/image.h"
#include "relabel/mem.h"

enum preview_mode {
	PREVIEW_AUTO,		/* ask the terminal, see tui.h */
	PREVIEW_SIXEL,
	PREVIEW_BLOCKS,
	PREVIEW_ASCII,
	PREVIEW_NONE
};

/* "auto", "sixel", "blocks", "ascii", "none". */
const char *preview_mode_name(enum preview_mode m);
int preview_mode_parse(const char *s, enum preview_mode *m, struct err *e);

/* How the image is looked at: a display window over the gray values
 * (image_window: level is its centre, width its span; 0.5 and 1 show the
 * values as they are), inversion, and zoom into the centre (each step
 * shows PREVIEW_ZOOM_STEP times less of each side). */
struct preview_view {
	float level, width;
	int invert;
	int zoom;		/* 0 .. PREVIEW_ZOOM_MAX */
};

#define PREVIEW_ZOOM_STEP 1.5
#define PREVIEW_ZOOM_MAX 8
#define PREVIEW_WINDOW_MIN 0.02f

void preview_view_reset(struct preview_view *v);
/* Applies the view actions: contrast (+1 narrower window, -1 wider),
 * brightness (+1 brighter, -1 darker) and zoom (+1 in, -1 out). */
void preview_view_contrast(struct preview_view *v, int dir);
void preview_view_brightness(struct preview_view *v, int dir);
void preview_view_zoom(struct preview_view *v, int dir);

/* The size of the part of a w x h image that the view's zoom shows. */
void preview_view_crop(const struct preview_view *v, int w, int h, int *cw,
		       int *ch);

/* The largest w x h that keeps img_w : img_h and fits max_w x max_h when
 * a displayed pixel is `aspect` times as tall as it is wide (1 for half
 * blocks and sixel, 2 for one character a pixel).  At least 1 x 1. */
void preview_fit(int img_w, int img_h, int max_w, int max_h, double aspect,
		 int *w, int *h);

/* The view of src at w x h: the centre crop for the zoom, resampled, then
 * windowed and inverted.  out gets new pixels (image_free).  Returns -1
 * when w or h is out of image_resize's range. */
int preview_render(const struct image *src, const struct preview_view *v,
		   int w, int h, struct image *out);

/* Terminal cells: for half blocks, cell (r, c) shows pixel row 2r in the
 * foreground of U+2580 and row 2r+1 in the background (0 when the image
 * has an odd height); for ASCII, ch is the ramp character and fg its
 * gray. */
struct preview_cells {
	int cols, rows;
	uint8_t *fg;		/* [rows, cols] gray 0 .. 255 */
	uint8_t *bg;		/* [rows, cols] gray 0 .. 255 */
	char *ch;		/* [rows, cols] ASCII ramp character */
};

/* The ramp, darkest first. */
#define PREVIEW_ASCII_RAMP " .:-=+*#%@"

/* Fills cells from img (pixels in [0,1]); free with preview_cells_free. */
void preview_blocks(const struct image *img, struct preview_cells *out);
void preview_ascii(const struct image *img, struct preview_cells *out);
void preview_cells_free(struct preview_cells *c);

/* Gray 0 .. 255 as an xterm 256-colour index: the 24-step gray ramp
 * 232 .. 255 plus 16 (black) and 231 (white), whichever is nearest. */
int preview_gray256(int gray);
/* Gray quantized to `levels` steps (2 .. 256), returned as 0 .. 255:
 * fewer distinct colour pairs for a terminal to hold. */
int preview_gray_quant(int gray, int levels);

/* Encodes img (pixels in [0,1]) as a sixel image with libsixel's 8-bit
 * gray palette and appends the bytes (DCS ... ST) to out.  -1 with e
 * filled when libsixel fails. */
int preview_sixel(const struct image *img, struct strbuf *out,
		  struct err *e);

/* Text wrapped to width columns (>= 1): each line of the text (split at
 * \n) is escaped, then broken at blanks where possible, else inside a
 * word, never inside an escape or a character; wide characters count 2.
 * Each line takes at most width columns. */
struct preview_lines {
	size_t n;
	char **line;		/* [n] owned */
};

void preview_wrap(const char *text, int width, struct preview_lines *out);
void preview_lines_free(struct preview_lines *l);

#endif
