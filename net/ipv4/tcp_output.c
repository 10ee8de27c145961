/*
 * TCP output (Linux's net/ipv4/tcp_output.c): building segments and
 * deciding when they may leave. RFC 9293 §3.8.6 (windows, SWS, Nagle),
 * RFC 7323 (window scale, timestamps), RFC 2018 (SACK blocks we send),
 * RFC 5961 §7 (challenge-ACK limits), RFC 5681 §4.1 (restart after idle).
 *
 *  - tcp_transmit_skb: header, options, window, checksum, ip_build_and_send_pkt
 *    (on a copy when the skb stays queued for retransmission);
 *  - tcp_write_xmit / tcp_push_pending_frames: send_head onwards while cwnd,
 *    the peer's window and Nagle allow;
 *  - tcp_send_ack / _delayed_ack / _fin / _active_reset / _challenge_ack,
 *    tcp_connect (SYN), tcp_send_synack (from a request sock), retransmits
 *    and the zero-window probe.
 * MSS and the advertised window are in tcp_window.c.
 * Callers: tcp.c (sendmsg, close), tcp_input.c (ACKs, data), tcp_timer.c,
 * tcp_ipv4.c (connect). Context: the socket lock held (owner or bh), except
 * tcp_send_synack (listener's context, request sock only).
 *
 * The write queue (sk_write_queue, __ functions under the socket lock): sent
 * skbs first, then unsent ones from tp->send_head. Each skb is at most one
 * MSS of payload at skb->data with MAX_HEADER headroom, its truesize charged
 * to sk_wmem_queued; SYN and FIN count in its end_seq.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/ipv4.h>
#include <net/core/netdevice.h>
#include <net/socket.h>
#include <kernel/errno.h>
#include <kernel/time.h>
#include <stddef.h>
#include <string.h>

#define TCPOLEN_MSS 4
#define TCPOLEN_WINDOW 3
#define TCPOLEN_SACK_PERM 2
#define TCPOLEN_TIMESTAMP 10
#define TCPOLEN_TSTAMP_ALIGNED 12
#define TCPOLEN_SACK_BASE 4		/* NOP NOP kind len */
#define TCPOLEN_SACK_PERBLOCK 8
#define MAX_TCP_OPTION_SPACE 40
#define TCP_MAX_WINDOW_FIELD 65535u
#define TCP_CHALLENGE_ACK_LIMIT 1000	/* per second, host-wide (Linux's tcp_challenge_ack_limit) */
#define TCP_CHALLENGE_ACK_PER_SOCK 10	/* per second, per connection */

#define OPTION_MSS 0x01
#define OPTION_WSCALE 0x02
#define OPTION_SACK_ADVERTISE 0x04
#define OPTION_TS 0x08

struct tcp_out_options {
	unsigned int options;		/* OPTION_* */
	uint16_t mss;
	uint8_t ws;
	uint8_t num_sack_blocks;
	uint32_t tsval, tsecr;
	struct tcp_sack_block sack[TCP_NUM_SACKS];
};

/* ---- options ---- */

static unsigned int tcp_options_size(const struct tcp_out_options *o)
{
	unsigned int size = 0;

	if (o->options & OPTION_MSS)
		size += TCPOLEN_MSS;
	if (o->options & OPTION_TS)
		size += TCPOLEN_TSTAMP_ALIGNED;	/* SACK_PERM rides in its NOPs */
	else if (o->options & OPTION_SACK_ADVERTISE)
		size += 4;
	if (o->options & OPTION_WSCALE)
		size += 4;
	if (o->num_sack_blocks)
		size += TCPOLEN_SACK_BASE + TCPOLEN_SACK_PERBLOCK * o->num_sack_blocks;
	return size;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
	return p + 4;
}

