/*
 * The hosted network (see net_shim.h): what net/ needs from the kernel
 * when it runs inside a unit test or a fuzzer, plus a fake NIC and frame
 * helpers. One CPU; time moves only in net_shim_advance(); softirqs are
 * not needed because tests call netif_receive_skb directly.
 */
#include "net_shim.h"
#include <net/ipv4/arp.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/udp.h>
#include <net/socket.h>
#include <kernel/random.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint8_t shim_mac[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
const uint8_t peer_mac[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
const uint8_t bcast_mac[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
int shim_tx_busy;

static struct sk_buff_head shim_tx;
static struct timer_base shim_timers;

/* ---- the kernel services net/ calls, hosted ---- */

struct timer_base *timer_this_base(void) { return &shim_timers; }
uint64_t ktime_ns(void) { return jiffies * 1000000ULL; }
void open_softirq(int nr, void (*action)(void)) { (void)nr; (void)action; }
void raise_softirq_irqoff(int nr) { (void)nr; }

int printk(const char *fmt, ...)
{
	(void)fmt;	/* quiet: tests assert on counters, not on the log */
	return 0;
}

int default_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	(void)e, (void)mode, (void)flags, (void)key;
	return 1;
}

void shim_msg(struct msghdr *m, struct iovec *iov, void *buf, size_t len, void *name, int namelen)
{
	memset(m, 0, sizeof(*m));
	iov->iov_base = buf;
	iov->iov_len = len;
	m->msg_iov = iov;
	m->msg_iovlen = 1;
	m->msg_name = name;
	m->msg_namelen = namelen;
}

/* ---- the fake NIC ---- */

static enum netdev_tx shim_xmit(struct sk_buff *skb, struct net_device *dev, unsigned int q)
{
	(void)dev, (void)q;
	if (shim_tx_busy)
		return NETDEV_TX_BUSY;
	__skb_queue_tail(&shim_tx, skb);
	return NETDEV_TX_OK;
}

static const struct net_device_ops shim_ops = { .ndo_start_xmit = shim_xmit };

struct net_device shim_dev = {
	.name = "shim0",
	.dev_addr = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
	.mtu = ETH_DATA_LEN,
	.num_rx_queues = 1,
	.num_tx_queues = 1,
	.ops = &shim_ops,
};

struct sk_buff *shim_tx_pop(void) { return __skb_dequeue(&shim_tx); }
unsigned int shim_tx_count(void) { return skb_queue_len(&shim_tx); }

void shim_tx_purge(void)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&shim_tx)))
		consume_skb(skb);
}

void net_shim_init(void)
{
	static int done;

	if (done++)
		return;
	jiffies = 100000;
	timer_base_init(&shim_timers, jiffies);
	skb_queue_head_init(&shim_tx);
	prandom_seed(1);
	register_netdev(&shim_dev);
	ip_config_set(SHIM_IP, SHIM_MASK, PEER_IP);
	ip_init();
}

void net_shim_reset(void)
{
	shim_tx_busy = 0;
	shim_dev.features = 0;
	shim_dev.mtu = ETH_DATA_LEN;
	ip_config_set(SHIM_IP, SHIM_MASK, PEER_IP);
	neigh_flush_all();
	ipfrag_flush();
	shim_tx_purge();
	net_csum_verify_disabled = 0;
	/* A second later: the ICMP token buckets are full again. */
	net_shim_advance(1000);
	shim_tx_purge();
}

void net_shim_advance(uint64_t ms)
{
	uint64_t end = jiffies + msecs_to_jiffies(ms);

	while (jiffies < end) {
		jiffies++;
		__run_timers(&shim_timers, jiffies);
	}
}

/* ---- forging ---- */

unsigned int build_ipv4(uint8_t *buf, const struct ip_templ *t, const void *payload,
			unsigned int len)
{
	struct iphdr *iph = (struct iphdr *)buf;
	unsigned int ihl = (t->ihl_words ? t->ihl_words : 5) * 4u;

	memset(buf, 1, ihl);	/* options: NOPs */
	iph->ihl_version = (uint8_t)((t->version ? t->version : 4) << 4 | ihl / 4);
	iph->tos = t->tos;
	iph->tot_len = htons((uint16_t)(ihl + len + (unsigned int)t->tot_len_delta));
	iph->id = htons(t->id);
	iph->frag_off = htons(t->frag);
	iph->ttl = t->ttl ? t->ttl : 64;
	iph->protocol = t->protocol;
	iph->saddr = t->saddr ? t->saddr : PEER_IP;
	iph->daddr = t->daddr ? t->daddr : SHIM_IP;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, ihl / 4);
	if (t->bad_csum)
		iph->check ^= 0x5a5a;
	if (len)
		memcpy(buf + ihl, payload, len);
	return ihl + len;
}

