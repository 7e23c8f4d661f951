/* audit.c - relabel audit: how far each annotator can be trusted. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/analysis.h"
#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/mem.h"

static const char audit_help[] =
	"usage: relabel audit PROJECT.db [--format table|csv] [--consensus FILE]\n"
	"The table ends with the disputed items: those two or more reviewers\n"
	"decided differently (the later decision holds).\n";

/* One annotator's place in the report. */
struct annot_key {
	double acc;		/* Dawid-Skene accuracy, 2 when unknown */
	const char *name;
	size_t idx;
};

/* Worst first: lowest Dawid-Skene accuracy, then name. */
static int cmp_annot(const void *x, const void *y)
{
	const struct annot_key *a = x, *b = y;

	if (a->acc != b->acc)
		return a->acc < b->acc ? -1 : 1;
	return strcmp(a->name, b->name);
}

static size_t *audit_order(const struct analysis *a)
{
	size_t n = a->votes.nannot;
	struct annot_key *k = xmalloc((n + 1) * sizeof *k);
	size_t *ord = xmalloc((n + 1) * sizeof *ord);

	for (size_t i = 0; i < n; i++) {
		double v = a->out.an.ds_acc[i];

		k[i] = (struct annot_key){ isnan(v) ? 2.0 : v,
					   a->votes.annot_name[i], i };
	}
	qsort(k, n, sizeof *k, cmp_annot);
	for (size_t i = 0; i < n; i++)
		ord[i] = k[i].idx;
	free(k);
	return ord;
}

static void pct(FILE *f, double v, int csv)
{
	if (isnan(v))
		fputs(csv ? "" : "      -", f);
	else
		fprintf(f, csv ? "%.4f" : " %5.1f%%", csv ? v : 100 * v);
}

static void audit_row(const struct analysis *a, size_t k, int csv)
{
	const struct crowd_annotators *an = &a->out.an;

	if (csv) {
		/* A terminal gets control characters as escapes. */
		if (isatty(STDOUT_FILENO))
			cli_csv_safe(stdout, a->votes.annot_name[k]);
		else
			cli_csv_field(stdout, a->votes.annot_name[k]);
		printf(",%u,", an->n_labels[k]);
	} else {
		fputs("  ", stdout);
		cli_safe(stdout, a->votes.annot_name[k]);
		printf("\t%7u ", an->n_labels[k]);
	}
	const double v[3] = { an->agreement[k], an->expert_acc[k], an->ds_acc[k] };

	for (int j = 0; j < 3; j++) {
		pct(stdout, v[j], csv);
		if (csv)
			putchar(',');
	}
	if (csv)
		printf("%d\n", an->no_info[k]);
	else
		printf("  %s\n", an->no_info[k] ? "NO INFORMATION (votes look "
		       "random or constant)" : "");
}

static void audit_confusion(const struct analysis *a, size_t k)
{
	int c = a->classes.n;
	const double *conf = a->out.ds.conf + k * (size_t)c * (size_t)c;

	fputs("    true \\ said", stdout);
	for (int l = 0; l < c; l++) {
		putchar(' ');
		cli_cell(stdout, a->classes.name[l], 6);
	}
	putchar('\n');
	for (int j = 0; j < c; j++) {
		fputs("    ", stdout);
		cli_cell(stdout, a->classes.name[j], -11);
		for (int l = 0; l < c; l++)
			printf(" %6.2f", conf[j * c + l]);
		putchar('\n');
	}
}

static void audit_table(const struct analysis *a, const size_t *ord, int csv)
{
	const struct rank_output *o = &a->out;

	if (csv) {
		puts("annotator,labels,agreement,expert_accuracy,ds_accuracy,"
		     "no_information");
		for (size_t i = 0; i < a->votes.nannot; i++)
			audit_row(a, ord[i], 1);
		return;
	}
	printf("%zu annotators, %zu votes; Krippendorff's alpha %.3f; "
	       "Dawid-Skene %s after %d iterations (last change %.1e)\n\n",
	       a->votes.nannot, a->votes.n, o->alpha,
	       o->ds.converged ? "converged" : "stopped at the cap",
	       o->ds.iterations, o->ds.delta);
	puts("  annotator\t labels  agree expert     DS  (worst first; agree = "
	     "with the others' majority)");
	for (size_t i = 0; i < a->votes.nannot; i++)
		audit_row(a, ord[i], 0);
	for (size_t i = 0; i < a->votes.nannot; i++) {
		fputs("\n  ", stdout);
		cli_safe(stdout, a->votes.annot_name[ord[i]]);
		puts(": estimated confusion, P(says column | true row)");
		audit_confusion(a, ord[i]);
	}
}