/* Linux's tcp_options_write: the same layout and order, 32-bit aligned. */
static void tcp_options_write(uint8_t *p, const struct tcp_out_options *o)
{
	if (o->options & OPTION_MSS)
		p = put32(p, (TCPOPT_MSS << 24) | (TCPOLEN_MSS << 16) | o->mss);
	if (o->options & OPTION_TS) {
		if (o->options & OPTION_SACK_ADVERTISE)
			p = put32(p, (TCPOPT_SACK_PERM << 24) | (TCPOLEN_SACK_PERM << 16) |
				     (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		else
			p = put32(p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) |
				     (TCPOPT_TIMESTAMP << 8) | TCPOLEN_TIMESTAMP);
		p = put32(p, o->tsval);
		p = put32(p, o->tsecr);
	} else if (o->options & OPTION_SACK_ADVERTISE) {
		p = put32(p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK_PERM << 8) |
			     TCPOLEN_SACK_PERM);
	}
	if (o->options & OPTION_WSCALE)
		p = put32(p, (TCPOPT_NOP << 24) | (TCPOPT_WINDOW << 16) | (TCPOLEN_WINDOW << 8) | o->ws);
	if (o->num_sack_blocks) {
		p = put32(p, (TCPOPT_NOP << 24) | (TCPOPT_NOP << 16) | (TCPOPT_SACK << 8) |
			     (TCPOLEN_SACK_BASE - 2 + TCPOLEN_SACK_PERBLOCK * o->num_sack_blocks));
		for (int i = 0; i < o->num_sack_blocks; i++) {
			p = put32(p, o->sack[i].start_seq);
			p = put32(p, o->sack[i].end_seq);
		}
	}
}

/*
 * RFC 2018 §4 blocks from the out-of-order queue (sorted by seq), adjacent
 * skbs merged; the block holding the newest arrival goes first.
 */
static int tcp_sack_blocks(struct sock *sk, struct tcp_sack_block *out, int max)
{
	struct sk_buff_head *q = &tcp_sk(sk)->out_of_order_queue;
	struct sk_buff *skb;
	int n = 0, newest = 0;
	uint64_t newest_stamp = 0;

	for (skb = q->next; skb != (struct sk_buff *)q; skb = skb->next) {
		uint32_t s = TCP_SKB_CB(skb)->seq, e = TCP_SKB_CB(skb)->end_seq;

		if (n && !after(s, out[n - 1].end_seq)) {
			if (after(e, out[n - 1].end_seq))
				out[n - 1].end_seq = e;
		} else if (n < TCP_NUM_SACKS) {
			out[n].start_seq = s;
			out[n++].end_seq = e;
		} else {
			break;
		}
		if (skb->tstamp >= newest_stamp) {
			newest_stamp = skb->tstamp;
			newest = n - 1;
		}
	}
	if (newest) {
		struct tcp_sack_block b = out[newest];

		memmove(&out[1], &out[0], sizeof(out[0]) * (size_t)newest);
		out[0] = b;
	}
	return n < max ? n : max;
}

static uint32_t tcp_tsval(const struct tcp_sock *tp)
{
	return tcp_clock_ms() + tp->tsoffset;
}

/* Our SYN (Linux's tcp_syn_options) offers everything; a full sock's SYN-ACK echoes what was agreed. */
static void tcp_syn_options(struct sock *sk, int synack, struct tcp_out_options *o)
{
	struct tcp_sock *tp = tcp_sk(sk);

	o->options = OPTION_MSS;
	o->mss = tcp_advmss(sk);
	if (!synack || tp->rx_opt.tstamp_ok) {
		o->options |= OPTION_TS;
		o->tsval = tcp_tsval(tp);
		o->tsecr = tp->rx_opt.ts_recent;
	}
	if (!synack || tp->rx_opt.wscale_ok) {
		o->options |= OPTION_WSCALE;
		o->ws = tp->rx_opt.rcv_wscale;
	}
	if (!synack || tp->rx_opt.sack_ok)
		o->options |= OPTION_SACK_ADVERTISE;
}

/*
 * Linux's tcp_established_options. SACK blocks take what option space is
 * left, but never so much that header and payload outgrow the path MTU:
 * a full-sized data segment goes with fewer blocks (or none) rather than
 * oversize (Linux shrinks tcp_current_mss instead; the pure ACKs that carry
 * most SACK information are unaffected either way).
 */
static void tcp_established_options(struct sock *sk, struct tcp_out_options *o,
				    unsigned int payload)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int room = MAX_TCP_OPTION_SPACE - TCPOLEN_SACK_BASE;
	int fit = (int)tcp_current_mss(sk) - (int)payload - TCPOLEN_SACK_BASE;

	if (tp->rx_opt.tstamp_ok) {
		o->options |= OPTION_TS;
		o->tsval = tcp_tsval(tp);
		o->tsecr = tp->rx_opt.ts_recent;
		room -= TCPOLEN_TSTAMP_ALIGNED;
	}
	if (room > fit)	/* tcp_current_mss already left room for the timestamp */
		room = fit;
	if (tp->rx_opt.sack_ok && room >= TCPOLEN_SACK_PERBLOCK &&
	    !skb_queue_empty(&tp->out_of_order_queue))
		o->num_sack_blocks = (uint8_t)tcp_sack_blocks(sk, o->sack, room / TCPOLEN_SACK_PERBLOCK);
}

