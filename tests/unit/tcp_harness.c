/*
 * The TCP packet-trace harness; see tcp_harness.h. The forging, parsing,
 * time and socket helpers build without cmocka (the tcp_rcv fuzzer
 * includes this file with TCP_HARNESS_NO_CMOCKA); the expectations and
 * setup/teardown use it.
 */
#include "tcp_harness.h"
#include <net/ipv4/tcp_input.h>
#include <net/ipv4/arp.h>
#include <net/ipv4/af_inet.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TCP_HARNESS_NO_CMOCKA
#include <cmocka.h>
#endif

/* ---- what the hosted build lacks (the socket layer's kernel half) ---- */

uint64_t user_arena_start, user_arena_end;	/* no user memory hosted */
int sock_register(const struct net_proto_family *ops)
{
	(void)ops;
	return 0;
}

/* ---- forging ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static unsigned int build_options(uint8_t *o, const struct seg *s)
{
	unsigned int n = 0;

	if (s->raw_opts) {
		n = s->raw_optlen > 40 ? 40 : s->raw_optlen;
		memcpy(o, s->raw_opts, n);
	} else {
		if (s->mss > 0) {
			o[n++] = TCPOPT_MSS;
			o[n++] = 4;
			put16(o + n, (uint16_t)s->mss);
			n += 2;
		}
		if (s->sack_perm) {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_SACK_PERM;
			o[n++] = 2;
		}
		if (s->ts) {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_TIMESTAMP;
			o[n++] = 10;
			put32(o + n, s->tsval);
			put32(o + n + 4, s->tsecr);
			n += 8;
		}
		if (s->wscale >= 0) {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_WINDOW;
			o[n++] = 3;
			o[n++] = (uint8_t)s->wscale;
		}
		if (s->nsack > 0) {
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_NOP;
			o[n++] = TCPOPT_SACK;
			o[n++] = (uint8_t)(2 + 8 * s->nsack);
			for (int i = 0; i < s->nsack; i++, n += 8) {
				put32(o + n, s->sack[i].start_seq);
				put32(o + n + 4, s->sack[i].end_seq);
			}
		}
	}
	while (n % 4)
		o[n++] = TCPOPT_EOL;
	return n;
}

unsigned int build_tcp(uint8_t *buf, const struct seg *s)
{
	unsigned int olen = build_options(buf + 20, s), hlen = 20 + olen, len = hlen + s->len;
	uint8_t *p = buf + hlen;
	uint16_t sum;

	put16(buf, s->sport);
	put16(buf + 2, s->dport);
	put32(buf + 4, s->seq);
	put32(buf + 8, s->ack);
	buf[12] = (uint8_t)((s->doff ? (unsigned int)s->doff : hlen / 4) << 4);
	buf[13] = s->flags;
	put16(buf + 14, s->win);
	buf[16] = buf[17] = 0;
	buf[18] = s->urg_hi;
	buf[19] = s->urg_lo;
	for (unsigned int i = 0; i < s->len; i++)
		p[i] = s->data ? ((const uint8_t *)s->data)[i] : seg_pattern(s->seq + i);
	sum = csum_fold(csum_tcpudp_nofold(s->saddr, s->daddr, len, IPPROTO_TCP,
					   csum_partial(buf, len, 0)));
	if (s->bad_csum)
		sum ^= 0x5a5a;
	memcpy(buf + 16, &sum, 2);
	return len;
}

/*
 * Frames the stack sent, in order, minus ARP: the harness plays the peer's
 * ARP too (a request for PEER_IP is answered at once), so the neighbour
 * entry never fails however long a test runs.
 */
static struct sk_buff_head captured;

