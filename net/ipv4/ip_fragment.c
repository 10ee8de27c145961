/*
 * IPv4 reassembly (RFC 791 §3.2, RFC 815; Linux's net/ipv4/ip_fragment.c
 * and net/ipv4/inet_fragment.c). ip_local_deliver() calls ip_defrag() for
 * every fragment; the datagram comes back whole when its last hole fills.
 *
 * A queue (struct ipq) per datagram, keyed by (saddr, daddr, id,
 * protocol), holds its fragments sorted by offset. Policy, as Linux since
 * 4.19 (RFC 5722 §4 applied to IPv4): a fragment that overlaps another
 * discards the whole datagram; an exact duplicate is dropped alone.
 * Limits: IPFRAG_HIGH_THRESH bytes (truesize) over all queues, beyond
 * which fragments are refused; IPFRAG_MAX_FRAGS per queue; IPFRAG_TIME
 * to complete, after which the queue expires with ICMP time exceeded
 * (fragment reassembly) if the first fragment had arrived (RFC 1122
 * §3.3.2). Every failure counts REASMFAILS (and REASMTIMEOUT).
 *
 * Locking: ipfrag_lock (irqsave) guards the hash, every queue and the
 * memory total [l]: reassembly is rare, so one lock. A queue holds one
 * reference for the hash and one for its pending timer; ipq_kill() drops
 * the hash's, and the timer's goes with a successful del_timer() or at the
 * end of ip_expire(), so a handler waiting for the lock never sees it freed.
 */
#include <net/ipv4/ipv4.h>
#include <net/ipv4/icmp.h>
#include <kernel/timer.h>
#include <stdlib.h>
#include <string.h>

#define IPQ_HASH_SIZE 64
#define IPFRAG_HIGH_THRESH (4u << 20)	/* Linux's ipfrag_high_thresh */
#define IPFRAG_MAX_FRAGS 128		/* a 64 KiB datagram at MTU 576 needs 120 */
#define IPFRAG_TIME_MS 30000		/* Linux's ipfrag_time */

#define INET_FRAG_FIRST_IN 0x1
#define INET_FRAG_LAST_IN 0x2
#define INET_FRAG_COMPLETE 0x4		/* killed: off the hash */

struct ipq {
	struct ipq *next;		/* [l] hash chain */
	uint32_t saddr, daddr;		/* [I] the key */
	uint16_t id;			/* [I] */
	uint8_t protocol;		/* [I] */
	uint8_t flags;			/* [l] INET_FRAG_* */
	int refcnt;			/* [l] */
	unsigned int len;		/* [l] payload length: the end of the last fragment */
	unsigned int meat;		/* [l] payload bytes received */
	unsigned int nfrags;		/* [l] */
	unsigned int mem;		/* [l] truesize charged */
	struct sk_buff *fragments;	/* [l] sorted by offset, through ->next */
	struct timer_list timer;	/* ip_expire */
};

/* Where a queued fragment's payload sits in the datagram (IP's use of skb->cb). */
struct ipfrag_cb {
	uint32_t offset, end;		/* payload bytes [offset, end) */
	uint32_t ihl;			/* its own header length */
};
#define FRAG_CB(skb) ((struct ipfrag_cb *)(skb)->cb)

static struct ipq *ipq_hash[IPQ_HASH_SIZE];	/* [l] */
static unsigned int ipfrag_mem_total;		/* [l] */
static unsigned int ipfrag_nqueues;		/* [l] */
DEFINE_SPINLOCK(ipfrag_lock);

static unsigned int ipq_hashfn(uint32_t saddr, uint32_t daddr, uint16_t id, uint8_t prot)
{
	uint32_t h = (saddr ^ (daddr * 0x9e3779b1u) ^ ((uint32_t)id << 16 | prot)) * 0x85ebca6bu;

	return h >> 26;
}

static void ipq_put(struct ipq *q)
{
	if (--q->refcnt == 0) {
		ipfrag_mem_total -= sizeof(*q);
		free(q);
	}
}

/*
 * Unhash @q and free its fragments with @reason, except *@keep_head (the
 * first fragment, for ip_expire's ICMP), handed back unlinked. Lock held.
 */
static void ipq_kill(struct ipq *q, struct sk_buff **keep_head, enum skb_drop_reason reason)
{
	struct sk_buff *skb = q->fragments;
	struct ipq **pp = &ipq_hash[ipq_hashfn(q->saddr, q->daddr, q->id, q->protocol)];

	if (q->flags & INET_FRAG_COMPLETE)
		return;
	q->flags |= INET_FRAG_COMPLETE;
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	}
	ipfrag_nqueues--;
	if (keep_head) {
		*keep_head = NULL;
		if (skb && FRAG_CB(skb)->offset == 0) {
			*keep_head = skb;
			skb = skb->next;
			(*keep_head)->next = NULL;
		}
	}
	while (skb) {
		struct sk_buff *next = skb->next;

		skb->next = NULL;
		kfree_skb_reason(skb, reason);
		skb = next;
	}
	q->fragments = NULL;
	ipfrag_mem_total -= q->mem;
	q->mem = 0;
	if (del_timer(&q->timer))
		q->refcnt--;	/* the timer's reference; never the last: the hash's is below */
	ipq_put(q);		/* the hash's */
}

