/* retrain.c - retraining from the review screen: the options of the next
 * run, the worker that trains it, its progress on the status line, and
 * the summary once the queue is re-ranked. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/loss.h"
#include "relabel/screen.h"
#include "relabel/tui.h"
#include "relabel/worker.h"

struct retrain {
	struct pipeline_opts opts;	/* for the next run */
	int have_opts;			/* opts were read and set up */
	char source[64];		/* where they came from */
	char *spec;			/* --retrain-opts, or NULL */
	double trusted_weight;		/* --trusted-weight, 0 = the run's */
	unsigned long every;		/* --retrain-every, 0 = off */
	unsigned long decided;		/* decisions since the last start */

	struct worker *w;		/* the run in progress, or NULL */
	struct worker_status st;	/* as polled last */
	char drawn[160];		/* status text drawn last */

	int pending;			/* a stored run awaits its reload */
	struct pipeline_result result;
	size_t late;			/* decisions after its snapshot */
};

/* The options a run can be given here, as --retrain-opts names them. */
enum opt_field {
	F_METHOD, F_LOSS, F_EPOCHS, F_FOLDS, F_NOISE, F_HIDDEN, F_TRUSTED,
	F_LR, F_BATCH, F_SEED, F_THREADS, F_SIZE, F_COUNT
};

static const struct {
	const char *name;
	const char *help;
	double lo, hi;		/* numbers only */
} fields[F_COUNT] = {
	[F_METHOD] = { "method", "coteach (a co-teaching pair) or standard" },
	[F_LOSS] = { "loss", "ce, smooth, focal, mae or gce" },
	[F_EPOCHS] = { "epochs", "epochs per training", 1, 10000 },
	[F_FOLDS] = { "folds", "cross-fitting folds (1: final model only)",
		      1, 100 },
	[F_NOISE] = { "noise", "co-teaching drop rate: auto or 0 .. 0.95",
		      0, 0.95 },
	[F_HIDDEN] = { "hidden", "hidden layer sizes, e.g. 256 or 512:128",
		       1, 65536 },
	[F_TRUSTED] = { "trusted-weight", "loss weight of reviewed items",
			0.01, 1000 },
	[F_LR] = { "lr", "learning rate", 1e-9, 10 },
	[F_BATCH] = { "batch", "mini-batch size", 1, 65536 },
	[F_SEED] = { "seed", "random seed", 0, 2147483647 },
	[F_THREADS] = { "threads", "training threads (0: the CPUs less one)",
			0, 256 },
	[F_SIZE] = { "image-size", "images resized to SxS", 1, 1024 },
};

/* A whole number or a finite one within the field's range. */
static int opt_number(enum opt_field f, const char *v, int whole, double *out,
		      struct err *e)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end || !isfinite(d) || d < fields[f].lo ||
	    d > fields[f].hi || (whole && d != floor(d)))
		return err_set(e, "%s: '%s' is not %s from %g to %g",
			       fields[f].name, v, whole ? "a whole number" :
			       "a number", fields[f].lo, fields[f].hi);
	*out = d;
	return 0;
}

static int opt_hidden(struct train_opts *t, const char *v, struct err *e)
{
	char *copy = xstrdup(v), *save = NULL;
	int n = 0, rc = 0, hidden[8];
	double d;

	for (char *tok = strtok_r(copy, ":, ", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ":, ", &save)) {
		if (n == 8)
			rc = err_set(e, "hidden: at most 8 layers");
		else if ((rc = opt_number(F_HIDDEN, tok, 1, &d, e)) == 0)
			hidden[n++] = (int)d;
	}
	free(copy);
	if (rc == 0 && n == 0)
		rc = err_set(e, "hidden: give layer sizes such as 256 or 512:128");
	if (rc == 0) {
		memcpy(t->hidden, hidden, sizeof hidden);
		t->nhidden = n;
	}
	return rc;
}

/* The fields that are plain numbers: where each one goes. */
static void opt_put(struct pipeline_opts *o, enum opt_field f, double d)
{
	struct train_opts *t = &o->train;

	switch (f) {
	case F_EPOCHS: t->epochs = (int)d; break;
	case F_FOLDS: t->folds = (int)d; break;
	case F_TRUSTED: t->trusted_weight = (float)d; break;
	case F_LR: t->lr = (float)d; break;
	case F_BATCH: t->batch = (int)d; break;
	case F_SEED: t->seed = (uint64_t)d; break;
	case F_THREADS: t->threads = (int)d; break;
	case F_SIZE: o->image_size = (int)d; break;
	default: break;
	}
}

