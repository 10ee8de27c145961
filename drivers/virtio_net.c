/*
 * virtio-net's data path (Linux's drivers/net/virtio_net.c, reduced):
 * receive with NAPI, transmit, the control queue; bring-up and reports
 * are in virtio_net_setup.c, shared declarations in virtio_net_priv.h.
 *
 * Queue pair i (RX 2i, TX 2i+1) belongs to the i-th online CPU: both its
 * MSI-X vectors go there, so its NAPI poll, the protocol input it runs and
 * (through dev_queue_xmit's cpu % queues) its transmits stay on that CPU.
 *
 *  RX:  skb_recv_done (hard irq): callbacks off, napi_schedule()
 *       → virtnet_poll (NET_RX softirq): reap TX of the pair, receive up
 *         to budget (eth_type_trans → netif_receive_skb), refill, and below
 *         budget complete and re-arm (virtqueue_napi_complete).
 *  TX:  start_xmit (under dev->tx_lock[q], any context but hard irq): reap,
 *       add header + frame, kick. TX interrupts stay off: completions are
 *       reaped lazily here and in the pair's RX poll.
 *
 * Buffers: fixed 2 KiB skbs, one descriptor each, no VIRTIO_NET_F_MRG_RXBUF.
 * Without guest GSO no frame exceeds 1514 bytes (+ VLAN tag), so one
 * buffer per packet always suffices; it keeps the receive path to "one
 * used entry = one skb", and the skb comes from the per-CPU cache.
 * Lock tags are explained in virtio_net_priv.h.
 */
#include <drivers/virtio_net_priv.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <errno.h>
#include <string.h>

struct virtnet_info vnet;
struct virtnet_info *the_vi;
DEFINE_LOCK_CLASS(virtnet_ctrl_class, "virtnet_ctrl");

/* ---- checksums (RFC 1071) for NEEDS_CSUM frames and a device without CSUM ---- */

