/*
 * TCP over IPv4 (Linux's net/ipv4/tcp_ipv4.c): the receive entry point,
 * replies for segments that have no full socket, connect(), tcp_prot and
 * boot-time setup.
 *
 *  - tcp_v4_rcv(): ip_local_deliver → here. Check the header and checksum,
 *    look the segment up (ehash: sockets, request socks, TIME_WAIT; then
 *    the listeners), and hand it to tcp_check_req / tcp_timewait_state_
 *    process / tcp_v4_do_rcv, or the socket's backlog while a system call
 *    owns the socket; no socket → tcp_v4_send_reset (RFC 9293 §3.10.7.1).
 *  - tcp_v4_do_rcv(): socket locked (either level) → tcp_rcv_established
 *    or tcp_rcv_state_process; also release_sock's backlog handler.
 *  - tcp_v4_connect(): route, port, ISN (RFC 6528), then tcp_connect().
 *  - tcp_init(): hashes, the IP protocol handler, the protosw entry.
 *
 * Softirq context, except connect (process, socket owned) and the backlog
 * (process, socket owned). Every exit of tcp_v4_rcv frees the skb with a
 * drop reason, or passes it on to a function that consumes it.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/tcp_input.h>
#include <net/ipv4/af_inet.h>
#include <net/ipv4/ipv4.h>
#include <net/socket.h>
#include <kernel/slab.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/random.h>
#include <kernel/time.h>
#include <stdlib.h>
#include <string.h>
#ifndef SQUALL_HOSTED
#include <kernel/mm.h>
#endif

struct inet_hashinfo tcp_hashinfo;
int sysctl_tcp_syncookies = 1;		/* Linux's default: cookies when the SYN queue overflows */
/*
 * SACK blocks in our segments (RFC 2018). Off until the output side leaves
 * room for them in full-sized segments (docs/tcp-notes.md): with them, a
 * 1448-byte segment exceeds the MTU and is dropped.
 */
int sysctl_tcp_sack = 1;	/* as Linux: SACK-permitted taken, our ACKs carry blocks */
static int tcp_ehash_global_lock;	/* ehash_lock=global */
static uint64_t tcp_secret[4][2];	/* [I] keys: ISN, timestamp offset, cookie hash 0 and 1 */

/* ---- keyed hashes (SipHash-2-4, as Linux's secure_seq.c and syncookies.c) ---- */

#define ROL64(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                          \
	do {                                                                              \
		v0 += v1; v1 = ROL64(v1, 13); v1 ^= v0; v0 = ROL64(v0, 32);               \
		v2 += v3; v3 = ROL64(v3, 16); v3 ^= v2;                                   \
		v0 += v3; v3 = ROL64(v3, 21); v3 ^= v0;                                   \
		v2 += v1; v1 = ROL64(v1, 17); v1 ^= v2; v2 = ROL64(v2, 32);               \
	} while (0)

static uint64_t siphash_2u64(uint64_t a, uint64_t b, const uint64_t key[2])
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
	uint64_t last = (uint64_t)16 << 56;

	v3 ^= a; SIPROUND; SIPROUND; v0 ^= a;
	v3 ^= b; SIPROUND; SIPROUND; v0 ^= b;
	v3 ^= last; SIPROUND; SIPROUND; v0 ^= last;
	v2 ^= 0xff;
	SIPROUND; SIPROUND; SIPROUND; SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* Any context. @key: 0 ISN, 1 timestamp offset, 2 and 3 the SYN cookie's two hashes. */
uint32_t tcp_keyed_hash(uint32_t a, uint32_t b, uint32_t c, uint32_t d, int key)
{
	return (uint32_t)siphash_2u64((uint64_t)a << 32 | b, (uint64_t)c << 32 | d, tcp_secret[key]);
}

/* RFC 6528: ISN = M + F(4-tuple, secret), M ticking every 64 ns (as Linux). */
uint32_t secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
	return tcp_keyed_hash(saddr, daddr, (uint32_t)sport << 16 | dport, 0, 0) +
	       (uint32_t)(ktime_ns() >> 6);
}

/* RFC 7323 §7.1: a random timestamp offset per address pair (Linux ≥ 4.13). */
uint32_t secure_tcp_ts_off(uint32_t saddr, uint32_t daddr)
{
	return tcp_keyed_hash(saddr, daddr, 0, 0, 1);
}

