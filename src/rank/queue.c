/* queue.c - suspicion, queue orders and the "why" line of each item. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/queue.h"
#include "relabel/rng.h"

static const char *const queue_names[QUEUE_COUNT] = {
	"suspicion", "loss", "margin", "disagreement", "uncertainty", "random"
};

const char *queue_by_name(enum queue_by by)
{
	return (unsigned)by < QUEUE_COUNT ? queue_names[by] : "?";
}

int queue_by_parse(const char *name, enum queue_by *by, struct err *e)
{
	for (int k = 0; k < QUEUE_COUNT; k++)
		if (strcmp(name, queue_names[k]) == 0) {
			*by = (enum queue_by)k;
			return 0;
		}
	return err_set(e, "unknown queue '%s': use suspicion, loss, margin, "
		       "disagreement, uncertainty or random", name);
}

static int item_has_probs(const struct rank_output *out, size_t i)
{
	return out->has_model && out->sc.argmax[i] >= 0;
}

static int item_has_votes(const struct rank_output *out, size_t i)
{
	return out->has_votes && !out->ds.no_votes[i];
}

/* The model term m of the suspicion (see queue.h). */
static double model_term(const struct rank_input *in,
			 const struct rank_output *out, size_t i)
{
	const float *p = in->probs + i * (size_t)in->C;
	int32_t y = in->label[i];

	/* p_y from the scores: only flagged and unlabeled items need
	 * their row. */
	if (out->cl.issue[i]) {
		double d = (double)p[out->cl.suggested[i]] - out->sc.selfconf[i];

		return d > 0.0 ? d : 0.0;
	}
	if (y >= 0)
		return 1.0 - out->sc.selfconf[i];
	return 1.0 - p[out->sc.argmax[i]];
}

/* The Dawid-Skene term q of the suspicion. */
static double ds_term(const struct rank_input *in,
		      const struct rank_output *out, size_t i)
{
	int32_t y = in->label[i];

	if (y >= 0)
		return 1.0 - out->ds.post[i * (size_t)in->C + y];
	return out->ds.doubt[i];
}

void queue_suspicion(const struct rank_input *in, struct rank_output *out)
{
	size_t n = in->n;

	out->suspicion = xmalloc(n * sizeof *out->suspicion);
	for (size_t i = 0; i < n; i++) {
		double sum = 0.0, w = 0.0, f = 0.0;

		if (item_has_probs(out, i)) {
			sum += model_term(in, out, i);
			w += 1.0;
			f = out->cl.issue[i];
		}
		if (item_has_votes(out, i)) {
			sum += ds_term(in, out, i);
			w += 1.0;
		}
		if (out->has_votes && out->maj.n_votes[i] >= 2) {
			sum += QUEUE_W_DISAGREE * out->maj.entropy[i];
			w += QUEUE_W_DISAGREE;
		}
		out->suspicion[i] = (float)(f + (w > 0.0 ? sum / w : 0.0));
	}
}

/* Normalized entropy of a Dawid-Skene posterior row. */
static float post_entropy(const double *post, int C)
{
	double h = 0.0;

	for (int k = 0; k < C; k++)
		if (post[k] > 0.0)
			h -= post[k] * log(post[k]);
	return (float)(h / log((double)C));
}

/* Item i's score in queue by; NAN when undefined. */
static float queue_score(const struct rank_input *in,
			 const struct rank_output *out, enum queue_by by,
			 size_t i)
{
	switch (by) {
	case QUEUE_LOSS:
		return out->has_model ? out->sc.loss[i] : NAN;
	case QUEUE_MARGIN:
		return out->has_model ? -out->sc.margin[i] : NAN;
	case QUEUE_DISAGREEMENT:
		return out->has_votes ? out->maj.entropy[i] : NAN;
	case QUEUE_UNCERTAINTY:
		if (item_has_probs(out, i))
			return out->sc.entropy[i];
		if (item_has_votes(out, i))
			return post_entropy(out->ds.post + i * (size_t)in->C,
					    in->C);
		return NAN;
	case QUEUE_SUSPICION:
	case QUEUE_RANDOM:
		break;
	}
	return out->suspicion[i];
}

