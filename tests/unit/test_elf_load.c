/*
 * Host unit tests for images/efi/elf_load.c (the UEFI loader's ELF checks).
 *
 * Each test builds a small ELF64 image in memory with the helpers below,
 * breaks one thing, and checks the verdict. Images handed to elf_load_plan()
 * are copied into exact-size heap buffers so that ASan catches any read past
 * the end. Built by the top Makefile's unit-test rule (UNIT_TESTS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "images/efi/elf_load.h"

#define MIB 0x100000ULL
#define GIB4 0x100000000ULL

/* A mutable ELF under construction: header, phdrs at 64, data after. */
struct img {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[24];
	size_t size;		/* file size to hand over */
};

static void img_init(struct img *m)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->eh.e_ident, "\x7f" "ELF", 4);
	m->eh.e_ident[4] = 2;	/* ELFCLASS64 */
	m->eh.e_ident[5] = 1;	/* little endian */
	m->eh.e_ident[6] = 1;	/* EV_CURRENT */
	m->eh.e_type = 2;	/* ET_EXEC */
	m->eh.e_machine = 62;	/* EM_X86_64 */
	m->eh.e_version = 1;
	m->eh.e_phoff = sizeof(struct elf64_ehdr);
	m->eh.e_phentsize = sizeof(struct elf64_phdr);
	m->eh.e_ehsize = sizeof(struct elf64_ehdr);
	m->size = 0x3000;
}

static struct elf64_phdr *img_add(struct img *m, uint32_t type, uint32_t flags,
				  uint64_t off, uint64_t paddr, uint64_t filesz,
				  uint64_t memsz)
{
	struct elf64_phdr *ph = &m->ph[m->eh.e_phnum++];

	ph->p_type = type;
	ph->p_flags = flags;
	ph->p_offset = off;
	ph->p_vaddr = ph->p_paddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = 0x1000;
	return ph;
}

/* The usual kernel: text at 1 MiB, data + bss after it. */
static void img_kernel(struct img *m)
{
	img_init(m);
	img_add(m, ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x1000, MIB, 0x800, 0x800);
	img_add(m, ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x2000, MIB + 0x1000,
		0x100, 0x5000);
	m->eh.e_entry = MIB + 0x10;
}

/*
 * Serialise m (phdrs at e_phoff with stride e_phentsize if they fit in the
 * buffer, file bytes filled with a pattern) into a buffer of exactly
 * m->size bytes and run the planner on it.
 */
static int run_plan(const struct img *m, struct elf_load_plan *plan,
		    const char **why)
{
	uint8_t *buf = malloc(m->size ? m->size : 1);
	size_t stride = m->eh.e_phentsize;
	int ret;

	assert_non_null(buf);
	for (size_t i = 0; i < m->size; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	memcpy(buf, &m->eh, m->size < sizeof(m->eh) ? m->size : sizeof(m->eh));
	for (unsigned int i = 0; i < m->eh.e_phnum && i < 24; i++) {
		uint64_t at = m->eh.e_phoff + i * stride;

		if (at < m->eh.e_phoff)	/* wrapped: would hit the header */
			break;
		if (at < m->size && sizeof(m->ph[i]) <= m->size - at)
			memcpy(buf + at, &m->ph[i], sizeof(m->ph[i]));
	}
	ret = elf_load_plan(buf, m->size, plan, why);
	free(buf);
	return ret;
}

static void expect_err(const struct img *m, int err, const char *needle)
{
	struct elf_load_plan plan;
	const char *why = NULL;

	assert_int_equal(run_plan(m, &plan, &why), err);
	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("reason \"%s\" does not mention \"%s\"", why, needle);
}

static void test_valid_kernel(void **state)
{
	struct elf_load_plan plan;
	struct img m;
	const char *why = NULL;

	(void)state;
	img_kernel(&m);
	assert_int_equal(run_plan(&m, &plan, &why), ELF_LOAD_OK);
	assert_string_equal(why, "ok");
	assert_int_equal(plan.entry, MIB + 0x10);
	assert_int_equal(plan.nr_segs, 2);
	assert_int_equal(plan.seg[0].paddr, MIB);
	assert_int_equal(plan.seg[0].filesz, 0x800);
	assert_int_equal(plan.seg[1].offset, 0x2000);
	assert_int_equal(plan.seg[1].memsz, 0x5000);
	assert_int_equal(plan.nr_spans, 2);
	assert_int_equal(plan.span[0].base, MIB);
	assert_int_equal(plan.span[0].pages, 1);
	assert_true(plan.span[0].exec);
	assert_int_equal(plan.span[1].base, MIB + 0x1000);
	assert_int_equal(plan.span[1].pages, 5);
	assert_false(plan.span[1].exec);
}

static void test_why_may_be_null(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_kernel(&m);
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	m.eh.e_machine = 3;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_EHDR);
	assert_int_equal(elf_load_plan(NULL, 100, &plan, NULL), ELF_LOAD_EHDR);
}

