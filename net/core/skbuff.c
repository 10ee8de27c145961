/*
 * sk_buff allocation, freeing and the data-pointer operations (Linux's
 * net/core/skbuff.c, linear buffers only); see skbuff.h.
 *
 * Small buffers (struct + SKB_SMALL_MAX data, one allocation) live on a
 * per-CPU free list: the RX and TX hot paths take and give back without
 * locks or malloc once the list is warm. A list holds at most
 * SKB_CACHE_MAX entries; beyond that, buffers go back to the heap, so a
 * burst does not pin memory for ever.
 */
#include <net/core/skbuff.h>
#include <kernel/percpu.h>
#include <kernel/panic.h>
#include <stdlib.h>
#include <string.h>

#define SKB_CACHE_MAX 1024

struct skb_cpu {
	struct sk_buff *free;		/* [o] singly linked through ->next */
	unsigned int nr_free;		/* [o] */
	int64_t allocated, freed;	/* [o] for skb_outstanding() */
	uint64_t drops[SKB_DROP_REASON_MAX];	/* [o] */
} __attribute__((aligned(64)));

static struct skb_cpu skb_cpus[NR_CPUS];	/* per-CPU */

static const char *const drop_names[SKB_DROP_REASON_MAX] = {
	[SKB_CONSUMED] = "CONSUMED",
	[SKB_DROP_REASON_NOT_SPECIFIED] = "NOT_SPECIFIED",
	[SKB_DROP_REASON_PKT_TOO_SMALL] = "PKT_TOO_SMALL",
	[SKB_DROP_REASON_UNHANDLED_PROTO] = "UNHANDLED_PROTO",
	[SKB_DROP_REASON_OTHERHOST] = "OTHERHOST",
	[SKB_DROP_REASON_IP_CSUM] = "IP_CSUM",
	[SKB_DROP_REASON_IP_INHDR] = "IP_INHDR",
	[SKB_DROP_REASON_IP_MARTIAN] = "IP_MARTIAN",
	[SKB_DROP_REASON_IP_TTL] = "IP_TTL",
	[SKB_DROP_REASON_IP_FRAG] = "IP_FRAG",
	[SKB_DROP_REASON_IP_NOROUTE] = "IP_NOROUTE",
	[SKB_DROP_REASON_UDP_CSUM] = "UDP_CSUM",
	[SKB_DROP_REASON_TCP_CSUM] = "TCP_CSUM",
	[SKB_DROP_REASON_NO_SOCKET] = "NO_SOCKET",
	[SKB_DROP_REASON_SOCKET_RCVBUFF] = "SOCKET_RCVBUFF",
	[SKB_DROP_REASON_ARP] = "ARP",
	[SKB_DROP_REASON_NEIGH_FAILED] = "NEIGH_FAILED",
	[SKB_DROP_REASON_NEIGH_QUEUEFULL] = "NEIGH_QUEUEFULL",
	[SKB_DROP_REASON_TX_RING_FULL] = "TX_RING_FULL",
	[SKB_DROP_REASON_TCP_INVALID] = "TCP_INVALID",
	[SKB_DROP_REASON_TCP_LISTEN_OVERFLOW] = "TCP_LISTEN_OVERFLOW",
	[SKB_DROP_REASON_NOMEM] = "NOMEM",
};

static struct skb_cpu *this_skb_cpu(void)
{
	return &skb_cpus[smp_processor_id()];
}

static void skb_init(struct sk_buff *skb, uint8_t *data, unsigned int size, int cached)
{
	memset(skb, 0, offsetof(struct sk_buff, cb));
	memset(skb->cb, 0, sizeof(skb->cb));
	skb->head = skb->data = data;
	skb->end = size;
	skb->cached = (uint8_t)cached;
	skb->truesize = (unsigned int)sizeof(*skb) + size;
}