size_t queue_order(const struct rank_input *in, const struct rank_output *out,
		   enum queue_by by, int with_reviewed, uint64_t seed,
		   uint32_t *order)
{
	size_t n = in->n, m = 0;
	uint64_t *key;

	if (by == QUEUE_RANDOM) {
		struct rng r;

		for (size_t i = 0; i < n; i++)
			if (with_reviewed || !in->reviewed || !in->reviewed[i])
				order[m++] = (uint32_t)i;
		rng_seed(&r, seed);
		rng_shuffle(&r, order, m);
		return m;
	}
	key = xmalloc(n * sizeof *key);
	for (size_t i = 0; i < n; i++)
		if (with_reviewed || !in->reviewed || !in->reviewed[i])
			key[m++] = queue_key(queue_score(in, out, by, i),
					     (uint32_t)i);
	queue_sort_keys(key, m);
	for (size_t r = 0; r < m; r++)
		order[r] = queue_key_item(key[r]);
	free(key);
	return m;
}

/* Appends 'name' of class c, or "class c" without names. */
static void add_class(struct strbuf *b, const char *const *names, int c)
{
	if (names && names[c])
		strbuf_addf(b, "'%s'", names[c]);
	else
		strbuf_addf(b, "class %d", c);
}

/* The two most probable classes of row [C] (lowest index on a tie). */
static void top_two(const float *p, int C, int *a, int *b)
{
	*a = 0;
	*b = 1;
	if (p[1] > p[0]) {
		*a = 1;
		*b = 0;
	}
	for (int k = 2; k < C; k++) {
		if (p[k] > p[*a]) {
			*b = *a;
			*a = k;
		} else if (p[k] > p[*b]) {
			*b = k;
		}
	}
}

static void why_flagged(struct strbuf *b, const struct rank_input *in,
			const struct rank_output *out, size_t i,
			const char *const *names)
{
	const float *p = in->probs + i * (size_t)in->C;
	int s = out->cl.suggested[i], y = in->label[i];

	strbuf_adds(b, "flagged by confident learning: looks like ");
	add_class(b, names, s);
	strbuf_addf(b, " (p=%.2f), labeled ", (double)p[s]);
	add_class(b, names, y);
	strbuf_addf(b, " (p=%.2f)", (double)p[y]);
}

/* What the model says about the label (loss, margin, suspicion). */
static void why_model(struct strbuf *b, const struct rank_input *in,
		      const struct rank_output *out, size_t i,
		      const char *const *names)
{
	const float *p = in->probs + i * (size_t)in->C;
	int a, c, y = in->label[i];

	(void)out;
	top_two(p, in->C, &a, &c);
	if (y < 0) {
		strbuf_adds(b, "unlabeled; the model's best guess is ");
		add_class(b, names, a);
		strbuf_addf(b, " (p=%.2f)", (double)p[a]);
		return;
	}
	if (a == y) {
		strbuf_adds(b, "the model agrees with ");
		add_class(b, names, y);
		strbuf_addf(b, " (p=%.2f), next ", (double)p[y]);
		add_class(b, names, c);
		strbuf_addf(b, " (p=%.2f)", (double)p[c]);
		return;
	}
	strbuf_adds(b, "the model prefers ");
	add_class(b, names, a);
	strbuf_addf(b, " (p=%.2f) to the label ", (double)p[a]);
	add_class(b, names, y);
	strbuf_addf(b, " (p=%.2f)", (double)p[y]);
}

static void why_uncertain(struct strbuf *b, const struct rank_input *in,
			  const struct rank_output *out, size_t i,
			  const char *const *names)
{
	int C = in->C, a, c;
	float *p = xmalloc((size_t)C * sizeof *p);
	const char *who = "uncertain between ";

	if (item_has_probs(out, i)) {
		memcpy(p, in->probs + i * (size_t)C, (size_t)C * sizeof *p);
	} else {
		for (int k = 0; k < C; k++)
			p[k] = (float)out->ds.post[i * (size_t)C + k];
		who = "annotators' consensus uncertain between ";
	}
	top_two(p, C, &a, &c);
	strbuf_adds(b, who);
	add_class(b, names, a);
	strbuf_addf(b, " (p=%.2f) and ", (double)p[a]);
	add_class(b, names, c);
	strbuf_addf(b, " (p=%.2f)", (double)p[c]);
	free(p);
}

