/*
 * virtio-net (virtio 1.0 §5.1; Linux's drivers/net/virtio_net.c): one
 * RX/TX queue pair per CPU, each pair's MSI-X vectors on its CPU, NAPI
 * polling, checksum offload both ways, no GSO, no mergeable buffers.
 *
 *  - virtio_net_init(): kmain, boot CPU, after smp_boot_aps() and pci_init().
 *    Brings up the first modern virtio-net device and registers it as the
 *    net_device (register_netdev). 0, or -ENODEV when there is none (or it
 *    was refused, with the reason on the console).
 *  - The rest is for selftests, stats and experiments.
 */
#ifndef SQUALL_VIRTIO_NET_H
#define SQUALL_VIRTIO_NET_H

#include <stdint.h>

/* Feature bits (§5.1.3). */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_MQ 22

int virtio_net_init(void);

/* What a selftest or the stats endpoint may want to know about queue pair @q. */
struct virtnet_queue_info {
	unsigned int cpu;		/* where its interrupts (and NAPI poll) run */
	int rx_vector, tx_vector;	/* IDT vectors, -1 if none */
	unsigned int rx_ring, tx_ring;	/* ring sizes */
	unsigned int rx_posted;		/* RX buffers the device holds now */
	unsigned int tx_inflight;	/* TX chains not yet reaped */
	uint64_t rx_kicks, tx_kicks, tx_kicks_suppressed;
	uint64_t tx_watchdog_kicks;	/* kicks the TX watchdog had to give (virtio_net.c) */
	uint64_t tx_kicks_deferred;	/* transmits whose kick waited for the end of a NAPI poll */
	uint64_t rx_alloc_failed;	/* refills that found no memory */
	uint64_t rx_refill_timer;	/* refills retried from the timer after a dry ring */
	uint64_t tx_interrupts;		/* should stay ~0: TX completions are polled */
	uint64_t rx_vector_count, tx_vector_count;	/* interrupts taken on the vectors */
};

/* Queue pairs in use (0: no device). */
unsigned int virtnet_queue_pairs(void);
/* The device's max_virtqueue_pairs (1 without MQ). */
unsigned int virtnet_max_queue_pairs(void);
/* Entries in the device's MSI-X table. */
unsigned int virtnet_msix_table_size(void);
/* Negotiated feature bits. */
uint64_t virtnet_features(void);
/* Fill @out for pair @q: 0, or -EINVAL. Reads racy counters: for reports. */
int virtnet_get_queue_info(unsigned int q, struct virtnet_queue_info *out);
/* Reap TX completions of pair @q now (takes its tx_lock); returns chains still in flight. */
unsigned int virtnet_tx_reap(unsigned int q);
/* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET through the control queue: the device's ack (0 = OK) or -errno. Process context. */
int virtnet_ctrl_set_queue_pairs(unsigned int pairs);
/* Test hook: while set, every RX buffer allocation fails (to drain a ring on purpose). */
void virtnet_set_rx_starve(int on);
/* Print one line per queue pair: packets, bytes, interrupts, drops, NAPI and ring counters. */
void virtnet_print_stats(void);

#endif
