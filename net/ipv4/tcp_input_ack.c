/*
 * ACK processing (Linux's tcp_ack and its helpers in net/ipv4/tcp_input.c):
 *
 *  - tcp_ack(): RFC 5961 §5 range check, the send window (RFC 9293 SND.WL1/
 *    WL2 rule), freeing what is acknowledged from sk_write_queue, the RTT
 *    sample (Karn, or RFC 7323 timestamps) and RTO (RFC 6298), the RTO
 *    timer, congestion control, write-space wake-up, the persist timer.
 *  - Congestion control is Reno with NewReno recovery (RFC 5681, RFC 6582),
 *    counting in packets with Linux's "pipe": in flight = packets_out -
 *    dupacks (sacked_out) - lost_out + retrans_out. tcp_enter_loss() is
 *    the RTO's half (called by tcp_timer.c).
 *
 * Socket locked (either level). The write queue's layout is the output
 * side's (docs/tcp-notes.md): sent skbs from the head to send_head, one
 * segment each, payload only, CB seq/end_seq, TCPCB_* in sacked.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/tcp_input.h>
#include <net/ipv4/ipv4.h>
#include <kernel/time.h>

#define TCP_MAX_CWND 65535u		/* segments */

static uint64_t usecs_to_jiffies(uint64_t us)
{
	return (us * HZ + 999999) / 1000000;
}

/* ---- RTT and RTO (RFC 6298 §2) ---- */

/*
 * srtt_us holds 8·SRTT, mdev_us 4·RTTVAR (Linux's scaling). RTO = SRTT +
 * max(4·RTTVAR, 200 ms) as Linux (RFC 6298's G is far below the floor),
 * at most 120 s.
 */
void tcp_rtt_estimator(struct sock *sk, long mrtt_us)
{
	struct tcp_sock *tp = tcp_sk(sk);
	long m = mrtt_us > 0 ? mrtt_us : 1;
	uint64_t rto_min_us = TCP_RTO_MIN_MS * 1000ULL, rto;

	if (tp->srtt_us) {
		long err = m - (long)(tp->srtt_us >> 3);

		tp->srtt_us = (uint32_t)((long)tp->srtt_us + err);	/* 7/8 SRTT + 1/8 R' */
		if (err < 0)
			err = -err;
		tp->mdev_us = (uint32_t)((long)tp->mdev_us + err - (long)(tp->mdev_us >> 2));	/* 3/4, 1/4 */
	} else {
		tp->srtt_us = (uint32_t)m << 3;		/* SRTT = R */
		tp->mdev_us = (uint32_t)m << 1;		/* RTTVAR = R/2 */
	}
	if (!tp->srtt_us)
		tp->srtt_us = 1;
	tp->rttvar_us = tp->mdev_us > rto_min_us ? tp->mdev_us : (uint32_t)rto_min_us;
	rto = usecs_to_jiffies((tp->srtt_us >> 3) + (uint64_t)tp->rttvar_us);
	if (rto > msecs_to_jiffies(TCP_RTO_MAX_MS))
		rto = msecs_to_jiffies(TCP_RTO_MAX_MS);
	inet_csk(sk)->icsk_rto = (uint32_t)rto;
}

/* A sample from the acknowledged segments, else from the echoed timestamp (RFC 7323 §4.1). */
static void tcp_ack_update_rtt(struct sock *sk, int flag, long seq_rtt_us)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (seq_rtt_us < 0 && tp->rx_opt.saw_tstamp && tp->rx_opt.rcv_tsecr && (flag & FLAG_ACKED)) {
		uint32_t ms = tcp_clock_ms() - (tp->rx_opt.rcv_tsecr - tp->tsoffset);

		if ((int32_t)ms >= 0 && ms < TCP_RTO_MAX_MS)
			seq_rtt_us = (long)(ms ? ms : 1) * 1000;
	}
	if (seq_rtt_us >= 0)
		tcp_rtt_estimator(sk, seq_rtt_us);
}