static void test_unsorted_and_other_phdrs(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_init(&m);
	img_add(&m, 4 /* PT_NOTE */, 0, 0x10, 0, 8, 8);
	img_add(&m, ELF_PT_LOAD, ELF_PF_W, 0x2000, 2 * MIB, 0x10, 0x10);
	img_add(&m, 0x6474e551 /* GNU_STACK */, 6, 0, 0, 0, 0);
	img_add(&m, ELF_PT_LOAD, ELF_PF_X, 0x1000, MIB, 0x100, 0x100);
	img_add(&m, ELF_PT_LOAD, ELF_PF_W, 0, 3 * MIB, 0, 0);	/* empty: skipped */
	m.eh.e_entry = MIB;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	assert_int_equal(plan.nr_segs, 2);
	assert_int_equal(plan.seg[0].paddr, MIB);
	assert_int_equal(plan.seg[1].paddr, 2 * MIB);
	assert_int_equal(plan.nr_spans, 2);
}

/* Segments packed without page alignment share pages: one span. */
static void test_shared_page_span(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_init(&m);
	img_add(&m, ELF_PT_LOAD, ELF_PF_X, 0x1000, MIB, 0x1234, 0x1234);
	img_add(&m, ELF_PT_LOAD, ELF_PF_W, 0x2234, MIB + 0x1234, 0x10, 0x3000);
	m.eh.e_entry = MIB + 0x1000;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	assert_int_equal(plan.nr_spans, 1);
	assert_int_equal(plan.span[0].base, MIB);
	/* ends at MIB + 0x4234 -> 5 pages */
	assert_int_equal(plan.span[0].pages, 5);
	assert_true(plan.span[0].exec);
}

static void test_larger_phentsize_and_unaligned_paddr(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_kernel(&m);
	m.eh.e_phentsize = 80;	/* allowed: readers skip the extra bytes */
	m.ph[0].p_paddr = m.ph[0].p_vaddr = MIB + 0x123;
	m.eh.e_entry = MIB + 0x130;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	assert_int_equal(plan.span[0].base, MIB);
	assert_int_equal(plan.span[0].pages, 1);
}

static void test_truncated(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_kernel(&m);
	/* Every prefix of a valid image must be refused, never over-read. */
	for (size_t n = 0; n < 0x2100; n++) {
		m.size = n;
		assert_int_not_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	}
	m.size = 63;
	expect_err(&m, ELF_LOAD_EHDR, "too small");
	m.size = 0x2100;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
}

static void test_bad_ident(void **state)
{
	struct img m;

	(void)state;
	img_kernel(&m);
	m.eh.e_ident[1] = 'e';
	expect_err(&m, ELF_LOAD_EHDR, "magic");
	img_kernel(&m);
	m.eh.e_ident[4] = 1;
	expect_err(&m, ELF_LOAD_EHDR, "64-bit");
	img_kernel(&m);
	m.eh.e_ident[5] = 2;
	expect_err(&m, ELF_LOAD_EHDR, "endian");
	img_kernel(&m);
	m.eh.e_ident[6] = 0;
	expect_err(&m, ELF_LOAD_EHDR, "version");
	img_kernel(&m);
	m.eh.e_version = 2;
	expect_err(&m, ELF_LOAD_EHDR, "version");
	img_kernel(&m);
	m.eh.e_machine = 3;	/* EM_386 */
	expect_err(&m, ELF_LOAD_EHDR, "x86-64");
	img_kernel(&m);
	m.eh.e_type = 3;	/* ET_DYN */
	expect_err(&m, ELF_LOAD_EHDR, "ET_EXEC");
}