static int opt_set(struct pipeline_opts *o, enum opt_field f, const char *v,
		   struct err *e)
{
	struct train_opts *t = &o->train;
	double d;

	switch (f) {
	case F_METHOD:
		if (train_method_parse(v, &t->method))
			return err_set(e, "method: '%s' is not coteach or standard",
				       v);
		return 0;
	case F_LOSS:
		if (loss_parse(v, &t->loss))
			return err_set(e, "loss: '%s' is not ce, smooth, focal, mae "
				       "or gce", v);
		return 0;
	case F_NOISE:
		o->noise_auto = !strcmp(v, "auto");
		if (!o->noise_auto && opt_number(f, v, 0, &d, e))
			return -1;
		if (!o->noise_auto)
			t->noise_rate = (float)d;
		return 0;
	case F_HIDDEN:
		return opt_hidden(t, v, e);
	default:
		if (opt_number(f, v, f != F_TRUSTED && f != F_LR, &d, e))
			return -1;
		opt_put(o, f, d);
		return 0;
	}
}

static int opt_find(const char *name, size_t n)
{
	for (int f = 0; f < F_COUNT; f++)
		if (strlen(fields[f].name) == n &&
		    !strncmp(fields[f].name, name, n))
			return f;
	return -1;
}

/* Applies one "name=value" pair (value already split off). */
static int spec_pair(struct pipeline_opts *o, const char *name, size_t n,
		     const char *value, struct err *e)
{
	int f = opt_find(name, n);

	if (f < 0)
		return err_set(e, "--retrain-opts: unknown option '%.*s'; the "
			       "options are method loss epochs folds noise "
			       "hidden trusted-weight lr batch seed threads "
			       "image-size", (int)(n > 40 ? 40 : n), name);
	if (opt_set(o, (enum opt_field)f, value, e))
		return err_prefix(e, "--retrain-opts");
	return 0;
}

/* Applies the pair in b ("name=value"), when there is one. */
static int spec_flush(struct pipeline_opts *o, struct strbuf *b,
		      struct err *e)
{
	char *eq;

	if (!b->len)
		return 0;
	eq = strchr(b->s, '=');
	*eq = '\0';
	return spec_pair(o, b->s, strlen(b->s), eq + 1, e);
}

int tui_retrain_opts(struct pipeline_opts *o, const char *spec,
		     struct err *e)
{
	char *copy = xstrdup(spec), *save = NULL;
	struct strbuf b;
	int rc = 0;

	/* A part without '=' continues the value before it: hidden=64,32. */
	strbuf_init(&b);
	for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strchr(tok, '=')) {
			rc = spec_flush(o, &b, e);
			strbuf_reset(&b);
		} else if (!b.len) {
			rc = err_set(e, "--retrain-opts: '%s' is not name=value, "
				     "like epochs=5,folds=2", tok);
		} else {
			strbuf_addc(&b, ',');
		}
		strbuf_adds(&b, tok);
	}
	if (rc == 0)
		rc = spec_flush(o, &b, e);
	strbuf_free(&b);
	free(copy);
	return rc;
}

int retrain_new(struct tui *t, const struct tui_options *o, struct err *e)
{
	struct retrain *r = xcalloc(1, sizeof *r);
	struct pipeline_opts check;

	t->retrain = r;
	r->trusted_weight = o->trusted_weight;
	r->every = o->retrain_every;
	if (o->retrain_opts) {
		r->spec = xstrdup(o->retrain_opts);
		pipeline_opts_default(&check);
		if (tui_retrain_opts(&check, r->spec, e))
			return -1;
	}
	return 0;
}

void retrain_free(struct tui *t)
{
	struct retrain *r = t->retrain;

	if (!r)
		return;
	worker_free(r->w);
	free(r->spec);
	free(r);
	t->retrain = NULL;
}

/* The next run's options: the newest trained run's, then the command
 * line's.  Done once; the panel changes them from then on. */