/* RFC 6298 (5.2, 5.3): stop the timer when all is acknowledged, else restart it. */
static void tcp_rearm_rto(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (!tcp_sk(sk)->packets_out) {
		if (icsk->icsk_pending == ICSK_TIME_RETRANS)
			inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
		return;
	}
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, jiffies + icsk->icsk_rto);
}

/* ---- the write queue ---- */

static void tcp_wmem_free_skb(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_write_queue);
	sk->sk_wmem_queued -= (int)skb->truesize;
	consume_skb(skb);
}

void tcp_write_queue_purge(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = skb_peek(&sk->sk_write_queue)) != NULL)
		tcp_wmem_free_skb(sk, skb);
	tp->send_head = NULL;
	tp->packets_out = tp->retrans_out = tp->lost_out = tp->sacked_out = 0;
}

static void dec_clamped(uint32_t *v)
{
	if (*v)
		(*v)--;
}

/* A partly acknowledged head keeps only what is still outstanding (Linux's tcp_trim_head). */
static void tcp_trim_head(struct tcp_sock *tp, struct sk_buff *skb, int *flag)
{
	struct tcp_skb_cb *scb = TCP_SKB_CB(skb);
	uint32_t n = tp->snd_una - scb->seq;

	if (scb->tcp_flags & TCPHDR_SYN) {
		scb->tcp_flags &= (uint8_t)~TCPHDR_SYN;
		*flag |= FLAG_SYN_ACKED;
		n--;
	}
	if (n > skb->len)
		n = skb->len;
	skb_pull(skb, n);
	scb->seq = tp->snd_una;
	if (n)
		*flag |= FLAG_DATA_ACKED;
}

/*
 * Free every skb snd_una now covers (Linux's tcp_clean_rtx_queue).
 * *acked: segments freed; *rtt_us: now minus the first transmission of
 * the oldest one, unless any was retransmitted (Karn), else -1.
 */
static int tcp_clean_rtx_queue(struct sock *sk, uint32_t *acked, long *rtt_us)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint64_t first_tx_us = 0;
	struct sk_buff *skb;
	int flag = 0;

	while ((skb = skb_peek(&sk->sk_write_queue)) != NULL && skb != tp->send_head) {
		struct tcp_skb_cb *scb = TCP_SKB_CB(skb);

		if (after(scb->end_seq, tp->snd_una)) {
			if (after(tp->snd_una, scb->seq))
				tcp_trim_head(tp, skb, &flag);
			break;
		}
		if (scb->sacked & TCPCB_RETRANS)
			flag |= FLAG_RETRANS_DATA_ACKED;
		else if (!first_tx_us)
			first_tx_us = scb->first_tx_us;
		if (scb->sacked & TCPCB_SACKED_RETRANS)
			dec_clamped(&tp->retrans_out);
		if (scb->sacked & TCPCB_LOST)
			dec_clamped(&tp->lost_out);
		dec_clamped(&tp->packets_out);
		flag |= (scb->tcp_flags & TCPHDR_SYN) ? FLAG_SYN_ACKED : FLAG_DATA_ACKED;
		tcp_wmem_free_skb(sk, skb);
		(*acked)++;
	}
	*rtt_us = -1;
	if (first_tx_us && !(flag & FLAG_RETRANS_DATA_ACKED)) {
		uint64_t now_us = ktime_ns() / 1000;

		*rtt_us = now_us > first_tx_us ? (long)(now_us - first_tx_us) : 1;
	}
	return flag;
}

/* ---- the send window (RFC 9293 §3.10.7.4, fifth step) ---- */

/*
 * If SND.WL1 < SEG.SEQ or (SND.WL1 = SEG.SEQ and SND.WL2 =< SEG.ACK),
 * take SEG.WND (scaled: RFC 7323 §2.3, except on a SYN). FLAG_WIN_UPDATE
 * only when the window changed: a duplicate ACK must keep the same window
 * (RFC 5681 §2).
 */
