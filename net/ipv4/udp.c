/*
 * UDP (RFC 768; Linux's net/ipv4/udp.c); see udp.h for the table's rules.
 *
 *   receive: ip_local_deliver → udp_rcv (__udp4_lib_rcv): length and
 *            checksum → __udp4_lib_lookup (scored; SO_REUSEPORT by flow)
 *            → sock_queue_rcv_skb; broadcasts to every bound socket;
 *            nobody → ICMP port unreachable
 *   send:    inet_sendmsg → udp_sendmsg → ip_build_and_send_pkt (DF: a
 *            datagram larger than the MTU is -EMSGSIZE, never fragmented)
 *   receive call: inet_recvmsg → udp_recvmsg (sleeps in sk_wait_data)
 *
 * Bind goes through af_inet's inet_bind → udp_v4_get_port, which hashes
 * the socket; close unhashes it. Context: rcv/err in softirq, the proto
 * operations in process context as af_inet.h states (they lock).
 */
#include <net/ipv4/udp.h>
#include <net/ipv4/af_inet.h>
#include <net/ipv4/icmp.h>
#include <net/ipv4/ipv4.h>
#include <net/ipv4/tcp_states.h>
#include <net/socket.h>
#include <kernel/errno.h>
#include <kernel/percpu.h>
#include <net/core/snmp.h>
#include <kernel/random.h>
#include <string.h>

#define AF_UNSPEC 0
#define UDP_MCAST_MAX 16	/* sockets one broadcast is copied to */

DEFINE_SNMP_STAT(udp_mib, UDP_MIB_MAX);
static struct udp_hslot udp_table[UDP_HTABLE_SIZE];
static uint32_t udp_hash_secret;	/* [I] after udp_init */
static DEFINE_LOCK_CLASS(udp_hslot_class, "udp_hslot");

static void udp_inc(enum udp_mib f)
{
	SNMP_INC_STATS(udp_mib, f);
}

uint64_t udp_mib_read(enum udp_mib f)
{
	return (unsigned int)f < UDP_MIB_MAX ? snmp_fold_field(udp_mib, f) : 0;
}

static struct udp_hslot *udp_hashslot(unsigned int port)
{
	return &udp_table[port & (UDP_HTABLE_SIZE - 1)];
}

/* ---- binding (Linux's udp_lib_get_port) ---- */

/* Is @port taken for @sk? Slot lock held. Both sockets must opt in to share. */
static int udp_lib_lport_inuse(unsigned int port, struct udp_hslot *hslot, const struct sock *sk)
{
	const struct list_head *pos;

	for (pos = hslot->head.next; pos != &hslot->head; pos = pos->next) {
		const struct sock *sk2 = list_entry(pos, struct sock, sk_node);

		if (sk2 == sk || sk2->sk_num != port)
			continue;
		if (sk2->sk_rcv_saddr && sk->sk_rcv_saddr && sk2->sk_rcv_saddr != sk->sk_rcv_saddr)
			continue;	/* different specific addresses never clash */
		if (sk2->sk_reuse && sk->sk_reuse)
			continue;	/* SO_REUSEADDR on both */
		if (sk2->sk_reuseport && sk->sk_reuseport)
			continue;	/* SO_REUSEPORT on both: one group */
		return 1;
	}
	return 0;
}

/* Take @port if free: 0, or -EADDRINUSE. */
static int udp_try_port(struct sock *sk, unsigned int port)
{
	struct udp_hslot *hslot = udp_hashslot(port);
	uint64_t f = spin_lock_irqsave(&hslot->lock);

	if (udp_lib_lport_inuse(port, hslot, sk)) {
		spin_unlock_irqrestore(&hslot->lock, f);
		return -EADDRINUSE;
	}
	sk->sk_num = (uint16_t)port;
	inet_sk(sk)->inet_sport = htons((uint16_t)port);
	sock_hold(sk);		/* the table's reference */
	list_add(&sk->sk_node, &hslot->head);
	hslot->count++;
	spin_unlock_irqrestore(&hslot->lock, f);
	return 0;
}

