/*
 * Runtime test: CPU affinity. A thread pinned with sched_setaffinity finds
 * itself on that CPU through sched_getcpu, its mask reads back as set, a
 * thread can be moved by pthread_setaffinity_np from outside, and an empty
 * mask is refused. With one CPU, the placement checks are skipped.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>
#include "tap.h"

#define CHECKS	100

struct pin {
	int cpu;
	int agreed;	/* sched_getcpu() == cpu, of CHECKS reads */
	int mask_ok;	/* getaffinity reads back exactly {cpu} */
	int set_err;
};

static void *pinned(void *arg)
{
	struct pin *p = arg;
	cpu_set_t set, back;

	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		p->set_err = errno;
		return NULL;
	}
	for (int i = 0; i < CHECKS; i++) {
		p->agreed += sched_getcpu() == p->cpu;
		sched_yield();
	}
	p->mask_ok = sched_getaffinity(0, sizeof(back), &back) == 0 &&
		     CPU_EQUAL(&set, &back);
	return NULL;
}

static void test_pinning(const int *cpus, int n)
{
	struct pin p[CPU_SETSIZE];
	pthread_t t[CPU_SETSIZE];
	int agreed = 0, masks = 0, errs = 0;

	for (int i = 0; i < n; i++) {
		p[i] = (struct pin){ .cpu = cpus[i] };
		pthread_create(&t[i], NULL, pinned, &p[i]);
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		agreed += p[i].agreed == CHECKS;
		masks += p[i].mask_ok;
		errs += p[i].set_err != 0;
	}
	ok(errs == 0, "sched_setaffinity pins a thread to each of %d CPUs", n);
	ok(agreed == n, "sched_getcpu agrees with the pin, %d times each "
	   "(%d/%d threads)", CHECKS, agreed, n);
	ok(masks == n, "sched_getaffinity reads each pin back (%d/%d)", masks, n);
}

static volatile int moved, moved_to = -1;

static void *wait_moved(void *arg)
{
	(void)arg;
	while (!moved)
		sched_yield();
	sched_yield();		/* run once more: now on an allowed CPU */
	moved_to = sched_getcpu();
	return NULL;
}

static void test_move(int target)
{
	cpu_set_t set, back;
	pthread_t t;

	CPU_ZERO(&set);
	CPU_SET(target, &set);
	pthread_create(&t, NULL, wait_moved, NULL);
	ok(pthread_setaffinity_np(t, sizeof(set), &set) == 0 &&
	   pthread_getaffinity_np(t, sizeof(back), &back) == 0 &&
	   CPU_EQUAL(&set, &back),
	   "pthread_setaffinity_np on another thread, read back");
	moved = 1;
	pthread_join(t, NULL);
	ok(moved_to == target, "the moved thread runs on CPU %d (on %d)", target,
	   moved_to);
}

int main(void)
{
	cpu_set_t all, empty;
	int cpus[CPU_SETSIZE], n = 0;
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	int got = sched_getaffinity(0, sizeof(all), &all);

	ok(got == 0 && CPU_COUNT(&all) >= 1, "sched_getaffinity: %d CPUs allowed",
	   CPU_COUNT(&all));
	ok(online >= CPU_COUNT(&all), "sysconf(_SC_NPROCESSORS_ONLN) = %ld", online);
	got = sched_getcpu();
	ok(got >= 0 && CPU_ISSET(got, &all), "sched_getcpu() = %d, an allowed CPU",
	   got);
	ok(sched_yield() == 0, "sched_yield");
	CPU_ZERO(&empty);
	ok(sched_setaffinity(0, sizeof(empty), &empty) == -1 && errno == EINVAL,
	   "an empty mask is EINVAL");

	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &all))
			cpus[n++] = c;
	if (n < 2) {
		skip("pinning and moving need 2 CPUs; this machine gives us %d", n);
		return tap_done();
	}
	test_pinning(cpus, n);
	test_move(cpus[n - 1]);
	return tap_done();
}
