/*
 * ESTABLISHED, as packet traces: receiving (RFC 9293 §3.10.7.4 acceptability,
 * in-order and out-of-order data, windows, delayed ACKs, RFC 1122/5681 ACK
 * rules), sending (ACK processing, RFC 9293 window update, RFC 6298 RTT and
 * RTO, RFC 5681/6582 fast retransmit and NewReno). The checks every segment
 * of a synchronized connection passes first (RFC 5961, RFC 7323 PAWS, the
 * answer to an unacceptable segment) are in test_tcp_validate.c.
 */
#include "tcp_harness.h"
#include <net/ipv4/tcp_input.h>
#include <cmocka.h>
#include <kernel/errno.h>
#include <string.h>

#include "tcp_est.h"

/* ---- receiving ---- */

static void test_data_in_order_delivered_and_acked(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 100, iss + 1);
	uint8_t buf[200];

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV + 100);	/* quick ACK at the start */
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 100);
	for (int i = 0; i < 100; i++)
		assert_int_equal(buf[i], seg_pattern(RCV + (uint32_t)i));
	harness_close(sk);
}

static void test_delayed_ack_after_quickacks(void **state)
{
	struct sock *sk = est(0, 0);
	uint32_t seq = RCV;
	struct seg got;
	int immediate = 0;

	(void)state;
	/* The first data starts quick-ACK mode: the first segments are ACKed at once. */
	for (int i = 0; i < 20; i++, seq += 10) {
		struct seg s = data_seg(seq, 10, iss + 1);

		inject(&s);
		advance_ms(1);
		if (next_seg(&got)) {
			assert_int_equal(got.ack, seq + 10);
			immediate++;
		}
	}
	assert_true(immediate >= 2 && immediate < 20);
	/* Then small segments wait for the delayed-ACK timer (at most 200 ms). */
	advance_ms(200);
	EXPECT_ACK(seq);
	expect_nothing();
	harness_close(sk);
}

static void test_ack_every_second_full_segment(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s;

	(void)state;
	inet_csk(sk)->icsk_ack.quick = 0;
	inet_csk(sk)->icsk_ack.ato = (uint32_t)msecs_to_jiffies(TCP_DELACK_MIN_MS);
	inet_csk(sk)->icsk_ack.rcv_mss = 1000;
	s = data_seg(RCV, 1000, iss + 1);
	inject(&s);
	s = data_seg(RCV + 1000, 1000, iss + 1);
	inject(&s);
	/* RFC 5681 §4.2: at least every second full-sized segment. */
	EXPECT_ACK(RCV + 2000);
	harness_close(sk);
}

static void test_out_of_order_dupack_with_sack_then_fill(void **state)
{
	struct sock *sk = (sysctl_tcp_sack = 1, est(0, 1));
	struct seg s = data_seg(RCV + 100, 100, iss + 1);
	const struct seg *a;
	uint8_t buf[300];

	(void)state;
	inject(&s);
	/* RFC 5681 §4.2: an out-of-order segment is ACKed at once; SACK names the block. */
	a = EXPECT_ACK(RCV);
	assert_int_equal(a->nsack, 1);
	assert_int_equal(a->sack[0].start_seq, RCV + 100);
	assert_int_equal(a->sack[0].end_seq, RCV + 200);
	assert_int_equal(mib_delta(LINUX_MIB_TCPOFOQUEUE), 1);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), -EAGAIN);
	s = data_seg(RCV, 100, iss + 1);
	inject(&s);
	/* The hole filled: ACK at once, everything in order. */
	a = EXPECT_ACK(RCV + 200);
	assert_int_equal(a->nsack, 0);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 200);
	for (int i = 0; i < 200; i++)
		assert_int_equal(buf[i], seg_pattern(RCV + (uint32_t)i));
	harness_close(sk);
}