int udp_v4_get_port(struct sock *sk, unsigned short snum)
{
	unsigned int range = UDP_PORT_HIGH - UDP_PORT_LOW + 1, first;

	if (sk->sk_num)
		return -EINVAL;		/* already bound */
	if (snum)
		return udp_try_port(sk, snum);
	/* Ephemeral: from a random point through the whole range (RFC 6056 §3.3.1). */
	first = prandom_u32_max(range);
	for (unsigned int i = 0; i < range; i++)
		if (!udp_try_port(sk, UDP_PORT_LOW + (first + i) % range))
			return 0;
	return -EADDRINUSE;
}

static void udp_lib_unhash(struct sock *sk)
{
	struct udp_hslot *hslot;
	uint64_t f;
	int hashed;

	if (!sk->sk_num)
		return;
	hslot = udp_hashslot(sk->sk_num);
	f = spin_lock_irqsave(&hslot->lock);
	hashed = !list_empty(&sk->sk_node);
	if (hashed) {
		list_del_init(&sk->sk_node);
		hslot->count--;
	}
	sk->sk_num = 0;
	spin_unlock_irqrestore(&hslot->lock, f);
	inet_sk(sk)->inet_sport = 0;
	if (hashed)
		sock_put(sk);
}

/* get_port hashes UDP sockets; Linux's udp_lib_hash is never meant to run. */
static int udp_lib_hash(struct sock *sk)
{
	(void)sk;
	return 0;
}

/* ---- lookup (Linux's compute_score and udp4_lib_lookup2) ---- */

/* -1: no match; else higher is more specific. Slot lock held. */
static int compute_score(const struct sock *sk, uint32_t saddr, uint16_t sport, uint32_t daddr,
			 unsigned int hnum)
{
	int score = 2;	/* AF_INET */

	if (sk->sk_num != hnum)
		return -1;
	if (sk->sk_rcv_saddr) {
		if (sk->sk_rcv_saddr != daddr)
			return -1;
		score += 4;
	}
	if (sk->sk_daddr) {
		if (sk->sk_daddr != saddr)
			return -1;
		score += 4;
	}
	if (sk->sk_dport) {
		if (sk->sk_dport != sport)
			return -1;
		score += 4;
	}
	if (__atomic_load_n(&sk->sk_incoming_cpu, __ATOMIC_RELAXED) == (int)smp_processor_id())
		score++;
	return score;
}

static uint32_t udp_ehashfn(uint32_t daddr, unsigned int hnum, uint32_t saddr, uint16_t sport)
{
	uint32_t h = saddr ^ (daddr * 0x9e3779b1u) ^ ((uint32_t)sport << 16 | hnum) ^ udp_hash_secret;

	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

struct sock *__udp4_lib_lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	unsigned int hnum = ntohs(dport), matches = 0;
	struct udp_hslot *hslot = udp_hashslot(hnum);
	struct sock *result = NULL;
	struct list_head *pos;
	int badness = -1;
	uint32_t hash = 0;
	uint64_t f = spin_lock_irqsave(&hslot->lock);

	for (pos = hslot->head.next; pos != &hslot->head; pos = pos->next) {
		struct sock *sk = list_entry(pos, struct sock, sk_node);
		int score = compute_score(sk, saddr, sport, daddr, hnum);

		if (score > badness) {
			result = sk;
			badness = score;
			if (sk->sk_reuseport) {
				hash = udp_ehashfn(daddr, hnum, saddr, sport);
				matches = 1;
			}
		} else if (score == badness && score >= 0 && result->sk_reuseport &&
			   sk->sk_reuseport) {
			/* Reservoir choice among equals: each flow sticks to one socket. */
			matches++;
			if ((uint32_t)(((uint64_t)hash * matches) >> 32) == 0)
				result = sk;
			hash = hash * 1664525u + 1013904223u;
		}
	}
	if (result)
		sock_hold(result);
	spin_unlock_irqrestore(&hslot->lock, f);
	return result;
}

/* ---- receive ---- */

