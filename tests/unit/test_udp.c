/*
 * UDP as packet traces against real socks (net/core/sock.c, hosted):
 * header and checksum checks, delivery and lookup scoring, SO_REUSEADDR /
 * SO_REUSEPORT binding, port unreachable with the right quote and its
 * rate limit, receive-buffer overflow, sendmsg's headers and limits,
 * recvmsg's MSG_TRUNC / MSG_PEEK / MSG_DONTWAIT, and ICMP errors reaching
 * a connected socket. Every test ends with no skb and no sock left over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "host/net_shim.h"
#include <net/ipv4/arp.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/udp.h>
#include <net/ipv4/tcp_states.h>
#include <net/socket.h>
#include <kernel/errno.h>

static int64_t skb_base;
static long sk_base;

long sk_outstanding(void);

static int setup(void **state)
{
	(void)state;
	net_shim_init();
	net_shim_reset();
	skb_base = skb_outstanding();
	sk_base = sk_outstanding();
	/* The peer's MAC known, so what we send leaves at once. */
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, SHIM_IP));
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	shim_tx_purge();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	net_shim_reset();
	assert_int_equal(sk_outstanding(), sk_base);
	assert_int_equal(skb_outstanding(), skb_base);
	return 0;
}

/* ---- sockets without the file layer ---- */

static struct sock *udp_socket(void)
{
	struct sock *sk = sk_alloc(AF_INET, &udp_prot);

	assert_non_null(sk);
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_DGRAM;
	sk->sk_protocol = IPPROTO_UDP;
	assert_int_equal(udp_prot.init(sk), 0);
	return sk;
}

static void udp_close(struct sock *sk)
{
	udp_prot.close(sk, 0);
	sock_orphan(sk);
	sock_put(sk);
}

/* inet_bind's part: the address, then get_port. */
static int udp_bind(struct sock *sk, uint32_t addr, uint16_t port)
{
	int err;

	lock_sock(sk);
	sk->sk_rcv_saddr = addr;
	inet_sk(sk)->inet_saddr = addr;
	err = udp_prot.get_port(sk, port);
	release_sock(sk);
	return err;
}

static struct sock *bound_socket(uint32_t addr, uint16_t port)
{
	struct sock *sk = udp_socket();

	assert_int_equal(udp_bind(sk, addr, port), 0);
	return sk;
}

static long udp_recv(struct sock *sk, void *buf, size_t len, int flags, struct sockaddr_in *from,
		     unsigned int *msg_flags)
{
	struct msghdr m;
	struct iovec iov;
	int alen = 0;
	long rc;

	shim_msg(&m, &iov, buf, len, from, from ? (int)sizeof(*from) : 0);
	rc = udp_prot.recvmsg(sk, &m, len, flags | MSG_DONTWAIT, &alen);
	if (msg_flags)
		*msg_flags = m.msg_flags;
	if (from && rc >= 0)
		assert_int_equal(alen, sizeof(*from));
	return rc;
}

static long udp_send(struct sock *sk, const void *buf, size_t len, uint32_t daddr, uint16_t dport)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(dport), .sin_addr = daddr };
	struct msghdr m;
	struct iovec iov;

	shim_msg(&m, &iov, (void *)buf, len, daddr ? &to : NULL, daddr ? (int)sizeof(to) : 0);
	return udp_prot.sendmsg(sk, &m, len);
}

/* A datagram from the peer (or @saddr) to us (or @daddr). */
static void rx_udp(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport,
		   const void *data, unsigned int len, int csum)
{
	uint8_t *buf = malloc(8 + len);
	struct ip_templ t = { .protocol = IPPROTO_UDP, .saddr = saddr, .daddr = daddr };
	unsigned int n;

	n = build_udp(buf, saddr ? saddr : PEER_IP, daddr ? daddr : SHIM_IP, sport, dport, data, len,
		      csum);
	net_rx(forge_ipv4(&t, buf, n));
	free(buf);
}

/* ---- receiving ---- */

