/*
 * Split virtqueues (Linux's drivers/virtio/virtio_ring.c, split ring
 * only); see virtqueue.h for the interface and its locking rule.
 *
 * The device runs concurrently (another QEMU thread), so the order of
 * memory accesses is the protocol:
 *  - add: fill descriptors and the avail ring slot, write barrier, then
 *    bump avail->idx (the device must never see the index first);
 *  - kick: full barrier between publishing avail->idx and reading the
 *    device's avail_event / NO_NOTIFY, or both sides can sleep;
 *  - get_buf: read used->idx, read barrier, then the used element;
 *  - enable callbacks: write used_event, full barrier, re-read used->idx
 *    (virtqueue_poll), or an entry used in between raises no interrupt.
 * On x86 only the full barrier costs an instruction (mfence); the others
 * keep the compiler honest.
 *
 * Called by the virtio-PCI transport (creation) and virtio-net (the rest);
 * portable, built on the host for tests/unit/test_virtqueue.c.
 */
#include <drivers/virtqueue.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define virtio_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtio_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define READ_ONCE16(x) (*(const volatile uint16_t *)&(x))
#define WRITE_ONCE16(x, v) (*(volatile uint16_t *)&(x) = (uint16_t)(v))

int vring_new_virtqueue(struct virtqueue *vq, unsigned int index, unsigned int num,
			void *pages, int event_idx, vq_notify_fn notify, void *priv)
{
	if (!num || num > 32768 || (num & (num - 1)) || !pages)
		return -EINVAL;
	memset(vq, 0, sizeof(*vq));
	vq->desc_data = calloc(num, sizeof(void *));
	if (!vq->desc_data)
		return -ENOMEM;
	vring_init(&vq->vring, num, pages, VRING_ALIGN);
	vq->index = index;
	vq->event = event_idx;
	vq->notify = notify;
	vq->priv = priv;
	vq->num_free = num;
	for (unsigned int i = 0; i < num - 1; i++)
		vq->vring.desc[i].next = (uint16_t)(i + 1);
	return 0;
}

void vring_del_virtqueue(struct virtqueue *vq)
{
	free(vq->desc_data);
	vq->desc_data = NULL;
	vq->broken = 1;
}

int virtqueue_add_sgs(struct virtqueue *vq, const struct vring_sg *sg, unsigned int out_num,
		      unsigned int in_num, void *data)
{
	struct vring_desc *desc = vq->vring.desc;
	unsigned int total = out_num + in_num, i;
	uint16_t head = vq->free_head;

	if (vq->broken)
		return -EIO;
	if (!total || !data)
		return -EINVAL;
	if (vq->num_free < total)
		return -ENOSPC;
	i = head;
	for (unsigned int n = 0; n < total; n++) {
		desc[i].addr = sg[n].addr;
		desc[i].len = sg[n].len;
		desc[i].flags = (uint16_t)((n < out_num ? 0 : VRING_DESC_F_WRITE) |
					   (n + 1 < total ? VRING_DESC_F_NEXT : 0));
		i = desc[i].next;
	}
	vq->free_head = (uint16_t)i;	/* the last descriptor's next still names the rest of the free list */
	vq->num_free -= total;
	vq->desc_data[head] = data;

	vq->vring.avail->ring[vq->avail_idx_shadow & (vq->vring.num - 1)] = head;
	virtio_wmb();	/* descriptors and slot before the index that publishes them */
	vq->avail_idx_shadow++;
	WRITE_ONCE16(vq->vring.avail->idx, vq->avail_idx_shadow);
	/* Keep kick_prepare's "old" index meaningful: flush before 2^16 adds pile up. */
	if (++vq->num_added == 0xffff)
		virtqueue_kick(vq);
	return 0;
}

int virtqueue_kick_prepare(struct virtqueue *vq)
{
	uint16_t new_idx, old;
	int needs;

	virtio_mb();	/* avail->idx visible before we read what the device asked for */
	new_idx = vq->avail_idx_shadow;
	old = (uint16_t)(new_idx - vq->num_added);
	vq->num_added = 0;
	if (vq->event)
		needs = vring_need_event(READ_ONCE16(vring_avail_event(&vq->vring)), new_idx, old);
	else
		needs = !(READ_ONCE16(vq->vring.used->flags) & VRING_USED_F_NO_NOTIFY);
	if (!needs)
		vq->kicks_suppressed++;
	return needs;
}

