/*
 * Runtime test: thread life cycle. join returns what the thread returned
 * or passed to pthread_exit; many threads at once and one after another;
 * detached threads; pthread_self/pthread_equal; __thread variables (own
 * copy per thread, initial values, alignment); pthread_once; and the
 * failure paths of attributes, create and join.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "tap.h"

#define MANY		16
#define SERIAL		200
#define DETACHED	50

static __thread int tls_init = 42;
static __thread long tls_zero;
static __thread char tls_aligned[64] __attribute__((aligned(64)));

static void *ret_arg(void *arg)
{
	return (void *)((long)arg * 3 + 1);
}

static void __attribute__((noinline)) leave(long v)
{
	pthread_exit((void *)v);
}

static void *exit_nested(void *arg)
{
	leave((long)arg + 1000);
	return NULL;	/* not reached */
}

static void test_join_values(void)
{
	pthread_t t[MANY];
	void *r;
	int good = 0, serial = 0;

	ok(pthread_create(&t[0], NULL, ret_arg, (void *)7L) == 0 &&
	   pthread_join(t[0], &r) == 0 && r == (void *)22L,
	   "join returns the value the thread returned");
	ok(pthread_create(&t[0], NULL, exit_nested, (void *)5L) == 0 &&
	   pthread_join(t[0], &r) == 0 && r == (void *)1005L,
	   "join returns the value passed to pthread_exit deep in a call");
	for (long i = 0; i < MANY; i++)
		pthread_create(&t[i], NULL, ret_arg, (void *)i);
	for (long i = 0; i < MANY; i++)
		good += pthread_join(t[i], &r) == 0 && r == (void *)(i * 3 + 1);
	ok(good == MANY, "%d threads at once, each joined with its value", good);
	for (long i = 0; i < SERIAL; i++)
		serial += pthread_create(&t[0], NULL, ret_arg, (void *)i) == 0 &&
			  pthread_join(t[0], &r) == 0 && r == (void *)(i * 3 + 1);
	ok(serial == SERIAL, "%d threads created and joined one after another",
	   serial);
}

static int detached_ran;

static void *count_me(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&detached_ran, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void test_detached(void)
{
	pthread_attr_t a;
	pthread_t t;
	int started = 0, st = -1;
	struct timespec tick = { 0, 1000000 };

	pthread_attr_init(&a);
	ok(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0 &&
	   pthread_attr_getdetachstate(&a, &st) == 0 &&
	   st == PTHREAD_CREATE_DETACHED, "attr detach state set and read back");
	for (int i = 0; i < DETACHED / 2; i++)
		started += pthread_create(&t, &a, count_me, NULL) == 0;
	for (int i = 0; i < DETACHED / 2; i++)
		if (pthread_create(&t, NULL, count_me, NULL) == 0)
			started += pthread_detach(t) == 0;
	for (int i = 0; i < 30000 && __atomic_load_n(&detached_ran,
						__ATOMIC_SEQ_CST) < started; i++)
		nanosleep(&tick, NULL);
	ok(started == DETACHED && detached_ran == DETACHED,
	   "%d detached threads (attr or pthread_detach) all ran", detached_ran);
	/* Creating more now also frees the finished detached ones. */
	ok(pthread_create(&t, NULL, ret_arg, NULL) == 0 &&
	   pthread_join(t, NULL) == 0, "create after detached threads exited");
	pthread_attr_destroy(&a);
}

static pthread_mutex_t hold = PTHREAD_MUTEX_INITIALIZER;

static void *blocked(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&hold);
	pthread_mutex_unlock(&hold);
	return NULL;
}

