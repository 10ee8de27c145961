/*
 * virtio-net over the modern PCI transport (Linux's drivers/net/virtio_net.c,
 * reduced); see virtio_net.h.
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
 *
 * Locking ([n]: owned by the RX NAPI instance, i.e. whoever holds its
 * SCHED bit, softirq on the pair's CPU; [t]: dev->tx_lock[q]; [I]: set up
 * at init on the boot CPU before DRIVER_OK; [c]: ctrl_lock, process).
 */
#include <drivers/virtio_net.h>
#include <drivers/virtio_pci.h>
#include <kernel/arch/x86/x86.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <net/core/netdevice.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define VIRTIO_ID_NET 1
#define VNET_RING_MAX 256		/* QEMU's default ring size */
#define VNET_HDR_LEN 12			/* struct virtio_net_hdr_v1 (VERSION_1) */
#define VLAN_HLEN 4
#define VNET_RX_BUF_LEN (VNET_HDR_LEN + ETH_FRAME_LEN + VLAN_HLEN)
#define CTRL_TIMEOUT_MS 2000		/* a loaded TCG host can be slow to answer */
#define REFILL_RETRY_MS 10

/* Device configuration (§5.1.4). */
#define VIRTIO_NET_CFG_MAC 0
#define VIRTIO_NET_CFG_STATUS 6
#define VIRTIO_NET_CFG_MAX_PAIRS 8
#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
#define VIRTIO_NET_HDR_GSO_NONE 0

#define VIRTIO_NET_CTRL_MQ 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_OK 0

struct virtio_net_hdr_v1 {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;		/* from the start of the frame */
	uint16_t csum_offset;		/* from csum_start */
	uint16_t num_buffers;		/* 1 without MRG_RXBUF */
};
_Static_assert(sizeof(struct virtio_net_hdr_v1) == VNET_HDR_LEN, "virtio-net v1 header");
_Static_assert(sizeof(struct virtio_net_hdr_v1) <= sizeof(((struct sk_buff *)0)->cb), "hdr in cb");

struct receive_queue {
	struct virtqueue vq;		/* [n] */
	struct napi_struct napi;	/* core-owned, see netdevice.h */
	struct virtnet_info *vi;	/* [I] */
	unsigned int index, cpu;	/* [I] */
	int vector;			/* [I] */
	struct timer_list refill_timer;	/* [n] armed by the poll when the ring ran dry */
	uint64_t alloc_failed, refill_timer_runs;	/* [n] */
};

struct send_queue {
	struct virtqueue vq;		/* [t] */
	unsigned int index, cpu;	/* [I] */
	int vector;			/* [I] */
	uint64_t interrupts;		/* [a] hard irq */
};

/* The control queue's one command in flight, device-visible. [c] */
struct ctrl_buf {
	uint8_t class, cmd;
	uint16_t pairs;
	uint8_t ack;
};

struct virtnet_info {
	struct net_device dev;		/* registered; dev.priv == this */
	struct virtio_device vdev;	/* [I] */
	struct receive_queue rq[MAX_QUEUES];
	struct send_queue sq[MAX_QUEUES];
	struct virtqueue cvq;		/* [c] */
	struct ctrl_buf ctrl;		/* [c] */
	struct spinlock ctrl_lock;
	unsigned int max_pairs, pairs;	/* [I] */
	int has_cvq;			/* [I] */
	uint64_t config_changes;	/* [a] config-change interrupts */
	uint64_t ctrl_interrupts;	/* [a] control queue interrupts (it is polled) */
	int rx_starve;			/* [a] test hook: fail RX allocations */
};

static struct virtnet_info vnet;	/* the one device Squall drives */
static struct virtnet_info *the_vi;	/* [I] non-NULL once it is up */
static DEFINE_LOCK_CLASS(ctrl_class, "virtnet_ctrl");

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
static int try_fill_recv(struct receive_queue *rq, int kick)
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

