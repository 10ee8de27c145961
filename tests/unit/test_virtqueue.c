/*
 * Split virtqueues on the host (drivers/virtqueue.c) against a fake device
 * that lives in the same memory: it reads the avail ring the way QEMU
 * does, walks descriptor chains, writes the used ring, and decides on
 * interrupts and notifications with the same rules (event index or ring
 * flags). Covered: the ring layout, vring_need_event, descriptor chains,
 * a full ring, out-of-order completion, index wrap past 2^16, interrupt
 * and kick suppression with and without EVENT_IDX, the enable/poll race
 * NAPI relies on, a device returning garbage, and detaching after reset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <drivers/virtqueue.h>

#define MAX_CHAIN 8

/* ---- the fake device ---- */

struct chain {
	unsigned int head, n;
	struct vring_desc d[MAX_CHAIN];
};

struct fake_dev {
	struct vring *vr;
	int event;			/* EVENT_IDX negotiated */
	uint16_t last_avail;		/* next avail entry to take */
	uint16_t used_idx;		/* device's copy of used->idx */
	unsigned int interrupts, notifies;
	int reverse;			/* complete each batch in reverse order */
	int no_notify;			/* ask the driver not to kick (flags or avail_event) */
};

static struct fake_dev dev;

static int fake_notify(struct virtqueue *vq)
{
	(void)vq;
	dev.notifies++;
	return 0;
}

static void take_chain(struct chain *c)
{
	struct vring *vr = dev.vr;
	unsigned int i;

	c->head = i = vr->avail->ring[dev.last_avail++ & (vr->num - 1)];
	c->n = 0;
	for (;;) {
		assert_true(i < vr->num);
		assert_true(c->n < MAX_CHAIN);
		c->d[c->n++] = vr->desc[i];
		if (!(vr->desc[i].flags & VRING_DESC_F_NEXT))
			break;
		i = vr->desc[i].next;
	}
}

/* Device-writable bytes of a chain: it "writes" all of them. */
static uint32_t writable_len(const struct chain *c)
{
	uint32_t len = 0;

	for (unsigned int k = 0; k < c->n; k++)
		if (c->d[k].flags & VRING_DESC_F_WRITE)
			len += c->d[k].len;
	return len;
}

/* Use up to @max available chains; returns how many. Raises an interrupt if the driver wants one. */
static unsigned int fake_process(unsigned int max)
{
	struct vring *vr = dev.vr;
	struct chain batch[64];
	unsigned int n = 0;
	uint16_t old = dev.used_idx;

	while (n < max && n < 64 && dev.last_avail != vr->avail->idx)
		take_chain(&batch[n++]);
	for (unsigned int k = 0; k < n; k++) {
		const struct chain *c = &batch[dev.reverse ? n - 1 - k : k];
		struct vring_used_elem *e = &vr->used->ring[dev.used_idx & (vr->num - 1)];

		e->id = c->head;
		e->len = writable_len(c);
		dev.used_idx++;
	}
	vr->used->idx = dev.used_idx;
	if (dev.event)
		vring_avail_event(vr) = dev.no_notify ? (uint16_t)(dev.last_avail - 1) : dev.last_avail;
	else
		vr->used->flags = dev.no_notify ? VRING_USED_F_NO_NOTIFY : 0;
	if (n) {
		if (dev.event ? vring_need_event(vring_used_event(vr), dev.used_idx, old)
			      : !(vr->avail->flags & VRING_AVAIL_F_NO_INTERRUPT))
			dev.interrupts++;
	}
	return n;
}

/* ---- fixture ---- */

struct fixture {
	struct virtqueue vq;
	void *mem;
	unsigned int num;
};

static struct fixture *fixture_new(unsigned int num, int event)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->num = num;
	assert_int_equal(posix_memalign(&f->mem, VRING_ALIGN, vring_size(num, VRING_ALIGN)), 0);
	memset(f->mem, 0, vring_size(num, VRING_ALIGN));
	assert_int_equal(vring_new_virtqueue(&f->vq, 3, num, f->mem, event, fake_notify, f), 0);
	memset(&dev, 0, sizeof(dev));
	dev.vr = &f->vq.vring;
	dev.event = event;
	return f;
}

static void fixture_free(struct fixture *f)
{
	vring_del_virtqueue(&f->vq);
	free(f->mem);
	free(f);
}

static void *token(uintptr_t n)
{
	return (void *)(n * 16 + 0x1000);
}

