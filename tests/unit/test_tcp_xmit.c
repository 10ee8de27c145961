/*
 * The output side with the real input side (the packet-trace harness,
 * tests/unit/tcp_harness.h): what we send in answer to what the peer
 * does — segments cut to the peer's MSS, Nagle released by a real ACK,
 * zero-window probes until a real window update, window updates after
 * the application reads, keepalive probes answered, SACK blocks for
 * out-of-order data, timestamps echoed, RTO backoff collapsing after an
 * ACK, and SO_LINGER 0 / unread-data resets.
 */
#include "tcp_harness.h"
#include <cmocka.h>
#include <kernel/errno.h>
#include <string.h>

#define RCV (REMOTE_ISN + 1)

static uint32_t iss;

static struct sock *est_opts(int mss, int wscale, int ts, int sack, uint16_t win)
{
	struct hs_opts o = { .mss = mss, .wscale = wscale, .ts = ts, .sack_perm = sack, .win = win };

	return harness_established(&o, &iss, NULL);
}

/* The peer's pure ACK of @ack with window @win. */
static void peer_ack(uint32_t ack, uint16_t win)
{
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = RCV, .ack = ack, .win = win };

	inject(&s);
}

static void test_segments_cut_to_peer_mss(void **state)
{
	struct sock *sk = est_opts(500, -1, 0, 0, 0);
	static uint8_t buf[1200];

	(void)state;
	memset(buf, 'm', sizeof(buf));
	assert_int_equal(harness_send(sk, buf, sizeof(buf)), sizeof(buf));
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = RCV,
				  .any = ANY_WIN | ANY_LEN | ANY_PSH });
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 501, .ack = RCV,
				  .any = ANY_WIN | ANY_LEN | ANY_PSH });
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = iss + 1001,
				  .ack = RCV, .any = ANY_WIN | ANY_LEN });
	expect_nothing();
	peer_ack(iss + 1201, 65535);
	harness_close(sk);
}

static void test_nagle_released_by_ack(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 0, 0);

	(void)state;
	assert_int_equal(harness_send(sk, "a", 1), 1);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = iss + 1,
				  .ack = RCV, .data = "a", .len = 1 });
	assert_int_equal(harness_send(sk, "b", 1), 1);
	assert_int_equal(harness_send(sk, "c", 1), 1);
	expect_nothing();
	peer_ack(iss + 2, 65535);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = iss + 2,
				  .ack = RCV, .data = "bc", .len = 2 });
	peer_ack(iss + 4, 65535);
	harness_close(sk);
}

static void test_zero_window_probes_until_update(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 0, 0);
	int probes = 0;
	struct seg got;

	(void)state;
	peer_ack(iss + 1, 0);	/* the window closes */
	assert_int_equal(harness_send(sk, "wait", 4), 4);
	expect_nothing();
	for (int i = 0; i < 400 && probes < 4; i++) {
		advance_ms(100);
		while (next_seg(&got)) {
			assert_int_equal(got.seq, iss);	/* snd_una - 1 */
			assert_int_equal(got.len, 0);
			probes++;
			peer_ack(iss + 1, 0);	/* answered, still closed */
		}
	}
	assert_int_equal(probes, 4);	/* backing off: RTO, 2 RTO, 4 RTO, ... */
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	peer_ack(iss + 1, 65535);	/* the update sends the data at once */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = iss + 1,
				  .ack = RCV, .data = "wait", .len = 4 });
	peer_ack(iss + 5, 65535);
	harness_close(sk);
}

static void test_window_update_when_reader_catches_up(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 0, 0);
	uint32_t seq = RCV, edge = RCV + 65535;
	static uint8_t buf[300000];
	struct seg got;
	int n = 0;

	(void)state;
	/* The peer fills exactly what we offer, nothing is read: the window closes. */
	while (after(edge, seq + 1459) && n++ < 500) {
		struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = seq, .ack = iss + 1, .len = 1460 };

		inject(&s);
		seq += 1460;
		advance_ms(250);	/* every ACK, delayed or not */
		while (next_seg(&got)) {
			assert_false(before(got.ack + got.win, edge));	/* never shrinks */
			edge = got.ack + got.win;
		}
	}
	assert_int_equal(mib_delta(LINUX_MIB_TCPRCVQDROP), 0);	/* all in-window data fitted */
	assert_true(edge - seq < 1460);
	assert_true(harness_recv(sk, buf, sizeof(buf)) > 0);
	assert_true(next_seg(&got));	/* the update, at once */
	assert_true(got.win >= 30000);
	harness_close(sk);
}

