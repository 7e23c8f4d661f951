/* demo.c - relabel demo: a project from a bundled sample set, trained,
 * and opened in the review screen.  It runs the import, train and review
 * commands as a user would type them, so the demo shows exactly what
 * those commands do. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/mem.h"

#ifndef RELABEL_SAMPLE_DIR
#define RELABEL_SAMPLE_DIR "/usr/local/share/relabel/sample_data"
#endif

static const char demo_help[] =
	"usage: relabel demo [fashion|posts|DIR] [--project FILE]\n"
	"                    [--epochs N] [--reviewer NAME] [--preview MODE]\n"
	"\n"
	"  fashion             600 Fashion-MNIST images (the default)\n"
	"  posts               500 SMS messages\n"
	"  DIR                 any folder with items.csv, and optionally\n"
	"                      annotations.csv and classes.txt\n"
	"  --project FILE      the project to build (once) and open; default\n"
	"                      relabel-demo-SET.db in $XDG_CACHE_HOME/relabel\n"
	"                      (else ~/.cache/relabel)\n"
	"  --epochs N          epochs of the first training run (default 10)\n"
	"  --reviewer NAME     who decides; default $USER\n"
	"  --preview MODE      auto, sixel, blocks, ascii or none\n"
	"\n"
	"A named set is looked for in $RELABEL_SAMPLE_DATA, ./sample_data and\n"
	"the installed " RELABEL_SAMPLE_DIR ".  Without a\n"
	"terminal the project is built and described instead of opened.\n";

struct demo {
	const char *set;	/* a set's name or a folder */
	const char *project;
	const char *epochs;
	const char *reviewer;
	const char *preview;
	char *dir;		/* the sample folder found */
	char *path;		/* the project file */
	char *classes;		/* classes.txt's line, or NULL */
};

static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The sample folder: a path as given, else the named set under the first
 * place that has it. */
static int demo_find(struct demo *d, struct err *e)
{
	const char *env = getenv("RELABEL_SAMPLE_DATA");
	const char *roots[] = { env && *env ? env : NULL, "sample_data",
				RELABEL_SAMPLE_DIR };

	if (strchr(d->set, '/') || is_dir(d->set)) {
		if (!is_dir(d->set))
			return err_set(e, "%s: no such folder", d->set);
		d->dir = xstrdup(d->set);
		return 0;
	}
	for (size_t k = 0; k < sizeof roots / sizeof roots[0]; k++) {
		if (!roots[k])
			continue;
		d->dir = xasprintf("%s/%s", roots[k], d->set);
		if (is_dir(d->dir))
			return 0;
		free(d->dir);
		d->dir = NULL;
	}
	return err_set(e, "no sample set '%s' in $RELABEL_SAMPLE_DATA, "
		       "./sample_data or %s; give its folder instead",
		       d->set, RELABEL_SAMPLE_DIR);
}

