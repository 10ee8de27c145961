/*
 * Network devices and NAPI, as Linux's include/linux/netdevice.h.
 *
 * Receive: a queue's interrupt masks itself and calls napi_schedule() on
 * its CPU; NET_RX_SOFTIRQ runs net_rx_action(), which calls each scheduled
 * napi's poll(budget = its weight) under an overall budget and time limit.
 * poll() hands packets to netif_receive_skb() and returns how many it
 * did; below budget it calls napi_complete_done() and re-enables the
 * queue's interrupt (then re-checks the ring, closing the race); at budget
 * it stays scheduled and is polled again. The contract is Linux's
 * Documentation/networking/napi.rst: return exactly budget when work is
 * left, never call napi_complete_done() with budget 0.
 *
 * Transmit: dev_queue_xmit() sends on the current CPU's TX queue
 * (queue = cpu % num_tx_queues) under that queue's lock; a full ring is a
 * counted drop (no qdisc: TCP retransmits).
 *
 * Ownership of sk_buffs: netif_receive_skb() and dev_queue_xmit() consume
 * the skb on every path. ndo_start_xmit() consumes it when it returns
 * NETDEV_TX_OK, and leaves it to the caller on NETDEV_TX_BUSY.
 */
#ifndef SQUALL_NETDEVICE_H
#define SQUALL_NETDEVICE_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <net/core/skbuff.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_DATA_LEN 1500
#define ETH_FRAME_LEN 1514
#define MAX_QUEUES 64

#define NAPI_POLL_WEIGHT 64
#define NETDEV_BUDGET 300		/* packets per net_rx_action, as Linux */
#define NETDEV_BUDGET_USECS 2000	/* and time, as Linux's 2 jiffies at HZ=1000 */

/* Device features (what the hardware offloads). */
#define NETIF_F_RXCSUM 0x1	/* the device validates RX checksums */
#define NETIF_F_HW_CSUM 0x2	/* the device fills TX checksums (CHECKSUM_PARTIAL) */

enum netdev_tx { NETDEV_TX_OK = 0, NETDEV_TX_BUSY = 1 };

struct net_device;

struct napi_struct {
	struct list_head poll_list;	/* [n] on the owning CPU's poll list */
	unsigned long state;		/* [a] NAPI_STATE_SCHED bit */
	int weight;			/* [I] */
	int (*poll)(struct napi_struct *n, int budget);	/* [I] */
	struct net_device *dev;		/* [I] */
	unsigned int queue;		/* [I] the RX queue it polls */
	unsigned int cpu;		/* [I] the CPU its interrupt is routed to (drivers set it) */
	/* [n] counters, touched only by whoever owns SCHED (one CPU at a time) */
	uint64_t polls, packets, budget_exhausted;
	uint64_t polls_elsewhere;	/* polls that ran on another CPU than ->cpu */
};
#define NAPI_STATE_SCHED 0

void netif_napi_add(struct net_device *dev, struct napi_struct *n,
		    int (*poll)(struct napi_struct *, int), unsigned int queue);
/* From the queue's interrupt handler (irqs off): own SCHED, queue for polling here. */
void napi_schedule(struct napi_struct *n);
/* From poll(), when done below budget: give up SCHED. Returns 0 if it must not re-enable irqs. */
int napi_complete_done(struct napi_struct *n, int work_done);

/* Per-queue counters, written by the CPU that owns the queue. */
struct netdev_queue_stats {
	uint64_t rx_packets, rx_bytes, rx_interrupts, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_busy;
};

struct net_device_ops {
	/* Transmit @skb on TX queue @queue; the caller holds that queue's lock. */
	enum netdev_tx (*ndo_start_xmit)(struct sk_buff *skb, struct net_device *dev,
					 unsigned int queue);
};

struct net_device {
	char name[16];				/* [I] */
	uint8_t dev_addr[ETH_ALEN];		/* [I] */
	unsigned int mtu;			/* [I] */
	uint32_t features;			/* [I] NETIF_F_* */
	unsigned int num_rx_queues, num_tx_queues;	/* [I] */
	const struct net_device_ops *ops;	/* [I] */
	void *priv;				/* [I] the driver's */
	struct spinlock tx_lock[MAX_QUEUES];	/* one per TX queue */
	struct netdev_queue_stats stats[MAX_QUEUES];	/* [queue owner] */
	/* IPv4 configuration (ip= on the command line); network byte order. */
	uint32_t ip_addr, ip_mask, ip_gw;	/* [I] after net_config */
};

int register_netdev(struct net_device *dev);	/* the one device Squall drives */
struct net_device *netdev_get(void);		/* NULL until registered */

/* Receive path entry: @skb has its Ethernet header at data (drivers call
 * eth_type_trans first); consumes it. Softirq context. */
int netif_receive_skb(struct sk_buff *skb);
/* Transmit: @skb starts with its Ethernet header; consumes it. Any context but hard irq. */
int dev_queue_xmit(struct sk_buff *skb);

/* Sets protocol and pkt_type from the Ethernet header and pulls it. */
uint16_t eth_type_trans(struct sk_buff *skb, struct net_device *dev);
/* Prepend an Ethernet header. */
void eth_header(struct sk_buff *skb, const uint8_t *dst, const uint8_t *src, uint16_t proto);

/* Protocol handlers by ethertype (ip_rcv, arp_rcv); each consumes the skb. */
struct packet_type {
	uint16_t type;			/* network order */
	int (*func)(struct sk_buff *skb, struct net_device *dev);
	struct packet_type *next;
};
void dev_add_pack(struct packet_type *pt);	/* at init */

/* Per-CPU receive statistics (softnet_data's). */
struct softnet_stats {
	uint64_t processed, time_squeeze, budget_squeeze;
};
void softnet_stats_read(unsigned int cpu, struct softnet_stats *out);

void net_dev_init(void);	/* boot CPU: NET_RX/NET_TX softirqs, handlers */

/* Print the network counters (per queue, per CPU, drops) on the console. */
void net_stats_print(void);

#endif
