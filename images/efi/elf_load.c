/*
 * ELF64 kernel image validation and load plan; see elf_load.h.
 *
 * Everything the loader will later trust (addresses, sizes, the entry) is
 * checked here, with overflow-safe arithmetic, so that the EFI side only has
 * to allocate the spans and copy the segments. Headers are read with memcpy
 * because the image may sit at any alignment (and the fuzzer feeds odd
 * offsets). Host byte order is assumed little endian: x86 only.
 */
#include <string.h>

#include "elf_load.h"

#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_X86_64	62

static int fail(const char **why, int err, const char *reason)
{
	if (why)
		*why = reason;
	return err;
}

static int check_ehdr(const struct elf64_ehdr *eh, size_t size,
		      const char **why)
{
	uint64_t table;

	/* Byte compares, not memcmp: GNU-EFI's libefi has no memcmp. */
	if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
	    eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
		return fail(why, ELF_LOAD_EHDR, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(why, ELF_LOAD_EHDR, "not a 64-bit ELF (ELFCLASS64)");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(why, ELF_LOAD_EHDR, "not little endian");
	if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
		return fail(why, ELF_LOAD_EHDR, "unknown ELF version");
	if (eh->e_machine != EM_X86_64)
		return fail(why, ELF_LOAD_EHDR, "not an x86-64 ELF (e_machine)");
	if (eh->e_type != ET_EXEC)
		return fail(why, ELF_LOAD_EHDR, "not an executable (ET_EXEC)");

	if (eh->e_phnum == 0)
		return fail(why, ELF_LOAD_PHDR, "no program headers");
	/* Also rejects PN_XNUM (0xffff), the "count is elsewhere" escape. */
	if (eh->e_phnum > ELF_LOAD_MAX_PHNUM)
		return fail(why, ELF_LOAD_PHDR, "too many program headers");
	if (eh->e_phentsize < sizeof(struct elf64_phdr))
		return fail(why, ELF_LOAD_PHDR, "e_phentsize too small");
	/* u16 * u16 fits easily in u64; only the offset can overflow. */
	table = (uint64_t)eh->e_phnum * eh->e_phentsize;
	if (eh->e_phoff > size || table > size - eh->e_phoff)
		return fail(why, ELF_LOAD_PHDR,
			    "program header table outside the file");
	return ELF_LOAD_OK;
}

static int check_load(const struct elf64_phdr *ph, size_t size,
		      const char **why)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(why, ELF_LOAD_SEGMENT, "segment filesz > memsz");
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return fail(why, ELF_LOAD_SEGMENT,
			    "segment file bytes outside the file");
	/*
	 * The loader jumps to e_entry on the firmware's identity map, so the
	 * kernel must be linked where it is loaded.
	 */
	if (ph->p_vaddr != ph->p_paddr)
		return fail(why, ELF_LOAD_SEGMENT,
			    "segment p_vaddr != p_paddr (kernel must be linked at its load address)");
	if (ph->p_paddr < ELF_LOAD_MIN_ADDR)
		return fail(why, ELF_LOAD_SEGMENT, "segment below 1 MiB");
	if (ph->p_paddr >= ELF_LOAD_MAX_ADDR ||
	    ph->p_memsz > ELF_LOAD_MAX_ADDR - ph->p_paddr)
		return fail(why, ELF_LOAD_SEGMENT,
			    "segment not below 4 GiB (or paddr+memsz overflows)");
	return ELF_LOAD_OK;
}

/* Insertion sort: at most ELF_LOAD_MAX_SEGS entries. */
static void sort_segs(struct elf_load_seg *seg, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		struct elf_load_seg s = seg[i];
		unsigned int j = i;

		while (j > 0 && seg[j - 1].paddr > s.paddr) {
			seg[j] = seg[j - 1];
			j--;
		}
		seg[j] = s;
	}
}

static void make_spans(struct elf_load_plan *plan)
{
	const uint64_t mask = ELF_LOAD_PAGE - 1;

	plan->nr_spans = 0;
	for (unsigned int i = 0; i < plan->nr_segs; i++) {
		const struct elf_load_seg *s = &plan->seg[i];
		/* paddr + memsz <= 4 GiB was checked: no overflow here. */
		uint64_t base = s->paddr & ~mask;
		uint64_t end = (s->paddr + s->memsz + mask) & ~mask;
		struct elf_load_span *last = plan->nr_spans ?
			&plan->span[plan->nr_spans - 1] : NULL;

		if (last && base < last->base + last->pages * ELF_LOAD_PAGE) {
			/* Shares a page with the previous segment. */
			last->pages = (end - last->base) / ELF_LOAD_PAGE;
			last->exec |= !!(s->flags & ELF_PF_X);
			continue;
		}
		last = &plan->span[plan->nr_spans++];
		last->base = base;
		last->pages = (end - base) / ELF_LOAD_PAGE;
		last->exec = !!(s->flags & ELF_PF_X);
	}
}

int elf_load_plan(const void *image, size_t size, struct elf_load_plan *plan,
		  const char **why)
{
	const uint8_t *img = image;
	struct elf64_ehdr eh;
	int err;

	memset(plan, 0, sizeof(*plan));
	if (!image || size < sizeof(eh))
		return fail(why, ELF_LOAD_EHDR, "file too small for an ELF header");
	memcpy(&eh, img, sizeof(eh));
	err = check_ehdr(&eh, size, why);
	if (err)
		return err;

	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		struct elf_load_seg *s;

		memcpy(&ph, img + eh.e_phoff + (uint64_t)i * eh.e_phentsize,
		       sizeof(ph));
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		err = check_load(&ph, size, why);
		if (err)
			return err;
		if (ph.p_memsz == 0)	/* occupies nothing; ld emits these */
			continue;
		if (plan->nr_segs == ELF_LOAD_MAX_SEGS)
			return fail(why, ELF_LOAD_SEGMENT,
				    "too many PT_LOAD segments");
		s = &plan->seg[plan->nr_segs++];
		s->paddr = ph.p_paddr;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->memsz = ph.p_memsz;
		s->flags = ph.p_flags;
	}
	if (plan->nr_segs == 0)
		return fail(why, ELF_LOAD_SEGMENT, "no loadable (PT_LOAD) segment");

	sort_segs(plan->seg, plan->nr_segs);
	for (unsigned int i = 1; i < plan->nr_segs; i++) {
		const struct elf_load_seg *a = &plan->seg[i - 1];

		if (plan->seg[i].paddr < a->paddr + a->memsz)
			return fail(why, ELF_LOAD_SEGMENT, "segments overlap");
	}

	plan->entry = eh.e_entry;
	for (unsigned int i = 0; i < plan->nr_segs; i++) {
		const struct elf_load_seg *s = &plan->seg[i];

		/* Within the file bytes: entering zero-filled bss is a bug. */
		if ((s->flags & ELF_PF_X) && eh.e_entry >= s->paddr &&
		    eh.e_entry - s->paddr < s->filesz) {
			make_spans(plan);
			return fail(why, ELF_LOAD_OK, "ok");
		}
	}
	return fail(why, ELF_LOAD_ENTRY,
		    "entry point not inside an executable segment");
}

void elf_load_segment(const struct elf_load_seg *s, const void *image,
		      void *dst)
{
	memcpy(dst, (const uint8_t *)image + s->offset, s->filesz);
	memset((uint8_t *)dst + s->filesz, 0, s->memsz - s->filesz);
}
