/* strmap.c - string-keyed open-addressing hash map (linear probing). */
#include <stdlib.h>
#include <string.h>

#include "relabel/mem.h"
#include "relabel/strmap.h"

static uint64_t strmap_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	/* FNV-1a, then a final mix so the low bits index well. */
	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof *m);
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->hash);
	free(m->val);
	strmap_init(m);
}

static size_t strmap_slot(const struct strmap *m, const char *key, uint64_t h)
{
	size_t i = (size_t)h & (m->cap - 1);

	while (m->key[i] && (m->hash[i] != h || strcmp(m->key[i], key)))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void strmap_grow(struct strmap *m)
{
	struct strmap old = *m;

	m->cap = old.cap ? old.cap * 2 : 64;
	m->key = xcalloc(m->cap, sizeof *m->key);
	m->hash = xcalloc(m->cap, sizeof *m->hash);
	m->val = xcalloc(m->cap, sizeof *m->val);
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.key[i])
			continue;
		size_t j = strmap_slot(m, old.key[i], old.hash[i]);

		m->key[j] = old.key[i];
		m->hash[j] = old.hash[i];
		m->val[j] = old.val[i];
	}
	free(old.key);
	free(old.hash);
	free(old.val);
}

int64_t *strmap_get(const struct strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t i = strmap_slot(m, key, strmap_hash(key));

	return m->key[i] ? &m->val[i] : NULL;
}

int64_t *strmap_put(struct strmap *m, const char *key, int64_t val,
		    int *added)
{
	/* Keep the table at most half full so probes stay short. */
	if ((m->len + 1) * 2 > m->cap)
		strmap_grow(m);
	uint64_t h = strmap_hash(key);
	size_t i = strmap_slot(m, key, h);

	if (added)
		*added = !m->key[i];
	if (!m->key[i]) {
		m->key[i] = xstrdup(key);
		m->hash[i] = h;
		m->val[i] = val;
		m->len++;
	}
	return &m->val[i];
}

void strmap_each(const struct strmap *m,
		 void (*fn)(const char *key, int64_t val, void *user),
		 void *user)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->key[i])
			fn(m->key[i], m->val[i], user);
}
