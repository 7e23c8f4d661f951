/* keys.h - the review screen's key map.
 *
 * Every key a reviewer presses becomes one enum action (the label action
 * carries a class number as its argument) through one table of bindings.
 * The table starts as the built-in defaults, which assets/keys.conf lists
 * line for line, and is then changed by key files:
 *
 *   # a comment (a line whose first character other than blanks is #)
 *   j = down            KEY = ACTION
 *   t = label 10        the 10th class (classes are numbered from 1)
 *   T = label trouser   a class by name, resolved with keys_resolve
 *   x = none            unbinds x
 *   k = up   # a comment may also follow a binding after a blank
 *
 * A key is one printable character (any Unicode code point; "hash" and
 * "space" name # and the space), C-a .. C-z, F1 .. F12, or one of the
 * names up down left right pgup pgdn home end insert delete backspace
 * enter esc tab.  A binding replaces any earlier one of the same key.
 *
 * This module is pure: no terminal, no project.  Errors name the file
 * and line ("keys.conf:12: unknown action 'jump'") and list what is
 * allowed.
 */
#ifndef RELABEL_KEYS_H
#define RELABEL_KEYS_H

#include <stddef.h>

#include "relabel/err.h"
#include "relabel/mem.h"

enum action {
	ACT_NONE = 0,
	ACT_DOWN,
	ACT_UP,
	ACT_PAGE_DOWN,
	ACT_PAGE_UP,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_LABEL,		/* arg: class number, 1 = the first class */
	ACT_CONFIRM,
	ACT_SKIP,
	ACT_UNDO,
	ACT_REDO,
	ACT_SEARCH,
	ACT_SEARCH_NEXT,
	ACT_SEARCH_PREV,
	ACT_FILTER,
	ACT_ORDER,
	ACT_OPEN,
	ACT_BACK,
	ACT_ANNOTATORS,
	ACT_NOISE,
	ACT_RUNS,
	ACT_RETRAIN,
	ACT_YES,
	ACT_HELP,
	ACT_CONTRAST_UP,
	ACT_CONTRAST_DOWN,
	ACT_BRIGHTER,
	ACT_DARKER,
	ACT_INVERT,
	ACT_ZOOM_IN,
	ACT_ZOOM_OUT,
	ACT_VIEW_RESET,
	ACT_REDRAW,
	ACT_QUIT,
	ACT_COUNT
};

/* Key codes: a Unicode code point (printable characters; 1 .. 26 for
 * C-a .. C-z, 9 tab, 13 enter, 27 esc), or one of these above Unicode. */
enum {
	KEYS_TAB = 9,
	KEYS_ENTER = 13,
	KEYS_ESC = 27,
	KEYS_UP = 0x110000,
	KEYS_DOWN,
	KEYS_LEFT,
	KEYS_RIGHT,
	KEYS_PGUP,
	KEYS_PGDN,
	KEYS_HOME,
	KEYS_END,
	KEYS_INSERT,
	KEYS_DELETE,
	KEYS_BACKSPACE,
	KEYS_F1,		/* F1 .. F12 are KEYS_F1 + 0 .. 11 */
	KEYS_END_OF_CODES = KEYS_F1 + 12
};

struct keys_binding {
	int key;
	enum action act;
	int arg;		/* class number for ACT_LABEL, else 0 */
	char *cls;		/* class name still to resolve, or NULL */
	char *where;		/* "file:line" of a class name, or NULL */
};

struct keys {
	struct keys_binding *b;	/* [n], in the order they were bound */
	size_t n, cap;
};

/* Fills k with the built-in defaults; free with keys_free.  A zeroed
 * struct keys is an empty map, which keys_parse may fill too. */
void keys_init(struct keys *k);
void keys_free(struct keys *k);

/* Applies the key file text[0..len) named name (for messages) to k.
 * On an error k keeps the lines before the bad one; returns 0 or -1. */
int keys_parse(struct keys *k, const char *name, const char *text,
	       size_t len, struct err *e);

/* Reads and applies the key file at path.  Returns 1 when the file does
 * not exist, 0 when applied, -1 on a read or parse error. */
int keys_load_file(struct keys *k, const char *path, struct err *e);

/* Turns "label NAME" bindings into class numbers, for the classes
 * names[0..n).  An unknown name fails, naming its file and line. */
int keys_resolve(struct keys *k, const char *const *names, int n,
		 struct err *e);

/* The action bound to key (ACT_NONE if none); *arg gets its argument. */
enum action keys_lookup(const struct keys *k, int key, int *arg);

/* Appends the names of the keys bound to (act, arg) to out, separated by
 * sep; returns how many there are. */
size_t keys_for(const struct keys *k, enum action act, int arg,
		const char *sep, struct strbuf *out);

/* Appends key's name as a key file writes it ("j", "C-l", "pgdn"). */
void keys_name(int key, struct strbuf *out);

/* Parses one key name s[0..n); returns 0 and sets *key, or -1. */
int keys_parse_key(const char *s, size_t n, int *key);

/* An action's key file name ("page-down") and one-line help. */
const char *keys_action_name(enum action act);
const char *keys_action_help(enum action act);

#endif
