/*
 * ICMP (RFC 792, RFC 1122 §3.2.2; Linux's include/net/icmp.h and
 * include/uapi/linux/icmp.h): the header, the types Squall uses, the
 * counters, and icmp_send() for the rest of the stack.
 *
 * Error handlers (struct net_protocol.err_handler) are called by
 * icmp_rcv() with skb->data at the quoted IP header (with at least its
 * header and 8 bytes of payload present) and the transport header at the
 * ICMP header; they must not free the skb.
 */
#ifndef SQUALL_ICMP_H
#define SQUALL_ICMP_H

#include <stdint.h>
#include <net/core/skbuff.h>

struct icmphdr {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	union {
		struct {
			uint16_t id, sequence;
		} echo;
		uint32_t gateway;
		struct {
			uint16_t unused, mtu;
		} frag;
	} un;
} __attribute__((packed));

#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_SOURCE_QUENCH 4
#define ICMP_REDIRECT 5
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_TIMESTAMP 13
#define ICMP_TIMESTAMPREPLY 14
#define ICMP_INFO_REQUEST 15
#define ICMP_INFO_REPLY 16
#define ICMP_ADDRESS 17
#define ICMP_ADDRESSREPLY 18
#define NR_ICMP_TYPES 18

/* ICMP_DEST_UNREACH codes */
#define ICMP_NET_UNREACH 0
#define ICMP_HOST_UNREACH 1
#define ICMP_PROT_UNREACH 2
#define ICMP_PORT_UNREACH 3
#define ICMP_FRAG_NEEDED 4
/* ICMP_TIME_EXCEEDED codes */
#define ICMP_EXC_TTL 0
#define ICMP_EXC_FRAGTIME 1

/* Error messages: at most this many per second per CPU, in bursts of ICMP_MSGS_BURST
 * (Linux's icmp_msgs_per_sec / icmp_msgs_burst). */
#define ICMP_MSGS_PER_SEC 1000
#define ICMP_MSGS_BURST 50

/* Counters, as /proc/net/snmp "Icmp:" (per-CPU, summed on read). */
enum icmp_mib {
	ICMP_MIB_INMSGS, ICMP_MIB_INERRORS, ICMP_MIB_CSUMERRORS,
	ICMP_MIB_INDESTUNREACHS, ICMP_MIB_INTIMEEXCDS, ICMP_MIB_INPARMPROBS,
	ICMP_MIB_INECHOS, ICMP_MIB_INECHOREPS,
	ICMP_MIB_OUTMSGS, ICMP_MIB_OUTERRORS, ICMP_MIB_OUTRATELIMITGLOBAL,
	ICMP_MIB_OUTDESTUNREACHS, ICMP_MIB_OUTTIMEEXCDS, ICMP_MIB_OUTECHOREPS,
	ICMP_MIB_MAX
};
uint64_t icmp_mib_read(enum icmp_mib field);

/*
 * Send an ICMP error about @skb_in (its network header at the offending IP
 * header) to its source, unless RFC 1122 §3.2.2 forbids it: about an ICMP
 * error, a broadcast or multicast, a non-first fragment, or a source that
 * is not one host; or the rate limit says no. @info is the "unused" word
 * in network order (the MTU for ICMP_FRAG_NEEDED). Does not consume
 * @skb_in. Softirq or process context.
 */
void icmp_send(struct sk_buff *skb_in, int type, int code, uint32_t info);

int icmp_rcv(struct sk_buff *skb);	/* IPPROTO_ICMP handler; consumes */
void icmp_init(void);			/* registers icmp_rcv */

#endif