static void test_delivery_and_recvmsg(void **state)
{
	struct sock *sk = bound_socket(0, 5000);
	uint64_t indg = udp_mib_read(UDP_MIB_INDATAGRAMS);
	struct sockaddr_in from;
	char buf[64];

	(void)state;
	rx_udp(0, 0, 4444, 5000, "hello", 5, 1);
	assert_true(udp_prot.poll(sk) & EPOLLIN);
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, &from, NULL), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(from.sin_family, AF_INET);
	assert_int_equal(from.sin_addr, PEER_IP);
	assert_int_equal(ntohs(from.sin_port), 4444);
	assert_int_equal(udp_mib_read(UDP_MIB_INDATAGRAMS), indg + 1);
	/* Empty now: MSG_DONTWAIT says so. */
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL), -EAGAIN);
	assert_false(udp_prot.poll(sk) & EPOLLIN);
	assert_true(udp_prot.poll(sk) & EPOLLOUT);
	udp_close(sk);
}

static void test_short_and_lying_lengths(void **state)
{
	struct sock *sk = bound_socket(0, 5001);
	uint64_t inerr = udp_mib_read(UDP_MIB_INERRORS);
	struct ip_templ t = { .protocol = IPPROTO_UDP };
	uint8_t dg[32];
	char buf[64];

	(void)state;
	/* Shorter than a UDP header. */
	net_rx(forge_ipv4(&t, "\x11\x5c\x13\x89\x00", 5));
	/* Length field beyond the IP payload, and below 8. */
	build_udp(dg, PEER_IP, SHIM_IP, 4444, 5001, "abcd", 4, 0);
	dg[5] = 13;
	net_rx(forge_ipv4(&t, dg, 12));
	dg[5] = 7;
	net_rx(forge_ipv4(&t, dg, 12));
	assert_int_equal(udp_mib_read(UDP_MIB_INERRORS), inerr + 3);
	/* Length field shorter than the IP payload: trimmed to it, delivered. */
	build_udp(dg, PEER_IP, SHIM_IP, 4444, 5001, "abcd", 4, 1);
	memcpy(dg + 12, "junk", 4);
	net_rx(forge_ipv4(&t, dg, 16));
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL), 4);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(shim_tx_count(), 0);
	udp_close(sk);
}

static void test_checksums(void **state)
{
	struct sock *sk = bound_socket(0, 5002);
	uint64_t csum = udp_mib_read(UDP_MIB_CSUMERRORS);
	uint64_t drops = skb_drop_count(SKB_DROP_REASON_UDP_CSUM);
	struct ip_templ t = { .protocol = IPPROTO_UDP };
	uint8_t dg[32];
	struct sk_buff *skb;
	char buf[16];

	(void)state;
	rx_udp(0, 0, 1, 5002, "bad", 3, -1);
	assert_int_equal(udp_mib_read(UDP_MIB_CSUMERRORS), csum + 1);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_UDP_CSUM), drops + 1);
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL), -EAGAIN);
	/* Zero: the sender computed none (RFC 768). */
	rx_udp(0, 0, 1, 5002, "none", 4, 0);
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL), 4);
	/* The device vouched for it: not checked again. */
	build_udp(dg, PEER_IP, SHIM_IP, 1, 5002, "hw", 2, -1);
	skb = forge_ipv4(&t, dg, 10);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	net_rx(skb);
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL), 2);
	udp_close(sk);
}

static void test_port_unreachable(void **state)
{
	uint64_t noports = udp_mib_read(UDP_MIB_NOPORTS);
	uint64_t outdest = icmp_mib_read(ICMP_MIB_OUTDESTUNREACHS);
	struct ip_templ t = { .protocol = IPPROTO_UDP, .id = 0x777 };
	uint8_t dg[32], orig[64];
	const struct icmphdr *ih;
	struct sk_buff *skb;
	unsigned int n;

	(void)state;
	n = build_udp(dg, PEER_IP, SHIM_IP, 3333, 9, "closed port", 11, 1);
	build_ipv4(orig, &t, dg, n);
	net_rx(forge_ipv4(&t, dg, n));
	assert_int_equal(udp_mib_read(UDP_MIB_NOPORTS), noports + 1);
	assert_int_equal(icmp_mib_read(ICMP_MIB_OUTDESTUNREACHS), outdest + 1);
	skb = shim_tx_pop();
	assert_non_null(skb);
	assert_int_equal(tx_iph(skb)->protocol, IPPROTO_ICMP);
	assert_int_equal(tx_iph(skb)->daddr, PEER_IP);
	assert_int_equal(tx_iph(skb)->saddr, SHIM_IP);
	ih = (const struct icmphdr *)tx_l4(skb);
	assert_int_equal(ih->type, ICMP_DEST_UNREACH);
	assert_int_equal(ih->code, ICMP_PORT_UNREACH);
	/* The quote: the offending IP header and (at least) the UDP header, verbatim. */
	assert_memory_equal(ih + 1, orig, 20 + 8);
	assert_int_equal(csum_fold(csum_partial(ih, ntohs(tx_iph(skb)->tot_len) - 20, 0)), 0);
	consume_skb(skb);
	/* To a broadcast: no ICMP (RFC 1122 §4.1.3.1), counted as ignored. */
	rx_udp(0, 0xffffffff, 3333, 9, "x", 1, 1);
	rx_udp(0, SHIM_BCAST, 3333, 9, "x", 1, 1);
	assert_int_equal(udp_mib_read(UDP_MIB_NOPORTS), noports + 1);
	assert_int_equal(shim_tx_count(), 0);
}

