/* train.c - relabel train: co-teaching with cross-fitting on the
 * project's current labels, stored as a new run. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/mem.h"
#include "relabel/pipeline.h"

static const char train_help[] =
	"usage: relabel train PROJECT.db [options]\n"
	"  --method coteach|standard   co-teaching pair (default) or one net\n"
	"  --loss ce|smooth|focal|mae|gce  training loss (default ce)\n"
	"  --epochs N                  epochs per training (default 20)\n"
	"  --folds K                   cross-fitting folds (default 4)\n"
	"  --noise-rate auto|R         co-teaching drop rate (default auto)\n"
	"  --hidden N[,N...]           hidden layer sizes (default 256)\n"
	"  --lr R  --batch N  --weight-decay R\n"
	"  --smooth EPS  --focal-gamma G  --gce-q Q  --mixup ALPHA\n"
	"  --trusted-weight W          loss weight of expert-reviewed items\n"
	"  --image-size S              images resized to SxS (default 28)\n"
	"  --seed S  --threads N  --quiet\n";

struct progress {
	int tty, quiet;
};

static void train_progress(const struct train_progress *p, void *user)
{
	const struct progress *pr = user;
	char what[32];
	int width = 24, fill = (int)(p->frac * width + 0.5);

	if (pr->quiet)
		return;
	if (p->fold < p->folds)
		snprintf(what, sizeof what, "fold %d/%d", p->fold + 1, p->folds);
	else
		snprintf(what, sizeof what, "final model");
	if (!pr->tty) {
		fprintf(stderr, "%s epoch %d/%d loss %.4f kept %.2f elapsed %.0fs "
			"remaining %.0fs\n", what, p->epoch, p->epochs, p->loss,
			p->kept, p->elapsed, p->remaining);
		return;
	}
	fprintf(stderr, "\r[%.*s%*s] %3.0f%% %s epoch %d/%d loss %.3f kept %.2f "
		"%.0fs left \033[K", fill, "########################",
		width - fill, "", 100 * p->frac, what, p->epoch, p->epochs,
		p->loss, p->kept, p->remaining);
}

static int parse_hidden(const char *s, struct train_opts *t, struct err *e)
{
	char *copy = xstrdup(s), *save = NULL;
	int n = 0, rc = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		long v;

		if (n == 8)
			rc = err_set(e, "--hidden: at most 8 layers");
		else if ((rc = cli_int("--hidden", tok, 1, 65536, &v, e)) == 0)
			t->hidden[n++] = (int)v;
	}
	free(copy);
	if (rc == 0 && n == 0)
		rc = err_set(e, "--hidden: give layer sizes such as 256 or 512,128");
	t->nhidden = n;
	return rc;
}

static int parse_loss(const char *s, enum loss_kind *l)
{
	static const char *const names[] = { "ce", "smooth", "focal", "mae",
					     "gce" };

	for (int k = 0; k < 5; k++)
		if (!strcmp(s, names[k])) {
			*l = (enum loss_kind)k;
			return 0;
		}
	return -1;
}

enum { O_METHOD = 256, O_LOSS, O_EPOCHS, O_FOLDS, O_NOISE, O_HIDDEN, O_LR,
       O_BATCH, O_WD, O_SMOOTH, O_FOCAL, O_GCEQ, O_MIXUP, O_TRUSTED,
       O_SIZE, O_SEED, O_THREADS, O_QUIET, O_HELP };

static const struct option train_opts_long[] = {
	{ "method", 1, NULL, O_METHOD }, { "loss", 1, NULL, O_LOSS },
	{ "epochs", 1, NULL, O_EPOCHS }, { "folds", 1, NULL, O_FOLDS },
	{ "noise-rate", 1, NULL, O_NOISE }, { "hidden", 1, NULL, O_HIDDEN },
	{ "lr", 1, NULL, O_LR }, { "batch", 1, NULL, O_BATCH },
	{ "weight-decay", 1, NULL, O_WD }, { "smooth", 1, NULL, O_SMOOTH },
	{ "focal-gamma", 1, NULL, O_FOCAL }, { "gce-q", 1, NULL, O_GCEQ },
	{ "mixup", 1, NULL, O_MIXUP }, { "trusted-weight", 1, NULL, O_TRUSTED },
	{ "image-size", 1, NULL, O_SIZE }, { "seed", 1, NULL, O_SEED },
	{ "threads", 1, NULL, O_THREADS }, { "quiet", 0, NULL, O_QUIET },
	{ "help", 0, NULL, O_HELP }, { 0 }
};

/* Numeric options: name, range, and where the value goes. */
struct num_opt {
	int id;
	const char *name;
	double lo, hi;
	int whole;
};

