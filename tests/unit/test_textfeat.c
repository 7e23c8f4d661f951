/* test_textfeat.c - tokens, hashing, signed log tf, merging and norms,
 * checked against a plain reference written here. */
#include "unit.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "relabel/err.h"
#include "relabel/matrix.h"
#include "relabel/textfeat.h"

/* Published MurmurHash3 x86_32 values. */
static void test_hash_vectors(void **state)
{
	(void)state;
	assert_int_equal(textfeat_hash("", 0, 0), 0);
	assert_int_equal(textfeat_hash("", 0, 1), 0x514E28B7u);
	assert_int_equal(textfeat_hash("", 0, 0xffffffffu), 0x81F16F39u);
	assert_int_equal(textfeat_hash("\0\0\0\0", 4, 0), 0x2362F9DEu);
	assert_int_equal(textfeat_hash("aaaa", 4, 0x9747b28cu), 0x5A97808Au);
	assert_int_equal(textfeat_hash("Hello, world!", 13, 0x9747b28cu),
			 0x24884CBAu);
	assert_int_equal(textfeat_hash("The quick brown fox jumps over the "
				       "lazy dog", 43, 0x9747b28cu),
			 0x2FA826CDu);
}

static void test_tokens(void **state)
{
	const char *t = "  Hello, w\xc3\xb6rld!! x2 _a-b\n";
	const char *want[] = { "Hello", "w\xc3\xb6rld", "x2", "a", "b" };
	size_t pos = 0, start, len, k = 0;

	(void)state;
	while ((len = textfeat_next(t, strlen(t), &pos, &start)) > 0) {
		assert_true(k < 5);
		assert_int_equal(len, strlen(want[k]));
		assert_memory_equal(t + start, want[k], len);
		k++;
	}
	assert_int_equal(k, 5);
	pos = 0;
	assert_int_equal(textfeat_next("?!", 2, &pos, &start), 0);
}

/* Reference row: terms and their counts given by hand, hashed and
 * summed into a dense vector, then normalized. */
static void reference(const char *const *terms, const int *tf, int n,
		      float *dense)
{
	double norm = 0.0;

	memset(dense, 0, TEXTFEAT_BUCKETS * sizeof *dense);
	for (int i = 0; i < n; i++) {
		uint32_t h = textfeat_hash(terms[i], strlen(terms[i]),
					   TEXTFEAT_SEED);

		dense[h & (TEXTFEAT_BUCKETS - 1)] +=
			(h >> 31 ? -1.0f : 1.0f) * (float)log1p(tf[i]);
	}
	for (size_t j = 0; j < TEXTFEAT_BUCKETS; j++)
		norm += (double)dense[j] * dense[j];
	for (size_t j = 0; norm > 0 && j < TEXTFEAT_BUCKETS; j++)
		dense[j] = (float)(dense[j] / sqrt(norm));
}

/* Largest difference between row r of m and a dense reference; also
 * checks that the row's columns ascend and no zero is stored. */
static float row_diff(const struct csr *m, size_t r, const float *dense)
{
	static float got[TEXTFEAT_BUCKETS];
	float d = 0.0f;

	memset(got, 0, sizeof got);
	for (size_t i = m->rowptr[r]; i < m->rowptr[r + 1]; i++) {
		assert_true(m->col[i] < TEXTFEAT_BUCKETS);
		assert_true(i == m->rowptr[r] || m->col[i] > m->col[i - 1]);
		assert_true(m->val[i] != 0.0f);
		got[m->col[i]] = m->val[i];
	}
	for (size_t j = 0; j < TEXTFEAT_BUCKETS; j++)
		if (fabsf(got[j] - dense[j]) > d)
			d = fabsf(got[j] - dense[j]);
	return d;
}

static void test_tf_and_bigrams(void **state)
{
	static float want[TEXTFEAT_BUCKETS];
	const char *texts[] = { "Hello hello HELLO", "a b c",
				"Free PRIZE!!! call now, free prize" };
	const char *t0[] = { "hello", "hello hello" };
	const int f0[] = { 3, 2 };
	const char *t1[] = { "a", "b", "c", "a b", "b c" };
	const int f1[] = { 1, 1, 1, 1, 1 };
	const char *t2[] = { "free", "prize", "call", "now", "free prize",
			     "prize call", "call now", "now free" };
	const int f2[] = { 2, 2, 1, 1, 2, 1, 1, 1 };
	struct csr m;
	struct err e = { "" };
	float d;

	(void)state;
	assert_int_equal(textfeat_build(texts, NULL, 3, &m, &e), 0);
	assert_int_equal(m.rows, 3);
	assert_int_equal(m.cols, TEXTFEAT_BUCKETS);
	reference(t0, f0, 2, want);
	d = row_diff(&m, 0, want);
	reference(t1, f1, 5, want);
	d = fmaxf(d, row_diff(&m, 1, want));
	reference(t2, f2, 8, want);
	d = fmaxf(d, row_diff(&m, 2, want));
	print_message("largest difference %g\n", d);
	assert_true(d < 1e-6f);
	assert_int_equal(m.rowptr[1], 2);
	assert_int_equal(m.rowptr[2] - m.rowptr[1], 5);
	csr_free(&m);
}

