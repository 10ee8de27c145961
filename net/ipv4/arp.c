/*
 * ARP and the neighbour cache (RFC 826; Linux's net/ipv4/arp.c for the
 * protocol, net/core/neighbour.c for the state machine); see arp.h.
 *
 *   receive:  netif_receive_skb → arp_rcv → arp_process → neigh_update
 *                                                      → arp_send (reply)
 *   transmit: ip_output → neigh_resolve_output → [per-CPU cache hit]
 *             → dev_queue_xmit, or → __neigh_event_send (queue, request)
 *   timers:   neigh_timer_handler → arp_solicit again, or FAILED
 *
 * Locking: each hash bucket has a lock (irqsave: process-context senders
 * and softirq receivers share it) guarding its chain and every field of
 * the entries on it [b]. neigh_free_lock guards the free pool [f]. Order:
 * bucket lock, then the free lock, then a device TX lock; nothing is
 * transmitted with a bucket lock held. An entry's timer runs without
 * locks, takes the bucket lock, and gives up if the entry is dead; an
 * entry returns to the pool only after del_timer_sync(), so a timer never
 * sees it reused.
 *
 * The fast path takes no lock: each CPU caches the last next hop it
 * resolved (its address and its hardware address, valid until the
 * confirmation expires) and checks neigh_gen, a counter bumped whenever
 * any entry's hardware address changes or an entry goes away.
 */
#include <net/ipv4/arp.h>
#include <net/ipv4/ipv4.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/timer.h>
#include <string.h>

#define NEIGH_HASH_SIZE 64

struct neighbour {
	struct neighbour *next;		/* [b] chain, or [f] free list */
	uint32_t primary_key;		/* [b] the IPv4 address; [I] while linked */
	uint8_t ha[ETH_ALEN];		/* [b] */
	uint8_t nud_state;		/* [b] enum nud_state */
	uint8_t probes;			/* [b] requests sent this round */
	uint8_t dead;			/* [b] unlinked: the timer must not act */
	uint64_t confirmed;		/* [b] jiffies of the last confirmation */
	uint64_t used;			/* [b] jiffies of the last transmit through it */
	struct sk_buff_head arp_queue;	/* [b] packets waiting (INCOMPLETE); its own lock unused */
	struct timer_list timer;	/* retransmit: INCOMPLETE and PROBE only */
};

struct neigh_bucket {
	struct spinlock lock;
	struct neighbour *head;		/* [lock] */
} __attribute__((aligned(64)));

/* The per-CPU fast path (Linux's dst → neighbour → hh_cache shortcut). */
struct neigh_pcpu {
	uint32_t ip;			/* [o] 0 = empty */
	uint8_t ha[ETH_ALEN];		/* [o] */
	uint64_t gen;			/* [o] neigh_gen when filled */
	uint64_t expires;		/* [o] jiffies: the entry's confirmation ends */
} __attribute__((aligned(64)));

static struct neigh_bucket neigh_hash[NEIGH_HASH_SIZE];
static struct neighbour neigh_pool[NEIGH_MAX];
static struct neighbour *neigh_free;		/* [f] */
static unsigned int neigh_entries;		/* [a] in use */
static uint64_t neigh_gen = 1;			/* [a] */
static struct neigh_pcpu neigh_cache[NR_CPUS];	/* per-CPU */
static uint64_t arp_mib[ARP_MIB_MAX];		/* [a] */
static DEFINE_LOCK_CLASS(neigh_bucket_class, "neigh_bucket");
DEFINE_SPINLOCK(neigh_free_lock);

static const uint8_t eth_bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void arp_inc(enum arp_mib f)
{
	__atomic_add_fetch(&arp_mib[f], 1, __ATOMIC_RELAXED);
}

uint64_t arp_mib_read(enum arp_mib f)
{
	return f < ARP_MIB_MAX ? __atomic_load_n(&arp_mib[f], __ATOMIC_RELAXED) : 0;
}

static struct neigh_bucket *neigh_bucket_of(uint32_t ip)
{
	uint32_t h = ip * 0x9e3779b1u;	/* Fibonacci hashing: all four bytes count */

	return &neigh_hash[h >> 26];
}