/* Queue on @sk, payload at data. Consumes @skb. */
static int udp_queue_rcv_skb(struct sock *sk, struct sk_buff *skb)
{
	int rc;

	skb_pull(skb, sizeof(struct udphdr));
	if (sk->sk_daddr)
		__atomic_store_n(&sk->sk_incoming_cpu, (int)smp_processor_id(), __ATOMIC_RELAXED);
	rc = sock_queue_rcv_skb(sk, skb);
	if (rc < 0) {
		__atomic_add_fetch(&udp_sk(sk)->drops, 1, __ATOMIC_RELAXED);
		if (rc == -ENOMEM)
			udp_inc(UDP_MIB_RCVBUFERRORS);
		udp_inc(UDP_MIB_INERRORS);
		kfree_skb_reason(skb, rc == -ENOMEM ? SKB_DROP_REASON_SOCKET_RCVBUFF
						    : SKB_DROP_REASON_NOT_SPECIFIED);
		return -1;
	}
	return 0;
}

/*
 * A broadcast goes to every socket on the port that is not bound to
 * another address or connected elsewhere (Linux's
 * __udp4_lib_mcast_deliver), a copy each. Consumes @skb.
 */
static int __udp4_lib_mcast_deliver(struct sk_buff *skb, const struct udphdr *uh,
				    uint32_t saddr, uint32_t daddr)
{
	unsigned int hnum = ntohs(uh->dest), n = 0;
	struct udp_hslot *hslot = udp_hashslot(hnum);
	struct sock *socks[UDP_MCAST_MAX];
	struct list_head *pos;
	uint64_t f = spin_lock_irqsave(&hslot->lock);

	for (pos = hslot->head.next; pos != &hslot->head && n < UDP_MCAST_MAX; pos = pos->next) {
		struct sock *sk = list_entry(pos, struct sock, sk_node);

		if (compute_score(sk, saddr, uh->source, daddr, hnum) >= 0) {
			sock_hold(sk);
			socks[n++] = sk;
		}
	}
	spin_unlock_irqrestore(&hslot->lock, f);
	if (!n) {
		udp_inc(UDP_MIB_IGNOREDMULTI);
		consume_skb(skb);	/* nobody listens: not an error, no ICMP (RFC 1122 §4.1.3.1) */
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct sk_buff *copy = i + 1 < n ? skb_copy(skb) : skb;

		if (copy)
			udp_queue_rcv_skb(socks[i], copy);
		else
			udp_inc(UDP_MIB_RCVBUFERRORS);
		sock_put(socks[i]);
	}
	return 0;
}

/* The IPPROTO_UDP handler (Linux's __udp4_lib_rcv). */
int udp_rcv(struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	enum skb_drop_reason reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	const struct udphdr *uh;
	unsigned int ulen;
	struct sock *sk;

	if (!pskb_may_pull(skb, sizeof(*uh)))
		goto short_packet;
	uh = (const struct udphdr *)skb->data;
	ulen = ntohs(uh->len);
	if (ulen < sizeof(*uh) || ulen > skb->len)
		goto short_packet;
	skb_trim(skb, ulen);
	/* RFC 768: a zero checksum means the sender computed none. */
	if (uh->check && skb->ip_summed != CHECKSUM_UNNECESSARY && !net_csum_verify_disabled &&
	    csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, ulen, IPPROTO_UDP,
					 csum_partial(uh, ulen, 0))))
		goto csum_error;
	if (inet_addr_is_broadcast(iph->daddr))
		return __udp4_lib_mcast_deliver(skb, uh, iph->saddr, iph->daddr);
	sk = __udp4_lib_lookup(iph->saddr, uh->source, iph->daddr, uh->dest);
	if (sk) {
		int ret = udp_queue_rcv_skb(sk, skb);

		sock_put(sk);
		return ret;
	}
	udp_inc(UDP_MIB_NOPORTS);
	icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
	kfree_skb_reason(skb, SKB_DROP_REASON_NO_SOCKET);
	return -1;