static void test_port_unreachable_is_rate_limited(void **state)
{
	uint64_t limited = icmp_mib_read(ICMP_MIB_OUTRATELIMITGLOBAL);

	(void)state;
	for (int i = 0; i < ICMP_MSGS_BURST + 10; i++)
		rx_udp(0, 0, 3333, 9, "x", 1, 1);
	assert_int_equal(shim_tx_count(), ICMP_MSGS_BURST);
	assert_int_equal(icmp_mib_read(ICMP_MIB_OUTRATELIMITGLOBAL), limited + 10);
	shim_tx_purge();
	net_shim_advance(10);	/* ICMP_MSGS_PER_SEC refill a few */
	rx_udp(0, 0, 3333, 9, "x", 1, 1);
	assert_int_equal(shim_tx_count(), 1);
}

static void test_receive_buffer_full(void **state)
{
	struct sock *sk = bound_socket(0, 5003);
	uint64_t rcvbuf = udp_mib_read(UDP_MIB_RCVBUFERRORS);
	uint64_t drops = skb_drop_count(SKB_DROP_REASON_SOCKET_RCVBUFF);
	char buf[16];
	int n = 0;

	(void)state;
	sk->sk_rcvbuf = 4 * 2300;
	for (int i = 0; i < 10; i++)
		rx_udp(0, 0, 1, 5003, "fill", 4, 1);
	assert_true(udp_mib_read(UDP_MIB_RCVBUFERRORS) > rcvbuf);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_SOCKET_RCVBUFF) - drops,
			 udp_mib_read(UDP_MIB_RCVBUFERRORS) - rcvbuf);
	while (udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL) == 4)
		n++;
	assert_int_equal(n + (int)(udp_mib_read(UDP_MIB_RCVBUFERRORS) - rcvbuf), 10);
	assert_int_equal(sk->sk_rmem_alloc, 0);
	udp_close(sk);
}

static void test_reassembled_datagram(void **state)
{
	struct sock *sk = bound_socket(0, 5004);
	uint8_t *data = malloc(3000), *dg = malloc(3008), *got = malloc(3100);
	unsigned int n;

	(void)state;
	for (int i = 0; i < 3000; i++)
		data[i] = (uint8_t)(i ^ (i >> 8));
	n = build_udp(dg, PEER_IP, SHIM_IP, 7, 5004, data, 3000, 1);
	for (unsigned int off = 0; off < n; off += 1480) {
		unsigned int len = n - off > 1480 ? 1480 : n - off;
		struct ip_templ t = { .protocol = IPPROTO_UDP, .id = 55,
				      .frag = (uint16_t)((off + len < n ? IP_MF : 0) | off / 8) };

		net_rx(forge_ipv4(&t, dg + off, len));
	}
	assert_int_equal(udp_recv(sk, got, 3100, 0, NULL, NULL), 3000);
	assert_memory_equal(got, data, 3000);
	free(data), free(dg), free(got);
	udp_close(sk);
}

/* ---- lookup and binding ---- */

