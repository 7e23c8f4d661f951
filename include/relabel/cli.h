/* cli.h - what the command files share: messages, number parsing and
 * opening the project. */
#ifndef RELABEL_CLI_H
#define RELABEL_CLI_H

#include <stdio.h>

#include "relabel/err.h"
#include "relabel/store.h"

/* Prints "relabel: <message>" to stderr and returns EXIT_INPUT. */
int cli_fail(const struct err *e);
/* Prints "relabel CMD: <printf message>" and a hint to stderr, returns
 * EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parses a whole decimal integer in [lo, hi] or a finite number; -1 with
 * a message naming the option when it is not one. */
int cli_int(const char *opt, const char *s, long lo, long hi, long *out,
	    struct err *e);
int cli_double(const char *opt, const char *s, double lo, double hi,
	       double *out, struct err *e);
/* Takes the project path from argv[optind] (the first argument that is
 * not an option) and opens it. */
int cli_open(const char *cmd, const char *path, int flags,
	     struct store **st, struct err *e);
/* 0 when path is a regular file; else -1 with a message (missing, or a
 * pipe, device or directory, which reading could hang on). */
int cli_input(const char *path, struct err *e);
/* Writes s to f as one field of a CSV row: quoted when needed, and with
 * a leading ' when a spreadsheet would run it as a formula. */
void cli_csv_field(FILE *f, const char *s);
/* The same for a terminal: control characters first made visible escapes
 * (CSV and JSON lines sent to a file or a pipe keep the data exactly). */
void cli_csv_safe(FILE *f, const char *s);
/* Writes s to f with control characters shown as visible escapes. */
void cli_safe(FILE *f, const char *s);
/* Writes s escaped as cli_safe does, in exactly |width| terminal columns:
 * cut at a whole character, padded with spaces on the left (width > 0)
 * or on the right (width < 0), like printf's "%*.*s". */
void cli_cell(FILE *f, const char *s, int width);

#endif