/* IPFRAG_TIME passed (Linux's ip_expire). Timer softirq. */
static void ip_expire(struct timer_list *t)
{
	struct ipq *q = container_of(t, struct ipq, timer);
	struct sk_buff *head = NULL;
	uint64_t f = spin_lock_irqsave(&ipfrag_lock);

	if (!(q->flags & INET_FRAG_COMPLETE)) {
		ip_mib_inc(IPSTATS_MIB_REASMTIMEOUT);
		ip_mib_inc(IPSTATS_MIB_REASMFAILS);
		ipq_kill(q, &head, SKB_DROP_REASON_IP_FRAG);
	}
	ipq_put(q);		/* the timer's */
	spin_unlock_irqrestore(&ipfrag_lock, f);
	if (head) {
		/* RFC 792/1122: time exceeded, code 1, only with fragment zero in hand. */
		icmp_send(head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
		kfree_skb_reason(head, SKB_DROP_REASON_IP_FRAG);
	}
}

/* Find or create the queue for @iph's datagram. Caller holds the lock. */
static struct ipq *ip_find(const struct iphdr *iph)
{
	unsigned int h = ipq_hashfn(iph->saddr, iph->daddr, iph->id, iph->protocol);
	struct ipq *q;

	for (q = ipq_hash[h]; q; q = q->next)
		if (q->saddr == iph->saddr && q->daddr == iph->daddr && q->id == iph->id &&
		    q->protocol == iph->protocol)
			return q;
	if (ipfrag_mem_total + sizeof(*q) > IPFRAG_HIGH_THRESH)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->saddr = iph->saddr;
	q->daddr = iph->daddr;
	q->id = iph->id;
	q->protocol = iph->protocol;
	q->refcnt = 2;		/* the hash and the timer */
	timer_setup(&q->timer, ip_expire, 0);
	mod_timer(&q->timer, jiffies + msecs_to_jiffies(IPFRAG_TIME_MS));
	q->next = ipq_hash[h];
	ipq_hash[h] = q;
	ipfrag_mem_total += sizeof(*q);
	ipfrag_nqueues++;
	return q;
}

/*
 * Build the whole datagram (Linux's ip_frag_reasm, copying: skbs are
 * linear). NULL if it would exceed 64 KiB or memory is short. Lock held.
 */
static struct sk_buff *ip_frag_reasm(struct ipq *q)
{
	struct sk_buff *head = q->fragments, *skb, *frag;
	unsigned int ihl = FRAG_CB(head)->ihl, total = ihl + q->len;
	struct iphdr *iph;

	if (total > 0xffff)
		return NULL;
	skb = alloc_skb(NET_SKB_PAD + total);
	if (!skb)
		return NULL;
	skb_reserve(skb, NET_SKB_PAD);
	memcpy(skb_put(skb, ihl), head->data, ihl);
	for (frag = head; frag; frag = frag->next)
		memcpy(skb_put(skb, FRAG_CB(frag)->end - FRAG_CB(frag)->offset),
		       frag->data + FRAG_CB(frag)->ihl, FRAG_CB(frag)->end - FRAG_CB(frag)->offset);
	skb->dev = head->dev;
	skb->protocol = head->protocol;
	skb->pkt_type = head->pkt_type;
	skb->ip_summed = CHECKSUM_NONE;	/* the device checked no transport sum over fragments */
	skb->hash = head->hash;
	skb->queue_mapping = head->queue_mapping;
	skb->tstamp = head->tstamp;
	skb_reset_network_header(skb);
	skb->transport_header = (uint16_t)(skb->network_header + ihl);
	iph = ip_hdr(skb);
	iph->tot_len = htons((uint16_t)total);
	iph->frag_off = 0;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, ihl / 4);
	return skb;
}

enum ipfrag_verdict { FRAG_QUEUED, FRAG_DROP, FRAG_DUP, FRAG_KILL, FRAG_DONE };

/* Insert @skb into @q in offset order (Linux's inet_frag_queue_insert). Lock held. */
static enum ipfrag_verdict ip_frag_insert(struct ipq *q, struct sk_buff *skb, int last)
{
	uint32_t offset = FRAG_CB(skb)->offset, end = FRAG_CB(skb)->end;
	struct sk_buff **pp, *f;

