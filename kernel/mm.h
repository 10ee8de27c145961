/*
 * Kernel memory: physical pages (page_alloc.h over the sanitised boot map,
 * identity-mapped so a physical address is a pointer) and the malloc heap
 * (newlib's malloc over sbrk() in one contiguous arena).
 */
#ifndef SQUALL_MM_H
#define SQUALL_MM_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/bootinfo.h>

#define MM_LIMIT (4ULL << 30)	/* the boot page tables map 0..4 GiB */

void mm_init(const struct boot_mem_range *mem, int n);	/* boot CPU, once */

void *page_alloc(size_t n);		/* n contiguous zeroed pages, NULL if none */
void page_free(void *p, size_t n);	/* panics on a bad free: a kernel bug */
size_t page_nr_free(void);

uint64_t mm_phys_top(void);		/* end of the highest usable RAM */
size_t heap_size(void);			/* arena size in bytes */
size_t heap_used(void);			/* current break - arena start */
size_t heap_in_use(void);		/* bytes malloc has handed out */

#endif
