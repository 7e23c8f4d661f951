/* export.c - relabel export: the cleaned labels, one row per item. */
#include <cJSON.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/analysis.h"
#include "relabel/mem.h"
#include "relabel/store.h"

static const char export_help[] =
	"usage: relabel export PROJECT.db [--format csv|jsonl] [--changed-only]\n"
	"                      [-o FILE]\n";

struct export {
	FILE *out;
	int jsonl, changed_only;
	int tty;		/* out is a terminal: escape control characters */
	const struct analysis *a;
	size_t rows;
};

static const char *class_name(const struct export *x, int label)
{
	return label == LABEL_NONE ? "" : x->a->classes.name[label];
}

static void export_field(const struct export *x, const char *s)
{
	if (x->tty)
		cli_csv_safe(x->out, s);
	else
		cli_csv_field(x->out, s);
}

static void export_csv_row(struct export *x, const struct item_detail *d,
			   long i)
{
	FILE *f = x->out;
	const struct rank_output *r = &x->a->out;

	export_field(x, d->ext_id);
	fputc(',', f);
	export_field(x, class_name(x, d->given));
	fputc(',', f);
	export_field(x, class_name(x, d->label));
	fprintf(f, ",%d,", d->label != d->given);
	export_field(x, d->reviewer ? d->reviewer : "");
	fputc(',', f);
	export_field(x, d->reviewed_at ? d->reviewed_at : "");
	fprintf(f, ",%s,", item_split_name(d->split));
	if (i >= 0 && r->has_model && x->a->has[i]) {
		export_field(x, class_name(x, r->cl.issue[i] ?
					   r->cl.suggested[i] : LABEL_NONE));
		fprintf(f, ",%d,", r->cl.issue[i]);
	} else {
		fputs(",,", f);
	}
	fprintf(f, "%.6f\n", i >= 0 ? r->suspicion[i] : 0.0);
}

static void export_json_row(struct export *x, const struct item_detail *d,
			    long i)
{
	const struct rank_output *r = &x->a->out;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", d->ext_id);
	cJSON_AddStringToObject(o, "given_label", class_name(x, d->given));
	cJSON_AddStringToObject(o, "label", class_name(x, d->label));
	cJSON_AddBoolToObject(o, "changed", d->label != d->given);
	if (d->reviewer) {
		cJSON_AddStringToObject(o, "reviewer", d->reviewer);
		cJSON_AddStringToObject(o, "reviewed_at", d->reviewed_at);
	}
	cJSON_AddStringToObject(o, "split", item_split_name(d->split));
	if (i >= 0 && r->has_model && x->a->has[i]) {
		if (r->cl.issue[i])
			cJSON_AddStringToObject(o, "suggested",
						class_name(x, r->cl.suggested[i]));
		cJSON_AddBoolToObject(o, "issue", r->cl.issue[i]);
	}
	if (i >= 0)
		cJSON_AddNumberToObject(o, "score", r->suspicion[i]);
	char *s = cJSON_PrintUnformatted(o);

	/* JSON escapes C0 controls, not DEL, C1 or bidi overrides. */
	if (x->tty)
		cli_safe(x->out, s);
	else
		fputs(s, x->out);
	fputc('\n', x->out);
	cJSON_free(s);
	cJSON_Delete(o);
}

static int export_row(const struct item_detail *d, void *user, struct err *e)
{
	struct export *x = user;

	(void)e;
	if (x->changed_only && d->label == d->given)
		return 0;
	long i = item_table_find(&x->a->items, d->id);

	if (x->jsonl)
		export_json_row(x, d, i);
	else
		export_csv_row(x, d, i);
	x->rows++;
	return 0;
}

static int export_options(int argc, char **argv, struct export *x,
			  const char **out)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "changed-only", no_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl"))
				return cli_usage("export", "unknown format '%s' (csv "
						 "or jsonl)", optarg);
			x->jsonl = !strcmp(optarg, "jsonl");
			break;
		case 'c': x->changed_only = 1; break;
		case 'o': *out = optarg; break;
		case 'h': fputs(export_help, stdout); return -1;
		default: return cli_usage("export", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("export", "give exactly one project file");
	return 0;
}

static int export_write(struct store *st, struct export *x, struct err *e)
{
	if (!x->jsonl)
		fputs("id,given_label,label,changed,reviewer,reviewed_at,split,"
		      "suggested,issue,score\n", x->out);
	return store_items_each(st, export_row, x, e);
}

/* Writes to FILE.tmp and renames it, so a failed export leaves no half
 * file behind. */
static int export_to(struct store *st, struct export *x, const char *path,
		     struct err *e)
{
	char *tmp;
	int rc;

	if (!path) {
		x->out = stdout;
		x->tty = isatty(STDOUT_FILENO);
		rc = export_write(st, x, e);
		if (fflush(stdout) != 0)
			rc = err_errno(e, "standard output");
		return rc;
	}
	tmp = xasprintf("%s.tmp", path);
	if (!(x->out = fopen(tmp, "w"))) {
		err_errno(e, tmp);
		free(tmp);
		return -1;
	}
	rc = export_write(st, x, e);
	if (fclose(x->out) != 0 && rc == 0)
		rc = err_errno(e, tmp);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = err_errno(e, path);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

int cmd_export(int argc, char **argv)
{
	struct export x = { 0 };
	struct analysis a;
	const char *out = NULL;
	struct store *st;
	struct err e;
	int rc;

	optind = 1;
	if ((rc = export_options(argc, argv, &x, &out)))
		return rc > 0 ? rc : EXIT_DONE;
	if (store_open(argv[optind], STORE_READONLY, &st, &e))
		return cli_fail(&e);
	rc = analysis_load(st, &a, &e);
	if (rc == 0) {
		x.a = &a;
		rc = export_to(st, &x, out, &e);
		analysis_free(&a);
	}
	store_close(st);
	if (rc == 0 && out)
		fprintf(stderr, "relabel: wrote %zu rows to %s\n", x.rows, out);
	return rc ? cli_fail(&e) : EXIT_DONE;
}
