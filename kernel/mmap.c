/*
 * The user arena and the memory system calls (Linux's mm/mmap.c role):
 *
 *   [user_arena_start ......................................... user_arena_end)
 *   | app image (16 MiB up) | brk heap -> ... brk_max | mmap pages (first fit) |
 *
 * mm_init() reserves the arena when the image has an app, before the
 * kernel heap takes its share; vm_allow_user() opens it to ring 3 for
 * good. brk() moves within [image_end, brk_max); mmap() (anonymous,
 * private only) and munmap() manage the rest with a page allocator of its
 * own (page_alloc.c over the arena's frames).
 *
 * Locking: arena_lock guards brk; the mmap allocator has its own lock.
 */
#include <kernel/errno.h>
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <stdlib.h>
#include <string.h>

#define APP_BASE (16ULL << 20)	/* apps are linked here (apps/lib/app.ld) */
#define SZ_2M (2ULL << 20)
#define PROT_READ 1
#define PROT_WRITE 2
#define PROT_EXEC 4
#define MAP_PRIVATE 0x02
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20

void vm_allow_user(uint64_t start, uint64_t end);

uint64_t user_arena_start, user_arena_end;
static uint64_t arena_mib;		/* [I] appmem= (0: automatic) */
DEFINE_SPINLOCK(arena_lock);
static uint64_t brk_start, brk_cur, brk_max;	/* [arena_lock] */
static struct page_allocator mmap_pages;

static const char *set_appmem(const char *val)
{
	char *end;
	unsigned long mib = val ? strtoul(val, &end, 10) : 0;

	if (!val || *end || mib < 4 || mib > 3072)
		return "must be a size in MiB from 4 to 3072";
	arena_mib = mib;
	return NULL;
}
KERNEL_PARAM("appmem", set_appmem, "appmem=MiB: memory for the app (default: a quarter of RAM)");

/* mm_init(): claim the arena out of the usable RAM before anyone else. */
void user_arena_reserve(uint64_t usable_bytes, int (*reserve)(uint64_t base, uint64_t len))
{
	uint64_t size = arena_mib ? arena_mib << 20 : usable_bytes / 4;

	size &= ~(SZ_2M - 1);
	if (size < 8 * SZ_2M)
		size = 8 * SZ_2M;
	if (reserve(APP_BASE, size))
		panic("user arena: %lu MiB at %#lx is not free RAM (try a smaller appmem=)",
		      (unsigned long)(size >> 20), (unsigned long)APP_BASE);
	user_arena_start = APP_BASE;
	user_arena_end = APP_BASE + size;
	vm_allow_user(user_arena_start, user_arena_end);
	printk("memory: user arena %lu MiB at %#lx\n", (unsigned long)(size >> 20),
	       (unsigned long)APP_BASE);
}

/* app.c, once the image is loaded: brk starts after it, mmap takes the upper part. */
int user_arena_layout(uint64_t image_end)
{
	uint64_t pages, mmap_start;
	uint64_t *bitmap;
	struct boot_mem_range r;

	image_end = (image_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (image_end >= user_arena_end)
		return -ENOMEM;
	brk_start = brk_cur = image_end;
	brk_max = image_end + (user_arena_end - image_end) / 4;	/* a quarter for brk */
	brk_max &= ~(PAGE_SIZE - 1);
	mmap_start = brk_max;
	pages = user_arena_end >> PAGE_SHIFT;
	bitmap = calloc((pages + 63) / 64, 8);
	if (!bitmap)
		return -ENOMEM;
	r = (struct boot_mem_range){ .base = mmap_start, .len = user_arena_end - mmap_start,
				     .type = BOOT_MEM_USABLE };
	pa_init(&mmap_pages, bitmap, pages, &r, 1);
	return 0;
}

long sys_brk(long addr)
{
	uint64_t want = (uint64_t)addr, f = spin_lock_irqsave(&arena_lock);

	/* Linux: an invalid request returns the current break unchanged. */
	if (want >= brk_start && want <= brk_max) {
		uint64_t old_end = (brk_cur + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t new_end = (want + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

		if (new_end > old_end)	/* fresh heap reads as zeros, as Linux's */
			memset((void *)(uintptr_t)old_end, 0, new_end - old_end);
		brk_cur = want;
	}
	want = brk_cur;
	spin_unlock_irqrestore(&arena_lock, f);
	return (long)want;
}

long sys_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
	uint64_t n, p;

	(void)addr;
	if (len <= 0 || (uint64_t)len > user_arena_end - user_arena_start || off)
		return -EINVAL;
	if (flags & MAP_FIXED)
		return -EINVAL;		/* no fixed mappings in one shared space */
	if (!(flags & MAP_ANONYMOUS) || !(flags & MAP_PRIVATE) || fd != -1)
		return -ENODEV;		/* no files to map */
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (!user_arena_end)
		return -ENOMEM;
	n = ((uint64_t)len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	p = pa_alloc(&mmap_pages, n);
	if (!p)
		return -ENOMEM;
	memset((void *)(uintptr_t)p, 0, n * PAGE_SIZE);
	return (long)p;
}

long sys_munmap(long addr, long len)
{
	uint64_t n;

	if (addr % PAGE_SIZE || len <= 0)
		return -EINVAL;
	n = ((uint64_t)len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (!access_ok((void *)addr, n * PAGE_SIZE))
		return -EINVAL;
	/* Pages not handed out by mmap (or already unmapped): Linux ignores them. */
	pa_free(&mmap_pages, (uint64_t)addr, n);
	return 0;
}

/* For the kernel: an mmap-style allocation on behalf of the app (its stacks). */
uint64_t user_alloc(uint64_t len)
{
	long r = sys_mmap(0, (long)len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return r < 0 ? 0 : (uint64_t)r;
}
