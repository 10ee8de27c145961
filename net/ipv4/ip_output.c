/*
 * IPv4 output (Linux's net/ipv4/ip_output.c) and the stack's init.
 *
 *   udp_sendmsg / icmp_reply / TCP → ip_build_and_send_pkt → route (route.c)
 *     → header + checksum → [ip_fragment if allowed and too big]
 *     → neigh_resolve_output (arp.c) → dev_queue_xmit
 *
 * Every packet leaves with DF set except ICMP's (they may be fragmented,
 * as Linux's ICMP socket does, so a reassembled large ping is answered).
 * IDs come from a per-CPU counter: with DF they only need to differ
 * between fragmented datagrams (RFC 6864). Any context but hard irq.
 */
#include <net/ipv4/ipv4.h>
#include <net/ipv4/arp.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/udp.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <stdio.h>
#include <string.h>

struct ip_ident {
	uint32_t next;		/* [o], advanced atomically: senders may migrate */
} __attribute__((aligned(64)));

static struct ip_ident ip_idents[NR_CPUS];

static uint16_t ip_select_ident(void)
{
	unsigned int cpu = smp_processor_id();

	/* CPUs start 4096 apart so their sequences do not meet soon. */
	return (uint16_t)(cpu * 4096u + __atomic_fetch_add(&ip_idents[cpu].next, 1, __ATOMIC_RELAXED));
}

/* Finish a CHECKSUM_PARTIAL skb in software (Linux's skb_checksum_help). */
static void skb_checksum_help(struct sk_buff *skb)
{
	uint8_t *start = skb->head + skb->csum_start;
	unsigned int len = skb->len - (unsigned int)(start - skb->data);
	uint16_t sum = csum_fold(csum_partial(start, len, 0));

	memcpy(start + skb->csum_offset, &sum, 2);
	skb->ip_summed = CHECKSUM_NONE;
}

/*
 * Split @skb (a whole datagram with a 20-byte header) into fragments of
 * at most the device MTU (Linux's ip_do_fragment, slow path). Consumes @skb.
 */
static int ip_fragment(struct sk_buff *skb, const struct rtable *rt)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int hlen = ip_hdrlen(iph), left = skb->len - hlen, ptr = hlen, offset = 0;
	unsigned int chunk = (rt->dev->mtu - hlen) & ~7u;
	int err = 0;

	if (skb->ip_summed == CHECKSUM_PARTIAL)
		skb_checksum_help(skb);
	while (left > 0 && !err) {
		unsigned int len = left > chunk ? chunk : left;
		struct sk_buff *frag = alloc_skb(NET_SKB_PAD + hlen + len);
		struct iphdr *fh;

		if (!frag) {
			ip_mib_inc(IPSTATS_MIB_OUTDISCARDS);
			err = -ENOBUFS;
			break;
		}
		skb_reserve(frag, NET_SKB_PAD);
		fh = (struct iphdr *)skb_put(frag, hlen + len);
		memcpy(fh, iph, hlen);
		memcpy((uint8_t *)fh + hlen, skb->data + ptr, len);
		skb_reset_network_header(frag);
		fh->tot_len = htons((uint16_t)(hlen + len));
		fh->frag_off = htons((uint16_t)((offset >> 3) | (left > len ? IP_MF : 0)));
		fh->check = 0;
		fh->check = ip_fast_csum(fh, hlen / 4);
		frag->dev = rt->dev;
		err = neigh_resolve_output(frag, rt);
		left -= len;
		ptr += len;
		offset += len;
	}
	consume_skb(skb);
	return err;
}

int __ip_build_and_send_pkt(struct sk_buff *skb, uint32_t saddr, uint32_t daddr,
			    uint8_t protocol, uint8_t tos, uint8_t ttl, int df)
{
	struct rtable rt;
	struct iphdr *iph;
	int err = ip_route_output(daddr, &rt);

	if (err) {
		ip_mib_inc(IPSTATS_MIB_OUTNOROUTES);
		kfree_skb_reason(skb, SKB_DROP_REASON_IP_NOROUTE);
		return err;
	}
	if (skb_headroom(skb) < sizeof(*iph) + ETH_HLEN || skb->len + sizeof(*iph) > 0xffff) {
		ip_mib_inc(IPSTATS_MIB_OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -EINVAL;		/* a caller's bug: no room for the headers */
	}
	iph = (struct iphdr *)skb_push(skb, sizeof(*iph));
	skb_reset_network_header(skb);
	iph->ihl_version = 0x45;
	iph->tos = tos;
	iph->tot_len = htons((uint16_t)skb->len);
	iph->id = htons(ip_select_ident());
	iph->frag_off = df ? htons(IP_DF) : 0;
	iph->ttl = ttl ? ttl : IPDEFTTL;	/* RFC 1122 §3.2.1.7: never 0 */
	iph->protocol = protocol;
	iph->saddr = saddr ? saddr : rt.saddr;
	iph->daddr = daddr;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 5);
	skb->dev = rt.dev;
	ip_mib_inc(IPSTATS_MIB_OUTREQUESTS);
	if (skb->len > rt.dev->mtu) {
		if (!df)
			return ip_fragment(skb, &rt);
		ip_mib_inc(IPSTATS_MIB_OUTDISCARDS);
		kfree_skb_reason(skb, SKB_DROP_REASON_NOT_SPECIFIED);
		return -EMSGSIZE;
	}
	return neigh_resolve_output(skb, &rt);
}

int ip_build_and_send_pkt(struct sk_buff *skb, uint32_t saddr, uint32_t daddr,
			  uint8_t protocol, uint8_t tos, uint8_t ttl)
{
	return __ip_build_and_send_pkt(skb, saddr, daddr, protocol, tos, ttl, 1);
}

/* ---- init (Linux's inet_init, the IPv4 half) ---- */

static struct packet_type ip_packet_type = { .func = ip_rcv };

static int ip_fmt_addr(char *buf, size_t n, const char *what, uint32_t a)
{
	a = ntohl(a);
	return snprintf(buf, n, " %s %u.%u.%u.%u", what, a >> 24, (a >> 16) & 0xff,
			(a >> 8) & 0xff, a & 0xff);
}

/* Boot CPU, once, after net_dev_init: protocols, handlers, the address. */
void ip_init(void)
{
	static int done;
	struct ip_config cfg;
	char line[96] = "";
	int n = 0;

	if (done++)
		return;
	arp_init();
	icmp_init();
	udp_init();
	ip_packet_type.type = htons(ETH_P_IP);
	dev_add_pack(&ip_packet_type);
	ip_config_get(&cfg);
	if (cfg.addr) {
		n += ip_fmt_addr(line + n, sizeof(line) - (size_t)n, "address", cfg.addr);
		n += ip_fmt_addr(line + n, sizeof(line) - (size_t)n, "mask", cfg.mask);
		if (cfg.gw)
			ip_fmt_addr(line + n, sizeof(line) - (size_t)n, "gateway", cfg.gw);
	} else {
		snprintf(line, sizeof(line), " no address (ip=A.B.C.D/N)");
	}
	printk("ipv4:%s\n", line);
}
