/* records.c - CSV, TSV (libcsv) and JSON lines (cJSON) input, one record
 * at a time, with the line and column of every field.
 *
 * libcsv gives field contents but no positions, so a small scanner runs
 * a little ahead of it over the same bytes, mirroring its states: it
 * queues the position of each field start (libcsv's field callback takes
 * them in order), checks UTF-8, NUL bytes and field length, and finds
 * quoting errors at the exact byte where libcsv would stop.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cJSON.h>
#include <csv.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/records.h"
#include "relabel/utf8.h"

/* Sizes of work: a build may set them smaller to test the seams. */
#ifndef RECORDS_CHUNK
#define RECORDS_CHUNK	((size_t)1 << 20)	/* bytes read at a time */
#endif
#ifndef CSV_PIECE
#define CSV_PIECE	((size_t)1 << 16)	/* bytes scanned ahead of libcsv */
#endif
#define UTF8_BAD	0xFFFFFFFFu
#define NAME_SHOWN	60			/* bytes of a name in messages */

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

struct pos {
	long line, col;
};

/* Bytes that end a run of plain text in an unquoted or quoted field. */
#define CSV_STOP_UNQ	1
#define CSV_STOP_QUO	2

/* The scanner's view of libcsv's parser state. */
enum csv_state { CS_ROW, CS_FIELD, CS_UNQ, CS_QUO, CS_QEND };

struct csvr {
	struct sink *k;
	struct csv_parser p;
	unsigned char delim;
	int started;		/* byte-order mark looked for */
	unsigned char stops[256];	/* CSV_STOP_*: bytes that end a text run */

	/* Scanner. */
	enum csv_state st;
	long line;
	size_t base;		/* absolute offset of the buffer fed now */
	size_t lstart;		/* absolute offset where the line starts */
	int last_cr;		/* the byte before the buffer was a CR */
	size_t content;		/* bytes of the current field so far */
	int quoted;
	struct pos fstart;
	struct pos *q;		/* field starts not yet taken by libcsv */
	size_t qhead, qlen, qcap;
	struct err scan_e;
	int scan_failed;

	/* Records. */
	struct fields f;
	long nfound;		/* fields of the row, stored or not */
	long row_line;
	char *names_block;
	const char **names;
	size_t nnames;
	int have_header;
};

struct jsonr {
	struct sink *k;
	int started;
	long line;
	struct fields f;
};

/* One member of a JSON object as it is written in the line. */
struct jmember {
	size_t key, val, vend;
};

