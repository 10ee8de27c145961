/* Bitmap page allocator; see page_alloc.h. */
#include <kernel/page_alloc.h>
#include <string.h>

static int test_bit(const uint64_t *b, uint64_t i) { return (b[i / 64] >> (i % 64)) & 1; }
static void set_bit(uint64_t *b, uint64_t i) { b[i / 64] |= 1ULL << (i % 64); }
static void clear_bit(uint64_t *b, uint64_t i) { b[i / 64] &= ~(1ULL << (i % 64)); }

void pa_init(struct page_allocator *pa, uint64_t *bitmap, uint64_t npages,
	     const struct boot_mem_range *mem, int n)
{
	static DEFINE_LOCK_CLASS(page_alloc_class, "page_alloc");

	*pa = (struct page_allocator){ .bitmap = bitmap, .npages = npages };
	spin_lock_init(&pa->lock, &page_alloc_class);
	memset(bitmap, 0xff, (npages + 63) / 64 * 8);
	for (int i = 0; i < n; i++) {
		uint64_t first, end;

		if (mem[i].type != BOOT_MEM_USABLE || mem[i].base + mem[i].len < mem[i].base)
			continue;
		first = (mem[i].base + PAGE_SIZE - 1) >> PAGE_SHIFT;
		end = (mem[i].base + mem[i].len) >> PAGE_SHIFT;
		if (end > npages)
			end = npages;
		for (uint64_t p = first; p < end; p++) {
			if (test_bit(bitmap, p)) {
				clear_bit(bitmap, p);
				pa->nfree++;
			}
		}
	}
}

void pa_reserve(struct page_allocator *pa, uint64_t base, uint64_t len)
{
	uint64_t first = base >> PAGE_SHIFT;
	uint64_t end = len > UINT64_MAX - base ? pa->npages
		       : (base + len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	uint64_t f = spin_lock_irqsave(&pa->lock);

	if (end > pa->npages)
		end = pa->npages;
	for (uint64_t p = first; p < end; p++) {
		if (!test_bit(pa->bitmap, p)) {
			set_bit(pa->bitmap, p);
			pa->nfree--;
		}
	}
	spin_unlock_irqrestore(&pa->lock, f);
}

static uint64_t free_run(const struct page_allocator *pa, uint64_t p, uint64_t want);

int pa_claim(struct page_allocator *pa, uint64_t base, uint64_t len)
{
	uint64_t first = base >> PAGE_SHIFT, n, f;
	int ok;

	if (base % PAGE_SIZE || !len || len > UINT64_MAX - base || first >= pa->npages)
		return -1;
	n = (len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (n > pa->npages - first)
		return -1;
	f = spin_lock_irqsave(&pa->lock);
	ok = free_run(pa, first, n) == n;
	if (ok) {
		for (uint64_t i = 0; i < n; i++)
			set_bit(pa->bitmap, first + i);
		pa->nfree -= n;
	}
	spin_unlock_irqrestore(&pa->lock, f);
	return ok ? 0 : -1;
}

/* Length of the free run starting at @p, stopping at @want. */
static uint64_t free_run(const struct page_allocator *pa, uint64_t p, uint64_t want)
{
	uint64_t len = 0;

	while (len < want && p + len < pa->npages && !test_bit(pa->bitmap, p + len))
		len++;
	return len;
}

static uint64_t find_run(const struct page_allocator *pa, uint64_t from, uint64_t to, uint64_t n)
{
	uint64_t p = from;

	while (p + n <= to) {
		uint64_t run;

		if (p % 64 == 0 && pa->bitmap[p / 64] == ~0ULL) {
			p += 64;	/* a whole word of used pages */
			continue;
		}
		run = free_run(pa, p, n);
		if (run == n)
			return p;
		p += run + 1;
	}
	return UINT64_MAX;
}

uint64_t pa_alloc(struct page_allocator *pa, uint64_t n)
{
	uint64_t f, p;

	if (n == 0 || n > pa->npages)
		return 0;
	f = spin_lock_irqsave(&pa->lock);
	p = find_run(pa, pa->hint, pa->npages, n);
	if (p == UINT64_MAX)
		p = find_run(pa, 0, pa->hint + n < pa->npages ? pa->hint + n : pa->npages, n);
	if (p != UINT64_MAX) {
		for (uint64_t i = 0; i < n; i++)
			set_bit(pa->bitmap, p + i);
		pa->nfree -= n;
		pa->hint = p + n;
	}
	spin_unlock_irqrestore(&pa->lock, f);
	return p == UINT64_MAX ? 0 : p << PAGE_SHIFT;
}

int pa_free(struct page_allocator *pa, uint64_t phys, uint64_t n)
{
	uint64_t first = phys >> PAGE_SHIFT, f;
	int ok = 1;

	if (phys % PAGE_SIZE || n == 0 || first >= pa->npages || n > pa->npages - first)
		return -1;
	f = spin_lock_irqsave(&pa->lock);
	for (uint64_t i = 0; i < n && ok; i++)
		ok = test_bit(pa->bitmap, first + i);
	if (ok) {
		for (uint64_t i = 0; i < n; i++)
			clear_bit(pa->bitmap, first + i);
		pa->nfree += n;
	}
	spin_unlock_irqrestore(&pa->lock, f);
	return ok ? 0 : -1;
}

uint64_t pa_nr_free(struct page_allocator *pa)
{
	return __atomic_load_n(&pa->nfree, __ATOMIC_RELAXED);
}