static int tcp_ack_update_window(struct sock *sk, const struct sk_buff *skb, uint32_t ack)
{
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t nwin = ntohs(tcp_hdr(skb)->window);
	int flag = 0;

	if (!(cb->tcp_flags & TCPHDR_SYN))
		nwin <<= tp->rx_opt.snd_wscale;
	if (before(tp->snd_wl1, cb->seq) || (tp->snd_wl1 == cb->seq && !after(tp->snd_wl2, ack))) {
		tp->snd_wl1 = cb->seq;
		tp->snd_wl2 = ack;
		if (tp->snd_wnd != nwin) {
			flag |= FLAG_WIN_UPDATE;
			tp->snd_wnd = nwin;
			if (nwin > tp->max_window)
				tp->max_window = nwin;
		}
	}
	tp->snd_una = ack;
	return flag;
}

/* Nothing in flight: if the window now takes the next segment, stop probing (Linux's tcp_ack_probe). */
static void tcp_ack_probe(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *head = tp->send_head;

	if (!head || icsk->icsk_pending != ICSK_TIME_PROBE0)
		return;
	if (!after(TCP_SKB_CB(head)->end_seq, tp->snd_una + tp->snd_wnd)) {
		icsk->icsk_backoff = 0;
		icsk->icsk_probes_out = 0;
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_PROBE0);
	}
}

/* ---- congestion control: Reno / NewReno ---- */

void tcp_init_cong(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);

	/* RFC 5681 §3.1: after a lost SYN or SYN-ACK the initial window is one segment. */
	tp->snd_cwnd = tp->total_retrans ? 1 : TCP_INIT_CWND;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_cwnd_cnt = 0;
	tp->sacked_out = 0;
	tp->high_seq = tp->snd_una;
	inet_csk(sk)->icsk_ca_state = TCP_CA_Open;
}

/* RFC 5681 §3.1: slow start below ssthresh, then one segment per window (Linux's tcp_reno_cong_avoid). */
static void tcp_cong_avoid(struct sock *sk, uint32_t acked, uint32_t prior_in_flight)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t cwnd = tp->snd_cwnd;

	if (!acked)
		return;
	/* Grow only while the window, not the application, limited sending (Linux). */
	if (cwnd < tp->snd_ssthresh ? cwnd >= 2 * prior_in_flight : prior_in_flight < cwnd)
		return;
	if (cwnd < tp->snd_ssthresh) {
		uint32_t n = cwnd + acked < tp->snd_ssthresh ? cwnd + acked : tp->snd_ssthresh;

		acked -= n - cwnd;
		cwnd = n;
	}
	tp->snd_cwnd_cnt += acked;
	if (tp->snd_cwnd_cnt >= cwnd) {
		tp->snd_cwnd_cnt -= cwnd;
		cwnd++;
	}
	tp->snd_cwnd = cwnd < TCP_MAX_CWND ? cwnd : TCP_MAX_CWND;
}

/* Duplicate ACKs never stand for more segments than can be out beside a hole (Linux). */
static void tcp_limit_reno_sacked(struct tcp_sock *tp)
{
	uint32_t holes = tp->lost_out ? tp->lost_out : 1;

	if (tp->sacked_out + holes > tp->packets_out)
		tp->sacked_out = tp->packets_out > holes ? tp->packets_out - holes : 0;
}

/* Reno counts duplicate ACKs as "sacked" segments (Linux's tcp_add_reno_sack). */
static void tcp_add_reno_sack(struct tcp_sock *tp)
{
	tp->sacked_out++;
	tcp_limit_reno_sacked(tp);
}

