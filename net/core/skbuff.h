/*
 * Socket buffers, as Linux's include/linux/skbuff.h: one packet, linear
 * data only (no page frags), with room in front for headers to be pushed.
 *
 *   head             data              tail             end
 *    |<- headroom ->|<----- len ----->|<- tailroom ->|
 *
 * skb_reserve() moves data and tail on an empty skb; skb_put() extends the
 * tail; skb_push()/skb_pull() move data for headers going on or coming
 * off. Header offsets (mac/network/transport) are relative to head.
 *
 * Allocation: alloc_skb() takes buffers up to SKB_SMALL_MAX bytes from the
 * current CPU's cache (no lock, no malloc after warm-up), larger ones from
 * the heap. Freeing returns a cached buffer to the freeing CPU's cache.
 * Every skb is counted: skb_outstanding() is allocations minus frees, and
 * tests check it returns to its baseline.
 *
 * Ownership: whoever holds the pointer owns the skb; a function that
 * takes an skb says whether it consumes it (frees or passes it on) on
 * every return. Context: any but hard irq for alloc/free.
 */
#ifndef SQUALL_SKBUFF_H
#define SQUALL_SKBUFF_H

#include <stddef.h>
#include <stdint.h>
#include <kernel/spinlock.h>

struct net_device;
struct sock;

#define SKB_SMALL_MAX 2048	/* data bytes served from the per-CPU caches */
#define NET_SKB_PAD 64		/* headroom drivers reserve on RX */
#define MAX_HEADER 128		/* headroom for Ethernet + IP + TCP with options */

enum { PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST };
enum { CHECKSUM_NONE, CHECKSUM_UNNECESSARY, CHECKSUM_PARTIAL };

/*
 * Why a packet was dropped (Linux's enum skb_drop_reason, the subset we
 * have). Every drop is counted per reason (net/core/drop.c).
 */
enum skb_drop_reason {
	SKB_CONSUMED = 0,		/* not a drop: delivered and freed */
	SKB_DROP_REASON_NOT_SPECIFIED,
	SKB_DROP_REASON_PKT_TOO_SMALL,	/* shorter than its headers say */
	SKB_DROP_REASON_UNHANDLED_PROTO,	/* no handler for the ethertype/protocol */
	SKB_DROP_REASON_OTHERHOST,	/* not for our MAC or IP */
	SKB_DROP_REASON_IP_CSUM,
	SKB_DROP_REASON_IP_INHDR,	/* bad version, IHL, total length */
	SKB_DROP_REASON_IP_MARTIAN,	/* impossible source or destination */
	SKB_DROP_REASON_IP_TTL,
	SKB_DROP_REASON_IP_FRAG,	/* reassembly failed, timed out or hit a limit */
	SKB_DROP_REASON_IP_NOROUTE,
	SKB_DROP_REASON_UDP_CSUM,
	SKB_DROP_REASON_TCP_CSUM,
	SKB_DROP_REASON_NO_SOCKET,	/* no socket for the port */
	SKB_DROP_REASON_SOCKET_RCVBUFF,	/* receive buffer full */
	SKB_DROP_REASON_ARP,		/* malformed or unwanted ARP */
	SKB_DROP_REASON_NEIGH_FAILED,	/* ARP never resolved the next hop */
	SKB_DROP_REASON_NEIGH_QUEUEFULL,
	SKB_DROP_REASON_TX_RING_FULL,	/* the device had no room */
	SKB_DROP_REASON_TCP_INVALID,	/* segment the state machine refused */
	SKB_DROP_REASON_TCP_LISTEN_OVERFLOW,
	SKB_DROP_REASON_NOMEM,
	SKB_DROP_REASON_MAX
};