static void harness_poll(void)
{
	struct sk_buff *skb;

	if (!captured.next)
		skb_queue_head_init(&captured);
	while ((skb = shim_tx_pop()) != NULL) {
		const uint8_t *eth = tx_eth(skb);
		const struct arphdr *arp = (const struct arphdr *)(eth + ETH_HLEN);

		if (skb->len >= ETH_HLEN + sizeof(*arp) && eth[12] == 0x08 && eth[13] == 0x06 &&
		    arp->ar_op == htons(ARPOP_REQUEST) && arp->ar_tip == PEER_IP) {
			consume_skb(skb);
			net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
			continue;
		}
		__skb_queue_tail(&captured, skb);
	}
}

static void captured_purge(void)
{
	struct sk_buff *skb;

	harness_poll();
	while ((skb = __skb_dequeue(&captured)) != NULL)
		consume_skb(skb);
}

void inject(const struct seg *s)
{
	uint8_t *tcp = malloc(60 + s->len), *ip = malloc(120 + s->len);
	struct ip_templ t = { .saddr = s->saddr, .daddr = s->daddr, .protocol = IPPROTO_TCP };
	struct sk_buff *skb;
	unsigned int n;

	if (!tcp || !ip)
		abort();
	n = build_tcp(tcp, s);
	n = build_ipv4(ip, &t, tcp, n);
	skb = forge_frame(shim_mac, peer_mac, ETH_P_IP, ip, n);
	skb->ip_summed = s->csum_ok ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
	free(tcp);
	free(ip);
	net_rx(skb);
	harness_poll();
}

/* ---- reading what we sent ---- */

static uint8_t last_payload[65536];
static unsigned int non_tcp_frames;

static void parse_options(struct seg *s, const uint8_t *p, int len)
{
	while (len > 0) {
		int kind = p[0], size;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		if (len < 2 || p[1] < 2 || p[1] > len)
			break;
		size = p[1];
		if (kind == TCPOPT_MSS && size == 4)
			s->mss = get16(p + 2);
		else if (kind == TCPOPT_WINDOW && size == 3)
			s->wscale = p[2];
		else if (kind == TCPOPT_SACK_PERM && size == 2)
			s->sack_perm = 1;
		else if (kind == TCPOPT_TIMESTAMP && size == 10) {
			s->ts = 1;
			s->tsval = get32(p + 2);
			s->tsecr = get32(p + 6);
		} else if (kind == TCPOPT_SACK) {
			for (int i = 0; i < (size - 2) / 8 && i < TCP_NUM_SACKS; i++) {
				s->sack[i].start_seq = get32(p + 2 + 8 * i);
				s->sack[i].end_seq = get32(p + 6 + 8 * i);
				s->nsack = i + 1;
			}
		}
		p += size;
		len -= size;
	}
}

/* Parse one captured frame; 0 if it is not TCP/IPv4. doff carries "checksum valid". */
static int parse_frame(const struct sk_buff *skb, struct seg *s)
{
	const struct iphdr *iph = tx_iph(skb);
	const uint8_t *th;
	unsigned int tcplen, hlen;

	memset(s, 0, sizeof(*s));
	s->wscale = -1;
	if (!iph || iph->protocol != IPPROTO_TCP)
		return 0;
	th = tx_l4(skb);
	tcplen = ntohs(iph->tot_len) - ip_hdrlen(iph);
	hlen = (th[12] >> 4) * 4u;
	s->saddr = iph->saddr;
	s->daddr = iph->daddr;
	s->sport = get16(th);
	s->dport = get16(th + 2);
	s->seq = get32(th + 4);
	s->ack = get32(th + 8);
	s->flags = th[13];
	s->win = get16(th + 14);
	parse_options(s, th + 20, (int)hlen - 20);
	s->len = tcplen - hlen;
	memcpy(last_payload, th + hlen, s->len);
	s->data = last_payload;
	s->csum_ok = skb->ip_summed == CHECKSUM_PARTIAL ||
		     csum_fold(csum_tcpudp_nofold(iph->saddr, iph->daddr, tcplen, IPPROTO_TCP,
						  csum_partial(th, tcplen, 0))) == 0;
	return 1;
}