static void test_failures(void)
{
	pthread_attr_t a, dead;
	pthread_t t;
	size_t sz = 0;

	pthread_attr_init(&a);
	ok(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN - 1) == EINVAL,
	   "stack size below PTHREAD_STACK_MIN is EINVAL");
	ok(pthread_attr_setdetachstate(&a, 42) == EINVAL,
	   "detach state 42 is EINVAL");
	ok(pthread_attr_setstacksize(&a, 65536) == 0 &&
	   pthread_attr_getstacksize(&a, &sz) == 0 && sz == 65536 &&
	   pthread_create(&t, &a, ret_arg, NULL) == 0 && pthread_join(t, NULL) == 0,
	   "a thread on a 64 KiB stack");
	ok(pthread_attr_setstacksize(&a, (size_t)1 << 46) == 0 &&
	   pthread_create(&t, &a, ret_arg, NULL) == EAGAIN,
	   "a 64 TiB stack: create fails with EAGAIN");
	pthread_attr_init(&dead);
	pthread_attr_destroy(&dead);
	ok(pthread_create(&t, &dead, ret_arg, NULL) == EINVAL,
	   "create with a destroyed attr is EINVAL");
	memset(&dead, 0, sizeof(dead));
	ok(pthread_create(&t, &dead, ret_arg, NULL) == EINVAL,
	   "create with a never-initialised attr is EINVAL");
	ok(pthread_join(pthread_self(), NULL) == EDEADLK, "joining yourself is EDEADLK");

	pthread_mutex_lock(&hold);	/* keeps the detached thread alive */
	pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	ok(pthread_create(&t, &a, blocked, NULL) == 0 &&
	   pthread_join(t, NULL) == EINVAL, "joining a detached thread is EINVAL");
	pthread_mutex_unlock(&hold);
	pthread_attr_destroy(&a);
}

struct tls_report {
	pthread_t self;
	int init_ok, zero_ok, aligned, kept;
	uintptr_t addr;
};

static void *tls_worker(void *arg)
{
	struct tls_report *r = arg;

	r->self = pthread_self();
	r->init_ok = tls_init == 42;
	r->zero_ok = tls_zero == 0 && tls_aligned[0] == 0 && tls_aligned[63] == 0;
	r->aligned = (*(volatile uintptr_t *)&(uintptr_t){ (uintptr_t)tls_aligned } & 63) == 0;
	r->addr = (uintptr_t)&tls_init;
	tls_init = (int)(uintptr_t)r;
	tls_zero = (long)(uintptr_t)r;
	tls_aligned[63] = (char)(uintptr_t)r | 1;
	for (int i = 0; i < 100; i++)
		sched_yield();
	r->kept = tls_init == (int)(uintptr_t)r && tls_zero == (long)(uintptr_t)r &&
		  tls_aligned[63] == ((char)(uintptr_t)r | 1);
	return NULL;
}

static void test_tls(void)
{
	struct tls_report r[4];
	pthread_t t[4];
	int good = 0, distinct = 1, selves = 0;

	memset(r, 0, sizeof(r));
	tls_init = 7;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, tls_worker, &r[i]);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		good += r[i].init_ok && r[i].zero_ok && r[i].aligned && r[i].kept;
		selves += pthread_equal(r[i].self, t[i]) &&
			  !pthread_equal(r[i].self, pthread_self());
		for (int j = 0; j < i; j++)
			distinct &= r[i].addr != r[j].addr;
	}
	ok(good == 4, "__thread: initial values, zeroes, 64-byte alignment, "
	   "private copies (%d/4 threads)", good);
	ok(distinct && tls_init == 7 && r[0].addr != (uintptr_t)&tls_init,
	   "__thread: every thread and main have their own address");
	ok(selves == 4, "pthread_self in a thread equals what create returned");
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs, once_value;

static void init_once(void)
{
	struct timespec ts = { 0, 5000000 };

	__atomic_add_fetch(&once_runs, 1, __ATOMIC_SEQ_CST);
	nanosleep(&ts, NULL);	/* let the others pile up behind us */
	once_value = 99;
}

static void *call_once(void *arg)
{
	(void)arg;
	pthread_once(&once, init_once);
	return (void *)(long)once_value;
}

static void test_once(void)
{
	pthread_t t[8];
	void *r;
	int saw = 0;

	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, call_once, NULL);
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], &r);
		saw += r == (void *)99L;
	}
	pthread_once(&once, init_once);
	ok(once_runs == 1 && saw == 8,
	   "pthread_once from 9 callers runs init once, all see its result");
}

int main(void)
{
	test_join_values();
	test_detached();
	test_failures();
	test_tls();
	test_once();
	return tap_done();
}
