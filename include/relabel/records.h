/* records.h - reading tabular input: CSV (RFC 4180, through libcsv) and
 * JSON lines (through cJSON), one record at a time.
 *
 * Both formats come out the same way: each record is a list of named
 * string fields with the line and column where each field starts, so
 * that import can name the exact place of any bad value.  Input must be
 * UTF-8; a leading byte-order mark is skipped.  JSON values that are
 * numbers or booleans are given as their JSON text; null is an absent
 * field; arrays and objects are given as compact JSON text.
 *
 * Positions: lines are 1-based and counted in the file as it is (LF, CRLF
 * or a lone CR ends a line, also inside a quoted CSV field); columns are
 * 1-based and counted in bytes from the start of the line (a skipped
 * byte-order mark is not counted).
 *
 * CSV and TSV: the first row names the columns and every data row must
 * have as many fields.  Fields keep their bytes as they are: spaces are
 * not trimmed (RFC 4180).  A quote inside an unquoted field, text after a
 * closing quote and a quoted field never closed are errors.  Empty lines
 * are skipped wherever they are; a line with only spaces is a record.
 * TSV uses the same rules (including quoting) with a tab delimiter.
 *
 * JSON lines: one object per line (LF or CRLF); lines with only spaces
 * and tabs are skipped.  A field's column is where its value starts.
 * Numbers keep their text exactly as written (large integer ids are not
 * rounded).  A key seen twice in one object is an error.
 */
#ifndef RELABEL_RECORDS_H
#define RELABEL_RECORDS_H

#include <stddef.h>

#include "relabel/err.h"

enum records_format {
	RECORDS_AUTO,		/* by extension: .jsonl/.ndjson/.json -> JSONL, .tsv -> TSV, else CSV */
	RECORDS_CSV,
	RECORDS_TSV,		/* CSV rules with a tab delimiter */
	RECORDS_JSONL
};

/* Limits checked while reading, before memory is committed. */
#define RECORDS_MAX_FIELD	(1u << 20)	/* bytes in one field */
#define RECORDS_MAX_FIELDS	4096		/* columns (keys) in one record */
#define RECORDS_MAX_LINE	(1u << 26)	/* bytes in one JSON line */

struct record {
	size_t nfields;
	const char *const *names;	/* [nfields] column names or JSON keys */
	const char *const *values;	/* [nfields] NUL-terminated UTF-8, never NULL */
	const size_t *lens;		/* [nfields] byte lengths of values */
	const long *cols;		/* [nfields] 1-based column where each field starts */
	long line;			/* 1-based line where the record starts */
	const char *file;		/* the path, for messages */
	const long *lines;		/* [nfields] 1-based line where each field
					 * starts (differs from line after a CSV
					 * field with a line break inside) */
};

/* Called once per data record (not for the CSV header).  Returning -1
 * (with e filled) stops the reading; records_read then returns -1 with
 * the same message. */
typedef int (*record_fn)(const struct record *r, void *user, struct err *e);

/* Reads every record of path.  Errors name "path:line:col: what"
 * (unterminated quoted field, wrong number of fields, bad UTF-8, NUL
 * byte, duplicate or empty header name, field too long, JSON syntax,
 * a line that is not a JSON object, empty file).  Returns the number of
 * records read, or -1. */
long records_read(const char *path, enum records_format fmt,
		  record_fn fn, void *user, struct err *e);

/* Same, from a buffer in memory (name is used in messages).  The fuzz
 * targets enter here. */
long records_read_mem(const char *name, const char *buf, size_t len,
		      enum records_format fmt, record_fn fn, void *user,
		      struct err *e);

/* The format records_read uses for RECORDS_AUTO on this path. */
enum records_format records_guess(const char *path);

/* Index of the field called name in r, or -1. */
long record_find(const struct record *r, const char *name);

#endif