static void neigh_gen_bump(void)
{
	__atomic_add_fetch(&neigh_gen, 1, __ATOMIC_RELEASE);
}

static int ha_is_unicast(const uint8_t *ha)
{
	static const uint8_t zero[ETH_ALEN];

	return !(ha[0] & 1) && memcmp(ha, zero, ETH_ALEN);
}

/* ---- sending ARP ---- */

/* Build and transmit one ARP packet (Linux's arp_send). @dest_hw NULL = broadcast. */
static void arp_send(uint16_t op, uint32_t tip, const uint8_t *dest_hw, const uint8_t *tha)
{
	struct net_device *dev = netdev_get();
	struct sk_buff *skb;
	struct arphdr *arp;

	if (!dev || !inet_local_addr())
		return;
	skb = alloc_skb(ETH_HLEN + sizeof(*arp));
	if (!skb)
		return;
	skb_reserve(skb, ETH_HLEN);
	arp = (struct arphdr *)skb_put(skb, sizeof(*arp));
	arp->ar_hrd = htons(ARPHRD_ETHER);
	arp->ar_pro = htons(ETH_P_IP);
	arp->ar_hln = ETH_ALEN;
	arp->ar_pln = 4;
	arp->ar_op = htons(op);
	memcpy(arp->ar_sha, dev->dev_addr, ETH_ALEN);
	arp->ar_sip = inet_local_addr();
	if (tha)
		memcpy(arp->ar_tha, tha, ETH_ALEN);
	else
		memset(arp->ar_tha, 0, ETH_ALEN);
	arp->ar_tip = tip;
	skb->dev = dev;
	skb->protocol = htons(ETH_P_ARP);
	eth_header(skb, dest_hw ? dest_hw : eth_bcast, dev->dev_addr, htons(ETH_P_ARP));
	arp_inc(op == ARPOP_REQUEST ? ARP_MIB_OUTREQUESTS : ARP_MIB_OUTREPLIES);
	dev_queue_xmit(skb);
}

/* A request for @ip: broadcast while INCOMPLETE, unicast to @ha when probing. */
static void arp_solicit(uint32_t ip, const uint8_t *ha)
{
	arp_send(ARPOP_REQUEST, ip, ha, NULL);
}

/* ---- the table ---- */

/* Caller holds the bucket lock. */
static struct neighbour *__neigh_lookup(struct neigh_bucket *b, uint32_t ip)
{
	for (struct neighbour *n = b->head; n; n = n->next)
		if (n->primary_key == ip)
			return n;
	return NULL;
}

