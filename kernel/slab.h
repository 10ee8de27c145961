/*
 * Object caches (Linux's kmem_cache API, not its slab allocator): a cache
 * of one object size keeps, per CPU, a short LIFO list of freed objects, so
 * the per-connection structures (socks, request socks, sockets, files,
 * epoll items, timewait buckets) are recycled on the CPU that freed them
 * without taking newlib's malloc lock, which every CPU shares. Anything
 * the lists cannot hold goes back to malloc/free.
 *
 * Locking: a CPU's list is touched only by that CPU with interrupts off
 * (objects are freed from process and softirq context alike). The hosted
 * build passes straight through to malloc/free unless a test turns the
 * caching on (kmem_cache_hosted_caching), so ASan still sees every free.
 */
#ifndef SQUALL_SLAB_H
#define SQUALL_SLAB_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/percpu.h>

#define KMEM_CACHE_DEPTH 64	/* objects kept per CPU */

struct kmem_cache_cpu {
	void *free;		/* [cpu, irqs off] a list through each object's first word */
	unsigned int count;	/* [cpu, irqs off] */
	uint64_t hits, misses;	/* [cpu, irqs off] allocations served by the list / by malloc */
} __attribute__((aligned(64)));

struct kmem_cache {
	const char *name;	/* [I] */
	size_t size;		/* [I] at least a pointer */
	struct kmem_cache_cpu cpu[NR_CPUS];	/* per-CPU */
};

/* A cache for objects of @size bytes (a static instance: no create/destroy needed). */
#define KMEM_CACHE_INIT(nm, sz) { .name = (nm), .size = (sz) < sizeof(void *) ? sizeof(void *) : (sz) }

void *kmem_cache_alloc(struct kmem_cache *c);
void *kmem_cache_zalloc(struct kmem_cache *c);	/* zeroed */
void kmem_cache_free(struct kmem_cache *c, void *obj);
/* Bytes held in every cache's lists: malloc counts them in use (selftest leak checks subtract them). */
uint64_t kmem_cache_cached_bytes(void);
/* Totals over CPUs, for the stats and tests. */
void kmem_cache_counts(const struct kmem_cache *c, uint64_t *hits, uint64_t *misses, uint64_t *cached);

#ifdef SQUALL_HOSTED
extern int kmem_cache_hosted_caching;	/* 0: pass through (the default) */
#endif

#endif
