/* session.h - one reviewer's session on a project, without the screen:
 * the queue as an index over the project's items, filters and
 * sub-queues, search, and the decisions with unlimited undo and redo.
 *
 * Every decision, undo and redo is one entry of the project's review log,
 * written and committed (store_review_add) before the call returns, and
 * only then applied to the in-memory labels: what the screen shows as
 * done is on disk.  Nothing is ever deleted from the log; an undo is an
 * entry whose target is the entry it undoes.
 *
 * Items are named by their index in s->a.items (0 .. n-1), queue rows by
 * their position in s->view.  Functions return 0, or -1 with e filled.
 *
 * Loading.  session_open reads little: when the newest run stored its
 * ranking (and the queue is by suspicion) s->a holds just the top
 * SESSION_FIRST_ROWS unreviewed items of it, enough for a first screen,
 * and s->loading is 1; without one s->a is empty.  The whole project is
 * read and ranked meanwhile by a thread with its own connection
 * (session_load_start, also used to pick up a newer run), and
 * session_load_poll puts it in place: item indices change then (and
 * s->generation with them), the item on screen becomes the first row,
 * and the rest of the queue follows in the new order.
 *
 * Several sessions.  Other reviewers may work on the same project.
 * session_sync, called on every move, reads what they decided since the
 * last call (and marks disputed items), which items they hold leases on,
 * and whether a newer run was stored.  session_hold leases the item on
 * screen (STORE_LEASE_SECONDS, renewed by session_renew while it stays
 * there); the screen skips items leased by others.
 */
#ifndef RELABEL_SESSION_H
#define RELABEL_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "relabel/analysis.h"
#include "relabel/err.h"
#include "relabel/queue.h"
#include "relabel/store.h"

/* One change on the undo or redo stack. */
struct session_change {
	int64_t review;		/* log entry that made it (undo targets it) */
	int64_t decision;	/* the decision it re-applies (redo targets it) */
	uint32_t item;
	int before, after;	/* labels */
	unsigned char before_reviewed, after_reviewed;
};

struct session_stack {
	struct session_change *c;
	size_t n, cap;
};

/* Size of the cache of external ids for the rows on screen. */
#define SESSION_ID_CACHE 1024
/* Rows of the stored ranking read for the first screen. */
#define SESSION_FIRST_ROWS 1000

/* Marks of an item (s->flags). */
enum {
	SESSION_DISPUTED = 1	/* reviewers disagree on its label */
};

/* What changed between two analyses, over the items in both. */
struct session_delta {
	int64_t run_before, run_after;
	size_t flagged, cleared;	/* newly flagged; flagged no longer */
	double noise_before, noise_after;	/* NAN when not estimated */
	double acc_before, acc_after;	/* test split; NAN without one */
};

struct session_loader;

struct session {
	struct store *st;
	struct analysis a;		/* items, votes, newest run, ranking */
	char *reviewer;
	enum queue_by by;
	uint64_t seed;			/* of the random queue */

	uint32_t *order;		/* [norder] the queue, unreviewed items */
	size_t norder;

	/* The rows shown: the queue or a sub-queue, then the filter. */
	uint32_t *sub;			/* [nsub] a sub-queue, or NULL */
	size_t nsub;
	char *sub_name;			/* its name in the log */
	char *sub_title;		/* what the screen calls it */
	int filter;			/* class index, or -1 */
	uint32_t *view;			/* [nview] item indices */
	size_t nview;
	unsigned char *in_view;		/* [n] 1 for items in view */
	size_t view_reviewed;		/* items in view with reviewed = 1 */

	size_t changed;			/* items whose label is not the given */
	size_t decisions;		/* log entries written this session */
	struct session_stack undo, redo;

	char *search;			/* last search, or NULL */
	unsigned char *match;		/* [n] items matching it, or NULL */
	size_t nmatch;

	struct {
		uint32_t item;
		char *ext_id;
	} ids[SESSION_ID_CACHE];

	int images;			/* the project holds images */
	int loading;			/* s->a is not the whole project yet */
	int *first_suggested;		/* [n] while loading: stored suggestion */
	uint64_t generation;		/* bumped when s->a is replaced */
	struct session_loader *loader;	/* a load in the background, or NULL */

	unsigned char *flags;		/* [n] SESSION_* marks */
	int64_t synced;			/* newest log entry applied */
	int64_t *others;		/* [nothers] items leased by others */
	size_t nothers;
	int64_t lease;			/* row id of the item leased, or 0 */
	double lease_at;		/* when it was taken or renewed */
};

