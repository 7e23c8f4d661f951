/* keys.c - the key map: default bindings, key names and the key file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/keys.h"
#include "relabel/utf8.h"

struct action_info {
	const char *name;
	const char *help;
};

static const struct action_info actions[ACT_COUNT] = {
	[ACT_NONE] = { "none", "unbind the key" },
	[ACT_DOWN] = { "down", "next row" },
	[ACT_UP] = { "up", "previous row" },
	[ACT_PAGE_DOWN] = { "page-down", "one page down" },
	[ACT_PAGE_UP] = { "page-up", "one page up" },
	[ACT_TOP] = { "top", "first row" },
	[ACT_BOTTOM] = { "bottom", "last row" },
	[ACT_LEFT] = { "left", "previous column (matrices)" },
	[ACT_RIGHT] = { "right", "next column (matrices)" },
	[ACT_LABEL] = { "label", "relabel as that class, then next item" },
	[ACT_CONFIRM] = { "confirm", "confirm the current label, then next" },
	[ACT_SKIP] = { "skip", "skip the item (logged), then next" },
	[ACT_UNDO] = { "undo", "undo the last relabel or confirm" },
	[ACT_REDO] = { "redo", "redo what was undone" },
	[ACT_SEARCH] = { "search", "search ids and texts" },
	[ACT_SEARCH_NEXT] = { "search-next", "next search match" },
	[ACT_SEARCH_PREV] = { "search-prev", "previous search match" },
	[ACT_FILTER] = { "filter", "show only items with one label" },
	[ACT_ORDER] = { "order", "change the queue order" },
	[ACT_OPEN] = { "open", "open the selected row or cell" },
	[ACT_BACK] = { "back", "close this screen, or leave a sub-queue" },
	[ACT_ANNOTATORS] = { "annotators", "annotator audit" },
	[ACT_NOISE] = { "noise", "noise matrix (given x true)" },
	[ACT_RUNS] = { "runs", "training run history" },
	[ACT_RETRAIN] = { "retrain", "retrain on the current labels (options "
			  "first), or cancel a retrain" },
	[ACT_YES] = { "yes", "answer yes: start the retrain, cancel it" },
	[ACT_HELP] = { "help", "this help" },
	[ACT_CONTRAST_UP] = { "contrast-up", "more contrast (narrower window)" },
	[ACT_CONTRAST_DOWN] = { "contrast-down", "less contrast (wider window)" },
	[ACT_BRIGHTER] = { "brighter", "brighter (lower window level)" },
	[ACT_DARKER] = { "darker", "darker (higher window level)" },
	[ACT_INVERT] = { "invert", "invert the image" },
	[ACT_ZOOM_IN] = { "zoom-in", "zoom into the image centre" },
	[ACT_ZOOM_OUT] = { "zoom-out", "zoom out" },
	[ACT_VIEW_RESET] = { "view-reset", "reset window, level and zoom" },
	[ACT_REDRAW] = { "redraw", "redraw the screen" },
	[ACT_QUIT] = { "quit", "quit (every decision is already saved)" },
};

#define CTRL(c) ((c) & 0x1f)

/* The defaults; assets/keys.conf lists the same, and a test checks it. */
static const struct {
	int key;
	enum action act;
	int arg;
} defaults[] = {
	{ 'j', ACT_DOWN, 0 }, { KEYS_DOWN, ACT_DOWN, 0 },
	{ 'k', ACT_UP, 0 }, { KEYS_UP, ACT_UP, 0 },
	{ KEYS_PGDN, ACT_PAGE_DOWN, 0 }, { CTRL('f'), ACT_PAGE_DOWN, 0 },
	{ KEYS_PGUP, ACT_PAGE_UP, 0 }, { CTRL('b'), ACT_PAGE_UP, 0 },
	{ 'g', ACT_TOP, 0 }, { KEYS_HOME, ACT_TOP, 0 },
	{ 'G', ACT_BOTTOM, 0 }, { KEYS_END, ACT_BOTTOM, 0 },
	{ 'h', ACT_LEFT, 0 }, { KEYS_LEFT, ACT_LEFT, 0 },
	{ 'l', ACT_RIGHT, 0 }, { KEYS_RIGHT, ACT_RIGHT, 0 },
	{ '1', ACT_LABEL, 1 }, { '2', ACT_LABEL, 2 }, { '3', ACT_LABEL, 3 },
	{ '4', ACT_LABEL, 4 }, { '5', ACT_LABEL, 5 }, { '6', ACT_LABEL, 6 },
	{ '7', ACT_LABEL, 7 }, { '8', ACT_LABEL, 8 }, { '9', ACT_LABEL, 9 },
	{ '0', ACT_LABEL, 10 },
	{ 'a', ACT_CONFIRM, 0 },
	{ 's', ACT_SKIP, 0 },
	{ 'u', ACT_UNDO, 0 },
	{ 'U', ACT_REDO, 0 },
	{ '/', ACT_SEARCH, 0 },
	{ 'n', ACT_SEARCH_NEXT, 0 },
	{ 'N', ACT_SEARCH_PREV, 0 },
	{ 'f', ACT_FILTER, 0 },
	{ 'o', ACT_ORDER, 0 },
	{ KEYS_ENTER, ACT_OPEN, 0 },
	{ KEYS_ESC, ACT_BACK, 0 },
	{ 'A', ACT_ANNOTATORS, 0 },
	{ 'm', ACT_NOISE, 0 },
	{ 'r', ACT_RUNS, 0 },
	{ 'R', ACT_RETRAIN, 0 },
	{ 'y', ACT_YES, 0 },
	{ '?', ACT_HELP, 0 }, { KEYS_F1, ACT_HELP, 0 },
	{ 'c', ACT_CONTRAST_UP, 0 },
	{ 'C', ACT_CONTRAST_DOWN, 0 },
	{ 'b', ACT_BRIGHTER, 0 },
	{ 'B', ACT_DARKER, 0 },
	{ 'i', ACT_INVERT, 0 },
	{ '+', ACT_ZOOM_IN, 0 }, { '=', ACT_ZOOM_IN, 0 },
	{ '-', ACT_ZOOM_OUT, 0 },
	{ 'w', ACT_VIEW_RESET, 0 },
	{ CTRL('l'), ACT_REDRAW, 0 },
	{ 'q', ACT_QUIT, 0 },
};

