/*
 * ICMP (RFC 792, RFC 1122 §3.2.2; Linux's net/ipv4/icmp.c).
 *
 *  - icmp_rcv(): the IPPROTO_ICMP handler. Checks length and checksum,
 *    answers echo requests (icmp_echo), passes errors to the transport
 *    protocol of the quoted datagram (icmp_unreach → err_handler), and
 *    counts the rest.
 *  - icmp_send(): errors for the rest of the stack (port and protocol
 *    unreachable, reassembly time exceeded), filtered by RFC 1122 §3.2.2
 *    and a per-CPU token bucket (Linux's icmp_global_allow).
 *
 * Replies and errors leave through __ip_build_and_send_pkt without DF, so
 * an echo of a reassembled large ping is fragmented on the way out.
 * Softirq context (and the reassembly timer); state is per-CPU.
 */
#include <net/ipv4/icmp.h>
#include <net/ipv4/ipv4.h>
#include <net/socket.h>
#include <kernel/percpu.h>
#include <kernel/timer.h>
#include <string.h>

#define IPTOS_TOS_MASK 0x1e
#define IPTOS_PREC_INTERNETCONTROL 0xc0
#define ICMP_QUOTE_MAX (576 - 20 - 8)	/* RFC 1812 §4.3.2.3: fit 576 bytes */

struct icmp_pcpu {
	uint64_t mib[ICMP_MIB_MAX];	/* [o], added atomically (migrating callers) */
	uint64_t stamp;			/* [o] irqs off: jiffies of the last refill */
	uint32_t credit;		/* [o] messages allowed now */
} __attribute__((aligned(64)));

static struct icmp_pcpu icmp_pcpu[NR_CPUS];

static void icmp_inc(enum icmp_mib f)
{
	__atomic_add_fetch(&icmp_pcpu[smp_processor_id()].mib[f], 1, __ATOMIC_RELAXED);
}

uint64_t icmp_mib_read(enum icmp_mib f)
{
	uint64_t sum = 0;

	if ((unsigned int)f >= ICMP_MIB_MAX)
		return 0;
	for (unsigned int c = 0; c < NR_CPUS; c++)
		sum += __atomic_load_n(&icmp_pcpu[c].mib[f], __ATOMIC_RELAXED);
	return sum;
}

/* Errors, as Linux's icmp_pointers[].error: anything but the queries and replies. */
static int icmp_is_error(uint8_t type)
{
	return !(type == ICMP_ECHOREPLY || type == ICMP_ECHO ||
		 (type >= ICMP_TIMESTAMP && type <= ICMP_ADDRESSREPLY));
}

/* The token bucket: ICMP_MSGS_PER_SEC, bursts of ICMP_MSGS_BURST. */
static int icmp_global_allow(void)
{
	uint64_t f = local_irq_save(), now = jiffies;
	struct icmp_pcpu *p = &icmp_pcpu[smp_processor_id()];
	uint64_t incr = (now - p->stamp) * ICMP_MSGS_PER_SEC / HZ;
	int ok;

	if (incr) {
		p->credit = (uint32_t)(p->credit + incr > ICMP_MSGS_BURST ? ICMP_MSGS_BURST
									  : p->credit + incr);
		p->stamp = now;
	}
	ok = p->credit > 0;
	if (ok)
		p->credit--;
	local_irq_restore(f);
	return ok;
}

/* May we send an error about this datagram? RFC 1122 §3.2.2 and Linux's __icmp_send. */
static int icmp_may_send(const struct sk_buff *skb_in, const struct iphdr *iph, unsigned int ihl)
{
	if (skb_in->pkt_type != PACKET_HOST)
		return 0;
	if (inet_addr_is_broadcast(iph->daddr) || ipv4_is_multicast(iph->daddr))
		return 0;
	if (iph->frag_off & htons(IP_OFFSET))
		return 0;	/* only about fragment zero */
	if (ipv4_is_zeronet(iph->saddr) || ipv4_is_loopback(iph->saddr) ||
	    ipv4_is_multicast(iph->saddr) || inet_addr_is_broadcast(iph->saddr))
		return 0;	/* the source is not one host */
	if (iph->protocol == IPPROTO_ICMP) {
		const uint8_t *type = skb_network_header(skb_in) + ihl;

		/* Never about an ICMP error; an unknown type counts as one (Linux). */
		if (type >= skb_in->head + skb_in->tail || *type > NR_ICMP_TYPES ||
		    icmp_is_error(*type))
			return 0;
	}
	return 1;
}

