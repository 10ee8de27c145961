/*
 * ELF64 kernel image validation and load plan.
 *
 * elf_load_plan() checks that a kernel ELF is something the UEFI loader can
 * place at its physical addresses and jump into, and describes how: which
 * bytes go where (segments) and which page runs must be allocated (spans).
 * elf_load_segment() then copies one segment into memory the caller owns.
 *
 * Portable on purpose (stdint/stddef/string only, own ELF structs instead of
 * <elf.h>): the same code runs in images/efi/loader.c (freestanding, GNU-EFI)
 * and in tests/unit/test_elf_load.c and tests/fuzz/fuzz_elf_load.c (hosted).
 */
#ifndef SQUALL_ELF_LOAD_H
#define SQUALL_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#define ELF_LOAD_MAX_SEGS  16		/* PT_LOADs we accept */
#define ELF_LOAD_MAX_PHNUM 64		/* program headers of any type */
#define ELF_LOAD_MIN_ADDR  0x100000ULL	/* 1 MiB: below is firmware/legacy */
#define ELF_LOAD_MAX_ADDR  0x100000000ULL /* 4 GiB: kernel's early identity map */
#define ELF_LOAD_PAGE      4096ULL

/* The parts of the ELF64 format we read (System V gABI, little endian). */
#define ELF_PT_LOAD 1
#define ELF_PF_X    1
#define ELF_PF_W    2
#define ELF_PF_R    4

struct elf64_ehdr {
	uint8_t  e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

/* One PT_LOAD: file bytes [offset, offset+filesz) go to paddr, then zeroes. */
struct elf_load_seg {
	uint64_t paddr;
	uint64_t offset;
	uint64_t filesz;
	uint64_t memsz;
	uint32_t flags;		/* ELF_PF_* */
};

/*
 * A run of whole pages to allocate. Segments that share a page (a linker
 * script without page alignment) end up in one span, so each page is
 * allocated exactly once. exec is set if any segment in it is executable.
 */
struct elf_load_span {
	uint64_t base;		/* page aligned */
	uint64_t pages;
	int exec;
};

struct elf_load_plan {
	uint64_t entry;
	unsigned int nr_segs;
	unsigned int nr_spans;
	struct elf_load_seg seg[ELF_LOAD_MAX_SEGS];	/* sorted by paddr */
	struct elf_load_span span[ELF_LOAD_MAX_SEGS];	/* sorted by base */
};

enum elf_load_err {
	ELF_LOAD_OK = 0,
	ELF_LOAD_EHDR = -1,	/* truncated or not an x86-64 ELF64 executable */
	ELF_LOAD_PHDR = -2,	/* program header table malformed */
	ELF_LOAD_SEGMENT = -3,	/* a PT_LOAD is malformed or misplaced */
	ELF_LOAD_ENTRY = -4,	/* entry point not in an executable segment */
};

/*
 * Validate image[0..size) and fill *plan. Returns ELF_LOAD_OK or a negative
 * enum elf_load_err; *why (if why is not NULL) is always set to a static
 * human-readable reason ("ok" on success); on failure *plan holds no
 * usable plan. Never reads outside the image; the image needs no particular
 * alignment.
 */
int elf_load_plan(const void *image, size_t size, struct elf_load_plan *plan,
		  const char **why);

/*
 * Copy segment s of image to dst (which stands for s->paddr) and zero the
 * rest up to memsz. The plan must come from elf_load_plan() on this image.
 */
void elf_load_segment(const struct elf_load_seg *s, const void *image,
		      void *dst);

#endif