	if (last) {
		/* A second, different end, or data past it, is corrupt. */
		if (end < q->len || ((q->flags & INET_FRAG_LAST_IN) && end != q->len))
			return FRAG_KILL;
		q->flags |= INET_FRAG_LAST_IN;
		q->len = end;
	} else if (end > q->len) {
		if (q->flags & INET_FRAG_LAST_IN)
			return FRAG_KILL;	/* data beyond the end */
		q->len = end;
	}
	for (f = q->fragments; f; f = f->next) {
		if (FRAG_CB(f)->offset == offset && FRAG_CB(f)->end == end)
			return FRAG_DUP;
		if (FRAG_CB(f)->offset < end && offset < FRAG_CB(f)->end)
			return FRAG_KILL;	/* RFC 5722: an overlap discards the datagram */
	}
	if (q->nfrags >= IPFRAG_MAX_FRAGS)
		return FRAG_KILL;
	for (pp = &q->fragments; (f = *pp) && (FRAG_CB(f)->offset < offset ||
					       (FRAG_CB(f)->offset == offset && FRAG_CB(f)->end <= end));
	     pp = &f->next)
		;
	skb->next = *pp;
	*pp = skb;
	q->nfrags++;
	q->meat += end - offset;
	q->mem += skb->truesize;
	ipfrag_mem_total += skb->truesize;
	if (offset == 0)
		q->flags |= INET_FRAG_FIRST_IN;
	if ((q->flags & (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN)) ==
	    (INET_FRAG_FIRST_IN | INET_FRAG_LAST_IN) && q->meat == q->len)
		return FRAG_DONE;
	return FRAG_QUEUED;
}

struct sk_buff *ip_defrag(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int ihl = ip_hdrlen(iph), flags = ntohs(iph->frag_off);
	unsigned int offset = (flags & IP_OFFSET) << 3, end = offset + skb->len - ihl;
	enum ipfrag_verdict v = FRAG_DROP;
	struct sk_buff *whole = NULL;
	struct ipq *q;
	uint64_t f;

	ip_mib_inc(IPSTATS_MIB_REASMREQDS);
	/* RFC 791: all but the last carry a multiple of 8 bytes; none ends past 64 KiB. */
	if (((flags & IP_MF) && ((end - offset) % 8 || end == offset)) ||
	    end + sizeof(struct iphdr) > 0xffff) {
		ip_mib_inc(IPSTATS_MIB_INHDRERRORS);
		goto drop;
	}
	FRAG_CB(skb)->offset = offset;
	FRAG_CB(skb)->end = end;
	FRAG_CB(skb)->ihl = ihl;
	f = spin_lock_irqsave(&ipfrag_lock);
	q = NULL;
	if (ipfrag_mem_total + skb->truesize <= IPFRAG_HIGH_THRESH)
		q = ip_find(iph);
	if (q)
		v = ip_frag_insert(q, skb, !(flags & IP_MF));
	if (v == FRAG_DONE) {
		whole = ip_frag_reasm(q);
		if (whole)
			ip_mib_inc(IPSTATS_MIB_REASMOKS);
	}
	if (v == FRAG_KILL)
		ipq_kill(q, NULL, SKB_DROP_REASON_IP_FRAG);
	else if (v == FRAG_DONE)	/* @skb is among the fragments freed */
		ipq_kill(q, NULL, whole ? SKB_CONSUMED : SKB_DROP_REASON_IP_FRAG);
	spin_unlock_irqrestore(&ipfrag_lock, f);
	switch (v) {
	case FRAG_QUEUED:
		return NULL;
	case FRAG_DONE:
		if (!whole)
			ip_mib_inc(IPSTATS_MIB_REASMFAILS);	/* oversized or no memory */
		return whole;
	case FRAG_DUP:
		ip_mib_inc(IPSTATS_MIB_INDISCARDS);
		goto drop;
	default:	/* FRAG_KILL, or FRAG_DROP: over the memory limit */
		ip_mib_inc(IPSTATS_MIB_REASMFAILS);
		goto drop;
	}
drop:
	kfree_skb_reason(skb, SKB_DROP_REASON_IP_FRAG);
	return NULL;
}

void ipfrag_flush(void)
{
	uint64_t f = spin_lock_irqsave(&ipfrag_lock);

	for (int i = 0; i < IPQ_HASH_SIZE; i++)
		while (ipq_hash[i])
			ipq_kill(ipq_hash[i], NULL, SKB_DROP_REASON_IP_FRAG);
	spin_unlock_irqrestore(&ipfrag_lock, f);
}

unsigned int ipfrag_mem(void)
{
	return __atomic_load_n(&ipfrag_mem_total, __ATOMIC_RELAXED);
}

unsigned int ipfrag_queues(void)
{
	return __atomic_load_n(&ipfrag_nqueues, __ATOMIC_RELAXED);
}
