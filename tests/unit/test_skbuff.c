/* sk_buff data operations, queues, copies and accounting, on the host. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <net/core/skbuff.h>

static void test_reserve_put_push_pull(void **state)
{
	struct sk_buff *skb = alloc_skb(256);
	uint8_t *p;

	(void)state;
	assert_non_null(skb);
	skb_reserve(skb, 64);
	assert_int_equal(skb_headroom(skb), 64);
	p = skb_put(skb, 10);
	memset(p, 'd', 10);
	assert_int_equal(skb->len, 10);
	p = skb_push(skb, 14);
	memset(p, 'h', 14);
	assert_int_equal(skb->len, 24);
	assert_int_equal(skb_headroom(skb), 50);
	p = skb_pull(skb, 14);
	assert_ptr_equal(p, skb->data);
	assert_int_equal(skb->data[0], 'd');
	assert_null(skb_pull(skb, 11));		/* more than there is: refused */
	assert_int_equal(skb->len, 10);
	assert_true(pskb_may_pull(skb, 10));
	assert_false(pskb_may_pull(skb, 11));
	skb_trim(skb, 4);
	assert_int_equal(skb->len, 4);
	assert_int_equal(skb_tailroom(skb), skb->end - skb->tail);
	consume_skb(skb);
}

static void test_small_and_large_allocations(void **state)
{
	int64_t base = skb_outstanding();
	struct sk_buff *a = alloc_skb(100), *b = alloc_skb(SKB_SMALL_MAX + 1);

	(void)state;
	assert_true(a && b);
	assert_true(a->cached && !b->cached);
	assert_true(skb_tailroom(b) >= SKB_SMALL_MAX + 1);
	assert_int_equal(skb_outstanding(), base + 2);
	kfree_skb_reason(a, SKB_DROP_REASON_IP_CSUM);
	consume_skb(b);
	assert_int_equal(skb_outstanding(), base);
	/* the cached buffer comes back from this CPU's list */
	a = alloc_skb(10);
	assert_non_null(a);
	consume_skb(a);
}

static void test_drop_reasons_counted(void **state)
{
	uint64_t before = skb_drop_count(SKB_DROP_REASON_IP_TTL);

	(void)state;
	kfree_skb_reason(alloc_skb(10), SKB_DROP_REASON_IP_TTL);
	kfree_skb_reason(alloc_skb(10), SKB_DROP_REASON_IP_TTL);
	kfree_skb_reason(alloc_skb(10), (enum skb_drop_reason)9999);	/* bogus: not specified */
	kfree_skb(NULL);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_IP_TTL), before + 2);
	assert_string_equal(skb_drop_reason_name(SKB_DROP_REASON_IP_TTL), "IP_TTL");
	assert_string_equal(skb_drop_reason_name((enum skb_drop_reason)9999), "?");
	assert_int_equal(skb_drop_count((enum skb_drop_reason)9999), 0);
}

static void test_queue_fifo_and_purge(void **state)
{
	struct sk_buff_head q;
	struct sk_buff *s[3];
	int64_t base = skb_outstanding();

	(void)state;
	skb_queue_head_init(&q);
	assert_true(skb_queue_empty(&q));
	assert_null(skb_dequeue(&q));
	for (int i = 0; i < 3; i++) {
		s[i] = alloc_skb(16);
		skb_queue_tail(&q, s[i]);
	}
	assert_int_equal(skb_queue_len(&q), 3);
	assert_ptr_equal(skb_peek(&q), s[0]);
	assert_ptr_equal(skb_dequeue(&q), s[0]);
	consume_skb(s[0]);
	__skb_unlink(s[2], &q);
	consume_skb(s[2]);
	assert_int_equal(skb_queue_len(&q), 1);
	skb_queue_purge(&q);
	assert_true(skb_queue_empty(&q));
	assert_int_equal(skb_outstanding(), base);
}

static void test_copy_is_independent(void **state)
{
	struct sk_buff *a = alloc_skb(128), *b;

	(void)state;
	skb_reserve(a, 32);
	memcpy(skb_put(a, 5), "hello", 5);
	a->protocol = 0x0008;
	a->cb[0] = 7;
	b = skb_copy(a);
	assert_non_null(b);
	assert_int_equal(b->len, 5);
	assert_int_equal(skb_headroom(b), 32);
	assert_memory_equal(b->data, "hello", 5);
	assert_int_equal(b->protocol, 0x0008);
	assert_int_equal(b->cb[0], 7);
	b->data[0] = 'j';
	assert_int_equal(a->data[0], 'h');
	consume_skb(a);
	consume_skb(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserve_put_push_pull),
		cmocka_unit_test(test_small_and_large_allocations),
		cmocka_unit_test(test_drop_reasons_counted),
		cmocka_unit_test(test_queue_fifo_and_purge),
		cmocka_unit_test(test_copy_is_independent),
	};

	int failed = cmocka_run_group_tests_name("skbuff", tests, NULL, NULL);

	skb_cache_shrink();	/* the per-CPU cache is not a leak */
	return failed;
}