/* ---- the one place segments of a full socket are built ---- */

static uint32_t tcp_saddr(const struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (inet->inet_saddr)
		return inet->inet_saddr;
	return inet->inet_rcv_saddr ? inet->inet_rcv_saddr : inet_local_addr();
}

/* Checksum: CHECKSUM_PARTIAL (pseudo-header sum in the field) when the device folds it. */
static void tcp_v4_send_check(struct sk_buff *skb, uint32_t saddr, uint32_t daddr)
{
	struct tcphdr *th = tcp_hdr(skb);
	const struct net_device *dev = netdev_get();
	uint32_t len = skb->len;

	th->check = 0;
	if (dev && (dev->features & NETIF_F_HW_CSUM)) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb->transport_header;
		skb->csum_offset = offsetof(struct tcphdr, check);
		th->check = (uint16_t)~csum_fold(csum_tcpudp_nofold(saddr, daddr, len, IPPROTO_TCP, 0));
	} else {
		skb->ip_summed = CHECKSUM_NONE;
		th->check = csum_fold(csum_tcpudp_nofold(saddr, daddr, len, IPPROTO_TCP,
							 csum_partial(th, len, 0)));
	}
}

/* Push header + options in front of skb->data. */
static struct tcphdr *tcp_push_header(struct sk_buff *skb, const struct tcp_out_options *o)
{
	unsigned int optlen = tcp_options_size(o), hlen = sizeof(struct tcphdr) + optlen;
	struct tcphdr *th = (struct tcphdr *)skb_push(skb, hlen);

	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->doff_res = (uint8_t)((hlen / 4) << 4);
	tcp_options_write((uint8_t *)(th + 1), o);
	return th;
}

static void tcp_dec_quickack_mode(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (icsk->icsk_ack.quick) {
		if (--icsk->icsk_ack.quick == 0)
			icsk->icsk_ack.ato = (uint32_t)msecs_to_jiffies(TCP_DELACK_MIN_MS);
	}
}

/* An ACK went out: nothing is owed any more (Linux's tcp_event_ack_sent). */
static void tcp_event_ack_sent(struct sock *sk)
{
	tcp_dec_quickack_mode(sk);
	if (inet_csk(sk)->icsk_ack.pending)
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_DACK);
}

/*
 * Send @skb (payload at data, CB filled). clone = 1: the skb stays on the
 * write queue and a copy goes out; clone = 0: consumed. 0 or -errno.
 */
int tcp_transmit_skb(struct sock *sk, struct sk_buff *skb, int clone)
{
	struct inet_sock *inet = inet_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb);
	struct tcp_out_options opts;
	uint8_t flags = tcb->tcp_flags;
	uint32_t saddr = tcp_saddr(sk);
	struct tcphdr *th;
	int err;

	if (clone) {
		tcb->when = jiffies;
		if (!tcb->first_tx_us)
			tcb->first_tx_us = ktime_ns() / 1000;
		skb = skb_copy(skb);
		if (!skb)
			return -ENOBUFS;
	}
	if ((flags & TCPHDR_SYN) && sk->sk_state != TCP_SYN_SENT)
		flags |= TCPHDR_ACK;	/* simultaneous open: our SYN becomes a SYN-ACK */
	memset(&opts, 0, sizeof(opts));
	if (flags & TCPHDR_SYN)
		tcp_syn_options(sk, flags & TCPHDR_ACK, &opts);
	else
		tcp_established_options(sk, &opts, skb->len);
	th = tcp_push_header(skb, &opts);
	th->source = inet->inet_sport;
	th->dest = inet->inet_dport;
	th->seq = htonl(tcb->seq);
	th->ack_seq = (flags & TCPHDR_ACK) ? htonl(tp->rcv_nxt) : 0;
	th->flags = flags;
	if (flags & TCPHDR_SYN) {	/* RFC 7323 §2.2: a SYN's window is never scaled */
		uint32_t w = tp->rcv_wnd;

		th->window = htons((uint16_t)(w < TCP_MAX_WINDOW_FIELD ? w : TCP_MAX_WINDOW_FIELD));
	} else {
		th->window = htons(tcp_select_window(sk));
	}
	tcp_v4_send_check(skb, saddr, inet->inet_daddr);
	if (flags & TCPHDR_ACK)
		tcp_event_ack_sent(sk);
	tcp_mib_inc(TCP_MIB_OUTSEGS);
	tp->segs_out++;
	err = ip_build_and_send_pkt(skb, saddr, inet->inet_daddr, IPPROTO_TCP, inet->tos, inet->ttl);
	return err > 0 ? 0 : err;
}

