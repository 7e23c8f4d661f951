/* test_queue.c - suspicion, queue orders, ties, "why" lines, sorting. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/queue.h"
#include "relabel/rank.h"
#include "relabel/rng.h"

/* The confident-learning hand case of test_cleanlab.c: issues at items
 * 2 (0 -> 1), 5 and 6 (1 -> 2), 9 (2 -> 1). */
static const float hand_p[11][3] = {
	{ 0.8f, 0.1f, 0.1f }, { 0.6f, 0.3f, 0.1f },
	{ 0.3f, 0.6f, 0.1f }, { 0.6f, 0.4f, 0.0f },
	{ 0.1f, 0.8f, 0.1f }, { 0.1f, 0.2f, 0.7f },
	{ 0.2f, 0.2f, 0.6f }, { 0.1f, 0.1f, 0.8f },
	{ 0.0f, 0.4f, 0.6f }, { 0.2f, 0.4f, 0.4f },
	{ 0.5f, 0.3f, 0.2f },
};
static const int32_t hand_y[11] = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 0 };
static const char *const names[3] = { "coat", "shirt", "bag" };

static void hand_input(struct rank_input *in)
{
	memset(in, 0, sizeof *in);
	in->n = 11;
	in->C = 3;
	in->label = hand_y;
	in->probs = &hand_p[0][0];
}

static void test_names(void **state)
{
	enum queue_by by;
	struct err e;

	(void)state;
	for (int k = 0; k < QUEUE_COUNT; k++) {
		assert_int_equal(queue_by_parse(queue_by_name(k), &by, &e), 0);
		assert_int_equal(by, k);
	}
	assert_string_equal(queue_by_name(QUEUE_UNCERTAINTY), "uncertainty");
	assert_string_equal(queue_by_name((enum queue_by)99), "?");
	assert_int_equal(queue_by_parse("loudness", &by, &e), -1);
	assert_non_null(strstr(e.msg, "unknown queue 'loudness'"));
}

/* Flagged items first by p_s - p_y (5: .5, 6: .4, 2: .3, 9: 0), then
 * 1 - p_y: 10 (.5), the .4 tie 1, 3, 8 by index, the .2 tie 0, 4, 7. */
static void test_suspicion_probs(void **state)
{
	static const uint32_t want[11] = { 5, 6, 2, 9, 10, 1, 3, 8, 0, 4, 7 };
	struct rank_input in;
	struct rank_output out;
	struct err e;
	uint32_t order[11];

	(void)state;
	hand_input(&in);
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	assert_true(out.has_model && !out.has_votes);
	assert_true(fabs(out.suspicion[5] - 1.5) < 1e-6);
	assert_true(fabs(out.suspicion[9] - 1.0) < 1e-6);
	assert_true(fabs(out.suspicion[10] - 0.5) < 1e-6);
	assert_int_equal(queue_order(&in, &out, QUEUE_SUSPICION, 0, 0, order),
			 11);
	assert_memory_equal(order, want, sizeof want);

	/* The loss queue agrees here; reviewed items drop out unless asked. */
	uint8_t reviewed[11] = { [5] = 1, [0] = 1 };
	static const uint32_t want_loss[9] = { 6, 2, 9, 10, 1, 3, 8, 4, 7 };

	in.reviewed = reviewed;
	assert_int_equal(queue_order(&in, &out, QUEUE_LOSS, 0, 0, order), 9);
	assert_memory_equal(order, want_loss, sizeof want_loss);
	assert_int_equal(queue_order(&in, &out, QUEUE_LOSS, 1, 0, order), 11);
	assert_int_equal(order[0], 5);
	rank_output_free(&out);
}

/* Votes only: suspicion = (q + d/2) / (1 + 1/2), q = 1 - post[y],
 * d the vote entropy; an item without votes scores 0. */
