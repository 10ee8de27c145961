/*
 * UDP (RFC 768; Linux's include/net/udp.h and include/linux/udp.h): the
 * header, struct udp_sock, the port hash table and udp_prot.
 *
 * udp_table: UDP_HTABLE_SIZE slots by local port, each with its own lock
 * (irqsave: bind/connect/close in process context, lookups in softirq).
 * A socket is in its slot from get_port (bind or autobind) until unhash
 * (close), and the slot holds a reference on it. Its lookup keys
 * (inet_num, inet_rcv_saddr, inet_daddr, inet_dport) change only with
 * the slot lock held, and lookups read them only under it.
 */
#ifndef SQUALL_UDP_H
#define SQUALL_UDP_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/spinlock.h>
#include <net/core/sock.h>
#include <net/ipv4/inet_sock.h>

struct udphdr {
	uint16_t source;	/* network order */
	uint16_t dest;
	uint16_t len;		/* header + data */
	uint16_t check;		/* 0 = none (RFC 768) */
} __attribute__((packed));

static inline struct udphdr *udp_hdr(const struct sk_buff *skb)
{
	return (struct udphdr *)skb_transport_header(skb);
}

/* A UDP socket (Linux's struct udp_sock). */
struct udp_sock {
	struct inet_sock inet;		/* must stay first */
	unsigned int drops;		/* [a] datagrams dropped for this socket (Linux's sk_drops) */
};

static inline struct udp_sock *udp_sk(const struct sock *sk)
{
	return (struct udp_sock *)sk;
}

#define UDP_HTABLE_SIZE 256		/* slots, by local port */
#define UDP_PORT_LOW 32768		/* Linux's ip_local_port_range */
#define UDP_PORT_HIGH 60999
#define UDP_MAX_PAYLOAD (0xffff - 20 - 8)	/* 65507: the largest datagram IPv4 carries */

struct udp_hslot {
	struct spinlock lock;
	struct list_head head;		/* [lock] socks through sk_node */
	unsigned int count;		/* [lock] */
} __attribute__((aligned(64)));

/* Counters, as /proc/net/snmp "Udp:" (per-CPU, summed on read). */
enum udp_mib {
	UDP_MIB_INDATAGRAMS,	/* delivered to the application (counted by recvmsg, as Linux) */
	UDP_MIB_NOPORTS,	/* no socket: port unreachable sent */
	UDP_MIB_INERRORS,	/* malformed, bad checksum, or no room */
	UDP_MIB_OUTDATAGRAMS,
	UDP_MIB_RCVBUFERRORS,	/* the socket's receive buffer was full */
	UDP_MIB_SNDBUFERRORS,	/* no memory or no room to send */
	UDP_MIB_CSUMERRORS,
	UDP_MIB_IGNOREDMULTI,	/* broadcasts nobody listens to */
	UDP_MIB_MAX
};
uint64_t udp_mib_read(enum udp_mib field);

extern struct proto udp_prot;

/* The IPPROTO_UDP handler: skb->data at the UDP header. Consumes @skb. Softirq. */
int udp_rcv(struct sk_buff *skb);
/* ICMP errors about our datagrams (struct net_protocol.err_handler; see icmp.h). */
void udp_err(struct sk_buff *skb, uint32_t info);

/*
 * The best socket for a datagram @saddr:@sport → @daddr:@dport (ports in
 * network order), with a reference the caller drops with sock_put, or
 * NULL. Exact matches beat wildcards; SO_REUSEPORT groups pick by flow.
 */
struct sock *__udp4_lib_lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);

/* Bind @sk to @snum (host order; 0 = an ephemeral port). Socket locked. 0 or -EADDRINUSE. */
int udp_v4_get_port(struct sock *sk, unsigned short snum);

void udp_init(void);	/* the table; registers udp_rcv */

#endif