/* ---- the write queue ---- */

static struct sk_buff *tcp_write_queue_next(const struct sock *sk, const struct sk_buff *skb)
{
	struct sk_buff *next = skb->next;

	return next == (const struct sk_buff *)&sk->sk_write_queue ? NULL : next;
}

static void tcp_insert_after(struct sock *sk, struct sk_buff *prev, struct sk_buff *skb)
{
	skb->prev = prev;
	skb->next = prev->next;
	prev->next->prev = skb;
	prev->next = skb;
	sk->sk_write_queue.qlen++;
}

/* An skb for @size payload bytes, with room for every header in front; NULL if out of memory. */
struct sk_buff *tcp_stream_alloc_skb(unsigned int size)
{
	struct sk_buff *skb = alloc_skb(MAX_HEADER + size);

	if (skb)
		skb_reserve(skb, MAX_HEADER);
	return skb;
}

/* Queue @skb at the tail (Linux's tcp_skb_entail); send_head if nothing else is unsent. */
void tcp_skb_entail(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);

	__skb_queue_tail(&sk->sk_write_queue, skb);
	sk->sk_wmem_queued += (int)skb->truesize;
	if (!tp->send_head)
		tp->send_head = skb;
}

/*
 * Split unsent @skb after @len payload bytes (Linux's tcp_fragment for the
 * write queue): the tail goes to a new skb right after it, with FIN/PSH.
 */
static int tcp_fragment(struct sock *sk, struct sk_buff *skb, unsigned int len)
{
	struct tcp_skb_cb *tcb = TCP_SKB_CB(skb), *ncb;
	unsigned int nlen = skb->len - len;
	struct sk_buff *buff = tcp_stream_alloc_skb(nlen);

	if (!buff)
		return -ENOMEM;
	memcpy(skb_put(buff, nlen), skb->data + len, nlen);
	skb_trim(skb, len);
	ncb = TCP_SKB_CB(buff);
	*ncb = *tcb;
	ncb->seq = tcb->seq + len;
	tcb->end_seq = ncb->seq;
	tcb->tcp_flags &= (uint8_t)~(TCPHDR_FIN | TCPHDR_PSH);
	tcp_insert_after(sk, skb, buff);
	sk->sk_wmem_queued += (int)buff->truesize;
	return 0;
}

static uint32_t tcp_wnd_end(const struct tcp_sock *tp)
{
	return tp->snd_una + tp->snd_wnd;
}

/* Does all of @skb (up to one MSS of it) fit the peer's window? */
static int tcp_snd_wnd_test(const struct tcp_sock *tp, const struct sk_buff *skb, uint32_t mss)
{
	uint32_t end_seq = TCP_SKB_CB(skb)->end_seq;

	if (skb->len > mss)
		end_seq = TCP_SKB_CB(skb)->seq + mss;
	return !after(end_seq, tcp_wnd_end(tp));
}

static int tcp_cwnd_test(const struct tcp_sock *tp, const struct sk_buff *skb)
{
	/* Don't be strict about the congestion window for the final FIN (Linux). */
	if ((TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN) && skb->len == 0)
		return 1;
	return tcp_packets_in_flight(tp) < tp->snd_cwnd;
}

/*
 * Nagle (RFC 9293 §3.7.4) with Minshall's refinement as Linux's
 * tcp_nagle_check: a short segment waits while an earlier short one is
 * unacknowledged; TCP_NODELAY and pushes send at once, TCP_CORK holds.
 */
static int tcp_nagle_test(const struct tcp_sock *tp, const struct sk_buff *skb, uint32_t mss,
			  int nonagle)
{
	if (nonagle & TCP_NAGLE_PUSH)
		return 1;
	if (TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN)
		return 1;
	if (skb->len >= mss)
		return 1;
	if (nonagle & TCP_NAGLE_CORK)
		return 0;
	if (nonagle & TCP_NAGLE_OFF)
		return 1;
	return !(tp->packets_out && after(tp->snd_sml, tp->snd_una) && !after(tp->snd_sml, tp->snd_nxt));
}

/* RFC 5681 §4.1: after an idle period longer than the RTO, restart from the initial window. */
static void tcp_cwnd_restart_check(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	uint64_t idle_end = tp->lsndtime + inet_csk(sk)->icsk_rto;

	if (!tp->packets_out && tp->lsndtime && time_after(jiffies, idle_end) &&
	    tp->snd_cwnd > TCP_INIT_CWND)
		tp->snd_cwnd = TCP_INIT_CWND;
}