static int add_one(struct virtqueue *vq, uintptr_t tok, unsigned int out, unsigned int in)
{
	struct vring_sg sg[MAX_CHAIN];

	for (unsigned int k = 0; k < out + in; k++)
		sg[k] = (struct vring_sg){ 0x100000 + tok * 0x1000 + k * 0x100, 10 + k };
	return virtqueue_add_sgs(vq, sg, out, in, token(tok));
}

/* ---- tests ---- */

static void test_need_event_math(void **state)
{
	(void)state;
	assert_true(vring_need_event(5, 6, 5));		/* crossed exactly */
	assert_true(vring_need_event(5, 10, 3));	/* crossed inside a batch */
	assert_false(vring_need_event(5, 5, 4));	/* not reached yet */
	assert_false(vring_need_event(5, 10, 6));	/* already past before this batch */
	assert_false(vring_need_event(5, 5, 5));	/* nothing new */
	/* across the 2^16 wrap */
	assert_true(vring_need_event(0xffff, 0, 0xfffe));
	assert_true(vring_need_event(0xfffe, 3, 0xfff0));
	assert_false(vring_need_event(2, 0xffff, 0xfff0));
	/* "an index already passed" never fires: what disable_cb writes */
	for (unsigned int old = 0; old < 70000; old += 997) {
		uint16_t o = (uint16_t)old;

		assert_false(vring_need_event((uint16_t)(o - 1), (uint16_t)(o + 1), o));
		assert_false(vring_need_event((uint16_t)(o - 1), (uint16_t)(o + 256), o));
	}
}

static void test_layout(void **state)
{
	struct vring vr;
	static char mem[3 * 4096] __attribute__((aligned(4096)));

	(void)state;
	/* Linux's vring_size(256, 4096): 4096 desc + 518 avail -> 8192, + 6 + 2048 used */
	assert_int_equal(vring_size(256, VRING_ALIGN), 8192 + 6 + 256 * 8);
	assert_int_equal(vring_size(64, VRING_ALIGN), 4096 + 6 + 64 * 8);
	vring_init(&vr, 64, mem, VRING_ALIGN);
	assert_ptr_equal(vr.desc, mem);
	assert_ptr_equal(vr.avail, mem + 64 * 16);
	assert_ptr_equal(vr.used, mem + 4096);
	assert_ptr_equal(&vring_used_event(&vr), mem + 64 * 16 + 4 + 64 * 2);
	assert_ptr_equal(&vring_avail_event(&vr), mem + 4096 + 4 + 64 * 8);
	assert_true((char *)&vring_avail_event(&vr) + 2 <= mem + vring_size(64, VRING_ALIGN));
}

static void test_bad_sizes_refused(void **state)
{
	struct virtqueue vq;
	static char mem[4096 * 4];

	(void)state;
	assert_int_equal(vring_new_virtqueue(&vq, 0, 0, mem, 1, fake_notify, NULL), -EINVAL);
	assert_int_equal(vring_new_virtqueue(&vq, 0, 48, mem, 1, fake_notify, NULL), -EINVAL);
	assert_int_equal(vring_new_virtqueue(&vq, 0, 65536, mem, 1, fake_notify, NULL), -EINVAL);
	assert_int_equal(vring_new_virtqueue(&vq, 0, 8, NULL, 1, fake_notify, NULL), -EINVAL);
}

static void test_chain_out_then_in(void **state)
{
	struct fixture *f = fixture_new(16, 1);
	struct chain c;
	unsigned int len = 0;

	(void)state;
	assert_int_equal(add_one(&f->vq, 1, 2, 1), 0);
	assert_int_equal(f->vq.num_free, 13);
	assert_true(virtqueue_kick(&f->vq));
	take_chain(&c);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.d[0].flags, VRING_DESC_F_NEXT);
	assert_int_equal(c.d[1].flags, VRING_DESC_F_NEXT);
	assert_int_equal(c.d[2].flags, VRING_DESC_F_WRITE);
	assert_int_equal(c.d[0].addr, 0x100000 + 0x1000);
	assert_int_equal(c.d[1].addr, 0x100000 + 0x1000 + 0x100);
	assert_int_equal(c.d[2].len, 12);
	dev.last_avail = 0;	/* let fake_process take it again */
	assert_int_equal(fake_process(8), 1);
	assert_ptr_equal(virtqueue_get_buf(&f->vq, &len), token(1));
	assert_int_equal(len, 12);	/* only the writable part counts */
	assert_null(virtqueue_get_buf(&f->vq, &len));
	assert_int_equal(f->vq.num_free, 16);
	assert_int_equal(add_one(&f->vq, 2, 0, 0), -EINVAL);
	fixture_free(f);
}

