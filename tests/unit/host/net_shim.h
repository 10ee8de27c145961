/*
 * The hosted network: a fake NIC whose transmit captures frames, jiffies
 * under the test's control, and helpers that forge frames (lwIP's
 * tcp_helper style) and read back what the stack sent. Used by the
 * IPv4/UDP unit tests and the ip_rcv fuzzer; see net_shim.c.
 *
 * Addresses: we are 10.0.0.2/24 (shim_mac), the peer is 10.0.0.1
 * (peer_mac), also the gateway.
 */
#ifndef SQUALL_NET_SHIM_H
#define SQUALL_NET_SHIM_H

#include <stdint.h>
#include <net/core/netdevice.h>
#include <net/ipv4/ipv4.h>

#define IP4(a, b, c, d) htonl((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define SHIM_IP IP4(10, 0, 0, 2)
#define PEER_IP IP4(10, 0, 0, 1)
#define SHIM_MASK IP4(255, 255, 255, 0)
#define SHIM_BCAST IP4(10, 0, 0, 255)

extern struct net_device shim_dev;
extern const uint8_t shim_mac[ETH_ALEN], peer_mac[ETH_ALEN], bcast_mac[ETH_ALEN];
extern int shim_tx_busy;		/* 1: the fake ring is full (NETDEV_TX_BUSY) */

/* Once per process: device, ip_init(), 10.0.0.2/24 gw 10.0.0.1. */
void net_shim_init(void);
/* Between tests: drop captured frames, ARP entries, reassembly queues; default config. */
void net_shim_reset(void);
/* Let @ms milliseconds pass, jiffy by jiffy, running due timers. */
void net_shim_advance(uint64_t ms);

/* Transmitted frames, oldest first; the caller frees them. */
struct sk_buff *shim_tx_pop(void);
unsigned int shim_tx_count(void);
void shim_tx_purge(void);

/* A template for forged IPv4 headers: zero fields take defaults. */
struct ip_templ {
	uint32_t saddr, daddr;		/* default PEER_IP → SHIM_IP */
	uint8_t protocol, ttl, tos;	/* ttl 0 → 64 */
	uint8_t version;		/* 0 → 4 */
	uint8_t ihl_words;		/* 0 → 5; more adds NOP options */
	uint16_t id;			/* host order */
	uint16_t frag;			/* host order: IP_MF | offset in 8-byte units */
	int tot_len_delta;		/* added to the correct total length */
	int bad_csum;			/* corrupt the header checksum */
};

/* An IPv4 datagram into @buf (room for 60 + @len); returns its length. */
unsigned int build_ipv4(uint8_t *buf, const struct ip_templ *t, const void *payload,
			unsigned int len);
/* A UDP header + @len data into @buf; checksum: 1 computed, 0 zero, -1 wrong. */
unsigned int build_udp(uint8_t *buf, uint32_t saddr, uint32_t daddr, uint16_t sport,
		       uint16_t dport, const void *data, unsigned int len, int csum);
/* An ICMP message (checksummed) into @buf. */
unsigned int build_icmp(uint8_t *buf, uint8_t type, uint8_t code, uint32_t rest,
			const void *data, unsigned int len);

/* An Ethernet frame as a driver would receive it (NET_SKB_PAD headroom). */
struct sk_buff *forge_frame(const uint8_t *dst, const uint8_t *src, uint16_t ethertype,
			    const void *payload, unsigned int len);
/* Eth(peer → us) + IPv4 from @t + @payload. */
struct sk_buff *forge_ipv4(const struct ip_templ *t, const void *payload, unsigned int len);
/* An ARP packet from @sha/@sip about @tip, to @dst. */
struct sk_buff *forge_arp(const uint8_t *dst, uint16_t op, const uint8_t *sha, uint32_t sip,
			  const uint8_t *tha, uint32_t tip);

/* The driver's receive: eth_type_trans, then netif_receive_skb. */
int net_rx(struct sk_buff *skb);

/* Views into a captured frame. */
const uint8_t *tx_eth(const struct sk_buff *skb);
const struct iphdr *tx_iph(const struct sk_buff *skb);	/* NULL if not IPv4 */
const uint8_t *tx_l4(const struct sk_buff *skb);	/* after the IP header */

/* A msghdr over one kernel buffer (the hosted memcpy_from/to_msg copy plainly). */
struct msghdr;
struct iovec;
void shim_msg(struct msghdr *m, struct iovec *iov, void *buf, size_t len, void *name,
	      int namelen);

#endif