static void test_ofo_overlaps_and_duplicates(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s;
	uint8_t buf[1000];

	(void)state;
	s = data_seg(RCV + 300, 100, iss + 1);	/* [300,400) */
	inject(&s);
	s = data_seg(RCV + 300, 100, iss + 1);	/* the same again */
	inject(&s);
	s = data_seg(RCV + 250, 200, iss + 1);	/* [250,450) covers it */
	inject(&s);
	s = data_seg(RCV + 100, 100, iss + 1);	/* [100,200) */
	inject(&s);
	s = data_seg(RCV + 150, 120, iss + 1);	/* [150,270) overlaps both */
	inject(&s);
	assert_int_equal(skb_queue_len(&tcp_sk(sk)->out_of_order_queue), 3);
	while (next_seg(&s))
		assert_int_equal(s.ack, RCV);
	s = data_seg(RCV, 120, iss + 1);	/* [0,120) fills the start */
	inject(&s);
	EXPECT_ACK(RCV + 450);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 450);
	for (int i = 0; i < 450; i++)
		assert_int_equal(buf[i], seg_pattern(RCV + (uint32_t)i));
	assert_true(skb_queue_empty(&tcp_sk(sk)->out_of_order_queue));
	harness_close(sk);
}

static void test_retransmission_overlap_trimmed(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 100, iss + 1);
	uint8_t buf[300];

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV + 100);
	s = data_seg(RCV + 50, 100, iss + 1);	/* half old, half new */
	inject(&s);
	EXPECT_ACK(RCV + 150);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 150);
	for (int i = 0; i < 150; i++)
		assert_int_equal(buf[i], seg_pattern(RCV + (uint32_t)i));
	harness_close(sk);
}

static void test_old_duplicate_acked_not_delivered(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 100, iss + 1);
	uint8_t buf[300];

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV + 100);
	inject(&s);
	/* RFC 9293: not acceptable → <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	EXPECT_ACK(RCV + 100);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 100);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), -EAGAIN);
	harness_close(sk);
}

static void test_segment_without_ack_dropped(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 10, 0);

	(void)state;
	s.flags = TCPHDR_PSH;
	inject(&s);
	expect_nothing();
	assert_int_equal(tcp_sk(sk)->rcv_nxt, RCV);
	harness_close(sk);
}

static void test_data_past_window_trimmed(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;
	uint8_t buf[400];

	(void)state;
	tp->rcv_wup = tp->rcv_nxt;
	tp->rcv_wnd = 200;	/* as if we had advertised 200 */
	s = data_seg(RCV, 300, iss + 1);
	inject(&s);
	/* RFC 9293: only what fits in the window is kept. */
	EXPECT_ACK(RCV + 200);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 200);
	s = data_seg(RCV + 5000, 10, iss + 1);	/* wholly outside */
	inject(&s);
	EXPECT_ACK(RCV + 200);
	harness_close(sk);
}

static void test_zero_window(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;

	(void)state;
	tp->rcv_wup = tp->rcv_nxt;
	tp->rcv_wnd = 0;
	/* RCV.WND = 0: data at RCV.NXT is not acceptable, but its ACK is processed. */
	s = data_seg(RCV, 10, iss + 1);
	s.win = 1234;
	inject(&s);
	EXPECT_ACK(RCV);
	assert_int_equal(tp->rcv_nxt, RCV);
	assert_int_equal(tp->snd_wnd, 1234);
	assert_int_equal(mib_delta(LINUX_MIB_TCPZEROWINDOWDROP), 1);
	/* A zero-length segment at RCV.NXT is fine (no reply to a bare ACK). */
	s = data_seg(RCV, 0, iss + 1);
	s.win = 2000;
	inject(&s);
	expect_nothing();
	assert_int_equal(tp->snd_wnd, 2000);
	/* Any other sequence number: ACK (the window is zero again, as if the buffer were full). */
	tp->rcv_wup = tp->rcv_nxt;
	tp->rcv_wnd = 0;
	s.seq = RCV + 1;
	inject(&s);
	EXPECT_ACK(RCV);
	harness_close(sk);
}