static void retrain_setup(struct tui *t)
{
	struct retrain *r = t->retrain;
	struct run_info *runs = NULL;
	size_t n = 0;
	struct err e;

	pipeline_opts_default(&r->opts);
	snprintf(r->source, sizeof r->source, "the defaults");
	if (store_runs_list(t->s.st, &runs, &n, &e) == 0) {
		for (size_t k = 0; k < n; k++) {
			if (strcmp(runs[k].method, "imported") != 0 &&
			    pipeline_opts_from_json(runs[k].params, &r->opts) == 0) {
				snprintf(r->source, sizeof r->source, "run %lld",
					 (long long)runs[k].id);
				break;
			}
		}
	}
	for (size_t k = 0; k < n; k++)
		run_info_free(&runs[k]);
	free(runs);

	if (r->spec)
		tui_retrain_opts(&r->opts, r->spec, &e);
	if (r->trusted_weight > 0)
		r->opts.train.trusted_weight = (float)r->trusted_weight;
	r->have_opts = 1;
}

static void retrain_start(struct tui *t)
{
	struct retrain *r = t->retrain;
	struct err e;

	if (!r->have_opts)
		retrain_setup(t);
	if (worker_start(store_path(t->s.st), &r->opts, &r->w, &e)) {
		tui_msg(t, "cannot retrain: %s", e.msg);
		return;
	}
	r->decided = 0;
	r->drawn[0] = '\0';
	worker_poll(r->w, &r->st);
	tui_trace(t, "retrain-start %.3f", tui_ms(t));
	tui_msg(t, "retraining in the background on the current labels; "
		"keep reviewing (R cancels)");
}

int retrain_busy(const struct tui *t)
{
	return t->retrain && t->retrain->w;
}

void retrain_key(struct tui *t)
{
	struct retrain *r = t->retrain;

	if (r->w) {
		if (tui_confirm(t, "cancel the retrain in progress? (y: cancel, "
				"other keys: keep it) ")) {
			worker_cancel(r->w);
			tui_msg(t, "cancelling the retrain...");
		} else {
			tui_msg(t, "the retrain goes on");
		}
		return;
	}
	if (t->s.loading) {
		tui_msg(t, "still reading the project; retrain in a moment");
		return;
	}
	if (!r->have_opts)
		retrain_setup(t);
	tui_push(t, screen_retrain_new(t));
}

void retrain_decided(struct tui *t)
{
	struct retrain *r = t->retrain;

	r->decided++;
	if (r->every && r->decided >= r->every && !r->w && !t->s.loading)
		retrain_start(t);
}

static size_t run_count(struct tui *t)
{
	struct run_info *runs;
	size_t n = 0;
	struct err e;

	if (store_runs_list(t->s.st, &runs, &n, &e))
		return 0;
	for (size_t k = 0; k < n; k++)
		run_info_free(&runs[k]);
	free(runs);
	return n;
}

/* The run ended: what it left, and the reload that shows it. */
static void retrain_ended(struct tui *t)
{
	struct retrain *r = t->retrain;
	const struct worker_status *w = &r->st;
	struct err e;

	tui_trace(t, "retrain-end %.3f %d %.3f", tui_ms(t), (int)w->state,
		  w->elapsed);
	worker_free(r->w);
	r->w = NULL;
	if (w->state == WORKER_CANCELLED) {
		tui_msg(t, "retrain cancelled: nothing stored (%zu runs)",
			run_count(t));
	} else if (w->state == WORKER_FAILED) {
		tui_msg(t, "retrain failed: %s", w->err.msg);
	} else {
		r->pending = 1;
		r->result = w->result;
		if (store_review_count_since(t->s.st, w->result.last_review,
					     &r->late, &e))
			r->late = 0;
		tui_msg(t, "run %lld stored; re-ranking the queue...",
			(long long)w->result.run);
		if (session_load_start(&t->s, &e))
			tui_msg(t, "cannot re-rank: %s", e.msg);
	}
}

