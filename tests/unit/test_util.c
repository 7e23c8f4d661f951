/* test_util.c - the seeded RNG, the string map and the string buffer. */
#include "unit.h"

#include <math.h>
#include <string.h>

#include "relabel/mem.h"
#include "relabel/par.h"
#include "relabel/rng.h"
#include "relabel/strmap.h"

static void test_rng_repeats_and_differs(void **state)
{
	struct rng a, b, c;

	(void)state;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	int same_c = 1;

	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_u64(&a);

		assert_true(x == rng_u64(&b));
		same_c &= x == rng_u64(&c);
	}
	assert_false(same_c);
}

static void test_rng_moments(void **state)
{
	struct rng r;
	double sum = 0, sq = 0, u = 0, beta = 0;
	const int n = 200000;

	(void)state;
	rng_seed(&r, 7);
	for (int i = 0; i < n; i++) {
		double z = rng_normal(&r);

		sum += z;
		sq += z * z;
		u += rng_uniform(&r);
		beta += rng_beta(&r, 2.0, 6.0);
	}
	print_message("# normal mean %.4f var %.4f, uniform mean %.4f, "
		      "beta(2,6) mean %.4f\n", sum / n, sq / n, u / n, beta / n);
	assert_true(fabs(sum / n) < 0.01);
	assert_true(fabs(sq / n - 1.0) < 0.02);
	assert_true(fabs(u / n - 0.5) < 0.005);
	assert_true(fabs(beta / n - 0.25) < 0.005);
}

static void test_rng_below_and_shuffle(void **state)
{
	struct rng r;
	int count[7] = { 0 };
	uint32_t idx[100], seen[100] = { 0 };

	(void)state;
	rng_seed(&r, 3);
	for (int i = 0; i < 70000; i++)
		count[rng_below(&r, 7)]++;
	for (int k = 0; k < 7; k++)
		assert_true(count[k] > 9500 && count[k] < 10500);
	for (uint32_t i = 0; i < 100; i++)
		idx[i] = i;
	rng_shuffle(&r, idx, 100);
	int moved = 0;

	for (uint32_t i = 0; i < 100; i++) {
		seen[idx[i]]++;
		moved += idx[i] != i;
	}
	for (int i = 0; i < 100; i++)
		assert_int_equal(seen[i], 1);
	assert_true(moved > 80);
}

static void test_strmap(void **state)
{
	struct strmap m;
	char key[32];
	int added;

	(void)state;
	strmap_init(&m);
	assert_null(strmap_get(&m, "absent"));
	for (int i = 0; i < 50000; i++) {
		snprintf(key, sizeof key, "item-%d", i);
		strmap_put(&m, key, i * 3, &added);
		assert_true(added);
	}
	assert_int_equal(m.len, 50000);
	int64_t *v = strmap_put(&m, "item-123", -1, &added);

	assert_false(added);
	assert_int_equal(*v, 369);
	for (int i = 0; i < 50000; i += 777) {
		snprintf(key, sizeof key, "item-%d", i);
		assert_non_null(strmap_get(&m, key));
		assert_int_equal(*strmap_get(&m, key), i * 3);
	}
	assert_null(strmap_get(&m, "item-50000"));
	strmap_free(&m);
}

static void test_strbuf(void **state)
{
	struct strbuf b;

	(void)state;
	strbuf_init(&b);
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 2000);
	assert_int_equal(strlen(b.s), 2000);
	strbuf_reset(&b);
	strbuf_adds(&b, "ab");
	strbuf_addc(&b, 'c');
	strbuf_add(&b, "def", 2);
	char *s = strbuf_take(&b);

	assert_string_equal(s, "abcde");
	assert_null(b.s);
	free(s);
	s = xasprintf("%s-%03d", "x", 7);
	assert_string_equal(s, "x-007");
	free(s);
}

struct par_job {
	int runs;
	long sum;
};

static void *par_job_run(void *arg)
{
	struct par_job *j = arg;

	j->runs++;
	for (long k = 0; k < 100000; k++)
		j->sum += k % 7;
	return NULL;
}

/* Every job runs exactly once, on however many threads. */
static void test_par_run(void **state)
{
	struct par_job job[6];

	(void)state;
	for (int n = 0; n <= 6; n++) {
		memset(job, 0, sizeof job);
		par_run(par_job_run, job, sizeof *job, n);
		for (int t = 0; t < 6; t++) {
			assert_int_equal(job[t].runs, t < n);
			assert_int_equal(job[t].sum, t < n ? 299995 : 0);
		}
	}
	assert_true(par_cpus(3) >= 1 && par_cpus(3) <= 3);
	assert_int_equal(par_cpus(1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_repeats_and_differs),
		cmocka_unit_test(test_rng_moments),
		cmocka_unit_test(test_rng_below_and_shuffle),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_par_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
