/* cli.c - helpers shared by the command files. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/cli.h"
#include "relabel/mem.h"
#include "relabel/utf8.h"

int cli_fail(const struct err *e)
{
	fprintf(stderr, "relabel: %s\n", e->msg);
	return EXIT_INPUT;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "relabel %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(relabel %s --help lists the options)\n", cmd);
	return EXIT_USAGE;
}

int cli_int(const char *opt, const char *s, long lo, long hi, long *out,
	    struct err *e)
{
	char *end;

	errno = 0;
	long v = strtol(s, &end, 10);

	if (errno || end == s || *end || v < lo || v > hi)
		return err_set(e, "%s: expected a whole number from %ld to %ld, "
			       "got '%s'", opt, lo, hi, s);
	*out = v;
	return 0;
}

int cli_double(const char *opt, const char *s, double lo, double hi,
	       double *out, struct err *e)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);

	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return err_set(e, "%s: expected a number from %g to %g, got '%s'",
			       opt, lo, hi, s);
	*out = v;
	return 0;
}

int cli_open(const char *cmd, const char *path, int flags,
	     struct store **st, struct err *e)
{
	if (!path)
		return err_set(e, "%s: which project? (relabel %s PROJECT.db ...)",
			       cmd, cmd);
	return store_open(path, flags, st, e);
}

void cli_csv_field(FILE *f, const char *s)
{
	int formula = s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' ||
			    *s == '\t' || *s == '\r');

	if (!s)
		return;
	if (!formula && !strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	/* A leading quote makes a spreadsheet show the text instead of
	 * running it. */
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void cli_safe(FILE *f, const char *s)
{
	struct strbuf b;

	if (!s)
		return;
	strbuf_init(&b);
	utf8_escape(&b, s, strlen(s));
	fputs(b.s, f);
	strbuf_free(&b);
}
