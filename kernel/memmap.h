/*
 * The physical memory map, made trustworthy. Firmware maps can be unsorted,
 * overlapping, zero-length or wrap around; memmap_sanitize() turns one into
 * sorted, disjoint ranges where any reserved-like type wins over usable,
 * usable RAM is page-aligned inwards and clipped to @limit (what the kernel
 * maps). Portable: host-tested with malformed maps.
 */
#ifndef SQUALL_MEMMAP_H
#define SQUALL_MEMMAP_H

#include <kernel/bootinfo.h>

struct memmap_stats {
	unsigned int invalid;	/* zero-length or wrapping ranges dropped */
	unsigned int overflow;	/* ranges that did not fit in the output */
	uint64_t above_limit;	/* usable bytes ignored above @limit */
};

/* Returns the number of ranges written to @out (at most @max). */
int memmap_sanitize(const struct boot_mem_range *in, int n,
		    struct boot_mem_range *out, int max, uint64_t limit,
		    struct memmap_stats *st);

#endif