static void test_bad_phdr_table(void **state)
{
	struct img m;

	(void)state;
	img_kernel(&m);
	m.eh.e_phnum = 0;
	expect_err(&m, ELF_LOAD_PHDR, "no program headers");
	img_kernel(&m);
	m.eh.e_phnum = ELF_LOAD_MAX_PHNUM + 1;
	expect_err(&m, ELF_LOAD_PHDR, "too many");
	img_kernel(&m);
	m.eh.e_phnum = 0xffff;	/* PN_XNUM */
	expect_err(&m, ELF_LOAD_PHDR, "too many");
	img_kernel(&m);
	m.eh.e_phentsize = sizeof(struct elf64_phdr) - 1;
	expect_err(&m, ELF_LOAD_PHDR, "e_phentsize");
	img_kernel(&m);
	m.eh.e_phentsize = 0;
	expect_err(&m, ELF_LOAD_PHDR, "e_phentsize");
	img_kernel(&m);
	m.eh.e_phoff = m.size + 1;
	expect_err(&m, ELF_LOAD_PHDR, "outside");
	img_kernel(&m);
	m.eh.e_phoff = m.size - 2 * sizeof(struct elf64_phdr) + 1;	/* 1 over */
	expect_err(&m, ELF_LOAD_PHDR, "outside");
	img_kernel(&m);
	m.eh.e_phoff = UINT64_MAX - 8;	/* offset + size wraps */
	expect_err(&m, ELF_LOAD_PHDR, "outside");
	img_kernel(&m);
	m.eh.e_phentsize = 0xffff;	/* 2 * 64 KiB table in a 12 KiB file */
	expect_err(&m, ELF_LOAD_PHDR, "outside");
}

static void test_bad_segment_sizes(void **state)
{
	struct img m;

	(void)state;
	img_kernel(&m);
	m.ph[1].p_filesz = m.ph[1].p_memsz + 1;
	expect_err(&m, ELF_LOAD_SEGMENT, "filesz > memsz");
	img_kernel(&m);
	m.ph[1].p_filesz = 0x1001;	/* 0x2000 + 0x1001 > 0x3000 */
	expect_err(&m, ELF_LOAD_SEGMENT, "outside the file");
	img_kernel(&m);
	m.ph[1].p_offset = 0x3001;
	m.ph[1].p_filesz = 0;
	expect_err(&m, ELF_LOAD_SEGMENT, "outside the file");
	img_kernel(&m);
	m.ph[1].p_offset = UINT64_MAX - 0x10;	/* offset + filesz wraps */
	expect_err(&m, ELF_LOAD_SEGMENT, "outside the file");
	img_kernel(&m);
	m.ph[1].p_memsz = UINT64_MAX;		/* filesz alone wraps it */
	m.ph[1].p_filesz = UINT64_MAX - 0x1000;
	expect_err(&m, ELF_LOAD_SEGMENT, "outside the file");
}

