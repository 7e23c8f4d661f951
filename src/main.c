/* main.c - relabel: finds and fixes wrong labels in classification data.
 * Picks the command and hands it the rest of the arguments. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "relabel/cmd.h"
#include "relabel/err.h"

#ifndef RELABEL_VERSION
#define RELABEL_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "import", cmd_import, "create or extend a project from items, votes, features, probs" },
	{ "train", cmd_train, "train the noise-robust model and score every item" },
	{ "rank", cmd_rank, "print the review queue" },
	{ "audit", cmd_audit, "report on annotators (Dawid-Skene, agreement)" },
	{ "review", cmd_review, "open the review screen" },
	{ "eval", cmd_eval, "accuracy and calibration on the test split" },
	{ "export", cmd_export, "write the cleaned labels" },
	{ "info", cmd_info, "counts, classes, runs and the noise estimate" },
	{ "demo", cmd_demo, "build a project from sample data and review it" },
};

static void usage(FILE *f)
{
	fputs("usage: relabel COMMAND PROJECT.db [OPTIONS]\n"
	      "       relabel demo [fashion|posts]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fputs("\nrelabel COMMAND --help shows a command's options; man relabel has "
	      "them all.\n", f);
}

int main(int argc, char **argv)
{
	/* Display widths of the data's text depend on the locale's ctype. */
	setlocale(LC_ALL, "");

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_DONE;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("relabel " RELABEL_VERSION);
		return EXIT_DONE;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "relabel: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
