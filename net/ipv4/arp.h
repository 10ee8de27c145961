/*
 * ARP (RFC 826) and the neighbour cache (Linux's net/ipv4/arp.c and
 * net/core/neighbour.c, simplified to one table and one device).
 *
 *  - arp_rcv(): the ETH_P_ARP handler (registered by arp_init). Answers
 *    requests for our address and learns from what is addressed to us.
 *  - neigh_resolve_output(): the IP output path's last step: put the
 *    Ethernet header on a packet for a next hop and transmit it, or queue
 *    it while the next hop is being resolved.
 *
 * States (Linux's NUD_*): INCOMPLETE (requesting; packets queue), then
 * REACHABLE (confirmed for NEIGH_REACHABLE_MS), then STALE (address still
 * used; the next use probes it with unicast requests: PROBE), or FAILED
 * (no answer to NEIGH_MAX_PROBES requests NEIGH_RETRANS_MS apart; the
 * queue is dropped). The table holds at most NEIGH_MAX entries: when it is
 * full, a forced collection evicts STALE/FAILED entries first, then
 * REACHABLE ones; entries being resolved are never evicted, and if
 * nothing can go the new entry is refused and counted.
 */
#ifndef SQUALL_ARP_H
#define SQUALL_ARP_H

#include <stdint.h>
#include <net/core/netdevice.h>

struct rtable;

#define ARPHRD_ETHER 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

/* An Ethernet/IPv4 ARP packet (RFC 826), 28 bytes. */
struct arphdr {
	uint16_t ar_hrd;		/* ARPHRD_ETHER */
	uint16_t ar_pro;		/* ETH_P_IP */
	uint8_t ar_hln, ar_pln;		/* 6, 4 */
	uint16_t ar_op;			/* ARPOP_* */
	uint8_t ar_sha[ETH_ALEN];
	uint32_t ar_sip;
	uint8_t ar_tha[ETH_ALEN];
	uint32_t ar_tip;
} __attribute__((packed));

enum nud_state {
	NUD_NONE, NUD_INCOMPLETE, NUD_REACHABLE, NUD_STALE, NUD_PROBE, NUD_FAILED
};

#define NEIGH_MAX 256			/* entries (Linux's gc_thresh3 role) */
#define NEIGH_GC_TARGET (NEIGH_MAX * 3 / 4)	/* forced GC shrinks to this (gc_thresh2) */
#define NEIGH_UNRES_QLEN 3		/* packets queued per unresolved entry */
#define NEIGH_MAX_PROBES 3		/* requests before FAILED */
#define NEIGH_RETRANS_MS 1000		/* between requests */
#define NEIGH_REACHABLE_MS 30000	/* a confirmation lasts this long */

/* Counters (summed; ARP is not a fast path). Names after /proc/net/stat/arp_cache. */
enum arp_mib {
	ARP_MIB_INPKTS, ARP_MIB_INREQUESTS, ARP_MIB_INREPLIES,
	ARP_MIB_INERRORS,	/* malformed: types, lengths, truncated, bad op */
	ARP_MIB_INDISCARDS,	/* well-formed but refused: other host, martian, conflict */
	ARP_MIB_OUTREQUESTS, ARP_MIB_OUTREPLIES,
	NEIGH_MIB_ALLOCS, NEIGH_MIB_DESTROYS,
	NEIGH_MIB_FORCED_GC_RUNS,	/* the table was full */
	NEIGH_MIB_TABLE_FULLS,		/* ... and nothing could be evicted: refused */
	NEIGH_MIB_RES_FAILED,		/* resolutions that ended FAILED */
	NEIGH_MIB_UNRES_DISCARDS,	/* packets dropped waiting (queue full or FAILED) */
	ARP_MIB_MAX
};
uint64_t arp_mib_read(enum arp_mib field);

int arp_rcv(struct sk_buff *skb, struct net_device *dev);

/*
 * Transmit @skb (data at its IP header, skb->dev set) to @rt's next hop:
 * Ethernet header, dev_queue_xmit. Consumes @skb; 0 when sent or queued
 * for resolution, -errno when dropped. Any context but hard irq.
 */
int neigh_resolve_output(struct sk_buff *skb, const struct rtable *rt);

/* The cache entry for @ip: its state (NUD_NONE if none) and address. */
enum nud_state neigh_state(uint32_t ip, uint8_t *ha_out);
unsigned int neigh_count(void);		/* entries in use */
void neigh_flush_all(void);		/* drop every entry and queued packet (tests, device down) */

void arp_init(void);			/* the table; registers arp_rcv */

#endif
