/* ksym_lookup_in(): address → function over a small table. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <kernel/ksym.h>

static const uint64_t addrs[] = { 0x1000, 0x1010, 0x1040, 0x2000 };
static const uint32_t sizes[] = { 0x10, 0, 0x20, 0x8 };	/* 0: an asm label */
static const uint32_t offs[] = { 0, 2, 4, 6 };
static const char names[] = "a\0b\0c\0d";
static const struct ksym_table tab = { 4, addrs, sizes, offs, names };

static void test_hits(void **state)
{
	uint64_t off, size;

	(void)state;
	assert_string_equal(ksym_lookup_in(&tab, 0x1000, &off, &size), "a");
	assert_int_equal(off, 0);
	assert_int_equal(size, 0x10);
	assert_string_equal(ksym_lookup_in(&tab, 0x100f, &off, &size), "a");
	assert_int_equal(off, 0xf);
	/* no size from nm: extends to the next symbol */
	assert_string_equal(ksym_lookup_in(&tab, 0x103f, &off, &size), "b");
	assert_int_equal(size, 0x30);
	assert_string_equal(ksym_lookup_in(&tab, 0x2007, &off, &size), "d");
}

static void test_misses(void **state)
{
	uint64_t off, size;
	const struct ksym_table empty = { 0, addrs, sizes, offs, names };

	(void)state;
	assert_null(ksym_lookup_in(&tab, 0, &off, &size));
	assert_null(ksym_lookup_in(&tab, 0xfff, &off, &size));
	assert_null(ksym_lookup_in(&tab, 0x1060, &off, &size));	/* gap after c */
	assert_null(ksym_lookup_in(&tab, 0x2008, &off, &size));	/* past the last */
	assert_null(ksym_lookup_in(&tab, UINT64_MAX, &off, &size));
	assert_null(ksym_lookup_in(&empty, 0x1000, &off, &size));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hits),
		cmocka_unit_test(test_misses),
	};

	return cmocka_run_group_tests_name("ksym", tests, NULL, NULL);
}