/* ---- segments sent without a full socket ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A bare segment in reply to @in (addresses and ports swapped); @ts: TSval, TSecr or NULL. */
static void tcp_v4_send_bare(const struct sk_buff *in, uint32_t seq, uint32_t ack, uint8_t flags,
			     uint16_t win, const uint32_t *ts)
{
	const struct iphdr *iph = ip_hdr(in);
	const struct tcphdr *th = tcp_hdr(in);
	unsigned int len = sizeof(struct tcphdr) + (ts ? TCPOLEN_TSTAMP_ALIGNED : 0);
	struct sk_buff *skb = alloc_skb(MAX_HEADER + len);
	struct tcphdr *rth;

	if (!skb)
		return;
	skb_reserve(skb, MAX_HEADER);
	rth = (struct tcphdr *)skb_put(skb, len);
	memset(rth, 0, len);
	rth->source = th->dest;
	rth->dest = th->source;
	rth->seq = htonl(seq);
	rth->ack_seq = htonl(ack);
	rth->doff_res = (uint8_t)(len / 4 << 4);
	rth->flags = flags;
	rth->window = htons(win);
	if (ts) {
		uint8_t *o = (uint8_t *)(rth + 1);

		o[0] = TCPOPT_NOP;
		o[1] = TCPOPT_NOP;
		o[2] = TCPOPT_TIMESTAMP;
		o[3] = 10;
		put_be32(o + 4, ts[0]);
		put_be32(o + 8, ts[1]);
	}
	rth->check = csum_fold(csum_tcpudp_nofold(iph->daddr, iph->saddr, len, IPPROTO_TCP,
						  csum_partial(rth, len, 0)));
	skb_reset_transport_header(skb);
	tcp_mib_inc(TCP_MIB_OUTSEGS);
	if (flags & TCPHDR_RST)
		tcp_mib_inc(TCP_MIB_OUTRSTS);
	ip_build_and_send_pkt(skb, iph->daddr, iph->saddr, IPPROTO_TCP, 0, 0);
}

/*
 * RFC 9293 §3.10.7.1: never answer a RST; if the segment has an ACK,
 * <SEQ=SEG.ACK><CTL=RST>, else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 * Nothing to broadcast or multicast addresses (RFC 1122 §4.2.3.10).
 * Caller keeps @skb.
 */
void tcp_v4_send_reset(const struct sock *sk, struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	uint32_t daddr = ip_hdr(skb)->daddr;

	(void)sk;
	if (th->flags & TCPHDR_RST)
		return;
	if (ipv4_is_multicast(daddr) || inet_addr_is_broadcast(daddr))
		return;
	if (th->flags & TCPHDR_ACK)
		tcp_v4_send_bare(skb, ntohl(th->ack_seq), 0, TCPHDR_RST, 0, NULL);
	else
		tcp_v4_send_bare(skb, 0, TCP_SKB_CB(skb)->end_seq, TCPHDR_RST | TCPHDR_ACK, 0, NULL);
}

/* An ACK for a mini-socket (TIME_WAIT, request sock); @win already scaled. Caller keeps @skb. */
void tcp_v4_send_ack(const struct sk_buff *skb, uint32_t seq, uint32_t ack, uint32_t win,
		     uint32_t tsval, uint32_t tsecr, int ts)
{
	uint32_t opt[2] = { tsval, tsecr };

	tcp_v4_send_bare(skb, seq, ack, TCPHDR_ACK, (uint16_t)(win > 65535 ? 65535 : win),
			 ts ? opt : NULL);
}

/* ---- receive ---- */

/* Softirq. CHECKSUM_UNNECESSARY (the device checked it) or fuzzing skips the sum. */
int tcp_v4_checksum_ok(const struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (skb->ip_summed == CHECKSUM_UNNECESSARY || net_csum_verify_disabled)
		return 1;
	return csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, skb->len, IPPROTO_TCP,
					    csum_partial(skb->data, skb->len, 0))) == 0;
}

/* The header's numbers into the control block, host order (Linux's tcp_v4_fill_cb). */
static void tcp_v4_fill_cb(struct sk_buff *skb, const struct tcphdr *th)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	memset(cb, 0, sizeof(*cb));
	cb->seq = ntohl(th->seq);
	cb->end_seq = cb->seq + !!(th->flags & TCPHDR_SYN) + !!(th->flags & TCPHDR_FIN) +
		      skb->len - tcp_hdrlen(th);
	cb->ack_seq = ntohl(th->ack_seq);
	cb->tcp_flags = th->flags;
}

/*
 * Socket locked (bh_lock_sock, or owned and running the backlog).
 * Consumes @skb. Linux's tcp_v4_do_rcv.
 */