static int sink_fail(struct sink *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sink_fail(struct sink *k, const char *fmt, ...)
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
static char *name_shown(const char *s, size_t n)
{
	struct strbuf b;

	strbuf_init(&b);
	utf8_escape(&b, s, n > NAME_SHOWN ? NAME_SHOWN : n);
	if (n > NAME_SHOWN)
		strbuf_adds(&b, "...");
	return strbuf_take(&b);
}

static void fields_init(struct fields *f)
{
	memset(f, 0, sizeof *f);
	strbuf_init(&f->arena);
}

static void fields_free(struct fields *f)
{
	strbuf_free(&f->arena);
	free(f->off);
	free(f->len);
	free(f->col);
	free(f->lines);
	free(f->kcol);
	free(f->name);
	free(f->val);
	fields_init(f);
}

static void fields_reset(struct fields *f)
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
static void fields_add(struct fields *f, const char *s, size_t len,
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
static void fields_point(struct fields *f)
{
	for (size_t i = 0; i < f->n; i++)
		f->val[i] = f->off[i] == (size_t)-1 ? NULL
			  : f->arena.s + f->off[i];
}

/* Hands the record to the caller, leaving out absent fields (only JSON
 * has them); names NULL takes each field's own name. */
static int fields_emit(struct fields *f, const char *const *names, long line,
		       struct sink *k)
{
	size_t m = 0;
	struct record r;

	fields_point(f);
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
static long names_dup(const char *const *names, size_t n)
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

/* Bytes of b[0..len) that end on a whole UTF-8 sequence, so that a
 * chunk read from a file never splits one. */
static size_t utf8_whole(const unsigned char *b, size_t len)
{
	for (size_t k = 1; k <= 3 && k <= len; k++) {
		unsigned char c = b[len - k];

		if ((c & 0xC0) == 0x80)
			continue;
		if (c < 0xC0)
			return len;
		size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;

		return need > k ? len - k : len;
	}
	return len;
}

/* Offset of the first bad byte in s[0..n) (NUL or invalid UTF-8), or
 * n; *nul says which. */
static size_t text_check(const unsigned char *s, size_t n, int *nul)
{
	size_t i = 0;

	while (i < n) {
		uint32_t cp;

		if (s[i] == 0) {
			*nul = 1;
			return i;
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		int len = utf8_decode((const char *)s + i, n - i, &cp);

		if (cp == UTF8_BAD) {
			*nul = 0;
			return i;
		}
		i += (size_t)len;
	}
	return n;
}

/* ---- CSV: the scanner ---- */

static struct pos csv_pos(const struct csvr *r, size_t i)
{
	struct pos p = { r->line, (long)(r->base + i - r->lstart + 1) };

	return p;
}

static size_t csv_fail(struct csvr *r, size_t i, struct pos at,
		       const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Keeps the scanner's error until libcsv has caught up to byte i. */
static size_t csv_fail(struct csvr *r, size_t i, struct pos at,
		       const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	err_set(&r->scan_e, "%s:%ld:%ld: %s", r->k->name, at.line, at.col,
		what);
	r->scan_failed = 1;
	return i;
}

/* b[i] is a CR or LF: CRLF counts as one line end, a lone CR as one. */
static void csv_newline(struct csvr *r, const unsigned char *b, size_t i)
{
	int after_cr = i > 0 ? b[i - 1] == '\r' : r->last_cr;

	if (b[i] == '\r' || !after_cr)
		r->line++;
	r->lstart = r->base + i + 1;
}

static void csv_push(struct csvr *r, struct pos p)
{
	if (r->qlen == r->qcap) {
		if (r->qhead > 0) {
			memmove(r->q, r->q + r->qhead,
				(r->qlen - r->qhead) * sizeof *r->q);
			r->qlen -= r->qhead;
			r->qhead = 0;
		} else {
			r->qcap = r->qcap ? 2 * r->qcap : 256;
			r->q = xreallocarray(r->q, r->qcap, sizeof *r->q);
		}
	}
	r->q[r->qlen++] = p;
}

static struct pos csv_pop(struct csvr *r)
{
	struct pos p;

	/* libcsv ends exactly the fields the scanner started. */
	if (r->qhead == r->qlen)
		fatal("%s: CSV scanner out of step with libcsv", r->k->name);
	p = r->q[r->qhead++];
	if (r->qhead == r->qlen)
		r->qhead = r->qlen = 0;
	return p;
}

/* Skips the ordinary bytes of a field, checking UTF-8 and the length;
 * returns where it stopped (a byte that changes the state, or stop). */
static size_t csv_text(struct csvr *r, const unsigned char *b, size_t i,
		       size_t stop, size_t limit)
{
	unsigned char mask = r->st == CS_UNQ ? CSV_STOP_UNQ : CSV_STOP_QUO;
	size_t from = i;

	while (i < stop) {
		unsigned char c = b[i];
		uint32_t cp;

		if (!(r->stops[c] & mask)) {
			i++;
			continue;
		}
		if (c < 0x80)
			break;
		int len = utf8_decode((const char *)b + i, limit - i, &cp);

		if (cp == UTF8_BAD)
			return csv_fail(r, i, csv_pos(r, i),
					"invalid UTF-8 (byte 0x%02X); save the file as UTF-8",
					c);
		i += (size_t)len;
	}
	r->content += i - from;
	if (r->content > RECORDS_MAX_FIELD)
		return csv_fail(r, i, r->fstart, "field longer than 1 MiB%s",
				r->quoted ? " (is the closing quote of this quoted field missing?)"
					  : "");
	return i;
}

/* The first byte of a field. */
static size_t csv_field_start(struct csvr *r, const unsigned char *b,
			      size_t i)
{
	unsigned char c = b[i];

	r->fstart = csv_pos(r, i);
	csv_push(r, r->fstart);
	r->content = 0;
	r->quoted = 0;
	if (c == r->delim)
		return i + 1;
	if (c == '\r' || c == '\n') {
		csv_newline(r, b, i);
		r->st = CS_ROW;
		return i + 1;
	}
	if (c == '"') {
		r->quoted = 1;
		r->st = CS_QUO;
		return i + 1;
	}
	r->st = CS_UNQ;
	return i;
}

/* A byte that csv_text stopped at inside a field. */
static size_t csv_special(struct csvr *r, const unsigned char *b, size_t i)
{
	unsigned char c = b[i];

	if (c == 0)
		return csv_fail(r, i, csv_pos(r, i), "NUL byte");
	if (r->st == CS_QUO) {
		if (c == '"') {
			r->st = CS_QEND;
			return i + 1;
		}
		csv_newline(r, b, i);
		r->content++;
		return i + 1;
	}
	if (c == '"')
		return csv_fail(r, i, csv_pos(r, i),
				"quote inside an unquoted field (quote the whole "
				"field and double the quote: \"a \"\"b\"\"\")");
	if (c == r->delim) {
		r->st = CS_FIELD;
		return i + 1;
	}
	csv_newline(r, b, i);
	r->st = CS_ROW;
	return i + 1;
}

/* The byte after a quote inside a quoted field. */
static size_t csv_after_quote(struct csvr *r, const unsigned char *b,
			      size_t i)
{
	unsigned char c = b[i];

	if (c == '"') {
		r->content++;
		r->st = CS_QUO;
		return i + 1;
	}
	if (c == r->delim) {
		r->st = CS_FIELD;
		return i + 1;
	}
	if (c == '\r' || c == '\n') {
		csv_newline(r, b, i);
		r->st = CS_ROW;
		return i + 1;
	}
	if (c == 0)
		return csv_fail(r, i, csv_pos(r, i), "NUL byte");
	return csv_fail(r, i, csv_pos(r, i),
			"text after a closing quote (inside a quoted field write a quote as \"\")");
}

/* Scans b[i..stop), looking ahead up to limit for a UTF-8 sequence;
 * returns where it stopped (>= stop, or the offending byte). */
static size_t csv_scan(struct csvr *r, const unsigned char *b, size_t i,
		       size_t stop, size_t limit)
{
	while (i < stop && !r->scan_failed) {
		switch (r->st) {
		case CS_ROW:
			/* libcsv skips empty lines between records. */
			if (b[i] == '\r' || b[i] == '\n')
				csv_newline(r, b, i++);
			else
				r->st = CS_FIELD;
			break;
		case CS_FIELD:
			i = csv_field_start(r, b, i);
			break;
		case CS_UNQ:
		case CS_QUO:
			i = csv_text(r, b, i, stop, limit);
			if (!r->scan_failed && i < stop)
				i = csv_special(r, b, i);
			break;
		case CS_QEND:
			i = csv_after_quote(r, b, i);
			break;
		}
	}
	return i;
}

/* ---- CSV: records from libcsv's callbacks ---- */

static void csv_on_field(void *s, size_t len, void *data)
{
	struct csvr *r = data;
	struct pos at = csv_pop(r);

	if (r->k->failed)
		return;
	if (r->nfound++ == 0)
		r->row_line = at.line;
	if (len > RECORDS_MAX_FIELD) {
		sink_fail(r->k, "%ld:%ld: field longer than 1 MiB", at.line,
			  at.col);
		return;
	}
	if (!r->have_header && r->f.n == RECORDS_MAX_FIELDS) {
		sink_fail(r->k, "%ld:%ld: more than %d columns", at.line,
			  at.col, RECORDS_MAX_FIELDS);
		return;
	}

	/* Fields past the header's count are only counted, for the message. */
	if (r->have_header && r->f.n == r->nnames)
		return;
	fields_add(&r->f, s ? s : "", len, at.line, at.col);
}

/* The first row: checks the names and keeps them. */
static void csv_header(struct csvr *r)
{
	struct fields *f = &r->f;
	long d;

	fields_point(f);
	for (size_t i = 0; i < f->n; i++)
		if (f->len[i] == 0) {
			sink_fail(r->k, "%ld:%ld: empty column name "
				  "(give every column of the header row a name)",
				  r->row_line, f->col[i]);
			return;
		}
	if ((d = names_dup(f->val, f->n)) >= 0) {
		char *shown = name_shown(f->val[d], f->len[d]);

		sink_fail(r->k, "%ld:%ld: duplicate column name '%s'",
			  r->row_line, f->col[d], shown);
		free(shown);
		return;
	}
	r->nnames = f->n;
	r->names = xreallocarray(NULL, f->n ? f->n : 1, sizeof *r->names);
	r->names_block = strbuf_take(&f->arena);
	for (size_t i = 0; i < f->n; i++)
		r->names[i] = r->names_block + f->off[i];
	r->have_header = 1;
}

static void csv_on_row(int c, void *data)
{
	struct csvr *r = data;

	(void)c;
	if (r->k->failed) {
		/* Nothing more is delivered after an error. */
	} else if (!r->have_header) {
		csv_header(r);
	} else if ((size_t)r->nfound != r->nnames) {
		sink_fail(r->k, "%ld: expected %zu fields (as in the header), found %ld",
			  r->row_line, r->nnames, r->nfound);
	} else {
		fields_emit(&r->f, r->names, r->row_line, r->k);
	}
	fields_reset(&r->f);
	r->nfound = 0;
}

/* Never trims: spaces belong to the field (RFC 4180). */
static int csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void csvr_init(struct csvr *r, struct sink *k, unsigned char delim)
{
	memset(r, 0, sizeof *r);
	r->k = k;
	r->delim = delim;
	r->line = 1;
	r->st = CS_ROW;
	fields_init(&r->f);

	/* Non-ASCII bytes stop too, to be checked as UTF-8. */
	for (int c = 0; c < 256; c++)
		r->stops[c] = c >= 0x80 || c == '"' || c == '\n' || c == '\r' ||
			      c == 0 ? CSV_STOP_UNQ | CSV_STOP_QUO : 0;
	r->stops[delim] |= CSV_STOP_UNQ;
	if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		fatal("out of memory (CSV parser)");
	csv_set_delim(&r->p, delim);
	csv_set_space_func(&r->p, csv_no_space);
	csv_set_realloc_func(&r->p, xrealloc);
	csv_set_blk_size(&r->p, 4096);
}

static void csvr_free(struct csvr *r)
{
	csv_free(&r->p);
	fields_free(&r->f);
	free(r->q);
	free(r->names_block);
	free(r->names);
}

/* End of input: the last row, if unterminated, and the empty-file
 * check.  end is the offset of the end in the buffer. */
static long csv_finish(struct csvr *r, size_t end)
{
	struct sink *k = r->k;

	if (r->st == CS_QUO)
		return sink_fail(k, "%ld:%ld: unterminated quoted field (add the closing quote)",
				 r->fstart.line, r->fstart.col);

	/* A trailing delimiter leaves one empty field for libcsv to end. */
	if (r->st == CS_FIELD)
		csv_push(r, csv_pos(r, end));
	if (csv_fini(&r->p, csv_on_field, csv_on_row, r) != 0 && !k->failed)
		return sink_fail(k, "%ld:%ld: unterminated quoted field (add the closing quote)",
				 r->fstart.line, r->fstart.col);
	if (k->failed)
		return -1;
	if (!r->have_header)
		return err_set(k->e, "%s: empty file (expected a header row)",
			       k->name);
	return 0;
}

/* Scans and parses b[0..len); eof says nothing follows.  Returns how
 * many bytes were used (the rest comes again with more), or -1. */
static long csv_feed(void *ctx, const unsigned char *b, size_t len, int eof)
{
	struct csvr *r = ctx;
	size_t i = 0, limit;

	if (!r->started) {
		if (len < 3 && !eof)
			return 0;
		r->started = 1;
		if (len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
			r->lstart = i = 3;
	}
	limit = eof ? len : utf8_whole(b, len);

	/* libcsv parses each piece once the scanner has been over it. */
	while (i < limit) {
		size_t stop = limit - i > CSV_PIECE ? i + CSV_PIECE : limit;
		size_t j = csv_scan(r, b, i, stop, limit);
		size_t used = csv_parse(&r->p, b + i, j - i, csv_on_field,
					csv_on_row, r);

		if (r->k->failed)
			return -1;
		if (r->scan_failed) {
			*r->k->e = r->scan_e;
			return -1;
		}
		if (used != j - i)
			fatal("%s: libcsv stopped where the scanner did not",
			      r->k->name);
		i = j;
	}
	if (eof && csv_finish(r, limit) < 0)
		return -1;
	if (limit > 0)
		r->last_cr = b[limit - 1] == '\r';
	r->base += limit;
	return (long)limit;
}

/* ---- JSON lines ---- */

static size_t json_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (unsigned char)s[i] <= 32)
		i++;
	return i;
}

static size_t json_skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* The end of the value at s[i]; the text is valid JSON (cJSON took it). */
static size_t json_skip(const char *s, size_t n, size_t i)
{
	int depth = 0;

	if (i < n && s[i] == '"')
		return json_skip_string(s, n, i);
	if (i < n && s[i] != '{' && s[i] != '[') {
		while (i < n && (unsigned char)s[i] > 32 && s[i] != ',' &&
		       s[i] != '}' && s[i] != ']')
			i++;
		return i;
	}
	while (i < n) {
		if (s[i] == '"') {
			i = json_skip_string(s, n, i);
			continue;
		}
		if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return n;
}

/* Offset of a "\u0000" escape in the string s[i..end), or end: cJSON
 * would cut the string there. */
static size_t json_nul_escape(const char *s, size_t i, size_t end)
{
	for (; i + 1 < end; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 6 <= end &&
		    !memcmp(s + i + 2, "0000", 4))
			return i;
		i++;
	}
	return end;
}

/* Finds the members of the object that s[0..n) holds, in order, one per
 * child of obj.  Returns 0, or -1 when they do not match. */
static int json_members(const char *s, size_t n, const cJSON *obj,
			struct jmember *m, size_t nm)
{
	size_t i = 0, k = 0;

	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		i = 3;
	i = json_ws(s, n, i);
	if (i >= n || s[i] != '{')
		return -1;
	i = json_ws(s, n, i + 1);
	for (const cJSON *c = obj->child; c; c = c->next, k++) {
		if (k == nm || i >= n || s[i] != '"')
			return -1;
		m[k].key = i;
		i = json_ws(s, n, json_skip_string(s, n, i));
		if (i >= n || s[i] != ':')
			return -1;
		m[k].val = json_ws(s, n, i + 1);
		m[k].vend = json_skip(s, n, m[k].val);
		i = json_ws(s, n, m[k].vend);
		if (i < n && s[i] == ',')
			i = json_ws(s, n, i + 1);
	}
	return k == nm && i < n && s[i] == '}' ? 0 : -1;
}

/* Adds the text of an array or object without the spaces between
 * tokens. */
static void json_compact(struct strbuf *b, const char *s, size_t i,
			 size_t end)
{
	while (i < end) {
		if (s[i] == '"') {
			size_t e = json_skip_string(s, end, i);

			strbuf_add(b, s + i, e - i);
			i = e;
		} else if ((unsigned char)s[i] <= 32) {
			i++;
		} else {
			strbuf_addc(b, s[i++]);
		}
	}
}

static int cjson_count(const cJSON *obj)
{
	int n = 0;

	for (const cJSON *c = obj->child; c; c = c->next)
		n++;
	return n;
}

/* Adds the value of one member to the record's fields. */
static int json_field(struct jsonr *r, const char *s, const cJSON *c,
		      const struct jmember *m)
{
	long col = (long)m->val + 1, kcol = (long)m->key + 1;
	struct fields *f = &r->f;
	size_t nul;

	if ((nul = json_nul_escape(s, m->key, m->val)) < m->val ||
	    (cJSON_IsString(c) &&
	     (nul = json_nul_escape(s, m->val, m->vend)) < m->vend))
		return sink_fail(r->k, "%ld:%zu: NUL byte (\\u0000)", r->line,
				 nul + 1);
	if (cJSON_IsNull(c)) {
		fields_add(f, NULL, 0, r->line, col);
	} else if (cJSON_IsString(c)) {
		fields_add(f, c->valuestring, strlen(c->valuestring), r->line,
			   col);
	} else if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
		size_t at = f->arena.len;

		/* Built in place: the arena holds it like any value. */
		fields_add(f, "", 0, r->line, col);
		f->arena.len = at;
		json_compact(&f->arena, s, m->val, m->vend);
		strbuf_addc(&f->arena, '\0');
		f->len[f->n - 1] = f->arena.len - at - 1;
	} else {
		fields_add(f, s + m->val, m->vend - m->val, r->line, col);
	}
	f->kcol[f->n - 1] = kcol;
	f->name[f->n - 1] = c->string;
	if (f->len[f->n - 1] > RECORDS_MAX_FIELD)
		return sink_fail(r->k, "%ld:%ld: field longer than 1 MiB",
				 r->line, col);
	return 0;
}

/* The fields of a parsed object, checked for repeated keys. */
static int json_fields(struct jsonr *r, const char *s, size_t n,
		       const cJSON *obj)
{
	int nm = cjson_count(obj);
	struct jmember *m;
	long d;
	int rc = 0;

	if (nm > RECORDS_MAX_FIELDS)
		return sink_fail(r->k, "%ld: more than %d keys", r->line,
				 RECORDS_MAX_FIELDS);
	m = xreallocarray(NULL, nm ? (size_t)nm : 1, sizeof *m);
	if (json_members(s, n, obj, m, (size_t)nm) < 0)
		fatal("%s:%ld: JSON members out of step with cJSON",
		      r->k->name, r->line);
	fields_reset(&r->f);
	const cJSON *c = obj->child;

	for (int i = 0; i < nm && rc == 0; i++, c = c->next)
		rc = json_field(r, s, c, &m[i]);
	free(m);
	if (rc < 0)
		return -1;
	if ((d = names_dup(r->f.name, r->f.n)) >= 0) {
		const char *key = r->f.name[d];
		char *shown = name_shown(key, strlen(key));

		sink_fail(r->k, "%ld:%ld: duplicate key '%s'", r->line,
			  r->f.kcol[d], shown);
		free(shown);
		return -1;
	}
	return fields_emit(&r->f, NULL, r->line, r->k);
}

static int json_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* One line of JSON lines, without its LF. */

/* Deepest nesting of arrays and objects in a JSON text, strings skipped:
 * tells a too-deep document from a syntax error. */
static int json_depth(const char *s, size_t n)
{
	int depth = 0, most = 0, in_str = 0;

	for (size_t i = 0; i < n; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = 0;
		} else if (s[i] == '"') {
			in_str = 1;
		} else if (s[i] == '[' || s[i] == '{') {
			most = ++depth > most ? depth : most;
		} else if (s[i] == ']' || s[i] == '}') {
			depth--;
		}
	}
	return most;
}

static int json_line(struct jsonr *r, const char *s, size_t n)
{
	const char *end = NULL;
	cJSON *obj;
	int nul = 0, rc;
	size_t bad;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (json_blank(s, n))
		return 0;
	if ((bad = text_check((const unsigned char *)s, n, &nul)) < n) {
		if (nul)
			return sink_fail(r->k, "%ld:%zu: NUL byte", r->line,
					 bad + 1);
		return sink_fail(r->k, "%ld:%zu: invalid UTF-8 (byte 0x%02X); "
				 "save the file as UTF-8",
				 r->line, bad + 1, (unsigned char)s[bad]);
	}

	/* The end pointer is cJSON's error position, without its global. */
	obj = cJSON_ParseWithLengthOpts(s, n, &end, 0);
	if (obj && end)
		end = s + json_ws(s, n, (size_t)(end - s));
	if (!obj || !end || end != s + n) {
		cJSON_Delete(obj);
		if (!obj && json_depth(s, n) > CJSON_NESTING_LIMIT)
			return sink_fail(r->k, "%ld: JSON nested more than %d levels "
					 "deep", r->line, CJSON_NESTING_LIMIT);
		return sink_fail(r->k, "%ld:%ld: JSON syntax error", r->line,
				 end ? (long)(end - s) + 1 : 1L);
	}
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return sink_fail(r->k, "%ld: expected a JSON object ({\"name\": value, ...})",
				 r->line);
	}
	rc = json_fields(r, s, n, obj);
	cJSON_Delete(obj);
	return rc;
}

/* Hands every whole line of b[0..len) to json_line; a line without its
 * LF waits for more input unless eof. */
static long json_feed(void *ctx, const unsigned char *ub, size_t len,
		      int eof)
{
	struct jsonr *r = ctx;
	const char *b = (const char *)ub;
	size_t i = 0;

	if (!r->started) {
		if (len < 3 && !eof)
			return 0;
		r->started = 1;
		if (len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
			i = 3;
	}
	while (i < len) {
		const char *nl = memchr(b + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - b) : len;

		if (!nl && !eof)
			break;
		if (end - i > RECORDS_MAX_LINE)
			return sink_fail(r->k, "%ld: line longer than %u MiB",
					 r->line, RECORDS_MAX_LINE >> 20);
		if (json_line(r, b + i, end - i) < 0)
			return -1;
		r->line++;
		i = nl ? end + 1 : len;
	}
	if (len - i > RECORDS_MAX_LINE)
		return sink_fail(r->k, "%ld: line longer than %u MiB", r->line,
				 RECORDS_MAX_LINE >> 20);
	return (long)i;
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
	struct csvr c;
	struct jsonr j;
	feed_fn feed;
	void *ctx;
	long rc;

	if (fmt == RECORDS_AUTO)
		fmt = records_guess(name);
	if (fmt == RECORDS_JSONL) {
		memset(&j, 0, sizeof j);
		j.k = &k;
		j.line = 1;
		fields_init(&j.f);
		feed = json_feed;
		ctx = &j;
	} else {
		csvr_init(&c, &k, fmt == RECORDS_TSV ? '\t' : ',');
		feed = csv_feed;
		ctx = &c;
	}
	if (path)
		rc = records_file(&k, path, feed, ctx);
	else
		rc = feed(ctx, (const unsigned char *)(buf ? buf : ""), len, 1);
	if (fmt == RECORDS_JSONL)
		fields_free(&j.f);
	else
		csvr_free(&c);
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
