/*
 * virtio-net's private declarations, shared by the data path
 * (virtio_net.c) and the bring-up and reports (virtio_net_setup.c): the
 * device layout constants, the per-queue structures and their lock
 * tags, and the functions one side hands to the other.
 *
 * Locking ([n]: owned by the RX NAPI instance, i.e. whoever holds its
 * SCHED bit, softirq on the pair's CPU; [t]: dev->tx_lock[q]; [I]: set up
 * at init on the boot CPU before DRIVER_OK; [c]: ctrl_lock, process;
 * [a]: atomic).
 */
#ifndef SQUALL_VIRTIO_NET_PRIV_H
#define SQUALL_VIRTIO_NET_PRIV_H

#include <drivers/virtio_net.h>
#include <drivers/virtio_pci.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <net/core/netdevice.h>

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
	struct virtnet_info *vi;	/* [I] */
	/* The kick watchdog (virtnet_tx_watchdog): armed by start_xmit. */
	struct timer_list watchdog;	/* [t] */
	uint16_t watchdog_used;		/* [t] the device's used index at the last look */
	uint64_t watchdog_kicks;	/* [t] kicks the watchdog had to give */
	/* The pair's NAPI poll is running: transmits wait for one kick at its end. */
	int defer_kick;			/* [t] */
	int kick_pending;		/* [t] */
	uint64_t kicks_deferred;	/* [t] transmits that left their kick to the poll's end */
};

/* The control queue's one command in flight (§5.1.6.5), device-visible. [c] */
struct ctrl_buf {
	uint8_t class, cmd;
	uint8_t data[8];		/* command-specific: VQ_PAIRS_SET's le16 */
	uint8_t ack;			/* VIRTIO_NET_OK or VIRTIO_NET_ERR, written by the device */
};

struct virtnet_info {
	struct net_device dev;		/* registered; dev.priv == this */
	struct virtio_device vdev;	/* [I] */
	struct receive_queue rq[MAX_QUEUES];
	struct send_queue sq[MAX_QUEUES];
	struct virtqueue cvq;		/* [c] */
	struct ctrl_buf ctrl;		/* [c] */
	struct spinlock ctrl_lock;	/* process context only: no irq takes it */
	unsigned int max_pairs, pairs;	/* [I] */
	int has_cvq;			/* [I] */
	uint64_t config_changes;	/* [a] config-change interrupts */
	uint64_t ctrl_interrupts;	/* [a] control queue interrupts (it is polled) */
	int rx_starve;			/* [a] test hook: fail RX allocations */
};

extern struct virtnet_info vnet;	/* the one device Squall drives */
extern struct virtnet_info *the_vi;	/* [I] non-NULL once it is up */
extern struct lock_class virtnet_ctrl_class;
extern const struct net_device_ops virtnet_netdev_ops;

/* Data path (virtio_net.c), handed to the transport and NAPI at bring-up. */
void skb_recv_done(void *data);		/* RX vector: hard irq */
void skb_xmit_done(void *data);		/* TX vector: hard irq */
int virtnet_poll(struct napi_struct *napi, int budget);
void virtnet_refill_timer(struct timer_list *t);
void virtnet_tx_watchdog(struct timer_list *t);
int try_fill_recv(struct receive_queue *rq, int kick);	/* [n] or init */
void free_old_xmit_skbs(struct send_queue *sq);		/* [t] */
/* Control command, polled; the device's ack (VIRTIO_NET_OK = 0) or -errno. Process context. */
int virtnet_send_command(struct virtnet_info *vi, uint8_t class, uint8_t cmd,
			 const void *data, unsigned int len);

#endif
