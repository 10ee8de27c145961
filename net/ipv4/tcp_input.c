/*
 * The TCP state machine, receive side (Linux's net/ipv4/tcp_input.c; RFC
 * 9293 §3.10.7 "SEGMENT ARRIVES", with RFC 5961 and RFC 7323). ACK
 * processing, RTT and congestion control are in tcp_input_ack.c, the text
 * of a segment (queues, delayed ACKs) in tcp_input_data.c.
 *
 *   tcp_v4_do_rcv → tcp_rcv_established (ESTABLISHED)
 *                 → tcp_rcv_state_process (every other state)
 *     LISTEN: tcp_conn_request (request sock or SYN cookie, SYN-ACK)
 *     SYN-SENT: tcp_rcv_synsent_state_process
 *     synchronized states: tcp_validate_incoming (PAWS, sequence, RST,
 *     SYN: RFC 5961) → tcp_ack → state changes → tcp_data_queue (in order
 *     to sk_receive_queue, else the out-of-order queue; FIN: tcp_fin)
 *     → tcp_data_snd_check / tcp_ack_snd_check (the output side's).
 *
 * Socket locked (bh_lock_sock, or owned and running the backlog), except
 * LISTEN, which runs lockless: it only touches the listener's queues
 * under their own lock. Every function here consumes the skb it is given
 * unless it says otherwise.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/tcp_input.h>
#include <net/ipv4/ipv4.h>
#include <net/socket.h>
#include <kernel/errno.h>

/* ---- windows, MSS ---- */

/* RCV.WND as the peer was told it: from rcv_nxt to the edge we last advertised. */
uint32_t tcp_receive_window(const struct tcp_sock *tp)
{
	int32_t win = (int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);

	return win < 0 ? 0 : (uint32_t)win;
}

/* advmss and mss_cache after the peer's options are known (the output side computes both). */
void tcp_mss_from_peer(struct sock *sk)
{
	tcp_sk(sk)->advmss = tcp_advmss(sk);
	tcp_current_mss(sk);
}

/* Linux's tcp_initialize_rcv_mss: a guess at the peer's segment size, refined as data comes. */
void tcp_initialize_rcv_mss(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	uint32_t hint = tp->advmss < tp->mss_cache ? tp->advmss : tp->mss_cache;

	if (hint > tp->rcv_wnd / 2)
		hint = tp->rcv_wnd / 2;
	if (hint > TCP_MSS_DEFAULT)
		hint = TCP_MSS_DEFAULT;
	if (hint < TCP_MIN_MSS)
		hint = TCP_MIN_MSS;
	inet_csk(sk)->icsk_ack.rcv_mss = (uint16_t)hint;
}

/* The window a request (and its child) starts with: the output side's tcp_select_initial_window. */
void tcp_openreq_init_rwin(struct request_sock *req, const struct sock *listener)
{
	uint32_t clamp = tcp_sk(listener)->window_clamp, wnd;
	uint32_t mss = tcp_advmss(listener) - (req->tstamp_ok ? TCPOLEN_TSTAMP_ALIGNED : 0);
	uint8_t ws;

	tcp_select_initial_window(listener, mss, &wnd, &clamp, req->wscale_ok, &ws);
	req->rcv_wnd = wnd;
	req->rcv_wscale = ws;
}

/* ---- timestamps and PAWS (RFC 7323 §5) ---- */

static int tcp_paws_check(const struct tcp_options_received *rx, int paws_win)
{
	if ((int32_t)(rx->ts_recent - rx->rcv_tsval) <= paws_win)
		return 1;
	/* RFC 7323 §5.5: after 24 days idle TS.Recent is no longer valid. */
	if (time_after_eq(jiffies, rx->ts_recent_stamp + (uint64_t)TCP_PAWS_24DAYS * HZ))
		return 1;
	/* Some stacks send TSval 0 in SYNs: never let 0 block everything (Linux). */
	return !rx->ts_recent;
}