/* Named keys, in the order keys_name prefers them. */
static const struct {
	const char *name;
	int key;
} named[] = {
	{ "up", KEYS_UP }, { "down", KEYS_DOWN }, { "left", KEYS_LEFT },
	{ "right", KEYS_RIGHT }, { "pgup", KEYS_PGUP }, { "pgdn", KEYS_PGDN },
	{ "home", KEYS_HOME }, { "end", KEYS_END }, { "insert", KEYS_INSERT },
	{ "delete", KEYS_DELETE }, { "backspace", KEYS_BACKSPACE },
	{ "enter", KEYS_ENTER }, { "esc", KEYS_ESC }, { "tab", KEYS_TAB },
	{ "space", ' ' }, { "hash", '#' },
};

#define NDEFAULTS (sizeof defaults / sizeof defaults[0])
#define NNAMED (sizeof named / sizeof named[0])

const char *keys_action_name(enum action act)
{
	return act >= 0 && act < ACT_COUNT ? actions[act].name : "?";
}

const char *keys_action_help(enum action act)
{
	return act >= 0 && act < ACT_COUNT ? actions[act].help : "?";
}

static void binding_clear(struct keys_binding *b)
{
	free(b->cls);
	free(b->where);
	b->cls = b->where = NULL;
}

/* Removes every binding of key. */
static void keys_unbind(struct keys *k, int key)
{
	size_t j = 0;

	for (size_t i = 0; i < k->n; i++) {
		if (k->b[i].key == key)
			binding_clear(&k->b[i]);
		else
			k->b[j++] = k->b[i];
	}
	k->n = j;
}

/* Binds key to (act, arg), replacing its earlier binding; takes cls and
 * where. */
static void keys_bind(struct keys *k, int key, enum action act, int arg,
		      char *cls, char *where)
{
	keys_unbind(k, key);
	if (act == ACT_NONE) {
		free(cls);
		free(where);
		return;
	}
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 64;
		k->b = xreallocarray(k->b, k->cap, sizeof *k->b);
	}
	k->b[k->n++] = (struct keys_binding){ key, act, arg, cls, where };
}

void keys_init(struct keys *k)
{
	memset(k, 0, sizeof *k);
	for (size_t i = 0; i < NDEFAULTS; i++)
		keys_bind(k, defaults[i].key, defaults[i].act, defaults[i].arg,
			  NULL, NULL);
}

void keys_free(struct keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		binding_clear(&k->b[i]);
	free(k->b);
	memset(k, 0, sizeof *k);
}

enum action keys_lookup(const struct keys *k, int key, int *arg)
{
	*arg = 0;
	for (size_t i = 0; i < k->n; i++) {
		if (k->b[i].key == key && !k->b[i].cls) {
			*arg = k->b[i].arg;
			return k->b[i].act;
		}
	}
	return ACT_NONE;
}