static uint16_t csum_fold_range(const uint8_t *p, unsigned int len)
{
	uint64_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Finish a partial checksum: the field at @start + @off holds the
 * pseudo-header sum, the rest of [@start, end) is summed in (Linux's
 * skb_checksum_help). Returns -1 if the offsets are outside the frame.
 */
static int csum_complete(uint8_t *frame, unsigned int len, unsigned int start, unsigned int off)
{
	uint16_t c;

	if (start >= len || off + 2 > len - start)
		return -1;
	c = csum_fold_range(frame + start, len - start);
	if (!c)
		c = 0xffff;	/* as Linux's CSUM_MANGLED_0: 0 would mean "no checksum" to UDP */
	frame[start + off] = (uint8_t)(c >> 8);
	frame[start + off + 1] = (uint8_t)c;
	return 0;
}

/* ---- receive ---- */

static int add_recvbuf(struct receive_queue *rq)
{
	struct sk_buff *skb = NULL;
	struct vring_sg sg;
	int err;

	if (!__atomic_load_n(&rq->vi->rx_starve, __ATOMIC_RELAXED))
		skb = netdev_alloc_skb(&rq->vi->dev, VNET_RX_BUF_LEN);
	if (!skb)
		return -ENOMEM;
	sg = (struct vring_sg){ (uint64_t)(uintptr_t)skb->data, skb_tailroom(skb) };
	err = virtqueue_add_inbuf(&rq->vq, &sg, 1, skb);
	if (err)
		consume_skb(skb);
	return err;
}

/* Post a buffer in every free slot; 0 if memory ran out first (Linux's try_fill_recv). */
int try_fill_recv(struct receive_queue *rq, int kick)
{
	int err = 0, added = 0;

	while (rq->vq.num_free && !(err = add_recvbuf(rq)))
		added++;
	if (err == -ENOMEM)
		rq->alloc_failed++;
	if (added && kick)
		virtqueue_kick(&rq->vq);
	return err != -ENOMEM;
}

/* One used buffer → one frame up the stack. Softirq, [n]. */
static void receive_buf(struct receive_queue *rq, struct sk_buff *skb, unsigned int len)
{
	struct net_device *dev = &rq->vi->dev;
	struct netdev_queue_stats *st = &dev->stats[rq->index];
	struct virtio_net_hdr_v1 hdr;

	if (len < VNET_HDR_LEN + ETH_HLEN || len > skb_tailroom(skb)) {
		st->rx_dropped++;	/* a runt, or the device claims more than we gave */
		kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
		return;
	}
	memcpy(&hdr, skb->data, sizeof(hdr));
	skb_put(skb, len);
	skb_pull(skb, VNET_HDR_LEN);
	if (hdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		/* GUEST_CSUM lets the host hand over a checksum it left partial (tap from a local socket). */
		if (csum_complete(skb->data, skb->len, hdr.csum_start, hdr.csum_offset)) {
			st->rx_dropped++;
			kfree_skb_reason(skb, SKB_DROP_REASON_PKT_TOO_SMALL);
			return;
		}
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	} else if (hdr.flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		skb->ip_summed = CHECKSUM_UNNECESSARY;
	}
	st->rx_packets++;
	st->rx_bytes += skb->len;
	skb->queue_mapping = (uint16_t)rq->index;
	skb->tstamp = ktime_ns();
	eth_type_trans(skb, dev);
	netif_receive_skb(skb);
}

static int virtnet_receive(struct receive_queue *rq, int budget)
{
	struct sk_buff *skb;
	unsigned int len;
	int received = 0;

	while (received < budget && (skb = virtqueue_get_buf(&rq->vq, &len))) {
		receive_buf(rq, skb, len);
		received++;
	}
	/* Refill every poll; a ring left with nothing posted raises no interrupt, so retry on a timer. */
	if (!try_fill_recv(rq, 1) && rq->vq.num_free == rq->vq.vring.num)
		mod_timer(&rq->refill_timer, jiffies + msecs_to_jiffies(REFILL_RETRY_MS));
	return received;
}

/*
 * Take the queue for NAPI unless a poll already owns it (Linux's
 * virtqueue_napi_schedule): interrupts off, on the pair's CPU, so the
 * queue's handler and this never interleave.
 */
static void virtnet_napi_schedule(struct receive_queue *rq)
{
	if (__atomic_load_n(&rq->napi.state, __ATOMIC_ACQUIRE) & (1UL << NAPI_STATE_SCHED))
		return;		/* the poll owns the ring and will see the work */
	virtqueue_disable_cb(&rq->vq);
	napi_schedule(&rq->napi);
}

/* Timer softirq on the pair's CPU: let the poll (which owns the ring) try again. */
void virtnet_refill_timer(struct timer_list *t)
{
	struct receive_queue *rq = container_of(t, struct receive_queue, refill_timer);
	uint64_t f = local_irq_save();

	rq->refill_timer_runs++;
	virtnet_napi_schedule(rq);
	local_irq_restore(f);
}

/*
 * Below budget: re-arm the interrupt, give up NAPI, and look again, since
 * an entry used between the last get_buf and the re-arm raised no
 * interrupt (Linux's virtqueue_napi_complete). Interrupts are off so this
 * queue's handler (same CPU) cannot interleave with the flag update.
 */
static void virtqueue_napi_complete(struct napi_struct *napi, struct virtqueue *vq, int done)
{
	uint64_t f = local_irq_save();
	unsigned int opaque = virtqueue_enable_cb_prepare(vq);

	if (napi_complete_done(napi, done)) {
		if (virtqueue_poll(vq, opaque)) {
			virtqueue_disable_cb(vq);
			napi_schedule(napi);
		}
	} else {
		virtqueue_disable_cb(vq);
	}
	local_irq_restore(f);
}

void free_old_xmit_skbs(struct send_queue *sq)
{
	struct sk_buff *skb;

	while ((skb = virtqueue_get_buf(&sq->vq, NULL)))
		consume_skb(skb);
}

/*
 * What the stack sends while a poll runs (ACKs, SYN-ACKs, responses to the
 * segments it just received) goes out with one kick when the poll ends
 * rather than one each: under TCG a kick is an MMIO exit, the dearest thing
 * on the transmit path (GET /profile put dev_queue_xmit first). It is the
 * effect of Linux's xmit_more for a burst, at the end of the same softirq.
 * Both flags change under tx_lock, so a transmit from another CPU onto
 * this queue (rxsteer=cpu0) either kicks itself or is in the final kick.
 * The poll's start also reaps the pair's TX completions under that lock.
 */
static void tx_defer_kicks(struct receive_queue *rq, int on)
{
	struct net_device *dev = &rq->vi->dev;
	struct send_queue *sq;
	uint64_t f;

	if (rq->index >= dev->num_tx_queues)
		return;
	sq = &rq->vi->sq[rq->index];
	f = spin_lock_irqsave(&dev->tx_lock[rq->index]);
	if (on)
		free_old_xmit_skbs(sq);
	sq->defer_kick = on;
	if (!on && sq->kick_pending) {
		sq->kick_pending = 0;
		virtqueue_kick(&sq->vq);
	}
	spin_unlock_irqrestore(&dev->tx_lock[rq->index], f);
}

/* NAPI poll: NET_RX softirq on the pair's CPU; returns packets received (≤ budget). */
int virtnet_poll(struct napi_struct *napi, int budget)
{
	struct receive_queue *rq = container_of(napi, struct receive_queue, napi);
	int received;

	tx_defer_kicks(rq, 1);
	received = virtnet_receive(rq, budget);
	tx_defer_kicks(rq, 0);
	if (received < budget)
		virtqueue_napi_complete(napi, &rq->vq, received);
	return received;
}

/* RX interrupt: hard irq on the pair's CPU. */
void skb_recv_done(void *data)
{
	struct receive_queue *rq = data;

	rq->vi->dev.stats[rq->index].rx_interrupts++;
	virtnet_napi_schedule(rq);
}

/* ---- transmit ---- */

/* TX interrupts are kept off; count any that come (an event index wrap gives one per 2^16). */
void skb_xmit_done(void *data)
{
	struct send_queue *sq = data;

	__atomic_add_fetch(&sq->interrupts, 1, __ATOMIC_RELAXED);
}

/* Header in the headroom (one descriptor) when there is room, else in skb->cb (two). */
static int xmit_skb(struct send_queue *sq, struct sk_buff *skb, int hw_csum)
{
	struct virtio_net_hdr_v1 *hdr;
	struct vring_sg sg[2];
	unsigned int n = 1, start = skb->csum_start - skb_headroom(skb);
	int err;

	if (skb->ip_summed == CHECKSUM_PARTIAL && !hw_csum) {
		if (csum_complete(skb->data, skb->len, start, skb->csum_offset))
			return -EINVAL;
		skb->ip_summed = CHECKSUM_NONE;
	}
	if (skb_headroom(skb) >= VNET_HDR_LEN && !((uintptr_t)skb->data & 1)) {
		hdr = (struct virtio_net_hdr_v1 *)skb_push(skb, VNET_HDR_LEN);
		sg[0] = (struct vring_sg){ (uintptr_t)hdr, skb->len };
	} else {
		hdr = (struct virtio_net_hdr_v1 *)skb->cb;	/* the driver owns cb from here */
		sg[0] = (struct vring_sg){ (uintptr_t)hdr, VNET_HDR_LEN };
		sg[1] = (struct vring_sg){ (uintptr_t)skb->data, skb->len };
		n = 2;
	}
	memset(hdr, 0, sizeof(*hdr));
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		hdr->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		hdr->csum_start = (uint16_t)start;
		hdr->csum_offset = skb->csum_offset;
	}
	err = virtqueue_add_outbuf(&sq->vq, sg, n, skb);
	if (err && n == 1)
		skb_pull(skb, VNET_HDR_LEN);	/* the caller gets its skb back as it was */
	return err;
}