int next_seg(struct seg *out)
{
	struct sk_buff *skb;

	harness_poll();
	while ((skb = __skb_dequeue(&captured)) != NULL) {
		int ok = parse_frame(skb, out);

		consume_skb(skb);
		if (ok)
			return 1;
		non_tcp_frames++;
	}
	return 0;
}

unsigned int tx_pending(void)
{
	harness_poll();
	return skb_queue_len(&captured);
}

/* ---- time and counters ---- */

void advance_ms(uint64_t ms)
{
	uint64_t end = jiffies + msecs_to_jiffies(ms);

	while (jiffies < end) {
		jiffies++;
		__run_timers(timer_this_base(), jiffies);
		harness_poll();
	}
}

static uint64_t mib_base[TCP_MIB_MAX];

int64_t mib_delta(enum tcp_mib field)
{
	return (int64_t)(tcp_mib_read(field) - mib_base[field]);
}

/* ---- sockets ---- */

#define MAX_TRACKED 256
static struct sock *tracked[MAX_TRACKED];	/* sockets holding a "file" reference */

static void track(struct sock *sk)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (!tracked[i]) {
			tracked[i] = sk;
			return;
		}
	}
	abort();
}

static int untrack(struct sock *sk)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (tracked[i] == sk) {
			tracked[i] = NULL;
			return 1;
		}
	}
	return 0;
}

struct sock *harness_socket(void)
{
	struct sock *sk = sk_alloc(AF_INET, &tcp_prot);

	if (!sk)
		abort();
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;
	sk->sk_protocol = IPPROTO_TCP;
	tcp_prot.init(sk);
	track(sk);
	return sk;
}

struct sock *harness_listen(uint16_t port, int backlog)
{
	struct sock *sk = harness_socket();

	lock_sock(sk);
	if (sk->sk_prot->get_port(sk, port) || inet_csk_listen_start(sk, backlog))
		abort();
	release_sock(sk);
	return sk;
}

struct sock *harness_accept(struct sock *listener)
{
	int err;
	struct sock *child = inet_csk_accept(listener, O_NONBLOCK, &err);

	if (child)
		track(child);
	return child;
}

struct sock *harness_connect(uint16_t lport, uint16_t rport)
{
	struct sock *sk = harness_socket();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(rport), .sin_addr = REMOTE_IP };
	int err;

	lock_sock(sk);
	if (lport && sk->sk_prot->get_port(sk, lport))
		abort();
	err = tcp_v4_connect(sk, &a, sizeof(a));
	release_sock(sk);
	if (err) {
		harness_close(sk);
		return NULL;
	}
	return sk;
}

void harness_close(struct sock *sk)
{
	if (!untrack(sk))
		abort();	/* not ours, or closed twice */
	sk->sk_prot->close(sk, 0);
	sock_orphan(sk);
	sock_put(sk);
}

void harness_abort(struct sock *sk)
{
	lock_sock(sk);
	if (sk->sk_state != TCP_LISTEN && sk->sk_prot->disconnect)
		sk->sk_prot->disconnect(sk, 0);
	release_sock(sk);
	harness_close(sk);
}

static long harness_msg(struct sock *sk, void *buf, size_t len, int recv)
{
	struct msghdr m;
	struct iovec iov;
	int alen = 0;

	shim_msg(&m, &iov, buf, len, NULL, 0);
	m.msg_flags = MSG_DONTWAIT;
	if (recv)
		return sk->sk_prot->recvmsg(sk, &m, len, MSG_DONTWAIT, &alen);
	return sk->sk_prot->sendmsg(sk, &m, len);
}

long harness_recv(struct sock *sk, void *buf, size_t len)
{
	return harness_msg(sk, buf, len, 1);
}

long harness_send(struct sock *sk, const void *buf, size_t len)
{
	return harness_msg(sk, (void *)buf, len, 0);
}

