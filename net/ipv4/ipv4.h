/*
 * Interfaces between the IPv4 files (not for drivers or apps): byte
 * order, address classes, the one-interface routing table (route.c), the
 * transport protocol table (protocol.c), reassembly (ip_fragment.c) and
 * the output path's internal entry (ip_output.c). TCP may use all of it.
 * Addresses are network byte order unless a name says otherwise.
 */
#ifndef SQUALL_IPV4_H
#define SQUALL_IPV4_H

#include <stdint.h>
#include <net/core/netdevice.h>
#include <net/ipv4/ip.h>

/* ---- byte order (x86-64 is little-endian; the host build is too) ---- */
static inline uint16_t htons(uint16_t x) { return __builtin_bswap16(x); }
static inline uint16_t ntohs(uint16_t x) { return __builtin_bswap16(x); }
static inline uint32_t htonl(uint32_t x) { return __builtin_bswap32(x); }
static inline uint32_t ntohl(uint32_t x) { return __builtin_bswap32(x); }

#define INADDR_BROADCAST 0xffffffffu

/* ---- address classes (Linux's ipv4_is_*) ---- */
static inline int ipv4_is_zeronet(uint32_t a) { return (ntohl(a) >> 24) == 0; }
static inline int ipv4_is_loopback(uint32_t a) { return (ntohl(a) >> 24) == 127; }
static inline int ipv4_is_multicast(uint32_t a) { return (ntohl(a) >> 28) == 0xe; }
static inline int ipv4_is_lbcast(uint32_t a) { return a == INADDR_BROADCAST; }

/* ---- routing and configuration (route.c) ---- */
struct ip_config {
	uint32_t addr, mask, gw;	/* 0 = unset */
};

/* Set the interface address (ip=), mask and gateway (gw=); tests and the params. */
void ip_config_set(uint32_t addr, uint32_t mask, uint32_t gw);
void ip_config_get(struct ip_config *out);
/* The ip=/gw= parsers (@key "ip" or "gw"): NULL, or why @val is bad. */
const char *ip_param_set(const char *key, const char *val);
/* Our subnet's directed broadcast address, or 0 when unconfigured. */
uint32_t inet_subnet_broadcast(void);
/* Limited or subnet broadcast? */
int inet_addr_is_broadcast(uint32_t addr);

#define RTF_BROADCAST 0x1	/* the next hop is everyone: no ARP */
struct rtable {
	struct net_device *dev;
	uint32_t nexthop;		/* the destination, or the gateway */
	uint32_t saddr;			/* our address */
	unsigned int flags;		/* RTF_* */
};
/* Route to @daddr: 0, or -ENETUNREACH (no device, unconfigured, no gateway). */
int ip_route_output(uint32_t daddr, struct rtable *rt);

/* ---- transport protocols (protocol.c) ---- */
const struct net_protocol *inet_protocol_get(uint8_t protocol);
void inet_del_protocol_all(void);	/* host tests: start from an empty table */

/* ---- input and reassembly (ip_input.c, ip_fragment.c) ---- */
/*
 * Queue the fragment @skb (data and network header at its IP header,
 * length already checked and trimmed). Returns the reassembled datagram
 * (a new skb laid out like an unfragmented one) when @skb completes it,
 * else NULL; @skb is consumed either way.
 */
struct sk_buff *ip_defrag(struct sk_buff *skb);
/* Drop every reassembly queue (device down, tests). */
void ipfrag_flush(void);
unsigned int ipfrag_mem(void);		/* bytes held by reassembly now */
unsigned int ipfrag_queues(void);	/* datagrams being reassembled */

/* Set by fuzzers only: skip every checksum check so input gets deep. */
extern int net_csum_verify_disabled;

/* Add the IP MIB counter @field by @n (per-CPU). */
void ip_mib_add(enum ip_mib field, uint64_t n);

/* ---- output (ip_output.c) ---- */
/*
 * ip_build_and_send_pkt with a choice: @df = 0 lets a packet larger than
 * the MTU leave in fragments (ICMP replies, as Linux's ICMP socket with
 * IP_PMTUDISC_DONT); @df = 1 refuses it with -EMSGSIZE. Consumes @skb.
 */
int __ip_build_and_send_pkt(struct sk_buff *skb, uint32_t saddr, uint32_t daddr,
			    uint8_t protocol, uint8_t tos, uint8_t ttl, int df);

#endif
