/*
 * Host unit tests for images/efi/efi_memmap.c (UEFI memory map ->
 * boot_info mem[]).
 *
 * Maps are built as raw descriptor arrays with a chosen stride, copied into
 * exact-size heap buffers (ASan catches over-reads), and converted into a
 * heap boot_info. Built by the top Makefile's unit-test rule (UNIT_TESTS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "images/efi/efi_memmap.h"

#define PAGE EFI_MEMMAP_PAGE
#define MAX_DESC 1024

struct map {
	struct efi_mem_desc d[MAX_DESC];
	size_t n;
	size_t stride;		/* desc_size; >= sizeof(struct efi_mem_desc) */
	size_t extra;		/* bytes of a torn descriptor at the end */
};

struct result {
	int ret;
	struct efi_memmap_stats st;
	struct boot_info *bi;
};

static void add(struct map *m, uint32_t type, uint64_t base, uint64_t pages)
{
	struct efi_mem_desc *d = &m->d[m->n++];

	memset(d, 0, sizeof(*d));
	d->type = type;
	d->phys_start = base;
	d->virt_start = 0xdeadbeef;	/* ignored */
	d->nr_pages = pages;
	d->attr = 0xf;
}

/* Convert m with scratch for nr_scratch ranges (0: one per descriptor). */
static struct result convert_n(const struct map *m, size_t nr_scratch)
{
	size_t stride = m->stride ? m->stride : sizeof(struct efi_mem_desc);
	size_t size = m->n * stride + m->extra;
	uint8_t *raw = malloc(size ? size : 1);
	struct boot_mem_range *scratch;
	struct result r;

	assert_non_null(raw);
	memset(raw, 0xa5, size);	/* padding between descriptors */
	for (size_t i = 0; i < m->n; i++)
		memcpy(raw + i * stride, &m->d[i],
		       stride < sizeof(m->d[i]) ? stride : sizeof(m->d[i]));
	if (!nr_scratch)
		nr_scratch = m->n ? m->n : 1;
	scratch = malloc(nr_scratch * sizeof(*scratch));
	r.bi = malloc(sizeof(*r.bi));
	assert_non_null(scratch);
	assert_non_null(r.bi);
	memset(r.bi, 0x5a, sizeof(*r.bi));
	r.bi->magic = BOOT_INFO_MAGIC;
	strcpy(r.bi->cmdline, "keep me");
	r.ret = efi_memmap_convert(raw, size, stride, scratch, nr_scratch,
				   r.bi, &r.st);
	free(scratch);
	free(raw);
	/* The converter owns only nr_mem, mem_dropped and mem[]. */
	assert_int_equal(r.bi->magic, BOOT_INFO_MAGIC);
	assert_string_equal(r.bi->cmdline, "keep me");
	if (r.ret >= 0) {
		assert_int_equal(r.ret, r.bi->nr_mem);
		assert_int_equal(r.st.nr_ranges, r.bi->nr_mem);
		assert_int_equal(r.st.nr_dropped, r.bi->mem_dropped);
	}
	return r;
}

static struct result convert(const struct map *m)
{
	return convert_n(m, 0);
}

static void expect_range(const struct boot_info *bi, unsigned int i,
			 uint64_t base, uint64_t len, uint32_t type)
{
	assert_true(i < bi->nr_mem);
	assert_int_equal(bi->mem[i].base, base);
	assert_int_equal(bi->mem[i].len, len);
	assert_int_equal(bi->mem[i].type, type);
	assert_int_equal(bi->mem[i].pad, 0);
}

