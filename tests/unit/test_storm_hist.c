/* tools/storm/hist.c: log-linear bucket math, percentiles, merge. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include "tools/storm/hist.h"

static struct hist *new_hist(void)
{
	struct hist *h = malloc(sizeof(*h));

	hist_init(h);
	return h;
}

/* Every bucket's range is contiguous with the next and maps back to it. */
static void test_buckets_tile_the_range(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(hist_bucket_lo(0), 0);
	for (i = 0; i < HIST_BUCKETS; i++) {
		assert_true(hist_bucket_lo(i) <= hist_bucket_hi(i));
		assert_int_equal(hist_index(hist_bucket_lo(i)), i);
		assert_int_equal(hist_index(hist_bucket_hi(i)), i);
		if (i + 1 < HIST_BUCKETS)
			assert_int_equal(hist_bucket_hi(i) + 1, hist_bucket_lo(i + 1));
	}
	assert_int_equal(hist_bucket_hi(HIST_BUCKETS - 1), (1ull << HIST_MAX_BITS) - 1);
}

/* Exact below 2 * HIST_SUB, and never wider than 1/HIST_SUB of the value above. */
static void test_bucket_precision(void **state)
{
	uint64_t v;
	unsigned int i;

	(void)state;
	for (v = 0; v < 2 * HIST_SUB; v++)
		assert_int_equal(hist_bucket_lo(hist_index(v)), v);
	for (i = 2 * HIST_SUB; i < HIST_BUCKETS; i++) {
		uint64_t width = hist_bucket_hi(i) - hist_bucket_lo(i) + 1;

		assert_true(width * HIST_SUB <= hist_bucket_lo(i));
	}
	for (v = 1; v < (1ull << 39); v = v * 3 + 1) {
		unsigned int idx = hist_index(v);

		assert_true(hist_bucket_lo(idx) <= v && v <= hist_bucket_hi(idx));
	}
}

static void test_huge_values_clamp(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	assert_int_equal(hist_index(1ull << HIST_MAX_BITS), HIST_BUCKETS - 1);
	assert_int_equal(hist_index(UINT64_MAX), HIST_BUCKETS - 1);
	hist_record(h, UINT64_MAX);
	assert_true(hist_percentile(h, 50) == UINT64_MAX);	/* clamped to the true max */
	free(h);
}

static void test_empty(void **state)
{
	struct hist *h = new_hist();

	(void)state;
	assert_int_equal(hist_percentile(h, 50), 0);
	assert_int_equal(hist_percentile(h, 100), 0);
	assert_true(hist_mean(h) == 0.0);
	free(h);
}

/* 1..100 are exact buckets: the nearest-rank percentiles are the values. */
static void test_exact_small_values(void **state)
{
	struct hist *h = new_hist();
	uint64_t v;

	(void)state;
	for (v = 1; v <= 100; v++)
		hist_record(h, v);
	assert_int_equal(h->count, 100);
	assert_int_equal(hist_percentile(h, 0), 1);
	assert_int_equal(hist_percentile(h, 1), 1);
	assert_int_equal(hist_percentile(h, 50), 50);
	assert_int_equal(hist_percentile(h, 50.5), 51);
	assert_int_equal(hist_percentile(h, 90), 90);
	assert_int_equal(hist_percentile(h, 99), 99);
	assert_int_equal(hist_percentile(h, 99.9), 100);
	assert_int_equal(hist_percentile(h, 100), 100);
	assert_true(hist_mean(h) == 50.5);
	free(h);
}

/* Large values: within one bucket (1/64) above the true nearest rank. */
static void test_percentiles_within_precision(void **state)
{
	struct hist *h = new_hist();
	static const double ps[] = { 10, 50, 90, 99, 99.9 };
	uint64_t v, n = 100000, got, want;
	size_t i;

	(void)state;
	for (v = 1; v <= n; v++)
		hist_record(h, v * 1000);	/* 1 us .. 100 ms in ns */
	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		want = (uint64_t)(ps[i] / 100.0 * (double)n + 0.999999) * 1000;
		got = hist_percentile(h, ps[i]);
		assert_true(got >= want);
		assert_true((double)(got - want) <= (double)want / HIST_SUB);
	}
	assert_int_equal(hist_percentile(h, 100), n * 1000);
	assert_int_equal(h->min, 1000);
	free(h);
}

/* A tail: 1% of samples a thousand times slower shows in p99.9, not p90. */
static void test_tail_is_visible(void **state)
{
	struct hist *h = new_hist();
	int i;

	(void)state;
	for (i = 0; i < 9900; i++)
		hist_record(h, 50000);
	for (i = 0; i < 100; i++)
		hist_record(h, 50000000);
	assert_true(hist_percentile(h, 90) < 51000);
	assert_true(hist_percentile(h, 99) < 51000);
	assert_true(hist_percentile(h, 99.9) >= 50000000);
	assert_int_equal(hist_percentile(h, 99.9), 50000000);	/* clamped to max */
	free(h);
}

static void test_merge_equals_recording_together(void **state)
{
	struct hist *a = new_hist(), *b = new_hist(), *all = new_hist();
	uint64_t v;
	unsigned int i;

	(void)state;
	for (v = 1; v < 200000; v += 7) {
		hist_record(v & 1 ? a : b, v * 13);
		hist_record(all, v * 13);
	}
	hist_merge(a, b);
	assert_int_equal(a->count, all->count);
	assert_int_equal(a->sum, all->sum);
	assert_int_equal(a->min, all->min);
	assert_int_equal(a->max, all->max);
	for (i = 0; i < HIST_BUCKETS; i++)
		assert_int_equal(a->b[i], all->b[i]);
	hist_init(b);
	hist_merge(a, b);	/* merging an empty one changes nothing */
	assert_int_equal(a->min, all->min);
	free(a);
	free(b);
	free(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_tile_the_range),
		cmocka_unit_test(test_bucket_precision),
		cmocka_unit_test(test_huge_values_clamp),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_exact_small_values),
		cmocka_unit_test(test_percentiles_within_precision),
		cmocka_unit_test(test_tail_is_visible),
		cmocka_unit_test(test_merge_equals_recording_together),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
