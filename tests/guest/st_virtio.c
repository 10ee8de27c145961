/*
 * virtio-net bring-up and data path (group `net_virtio`, plus two manual
 * tests that need a host sending frames, outside the group). Without a
 * virtio-net device each test says why and passes (SKIP), so
 * `selftest=all` stays green on a machine with no NIC.
 *
 *  net_virtio_probe    queue pairs, CPUs, vectors, features, RX rings full
 *  net_virtio_ctrl     VQ_PAIRS_SET through the control queue is acked
 *  net_virtio_tx       one frame per TX queue (header in headroom, and in
 *                      skb->cb with two descriptors) is sent and reaped;
 *                      the host can capture them: ethertype 0x88b5,
 *                      payload "squall virtio-net txq N headroom H"
 *  virtio_host_rx      MANUAL: prints READY, counts what the host sends
 *  virtio_host_starve  MANUAL: with host traffic, drains an RX ring on
 *                      purpose (allocations fail), then checks it refills
 *                      and traffic flows again (the ring never wedges)
 *
 * TX skbs are allocated larger than SKB_SMALL_MAX so they come from and
 * return to the heap, not a per-CPU cache: the leak check then balances.
 */
#include <kernel/selftest.h>
#include <kernel/arch/x86/vectors.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <drivers/virtio_net.h>
#include <drivers/virtio_pci.h>
#include <net/core/netdevice.h>
#include <stdio.h>
#include <string.h>

#define ETH_P_SQUALL_TEST 0x88b5	/* IEEE 802 local experimental */
#define TX_WAIT_MS 2000
#define RX_FIRST_WAIT_MS 60000
#define RX_QUIET_MS 1500
#define STARVE_WAIT_MS 30000

static void sleep_ms(unsigned int ms)
{
	__atomic_store_n(&current->state, TASK_INTERRUPTIBLE, __ATOMIC_SEQ_CST);
	schedule_timeout((int64_t)msecs_to_jiffies(ms));
}

/* The device, or NULL after saying why the test is skipped. */
static struct net_device *virtio_dev(const char *test)
{
	struct net_device *dev = netdev_get();

	if (!dev || !virtnet_queue_pairs()) {
		printk("selftest %s: SKIP: no virtio-net device (QEMU: -device virtio-net-pci,"
		       "disable-legacy=on,...)\n", test);
		return NULL;
	}
	return dev;
}

static uint64_t rx_total(const struct net_device *dev)
{
	uint64_t n = 0;

	for (unsigned int q = 0; q < dev->num_rx_queues; q++)
		n += __atomic_load_n(&dev->stats[q].rx_packets, __ATOMIC_RELAXED);
	return n;
}

/* min(max_virtqueue_pairs, CPUs), unless the MSI-X table (config + 2 per pair) is smaller. */
static unsigned int expected_pairs(unsigned int max)
{
	unsigned int n = max < num_online_cpus() ? max : num_online_cpus();
	unsigned int by_msix = (virtnet_msix_table_size() - 1) / 2;

	n = n < MAX_QUEUES ? n : MAX_QUEUES;
	return n < by_msix ? n : by_msix;
}