/* Caller holds the bucket lock; @n goes on @dead (linked through ->next). */
static void __neigh_unlink(struct neigh_bucket *b, struct neighbour *n, struct neighbour **dead)
{
	for (struct neighbour **pp = &b->head; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	n->dead = 1;
	n->next = *dead;
	*dead = n;
}

/* An entry back to the pool; its timer is idle. Any lock but the free lock may be held. */
static void neigh_pool_put(struct neighbour *n)
{
	uint64_t f = spin_lock_irqsave(&neigh_free_lock);

	n->next = neigh_free;
	neigh_free = n;
	spin_unlock_irqrestore(&neigh_free_lock, f);
	__atomic_sub_fetch(&neigh_entries, 1, __ATOMIC_RELAXED);
	arp_inc(NEIGH_MIB_DESTROYS);
}

/* Unlinked entries back to the pool: no lock held (del_timer_sync may wait). */
static void neigh_release(struct neighbour *dead)
{
	if (dead)
		neigh_gen_bump();
	while (dead) {
		struct neighbour *n = dead;
		struct sk_buff *skb;

		dead = n->next;
		del_timer_sync(&n->timer);
		while ((skb = __skb_dequeue(&n->arp_queue))) {
			arp_inc(NEIGH_MIB_UNRES_DISCARDS);
			kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
		}
		neigh_pool_put(n);
	}
}

/*
 * Unlink entries in @states (a mask of 1 << NUD_*) from every bucket until
 * at most @target would remain; *@evicted counts them. No lock held.
 */
static void neigh_gc_pass(unsigned int states, unsigned int target, struct neighbour **dead,
			  unsigned int *evicted)
{
	for (int i = 0; i < NEIGH_HASH_SIZE; i++) {
		struct neigh_bucket *b = &neigh_hash[i];
		uint64_t f = spin_lock_irqsave(&b->lock);
		struct neighbour *n, *next;

		for (n = b->head; n; n = next) {
			next = n->next;
			if (__atomic_load_n(&neigh_entries, __ATOMIC_RELAXED) - *evicted <= target)
				break;
			if (states & (1u << n->nud_state)) {
				__neigh_unlink(b, n, dead);
				(*evicted)++;
			}
		}
		spin_unlock_irqrestore(&b->lock, f);
	}
}

/*
 * The table is full (Linux's neigh_forced_gc): shrink it to
 * NEIGH_GC_TARGET, least useful first. INCOMPLETE and PROBE entries are in
 * use (timer, queue) and stay. No lock held.
 */
static void neigh_forced_gc(void)
{
	struct neighbour *dead = NULL;
	unsigned int evicted = 0;

	arp_inc(NEIGH_MIB_FORCED_GC_RUNS);
	neigh_gc_pass(1u << NUD_FAILED | 1u << NUD_STALE | 1u << NUD_NONE, NEIGH_GC_TARGET,
		      &dead, &evicted);
	neigh_gc_pass(1u << NUD_REACHABLE, NEIGH_GC_TARGET, &dead, &evicted);
	neigh_release(dead);
}

static struct neighbour *neigh_alloc(uint32_t ip)
{
	struct neighbour *n = NULL;

	for (int tries = 0; tries < 2 && !n; tries++) {
		uint64_t f;

		if (tries)
			neigh_forced_gc();
		f = spin_lock_irqsave(&neigh_free_lock);
		n = neigh_free;
		if (n)
			neigh_free = n->next;
		spin_unlock_irqrestore(&neigh_free_lock, f);
	}
	if (!n) {
		arp_inc(NEIGH_MIB_TABLE_FULLS);
		return NULL;
	}
	__atomic_add_fetch(&neigh_entries, 1, __ATOMIC_RELAXED);
	arp_inc(NEIGH_MIB_ALLOCS);
	n->next = NULL;
	n->primary_key = ip;
	memset(n->ha, 0, ETH_ALEN);
	n->nud_state = NUD_NONE;
	n->probes = 0;
	n->dead = 0;
	n->confirmed = n->used = jiffies;
	return n;
}

/*
 * The entry for @ip with its bucket locked (*@f holds the irq flags), made
 * if @create and absent. NULL (nothing locked) if absent or the table is
 * full. Allocation runs unlocked (it may collect), so a racing creator may
 * win: then ours goes back to the pool.
 */
static struct neighbour *neigh_lookup_lock(uint32_t ip, int create, uint64_t *f)
{
	struct neigh_bucket *b = neigh_bucket_of(ip);
	struct neighbour *n, *fresh;

	*f = spin_lock_irqsave(&b->lock);
	n = __neigh_lookup(b, ip);
	if (n)
		return n;
	spin_unlock_irqrestore(&b->lock, *f);
	if (!create || !(fresh = neigh_alloc(ip)))
		return NULL;
	*f = spin_lock_irqsave(&b->lock);
	n = __neigh_lookup(b, ip);
	if (n) {
		neigh_pool_put(fresh);
		return n;
	}
	fresh->next = b->head;
	b->head = fresh;
	return fresh;
}

static void neigh_unlock(uint32_t ip, uint64_t f)
{
	spin_unlock_irqrestore(&neigh_bucket_of(ip)->lock, f);
}

/* ---- the state machine ---- */

/* Retransmit, or give up (Linux's neigh_timer_handler). Timer softirq. */
static void neigh_timer_handler(struct timer_list *t)
{
	struct neighbour *n = container_of(t, struct neighbour, timer);
	uint32_t ip = n->primary_key;
	struct sk_buff_head failed;
	uint8_t ha[ETH_ALEN];
	int unicast, was_probe;
	struct sk_buff *skb;
	uint64_t f;

	skb_queue_head_init(&failed);
	f = spin_lock_irqsave(&neigh_bucket_of(ip)->lock);
	if (n->dead || (n->nud_state != NUD_INCOMPLETE && n->nud_state != NUD_PROBE)) {
		neigh_unlock(ip, f);
		return;
	}
	if (n->probes >= NEIGH_MAX_PROBES) {
		was_probe = n->nud_state == NUD_PROBE;
		n->nud_state = NUD_FAILED;
		while ((skb = __skb_dequeue(&n->arp_queue)))
			__skb_queue_tail(&failed, skb);
		neigh_unlock(ip, f);
		if (was_probe)
			neigh_gen_bump();	/* per-CPU caches may still hold its address */
		arp_inc(NEIGH_MIB_RES_FAILED);
		while ((skb = __skb_dequeue(&failed))) {
			arp_inc(NEIGH_MIB_UNRES_DISCARDS);
			kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
		}
		return;
	}
	n->probes++;
	unicast = n->nud_state == NUD_PROBE;
	memcpy(ha, n->ha, ETH_ALEN);
	mod_timer(&n->timer, jiffies + msecs_to_jiffies(NEIGH_RETRANS_MS));
	neigh_unlock(ip, f);
	arp_solicit(ip, unicast ? ha : NULL);
}

/* Caller holds the bucket lock: start a resolution round in @state. */
static void __neigh_start_probe(struct neighbour *n, enum nud_state state)
{
	n->nud_state = (uint8_t)state;
	n->probes = 1;		/* the request the caller sends now */
	mod_timer(&n->timer, jiffies + msecs_to_jiffies(NEIGH_RETRANS_MS));
}

static void neigh_xmit(struct sk_buff *skb, const uint8_t *ha)
{
	eth_header(skb, ha, skb->dev->dev_addr, htons(ETH_P_IP));
	dev_queue_xmit(skb);
}

static void neigh_cache_fill(uint32_t ip, const uint8_t *ha, uint64_t gen, uint64_t expires)
{
	uint64_t f = local_irq_save();
	struct neigh_pcpu *c = &neigh_cache[smp_processor_id()];

	c->ip = ip;
	memcpy(c->ha, ha, ETH_ALEN);
	c->gen = gen;
	c->expires = expires;
	local_irq_restore(f);
}

/* The lockless hit: 1 and @ha filled if this CPU's cache holds @ip, fresh. */
static int neigh_cache_hit(uint32_t ip, uint8_t *ha)
{
	uint64_t f = local_irq_save();
	struct neigh_pcpu *c = &neigh_cache[smp_processor_id()];
	int hit = c->ip == ip && c->gen == __atomic_load_n(&neigh_gen, __ATOMIC_ACQUIRE) &&
		  time_before(jiffies, c->expires);

	if (hit)
		memcpy(ha, c->ha, ETH_ALEN);
	local_irq_restore(f);
	return hit;
}

/*
 * The slow path (Linux's neigh_resolve_output + __neigh_event_send):
 * send with a known address, or queue and ask. Consumes @skb.
 */
static int __neigh_output(struct sk_buff *skb, uint32_t ip)
{
	uint64_t f, gen = __atomic_load_n(&neigh_gen, __ATOMIC_ACQUIRE);
	struct neighbour *n = neigh_lookup_lock(ip, 1, &f);
	uint64_t reach = msecs_to_jiffies(NEIGH_REACHABLE_MS);
	struct sk_buff *old = NULL;
	uint8_t ha[ETH_ALEN];
	int solicit = 0;

	if (!n) {
		arp_inc(NEIGH_MIB_UNRES_DISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NEIGH_FAILED);
		return -ENOBUFS;
	}
	n->used = jiffies;
	if (n->nud_state == NUD_REACHABLE && time_after_eq(jiffies, n->confirmed + reach))
		n->nud_state = NUD_STALE;
	switch (n->nud_state) {
	case NUD_REACHABLE:
		memcpy(ha, n->ha, ETH_ALEN);
		reach += n->confirmed;	/* when the confirmation ends */
		neigh_unlock(ip, f);
		neigh_cache_fill(ip, ha, gen, reach);
		neigh_xmit(skb, ha);
		return 0;
	case NUD_STALE:
		/* Keep using it, but ask it directly (Linux: STALE → DELAY → PROBE). */
		__neigh_start_probe(n, NUD_PROBE);
		solicit = 1;
		/* fall through */
	case NUD_PROBE:
		memcpy(ha, n->ha, ETH_ALEN);
		neigh_unlock(ip, f);
		if (solicit)
			arp_solicit(ip, ha);
		neigh_xmit(skb, ha);
		return 0;
	case NUD_NONE:
	case NUD_FAILED:
		/* A new round: a FAILED entry is tried again, as Linux does. */
		__neigh_start_probe(n, NUD_INCOMPLETE);
		solicit = 1;
		/* fall through */
	default:	/* NUD_INCOMPLETE */
		if (skb_queue_len(&n->arp_queue) >= NEIGH_UNRES_QLEN)
			old = __skb_dequeue(&n->arp_queue);	/* the oldest goes, as Linux */
		__skb_queue_tail(&n->arp_queue, skb);
		neigh_unlock(ip, f);
		if (old) {
			arp_inc(NEIGH_MIB_UNRES_DISCARDS);
			kfree_skb_reason(old, SKB_DROP_REASON_NEIGH_QUEUEFULL);
		}
		if (solicit)
			arp_solicit(ip, NULL);
		return 0;
	}
}

int neigh_resolve_output(struct sk_buff *skb, const struct rtable *rt)
{
	uint8_t ha[ETH_ALEN];

	skb->dev = rt->dev;
	skb->protocol = htons(ETH_P_IP);
	if (rt->flags & RTF_BROADCAST) {
		neigh_xmit(skb, eth_bcast);
		return 0;
	}
	if (neigh_cache_hit(rt->nexthop, ha)) {
		neigh_xmit(skb, ha);
		return 0;
	}
	return __neigh_output(skb, rt->nexthop);
}

/*
 * A confirmation or a new address for @ip (Linux's neigh_update). Sends
 * what was waiting. @create: make the entry if absent.
 */
static void neigh_update(uint32_t ip, const uint8_t *ha, enum nud_state state, int create)
{
	uint64_t f;
	struct neighbour *n = neigh_lookup_lock(ip, create, &f);
	struct sk_buff_head waiting;
	struct sk_buff *skb;
	uint8_t lladdr[ETH_ALEN];
	int changed;

	if (!n)
		return;
	changed = memcmp(n->ha, ha, ETH_ALEN) != 0;
	/* A weak (STALE) update does not demote a confirmed entry with the same address. */
	if (state == NUD_STALE && n->nud_state == NUD_REACHABLE && !changed) {
		neigh_unlock(ip, f);
		return;
	}
	memcpy(n->ha, ha, ETH_ALEN);
	if (state == NUD_REACHABLE)
		n->confirmed = jiffies;
	n->nud_state = (uint8_t)state;
	n->probes = 0;
	del_timer(&n->timer);	/* a running handler sees the new state and stops */
	skb_queue_head_init(&waiting);
	while ((skb = __skb_dequeue(&n->arp_queue)))
		__skb_queue_tail(&waiting, skb);
	memcpy(lladdr, ha, ETH_ALEN);
	neigh_unlock(ip, f);
	if (changed)
		neigh_gen_bump();
	while ((skb = __skb_dequeue(&waiting)))
		neigh_xmit(skb, lladdr);
}

/* ---- receiving ARP ---- */

/* RFC 826 "Packet Reception", with Linux's arp_process choices. Consumes @skb. */
static int arp_process(struct sk_buff *skb)
{
	const struct arphdr *arp = (const struct arphdr *)skb->data;
	uint32_t sip = arp->ar_sip, tip = arp->ar_tip, me = inet_local_addr();
	uint16_t op = ntohs(arp->ar_op);
	uint8_t sha[ETH_ALEN];

	memcpy(sha, arp->ar_sha, ETH_ALEN);
	if (op == ARPOP_REQUEST)
		arp_inc(ARP_MIB_INREQUESTS);
	else
		arp_inc(ARP_MIB_INREPLIES);
	/* Impossible senders and targets, or someone claiming our address. */
	if (ipv4_is_multicast(tip) || ipv4_is_loopback(tip) || ipv4_is_loopback(sip) ||
	    ipv4_is_multicast(sip) || ipv4_is_lbcast(sip) || !ha_is_unicast(sha) ||
	    (me && sip == me) || !me)
		goto discard;
	if (sip == 0) {
		/* An address probe (RFC 5227): answer if it is for us, learn nothing. */
		if (op == ARPOP_REQUEST && tip == me)
			arp_send(ARPOP_REPLY, 0, sha, sha);
		goto consume;
	}
	if (op == ARPOP_REQUEST && tip == me) {
		/* The asker is about to talk to us: keep its address (neigh_event_ns). */
		neigh_update(sip, sha, NUD_STALE, 1);
		arp_send(ARPOP_REPLY, sip, sha, sha);
		goto consume;
	}
	/*
	 * Anything else only refreshes an entry we already have: an unsolicited
	 * reply makes none (Linux's arp_accept=0). A reply, or a request sent
	 * to our MAC, confirms; an overheard broadcast only marks it STALE.
	 */
	neigh_update(sip, sha,
		     op == ARPOP_REPLY || skb->pkt_type == PACKET_HOST ? NUD_REACHABLE : NUD_STALE, 0);
consume:
	consume_skb(skb);
	return 0;
discard:
	arp_inc(ARP_MIB_INDISCARDS);
	kfree_skb_reason(skb, SKB_DROP_REASON_ARP);
	return -1;
}

/* The ETH_P_ARP handler: checks lengths and types before reading. Consumes @skb. */
int arp_rcv(struct sk_buff *skb, struct net_device *dev)
{
	const struct arphdr *arp;
	enum skb_drop_reason reason;

	(void)dev;
	arp_inc(ARP_MIB_INPKTS);
	if (skb->pkt_type == PACKET_OTHERHOST) {
		reason = SKB_DROP_REASON_OTHERHOST;
		arp_inc(ARP_MIB_INDISCARDS);
		goto drop;
	}
	reason = SKB_DROP_REASON_ARP;
	if (!pskb_may_pull(skb, sizeof(*arp)))
		goto malformed;
	arp = (const struct arphdr *)skb->data;
	if (arp->ar_hrd != htons(ARPHRD_ETHER) || arp->ar_pro != htons(ETH_P_IP) ||
	    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		goto malformed;
	if (arp->ar_op != htons(ARPOP_REQUEST) && arp->ar_op != htons(ARPOP_REPLY))
		goto malformed;
	skb_trim(skb, sizeof(*arp));	/* link padding */
	return arp_process(skb);
malformed:
	arp_inc(ARP_MIB_INERRORS);
drop:
	kfree_skb_reason(skb, reason);
	return -1;
}

/* ---- queries and init ---- */

enum nud_state neigh_state(uint32_t ip, uint8_t *ha_out)
{
	uint64_t f;
	struct neighbour *n = neigh_lookup_lock(ip, 0, &f);
	enum nud_state s;

	if (!n)
		return NUD_NONE;
	s = (enum nud_state)n->nud_state;
	if (ha_out)
		memcpy(ha_out, n->ha, ETH_ALEN);
	neigh_unlock(ip, f);
	return s;
}

unsigned int neigh_count(void)
{
	return __atomic_load_n(&neigh_entries, __ATOMIC_RELAXED);
}

void neigh_flush_all(void)
{
	struct neighbour *dead = NULL;
	unsigned int evicted = 0;

	neigh_gc_pass(~0u, 0, &dead, &evicted);
	neigh_release(dead);
}

static struct packet_type arp_packet_type = { .func = arp_rcv };

void arp_init(void)
{
	for (int i = 0; i < NEIGH_HASH_SIZE; i++) {
		spin_lock_init(&neigh_hash[i].lock, &neigh_bucket_class);
		neigh_hash[i].head = NULL;
	}
	neigh_free = NULL;
	for (int i = NEIGH_MAX - 1; i >= 0; i--) {
		struct neighbour *n = &neigh_pool[i];

		skb_queue_head_init(&n->arp_queue);
		timer_setup(&n->timer, neigh_timer_handler, 0);
		n->next = neigh_free;
		neigh_free = n;
	}
	arp_packet_type.type = htons(ETH_P_ARP);
	dev_add_pack(&arp_packet_type);
}
