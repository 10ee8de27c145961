/* memmap_sanitize(): firmware memory maps, well-formed and not. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#define RANGE(b, l, t) { .base = (b), .len = (l), .type = (t) }
#include <kernel/memmap.h>

#define U BOOT_MEM_USABLE
#define R BOOT_MEM_RESERVED
#define GiB (1ULL << 30)
#define MiB (1ULL << 20)

static struct boot_mem_range out[BOOT_MEM_MAX];
static struct memmap_stats st;

static int run(const struct boot_mem_range *in, int n, uint64_t limit)
{
	return memmap_sanitize(in, n, out, BOOT_MEM_MAX, limit, &st);
}

static void expect(int i, uint64_t base, uint64_t len, uint32_t type)
{
	assert_int_equal(out[i].base, base);
	assert_int_equal(out[i].len, len);
	assert_int_equal(out[i].type, type);
}

static void test_qemu_map_passes_through(void **state)
{
	/* What qboot hands over for -m 256 (plus its all-zero trailer). */
	const struct boot_mem_range in[] = {
		RANGE(0, 0x9fc00, U), RANGE(0x9fc00, 0x400, R), RANGE(0xf0000, 0x10000, R),
		RANGE(0x100000, 0xff00000, U), RANGE(0xb0000000, 0x10000000, R), RANGE(0, 0, 0),
	};

	(void)state;
	assert_int_equal(run(in, 6, 4 * GiB), 5);
	expect(0, 0, 0x9f000, U);	/* page-aligned inwards */
	expect(1, 0x9fc00, 0x400, R);
	expect(3, 0x100000, 0xff00000, U);
	assert_int_equal(st.invalid, 1);
}

static void test_unsorted_and_touching_merge(void **state)
{
	const struct boot_mem_range in[] = {
		RANGE(2 * MiB, MiB, U), RANGE(0, MiB, U), RANGE(MiB, MiB, U),
	};

	(void)state;
	assert_int_equal(run(in, 3, 4 * GiB), 1);
	expect(0, 0, 3 * MiB, U);
}

static void test_overlap_reserved_wins(void **state)
{
	const struct boot_mem_range in[] = {
		RANGE(0, 16 * MiB, U), RANGE(4 * MiB, MiB, R), RANGE(8 * MiB, MiB, BOOT_MEM_ACPI),
		RANGE(8 * MiB, 512 * 1024, BOOT_MEM_BAD), RANGE(15 * MiB, 2 * MiB, 77 /* unknown */),
	};

	(void)state;
	assert_int_equal(run(in, 5, 4 * GiB), 7);
	expect(0, 0, 4 * MiB, U);
	expect(1, 4 * MiB, MiB, R);
	expect(2, 5 * MiB, 3 * MiB, U);
	expect(3, 8 * MiB, 512 * 1024, BOOT_MEM_BAD);
	expect(4, 8 * MiB + 512 * 1024, 512 * 1024, BOOT_MEM_ACPI);
	expect(5, 9 * MiB, 6 * MiB, U);
	expect(6, 15 * MiB, 2 * MiB, R);	/* unknown types count as reserved */
}

static void test_invalid_ranges_dropped(void **state)
{
	const struct boot_mem_range in[] = {
		RANGE(MiB, 0, U),				/* empty */
		RANGE(UINT64_MAX - 4096, 8192, U),		/* wraps */
		RANGE(0x1001, 100, U),			/* no whole page: vanishes */
		RANGE(16 * MiB, 16 * MiB, U),
	};

	(void)state;
	assert_int_equal(run(in, 4, 4 * GiB), 1);
	expect(0, 16 * MiB, 16 * MiB, U);
	assert_int_equal(st.invalid, 2);
}

static void test_clipped_at_limit(void **state)
{
	const struct boot_mem_range in[] = {
		RANGE(3 * GiB, 2 * GiB, U), RANGE(5 * GiB, GiB, U), RANGE(6 * GiB, MiB, R),
	};

	(void)state;
	assert_int_equal(run(in, 3, 4 * GiB), 1);
	expect(0, 3 * GiB, GiB, U);
	assert_int_equal(st.above_limit, 2 * GiB);
}

static void test_output_overflow_counted(void **state)
{
	static struct boot_mem_range in[2 * BOOT_MEM_MAX];

	(void)state;
	for (int i = 0; i < 2 * BOOT_MEM_MAX; i++)	/* alternating: nothing merges */
		in[i] = (struct boot_mem_range)RANGE((uint64_t)i * MiB, MiB, i % 2 ? R : U);
	assert_int_equal(run(in, 2 * BOOT_MEM_MAX, 4 * GiB), BOOT_MEM_MAX);
	assert_int_equal(st.overflow, BOOT_MEM_MAX);
	/* more input than the sanitiser holds: counted, not read past */
	assert_int_equal(run(in, 2 * BOOT_MEM_MAX, 4 * GiB), BOOT_MEM_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_map_passes_through),
		cmocka_unit_test(test_unsorted_and_touching_merge),
		cmocka_unit_test(test_overlap_reserved_wins),
		cmocka_unit_test(test_invalid_ranges_dropped),
		cmocka_unit_test(test_clipped_at_limit),
		cmocka_unit_test(test_output_overflow_counted),
	};

	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