SELFTEST(net_virtio_probe, 0)
{
	struct net_device *dev = virtio_dev("net_virtio_probe");
	unsigned int pairs = virtnet_queue_pairs(), max = virtnet_max_queue_pairs();
	uint64_t cpus_seen = 0;

	if (!dev)
		return 0;
	ST_CHECK(virtnet_features() & (1ULL << VIRTIO_F_VERSION_1));
	ST_CHECK(pairs >= 1 && pairs <= max && pairs <= num_online_cpus());
	ST_CHECK(dev->num_rx_queues == pairs && dev->num_tx_queues == pairs);
	ST_CHECK(!(dev->dev_addr[0] & 1));	/* unicast */
	ST_CHECK(dev->mtu == ETH_DATA_LEN);
	ST_CHECK(pairs == expected_pairs(max));
	for (unsigned int q = 0; q < pairs; q++) {
		struct virtnet_queue_info qi;

		ST_CHECK(virtnet_get_queue_info(q, &qi) == 0);
		ST_CHECK(cpu_online(qi.cpu));
		ST_CHECK(!(cpus_seen >> qi.cpu & 1));	/* one pair per CPU */
		cpus_seen |= 1ULL << qi.cpu;
		ST_CHECK(qi.rx_vector >= FIRST_DEVICE_VECTOR && qi.rx_vector <= LAST_DEVICE_VECTOR);
		ST_CHECK(qi.tx_vector >= FIRST_DEVICE_VECTOR && qi.tx_vector <= LAST_DEVICE_VECTOR);
		ST_CHECK(qi.rx_vector != qi.tx_vector);
		ST_CHECK(qi.rx_ring >= 64 && qi.tx_ring >= 64);
		ST_CHECK(qi.rx_posted > 0);	/* traffic may hold a few, never all */
		ST_CHECK(dev->ops && dev->ops->ndo_start_xmit);
	}
	ST_CHECK(virtnet_get_queue_info(pairs, &(struct virtnet_queue_info){ 0 }) != 0);
	return 0;
}

SELFTEST(net_virtio_ctrl, 0)
{
	if (!virtio_dev("net_virtio_ctrl"))
		return 0;
	if (!(virtnet_features() & (1ULL << VIRTIO_NET_F_MQ))) {
		printk("selftest net_virtio_ctrl: SKIP: the device has no MQ (no control command to send)\n");
		return 0;
	}
	ST_CHECK(virtnet_ctrl_set_queue_pairs(virtnet_queue_pairs()) == 0);
	return 0;
}

/* A broadcast test frame for TX queue @q, with @headroom bytes in front of its Ethernet header. */
static struct sk_buff *test_frame(struct net_device *dev, unsigned int q, unsigned int headroom)
{
	static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct sk_buff *skb = alloc_skb(SKB_SMALL_MAX + 64);	/* heap, not a per-CPU cache */
	char payload[64];
	int n;

	if (!skb)
		return NULL;
	skb_reserve(skb, headroom + ETH_HLEN);
	n = snprintf(payload, sizeof(payload), "squall virtio-net txq %u headroom %u", q, headroom);
	memset(skb_put(skb, 46), 0, 46);	/* minimum Ethernet payload */
	memcpy(skb->data, payload, (size_t)n);
	eth_header(skb, bcast, dev->dev_addr, __builtin_bswap16(ETH_P_SQUALL_TEST));
	skb->dev = dev;
	return skb;
}

static int xmit_on(struct net_device *dev, unsigned int q, struct sk_buff *skb)
{
	uint64_t f = spin_lock_irqsave(&dev->tx_lock[q]);
	enum netdev_tx rc = dev->ops->ndo_start_xmit(skb, dev, q);

	spin_unlock_irqrestore(&dev->tx_lock[q], f);
	if (rc != NETDEV_TX_OK)
		kfree_skb(skb);
	return rc == NETDEV_TX_OK ? 0 : -1;
}

SELFTEST(net_virtio_tx, 0)
{
	struct net_device *dev = virtio_dev("net_virtio_tx");
	int64_t skbs = skb_outstanding();

	if (!dev)
		return 0;
	for (unsigned int q = 0; q < dev->num_tx_queues; q++) {
		uint64_t sent = dev->stats[q].tx_packets, end;
		struct sk_buff *a = test_frame(dev, q, MAX_HEADER), *b = test_frame(dev, q, 0);

		ST_CHECK(a && b);
		ST_CHECK(skb_headroom(b) == 0);	/* header goes in skb->cb: two descriptors */
		ST_CHECK(xmit_on(dev, q, a) == 0);
		ST_CHECK(xmit_on(dev, q, b) == 0);
		ST_CHECK(dev->stats[q].tx_packets == sent + 2);
		end = ktime_ns() + TX_WAIT_MS * 1000000ULL;
		while (virtnet_tx_reap(q) && ktime_ns() < end)
			sleep_ms(1);
		ST_CHECK(virtnet_tx_reap(q) == 0);
	}
	ST_CHECK(skb_outstanding() == skbs);
	virtnet_print_stats();
	return 0;
}

