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
	uint32_t inet_saddr;		/* source address used when sending */
	uint32_t inet_rcv_saddr;	/* bound local address (0 = any) */
	uint32_t inet_daddr;		/* peer (connected sockets) */
	uint16_t inet_sport;		/* local port, network order */
	uint16_t inet_dport;		/* peer port, network order */
	uint16_t inet_num;		/* local port, host order; 0 = unbound */
	uint8_t tos, ttl;		/* for outgoing packets; ttl 0 = default (64) */
	uint16_t inet_id;		/* next IP id for DF=0 packets */
};

static inline struct inet_sock *inet_sk(const struct sock *sk)
{
	return (struct inet_sock *)sk;
}

#endif