int tcp_v4_do_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct sock *rsk = sk;

	if (sk->sk_state == TCP_ESTABLISHED) {
		tcp_rcv_established(sk, skb);
		return 0;
	}
	if (sk->sk_state == TCP_LISTEN && !(tcp_hdr(skb)->flags & TCPHDR_SYN)) {
		struct sock *nsk = cookie_v4_check(sk, skb);

		if (!nsk)
			goto discard;
		if (nsk != sk) {
			if (!tcp_child_process(sk, nsk, skb))
				return 0;
			rsk = nsk;
			goto reset;
		}
	}
	if (!tcp_rcv_state_process(sk, skb))
		return 0;
reset:
	tcp_v4_send_reset(rsk, skb);
discard:
	kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
	return 0;
}

enum { RCV_DONE, RCV_LOOKUP, RCV_LISTENER };

/* A segment for request sock @req (lookup reference held, given up here). */
static int tcp_v4_rcv_req(struct request_sock *req, struct sk_buff *skb, struct sock **lsk)
{
	struct sock *sk = req->rsk_listener, *nsk;
	int stolen = 0;

	if (sk->sk_state != TCP_LISTEN) {
		inet_csk_reqsk_queue_drop(sk, req);
		reqsk_put(req);
		return RCV_LOOKUP;
	}
	sock_hold(sk);
	nsk = __tcp_check_req(sk, skb, req, &stolen);
	reqsk_put(req);
	if (!nsk) {
		sock_put(sk);
		if (stolen)
			return RCV_LOOKUP;	/* another CPU made the child: find it */
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return RCV_DONE;
	}
	if (nsk == sk) {
		*lsk = sk;			/* the listener answers (an unacceptable ACK: RST) */
		return RCV_LISTENER;
	}
	if (tcp_child_process(sk, nsk, skb)) {
		tcp_v4_send_reset(nsk, skb);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
	}
	sock_put(sk);
	return RCV_DONE;
}

/* A segment for TIME_WAIT sock @tw (lookup reference held, given up here). */
static struct sock *tcp_v4_rcv_tw(struct tcp_timewait_sock *tw, struct sk_buff *skb)
{
	struct sock *sk2 = NULL;

	if (tcp_timewait_state_process(tw, skb) == TCP_TW_SYN) {
		const struct iphdr *iph = ip_hdr(skb);
		const struct tcphdr *th = tcp_hdr(skb);

		sk2 = __inet_lookup_listener(&tcp_hashinfo, iph->saddr, th->source, iph->daddr,
					     ntohs(th->dest), (int)smp_processor_id());
		if (sk2) {
			inet_twsk_kill(tw);	/* RFC 6191: the new SYN reopens */
		} else {
			tcp_v4_timewait_ack(tw, skb);
			consume_skb(skb);
		}
	}
	inet_twsk_put(tw);
	return sk2;
}

/*
 * ip_local_deliver → here, softirq; skb->data at the TCP header. Consumes
 * @skb. Linux's tcp_v4_rcv, with request and TIME_WAIT socks in helpers.
 */
int tcp_v4_rcv(struct sk_buff *skb)
{
	enum skb_drop_reason reason = SKB_DROP_REASON_NOT_SPECIFIED;
	const struct iphdr *iph;
	const struct tcphdr *th;
	struct sock *sk;
	int ret = 0;

	if (skb->pkt_type != PACKET_HOST)
		goto discard_it;
	tcp_mib_inc(TCP_MIB_INSEGS);	/* count it even if it's bad */
	reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	if (!pskb_may_pull(skb, sizeof(struct tcphdr)))
		goto bad_packet;
	th = tcp_hdr(skb);
	if (tcp_hdrlen(th) < sizeof(struct tcphdr) || !pskb_may_pull(skb, tcp_hdrlen(th)))
		goto bad_packet;
	if (!tcp_v4_checksum_ok(skb))
		goto csum_error;
	iph = ip_hdr(skb);
	tcp_v4_fill_cb(skb, th);
lookup:
	sk = __inet_lookup_established(&tcp_hashinfo, iph->saddr, th->source, iph->daddr,
				       ntohs(th->dest));
	if (!sk)
		sk = __inet_lookup_listener(&tcp_hashinfo, iph->saddr, th->source, iph->daddr,
					    ntohs(th->dest), (int)smp_processor_id());
	if (!sk)
		goto no_tcp_socket;
process:
	if (sk->sk_state == TCP_TIME_WAIT) {
		sk = tcp_v4_rcv_tw(tcp_twsk(sk), skb);
		if (sk)
			goto process;	/* a SYN reopening it, now for the listener */
		return 0;
	}
	if (sk->sk_state == TCP_NEW_SYN_RECV) {
		switch (tcp_v4_rcv_req(inet_reqsk(sk), skb, &sk)) {
		case RCV_LOOKUP:
			goto lookup;
		case RCV_DONE:
			return 0;
		}
	}
	if (sk->sk_state == TCP_LISTEN) {
		ret = tcp_v4_do_rcv(sk, skb);	/* lockless: queues have their own lock */
		goto put_and_return;
	}
	__atomic_store_n(&sk->sk_incoming_cpu, (int)smp_processor_id(), __ATOMIC_RELAXED);
	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		ret = tcp_v4_do_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb)) {
		bh_unlock_sock(sk);
		tcp_mib_inc(LINUX_MIB_TCPBACKLOGDROP);
		reason = SKB_DROP_REASON_SOCKET_RCVBUFF;
		goto discard_and_relse;
	}
	bh_unlock_sock(sk);
