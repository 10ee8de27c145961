/*
 * IPv4 in the kernel (group `net`; the host unit tests cover the protocol
 * cases in depth, these check the same code on real CPUs, with the real
 * scheduler and the kernel's own sock layer):
 *
 *  net_csum       RFC 1071 vectors through the kernel's build
 *  net_ip_drops   malformed and martian frames: counted drops, no leak
 *  net_udp_rcv    a datagram to a bound socket, read back with its source
 *  net_frag       a fragmented datagram reassembled; an overlap discarded
 *  net_udp_block  recvmsg sleeps: woken by a datagram from another thread,
 *                 and times out (SO_RCVTIMEO) when none comes
 *
 * The frames come from a stand-in device (never registered) straight into
 * netif_receive_skb, and nothing here makes the stack transmit, so the
 * tests run the same with or without a NIC. The address is 10.99.0.2/24
 * for the duration (the boot configuration is restored). skbs are freed
 * into this CPU's cache: it is emptied before and after, for the leak check.
 */
#include <kernel/selftest.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/timer.h>
#include <net/core/netdevice.h>
#include <net/core/sock.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/ipv4.h>
#include <net/ipv4/udp.h>
#include <net/socket.h>
#include <string.h>

#define ST_IP htonl(0x0a630002)		/* 10.99.0.2 */
#define ST_PEER htonl(0x0a630001)	/* 10.99.0.1 */
#define ST_MASK htonl(0xffffff00)

static struct net_device st_dev = {
	.name = "st0",
	.dev_addr = { 0x02, 0x53, 0x51, 0x00, 0x00, 0x02 },
	.mtu = ETH_DATA_LEN,
};
static const uint8_t st_peer_mac[ETH_ALEN] = { 0x02, 0x53, 0x51, 0x00, 0x00, 0x01 };
static struct ip_config saved;

static void net_begin(void)
{
	ip_config_get(&saved);
	ip_config_set(ST_IP, ST_MASK, 0);
	skb_cache_shrink();
}

static void net_end(void)
{
	ipfrag_flush();
	ip_config_set(saved.addr, saved.mask, saved.gw);
	skb_cache_shrink();
}

/* An IPv4 frame from the peer to us: header from the arguments, then @len bytes. */
static struct sk_buff *frame(uint8_t proto, uint16_t id, uint16_t frag, uint32_t saddr,
			     const void *payload, unsigned int len)
{
	struct sk_buff *skb = netdev_alloc_skb(&st_dev, ETH_HLEN + 20 + len);
	uint8_t *p;
	struct iphdr *iph;

	if (!skb)
		return NULL;
	p = skb_put(skb, ETH_HLEN + 20 + len);
	memcpy(p, st_dev.dev_addr, ETH_ALEN);
	memcpy(p + ETH_ALEN, st_peer_mac, ETH_ALEN);
	p[12] = 0x08, p[13] = 0x00;
	iph = (struct iphdr *)(p + ETH_HLEN);
	iph->ihl_version = 0x45;
	iph->tos = 0;
	iph->tot_len = htons((uint16_t)(20 + len));
	iph->id = htons(id);
	iph->frag_off = htons(frag);
	iph->ttl = 64;
	iph->protocol = proto;
	iph->saddr = saddr;
	iph->daddr = ST_IP;
	iph->check = 0;
	iph->check = ip_fast_csum(iph, 5);
	memcpy(iph + 1, payload, len);
	return skb;
}

static int rx(struct sk_buff *skb)
{
	if (!skb)
		return -1;
	eth_type_trans(skb, &st_dev);
	return netif_receive_skb(skb);
}

/* A UDP datagram (checksummed) into @buf; returns its length. */
static unsigned int udp_build(uint8_t *buf, uint16_t sport, uint16_t dport, const void *data,
			      unsigned int len)
{
	struct udphdr *uh = (struct udphdr *)buf;
	unsigned int ulen = 8 + len;

	uh->source = htons(sport);
	uh->dest = htons(dport);
	uh->len = htons((uint16_t)ulen);
	uh->check = 0;
	memcpy(uh + 1, data, len);
	uh->check = csum_fold(csum_tcpudp_nofold(ST_PEER, ST_IP, ulen, IPPROTO_UDP,
						 csum_partial(uh, ulen, 0)));
	if (!uh->check)
		uh->check = 0xffff;
	return ulen;
}