/*
 * The kick watchdog. Under QEMU 7.2 (TCG, one queue pair, a tap) the TX
 * ring has been seen to stop: the device had consumed up to the avail
 * event it asked to be kicked at, the driver had added past it, and no
 * kick went out, so nothing moved again (storms on 1 vCPU stalled for good
 * within seconds; bench/storm-squall.md). The driver follows the event
 * index rule of virtio 1.0 §2.4.7.2 with a full barrier, and we did not
 * find which side loses the race. So, like Linux's dev_watchdog but
 * cheaper: while buffers are in flight, look every TX_WATCHDOG_MS; if the
 * device used none since the last look, kick it (counted). A live device
 * costs one timer per period and no extra kick.
 */
#define TX_WATCHDOG_MS 10

static void tx_watchdog_arm(struct send_queue *sq)
{
	if (!timer_pending(&sq->watchdog))
		mod_timer(&sq->watchdog, jiffies + msecs_to_jiffies(TX_WATCHDOG_MS));
}

/* Timer softirq on the queue's CPU. */
void virtnet_tx_watchdog(struct timer_list *t)
{
	struct send_queue *sq = container_of(t, struct send_queue, watchdog);
	struct net_device *dev = &sq->vi->dev;
	uint64_t f = spin_lock_irqsave(&dev->tx_lock[sq->index]);
	uint16_t used = virtqueue_used_idx(&sq->vq);

	free_old_xmit_skbs(sq);
	if (sq->vq.num_free < sq->vq.vring.num) {
		if (used == sq->watchdog_used) {
			sq->watchdog_kicks++;
			virtqueue_notify(&sq->vq);
		}
		tx_watchdog_arm(sq);
	}
	sq->watchdog_used = used;
	spin_unlock_irqrestore(&dev->tx_lock[sq->index], f);
}