/* One ACK filled a hole; the rest of what it covers ate duplicate ACKs (Linux). */
static void tcp_remove_reno_sacks(struct tcp_sock *tp, uint32_t acked)
{
	if (!acked)
		return;
	tp->sacked_out = acked - 1 >= tp->sacked_out ? 0 : tp->sacked_out - (acked - 1);
	tcp_limit_reno_sacked(tp);
}

/* Retransmit the first unacknowledged segment now, whatever cwnd says (RFC 5681 §3.2 step 2). */
static void tcp_fast_retransmit_head(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *head = skb_peek(&sk->sk_write_queue);

	if (!head || head == tp->send_head)
		return;
	if (!(TCP_SKB_CB(head)->sacked & TCPCB_LOST)) {
		TCP_SKB_CB(head)->sacked |= TCPCB_LOST;
		tp->lost_out++;
	}
	tcp_mib_inc(LINUX_MIB_TCPFASTRETRANS);
	tcp_retransmit_skb(sk, head);
}

/* The third duplicate ACK (RFC 5681 §3.2, RFC 6582 §3.2 step 2). */
static void tcp_enter_recovery(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t flight = tp->packets_out;

	tp->prior_ssthresh = tp->snd_ssthresh;
	tp->snd_ssthresh = flight / 2 > 2 ? flight / 2 : 2;	/* max(FlightSize / 2, 2 SMSS) */
	tp->snd_cwnd = tp->snd_ssthresh;	/* the dupacks in sacked_out inflate the pipe */
	tp->snd_cwnd_cnt = 0;
	tp->high_seq = tp->snd_nxt;		/* RFC 6582 "recover" */
	inet_csk(sk)->icsk_ca_state = TCP_CA_Recovery;
	tcp_fast_retransmit_head(sk);
}

/* The congestion state machine for one ACK (a simple tcp_fastretrans_alert). */
static void tcp_cong_control(struct sock *sk, int flag, uint32_t acked, uint32_t prior_in_flight,
			     int is_dupack)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	int advanced = flag & FLAG_SND_UNA_ADVANCED;

	switch (icsk->icsk_ca_state) {
	case TCP_CA_Loss:
		if (!advanced)
			return;
		tcp_cong_avoid(sk, acked, prior_in_flight);
		if (!before(tp->snd_una, tp->high_seq))
			icsk->icsk_ca_state = TCP_CA_Open;	/* everything sent before the RTO is in */
		else
			tcp_xmit_retransmit_queue(sk);		/* go on resending within cwnd */
		return;
	case TCP_CA_Recovery:
		if (is_dupack) {
			tcp_add_reno_sack(tp);			/* one more segment left the network */
		} else if (advanced && !before(tp->snd_una, tp->high_seq)) {
			tp->snd_cwnd = tp->snd_ssthresh;	/* RFC 6582 step 3: full ACK, deflate */
			tp->sacked_out = 0;
			icsk->icsk_ca_state = TCP_CA_Open;
		} else if (advanced) {
			tcp_remove_reno_sacks(tp, acked);	/* RFC 6582 step 4: partial ACK */
			tcp_fast_retransmit_head(sk);
		}
		return;
	default:
		if (is_dupack) {
			tcp_add_reno_sack(tp);
			if (tp->sacked_out >= TCP_FASTRETRANS_THRESH && !before(tp->snd_una, tp->high_seq))
				tcp_enter_recovery(sk);
			else
				icsk->icsk_ca_state = TCP_CA_Disorder;	/* limited transmit (RFC 3042) */
			return;
		}
		if (advanced) {
			tp->sacked_out = 0;
			icsk->icsk_ca_state = TCP_CA_Open;
			tcp_cong_avoid(sk, acked, prior_in_flight);
		}
	}
}