unsigned int build_udp(uint8_t *buf, uint32_t saddr, uint32_t daddr, uint16_t sport,
		       uint16_t dport, const void *data, unsigned int len, int csum)
{
	struct udphdr *uh = (struct udphdr *)buf;
	unsigned int ulen = sizeof(*uh) + len;

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)ulen);
	uh->check = 0;
	if (len)
		memcpy(uh + 1, data, len);
	if (csum) {
		uh->check = csum_fold(csum_tcpudp_nofold(saddr, daddr, ulen, IPPROTO_UDP,
							 csum_partial(uh, ulen, 0)));
		if (!uh->check)
			uh->check = 0xffff;
		if (csum < 0)
			uh->check ^= 0x1234;
	}
	return ulen;
}

unsigned int build_icmp(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest,
			const void *data, unsigned int len)
{
	struct icmphdr *ih = (struct icmphdr *)buf;

	ih->type = type;
	ih->code = code;
	ih->checksum = 0;
	ih->un.gateway = rest;
	if (len)
		memcpy(ih + 1, data, len);
	ih->checksum = csum_fold(csum_partial(ih, sizeof(*ih) + len, 0));
	return sizeof(*ih) + len;
}

struct sk_buff *forge_frame(const uint8_t *dst, const uint8_t *src, uint16_t ethertype,
			    const void *payload, unsigned int len)
{
	struct sk_buff *skb = netdev_alloc_skb(&shim_dev, ETH_HLEN + len);
	uint8_t *p;

	if (!skb)
		abort();
	p = skb_put(skb, ETH_HLEN + len);
	memcpy(p, dst, ETH_ALEN);
	memcpy(p + ETH_ALEN, src, ETH_ALEN);
	p[12] = (uint8_t)(ethertype >> 8);
	p[13] = (uint8_t)ethertype;
	if (len)
		memcpy(p + ETH_HLEN, payload, len);
	return skb;
}

struct sk_buff *forge_ipv4(const struct ip_templ *t, const void *payload, unsigned int len)
{
	uint8_t *buf = malloc(60 + len);
	struct sk_buff *skb;
	unsigned int n;

	if (!buf)
		abort();
	n = build_ipv4(buf, t, payload, len);
	skb = forge_frame(shim_mac, peer_mac, ETH_P_IP, buf, n);
	free(buf);
	return skb;
}

struct sk_buff *forge_arp(const uint8_t *dst, uint16_t op, const uint8_t *sha, uint32_t sip,
			  const uint8_t *tha, uint32_t tip)
{
	struct arphdr a = {
		.ar_hrd = htons(ARPHRD_ETHER),
		.ar_pro = htons(ETH_P_IP),
		.ar_hln = ETH_ALEN,
		.ar_pln = 4,
		.ar_op = htons(op),
		.ar_sip = sip,
		.ar_tip = tip,
	};

	memcpy(a.ar_sha, sha, ETH_ALEN);
	if (tha)
		memcpy(a.ar_tha, tha, ETH_ALEN);
	return forge_frame(dst, sha, ETH_P_ARP, &a, sizeof(a));
}

int net_rx(struct sk_buff *skb)
{
	eth_type_trans(skb, &shim_dev);
	return netif_receive_skb(skb);
}

/* ---- reading what was sent ---- */

const uint8_t *tx_eth(const struct sk_buff *skb)
{
	return skb->data;
}

const struct iphdr *tx_iph(const struct sk_buff *skb)
{
	if (skb->len < ETH_HLEN + sizeof(struct iphdr) || skb->data[12] != 0x08 ||
	    skb->data[13] != 0x00)
		return NULL;
	return (const struct iphdr *)(skb->data + ETH_HLEN);
}

const uint8_t *tx_l4(const struct sk_buff *skb)
{
	const struct iphdr *iph = tx_iph(skb);

	return iph ? (const uint8_t *)iph + ip_hdrlen(iph) : NULL;
}