/* The per-CPU list is touched with interrupts off: RX refill runs in softirq. */
struct sk_buff *alloc_skb(unsigned int size)
{
	struct sk_buff *skb;
	uint64_t f;

	if (size > SKB_SMALL_MAX) {
		skb = malloc(sizeof(*skb) + size);
		if (!skb)
			return NULL;
		skb_init(skb, (uint8_t *)(skb + 1), size, 0);
	} else {
		struct skb_cpu *c;

		f = local_irq_save();
		c = this_skb_cpu();
		skb = c->free;
		if (skb) {
			c->free = skb->next;
			c->nr_free--;
		}
		local_irq_restore(f);
		if (!skb && !(skb = malloc(sizeof(*skb) + SKB_SMALL_MAX)))
			return NULL;
		skb_init(skb, (uint8_t *)(skb + 1), SKB_SMALL_MAX, 1);
	}
	f = local_irq_save();
	this_skb_cpu()->allocated++;
	local_irq_restore(f);
	return skb;
}

struct sk_buff *netdev_alloc_skb(struct net_device *dev, unsigned int size)
{
	struct sk_buff *skb = alloc_skb(size + NET_SKB_PAD);

	if (skb) {
		skb_reserve(skb, NET_SKB_PAD);
		skb->dev = dev;
	}
	return skb;
}

static void __free_skb(struct sk_buff *skb, enum skb_drop_reason reason)
{
	uint64_t f;
	struct skb_cpu *c;

	if (skb->next && skb->next != skb)
		panic("kfree_skb: skb %p is still on a queue", (void *)skb);
	if (skb->destructor)
		skb->destructor(skb);
	f = local_irq_save();
	c = this_skb_cpu();
	c->freed++;
	c->drops[reason]++;
	if (skb->cached && c->nr_free < SKB_CACHE_MAX) {
		skb->next = c->free;
		c->free = skb;
		c->nr_free++;
		skb = NULL;
	}
	local_irq_restore(f);
	free(skb);
}

void kfree_skb_reason(struct sk_buff *skb, enum skb_drop_reason reason)
{
	if (!skb)
		return;
	if ((unsigned int)reason >= SKB_DROP_REASON_MAX)
		reason = SKB_DROP_REASON_NOT_SPECIFIED;
	__free_skb(skb, reason);
}

void consume_skb(struct sk_buff *skb)
{
	if (skb)
		__free_skb(skb, SKB_CONSUMED);
}

struct sk_buff *skb_copy(const struct sk_buff *skb)
{
	struct sk_buff *n = alloc_skb(skb->end);

	if (!n)
		return NULL;
	memcpy(n->head, skb->head, skb->tail);
	n->data = n->head + (skb->data - skb->head);
	n->len = skb->len;
	n->tail = skb->tail;
	n->dev = skb->dev;
	n->mac_header = skb->mac_header;
	n->network_header = skb->network_header;
	n->transport_header = skb->transport_header;
	n->protocol = skb->protocol;
	n->pkt_type = skb->pkt_type;
	n->ip_summed = skb->ip_summed;
	n->csum_start = skb->csum_start;
	n->csum_offset = skb->csum_offset;
	n->queue_mapping = skb->queue_mapping;
	n->hash = skb->hash;
	n->tstamp = skb->tstamp;
	memcpy(n->cb, skb->cb, sizeof(n->cb));
	return n;
}

uint8_t *skb_put(struct sk_buff *skb, unsigned int len)
{
	uint8_t *p = skb->head + skb->tail;

	if (len > skb_tailroom(skb))
		panic("skb_put: %u bytes past the end (tailroom %u)", len, skb_tailroom(skb));
	skb->tail += len;
	skb->len += len;
	return p;
}

uint8_t *skb_push(struct sk_buff *skb, unsigned int len)
{
	if (len > skb_headroom(skb))
		panic("skb_push: %u bytes under the head (headroom %u)", len, skb_headroom(skb));
	skb->data -= len;
	skb->len += len;
	return skb->data;
}