/* @skb just left for the first time (Linux's tcp_event_new_data_sent + tcp_event_data_sent). */
static void tcp_event_new_data_sent(struct sock *sk, struct sk_buff *skb, uint32_t mss)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t prior_packets = tp->packets_out;

	tp->send_head = tcp_write_queue_next(sk, skb);
	tp->snd_nxt = TCP_SKB_CB(skb)->end_seq;
	tp->packets_out++;
	if (skb->len < mss)
		tp->snd_sml = TCP_SKB_CB(skb)->end_seq;
	if (!prior_packets || icsk->icsk_pending == ICSK_TIME_PROBE0)
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, jiffies + icsk->icsk_rto);
	/* A reply within ato of the last data received: interactive, delay our ACKs to piggyback. */
	if (icsk->icsk_ack.ato && jiffies - icsk->icsk_ack.lrcvtime < icsk->icsk_ack.ato)
		icsk->icsk_ack.pingpong = 1;
	tp->lsndtime = jiffies;
}

/* Send from send_head while cwnd, the peer's window and Nagle allow (Linux's tcp_write_xmit). */
void tcp_write_xmit(struct sock *sk, int nonagle)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;
	uint32_t mss;

	if (TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN) | TCPF(TCP_SYN_SENT)))
		return;
	mss = tcp_current_mss(sk);
	tcp_cwnd_restart_check(sk);
	while ((skb = tp->send_head) != NULL) {
		if (!tcp_cwnd_test(tp, skb) || !tcp_snd_wnd_test(tp, skb, mss))
			break;
		/* Only the last skb may wait for Nagle: the others are full or followed by more. */
		int push = tcp_write_queue_next(sk, skb) ? TCP_NAGLE_PUSH : 0;

		if (!tcp_nagle_test(tp, skb, mss, nonagle | push))
			break;
		if (skb->len > mss && tcp_fragment(sk, skb, mss))
			break;
		if (tcp_transmit_skb(sk, skb, 1))
			break;
		tcp_event_new_data_sent(sk, skb, mss);
	}
}

/* Linux's tcp_check_probe_timer: unsent data, nothing in flight, no timer: probe the window. */
void tcp_check_probe_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	uint64_t when;

	if (tcp_sk(sk)->packets_out || icsk->icsk_pending || !tcp_sk(sk)->send_head)
		return;
	when = (uint64_t)icsk->icsk_rto << icsk->icsk_backoff;
	if (when > msecs_to_jiffies(TCP_RTO_MAX_MS))
		when = msecs_to_jiffies(TCP_RTO_MAX_MS);
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_PROBE0, jiffies + when);
}

void tcp_push_pending_frames(struct sock *sk)
{
	if (!tcp_sk(sk)->send_head)
		return;
	tcp_write_xmit(sk, tcp_sk(sk)->nonagle);
	tcp_check_probe_timer(sk);
}

/* ---- control segments ---- */

/* A sequence number the peer will accept (Linux's tcp_acceptable_seq). */
static uint32_t tcp_acceptable_seq(const struct tcp_sock *tp)
{
	return !before(tcp_wnd_end(tp), tp->snd_nxt) ? tp->snd_nxt : tcp_wnd_end(tp);
}

/* A bare segment (no payload) with @flags and @seq, built and sent now. */
static int tcp_send_ctl(struct sock *sk, uint32_t seq, uint8_t flags)
{
	struct sk_buff *skb = tcp_stream_alloc_skb(0);
	struct tcp_skb_cb *tcb;

	if (!skb)
		return -ENOBUFS;
	tcb = TCP_SKB_CB(skb);
	tcb->seq = tcb->end_seq = seq;
	tcb->tcp_flags = flags;
	return tcp_transmit_skb(sk, skb, 0);
}

void tcp_send_ack(struct sock *sk)
{
	if (sk->sk_state == TCP_CLOSE)
		return;
	if (tcp_send_ctl(sk, tcp_acceptable_seq(tcp_sk(sk)), TCPHDR_ACK) == -ENOBUFS) {
		/* No memory: try again from the delayed-ACK timer (Linux). */
		inet_csk_schedule_ack(sk);
		inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_TIMER;
		inet_csk(sk)->icsk_ack.timeout = jiffies + msecs_to_jiffies(TCP_DELACK_MIN_MS);
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK, inet_csk(sk)->icsk_ack.timeout);
	}
}

