/*
 * Physical memory and the heap arena.
 *
 * mm_init() sanitises the boot map (memmap.c), frees the usable RAM below
 * 4 GiB into the page allocator, and keeps out page 0..1 MiB (BIOS areas,
 * the AP start-up trampoline later) and the kernel image. It then reserves
 * the heap arena: a quarter of free memory, at most 256 MiB, which sbrk()
 * (newlib's malloc) grows into.
 */
#include <kernel/mm.h>
#include <kernel/app.h>
#include <kernel/sys.h>
#include <kernel/memmap.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <errno.h>
#include <reent.h>
#include <string.h>

#define HEAP_MAX (256ULL << 20)

extern char __kernel_start[], _end[];

static struct boot_mem_range phys_map[BOOT_MEM_MAX];	/* [I] after mm_init */
static int phys_map_n;
static uint64_t phys_top;
static uint64_t pa_bitmap[(MM_LIMIT >> PAGE_SHIFT) / 64];	/* 128 KiB */
static struct page_allocator phys_pages;

DEFINE_SPINLOCK(heap_lock);
static char *heap_start, *heap_brk, *heap_end;	/* [heap_lock] brk only */

static void print_map(const struct memmap_stats *st)
{
	static const char *const names[] = { "?", "usable", "reserved", "ACPI", "NVS", "bad" };
	uint64_t usable = 0;

	for (int i = 0; i < phys_map_n; i++) {
		const struct boot_mem_range *r = &phys_map[i];

		printk("memory: 0x%09lx-0x%09lx %s\n", (unsigned long)r->base,
		       (unsigned long)(r->base + r->len - 1), names[r->type <= 5 ? r->type : 0]);
		if (r->type == BOOT_MEM_USABLE)
			usable += r->len;
	}
	if (st->invalid || st->overflow)
		printk("memory: dropped %u invalid and %u excess map entries\n",
		       st->invalid, st->overflow);
	if (st->above_limit)
		printk("memory: ignoring %lu MiB above 4 GiB (not mapped yet)\n",
		       (unsigned long)(st->above_limit >> 20));
	printk("memory: %lu MiB usable\n", (unsigned long)(usable >> 20));
}

static int claim_pages(uint64_t base, uint64_t len)
{
	return pa_claim(&phys_pages, base, len);
}

static void heap_init(void)
{
	size_t pages = page_nr_free() / 4;

	if (pages > HEAP_MAX / PAGE_SIZE)
		pages = HEAP_MAX / PAGE_SIZE;
	heap_start = (char *)(uintptr_t)pa_alloc(&phys_pages, pages);
	if (!heap_start)
		panic("heap_init: no %zu contiguous pages for the heap", pages);
	heap_brk = heap_start;
	heap_end = heap_start + pages * PAGE_SIZE;
	printk("memory: heap %zu MiB at %p\n", (size_t)(pages * PAGE_SIZE >> 20), heap_start);
}

void mm_init(const struct boot_mem_range *mem, int n)
{
	struct memmap_stats st;

	phys_map_n = memmap_sanitize(mem, n, phys_map, BOOT_MEM_MAX, MM_LIMIT, &st);
	for (int i = 0; i < phys_map_n; i++) {
		if (phys_map[i].type == BOOT_MEM_USABLE)
			phys_top = phys_map[i].base + phys_map[i].len;
	}
	print_map(&st);
	pa_init(&phys_pages, pa_bitmap, MM_LIMIT >> PAGE_SHIFT, phys_map, phys_map_n);
	pa_reserve(&phys_pages, 0, 1 << 20);
	pa_reserve(&phys_pages, (uintptr_t)__kernel_start,
		   (uintptr_t)_end - (uintptr_t)__kernel_start);
	if (!pa_nr_free(&phys_pages))
		panic("mm_init: no usable memory in the boot map");
	if (app_present())	/* before the heap, which would take its place */
		user_arena_reserve(pa_nr_free(&phys_pages) * PAGE_SIZE, claim_pages);
	heap_init();
}

void *page_alloc(size_t n)
{
	void *p = (void *)(uintptr_t)pa_alloc(&phys_pages, n);

	if (p)
		memset(p, 0, n * PAGE_SIZE);
	return p;
}

void page_free(void *p, size_t n)
{
	if (pa_free(&phys_pages, (uintptr_t)p, n))
		panic("page_free: bad free of %zu pages at %p", n, p);
}

size_t page_nr_free(void) { return pa_nr_free(&phys_pages); }
uint64_t mm_phys_top(void) { return phys_top; }
size_t heap_size(void) { return (size_t)(heap_end - heap_start); }
size_t heap_used(void) { return (size_t)(heap_brk - heap_start); }

/*
 * newlib 3.3's mallocr.c builds its struct mallinfo with int fields (it is
 * compiled without HAVE_USR_INCLUDE_MALLOC_H), while the installed
 * <malloc.h> declares size_t fields: reading it through the header gives
 * garbage on x86-64. This struct matches what the library really returns.
 */
struct newlib_mallinfo {
	int arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks;
	int uordblks;	/* bytes in allocated chunks */
	int fordblks, keepcost;
};
struct newlib_mallinfo _mallinfo_r(struct _reent *r);

size_t heap_in_use(void)
{
	return (size_t)(unsigned int)_mallinfo_r(_REENT).uordblks;
}

/* newlib's malloc grows the heap through this (called under its malloc lock). */
void *sbrk(ptrdiff_t incr)
{
	uint64_t f = spin_lock_irqsave(&heap_lock);
	char *old = heap_brk;

	if ((incr > 0 && incr > heap_end - heap_brk) || (incr < 0 && -incr > heap_brk - heap_start)) {
		spin_unlock_irqrestore(&heap_lock, f);
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_brk += incr;
	spin_unlock_irqrestore(&heap_lock, f);
	return old;
}