static struct sock *udp_open(uint16_t port)
{
	struct sock *sk = sk_alloc(AF_INET, &udp_prot);

	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	udp_prot.init(sk);
	lock_sock(sk);
	if (udp_prot.get_port(sk, port)) {
		release_sock(sk);
		sock_put(sk);
		return NULL;
	}
	release_sock(sk);
	return sk;
}

static void udp_close(struct sock *sk)
{
	udp_prot.close(sk, 0);
	sock_orphan(sk);
	sock_put(sk);
}

static long udp_read(struct sock *sk, void *buf, size_t len, int flags, struct sockaddr_in *from)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr m = { .msg_name = from, .msg_namelen = from ? (int)sizeof(*from) : 0,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	int alen = 0;

	return udp_prot.recvmsg(sk, &m, len, flags, &alen);
}

SELFTEST(net_csum, 0)
{
	static const uint8_t rfc1071[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };
	uint16_t c = csum_fold(csum_partial(rfc1071, 8, 0));

	ST_CHECK(ntohs(c) == 0x220d);
	c = ip_fast_csum(h, 5);
	ST_CHECK(ntohs(c) == 0xb861);
	memcpy(h + 10, &c, 2);
	ST_CHECK(ip_fast_csum(h, 5) == 0);
	return 0;
}

SELFTEST(net_ip_drops, 0)
{
	uint64_t hdr = ip_mib_read(IPSTATS_MIB_INHDRERRORS), addr = ip_mib_read(IPSTATS_MIB_INADDRERRORS);
	uint64_t csum = skb_drop_count(SKB_DROP_REASON_IP_CSUM);
	int64_t skbs;
	struct sk_buff *skb;

	net_begin();
	skbs = skb_outstanding();
	/* A runt, a bad version, a bad checksum, a truncated one. */
	skb = frame(IPPROTO_UDP, 1, 0, ST_PEER, "12345678", 8);
	skb_trim(skb, ETH_HLEN + 12);
	ST_CHECK(rx(skb) < 0);
	skb = frame(IPPROTO_UDP, 1, 0, ST_PEER, "12345678", 8);
	skb->data[ETH_HLEN] = 0x65;
	ST_CHECK(rx(skb) < 0);
	skb = frame(IPPROTO_UDP, 1, 0, ST_PEER, "12345678", 8);
	skb->data[ETH_HLEN + 10] ^= 1;
	ST_CHECK(rx(skb) < 0);
	skb = frame(IPPROTO_UDP, 1, 0, ST_PEER, "12345678", 8);
	skb_trim(skb, skb->len - 1);
	ST_CHECK(rx(skb) < 0);
	ST_CHECK(ip_mib_read(IPSTATS_MIB_INHDRERRORS) == hdr + 4);
	ST_CHECK(skb_drop_count(SKB_DROP_REASON_IP_CSUM) == csum + 1);
	/* Martian sources: loopback, our own address. */
	ST_CHECK(rx(frame(IPPROTO_UDP, 1, 0, htonl(0x7f000001), "12345678", 8)) < 0);
	ST_CHECK(rx(frame(IPPROTO_UDP, 1, 0, ST_IP, "12345678", 8)) < 0);
	ST_CHECK(ip_mib_read(IPSTATS_MIB_INADDRERRORS) == addr + 2);
	ST_CHECK(skb_outstanding() == skbs);
	net_end();
	return 0;
}

SELFTEST(net_udp_rcv, 0)
{
	struct sock *sk;
	struct sockaddr_in from;
	uint8_t dg[64];
	char buf[32];
	unsigned int n;
	long got;

	net_begin();
	ST_CHECK((sk = udp_open(4321)));
	n = udp_build(dg, 1234, 4321, "hello squall", 12);
	ST_CHECK(rx(frame(IPPROTO_UDP, 2, 0, ST_PEER, dg, n)) == 0);
	ST_CHECK(udp_prot.poll(sk) & EPOLLIN);
	got = udp_read(sk, buf, sizeof(buf), MSG_DONTWAIT, &from);
	ST_CHECK(got == 12 && !memcmp(buf, "hello squall", 12));
	ST_CHECK(from.sin_addr == ST_PEER && from.sin_port == htons(1234));
	ST_CHECK(udp_read(sk, buf, sizeof(buf), MSG_DONTWAIT, NULL) == -EAGAIN);
	udp_close(sk);
	net_end();
	return 0;
}