static void test_exact_beats_wildcard(void **state)
{
	struct sock *any = udp_socket(), *mine = udp_socket(), *conn = udp_socket();
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(4000), .sin_addr = PEER_IP };
	char buf[8];

	(void)state;
	any->sk_reuse = mine->sk_reuse = conn->sk_reuse = 1;
	assert_int_equal(udp_bind(any, 0, 6000), 0);
	assert_int_equal(udp_bind(mine, SHIM_IP, 6000), 0);
	assert_int_equal(udp_bind(conn, 0, 6000), 0);
	assert_int_equal(udp_prot.connect(conn, &peer, sizeof(peer)), 0);
	/* From the connected peer: the connected socket is the most specific. */
	rx_udp(0, 0, 4000, 6000, "c", 1, 1);
	assert_int_equal(udp_recv(conn, buf, 8, 0, NULL, NULL), 1);
	/* From another port: the socket bound to our address. */
	rx_udp(0, 0, 4001, 6000, "m", 1, 1);
	assert_int_equal(udp_recv(mine, buf, 8, 0, NULL, NULL), 1);
	/* To the broadcast address: only the wildcard (bound-to-unicast sockets do not hear it). */
	rx_udp(0, SHIM_BCAST, 4001, 6000, "b", 1, 1);
	assert_int_equal(udp_recv(any, buf, 8, 0, NULL, NULL), 1);
	assert_int_equal(udp_recv(mine, buf, 8, 0, NULL, NULL), -EAGAIN);
	assert_int_equal(udp_recv(conn, buf, 8, 0, NULL, NULL), -EAGAIN);
	udp_close(any), udp_close(mine), udp_close(conn);
}

static void test_bind_conflicts(void **state)
{
	struct sock *a = udp_socket(), *b = udp_socket(), *c = udp_socket();

	(void)state;
	assert_int_equal(udp_bind(a, 0, 6100), 0);
	assert_int_equal(udp_bind(b, 0, 6100), -EADDRINUSE);
	assert_int_equal(udp_bind(b, SHIM_IP, 6100), -EADDRINUSE);	/* wildcard covers it */
	b->sk_reuse = 1;	/* only one side opted in: still a conflict */
	assert_int_equal(udp_bind(b, 0, 6100), -EADDRINUSE);
	assert_int_equal(udp_bind(b, 0, 6101), 0);
	/* Two specific, different addresses never clash. */
	assert_int_equal(udp_bind(c, IP4(10, 0, 0, 99), 6102), 0);
	udp_close(c);
	c = udp_socket();
	assert_int_equal(udp_bind(c, SHIM_IP, 6102), 0);
	assert_int_equal(udp_bind(c, 0, 6103), -EINVAL);	/* already bound */
	/* Closing frees the port. */
	udp_close(a);
	a = udp_socket();
	assert_int_equal(udp_bind(a, 0, 6100), 0);
	udp_close(a), udp_close(b), udp_close(c);
}

static void test_ephemeral_ports(void **state)
{
	struct sock *s[64];

	(void)state;
	for (int i = 0; i < 64; i++) {
		s[i] = bound_socket(0, 0);
		assert_true(s[i]->sk_num >= UDP_PORT_LOW && s[i]->sk_num <= UDP_PORT_HIGH);
		assert_int_equal(inet_sk(s[i])->inet_sport, htons(s[i]->sk_num));
		for (int j = 0; j < i; j++)
			assert_int_not_equal(s[i]->sk_num, s[j]->sk_num);
	}
	for (int i = 0; i < 64; i++)
		udp_close(s[i]);
}

static void test_reuseport_spreads_flows(void **state)
{
	struct sock *s[4];
	int got[4] = { 0 }, first = -1;
	char buf[8];

	(void)state;
	for (int i = 0; i < 4; i++) {
		s[i] = udp_socket();
		s[i]->sk_reuseport = 1;
		assert_int_equal(udp_bind(s[i], 0, 6200), 0);
	}
	/* 200 flows (source ports): every socket gets some. */
	for (int f = 0; f < 200; f++)
		rx_udp(0, 0, (uint16_t)(20000 + f), 6200, "f", 1, 1);
	for (int i = 0; i < 4; i++) {
		while (udp_recv(s[i], buf, 8, 0, NULL, NULL) == 1)
			got[i]++;
		assert_true(got[i] > 0);
	}
	assert_int_equal(got[0] + got[1] + got[2] + got[3], 200);
	/* One flow always lands on the same socket. */
	for (int k = 0; k < 10; k++) {
		rx_udp(0, 0, 31337, 6200, "s", 1, 1);
		for (int i = 0; i < 4; i++) {
			if (udp_recv(s[i], buf, 8, 0, NULL, NULL) == 1) {
				if (first < 0)
					first = i;
				assert_int_equal(i, first);
			}
		}
	}
	for (int i = 0; i < 4; i++)
		udp_close(s[i]);
}

/* ---- sending ---- */

