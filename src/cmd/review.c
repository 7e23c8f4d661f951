/* review.c - relabel review: the review screen on a project. */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/pipeline.h"
#include "relabel/preview.h"
#include "relabel/queue.h"
#include "relabel/tui.h"

static const char review_help[] =
	"usage: relabel review PROJECT.db [--reviewer NAME] [--by QUEUE]\n"
	"                      [--preview auto|sixel|blocks|ascii|none]\n"
	"                      [--keys FILE] [--retrain-opts LIST]\n"
	"                      [--trusted-weight W] [--retrain-every N]\n"
	"\n"
	"  --reviewer NAME     who decides (written with every decision);\n"
	"                      default $USER, else the login name\n"
	"  --by QUEUE          suspicion (default), loss, margin,\n"
	"                      disagreement, uncertainty or random\n"
	"  --preview MODE      how images are drawn; auto asks the terminal\n"
	"  --keys FILE         a key file applied after\n"
	"                      $XDG_CONFIG_HOME/relabel/keys.conf\n"
	"  --retrain-opts LIST options of a retrain (R) over the newest\n"
	"                      run's, e.g. epochs=5,folds=2,hidden=64;\n"
	"                      also method, loss, noise (auto or a rate),\n"
	"                      trusted-weight, lr, batch, seed, threads,\n"
	"                      image-size\n"
	"  --trusted-weight W  loss weight of reviewed items in a retrain\n"
	"  --retrain-every N   retrain by itself after every N decisions\n"
	"\n"
	"Every decision is committed to PROJECT.db before the screen moves\n"
	"on.  ? in the screen lists the keys.  R retrains in the background\n"
	"on the current labels (the options come first; y starts it) while\n"
	"the queue stays usable; R again offers to cancel.  Several\n"
	"reviewers may open one project: the item on one's screen is not\n"
	"offered to another, and each sees the others' decisions as they\n"
	"move on.  RELABEL_BENCH_TRACE=FILE appends timings (first paint,\n"
	"each key, a retrain) to FILE.\n";

static int review_options(int argc, char **argv, struct tui_options *o)
{
	static const struct option opts[] = {
		{ "reviewer", required_argument, NULL, 'r' },
		{ "by", required_argument, NULL, 'b' },
		{ "preview", required_argument, NULL, 'p' },
		{ "keys", required_argument, NULL, 'k' },
		{ "retrain-opts", required_argument, NULL, 'o' },
		{ "trusted-weight", required_argument, NULL, 'w' },
		{ "retrain-every", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct pipeline_opts check;
	struct err e;
	long v;
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
		case 'o':
			pipeline_opts_default(&check);
			if (tui_retrain_opts(&check, optarg, &e))
				return cli_usage("review", "%s", e.msg);
			o->retrain_opts = optarg;
			break;
		case 'w':
			if (cli_double("--trusted-weight", optarg, 0.01, 1000,
				       &o->trusted_weight, &e))
				return cli_usage("review", "%s", e.msg);
			break;
		case 'n':
			if (cli_int("--retrain-every", optarg, 1, 1000000000, &v,
				    &e))
				return cli_usage("review", "%s", e.msg);
			o->retrain_every = (unsigned long)v;
			break;
		case 'h': fputs(review_help, stdout); return -1;
		default: return cli_usage("review", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("review", "give exactly one project file");
	o->project = argv[optind];
	return 0;
}

/* $USER, else the account's login name (cron, tmux and su may not set
 * USER). */
static const char *review_login(void)
{
	const char *user = getenv("USER");
	const struct passwd *pw;

	if (user && *user)
		return user;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : NULL;
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
		o.reviewer = review_login();
	if (!o.reviewer || !*o.reviewer)
		return cli_usage("review", "who is reviewing? give --reviewer "
				 "NAME (or set $USER)");
	if (trace && *trace)
		o.trace = trace;
	if (tui_run(&o, &e))
		return cli_fail(&e);
	return EXIT_DONE;
}
