/* screen.h - what the review screen's parts share: the running context,
 * the screen vtable, and drawing helpers that make data safe to show.
 *
 * Screens form a stack; the top one draws the body (rows 1 .. rows-2)
 * and gets the keys first.  Row 0 is the title, the last row the status
 * line (or a prompt).  Every string that comes from the data goes through
 * draw_str, which escapes control characters, bidirectional overrides and
 * invalid bytes and clips by display width.
 */
#ifndef RELABEL_SCREEN_H
#define RELABEL_SCREEN_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "relabel/imgcache.h"
#include "relabel/keys.h"
#include "relabel/mem.h"
#include "relabel/preview.h"
#include "relabel/session.h"

#define TUI_MAX_SCREENS 8
/* Smallest terminal the screens are laid out for. */
#define TUI_MIN_COLS 60
#define TUI_MIN_ROWS 16
/* Colour value meaning "the terminal takes 24-bit colours directly". */
#define TUI_DIRECT_COLOR (1 << 24)

struct tui;

struct screen {
	const char *title;
	/* Draws rows 1 .. t->rows - 2. */
	void (*draw)(struct screen *sc, struct tui *t);
	/* Handles an action; returns 1 when it did, 0 to leave it to the
	 * app (quit, help, other screens, back). */
	int (*key)(struct screen *sc, struct tui *t, enum action act, int arg);
	/* The terminal changed size (t->rows, t->cols are new). */
	void (*resize)(struct screen *sc, struct tui *t);
	void (*destroy)(struct screen *sc);
};

/* A sixel image placed by this frame, written once curses has drawn. */
struct tui_sixel {
	struct strbuf bytes;
	int y, x, rows, cols;	/* the cells it covers */
	uint64_t key;		/* what it shows; equal keys = same image */
};

struct tui {
	struct session s;
	struct keys keys;
	struct imgcache *images;
	struct screen *stack[TUI_MAX_SCREENS];
	int depth;

	int rows, cols;
	size_t row, top;		/* queue cursor and first row shown */
	enum preview_mode preview;	/* never PREVIEW_AUTO */
	int colors;			/* 0 (none), 8, 256 or TUI_DIRECT_COLOR */
	int utf8;			/* the locale draws U+2580 */
	int cell_w, cell_h;		/* pixels of a cell, for sixel */
	struct preview_view view;
	struct preview_cells cells;	/* the image drawn last, as cells */
	uint64_t cells_key;		/* what cells holds; 0 = nothing */

	struct tui_sixel want;		/* placed by this frame */
	int want_set;
	struct tui_sixel shown;		/* on the terminal now */
	int shown_set;
	int tty_fd;			/* where sixel bytes go */

	char *msg;			/* the last message */
	const char *prompt;		/* label of an open prompt, or NULL */
	struct strbuf answer;		/* what was typed into it */
	int quit;

	FILE *trace;			/* RELABEL_BENCH_TRACE, or NULL */
	struct timespec t0;		/* process start */

	struct retrain *retrain;	/* the retrain's options and worker */
};