/* 1: a segment with these options fails PAWS. A RST passes once TS.Recent is an MSL old (Linux). */
int tcp_paws_reject(const struct tcp_options_received *rx, int rst)
{
	if (tcp_paws_check(rx, 0))
		return 0;
	if (rst && time_after_eq(jiffies, rx->ts_recent_stamp + (uint64_t)TCP_PAWS_MSL * HZ))
		return 0;
	return 1;
}

/* RFC 7323 §4.3: TS.Recent = SEG.TSval when SEG.SEQ =< Last.ACK.sent (rcv_wup) and not older. */
void tcp_replace_ts_recent(struct tcp_sock *tp, uint32_t seq)
{
	if (tp->rx_opt.saw_tstamp && !after(seq, tp->rcv_wup) && tcp_paws_check(&tp->rx_opt, 0)) {
		tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
		tp->rx_opt.ts_recent_stamp = jiffies;
	}
}

/*
 * Linux's tcp_disordered_ack: a pure duplicate ACK that changes nothing
 * and whose TSval is only a little old is a reordered ACK, not a replay;
 * dropping it would stall fast retransmit.
 */
static int tcp_disordered_ack(const struct sock *sk, const struct sk_buff *skb)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	return (cb->tcp_flags & TCPHDR_ACK) && cb->seq == cb->end_seq && cb->seq == tp->rcv_nxt &&
	       cb->ack_seq == tp->snd_una &&
	       ((uint32_t)ntohs(tcp_hdr(skb)->window) << tp->rx_opt.snd_wscale) == tp->snd_wnd &&
	       (int32_t)(tp->rx_opt.ts_recent - tp->rx_opt.rcv_tsval) <=
		       (int32_t)(inet_csk(sk)->icsk_rto * 1024 / HZ);
}

static int tcp_paws_discard(const struct sock *sk, const struct sk_buff *skb)
{
	return !tcp_paws_check(&tcp_sk(sk)->rx_opt, TCP_PAWS_WINDOW) && !tcp_disordered_ack(sk, skb);
}

/* ---- acceptability (RFC 9293 §3.10.7.4, first check) ---- */

int tcp_in_window(uint32_t seq, uint32_t end_seq, uint32_t s_win, uint32_t e_win)
{
	if (seq == s_win)
		return 1;
	if (after(end_seq, s_win) && before(seq, e_win))
		return 1;
	return seq == e_win && seq == end_seq;
}

/*
 * The RFC 9293 table. SEG.LEN counts SYN and FIN. With a zero window a
 * segment at RCV.NXT still passes, so its ACK, URG and RST are processed
 * ("special allowance"); its text is dropped later (TCPZeroWindowDrop).
 */
static int tcp_sequence(const struct tcp_sock *tp, uint32_t seq, uint32_t end_seq)
{
	uint32_t wnd = tcp_receive_window(tp), nxt = tp->rcv_nxt;

	if (wnd == 0)
		return seq == nxt;
	if (!before(seq, nxt) && before(seq, nxt + wnd))
		return 1;
	return seq != end_seq && !before(end_seq - 1, nxt) && before(end_seq - 1, nxt + wnd);
}

/* Options of a segment on a synchronized connection; timestamps count only if negotiated. */
static void tcp_parse_seg_options(struct tcp_sock *tp, const struct tcphdr *th)
{
	tp->rx_opt.saw_tstamp = 0;
	if (tcp_hdrlen(th) > sizeof(*th)) {
		tcp_parse_options(th, 0, &tp->rx_opt);
		if (!tp->rx_opt.tstamp_ok)
			tp->rx_opt.saw_tstamp = 0;	/* RFC 7323 §3.2: ignore it */
	}
}

/* RFC 5961 §3.2: RST at RCV.NXT, or at RCV.NXT - 1 after the peer's FIN (Linux). */
static int tcp_reset_check(const struct sock *sk, const struct sk_buff *skb)
{
	uint32_t seq = TCP_SKB_CB(skb)->seq, nxt = tcp_sk(sk)->rcv_nxt;

	return seq == nxt || (seq == nxt - 1 && (TCPF(sk->sk_state) &
				(TCPF(TCP_CLOSE_WAIT) | TCPF(TCP_LAST_ACK) | TCPF(TCP_CLOSING))));
}