static void test_acceptability_edges(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;

	(void)state;
	tp->rcv_wup = tp->rcv_nxt;
	tp->rcv_wnd = 1000;
	/* Zero length, RCV.NXT =< SEG.SEQ < RCV.NXT+RCV.WND: fine. */
	s = data_seg(RCV + 999, 0, iss + 1);
	inject(&s);
	expect_nothing();
	/* ... the right edge itself is not (RFC 9293 table). */
	s.seq = RCV + 1000;
	inject(&s);
	EXPECT_ACK(RCV);
	/* A keepalive: SEG.SEQ = RCV.NXT - 1, no data → ACK (after the 500 ms
	 * that separate two answers to segments outside the window). */
	advance_ms(500);
	s.seq = RCV - 1;
	inject(&s);
	EXPECT_ACK(RCV);
	/* Data whose last byte is in the window is acceptable (queued out of order). */
	s = data_seg(RCV + 990, 20, iss + 1);
	inject(&s);
	EXPECT_ACK(RCV);
	assert_int_equal(skb_queue_len(&tp->out_of_order_queue), 1);
	harness_close(sk);
}

static void test_fin_close_wait_eof(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 10, iss + 1);
	uint8_t buf[20];

	(void)state;
	s.flags |= TCPHDR_FIN;
	inject(&s);
	EXPECT_ACK(RCV + 11);
	assert_int_equal(sk->sk_state, TCP_CLOSE_WAIT);
	assert_true(sk->sk_shutdown & RCV_SHUTDOWN);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 10);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 0);	/* EOF */
	/* A retransmitted FIN is ACKed again. */
	inject(&s);
	EXPECT_ACK(RCV + 11);
	assert_int_equal(sk->sk_state, TCP_CLOSE_WAIT);
	harness_close(sk);
}

static void test_fin_out_of_order_waits(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV + 10, 10, iss + 1);

	(void)state;
	s.flags |= TCPHDR_FIN;
	inject(&s);
	EXPECT_ACK(RCV);
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	s = data_seg(RCV, 10, iss + 1);
	inject(&s);
	EXPECT_ACK(RCV + 21);
	assert_int_equal(sk->sk_state, TCP_CLOSE_WAIT);
	harness_close(sk);
}

static void test_backlog_while_owned(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 10, iss + 1);

	(void)state;
	lock_sock(sk);
	inject(&s);
	expect_nothing();	/* queued on the backlog */
	assert_non_null(sk->sk_backlog.head);
	release_sock(sk);
	EXPECT_ACK(RCV + 10);
	assert_int_equal(tcp_sk(sk)->rcv_nxt, RCV + 10);
	harness_close(sk);
}

static void test_backlog_overflow_counted(void **state)
{
	struct sock *sk = est(0, 0);

	(void)state;
	sk->sk_rcvbuf = 2304;
	sk->sk_sndbuf = 4608;
	lock_sock(sk);
	for (int i = 0; i < 20; i++) {
		struct seg s = data_seg(RCV + (uint32_t)i * 1000, 1000, iss + 1);

		inject(&s);
	}
	assert_true(mib_delta(LINUX_MIB_TCPBACKLOGDROP) > 0);
	release_sock(sk);
	harness_close(sk);
}

/* ---- sending: ACK processing ---- */

static void send_bytes(struct sock *sk, size_t len)
{
	static uint8_t buf[65536];

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(harness_send(sk, buf, len), (long)len);
}

static const struct seg *expect_data(uint32_t seq, unsigned int len)
{
	return expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = seq,
					 .ack = RCV, .len = len, .any = ANY_WIN | ANY_LEN | ANY_PSH });
}

static void peer_ack(uint32_t ack, uint16_t win)
{
	struct seg s = data_seg(RCV, 0, ack);

	s.win = win;
	inject(&s);
}

