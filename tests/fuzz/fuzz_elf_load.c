/*
 * libFuzzer target for images/efi/elf_load.c: arbitrary bytes as a kernel
 * ELF. Besides "no crash, no over-read" (ASan/UBSan), every accepted plan
 * must keep the promises the UEFI loader relies on; a broken promise traps.
 * Accepted segments small enough are also copied, to exercise
 * elf_load_segment(). Seeds: tests/fuzz/corpus/elf_load/ (made by
 * tests/fuzz/corpus/make_elf_seeds.py). Built and run by the top Makefile.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/efi/elf_load.h"

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

static void check_plan(const struct elf_load_plan *p, size_t size)
{
	int entry_ok = 0;

	CHECK(p->nr_segs >= 1 && p->nr_segs <= ELF_LOAD_MAX_SEGS);
	CHECK(p->nr_spans >= 1 && p->nr_spans <= p->nr_segs);
	for (unsigned int i = 0; i < p->nr_segs; i++) {
		const struct elf_load_seg *s = &p->seg[i];
		int in = 0;

		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->offset <= size && s->filesz <= size - s->offset);
		CHECK(s->paddr >= ELF_LOAD_MIN_ADDR);
		CHECK(s->paddr + s->memsz <= ELF_LOAD_MAX_ADDR);
		if (i)
			CHECK(p->seg[i - 1].paddr + p->seg[i - 1].memsz <=
			      s->paddr);
		if ((s->flags & ELF_PF_X) && p->entry >= s->paddr &&
		    p->entry < s->paddr + s->filesz)
			entry_ok = 1;

		/* each segment lies inside exactly one span */
		for (unsigned int j = 0; j < p->nr_spans; j++) {
			const struct elf_load_span *sp = &p->span[j];

			if (s->paddr >= sp->base && s->paddr + s->memsz <=
			    sp->base + sp->pages * ELF_LOAD_PAGE)
				in++;
		}
		CHECK(in == 1);
	}
	CHECK(entry_ok);
	for (unsigned int j = 0; j < p->nr_spans; j++) {
		const struct elf_load_span *sp = &p->span[j];

		CHECK(sp->base % ELF_LOAD_PAGE == 0 && sp->pages > 0);
		CHECK(sp->base + sp->pages * ELF_LOAD_PAGE <= ELF_LOAD_MAX_ADDR);
		if (j)	/* spans never share a page */
			CHECK(p->span[j - 1].base +
			      p->span[j - 1].pages * ELF_LOAD_PAGE <= sp->base);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_load_plan plan;
	const char *why = NULL;

	if (elf_load_plan(data, size, &plan, &why) != ELF_LOAD_OK) {
		CHECK(why && *why);
		return 0;
	}
	check_plan(&plan, size);
	for (unsigned int i = 0; i < plan.nr_segs; i++) {
		const struct elf_load_seg *s = &plan.seg[i];
		uint8_t *dst;

		if (s->memsz > (1 << 20))
			continue;
		dst = malloc(s->memsz);
		if (!dst)
			continue;
		elf_load_segment(s, data, dst);
		CHECK(!memcmp(dst, data + s->offset, s->filesz));
		free(dst);
	}
	return 0;
}
