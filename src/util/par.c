/* par.c - running a few jobs side by side on threads of their own. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "relabel/mem.h"
#include "relabel/par.h"

void par_run(void *(*fn)(void *), void *jobs, size_t size, int n)
{
	char *job = jobs;
	pthread_t *tid = xmalloc((size_t)(n > 1 ? n : 1) * sizeof *tid);
	unsigned char *started = xcalloc((size_t)(n > 1 ? n : 1), 1);

	for (int t = 1; t < n; t++)
		started[t] = pthread_create(&tid[t], NULL, fn,
					    job + (size_t)t * size) == 0;
	if (n > 0)
		fn(job);
	for (int t = 1; t < n; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else
			fn(job + (size_t)t * size);
	}
	free(started);
	free(tid);
}

int par_cpus(int most)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpus < 1)
		return 1;
	return cpus > most ? most : (int)cpus;
}