/*
 * RFC 9293 §3.10.7.4 steps one to four for a synchronized state, with
 * PAWS (RFC 7323 §5.3) first and RFC 5961 for RST and SYN. Returns 1 to
 * go on; 0: the segment was answered as needed and consumed.
 */
/*
 * Linux's tcp_oow_rate_limited (tcp_invalid_ratelimit, 500 ms): the dupACK
 * that answers an out-of-window or PAWS-rejected segment without data goes
 * at most once per 500 ms per connection, so two ends that disagree about
 * the window cannot ACK each other in a loop (and a blind attacker cannot
 * use us as an ACK amplifier). Segments with data or FIN are always
 * answered: they are not part of an ACK loop. True: skip the ACK (counted).
 */
static int tcp_oow_rate_limited(struct tcp_sock *tp, const struct sk_buff *skb, enum tcp_mib mib)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint64_t now = jiffies;

	if (cb->seq != cb->end_seq && !(cb->tcp_flags & TCPHDR_SYN))
		return 0;
	if (tp->last_oow_ack_time && now - tp->last_oow_ack_time < msecs_to_jiffies(500)) {
		tcp_mib_inc(mib);
		return 1;
	}
	tp->last_oow_ack_time = now ? now : 1;	/* 0 means never */
	return 0;
}

static int tcp_validate_incoming(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t flags = cb->tcp_flags;

	tcp_parse_seg_options(tp, tcp_hdr(skb));
	if (tp->rx_opt.saw_tstamp && tcp_paws_discard(sk, skb) && !(flags & TCPHDR_RST)) {
		if (flags & TCPHDR_SYN)
			goto syn_challenge;
		tcp_mib_inc(LINUX_MIB_PAWSESTABREJECTED);
		if (!tcp_oow_rate_limited(tp, skb, LINUX_MIB_TCPACKSKIPPEDPAWS))
			tcp_send_ack(sk);	/* RFC 7323 §5.3 R1: ACK and drop */
		goto discard;
	}
	if (!tcp_sequence(tp, cb->seq, cb->end_seq)) {
		/* RFC 9293: unacceptable: ACK unless RST (a SYN gets the challenge ACK). */
		if (flags & TCPHDR_RST) {
			if (tcp_reset_check(sk, skb))	/* RCV.NXT - 1 after the FIN (Linux) */
				tcp_reset(sk);
			goto discard;
		}
		if (flags & TCPHDR_SYN)
			goto syn_challenge;
		if (!tcp_oow_rate_limited(tp, skb, LINUX_MIB_TCPACKSKIPPEDSEQ))
			tcp_send_ack(sk);
		goto discard;
	}
	if (flags & TCPHDR_RST) {
		/* RFC 5961 §3.2: exact: reset; in the window but not exact: challenge ACK. */
		if (tcp_reset_check(sk, skb)) {
			tcp_reset(sk);
			goto discard;
		}
		tcp_send_challenge_ack(sk);
		goto discard;
	}
	if (flags & TCPHDR_SYN) {
syn_challenge:
		/* RFC 5961 §4.2 (RFC 9293 too): any SYN in a synchronized state: challenge ACK. */
		tcp_mib_inc(LINUX_MIB_TCPSYNCHALLENGE);
		tcp_send_challenge_ack(sk);
		goto discard;
	}
	return 1;
discard:
	kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
	return 0;
}

/* ---- connection ends ---- */

/* An acceptable RST arrived (Linux's tcp_reset): the error BSD reports, then CLOSED. */
void tcp_reset(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
		sk->sk_err = ECONNREFUSED;
		break;
	case TCP_CLOSE_WAIT:
		sk->sk_err = EPIPE;
		break;
	case TCP_CLOSE:
		return;
	default:
		sk->sk_err = ECONNRESET;
	}
	tcp_write_queue_purge(sk);
	tcp_done(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_error_report(sk);
}

