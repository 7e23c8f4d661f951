/* test_records.c - CSV, TSV and JSON lines reading: values, positions and
 * every error message. */
#include "unit.h"

#include <string.h>
#include <unistd.h>

#include "relabel/err.h"
#include "relabel/mem.h"
#include "relabel/records.h"

/* Every record as one text line: "L<line>: name@col=value ...", with
 * name@line:col for a field starting on a later line. */
struct got {
	struct strbuf s;
	long calls;
	long fail_at;		/* the callback fails on this call (from 1) */
};

static int collect(const struct record *r, void *user, struct err *e)
{
	struct got *g = user;

	g->calls++;
	if (g->calls == g->fail_at)
		return err_set(e, "stopped by the callback");
	strbuf_addf(&g->s, "L%ld:", r->line);
	for (size_t i = 0; i < r->nfields; i++) {
		assert_int_equal(strlen(r->values[i]), r->lens[i]);
		if (r->lines[i] != r->line)
			strbuf_addf(&g->s, " %s@%ld:%ld=%s", r->names[i],
				    r->lines[i], r->cols[i], r->values[i]);
		else
			strbuf_addf(&g->s, " %s@%ld=%s", r->names[i],
				    r->cols[i], r->values[i]);
	}
	strbuf_addc(&g->s, '\n');
	return 0;
}

/* Reads text (as if from "t.csv") and returns what was collected. */
static long run(const char *text, size_t len, enum records_format fmt,
		struct got *g, struct err *e)
{
	strbuf_init(&g->s);
	strbuf_add(&g->s, "", 0);
	g->calls = 0;
	e->msg[0] = '\0';
	return records_read_mem("t.csv", text, len, fmt, collect, g, e);
}

/* Reads text and checks the records collected. */
static void expect(const char *text, enum records_format fmt, long n,
		   const char *want)
{
	struct got g = { .fail_at = 0 };
	struct err e;
	long got = run(text, strlen(text), fmt, &g, &e);

	if (got < 0)
		fail_msg("unexpected error: %s", e.msg);
	assert_int_equal(got, n);
	assert_string_equal(g.s.s, want);
	strbuf_free(&g.s);
}

/* Reads text[0..len) and checks the error message starts with want. */
static void expect_err_n(const char *text, size_t len,
			 enum records_format fmt, const char *want)
{
	struct got g = { .fail_at = 0 };
	struct err e;
	long got = run(text, len, fmt, &g, &e);

	if (got != -1 || strncmp(e.msg, want, strlen(want)) != 0)
		fail_msg("got %ld, message '%s'; wanted '%s'", got, e.msg, want);
	strbuf_free(&g.s);
}

static void expect_err(const char *text, enum records_format fmt,
		       const char *want)
{
	expect_err_n(text, strlen(text), fmt, want);
}

static void test_csv_quoting(void **state)
{
	(void)state;
	expect("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"\"\n",
	       RECORDS_CSV, 3,
	       "L2: id@1=1 text@3=a, b\n"
	       "L3: id@1=2 text@3=say \"hi\"\n"
	       "L4: id@1=3 text@3=\n");
}

static void test_csv_embedded_newlines(void **state)
{
	(void)state;
	/* Lines after a multi-line field keep their real numbers. */
	expect("id,text\n1,\"one\ntwo\nthree\"\n2,x\n3,\"a\r\nb\"\n4,y\n",
	       RECORDS_CSV, 4,
	       "L2: id@1=1 text@3=one\ntwo\nthree\n"
	       "L5: id@1=2 text@3=x\n"
	       "L6: id@1=3 text@3=a\r\nb\n"
	       "L8: id@1=4 text@3=y\n");
	expect("a,b\n\"x\ny\",\"\nz\"\n", RECORDS_CSV, 1,
	       "L2: a@1=x\ny b@3:4=\nz\n");
}

static void test_csv_bom_crlf(void **state)
{
	(void)state;
	/* The BOM is not part of the first name nor counted in columns. */
	expect("\xEF\xBB\xBFid,label\r\n1,cat\r\n22,dog", RECORDS_CSV, 2,
	       "L2: id@1=1 label@3=cat\n"
	       "L3: id@1=22 label@4=dog\n");
	expect("a\r1\r2\r", RECORDS_CSV, 2, "L2: a@1=1\nL3: a@1=2\n");
}