/* RFC 5681 §3.1 / RFC 6298 (5.5): the retransmission timer expired. Called by tcp_timer.c. */
void tcp_enter_loss(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	/* ssthresh = max(FlightSize / 2, 2), once per loss episode (a second RTO keeps it). */
	if (icsk->icsk_ca_state <= TCP_CA_Disorder || !after(tp->high_seq, tp->snd_una) ||
	    (icsk->icsk_ca_state == TCP_CA_Loss && !icsk->icsk_retransmits)) {
		uint32_t flight = tcp_packets_in_flight(tp);

		tp->prior_ssthresh = tp->snd_ssthresh;
		tp->snd_ssthresh = flight / 2 > 2 ? flight / 2 : 2;
	}
	tp->snd_cwnd = 1;
	tp->snd_cwnd_cnt = 0;
	tp->retrans_out = tp->lost_out = tp->sacked_out = 0;
	for (skb = skb_peek(&sk->sk_write_queue); skb && skb != tp->send_head;
	     skb = skb->next == (struct sk_buff *)&sk->sk_write_queue ? NULL : skb->next) {
		TCP_SKB_CB(skb)->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
		TCP_SKB_CB(skb)->sacked |= TCPCB_LOST;
		tp->lost_out++;
	}
	tp->high_seq = tp->snd_nxt;
	icsk->icsk_ca_state = TCP_CA_Loss;
}

/* ---- tcp_ack ---- */

/*
 * Socket locked. Returns -1 when the ACK is unacceptable (RFC 5961 §5.2:
 * below SND.UNA - MAX.SND.WND, or above SND.NXT — answered with a
 * challenge ACK unless FLAG_NO_CHALLENGE_ACK; the caller drops the
 * segment), 0 for an old duplicate that is ignored (RFC 9293), 1 otherwise.
 */
int tcp_ack(struct sock *sk, const struct sk_buff *skb, int flag)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t prior_snd_una = tp->snd_una, ack = cb->ack_seq, acked = 0;
	uint32_t prior_packets = tp->packets_out, prior_in_flight = tcp_packets_in_flight(tp);
	long rtt_us = -1;
	int is_dupack;

	if (!(cb->tcp_flags & TCPHDR_ACK))
		return 0;
	if (before(ack, prior_snd_una)) {
		if (!before(ack, prior_snd_una - tp->max_window))
			return 0;
		goto invalid;
	}
	if (after(ack, tp->snd_nxt))
		goto invalid;	/* RFC 9293: it acks something not yet sent */
	if (after(ack, prior_snd_una))
		flag |= FLAG_SND_UNA_ADVANCED;
	if (cb->seq != cb->end_seq)
		flag |= FLAG_DATA;
	if (flag & FLAG_UPDATE_TS_RECENT)
		tcp_replace_ts_recent(tp, cb->seq);
	flag |= tcp_ack_update_window(sk, skb, ack);
	icsk->icsk_probes_out = 0;
	tp->rcv_tstamp = jiffies;
	if (!prior_packets) {
		tcp_ack_probe(sk);
		return 1;
	}
	flag |= tcp_clean_rtx_queue(sk, &acked, &rtt_us);
	tcp_ack_update_rtt(sk, flag, rtt_us);
	/* RFC 5681 §2 duplicate ACK: data out, no data, no window change, SND.UNA unmoved. */
	is_dupack = !(flag & (FLAG_SND_UNA_ADVANCED | FLAG_DATA | FLAG_WIN_UPDATE));
	tcp_cong_control(sk, flag, acked, prior_in_flight, is_dupack);
	if (flag & FLAG_ACKED) {
		icsk->icsk_backoff = 0;
		icsk->icsk_retransmits = 0;
		tcp_rearm_rto(sk);
		if (sk->sk_write_space && !sock_flag(sk, SOCK_DEAD))
			sk->sk_write_space(sk);
	}
	if (!tp->packets_out)
		tcp_ack_probe(sk);
	return 1;
invalid:
	if (!(flag & FLAG_NO_CHALLENGE_ACK))
		tcp_send_challenge_ack(sk);
	return -1;
}