/* The peer's FIN was received in order (Linux's tcp_fin; RFC 9293 step eight). */
void tcp_fin(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
	sk->sk_shutdown |= RCV_SHUTDOWN;
	sock_set_flag(sk, SOCK_DONE);
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		tcp_set_state(sk, TCP_CLOSE_WAIT);
		inet_csk(sk)->icsk_ack.pingpong = 1;
		break;
	case TCP_FIN_WAIT1:
		/* Simultaneous close: ACK their FIN, wait for the ACK of ours. */
		tcp_send_ack(sk);
		tcp_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		tcp_send_ack(sk);
		tcp_time_wait(sk, TCP_TIME_WAIT, 0);
		break;
	default:
		break;	/* CLOSE_WAIT, CLOSING, LAST_ACK: a retransmitted FIN */
	}
	/* Anything out of order beyond the FIN can never be delivered (Linux drops it). */
	skb_queue_purge(&tp->out_of_order_queue);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
}

/* Entering ESTABLISHED (Linux's tcp_init_transfer). */
void tcp_init_transfer(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct inet_connection_sock *icsk = inet_csk(sk);

	tcp_init_cong(sk);
	tp->lsndtime = jiffies;
	icsk->icsk_ack.lrcvtime = jiffies;
	icsk->icsk_ack.ato = 0;	/* the first data starts quick-ACK mode (Linux) */
	if (!tp->window_clamp)
		tp->window_clamp = 65535u << tp->rx_opt.rcv_wscale;
	if (!tp->rcv_ssthresh)
		tp->rcv_ssthresh = tp->rcv_wnd;
	/* RFC 6298 (5.7): a handshake that needed a retransmission starts with RTO 3 s. */
	if (!tp->srtt_us && tp->total_retrans && icsk->icsk_rto < msecs_to_jiffies(3000))
		icsk->icsk_rto = (uint32_t)msecs_to_jiffies(3000);
}

