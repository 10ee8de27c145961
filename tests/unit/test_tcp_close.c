/*
 * Closing a connection, as packet traces (RFC 9293 §3.6, §3.10.7.4):
 * CLOSE-WAIT and LAST-ACK (the peer closes first), FIN-WAIT-1/2 and
 * TIME-WAIT (we do), CLOSING (both at once), data after close (RFC 1122
 * §4.2.2.13), TIME_WAIT mini-sockets (RFC 1337, RFC 6191), and orphans.
 */
#include "tcp_harness.h"
#include <cmocka.h>
#include <kernel/errno.h>

#define RCV (REMOTE_ISN + 1)

static uint32_t iss;

static struct sock *est(int ts)
{
	struct hs_opts o = { .wscale = -1, .ts = ts };

	return harness_established(&o, &iss, NULL);
}

static struct seg peer(uint8_t flags, uint32_t seq, uint32_t ack)
{
	return (struct seg){ SEG_TEMPL, .flags = flags, .seq = seq, .ack = ack };
}

#define EXPECT(fl, sq, ak, ...) \
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = (fl), .seq = (sq), .ack = (ak), __VA_ARGS__ })
#define ACKFIN (TCPHDR_ACK | TCPHDR_FIN)

/* Anything in ehash for our 4-tuple, as what kind (TCP_* state), or -1. */
static int ehash_state(void)
{
	struct sock *sk = __inet_lookup_established(&tcp_hashinfo, REMOTE_IP, htons(REMOTE_PORT),
						    LOCAL_IP, LOCAL_PORT);
	int state;

	if (!sk)
		return -1;
	state = sk->sk_state;
	sock_gen_put(sk);
	return state;
}

/* We close first: FIN out, FIN-WAIT-1. */
static void our_fin(struct sock *sk)
{
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	lock_sock(sk);
	tcp_shutdown(sk, SEND_SHUTDOWN);
	release_sock(sk);
	EXPECT(ACKFIN, iss + 1, RCV, .any = ANY_WIN);
	assert_int_equal(sk->sk_state, TCP_FIN_WAIT1);
}

/* ---- the peer closes first ---- */

static void test_passive_close(void **state)
{
	struct sock *sk = est(0);
	struct seg s = peer(ACKFIN, RCV, iss + 1);

	(void)state;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 1, RCV + 1, .any = ANY_WIN);
	assert_int_equal(sk->sk_state, TCP_CLOSE_WAIT);
	harness_close(sk);	/* close(): our FIN, LAST-ACK */
	EXPECT(ACKFIN, iss + 1, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_LAST_ACK);
	s = peer(TCPHDR_ACK, RCV + 1, iss + 2);
	inject(&s);
	expect_nothing();
	assert_int_equal(ehash_state(), -1);	/* CLOSED, gone */
	assert_int_equal(mib_delta(TCP_MIB_ESTABRESETS), 0);
}

static void test_last_ack_retransmits_fin(void **state)
{
	struct sock *sk = est(0);
	struct seg s = peer(ACKFIN, RCV, iss + 1);
	struct seg got;

	(void)state;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 1, RCV + 1, .any = ANY_WIN);
	harness_close(sk);
	EXPECT(ACKFIN, iss + 1, RCV + 1, .any = ANY_WIN);
	/* The peer retransmits its FIN (our ACK was lost): ACK it again, stay in LAST-ACK. */
	inject(&s);
	assert_true(next_seg(&got));
	assert_int_equal(got.ack, RCV + 1);
	assert_int_equal(ehash_state(), TCP_LAST_ACK);
	advance_ms(1500);	/* our FIN again, after the RTO */
	assert_true(next_seg(&got));
	assert_int_equal(got.flags, ACKFIN);
	s = peer(TCPHDR_ACK, RCV + 1, iss + 2);
	inject(&s);
	assert_int_equal(ehash_state(), -1);
}

static void test_close_wait_data_ignored_after_fin(void **state)
{
	struct sock *sk = est(0);
	struct seg s = peer(ACKFIN, RCV, iss + 1);

	(void)state;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 1, RCV + 1, .any = ANY_WIN);
	/* Nothing can follow the peer's FIN: text above it is not queued. */
	s = peer(TCPHDR_ACK, RCV + 1, iss + 1);
	s.len = 10;
	inject(&s);
	assert_int_equal(skb_queue_len(&sk->sk_receive_queue), 0);
	assert_int_equal(tcp_sk(sk)->rcv_nxt, RCV + 1);
	while (next_seg(&s))
		;
	harness_close(sk);
}

