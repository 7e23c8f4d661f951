/* strmap.h - a hash map from strings to 64-bit values (open addressing,
 * keys copied).  Used for ids and labels while importing a million rows.
 */
#ifndef RELABEL_STRMAP_H
#define RELABEL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap {
	size_t cap, len;	/* cap is a power of two */
	char **key;		/* [cap], NULL for an empty slot */
	uint64_t *hash;		/* [cap] */
	int64_t *val;		/* [cap] */
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* Pointer to the value of key, or NULL when absent. */
int64_t *strmap_get(const struct strmap *m, const char *key);
/* Inserts key with val unless present; returns a pointer to the value
 * stored for key, and sets *added to 1 when it was new (added may be
 * NULL). */
int64_t *strmap_put(struct strmap *m, const char *key, int64_t val,
		    int *added);
/* Calls fn on every entry, in no particular order. */
void strmap_each(const struct strmap *m,
		 void (*fn)(const char *key, int64_t val, void *user),
		 void *user);

#endif
