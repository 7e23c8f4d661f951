/* fuzz_jsonl.c - JSON lines records from arbitrary bytes: no crash, and
 * every record delivered keeps the contract of records.h. */
#include <stdint.h>
#include <string.h>

#include "relabel/err.h"
#include "relabel/records.h"
#include "relabel/utf8.h"

static int check(const struct record *r, void *user, struct err *e)
{
	(void)user;
	(void)e;
	if (r->line < 1)
		__builtin_trap();
	for (size_t i = 0; i < r->nfields; i++) {
		/* Values are whole UTF-8 strings and positions are real. */
		if (strlen(r->values[i]) != r->lens[i] ||
		    utf8_check(r->values[i], r->lens[i], NULL) != 0 ||
		    r->lines[i] < r->line || r->cols[i] < 1 ||
		    r->lens[i] > RECORDS_MAX_FIELD)
			__builtin_trap();
	}
	return record_find(r, "stop") == 0 ? err_set(e, "stop") : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	long n;

	n = records_read_mem("fuzz.jsonl", (const char *)data, size,
			     RECORDS_JSONL, check, NULL, &e);
	if (n < -1)
		__builtin_trap();
	return 0;
}