/* Wait for the first frame from the host, then until it stays quiet. */
static uint64_t wait_for_traffic(struct net_device *dev, const char *test)
{
	uint64_t start = rx_total(dev), last, end = ktime_ns() + RX_FIRST_WAIT_MS * 1000000ULL;
	const uint8_t *m = dev->dev_addr;

	printk("READY %s: send frames to %02x:%02x:%02x:%02x:%02x:%02x\n", test, m[0], m[1], m[2],
	       m[3], m[4], m[5]);
	while (rx_total(dev) == start && ktime_ns() < end)
		sleep_ms(10);
	do {
		last = rx_total(dev);
		sleep_ms(RX_QUIET_MS);
	} while (rx_total(dev) != last);
	return last - start;
}

SELFTEST(virtio_host_rx, SELFTEST_MANUAL)
{
	struct net_device *dev = virtio_dev("virtio_host_rx");
	uint64_t got;

	if (!dev)
		return 0;
	got = wait_for_traffic(dev, "virtio_host_rx");
	printk("selftest virtio_host_rx: %lu frames received\n", (unsigned long)got);
	virtnet_print_stats();
	ST_CHECK(got > 0);
	return 0;
}

/* The first queue whose ring has run dry, or -1. */
static int dry_queue(struct net_device *dev)
{
	struct virtnet_queue_info qi;

	for (unsigned int q = 0; q < dev->num_rx_queues; q++) {
		if (!virtnet_get_queue_info(q, &qi) && qi.rx_posted == 0)
			return (int)q;
	}
	return -1;
}

SELFTEST(virtio_host_starve, SELFTEST_MANUAL)
{
	struct net_device *dev = virtio_dev("virtio_host_starve");
	struct virtnet_queue_info qi;
	uint64_t end, before;
	int q = -1;

	if (!dev)
		return 0;
	printk("READY virtio_host_starve: flood %02x:%02x:%02x:%02x:%02x:%02x\n", dev->dev_addr[0],
	       dev->dev_addr[1], dev->dev_addr[2], dev->dev_addr[3], dev->dev_addr[4],
	       dev->dev_addr[5]);
	virtnet_set_rx_starve(1);
	end = ktime_ns() + STARVE_WAIT_MS * 1000000ULL;
	while ((q = dry_queue(dev)) < 0 && ktime_ns() < end)
		sleep_ms(5);
	sleep_ms(100);		/* a while dry: the refill timer keeps failing */
	virtnet_set_rx_starve(0);
	if (q < 0) {
		printk("selftest virtio_host_starve: no ring ran dry in %d s (no host traffic?)\n",
		       STARVE_WAIT_MS / 1000);
		virtnet_print_stats();
		return 1;
	}
	before = dev->stats[q].rx_packets;
	end = ktime_ns() + 5000 * 1000000ULL;
	do {
		sleep_ms(10);
		virtnet_get_queue_info((unsigned int)q, &qi);
	} while ((qi.rx_posted < qi.rx_ring || dev->stats[q].rx_packets == before) &&
		 ktime_ns() < end);
	printk("selftest virtio_host_starve: q%d ran dry, %lu failed refills, %lu timer retries; "
	       "then %u/%u posted and %lu more frames\n", q, (unsigned long)qi.rx_alloc_failed,
	       (unsigned long)qi.rx_refill_timer, qi.rx_posted, qi.rx_ring,
	       (unsigned long)(dev->stats[q].rx_packets - before));
	virtnet_print_stats();
	ST_CHECK(qi.rx_refill_timer > 0);
	ST_CHECK(qi.rx_posted > 0);
	ST_CHECK(dev->stats[q].rx_packets > before);
	return 0;
}