static void test_rst_in_close_wait_at_rcv_nxt_minus_one(void **state)
{
	struct sock *sk = est(0);
	struct seg s = peer(ACKFIN, RCV, iss + 1);

	(void)state;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 1, RCV + 1, .any = ANY_WIN);
	/* RFC 5961 §3.2 as Linux: after the FIN, RCV.NXT - 1 counts as exact. */
	s = peer(TCPHDR_RST, RCV, 0);
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, EPIPE);
	harness_close(sk);
}

/* ---- we close first ---- */

static void test_active_close_time_wait(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	tcp_tw_ms = 1000;
	our_fin(sk);
	s = peer(TCPHDR_ACK, RCV, iss + 2);
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_FIN_WAIT2);
	s = peer(ACKFIN, RCV, iss + 2);
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	harness_close(sk);
	advance_ms(990);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	advance_ms(20);
	assert_int_equal(ehash_state(), -1);	/* 2*MSL (tcp_tw_ms) later: gone */
	assert_int_equal(mib_delta(LINUX_MIB_TW), 1);
}

static void test_fin_wait1_finack_straight_to_time_wait(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	our_fin(sk);
	s = peer(ACKFIN, RCV, iss + 2);	/* acks our FIN and brings theirs */
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	harness_close(sk);
}

static void test_simultaneous_close_closing(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	our_fin(sk);
	s = peer(ACKFIN, RCV, iss + 1);	/* their FIN, not acking ours */
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(sk->sk_state, TCP_CLOSING);
	s = peer(TCPHDR_ACK, RCV + 1, iss + 2);
	inject(&s);
	expect_nothing();
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	harness_close(sk);
}

static void test_half_close_still_receives(void **state)
{
	struct sock *sk = est(0);
	struct seg s;
	char buf[32];

	(void)state;
	our_fin(sk);
	s = peer(TCPHDR_ACK, RCV, iss + 2);
	inject(&s);
	assert_int_equal(sk->sk_state, TCP_FIN_WAIT2);
	/* shutdown(SHUT_WR) leaves receiving open. */
	s = peer(TCPHDR_ACK | TCPHDR_PSH, RCV, iss + 2);
	s.len = 20;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 20, .any = ANY_WIN);
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 20);
	harness_close(sk);
}

static void test_data_after_close_resets(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	harness_close(sk);	/* close(): FIN-WAIT-1, orphaned */
	EXPECT(ACKFIN, iss + 1, RCV, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_FIN_WAIT1);
	s = peer(TCPHDR_ACK | TCPHDR_PSH, RCV, iss + 2);
	s.len = 10;
	inject(&s);
	/* RFC 1122 §4.2.2.13: data for a closed receiver → RST. */
	EXPECT(TCPHDR_RST, iss + 2, 0, .win = 0, .any = 0);
	assert_int_equal(mib_delta(LINUX_MIB_TCPABORTONDATA), 1);
	assert_int_equal(ehash_state(), -1);
}

static void test_orphan_fin_wait2_times_out(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	tcp_tw_ms = 1000;
	tcp_sk(sk)->linger2 = (int)msecs_to_jiffies(500);	/* TCP_LINGER2 */
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	harness_close(sk);
	EXPECT(ACKFIN, iss + 1, RCV, .any = ANY_WIN);
	s = peer(TCPHDR_ACK, RCV, iss + 2);
	inject(&s);
	/* An orphan in FIN-WAIT-2 waits as a mini-socket, for linger2 at least 3.5 RTO. */
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	advance_ms(2000);
	assert_int_equal(ehash_state(), -1);
}

static void test_orphan_fin_wait2_gets_fin(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	harness_close(sk);
	EXPECT(ACKFIN, iss + 1, RCV, .any = ANY_WIN);
	s = peer(TCPHDR_ACK, RCV, iss + 2);
	inject(&s);
	s = peer(ACKFIN, RCV, iss + 2);
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	/* Data in the FIN-WAIT-2 substate (after close): RST. */
	s = peer(TCPHDR_ACK, RCV + 1, iss + 2);
	s.len = 5;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);	/* past TIME_WAIT's window: ACK */
}

