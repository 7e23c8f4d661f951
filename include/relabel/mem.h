/* mem.h - allocation that cannot fail quietly, and a growable buffer.
 *
 * Running out of memory is treated as a broken invariant: the x*
 * functions call fatal(), which restores the terminal first.  Sizes that
 * come from input are checked against limits before they get here.
 */
#ifndef RELABEL_MEM_H
#define RELABEL_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* n * size with an overflow check. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte string, always NUL-terminated once anything is added. */
struct strbuf {
	char *s;
	size_t len, cap;
};

void strbuf_init(struct strbuf *b);
void strbuf_free(struct strbuf *b);
void strbuf_reset(struct strbuf *b);
void strbuf_add(struct strbuf *b, const char *s, size_t n);
void strbuf_adds(struct strbuf *b, const char *s);
void strbuf_addc(struct strbuf *b, char c);
void strbuf_addf(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Hands the string to the caller (free() it); the buffer is empty after. */
char *strbuf_take(struct strbuf *b);

#endif