static void test_type_mapping(void **state)
{
	static const struct { uint32_t efi, boot; } t[] = {
		{ EFI_MEM_RESERVED, BOOT_MEM_RESERVED },
		{ EFI_MEM_LOADER_CODE, BOOT_MEM_USABLE },
		{ EFI_MEM_LOADER_DATA, BOOT_MEM_USABLE },
		{ EFI_MEM_BOOT_CODE, BOOT_MEM_USABLE },
		{ EFI_MEM_BOOT_DATA, BOOT_MEM_USABLE },
		{ EFI_MEM_RUNTIME_CODE, BOOT_MEM_RESERVED },
		{ EFI_MEM_RUNTIME_DATA, BOOT_MEM_RESERVED },
		{ EFI_MEM_CONVENTIONAL, BOOT_MEM_USABLE },
		{ EFI_MEM_UNUSABLE, BOOT_MEM_BAD },
		{ EFI_MEM_ACPI_RECLAIM, BOOT_MEM_ACPI },
		{ EFI_MEM_ACPI_NVS, BOOT_MEM_NVS },
		{ EFI_MEM_MMIO, BOOT_MEM_RESERVED },
		{ EFI_MEM_MMIO_PORT, BOOT_MEM_RESERVED },
		{ EFI_MEM_PAL_CODE, BOOT_MEM_RESERVED },
		{ EFI_MEM_PERSISTENT, BOOT_MEM_RESERVED },
		{ 15 /* unaccepted */, BOOT_MEM_RESERVED },
		{ 0x70000000 /* OEM */, BOOT_MEM_RESERVED },
		{ 0x80000000 /* OS */, BOOT_MEM_RESERVED },
		{ UINT32_MAX, BOOT_MEM_RESERVED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(efi_memmap_type(t[i].efi), t[i].boot);
}

/* What OVMF's map looks like, in miniature. */
static void test_typical_map(void **state)
{
	static struct map m;
	struct result r;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.stride = 48;		/* OVMF's descriptor size */
	add(&m, EFI_MEM_BOOT_CODE, 0, 1);
	add(&m, EFI_MEM_CONVENTIONAL, 0x1000, 0x9f);
	add(&m, EFI_MEM_CONVENTIONAL, 0x100000, 0x700);
	add(&m, EFI_MEM_ACPI_NVS, 0x800000, 8);
	add(&m, EFI_MEM_LOADER_CODE, 0x808000, 3);
	add(&m, EFI_MEM_LOADER_DATA, 0x80b000, 5);
	add(&m, EFI_MEM_BOOT_DATA, 0x810000, 0xf0);
	add(&m, EFI_MEM_RUNTIME_DATA, 0x900000, 0x10);
	add(&m, EFI_MEM_ACPI_RECLAIM, 0x910000, 2);
	add(&m, EFI_MEM_UNUSABLE, 0x912000, 1);
	add(&m, EFI_MEM_MMIO, 0xb0000000, 0x10000);
	r = convert(&m);
	assert_int_equal(r.ret, 8);
	assert_int_equal(r.st.nr_desc, 11);
	assert_int_equal(r.st.nr_bad, 0);
	assert_int_equal(r.st.nr_dropped, 0);
	expect_range(r.bi, 0, 0, 0xa0000, BOOT_MEM_USABLE);
	expect_range(r.bi, 1, 0x100000, 0x700000, BOOT_MEM_USABLE);
	expect_range(r.bi, 2, 0x800000, 0x8000, BOOT_MEM_NVS);
	expect_range(r.bi, 3, 0x808000, 0xf8000, BOOT_MEM_USABLE);
	expect_range(r.bi, 4, 0x900000, 0x10000, BOOT_MEM_RESERVED);
	expect_range(r.bi, 5, 0x910000, 0x2000, BOOT_MEM_ACPI);
	expect_range(r.bi, 6, 0x912000, 0x1000, BOOT_MEM_BAD);
	expect_range(r.bi, 7, 0xb0000000, 0x10000000, BOOT_MEM_RESERVED);
	assert_int_equal(r.bi->mem_dropped, 0);
	free(r.bi);
}

static void test_unsorted(void **state)
{
	static struct map m;
	struct result r;

	(void)state;
	memset(&m, 0, sizeof(m));
	add(&m, EFI_MEM_CONVENTIONAL, 0x300000, 1);
	add(&m, EFI_MEM_RESERVED, 0x100000, 1);
	add(&m, EFI_MEM_CONVENTIONAL, 0x200000, 1);
	add(&m, EFI_MEM_CONVENTIONAL, 0x301000, 1);	/* touches 0x300000 */
	add(&m, EFI_MEM_ACPI_NVS, 0, 1);
	r = convert(&m);
	assert_int_equal(r.ret, 4);
	expect_range(r.bi, 0, 0, PAGE, BOOT_MEM_NVS);
	expect_range(r.bi, 1, 0x100000, PAGE, BOOT_MEM_RESERVED);
	expect_range(r.bi, 2, 0x200000, PAGE, BOOT_MEM_USABLE);
	expect_range(r.bi, 3, 0x300000, 2 * PAGE, BOOT_MEM_USABLE);
	free(r.bi);
}

static void test_overlaps(void **state)
{
	static struct map m;
	struct result r;

	(void)state;
	memset(&m, 0, sizeof(m));
	/* same type: overlapping and contained ranges become their union */
	add(&m, EFI_MEM_CONVENTIONAL, 0x100000, 0x10);
	add(&m, EFI_MEM_BOOT_DATA, 0x108000, 0x10);
	add(&m, EFI_MEM_CONVENTIONAL, 0x101000, 2);
	/* different type overlapping: kept as is, sorted by base then type */
	add(&m, EFI_MEM_RESERVED, 0x200000, 0x10);
	add(&m, EFI_MEM_CONVENTIONAL, 0x200000, 0x20);
	add(&m, EFI_MEM_ACPI_RECLAIM, 0x205000, 1);
	r = convert(&m);
	assert_int_equal(r.ret, 4);
	assert_int_equal(r.st.nr_bad, 0);
	expect_range(r.bi, 0, 0x100000, 0x18000, BOOT_MEM_USABLE);
	expect_range(r.bi, 1, 0x200000, 0x20000, BOOT_MEM_USABLE);
	expect_range(r.bi, 2, 0x200000, 0x10000, BOOT_MEM_RESERVED);
	expect_range(r.bi, 3, 0x205000, PAGE, BOOT_MEM_ACPI);
	free(r.bi);
}

static void test_malformed_descriptors(void **state)
{
	static struct map m;
	struct result r;

	(void)state;
	memset(&m, 0, sizeof(m));
	add(&m, EFI_MEM_CONVENTIONAL, 0x100000, 0);		/* zero pages */
	add(&m, EFI_MEM_CONVENTIONAL, 0xfffffffffffff000ULL, 2); /* wraps */
	add(&m, EFI_MEM_CONVENTIONAL, 0x1000, UINT64_MAX);	/* len wraps */
	add(&m, EFI_MEM_CONVENTIONAL, 0x1000, UINT64_MAX / PAGE); /* end wraps */
	add(&m, EFI_MEM_RESERVED, 0xfffffffffffff000ULL, 0);
	add(&m, EFI_MEM_CONVENTIONAL, 0x200000, 1);		/* the good one */
	add(&m, EFI_MEM_RESERVED, 0xffffffffffffe000ULL, 1);	/* ends at 2^64-4K */
	m.extra = 20;		/* a torn descriptor at the end */
	r = convert(&m);
	assert_int_equal(r.ret, 2);
	assert_int_equal(r.st.nr_desc, 8);
	assert_int_equal(r.st.nr_bad, 6);
	expect_range(r.bi, 0, 0x200000, PAGE, BOOT_MEM_USABLE);
	expect_range(r.bi, 1, 0xffffffffffffe000ULL, PAGE, BOOT_MEM_RESERVED);
	free(r.bi);
}

static void test_descriptor_size(void **state)
{
	static struct map m;
	struct result r;

	(void)state;
	memset(&m, 0, sizeof(m));
	add(&m, EFI_MEM_CONVENTIONAL, 0x100000, 1);
	add(&m, EFI_MEM_CONVENTIONAL, 0x200000, 1);
	m.stride = sizeof(struct efi_mem_desc) - 1;
	r = convert(&m);
	assert_int_equal(r.ret, EFI_MEMMAP_EDESC);
	assert_int_equal(r.bi->nr_mem, 0);
	free(r.bi);
	m.stride = 0;		/* convert() would take sizeof; ask for 0 */
	{
		struct boot_info *bi = calloc(1, sizeof(*bi));
		struct boot_mem_range scratch[2];

		assert_non_null(bi);
		assert_int_equal(efi_memmap_convert(m.d, sizeof(m.d[0]), 0,
						    scratch, 2, bi, NULL),
				 EFI_MEMMAP_EDESC);
		free(bi);
	}
	m.stride = 200;		/* future, larger descriptors are fine */
	r = convert(&m);
	assert_int_equal(r.ret, 2);
	expect_range(r.bi, 1, 0x200000, PAGE, BOOT_MEM_USABLE);
	free(r.bi);
}

static void test_empty_and_null(void **state)
{
	static struct map m;
	struct boot_mem_range scratch[1];
	struct boot_info *bi = calloc(1, sizeof(*bi));
	struct efi_memmap_stats st;
	struct result r;

	(void)state;
	memset(&m, 0, sizeof(m));
	r = convert(&m);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.st.nr_desc, 0);
	free(r.bi);

	m.extra = 39;		/* only a torn descriptor */
	r = convert(&m);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.st.nr_desc, 1);
	assert_int_equal(r.st.nr_bad, 1);
	free(r.bi);

	assert_non_null(bi);
	bi->nr_mem = 7;
	assert_int_equal(efi_memmap_convert(NULL, 0, 40, scratch, 1, bi, &st),
			 EFI_MEMMAP_EARG);
	assert_int_equal(bi->nr_mem, 0);
	assert_int_equal(efi_memmap_convert(m.d, 40, 40, NULL, 1, bi, NULL),
			 EFI_MEMMAP_EARG);
	assert_int_equal(efi_memmap_convert(m.d, 40, 40, scratch, 1, NULL,
					    &st), EFI_MEMMAP_EARG);
	free(bi);
}

