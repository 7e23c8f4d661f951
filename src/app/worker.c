/* worker.c - a training run in a background thread with its own
 * connection to the project. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "relabel/mem.h"
#include "relabel/store.h"
#include "relabel/worker.h"

/* How much lower than the screen the training thread runs (nice). */
#define WORKER_NICE 10

struct worker {
	pthread_t thread;
	char *path;
	struct pipeline_opts opts;
	struct timespec t0;

	/* Shared with the caller: every field below under mu. */
	pthread_mutex_t mu;
	struct worker_status status;
	int want_cancel;

	/* The training's own flag: written and read by the thread only. */
	volatile int cancel;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	       (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

int worker_blas_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 2 ? (int)n - 1 : 1;
}

/* Called by the training after every epoch, in the thread. */
static void worker_progress(const struct train_progress *p, void *user)
{
	struct worker *w = user;

	pthread_mutex_lock(&w->mu);
	w->status.progress = *p;
	w->status.stage = p->frac >= 1.0 ? WORKER_SAVING : WORKER_TRAINING;
	if (w->want_cancel)
		w->cancel = 1;
	pthread_mutex_unlock(&w->mu);
}

/* Lowers this thread's priority only (Linux gives threads their own
 * nice value); where it cannot, the run goes on as it is. */
static void worker_lower_priority(void)
{
#ifdef SYS_gettid
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid),
			  WORKER_NICE);
#endif
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct pipeline_result r;
	struct store *st = NULL;
	struct err e = { "" };
	int rc;

	worker_lower_priority();
	rc = store_open(w->path, 0, &st, &e);
	if (rc == 0)
		rc = pipeline_train(st, &w->opts, worker_progress, w, &w->cancel,
				    &r, &e);
	store_close(st);

	pthread_mutex_lock(&w->mu);
	if (rc == 0) {
		w->status.state = WORKER_DONE;
		w->status.result = r;
	} else if (w->cancel) {
		w->status.state = WORKER_CANCELLED;
	} else {
		w->status.state = WORKER_FAILED;
		w->status.err = e;
	}
	w->status.elapsed = seconds_since(&w->t0);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int worker_start(const char *path, const struct pipeline_opts *o,
		 struct worker **out, struct err *e)
{
	struct worker *w = xcalloc(1, sizeof *w);
	int rc;

	*out = NULL;
	w->path = xstrdup(path);
	w->opts = *o;
	if (w->opts.train.threads <= 0)
		w->opts.train.threads = worker_blas_threads();
	w->status.state = WORKER_RUNNING;
	w->status.stage = WORKER_PREPARING;
	w->status.threads = w->opts.train.threads;
	clock_gettime(CLOCK_MONOTONIC, &w->t0);
	pthread_mutex_init(&w->mu, NULL);
	rc = pthread_create(&w->thread, NULL, worker_main, w);
	if (rc != 0) {
		pthread_mutex_destroy(&w->mu);
		free(w->path);
		free(w);
		return err_set(e, "cannot start the training thread: %s",
			       strerror(rc));
	}
	*out = w;
	return 0;
}

void worker_poll(struct worker *w, struct worker_status *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->status;
	if (out->state == WORKER_RUNNING)
		out->elapsed = seconds_since(&w->t0);
	pthread_mutex_unlock(&w->mu);
}

void worker_cancel(struct worker *w)
{
	pthread_mutex_lock(&w->mu);
	w->want_cancel = 1;
	w->status.cancelling = 1;
	pthread_mutex_unlock(&w->mu);
}

void worker_free(struct worker *w)
{
	if (!w)
		return;
	worker_cancel(w);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	free(w->path);
	free(w);
}
