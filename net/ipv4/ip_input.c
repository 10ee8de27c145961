/*
 * IPv4 input (Linux's net/ipv4/ip_input.c, RFC 1122 §3.2.1 and §3.3.6).
 *
 *   netif_receive_skb → ip_rcv        header checks: length, version, IHL,
 *                                     checksum, total length; trims padding
 *     → ip_rcv_finish                 martian sources, "is it for us"
 *     → ip_local_deliver              fragments → ip_defrag (ip_fragment.c)
 *     → ip_local_deliver_finish       the protocol's handler (protocol.c):
 *                                     icmp_rcv, udp_rcv, tcp_v4_rcv; none →
 *                                     ICMP protocol unreachable
 *
 * No forwarding: a datagram not addressed to us is a counted drop. IP
 * options are skipped (accepted, not processed). Every exit frees the skb
 * with a drop reason and counts an "Ip:" MIB (per-CPU, summed on read).
 * Softirq context; no locks of its own.
 */
#include <net/ipv4/ipv4.h>
#include <net/ipv4/icmp.h>
#include <kernel/percpu.h>
#include <net/core/snmp.h>

DEFINE_SNMP_STAT(ip_mib, IPSTATS_MIB_MAX);

void ip_mib_add(enum ip_mib field, uint64_t n)
{
	SNMP_ADD_STATS(ip_mib, field, n);
}

void ip_mib_inc(enum ip_mib field)
{
	ip_mib_add(field, 1);
}

uint64_t ip_mib_read(enum ip_mib field)
{
	return (unsigned int)field < IPSTATS_MIB_MAX ? snmp_fold_field(ip_mib, field) : 0;
}

/* skb->data at the transport header: hand it to its protocol. Consumes @skb. */
static int ip_local_deliver_finish(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct net_protocol *prot;

	skb_pull(skb, ip_hdrlen(iph));
	skb_reset_transport_header(skb);
	prot = inet_protocol_get(iph->protocol);
	if (!prot)
		goto no_proto;
	ip_mib_inc(IPSTATS_MIB_INDELIVERS);
	return prot->handler(skb);
no_proto:
	/* RFC 1122 §3.2.2.1: SHOULD send protocol unreachable (icmp_send filters broadcasts). */
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
	ip_mib_inc(IPSTATS_MIB_INUNKNOWNPROTOS);
	kfree_skb_reason(skb, SKB_DROP_REASON_UNHANDLED_PROTO);
	return -1;
}

/* Reassemble if it is a fragment, then deliver (Linux's ip_local_deliver). */
static int ip_local_deliver(struct sk_buff *skb)
{
	if (ip_hdr(skb)->frag_off & htons(IP_MF | IP_OFFSET)) {
		skb = ip_defrag(skb);
		if (!skb)
			return 0;	/* queued, or dropped and counted there */
	}
	return ip_local_deliver_finish(skb);
}

/*
 * Linux's ip_route_input_slow for a host: refuse impossible sources and
 * destinations (RFC 1122 §3.2.1.3), then accept only our address and
 * broadcasts. Consumes @skb.
 */
static int ip_rcv_finish(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	uint32_t saddr = iph->saddr, daddr = iph->daddr, me = inet_local_addr();
	enum skb_drop_reason reason = SKB_DROP_REASON_IP_MARTIAN;

	if (ipv4_is_multicast(saddr) || ipv4_is_lbcast(saddr) || ipv4_is_loopback(saddr))
		goto addr_error;
	/* 0.0.0.0 may only speak to everyone (a DHCP client's DISCOVER). */
	if (ipv4_is_zeronet(saddr) && !ipv4_is_lbcast(daddr))
		goto addr_error;
	if (ipv4_is_zeronet(daddr) || ipv4_is_loopback(daddr))
		goto addr_error;
	if (me && (saddr == me || saddr == inet_subnet_broadcast()))
		goto addr_error;
	reason = SKB_DROP_REASON_OTHERHOST;
	if (!inet_addr_is_local(daddr))
		goto addr_error;	/* not ours, and we do not forward */
	/* RFC 1122 §3.3.6: a link-layer broadcast must carry an IP broadcast. */
	if (skb->pkt_type != PACKET_HOST && !inet_addr_is_broadcast(daddr))
		goto addr_error;
	return ip_local_deliver(skb);
addr_error:
	ip_mib_inc(IPSTATS_MIB_INADDRERRORS);
	kfree_skb_reason(skb, reason);
	return -1;
}

/*
 * The ETH_P_IP handler (Linux's ip_rcv + ip_rcv_core): validate the header
 * before anything reads it (RFC 1122 §3.2.1.1-2, RFC 791). Consumes @skb.
 * skb->ip_summed == CHECKSUM_UNNECESSARY speaks for the transport checksum
 * only: the header checksum is always checked, as in Linux.
 */
int ip_rcv(struct sk_buff *skb, struct net_device *dev)
{
	const struct iphdr *iph;
	unsigned int ihl, len;
	enum skb_drop_reason reason;

	(void)dev;
	if (skb->pkt_type == PACKET_OTHERHOST) {
		reason = SKB_DROP_REASON_OTHERHOST;	/* another MAC: not even counted as received */
		goto drop;
	}
	ip_mib_inc(IPSTATS_MIB_INRECEIVES);
	skb_reset_network_header(skb);
	reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	if (!pskb_may_pull(skb, sizeof(struct iphdr)))
		goto inhdr_error;
	iph = ip_hdr(skb);
	ihl = ip_hdrlen(iph);
	reason = SKB_DROP_REASON_IP_INHDR;
	if ((iph->ihl_version >> 4) != 4 || ihl < sizeof(struct iphdr))
		goto inhdr_error;
	reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	if (!pskb_may_pull(skb, ihl))
		goto inhdr_error;
	reason = SKB_DROP_REASON_IP_CSUM;
	if (!net_csum_verify_disabled && ip_fast_csum(iph, ihl / 4))
		goto inhdr_error;
	len = ntohs(iph->tot_len);
	reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	if (skb->len < len)
		goto inhdr_error;	/* truncated on the way */
	reason = SKB_DROP_REASON_IP_INHDR;
	if (len < ihl)
		goto inhdr_error;
	skb_trim(skb, len);		/* Ethernet pads short frames */
	skb->transport_header = (uint16_t)(skb->network_header + ihl);
	return ip_rcv_finish(skb);
inhdr_error:
	ip_mib_inc(IPSTATS_MIB_INHDRERRORS);
drop:
	kfree_skb_reason(skb, reason);
	return -1;
}