/* ---- TIME_WAIT ---- */

/* Connection to TIME_WAIT; the socket itself is closed and gone. */
static void to_time_wait(int ts)
{
	struct sock *sk = est(ts);
	struct seg s;

	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	lock_sock(sk);
	tcp_shutdown(sk, SEND_SHUTDOWN);
	release_sock(sk);
	assert_true(next_seg(&s));
	s = peer(ACKFIN, RCV, iss + 2);
	s.ts = ts;
	s.tsval = TS_PEER + 10;
	inject(&s);
	assert_true(next_seg(&s));
	harness_close(sk);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
}

static void test_time_wait_retransmitted_fin_reacked_timer_restarts(void **state)
{
	struct seg s;

	(void)state;
	tcp_tw_ms = 1000;
	to_time_wait(0);
	advance_ms(800);
	s = peer(ACKFIN, RCV, iss + 2);
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	advance_ms(800);	/* 1.6 s after entering, 0.8 s after the restart */
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	advance_ms(300);
	assert_int_equal(ehash_state(), -1);
}

static void test_time_wait_rst_ignored(void **state)
{
	struct seg s;

	(void)state;
	to_time_wait(0);
	s = peer(TCPHDR_RST, RCV + 1, 0);	/* in window: TIME-WAIT assassination */
	inject(&s);
	s = peer(TCPHDR_RST | TCPHDR_ACK, RCV + 1, iss + 2);
	inject(&s);
	expect_nothing();
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);	/* RFC 1337 */
}

static void test_time_wait_data_acked(void **state)
{
	struct seg s;

	(void)state;
	to_time_wait(0);
	s = peer(TCPHDR_ACK, RCV + 1, iss + 2);
	s.len = 10;
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
}

static void test_time_wait_new_syn_reopens(void **state)
{
	struct sock *l, *c;
	const struct seg *sa;
	struct seg s;

	(void)state;
	to_time_wait(0);
	l = harness_listen(LOCAL_PORT, 8);
	/* RFC 6191 / Linux: a SYN above the old sequence space reopens, ISN above our old one. */
	s = peer(TCPHDR_SYN, RCV + 100000, 0);
	inject(&s);
	sa = expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK, .ack = RCV + 100001,
				       .any = ANY_SEQ | ANY_WIN });
	assert_int_equal(sa->seq, iss + 2 + 65535 + 2);
	s = peer(TCPHDR_ACK, RCV + 100001, sa->seq + 1);
	inject(&s);
	c = harness_accept(l);
	assert_non_null(c);
	assert_int_equal(c->sk_state, TCP_ESTABLISHED);
	harness_close(c);
	harness_close(l);
}

static void test_time_wait_old_syn_acked(void **state)
{
	struct sock *l;
	struct seg s;

	(void)state;
	to_time_wait(0);
	l = harness_listen(LOCAL_PORT, 8);
	s = peer(TCPHDR_SYN, RCV - 1000, 0);	/* below: an old duplicate */
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	harness_close(l);
}

static void test_time_wait_syn_newer_timestamp_reopens(void **state)
{
	struct sock *l;
	struct seg s;

	(void)state;
	to_time_wait(1);
	l = harness_listen(LOCAL_PORT, 8);
	/* A lower sequence number, but a newer timestamp: RFC 6191 lets it in. */
	s = peer(TCPHDR_SYN, RCV - 1000, 0);
	s.ts = 1;
	s.tsval = TS_PEER + 1000;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK, .ack = RCV - 999,
				  .any = ANY_SEQ | ANY_WIN | ANY_TSVAL | ANY_TSECR });
	harness_close(l);
}

static void test_time_wait_paws(void **state)
{
	struct seg s;

	(void)state;
	to_time_wait(1);
	s = peer(TCPHDR_ACK, RCV + 1, iss + 2);
	s.ts = 1;
	s.tsval = TS_PEER;	/* older than the FIN's */
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .ts = 1, .tsecr = TS_PEER + 10,
	       .any = ANY_WIN | ANY_TSVAL);
	assert_int_equal(mib_delta(LINUX_MIB_PAWSESTABREJECTED), 1);
}

static void test_time_wait_syn_without_listener_acked(void **state)
{
	struct seg s;

	(void)state;
	to_time_wait(0);
	s = peer(TCPHDR_SYN, RCV + 100000, 0);	/* would reopen, but nobody listens */
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
}