static void tcp_finish_connect(struct sock *sk)
{
	tcp_set_state(sk, TCP_ESTABLISHED);	/* also arms keepalive (SO_KEEPALIVE) */
	tcp_init_transfer(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
}

/* ---- SYN-SENT (RFC 9293 §3.10.7.3) ---- */

/* Our SYN was acknowledged by a SYN-ACK: take the peer's parameters (Linux). */
static void tcp_synsent_established(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	tp->snd_wl1 = cb->seq;
	tp->snd_wl2 = tp->snd_una;
	tcp_ack(sk, skb, 0);
	tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = cb->seq + 1;
	tp->snd_wnd = ntohs(tcp_hdr(skb)->window);	/* RFC 7323 §2.2: never scaled in a SYN */
	tp->max_window = tp->snd_wnd;
	if (!tp->rx_opt.wscale_ok)
		tp->rx_opt.snd_wscale = tp->rx_opt.rcv_wscale = 0;
	if (tp->rx_opt.saw_tstamp) {
		tp->rx_opt.tstamp_ok = 1;
		tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
		tp->rx_opt.ts_recent_stamp = jiffies;
	} else {
		tp->rx_opt.tstamp_ok = 0;
	}
	tcp_mss_from_peer(sk);
	tcp_initialize_rcv_mss(sk);
	tcp_finish_connect(sk);
}

/* Crossed SYNs: simultaneous open, SYN-SENT → SYN-RECEIVED (RFC 9293 fourth step). */
static void tcp_synsent_simultaneous(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *syn = skb_peek(&sk->sk_write_queue);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	tcp_set_state(sk, TCP_SYN_RECV);
	if (tp->rx_opt.saw_tstamp) {
		tp->rx_opt.tstamp_ok = 1;
		tp->rx_opt.ts_recent = tp->rx_opt.rcv_tsval;
		tp->rx_opt.ts_recent_stamp = jiffies;
	}
	if (!tp->rx_opt.wscale_ok)
		tp->rx_opt.snd_wscale = tp->rx_opt.rcv_wscale = 0;
	tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = cb->seq + 1;
	tp->snd_wnd = ntohs(tcp_hdr(skb)->window);
	tp->snd_wl1 = cb->seq;
	tp->snd_wl2 = tp->snd_una;
	tp->max_window = tp->snd_wnd;
	tcp_mss_from_peer(sk);
	tcp_initialize_rcv_mss(sk);
	/* <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>: the queued SYN again; out of SYN_SENT it gets ACK. */
	if (syn && (TCP_SKB_CB(syn)->tcp_flags & TCPHDR_SYN))
		tcp_transmit_skb(sk, syn, 1);
}

/*
 * RFC 9293 SYN-SENT. Returns 1 (the caller sends a RST, skb kept) or 0
 * (consumed). Data on a SYN-ACK is not queued (Linux without Fast Open):
 * the peer sends it again.
 */
static int tcp_rcv_synsent_state_process(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t flags = cb->tcp_flags;
	uint16_t saved_clamp = tp->rx_opt.mss_clamp;

	tcp_parse_options(tcp_hdr(skb), 1, &tp->rx_opt);
	tp->rx_opt.sack_ok &= sysctl_tcp_sack;
	if (flags & TCPHDR_ACK) {
		/* If SEG.ACK =< ISS, or SEG.ACK > SND.NXT, send a reset (unless RST). */
		if (!after(cb->ack_seq, tp->snd_una) || after(cb->ack_seq, tp->snd_nxt))
			goto reset_and_undo;
		if (flags & TCPHDR_RST) {	/* an acceptable ACK: connection refused */
			tcp_reset(sk);
			goto discard;
		}
		if (!(flags & TCPHDR_SYN))
			goto discard_and_undo;
		tcp_synsent_established(sk, skb);
		tcp_send_ack(sk);
		goto discard;
	}
	if (flags & TCPHDR_RST)
		goto discard_and_undo;	/* no ACK: drop it */
	if (tp->rx_opt.ts_recent_stamp && tp->rx_opt.saw_tstamp && tcp_paws_reject(&tp->rx_opt, 0))
		goto discard_and_undo;
	if (flags & TCPHDR_SYN) {
		tcp_synsent_simultaneous(sk, skb);
		goto discard;
	}
discard_and_undo:
	tp->rx_opt.wscale_ok = tp->rx_opt.sack_ok = tp->rx_opt.saw_tstamp = 0;
	tp->rx_opt.mss_clamp = saved_clamp;
discard:
	kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
	return 0;
reset_and_undo:
	tp->rx_opt.wscale_ok = tp->rx_opt.sack_ok = tp->rx_opt.saw_tstamp = 0;
	tp->rx_opt.mss_clamp = saved_clamp;
	return 1;
}

/* ---- LISTEN: a SYN (Linux's tcp_conn_request) ---- */

static int tcp_syn_flood_action(void)
{
	if (sysctl_tcp_syncookies)
		return 1;
	tcp_mib_inc(LINUX_MIB_TCPREQQFULLDROP);
	return 0;
}

/* Listener @sk, lockless. A request sock and a SYN-ACK, or a cookie SYN-ACK. @skb not consumed. */
void tcp_conn_request(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_options_received opt = { 0 };
	uint32_t isn = (uint32_t)TCP_SKB_CB(skb)->tcp_tw_isn;
	const struct iphdr *iph = ip_hdr(skb);
	struct request_sock *req;
	int want_cookie = 0;

	if ((sysctl_tcp_syncookies == 2 || inet_csk_reqsk_queue_is_full(sk)) && !isn) {
		want_cookie = tcp_syn_flood_action();
		if (!want_cookie)
			goto drop;
	}
	if (sk_acceptq_is_full(sk)) {
		tcp_mib_inc(LINUX_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	opt.mss_clamp = TCP_MSS_DEFAULT;
	opt.user_mss = tcp_sk(sk)->rx_opt.user_mss;
	tcp_parse_options(tcp_hdr(skb), 1, &opt);
	if (want_cookie && !opt.saw_tstamp)
		opt.wscale_ok = opt.sack_ok = 0;	/* nowhere to keep them */
	req = reqsk_alloc_for(sk, skb, &opt);
	if (!req)
		goto drop;
	if (want_cookie) {
		req->cookie = 1;
		req->snt_isn = cookie_v4_init_sequence(skb, &req->mss);
		tcp_send_synack(sk, req, skb);
		reqsk_free(req);
		return;
	}
	req->snt_isn = isn ? isn : secure_tcp_seq(iph->daddr, iph->saddr, tcp_hdr(skb)->dest,
						  tcp_hdr(skb)->source);
	if (inet_csk_reqsk_queue_hash_add(sk, req)) {
		reqsk_put(req);
		goto drop;
	}
	tcp_send_synack(sk, req, skb);
	reqsk_put(req);		/* the table and ehash hold their own */
	return;
drop:
	tcp_mib_inc(LINUX_MIB_LISTENDROPS);
}

/* ---- the two entry points ---- */

/* ESTABLISHED, socket locked; consumes @skb. The slow path of Linux's tcp_rcv_established. */
void tcp_rcv_established(struct sock *sk, struct sk_buff *skb)
{
	if (!(TCP_SKB_CB(skb)->tcp_flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN))) {
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);	/* RFC 9293: no ACK: drop */
		return;
	}
	if (!tcp_validate_incoming(sk, skb))
		return;
	if (tcp_ack(sk, skb, FLAG_UPDATE_TS_RECENT) < 0) {
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return;
	}
	tcp_data_queue(sk, skb);
	tcp_data_snd_check(sk);
	tcp_ack_snd_check(sk);
}

/* SYN-RECEIVED → ESTABLISHED on an acceptable ACK. */
static void tcp_synrecv_established(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);

	/* The SYN-ACK's RTT from the echoed timestamp, unless it was retransmitted (Karn). */
	if (!tp->srtt_us && !tp->total_retrans && tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr) {
		uint32_t ms = tcp_clock_ms() - (tp->rx_opt.rcv_tsecr - tp->tsoffset);

		if ((int32_t)ms >= 0)
			tcp_rtt_estimator(sk, (long)(ms ? ms : 1) * 1000);
	}
	tcp_set_state(sk, TCP_ESTABLISHED);
	tp->snd_una = cb->ack_seq;
	tp->snd_wnd = ntohs(tcp_hdr(skb)->window) << tp->rx_opt.snd_wscale;
	tp->snd_wl1 = cb->seq;
	tp->snd_wl2 = cb->ack_seq;
	if (tp->snd_wnd > tp->max_window)
		tp->max_window = tp->snd_wnd;
	tcp_init_transfer(sk);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
}

