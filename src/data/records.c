/* records.c - CSV, TSV and JSON lines input, one record at a time, with
 * the line and column of every field: the entry points, and what the
 * readers (records_csv.c, records_jsonl.c) share.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/records.h"
#include "relabel/utf8.h"
#include "records_int.h"

/* Sizes of work: a build may set it smaller to test the seams. */
#ifndef RECORDS_CHUNK
#define RECORDS_CHUNK	((size_t)1 << 20)	/* bytes read at a time */
#endif
#define NAME_SHOWN	60			/* bytes of a name in messages */

/* ---- Shared with the readers ---- */

int records_sink_fail(struct sink *k, const char *fmt, ...)
{
	char what[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	k->failed = 1;
	return err_set(k->e, "%s:%s", k->name, what);
}

/* A name as it may appear in a message: escaped and shortened. */
char *records_name_shown(const char *s, size_t n)
{
	struct strbuf b;

	strbuf_init(&b);
	utf8_escape(&b, s, n > NAME_SHOWN ? NAME_SHOWN : n);
	if (n > NAME_SHOWN)
		strbuf_adds(&b, "...");
	return strbuf_take(&b);
}

void records_fields_init(struct fields *f)
{
	memset(f, 0, sizeof *f);
	strbuf_init(&f->arena);
}

void records_fields_free(struct fields *f)
{
	strbuf_free(&f->arena);
	free(f->off);
	free(f->len);
	free(f->col);
	free(f->lines);
	free(f->kcol);
	free(f->name);
	free(f->val);
	records_fields_init(f);
}

void records_fields_reset(struct fields *f)
{
	f->n = f->absent = 0;
	strbuf_reset(&f->arena);
}

/* Room for n more bytes and the strbuf's closing NUL at the arena's
 * end: one copy per field instead of strbuf_add's two calls. */
static char *fields_room(struct fields *f, size_t n)
{
	struct strbuf *a = &f->arena;

	if (a->cap - a->len < n + 1) {
		size_t cap = a->cap ? a->cap : 256;

		while (cap - a->len < n + 1)
			cap *= 2;
		a->s = xrealloc(a->s, cap);
		a->cap = cap;
	}
	return a->s + a->len;
}

/* Adds one field; s == NULL adds an absent one (JSON null). */
void records_fields_add(struct fields *f, const char *s, size_t len,
			long line, long col)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->off = xreallocarray(f->off, f->cap, sizeof *f->off);
		f->len = xreallocarray(f->len, f->cap, sizeof *f->len);
		f->col = xreallocarray(f->col, f->cap, sizeof *f->col);
		f->lines = xreallocarray(f->lines, f->cap, sizeof *f->lines);
		f->kcol = xreallocarray(f->kcol, f->cap, sizeof *f->kcol);
		f->name = xreallocarray(f->name, f->cap, sizeof *f->name);
		f->val = xreallocarray(f->val, f->cap, sizeof *f->val);
	}
	f->off[f->n] = s ? f->arena.len : (size_t)-1;
	f->len[f->n] = len;
	f->col[f->n] = col;
	f->lines[f->n] = line;
	f->absent += !s;
	if (s) {
		char *d = fields_room(f, len + 1);

		if (len)
			memcpy(d, s, len);
		d[len] = d[len + 1] = '\0';
		f->arena.len += len + 1;
	}
	f->n++;
}

/* Points val[] into the arena (which may have moved while growing). */
void records_fields_point(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		f->val[i] = f->off[i] == (size_t)-1 ? NULL
			  : f->arena.s + f->off[i];
}

/* Hands the record to the caller, leaving out absent fields (only JSON
 * has them); names NULL takes each field's own name. */
int records_fields_emit(struct fields *f, const char *const *names,
			long line, struct sink *k)
{
	size_t m = 0;
	struct record r;

	records_fields_point(f);
	for (size_t i = 0; i < f->n && f->absent; i++) {
		if (!f->val[i])
			continue;
		f->val[m] = f->val[i];
		f->len[m] = f->len[i];
		f->col[m] = f->col[i];
		f->lines[m] = f->lines[i];
		f->name[m] = f->name[i];
		m++;
	}
	r.nfields = f->absent ? m : f->n;
	r.names = names ? names : f->name;
	r.values = f->val;
	r.lens = f->len;
	r.cols = f->col;
	r.line = line;
	r.lines = f->lines;
	r.file = k->name;
	if (k->fn && k->fn(&r, k->user, k->e) < 0) {
		k->failed = 1;
		return -1;
	}
	k->count++;
	return 0;
}