csum_error:
	reason = SKB_DROP_REASON_UDP_CSUM;
	udp_inc(UDP_MIB_CSUMERRORS);
short_packet:
	udp_inc(UDP_MIB_INERRORS);
	kfree_skb_reason(skb, reason);
	return -1;
}

/*
 * ICMP says a datagram we sent failed (Linux's __udp4_lib_err). Only the
 * hard errors, and only to connected sockets (no IP_RECVERR here): the
 * next call on the socket returns it. @skb's data is the quoted header.
 */
void udp_err(struct sk_buff *skb, uint32_t info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct udphdr *uh = (const struct udphdr *)(skb->data + ip_hdrlen(iph));
	const struct icmphdr *icmph = (const struct icmphdr *)skb_transport_header(skb);
	struct sock *sk;
	int err;

	(void)info;
	if (icmph->type != ICMP_DEST_UNREACH)
		return;
	if (icmph->code == ICMP_PORT_UNREACH)
		err = ECONNREFUSED;
	else if (icmph->code == ICMP_PROT_UNREACH)
		err = ENOPROTOOPT;
	else
		return;		/* soft errors (Linux's icmp_err_convert .fatal = 0) */
	sk = __udp4_lib_lookup(iph->daddr, uh->dest, iph->saddr, uh->source);
	if (!sk)
		return;
	if (sk->sk_state == TCP_ESTABLISHED) {
		__atomic_store_n(&sk->sk_err, err, __ATOMIC_RELEASE);
		if (sk->sk_error_report)
			sk->sk_error_report(sk);
	}
	sock_put(sk);
}

/* ---- the socket calls ---- */

static int udp_autobind(struct sock *sk)
{
	int err = 0;

	lock_sock(sk);
	if (!sk->sk_num && udp_v4_get_port(sk, 0))
		err = -EAGAIN;	/* Linux's inet_autobind: the range is exhausted */
	release_sock(sk);
	return err;
}

/* Build the header and checksum (or leave it to the device). */
static void udp_fill_header(struct sk_buff *skb, struct udphdr *uh, const struct rtable *rt,
			    uint32_t saddr, uint32_t daddr, unsigned int ulen)
{
	uh->len = htons((uint16_t)ulen);
	uh->check = 0;
	if (rt->dev->features & NETIF_F_HW_CSUM) {
		/* The device sums from csum_start and adds the pseudo-header sum left here. */
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb->transport_header;
		skb->csum_offset = __builtin_offsetof(struct udphdr, check);
		uh->check = (uint16_t)~csum_fold(csum_tcpudp_nofold(saddr, daddr, ulen, IPPROTO_UDP, 0));
		return;
	}
	uh->check = csum_fold(csum_tcpudp_nofold(saddr, daddr, ulen, IPPROTO_UDP,
						 csum_partial(uh, ulen, 0)));
	if (!uh->check)
		uh->check = 0xffff;	/* RFC 768: a computed zero goes as all ones */
}