/* Timer softirq on the pair's CPU: let the poll (which owns the ring) try again. */
static void refill_timer_fn(struct timer_list *t)
{
	struct receive_queue *rq = container_of(t, struct receive_queue, refill_timer);
	uint64_t f = local_irq_save();

	rq->refill_timer_runs++;
	napi_schedule(&rq->napi);
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

static void free_old_xmit_skbs(struct send_queue *sq)
{
	struct sk_buff *skb;

	while ((skb = virtqueue_get_buf(&sq->vq, NULL)))
		consume_skb(skb);
}

/* The pair's TX completions, if nobody is transmitting on it right now. */
static void virtnet_poll_cleantx(struct receive_queue *rq)
{
	struct net_device *dev = &rq->vi->dev;

	if (rq->index < dev->num_tx_queues && spin_trylock(&dev->tx_lock[rq->index])) {
		free_old_xmit_skbs(&rq->vi->sq[rq->index]);
		spin_unlock(&dev->tx_lock[rq->index]);
	}
}

/* NAPI poll: NET_RX softirq on the pair's CPU; returns packets received (≤ budget). */
static int virtnet_poll(struct napi_struct *napi, int budget)
{
	struct receive_queue *rq = container_of(napi, struct receive_queue, napi);
	int received;

	virtnet_poll_cleantx(rq);
	received = virtnet_receive(rq, budget);
	if (received < budget)
		virtqueue_napi_complete(napi, &rq->vq, received);
	return received;
}

/* RX interrupt (hard irq, the pair's CPU). A poll already owning the queue will see the work. */
static void skb_recv_done(void *data)
{
	struct receive_queue *rq = data;

	rq->vi->dev.stats[rq->index].rx_interrupts++;
	if (__atomic_load_n(&rq->napi.state, __ATOMIC_ACQUIRE) & (1UL << NAPI_STATE_SCHED))
		return;
	virtqueue_disable_cb(&rq->vq);
	napi_schedule(&rq->napi);
}

/* ---- transmit ---- */

/* TX interrupts are kept off; count any that come (an event index wrap gives one per 2^16). */
static void skb_xmit_done(void *data)
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
	virtqueue_kick(&sq->vq);
	dev->stats[q].tx_packets++;
	dev->stats[q].tx_bytes += len;
	return NETDEV_TX_OK;
}

static const struct net_device_ops virtnet_netdev_ops = {
	.ndo_start_xmit = start_xmit,
};

/* ---- control queue (process context, polled: it is used at init and by tests) ---- */

static int virtnet_send_command(struct virtnet_info *vi, uint8_t class, uint8_t cmd,
				const void *data, unsigned int len)
{
	struct ctrl_buf *c = &vi->ctrl;
	uint64_t end, f;
	struct vring_sg sg[3];
	int ret = -ETIMEDOUT;

	if (!vi->has_cvq)
		return -EOPNOTSUPP;
	f = spin_lock_irqsave(&vi->ctrl_lock);
	c->class = class;
	c->cmd = cmd;
	memcpy(&c->pairs, data, len);
	c->ack = 0xff;
	sg[0] = (struct vring_sg){ (uintptr_t)&c->class, 2 };
	sg[1] = (struct vring_sg){ (uintptr_t)&c->pairs, len };
	sg[2] = (struct vring_sg){ (uintptr_t)&c->ack, 1 };
	if (virtqueue_add_sgs(&vi->cvq, sg, 2, 1, c) || !virtqueue_kick(&vi->cvq)) {
		ret = -EIO;
		goto out;
	}
	end = ktime_ns() + CTRL_TIMEOUT_MS * 1000000ULL;
	while (ktime_ns() < end) {
		if (virtqueue_get_buf(&vi->cvq, NULL)) {
			ret = __atomic_load_n(&c->ack, __ATOMIC_ACQUIRE);
			break;
		}
		cpu_relax();
	}
out:
	spin_unlock_irqrestore(&vi->ctrl_lock, f);
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

/* ---- bring-up ---- */

/* Config-change interrupt (link status): counted; readers poll the status field. */
static void virtnet_config_changed(void *data)
{
	struct virtnet_info *vi = data;

	__atomic_add_fetch(&vi->config_changes, 1, __ATOMIC_RELAXED);
}

static void virtnet_ctrl_done(void *data)
{
	struct virtnet_info *vi = data;

	__atomic_add_fetch(&vi->ctrl_interrupts, 1, __ATOMIC_RELAXED);
}

/* Queue pair @i's CPU: the i-th online one. */
static unsigned int pair_cpu(unsigned int i)
{
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		if (cpu_online(c) && i-- == 0)
			return c;
	}
	return 0;
}