static void test_csv_spaces_and_empty(void **state)
{
	(void)state;
	expect("a,b,c\n ,x ,\n,,\n", RECORDS_CSV, 2,
	       "L2: a@1=  b@3=x  c@6=\n"
	       "L3: a@1= b@2= c@3=\n");
	/* Empty lines are skipped, at the end and in the middle. */
	expect("a\n1\n\n2\r\n\r\n\n\n", RECORDS_CSV, 2,
	       "L2: a@1=1\nL4: a@1=2\n");
	expect("a,b\n", RECORDS_CSV, 0, "");
	expect("a,b", RECORDS_CSV, 0, "");
	/* Multi-byte text: columns count bytes. */
	expect("a,b\n\xC3\xA9t\xC3\xA9,x\n", RECORDS_CSV, 1,
	       "L2: a@1=\xC3\xA9t\xC3\xA9 b@7=x\n");
}

static void test_csv_tsv(void **state)
{
	(void)state;
	expect("a\tb\n1\tx, y\n\"q\tr\"\t2\n", RECORDS_TSV, 2,
	       "L2: a@1=1 b@3=x, y\n"
	       "L3: a@1=q\tr b@7=2\n");
}

static void test_csv_errors(void **state)
{
	(void)state;
	expect_err("a,b\n1,\"abc\n2,3\n", RECORDS_CSV,
		   "t.csv:2:3: unterminated quoted field");
	expect_err("a,b\n1,2\n3\n", RECORDS_CSV,
		   "t.csv:3: expected 2 fields (as in the header), found 1");
	expect_err("a,b\n1,2\n3,4,5\n", RECORDS_CSV,
		   "t.csv:3: expected 2 fields (as in the header), found 3");
	expect_err("a,b\n\"x\ny\",2\n3,4,\n", RECORDS_CSV,
		   "t.csv:4: expected 2 fields (as in the header), found 3");
	expect_err("a,b\n1,x\xFFy\n", RECORDS_CSV,
		   "t.csv:2:4: invalid UTF-8 (byte 0xFF)");
	expect_err("a\n\xC3\xA9\xC3\n", RECORDS_CSV,
		   "t.csv:2:3: invalid UTF-8 (byte 0xC3)");
	expect_err("a,b\n\"x\ny\",2\n3,\"\xC0\xAF\"\n", RECORDS_CSV,
		   "t.csv:4:4: invalid UTF-8 (byte 0xC0)");
	expect_err_n("a,b\n1,\0\n", 8, RECORDS_CSV, "t.csv:2:3: NUL byte");
	expect_err_n("a,b\n1,\"x\0\"\n", 11, RECORDS_CSV,
		     "t.csv:2:5: NUL byte");
	expect_err("a,,c\n", RECORDS_CSV, "t.csv:1:3: empty column name");
	expect_err("a,b,\n", RECORDS_CSV, "t.csv:1:5: empty column name");
	expect_err("a,b,a\n1,2,3\n", RECORDS_CSV,
		   "t.csv:1:5: duplicate column name 'a'");
	expect_err("\xEF\xBB\xBFx,\"x\"\n", RECORDS_CSV,
		   "t.csv:1:3: duplicate column name 'x'");
	expect_err("", RECORDS_CSV, "t.csv: empty file (expected a header row)");
	expect_err("\xEF\xBB\xBF\r\n\n", RECORDS_CSV,
		   "t.csv: empty file (expected a header row)");
	expect_err("a\nx\"y\n", RECORDS_CSV,
		   "t.csv:2:2: quote inside an unquoted field");
	expect_err("a\n\"x\"y\n", RECORDS_CSV,
		   "t.csv:2:4: text after a closing quote");
	expect_err("a\tb\n1\t\"2\" \n", RECORDS_TSV,
		   "t.csv:2:6: text after a closing quote");
}

static void test_csv_limits(void **state)
{
	size_t big = RECORDS_MAX_FIELD + 1;
	char *s = xmalloc(big + 16);
	struct strbuf h;

	(void)state;
	/* One byte over the field limit, unquoted and quoted. */
	memcpy(s, "a\n", 2);
	memset(s + 2, 'x', big);
	memcpy(s + 2 + big, "\n", 2);
	expect_err(s, RECORDS_CSV, "t.csv:2:1: field longer than 1 MiB");
	memcpy(s, "a\n\"", 3);
	memset(s + 3, 'x', big);
	memcpy(s + 3 + big, "\"\n", 3);
	expect_err(s, RECORDS_CSV, "t.csv:2:1: field longer than 1 MiB");
	/* Exactly at the limit is fine. */
	memcpy(s, "a\n", 2);
	memset(s + 2, 'y', big - 1);
	memcpy(s + 1 + big, "\n", 2);
	{
		struct got g = { .fail_at = 0 };
		struct err e;

		assert_int_equal(run(s, strlen(s), RECORDS_CSV, &g, &e), 1);
		strbuf_free(&g.s);
	}
	free(s);

	/* One column more than the limit: reported where it starts. */
	strbuf_init(&h);
	for (int i = 0; i <= RECORDS_MAX_FIELDS; i++)
		strbuf_addf(&h, "%sc%05d", i ? "," : "", i);
	strbuf_addc(&h, '\n');
	expect_err(h.s, RECORDS_CSV, "t.csv:1:28673: more than 4096 columns");
	strbuf_free(&h);
}

