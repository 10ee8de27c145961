/* The bitmap page allocator over made-up physical ranges. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#define RANGE(b, l, t) { .base = (b), .len = (l), .type = (t) }
#include <kernel/page_alloc.h>

#define NPAGES 1024	/* 4 MiB of pretend RAM */
#define P(n) ((uint64_t)(n) * PAGE_SIZE)
#define NFREE 767

static uint64_t bitmap[NPAGES / 64];
static struct page_allocator pa;

static int setup(void **state)
{
	const struct boot_mem_range mem[] = {
		RANGE(P(1), P(255), BOOT_MEM_USABLE)	/* page 0 is never RAM to hand out: 0 means failure */,
		RANGE(P(256), P(256), BOOT_MEM_RESERVED),
		RANGE(P(512), P(512), BOOT_MEM_USABLE),
		RANGE(P(2000), P(100), BOOT_MEM_USABLE),	/* beyond npages: ignored */
	};

	(void)state;
	pa_init(&pa, bitmap, NPAGES, mem, 4);
	return 0;
}

static void test_init_counts_usable(void **state)
{
	(void)state;
	assert_int_equal(pa_nr_free(&pa), NFREE);
	pa_reserve(&pa, 0, P(16));
	pa_reserve(&pa, P(8), P(16));	/* overlapping reserve counts once */
	assert_int_equal(pa_nr_free(&pa), NFREE - 23);
	pa_reserve(&pa, P(300), P(10));	/* already not RAM */
	assert_int_equal(pa_nr_free(&pa), NFREE - 23);
	pa_reserve(&pa, P(1000), UINT64_MAX);	/* runs off the end: clipped */
	assert_int_equal(pa_nr_free(&pa), NFREE - 23 - 24);
}

static void test_alloc_free_roundtrip(void **state)
{
	uint64_t a, b;

	(void)state;
	a = pa_alloc(&pa, 1);
	b = pa_alloc(&pa, 10);
	assert_true(a && b && a != b);
	assert_int_equal(a % PAGE_SIZE, 0);
	assert_int_equal(pa_nr_free(&pa), NFREE - 11);
	assert_int_equal(pa_free(&pa, a, 1), 0);
	assert_int_equal(pa_free(&pa, b, 10), 0);
	assert_int_equal(pa_nr_free(&pa), NFREE);
}

static void test_contiguous_never_spans_a_hole(void **state)
{
	uint64_t p;

	(void)state;
	/* 300 pages fit only in the upper range (the lower one has 256). */
	p = pa_alloc(&pa, 300);
	assert_true(p >= P(512) && p + P(300) <= P(1024));
	assert_int_equal(pa_alloc(&pa, 600), 0);	/* no run that long */
	assert_int_equal(pa_free(&pa, p, 300), 0);
}

static void test_exhaustion_and_reuse(void **state)
{
	uint64_t pages[NFREE];
	int n = 0;

	(void)state;
	while (n < NFREE && (pages[n] = pa_alloc(&pa, 1)))
		n++;
	assert_int_equal(n, NFREE);
	assert_int_equal(pa_alloc(&pa, 1), 0);
	assert_int_equal(pa_nr_free(&pa), 0);
	assert_int_equal(pa_free(&pa, pages[100], 1), 0);
	assert_int_equal(pa_alloc(&pa, 1), pages[100]);	/* the hint wraps around */
	for (int i = 0; i < n; i++)
		assert_int_equal(pa_free(&pa, pages[i], 1), 0);
	assert_int_equal(pa_nr_free(&pa), NFREE);
}

static void test_bad_frees_change_nothing(void **state)
{
	uint64_t a;

	(void)state;
	a = pa_alloc(&pa, 4);
	assert_int_equal(pa_free(&pa, a + 1, 1), -1);		/* misaligned */
	assert_int_equal(pa_free(&pa, P(NPAGES), 1), -1);	/* out of range */
	assert_int_equal(pa_free(&pa, P(NPAGES - 1), 2), -1);	/* runs off the end */
	assert_int_equal(pa_free(&pa, a, 0), -1);
	assert_int_equal(pa_free(&pa, a, UINT64_MAX), -1);
	assert_int_equal(pa_free(&pa, a, 4), 0);
	assert_int_equal(pa_free(&pa, a, 4), -1);		/* double free */
	assert_int_equal(pa_free(&pa, a + P(2), 1), -1);
	assert_int_equal(pa_nr_free(&pa), NFREE);
	assert_int_equal(pa_alloc(&pa, 0), 0);
	assert_int_equal(pa_alloc(&pa, UINT64_MAX), 0);
}

static void test_claim_all_or_nothing(void **state)
{
	uint64_t a;

	(void)state;
	assert_int_equal(pa_claim(&pa, P(600), P(10)), 0);
	assert_int_equal(pa_nr_free(&pa), NFREE - 10);
	assert_int_equal(pa_claim(&pa, P(605), P(10)), -1);	/* overlaps the claim */
	assert_int_equal(pa_claim(&pa, P(250), P(10)), -1);	/* runs into the hole */
	assert_int_equal(pa_claim(&pa, P(1020), P(8)), -1);	/* off the end */
	assert_int_equal(pa_claim(&pa, P(700) + 1, P(1)), -1);	/* misaligned */
	assert_int_equal(pa_claim(&pa, P(700), UINT64_MAX), -1);
	assert_int_equal(pa_nr_free(&pa), NFREE - 10);
	a = pa_alloc(&pa, 1);
	assert_true(a < P(600) || a >= P(610));
	assert_int_equal(pa_free(&pa, P(600), 10), 0);	/* a claim frees like an allocation */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_counts_usable, setup),
		cmocka_unit_test_setup(test_alloc_free_roundtrip, setup),
		cmocka_unit_test_setup(test_contiguous_never_spans_a_hole, setup),
		cmocka_unit_test_setup(test_exhaustion_and_reuse, setup),
		cmocka_unit_test_setup(test_bad_frees_change_nothing, setup),
		cmocka_unit_test_setup(test_claim_all_or_nothing, setup),
	};

	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
