/*
 * Runtime test: condition variables. A bounded queue between producers and
 * consumers that must deliver every item exactly once, a broadcast that
 * must wake every waiter, and timed waits on both clocks (timeouts,
 * deadlines in the past, bad deadlines).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include "tap.h"

#define PRODUCERS	4
#define CONSUMERS	4
#define ITEMS		20000	/* per producer */
#define QCAP		8
#define WAITERS		6

static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER;
static pthread_cond_t not_empty = PTHREAD_COND_INITIALIZER;
static long queue[QCAP];
static int qhead, qlen, producers_done;

static void put(long v)
{
	pthread_mutex_lock(&qlock);
	while (qlen == QCAP)
		pthread_cond_wait(&not_full, &qlock);
	queue[(qhead + qlen++) % QCAP] = v;
	pthread_cond_signal(&not_empty);
	pthread_mutex_unlock(&qlock);
}

/* 0 once the queue is empty and every producer has finished. */
static long get(void)
{
	long v = 0;

	pthread_mutex_lock(&qlock);
	while (qlen == 0 && !producers_done)
		pthread_cond_wait(&not_empty, &qlock);
	if (qlen) {
		v = queue[qhead];
		qhead = (qhead + 1) % QCAP;
		qlen--;
		pthread_cond_signal(&not_full);
	}
	pthread_mutex_unlock(&qlock);
	return v;
}

static void *producer(void *arg)
{
	long base = (long)arg * ITEMS;

	for (long i = 1; i <= ITEMS; i++)
		put(base + i);
	return NULL;
}

struct tally {
	long count, sum;
};

static void *consumer(void *arg)
{
	struct tally *t = arg;
	long v;

	while ((v = get()) != 0) {
		t->count++;
		t->sum += v;
	}
	return NULL;
}

static void test_queue(void)
{
	pthread_t p[PRODUCERS], c[CONSUMERS];
	struct tally t[CONSUMERS] = { { 0, 0 } };
	long count = 0, sum = 0, n = (long)PRODUCERS * ITEMS;

	for (long i = 0; i < CONSUMERS; i++)
		pthread_create(&c[i], NULL, consumer, &t[i]);
	for (long i = 0; i < PRODUCERS; i++)
		pthread_create(&p[i], NULL, producer, (void *)i);
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(p[i], NULL);
	pthread_mutex_lock(&qlock);
	producers_done = 1;
	pthread_cond_broadcast(&not_empty);	/* wake every idle consumer */
	pthread_mutex_unlock(&qlock);
	for (int i = 0; i < CONSUMERS; i++) {
		pthread_join(c[i], NULL);
		count += t[i].count;
		sum += t[i].sum;
	}
	ok(count == n && sum == n * (n + 1) / 2,
	   "bounded queue (%d slots): %ld items from %d producers to %d consumers, "
	   "each once", QCAP, count, PRODUCERS, CONSUMERS);
}

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static pthread_cond_t arrived_cv = PTHREAD_COND_INITIALIZER;
static int arrived, open_gate, timed_out;

/* Waits for the gate; a 30 s deadline only keeps a lost wake-up from hanging. */
static void *waiter(void *arg)
{
	struct timespec deadline;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 30;
	pthread_mutex_lock(&gate_lock);
	arrived++;
	pthread_cond_signal(&arrived_cv);
	while (!open_gate)
		if (pthread_cond_timedwait(&gate, &gate_lock, &deadline) == ETIMEDOUT) {
			timed_out++;
			break;
		}
	pthread_mutex_unlock(&gate_lock);
	return NULL;
}

static void test_broadcast(void)
{
	pthread_t t[WAITERS];

	for (int i = 0; i < WAITERS; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	pthread_mutex_lock(&gate_lock);
	while (arrived < WAITERS)	/* then all are inside cond_wait */
		pthread_cond_wait(&arrived_cv, &gate_lock);
	open_gate = 1;
	pthread_cond_broadcast(&gate);
	pthread_mutex_unlock(&gate_lock);
	for (int i = 0; i < WAITERS; i++)
		pthread_join(t[i], NULL);
	ok(timed_out == 0, "one broadcast wakes all %d waiters", WAITERS);
}

static long ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static struct timespec after_ms(clockid_t clk, long ms)
{
	struct timespec t;

	clock_gettime(clk, &t);
	t.tv_nsec += ms * 1000000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

/* A timed wait nobody signals: ETIMEDOUT, and not before the deadline. */
static void timed(pthread_cond_t *c, clockid_t clk, const char *name)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct timespec start, dl;
	int e;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	dl = after_ms(clk, 50);
	pthread_mutex_lock(&m);
	do
		e = pthread_cond_timedwait(c, &m, &dl);
	while (e == 0);		/* spurious wake-ups are allowed */
	ms = ms_since(&start);
	ok(e == ETIMEDOUT && ms >= 49 && pthread_mutex_trylock(&m) == EBUSY,
	   "%s timedwait: ETIMEDOUT after %ld ms (>= 50), mutex held again",
	   name, ms);
	pthread_mutex_unlock(&m);
}

static void test_timed(void)
{
	pthread_cond_t c = PTHREAD_COND_INITIALIZER, cm;
	pthread_condattr_t a;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	struct timespec past = { 1, 0 }, bad;
	clockid_t clk;

	timed(&c, CLOCK_REALTIME, "CLOCK_REALTIME");
	pthread_condattr_init(&a);
	ok(pthread_condattr_setclock(&a, CLOCK_MONOTONIC_RAW) == EINVAL,
	   "condattr_setclock(CLOCK_MONOTONIC_RAW) is EINVAL");
	ok(pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0 &&
	   pthread_condattr_getclock(&a, &clk) == 0 && clk == CLOCK_MONOTONIC,
	   "condattr clock set to CLOCK_MONOTONIC and read back");
	pthread_cond_init(&cm, &a);
	timed(&cm, CLOCK_MONOTONIC, "CLOCK_MONOTONIC");

	pthread_mutex_lock(&m);
	ok(pthread_cond_timedwait(&c, &m, &past) == ETIMEDOUT,
	   "deadline in the past: ETIMEDOUT at once");
	bad = after_ms(CLOCK_REALTIME, 10);
	bad.tv_nsec = 1000000000;
	ok(pthread_cond_timedwait(&c, &m, &bad) == EINVAL,
	   "tv_nsec = 1e9 is EINVAL");
	pthread_mutex_unlock(&m);

	pthread_cond_signal(&c);	/* nobody waits: must not be remembered */
	timed(&c, CLOCK_REALTIME, "after a signal with no waiter,");
	ok(pthread_cond_destroy(&c) == 0 && pthread_cond_destroy(&cm) == 0,
	   "destroy idle condition variables");
}

int main(void)
{
	test_queue();
	test_broadcast();
	test_timed();
	return tap_done();
}
