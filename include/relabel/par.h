/* par.h - running a few jobs side by side on threads of their own. */
#ifndef RELABEL_PAR_H
#define RELABEL_PAR_H

#include <stddef.h>

/* Calls fn on each of the n jobs at jobs, size bytes apart: job 0 on the
 * calling thread, the others on new threads, and returns when all are
 * done.  A thread that cannot start leaves its job to the caller, so the
 * jobs always run; only the speed depends on threads. */
void par_run(void *(*fn)(void *), void *jobs, size_t size, int n);

/* The online CPUs, from 1 to most. */
int par_cpus(int most);

#endif
