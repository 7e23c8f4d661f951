/* term.h - the terminal under the review screen: what it can show, keys
 * as key codes (keys.h), and sixel images written beside curses.
 */
#ifndef RELABEL_TERM_H
#define RELABEL_TERM_H

#include <stddef.h>

/* term_read_key results that are not keys. */
enum {
	TERM_NO_KEY = -1,	/* nothing to act on (an ignored sequence,
				 * or no key in the time given) */
	TERM_RESIZE = -2	/* the terminal changed size */
};

/* Asks the terminal on fd (not yet under curses) for its primary device
 * attributes and returns 1 when the answer lists sixel graphics
 * (feature 4), 0 when it does not or no answer came in timeout_ms. */
int term_has_sixel(int fd, int timeout_ms);

/* Pixels of one cell from the terminal's window size; *w x *h stay as
 * given when the terminal does not say. */
void term_cell_pixels(int fd, int *w, int *h);

/* The next key (curses must be running): a keys.h key code, or one of
 * the values above.  Waits for it at most wait_ms milliseconds (-1: for
 * ever); TERM_NO_KEY when none came. */
int term_read_key(int wait_ms);

/* Writes a sixel image at cell (y, x) (0-based) to fd, keeping the
 * cursor where curses left it.  Returns 0, or -1 if the write failed. */
int term_write_sixel(int fd, int y, int x, const char *bytes, size_t n);

#endif
