/* session_int.h - what the files of the session share; not for the
 * screens. */
#ifndef RELABEL_SESSION_INT_H
#define RELABEL_SESSION_INT_H

#include "relabel/session.h"

/* The random queue's seed: the same audit sample every time it opens. */
#define SESSION_SEED 0x5eed5eedULL
/* Page cache of the screen's connection and of a loader's, in KiB: they
 * read rows in bulk once, and a reviewer's moves touch few pages. */
#define SESSION_CACHE_KIB 8192
#define SESSION_LOADER_CACHE_KIB 2048

/* Rebuilds s->view from the queue or sub-queue and the filter. */
void session_build_view(struct session *s);
/* Sets item i's label and reviewed state in memory, keeping the counts. */
void session_apply(struct session *s, uint32_t i, int label, int reviewed);
/* Empties the cache of external ids. */
void session_ids_clear(struct session *s);

/* session_load.c: the first screen's rows (and the checks that refuse a
 * project without items or classes), stopping a load, and freeing s->a
 * whichever way it was read. */
int session_first(struct session *s, struct err *e);
void session_load_stop(struct session *s);
void session_analysis_free(struct session *s);

/* session_sync.c: applies the log entries newer than s->synced. */
int session_sync_log(struct session *s, struct err *e);

#endif