static long udp_sendmsg(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct inet_sock *inet = inet_sk(sk);
	struct sk_buff *skb;
	struct udphdr *uh;
	struct rtable rt;
	uint32_t daddr, saddr;
	uint16_t dport;
	int err;

	if (len > UDP_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (msg->msg_name) {
		const struct sockaddr_in *usin = msg->msg_name;

		if (msg->msg_namelen < (int)sizeof(*usin))
			return -EINVAL;
		if (usin->sin_family != AF_INET && usin->sin_family != AF_UNSPEC)
			return -EAFNOSUPPORT;
		daddr = usin->sin_addr;
		dport = usin->sin_port;
		if (!dport)
			return -EINVAL;
	} else {
		if (sk->sk_state != TCP_ESTABLISHED)
			return -EDESTADDRREQ;
		daddr = sk->sk_daddr;
		dport = sk->sk_dport;
	}
	if (!sk->sk_num && (err = udp_autobind(sk)))
		return err;
	if ((err = ip_route_output(daddr, &rt))) {
		ip_mib_inc(IPSTATS_MIB_OUTNOROUTES);
		return err;
	}
	/* No outgoing fragmentation: the datagram must fit the MTU. */
	if (len + sizeof(struct iphdr) + sizeof(*uh) > rt.dev->mtu)
		return -EMSGSIZE;
	saddr = inet->inet_saddr ? inet->inet_saddr : rt.saddr;
	skb = alloc_skb(MAX_HEADER + sizeof(*uh) + len);
	if (!skb) {
		udp_inc(UDP_MIB_SNDBUFERRORS);
		return -ENOBUFS;
	}
	skb_reserve(skb, MAX_HEADER);
	skb_reset_transport_header(skb);
	uh = (struct udphdr *)skb_put(skb, sizeof(*uh) + len);
	if ((err = memcpy_from_msg(uh + 1, msg, len))) {
		kfree_skb(skb);
		return err;
	}
	uh->source = inet->inet_sport;
	uh->dest = dport;
	udp_fill_header(skb, uh, &rt, saddr, daddr, sizeof(*uh) + len);
	err = ip_build_and_send_pkt(skb, saddr, daddr, IPPROTO_UDP, inet->tos, inet->ttl);
	if (err) {
		if (err == -ENOBUFS)
			udp_inc(UDP_MIB_SNDBUFERRORS);
		return err;
	}
	udp_inc(UDP_MIB_OUTDATAGRAMS);
	return (long)len;
}

/* The next datagram, dequeued (or only looked at, for MSG_PEEK). Socket locked. */
static struct sk_buff *udp_next_skb(struct sock *sk, int peek)
{
	struct sk_buff *skb;
	uint64_t f;

	if (!peek)
		return skb_dequeue(&sk->sk_receive_queue);
	/* Only the lock_sock owner dequeues, so the peeked skb stays valid. */
	f = spin_lock_irqsave(&sk->sk_receive_queue.lock);
	skb = skb_peek(&sk->sk_receive_queue);
	spin_unlock_irqrestore(&sk->sk_receive_queue.lock, f);
	return skb;
}

static long udp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len)
{
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT), err;
	int peek = flags & MSG_PEEK;
	struct sk_buff *skb;
	size_t copied;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	lock_sock(sk);
	while (!(skb = udp_next_skb(sk, peek))) {
		if ((err = sock_error(sk)))
			goto out;
		err = 0;
		if (sk->sk_shutdown & RCV_SHUTDOWN)
			goto out;
		err = -EAGAIN;
		if (!timeo)
			goto out;
		sk_wait_data(sk, &timeo, NULL);
	}
	copied = skb->len;
	if (copied > len) {
		copied = len;
		msg->msg_flags |= MSG_TRUNC;	/* the rest of the datagram is lost (RFC 768 API) */
	}
	err = memcpy_to_msg(msg, skb->data, copied);
	if (!err) {
		if (msg->msg_name) {
			struct sockaddr_in sin = {
				.sin_family = AF_INET,
				.sin_port = udp_hdr(skb)->source,
				.sin_addr = ip_hdr(skb)->saddr,
			};

			memcpy(msg->msg_name, &sin, sizeof(sin));
			if (addr_len)
				*addr_len = sizeof(sin);
		}
		if (!peek)
			udp_inc(UDP_MIB_INDATAGRAMS);
		err = (flags & MSG_TRUNC) ? (long)skb->len : (long)copied;
	}
	if (!peek)
		consume_skb(skb);
out:
	release_sock(sk);
	return err;
}

/* Linux's ip4_datagram_connect: unlocked on entry (af_inet.h). */
static int udp_disconnect(struct sock *sk, int flags);