static const struct {
	unsigned int bit;
	const char *name;
} feature_names[] = {
	{ VIRTIO_F_VERSION_1, "VERSION_1" }, { VIRTIO_RING_F_EVENT_IDX, "EVENT_IDX" },
	{ VIRTIO_NET_F_MQ, "MQ" }, { VIRTIO_NET_F_CTRL_VQ, "CTRL_VQ" },
	{ VIRTIO_NET_F_CSUM, "CSUM" }, { VIRTIO_NET_F_GUEST_CSUM, "GUEST_CSUM" },
	{ VIRTIO_NET_F_MAC, "MAC" }, { VIRTIO_NET_F_STATUS, "STATUS" },
};

/* What Squall asks for; everything else (GSO, MRG_RXBUF, indirect, RSS) stays off. */
static uint64_t virtnet_wanted(uint64_t offered)
{
	uint64_t want = 0;

	for (unsigned int i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		want |= 1ULL << feature_names[i].bit;
	want &= offered;
	if (!(want & (1ULL << VIRTIO_NET_F_CTRL_VQ)))
		want &= ~(1ULL << VIRTIO_NET_F_MQ);	/* MQ needs the control queue (§5.1.3.1) */
	return want;
}

static struct vq_info vq_infos[2 * MAX_QUEUES + 1];	/* [I] what vp_find_vqs set up */
static unsigned int nr_vq_infos;

/* RX 2i and TX 2i+1 on pair i's CPU, then the control queue (2 * max_pairs), polled. */
static int virtnet_find_vqs(struct virtnet_info *vi)
{
	struct vq_info *info = vq_infos;
	unsigned int n = 0;
	int err;

	for (unsigned int i = 0; i < vi->pairs; i++) {
		struct receive_queue *rq = &vi->rq[i];
		struct send_queue *sq = &vi->sq[i];

		rq->vi = vi;
		rq->index = sq->index = i;
		rq->cpu = sq->cpu = pair_cpu(i);
		info[n++] = (struct vq_info){ .vq = &rq->vq, .index = 2 * i, .num_max = VNET_RING_MAX,
					      .callback = skb_recv_done, .data = rq, .cpu = rq->cpu };
		info[n++] = (struct vq_info){ .vq = &sq->vq, .index = 2 * i + 1, .num_max = VNET_RING_MAX,
					      .callback = skb_xmit_done, .data = sq, .cpu = sq->cpu };
	}
	/* The control queue is polled; it gets a vector (counting only) when the table has one to spare. */
	if (vi->has_cvq)
		info[n++] = (struct vq_info){ .vq = &vi->cvq, .index = 2 * vi->max_pairs, .num_max = 64,
					      .callback = 2 * vi->pairs + 2 <= (unsigned int)vi->vdev.msix_entries
							  ? virtnet_ctrl_done : NULL,
					      .data = vi, .cpu = 0 };
	err = vp_find_vqs(&vi->vdev, info, n);
	if (err)
		return err;
	nr_vq_infos = n;
	for (unsigned int i = 0; i < vi->pairs; i++) {
		vi->rq[i].vector = info[2 * i].vector;
		vi->sq[i].vector = info[2 * i + 1].vector;
		virtqueue_disable_cb(&vi->sq[i].vq);	/* completions are reaped, not signalled */
	}
	return 0;
}

/* How many pairs: the device's, the CPUs', and what the MSI-X table can route (config + 2 per pair). */
static int virtnet_choose_pairs(struct virtnet_info *vi)
{
	struct virtio_device *vd = &vi->vdev;
	unsigned int nq = vp_num_queues(vd);	/* only now: it depends on MQ (feasibility.md §4) */
	int budget = vd->msix_entries - 1;

	vi->has_cvq = virtio_has_feature(vd, VIRTIO_NET_F_CTRL_VQ);
	vi->max_pairs = 1;
	if (virtio_has_feature(vd, VIRTIO_NET_F_MQ))
		vi->max_pairs = vp_config_read16(vd, VIRTIO_NET_CFG_MAX_PAIRS);
	if (vi->max_pairs < 1 || vi->max_pairs > 0x8000 || nq < 2 * vi->max_pairs + (unsigned)vi->has_cvq)
		return -EINVAL;
	vi->pairs = vi->max_pairs < num_online_cpus() ? vi->max_pairs : num_online_cpus();
	if (vi->pairs > MAX_QUEUES)
		vi->pairs = MAX_QUEUES;
	if (budget < 2)
		return -ENOSPC;
	if (vi->pairs > (unsigned int)budget / 2) {
		printk("virtio-net: MSI-X table has %d entries: %d queue pairs instead of %u\n",
		       vd->msix_entries, budget / 2, vi->pairs);
		vi->pairs = (unsigned int)budget / 2;
	}
	return 0;
}

static void virtnet_setup_netdev(struct virtnet_info *vi)
{
	struct virtio_device *vd = &vi->vdev;
	struct net_device *dev = &vi->dev;
	static const uint8_t fallback_mac[ETH_ALEN] = { 0x02, 0x53, 0x51, 0, 0, 1 };

	snprintf(dev->name, sizeof(dev->name), "eth0");
	if (virtio_has_feature(vd, VIRTIO_NET_F_MAC))
		vp_config_read_bytes(vd, VIRTIO_NET_CFG_MAC, dev->dev_addr, ETH_ALEN);
	else
		memcpy(dev->dev_addr, fallback_mac, ETH_ALEN);	/* locally administered */
	dev->mtu = ETH_DATA_LEN;
	dev->features = 0;
	if (virtio_has_feature(vd, VIRTIO_NET_F_GUEST_CSUM))
		dev->features |= NETIF_F_RXCSUM;
	if (virtio_has_feature(vd, VIRTIO_NET_F_CSUM))
		dev->features |= NETIF_F_HW_CSUM;
	dev->num_rx_queues = dev->num_tx_queues = vi->pairs;
	dev->ops = &virtnet_netdev_ops;
	dev->priv = vi;
	for (unsigned int i = 0; i < vi->pairs; i++) {
		netif_napi_add(dev, &vi->rq[i].napi, virtnet_poll, i);
		timer_setup(&vi->rq[i].refill_timer, refill_timer_fn, 0);
	}
}

static void virtnet_print_bringup(struct virtnet_info *vi)
{
	const uint8_t *m = vi->dev.dev_addr;
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "virtio-net: MAC %02x:%02x:%02x:%02x:%02x:%02x, %u queue pairs "
		     "(device max %u, %u CPUs), features %#lx (", m[0], m[1], m[2], m[3], m[4], m[5],
		     vi->pairs, vi->max_pairs, num_online_cpus(), (unsigned long)vi->vdev.features);
	for (unsigned int i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
		if (virtio_has_feature(&vi->vdev, feature_names[i].bit) && n < (int)sizeof(line))
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s", line[n - 1] == '(' ? "" : " ",
				      feature_names[i].name);
	}
	if (n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, "), link %s",
			 !virtio_has_feature(&vi->vdev, VIRTIO_NET_F_STATUS) ? "assumed up" :
			 vp_config_read16(&vi->vdev, VIRTIO_NET_CFG_STATUS) & VIRTIO_NET_S_LINK_UP ? "up" : "down");
	printk("%s\n", line);
	n = snprintf(line, sizeof(line), "virtio-net: MSI-X vectors (table of %d): config %#x",
		     vi->vdev.msix_entries, vi->vdev.config_vector);
	for (unsigned int i = 0; i < vi->pairs && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", rx%u %#x tx%u %#x @cpu%u", i,
			      vi->rq[i].vector, i, vi->sq[i].vector, vi->rq[i].cpu);
	printk("%s\n", line);
}

