/*
 * tools/storm/pace.c: the open-loop schedule, driven by a fake clock, and
 * the even split of totals over threads. Includes a simulated stall to
 * show the coordinated-omission correction: arrivals that were due during
 * the stall are charged the time they waited.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include "tools/storm/pace.h"

#define MS 1000000ull
#define SEC 1000000000ull
#define T0 (5 * SEC)		/* any monotonic origin */

static void test_one_thread_schedule(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 1000, 0, 1, T0);
	assert_int_equal(pacer_due(&p, T0 - 1), 0);
	assert_int_equal(pacer_due(&p, T0), 1);	/* arrival 0 is due at t0 */
	assert_int_equal(pacer_due(&p, T0 + MS - 1), 1);
	assert_int_equal(pacer_due(&p, T0 + MS), 2);
	assert_int_equal(pacer_due(&p, T0 + SEC), 1001);
	assert_int_equal(pacer_due_at(&p, 0), T0);
	assert_int_equal(pacer_due_at(&p, 250), T0 + 250 * MS);
}

static void test_fractional_rates(void **state)
{
	struct pacer p;

	(void)state;
	pacer_init(&p, 3, 0, 1, 0);
	assert_int_equal(pacer_due_at(&p, 1), 333333333);
	assert_int_equal(pacer_due(&p, 10 * SEC), 31);
	pacer_init(&p, 0.5, 0, 1, 0);
	assert_int_equal(pacer_due_at(&p, 1), 2 * SEC);
	assert_int_equal(pacer_due(&p, 3 * SEC), 2);
}

/* due() and due_at() agree at every instant, even with awkward periods. */
static void test_due_consistent(void **state)
{
	static const double rates[] = { 1, 3, 7, 1000, 33333, 999999, 10000000 };
	struct pacer p;
	size_t i;
	uint64_t t, n;

	(void)state;
	for (i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		pacer_init(&p, rates[i], 1, 3, T0);
		for (t = T0; t < T0 + 3 * SEC; t += 7777777) {
			n = pacer_due(&p, t);
			if (n)
				assert_true(pacer_due_at(&p, n - 1) <= t);
			assert_true(pacer_due_at(&p, n) > t);
		}
	}
}

/* Four threads at a global 1000/s: together, one arrival every 1 ms. */
static void test_threads_interleave(void **state)
{
	struct pacer p[4];
	uint64_t seen[4000] = { 0 };
	unsigned int k, i, total = 0;

	(void)state;
	for (k = 0; k < 4; k++)
		pacer_init(&p[k], 1000, k, 4, T0);
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 1000; i++) {
			uint64_t at = pacer_due_at(&p[k], i) - T0;

			assert_int_equal(at % MS, 0);
			assert_true(at / MS < 4000);
			seen[at / MS]++;
		}
		total += (unsigned int)pacer_due(&p[k], T0 + SEC - 1);
	}
	for (i = 0; i < 4000; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(total, 1000);	/* global arrivals in [t0, t0 + 1 s) */
}

static void test_share_of(void **state)
{
	uint64_t sum;
	unsigned int n, k;

	(void)state;
	assert_int_equal(share_of(10, 0, 3), 4);
	assert_int_equal(share_of(10, 1, 3), 3);
	assert_int_equal(share_of(10, 2, 3), 3);
	assert_int_equal(share_of(2, 3, 4), 0);
	assert_int_equal(share_of(5, 0, 0), 0);
	for (n = 1; n < 40; n++) {
		sum = 0;
		for (k = 0; k < n; k++) {
			uint64_t s = share_of(1000003, k, n);

			assert_true(s == 1000003 / n || s == 1000003 / n + 1);
			sum += s;
		}
		assert_int_equal(sum, 1000003);
	}
}

/*
 * An open-loop client on a fake clock: a loop wakes at irregular times,
 * starts every due arrival and records latency = service + (start - due).
 * Service takes 100 us, except a 200 ms stall from t = 1 s. A closed-loop
 * client would record one slow sample; the schedule records every arrival
 * that was due during the stall with the wait it suffered.
 */
static void test_stall_is_charged_to_every_arrival(void **state)
{
	struct pacer p;
	uint64_t now = T0, last = T0, started = 0, slow = 0, maxlat = 0, lat, due;
	uint64_t stall_from = T0 + SEC, stall_to = T0 + SEC + 200 * MS;
	unsigned int step = 0;

	(void)state;
	pacer_init(&p, 10000, 0, 1, T0);		/* every 100 us */
	while (now < T0 + 2 * SEC) {
		due = pacer_due(&p, now);
		last = now;
		for (; started < due; started++) {
			lat = now - pacer_due_at(&p, started) + 100000;
			if (lat > maxlat)
				maxlat = lat;
			if (lat > 10 * MS)
				slow++;
		}
		now += 37000 + (step++ % 5) * 11000;	/* jittery wakeups */
		if (now >= stall_from && now < stall_to)
			now = stall_to;				/* the client is stuck */
	}
	assert_int_equal(started, pacer_due(&p, last));	/* nothing due was skipped */
	/* ~2000 arrivals fell into the 200 ms stall; most waited over 10 ms */
	assert_true(slow > 1800 && slow <= 2000);
	assert_true(maxlat >= 200 * MS && maxlat < 201 * MS);
	assert_true(started >= 19990 && started <= 20001);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_thread_schedule),
		cmocka_unit_test(test_fractional_rates),
		cmocka_unit_test(test_due_consistent),
		cmocka_unit_test(test_threads_interleave),
		cmocka_unit_test(test_share_of),
		cmocka_unit_test(test_stall_is_charged_to_every_arrival),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