static void test_full_ring(void **state)
{
	struct fixture *f = fixture_new(8, 1);

	(void)state;
	for (uintptr_t t = 1; t <= 8; t++)
		assert_int_equal(add_one(&f->vq, t, 0, 1), 0);
	assert_int_equal(f->vq.num_free, 0);
	assert_int_equal(add_one(&f->vq, 9, 0, 1), -ENOSPC);
	assert_true(virtqueue_kick(&f->vq));
	assert_int_equal(fake_process(3), 3);
	for (uintptr_t t = 1; t <= 3; t++)
		assert_ptr_equal(virtqueue_get_buf(&f->vq, NULL), token(t));
	assert_int_equal(add_one(&f->vq, 10, 2, 2), -ENOSPC);	/* 4 > 3 free */
	assert_int_equal(add_one(&f->vq, 10, 1, 2), 0);
	assert_int_equal(f->vq.num_free, 0);
	fixture_free(f);
}

/* Random chains, completed in reverse batches, for more than 2^16 indices. */
static void wrap_run(int event)
{
	struct fixture *f = fixture_new(64, event);
	uintptr_t next_tok = 1;
	static unsigned int chain_len[70000 + 64];	/* descriptors per live token, 0 = returned */
	unsigned int outstanding = 0;
	uint64_t done = 0;

	memset(chain_len, 0, sizeof(chain_len));

	srand(42);
	dev.reverse = 1;
	while (done < 70000) {
		unsigned int len;
		void *t;

		for (;;) {
			unsigned int out = (unsigned int)rand() % 3, in = 1 + (unsigned int)rand() % 2;

			if (next_tok >= 70000 + 64 || add_one(&f->vq, next_tok, out, in) != 0)
				break;
			chain_len[next_tok++] = out + in;
			outstanding++;
		}
		virtqueue_kick(&f->vq);
		fake_process(1 + (unsigned int)rand() % 40);
		while ((t = virtqueue_get_buf(&f->vq, &len))) {
			uintptr_t n = ((uintptr_t)t - 0x1000) / 16;

			assert_true(n > 0 && n < next_tok);
			assert_int_not_equal(chain_len[n], 0);	/* each token comes back once */
			chain_len[n] = 0;
			outstanding--;
			done++;
		}
		assert_true(f->vq.num_free <= 64);
	}
	assert_int_equal(f->vq.last_used_idx, (uint16_t)done);	/* the 16-bit indices wrapped */
	assert_false(f->vq.broken);
	/* drain: every descriptor comes home */
	while (outstanding) {
		virtqueue_kick(&f->vq);
		fake_process(64);
		while (virtqueue_get_buf(&f->vq, NULL))
			outstanding--;
	}
	assert_int_equal(f->vq.num_free, 64);
	fixture_free(f);
}

static void test_wrap_event_idx(void **state)
{
	(void)state;
	wrap_run(1);
}

static void test_wrap_flags(void **state)
{
	(void)state;
	wrap_run(0);
}

/* The NAPI cycle: interrupt, callbacks off, reap, callbacks on, re-check. */
static void napi_cycle(int event)
{
	struct fixture *f = fixture_new(32, event);

	for (uintptr_t t = 1; t <= 32; t++)
		assert_int_equal(add_one(&f->vq, t, 0, 1), 0);
	virtqueue_kick(&f->vq);

	assert_int_equal(fake_process(1), 1);
	assert_int_equal(dev.interrupts, 1);		/* callbacks start enabled */
	virtqueue_disable_cb(&f->vq);			/* the irq handler */
	assert_int_equal(fake_process(5), 5);
	assert_int_equal(dev.interrupts, 1);		/* quiet while polling */
	for (int k = 0; k < 6; k++)
		assert_non_null(virtqueue_get_buf(&f->vq, NULL));
	assert_int_equal(fake_process(2), 2);
	assert_int_equal(dev.interrupts, 1);

	/* poll below budget: enable, but two entries came in meanwhile */
	assert_false(virtqueue_enable_cb(&f->vq));	/* "more work": reschedule */
	virtqueue_disable_cb(&f->vq);
	while (virtqueue_get_buf(&f->vq, NULL))
		;
	/* the race itself: the device uses an entry between prepare and poll */
	{
		unsigned int last = virtqueue_enable_cb_prepare(&f->vq);

		assert_false(virtqueue_poll(&f->vq, last));
		assert_int_equal(fake_process(1), 1);
		assert_int_equal(dev.interrupts, 2);	/* armed again: this one interrupts */
		assert_true(virtqueue_poll(&f->vq, last));
	}
	assert_non_null(virtqueue_get_buf(&f->vq, NULL));
	/* callbacks on and reaped: each new entry interrupts (event idx moves along) */
	assert_int_equal(fake_process(1), 1);
	assert_int_equal(dev.interrupts, 3);
	assert_non_null(virtqueue_get_buf(&f->vq, NULL));
	assert_int_equal(fake_process(1), 1);
	assert_int_equal(dev.interrupts, 4);
	fixture_free(f);
}

