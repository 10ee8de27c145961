/*
 * IPv4 (Linux's include/net/ip.h, the subset Squall uses): the header,
 * input (ip_rcv: RFC 1122 §3.2.1 validation, reassembly, then the
 * transport handler by protocol number), output (ip_queue_xmit for
 * connected sockets, ip_build_and_send_pkt / ip_send_skb for the rest:
 * route, fill the header and checksum, resolve the next hop with ARP,
 * dev_queue_xmit), and one device's addressing from the command line
 * (ip=A.B.C.D/N gw=A.B.C.D).
 *
 * Routing: one interface. A destination inside its subnet is sent
 * directly; anything else goes to the gateway; no gateway → -ENETUNREACH.
 *
 * All addresses here are network byte order. Every function consumes the
 * skb it is given on every path.
 */
#ifndef SQUALL_IP_H
#define SQUALL_IP_H

#include <stdint.h>
#include <net/core/netdevice.h>
#include <net/core/skbuff.h>

struct iphdr {
	uint8_t ihl_version;	/* version (4) high nibble, IHL (words) low */
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	uint16_t frag_off;	/* IP_DF, IP_MF, offset in 8-byte units */
	uint8_t ttl;
	uint8_t protocol;
	uint16_t check;
	uint32_t saddr;
	uint32_t daddr;
} __attribute__((packed));

#define IP_DF 0x4000
#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IPDEFTTL 64

static inline struct iphdr *ip_hdr(const struct sk_buff *skb)
{
	return (struct iphdr *)skb_network_header(skb);
}

static inline unsigned int ip_hdrlen(const struct iphdr *iph)
{
	return (iph->ihl_version & 0x0f) * 4u;
}

/* A transport protocol's receive handler (tcp_v4_rcv, udp_rcv, icmp_rcv). */
struct net_protocol {
	int (*handler)(struct sk_buff *skb);	/* skb->data at the transport header; consumes it */
	void (*err_handler)(struct sk_buff *skb, uint32_t info);	/* ICMP errors, may be NULL */
};
int inet_add_protocol(const struct net_protocol *prot, uint8_t protocol);

int ip_rcv(struct sk_buff *skb, struct net_device *dev);

/*
 * Send @skb (data at the transport header, MAX_HEADER headroom) from @saddr
 * to @daddr: push the IP header (DF set, @ttl 0 = default), route, resolve,
 * transmit. 0 or -errno.
 */
int ip_build_and_send_pkt(struct sk_buff *skb, uint32_t saddr, uint32_t daddr,
			  uint8_t protocol, uint8_t tos, uint8_t ttl);

/* The address the stack answers to and sends from; 0 until configured. */
uint32_t inet_local_addr(void);
/* Is @addr one of ours (the address, or limited/subnet broadcast for UDP)? */
int inet_addr_is_local(uint32_t addr);

/* RFC 1071 Internet checksum helpers (net/ipv4/checksum.c). */
uint16_t ip_fast_csum(const void *iph, unsigned int ihl_words);
uint32_t csum_partial(const void *buf, unsigned int len, uint32_t sum);
uint16_t csum_fold(uint32_t sum);
/* Pseudo-header sum for TCP/UDP, to be folded with the segment's own sum. */
uint32_t csum_tcpudp_nofold(uint32_t saddr, uint32_t daddr, uint32_t len, uint8_t proto, uint32_t sum);

/* IP MIB counters (Linux's /proc/net/snmp "Ip:" names), summed over CPUs. */
enum ip_mib {
	IPSTATS_MIB_INRECEIVES, IPSTATS_MIB_INHDRERRORS, IPSTATS_MIB_INADDRERRORS,
	IPSTATS_MIB_INUNKNOWNPROTOS, IPSTATS_MIB_INDISCARDS, IPSTATS_MIB_INDELIVERS,
	IPSTATS_MIB_OUTREQUESTS, IPSTATS_MIB_OUTDISCARDS, IPSTATS_MIB_OUTNOROUTES,
	IPSTATS_MIB_REASMREQDS, IPSTATS_MIB_REASMOKS, IPSTATS_MIB_REASMFAILS,
	IPSTATS_MIB_REASMTIMEOUT, IPSTATS_MIB_MAX
};
void ip_mib_inc(enum ip_mib field);
uint64_t ip_mib_read(enum ip_mib field);

void ip_init(void);	/* registers ip_rcv, reads ip=/gw= */

#endif
