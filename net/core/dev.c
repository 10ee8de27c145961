/*
 * The device layer (Linux's net/core/dev.c): NAPI scheduling and the
 * NET_RX softirq, protocol dispatch by ethertype, and transmit onto the
 * current CPU's queue. See netdevice.h for the NAPI contract.
 *
 *   device irq → napi_schedule() → NET_RX_SOFTIRQ → net_rx_action()
 *     → napi->poll() → netif_receive_skb() → ip_rcv() / arp_rcv()
 */
#include <net/core/netdevice.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/softirq.h>
#include <kernel/time.h>

/* Per-CPU receive state (Linux's softnet_data). */
struct softnet_data {
	struct list_head poll_list;	/* [o] napis scheduled here, irqs off to touch */
	struct softnet_stats stats;	/* [o] */
} __attribute__((aligned(64)));

static struct softnet_data softnet[NR_CPUS];	/* per-CPU */
static struct packet_type *ptype_base;		/* [I] after init */
static struct net_device *the_dev;		/* [I] after register_netdev */
static DEFINE_LOCK_CLASS(tx_queue_class, "netdev_tx_queue");

static struct softnet_data *this_softnet(void)
{
	return &softnet[smp_processor_id()];
}

void dev_add_pack(struct packet_type *pt)
{
	pt->next = ptype_base;
	ptype_base = pt;
}

void netif_napi_add(struct net_device *dev, struct napi_struct *n,
		    int (*poll)(struct napi_struct *, int), unsigned int queue)
{
	INIT_LIST_HEAD(&n->poll_list);
	n->state = 0;
	n->weight = NAPI_POLL_WEIGHT;
	n->poll = poll;
	n->dev = dev;
	n->queue = queue;
	n->cpu = queue;		/* queue i's interrupt goes to CPU i unless the driver says otherwise */
}

/* Whoever sets SCHED owns the napi and may put it on its CPU's poll list. */
void napi_schedule(struct napi_struct *n)
{
	uint64_t f;

	if (__atomic_fetch_or(&n->state, 1UL << NAPI_STATE_SCHED, __ATOMIC_ACQ_REL) &
	    (1UL << NAPI_STATE_SCHED))
		return;		/* already scheduled: its poll will see the work */
	f = local_irq_save();
	list_add_tail(&n->poll_list, &this_softnet()->poll_list);
	raise_softirq_irqoff(NET_RX_SOFTIRQ);
	local_irq_restore(f);
}

int napi_complete_done(struct napi_struct *n, int work_done)
{
	(void)work_done;
	/* net_rx_action took it off the poll list before polling; release SCHED. */
	__atomic_and_fetch(&n->state, ~(1UL << NAPI_STATE_SCHED), __ATOMIC_RELEASE);
	return 1;
}

/* One napi: poll it, and keep it scheduled if it used its whole weight. */
static int napi_poll(struct napi_struct *n, struct list_head *repoll)
{
	int work = n->poll(n, n->weight);

	if (work < 0 || work > n->weight)
		panic("napi poll of %s queue %u returned %d (weight %d)", n->dev->name,
		      n->queue, work, n->weight);
	n->polls++;
	n->packets += (uint64_t)work;
	if (smp_processor_id() != n->cpu)
		n->polls_elsewhere++;	/* per-CPU first is broken if this grows */
	if (work == n->weight) {
		n->budget_exhausted++;
		list_add_tail(&n->poll_list, repoll);	/* still owns SCHED */
	}
	return work;
}

/*
 * NET_RX_SOFTIRQ: poll this CPU's napis within NETDEV_BUDGET packets and
 * NETDEV_BUDGET_USECS; what is left goes back on the list and the softirq
 * is raised again (ksoftirqd takes over if it keeps happening).
 */
static void net_rx_action(void)
{
	struct softnet_data *sd = this_softnet();
	uint64_t end = ktime_ns() + NETDEV_BUDGET_USECS * 1000ULL;
	int budget = NETDEV_BUDGET;
	struct list_head list, repoll;
	uint64_t f;

	INIT_LIST_HEAD(&list);
	INIT_LIST_HEAD(&repoll);
	f = local_irq_save();
	list_splice_init(&sd->poll_list, &list);
	local_irq_restore(f);
	while (!list_empty(&list)) {
		struct napi_struct *n = list_first_entry(&list, struct napi_struct, poll_list);

		list_del_init(&n->poll_list);
		budget -= napi_poll(n, &repoll);
		if (budget <= 0 || ktime_ns() > end) {
			sd->stats.time_squeeze++;
			break;
		}
	}
	f = local_irq_save();
	list_splice_init(&list, &sd->poll_list);	/* not polled this round */
	list_splice_init(&repoll, &sd->poll_list);
	if (!list_empty(&sd->poll_list))
		raise_softirq_irqoff(NET_RX_SOFTIRQ);
	local_irq_restore(f);
}

int netif_receive_skb(struct sk_buff *skb)
{
	struct softnet_data *sd = this_softnet();

	sd->stats.processed++;
	skb_reset_network_header(skb);
	for (struct packet_type *pt = ptype_base; pt; pt = pt->next) {
		if (pt->type == skb->protocol)
			return pt->func(skb, skb->dev);
	}
	kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
	return -1;
}

int dev_queue_xmit(struct sk_buff *skb)
{
	struct net_device *dev = skb->dev;
	unsigned int q;
	enum netdev_tx rc;
	uint64_t f;

	if (!dev) {
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_NOROUTE);
		return -ENODEV;
	}
	/* Per-CPU first: a CPU transmits on its own queue (and tun then steers replies back). */
	q = smp_processor_id() % dev->num_tx_queues;
	skb->queue_mapping = (uint16_t)q;
	f = spin_lock_irqsave(&dev->tx_lock[q]);
	rc = dev->ops->ndo_start_xmit(skb, dev, q);
	if (rc == NETDEV_TX_BUSY)
		dev->stats[q].tx_busy++;
	spin_unlock_irqrestore(&dev->tx_lock[q], f);
	if (rc == NETDEV_TX_BUSY) {
		kfree_skb_reason(skb, SKB_DROP_REASON_TX_RING_FULL);
		return -ENOBUFS;
	}
	return 0;
}

int register_netdev(struct net_device *dev)
{
	if (the_dev)
		return -EBUSY;
	if (!dev->num_tx_queues || dev->num_tx_queues > MAX_QUEUES ||
	    !dev->num_rx_queues || dev->num_rx_queues > MAX_QUEUES)
		return -EINVAL;
	for (unsigned int q = 0; q < MAX_QUEUES; q++)
		spin_lock_init(&dev->tx_lock[q], &tx_queue_class);
	__atomic_store_n(&the_dev, dev, __ATOMIC_RELEASE);
	return 0;
}

struct net_device *netdev_get(void)
{
	return __atomic_load_n(&the_dev, __ATOMIC_ACQUIRE);
}

void softnet_stats_read(unsigned int cpu, struct softnet_stats *out)
{
	*out = softnet[cpu].stats;
}

void net_dev_init(void)
{
	for (unsigned int c = 0; c < NR_CPUS; c++)
		INIT_LIST_HEAD(&softnet[c].poll_list);
	open_softirq(NET_RX_SOFTIRQ, net_rx_action);
}
