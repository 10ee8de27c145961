/*
 * What every segment of a synchronized connection passes before its data
 * counts (tcp_validate_incoming): RFC 5961 challenge ACKs for RSTs, SYNs and
 * ACKs out of range, RFC 7323 timestamps and PAWS, and the rate-limited
 * answer to a segment outside the window (Linux's tcp_oow_rate_limited).
 */
#include "tcp_est.h"
#include <net/ipv4/tcp_input.h>
#include <cmocka.h>
#include <kernel/errno.h>
#include <string.h>

/*
 * Linux's tcp_invalid_ratelimit: out-of-window bare ACKs get one dupACK per
 * 500 ms (an ACK loop cannot form); out-of-window data is always answered.
 */
static void test_out_of_window_acks_rate_limited(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV + 100000, 0, iss + 1);

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV);
	inject(&s);
	inject(&s);
	expect_nothing();
	assert_int_equal(mib_delta(LINUX_MIB_TCPACKSKIPPEDSEQ), 2);
	s = data_seg(RCV + 100000, 10, iss + 1);	/* data: not an ACK loop */
	inject(&s);
	EXPECT_ACK(RCV);
	advance_ms(500);
	s = data_seg(RCV + 100000, 0, iss + 1);
	inject(&s);
	EXPECT_ACK(RCV);
	assert_int_equal(mib_delta(LINUX_MIB_TCPACKSKIPPEDSEQ), 2);
	harness_close(sk);
}

/* ---- RFC 5961 ---- */

static void test_ack_of_unsent_data_challenged(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 10, iss + 5000);

	(void)state;
	inject(&s);
	/* RFC 5961 §5.2 / RFC 9293: ACK above SND.NXT: drop, send an ACK. */
	EXPECT_ACK(RCV);
	assert_int_equal(tcp_sk(sk)->rcv_nxt, RCV);
	assert_int_equal(mib_delta(LINUX_MIB_TCPCHALLENGEACK), 1);
	harness_close(sk);
}

static void test_ack_too_old_challenged(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = data_seg(RCV, 10, iss + 1 - 70000);

	(void)state;
	inject(&s);	/* below SND.UNA - MAX.SND.WND (65535) */
	EXPECT_ACK(RCV);
	assert_int_equal(tcp_sk(sk)->rcv_nxt, RCV);
	/* An old ACK inside MAX.SND.WND is ignored, but the data is taken. */
	s.ack = iss + 1 - 1000;
	inject(&s);
	EXPECT_ACK(RCV + 10);
	harness_close(sk);
}

static void test_rst_exact_resets(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_RST, .seq = RCV };

	(void)state;
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ECONNRESET);
	assert_int_equal(mib_delta(TCP_MIB_ESTABRESETS), 1);
	harness_close(sk);
}

static void test_rst_in_window_challenge_ack(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_RST | TCPHDR_ACK, .seq = RCV + 100, .ack = 0 };

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV);
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	assert_int_equal(mib_delta(LINUX_MIB_TCPCHALLENGEACK), 1);
	/* Outside the window: silently dropped. */
	s.seq = RCV + 1000000;
	inject(&s);
	s.seq = RCV - 1;
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	harness_close(sk);
}

static void test_syn_in_established_challenge_ack(void **state)
{
	struct sock *sk = est(0, 0);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = RCV + 10 };
	int acks = 0;
	struct seg got;

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV);
	s.seq = RCV - 500000;	/* out of window too */
	inject(&s);
	EXPECT_ACK(RCV);
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	assert_int_equal(mib_delta(LINUX_MIB_TCPSYNCHALLENGE), 2);
	/* RFC 5961 §7: challenge ACKs are rate limited. */
	for (int i = 0; i < 30; i++)
		inject(&s);
	while (next_seg(&got))
		acks++;
	assert_true(acks < 30);
	harness_close(sk);
}

/* ---- timestamps and PAWS (RFC 7323) ---- */

static struct seg ts_seg(uint32_t seq, unsigned int len, uint32_t tsval)
{
	struct seg s = data_seg(seq, len, iss + 1);

	s.ts = 1;
	s.tsval = tsval;
	return s;
}

static void test_ts_recent_update_and_echo(void **state)
{
	struct sock *sk = est(1, 0);
	struct seg s = ts_seg(RCV, 10, TS_PEER + 100);

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV + 10, .ts = 1, .tsecr = TS_PEER + 100, .any = ANY_WIN | ANY_TSVAL);
	assert_int_equal(tcp_sk(sk)->rx_opt.ts_recent, TS_PEER + 100);
	/* Out of order: SEG.SEQ > Last.ACK.sent: TS.Recent keeps the older value. */
	s = ts_seg(RCV + 100, 10, TS_PEER + 200);
	inject(&s);
	EXPECT_ACK(RCV + 10, .ts = 1, .tsecr = TS_PEER + 100, .any = ANY_WIN | ANY_TSVAL);
	harness_close(sk);
}

static void test_paws_rejects_old_tsval(void **state)
{
	struct sock *sk = est(1, 0);
	struct seg s = ts_seg(RCV, 10, TS_PEER + 100);

	(void)state;
	inject(&s);
	EXPECT_ACK(RCV + 10, .ts = 1, .tsecr = TS_PEER + 100, .any = ANY_WIN | ANY_TSVAL);
	s = ts_seg(RCV + 10, 10, TS_PEER + 50);	/* in window, but an old timestamp */
	inject(&s);
	EXPECT_ACK(RCV + 10, .ts = 1, .tsecr = TS_PEER + 100, .any = ANY_WIN | ANY_TSVAL);
	assert_int_equal(tcp_sk(sk)->rcv_nxt, RCV + 10);
	assert_int_equal(mib_delta(LINUX_MIB_PAWSESTABREJECTED), 1);
	/* A RST is not subject to PAWS (RFC 7323 §5.3 R1). */
	s = ts_seg(RCV + 10, 0, TS_PEER + 50);
	s.flags = TCPHDR_RST;
	inject(&s);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	harness_close(sk);
}

static void test_paws_24_days(void **state)
{
	struct sock *sk = est(1, 0);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s = ts_seg(RCV, 10, TS_PEER - 1000);

	(void)state;
	/* RFC 7323 §5.5: after 24 days idle TS.Recent is invalid: accept. */
	tp->rx_opt.ts_recent_stamp = jiffies - 25ULL * 24 * 3600 * HZ;
	inject(&s);
	EXPECT_ACK(RCV + 10, .ts = 1, .tsecr = TS_PEER - 1000, .any = ANY_WIN | ANY_TSVAL);
	harness_close(sk);
}

static void test_missing_timestamp_accepted(void **state)
{
	struct sock *sk = est(1, 0);
	struct seg s = data_seg(RCV, 10, iss + 1);

	(void)state;
	/* RFC 7323 §3.2 says SHOULD drop; Linux accepts, and so do we. */
	inject(&s);
	EXPECT_ACK(RCV + 10, .any = ANY_WIN | ANY_TSVAL | ANY_TSECR);
	harness_close(sk);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_harness_setup, tcp_harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ack_of_unsent_data_challenged),
		T(test_ack_too_old_challenged),
		T(test_rst_exact_resets),
		T(test_rst_in_window_challenge_ack),
		T(test_syn_in_established_challenge_ack),
		T(test_ts_recent_update_and_echo),
		T(test_paws_rejects_old_tsval),
		T(test_paws_24_days),
		T(test_missing_timestamp_accepted),
		T(test_out_of_window_acks_rate_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