put_and_return:
	sock_put(sk);
	return ret;

no_tcp_socket:
	reason = SKB_DROP_REASON_NO_SOCKET;
	tcp_v4_send_reset(NULL, skb);
	goto discard_it;
csum_error:
	reason = SKB_DROP_REASON_TCP_CSUM;
	tcp_mib_inc(TCP_MIB_CSUMERRORS);
bad_packet:
	tcp_mib_inc(TCP_MIB_INERRS);
discard_it:
	kfree_skb_reason(skb, reason);
	return 0;
discard_and_relse:
	sock_put(sk);
	goto discard_it;
}

/* Release a reference from an ehash lookup, whatever kind of sock it is. */
void sock_gen_put(struct sock *sk)
{
	if (sk->sk_state == TCP_TIME_WAIT)
		inet_twsk_put(tcp_twsk(sk));
	else if (sk->sk_state == TCP_NEW_SYN_RECV)
		reqsk_put(inet_reqsk(sk));
	else
		sock_put(sk);
}

/* ---- connect ---- */

/*
 * Process context, socket owned, state CLOSE (af_inet checked the address
 * length and family). Linux's tcp_v4_connect. 0 (SYN sent) or -errno.
 */
int tcp_v4_connect(struct sock *sk, const void *uaddr, int addr_len)
{
	const struct sockaddr_in *usin = uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct rtable rt;
	int err;

	if (addr_len < (int)sizeof(*usin))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	if (!usin->sin_addr || ipv4_is_multicast(usin->sin_addr) ||
	    inet_addr_is_broadcast(usin->sin_addr) || !usin->sin_port)
		return -ENETUNREACH;
	err = ip_route_output(usin->sin_addr, &rt);
	if (err)
		return err;
	if (!inet->inet_saddr)
		inet->inet_saddr = inet->inet_rcv_saddr ? inet->inet_rcv_saddr : rt.saddr;
	if (!inet->inet_rcv_saddr)
		inet->inet_rcv_saddr = inet->inet_saddr;
	inet->inet_dport = usin->sin_port;
	inet->inet_daddr = usin->sin_addr;
	tcp_set_state(sk, TCP_SYN_SENT);
	err = inet_hash_connect(&tcp_hashinfo, sk);
	if (err)
		goto failure;
	if (!tp->write_seq)
		tp->write_seq = secure_tcp_seq(inet->inet_saddr, inet->inet_daddr, inet->inet_sport,
					       usin->sin_port);
	tp->tsoffset = secure_tcp_ts_off(inet->inet_saddr, inet->inet_daddr);
	inet->inet_id = (uint16_t)prandom_u32();
	err = tcp_connect(sk);
	if (err)
		goto failure;
	return 0;
failure:
	tcp_set_state(sk, TCP_CLOSE);	/* unhashes and gives the port back */
	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	return err;
}

/* ---- struct proto ---- */

/* Process context, at socket creation (after sock_init_data) or for a child. */
int tcp_v4_init_sock(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	skb_queue_head_init(&tp->out_of_order_queue);
	tcp_init_sock(sk);
	sk->sk_backlog_rcv = tcp_v4_do_rcv;
	return 0;
}

