/* imgcache.h - decoded images for the review screen, decoded ahead of
 * time by one background thread so that moving to the next item never
 * waits for a decoder.
 *
 * A few slots hold decoded images (at most IMGCACHE_MAX_SIDE on a side:
 * larger ones are scaled down once, after decoding), each under the key
 * of its item (the item's row id, which stays the same when the screen
 * reloads its queue).  The screen asks for the next items with
 * imgcache_prefetch and for the one it shows with imgcache_get.  One
 * thread (the screen's) calls these functions; the worker only decodes.
 */
#ifndef RELABEL_IMGCACHE_H
#define RELABEL_IMGCACHE_H

#include <stdint.h>

#include "relabel/err.h"
#include "relabel/image.h"

#define IMGCACHE_SLOTS 6
#define IMGCACHE_MAX_SIDE 2048

struct imgcache;

/* Starts the decoding thread.  Never fails (out of memory is fatal; a
 * thread that cannot start leaves decoding to imgcache_get). */
struct imgcache *imgcache_new(void);
/* Stops the thread and frees every image. */
void imgcache_free(struct imgcache *c);

/* Queues the file at path for decoding as the image under key, unless it
 * is cached or queued already; returns at once. */
void imgcache_prefetch(struct imgcache *c, uint64_t key, const char *path);

/* The image under key, decoded now if nobody has yet (waiting for the
 * worker if it is busy with it).  *img stays valid until the next imgcache_get;
 * prefetching never evicts it.  Returns 0, or -1 with e saying why the
 * file cannot be shown. */
int imgcache_get(struct imgcache *c, uint64_t key, const char *path,
		 const struct image **img, struct err *e);

/* Images decoded by the worker so far (for tests and the bench trace). */
unsigned long imgcache_prefetched(struct imgcache *c);

#endif