static void test_suspicion_votes(void **state)
{
	static const uint32_t item[] = { 0, 0, 0, 1, 1, 1, 2, 3, 3, 3, 3 };
	static const uint32_t annot[] = { 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 1 };
	static const int32_t label[] = { 0, 0, 0, 1, 1, 0, 2, 2, 2, 1, 2 };
	static const int32_t y[5] = { 0, 0, 2, 2, 1 };
	struct rank_input in = { .n = 5, .C = 3, .label = y, .A = 3 };
	struct rank_output out;
	struct err e;
	uint32_t order[5];
	double worst = 0.0;

	(void)state;
	in.votes = (struct crowd_votes){ 11, item, annot, label };
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	assert_true(out.has_votes && !out.has_model);
	for (int i = 0; i < 5; i++) {
		double want = 0.0;

		if (i < 4) {
			double q = 1.0 - out.ds.post[i * 3 + y[i]], w = 1.0;

			if (out.maj.n_votes[i] >= 2) {
				q += 0.5 * out.maj.entropy[i];
				w += 0.5;
			}
			want = q / w;
		}
		worst = fmax(worst, fabs(out.suspicion[i] - want));
	}
	printf("votes-only suspicion: largest difference %.2g\n", worst);
	assert_true(worst < 1e-6);
	/* Item 1 (labeled 0, voted 1-1-0) leads; item 4 has no votes. */
	assert_int_equal(queue_order(&in, &out, QUEUE_SUSPICION, 0, 0, order),
			 5);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[4], 4);
	assert_true(out.suspicion[4] == 0.0f);
	/* Disagreement: item 1 and 3 split, 0 and 2 agree, 4 last (NAN). */
	assert_int_equal(queue_order(&in, &out, QUEUE_DISAGREEMENT, 0, 0,
				     order), 5);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[4], 4);
	assert_true(out.alpha < 1.0);
	rank_output_free(&out);
}

/* Both: the model term, DS doubt and half-weighted disagreement. */
static void test_suspicion_both(void **state)
{
	static const uint32_t item[] = { 5, 5, 5, 0, 0 };
	static const uint32_t annot[] = { 0, 1, 2, 0, 1 };
	static const int32_t label[] = { 2, 2, 1, 0, 0 };
	struct rank_input in;
	struct rank_output out;
	struct err e;
	const float *p5 = hand_p[5];
	double q5, d5, want5, want0;

	(void)state;
	hand_input(&in);
	in.A = 3;
	in.votes = (struct crowd_votes){ 5, item, annot, label };
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	q5 = 1.0 - out.ds.post[5 * 3 + 1];
	d5 = out.maj.entropy[5];
	want5 = 1.0 + ((double)p5[2] - p5[1] + q5 + 0.5 * d5) / 2.5;
	want0 = ((1.0 - hand_p[0][0]) + (1.0 - out.ds.post[0]) + 0.0) / 2.5;
	printf("both: item 5 %.6f (want %.6f), item 0 %.6f (want %.6f)\n",
	       out.suspicion[5], want5, out.suspicion[0], want0);
	assert_true(fabs(out.suspicion[5] - want5) < 1e-6);
	assert_true(fabs(out.suspicion[0] - want0) < 1e-6);
	assert_true(fabs(out.suspicion[1] - 0.4) < 1e-6);
	rank_output_free(&out);
}

/* Reference order: score descending, NAN last, ties by index. */
static const float *cmp_score;

static int cmp_desc(const void *a, const void *b)
{
	uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
	float x = cmp_score[i], y = cmp_score[j];

	if (isnan(x) != isnan(y))
		return isnan(x) ? 1 : -1;
	if (!isnan(x) && x != y)
		return x > y ? -1 : 1;
	return i < j ? -1 : 1;
}