static void test_keepalive_answered_keeps_connection(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 0, 0);
	int idle = 2, intvl = 1, cnt = 2;
	struct seg got;

	(void)state;
	sock_set_flag(sk, SOCK_KEEPOPEN);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 4, &idle, sizeof(idle)), 0);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 5, &intvl, sizeof(intvl)), 0);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 6, &cnt, sizeof(cnt)), 0);
	for (int round = 0; round < 3; round++) {
		advance_ms(2100);
		assert_true(next_seg(&got));
		assert_int_equal(got.flags, TCPHDR_ACK);
		assert_int_equal(got.seq, iss);	/* snd_una - 1 */
		peer_ack(iss + 1, 65535);	/* the peer is alive */
		expect_nothing();
	}
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	advance_ms(2100 + 1000);	/* now silent: two probes, then a RST */
	for (int i = 0; i < 2; i++) {
		assert_true(next_seg(&got));
		assert_int_equal(got.seq, iss);
	}
	advance_ms(1100);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_RST, .seq = iss + 1,
				  .ack = RCV });
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ETIMEDOUT);
	harness_close(sk);
}

static void test_sack_blocks_for_out_of_order_data(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 1, 0);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = RCV + 1000, .ack = 0, .len = 500 };
	struct seg got;

	(void)state;
	s.ack = iss + 1;
	inject(&s);	/* a hole before it: a duplicate ACK with the block */
	assert_true(next_seg(&got));
	assert_int_equal(got.ack, RCV);
	assert_int_equal(got.nsack, 1);
	assert_int_equal(got.sack[0].start_seq, RCV + 1000);
	assert_int_equal(got.sack[0].end_seq, RCV + 1500);
	s.seq = RCV + 2000;
	inject(&s);
	assert_true(next_seg(&got));
	assert_int_equal(got.nsack, 2);
	assert_int_equal(got.sack[0].start_seq, RCV + 2000);	/* the newest first (RFC 2018 §4) */
	s.seq = RCV;
	s.len = 1000;
	inject(&s);	/* the hole filled: cumulative ACK past the first block */
	while (next_seg(&got))
		;
	assert_int_equal(got.ack, RCV + 1500);
	assert_int_equal(got.nsack, 1);
	harness_close(sk);
}

static void test_timestamps_echo_latest(void **state)
{
	struct sock *sk = est_opts(0, -1, 1, 0, 0);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = RCV, .ack = 0, .len = 10,
			 .ts = 1, .tsval = TS_PEER + 50, .tsecr = 0 };
	struct seg got;
	uint32_t first;

	(void)state;
	s.ack = iss + 1;
	inject(&s);
	assert_true(next_seg(&got));
	assert_true(got.ts);
	assert_int_equal(got.tsecr, TS_PEER + 50);
	first = got.tsval;
	advance_ms(1000);
	assert_int_equal(harness_send(sk, "t", 1), 1);
	assert_true(next_seg(&got));
	assert_int_equal(got.tsecr, TS_PEER + 50);
	assert_true(got.tsval - first >= 996 && got.tsval - first <= 1004);	/* a millisecond clock */
	harness_close(sk);
}

static void test_rto_backoff_collapses_after_ack(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 0, 0);
	uint32_t rto0 = inet_csk(sk)->icsk_rto;
	struct seg got;

	(void)state;
	assert_int_equal(harness_send(sk, "x", 1), 1);
	assert_true(next_seg(&got));
	for (int i = 0; i < 3; i++) {
		advance_ms(8000);
		while (next_seg(&got))
			assert_int_equal(got.seq, iss + 1);
	}
	assert_true(inet_csk(sk)->icsk_backoff >= 3);
	assert_true(inet_csk(sk)->icsk_rto >= rto0 << 3);
	peer_ack(iss + 2, 65535);	/* acks a retransmission: no RTT sample (Karn) */
	assert_int_equal(inet_csk(sk)->icsk_retransmits, 0);
	assert_int_equal(harness_send(sk, "y", 1), 1);
	assert_true(next_seg(&got));
	assert_int_equal(got.seq, iss + 2);
	advance_ms(20);
	peer_ack(iss + 3, 65535);	/* a fresh sample: the RTO collapses (RFC 6298 §5.7 note) */
	assert_int_equal(inet_csk(sk)->icsk_backoff, 0);
	assert_true(inet_csk(sk)->icsk_rto < rto0 << 3);
	harness_close(sk);
}

static void test_close_with_unread_data_sends_rst(void **state)
{
	struct sock *sk = est_opts(0, -1, 0, 0, 0);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = RCV, .ack = 0, .len = 5 };
	struct seg got;

	(void)state;
	s.ack = iss + 1;
	inject(&s);
	while (next_seg(&got))
		;
	harness_close(sk);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_RST, .seq = iss + 1,
				  .ack = RCV + 5 });
	assert_int_equal(mib_delta(LINUX_MIB_TCPABORTONCLOSE), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_harness_setup, tcp_harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_segments_cut_to_peer_mss),
		T(test_nagle_released_by_ack),
		T(test_zero_window_probes_until_update),
		T(test_window_update_when_reader_catches_up),
		T(test_keepalive_answered_keeps_connection),
		T(test_sack_blocks_for_out_of_order_data),
		T(test_timestamps_echo_latest),
		T(test_rto_backoff_collapses_after_ack),
		T(test_close_with_unread_data_sends_rst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
