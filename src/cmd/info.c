/* info.c - relabel info: what a project holds. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/mem.h"
#include "relabel/store.h"
#include "relabel/utf8.h"

static void info_items(const struct item_table *t, const struct class_list *c)
{
	size_t *count = xcalloc((size_t)(c->n + 1) * 3, sizeof *count);
	size_t split[3] = { 0 }, unlabeled = 0, text = 0;

	for (size_t i = 0; i < t->n; i++) {
		int s = t->split[i] < 3 ? t->split[i] : 0;
		int l = t->label[i];

		split[s]++;
		text += t->kind[i] == ITEM_TEXT;
		if (l == LABEL_NONE)
			unlabeled++;
		else
			count[(size_t)l * 3 + (size_t)s]++;
	}
	printf("items      %zu (%zu train, %zu test, %zu holdout; %zu images, "
	       "%zu texts; %zu unlabeled)\n", t->n, split[0], split[1], split[2],
	       t->n - text, text, unlabeled);
	printf("classes    %d\n", c->n);
	printf("  %-20s %8s %8s %8s\n", "class", "train", "test", "holdout");
	for (int k = 0; k < c->n; k++) {
		/* The whole name, escaped, padded to the column. */
		size_t w = utf8_width(c->name[k], strlen(c->name[k]));

		fputs("  ", stdout);
		cli_safe(stdout, c->name[k]);
		printf("%*s %8zu %8zu %8zu\n", w < 20 ? 20 - (int)w : 0, "",
		       count[k * 3], count[k * 3 + 1], count[k * 3 + 2]);
	}
	free(count);
}

static void info_noise(const struct run_info *r, const struct class_list *c)
{
	if (r->noise_rate < 0) {
		printf("noise      not estimated for run %lld (relabel rank "
		       "estimates it)\n", (long long)r->id);
		return;
	}
	printf("noise      estimated rate %.1f%% (run %lld)\n",
	       100.0 * r->noise_rate, (long long)r->id);
	if (!r->noise || r->nclass != c->n)
		return;
	printf("  given \\ true (fraction of all train items)\n  %12s", "");
	for (int j = 0; j < c->n; j++) {
		putchar(' ');
		cli_cell(stdout, c->name[j], 6);
	}
	putchar('\n');
	for (int i = 0; i < c->n; i++) {
		fputs("  ", stdout);
		cli_cell(stdout, c->name[i], 12);
		for (int j = 0; j < c->n; j++)
			printf(" %6.3f", r->noise[i * c->n + j]);
		putchar('\n');
	}
}

static int info_runs(struct store *st, const struct class_list *c,
		     struct err *e)
{
	struct run_info *runs;
	size_t n;

	if (store_runs_list(st, &runs, &n, e))
		return -1;
	printf("runs       %zu\n", n);
	for (size_t i = 0; i < n; i++) {
		/* A project from elsewhere may hold anything in these. */
		printf("  run %-4lld ", (long long)runs[i].id);
		cli_safe(stdout, runs[i].started);
		fputs("  ", stdout);
		cli_cell(stdout, runs[i].method, -9);
		printf(" %6.1f s  %zu items scored\n", runs[i].seconds,
		       runs[i].nscored);
	}
	if (n)
		info_noise(&runs[0], c);
	for (size_t i = 0; i < n; i++)
		run_info_free(&runs[i]);
	free(runs);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	struct store *st;
	struct item_table t;
	struct vote_table v;
	struct class_list c;
	size_t entries, changed;
	struct err e;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		puts("usage: relabel info PROJECT.db");
		return EXIT_DONE;
	}
	if (argc != 2)
		return cli_usage("info", "give exactly one project file");
	if (store_open(argv[1], STORE_READONLY, &st, &e))
		return cli_fail(&e);
	if (store_classes(st, &c, &e) || store_items_load(st, &t, &e)) {
		store_close(st);
		return cli_fail(&e);
	}
	fputs("project    ", stdout);
	cli_safe(stdout, argv[1]);
	putchar('\n');
	info_items(&t, &c);
	int rc = store_votes_load(st, &t, &v, &e);

	if (rc == 0) {
		printf("annotators %zu, votes %zu\n", v.nannot, v.n);
		vote_table_free(&v);
		rc = store_review_counts(st, &entries, &changed, &e);
	}
	if (rc == 0) {
		printf("reviews    %zu log entries, %zu labels changed\n", entries,
		       changed);
		rc = info_runs(st, &c, &e);
	}
	item_table_free(&t);
	class_list_free(&c);
	store_close(st);
	return rc ? cli_fail(&e) : EXIT_DONE;
}