static void test_callback_error(void **state)
{
	struct got g = { .fail_at = 2 };
	struct err e;
	const char *csv = "a\n1\n2\n3\n";
	const char *js = "{\"a\":1}\n{\"a\":2}\n";

	(void)state;
	assert_int_equal(run(csv, strlen(csv), RECORDS_CSV, &g, &e), -1);
	assert_string_equal(e.msg, "stopped by the callback");
	assert_int_equal(g.calls, 2);
	strbuf_free(&g.s);
	assert_int_equal(run(js, strlen(js), RECORDS_JSONL, &g, &e), -1);
	assert_string_equal(e.msg, "stopped by the callback");
	strbuf_free(&g.s);
}

static void test_jsonl_types(void **state)
{
	(void)state;
	expect("{\"id\": 7, \"s\": \"h\\u00e9 \\\"q\\\"\", \"t\": true, "
	       "\"f\": false, \"n\": null, \"big\": 12345678901234567890, "
	       "\"x\": -1.50e3, \"arr\": [1, 2.0, {\"a\": \"b c\"}], "
	       "\"o\": { }}\n",
	       RECORDS_JSONL, 1,
	       "L1: id@8=7 s@16=h\xC3\xA9 \"q\" t@38=true f@49=false "
	       "big@74=12345678901234567890 x@101=-1.50e3 "
	       "arr@117=[1,2.0,{\"a\":\"b c\"}] o@146={}\n");
	/* Blank lines are skipped, CRLF is fine, a BOM is skipped. */
	expect("\xEF\xBB\xBF{\"a\":\"x\"}\r\n\n  \r\n{\"a\":\"y\",\"b\":[]}\n\n",
	       RECORDS_JSONL, 2,
	       "L1: a@6=x\nL4: a@6=y b@14=[]\n");
	expect("", RECORDS_JSONL, 0, "");
	expect("{}", RECORDS_JSONL, 1, "L1:\n");
}

static void test_jsonl_errors(void **state)
{
	(void)state;
	expect_err("{\"a\": 1}\n{\"a\" 1}\n", RECORDS_JSONL,
		   "t.csv:2:6: JSON syntax error");
	expect_err("{\"a\": 1} x\n", RECORDS_JSONL,
		   "t.csv:1:10: JSON syntax error");
	expect_err("{\"a\": [1, 2}\n", RECORDS_JSONL,
		   "t.csv:1:12: JSON syntax error");
	expect_err("\n[1, 2]\n", RECORDS_JSONL,
		   "t.csv:2: expected a JSON object");
	expect_err("\"text\"\n", RECORDS_JSONL,
		   "t.csv:1: expected a JSON object");
	expect_err("{\"a\": \"x\xFF\"}\n", RECORDS_JSONL,
		   "t.csv:1:9: invalid UTF-8 (byte 0xFF)");
	expect_err_n("{\"a\": 1}\n{\"a\": \"\0\"}\n", 20, RECORDS_JSONL,
		     "t.csv:2:8: NUL byte");
	expect_err("{\"a\": \"x\\u0000y\"}\n", RECORDS_JSONL,
		   "t.csv:1:9: NUL byte");
	expect_err("{\"a\": 1, \"b\": 2, \"a\": null}\n", RECORDS_JSONL,
		   "t.csv:1:18: duplicate key 'a'");

	/* Too deep for cJSON is said as such, not as a syntax error. */
	struct strbuf deep;

	strbuf_init(&deep);
	strbuf_adds(&deep, "{\"a\": ");
	for (int i = 0; i < 1200; i++)
		strbuf_addc(&deep, '[');
	for (int i = 0; i < 1200; i++)
		strbuf_addc(&deep, ']');
	strbuf_adds(&deep, "}\n");
	expect_err(deep.s, RECORDS_JSONL,
		   "t.csv:1: JSON nested more than 1000 levels deep");
	strbuf_free(&deep);
}

/* A file bigger than one read, with multi-byte text, CRLF and quoted
 * newlines falling across the reads: same records as from memory. */
