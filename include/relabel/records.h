/* records.h - reading tabular input: CSV (RFC 4180, through libcsv) and
 * JSON lines (through cJSON), one record at a time.
 *
 * Both formats come out the same way: each record is a list of named
 * string fields with the line and column where each field starts, so
 * that import can name the exact place of any bad value.  Input must be
 * UTF-8; a leading byte-order mark is skipped.  JSON values that are
 * numbers or booleans are given as their JSON text; null is an absent
 * field; arrays and objects are given as compact JSON text.
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

struct record {
	size_t nfields;
	const char *const *names;	/* [nfields] column names or JSON keys */
	const char *const *values;	/* [nfields] NUL-terminated UTF-8, never NULL */
	const size_t *lens;		/* [nfields] byte lengths of values */
	const long *cols;		/* [nfields] 1-based column where each field starts */
	long line;			/* 1-based line where the record starts */
	const char *file;		/* the path, for messages */
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
