/*
 * struct inet_sock: a sock with IPv4 addresses (Linux's
 * include/net/inet_sock.h). Addresses and ports are in network byte
 * order except inet_num, the local port in host order (the bind key).
 * Guarded by the socket lock, and by the protocol's hash-bucket lock while
 * the socket is hashed (lookups read them under that lock only).
 */
#ifndef SQUALL_INET_SOCK_H
#define SQUALL_INET_SOCK_H

#include <net/core/sock.h>

struct inet_sock {
	struct sock sk;			/* must stay first */
/* The lookup keys live in sock_common (sock.h), shared with mini-sockets. */
#define inet_daddr sk.__sk_common.skc_daddr		/* peer (connected sockets) */
#define inet_rcv_saddr sk.__sk_common.skc_rcv_saddr	/* bound local address (0 = any) */
#define inet_dport sk.__sk_common.skc_dport		/* peer port, network order */
#define inet_num sk.__sk_common.skc_num			/* local port, host order; 0 = unbound */
	uint32_t inet_saddr;		/* source address used when sending */
	uint16_t inet_sport;		/* local port, network order */
	uint8_t tos, ttl;		/* for outgoing packets; ttl 0 = default (64) */
	uint16_t inet_id;		/* next IP id for DF=0 packets */
};

static inline struct inet_sock *inet_sk(const struct sock *sk)
{
	return (struct inet_sock *)sk;
}

#endif
