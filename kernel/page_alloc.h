/*
 * Physical page allocator: one bitmap over page frames [0, npages), a set
 * bit meaning "not free" (allocated, reserved or not RAM). It never touches
 * the memory it hands out, so the host tests can manage made-up addresses.
 * First-fit from a rotating hint; contiguous runs of any length.
 *
 * Locking: pa->lock guards every field; callable from process or softirq
 * context (interrupts are disabled while it is held).
 */
#ifndef SQUALL_PAGE_ALLOC_H
#define SQUALL_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/bootinfo.h>
#include <kernel/spinlock.h>

#define PAGE_SIZE 4096ULL
#define PAGE_SHIFT 12

struct page_allocator {
	struct spinlock lock;
	uint64_t *bitmap;	/* [lock] caller's storage, npages bits */
	uint64_t npages;	/* [I] frames covered, from physical address 0 */
	uint64_t nfree;		/* [lock] */
	uint64_t hint;		/* [lock] where the next search starts */
};

/*
 * Mark every page not free, then free the usable ranges of @mem (whole
 * pages inside them, below npages). Reserve ranges with pa_reserve() next.
 */
void pa_init(struct page_allocator *pa, uint64_t *bitmap, uint64_t npages,
	     const struct boot_mem_range *mem, int n);

/* Take [base, base+len) out of the free pool (pages partly inside count). */
void pa_reserve(struct page_allocator *pa, uint64_t base, uint64_t len);

/* Take [base, base+len) only if every page in it is free: 0, else -1 and nothing changes. */
int pa_claim(struct page_allocator *pa, uint64_t base, uint64_t len);

/* @n contiguous free pages: their physical address, or 0 when none fit. */
uint64_t pa_alloc(struct page_allocator *pa, uint64_t n);

/* Give back what pa_alloc() gave. -1 (nothing changed) if @phys is not
 * page-aligned, out of range, or any of its pages is already free. */
int pa_free(struct page_allocator *pa, uint64_t phys, uint64_t n);

uint64_t pa_nr_free(struct page_allocator *pa);

#endif