static void test_ack_frees_and_stops_timer(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);

	(void)state;
	send_bytes(sk, 100);
	expect_data(iss + 1, 100);
	assert_int_equal(tp->packets_out, 1);
	assert_int_equal(inet_csk(sk)->icsk_pending, ICSK_TIME_RETRANS);
	advance_ms(100);
	peer_ack(iss + 101, 65535);
	expect_nothing();
	assert_int_equal(tp->snd_una, iss + 101);
	assert_int_equal(tp->packets_out, 0);
	assert_true(skb_queue_empty(&sk->sk_write_queue));
	assert_int_equal(sk->sk_wmem_queued, 0);
	assert_int_equal(inet_csk(sk)->icsk_pending, 0);
	/* RFC 6298: first sample R = 100 ms: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR. */
	assert_int_equal(tp->srtt_us >> 3, 100000);
	assert_int_equal(inet_csk(sk)->icsk_rto, msecs_to_jiffies(300));
	harness_close(sk);
}

static void test_partial_ack_trims_head(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *head;

	(void)state;
	send_bytes(sk, 100);
	expect_data(iss + 1, 100);
	peer_ack(iss + 41, 65535);
	head = skb_peek(&sk->sk_write_queue);
	assert_non_null(head);
	assert_int_equal(TCP_SKB_CB(head)->seq, iss + 41);
	assert_int_equal(head->len, 60);
	assert_int_equal(tp->packets_out, 1);
	assert_int_equal(inet_csk(sk)->icsk_pending, ICSK_TIME_RETRANS);	/* restarted */
	harness_close(sk);
}

static void test_rto_backoff_then_karn(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t rto0 = inet_csk(sk)->icsk_rto;

	(void)state;
	send_bytes(sk, 100);
	expect_data(iss + 1, 100);
	/* RFC 6298 (5.4)-(5.6): retransmit after RTO (1 s initially), back off. */
	advance_ms(1000 + 4);
	expect_data(iss + 1, 100);
	assert_int_equal(inet_csk(sk)->icsk_rto, rto0 * 2);
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Loss);
	assert_int_equal(tp->snd_cwnd, 1);
	/* The ACK of a retransmitted segment gives no RTT sample (Karn). */
	peer_ack(iss + 101, 65535);
	assert_int_equal(tp->srtt_us, 0);
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Open);
	assert_int_equal(tp->packets_out, 0);
	assert_int_equal(tp->lost_out, 0);
	assert_int_equal(tp->retrans_out, 0);
	harness_close(sk);
}