/*
 * Linux's tcp_send_delayed_ack: ACK within ato (40 ms at least), bounded
 * by 200 ms and by the RTT; an earlier deadline already set stands, and
 * one about to expire sends now.
 */
void tcp_send_delayed_ack(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	uint64_t ato = icsk->icsk_ack.ato, min_ato = msecs_to_jiffies(TCP_DELACK_MIN_MS);
	uint64_t max_ato = msecs_to_jiffies(TCP_DELACK_MAX_MS), timeout;

	if (ato < min_ato)
		ato = min_ato;
	if (ato > min_ato) {
		if (tp->srtt_us) {
			uint64_t rtt = msecs_to_jiffies((tp->srtt_us >> 3) / 1000);

			if (rtt < min_ato)
				rtt = min_ato;
			if (rtt < max_ato)
				max_ato = rtt;
		}
		if (ato > max_ato)
			ato = max_ato;
	}
	timeout = jiffies + ato;
	if (icsk->icsk_ack.pending & ICSK_ACK_TIMER) {
		if (!time_after(icsk->icsk_ack.timeout, jiffies + (ato >> 2))) {
			tcp_send_ack(sk);
			return;
		}
		if (!time_before(timeout, icsk->icsk_ack.timeout))
			timeout = icsk->icsk_ack.timeout;
	}
	icsk->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
	icsk->icsk_ack.timeout = timeout;
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_DACK, timeout);
}

/*
 * Queue our FIN (Linux's tcp_send_fin): on the last unsent skb if there is
 * one, else on a new one, then push with Nagle off.
 */
void tcp_send_fin(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *tail = skb_peek(&sk->sk_write_queue) ? sk->sk_write_queue.prev : NULL;

	if (tail && tp->send_head) {	/* the tail is unsent */
		TCP_SKB_CB(tail)->tcp_flags |= TCPHDR_FIN;
		TCP_SKB_CB(tail)->end_seq++;
		tp->write_seq++;
	} else {
		struct sk_buff *skb = tcp_stream_alloc_skb(0);
		struct tcp_skb_cb *tcb;

		if (!skb)
			return;	/* out of memory: the RTO/close paths end the connection */
		tcb = TCP_SKB_CB(skb);
		tcb->seq = tp->write_seq;
		tcb->end_seq = tp->write_seq + 1;
		tcb->tcp_flags = TCPHDR_ACK | TCPHDR_FIN;
		tcp_skb_entail(sk, skb);
		tp->write_seq++;
	}
	if (tp->send_head) {
		tcp_write_xmit(sk, TCP_NAGLE_OFF);
		tcp_check_probe_timer(sk);
	}
}

/* RST now, not queued (Linux's tcp_send_active_reset): abortive close, unread data, timeouts. */
void tcp_send_active_reset(struct sock *sk)
{
	tcp_mib_inc(TCP_MIB_OUTRSTS);
	tcp_send_ctl(sk, tcp_acceptable_seq(tcp_sk(sk)), TCPHDR_ACK | TCPHDR_RST);
}

/*
 * RFC 5961 §7 ACK throttling: at most TCP_CHALLENGE_ACK_PER_SOCK a second
 * on one connection and TCP_CHALLENGE_ACK_LIMIT a second host-wide.
 */
static uint64_t challenge_timestamp;	/* [a] second of the current budget */
static int challenge_count;		/* [a] challenge ACKs left in it */

void tcp_send_challenge_ack(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint64_t now = jiffies / HZ;

	if (tp->challenge_stamp != now) {
		tp->challenge_stamp = now;
		tp->challenge_count = 0;
	}
	if (tp->challenge_count >= TCP_CHALLENGE_ACK_PER_SOCK)
		return;
	if (__atomic_load_n(&challenge_timestamp, __ATOMIC_RELAXED) != now) {
		__atomic_store_n(&challenge_timestamp, now, __ATOMIC_RELAXED);
		__atomic_store_n(&challenge_count, TCP_CHALLENGE_ACK_LIMIT, __ATOMIC_RELAXED);
	}
	if (__atomic_sub_fetch(&challenge_count, 1, __ATOMIC_RELAXED) < 0)
		return;
	tp->challenge_count++;
	tcp_mib_inc(LINUX_MIB_TCPCHALLENGEACK);
	tcp_send_ack(sk);
}

/* ---- opening ---- */