uint8_t *skb_pull(struct sk_buff *skb, unsigned int len)
{
	if (len > skb->len)
		return NULL;
	skb->len -= len;
	skb->data += len;
	return skb->data;
}

void skb_reserve(struct sk_buff *skb, unsigned int len)
{
	if (skb->len || len > skb_tailroom(skb))
		panic("skb_reserve: %u bytes on a non-empty or too small skb", len);
	skb->data += len;
	skb->tail += len;
}

void skb_trim(struct sk_buff *skb, unsigned int len)
{
	if (len < skb->len) {
		skb->len = len;
		skb->tail = (uint32_t)(skb->data - skb->head) + len;
	}
}

/* ---- queues ---- */

static DEFINE_LOCK_CLASS(skb_queue_class, "skb_queue");

void skb_queue_head_init(struct sk_buff_head *list)
{
	list->next = list->prev = (struct sk_buff *)list;
	list->qlen = 0;
	spin_lock_init(&list->lock, &skb_queue_class);
}

void __skb_queue_tail(struct sk_buff_head *list, struct sk_buff *skb)
{
	struct sk_buff *last = list->prev;

	skb->next = (struct sk_buff *)list;
	skb->prev = last;
	last->next = skb;
	list->prev = skb;
	list->qlen++;
}

void __skb_unlink(struct sk_buff *skb, struct sk_buff_head *list)
{
	skb->prev->next = skb->next;
	skb->next->prev = skb->prev;
	skb->next = skb->prev = NULL;
	list->qlen--;
}

struct sk_buff *skb_peek(const struct sk_buff_head *list)
{
	return skb_queue_empty(list) ? NULL : list->next;
}

struct sk_buff *__skb_dequeue(struct sk_buff_head *list)
{
	struct sk_buff *skb = skb_peek(list);

	if (skb)
		__skb_unlink(skb, list);
	return skb;
}

void skb_queue_tail(struct sk_buff_head *list, struct sk_buff *skb)
{
	uint64_t f = spin_lock_irqsave(&list->lock);

	__skb_queue_tail(list, skb);
	spin_unlock_irqrestore(&list->lock, f);
}

struct sk_buff *skb_dequeue(struct sk_buff_head *list)
{
	uint64_t f = spin_lock_irqsave(&list->lock);
	struct sk_buff *skb = __skb_dequeue(list);

	spin_unlock_irqrestore(&list->lock, f);
	return skb;
}

void skb_queue_purge(struct sk_buff_head *list)
{
	struct sk_buff *skb;

	while ((skb = skb_dequeue(list)))
		kfree_skb(skb);
}

/* ---- accounting ---- */

int64_t skb_outstanding(void)
{
	int64_t n = 0;

	for (unsigned int c = 0; c < NR_CPUS; c++)
		n += skb_cpus[c].allocated - skb_cpus[c].freed;
	return n;
}

uint64_t skb_drop_count(enum skb_drop_reason reason)
{
	uint64_t n = 0;

	if ((unsigned int)reason >= SKB_DROP_REASON_MAX)
		return 0;
	for (unsigned int c = 0; c < NR_CPUS; c++)
		n += skb_cpus[c].drops[reason];
	return n;
}

const char *skb_drop_reason_name(enum skb_drop_reason reason)
{
	return (unsigned int)reason < SKB_DROP_REASON_MAX && drop_names[reason]
		       ? drop_names[reason] : "?";
}

/* Give this CPU's cached buffers back to the heap (memory pressure, tests). */
void skb_cache_shrink(void)
{
	uint64_t f = local_irq_save();
	struct skb_cpu *c = this_skb_cpu();
	struct sk_buff *skb = c->free;

	c->free = NULL;
	c->nr_free = 0;
	local_irq_restore(f);
	while (skb) {
		struct sk_buff *next = skb->next;

		free(skb);
		skb = next;
	}
}