static void check_sent_datagram(uint16_t sport, uint16_t dport, const char *data, unsigned int len)
{
	struct sk_buff *skb = shim_tx_pop();
	const struct iphdr *iph;
	const struct udphdr *uh;

	assert_non_null(skb);
	iph = tx_iph(skb);
	assert_int_equal(iph->protocol, IPPROTO_UDP);
	assert_int_equal(iph->saddr, SHIM_IP);
	assert_int_equal(iph->daddr, PEER_IP);
	assert_int_equal(ntohs(iph->frag_off), IP_DF);
	assert_int_equal(ip_fast_csum(iph, 5), 0);
	uh = (const struct udphdr *)tx_l4(skb);
	assert_int_equal(ntohs(uh->source), sport);
	assert_int_equal(ntohs(uh->dest), dport);
	assert_int_equal(ntohs(uh->len), 8 + len);
	assert_memory_equal(uh + 1, data, len);
	assert_int_not_equal(uh->check, 0);
	assert_int_equal(csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, 8 + len, IPPROTO_UDP,
						      csum_partial(uh, 8 + len, 0))), 0);
	consume_skb(skb);
}

static void test_sendmsg(void **state)
{
	struct sock *sk = bound_socket(0, 7000), *auto_sk = udp_socket();
	uint64_t out = udp_mib_read(UDP_MIB_OUTDATAGRAMS);

	(void)state;
	assert_int_equal(udp_send(sk, "datagram", 8, PEER_IP, 53), 8);
	check_sent_datagram(7000, 53, "datagram", 8);
	/* Unbound: bound to an ephemeral port on the first send. */
	assert_int_equal(udp_send(auto_sk, "x", 1, PEER_IP, 53), 1);
	assert_true(auto_sk->sk_num >= UDP_PORT_LOW);
	check_sent_datagram(auto_sk->sk_num, 53, "x", 1);
	/* Empty datagrams are datagrams too. */
	assert_int_equal(udp_send(sk, "", 0, PEER_IP, 53), 0);
	check_sent_datagram(7000, 53, "", 0);
	assert_int_equal(udp_mib_read(UDP_MIB_OUTDATAGRAMS), out + 3);
	udp_close(sk), udp_close(auto_sk);
}

static void test_sendmsg_limits(void **state)
{
	struct sock *sk = bound_socket(0, 7001);
	static char big[70000];
	struct sockaddr_in bad = { .sin_family = 10, .sin_port = htons(1), .sin_addr = PEER_IP };
	struct msghdr m;
	struct iovec iov;

	(void)state;
	assert_int_equal(udp_send(sk, big, 1472, PEER_IP, 9), 1472);	/* exactly the MTU */
	shim_tx_purge();
	assert_int_equal(udp_send(sk, big, 1473, PEER_IP, 9), -EMSGSIZE);	/* no fragmentation */
	assert_int_equal(udp_send(sk, big, UDP_MAX_PAYLOAD + 1, PEER_IP, 9), -EMSGSIZE);
	assert_int_equal(udp_send(sk, big, 4, 0, 0), -EDESTADDRREQ);	/* not connected */
	assert_int_equal(udp_send(sk, big, 4, PEER_IP, 0), -EINVAL);	/* port 0 */
	assert_int_equal(udp_send(sk, big, 4, IP4(192, 0, 2, 1), 9), 4);	/* via the gateway */
	shim_tx_purge();
	ip_config_set(SHIM_IP, SHIM_MASK, 0);
	assert_int_equal(udp_send(sk, big, 4, IP4(192, 0, 2, 1), 9), -ENETUNREACH);
	shim_msg(&m, &iov, big, 4, &bad, sizeof(bad));
	assert_int_equal(udp_prot.sendmsg(sk, &m, 4), -EAFNOSUPPORT);
	shim_msg(&m, &iov, big, 4, &bad, 8);
	assert_int_equal(udp_prot.sendmsg(sk, &m, 4), -EINVAL);
	assert_int_equal(shim_tx_count(), 0);
	udp_close(sk);
}