/* Linux's tcp_connect_init: everything a SYN needs, from a socket in SYN_SENT. */
static void tcp_connect_init(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct inet_connection_sock *icsk = inet_csk(sk);

	tp->advmss = tcp_advmss(sk);
	tcp_current_mss(sk);
	tcp_select_initial_window(sk, tp->advmss - TCPOLEN_TSTAMP_ALIGNED, &tp->rcv_wnd,
				  &tp->window_clamp, 1, &tp->rx_opt.rcv_wscale);
	tp->rcv_ssthresh = tp->rcv_wnd;
	sk->sk_err = 0;
	sock_reset_flag(sk, SOCK_DONE);
	tp->snd_wnd = 0;
	tp->snd_wl1 = 0;
	tp->snd_una = tp->write_seq;
	tp->snd_nxt = tp->write_seq;
	tp->snd_sml = tp->write_seq;
	tp->pushed_seq = tp->write_seq;
	tp->rcv_nxt = 0;
	tp->rcv_wup = 0;
	tp->copied_seq = 0;
	tp->packets_out = tp->retrans_out = tp->lost_out = tp->sacked_out = 0;
	icsk->icsk_rto = (uint32_t)msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
	icsk->icsk_retransmits = 0;
	icsk->icsk_backoff = 0;
}

/* Send the SYN of an active open; the socket is in SYN_SENT and hashed, write_seq = ISN. */
int tcp_connect(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_skb_cb *tcb;
	struct sk_buff *skb;

	if (!tp->write_seq)
		tp->write_seq = secure_tcp_seq(tcp_saddr(sk), inet->inet_daddr, inet->inet_sport,
					       inet->inet_dport);
	tcp_connect_init(sk);
	skb = tcp_stream_alloc_skb(0);
	if (!skb)
		return -ENOBUFS;
	tcb = TCP_SKB_CB(skb);
	tcb->seq = tp->write_seq;
	tcb->end_seq = tp->write_seq + 1;
	tcb->tcp_flags = TCPHDR_SYN;
	tcp_skb_entail(sk, skb);
	tp->write_seq++;
	tp->send_head = NULL;		/* the SYN counts as sent even if this transmit fails */
	tp->packets_out = 1;
	tp->snd_nxt = tp->write_seq;
	tp->pushed_seq = tp->write_seq;
	tcp_transmit_skb(sk, skb, 1);
	tcp_mib_inc(TCP_MIB_ACTIVEOPENS);
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, jiffies + inet_csk(sk)->icsk_rto);
	return 0;
}

/*
 * The SYN-ACK for @req (Linux's tcp_make_synack + tcp_v4_send_synack),
 * echoing the options the SYN offered. @syn is unused (NULL on
 * retransmits: everything comes from the request). 0 or -errno.
 */
int tcp_send_synack(const struct sock *listener, struct request_sock *req,
		    const struct sk_buff *syn)
{
	const struct sock_common *rc = &req->__req_common;
	struct tcp_out_options opts;
	struct sk_buff *skb = tcp_stream_alloc_skb(0);
	struct tcphdr *th;

	(void)syn;
	if (!skb)
		return -ENOBUFS;
	if (!req->rcv_wnd) {
		uint32_t clamp = 0;

		tcp_select_initial_window(listener, tcp_advmss(listener), &req->rcv_wnd, &clamp,
					  req->wscale_ok, &req->rcv_wscale);
	}
	memset(&opts, 0, sizeof(opts));
	opts.options = OPTION_MSS;
	opts.mss = tcp_advmss(listener);
	if (req->wscale_ok) {
		opts.options |= OPTION_WSCALE;
		opts.ws = req->rcv_wscale;
	}
	if (req->tstamp_ok) {
		opts.options |= OPTION_TS;
		opts.tsval = tcp_synack_tsval(req);
		opts.tsecr = req->ts_recent;
	}
	if (req->sack_ok)
		opts.options |= OPTION_SACK_ADVERTISE;
	th = tcp_push_header(skb, &opts);
	th->source = htons(rc->skc_num);
	th->dest = rc->skc_dport;
	th->seq = htonl(req->snt_isn);
	th->ack_seq = htonl(req->rcv_isn + 1);
	th->flags = TCPHDR_SYN | TCPHDR_ACK;
	th->window = htons((uint16_t)(req->rcv_wnd < TCP_MAX_WINDOW_FIELD ? req->rcv_wnd
									: TCP_MAX_WINDOW_FIELD));
	tcp_v4_send_check(skb, rc->skc_rcv_saddr, rc->skc_daddr);
	tcp_mib_inc(TCP_MIB_OUTSEGS);
	return ip_build_and_send_pkt(skb, rc->skc_rcv_saddr, rc->skc_daddr, IPPROTO_TCP,
				     inet_sk(listener)->tos, inet_sk(listener)->ttl);
}

