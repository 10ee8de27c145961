/*
 * Runtime test: errno is per thread. Threads set errno to different values
 * and make different system calls fail at the same time, and each must
 * see only its own; main's errno is untouched. Also checks that a Linux
 * error number reaches errno under newlib's name for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

#define NTHREADS	8

static pthread_mutex_t bl = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bc = PTHREAD_COND_INITIALIZER;
static int bcount, bgen;

/* Every thread waits here until all NTHREADS have arrived. */
static void barrier(void)
{
	int gen;

	pthread_mutex_lock(&bl);
	gen = bgen;
	if (++bcount == NTHREADS) {
		bcount = 0;
		bgen++;
		pthread_cond_broadcast(&bc);
	} else {
		while (gen == bgen)
			pthread_cond_wait(&bc, &bl);
	}
	pthread_mutex_unlock(&bl);
}

struct result {
	int set_kept;	/* errno = 1000 + id survived the others */
	int fail_kept;	/* the errno of our own failed call survived */
	int want, got;
};

static struct result res[NTHREADS];

/* Even threads fail close(-1) (EBADF), odd ones nanosleep (EINVAL). */
static int fail_own_way(long id)
{
	struct timespec bad = { 0, -1 };

	if (id % 2 == 0)
		return close(-1) == -1 ? EBADF : -1;
	return nanosleep(&bad, NULL) == -1 ? EINVAL : -1;
}

static void *worker(void *arg)
{
	long id = (long)arg;
	struct result *r = &res[id];

	errno = 1000 + (int)id;
	barrier();		/* everyone has set theirs */
	sched_yield();
	r->set_kept = errno == 1000 + id;
	barrier();
	r->want = fail_own_way(id);
	barrier();		/* everyone has failed theirs */
	r->got = errno;
	r->fail_kept = r->got == r->want;
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	int set = 0, fail = 0, n = 0;

	errno = 77;
	for (long i = 0; i < NTHREADS; i++)
		n += pthread_create(&t[i], NULL, worker, (void *)i) == 0;
	if (n != NTHREADS) {
		ok(0, "start %d threads (got %d)", NTHREADS, n);
		return tap_done();	/* the barrier would wait forever */
	}
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		set += res[i].set_kept;
		fail += res[i].fail_kept;
	}
	ok(errno == 77, "main's errno untouched by %d threads", NTHREADS);
	ok(set == NTHREADS, "errno set in each thread kept its own value (%d/%d)",
	   set, NTHREADS);
	ok(fail == NTHREADS, "concurrent failing calls left each thread its own "
	   "errno, EBADF or EINVAL (%d/%d)", fail, NTHREADS);
	ok(close(-1) == -1 && errno == EBADF, "close(-1): EBADF in main");
	errno = 0;
	n = open("/nonexistent", O_RDONLY);
	ok(n == -1 && errno != 0, "open fails cleanly: %s", strerror(errno));
	ok(strlen(strerror(EBADF)) > 0, "strerror(EBADF) = \"%s\"", strerror(EBADF));
	return tap_done();
}
