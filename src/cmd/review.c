/* review.c - relabel review: the review screen on a project. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/preview.h"
#include "relabel/queue.h"
#include "relabel/tui.h"

static const char review_help[] =
	"usage: relabel review PROJECT.db [--reviewer NAME] [--by QUEUE]\n"
	"                      [--preview auto|sixel|blocks|ascii|none]\n"
	"                      [--keys FILE]\n"
	"\n"
	"  --reviewer NAME  who decides (written with every decision);\n"
	"                   default $USER\n"
	"  --by QUEUE       suspicion (default), loss, margin, disagreement,\n"
	"                   uncertainty or random\n"
	"  --preview MODE   how images are drawn; auto asks the terminal\n"
	"  --keys FILE      a key file applied after\n"
	"                   $XDG_CONFIG_HOME/relabel/keys.conf\n"
	"\n"
	"Every decision is committed to PROJECT.db before the screen moves\n"
	"on.  ? in the screen lists the keys.  RELABEL_BENCH_TRACE=FILE\n"
	"appends timings (first paint, each key) to FILE.\n";

static int review_options(int argc, char **argv, struct tui_options *o)
{
	static const struct option opts[] = {
		{ "reviewer", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ "preview", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct err e;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': o->reviewer = optarg; break;
		case 'b':
			if (queue_by_parse(optarg, &o->by, &e))
				return cli_usage("review", "--by: %s", e.msg);
			break;
		case 'p':
			if (preview_mode_parse(optarg, &o->preview, &e))
				return cli_usage("review", "%s", e.msg);
			break;
		case 'k': o->keys_file = optarg; break;
		case 'h': fputs(review_help, stdout); return -1;
		default: return cli_usage("review", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("review", "give exactly one project file");
	o->project = argv[optind];
	return 0;
}

int cmd_review(int argc, char **argv)
{
	struct tui_options o = { .by = QUEUE_SUSPICION,
				 .preview = PREVIEW_AUTO };
	const char *trace = getenv("RELABEL_BENCH_TRACE");
	struct err e;
	int rc;

	optind = 1;
	if ((rc = review_options(argc, argv, &o)))
		return rc > 0 ? rc : EXIT_DONE;
	if (!o.reviewer)
		o.reviewer = getenv("USER");
	if (!o.reviewer || !*o.reviewer)
		return cli_usage("review", "who is reviewing? give --reviewer "
				 "NAME (or set $USER)");
	if (trace && *trace)
		o.trace = trace;
	if (tui_run(&o, &e))
		return cli_fail(&e);
	return EXIT_DONE;
}
