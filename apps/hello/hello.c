/*
 * hello: the smallest Squall app that exercises the runtime end to end:
 * printf, malloc, and one thread per online CPU, each pinned to its CPU
 * with sched_setaffinity and reporting sched_getcpu(). Exits 0 when every
 * thread ran where it was pinned.
 *
 * Plain POSIX + glibc's affinity API: it builds unchanged on Linux
 * (gcc -D_GNU_SOURCE -pthread hello.c).
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct worker {
	pthread_t thread;
	int cpu;	/* where it was asked to run */
	int ran_on;	/* what sched_getcpu() said */
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_setaffinity");
		w->ran_on = -1;
		return NULL;
	}
	w->ran_on = sched_getcpu();
	printf("hello from a thread pinned to CPU %d: running on CPU %d\n",
	       w->cpu, w->ran_on);
	return NULL;
}

/* The CPUs we may use, in order: every one in the start-up affinity. */
static int cpu_list(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

int main(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct worker *w;
	int *cpus, n, bad = 0;

	printf("hello, world: %ld CPUs online\n", ncpu);
	if (ncpu < 1)
		ncpu = 1;
	w = calloc((size_t)ncpu, sizeof(*w));
	cpus = malloc((size_t)ncpu * sizeof(*cpus));
	if (!w || !cpus) {
		fprintf(stderr, "hello: out of memory\n");
		return 1;
	}
	n = cpu_list(cpus, (int)ncpu);
	for (int i = 0; i < n; i++) {
		int err;

		w[i].cpu = cpus[i];
		err = pthread_create(&w[i].thread, NULL, worker, &w[i]);
		if (err) {
			fprintf(stderr, "hello: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		bad += w[i].ran_on != w[i].cpu;
	}
	printf("hello: %d threads joined, %d on the wrong CPU\n", n, bad);
	free(cpus);
	free(w);
	return bad ? 1 : 0;
}
