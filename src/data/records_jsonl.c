/* records_jsonl.c - JSON lines input (cJSON), one object a line, with the
 * line and column of every field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/records.h"
#include "relabel/utf8.h"
#include "records_int.h"

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

/* ---- JSON lines ---- */

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
		return records_sink_fail(r->k, "%ld:%zu: NUL byte (\\u0000)",
					 r->line, nul + 1);
	if (cJSON_IsNull(c)) {
		records_fields_add(f, NULL, 0, r->line, col);
	} else if (cJSON_IsString(c)) {
		records_fields_add(f, c->valuestring, strlen(c->valuestring),
				   r->line, col);
	} else if (cJSON_IsArray(c) || cJSON_IsObject(c)) {
		size_t at = f->arena.len;

		/* Built in place: the arena holds it like any value. */
		records_fields_add(f, "", 0, r->line, col);
		f->arena.len = at;
		json_compact(&f->arena, s, m->val, m->vend);
		strbuf_addc(&f->arena, '\0');
		f->len[f->n - 1] = f->arena.len - at - 1;
	} else {
		records_fields_add(f, s + m->val, m->vend - m->val, r->line,
				   col);
	}
	f->kcol[f->n - 1] = kcol;
	f->name[f->n - 1] = c->string;
	if (f->len[f->n - 1] > RECORDS_MAX_FIELD)
		return records_sink_fail(r->k,
					 "%ld:%ld: field longer than 1 MiB",
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
		return records_sink_fail(r->k, "%ld: more than %d keys",
					 r->line, RECORDS_MAX_FIELDS);
	m = xreallocarray(NULL, nm ? (size_t)nm : 1, sizeof *m);
	if (json_members(s, n, obj, m, (size_t)nm) < 0)
		fatal("%s:%ld: JSON members out of step with cJSON",
		      r->k->name, r->line);
	records_fields_reset(&r->f);
	const cJSON *c = obj->child;

	for (int i = 0; i < nm && rc == 0; i++, c = c->next)
		rc = json_field(r, s, c, &m[i]);
	free(m);
	if (rc < 0)
		return -1;
	if ((d = records_names_dup(r->f.name, r->f.n)) >= 0) {
		const char *key = r->f.name[d];
		char *shown = records_name_shown(key, strlen(key));

		records_sink_fail(r->k, "%ld:%ld: duplicate key '%s'",
				  r->line, r->f.kcol[d], shown);
		free(shown);
		return -1;
	}
	return records_fields_emit(&r->f, NULL, r->line, r->k);
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
			return records_sink_fail(r->k, "%ld:%zu: NUL byte",
						 r->line, bad + 1);
		return records_sink_fail(r->k, "%ld:%zu: invalid UTF-8 (byte "
					 "0x%02X); save the file as UTF-8",
					 r->line, bad + 1,
					 (unsigned char)s[bad]);
	}

	/* The end pointer is cJSON's error position, without its global. */
	obj = cJSON_ParseWithLengthOpts(s, n, &end, 0);
	if (obj && end)
		end = s + json_ws(s, n, (size_t)(end - s));
	if (!obj || !end || end != s + n) {
		cJSON_Delete(obj);
		if (!obj && json_depth(s, n) > CJSON_NESTING_LIMIT)
			return records_sink_fail(r->k, "%ld: JSON nested more "
						 "than %d levels deep", r->line,
						 CJSON_NESTING_LIMIT);
		return records_sink_fail(r->k, "%ld:%ld: JSON syntax error",
					 r->line,
					 end ? (long)(end - s) + 1 : 1L);
	}
	if (!cJSON_IsObject(obj)) {
		cJSON_Delete(obj);
		return records_sink_fail(r->k, "%ld: expected a JSON object "
					 "({\"name\": value, ...})", r->line);
	}
	rc = json_fields(r, s, n, obj);
	cJSON_Delete(obj);
	return rc;
}

/* Hands every whole line of b[0..len) to json_line; a line without its
 * LF waits for more input unless eof. */
long records_json_feed(void *ctx, const unsigned char *ub, size_t len,
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
			return records_sink_fail(r->k,
						 "%ld: line longer than %u MiB",
						 r->line,
						 RECORDS_MAX_LINE >> 20);
		if (json_line(r, b + i, end - i) < 0)
			return -1;
		r->line++;
		i = nl ? end + 1 : len;
	}
	if (len - i > RECORDS_MAX_LINE)
		return records_sink_fail(r->k, "%ld: line longer than %u MiB",
					 r->line, RECORDS_MAX_LINE >> 20);
	return (long)i;
}

struct jsonr *records_json_new(struct sink *k)
{
	struct jsonr *r = xmalloc(sizeof *r);

	memset(r, 0, sizeof *r);
	r->k = k;
	r->line = 1;
	records_fields_init(&r->f);
	return r;
}

void records_json_free(struct jsonr *r)
{
	records_fields_free(&r->f);
	free(r);
}