struct sock *harness_established(const struct hs_opts *o, uint32_t *iss, struct sock **listener)
{
	static const struct hs_opts none = { .wscale = -1 };
	struct sock *l, *child;
	struct seg syn = { SEG_TEMPL }, synack, ack = { SEG_TEMPL };

	if (!o)
		o = &none;
	l = harness_listen(LOCAL_PORT, 16);
	syn.flags = TCPHDR_SYN;
	syn.seq = REMOTE_ISN;
	syn.mss = o->mss ? o->mss : 1460;
	syn.wscale = o->wscale;
	syn.ts = o->ts;
	syn.tsval = TS_PEER;
	syn.sack_perm = o->sack_perm;
	syn.win = o->win ? o->win : 65535;
	inject(&syn);
	if (!next_seg(&synack) || synack.flags != (TCPHDR_SYN | TCPHDR_ACK))
		abort();
	ack.flags = TCPHDR_ACK;
	ack.seq = REMOTE_ISN + 1;
	ack.ack = synack.seq + 1;
	ack.ts = o->ts;
	ack.tsval = TS_PEER + 1;
	ack.tsecr = synack.tsval;
	ack.win = syn.win;
	inject(&ack);
	child = harness_accept(l);
	if (!child || child->sk_state != TCP_ESTABLISHED)
		abort();
	if (iss)
		*iss = synack.seq;
	if (listener)
		*listener = l;
	else
		harness_close(l);
	return child;
}

/* ---- setup, teardown, expectations (cmocka) ---- */

static int64_t skb_base;
static long sk_base;

static void harness_reset(void)
{
	HZ = 1000;	/* the shim's ktime_ns() counts a jiffy as 1 ms */
	sysctl_tcp_sack = 1;	/* SACK negotiated as in Linux (the kernel default) */
	net_shim_init();
	tcp_init();
	net_shim_reset();
	/* The peer asks for us: ARP learns its address, so our segments go straight out. */
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, SHIM_IP));
	captured_purge();
	non_tcp_frames = 0;
	for (int f = 0; f < TCP_MIB_MAX; f++)
		mib_base[f] = tcp_mib_read((enum tcp_mib)f);
	skb_base = skb_outstanding();
	sk_base = sk_outstanding();
}

/* Anything left in the established hash (sockets, requests, TIME_WAIT)? */
static unsigned int ehash_entries(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i <= tcp_hashinfo.ehash_mask; i++) {
		struct list_head *pos, *tmp;

		list_for_each_safe(pos, tmp, &tcp_hashinfo.ehash[i].chain)
			n++;
	}
	return n;
}

/* Close what the test left open, let every timer run out, drop unread frames. */
static __attribute__((unused)) void harness_drain(void)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (tracked[i]) {
			tracked[i]->sk_lock.owned = 0;	/* a failed test may have left it locked */
			harness_abort(tracked[i]);
		}
	}
	for (int s = 0; s < 3600 && (ehash_entries() || sk_outstanding() != sk_base); s += 10) {
		advance_ms(10000);
		captured_purge();
	}
	captured_purge();
	tcp_tw_ms = 0;
}

#ifndef TCP_HARNESS_NO_CMOCKA
int tcp_harness_setup(void **state)
{
	(void)state;
	harness_reset();
	return 0;
}

int tcp_harness_teardown(void **state)
{
	unsigned int left = tx_pending();

	(void)state;
	harness_drain();
	if (ehash_entries()) {
		print_error("teardown: %u entries left in the established hash\n", ehash_entries());
		return -1;
	}
	if (sk_outstanding() != sk_base || skb_outstanding() != skb_base) {
		print_error("teardown: leaked %ld socks, %ld skbs\n", sk_outstanding() - sk_base,
			    (long)(skb_outstanding() - skb_base));
		return -1;
	}
	(void)left;
	return 0;
}