/* How the votes fall: "annotators split 3–2: 'cat' 3, 'dog' 2". */
static void why_votes(struct strbuf *b, const struct rank_input *in,
		      const struct rank_output *out, size_t i,
		      const char *const *names)
{
	const struct crowd_index *ix = &out->ix;
	uint32_t *cnt = xcalloc((size_t)in->C, sizeof *cnt);
	int shown[4], ns = 0;

	for (size_t k = ix->start[i]; k < ix->start[i + 1]; k++)
		cnt[in->votes.label[ix->vote[k]]]++;

	/* The four classes with the most votes, most first. */
	for (; ns < 4; ns++) {
		int best = -1;

		for (int c = 0; c < in->C; c++) {
			int seen = 0;

			/* shown[0 .. ns) is filled before it is read. */
			for (int s = 0; s < ns; s++)
				/* cppcheck-suppress uninitvar */
				seen |= shown[s] == c;
			if (cnt[c] && !seen && (best < 0 || cnt[c] > cnt[best]))
				best = c;
		}
		if (best < 0)
			break;
		shown[ns] = best;
	}
	if (ns == 1) {
		strbuf_addf(b, "annotators agree: %u vote%s for ",
			    cnt[shown[0]], cnt[shown[0]] == 1 ? "" : "s");
		add_class(b, names, shown[0]);
	} else {
		strbuf_adds(b, "annotators split ");
		for (int s = 0; s < ns; s++)
			strbuf_addf(b, "%s%u", s ? "\u2013" : "", cnt[shown[s]]);
		for (int s = 0; s < ns; s++) {
			strbuf_adds(b, s ? ", " : ": ");
			add_class(b, names, shown[s]);
			strbuf_addf(b, " %u", cnt[shown[s]]);
		}
	}
	free(cnt);
}

static void why_ds(struct strbuf *b, const struct rank_input *in,
		   const struct rank_output *out, size_t i,
		   const char *const *names)
{
	const double *post = out->ds.post + i * (size_t)in->C;
	int y = in->label[i], c = out->ds.label[i];

	strbuf_adds(b, "Dawid\u2013Skene consensus ");
	add_class(b, names, c);
	strbuf_addf(b, " (p=%.2f)", post[c]);
	if (y >= 0 && y != c) {
		strbuf_adds(b, ", label ");
		add_class(b, names, y);
		strbuf_addf(b, " p=%.2f", post[y]);
	}
}

/* Suspicion: the term that weighs most says why. */
static void why_suspicion(struct strbuf *b, const struct rank_input *in,
			  const struct rank_output *out, size_t i,
			  const char *const *names)
{
	double m = -1.0, q = -1.0, d = -1.0;

	if (item_has_probs(out, i)) {
		if (out->cl.issue[i]) {
			why_flagged(b, in, out, i, names);
			return;
		}
		m = model_term(in, out, i);
	}
	if (item_has_votes(out, i))
		q = ds_term(in, out, i);
	if (out->has_votes && out->maj.n_votes[i] >= 2)
		d = QUEUE_W_DISAGREE * out->maj.entropy[i];
	if (m < 0.0 && q < 0.0)
		strbuf_adds(b, "no model probabilities and no votes");
	else if (d > m && d > q)
		why_votes(b, in, out, i, names);
	else if (q > m)
		why_ds(b, in, out, i, names);
	else
		why_model(b, in, out, i, names);
}

char *queue_why(const struct rank_input *in, const struct rank_output *out,
		enum queue_by by, size_t i, const char *const *names)
{
	struct strbuf b;

	strbuf_init(&b);
	switch (by) {
	case QUEUE_LOSS:
	case QUEUE_MARGIN:
		if (!item_has_probs(out, i) || in->label[i] < 0) {
			strbuf_adds(&b, in->label[i] < 0 ? "unlabeled" :
				    "no model probabilities");
			break;
		}
		strbuf_addf(&b, by == QUEUE_LOSS ? "loss %.2f: " :
			    "margin %.2f: ", by == QUEUE_LOSS ?
			    (double)out->sc.loss[i] : (double)out->sc.margin[i]);
		why_model(&b, in, out, i, names);
		break;
	case QUEUE_DISAGREEMENT:
		if (item_has_votes(out, i))
			why_votes(&b, in, out, i, names);
		else
			strbuf_adds(&b, "no votes");
		break;
	case QUEUE_UNCERTAINTY:
		if (item_has_probs(out, i) || item_has_votes(out, i))
			why_uncertain(&b, in, out, i, names);
		else
			strbuf_adds(&b, "no model probabilities and no votes");
		break;
	case QUEUE_RANDOM:
		strbuf_adds(&b, "random audit sample; ");
		why_suspicion(&b, in, out, i, names);
		break;
	case QUEUE_SUSPICION:
		why_suspicion(&b, in, out, i, names);
		break;
	}
	return strbuf_take(&b);
}
