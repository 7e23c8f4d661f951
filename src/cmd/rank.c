/* rank.c - relabel rank: the review queue, printed. */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relabel/analysis.h"
#include "relabel/cli.h"
#include "relabel/cmd.h"
#include "relabel/mem.h"
#include "relabel/queue.h"

static const char rank_help[] =
	"usage: relabel rank PROJECT.db [--by QUEUE] [--top N]\n"
	"                    [--format table|csv|jsonl] [--all] [--seed S]\n"
	"  QUEUE: suspicion (default), loss, margin, disagreement, uncertainty,\n"
	"         random\n";

enum rank_format { FMT_TABLE, FMT_CSV, FMT_JSONL };

struct rank_cmd {
	enum queue_by by;
	enum rank_format fmt;
	long top;
	int all;
	int tty;	/* stdout is a terminal: escape control characters */
	uint64_t seed;
};

/* The figures printed for one item. */
struct rank_row {
	const char *id, *label, *suggested;
	double score, loss, margin, entropy, disagreement;
	int issue;
	char *why;
};

static double value_of(float v)
{
	return isnan(v) ? NAN : (double)v;
}

static double queue_score(const struct analysis *a, enum queue_by by,
			  size_t i)
{
	const struct rank_output *o = &a->out;

	switch (by) {
	case QUEUE_LOSS: return o->has_model ? value_of(o->sc.loss[i]) : NAN;
	case QUEUE_MARGIN: return o->has_model ? value_of(o->sc.margin[i]) : NAN;
	case QUEUE_DISAGREEMENT:
		return o->has_votes ? value_of(o->maj.entropy[i]) : NAN;
	case QUEUE_UNCERTAINTY:
		if (o->has_model && a->has[i])
			return value_of(o->sc.entropy[i]);
		return o->has_votes ? value_of(o->ds.doubt[i]) : NAN;
	default: return value_of(o->suspicion[i]);
	}
}

static void rank_row_fill(const struct analysis *a, const struct rank_cmd *rc,
			  size_t i, char **ids, struct rank_row *r)
{
	const struct rank_output *o = &a->out;
	const char *const *names = (const char *const *)a->classes.name;
	int y = a->items.label[i];

	r->id = ids[i];
	r->label = y == LABEL_NONE ? "" : names[y];
	r->issue = o->has_model && o->cl.issue[i];
	r->suggested = r->issue ? names[o->cl.suggested[i]] : "";
	r->score = queue_score(a, rc->by, i);
	r->loss = o->has_model ? value_of(o->sc.loss[i]) : NAN;
	r->margin = o->has_model ? value_of(o->sc.margin[i]) : NAN;
	r->entropy = o->has_model ? value_of(o->sc.entropy[i]) : NAN;
	r->disagreement = o->has_votes ? value_of(o->maj.entropy[i]) : NAN;
	r->why = queue_why(&a->in, o, rc->by, i, names);
}

static void print_num(FILE *f, double v, int width)
{
	if (isnan(v))
		fprintf(f, "%*s", width, "-");
	else
		fprintf(f, "%*.4f", width, v);
}

static void print_table_row(size_t k, const struct rank_row *r)
{
	printf("%6zu  ", k + 1);
	cli_safe(stdout, r->id);
	fputs("\t", stdout);
	cli_safe(stdout, r->label);
	fputs("\t", stdout);
	cli_safe(stdout, *r->suggested ? r->suggested : "-");
	putchar('\t');
	print_num(stdout, r->score, 7);
	print_num(stdout, r->loss, 8);
	print_num(stdout, r->margin, 8);
	print_num(stdout, r->entropy, 8);
	print_num(stdout, r->disagreement, 8);
	printf("  %s  ", r->issue ? "yes" : "no ");
	cli_safe(stdout, r->why);
	putchar('\n');
}

static void csv_num(double v)
{
	if (!isnan(v))
		printf("%.6f", v);
}

static void csv_text(const char *s, int tty)
{
	if (tty)
		cli_csv_safe(stdout, s);
	else
		cli_csv_field(stdout, s);
}

static void print_csv_row(size_t k, const struct rank_row *r, int tty)
{
	printf("%zu,", k + 1);
	csv_text(r->id, tty);
	putchar(',');
	csv_text(r->label, tty);
	putchar(',');
	csv_text(r->suggested, tty);
	const double v[5] = { r->score, r->loss, r->margin, r->entropy,
			      r->disagreement };

	for (int j = 0; j < 5; j++) {
		putchar(',');
		csv_num(v[j]);
	}
	printf(",%d,", r->issue);
	csv_text(r->why, tty);
	putchar('\n');
}