static int udp_connect(struct sock *sk, const void *uaddr, int addr_len)
{
	const struct sockaddr_in *usin = uaddr;
	struct udp_hslot *hslot;
	struct rtable rt;
	uint64_t f;
	int err;

	if (addr_len < (int)sizeof(*usin))
		return -EINVAL;
	if (usin->sin_family == AF_UNSPEC)
		return udp_disconnect(sk, 0);
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	if ((err = ip_route_output(usin->sin_addr, &rt))) {
		ip_mib_inc(IPSTATS_MIB_OUTNOROUTES);
		return err;
	}
	lock_sock(sk);
	if (!sk->sk_num && udp_v4_get_port(sk, 0)) {
		release_sock(sk);
		return -EAGAIN;
	}
	if (!inet_sk(sk)->inet_saddr)
		inet_sk(sk)->inet_saddr = rt.saddr;
	hslot = udp_hashslot(sk->sk_num);
	f = spin_lock_irqsave(&hslot->lock);	/* lookups read the peer under it */
	sk->sk_daddr = usin->sin_addr;
	sk->sk_dport = usin->sin_port;
	spin_unlock_irqrestore(&hslot->lock, f);
	sk->sk_state = TCP_ESTABLISHED;
	release_sock(sk);
	return 0;
}

/* Forget the peer (connect to AF_UNSPEC). Unlocked on entry, as Linux's udp_disconnect. */
static int udp_disconnect(struct sock *sk, int flags)
{
	struct udp_hslot *hslot;
	uint64_t f;

	(void)flags;
	lock_sock(sk);
	hslot = udp_hashslot(sk->sk_num);
	f = spin_lock_irqsave(&hslot->lock);
	sk->sk_daddr = 0;
	sk->sk_dport = 0;
	spin_unlock_irqrestore(&hslot->lock, f);
	sk->sk_state = TCP_CLOSE;
	release_sock(sk);
	return 0;
}

static unsigned int udp_poll(struct sock *sk)
{
	unsigned int mask = EPOLLOUT | EPOLLWRNORM;	/* no send buffer to wait for */

	if (!skb_queue_empty(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (__atomic_load_n(&sk->sk_err, __ATOMIC_RELAXED))
		mask |= EPOLLERR;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (sk->sk_shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	return mask;
}

static int udp_init_sock(struct sock *sk)
{
	INIT_LIST_HEAD(&sk->sk_node);
	sk->sk_state = TCP_CLOSE;
	return 0;
}

/* close(): out of the table; af_inet then orphans it and drops its reference. */
static void udp_lib_close(struct sock *sk, long timeout)
{
	(void)timeout;
	udp_lib_unhash(sk);
	skb_queue_purge(&sk->sk_receive_queue);
}

static void udp_destroy_sock(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
}

/* SOL_UDP: no options (no corking, no encapsulation). */
static int udp_setsockopt(struct sock *sk, int level, int optname, const void *optval,
			  unsigned int optlen)
{
	(void)sk;
	(void)level;
	(void)optname;
	(void)optval;
	(void)optlen;
	return -ENOPROTOOPT;
}

static int udp_getsockopt(struct sock *sk, int level, int optname, void *optval, int *optlen)
{
	(void)sk;
	(void)level;
	(void)optname;
	(void)optval;
	(void)optlen;
	return -ENOPROTOOPT;
}

struct proto udp_prot = {
	.name = "UDP",
	.obj_size = sizeof(struct udp_sock),
	.init = udp_init_sock,
	.destroy = udp_destroy_sock,
	.close = udp_lib_close,
	.connect = udp_connect,
	.disconnect = udp_disconnect,
	.setsockopt = udp_setsockopt,
	.getsockopt = udp_getsockopt,
	.sendmsg = udp_sendmsg,
	.recvmsg = udp_recvmsg,
	.hash = udp_lib_hash,
	.unhash = udp_lib_unhash,
	.get_port = udp_v4_get_port,
	.poll = udp_poll,
};

static const struct net_protocol udp_protocol = { .handler = udp_rcv, .err_handler = udp_err };

void udp_init(void)
{
	for (unsigned int i = 0; i < UDP_HTABLE_SIZE; i++) {
		spin_lock_init(&udp_table[i].lock, &udp_hslot_class);
		INIT_LIST_HEAD(&udp_table[i].head);
		udp_table[i].count = 0;
	}
	udp_hash_secret = prandom_u32();
	inet_add_protocol(&udp_protocol, IPPROTO_UDP);
}