static void test_file_chunks(void **state)
{
	char path[] = "/tmp/relabel-records-XXXXXX";
	struct got a = { .fail_at = 0 }, b = { .fail_at = 0 };
	struct strbuf s;
	struct err e;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	strbuf_init(&s);
	strbuf_adds(&s, "id,text\r\n");
	for (int i = 0; i < 80000; i++)
		strbuf_addf(&s, "%d,\"caf\xC3\xA9 \xE2\x82\xAC\xF0\x9F\x98\x80 "
			    "%d\r\nnext, \"\"q\"\"\"\r\n",
			    i, i * 7);
	assert_int_equal(fwrite(s.s, 1, s.len, f), s.len);
	fclose(f);
	assert_true(s.len > 3 * (1 << 20));

	assert_int_equal(run(s.s, s.len, RECORDS_CSV, &a, &e), 80000);
	strbuf_init(&b.s);
	strbuf_add(&b.s, "", 0);
	if (records_read(path, RECORDS_CSV, collect, &b, &e) != 80000)
		fail_msg("%s", e.msg);
	assert_int_equal(a.s.len, b.s.len);
	assert_true(memcmp(a.s.s, b.s.s, a.s.len) == 0);
	strbuf_free(&b.s);

	/* And both are right, record by record, across every seam. */
	strbuf_reset(&s);
	for (int i = 0; i < 80000; i++)
		strbuf_addf(&s, "L%d: id@1=%d text@%d=caf\xC3\xA9 \xE2\x82\xAC"
			    "\xF0\x9F\x98\x80 %d\r\nnext, \"q\"\n", 2 + 2 * i, i,
			    snprintf(NULL, 0, "%d", i) + 2, i * 7);
	assert_int_equal(a.s.len, s.len);
	assert_string_equal(a.s.s, s.s);
	unlink(path);
	strbuf_free(&a.s);
	strbuf_free(&s);
}

/* Counts records and checks a field is there. */
struct count {
	long n;
	const char *need;
	int missing;
};

static int count_fn(const struct record *r, void *user, struct err *e)
{
	struct count *c = user;

	(void)e;
	c->n++;
	if (record_find(r, c->need) < 0)
		c->missing++;
	return 0;
}

static void test_shared_files(void **state)
{
	struct count c = { 0, "label", 0 };
	struct err e;
	long n;

	(void)state;
	n = records_read(shared_data("crowd/ds1979_patients.csv"),
			 RECORDS_AUTO, count_fn, &c, &e);
	if (n < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(n, 315);
	assert_int_equal(c.n, 315);
	assert_int_equal(c.missing, 0);

	c = (struct count){ 0, "response", 0 };
	n = records_read(shared_data("crowd/wsd.standardized.csv"),
			 RECORDS_TSV, count_fn, &c, &e);
	if (n < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(n, 1770);
	assert_int_equal(c.missing, 0);

	/* Quoted text fields with commas. */
	c = (struct count){ 0, "gold", 0 };
	n = records_read(shared_data("crowd/temp.standardized.csv"),
			 RECORDS_CSV, count_fn, &c, &e);
	if (n < 0)
		fail_msg("%s", e.msg);
	assert_int_equal(n, 4620);
	assert_int_equal(c.missing, 0);

	assert_int_equal(records_read("/nonexistent/x.csv", RECORDS_AUTO,
				      count_fn, &c, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/x.csv"));
}

/* The header row's names and the first record, through record_find. */
struct first {
	long seen;
	char label[32];
};

static int first_fn(const struct record *r, void *user, struct err *e)
{
	struct first *f = user;
	long i = record_find(r, "label");

	(void)e;
	if (f->seen++ == 0 && i >= 0)
		snprintf(f->label, sizeof f->label, "%s", r->values[i]);
	assert_int_equal(record_find(r, "patient"), 0);
	assert_int_equal(record_find(r, "rep"), 2);
	assert_int_equal(record_find(r, "nope"), -1);
	return 0;
}

static void test_record_find_and_guess(void **state)
{
	struct first f = { 0, "" };
	struct err e;

	(void)state;
	assert_int_equal(records_read(shared_data("crowd/ds1979_patients.csv"),
				      RECORDS_CSV, first_fn, &f, &e), 315);
	assert_string_equal(f.label, "1");
	assert_int_equal(records_guess("a/b.jsonl"), RECORDS_JSONL);
	assert_int_equal(records_guess("b.NDJSON"), RECORDS_JSONL);
	assert_int_equal(records_guess("b.json"), RECORDS_JSONL);
	assert_int_equal(records_guess("b.tsv"), RECORDS_TSV);
	assert_int_equal(records_guess("b.csv"), RECORDS_CSV);
	assert_int_equal(records_guess("dir.jsonl/b"), RECORDS_CSV);
	assert_int_equal(records_guess("noext"), RECORDS_CSV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_embedded_newlines),
		cmocka_unit_test(test_csv_bom_crlf),
		cmocka_unit_test(test_csv_spaces_and_empty),
		cmocka_unit_test(test_csv_tsv),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_limits),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_jsonl_types),
		cmocka_unit_test(test_jsonl_errors),
		cmocka_unit_test(test_file_chunks),
		cmocka_unit_test(test_shared_files),
		cmocka_unit_test(test_record_find_and_guess),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