static void json_num(cJSON *o, const char *key, double v)
{
	if (isnan(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

static void print_json_row(size_t k, const struct rank_row *r, int tty)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "rank", (double)(k + 1));
	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "label", r->label);
	cJSON_AddStringToObject(o, "suggested", r->suggested);
	json_num(o, "score", r->score);
	json_num(o, "loss", r->loss);
	json_num(o, "margin", r->margin);
	json_num(o, "entropy", r->entropy);
	json_num(o, "disagreement", r->disagreement);
	cJSON_AddBoolToObject(o, "issue", r->issue);
	cJSON_AddStringToObject(o, "why", r->why);
	char *s = cJSON_PrintUnformatted(o);

	/* JSON escapes C0 controls, not DEL, C1 or bidi overrides. */
	if (tty)
		cli_safe(stdout, s);
	else
		fputs(s, stdout);
	putchar('\n');
	cJSON_free(s);
	cJSON_Delete(o);
}

static void rank_print(const struct analysis *a, const struct rank_cmd *rc,
		       const uint32_t *order, size_t n, char **ids)
{
	if (rc->fmt == FMT_TABLE)
		printf("  rank  id\tlabel\tsuggested\t  score    loss  margin "
		       "entropy disagree  issue  why\n");
	else if (rc->fmt == FMT_CSV)
		puts("rank,id,label,suggested,score,loss,margin,entropy,"
		     "disagreement,issue,why");
	for (size_t k = 0; k < n; k++) {
		struct rank_row r;

		rank_row_fill(a, rc, order[k], ids, &r);
		if (rc->fmt == FMT_TABLE)
			print_table_row(k, &r);
		else if (rc->fmt == FMT_CSV)
			print_csv_row(k, &r, rc->tty);
		else
			print_json_row(k, &r, rc->tty);
		free(r.why);
	}
}

static int rank_options(int argc, char **argv, struct rank_cmd *rc)
{
	static const struct option opts[] = {
		{ "by", 1, NULL, 'b' }, { "top", 1, NULL, 't' },
		{ "format", 1, NULL, 'f' }, { "all", 0, NULL, 'a' },
		{ "seed", 1, NULL, 's' }, { "help", 0, NULL, 'h' }, { 0 }
	};
	struct err e;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			if (queue_by_parse(optarg, &rc->by, &e))
				return cli_usage("rank", "%s", e.msg);
			break;
		case 't':
			if (cli_int("--top", optarg, 1, 1L << 40, &rc->top, &e))
				return cli_usage("rank", "%s", e.msg);
			break;
		case 'f':
			if (!strcmp(optarg, "table"))
				rc->fmt = FMT_TABLE;
			else if (!strcmp(optarg, "csv"))
				rc->fmt = FMT_CSV;
			else if (!strcmp(optarg, "jsonl"))
				rc->fmt = FMT_JSONL;
			else
				return cli_usage("rank", "unknown format '%s' (table, "
						 "csv or jsonl)", optarg);
			break;
		case 'a': rc->all = 1; break;
		case 's':
			if (cli_int("--seed", optarg, 0, 0x7fffffffL, &v, &e))
				return cli_usage("rank", "%s", e.msg);
			rc->seed = (uint64_t)v;
			break;
		case 'h': fputs(rank_help, stdout); return -1;
		default: return cli_usage("rank", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage("rank", "give exactly one project file");
	return 0;
}

int cmd_rank(int argc, char **argv)
{
	struct rank_cmd rc = { .by = QUEUE_SUSPICION, .seed = 1 };
	struct analysis a;
	struct store *st;
	struct err e;
	char **ids = NULL;
	int status;

	optind = 1;
	if ((status = rank_options(argc, argv, &rc)))
		return status > 0 ? status : EXIT_DONE;
	rc.tty = isatty(STDOUT_FILENO);
	if (store_open(argv[optind], STORE_READONLY, &st, &e))
		return cli_fail(&e);
	if (analysis_load(st, &a, &e) ||
	    store_item_names(st, &a.items, &ids, &e)) {
		store_close(st);
		return cli_fail(&e);
	}
	uint32_t *order = xmalloc((a.items.n + 1) * sizeof *order);
	size_t n = queue_order(&a.in, &a.out, rc.by, rc.all, rc.seed, order);

	if (rc.top && (size_t)rc.top < n)
		n = (size_t)rc.top;
	if (!a.run && !a.votes.n)
		fprintf(stderr, "relabel: no model scores and no votes yet; run "
			"relabel train, or import --probs or --annotations\n");
	rank_print(&a, &rc, order, n, ids);
	free(order);
	store_names_free(ids, a.items.n);
	analysis_free(&a);
	store_close(st);
	return EXIT_DONE;
}
