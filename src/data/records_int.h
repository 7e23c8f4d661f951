/* records_int.h - what records.c and its readers (records_csv.c,
 * records_jsonl.c) share; not for other modules. */
#ifndef RELABEL_RECORDS_INT_H
#define RELABEL_RECORDS_INT_H

#include <stddef.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/records.h"

/* The code point utf8_decode gives for an invalid sequence. */
#define UTF8_BAD	0xFFFFFFFFu

/* Where records go, and how the reading stands. */
struct sink {
	const char *name;
	record_fn fn;
	void *user;
	struct err *e;
	long count;
	int failed;
};

/* The fields of the record being built; values live in one arena. */
struct fields {
	struct strbuf arena;	/* values, each followed by a NUL */
	size_t n, cap;
	size_t absent;		/* fields with no value among the n */
	size_t *off;		/* [n] offset in arena, SIZE_MAX: absent */
	size_t *len;		/* [n] */
	long *col;		/* [n] column of the value */
	long *lines;		/* [n] line of the value */
	long *kcol;		/* [n] column of the key (JSON) */
	const char **name;	/* [n] key (JSON) */
	const char **val;	/* [n] built just before use */
};

/* The readers, each behind its own type. */
struct csvr;
struct jsonr;

/* Marks k failed and sets its error to "name:" and the message; -1. */
int records_sink_fail(struct sink *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A name escaped and cut to a few dozen bytes for a message; free() it. */
char *records_name_shown(const char *s, size_t n);
/* Makes f empty, owning nothing. */
void records_fields_init(struct fields *f);
/* Frees what f owns and makes it empty again. */
void records_fields_free(struct fields *f);
/* Drops the fields but keeps the memory, for the next record. */
void records_fields_reset(struct fields *f);
/* Adds a copy of s[0..len) found at line:col; s NULL: an absent field. */
void records_fields_add(struct fields *f, const char *s, size_t len,
			long line, long col);
/* Points f->val[] into the arena; again after any add. */
void records_fields_point(struct fields *f);
/* Gives k's callback the record (names NULL: each field's own); 0 or -1. */
int records_fields_emit(struct fields *f, const char *const *names,
			long line, struct sink *k);
/* Index of the first name that repeats an earlier one, or -1. */
long records_names_dup(const char *const *names, size_t n);

/* A CSV reader with this delimiter (',' or '\t') into k; never NULL. */
struct csvr *records_csv_new(struct sink *k, unsigned char delim);
/* Reads b[0..len) (ctx: a csvr); the bytes used (the rest comes again
 * with more; all of them when eof), or -1 with k's error set. */
long records_csv_feed(void *ctx, const unsigned char *b, size_t len,
		      int eof);
/* Frees what records_csv_new made. */
void records_csv_free(struct csvr *r);

/* A JSON lines reader into k; never NULL. */
struct jsonr *records_json_new(struct sink *k);
/* Reads the whole lines of b[0..len) (ctx: a jsonr); as records_csv_feed. */
long records_json_feed(void *ctx, const unsigned char *ub, size_t len,
		       int eof);
/* Frees what records_json_new made. */
void records_json_free(struct jsonr *r);

#endif