/* After a reset: give back every posted RX skb and the rings (a refused device). */
static void virtnet_del_vqs(struct virtnet_info *vi)
{
	struct sk_buff *skb;

	for (unsigned int i = 0; i < vi->pairs; i++) {
		while ((skb = virtqueue_detach_unused_buf(&vi->rq[i].vq)))
			consume_skb(skb);
	}
	vp_del_vqs(&vi->vdev, vq_infos, nr_vq_infos);
	nr_vq_infos = 0;
}

/* The handshake of virtio 1.0 §3.1.1; on any failure the device is refused and left alone. */
static int virtnet_probe(struct virtnet_info *vi, struct pci_dev *pci)
{
	struct virtio_device *vd = &vi->vdev;
	uint64_t offered;
	int err;

	if (vp_modern_probe(vd, pci))
		return -ENODEV;
	vp_reset(vd);
	vp_add_status(vd, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vp_add_status(vd, VIRTIO_CONFIG_S_DRIVER);
	offered = vp_get_features(vd);
	if (!(offered & (1ULL << VIRTIO_F_VERSION_1)))
		return vp_refuse(vd, "no VIRTIO_F_VERSION_1: not a virtio 1.0 device"), -ENODEV;
	if (!vd->device || vd->device_len < VIRTIO_NET_CFG_MAX_PAIRS + 2)
		return vp_refuse(vd, "no device configuration structure"), -ENODEV;
	if (vp_finalize_features(vd, virtnet_wanted(offered)))
		return vp_refuse(vd, "the device did not accept our features (FEATURES_OK)"), -ENODEV;
	err = virtnet_choose_pairs(vi);
	if (err)
		return vp_refuse(vd, err == -ENOSPC ? "MSI-X table too small (need 3 entries)" :
				 "max_virtqueue_pairs / num_queues out of range"), -ENODEV;
	if (vp_config_vector(vd, 0, virtnet_config_changed, vi))
		return vp_refuse(vd, "config-change MSI-X vector refused"), -ENODEV;
	if (virtnet_find_vqs(vi))
		return vp_refuse(vd, "queue setup failed"), -ENODEV;
	spin_lock_init(&vi->ctrl_lock, &ctrl_class);
	virtnet_setup_netdev(vi);
	for (unsigned int i = 0; i < vi->pairs; i++)
		try_fill_recv(&vi->rq[i], 0);	/* no kicks before DRIVER_OK (§3.1.1) */
	err = register_netdev(&vi->dev);	/* before DRIVER_OK: polls may run from then on */
	if (err) {
		vp_reset(vd);
		virtnet_del_vqs(vi);
		return vp_refuse(vd, "register_netdev failed (a device is already registered)"), err;
	}
	vp_add_status(vd, VIRTIO_CONFIG_S_DRIVER_OK);
	the_vi = vi;
	if (virtio_has_feature(vd, VIRTIO_NET_F_MQ) &&
	    (err = virtnet_ctrl_set_queue_pairs(vi->pairs)) != VIRTIO_NET_OK) {
		/* The device stays on pair 0; nothing has transmitted yet, so shrink the counts. */
		printk("virtio-net: VQ_PAIRS_SET %u failed (%d); using 1 queue pair\n", vi->pairs, err);
		vi->pairs = vi->dev.num_rx_queues = vi->dev.num_tx_queues = 1;
	}
	for (unsigned int i = 0; i < vi->pairs; i++)
		virtqueue_kick(&vi->rq[i].vq);
	virtnet_print_bringup(vi);
	return 0;
}

int virtio_net_init(void)
{
	struct pci_dev *d = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
					   VIRTIO_PCI_MODERN_DEVICE_BASE + VIRTIO_ID_NET, NULL);
	struct pci_dev *legacy = pci_get_device(PCI_VENDOR_ID_REDHAT_QUMRANET,
						VIRTIO_PCI_LEGACY_NET, NULL);

	if (legacy)
		printk("virtio-net: %02x:%02x.%u is a transitional (legacy) device 1af4:1000; Squall "
		       "drives only modern virtio 1.0 devices (QEMU: virtio-net-pci,disable-legacy=on); "
		       "not driven\n", legacy->bus, legacy->slot, legacy->fn);
	if (!d) {
		if (!legacy)
			printk("virtio-net: no device\n");
		return -ENODEV;
	}
	return virtnet_probe(&vnet, d);
}

