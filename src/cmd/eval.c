/* eval.c - relabel eval: the model on clean data, and the flags against
 * known true labels. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/analysis.h"
#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/mem.h"
#include "relabel/records.h"
#include "relabel/strmap.h"

#define ECE_BINS 15

static const char eval_help[] =
	"usage: relabel eval PROJECT.db [--truth FILE]\n"
	"  FILE: CSV id,label of true labels; flags are scored against it\n";

static int argmax(const float *p, int c)
{
	int best = 0;

	for (int k = 1; k < c; k++)
		if (p[k] > p[best])
			best = k;
	return best;
}

/* Expected calibration error: |accuracy - confidence| over equal-width
 * confidence bins, weighted by bin size. */
static double eval_ece(const struct analysis *a, size_t *n_out)
{
	double conf[ECE_BINS] = { 0 }, acc[ECE_BINS] = { 0 }, ece = 0;
	size_t cnt[ECE_BINS] = { 0 }, n = 0;
	int c = a->classes.n;

	for (size_t i = 0; i < a->items.n; i++) {
		if (a->items.split[i] != SPLIT_TEST || !a->has[i] ||
		    a->items.label[i] == LABEL_NONE)
			continue;
		const float *p = a->probs + i * (size_t)c;
		int k = argmax(p, c), b = (int)(p[k] * ECE_BINS);

		b = b >= ECE_BINS ? ECE_BINS - 1 : b;
		conf[b] += p[k];
		acc[b] += k == a->items.label[i];
		cnt[b]++;
		n++;
	}
	for (int b = 0; b < ECE_BINS; b++)
		if (cnt[b])
			ece += fabs(acc[b] - conf[b]) / (double)n;
	*n_out = n;
	return ece;
}

static void eval_test(const struct analysis *a)
{
	int c = a->classes.n;
	size_t *cm = xcalloc((size_t)c * (size_t)c, sizeof *cm), n, right = 0;
	double ece = eval_ece(a, &n);

	if (n == 0) {
		puts("test split: no labeled test items with scores");
		free(cm);
		return;
	}
	for (size_t i = 0; i < a->items.n; i++) {
		if (a->items.split[i] != SPLIT_TEST || !a->has[i] ||
		    a->items.label[i] == LABEL_NONE)
			continue;
		int k = argmax(a->probs + i * (size_t)c, c);

		cm[(size_t)a->items.label[i] * (size_t)c + (size_t)k]++;
		right += k == a->items.label[i];
	}
	printf("test split: %zu items, accuracy %.2f%%, expected calibration "
	       "error %.4f (%d bins)\n\n", n, 100.0 * (double)right / (double)n,
	       ece, ECE_BINS);
	printf("  %-14s %9s %9s\n", "class", "precision", "recall");
	for (int k = 0; k < c; k++) {
		size_t tp = cm[k * c + k], col = 0, row = 0;

		for (int j = 0; j < c; j++) {
			col += cm[j * c + k];
			row += cm[k * c + j];
		}
		fputs("  ", stdout);
		cli_cell(stdout, a->classes.name[k], -14);
		printf(" %8.1f%% %8.1f%%\n",
		       col ? 100.0 * (double)tp / (double)col : NAN,
		       row ? 100.0 * (double)tp / (double)row : NAN);
	}
	printf("\n  confusion (rows true, columns predicted)\n  %14s", "");
	for (int k = 0; k < c; k++) {
		putchar(' ');
		cli_cell(stdout, a->classes.name[k], 6);
	}
	putchar('\n');
	for (int j = 0; j < c; j++) {
		fputs("  ", stdout);
		cli_cell(stdout, a->classes.name[j], -14);
		for (int k = 0; k < c; k++)
			printf(" %6zu", cm[j * c + k]);
		putchar('\n');
	}
	free(cm);
}

struct truth {
	struct strmap map;	/* id -> class index */
	const struct class_list *classes;
};

static int truth_row(const struct record *r, void *user, struct err *e)
{
	struct truth *t = user;
	long id = record_find(r, "id"), lab = record_find(r, "label");
	int k;

	if (id < 0 || lab < 0)
		return err_set(e, "%s:%ld: the truth file needs 'id' and 'label' "
			       "columns", r->file, r->line);
	if ((k = class_list_find(t->classes, r->values[lab])) < 0)
		return err_set(e, "%s:%ld:%ld: unknown label '%s'", r->file,
			       r->lines[lab], r->cols[lab], r->values[lab]);
	strmap_put(&t->map, r->values[id], k, NULL);
	return 0;
}

/* How well the label-issue flags match the real errors. */
static int eval_truth(const struct analysis *a, struct store *st,
		      const char *path, struct err *e)
{
	struct truth t = { .classes = &a->classes };
	size_t tp = 0, fp = 0, fn = 0, known = 0;
	char **ids;

	strmap_init(&t.map);
	if (cli_input(path, e) ||
	    records_read(path, RECORDS_AUTO, truth_row, &t, e) < 0 ||
	    store_item_names(st, &a->items, &ids, e)) {
		strmap_free(&t.map);
		return -1;
	}
	for (size_t i = 0; i < a->items.n; i++) {
		int64_t *k = strmap_get(&t.map, ids[i]);

		if (!k || a->items.split[i] != SPLIT_TRAIN ||
		    a->items.label[i] == LABEL_NONE || !a->has[i])
			continue;
		int wrong = a->items.label[i] != *k;
		int flag = a->out.has_model && a->out.cl.issue[i];

		known++;
		tp += wrong && flag;
		fp += !wrong && flag;
		fn += wrong && !flag;
	}
	double p = tp + fp ? (double)tp / (double)(tp + fp) : 0;
	double r = tp + fn ? (double)tp / (double)(tp + fn) : 0;

	printf("\nlabel-issue flags against %s (%zu train items with a known "
	       "true label):\n  wrong labels %zu, flagged %zu, correctly flagged "
	       "%zu\n  precision %.3f  recall %.3f  F1 %.3f\n", path, known,
	       tp + fn, tp + fp, tp, p, r, p + r > 0 ? 2 * p * r / (p + r) : 0);
	store_names_free(ids, a->items.n);
	strmap_free(&t.map);
	return 0;
}

int cmd_eval(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "truth", 1, NULL, 't' }, { "help", 0, NULL, 'h' }, { 0 }
	};
	const char *truth = NULL;
	struct analysis a;
	struct store *st;
	struct err e;
	int c, rc = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't')
			truth = optarg;
		else if (c == 'h')
			return fputs(eval_help, stdout), EXIT_DONE;
		else
			return cli_usage("eval", "unknown option");
	}
	if (optind != argc - 1)
		return cli_usage("eval", "give exactly one project file");
	if (store_open(argv[optind], STORE_READONLY, &st, &e))
		return cli_fail(&e);
	if (analysis_load(st, &a, &e)) {
		store_close(st);
		return cli_fail(&e);
	}
	if (!a.run)
		rc = err_set(&e, "%s: no run to evaluate; run relabel train first",
			     argv[optind]);
	if (rc == 0) {
		printf("run %lld\n", (long long)a.run);
		eval_test(&a);
		if (truth)
			rc = eval_truth(&a, st, truth, &e);
	}
	analysis_free(&a);
	store_close(st);
	return rc ? cli_fail(&e) : EXIT_DONE;
}