static int audit_consensus(const struct analysis *a, struct store *st,
			   const char *path, struct err *e)
{
	const struct rank_output *o = &a->out;
	char **ids, *tmp = xasprintf("%s.tmp", path);
	FILE *f;
	int rc = 0;

	if (store_item_names(st, &a->items, &ids, e)) {
		free(tmp);
		return -1;
	}
	if (!(f = fopen(tmp, "w"))) {
		rc = err_errno(e, tmp);
		goto out;
	}
	fputs("id,label,posterior,majority,tie\n", f);
	for (size_t i = 0; i < a->items.n; i++) {
		int ds = o->ds.label[i], mj = o->maj.label[i];

		if (ds < 0)
			continue;
		cli_csv_field(f, ids[i]);
		fputc(',', f);
		cli_csv_field(f, a->classes.name[ds]);
		fprintf(f, ",%.6f,", o->ds.post[i * (size_t)a->classes.n + (size_t)ds]);
		cli_csv_field(f, a->classes.name[mj]);
		fprintf(f, ",%d\n", o->maj.tie[i]);
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		rc = err_errno(e, path);
out:
	if (rc)
		unlink(tmp);
	free(tmp);
	store_names_free(ids, a->items.n);
	return rc;
}

/* Items reviewers disagree on: id, who said what, which label holds,
 * after lead (when there are any).  Returns how many, or -1. */
static long audit_disputes(const struct analysis *a, struct store *st,
			   const char *lead, struct err *e)
{
	const char *const *names = (const char *const *)a->classes.name;
	struct dispute *d;
	size_t n;

	if (store_disputes(st, 0, &d, &n, e))
		return -1;
	if (n)
		printf("%s\n%zu disputed items (reviewers disagree; the later "
		       "decision holds):\n  id\treviewers: labels\tholds\n", lead,
		       n);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", stdout);
		cli_safe(stdout, d[i].ext_id);
		putchar('\t');
		for (size_t k = 0; k < d[i].n; k++) {
			fputs(k ? ", " : "", stdout);
			cli_safe(stdout, d[i].reviewer[k]);
			fputs(": ", stdout);
			cli_safe(stdout, d[i].labels[k] >= 0 ?
				 names[d[i].labels[k]] : "-");
		}
		putchar('\t');
		cli_safe(stdout, d[i].label >= 0 ? names[d[i].label] : "-");
		putchar('\n');
	}
	disputes_free(d, n);
	return (long)n;
}

int cmd_audit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", 1, NULL, 'f' }, { "consensus", 1, NULL, 'c' },
		{ "help", 0, NULL, 'h' }, { 0 }
	};
	const char *consensus = NULL;
	struct analysis a;
	struct store *st;
	struct err e;
	int c, csv = 0, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f' && (!strcmp(optarg, "table") || !strcmp(optarg, "csv")))
			csv = !strcmp(optarg, "csv");
		else if (c == 'c')
			consensus = optarg;
		else if (c == 'h')
			return fputs(audit_help, stdout), EXIT_DONE;
		else
			return cli_usage("audit", "unknown option or format");
	}
	if (optind != argc - 1)
		return cli_usage("audit", "give exactly one project file");
	if (store_open(argv[optind], STORE_READONLY, &st, &e))
		return cli_fail(&e);
	if (analysis_load(st, &a, &e)) {
		store_close(st);
		return cli_fail(&e);
	}
	if (!a.out.has_votes) {
		rc = err_set(&e, "%s: no annotator votes; import them with "
			     "--annotations", argv[optind]);
		/* Reviewers' disputes are still worth a report. */
		if (!csv && !consensus &&
		    audit_disputes(&a, st, "no annotator votes\n", &e) > 0)
			rc = 0;
	} else {
		size_t *ord = audit_order(&a);

		audit_table(&a, ord, csv);
		free(ord);
		if (!csv && audit_disputes(&a, st, "", &e) < 0)
			rc = -1;
		if (rc == 0 && consensus)
			rc = audit_consensus(&a, st, consensus, &e);
	}
	analysis_free(&a);
	store_close(st);
	return rc ? cli_fail(&e) : EXIT_DONE;
}