static void icmp_out_count(uint8_t type)
{
	icmp_inc(ICMP_MIB_OUTMSGS);
	if (type == ICMP_DEST_UNREACH)
		icmp_inc(ICMP_MIB_OUTDESTUNREACHS);
	else if (type == ICMP_TIME_EXCEEDED)
		icmp_inc(ICMP_MIB_OUTTIMEEXCDS);
	else if (type == ICMP_ECHOREPLY)
		icmp_inc(ICMP_MIB_OUTECHOREPS);
}

void icmp_send(struct sk_buff *skb_in, int type, int code, uint32_t info)
{
	const struct iphdr *iph;
	struct icmphdr *icmph;
	struct sk_buff *skb;
	unsigned int ihl, len;
	uint32_t saddr;

	if ((unsigned int)skb_in->network_header + sizeof(*iph) > skb_in->tail)
		return;
	iph = ip_hdr(skb_in);
	ihl = ip_hdrlen(iph);
	if (ihl < sizeof(*iph) || skb_in->network_header + ihl > skb_in->tail)
		return;
	if (!icmp_may_send(skb_in, iph, ihl))
		return;
	if (!icmp_global_allow()) {
		icmp_inc(ICMP_MIB_OUTRATELIMITGLOBAL);
		return;
	}
	len = skb_in->tail - skb_in->network_header;
	if (len > ICMP_QUOTE_MAX)
		len = ICMP_QUOTE_MAX;
	skb = alloc_skb(MAX_HEADER + sizeof(*icmph) + len);
	if (!skb) {
		icmp_inc(ICMP_MIB_OUTERRORS);
		return;
	}
	skb_reserve(skb, MAX_HEADER);
	icmph = (struct icmphdr *)skb_put(skb, sizeof(*icmph));
	icmph->type = (uint8_t)type;
	icmph->code = (uint8_t)code;
	icmph->checksum = 0;
	icmph->un.gateway = info;
	memcpy(skb_put(skb, len), iph, len);
	icmph->checksum = csum_fold(csum_partial(icmph, sizeof(*icmph) + len, 0));
	/* From the address the offender was sent to, when that is ours. */
	saddr = iph->daddr == inet_local_addr() ? iph->daddr : 0;
	icmp_out_count((uint8_t)type);
	if (__ip_build_and_send_pkt(skb, saddr, iph->saddr, IPPROTO_ICMP,
				    (iph->tos & IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL, 0, 0))
		icmp_inc(ICMP_MIB_OUTERRORS);
}

/* Echo request → echo reply with the same id, sequence and data (RFC 792). */
static void icmp_echo(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct sk_buff *reply = alloc_skb(MAX_HEADER + skb->len);
	struct icmphdr *icmph;

	if (!reply) {
		icmp_inc(ICMP_MIB_OUTERRORS);
		return;
	}
	skb_reserve(reply, MAX_HEADER);
	icmph = (struct icmphdr *)skb_put(reply, skb->len);
	memcpy(icmph, skb->data, skb->len);
	icmph->type = ICMP_ECHOREPLY;
	icmph->code = 0;
	icmph->checksum = 0;
	icmph->checksum = csum_fold(csum_partial(icmph, skb->len, 0));
	icmp_out_count(ICMP_ECHOREPLY);
	if (__ip_build_and_send_pkt(reply, iph->daddr, iph->saddr, IPPROTO_ICMP, iph->tos, 0, 0))
		icmp_inc(ICMP_MIB_OUTERRORS);
}

/*
 * An error about one of our datagrams (Linux's icmp_unreach +
 * icmp_socket_deliver): 0 if handed to the protocol or ignored, -1 if
 * malformed. Data at the ICMP header; @skb stays ours.
 */
static int icmp_unreach(struct sk_buff *skb)
{
	const struct icmphdr *icmph = (const struct icmphdr *)skb->data;
	const struct net_protocol *prot;
	const struct iphdr *iph;
	uint32_t info = 0;

	if (icmph->type == ICMP_DEST_UNREACH && icmph->code == ICMP_FRAG_NEEDED)
		info = ntohs(icmph->un.frag.mtu);
	skb_pull(skb, sizeof(*icmph));
	if (!pskb_may_pull(skb, sizeof(*iph)))
		return -1;
	iph = (const struct iphdr *)skb->data;
	/* The quote must hold the whole header and 8 bytes of transport (RFC 792). */
	if (ip_hdrlen(iph) < sizeof(*iph) || !pskb_may_pull(skb, ip_hdrlen(iph) + 8))
		return -1;
	if (inet_addr_is_broadcast(iph->daddr))
		return 0;	/* about a broadcast we sent: nobody to tell (Linux) */
	prot = inet_protocol_get(iph->protocol);
	if (prot && prot->err_handler)
		prot->err_handler(skb, info);
	return 0;
}

/*
 * The IPPROTO_ICMP handler: skb->data at the ICMP header. Consumes @skb.
 * Broadcast echo and timestamp requests are ignored (RFC 1122 §3.2.2.6,
 * Linux's icmp_echo_ignore_broadcasts=1).
 */
int icmp_rcv(struct sk_buff *skb)
{
	const struct icmphdr *icmph;
	enum skb_drop_reason reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	int broadcast = skb->pkt_type != PACKET_HOST || inet_addr_is_broadcast(ip_hdr(skb)->daddr);

	icmp_inc(ICMP_MIB_INMSGS);
	if (!pskb_may_pull(skb, sizeof(*icmph)))
		goto error;
	if (skb->ip_summed != CHECKSUM_UNNECESSARY && !net_csum_verify_disabled &&
	    csum_fold(csum_partial(skb->data, skb->len, 0)))
		goto csum_error;
	icmph = (const struct icmphdr *)skb->data;
	reason = SKB_DROP_REASON_UNHANDLED_PROTO;
	if (icmph->type > NR_ICMP_TYPES)
		goto error;
	/* To a broadcast, only error messages are of interest, and no echo is owed. */
	if (broadcast && !icmp_is_error(icmph->type))
		goto error;
	switch (icmph->type) {
	case ICMP_ECHO:
		icmp_inc(ICMP_MIB_INECHOS);
		icmp_echo(skb);
		break;
	case ICMP_ECHOREPLY:
		icmp_inc(ICMP_MIB_INECHOREPS);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
	case ICMP_SOURCE_QUENCH:
		if (icmph->type == ICMP_DEST_UNREACH)
			icmp_inc(ICMP_MIB_INDESTUNREACHS);
		else if (icmph->type == ICMP_TIME_EXCEEDED)
			icmp_inc(ICMP_MIB_INTIMEEXCDS);
		else if (icmph->type == ICMP_PARAMETERPROB)
			icmp_inc(ICMP_MIB_INPARMPROBS);
		reason = SKB_DROP_REASON_PKT_TOO_SMALL;
		if (icmp_unreach(skb))
			goto error;
		break;
	default:
		break;		/* timestamps and the rest: RFC 1122 lets us stay silent */
	}
	consume_skb(skb);
	return 0;
csum_error:
	reason = SKB_DROP_REASON_IP_CSUM;
	icmp_inc(ICMP_MIB_CSUMERRORS);
error:
	icmp_inc(ICMP_MIB_INERRORS);
	kfree_skb_reason(skb, reason);
	return -1;
}

static const struct net_protocol icmp_protocol = { .handler = icmp_rcv };

void icmp_init(void)
{
	for (unsigned int c = 0; c < NR_CPUS; c++) {
		icmp_pcpu[c].credit = ICMP_MSGS_BURST;
		icmp_pcpu[c].stamp = jiffies;
	}
	inet_add_protocol(&icmp_protocol, IPPROTO_ICMP);
}
