/*
 * UEFI memory map -> boot_info mem[]; see efi_memmap.h.
 *
 * Runs in the loader after the final GetMemoryMap(), when no allocation and
 * no console output is allowed, so it works only in caller-provided memory
 * and is kept simple: insertion sort (firmware maps are nearly sorted
 * already), one merge pass, then evict the smallest ranges while too many.
 */
#include <string.h>

#include "efi_memmap.h"

uint32_t efi_memmap_type(uint32_t efi_type)
{
	switch (efi_type) {
	case EFI_MEM_CONVENTIONAL:
	case EFI_MEM_BOOT_CODE:
	case EFI_MEM_BOOT_DATA:
	case EFI_MEM_LOADER_CODE:
	case EFI_MEM_LOADER_DATA:
		return BOOT_MEM_USABLE;
	case EFI_MEM_ACPI_RECLAIM:
		return BOOT_MEM_ACPI;
	case EFI_MEM_ACPI_NVS:
		return BOOT_MEM_NVS;
	case EFI_MEM_UNUSABLE:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Order by base, then type, so equal bases give a deterministic table. */
static int range_before(const struct boot_mem_range *a,
			const struct boot_mem_range *b)
{
	return a->base < b->base || (a->base == b->base && a->type < b->type);
}

static void sort_ranges(struct boot_mem_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct boot_mem_range x = r[i];
		size_t j = i;

		while (j > 0 && range_before(&x, &r[j - 1])) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

/* Merge same-type neighbours that touch or overlap; returns the new count. */
static size_t merge_ranges(struct boot_mem_range *r, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		struct boot_mem_range *prev = out ? &r[out - 1] : NULL;

		/*
		 * Every end fits in u64 (checked on input); r[i].base >=
		 * prev->base after sorting, so "touches" is base <= prev end.
		 */
		if (prev && prev->type == r[i].type &&
		    r[i].base <= prev->base + prev->len) {
			uint64_t end = r[i].base + r[i].len;

			if (end > prev->base + prev->len)
				prev->len = end - prev->base;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

/* Remove the smallest ranges until n <= max; returns the new count. */
static size_t evict_smallest(struct boot_mem_range *r, size_t n, size_t max,
			     uint32_t *dropped)
{
	while (n > max) {
		size_t min = 0;

		for (size_t i = 1; i < n; i++)
			if (r[i].len < r[min].len)
				min = i;
		/* A loop, not memmove: GNU-EFI's libefi has no memmove. */
		for (size_t i = min + 1; i < n; i++)
			r[i - 1] = r[i];
		n--;
		(*dropped)++;
	}
	return n;
}

int efi_memmap_convert(const void *map, size_t map_size, size_t desc_size,
		       struct boot_mem_range *scratch, size_t scratch_len,
		       struct boot_info *bi, struct efi_memmap_stats *st)
{
	const uint8_t *p = map;
	struct efi_memmap_stats s = { 0 };
	size_t n = 0, nr_full;

	if (st)
		memset(st, 0, sizeof(*st));
	if (!bi)
		return EFI_MEMMAP_EARG;
	bi->nr_mem = 0;
	bi->mem_dropped = 0;
	if (!map || !scratch)
		return EFI_MEMMAP_EARG;
	if (desc_size < sizeof(struct efi_mem_desc))
		return EFI_MEMMAP_EDESC;

	nr_full = map_size / desc_size;
	s.nr_desc = nr_full;
	if (map_size % desc_size) {	/* a torn last descriptor */
		s.nr_desc++;
		s.nr_bad++;
	}

	for (size_t i = 0; i < nr_full; i++) {
		struct efi_mem_desc d;

		memcpy(&d, p + i * desc_size, sizeof(d));
		if (d.nr_pages == 0 ||
		    d.nr_pages > (UINT64_MAX - d.phys_start) / EFI_MEMMAP_PAGE) {
			s.nr_bad++;
			continue;
		}
		if (n == scratch_len) {
			s.nr_dropped++;
			continue;
		}
		scratch[n].base = d.phys_start;
		scratch[n].len = d.nr_pages * EFI_MEMMAP_PAGE;
		scratch[n].type = efi_memmap_type(d.type);
		scratch[n].pad = 0;
		n++;
	}

	sort_ranges(scratch, n);
	n = merge_ranges(scratch, n);
	n = evict_smallest(scratch, n, BOOT_MEM_MAX, &s.nr_dropped);

	memcpy(bi->mem, scratch, n * sizeof(*scratch));
	bi->nr_mem = n;
	bi->mem_dropped = s.nr_dropped;
	s.nr_ranges = n;
	if (st)
		*st = s;
	return (int)n;
}
