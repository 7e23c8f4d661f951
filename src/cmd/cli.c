/* cli.c - helpers shared by the command files. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "relabel/cli.h"
#include "relabel/mem.h"
#include "relabel/utf8.h"

/* Messages quote ids, labels and file names from the data: their control
 * characters are shown, not sent to the terminal. */
int cli_fail(const struct err *e)
{
	fputs("relabel: ", stderr);
	cli_safe(stderr, e->msg);
	fputc('\n', stderr);
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

/* A FIFO without a writer blocks the open for ever, and a device such as
 * /dev/zero never ends: only plain files are read. */
int cli_input(const char *path, struct err *e)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return err_errno(e, path);
	if (!S_ISREG(sb.st_mode))
		return err_set(e, "%s: not a regular file (%s); save the data to "
			       "a file and give that", path,
			       S_ISDIR(sb.st_mode) ? "a directory" :
			       S_ISFIFO(sb.st_mode) ? "a pipe" :
			       S_ISSOCK(sb.st_mode) ? "a socket" : "a device");
	return 0;
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

void cli_csv_safe(FILE *f, const char *s)
{
	struct strbuf b;

	if (!s)
		return;
	strbuf_init(&b);
	utf8_escape(&b, s, strlen(s));
	cli_csv_field(f, b.s);
	strbuf_free(&b);
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

void cli_cell(FILE *f, const char *s, int width)
{
	struct strbuf b;
	size_t i = 0, used = 0, cols = (size_t)(width < 0 ? -width : width);

	strbuf_init(&b);
	utf8_escape(&b, s ? s : "", s ? strlen(s) : 0);

	/* Whole code points while they fit: a cut never splits one. */
	while (i < b.len) {
		uint32_t cp;
		int len = utf8_decode(b.s + i, b.len - i, &cp);
		size_t w = (size_t)utf8_cp_width(cp);

		if (used + w > cols)
			break;
		used += w;
		i += (size_t)len;
	}
	if (width > 0)
		fprintf(f, "%*s", (int)(cols - used), "");
	fwrite(b.s, 1, i, f);
	if (width < 0)
		fprintf(f, "%*s", (int)(cols - used), "");
	strbuf_free(&b);
}
