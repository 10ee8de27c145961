/*
 * libFuzzer: raw Ethernet frames into netif_receive_skb (ip_rcv, arp_rcv,
 * reassembly, ICMP, UDP with two bound sockets), checksums not checked so
 * inputs get past them (lwIP's test/fuzz README). Checks what must hold
 * for any input: no crash or sanitizer report, nothing sent is malformed
 * or longer than the MTU, reassembly memory and the ARP table stay within
 * their limits, and every skb comes back (an exact count after a flush
 * every FLUSH_EVERY inputs). Time moves 100 ms per input, so reassembly
 * and ARP timers run too.
 */
#include "../unit/host/net_shim.h"
#include <net/ipv4/arp.h>
#include <net/ipv4/udp.h>
#include <net/socket.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_EVERY 512

static struct sock *socks[2];
static int64_t skb_base;

static struct sock *bound(uint16_t port)
{
	struct sock *sk = sk_alloc(AF_INET, &udp_prot);

	if (!sk)
		abort();
	sock_init_data(NULL, sk);
	udp_prot.init(sk);
	lock_sock(sk);
	if (udp_prot.get_port(sk, port))
		abort();
	release_sock(sk);
	return sk;
}

static void drain(struct sock *sk)
{
	char buf[64];
	struct msghdr m;
	struct iovec iov;
	int alen;

	do
		shim_msg(&m, &iov, buf, sizeof(buf), NULL, 0);
	while (udp_prot.recvmsg(sk, &m, sizeof(buf), MSG_DONTWAIT, &alen) >= 0);
}

/* Whatever the stack sends must be a sane frame. */
static void check_tx(void)
{
	struct sk_buff *skb;

	while ((skb = shim_tx_pop())) {
		const struct iphdr *iph = tx_iph(skb);

		if (skb->len < ETH_HLEN || skb->len > ETH_HLEN + shim_dev.mtu)
			abort();
		if (iph && (ip_fast_csum(iph, ip_hdrlen(iph) / 4) ||
			    ntohs(iph->tot_len) != skb->len - ETH_HLEN))
			abort();
		consume_skb(skb);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned long runs;
	struct sk_buff *skb;

	if (!runs) {
		net_shim_init();
		net_csum_verify_disabled = 1;
		socks[0] = bound(7);
		socks[1] = bound(53);
		skb_base = skb_outstanding();
	}
	if (size > 9216)
		return 0;	/* jumbo at most */
	skb = netdev_alloc_skb(&shim_dev, (unsigned int)size);
	if (!skb)
		abort();
	if (size)
		memcpy(skb_put(skb, (unsigned int)size), data, size);
	net_rx(skb);
	check_tx();
	if (ipfrag_mem() > (4u << 20) || neigh_count() > NEIGH_MAX)
		abort();
	drain(socks[0]);
	drain(socks[1]);
	net_shim_advance(100);
	check_tx();
	if (++runs % FLUSH_EVERY == 0) {
		neigh_flush_all();
		ipfrag_flush();
		check_tx();
		if (skb_outstanding() != skb_base)
			abort();	/* a leak (or a double free) */
	}
	return 0;
}
