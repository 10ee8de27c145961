/*
 * Runtime test: pthread mutexes. An exact sum under heavy contention
 * (normal and recursive mutexes), trylock against a holder, and the
 * error-checking and recursive semantics POSIX defines.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include "tap.h"

#define NTHREADS	8
#define INCS		100000

static pthread_mutex_t plain = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t rec;
static long counter, rcounter;

static void *inc_plain(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCS; i++) {
		pthread_mutex_lock(&plain);
		counter++;
		pthread_mutex_unlock(&plain);
	}
	return NULL;
}

static void *inc_recursive(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCS / 5; i++) {
		pthread_mutex_lock(&rec);
		pthread_mutex_lock(&rec);
		rcounter++;
		pthread_mutex_unlock(&rec);
		rcounter++;
		pthread_mutex_unlock(&rec);
	}
	return NULL;
}

static long run(void *(*fn)(void *))
{
	pthread_t t[NTHREADS];
	int n = 0;

	for (int i = 0; i < NTHREADS; i++)
		n += pthread_create(&t[i], NULL, fn, NULL) == 0;
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return n;
}

/* Runs @fn(@m) in another thread and returns its int result. */
static int in_thread(void *(*fn)(void *), pthread_mutex_t *m)
{
	pthread_t t;
	void *r;

	if (pthread_create(&t, NULL, fn, m))
		return -1;
	pthread_join(t, &r);
	return (int)(long)r;
}

static void *try(void *m)
{
	int e = pthread_mutex_trylock(m);

	if (e == 0)
		pthread_mutex_unlock(m);
	return (void *)(long)e;
}

static void *unlock(void *m)
{
	return (void *)(long)pthread_mutex_unlock(m);
}

static void test_errorcheck(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;

	pthread_mutexattr_init(&a);
	ok(pthread_mutexattr_settype(&a, 99) == EINVAL, "settype(99) is EINVAL");
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&m, &a);
	ok(pthread_mutex_unlock(&m) == EPERM, "errorcheck: unlock when unlocked is EPERM");
	pthread_mutex_lock(&m);
	ok(pthread_mutex_lock(&m) == EDEADLK, "errorcheck: relock is EDEADLK");
	ok(in_thread(unlock, &m) == EPERM, "errorcheck: unlock by another thread is EPERM");
	ok(pthread_mutex_destroy(&m) == EBUSY, "destroy while locked is EBUSY");
	ok(pthread_mutex_unlock(&m) == 0, "errorcheck: owner unlocks");
	ok(pthread_mutex_destroy(&m) == 0, "destroy when unlocked");
	pthread_mutexattr_destroy(&a);
}

static void test_recursive(void)
{
	pthread_mutex_t m = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

	pthread_mutex_lock(&m);
	ok(pthread_mutex_trylock(&m) == 0, "recursive: owner's trylock nests");
	ok(in_thread(try, &m) == EBUSY, "recursive: held at depth 2, other thread gets EBUSY");
	pthread_mutex_unlock(&m);
	ok(in_thread(try, &m) == EBUSY, "recursive: still held at depth 1");
	pthread_mutex_unlock(&m);
	ok(in_thread(try, &m) == 0, "recursive: free after the last unlock");
}

int main(void)
{
	pthread_mutexattr_t a;
	long n;

	n = run(inc_plain);
	ok(n == NTHREADS && counter == (long)NTHREADS * INCS,
	   "%ld threads x %d increments under one mutex: %ld", n, INCS, counter);

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	n = run(inc_recursive);
	ok(n == NTHREADS && rcounter == (long)NTHREADS * (INCS / 5) * 2,
	   "recursive mutex, nested twice: %ld", rcounter);

	pthread_mutex_lock(&plain);
	ok(in_thread(try, &plain) == EBUSY, "trylock on a held mutex is EBUSY");
	pthread_mutex_unlock(&plain);
	ok(in_thread(try, &plain) == 0, "trylock on a free mutex succeeds");

	test_errorcheck();
	test_recursive();
	return tap_done();
}