static void test_bad_segment_addresses(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_kernel(&m);
	m.ph[1].p_vaddr += 0xffffffff80000000ULL;
	expect_err(&m, ELF_LOAD_SEGMENT, "p_vaddr != p_paddr");
	img_kernel(&m);
	m.ph[0].p_paddr = m.ph[0].p_vaddr = MIB - 0x1000;
	m.eh.e_entry = MIB - 0x1000;
	expect_err(&m, ELF_LOAD_SEGMENT, "below 1 MiB");
	img_kernel(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = GIB4;
	expect_err(&m, ELF_LOAD_SEGMENT, "4 GiB");
	img_kernel(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = GIB4 - 0x1000;	/* ends past */
	expect_err(&m, ELF_LOAD_SEGMENT, "4 GiB");
	img_kernel(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = 0xfffffffffffff000ULL;
	expect_err(&m, ELF_LOAD_SEGMENT, "4 GiB");
	img_kernel(&m);
	m.ph[1].p_memsz = UINT64_MAX;	/* paddr + memsz wraps */
	expect_err(&m, ELF_LOAD_SEGMENT, "overflows");

	/* Ending exactly at 4 GiB is fine. */
	img_kernel(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = GIB4 - 0x5000;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	assert_int_equal(plan.span[1].base + plan.span[1].pages * 4096, GIB4);
}

static void test_overlap(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_kernel(&m);
	m.ph[1].p_paddr = m.ph[1].p_vaddr = MIB + 0x7ff;
	expect_err(&m, ELF_LOAD_SEGMENT, "overlap");
	/* listed second, lower in memory, reaching into the other */
	img_kernel(&m);
	m.ph[0].p_paddr = m.ph[0].p_vaddr = MIB + 0x1000;
	m.ph[1].p_paddr = m.ph[1].p_vaddr = MIB;
	m.ph[1].p_memsz = 0x1001;
	m.eh.e_entry = MIB + 0x1010;
	expect_err(&m, ELF_LOAD_SEGMENT, "overlap");
	/* touching is fine */
	m.ph[1].p_memsz = 0x1000;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
}

static void test_segment_count(void **state)
{
	struct elf_load_plan plan;
	struct img m;

	(void)state;
	img_init(&m);
	for (unsigned int i = 0; i < ELF_LOAD_MAX_SEGS; i++)
		img_add(&m, ELF_PT_LOAD, ELF_PF_X, 0x1000, MIB + i * 0x1000,
			0x10, 0x10);
	m.eh.e_entry = MIB;
	assert_int_equal(run_plan(&m, &plan, NULL), ELF_LOAD_OK);
	assert_int_equal(plan.nr_segs, ELF_LOAD_MAX_SEGS);
	img_add(&m, ELF_PT_LOAD, ELF_PF_X, 0x1000, 64 * MIB, 0x10, 0x10);
	expect_err(&m, ELF_LOAD_SEGMENT, "too many PT_LOAD");
}

static void test_no_load(void **state)
{
	struct img m;

	(void)state;
	img_init(&m);
	img_add(&m, 4 /* PT_NOTE */, 0, 0x100, 0, 8, 8);
	m.eh.e_entry = MIB;
	expect_err(&m, ELF_LOAD_SEGMENT, "no loadable");
	img_add(&m, ELF_PT_LOAD, ELF_PF_X, 0, MIB, 0, 0);	/* empty */
	expect_err(&m, ELF_LOAD_SEGMENT, "no loadable");
}

static void test_bad_entry(void **state)
{
	struct img m;

	(void)state;
	img_kernel(&m);
	m.eh.e_entry = 0;
	expect_err(&m, ELF_LOAD_ENTRY, "entry");
	img_kernel(&m);
	m.eh.e_entry = MIB + 0x800;	/* one past the text */
	expect_err(&m, ELF_LOAD_ENTRY, "entry");
	img_kernel(&m);
	m.eh.e_entry = MIB + 0x1000;	/* data: not executable */
	expect_err(&m, ELF_LOAD_ENTRY, "entry");
	img_kernel(&m);
	m.ph[1].p_flags |= ELF_PF_X;
	m.eh.e_entry = MIB + 0x1200;	/* executable, but in the bss part */
	expect_err(&m, ELF_LOAD_ENTRY, "entry");
}

static void test_segment_copy(void **state)
{
	struct elf_load_seg s = {
		.paddr = MIB, .offset = 3, .filesz = 5, .memsz = 9,
	};
	const uint8_t image[] = "abcdefghijkl";
	uint8_t dst[12];

	(void)state;
	memset(dst, 0xee, sizeof(dst));
	elf_load_segment(&s, image, dst);
	assert_memory_equal(dst, "defgh\0\0\0\0", 9);
	assert_int_equal(dst[9], 0xee);
}

/* Headers at odd addresses: no misaligned loads (UBSan would say). */
static void test_unaligned_image(void **state)
{
	struct elf_load_plan plan;
	struct img m;
	uint8_t *buf;

	(void)state;
	img_kernel(&m);
	m.eh.e_phoff = 0x41;
	buf = calloc(1, m.size + 1);
	assert_non_null(buf);
	memcpy(buf + 1, &m.eh, sizeof(m.eh));
	memcpy(buf + 1 + 0x41, m.ph, 2 * sizeof(m.ph[0]));
	assert_int_equal(elf_load_plan(buf + 1, m.size, &plan, NULL),
			 ELF_LOAD_OK);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_kernel),
		cmocka_unit_test(test_why_may_be_null),
		cmocka_unit_test(test_unsorted_and_other_phdrs),
		cmocka_unit_test(test_shared_page_span),
		cmocka_unit_test(test_larger_phentsize_and_unaligned_paddr),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_ident),
		cmocka_unit_test(test_bad_phdr_table),
		cmocka_unit_test(test_bad_segment_sizes),
		cmocka_unit_test(test_bad_segment_addresses),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_segment_count),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_bad_entry),
		cmocka_unit_test(test_segment_copy),
		cmocka_unit_test(test_unaligned_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