struct sk_buff {
	struct sk_buff *next, *prev;	/* on an sk_buff_head, or NULL */
	struct net_device *dev;
	struct sock *sk;		/* owning socket (for accounting), or NULL */
	uint8_t *head, *data;
	uint32_t len;			/* bytes from data to tail */
	uint32_t tail, end;		/* offsets from head */
	uint16_t mac_header, network_header, transport_header;	/* offsets from head */
	uint16_t protocol;		/* ethertype, network byte order */
	uint8_t pkt_type;		/* PACKET_* */
	uint8_t ip_summed;		/* CHECKSUM_* */
	uint16_t csum_start, csum_offset;	/* CHECKSUM_PARTIAL: where the device folds it */
	uint16_t queue_mapping;		/* RX queue it arrived on / TX queue to use */
	uint32_t hash;			/* flow hash (RX), for reuseport selection */
	uint64_t tstamp;		/* ktime_ns() at arrival or transmission */
	unsigned int truesize;		/* memory it costs, for socket buffer limits */
	void (*destructor)(struct sk_buff *skb);
	uint8_t cached;			/* from a per-CPU cache (SKB_SMALL_MAX) */
	uint8_t cb[48] __attribute__((aligned(8)));	/* per-layer control block */
};

/* A queue of skbs with its own lock (Linux's sk_buff_head). */
struct sk_buff_head {
	struct sk_buff *next, *prev;	/* [lock] circular through the head */
	uint32_t qlen;			/* [lock] */
	struct spinlock lock;
};

struct sk_buff *alloc_skb(unsigned int size);	/* NULL when out of memory */
/* An skb with NET_SKB_PAD + size bytes, headroom reserved (RX path). */
struct sk_buff *netdev_alloc_skb(struct net_device *dev, unsigned int size);
void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason);
static inline void kfree_skb(struct sk_buff *skb)
{
	kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
}
void consume_skb(struct sk_buff *skb);	/* freed after use: not a drop */
/* A private copy: new head, same data (TCP keeps the original for retransmission). */
struct sk_buff *skb_copy(const struct sk_buff *skb);

uint8_t *skb_put(struct sk_buff *skb, unsigned int len);
uint8_t *skb_push(struct sk_buff *skb, unsigned int len);
uint8_t *skb_pull(struct sk_buff *skb, unsigned int len);	/* NULL if len > skb->len */
void skb_reserve(struct sk_buff *skb, unsigned int len);
void skb_trim(struct sk_buff *skb, unsigned int len);

static inline unsigned int skb_headroom(const struct sk_buff *skb)
{
	return (unsigned int)(skb->data - skb->head);
}

static inline unsigned int skb_tailroom(const struct sk_buff *skb)
{
	return skb->end - skb->tail;
}

/* Linear skbs only: "are @len bytes there to read?" (Linux's pskb_may_pull). */
static inline int pskb_may_pull(const struct sk_buff *skb, unsigned int len)
{
	return len <= skb->len;
}

static inline uint8_t *skb_mac_header(const struct sk_buff *skb) { return skb->head + skb->mac_header; }
static inline uint8_t *skb_network_header(const struct sk_buff *skb) { return skb->head + skb->network_header; }
static inline uint8_t *skb_transport_header(const struct sk_buff *skb) { return skb->head + skb->transport_header; }
static inline void skb_reset_mac_header(struct sk_buff *skb) { skb->mac_header = (uint16_t)(skb->data - skb->head); }
static inline void skb_reset_network_header(struct sk_buff *skb) { skb->network_header = (uint16_t)(skb->data - skb->head); }
static inline void skb_reset_transport_header(struct sk_buff *skb) { skb->transport_header = (uint16_t)(skb->data - skb->head); }

void skb_queue_head_init(struct sk_buff_head *list);
void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *skb);	/* takes list->lock */
struct sk_buff *skb_dequeue(struct sk_buff_head *list);			/* takes list->lock */
void __skb_queue_tail(struct sk_buff_head *list, struct sk_buff *skb);	/* caller holds it */
struct sk_buff *__skb_dequeue(struct sk_buff_head *list);
struct sk_buff *skb_peek(const struct sk_buff_head *list);
void __skb_unlink(struct sk_buff *skb, struct sk_buff_head *list);
void skb_queue_purge(struct sk_buff_head *list);			/* frees everything */
static inline uint32_t skb_queue_len(const struct sk_buff_head *list) { return list->qlen; }
static inline int skb_queue_empty(const struct sk_buff_head *list)
{
	return list->next == (const struct sk_buff *)list;
}

void skb_cache_shrink(void);	/* this CPU's cached buffers back to the heap */

/* Accounting (tests, stats). */
int64_t skb_outstanding(void);			/* allocated and not yet freed */
uint64_t skb_drop_count(enum skb_drop_reason reason);	/* summed over CPUs */
const char *skb_drop_reason_name(enum skb_drop_reason reason);

#endif