/* Every queue against qsort of its score, on rows with many ties. */
static void test_orders_reference(void **state)
{
	enum { N = 5000, C = 4 };
	float *P = xmalloc((size_t)N * C * sizeof *P), *sc = xmalloc(N * 4);
	int32_t *y = xmalloc(N * sizeof *y);
	uint32_t *order = xmalloc(N * 4), *ref = xmalloc(N * 4);
	struct rank_input in = { .n = N, .C = C, .label = y, .probs = P };
	struct rank_output out;
	struct rng r;
	struct err e;

	(void)state;
	rng_seed(&r, 3);
	for (size_t i = 0; i < N; i++) {
		int left = 8;

		/* Quarters only, so scores repeat and ties are common. */
		for (int k = 0; k < C - 1; k++) {
			int q = (int)rng_below(&r, (uint64_t)left + 1);

			P[i * C + k] = q / 8.0f;
			left -= q;
		}
		P[i * C + C - 1] = left / 8.0f;
		y[i] = i % 7 == 0 ? -1 : (int32_t)rng_below(&r, C);
	}
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	for (int by = 0; by < QUEUE_RANDOM; by++) {
		for (size_t i = 0; i < N; i++) {
			ref[i] = (uint32_t)i;
			sc[i] = by == QUEUE_SUSPICION ? out.suspicion[i] :
				by == QUEUE_LOSS ? out.sc.loss[i] :
				by == QUEUE_MARGIN ? -out.sc.margin[i] :
				by == QUEUE_UNCERTAINTY ? out.sc.entropy[i] :
				NAN;
		}
		cmp_score = sc;
		qsort(ref, N, sizeof *ref, cmp_desc);
		assert_int_equal(queue_order(&in, &out, by, 0, 0, order), N);
		assert_memory_equal(order, ref, N * sizeof *ref);
	}
	/* Unlabeled items join the uncertainty queue; loss puts them last. */
	assert_int_equal(queue_order(&in, &out, QUEUE_LOSS, 0, 0, order), N);
	assert_int_equal(order[N - 1], (N - 1) / 7 * 7);
	rank_output_free(&out);
	free(P);
	free(sc);
	free(y);
	free(order);
	free(ref);
}

static void test_random(void **state)
{
	struct rank_input in;
	struct rank_output out;
	struct err e;
	uint8_t reviewed[11] = { [3] = 1 };
	uint32_t a[11], b[11], c[11];
	int seen[11] = {0}, differ = 0;

	(void)state;
	hand_input(&in);
	in.reviewed = reviewed;
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	assert_int_equal(queue_order(&in, &out, QUEUE_RANDOM, 0, 9, a), 10);
	assert_int_equal(queue_order(&in, &out, QUEUE_RANDOM, 0, 9, b), 10);
	assert_int_equal(queue_order(&in, &out, QUEUE_RANDOM, 0, 10, c), 10);
	assert_memory_equal(a, b, sizeof a[0] * 10);
	for (int k = 0; k < 10; k++) {
		seen[a[k]]++;
		differ |= a[k] != c[k];
	}
	for (int i = 0; i < 11; i++)
		assert_int_equal(seen[i], i == 3 ? 0 : 1);
	assert_true(differ);
	rank_output_free(&out);
}

static void why_has(const struct rank_input *in,
		    const struct rank_output *out, enum queue_by by,
		    size_t item, const char *const *nm, const char *want)
{
	char *s = queue_why(in, out, by, item, nm);

	printf("why %s %zu: %s\n", queue_by_name(by), item, s);
	assert_non_null(strstr(s, want));
	free(s);
}

static void test_why(void **state)
{
	static const uint32_t item[] = { 0, 0, 0, 0, 0, 1 };
	static const uint32_t annot[] = { 0, 1, 2, 3, 4, 0 };
	static const int32_t label[] = { 0, 1, 0, 1, 0, 0 };
	struct rank_input in;
	struct rank_output out;
	struct err e;

	(void)state;
	hand_input(&in);
	in.A = 5;
	in.votes = (struct crowd_votes){ 6, item, annot, label };
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	why_has(&in, &out, QUEUE_SUSPICION, 5, names,
		"flagged by confident learning: looks like 'bag' (p=0.70), "
		"labeled 'shirt' (p=0.20)");
	why_has(&in, &out, QUEUE_UNCERTAINTY, 9, names,
		"uncertain between 'shirt' (p=0.40) and 'bag' (p=0.40)");
	why_has(&in, &out, QUEUE_DISAGREEMENT, 0, names,
		"annotators split 3\u20132: 'coat' 3, 'shirt' 2");
	why_has(&in, &out, QUEUE_DISAGREEMENT, 1, names,
		"annotators agree: 1 vote for 'coat'");
	why_has(&in, &out, QUEUE_DISAGREEMENT, 2, names, "no votes");
	why_has(&in, &out, QUEUE_LOSS, 2, names, "loss 1.20: the model "
		"prefers 'shirt' (p=0.60) to the label 'coat' (p=0.30)");
	why_has(&in, &out, QUEUE_MARGIN, 0, NULL, "margin 0.70: the model "
		"agrees with class 0 (p=0.80), next class 1 (p=0.10)");
	why_has(&in, &out, QUEUE_RANDOM, 10, names, "random audit sample; ");
	rank_output_free(&out);
}

