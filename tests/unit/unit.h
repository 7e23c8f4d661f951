/* unit.h - what every cmocka unit test includes first. */
#ifndef RELABEL_UNIT_H
#define RELABEL_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

/* A path under the shared real data ($SHARED/data, set by tests/run.sh;
 * the tests run in tests/unit, so the default is three folders up). */
static inline const char *shared_data(const char *rel)
{
	static char buf[4096];
	const char *root = getenv("SHARED");

	snprintf(buf, sizeof buf, "%s/data/%s", root ? root : "../../../shared",
		 rel);
	return buf;
}

#endif