/* mkdir -p for the folders above a file. */
static int make_parents(const char *file, struct err *e)
{
	char *p = xstrdup(file);

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			err_set(e, "cannot make the folder %s: %s", p,
				strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

/* The project file: as given, else one per set in the cache folder. */
static int demo_project(struct demo *d, struct err *e)
{
	const char *cache = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	const char *base = strrchr(d->dir, '/');

	if (d->project) {
		d->path = xstrdup(d->project);
		return 0;
	}
	base = base && base[1] ? base + 1 : d->dir;
	if (cache && *cache)
		d->path = xasprintf("%s/relabel/relabel-demo-%s.db", cache, base);
	else if (home && *home)
		d->path = xasprintf("%s/.cache/relabel/relabel-demo-%s.db", home,
				    base);
	else
		return err_set(e, "where should the demo project go? give "
			       "--project FILE (neither $XDG_CACHE_HOME nor "
			       "$HOME is set)");
	return make_parents(d->path, e);
}

/* classes.txt's first line, the class order a set asks for. */
static int demo_classes(struct demo *d, struct err *e)
{
	char *path = xasprintf("%s/classes.txt", d->dir);
	FILE *f = fopen(path, "r");
	char line[4096];

	if (!f) {
		free(path);
		return 0;
	}
	if (!fgets(line, sizeof line, f) || !strchr(line, '\n')) {
		err_set(e, "%s:1: expected one line of class names, comma "
			"separated", path);
		fclose(f);
		free(path);
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	d->classes = xstrdup(line);
	fclose(f);
	free(path);
	return 0;
}

/* Runs a command on a NULL-terminated argument list. */
static int run(int (*cmd)(int, char **), char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return cmd(argc, argv);
}

/* Imports the set and trains on it once; a project already there is
 * reused as it is, with every decision made in it so far. */
static int demo_build(struct demo *d)
{
	char *items = xasprintf("%s/items.csv", d->dir);
	char *votes = xasprintf("%s/annotations.csv", d->dir);
	char *argv[12] = { "import", d->path, "--items", items };
	int n = 4, rc;

	if (is_file(votes)) {
		argv[n++] = "--annotations";
		argv[n++] = votes;
	}
	if (d->classes) {
		argv[n++] = "--classes";
		argv[n++] = d->classes;
	}
	argv[n] = NULL;
	rc = run(cmd_import, argv);
	if (rc == EXIT_DONE) {
		char *train[] = { "train", d->path, "--epochs",
				  (char *)d->epochs, NULL };

		rc = run(cmd_train, train);
	}
	free(items);
	free(votes);
	return rc;
}

/* Opens the review screen on a terminal; elsewhere says what is there. */
static int demo_open(struct demo *d)
{
	char *argv[8] = { "review", d->path };
	int n = 2;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		char *info[] = { "info", d->path, NULL };
		int rc = run(cmd_info, info);

		printf("(not on a terminal: run 'relabel review %s' to open "
		       "the review screen)\n", d->path);
		return rc;
	}
	if (d->reviewer) {
		argv[n++] = "--reviewer";
		argv[n++] = (char *)d->reviewer;
	}
	if (d->preview) {
		argv[n++] = "--preview";
		argv[n++] = (char *)d->preview;
	}
	argv[n] = NULL;
	return run(cmd_review, argv);
}

static int demo_options(int argc, char **argv, struct demo *d)
{
	static const struct option opts[] = {
		{ "project", required_argument, NULL, 'p' },
		{ "epochs", required_argument, NULL, 'e' },
		{ "reviewer", required_argument, NULL, 'r' },
		{ "preview", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct err e;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': d->project = optarg; break;
		case 'e':
			if (cli_int("--epochs", optarg, 1, 10000, &v, &e))
				return cli_usage("demo", "%s", e.msg);
			d->epochs = optarg;
			break;
		case 'r': d->reviewer = optarg; break;
		case 'v': d->preview = optarg; break;
		case 'h': fputs(demo_help, stdout); return -1;
		default: return cli_usage("demo", "unknown option");
		}
	}
	if (optind < argc - 1)
		return cli_usage("demo", "give at most one sample set");
	if (optind == argc - 1)
		d->set = argv[optind];
	return 0;
}

static void demo_free(struct demo *d)
{
	free(d->dir);
	free(d->path);
	free(d->classes);
}

int cmd_demo(int argc, char **argv)
{
	struct demo d = { .set = "fashion", .epochs = "10" };
	struct err e;
	int rc;

	optind = 1;
	if ((rc = demo_options(argc, argv, &d)))
		return rc > 0 ? rc : EXIT_DONE;
	if (demo_find(&d, &e) || demo_project(&d, &e) || demo_classes(&d, &e)) {
		demo_free(&d);
		return cli_fail(&e);
	}
	rc = EXIT_DONE;
	if (!is_file(d.path)) {
		fprintf(stderr, "relabel demo: building %s from %s\n", d.path,
			d.dir);
		rc = demo_build(&d);
	}
	if (rc == EXIT_DONE)
		rc = demo_open(&d);
	demo_free(&d);
	return rc;
}
