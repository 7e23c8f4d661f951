/* records_csv.c - CSV and TSV input (libcsv), one record at a time, with
 * the line and column of every field.
 *
 * libcsv gives field contents but no positions, so a small scanner runs
 * a little ahead of it over the same bytes, mirroring its states: it
 * queues the position of each field start (libcsv's field callback takes
 * them in order), checks UTF-8, NUL bytes and field length, and finds
 * quoting errors at the exact byte where libcsv would stop.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/records.h"
#include "relabel/utf8.h"
#include "records_int.h"

/* Sizes of work: a build may set it smaller to test the seams. */
#ifndef CSV_PIECE
#define CSV_PIECE	((size_t)1 << 16)	/* bytes scanned ahead of libcsv */
#endif

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
		records_sink_fail(r->k, "%ld:%ld: field longer than 1 MiB",
				  at.line, at.col);
		return;
	}
	if (!r->have_header && r->f.n == RECORDS_MAX_FIELDS) {
		records_sink_fail(r->k, "%ld:%ld: more than %d columns",
				  at.line, at.col, RECORDS_MAX_FIELDS);
		return;
	}

	/* Fields past the header's count are only counted, for the message. */
	if (r->have_header && r->f.n == r->nnames)
		return;
	records_fields_add(&r->f, s ? s : "", len, at.line, at.col);
}

/* The first row: checks the names and keeps them. */
static void csv_header(struct csvr *r)
{
	struct fields *f = &r->f;
	long d;

	records_fields_point(f);
	for (size_t i = 0; i < f->n; i++)
		if (f->len[i] == 0) {
			records_sink_fail(r->k, "%ld:%ld: empty column name "
					  "(give every column of the header "
					  "row a name)",
					  r->row_line, f->col[i]);
			return;
		}
	if ((d = records_names_dup(f->val, f->n)) >= 0) {
		char *shown = records_name_shown(f->val[d], f->len[d]);

		records_sink_fail(r->k, "%ld:%ld: duplicate column name '%s'",
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
		records_sink_fail(r->k, "%ld: expected %zu fields (as in "
				  "the header), found %ld",
				  r->row_line, r->nnames, r->nfound);
	} else {
		records_fields_emit(&r->f, r->names, r->row_line, r->k);
	}
	records_fields_reset(&r->f);
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
	records_fields_init(&r->f);

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
	records_fields_free(&r->f);
	free(r->q);
	free(r->names_block);
	free(r->names);
}

struct csvr *records_csv_new(struct sink *k, unsigned char delim)
{
	struct csvr *r = xmalloc(sizeof *r);

	csvr_init(r, k, delim);
	return r;
}

void records_csv_free(struct csvr *r)
{
	csvr_free(r);
	free(r);
}

/* End of input: the last row, if unterminated, and the empty-file
 * check.  end is the offset of the end in the buffer. */
static long csv_finish(struct csvr *r, size_t end)
{
	struct sink *k = r->k;

	if (r->st == CS_QUO)
		return records_sink_fail(k, "%ld:%ld: unterminated quoted "
					 "field (add the closing quote)",
					 r->fstart.line, r->fstart.col);

	/* A trailing delimiter leaves one empty field for libcsv to end. */
	if (r->st == CS_FIELD)
		csv_push(r, csv_pos(r, end));
	if (csv_fini(&r->p, csv_on_field, csv_on_row, r) != 0 && !k->failed)
		return records_sink_fail(k, "%ld:%ld: unterminated quoted "
					 "field (add the closing quote)",
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
long records_csv_feed(void *ctx, const unsigned char *b, size_t len, int eof)
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
