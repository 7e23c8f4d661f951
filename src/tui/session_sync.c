/* session_sync.c - other review sessions on the same project: their
 * decisions, disputes, leases, and runs they stored. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relabel/mem.h"
#include "relabel/session.h"
#include "session_int.h"

double session_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Marks item i disputed or not, as the log says now. */
static int sync_dispute(struct session *s, uint32_t i, struct err *e)
{
	struct dispute *d;
	size_t n;

	if (store_disputes(s->st, s->a.items.id[i], &d, &n, e))
		return -1;
	if (n)
		s->flags[i] |= SESSION_DISPUTED;
	else
		s->flags[i] &= (unsigned char)~SESSION_DISPUTED;
	disputes_free(d, n);
	return 0;
}

int session_sync_log(struct session *s, struct err *e)
{
	struct item_state *ch;
	size_t n;
	int64_t newest;
	int rc = 0;

	if (store_changes_since(s->st, s->synced, &ch, &n, &newest, e))
		return -1;
	for (size_t k = 0; k < n && rc == 0; k++) {
		long i = item_table_find(&s->a.items, ch[k].item);

		if (i < 0)
			continue;
		if (s->a.items.label[i] != ch[k].label ||
		    s->a.items.reviewed[i] != (ch[k].reviewed != 0))
			session_apply(s, (uint32_t)i, ch[k].label,
				      ch[k].reviewed);
		rc = sync_dispute(s, (uint32_t)i, e);
	}
	item_states_free(ch, n);
	if (rc == 0)
		s->synced = newest;
	return rc;
}

int session_sync(struct session *s, int *newer_run, struct err *e)
{
	int64_t run;
	int rc;

	*newer_run = 0;
	free(s->others);
	s->others = NULL;
	s->nothers = 0;
	if (session_sync_log(s, e) ||
	    store_leases_others(s->st, s->reviewer, session_now(), &s->others,
				&s->nothers, e))
		return -1;

	/* A run stored since s->a was read (by this session's retrain or
	 * another's) is picked up by a reload. */
	rc = store_run_latest(s->st, &run, e);
	if (rc < 0)
		return -1;
	*newer_run = rc == 0 && run != s->a.run;
	return 0;
}

static long find_id(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == id ? (long)lo : -1;
}

int session_leased(const struct session *s, uint32_t item)
{
	return s->nothers && find_id(s->others, s->nothers,
				     s->a.items.id[item]) >= 0;
}

/* Adds id to the sorted list of items leased by others. */
static void others_add(struct session *s, int64_t id)
{
	size_t k = 0;

	while (k < s->nothers && s->others[k] < id)
		k++;
	if (k < s->nothers && s->others[k] == id)
		return;
	s->others = xreallocarray(s->others, s->nothers + 1,
				  sizeof *s->others);
	memmove(s->others + k + 1, s->others + k,
		(s->nothers - k) * sizeof *s->others);
	s->others[k] = id;
	s->nothers++;
}

int session_hold(struct session *s, uint32_t item, double now,
		 struct err *e)
{
	int64_t id = s->a.items.id[item];
	int rc;

	if (s->lease == id)
		return session_renew(s, now, e);
	session_release(s);
	rc = store_lease_take(s->st, id, s->reviewer, now, STORE_LEASE_SECONDS,
			      NULL, e);
	if (rc == 0) {
		s->lease = id;
		s->lease_at = now;
	} else if (rc > 0) {
		others_add(s, id);
	}
	return rc;
}

int session_renew(struct session *s, double now, struct err *e)
{
	int rc;

	if (!s->lease || now - s->lease_at < STORE_LEASE_SECONDS / 4.0)
		return 0;
	rc = store_lease_take(s->st, s->lease, s->reviewer, now,
			      STORE_LEASE_SECONDS, NULL, e);
	if (rc == 0)
		s->lease_at = now;
	else if (rc > 0)
		s->lease = 0;
	return rc;
}

void session_release(struct session *s)
{
	struct err e;

	/* A lease left behind only expires: nothing to report. */
	if (s->lease)
		store_lease_release(s->st, s->lease, s->reviewer, &e);
	s->lease = 0;
}

int session_dispute(struct session *s, uint32_t item, struct dispute **d,
		    size_t *n, struct err *e)
{
	*d = NULL;
	*n = 0;
	if (!(s->flags[item] & SESSION_DISPUTED))
		return 0;
	return store_disputes(s->st, s->a.items.id[item], d, n, e);
}