/* Writes code point c (< 0x110000) as UTF-8 into u; returns the length. */
static size_t encode_utf8(uint32_t c, char *u)
{
	if (c < 0x80) {
		u[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	u[0] = (char)(0xF0 | c >> 18);
	u[1] = (char)(0x80 | (c >> 12 & 0x3F));
	u[2] = (char)(0x80 | (c >> 6 & 0x3F));
	u[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

void keys_name(int key, struct strbuf *out)
{
	char u[4];

	for (size_t i = 0; i < NNAMED; i++) {
		if (named[i].key == key) {
			strbuf_adds(out, named[i].name);
			return;
		}
	}
	if (key >= KEYS_F1 && key < KEYS_END_OF_CODES)
		strbuf_addf(out, "F%d", key - KEYS_F1 + 1);
	else if (key >= 1 && key <= 26)
		strbuf_addf(out, "C-%c", 'a' + key - 1);
	else if (key > ' ' && key < 0x110000)
		/* The escape keeps odd characters visible. */
		utf8_escape(out, u, encode_utf8((uint32_t)key, u));
	else
		strbuf_addf(out, "key-%#x", (unsigned)key);
}

size_t keys_for(const struct keys *k, enum action act, int arg,
		const char *sep, struct strbuf *out)
{
	size_t count = 0;

	for (size_t i = 0; i < k->n; i++) {
		if (k->b[i].act != act || k->b[i].arg != arg || k->b[i].cls)
			continue;
		if (count++)
			strbuf_adds(out, sep);
		keys_name(k->b[i].key, out);
	}
	return count;
}

/* Case-insensitive comparison of s[0..n) with a NUL-terminated name. */
static int name_is(const char *s, size_t n, const char *name)
{
	if (strlen(name) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char a = s[i], b = name[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (a != b)
			return 0;
	}
	return 1;
}

int keys_parse_key(const char *s, size_t n, int *key)
{
	uint32_t cp;

	for (size_t i = 0; i < NNAMED; i++) {
		if (name_is(s, n, named[i].name)) {
			*key = named[i].key;
			return 0;
		}
	}
	if (n == 3 && s[0] == 'C' && s[1] == '-' &&
	    ((s[2] >= 'a' && s[2] <= 'z') || (s[2] >= 'A' && s[2] <= 'Z'))) {
		*key = CTRL(s[2]);
		return 0;
	}
	if ((n == 2 || n == 3) && s[0] == 'F' && s[1] >= '1' && s[1] <= '9') {
		int f = s[1] - '0';

		if (n == 3 && (s[2] < '0' || s[2] > '9'))
			return -1;
		if (n == 3)
			f = f * 10 + s[2] - '0';
		if (f > 12)
			return -1;
		*key = KEYS_F1 + f - 1;
		return 0;
	}

	/* Otherwise exactly one printable code point. */
	if (n == 0 || (size_t)utf8_decode(s, n, &cp) != n ||
	    cp == 0xFFFFFFFFu || cp <= ' ' || cp == 0x7F ||
	    (cp >= 0x80 && cp < 0xA0))
		return -1;
	*key = (int)cp;
	return 0;
}

/* Splits s[0..n) into at most max blank-separated tokens, stopping at a
 * token that starts with '#' after the first; returns the count, or
 * max + 1 when there are more. */
static size_t split_tokens(const char *s, size_t n, const char **tok,
			   size_t *len, size_t max)
{
	size_t count = 0, i = 0;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i == n || (s[i] == '#' && count > 0))
			break;
		if (count == max)
			return max + 1;
		tok[count] = s + i;
		while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			i++;
		len[count] = (size_t)(s + i - tok[count]);
		count++;
	}
	return count;
}

static int parse_action(const char *s, size_t n, enum action *act)
{
	for (int a = 0; a < ACT_COUNT; a++) {
		if (name_is(s, n, actions[a].name)) {
			*act = (enum action)a;
			return 0;
		}
	}
	return -1;
}

/* A token of the file as a message shows it: escaped, at most 40 bytes. */
static char *token_safe(const char *s, size_t n)
{
	struct strbuf b;

	strbuf_init(&b);
	utf8_escape(&b, s, n > 40 ? 40 : n);
	return strbuf_take(&b);
}

static int action_list_err(struct err *e, const char *where, const char *s,
			   size_t n)
{
	struct strbuf b;
	char *tok = token_safe(s, n);

	strbuf_init(&b);
	for (int a = 0; a < ACT_COUNT; a++)
		strbuf_addf(&b, "%s%s", a ? " " : "", actions[a].name);
	err_set(e, "%s: unknown action '%s'; the actions are: %s", where, tok,
		b.s);
	strbuf_free(&b);
	free(tok);
	return -1;
}

static int key_err(struct err *e, const char *where, const char *s, size_t n)
{
	char *tok = token_safe(s, n);

	err_set(e, "%s: unknown key '%s'; write one character, C-a .. C-z, "
		"F1 .. F12, or one of up down left right pgup pgdn home end "
		"insert delete backspace enter esc tab space hash", where, tok);
	free(tok);
	return -1;
}

/* The label argument: a class number 1 .. STORE_MAX_CLASSES or a name. */
static int parse_label_arg(const char *s, size_t n, int *arg, char **cls)
{
	char *end, *copy = xstrndup(s, n);
	long v;

	errno = 0;
	v = strtol(copy, &end, 10);
	if (copy[0] >= '0' && copy[0] <= '9') {
		int bad = errno || *end || v < 1 || v > 1000;

		free(copy);
		if (bad)
			return -1;
		*arg = (int)v;
		*cls = NULL;
		return 0;
	}
	*arg = 0;
	*cls = copy;
	return 0;
}

/* One line of a key file; where is "file:line". */
static int keys_parse_line(struct keys *k, const char *where, const char *s,
			   size_t n, struct err *e)
{
	const char *tok[4];
	size_t len[4], ntok = split_tokens(s, n, tok, len, 4);
	enum action act;
	int key, arg = 0;
	char *cls = NULL;

	if (ntok == 0 || tok[0][0] == '#')
		return 0;
	if (ntok < 3 || len[1] != 1 || tok[1][0] != '=' || ntok > 4)
		return err_set(e, "%s: expected 'KEY = ACTION' (or 'KEY = label "
			       "N'), like 'j = down'", where);
	if (keys_parse_key(tok[0], len[0], &key))
		return key_err(e, where, tok[0], len[0]);
	if (parse_action(tok[2], len[2], &act))
		return action_list_err(e, where, tok[2], len[2]);
	if ((act == ACT_LABEL) != (ntok == 4))
		return err_set(e, act == ACT_LABEL ?
			       "%s: 'label' needs a class: 'KEY = label N' (N "
			       "from 1) or 'KEY = label NAME'" :
			       "%s: only 'label' takes an argument", where);
	if (act == ACT_LABEL && parse_label_arg(tok[3], len[3], &arg, &cls)) {
		char *t = token_safe(tok[3], len[3]);

		err_set(e, "%s: class number '%s' is not from 1 to 1000", where,
			t);
		free(t);
		return -1;
	}
	keys_bind(k, key, act, arg, cls, cls ? xstrdup(where) : NULL);
	return 0;
}

int keys_parse(struct keys *k, const char *name, const char *text,
	       size_t len, struct err *e)
{
	size_t start = 0;
	long line = 1;

	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len;
		char *where = xasprintf("%s:%ld", name, line);
		int rc = keys_parse_line(k, where, text + start, end - start, e);

		free(where);
		if (rc)
			return -1;
		start = end + 1;
		line++;
	}
	return 0;
}

int keys_load_file(struct keys *k, const char *path, struct err *e)
{
	FILE *f = fopen(path, "rb");
	struct strbuf b;
	char chunk[4096];
	size_t got;
	int rc;

	if (!f)
		return errno == ENOENT ? 1 : err_errno(e, path);
	strbuf_init(&b);
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
		strbuf_add(&b, chunk, got);
	if (ferror(f)) {
		fclose(f);
		strbuf_free(&b);
		return err_errno(e, path);
	}
	fclose(f);
	rc = keys_parse(k, path, b.s ? b.s : "", b.len, e);
	strbuf_free(&b);
	return rc;
}

int keys_resolve(struct keys *k, const char *const *names, int n,
		 struct err *e)
{
	for (size_t i = 0; i < k->n; i++) {
		struct keys_binding *b = &k->b[i];
		int c = 0;

		if (!b->cls)
			continue;
		while (c < n && strcmp(names[c], b->cls))
			c++;
		if (c == n) {
			char *t = token_safe(b->cls, strlen(b->cls));

			err_set(e, "%s: no class named '%s' in this project",
				b->where, t);
			free(t);
			return -1;
		}
		b->arg = c + 1;
		binding_clear(b);
	}
	return 0;
}