/* The last reference is gone (sk_free): nobody else can reach @sk. */
void tcp_v4_destroy_sock(struct sock *sk)
{
	tcp_clear_xmit_timers(sk);
	tcp_write_queue_purge(sk);
	skb_queue_purge(&tcp_sk(sk)->out_of_order_queue);
	if (inet_sk(sk)->inet_num && !list_empty(&sk->sk_bind_node))
		inet_put_port(&tcp_hashinfo, sk);
}

static int tcp_v4_hash(struct sock *sk)
{
	return inet_hash(&tcp_hashinfo, sk);
}

static void tcp_v4_unhash(struct sock *sk)
{
	inet_unhash(&tcp_hashinfo, sk);
}

static int tcp_v4_get_port(struct sock *sk, unsigned short snum)
{
	return inet_csk_get_port(&tcp_hashinfo, sk, snum);
}

static struct kmem_cache tcp_sock_cache = KMEM_CACHE_INIT("tcp_sock", sizeof(struct tcp_sock));

struct proto tcp_prot = {
	.name = "TCP",
	.obj_size = sizeof(struct tcp_sock),
	.slab = &tcp_sock_cache,
	.init = tcp_v4_init_sock,
	.destroy = tcp_v4_destroy_sock,
	.close = tcp_close,
	.connect = tcp_v4_connect,
	.disconnect = tcp_disconnect,
	.accept = inet_csk_accept,
	.ioctl = tcp_ioctl,
	.shutdown = tcp_shutdown,
	.setsockopt = tcp_setsockopt,
	.getsockopt = tcp_getsockopt,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.backlog_rcv = tcp_v4_do_rcv,
	.hash = tcp_v4_hash,
	.unhash = tcp_v4_unhash,
	.get_port = tcp_v4_get_port,
	.poll = tcp_poll_mask,
	.keepalive = tcp_set_keepalive,
};

/* ---- boot ---- */

static const struct net_protocol tcp_protocol = { .handler = tcp_v4_rcv };

static const char *set_ehash_lock(const char *val)
{
	return param_choice(val, "global", "bucket", &tcp_ehash_global_lock,
			    "must be global or bucket");
}
KERNEL_PARAM("ehash_lock", set_ehash_lock,
	     "ehash_lock=global|bucket: one lock for the established hash, or one per bucket (default)");

static const char *set_tcp_tw_ms(const char *val)
{
	char *end;
	unsigned long ms = val ? strtoul(val, &end, 10) : 0;

	if (!val || *end || ms < 1 || ms > 600000)
		return "must be milliseconds from 1 to 600000";
	tcp_tw_ms = (unsigned int)ms;
	return NULL;
}
KERNEL_PARAM("tcp_tw_ms", set_tcp_tw_ms, "tcp_tw_ms=N: TIME_WAIT length in ms (default 60000)");

static const char *set_tcp_sack(const char *val)
{
	if (!val || (val[0] != '0' && val[0] != '1') || val[1])
		return "must be 0 or 1";
	sysctl_tcp_sack = val[0] == '1';
	return NULL;
}
KERNEL_PARAM("tcp_sack", set_tcp_sack, "tcp_sack=0|1: negotiate SACK (send SACK blocks; default 1)");

/* Established-hash buckets: one per 8 KiB of heap, as Linux's alloc_large_system_hash scale 13. */
#ifdef SQUALL_HOSTED
static unsigned int tcp_ehash_buckets(void) { return 1024; }
#else
static unsigned int tcp_ehash_buckets(void)
{
	size_t n = heap_size() >> 13;

	return n < 1024 ? 1024 : n > 65536 ? 65536 : (unsigned int)n;
}
#endif

/* Boot CPU, once, after ip_init and inet_init. */
void tcp_init(void)
{
	static int done;

	if (done++)
		return;
	for (int i = 0; i < 4; i++)
		tcp_secret[i][0] = (uint64_t)prandom_u32() << 32 | prandom_u32(),
		tcp_secret[i][1] = (uint64_t)prandom_u32() << 32 | prandom_u32();
	if (inet_hashinfo_init(&tcp_hashinfo, tcp_ehash_buckets(), 4096, 256, tcp_ehash_global_lock,
			       prandom_u32()))
		panic("tcp_init: no memory for the hash tables");
	if (inet_add_protocol(&tcp_protocol, IPPROTO_TCP))
		panic("tcp_init: IP protocol 6 taken");
	if (inet_register_protosw(SOCK_STREAM, IPPROTO_TCP, &tcp_prot, &inet_stream_ops) ||
	    inet_protosw_set_listen(SOCK_STREAM, IPPROTO_TCP, inet_csk_listen_start))
		panic("tcp_init: cannot register SOCK_STREAM");
}