/* Sets the message on the status line (printf format). */
void tui_msg(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Pushes a screen; pops (and destroys) the top one. */
void tui_push(struct tui *t, struct screen *sc);
void tui_pop(struct tui *t);
/* Draws the whole frame and puts it on the terminal. */
void tui_draw(struct tui *t);
/* Asks for a line of text on the status line; returns 0 with the text in
 * t->answer.s, 1 when cancelled with esc. */
int tui_prompt(struct tui *t, const char *label);
/* Asks a question on the status line; 1 when the answer is the key of
 * ACT_YES, 0 for any other key. */
int tui_confirm(struct tui *t, const char *question);
/* The queue cursor to row r or, stepping by dir (1 or -1), to the nearest
 * row after it whose item no other reviewer holds (with skip_done, that
 * nobody has decided either), leasing that item.  What other sessions
 * did is read first.  The cursor stays where it was when no row that way
 * is free. */
void tui_land(struct tui *t, long r, int dir, int skip_done);
/* Appends a line to the bench trace, when there is one. */
void tui_trace(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Milliseconds since t->t0. */
double tui_ms(const struct tui *t);

/* The class name of label c, or "-" for none. */
const char *tui_class(const struct tui *t, int c);

/* Styles: colour pairs where the terminal has colours (and NO_COLOR is
 * unset), attributes otherwise. */
enum style {
	STYLE_NORMAL,
	STYLE_TITLE,
	STYLE_HEAD,		/* column headings */
	STYLE_CURSOR,
	STYLE_DIM,
	STYLE_CHANGED,		/* a label an expert changed */
	STYLE_FLAG,		/* flagged by confident learning */
	STYLE_ERROR,
	STYLE_COUNT
};

/* Sets up the styles for t->colors (after initscr). */
void draw_init(const struct tui *t);
/* Draws s escaped and clipped to width columns at (y, x); returns the
 * columns drawn.  draw_fill pads with blanks in the style. */
int draw_str(const struct tui *t, int y, int x, int width, enum style st,
	     const char *s);
int draw_printf(const struct tui *t, int y, int x, int width, enum style st,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void draw_fill(const struct tui *t, int y, int x, int width, enum style st);
/* Draws label at (y, x) and text wrapped beside it; returns rows used
 * (at most max_rows). */
int draw_wrapped(const struct tui *t, int y, int x, int width, int max_rows,
		 enum style st, const char *label, int label_w,
		 const char *text);
/* A gray cell of the half block or ASCII preview. */
void draw_gray_cell(const struct tui *t, int y, int x, int fg, int bg,
		    int block, char ch);

/* The screens. */
struct screen *screen_queue_new(struct tui *t);
struct screen *screen_annot_new(struct tui *t);
struct screen *screen_confusion_new(struct tui *t, uint32_t annotator);
struct screen *screen_noise_new(struct tui *t);
struct screen *screen_runs_new(struct tui *t);
struct screen *screen_help_new(struct tui *t);

/* The queue screen's parts: the preview panel of an item (images are
 * cached under its row id) and the detail area of item, in the
 * rectangle given; dispute ("ann bag, bob coat") when reviewers
 * disagree on it, else NULL. */
void preview_panel_draw(struct tui *t, const struct item_detail *d, int y,
			int x, int h, int w);
void detail_draw(struct tui *t, uint32_t item, const struct item_detail *d,
		 const char *dispute, int y, int x, int h, int w);

/* A grid of cells with a cursor, for the noise and confusion matrices:
 * row and column headings are class names. */
struct grid {
	int n;			/* classes: n x n cells */
	int cur_r, cur_c;
	int top_r, left_c;	/* first row and column shown */
};
/* Draws g in the rectangle; cell(user, r, c, out) appends a cell's text
 * (7 columns at most) to out and returns its style. */
void grid_draw(struct tui *t, struct grid *g, int y, int x, int h, int w,
	       const char *corner,
	       enum style (*cell)(void *user, int r, int c, struct strbuf *out),
	       void *user);
/* Moves the cursor for an action; returns 1 when it was a move. */
int grid_key(struct grid *g, enum action act);

/* The retrain (retrain.c).  retrain_new checks the options of
 * tui_options before the screen opens. */
struct tui_options;
int retrain_new(struct tui *t, const struct tui_options *o, struct err *e);
void retrain_free(struct tui *t);
/* R: the options panel, or the offer to cancel the run in progress. */
void retrain_key(struct tui *t);
/* A decision was written: retrains when --retrain-every says so. */
void retrain_decided(struct tui *t);
/* Polls the worker; 1 when the screen should be drawn again. */
int retrain_tick(struct tui *t);
/* Whether a run is in progress. */
int retrain_busy(const struct tui *t);
/* The retrain's part of the status line (nothing when idle). */
void retrain_status(struct tui *t, struct strbuf *b);
/* After a reload: when it brought in the run this session trained, sets
 * the summary message and returns 1. */
int retrain_reloaded(struct tui *t, const struct session_delta *d);
struct screen *screen_retrain_new(struct tui *t);

/* Opens items[0..n) as a sub-queue (ordered by suspicion, highest first)
 * on the queue screen, closing the screens above it. */
void tui_open_sub(struct tui *t, const char *name, const char *title,
		  uint32_t *items, size_t n);

#endif
