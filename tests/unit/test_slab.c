/* kmem_cache: per-CPU recycling of freed objects, bounded, and zeroing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <kernel/slab.h>

struct obj {
	char bytes[40];
};

static int caching_on(void **state)
{
	(void)state;
	kmem_cache_hosted_caching = 1;
	return 0;
}

static int caching_off(void **state)
{
	(void)state;
	kmem_cache_hosted_caching = 0;
	return 0;
}

/* Empty the lists through the allocator itself, then free for real (ASan sees it). */
static void drain(struct kmem_cache *c)
{
	uint64_t hits, misses, cached;
	void *o;

	kmem_cache_counts(c, &hits, &misses, &cached);
	while (cached--) {
		o = kmem_cache_alloc(c);
		kmem_cache_hosted_caching = 0;
		kmem_cache_free(c, o);
		kmem_cache_hosted_caching = 1;
	}
	assert_int_equal(kmem_cache_cached_bytes(), 0);
}

static void test_a_freed_object_comes_back(void **state)
{
	static struct kmem_cache c = KMEM_CACHE_INIT("t1", sizeof(struct obj));
	uint64_t hits, misses, cached;
	struct obj *a, *b;

	(void)state;
	a = kmem_cache_alloc(&c);
	assert_non_null(a);
	memset(a, 0xab, sizeof(*a));
	kmem_cache_free(&c, a);
	kmem_cache_counts(&c, &hits, &misses, &cached);
	assert_int_equal(hits, 0);
	assert_int_equal(misses, 1);
	assert_int_equal(cached, 1);
	assert_int_equal(kmem_cache_cached_bytes(), sizeof(struct obj));
	b = kmem_cache_zalloc(&c);
	assert_ptr_equal(a, b);			/* LIFO: the same memory */
	for (size_t i = 0; i < sizeof(*b); i++)
		assert_int_equal(b->bytes[i], 0);	/* zalloc cleared the old contents and the link */
	kmem_cache_counts(&c, &hits, &misses, &cached);
	assert_int_equal(hits, 1);
	assert_int_equal(cached, 0);
	assert_int_equal(kmem_cache_cached_bytes(), 0);
	kmem_cache_free(&c, b);
	kmem_cache_free(&c, NULL);		/* as free(NULL) */
	drain(&c);
}

static void test_the_cache_is_bounded(void **state)
{
	static struct kmem_cache c = KMEM_CACHE_INIT("t2", sizeof(struct obj));
	void *objs[KMEM_CACHE_DEPTH + 10];
	uint64_t hits, misses, cached;

	(void)state;
	for (unsigned int i = 0; i < KMEM_CACHE_DEPTH + 10; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(&c));
	for (unsigned int i = 0; i < KMEM_CACHE_DEPTH + 10; i++)
		kmem_cache_free(&c, objs[i]);	/* the last 10 go to free() */
	kmem_cache_counts(&c, &hits, &misses, &cached);
	assert_int_equal(cached, KMEM_CACHE_DEPTH);
	assert_int_equal(misses, KMEM_CACHE_DEPTH + 10);
	drain(&c);
}

static void test_tiny_objects_hold_the_link(void **state)
{
	static struct kmem_cache c = KMEM_CACHE_INIT("t3", 1);
	void *o = kmem_cache_alloc(&c);

	(void)state;
	assert_true(c.size >= sizeof(void *));
	assert_non_null(o);
	kmem_cache_free(&c, o);
	assert_ptr_equal(kmem_cache_alloc(&c), o);	/* the cached one */
	kmem_cache_free(&c, o);
	drain(&c);
	assert_null(c.cpu[0].free);
}

static void test_hosted_default_passes_through(void **state)
{
	static struct kmem_cache c = KMEM_CACHE_INIT("t4", sizeof(struct obj));
	uint64_t hits, misses, cached;

	(void)state;
	kmem_cache_free(&c, kmem_cache_alloc(&c));
	kmem_cache_counts(&c, &hits, &misses, &cached);
	assert_int_equal(hits + misses + cached, 0);	/* straight to malloc/free */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_freed_object_comes_back, caching_on, caching_off),
		cmocka_unit_test_setup_teardown(test_the_cache_is_bounded, caching_on, caching_off),
		cmocka_unit_test_setup_teardown(test_tiny_objects_hold_the_link, caching_on, caching_off),
		cmocka_unit_test(test_hosted_default_passes_through),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