/* ---- reports and test hooks ---- */

unsigned int virtnet_queue_pairs(void) { return the_vi ? the_vi->pairs : 0; }
unsigned int virtnet_max_queue_pairs(void) { return the_vi ? the_vi->max_pairs : 0; }
uint64_t virtnet_features(void) { return the_vi ? the_vi->vdev.features : 0; }
unsigned int virtnet_msix_table_size(void) { return the_vi ? (unsigned int)the_vi->vdev.msix_entries : 0; }

void virtnet_set_rx_starve(int on)
{
	__atomic_store_n(&vnet.rx_starve, on, __ATOMIC_RELAXED);
}

unsigned int virtnet_tx_reap(unsigned int q)
{
	struct send_queue *sq;
	unsigned int left;
	uint64_t f;

	if (!the_vi || q >= the_vi->pairs)
		return 0;
	sq = &the_vi->sq[q];
	f = spin_lock_irqsave(&the_vi->dev.tx_lock[q]);
	free_old_xmit_skbs(sq);
	left = sq->vq.vring.num - sq->vq.num_free;
	spin_unlock_irqrestore(&the_vi->dev.tx_lock[q], f);
	return left;
}

int virtnet_get_queue_info(unsigned int q, struct virtnet_queue_info *out)
{
	struct receive_queue *rq;
	struct send_queue *sq;

	if (!the_vi || q >= the_vi->pairs)
		return -EINVAL;
	rq = &the_vi->rq[q];
	sq = &the_vi->sq[q];
	*out = (struct virtnet_queue_info){
		.cpu = rq->cpu, .rx_vector = rq->vector, .tx_vector = sq->vector,
		.rx_ring = rq->vq.vring.num, .tx_ring = sq->vq.vring.num,
		.rx_posted = rq->vq.vring.num - rq->vq.num_free,
		.tx_inflight = sq->vq.vring.num - sq->vq.num_free,
		.rx_kicks = rq->vq.kicks, .tx_kicks = sq->vq.kicks,
		.tx_kicks_suppressed = sq->vq.kicks_suppressed,
		.rx_alloc_failed = rq->alloc_failed, .rx_refill_timer = rq->refill_timer_runs,
		.tx_interrupts = sq->interrupts,
		.rx_vector_count = msix_vector_count(rq->vector),
		.tx_vector_count = msix_vector_count(sq->vector),
	};
	return 0;
}

