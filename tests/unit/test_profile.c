/* profile_fold(): tick counters per 16 bytes of text → hottest functions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <kernel/profile.h>

/* Text at 0x1000: a (0x20 bytes), b (0x40), a gap, c at 0x1100 (0x10). */
static const uint64_t addrs[] = { 0x1000, 0x1020, 0x1100 };
static const uint32_t sizes[] = { 0x20, 0x40, 0x10 };
static const uint32_t offs[] = { 0, 2, 4 };
static const char names[] = "a\0b\0c";
static const struct ksym_table tab = { 3, addrs, sizes, offs, names };

#define NB (0x120 >> PROF_SHIFT)

static void test_folds_buckets_into_functions_hottest_first(void **state)
{
	uint32_t counts[NB] = { 0 };
	struct profile_entry out[4];
	uint64_t total;
	unsigned int n;

	(void)state;
	counts[0] = 3;				/* a */
	counts[1] = 2;				/* a */
	counts[2] = 1;				/* b */
	counts[5] = 9;				/* b */
	counts[0x80 >> PROF_SHIFT] = 4;		/* the gap: no symbol */
	counts[0x100 >> PROF_SHIFT] = 7;	/* c */
	n = profile_fold(&tab, 0x1000, counts, NB, out, 4, &total);
	assert_int_equal(total, 26);
	assert_int_equal(n, 4);
	assert_string_equal(out[0].name, "b");
	assert_int_equal(out[0].hits, 10);
	assert_string_equal(out[1].name, "c");
	assert_int_equal(out[1].hits, 7);
	assert_string_equal(out[2].name, "a");
	assert_int_equal(out[2].hits, 5);
	assert_string_equal(out[3].name, "?");
	assert_int_equal(out[3].hits, 4);
}

static void test_keeps_only_the_hottest(void **state)
{
	uint32_t counts[NB] = { 0 };
	struct profile_entry out[2];
	uint64_t total;

	(void)state;
	counts[0] = 1;				/* a: the coldest, left out */
	counts[2] = 5;				/* b */
	counts[0x100 >> PROF_SHIFT] = 3;	/* c */
	assert_int_equal(profile_fold(&tab, 0x1000, counts, NB, out, 2, &total), 2);
	assert_int_equal(total, 9);	/* the coldest counts in the total */
	assert_string_equal(out[0].name, "b");
	assert_string_equal(out[1].name, "c");
	assert_int_equal(out[1].hits, 3);
}

static void test_nothing_to_fold(void **state)
{
	uint32_t counts[NB] = { 0 };
	struct profile_entry out[2];
	uint64_t total;

	(void)state;
	assert_int_equal(profile_fold(&tab, 0x1000, counts, NB, out, 2, &total), 0);
	assert_int_equal(total, 0);
	counts[1] = 1;
	assert_int_equal(profile_fold(&tab, 0x1000, counts, NB, out, 0, &total), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_folds_buckets_into_functions_hottest_first),
		cmocka_unit_test(test_keeps_only_the_hottest),
		cmocka_unit_test(test_nothing_to_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