SELFTEST(net_frag, 0)
{
	static uint8_t data[3000], dg[3008], got[3100];
	uint64_t fails = ip_mib_read(IPSTATS_MIB_REASMFAILS), oks = ip_mib_read(IPSTATS_MIB_REASMOKS);
	struct sock *sk;
	unsigned int n;

	net_begin();
	ST_CHECK((sk = udp_open(4322)));
	for (unsigned int i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	n = udp_build(dg, 1, 4322, data, sizeof(data));
	/* Last fragment first, then the others. */
	ST_CHECK(rx(frame(IPPROTO_UDP, 3, 2960 / 8, ST_PEER, dg + 2960, n - 2960)) == 0);
	ST_CHECK(rx(frame(IPPROTO_UDP, 3, IP_MF | 0, ST_PEER, dg, 1480)) == 0);
	ST_CHECK(ipfrag_queues() == 1);
	ST_CHECK(rx(frame(IPPROTO_UDP, 3, IP_MF | 1480 / 8, ST_PEER, dg + 1480, 1480)) == 0);
	ST_CHECK(ip_mib_read(IPSTATS_MIB_REASMOKS) == oks + 1);
	ST_CHECK(udp_read(sk, got, sizeof(got), MSG_DONTWAIT, NULL) == 3000);
	ST_CHECK(!memcmp(got, data, 3000));
	/* Overlapping pieces: the whole datagram goes (RFC 5722 policy). */
	rx(frame(IPPROTO_UDP, 4, IP_MF | 0, ST_PEER, dg, 1480));
	rx(frame(IPPROTO_UDP, 4, IP_MF | 1472 / 8, ST_PEER, dg + 1472, 1480));
	ST_CHECK(ip_mib_read(IPSTATS_MIB_REASMFAILS) == fails + 1);
	ST_CHECK(ipfrag_queues() == 0 && ipfrag_mem() == 0);
	ST_CHECK(udp_read(sk, got, sizeof(got), MSG_DONTWAIT, NULL) == -EAGAIN);
	udp_close(sk);
	net_end();
	return 0;
}

static int deliver_later(void *arg)
{
	uint8_t dg[32];
	unsigned int n = udp_build(dg, 9, 4323, "wake", 4);
	struct sk_buff *skb = frame(IPPROTO_UDP, 5, 0, ST_PEER, dg, n);

	(void)arg;
	/* Give the reader time to go to sleep first. */
	__atomic_store_n(&current->state, TASK_INTERRUPTIBLE, __ATOMIC_SEQ_CST);
	schedule_timeout((int64_t)msecs_to_jiffies(50));
	return rx(skb);
}

SELFTEST(net_udp_block, 0)
{
	struct sock *sk;
	struct task *t;
	uint64_t start;
	char buf[8];

	net_begin();
	ST_CHECK((sk = udp_open(4323)));
	/* Woken by a datagram that arrives while we sleep (same CPU: one skb cache). */
	ST_CHECK((t = kthread_create(deliver_later, NULL, "st_net", (int)smp_processor_id())));
	ST_CHECK(udp_read(sk, buf, sizeof(buf), 0, NULL) == 4 && !memcmp(buf, "wake", 4));
	ST_CHECK(kthread_join(t) == 0);
	/* Nothing comes: SO_RCVTIMEO ends the wait. */
	sk->sk_rcvtimeo = (long)msecs_to_jiffies(40);
	start = jiffies;
	ST_CHECK(udp_read(sk, buf, sizeof(buf), 0, NULL) == -EAGAIN);
	ST_CHECK(jiffies - start >= msecs_to_jiffies(40) - 1);
	udp_close(sk);
	net_end();
	return 0;
}