int retrain_tick(struct tui *t)
{
	struct retrain *r = t->retrain;
	struct strbuf b;
	int changed;

	if (!r || !r->w)
		return 0;
	worker_poll(r->w, &r->st);
	if (r->st.state != WORKER_RUNNING) {
		retrain_ended(t);
		return 1;
	}

	/* Drawn again only when the status line would change. */
	strbuf_init(&b);
	retrain_status(t, &b);
	changed = strcmp(b.s ? b.s : "", r->drawn) != 0;
	snprintf(r->drawn, sizeof r->drawn, "%s", b.s ? b.s : "");
	strbuf_free(&b);
	return changed;
}

void retrain_status(struct tui *t, struct strbuf *b)
{
	const struct worker_status *w;
	const struct train_progress *p;
	int fill;

	if (!t->retrain || !t->retrain->w)
		return;
	w = &t->retrain->st;
	p = &w->progress;
	if (w->cancelling) {
		strbuf_addf(b, "retrain: cancelling (%.0fs)", w->elapsed);
		return;
	}
	if (w->stage == WORKER_PREPARING) {
		strbuf_addf(b, "retrain: features, noise rate (%.0fs)",
			    w->elapsed);
		return;
	}
	if (w->stage == WORKER_SAVING) {
		strbuf_adds(b, "retrain: ranking, storing");
		return;
	}
	fill = (int)(p->frac * 8 + 0.5);
	strbuf_addf(b, "retrain %.0f%% [%.*s%.*s] ", 100 * p->frac, fill,
		    "########", 8 - fill, "........");
	if (p->fold < p->folds)
		strbuf_addf(b, "fold %d/%d", p->fold + 1, p->folds);
	else
		strbuf_adds(b, "final");
	strbuf_addf(b, " ep %d/%d %.0fs left", p->epoch, p->epochs,
		    p->remaining);
}

/* "8.1% -> 6.5%", or "-" where a figure is missing. */
static void pct_pair(struct strbuf *b, double x, double y)
{
	if (isnan(x))
		strbuf_adds(b, "-");
	else
		strbuf_addf(b, "%.1f%%", 100 * x);
	strbuf_adds(b, "->");
	if (isnan(y))
		strbuf_adds(b, "-");
	else
		strbuf_addf(b, "%.1f%%", 100 * y);
}

int retrain_reloaded(struct tui *t, const struct session_delta *d)
{
	struct retrain *r = t->retrain;
	struct strbuf b;

	if (!r->pending || d->run_after < r->result.run)
		return 0;
	r->pending = 0;
	strbuf_init(&b);
	strbuf_addf(&b, "run %lld: %zu newly flagged, %zu cleared; noise ",
		    (long long)d->run_after, d->flagged, d->cleared);
	pct_pair(&b, d->noise_before, d->noise_after);
	if (!isnan(d->acc_after)) {
		strbuf_adds(&b, "; test acc ");
		pct_pair(&b, d->acc_before, d->acc_after);
	}
	strbuf_addf(&b, "; %zu decision%s too late for it", r->late,
		    r->late == 1 ? "" : "s");
	tui_msg(t, "%s", b.s);
	strbuf_free(&b);
	tui_trace(t, "reloaded %.3f %lld", tui_ms(t), (long long)d->run_after);
	return 1;
}

/* The options panel: one row per option, y to start. */
struct retrain_screen {
	struct screen sc;
	int row;
};

static void field_value(const struct pipeline_opts *o, enum opt_field f,
			struct strbuf *b)
{
	const struct train_opts *t = &o->train;

	switch (f) {
	case F_METHOD: strbuf_adds(b, train_method_name(t->method)); break;
	case F_LOSS: strbuf_adds(b, loss_name(t->loss)); break;
	case F_EPOCHS: strbuf_addf(b, "%d", t->epochs); break;
	case F_FOLDS: strbuf_addf(b, "%d", t->folds); break;
	case F_NOISE:
		if (o->noise_auto)
			strbuf_adds(b, "auto");
		else
			strbuf_addf(b, "%.2f", (double)t->noise_rate);
		break;
	case F_HIDDEN:
		for (int k = 0; k < t->nhidden; k++)
			strbuf_addf(b, "%s%d", k ? ":" : "", t->hidden[k]);
		break;
	case F_TRUSTED: strbuf_addf(b, "%g", (double)t->trusted_weight); break;
	case F_LR: strbuf_addf(b, "%g", (double)t->lr); break;
	case F_BATCH: strbuf_addf(b, "%d", t->batch); break;
	case F_SEED: strbuf_addf(b, "%llu", (unsigned long long)t->seed); break;
	case F_THREADS:
		strbuf_addf(b, "%d", t->threads > 0 ? t->threads :
			    worker_blas_threads());
		break;
	case F_SIZE: strbuf_addf(b, "%d", o->image_size); break;
	case F_COUNT: break;
	}
}