/* Odd inputs: no items; rows without probabilities; unlabeled items
 * with votes; everything reviewed.  Every queue and "why" line works. */
static void test_edges(void **state)
{
	static const float P[4][2] = {
		{ 0.5f, 0.5f }, { 0.9f, 0.1f }, { 0.2f, 0.8f }, { 0.0f, 0.0f }
	};
	static const uint8_t has[4] = { 1, 1, 1, 0 };
	static const int32_t y[4] = { 0, -1, 0, 1 };
	static const uint32_t item[3] = { 1, 1, 3 };
	static const uint32_t annot[3] = { 0, 1, 0 };
	static const int32_t label[3] = { 1, 0, 1 };
	uint8_t reviewed[4] = { 1, 1, 1, 1 };
	struct rank_input in = { .n = 0, .C = 2, .label = y };
	struct rank_output out;
	struct err e;
	uint32_t order[4];

	(void)state;
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	for (int by = 0; by < QUEUE_COUNT; by++)
		assert_int_equal(queue_order(&in, &out, by, 1, 1, order), 0);
	rank_output_free(&out);

	in = (struct rank_input){ .n = 4, .C = 2, .label = y,
		.probs = &P[0][0], .has_probs = has, .A = 2,
		.votes = { 3, item, annot, label } };
	assert_int_equal(rank_compute(&in, &out, &e), 0);
	assert_true(isnan(out.sc.entropy[3]));
	assert_int_equal(out.ds.no_votes[0], 1);
	for (int by = 0; by < QUEUE_COUNT; by++) {
		assert_int_equal(queue_order(&in, &out, by, 0, 1, order), 4);
		for (size_t i = 0; i < 4; i++) {
			char *w = queue_why(&in, &out, by, i, NULL);

			assert_true(strlen(w) > 0);
			free(w);
		}
	}
	in.reviewed = reviewed;
	assert_int_equal(queue_order(&in, &out, QUEUE_LOSS, 0, 1, order), 0);
	assert_int_equal(queue_order(&in, &out, QUEUE_RANDOM, 0, 1, order), 0);
	rank_output_free(&out);

	/* A bad vote fails the whole call and leaves nothing allocated. */
	in.A = 1;
	assert_int_equal(rank_compute(&in, &out, &e), -1);
	assert_non_null(strstr(e.msg, "vote 1: annotator 1"));
	assert_null(out.suspicion);
}

/* Radix sort and selection against qsort on random keys with repeats. */
static int cmp_u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static void test_keys(void **state)
{
	static const size_t sizes[] = { 0, 1, 2, 63, 64, 65, 1000, 100000 };
	struct rng r;

	(void)state;
	rng_seed(&r, 11);
	for (size_t t = 0; t < sizeof sizes / sizeof sizes[0]; t++) {
		size_t n = sizes[t];
		uint64_t *a = xmalloc(n * 8), *b = xmalloc(n * 8);

		for (size_t i = 0; i < n; i++)
			a[i] = b[i] = rng_below(&r, 4) ? rng_u64(&r) :
				rng_below(&r, 5) << 40;
		queue_sort_keys(a, n);
		qsort(b, n, 8, cmp_u64_desc);
		if (n)
			assert_memory_equal(a, b, n * 8);
		for (size_t k = 1; k <= n; k += n / 5 + 1) {
			for (size_t i = 0; i < n; i++)
				a[i] = b[(i * 7919) % n];
			queue_top_keys(a, n, k);
			qsort(a, k, 8, cmp_u64_desc);
			assert_memory_equal(a, b, k * 8);
		}
		free(a);
		free(b);
	}
	/* NAN below -inf; equal scores: the lower index first. */
	assert_true(queue_key(-INFINITY, 0) > queue_key(NAN, 0));
	assert_true(queue_key(0.5f, 3) > queue_key(0.5f, 4));
	assert_true(queue_key(-0.25f, 0) < queue_key(0.0f, 9));
	assert_true(queue_key(-0.5f, 0) < queue_key(-0.25f, 9));
	assert_int_equal(queue_key_item(queue_key(0.1f, 1234567)), 1234567);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_suspicion_probs),
		cmocka_unit_test(test_suspicion_votes),
		cmocka_unit_test(test_suspicion_both),
		cmocka_unit_test(test_orders_reference),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