/* Linux's tcp_fin_time: how long an orphan may sit in FIN_WAIT2, at least 3.5 RTO. */
static uint64_t tcp_fin_time(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	uint64_t tmo = tp->linger2 > 0 ? (uint64_t)tp->linger2 : msecs_to_jiffies(TCP_FIN_TIMEOUT_MS);
	uint64_t rto = inet_csk(sk)->icsk_rto, min = (rto << 2) - (rto >> 1);

	return tmo > min ? tmo : min;
}

/*
 * Our FIN is acknowledged in FIN-WAIT-1 (Linux). An orphan waits for the
 * peer's FIN as a FIN_WAIT2 mini-socket, or on the keepalive timer while
 * that would outlast TIME_WAIT. Returns 1 if it consumed @skb, -1 when
 * the caller must reset (TCP_LINGER2 < 0).
 */
static int tcp_fin_wait1_acked(struct sock *sk, struct sk_buff *skb)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint64_t tmo, twlen = msecs_to_jiffies(tcp_tw_ms ? tcp_tw_ms : TCP_TIMEWAIT_LEN_DEFAULT_MS);

	tcp_set_state(sk, TCP_FIN_WAIT2);
	sk->sk_shutdown |= SEND_SHUTDOWN;
	if (!sock_flag(sk, SOCK_DEAD)) {
		sk->sk_state_change(sk);	/* a lingering close() may return */
		return 0;
	}
	if (tcp_sk(sk)->linger2 < 0 ||
	    (cb->end_seq != cb->seq && after(cb->end_seq - !!(cb->tcp_flags & TCPHDR_FIN),
					     tcp_sk(sk)->rcv_nxt))) {
		tcp_mib_inc(LINUX_MIB_TCPABORTONDATA);	/* data after close() */
		tcp_done(sk);
		return -1;
	}
	tmo = tcp_fin_time(sk);
	if (tmo > twlen) {
		inet_csk_reset_keepalive_timer(sk, tmo - twlen);
	} else if ((cb->tcp_flags & TCPHDR_FIN) || sock_owned_by_user(sk)) {
		inet_csk_reset_keepalive_timer(sk, tmo);	/* this segment's FIN is still to come */
	} else {
		tcp_time_wait(sk, TCP_FIN_WAIT2, (long)tmo);
		return 1;
	}
	return 0;
}

