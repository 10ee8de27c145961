/*
 * UEFI memory map -> struct boot_info mem[] (e820-style ranges).
 *
 * efi_memmap_convert() takes the raw buffer GetMemoryMap() filled (an array
 * of descriptors desc_size bytes apart; desc_size may be larger than the
 * struct below, as the spec allows), maps each UEFI type onto a BOOT_MEM_*
 * type, sorts by base, merges same-type ranges that touch or overlap, and
 * writes at most BOOT_MEM_MAX ranges into bi->mem, dropping the smallest
 * ones if there are more (counted in bi->mem_dropped).
 *
 * Ranges of different types that overlap are passed through as they are:
 * the kernel sanitises the table again, this code only guarantees it never
 * reads out of bounds and never invents usable memory.
 *
 * Portable (stdint/stddef/string only, no efi.h): called by
 * images/efi/loader.c between GetMemoryMap() and ExitBootServices() (it does
 * not allocate) and by tests/unit/test_efi_memmap.c.
 */
#ifndef SQUALL_EFI_MEMMAP_H
#define SQUALL_EFI_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/bootinfo.h"

#define EFI_MEMMAP_PAGE 4096ULL

/* EFI_MEMORY_DESCRIPTOR, UEFI spec 2.x (descriptor version 1). */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t nr_pages;	/* 4 KiB pages, whatever the CPU's page size */
	uint64_t attr;
};

/* EFI_MEMORY_TYPE values we distinguish; anything else is reserved. */
enum efi_mem_type {
	EFI_MEM_RESERVED = 0,
	EFI_MEM_LOADER_CODE = 1,
	EFI_MEM_LOADER_DATA = 2,
	EFI_MEM_BOOT_CODE = 3,
	EFI_MEM_BOOT_DATA = 4,
	EFI_MEM_RUNTIME_CODE = 5,
	EFI_MEM_RUNTIME_DATA = 6,
	EFI_MEM_CONVENTIONAL = 7,
	EFI_MEM_UNUSABLE = 8,
	EFI_MEM_ACPI_RECLAIM = 9,
	EFI_MEM_ACPI_NVS = 10,
	EFI_MEM_MMIO = 11,
	EFI_MEM_MMIO_PORT = 12,
	EFI_MEM_PAL_CODE = 13,
	EFI_MEM_PERSISTENT = 14,
};

struct efi_memmap_stats {
	uint32_t nr_desc;	/* descriptors in the map, a partial tail included */
	uint32_t nr_bad;	/* skipped: zero pages, base+len overflow, partial tail */
	uint32_t nr_ranges;	/* written to bi->mem (== bi->nr_mem) */
	uint32_t nr_dropped;	/* did not fit (== bi->mem_dropped) */
};

enum efi_memmap_err {
	EFI_MEMMAP_EDESC = -1,	/* desc_size smaller than struct efi_mem_desc */
	EFI_MEMMAP_EARG = -2,	/* NULL map/scratch/bi */
};

/* BOOT_MEM_* type for a UEFI memory type. */
uint32_t efi_memmap_type(uint32_t efi_type);

/*
 * Convert map[0..map_size) into bi->mem / nr_mem / mem_dropped (other
 * fields of bi are left alone). scratch is caller-provided working space of
 * scratch_len ranges, ideally one per descriptor (map_size / desc_size);
 * descriptors beyond it are counted as dropped. st may be NULL.
 * Returns the number of ranges written, or a negative enum efi_memmap_err
 * (then bi->nr_mem is 0).
 */
int efi_memmap_convert(const void *map, size_t map_size, size_t desc_size,
		       struct boot_mem_range *scratch, size_t scratch_len,
		       struct boot_info *bi, struct efi_memmap_stats *st);

#endif