static void test_napi_cycle_event_idx(void **state)
{
	(void)state;
	napi_cycle(1);
}

static void test_napi_cycle_flags(void **state)
{
	(void)state;
	napi_cycle(0);
	/* with flags, avail->flags is what the device reads; with EVENT_IDX it must stay 0 */
}

static void test_event_idx_leaves_avail_flags_zero(void **state)
{
	struct fixture *f = fixture_new(8, 1);

	(void)state;
	virtqueue_disable_cb(&f->vq);
	assert_int_equal(f->vq.vring.avail->flags, 0);
	virtqueue_enable_cb(&f->vq);
	assert_int_equal(f->vq.vring.avail->flags, 0);
	fixture_free(f);
}

static void kick_suppression(int event)
{
	struct fixture *f = fixture_new(16, event);

	assert_int_equal(add_one(&f->vq, 1, 0, 1), 0);
	assert_true(virtqueue_kick(&f->vq));
	assert_int_equal(dev.notifies, 1);		/* device idle: wants the kick */
	dev.no_notify = 1;				/* device busy, polling the ring */
	fake_process(1);
	assert_int_equal(add_one(&f->vq, 2, 0, 1), 0);
	assert_true(virtqueue_kick(&f->vq));
	assert_int_equal(dev.notifies, 1);
	assert_int_equal(f->vq.kicks_suppressed, 1);
	dev.no_notify = 0;				/* device goes idle again */
	fake_process(1);
	assert_int_equal(add_one(&f->vq, 3, 0, 1), 0);
	assert_int_equal(add_one(&f->vq, 4, 0, 1), 0);
	assert_true(virtqueue_kick(&f->vq));
	assert_int_equal(dev.notifies, 2);		/* one kick for the batch */
	fixture_free(f);
}

static void test_kick_suppression_event_idx(void **state)
{
	(void)state;
	kick_suppression(1);
}

static void test_kick_suppression_flags(void **state)
{
	(void)state;
	kick_suppression(0);
}

static void test_broken_device(void **state)
{
	struct fixture *f = fixture_new(8, 1);

	(void)state;
	assert_int_equal(add_one(&f->vq, 1, 0, 1), 0);
	virtqueue_kick(&f->vq);
	/* the device reports a head it was never given */
	f->vq.vring.used->ring[0].id = 5;
	f->vq.vring.used->idx = 1;
	assert_null(virtqueue_get_buf(&f->vq, NULL));
	assert_true(f->vq.broken);
	assert_int_equal(add_one(&f->vq, 2, 0, 1), -EIO);
	assert_false(virtqueue_kick(&f->vq));
	/* an out-of-range head too */
	f->vq.broken = 0;
	f->vq.vring.used->ring[0].id = 99;
	assert_null(virtqueue_get_buf(&f->vq, NULL));
	assert_true(f->vq.broken);
	fixture_free(f);
}

static void test_detach_unused(void **state)
{
	struct fixture *f = fixture_new(8, 1);
	unsigned int seen = 0;
	void *t;

	(void)state;
	for (uintptr_t n = 1; n <= 3; n++)
		assert_int_equal(add_one(&f->vq, n, 1, 1), 0);
	while ((t = virtqueue_detach_unused_buf(&f->vq)))
		seen |= 1u << (((uintptr_t)t - 0x1000) / 16);
	assert_int_equal(seen, 0xe);
	assert_int_equal(f->vq.num_free, 8);
	assert_int_equal(f->vq.vring.avail->idx, 0);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_event_math),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_bad_sizes_refused),
		cmocka_unit_test(test_chain_out_then_in),
		cmocka_unit_test(test_full_ring),
		cmocka_unit_test(test_wrap_event_idx),
		cmocka_unit_test(test_wrap_flags),
		cmocka_unit_test(test_napi_cycle_event_idx),
		cmocka_unit_test(test_napi_cycle_flags),
		cmocka_unit_test(test_event_idx_leaves_avail_flags_zero),
		cmocka_unit_test(test_kick_suppression_event_idx),
		cmocka_unit_test(test_kick_suppression_flags),
		cmocka_unit_test(test_broken_device),
		cmocka_unit_test(test_detach_unused),
	};

	return cmocka_run_group_tests_name("virtqueue", tests, NULL, NULL);
}