static void test_timestamp_rtt_on_retransmission(void **state)
{
	struct sock *sk = est(1, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	const struct seg *d;
	struct seg s;

	(void)state;
	tp->srtt_us = 0;	/* forget the handshake's sample: RTO 1 s again */
	inet_csk(sk)->icsk_rto = (uint32_t)msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
	send_bytes(sk, 100);
	expect_data(iss + 1, 100);
	advance_ms(1004);
	d = expect_data(iss + 1, 100);
	assert_int_equal(d->ts, 1);
	advance_ms(40);
	s = data_seg(RCV, 0, iss + 101);
	s.ts = 1;
	s.tsval = TS_PEER + 10;
	s.tsecr = d->tsval;
	inject(&s);
	/* RFC 7323 §4.1: the echo times the retransmission itself. */
	assert_true(tp->srtt_us >> 3 >= 40000 && tp->srtt_us >> 3 <= 44000);
	harness_close(sk);
}

static void test_window_update_rules(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;

	(void)state;
	s = data_seg(RCV, 10, iss + 1);
	s.win = 3000;
	inject(&s);
	EXPECT_ACK(RCV + 10);
	assert_int_equal(tp->snd_wnd, 3000);
	assert_int_equal(tp->snd_wl1, RCV);
	/* An older segment (SEG.SEQ < SND.WL1) must not change the window. */
	s = data_seg(RCV - 5, 0, iss + 1);
	s.win = 100;
	inject(&s);
	EXPECT_ACK(RCV + 10);	/* not acceptable anyway */
	assert_int_equal(tp->snd_wnd, 3000);
	/* Same SEG.SEQ = SND.WL1 and SND.WL2 =< SEG.ACK: take it (even smaller). */
	s = data_seg(RCV + 10, 0, iss + 1);
	s.win = 500;
	inject(&s);
	assert_int_equal(tp->snd_wnd, 500);
	assert_int_equal(tp->max_window, 65535);
	harness_close(sk);
}

static void test_window_scaled(void **state)
{
	struct hs_opts o = { .wscale = 4 };
	struct sock *sk = harness_established(&o, &iss, NULL);
	struct seg s = data_seg(RCV, 0, iss + 1);

	(void)state;
	s.win = 1000;
	inject(&s);
	/* RFC 7323 §2.3: SND.WND = SEG.WND << Snd.Wind.Shift */
	assert_int_equal(tcp_sk(sk)->snd_wnd, 16000);
	harness_close(sk);
}

/* Fill the window: @n segments of @mss; returns the end. */
static uint32_t send_segments(struct sock *sk, int n, unsigned int mss)
{
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	send_bytes(sk, (size_t)n * mss);
	for (int i = 0; i < n; i++)
		expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1 + (uint32_t)i * mss,
					  .ack = RCV, .len = mss, .any = ANY_WIN | ANY_LEN | ANY_PSH });
	return iss + 1 + (uint32_t)n * mss;
}

static void dupack(uint32_t ack)
{
	peer_ack(ack, 65535);
}

static void test_fast_retransmit_newreno(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	const unsigned int mss = 1460;
	uint32_t a = iss + 1;
	const struct seg *r;

	(void)state;
	send_segments(sk, 10, mss);
	assert_int_equal(tp->packets_out, 10);
	/* Segments 1 and 4 are lost. The first ACK acks nothing new... */
	dupack(a);
	dupack(a);
	expect_nothing();
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Disorder);
	dupack(a);
	/* RFC 5681 §3.2: the third duplicate ACK retransmits the first unacked segment. */
	r = expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = a, .ack = RCV, .len = mss,
				      .any = ANY_WIN | ANY_LEN | ANY_PSH });
	(void)r;
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Recovery);
	assert_int_equal(tp->snd_ssthresh, 5);
	assert_int_equal(tp->high_seq, iss + 1 + 10 * mss);
	assert_int_equal(mib_delta(LINUX_MIB_TCPFASTRETRANS), 1);
	/* RFC 6582: a partial ACK (up to the second hole) retransmits it at once. */
	peer_ack(a + 3 * mss, 65535);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = a + 3 * mss, .ack = RCV,
				  .len = mss, .any = ANY_WIN | ANY_LEN | ANY_PSH });
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Recovery);
	/* The full ACK ends recovery with cwnd = ssthresh. */
	peer_ack(iss + 1 + 10 * mss, 65535);
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Open);
	assert_int_equal(tp->snd_cwnd, 5);
	assert_int_equal(tp->packets_out, 0);
	assert_int_equal(tp->retrans_out, 0);
	assert_int_equal(tp->lost_out, 0);
	assert_int_equal(tp->sacked_out, 0);
	harness_close(sk);
}

static void test_dupacks_need_same_window(void **state)
{
	struct sock *sk = est(0, 0);
	const unsigned int mss = 1460;

	(void)state;
	send_segments(sk, 5, mss);
	peer_ack(iss + 1, 60000);
	peer_ack(iss + 1, 61000);
	peer_ack(iss + 1, 62000);	/* window updates, not duplicate ACKs */
	expect_nothing();
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Open);
	harness_close(sk);
}