/* Step five (ACK) for the non-ESTABLISHED synchronized states. -1: send RST; 1: consumed; 0: go on. */
static int tcp_rcv_state_ack(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int acceptable = tcp_ack(sk, skb, FLAG_UPDATE_TS_RECENT | FLAG_NO_CHALLENGE_ACK);

	if (sk->sk_state == TCP_SYN_RECV) {
		const struct sk_buff *head = skb_peek(&sk->sk_write_queue);

		/* RFC 9293: SND.UNA < SEG.ACK =< SND.NXT, i.e. our SYN is acknowledged. */
		if (acceptable <= 0 || (head && (TCP_SKB_CB(head)->tcp_flags & TCPHDR_SYN)))
			return -1;	/* <SEQ=SEG.ACK><CTL=RST> */
		tcp_synrecv_established(sk, skb);
		return 0;
	}
	if (acceptable < 0) {
		tcp_send_challenge_ack(sk);	/* RFC 5961 §5.2 */
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		return 1;
	}
	if (tp->snd_una != tp->write_seq)
		return 0;	/* our FIN is not acknowledged yet */
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		switch (tcp_fin_wait1_acked(sk, skb)) {
		case -1:
			return -1;
		case 0:
			return 0;
		}
		break;
	case TCP_CLOSING:
		tcp_time_wait(sk, TCP_TIME_WAIT, 0);
		break;
	case TCP_LAST_ACK:
		tcp_done(sk);
		break;
	default:
		return 0;
	}
	consume_skb(skb);
	return 1;
}

/*
 * Every state but ESTABLISHED (Linux's tcp_rcv_state_process). Socket
 * locked, or a lockless listener. Returns 1 when the caller must send a
 * RST (and free @skb); otherwise @skb is consumed.
 */
int tcp_rcv_state_process(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t flags = cb->tcp_flags;

	switch (sk->sk_state) {
	case TCP_CLOSE:
		goto discard;
	case TCP_LISTEN:
		if (flags & TCPHDR_ACK)
			return 1;	/* RFC 9293: <SEQ=SEG.ACK><CTL=RST> */
		if ((flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_FIN)) != TCPHDR_SYN)
			goto discard;	/* RST ignored; SYN+FIN dropped (Linux) */
		tcp_conn_request(sk, skb);
		consume_skb(skb);
		return 0;
	case TCP_SYN_SENT:
		return tcp_rcv_synsent_state_process(sk, skb);
	}
	if (!(flags & (TCPHDR_ACK | TCPHDR_RST | TCPHDR_SYN)))
		goto discard;
	if (!tcp_validate_incoming(sk, skb))
		return 0;
	switch (tcp_rcv_state_ack(sk, skb)) {
	case -1:
		return 1;
	case 1:
		return 0;
	}
	/* Step seven: the text. */
	switch (sk->sk_state) {
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		if (!before(cb->seq, tp->rcv_nxt)) {
			consume_skb(skb);	/* the peer's FIN came: nothing new may follow */
			goto out;
		}
		/* fall through */
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		/* RFC 1122 §4.2.2.13: new data after close() → RST (TCPAbortOnData). */
		if ((sk->sk_shutdown & RCV_SHUTDOWN) && cb->end_seq != cb->seq &&
		    after(cb->end_seq - !!(flags & TCPHDR_FIN), tp->rcv_nxt)) {
			tcp_mib_inc(LINUX_MIB_TCPABORTONDATA);
			tcp_reset(sk);
			return 1;
		}
		/* fall through */
	case TCP_ESTABLISHED:
		tcp_data_queue(sk, skb);
		break;
	default:
		consume_skb(skb);
		break;
	}
out:
	if (sk->sk_state != TCP_CLOSE) {
		tcp_data_snd_check(sk);
		tcp_ack_snd_check(sk);
	}
	return 0;
discard:
	kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
	return 0;
}
