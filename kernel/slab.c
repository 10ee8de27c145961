/* Per-CPU object caches; see slab.h. Hand-written: newlib has no such layer. */
#include <kernel/slab.h>
#include <kernel/spinlock.h>
#include <stdlib.h>
#include <string.h>

static uint64_t cached_bytes;	/* [a] over all caches and CPUs */

uint64_t kmem_cache_cached_bytes(void)
{
	return __atomic_load_n(&cached_bytes, __ATOMIC_RELAXED);
}

#ifdef SQUALL_HOSTED
int kmem_cache_hosted_caching;
#define CACHING kmem_cache_hosted_caching
#else
#define CACHING 1
#endif

void *kmem_cache_alloc(struct kmem_cache *c)
{
	struct kmem_cache_cpu *cc;
	uint64_t f;
	void *obj = NULL;

	if (CACHING) {
		f = local_irq_save();
		cc = &c->cpu[smp_processor_id()];
		if ((obj = cc->free) != NULL) {
			cc->free = *(void **)obj;
			cc->count--;
			cc->hits++;
			__atomic_sub_fetch(&cached_bytes, c->size, __ATOMIC_RELAXED);
		} else {
			cc->misses++;
		}
		local_irq_restore(f);
	}
	return obj ? obj : malloc(c->size);
}

void *kmem_cache_zalloc(struct kmem_cache *c)
{
	void *obj = kmem_cache_alloc(c);

	if (obj)
		memset(obj, 0, c->size);
	return obj;
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct kmem_cache_cpu *cc;
	uint64_t f;

	if (!obj)
		return;
	if (CACHING) {
		f = local_irq_save();
		cc = &c->cpu[smp_processor_id()];
		if (cc->count < KMEM_CACHE_DEPTH) {
			*(void **)obj = cc->free;
			cc->free = obj;
			cc->count++;
			__atomic_add_fetch(&cached_bytes, c->size, __ATOMIC_RELAXED);
			obj = NULL;
		}
		local_irq_restore(f);
	}
	free(obj);
}

void kmem_cache_counts(const struct kmem_cache *c, uint64_t *hits, uint64_t *misses, uint64_t *cached)
{
	*hits = *misses = *cached = 0;
	for (unsigned int i = 0; i < NR_CPUS; i++) {
		*hits += c->cpu[i].hits;
		*misses += c->cpu[i].misses;
		*cached += c->cpu[i].count;
	}
}