/* Opens the project read-write and starts loading it (see above); the
 * queue `by` holds the items not reviewed yet.  reviewer must be
 * non-empty.  A project without items or classes is refused here. */
int session_open(struct session *s, const char *path, const char *reviewer,
		 enum queue_by by, struct err *e);
void session_close(struct session *s);

/* Starts reading and ranking the whole project in the background, unless
 * a load is running already. */
int session_load_start(struct session *s, struct err *e);
/* Whether a load is running. */
int session_load_busy(const struct session *s);
/* Puts a finished load in place with keep (an item index of the current
 * s->a, or -1) as the first row; *d (when not NULL) says what changed
 * against the analysis it replaces.  Returns 1 when it did, 0 when no
 * load has finished, -1 when the load failed (e says why). */
int session_load_poll(struct session *s, long keep, struct session_delta *d,
		      struct err *e);

/* Reads what other sessions did since the last call (see above).
 * *newer_run is set to 1 when a run newer than s->a's was stored. */
int session_sync(struct session *s, int *newer_run, struct err *e);
/* Whether another session holds item's lease (as of the last sync). */
int session_leased(const struct session *s, uint32_t item);
/* Leases item (now: seconds since the epoch), releasing the lease held
 * before.  Returns 0, 1 when another session holds it (it is then
 * counted as leased), -1 on error. */
int session_hold(struct session *s, uint32_t item, double now,
		 struct err *e);
/* Renews the lease held when a quarter of its time has passed. */
int session_renew(struct session *s, double now, struct err *e);
/* Releases the lease held, if any. */
void session_release(struct session *s);
/* Seconds since the epoch, for leases. */
double session_now(void);
/* The disputed decisions on item (*d, free with disputes_free), when it
 * is marked disputed; *n is 0 otherwise. */
int session_dispute(struct session *s, uint32_t item, struct dispute **d,
		    size_t *n, struct err *e);

/* Rebuilds the queue in another order; leaves any sub-queue.  While
 * loading, only the order it loads in is there: the call changes the
 * order the load will use. */
void session_set_order(struct session *s, enum queue_by by);
/* The same, with item (when >= 0) moved or added to the first row. */
void session_set_order_keep(struct session *s, enum queue_by by, long item);
/* The same, starting with head[0..n) as given (decided or not), then
 * the rest in the order by, without the decided items. */
void session_set_order_after(struct session *s, enum queue_by by,
			     const uint32_t *head, size_t n);
/* Shows only items whose current label is cls (-1: all). */
void session_set_filter(struct session *s, int cls);
/* Shows exactly items[0..n) (copied), named name in the log (e.g.
 * "noise") and title on screen; session_leave_sub returns to the queue. */
void session_set_sub(struct session *s, const char *name, const char *title,
		     const uint32_t *items, size_t n);
void session_leave_sub(struct session *s);
/* Position of item in the view, or -1. */
long session_find_row(const struct session *s, uint32_t item);

/* The queue name written with a decision ("suspicion", "noise", ...). */
const char *session_queue_name(const struct session *s);
/* Item's score in the current order (NAN when it has none). */
float session_score(const struct session *s, uint32_t item);
/* Votes on item that agree with its current label, and all its votes. */
void session_agreement(const struct session *s, uint32_t item,
		       unsigned *agree, unsigned *total);
/* The item's external id (cached; "?" when it cannot be read).  The
 * string is valid until the next call. */
const char *session_ext_id(struct session *s, uint32_t item);

/* Writes a decision on item: REVIEW_RELABEL to label (a label equal to
 * the current one is written as a confirm), REVIEW_CONFIRM or
 * REVIEW_SKIP.  A relabel or confirm goes on the undo stack and clears
 * the redo stack; a skip changes nothing but the log. */
int session_decide(struct session *s, uint32_t item, enum review_action act,
		   int label, struct err *e);
/* Undoes the newest change on the undo stack (redo: the newest undone
 * one).  Returns 1 when there is none, 0 with *item set, or -1. */
int session_undo(struct session *s, uint32_t *item, struct err *e);
int session_redo(struct session *s, uint32_t *item, struct err *e);

/* Marks the items whose id or text contains text (ASCII letters in any
 * case); returns 0 with s->nmatch set, or -1. */
int session_search(struct session *s, const char *text, struct err *e);
/* The next view row after from (dir 1) or before it (dir -1) whose item
 * matches, wrapping around; -1 when none does. */
long session_next_match(const struct session *s, size_t from, int dir);

#endif