static void test_slow_start_grows_cwnd(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t end;

	(void)state;
	assert_int_equal(tp->snd_cwnd, TCP_INIT_CWND);
	end = send_segments(sk, 10, 1460);
	peer_ack(end, 65535);
	/* RFC 5681 §3.1: slow start: cwnd grows by what was acknowledged. */
	assert_int_equal(tp->snd_cwnd, 20);
	harness_close(sk);
}

static void test_loss_recovery_after_rto(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	const unsigned int mss = 1460;
	uint32_t a = iss + 1;

	(void)state;
	send_segments(sk, 4, mss);
	advance_ms(1004);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = a, .ack = RCV, .len = mss,
				  .any = ANY_WIN | ANY_LEN | ANY_PSH });
	assert_int_equal(tp->snd_cwnd, 1);
	assert_int_equal(tp->snd_ssthresh, 2);
	assert_int_equal(tp->lost_out, 4);
	/* ACK of the first: cwnd 2, the next two lost segments go (go-back-N). */
	peer_ack(a + mss, 65535);
	assert_int_equal(tp->snd_cwnd, 2);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = a + mss, .ack = RCV, .len = mss,
				  .any = ANY_WIN | ANY_LEN | ANY_PSH });
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = a + 2 * mss, .ack = RCV,
				  .len = mss, .any = ANY_WIN | ANY_LEN | ANY_PSH });
	expect_nothing();
	peer_ack(a + 4 * mss, 65535);	/* everything: the loss is over */
	assert_int_equal(inet_csk(sk)->icsk_ca_state, TCP_CA_Open);
	assert_int_equal(tp->packets_out, 0);
	harness_close(sk);
}

static void test_peer_zero_window_then_opens(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);

	(void)state;
	peer_ack(iss + 1, 0);
	assert_int_equal(tp->snd_wnd, 0);
	send_bytes(sk, 100);
	expect_nothing();
	assert_int_equal(inet_csk(sk)->icsk_pending, ICSK_TIME_PROBE0);
	/* The window opens: the probe timer stops, the data goes. */
	peer_ack(iss + 1, 1000);
	expect_data(iss + 1, 100);
	assert_int_equal(inet_csk(sk)->icsk_pending, ICSK_TIME_RETRANS);
	harness_close(sk);
}

static void test_ofo_pruned_when_buffer_full(void **state)
{
	struct sock *sk = est(0, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;

	(void)state;
	sk->sk_rcvbuf = 8000;	/* a few skbs' worth of truesize */
	for (int i = 1; i <= 8; i++) {
		s = data_seg(RCV + (uint32_t)i * 1000, 1000, iss + 1);
		inject(&s);
	}
	while (next_seg(&s))
		assert_int_equal(s.ack, RCV);
	/* Out-of-order data never takes more than the buffer. */
	assert_true(__atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED) <= sk->sk_rcvbuf);
	assert_true(skb_queue_len(&tp->out_of_order_queue) < 8);
	/* The hole filled: in-order data is taken even if the later blocks had to go. */
	s = data_seg(RCV, 1000, iss + 1);
	inject(&s);
	assert_true(after(tp->rcv_nxt, RCV));
	while (next_seg(&s))
		;
	harness_close(sk);
}

static void test_urgent_data_inline(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 5, iss + 1);
	uint8_t buf[8];

	(void)state;
	s.flags |= TCPHDR_URG;
	s.urg_lo = 5;
	inject(&s);
	EXPECT_ACK(RCV + 5);
	/* No out-of-band handling: urgent data arrives inline (as SO_OOBINLINE). */
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 5);
	harness_close(sk);
}

static void test_simultaneous_rst_and_data_dropped_outside(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV + 70000, 10, iss + 1);	/* far right of the window */

	(void)state;
	s.flags |= TCPHDR_RST;
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	harness_close(sk);
}

