/* tui.h - the review screen: `relabel review`.
 *
 * tui_run owns the terminal from start to end: it opens the session,
 * picks the preview mode, enters curses, runs the key loop, and leaves
 * curses (also on a fatal error, through fatal_set_hook) before it
 * returns.  Nothing is written to stdout or stderr while curses owns the
 * terminal; errors come back in e for the caller to print.
 *
 * Preview modes: PREVIEW_AUTO asks the terminal for its primary device
 * attributes (ESC [ c, TUI_DA_TIMEOUT_MS to answer) and uses sixel when
 * the answer lists feature 4; else half blocks when the terminal has 256
 * colours (or direct colour where COLORTERM says truecolor or 24bit and
 * the terminfo entry has it), the locale is UTF-8 and NO_COLOR is unset;
 * else ASCII.  A project without images never asks.
 *
 * RELABEL_BENCH_TRACE=FILE makes the screen append timing lines to FILE:
 * "start", one line per loading step, "first-paint MS" when the first
 * full screen is on the terminal, "key NAME MS" per key handled (from
 * reading the key to the updated screen), and "maxrss KB" at the end.
 * MS is milliseconds; start, loaded and first-paint count from the moment
 * tui_run was called.
 */
#ifndef RELABEL_TUI_H
#define RELABEL_TUI_H

#include "relabel/err.h"
#include "relabel/preview.h"
#include "relabel/queue.h"

#define TUI_DA_TIMEOUT_MS 300

struct tui_options {
	const char *project;
	const char *reviewer;
	enum queue_by by;
	enum preview_mode preview;
	const char *keys_file;		/* an extra key file, or NULL */
	const char *trace;		/* bench trace file, or NULL */
};

/* Runs the review screen until the reviewer quits.  Returns 0, or -1
 * with e filled (the terminal already restored). */
int tui_run(const struct tui_options *o, struct err *e);

#endif
