/* imgcache.c - a few decoded images and the thread that decodes ahead. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "relabel/imgcache.h"
#include "relabel/mem.h"

enum slot_state { SLOT_EMPTY, SLOT_QUEUED, SLOT_BUSY, SLOT_READY, SLOT_FAILED };

struct slot {
	enum slot_state state;
	uint64_t key;
	char *path;
	struct image img;
	char *error;
	unsigned long stamp;	/* larger = used or queued later */
};

struct imgcache {
	pthread_mutex_t mu;
	pthread_cond_t wake;	/* work queued, or stop */
	pthread_cond_t done;	/* a slot finished decoding */
	pthread_t thread;
	int running, stop;
	unsigned long clock;
	unsigned long prefetched;
	int pinned;		/* slot handed out by imgcache_get, or -1 */
	struct slot slot[IMGCACHE_SLOTS];
};

/* Decodes path, scaled down to IMGCACHE_MAX_SIDE; no lock held. */
static int decode(const char *path, struct image *img, char **error)
{
	struct image big;
	struct err e;

	if (image_load(path, &big, &e)) {
		*error = xstrdup(e.msg);
		return -1;
	}
	if (big.w <= IMGCACHE_MAX_SIDE && big.h <= IMGCACHE_MAX_SIDE) {
		*img = big;
		return 0;
	}

	/* Keep the aspect; the screen never needs more pixels than this. */
	double s = (double)IMGCACHE_MAX_SIDE / (big.w > big.h ? big.w : big.h);
	int w = (int)(big.w * s), h = (int)(big.h * s);

	if (image_resize(&big, w > 0 ? w : 1, h > 0 ? h : 1, img)) {
		image_free(&big);
		*error = xasprintf("%s: cannot scale the image down", path);
		return -1;
	}
	img->bits = big.bits;
	image_free(&big);
	return 0;
}

/* Runs the decode of slot k with the lock released. */
static void slot_decode(struct imgcache *c, int k)
{
	struct slot *s = &c->slot[k];
	char *path = xstrdup(s->path), *error = NULL;
	struct image img = { 0 };
	int rc;

	s->state = SLOT_BUSY;
	pthread_mutex_unlock(&c->mu);
	rc = decode(path, &img, &error);
	free(path);
	pthread_mutex_lock(&c->mu);
	s->img = img;
	s->error = error;
	s->state = rc ? SLOT_FAILED : SLOT_READY;
	pthread_cond_broadcast(&c->done);
}

static void *worker(void *arg)
{
	struct imgcache *c = arg;

	pthread_mutex_lock(&c->mu);
	while (!c->stop) {
		int k = -1;

		/* The oldest request first: the next item before the one after. */
		for (int i = 0; i < IMGCACHE_SLOTS; i++)
			if (c->slot[i].state == SLOT_QUEUED &&
			    (k < 0 || c->slot[i].stamp < c->slot[k].stamp))
				k = i;
		if (k < 0) {
			pthread_cond_wait(&c->wake, &c->mu);
			continue;
		}
		slot_decode(c, k);
		c->prefetched++;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

struct imgcache *imgcache_new(void)
{
	struct imgcache *c = xcalloc(1, sizeof *c);

	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_cond_init(&c->done, NULL);
	c->pinned = -1;
	c->running = pthread_create(&c->thread, NULL, worker, c) == 0;
	return c;
}

static void slot_clear(struct slot *s)
{
	free(s->path);
	free(s->error);
	image_free(&s->img);
	memset(s, 0, sizeof *s);
}

void imgcache_free(struct imgcache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->mu);
	c->stop = 1;
	pthread_cond_broadcast(&c->wake);
	pthread_mutex_unlock(&c->mu);
	if (c->running)
		pthread_join(c->thread, NULL);
	for (int i = 0; i < IMGCACHE_SLOTS; i++)
		slot_clear(&c->slot[i]);
	pthread_cond_destroy(&c->wake);
	pthread_cond_destroy(&c->done);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static int slot_find(const struct imgcache *c, uint64_t key)
{
	for (int i = 0; i < IMGCACHE_SLOTS; i++)
		if (c->slot[i].state != SLOT_EMPTY && c->slot[i].key == key)
			return i;
	return -1;
}

/* A slot to reuse: empty, else the least recently used one that is
 * neither pinned nor being decoded.  Called with the lock held. */
static int slot_evict(struct imgcache *c)
{
	int k = -1;

	for (int i = 0; i < IMGCACHE_SLOTS; i++) {
		const struct slot *s = &c->slot[i];

		if (s->state == SLOT_EMPTY)
			return i;
		if (s->state == SLOT_BUSY || i == c->pinned)
			continue;
		if (k < 0 || s->stamp < c->slot[k].stamp)
			k = i;
	}
	if (k >= 0)
		slot_clear(&c->slot[k]);
	return k;
}

void imgcache_prefetch(struct imgcache *c, uint64_t key, const char *path)
{
	int k;

	if (!c->running || !path)
		return;
	pthread_mutex_lock(&c->mu);
	if (slot_find(c, key) < 0 && (k = slot_evict(c)) >= 0) {
		c->slot[k].state = SLOT_QUEUED;
		c->slot[k].key = key;
		c->slot[k].path = xstrdup(path);
		c->slot[k].stamp = ++c->clock;
		pthread_cond_signal(&c->wake);
	}
	pthread_mutex_unlock(&c->mu);
}

int imgcache_get(struct imgcache *c, uint64_t key, const char *path,
		 const struct image **img, struct err *e)
{
	int k, rc = 0;

	pthread_mutex_lock(&c->mu);
	c->pinned = -1;
	k = slot_find(c, key);
	if (k < 0) {
		/* Six slots, one busy at most: one can always be reused. */
		k = slot_evict(c);
		if (k < 0)
			fatal("image cache: no free slot");
		c->slot[k].key = key;
		c->slot[k].path = xstrdup(path ? path : "");
		c->slot[k].state = SLOT_QUEUED;
	}
	if (c->slot[k].state == SLOT_QUEUED)
		slot_decode(c, k);
	while (c->slot[k].state == SLOT_BUSY)
		pthread_cond_wait(&c->done, &c->mu);
	c->slot[k].stamp = ++c->clock;
	c->pinned = k;
	if (c->slot[k].state == SLOT_FAILED)
		rc = err_set(e, "%s", c->slot[k].error);
	else
		*img = &c->slot[k].img;
	pthread_mutex_unlock(&c->mu);
	return rc;
}

unsigned long imgcache_prefetched(struct imgcache *c)
{
	unsigned long n;

	pthread_mutex_lock(&c->mu);
	n = c->prefetched;
	pthread_mutex_unlock(&c->mu);
	return n;
}