static void print_seg(const char *what, const struct seg *s)
{
	print_error("  %s: %u -> %u flags %s%s%s%s%s seq %u ack %u win %u len %u%s", what, s->sport,
		    s->dport, s->flags & TCPHDR_SYN ? "S" : "", s->flags & TCPHDR_FIN ? "F" : "",
		    s->flags & TCPHDR_RST ? "R" : "", s->flags & TCPHDR_PSH ? "P" : "",
		    s->flags & TCPHDR_ACK ? "." : "", s->seq, s->ack, s->win, s->len,
		    s->ts ? "" : "\n");
	if (s->ts)
		print_error(" ts %u/%u\n", s->tsval, s->tsecr);
}

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			print_error(__VA_ARGS__);                              \
			goto fail;                                             \
		}                                                              \
	} while (0)

const struct seg *expect_seg_at(const struct seg *want, const char *file, int line)
{
	static struct seg got;
	unsigned int any = want->any;

	if (!next_seg(&got)) {
		print_error("expected a segment, nothing was sent\n");
		print_seg("wanted", want);
		_fail(file, line);
		return NULL;
	}
	CHECK(got.csum_ok, "bad TCP checksum\n");
	CHECK(got.saddr == want->saddr && got.daddr == want->daddr, "addresses differ\n");
	CHECK(got.sport == want->sport && got.dport == want->dport, "ports differ\n");
	CHECK((got.flags | ((any & ANY_PSH) ? TCPHDR_PSH : 0)) ==
		      (want->flags | ((any & ANY_PSH) ? TCPHDR_PSH : 0)),
	      "flags 0x%02x, wanted 0x%02x\n", got.flags, want->flags);
	CHECK((any & ANY_SEQ) || got.seq == want->seq, "seq %u, wanted %u\n", got.seq, want->seq);
	CHECK((any & ANY_ACK) || !(want->flags & TCPHDR_ACK) || got.ack == want->ack,
	      "ack %u, wanted %u\n", got.ack, want->ack);
	CHECK((any & ANY_WIN) || got.win == want->win, "window %u, wanted %u\n", got.win, want->win);
	CHECK((any & ANY_LEN) || got.len == want->len, "length %u, wanted %u\n", got.len, want->len);
	if (!(any & ANY_LEN) && want->len) {
		for (unsigned int i = 0; i < got.len; i++) {
			uint8_t b = want->data ? ((const uint8_t *)want->data)[i]
					       : seg_pattern(got.seq + i);

			CHECK(last_payload[i] == b, "payload byte %u is %u, wanted %u\n", i,
			      last_payload[i], b);
		}
	}
	CHECK(want->mss <= 0 || got.mss == want->mss, "MSS %d, wanted %d\n", got.mss, want->mss);
	CHECK(want->wscale < 0 || got.wscale == want->wscale, "wscale %d, wanted %d\n", got.wscale,
	      want->wscale);
	CHECK(!want->sack_perm || got.sack_perm, "no SACK-permitted\n");
	CHECK(!(any & NO_TS) || !got.ts, "a timestamp option, wanted none\n");
	if (want->ts) {
		CHECK(got.ts, "no timestamp option\n");
		CHECK((any & ANY_TSVAL) || got.tsval == want->tsval, "TSval %u, wanted %u\n",
		      got.tsval, want->tsval);
		CHECK((any & ANY_TSECR) || got.tsecr == want->tsecr, "TSecr %u, wanted %u\n",
		      got.tsecr, want->tsecr);
	}
	return &got;
fail:
	print_seg("sent", &got);
	print_seg("wanted", want);
	_fail(file, line);
	return &got;
}

void expect_nothing_at(const char *file, int line)
{
	struct seg got;

	if (next_seg(&got)) {
		print_error("expected nothing, but this was sent:\n");
		print_seg("sent", &got);
		_fail(file, line);
	}
}
#endif