static void test_connected_send_and_icmp_error(void **state)
{
	struct sock *sk = bound_socket(0, 7002);
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(9999), .sin_addr = PEER_IP };
	uint8_t quote[28], icmp[64];
	struct ip_templ q = { .saddr = SHIM_IP, .daddr = PEER_IP, .protocol = IPPROTO_UDP };
	struct ip_templ t = { .protocol = IPPROTO_ICMP };
	struct sk_buff *skb;
	char buf[8];
	unsigned int n;

	(void)state;
	assert_int_equal(udp_prot.connect(sk, &peer, sizeof(peer)), 0);
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	assert_int_equal(udp_send(sk, "hi", 2, 0, 0), 2);
	skb = shim_tx_pop();
	/* The peer has no such port: its ICMP quotes our datagram. */
	memcpy(quote, tx_iph(skb), 28);
	consume_skb(skb);
	n = build_icmp(icmp, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, quote, 28);
	net_rx(forge_ipv4(&t, icmp, n));
	assert_true(udp_prot.poll(sk) & EPOLLERR);
	assert_int_equal(udp_recv(sk, buf, 8, 0, NULL, NULL), -ECONNREFUSED);
	assert_int_equal(udp_recv(sk, buf, 8, 0, NULL, NULL), -EAGAIN);	/* reported once */
	/* An unconnected socket is not told (no IP_RECVERR). */
	udp_prot.disconnect(sk, 0);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	memcpy(buf, quote + 20, 8);
	build_ipv4(quote, &q, buf, 8);
	n = build_icmp(icmp, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, quote, 28);
	net_rx(forge_ipv4(&t, icmp, n));
	assert_false(udp_prot.poll(sk) & EPOLLERR);
	udp_close(sk);
}

static void test_hardware_checksum(void **state)
{
	struct sock *sk = bound_socket(0, 7003);
	struct sk_buff *skb;
	uint8_t *uh;
	uint16_t sum;

	(void)state;
	shim_dev.features = NETIF_F_HW_CSUM;
	assert_int_equal(udp_send(sk, "offload", 7, PEER_IP, 9), 7);
	skb = shim_tx_pop();
	assert_int_equal(skb->ip_summed, CHECKSUM_PARTIAL);
	uh = skb->head + skb->csum_start;
	assert_ptr_equal(uh, tx_l4(skb));
	assert_int_equal(skb->csum_offset, 6);
	/* What the device does: sum from csum_start, fold, store at csum_offset. */
	sum = csum_fold(csum_partial(uh, 15, 0));
	memcpy(uh + skb->csum_offset, &sum, 2);
	assert_int_equal(csum_fold(csum_tcpudp_nofold(SHIM_IP, PEER_IP, 15, IPPROTO_UDP,
						      csum_partial(uh, 15, 0))), 0);
	consume_skb(skb);
	udp_close(sk);
}

static void test_recvmsg_flags(void **state)
{
	struct sock *sk = bound_socket(0, 7004);
	unsigned int mflags;
	char buf[32];

	(void)state;
	rx_udp(0, 0, 1, 7004, "0123456789", 10, 1);
	rx_udp(0, 0, 1, 7004, "second", 6, 1);
	/* MSG_PEEK leaves it queued. */
	assert_int_equal(udp_recv(sk, buf, 4, MSG_PEEK, NULL, &mflags), 4);
	assert_true(mflags & MSG_TRUNC);
	/* A short buffer truncates: the rest of the datagram is gone. */
	assert_int_equal(udp_recv(sk, buf, 4, 0, NULL, &mflags), 4);
	assert_memory_equal(buf, "0123", 4);
	assert_true(mflags & MSG_TRUNC);
	/* MSG_TRUNC as a flag returns the real length. */
	assert_int_equal(udp_recv(sk, buf, 2, MSG_TRUNC, NULL, &mflags), 6);
	assert_memory_equal(buf, "se", 2);
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), 0, NULL, NULL), -EAGAIN);
	assert_int_equal(udp_recv(sk, buf, sizeof(buf), MSG_OOB, NULL, NULL), -EOPNOTSUPP);
	udp_close(sk);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_delivery_and_recvmsg),
		T(test_short_and_lying_lengths),
		T(test_checksums),
		T(test_port_unreachable),
		T(test_port_unreachable_is_rate_limited),
		T(test_receive_buffer_full),
		T(test_reassembled_datagram),
		T(test_exact_beats_wildcard),
		T(test_bind_conflicts),
		T(test_ephemeral_ports),
		T(test_reuseport_spreads_flows),
		T(test_sendmsg),
		T(test_sendmsg_limits),
		T(test_connected_send_and_icmp_error),
		T(test_hardware_checksum),
		T(test_recvmsg_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
