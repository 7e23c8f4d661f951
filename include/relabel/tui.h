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
 * Retrain: the R key opens the options of the next run (the newest
 * run's, changed by retrain_opts and trusted_weight, then by the
 * reviewer), y starts it in a worker thread (worker.h) while the screen
 * stays usable, and R again offers to cancel it.  When it is stored the
 * project is read again in the background and the queue re-ranked, the
 * item on screen kept; a one-line summary says what changed.
 *
 * RELABEL_BENCH_TRACE=FILE makes the screen append timing lines to FILE:
 * "start", one line per loading step, "first-paint MS ROWS" when the
 * first screen is on the terminal (with ROWS queue rows, from the stored
 * ranking), "loaded MS" when the whole project is read
 * and ranked (and the queue shown is the full one), "key NAME MS" per
 * key handled (from reading the key to the updated screen),
 * "retrain-start MS", "retrain-end MS STATE SECONDS" and "reloaded MS RUN"
 * around a retrain, and "maxrss KB" at the end.  MS is milliseconds;
 * those not per key count from the moment tui_run was called.
 */
#ifndef RELABEL_TUI_H
#define RELABEL_TUI_H

#include "relabel/err.h"
#include "relabel/pipeline.h"
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
	const char *retrain_opts;	/* "epochs=5,folds=2,...", or NULL */
	double trusted_weight;		/* of reviewed items; 0: the run's */
	unsigned long retrain_every;	/* retrain after N decisions; 0: no */
};

/* Applies "name=value,name=value" (retrain_opts) to o; names: method,
 * loss, epochs, folds, noise (auto or a rate), hidden (sizes separated by
 * ':' or ','), trusted-weight, lr, batch, seed, threads, image-size.
 * Returns 0, or -1 naming the bad pair. */
int tui_retrain_opts(struct pipeline_opts *o, const char *spec,
		     struct err *e);

/* Runs the review screen until the reviewer quits.  Returns 0, or -1
 * with e filled (the terminal already restored). */
int tui_run(const struct tui_options *o, struct err *e);

#endif