void virtnet_print_stats(void)
{
	struct virtnet_queue_info qi;

	for (unsigned int q = 0; the_vi && !virtnet_get_queue_info(q, &qi); q++) {
		const struct netdev_queue_stats *st = &the_vi->dev.stats[q];
		const struct napi_struct *n = &the_vi->rq[q].napi;

		printk("virtio-net q%u cpu%u: rx %lu pkts %lu B %lu irqs %lu drops | tx %lu pkts %lu B "
		       "%lu busy | napi %lu polls %lu pkts %lu full | rx ring %u/%u posted, %lu "
		       "alloc fails, %lu timer refills | kicks rx %lu tx %lu (%lu saved), tx irqs %lu\n",
		       q, qi.cpu, (unsigned long)st->rx_packets, (unsigned long)st->rx_bytes,
		       (unsigned long)st->rx_interrupts, (unsigned long)st->rx_dropped,
		       (unsigned long)st->tx_packets, (unsigned long)st->tx_bytes,
		       (unsigned long)st->tx_busy, (unsigned long)n->polls, (unsigned long)n->packets,
		       (unsigned long)n->budget_exhausted, qi.rx_posted, qi.rx_ring,
		       (unsigned long)qi.rx_alloc_failed, (unsigned long)qi.rx_refill_timer,
		       (unsigned long)qi.rx_kicks, (unsigned long)qi.tx_kicks,
		       (unsigned long)qi.tx_kicks_suppressed, (unsigned long)qi.tx_interrupts);
	}
}