static void test_shutdown_rdwr_then_data_resets(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	lock_sock(sk);
	sk->sk_shutdown |= RCV_SHUTDOWN;	/* shutdown(SHUT_RDWR) */
	tcp_shutdown(sk, SHUTDOWN_MASK);
	release_sock(sk);
	EXPECT(ACKFIN, iss + 1, RCV, .any = ANY_WIN);
	s = peer(TCPHDR_ACK, RCV, iss + 2);
	s.len = 8;
	inject(&s);
	EXPECT(TCPHDR_RST, iss + 2, 0, .win = 0, .any = 0);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(mib_delta(LINUX_MIB_TCPABORTONDATA), 1);
	harness_close(sk);
}

static void test_orphan_fin_wait2_long_linger_keeps_socket(void **state)
{
	struct sock *sk = est(0);
	struct seg s;

	(void)state;
	tcp_tw_ms = 500;	/* FIN timeout (60 s) outlasts TIME_WAIT: the full socket waits */
	tcp_sk(sk)->nonagle = TCP_NAGLE_OFF;
	harness_close(sk);
	EXPECT(ACKFIN, iss + 1, RCV, .any = ANY_WIN);
	s = peer(TCPHDR_ACK, RCV, iss + 2);
	inject(&s);
	assert_int_equal(ehash_state(), TCP_FIN_WAIT2);
	s = peer(ACKFIN, RCV, iss + 2);
	inject(&s);
	EXPECT(TCPHDR_ACK, iss + 2, RCV + 1, .any = ANY_WIN);
	assert_int_equal(ehash_state(), TCP_TIME_WAIT);
	advance_ms(600);
	assert_int_equal(ehash_state(), -1);
}

static void test_time_wait_bounded(void **state)
{
	unsigned int max = tcp_hashinfo.ehash_mask + 1, tws = 0;

	(void)state;
	tcp_tw_ms = 60000;
	/* More closes than the table may hold in TIME_WAIT: the rest just close (Linux). */
	for (unsigned int i = 0; i < max + 8; i++) {
		struct sock *sk = harness_socket();

		sk->sk_daddr = REMOTE_IP;
		sk->sk_rcv_saddr = LOCAL_IP;
		sk->sk_dport = htons((uint16_t)(10000 + i));
		sk->sk_num = LOCAL_PORT;
		sk->sk_state = TCP_ESTABLISHED;
		assert_int_equal(inet_ehash_insert(&tcp_hashinfo, sk), 0);
		lock_sock(sk);
		tcp_time_wait(sk, TCP_TIME_WAIT, 0);
		release_sock(sk);
		harness_close(sk);
	}
	for (unsigned int i = 0; i < max + 8; i++) {
		struct sock *sk = __inet_lookup_established(&tcp_hashinfo, REMOTE_IP,
							    htons((uint16_t)(10000 + i)), LOCAL_IP,
							    LOCAL_PORT);

		if (sk) {
			tws += sk->sk_state == TCP_TIME_WAIT;
			sock_gen_put(sk);
		}
	}
	assert_int_equal(tws, max);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_harness_setup, tcp_harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_passive_close),
		T(test_last_ack_retransmits_fin),
		T(test_close_wait_data_ignored_after_fin),
		T(test_rst_in_close_wait_at_rcv_nxt_minus_one),
		T(test_active_close_time_wait),
		T(test_fin_wait1_finack_straight_to_time_wait),
		T(test_simultaneous_close_closing),
		T(test_half_close_still_receives),
		T(test_data_after_close_resets),
		T(test_orphan_fin_wait2_times_out),
		T(test_orphan_fin_wait2_gets_fin),
		T(test_time_wait_retransmitted_fin_reacked_timer_restarts),
		T(test_time_wait_rst_ignored),
		T(test_time_wait_data_acked),
		T(test_time_wait_new_syn_reopens),
		T(test_time_wait_old_syn_acked),
		T(test_time_wait_syn_newer_timestamp_reopens),
		T(test_time_wait_paws),
		T(test_time_wait_syn_without_listener_acked),
		T(test_shutdown_rdwr_then_data_resets),
		T(test_orphan_fin_wait2_long_linger_keeps_socket),
		T(test_time_wait_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
