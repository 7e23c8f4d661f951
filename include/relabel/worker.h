/* worker.h - a training run in a thread of its own, for the review
 * screen: the reviewer keeps working while the model retrains.
 *
 * worker_start copies the options, starts a thread and returns at once.
 * The thread opens its own connection to the project (SQLite connections
 * are never shared between threads), runs pipeline_train on the
 * project's current labels (given labels overridden by reviews, reviewed
 * items trusted) and closes it.  The run is stored in one transaction at
 * the end, so a cancelled or failed run stores nothing.
 *
 * The thread and its caller share one struct under a mutex: the caller
 * reads a copy of it with worker_poll and asks for a cancel with
 * worker_cancel.  The request reaches the training between epochs (the
 * thread passes it on from its progress callback, so the flag that
 * training reads is only ever written by the thread that reads it).
 *
 * OpenBLAS threads: a run uses WORKER_BLAS_THREADS_AUTO (the CPUs less
 * one, at least one) unless its options name a count, and the thread
 * runs at a lower priority, so that the screen's thread always gets a
 * CPU.  The count applies to the whole process, which has no other use
 * for BLAS while the screen runs.
 */
#ifndef RELABEL_WORKER_H
#define RELABEL_WORKER_H

#include "relabel/err.h"
#include "relabel/pipeline.h"
#include "relabel/train.h"

enum worker_state {
	WORKER_RUNNING,
	WORKER_DONE,		/* the run is stored: result is filled */
	WORKER_FAILED,		/* err says why; nothing stored */
	WORKER_CANCELLED	/* nothing stored */
};

enum worker_stage {
	WORKER_PREPARING,	/* features, noise rate */
	WORKER_TRAINING,	/* progress holds the newest epoch */
	WORKER_SAVING		/* ranking and storing the run */
};

struct worker_status {
	enum worker_state state;
	enum worker_stage stage;
	struct train_progress progress;	/* valid from WORKER_TRAINING on */
	double elapsed;			/* seconds since worker_start */
	int cancelling;			/* a cancel was asked for */
	int threads;			/* OpenBLAS threads of the run */
	struct pipeline_result result;	/* WORKER_DONE */
	struct err err;			/* WORKER_FAILED */
};

struct worker;

/* Starts a run on the project at path with options o.  Returns 0, or -1
 * with e filled when the thread cannot start. */
int worker_start(const char *path, const struct pipeline_opts *o,
		 struct worker **out, struct err *e);
/* A copy of the shared status. */
void worker_poll(struct worker *w, struct worker_status *out);
/* Asks the run to stop; it ends as WORKER_CANCELLED unless it is
 * already storing its result. */
void worker_cancel(struct worker *w);
/* Cancels a running run, waits for the thread and frees w (NULL: no-op). */
void worker_free(struct worker *w);

/* OpenBLAS threads for a run in the background: the CPUs less one, and
 * at least one. */
int worker_blas_threads(void);

#endif