static void test_sign_from_top_bit(void **state)
{
	enum { N = 400 };
	char words[N][8];
	const char *texts[N];
	int pos_seen = 0, neg_seen = 0;
	struct csr m;
	struct err e = { "" };

	(void)state;
	/* One word a text: each row holds one value, +-1 by the top bit. */
	for (int i = 0; i < N; i++) {
		snprintf(words[i], sizeof words[i], "w%d", i);
		texts[i] = words[i];
	}
	assert_int_equal(textfeat_build(texts, NULL, N, &m, &e), 0);
	for (int i = 0; i < N; i++) {
		uint32_t h = textfeat_hash(words[i], strlen(words[i]),
					   TEXTFEAT_SEED);
		size_t k = m.rowptr[i];

		assert_int_equal(m.rowptr[i + 1] - k, 1);
		assert_int_equal(m.col[k], h & (TEXTFEAT_BUCKETS - 1));
		assert_true(m.val[k] == (h >> 31 ? -1.0f : 1.0f));
		pos_seen += m.val[k] > 0;
		neg_seen += m.val[k] < 0;
	}
	print_message("%d positive, %d negative\n", pos_seen, neg_seen);
	assert_true(pos_seen > 150 && neg_seen > 150);
	csr_free(&m);
}

/* Two words whose hashes share a column, with the given sign relation. */
static void find_collision(int same_sign, char *a, char *b)
{
	static uint32_t seen[TEXTFEAT_BUCKETS];

	memset(seen, 0, sizeof seen);
	for (uint32_t i = 1; i < 10000000; i++) {
		char w[16];
		int n = snprintf(w, sizeof w, "t%u", i);
		uint32_t h = textfeat_hash(w, (size_t)n, TEXTFEAT_SEED);
		uint32_t c = h & (TEXTFEAT_BUCKETS - 1);
		uint32_t o = seen[c];

		if (o && ((o >> 31) == (h >> 31)) == same_sign) {
			snprintf(a, 16, "t%u", o & 0x7fffffffu);
			strcpy(b, w);
			return;
		}
		/* Remember the word's number and its sign bit. */
		if (!o)
			seen[c] = i | (h & 0x80000000u);
	}
	fail_msg("no collision found");
}

static void test_collisions_merge(void **state)
{
	char a[16], b[16], text[64];
	struct csr m;
	struct err e = { "" };

	(void)state;
	/* Same sign: one column holding 2 * log(2), normalized to 1. */
	find_collision(1, a, b);
	snprintf(text, sizeof text, "%s, %s", a, b);
	assert_int_equal(textfeat_one(text, strlen(text), &m, &e), 0);
	print_message("'%s': %zu values\n", text, m.rowptr[1]);
	/* Two unigrams in one column, 2 log 2; the bigram has its own,
	 * log 2. */
	assert_int_equal(m.rowptr[1], 2);
	float big = fmaxf(fabsf(m.val[0]), fabsf(m.val[1]));
	float small = fminf(fabsf(m.val[0]), fabsf(m.val[1]));

	assert_true(fabsf(big / small - 2.0f) < 1e-5f);
	csr_free(&m);

	/* Opposite signs cancel and the column is dropped. */
	find_collision(0, a, b);
	snprintf(text, sizeof text, "%s, %s", a, b);
	assert_int_equal(textfeat_one(text, strlen(text), &m, &e), 0);
	print_message("'%s': %zu values\n", text, m.rowptr[1]);
	assert_int_equal(m.rowptr[1], 1);
	assert_true(fabsf(fabsf(m.val[0]) - 1.0f) < 1e-6f);
	csr_free(&m);
}