/* ndo_start_xmit: the caller holds dev->tx_lock[q]; consumes @skb on NETDEV_TX_OK only. */
static enum netdev_tx start_xmit(struct sk_buff *skb, struct net_device *dev, unsigned int q)
{
	struct virtnet_info *vi = dev->priv;
	struct send_queue *sq = &vi->sq[q];
	unsigned int len = skb->len;

	if (q >= dev->num_tx_queues)
		return NETDEV_TX_BUSY;
	free_old_xmit_skbs(sq);
	if (xmit_skb(sq, skb, !!(dev->features & NETIF_F_HW_CSUM)))
		return NETDEV_TX_BUSY;	/* ring full (or a broken device / bad offsets): the caller drops */
	if (sq->defer_kick) {
		sq->kick_pending = 1;
		sq->kicks_deferred++;
	} else {
		virtqueue_kick(&sq->vq);
	}
	tx_watchdog_arm(sq);
	dev->stats[q].tx_packets++;
	dev->stats[q].tx_bytes += len;
	return NETDEV_TX_OK;
}

const struct net_device_ops virtnet_netdev_ops = {
	.ndo_start_xmit = start_xmit,
};

/* ---- control queue (process context, polled: it is used at init and by tests) ---- */

int virtnet_send_command(struct virtnet_info *vi, uint8_t class, uint8_t cmd,
			 const void *data, unsigned int len)
{
	struct ctrl_buf *c = &vi->ctrl;
	struct vring_sg sg[3];
	int ret = -ETIMEDOUT;
	uint64_t end;

	if (!vi->has_cvq)
		return -EOPNOTSUPP;
	if (!len || len > sizeof(c->data))
		return -EINVAL;
	spin_lock(&vi->ctrl_lock);
	c->class = class;
	c->cmd = cmd;
	memcpy(c->data, data, len);
	c->ack = 0xff;
	sg[0] = (struct vring_sg){ (uintptr_t)&c->class, 2 };
	sg[1] = (struct vring_sg){ (uintptr_t)c->data, len };
	sg[2] = (struct vring_sg){ (uintptr_t)&c->ack, 1 };
	if (virtqueue_add_sgs(&vi->cvq, sg, 2, 1, c) || !virtqueue_kick(&vi->cvq)) {
		ret = -EIO;
		goto out;
	}
	end = ktime_ns() + CTRL_TIMEOUT_MS * 1000000ULL;
	while (ktime_ns() < end) {
		if (virtqueue_get_buf(&vi->cvq, NULL)) {
			ret = __atomic_load_n(&c->ack, __ATOMIC_ACQUIRE);
			goto out;
		}
		cpu_relax();
	}
	/* The device still owns the buffer: a late answer must not be taken for the next one. */
	vi->cvq.broken = 1;
out:
	spin_unlock(&vi->ctrl_lock);
	return ret;
}

int virtnet_ctrl_set_queue_pairs(unsigned int pairs)
{
	uint16_t p = (uint16_t)pairs;

	if (!the_vi)
		return -ENODEV;
	return virtnet_send_command(the_vi, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET,
				    &p, sizeof(p));
}