struct named {
	const char *s;
	size_t i;
};

static int named_cmp(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c)
		return c;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Index of the first name that repeats an earlier one, or -1. */
long records_names_dup(const char *const *names, size_t n)
{
	long best = -1;

	if (n <= 32) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (!strcmp(names[i], names[j]))
					return (long)i;
		return -1;
	}

	/* Many names: sort, then the later ones of each equal run repeat. */
	struct named *v = xreallocarray(NULL, n, sizeof *v);

	for (size_t i = 0; i < n; i++)
		v[i] = (struct named){ names[i], i };
	qsort(v, n, sizeof *v, named_cmp);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i].s, v[i - 1].s) &&
		    (best < 0 || (long)v[i].i < best))
			best = (long)v[i].i;
	free(v);
	return best;
}

/* ---- Entry points ---- */

typedef long (*feed_fn)(void *ctx, const unsigned char *b, size_t len,
			int eof);

/* Reads path in large chunks; bytes feed leaves unused come again at the
 * front of the next chunk. */
static long records_file(struct sink *k, const char *path, feed_fn feed,
			 void *ctx)
{
	size_t cap = RECORDS_CHUNK, len = 0;
	unsigned char *b;
	FILE *fp = fopen(path, "rb");
	long rc = 0;

	if (!fp)
		return err_errno(k->e, path);
	b = xmalloc(cap);
	for (;;) {
		if (cap - len < RECORDS_CHUNK / 2) {
			cap *= 2;
			b = xrealloc(b, cap);
		}
		size_t got = fread(b + len, 1, cap - len, fp);

		if (ferror(fp)) {
			rc = err_errno(k->e, path);
			break;
		}
		len += got;
		int eof = feof(fp) != 0;
		long used = feed(ctx, b, len, eof);

		if (used < 0 || eof) {
			rc = used < 0 ? -1 : 0;
			break;
		}
		memmove(b, b + used, len - (size_t)used);
		len -= (size_t)used;
	}
	free(b);
	fclose(fp);
	return rc;
}

/* Runs one format over a file (path) or a buffer (buf). */
static long records_run(const char *name, const char *path, const char *buf,
			size_t len, enum records_format fmt, record_fn fn,
			void *user, struct err *e)
{
	struct sink k = { name, fn, user, e, 0, 0 };
	struct csvr *c = NULL;
	struct jsonr *j = NULL;
	feed_fn feed;
	void *ctx;
	long rc;

	if (fmt == RECORDS_AUTO)
		fmt = records_guess(name);
	if (fmt == RECORDS_JSONL) {
		j = records_json_new(&k);
		feed = records_json_feed;
		ctx = j;
	} else {
		c = records_csv_new(&k, fmt == RECORDS_TSV ? '\t' : ',');
		feed = records_csv_feed;
		ctx = c;
	}
	if (path)
		rc = records_file(&k, path, feed, ctx);
	else
		rc = feed(ctx, (const unsigned char *)(buf ? buf : ""), len, 1);
	if (fmt == RECORDS_JSONL)
		records_json_free(j);
	else
		records_csv_free(c);
	return rc < 0 ? -1 : k.count;
}

long records_read(const char *path, enum records_format fmt, record_fn fn,
		  void *user, struct err *e)
{
	return records_run(path, path, NULL, 0, fmt, fn, user, e);
}

long records_read_mem(const char *name, const char *buf, size_t len,
		      enum records_format fmt, record_fn fn, void *user,
		      struct err *e)
{
	return records_run(name, NULL, buf, len, fmt, fn, user, e);
}

enum records_format records_guess(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (!dot || strchr(dot, '/'))
		return RECORDS_CSV;
	if (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson") ||
	    !strcasecmp(dot, ".json"))
		return RECORDS_JSONL;
	if (!strcasecmp(dot, ".tsv"))
		return RECORDS_TSV;
	return RECORDS_CSV;
}

long record_find(const struct record *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (!strcmp(r->names[i], name))
			return (long)i;
	return -1;
}

