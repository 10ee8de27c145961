/*
 * virtio-net bring-up and reports (Linux's virtnet_probe and friends);
 * the data path is virtio_net.c, shared declarations virtio_net_priv.h.
 *
 *  - virtio_net_init(): kmain, boot CPU. Finds the first modern
 *    virtio-net function (a transitional 1af4:1000 one is named and left
 *    alone), does the virtio 1.0 handshake, picks min(max_virtqueue_pairs,
 *    online CPUs, what the MSI-X table can route; 1 with rxsteer=cpu0) queue
 *    pairs, routes pair i's vectors to the i-th online CPU, fills the RX
 *    rings, registers the net_device, sets DRIVER_OK and VQ_PAIRS_SET. Any failure refuses the
 *    device with a console line (vp_refuse) and returns -ENODEV.
 *  - Reports and test hooks for selftests and the stats endpoint.
 */
#include <drivers/virtio_net_priv.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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

/*
 * rxsteer=cpu0 (experiments): one queue pair, on CPU 0, as a single-queue NIC
 * without RSS or RPS. The device then delivers every packet to queue 0, so one
 * CPU runs all of NET_RX (and every TCP input) while the others only run the
 * app: the "softirq on one core" bottleneck of the reference texts.
 */
static int rxsteer_cpu0;	/* [I] */

static const char *set_rxsteer(const char *val)
{
	return param_choice(val, "cpu0", "percpu", &rxsteer_cpu0, "must be percpu or cpu0");
}
KERNEL_PARAM("rxsteer", set_rxsteer,
	     "rxsteer=percpu|cpu0: a queue pair per CPU (default), or one on CPU 0");

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
	if (rxsteer_cpu0)
		vi->pairs = 1;
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
		vi->rq[i].napi.cpu = vi->rq[i].cpu;	/* where its MSI-X vector is routed */
		timer_setup(&vi->rq[i].refill_timer, virtnet_refill_timer, 0);
		vi->sq[i].vi = vi;
		timer_setup(&vi->sq[i].watchdog, virtnet_tx_watchdog, 0);
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
		return vp_refuse(vd, "no VIRTIO_F_VERSION_1: not a virtio 1.0 device");
	if (!vd->device || vd->device_len < VIRTIO_NET_CFG_MAX_PAIRS + 2)
		return vp_refuse(vd, "no device configuration structure");
	if (vp_finalize_features(vd, virtnet_wanted(offered)))
		return vp_refuse(vd, "the device did not accept our features (FEATURES_OK)");
	err = virtnet_choose_pairs(vi);
	if (err)
		return vp_refuse(vd, err == -ENOSPC ? "MSI-X table too small (need 3 entries)" :
				 "max_virtqueue_pairs / num_queues out of range");
	if (vp_config_vector(vd, 0, virtnet_config_changed, vi))
		return vp_refuse(vd, "config-change MSI-X vector refused");
	if (virtnet_find_vqs(vi))
		return vp_refuse(vd, "queue setup failed");
	spin_lock_init(&vi->ctrl_lock, &virtnet_ctrl_class);
	virtnet_setup_netdev(vi);
	for (unsigned int i = 0; i < vi->pairs; i++)
		try_fill_recv(&vi->rq[i], 0);	/* no kicks before DRIVER_OK (§3.1.1) */
	err = register_netdev(&vi->dev);	/* before DRIVER_OK: polls may run from then on */
	if (err) {
		vp_reset(vd);
		virtnet_del_vqs(vi);
		return vp_refuse(vd, "register_netdev failed (a device is already registered)");
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
		.tx_kicks_suppressed = sq->vq.kicks_suppressed, .tx_watchdog_kicks = sq->watchdog_kicks,
		.tx_kicks_deferred = sq->kicks_deferred,
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
		       "%lu busy | napi %lu polls (%lu off-cpu) %lu pkts %lu full | rx ring %u/%u posted, %lu "
		       "alloc fails, %lu timer refills | kicks rx %lu tx %lu (%lu saved, %lu deferred, %lu by watchdog), tx irqs %lu\n",
		       q, qi.cpu, (unsigned long)st->rx_packets, (unsigned long)st->rx_bytes,
		       (unsigned long)st->rx_interrupts, (unsigned long)st->rx_dropped,
		       (unsigned long)st->tx_packets, (unsigned long)st->tx_bytes,
		       (unsigned long)st->tx_busy, (unsigned long)n->polls,
		       (unsigned long)n->polls_elsewhere, (unsigned long)n->packets,
		       (unsigned long)n->budget_exhausted, qi.rx_posted, qi.rx_ring,
		       (unsigned long)qi.rx_alloc_failed, (unsigned long)qi.rx_refill_timer,
		       (unsigned long)qi.rx_kicks, (unsigned long)qi.tx_kicks,
		       (unsigned long)qi.tx_kicks_suppressed, (unsigned long)qi.tx_kicks_deferred,
		       (unsigned long)qi.tx_watchdog_kicks,
		       (unsigned long)qi.tx_interrupts);
	}
}