static const struct num_opt num_opts[] = {
	{ O_EPOCHS, "--epochs", 1, 10000, 1 },
	{ O_FOLDS, "--folds", 1, 100, 1 },
	{ O_BATCH, "--batch", 1, 65536, 1 },
	{ O_SIZE, "--image-size", 1, 1024, 1 },
	{ O_THREADS, "--threads", 0, 256, 1 },
	{ O_SEED, "--seed", 0, 2147483647, 1 },
	{ O_LR, "--lr", 1e-9, 10, 0 },
	{ O_WD, "--weight-decay", 0, 1, 0 },
	{ O_SMOOTH, "--smooth", 0, 0.99, 0 },
	{ O_FOCAL, "--focal-gamma", 0, 10, 0 },
	{ O_GCEQ, "--gce-q", 0.01, 1, 0 },
	{ O_MIXUP, "--mixup", 0, 100, 0 },
	{ O_TRUSTED, "--trusted-weight", 0.01, 1000, 0 },
};

static void train_set_number(int id, double d, struct pipeline_opts *o)
{
	struct train_opts *t = &o->train;

	switch (id) {
	case O_EPOCHS: t->epochs = (int)d; break;
	case O_FOLDS: t->folds = (int)d; break;
	case O_BATCH: t->batch = (int)d; break;
	case O_SIZE: o->image_size = (int)d; break;
	case O_THREADS: t->threads = (int)d; break;
	case O_SEED: t->seed = (uint64_t)d; break;
	case O_LR: t->lr = (float)d; break;
	case O_WD: t->weight_decay = (float)d; break;
	case O_SMOOTH: t->smooth_eps = (float)d; break;
	case O_FOCAL: t->focal_gamma = (float)d; break;
	case O_GCEQ: t->gce_q = (float)d; break;
	case O_MIXUP: t->mixup_alpha = (float)d; break;
	case O_TRUSTED: t->trusted_weight = (float)d; break;
	}
}

static int train_number(int c, const char *arg, struct pipeline_opts *o,
			struct err *e)
{
	for (size_t i = 0; i < sizeof num_opts / sizeof num_opts[0]; i++) {
		const struct num_opt *n = &num_opts[i];
		double d;
		long v;

		if (n->id != c)
			continue;
		if (n->whole && cli_int(n->name, arg, (long)n->lo, (long)n->hi,
					&v, e))
			return -1;
		if (!n->whole && cli_double(n->name, arg, n->lo, n->hi, &d, e))
			return -1;
		train_set_number(c, n->whole ? (double)v : d, o);
		return 0;
	}
	return err_set(e, "unknown option");
}

static int train_options(int argc, char **argv, struct pipeline_opts *o,
			 struct progress *pr)
{
	struct err e;
	double d;
	int c;

	while ((c = getopt_long(argc, argv, "", train_opts_long, NULL)) != -1) {
		switch (c) {
		case O_METHOD:
			if (train_method_parse(optarg, &o->train.method))
				return cli_usage("train", "unknown method '%s' "
						 "(coteach or standard)", optarg);
			break;
		case O_LOSS:
			if (parse_loss(optarg, &o->train.loss))
				return cli_usage("train", "unknown loss '%s' (ce, "
						 "smooth, focal, mae, gce)", optarg);
			break;
		case O_NOISE:
			o->noise_auto = !strcmp(optarg, "auto");
			if (!o->noise_auto &&
			    cli_double("--noise-rate", optarg, 0, 0.95, &d, &e))
				return cli_usage("train", "%s (or auto)", e.msg);
			o->train.noise_rate = o->noise_auto ? 0 : (float)d;
			break;
		case O_HIDDEN:
			if (parse_hidden(optarg, &o->train, &e))
				return cli_usage("train", "%s", e.msg);
			break;
		case O_QUIET: pr->quiet = 1; break;
		case O_HELP: fputs(train_help, stdout); return -1;
		case '?': return cli_usage("train", "unknown option");
		default:
			if (train_number(c, optarg, o, &e))
				return cli_usage("train", "%s", e.msg);
		}
	}
	if (optind != argc - 1)
		return cli_usage("train", "give exactly one project file");
	return 0;
}

int cmd_train(int argc, char **argv)
{
	struct pipeline_opts o;
	struct pipeline_result r;
	struct progress pr = { .tty = isatty(2) };
	struct store *st;
	struct err e;
	int rc;

	pipeline_opts_default(&o);
	optind = 1;
	if ((rc = train_options(argc, argv, &o, &pr)))
		return rc > 0 ? rc : EXIT_DONE;
	if (store_open(argv[optind], 0, &st, &e))
		return cli_fail(&e);
	rc = pipeline_train(st, &o, train_progress, &pr, NULL, &r, &e);
	if (pr.tty && !pr.quiet)
		fputc('\n', stderr);
	store_close(st);
	if (rc)
		return cli_fail(&e);
	printf("run %lld: %s on %zu items (%zu reviewed), tau %.2f (%s), %.1f s\n",
	       (long long)r.run, train_method_name(o.train.method), r.ntrain,
	       r.nreviewed, r.tau, r.tau_source == 0 ? "given" :
	       r.tau_source == 1 ? "from the previous run" : "from a pre-pass",
	       r.seconds);
	if (r.noise_rate >= 0)
		printf("estimated noise rate %.1f%%, %zu items flagged\n",
		       100 * r.noise_rate, r.flagged);
	if (r.test_accuracy >= 0)
		printf("test accuracy %.2f%%\n", 100 * r.test_accuracy);
	return EXIT_DONE;
}