static void test_tiny_segments_coalesced(void **state)
{
	struct sock *sk = est(0, 0);
	uint8_t buf[300];
	struct seg got;

	(void)state;
	for (uint32_t i = 0; i < 200; i++) {
		struct seg s = data_seg(RCV + i, 1, iss + 1);

		inject(&s);
	}
	while (next_seg(&got))
		;
	/* 200 one-byte segments take a few buffers, not 200 (Linux's tcp_try_coalesce). */
	assert_true(skb_queue_len(&sk->sk_receive_queue) < 10);
	assert_true(__atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED) < 20000);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 200);
	for (int i = 0; i < 200; i++)
		assert_int_equal(buf[i], seg_pattern(RCV + (uint32_t)i));
	harness_close(sk);
}

static void test_sack_off_with_tcp_sack_0(void **state)
{
	struct sock *sk = (sysctl_tcp_sack = 0, est(0, 1));
	struct seg s = data_seg(RCV + 100, 100, iss + 1);
	const struct seg *a;

	(void)state;
	/* tcp_sack=0: the peer's SACK-permitted is not taken. */
	assert_false(tcp_sk(sk)->rx_opt.sack_ok);
	inject(&s);
	a = EXPECT_ACK(RCV);
	assert_int_equal(a->nsack, 0);
	harness_close(sk);
}

static void test_data_with_sack_blocks_fits_mtu(void **state)
{
	struct sock *sk = est(1, 1);
	struct seg s = data_seg(RCV + 1000, 100, iss + 1), got;
	int frames = 0, with_blocks = 0;

	(void)state;
	s.ts = 1;
	s.tsval = TS_PEER + 10;
	inject(&s);	/* a hole: our segments now carry a SACK block if they can */
	assert_true(next_seg(&got));
	assert_int_equal(got.nsack, 1);
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	send_bytes(sk, 3000);
	while (next_seg(&got)) {
		/* IP 20 + TCP 20 + options + payload must fit the 1500-byte MTU (DF is set). */
		unsigned int opts = 12 + (got.nsack ? 4 + 8u * (unsigned int)got.nsack : 0);

		assert_true(20 + 20 + opts + got.len <= 1500);
		with_blocks += got.nsack > 0;
		frames++;
	}
	assert_true(frames >= 3);
	assert_true(with_blocks >= 1);	/* the short last segment still has room */
	assert_int_equal(tcp_sk(sk)->snd_nxt, iss + 1 + 3000);
	harness_close(sk);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_harness_setup, tcp_harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_data_in_order_delivered_and_acked),
		T(test_delayed_ack_after_quickacks),
		T(test_ack_every_second_full_segment),
		T(test_out_of_order_dupack_with_sack_then_fill),
		T(test_ofo_overlaps_and_duplicates),
		T(test_retransmission_overlap_trimmed),
		T(test_old_duplicate_acked_not_delivered),
		T(test_segment_without_ack_dropped),
		T(test_data_past_window_trimmed),
		T(test_zero_window),
		T(test_acceptability_edges),
		T(test_fin_close_wait_eof),
		T(test_fin_out_of_order_waits),
		T(test_backlog_while_owned),
		T(test_backlog_overflow_counted),
		T(test_ack_frees_and_stops_timer),
		T(test_partial_ack_trims_head),
		T(test_rto_backoff_then_karn),
		T(test_timestamp_rtt_on_retransmission),
		T(test_window_update_rules),
		T(test_window_scaled),
		T(test_fast_retransmit_newreno),
		T(test_dupacks_need_same_window),
		T(test_slow_start_grows_cwnd),
		T(test_loss_recovery_after_rto),
		T(test_peer_zero_window_then_opens),
		T(test_ofo_pruned_when_buffer_full),
		T(test_urgent_data_inline),
		T(test_simultaneous_rst_and_data_dropped_outside),
		T(test_tiny_segments_coalesced),
		T(test_sack_off_with_tcp_sack_0),
		T(test_data_with_sack_blocks_fits_mtu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