static void test_empty_and_case(void **state)
{
	const char *texts[] = { "", "?!., --", NULL, "Free PRIZE!!!",
				"free prize", "na\xc3\xafve", "NA\xc3\xafVE" };
	const size_t lens[] = { 0, 7, 0, 13, 10, 6, 6 };
	struct csr m;
	struct err e = { "" };

	(void)state;
	assert_int_equal(textfeat_build(texts, lens, 7, &m, &e), 0);
	assert_int_equal(m.rowptr[1], 0);
	assert_int_equal(m.rowptr[2], 0);
	assert_int_equal(m.rowptr[3], 0);

	/* Case and punctuation do not matter; the rows are identical. */
	size_t a = m.rowptr[3], n = m.rowptr[4] - a, b = m.rowptr[4];

	assert_int_equal(m.rowptr[5] - b, n);
	assert_memory_equal(m.col + a, m.col + b, n * sizeof *m.col);
	assert_memory_equal(m.val + a, m.val + b, n * sizeof *m.val);

	/* A UTF-8 letter stays inside its token, both spellings one term. */
	assert_int_equal(m.rowptr[6] - m.rowptr[5], 1);
	assert_int_equal(m.col[m.rowptr[5]], m.col[m.rowptr[6]]);
	csr_free(&m);

	assert_int_equal(textfeat_build(texts, lens, 0, &m, &e), 0);
	assert_int_equal(m.rows, 0);
	assert_int_equal(m.rowptr[0], 0);
	csr_free(&m);
}

/* Texts of the SMS Spam Collection, one a line after "label\t". */
static char **sms_load(size_t *n)
{
	FILE *f = fopen(shared_data("posts/SMSSpamCollection"), "rb");
	char line[8192], **t;

	*n = 0;
	if (!f)
		return NULL;
	t = calloc(6000, sizeof *t);
	while (*n < 6000 && fgets(line, sizeof line, f)) {
		char *tab = strchr(line, '\t');

		line[strcspn(line, "\r\n")] = 0;
		t[(*n)++] = strdup(tab ? tab + 1 : line);
	}
	fclose(f);
	return t;
}

/* A plain reference for one text: tokens found byte by byte, terms
 * counted by comparing strings, not hashes. */
static void sms_reference(const char *s, float *dense)
{
	enum { MAXT = 2048 };
	static char tok[MAXT][1024], terms[MAXT][2050];
	static const char *tp[MAXT];
	static int tf[MAXT];
	int nt = 0, nterm = 0;

	for (const char *p = s; *p;) {
		size_t l = 0;

		while (*p && !isalnum((unsigned char)*p) &&
		       (unsigned char)*p < 0x80)
			p++;
		while (*p && (isalnum((unsigned char)*p) ||
			      (unsigned char)*p >= 0x80) && l < 1023)
			tok[nt][l++] = (char)tolower((unsigned char)*p++);
		tok[nt][l] = 0;
		if (l)
			nt++;
	}
	for (int i = 0; i < 2 * nt - 1; i++) {
		char t[2050];
		int k;

		strcpy(t, tok[i < nt ? i : i - nt]);
		if (i >= nt) {
			strcat(t, " ");
			strcat(t, tok[i - nt + 1]);
		}
		for (k = 0; k < nterm && strcmp(terms[k], t); k++)
			;
		if (k == nterm) {
			strcpy(terms[nterm], t);
			tp[nterm] = terms[nterm];
			tf[nterm++] = 0;
		}
		tf[k]++;
	}
	reference(tp, tf, nterm, dense);
}

static void test_sms_collection(void **state)
{
	static float want[TEXTFEAT_BUCKETS];
	size_t n;
	char **t = sms_load(&n);
	struct csr m;
	struct err e = { "" };
	double worst = 0.0;
	float d = 0.0f;
	clock_t c0;

	(void)state;
	if (!t)
		skip();
	assert_int_equal(n, 5574);
	c0 = clock();
	assert_int_equal(textfeat_build((const char *const *)t, NULL, n, &m,
					&e), 0);
	print_message("%zu texts, %zu values in %.3f s\n", n, m.rowptr[n],
		      (double)(clock() - c0) / CLOCKS_PER_SEC);

	/* Every non-empty row has unit norm. */
	for (size_t r = 0; r < n; r++) {
		double s = 0.0;

		for (size_t i = m.rowptr[r]; i < m.rowptr[r + 1]; i++)
			s += (double)m.val[i] * m.val[i];
		if (m.rowptr[r + 1] > m.rowptr[r])
			worst = fmax(worst, fabs(sqrt(s) - 1.0));
	}
	print_message("largest |norm - 1| %g\n", worst);
	assert_true(worst < 1e-5);

	/* The first 150 rows against the plain reference. */
	for (size_t r = 0; r < 150; r++) {
		sms_reference(t[r], want);
		d = fmaxf(d, row_diff(&m, r, want));
	}
	print_message("largest difference to the reference %g\n", d);
	assert_true(d < 1e-6f);
	csr_free(&m);
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_vectors),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_tf_and_bigrams),
		cmocka_unit_test(test_sign_from_top_bit),
		cmocka_unit_test(test_collisions_merge),
		cmocka_unit_test(test_empty_and_case),
		cmocka_unit_test(test_sms_collection),
	};

	return cmocka_run_group_tests_name("textfeat", tests, NULL, NULL);
}
