/* err.h - recoverable errors: a status plus a message for the user.
 *
 * Library functions return 0 on success and -1 on failure, after filling
 * a struct err with one line that names the file, line, column or item
 * and says what to do.  The caller decides how to show it: stderr for the
 * command line, the status line in the review screen.  Library code never
 * prints and never exits.
 */
#ifndef RELABEL_ERR_H
#define RELABEL_ERR_H

#include <stddef.h>

/* Exit statuses of the relabel command. */
enum {
	EXIT_DONE = 0,
	EXIT_INPUT = 1,	/* bad input or data, or a failed operation */
	EXIT_USAGE = 2	/* bad command line */
};

struct err {
	char msg[1024];	/* one line, no trailing newline; truncated if longer */
};

/* Sets e->msg from a printf format; returns -1 so callers can write
 * "return err_set(e, ...)".  e may be NULL. */
int err_set(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to the message already in e; returns -1. */
int err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets e->msg to "<what>: <strerror(errno)>"; returns -1. */
int err_errno(struct err *e, const char *what);

/* Broken invariant: restores the terminal through the registered hook,
 * prints the message and aborts.  Never returns. */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* Registers the function fatal() calls first (the review screen uses it
 * to leave curses mode).  NULL clears it. */
void fatal_set_hook(void (*hook)(void));

#endif
