/*
 * Split virtqueues (virtio 1.0 §2.4; Linux's include/uapi/linux/virtio_ring.h
 * and drivers/virtio/virtio_ring.c, split ring only, no indirect
 * descriptors). Portable: no hardware access, the transport supplies the
 * ring memory and a notify function, so the host unit tests drive it
 * against a fake device in memory.
 *
 * Use, by one owner at a time:
 *   virtqueue_add_inbuf/outbuf/sgs()  post a buffer chain with a token
 *   virtqueue_kick()                  publish and notify the device if it wants it
 *   virtqueue_get_buf()               reap the next used chain: its token and length
 *   virtqueue_disable_cb()            ask the device for no interrupts
 *   virtqueue_enable_cb_prepare() +
 *   virtqueue_poll()                  ask again, then check for work that raced in
 *
 * Interrupt suppression uses VIRTIO_F_EVENT_IDX when negotiated (used_event
 * / avail_event, vring_need_event) and the ring flags otherwise.
 *
 * Locking: a virtqueue has no lock. Its owner serialises every call: for
 * virtio-net RX the NAPI instance (SCHED bit), for TX the netdev queue's
 * tx_lock. Fields tagged [o] are touched only by the owner; [I] are set
 * at creation; [d] is memory the device writes.
 */
#ifndef SQUALL_VIRTQUEUE_H
#define SQUALL_VIRTQUEUE_H

#include <stddef.h>
#include <stdint.h>

/* Ring layout; all fields little-endian (x86 and the host tests are LE). */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1
#define VRING_ALIGN 4096	/* legacy layout: used ring on its own page */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];	/* num entries, then used_event */
};

struct vring_used_elem {
	uint32_t id;		/* head of the chain */
	uint32_t len;		/* bytes the device wrote */
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct vring_used_elem ring[];	/* num entries, then avail_event */
};

struct vring {
	unsigned int num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
};

/* The driver's "interrupt me after this used index" and the device's "kick me after this avail index". */
#define vring_used_event(vr) ((vr)->avail->ring[(vr)->num])
#define vring_avail_event(vr) (*(uint16_t *)&(vr)->used->ring[(vr)->num])

static inline size_t vring_size(unsigned int num, size_t align)
{
	size_t a = sizeof(struct vring_desc) * num + sizeof(uint16_t) * (3 + num);

	a = (a + align - 1) & ~(align - 1);
	return a + sizeof(uint16_t) * 3 + sizeof(struct vring_used_elem) * num;
}

static inline void vring_init(struct vring *vr, unsigned int num, void *p, size_t align)
{
	vr->num = num;
	vr->desc = p;
	vr->avail = (struct vring_avail *)((char *)p + num * sizeof(struct vring_desc));
	vr->used = (struct vring_used *)(((uintptr_t)&vr->avail->ring[num] + sizeof(uint16_t) +
					  align - 1) & ~(uintptr_t)(align - 1));
}

/*
 * Has the index moved past @event_idx going from @old to @new_idx?
 * (virtio 1.0 §2.4.7.2; all arithmetic mod 2^16.) Both sides use it: the
 * device to decide on an interrupt, the driver to decide on a kick.
 */
static inline int vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old);
}

/* One buffer of a chain (Linux's scatterlist entry): a physical address and length. */
struct vring_sg {
	uint64_t addr;
	uint32_t len;
};

struct virtqueue;
typedef int (*vq_notify_fn)(struct virtqueue *vq);	/* 0 ok; nonzero: device gone */

struct virtqueue {
	struct vring vring;		/* [I] the memory; its contents [o] / [d] */
	unsigned int index;		/* [I] queue number in the device */
	int event;			/* [I] VIRTIO_F_EVENT_IDX negotiated */
	vq_notify_fn notify;		/* [I] the transport's doorbell */
	void *priv;			/* [I] for the transport and driver */
	void **desc_data;		/* [o] token per chain head, NULL when free */
	unsigned int num_free;		/* [o] descriptors on the free list */
	uint16_t free_head;		/* [o] free list, linked through desc.next */
	uint16_t num_added;		/* [o] made available since the last kick */
	uint16_t last_used_idx;		/* [o] next used entry to reap */
	uint16_t avail_idx_shadow;	/* [o] our copy of avail->idx */
	uint16_t avail_flags_shadow;	/* [o] NO_INTERRUPT while callbacks are off */
	int broken;			/* [o] the device returned nonsense; nothing more is done */
	uint64_t kicks, kicks_suppressed;	/* [o] notifications sent / saved */
};

/*
 * Set up @vq over @pages (vring_size(num, VRING_ALIGN) bytes, zeroed,
 * physically contiguous; @num a power of two up to 32768). Callbacks are
 * enabled. Returns 0 or -EINVAL/-ENOMEM.
 */
int vring_new_virtqueue(struct virtqueue *vq, unsigned int index, unsigned int num,
			void *pages, int event_idx, vq_notify_fn notify, void *priv);
void vring_del_virtqueue(struct virtqueue *vq);	/* frees what new allocated, not @pages */

/* Post @out_num device-readable then @in_num device-writable buffers as one chain. 0, -ENOSPC, -EINVAL, -EIO (broken). */
int virtqueue_add_sgs(struct virtqueue *vq, const struct vring_sg *sg, unsigned int out_num,
		      unsigned int in_num, void *data);
static inline int virtqueue_add_inbuf(struct virtqueue *vq, const struct vring_sg *sg,
				      unsigned int num, void *data)
{
	return virtqueue_add_sgs(vq, sg, 0, num, data);
}
static inline int virtqueue_add_outbuf(struct virtqueue *vq, const struct vring_sg *sg,
				       unsigned int num, void *data)
{
	return virtqueue_add_sgs(vq, sg, num, 0, data);
}

int virtqueue_kick_prepare(struct virtqueue *vq);	/* publish; 1 if the device wants a notify */
int virtqueue_notify(struct virtqueue *vq);		/* ring the doorbell; 0 if the device is gone */
int virtqueue_kick(struct virtqueue *vq);		/* both; 0 if the device is gone */

/* The next used chain's token (NULL: none) and the bytes the device wrote into it. */
void *virtqueue_get_buf(struct virtqueue *vq, unsigned int *len);
int virtqueue_more_used(const struct virtqueue *vq);
/* The device's used index now (a progress check: the TX kick watchdog). */
uint16_t virtqueue_used_idx(const struct virtqueue *vq);

void virtqueue_disable_cb(struct virtqueue *vq);
/* Re-enable interrupts; returns the index to pass to virtqueue_poll(). */
unsigned int virtqueue_enable_cb_prepare(struct virtqueue *vq);
/* 1 if the device used buffers past @last_used_idx (a race with enabling). */
int virtqueue_poll(struct virtqueue *vq, unsigned int last_used_idx);
/* Both: 1 if there is no pending work (Linux's virtqueue_enable_cb). */
int virtqueue_enable_cb(struct virtqueue *vq);

/* A posted buffer's token, taking it back (after a device reset). NULL when none is left. */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);

static inline unsigned int virtqueue_get_vring_size(const struct virtqueue *vq)
{
	return vq->vring.num;
}

#endif