int virtqueue_notify(struct virtqueue *vq)
{
	if (vq->broken)
		return 0;
	vq->kicks++;
	if (vq->notify(vq)) {
		vq->broken = 1;
		return 0;
	}
	return 1;
}

int virtqueue_kick(struct virtqueue *vq)
{
	if (virtqueue_kick_prepare(vq))
		return virtqueue_notify(vq);
	return !vq->broken;
}

uint16_t virtqueue_used_idx(const struct virtqueue *vq)
{
	return READ_ONCE16(vq->vring.used->idx);
}

int virtqueue_more_used(const struct virtqueue *vq)
{
	return vq->last_used_idx != READ_ONCE16(vq->vring.used->idx);
}

/* Put the chain at @head back on the free list. */
static void detach_buf(struct virtqueue *vq, unsigned int head)
{
	struct vring_desc *desc = vq->vring.desc;
	unsigned int i = head;

	vq->desc_data[head] = NULL;
	vq->num_free++;
	while (desc[i].flags & VRING_DESC_F_NEXT) {
		i = desc[i].next;
		vq->num_free++;
	}
	desc[i].next = vq->free_head;
	vq->free_head = (uint16_t)head;
}

void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len)
{
	struct vring_used_elem *e;
	unsigned int id;
	void *data;

	if (vq->broken || !virtqueue_more_used(vq))
		return NULL;
	virtio_rmb();	/* the element only after the index that covers it */
	e = &vq->vring.used->ring[vq->last_used_idx & (vq->vring.num - 1)];
	id = *(volatile uint32_t *)&e->id;
	if (len)
		*len = *(volatile uint32_t *)&e->len;
	if (id >= vq->vring.num || !vq->desc_data[id]) {
		vq->broken = 1;	/* a head we never posted: trust nothing more */
		return NULL;
	}
	data = vq->desc_data[id];
	detach_buf(vq, id);
	vq->last_used_idx++;
	/* Callbacks on: move used_event along so the next entry interrupts (Linux does the same). */
	if (!(vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) && vq->event) {
		WRITE_ONCE16(vring_used_event(&vq->vring), vq->last_used_idx);
		virtio_mb();
	}
	return data;
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	if (vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT)
		return;
	vq->avail_flags_shadow |= VRING_AVAIL_F_NO_INTERRUPT;
	if (vq->event)
		/* An index the device has already passed: it never crosses it again
		 * (until 2^16 more entries, which costs one spurious interrupt). */
		WRITE_ONCE16(vring_used_event(&vq->vring), vq->last_used_idx - 1);
	else
		WRITE_ONCE16(vq->vring.avail->flags, vq->avail_flags_shadow);
}

unsigned int virtqueue_enable_cb_prepare(struct virtqueue *vq)
{
	if (vq->avail_flags_shadow & VRING_AVAIL_F_NO_INTERRUPT) {
		vq->avail_flags_shadow &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
		if (!vq->event)	/* with EVENT_IDX the spec wants avail->flags left 0 */
			WRITE_ONCE16(vq->vring.avail->flags, vq->avail_flags_shadow);
	}
	WRITE_ONCE16(vring_used_event(&vq->vring), vq->last_used_idx);
	return vq->last_used_idx;
}

int virtqueue_poll(struct virtqueue *vq, unsigned int last_used_idx)
{
	if (vq->broken)
		return 0;
	virtio_mb();	/* used_event / flags out before we look at used->idx */
	return (uint16_t)last_used_idx != READ_ONCE16(vq->vring.used->idx);
}

int virtqueue_enable_cb(struct virtqueue *vq)
{
	return !virtqueue_poll(vq, virtqueue_enable_cb_prepare(vq));
}

void *virtqueue_detach_unused_buf(struct virtqueue *vq)
{
	for (unsigned int i = 0; i < vq->vring.num; i++) {
		void *data = vq->desc_data[i];

		if (!data)
			continue;
		detach_buf(vq, i);
		vq->avail_idx_shadow--;
		WRITE_ONCE16(vq->vring.avail->idx, vq->avail_idx_shadow);
		return data;
	}
	return NULL;
}