/* ---- retransmission and probes ---- */

/*
 * Resend one sent skb (Linux's tcp_retransmit_skb): Karn's mark
 * (TCPCB_RETRANS, no RTT sample from it), and the recovery bookkeeping:
 * TCPCB_SACKED_RETRANS counted in retrans_out; TCPCB_LOST stays until the
 * skb is acknowledged, so in-flight counts it once.
 */
int tcp_retransmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_skb_cb *tcb;
	int err;

	if (!skb || skb == tp->send_head)
		return -EINVAL;
	tcb = TCP_SKB_CB(skb);
	/* The receiver shrank its window past this skb: wait (Linux). */
	if (!before(tcb->seq, tcp_wnd_end(tp)) && tcb->seq != tp->snd_una)
		return -EAGAIN;
	err = tcp_transmit_skb(sk, skb, 1);
	if (err)
		return err;
	tcb->sacked |= TCPCB_RETRANS;
	if (!(tcb->sacked & TCPCB_SACKED_RETRANS)) {
		tcb->sacked |= TCPCB_SACKED_RETRANS;
		tp->retrans_out++;
	}
	tp->total_retrans++;
	tcp_mib_inc(TCP_MIB_RETRANSSEGS);
	return 0;
}

/* Resend what is marked lost and not yet resent, while cwnd allows (Loss/Recovery). */
void tcp_xmit_retransmit_queue(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *head = tcp_write_queue_head(sk), *skb;

	for (skb = head; skb && skb != tp->send_head; skb = tcp_write_queue_next(sk, skb)) {
		uint8_t sacked = TCP_SKB_CB(skb)->sacked;

		if (tcp_packets_in_flight(tp) >= tp->snd_cwnd)
			break;
		if (!(sacked & TCPCB_LOST) || (sacked & (TCPCB_SACKED_RETRANS | TCPCB_SACKED_ACKED)))
			continue;
		if (tcp_retransmit_skb(sk, skb))
			break;
		if (skb == head)
			inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, jiffies + inet_csk(sk)->icsk_rto);
	}
}

/*
 * Linux's tcp_write_wakeup: send what fits an opened window (splitting
 * send_head), else a bare ACK with seq = snd_una - 1, which any receiver
 * must answer (zero-window probe, keepalive). 0 or -errno.
 */
int tcp_write_wakeup(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb = tp->send_head;

	if (sk->sk_state == TCP_CLOSE)
		return -ENOTCONN;
	if (skb && before(TCP_SKB_CB(skb)->seq, tcp_wnd_end(tp))) {
		uint32_t mss = tcp_current_mss(sk);
		uint32_t seg = tcp_wnd_end(tp) - TCP_SKB_CB(skb)->seq;
		int err;

		if (seg < TCP_SKB_CB(skb)->end_seq - TCP_SKB_CB(skb)->seq || skb->len > mss) {
			if (seg > mss)
				seg = mss;
			if (seg < skb->len && tcp_fragment(sk, skb, seg))
				return -ENOMEM;
		}
		TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;
		err = tcp_transmit_skb(sk, skb, 1);
		if (!err)
			tcp_event_new_data_sent(sk, skb, mss);
		return err;
	}
	return tcp_send_ctl(sk, tp->snd_una - 1, TCPHDR_ACK);
}

/* The PROBE0 timer fired (Linux's tcp_send_probe0): probe, back off, re-arm. */
void tcp_send_probe0(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	uint64_t when;
	int err = tcp_write_wakeup(sk);

	if (tp->packets_out || !tp->send_head) {
		icsk->icsk_probes_out = 0;	/* the window opened: the RTO takes over */
		icsk->icsk_backoff = 0;
		return;
	}
	icsk->icsk_probes_out++;
	if (err <= 0) {
		if (icsk->icsk_backoff < 15)
			icsk->icsk_backoff++;
		when = (uint64_t)icsk->icsk_rto << icsk->icsk_backoff;
	} else {
		when = msecs_to_jiffies(500);	/* local congestion: TCP_RESOURCE_PROBE_INTERVAL */
	}
	if (when > msecs_to_jiffies(TCP_RTO_MAX_MS))
		when = msecs_to_jiffies(TCP_RTO_MAX_MS);
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_PROBE0, jiffies + when);
}