static void rs_draw(struct screen *sc, struct tui *t)
{
	struct retrain_screen *rs = (struct retrain_screen *)sc;
	const struct retrain *r = t->retrain;
	const struct item_table *it = &t->s.a.items;
	size_t reviewed = 0;
	struct strbuf v;
	int y = 2;

	for (size_t i = 0; i < it->n; i++)
		reviewed += it->reviewed[i];
	draw_printf(t, y++, 2, t->cols - 4, STYLE_NORMAL, "Retrain on the "
		    "current labels of %zu items, %zu reviewed (trusted, loss "
		    "weight %g), in the background.", it->n, reviewed,
		    (double)r->opts.train.trusted_weight);
	draw_printf(t, y++, 2, t->cols - 4, STYLE_DIM, "Options from %s%s.",
		    r->source, r->spec ? ", changed by --retrain-opts" : "");
	y++;
	strbuf_init(&v);
	for (int f = 0; f < F_COUNT && y < t->rows - 4; f++, y++) {
		enum style st = f == rs->row ? STYLE_CURSOR : STYLE_NORMAL;

		strbuf_reset(&v);
		field_value(&r->opts, (enum opt_field)f, &v);
		draw_fill(t, y, 2, t->cols - 4, st);
		draw_printf(t, y, 2, t->cols - 4, st, "%-15s %-12s %s",
			    fields[f].name, v.s ? v.s : "", fields[f].help);
	}
	strbuf_free(&v);
	y++;
	draw_str(t, y++, 2, t->cols - 4, STYLE_HEAD, "y starts it   enter "
		 "changes the option under the cursor   esc closes");
	draw_str(t, y, 2, t->cols - 4, STYLE_DIM, "The queue stays usable "
		 "while it trains; R then offers to cancel.  The run is stored "
		 "whole, or not at all.");
}

static void rs_edit(struct tui *t, struct retrain_screen *rs)
{
	struct strbuf q;
	struct err e;

	strbuf_init(&q);
	strbuf_addf(&q, "%s (now ", fields[rs->row].name);
	field_value(&t->retrain->opts, (enum opt_field)rs->row, &q);
	strbuf_adds(&q, "): ");
	if (tui_prompt(t, q.s) == 0 && t->answer.len) {
		if (opt_set(&t->retrain->opts, (enum opt_field)rs->row,
			    t->answer.s, &e))
			tui_msg(t, "%s", e.msg);
		else
			tui_msg(t, "%s set", fields[rs->row].name);
	}
	strbuf_free(&q);
}

static int rs_key(struct screen *sc, struct tui *t, enum action act, int arg)
{
	struct retrain_screen *rs = (struct retrain_screen *)sc;

	(void)arg;
	switch (act) {
	case ACT_DOWN: rs->row += rs->row + 1 < F_COUNT; return 1;
	case ACT_UP: rs->row -= rs->row > 0; return 1;
	case ACT_TOP: rs->row = 0; return 1;
	case ACT_BOTTOM: rs->row = F_COUNT - 1; return 1;
	case ACT_OPEN: rs_edit(t, rs); return 1;
	case ACT_RETRAIN:
		tui_msg(t, "y starts the retrain; esc closes its options");
		return 1;
	case ACT_YES:
		tui_pop(t);
		retrain_start(t);
		return 1;
	default: return 0;
	}
}

static void rs_destroy(struct screen *sc)
{
	free(sc);
}

struct screen *screen_retrain_new(struct tui *t)
{
	struct retrain_screen *rs = xcalloc(1, sizeof *rs);

	(void)t;
	rs->sc = (struct screen){ .title = "retrain: options (y starts, esc "
				  "closes)", .draw = rs_draw, .key = rs_key,
				  .destroy = rs_destroy };
	return &rs->sc;
}
