/* err.c - error messages and the one fatal path. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"

static void (*fatal_hook)(void);

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char head[512];
	size_t hl, ol, room;
	va_list ap;

	if (!e)
		return -1;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	/* "head: old", cutting the old message short rather than the new head */
	room = sizeof e->msg - 1;
	hl = strlen(head);
	ol = strnlen(e->msg, room);
	if (hl + 2 + ol > room)
		ol = room - hl - 2;
	memmove(e->msg + hl + 2, e->msg, ol);
	memcpy(e->msg, head, hl);
	e->msg[hl] = ':';
	e->msg[hl + 1] = ' ';
	e->msg[hl + 2 + ol] = '\0';
	return -1;
}

int err_errno(struct err *e, const char *what)
{
	return err_set(e, "%s: %s", what, strerror(errno));
}

void fatal_set_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	/* The terminal goes back to normal before anything is printed. */
	if (fatal_hook)
		fatal_hook();
	fputs("relabel: internal error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
