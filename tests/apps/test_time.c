/*
 * Runtime test: clocks and sleeps. CLOCK_MONOTONIC never goes back;
 * nanosleep/usleep/sleep sleep at least as long as asked; the realtime
 * views (clock_gettime, gettimeofday, time) agree; bad arguments are
 * refused. Only lower bounds on time are checked, never speed.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

#define READS	100000

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000 + t->tv_nsec;
}

static long long mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ns(&t);
}

static void test_monotonic(void)
{
	long long prev = mono_ns(), now;
	int back = 0;

	for (int i = 0; i < READS; i++) {
		now = mono_ns();
		back += now < prev;
		prev = now;
	}
	ok(back == 0, "CLOCK_MONOTONIC: %d reads, never backwards", READS);
}

static void test_sleeps(void)
{
	struct timespec req = { 0, 20000000 }, rem = { 9, 9 };
	long long t0 = mono_ns(), t1, t2, t3;

	ok(nanosleep(&req, &rem) == 0, "nanosleep(20 ms) returns 0");
	t1 = mono_ns();
	ok(t1 - t0 >= 20000000, "nanosleep slept %lld us (>= 20000)",
	   (t1 - t0) / 1000);
	ok(usleep(10000) == 0, "usleep(10000) returns 0");
	t2 = mono_ns();
	ok(t2 - t1 >= 10000000, "usleep slept %lld us (>= 10000)",
	   (t2 - t1) / 1000);
	ok(sleep(1) == 0, "sleep(1) returns 0");
	t3 = mono_ns();
	ok(t3 - t2 >= 1000000000, "sleep slept %lld ms (>= 1000)",
	   (t3 - t2) / 1000000);
}

static void test_realtime(void)
{
	struct timespec rt;
	struct timeval tv;
	time_t now;
	clock_t c0, c1;

	ok(clock_gettime(CLOCK_REALTIME, &rt) == 0 && gettimeofday(&tv, NULL) == 0 &&
	   tv.tv_sec - rt.tv_sec <= 1 && tv.tv_sec >= rt.tv_sec,
	   "gettimeofday agrees with CLOCK_REALTIME");
	now = time(NULL);
	ok(now >= rt.tv_sec && now - rt.tv_sec <= 2, "time() agrees too");
	c0 = clock();
	for (volatile int i = 0; i < 1000000; i++)
		;
	c1 = clock();
	ok(c0 != (clock_t)-1 && c1 >= c0, "clock() works and does not go back");
}

static void test_errors(void)
{
	struct timespec t, bad = { 0, 1000000000 };

	ok(clock_gettime((clockid_t)12345, &t) == -1 && errno == EINVAL,
	   "clock_gettime(unknown clock) is EINVAL");
	ok(nanosleep(&bad, NULL) == -1 && errno == EINVAL,
	   "nanosleep(tv_nsec = 1e9) is EINVAL");
}

int main(void)
{
	test_monotonic();
	test_sleeps();
	test_realtime();
	test_errors();
	return tap_done();
}