/* Distinct, non-touching ranges: base i * 16 MiB, i + 1 pages long. */
static void fill_many(struct map *m, size_t n, int reverse)
{
	memset(m, 0, sizeof(*m));
	for (size_t k = 0; k < n; k++) {
		size_t i = reverse ? n - 1 - k : k;

		add(m, k % 2 ? EFI_MEM_RESERVED : EFI_MEM_CONVENTIONAL,
		    i * 0x1000000, i + 1);
	}
}

static void test_too_many_ranges(void **state)
{
	static struct map m;
	struct result r;
	const size_t n = BOOT_MEM_MAX + 100;

	(void)state;
	fill_many(&m, n, 1);
	r = convert(&m);
	assert_int_equal(r.ret, BOOT_MEM_MAX);
	assert_int_equal(r.bi->mem_dropped, 100);
	/* the 100 smallest (lowest i) went; the rest is in order */
	for (unsigned int j = 0; j < BOOT_MEM_MAX; j++) {
		assert_int_equal(r.bi->mem[j].base, (100 + j) * 0x1000000ULL);
		assert_int_equal(r.bi->mem[j].len, (101 + j) * PAGE);
	}
	free(r.bi);

	/* exactly BOOT_MEM_MAX: nothing dropped */
	fill_many(&m, BOOT_MEM_MAX, 0);
	r = convert(&m);
	assert_int_equal(r.ret, BOOT_MEM_MAX);
	assert_int_equal(r.bi->mem_dropped, 0);
	free(r.bi);

	/* many descriptors that merge down to few are not "too many" */
	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < MAX_DESC; i++)
		add(&m, i % 2 ? EFI_MEM_BOOT_DATA : EFI_MEM_CONVENTIONAL,
		    0x100000 + i * PAGE, 1);
	r = convert(&m);
	assert_int_equal(r.ret, 1);
	expect_range(r.bi, 0, 0x100000, MAX_DESC * PAGE, BOOT_MEM_USABLE);
	free(r.bi);
}

static void test_small_scratch(void **state)
{
	static struct map m;
	struct result r;

	(void)state;
	fill_many(&m, 10, 0);
	r = convert_n(&m, 4);
	assert_int_equal(r.ret, 4);
	assert_int_equal(r.bi->mem_dropped, 6);
	expect_range(r.bi, 0, 0, PAGE, BOOT_MEM_USABLE);
	free(r.bi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_mapping),
		cmocka_unit_test(test_typical_map),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_overlaps),
		cmocka_unit_test(test_malformed_descriptors),
		cmocka_unit_test(test_descriptor_size),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_too_many_ranges),
		cmocka_unit_test(test_small_scratch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
