/* Physical pages and the heap. */
#include <kernel/selftest.h>
#include <kernel/mm.h>
#include <kernel/page_alloc.h>
#include <stdint.h>
#include <stdlib.h>

extern char __kernel_start[], _end[];

SELFTEST(page_alloc, 0)
{
	size_t before = page_nr_free();
	uint8_t *a = page_alloc(1), *b = page_alloc(16);

	ST_CHECK(a && b && a != b);
	ST_CHECK((uintptr_t)a % PAGE_SIZE == 0 && (uintptr_t)b % PAGE_SIZE == 0);
	ST_CHECK(page_nr_free() == before - 17);
	/* never inside the kernel image or the first MiB */
	ST_CHECK((uintptr_t)a >= (1 << 20));
	ST_CHECK((uintptr_t)a + PAGE_SIZE <= (uintptr_t)__kernel_start || (uintptr_t)a >= (uintptr_t)_end);
	ST_CHECK(b[0] == 0 && b[16 * PAGE_SIZE - 1] == 0);	/* zeroed */
	b[16 * PAGE_SIZE - 1] = 0xaa;	/* and really ours to write */
	page_free(a, 1);
	page_free(b, 16);
	ST_CHECK(page_nr_free() == before);
	ST_CHECK(page_alloc(page_nr_free() + 1) == NULL);
	return 0;
}

SELFTEST(heap, 0)
{
	enum { N = 64 };
	void *p[N];
	size_t big = heap_size() / 2;
	char *q;

	for (int i = 0; i < N; i++) {
		p[i] = malloc((size_t)(i + 1) * 1024);
		ST_CHECK(p[i] != NULL);
	}
	for (int i = 0; i < N; i += 2)
		free(p[i]);
	for (int i = 1; i < N; i += 2)
		free(p[i]);
	q = malloc(big);	/* half the arena in one piece */
	ST_CHECK(q != NULL);
	q[big - 1] = 1;
	free(q);
	ST_CHECK(malloc(heap_size() * 2) == NULL);	/* fails cleanly */
	return 0;
}
