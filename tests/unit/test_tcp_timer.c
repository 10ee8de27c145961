/*
 * TCP timers driven by jiffies (tcp_timer.c): the RTO and its backoff
 * (RFC 6298), giving up after tcp_retries2 / tcp_syn_retries, the
 * delayed ACK (40 ms floor, 200 ms ceiling, an earlier deadline stands),
 * zero-window probes backing off without timing out while answered,
 * keepalive (idle, interval, count, probe seq = snd_una - 1), an orphan's
 * FIN_WAIT2 timeout, SYN-ACK retransmissions of a listener's requests,
 * and a timer that finds its socket owned by a system call. Times are
 * checked to the jiffy (HZ = 250 hosted: 4 ms).
 */
#include "tcp_out_helper.h"
#include <kernel/errno.h>
#include <string.h>

/* Advance jiffy by jiffy until something is sent (or @max_ms passes); the ms it took. */
static uint64_t ms_until_sent(uint64_t max_ms)
{
	uint64_t start = jiffies;

	while (!tcp_tx_pending() && (jiffies - start) * 1000 / HZ < max_ms)
		advance_ms(1000 / HZ);
	return (jiffies - start) * 1000 / HZ;
}

static void abort_and_put(struct sock *sk)
{
	lock_sock(sk);
	tcp_disconnect(sk, 0);
	release_sock(sk);
	tcp_close(sk, 0);
	sock_orphan(sk);
	tcp_tx_purge();
	put_sock(sk);
}

static void test_rto_backoff_and_give_up(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	uint64_t expect = TCP_RTO_MIN_MS;
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "data", 4, 0), 4);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 4);
	for (int i = 1; i <= TCP_RETRIES2; i++) {
		assert_int_equal(ms_until_sent(TCP_RTO_MAX_MS + 1000), expect);
		expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 4);
		assert_int_equal(inet_csk(sk)->icsk_retransmits, i);
		expect = expect * 2 < TCP_RTO_MAX_MS ? expect * 2 : TCP_RTO_MAX_MS;
	}
	assert_int_equal(mib_delta(TCP_MIB_RETRANSSEGS), TCP_RETRIES2);
	assert_int_equal(stub_enter_loss_calls, TCP_RETRIES2);
	/* the next expiry gives up: ETIMEDOUT, closed, no segment */
	advance_ms(TCP_RTO_MAX_MS);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ETIMEDOUT);
	assert_int_equal(mib_delta(LINUX_MIB_TCPTIMEOUTS), TCP_RETRIES2 + 1);
	assert_int_equal(mib_delta(LINUX_MIB_TCPABORTONTIMEOUT), 1);
	assert_int_equal(mib_delta(TCP_MIB_ESTABRESETS), 1);
	assert_false(timer_pending(&inet_csk(sk)->icsk_retransmit_timer));
	abort_and_put(sk);
}

static void test_rto_retransmits_head_then_lost_ones(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	static uint8_t buf[3 * 1448];
	struct seg s;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(do_send(sk, buf, sizeof(buf), 0), sizeof(buf));
	for (int i = 0; i < 3; i++)
		assert_true(next_seg(&s));
	advance_ms(TCP_RTO_MIN_MS);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 1448);	/* cwnd 1: only the head */
	expect_nothing();
	assert_true(TCP_SKB_CB(tcp_write_queue_head(sk))->sacked & TCPCB_RETRANS);	/* Karn */
	fake_ack(sk, ISS + 1 + 1448, 65535 << 7);	/* cwnd 2: the other two go again */
	expect_seg(&s, TCPHDR_ACK, ISS + 1 + 1448, 1448);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1 + 2 * 1448, 1448);
	expect_nothing();
	assert_int_equal(tcp_sk(sk)->retrans_out, 2);
	fake_ack(sk, ISS + 1 + 3 * 1448, 65535 << 7);
	assert_int_equal(tcp_sk(sk)->retrans_out + tcp_sk(sk)->lost_out + tcp_sk(sk)->packets_out, 0);
	abort_and_put(sk);
}

static void test_syn_retries_then_etimedout(void **state)
{
	struct sock *sk = new_tcp_sock();
	uint64_t expect = TCP_TIMEOUT_INIT_MS, total = 0;
	struct seg s;

	(void)state;
	inet_sk(sk)->inet_saddr = SHIM_IP;
	inet_sk(sk)->inet_daddr = PEER_IP;
	inet_sk(sk)->inet_dport = htons(REMOTE_PORT);
	assert_int_equal(inet_csk_get_port(&tcp_hashinfo, sk, 0), 0);
	tcp_set_state(sk, TCP_SYN_SENT);
	assert_int_equal(inet_hash(&tcp_hashinfo, sk), 0);
	assert_int_equal(tcp_connect(sk), 0);
	expect_seg(&s, TCPHDR_SYN, ISS, 0);
	for (int i = 0; i < TCP_SYN_RETRIES; i++) {
		uint64_t t = ms_until_sent(200000);

		assert_int_equal(t, expect);
		total += t;
		expect_seg(&s, TCPHDR_SYN, ISS, 0);	/* the same SYN, options and all */
		assert_int_equal(s.mss, 1460);
		expect *= 2;
	}
	advance_ms(expect);
	total += expect;
	assert_int_equal(total, 127000);	/* 1+2+4+8+16+32+64 s, as Linux */
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ETIMEDOUT);
	assert_int_equal(mib_delta(TCP_MIB_ATTEMPTFAILS), 1);
	tcp_close(sk, 0);
	sock_orphan(sk);
	put_sock(sk);
}

static void test_syncnt_option_limits_syn_retries(void **state)
{
	struct sock *sk = new_tcp_sock();
	int two = 2, n = 0;
	struct seg s;

	(void)state;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 7 /* TCP_SYNCNT */, &two, sizeof(two)), 0);
	inet_sk(sk)->inet_saddr = SHIM_IP;
	inet_sk(sk)->inet_daddr = PEER_IP;
	inet_sk(sk)->inet_dport = htons(REMOTE_PORT);
	assert_int_equal(inet_csk_get_port(&tcp_hashinfo, sk, 0), 0);
	tcp_set_state(sk, TCP_SYN_SENT);
	assert_int_equal(inet_hash(&tcp_hashinfo, sk), 0);
	assert_int_equal(tcp_connect(sk), 0);
	advance_ms(1000 + 2000 + 4000);
	while (next_seg(&s))
		n++;
	assert_int_equal(n, 3);	/* the SYN and two retries */
	assert_int_equal(sk->sk_err, ETIMEDOUT);
	tcp_close(sk, 0);
	sock_orphan(sk);
	put_sock(sk);
}

static void test_delayed_ack_timing(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	fake_data(sk, "x", 1, 0);
	tcp_send_delayed_ack(sk);
	assert_int_equal(ms_until_sent(1000), TCP_DELACK_MIN_MS);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	assert_int_equal(s.ack, IRS + 2);
	assert_int_equal(mib_delta(LINUX_MIB_DELAYEDACKS), 1);
	/* The ACK was late: ATO doubles (not pingpong), 80 ms next time. */
	fake_data(sk, "y", 1, 0);
	tcp_send_delayed_ack(sk);
	assert_int_equal(ms_until_sent(1000), 2 * TCP_DELACK_MIN_MS);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	/* Never past 200 ms, however large ATO grows. */
	inet_csk(sk)->icsk_ack.ato = (uint32_t)msecs_to_jiffies(5000);
	fake_data(sk, "z", 1, 0);
	tcp_send_delayed_ack(sk);
	assert_int_equal(ms_until_sent(1000), TCP_DELACK_MAX_MS);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	abort_and_put(sk);
}

static void test_delayed_ack_cancelled_by_data(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	fake_data(sk, "q", 1, 0);
	tcp_send_delayed_ack(sk);
	advance_ms(8);
	assert_int_equal(do_send(sk, "r", 1, 0), 1);	/* the reply carries the ACK */
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 1);
	assert_int_equal(s.ack, IRS + 2);
	assert_false(inet_csk_ack_scheduled(sk));
	advance_ms(100);
	expect_nothing();	/* no separate delayed ACK */
	assert_int_equal(mib_delta(LINUX_MIB_DELAYEDACKS), 0);
	assert_true(inet_csk(sk)->icsk_ack.pingpong);	/* a reply within ATO: interactive */
	abort_and_put(sk);
}

static void test_zero_window_probes_never_time_out_while_answered(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);
	uint64_t expect = TCP_RTO_MIN_MS;
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "zz", 2, 0), 2);
	expect_nothing();
	for (int i = 0; i < TCP_RETRIES2 + 5; i++) {
		assert_int_equal(ms_until_sent(TCP_RTO_MAX_MS + 1000), expect);
		expect_seg(&s, TCPHDR_ACK, ISS, 0);	/* snd_una - 1, no data */
		fake_ack(sk, ISS + 1, 0);	/* answered, still closed */
		expect = expect * 2 < TCP_RTO_MAX_MS ? expect * 2 : TCP_RTO_MAX_MS;
	}
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	fake_ack(sk, ISS + 1, 65535);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 2);
	abort_and_put(sk);
}

static void test_zero_window_probes_unanswered_give_up(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);
	int n = 0;
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "zz", 2, 0), 2);
	for (int i = 0; i < 40 && sk->sk_state != TCP_CLOSE; i++)
		advance_ms(TCP_RTO_MAX_MS);
	while (next_seg(&s))
		n++;
	assert_int_equal(n, TCP_RETRIES2);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ETIMEDOUT);
	abort_and_put(sk);
}

static void test_orphan_on_zero_window_is_not_kept_for_ever(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);
	int probes = 0;
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "zz", 2, 0), 2);
	tcp_close(sk, 0);	/* orphaned with unsent data and its FIN behind a zero window */
	for (int i = 0; i < 100 && sk->sk_state != TCP_CLOSE; i++) {
		advance_ms(TCP_RTO_MAX_MS / 4);
		while (next_seg(&s)) {
			assert_int_equal(s.seq, ISS);	/* probes only */
			probes++;
			fake_ack(sk, ISS + 1, 0);	/* answered every time */
		}
	}
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_true(probes >= 8 && probes <= 10);
	put_sock(sk);
}

static void test_keepalive_probes_then_reset(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	int idle = 10, intvl = 2, cnt = 3;
	struct seg s;

	(void)state;
	sock_set_flag(sk, SOCK_KEEPOPEN);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 4, &idle, sizeof(idle)), 0);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 5, &intvl, sizeof(intvl)), 0);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 6, &cnt, sizeof(cnt)), 0);
	tcp_sk(sk)->rcv_tstamp = jiffies;
	assert_int_equal(ms_until_sent(20000), 10000);
	expect_seg(&s, TCPHDR_ACK, ISS, 0);	/* seq = snd_una - 1 */
	assert_int_equal(ms_until_sent(20000), 2000);
	expect_seg(&s, TCPHDR_ACK, ISS, 0);
	fake_ack(sk, ISS + 1, 65535);	/* answered: idle again from now */
	assert_int_equal(ms_until_sent(20000), 10000);
	expect_seg(&s, TCPHDR_ACK, ISS, 0);
	for (int i = 1; i < cnt; i++) {
		assert_int_equal(ms_until_sent(20000), 2000);
		expect_seg(&s, TCPHDR_ACK, ISS, 0);
	}
	assert_int_equal(ms_until_sent(20000), 2000);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_RST, ISS + 1, 0);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ETIMEDOUT);
	assert_int_equal(mib_delta(LINUX_MIB_TCPKEEPALIVE), 5);
	abort_and_put(sk);
}

static void test_keepalive_off_sends_nothing(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	int idle = 1;

	(void)state;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 4, &idle, sizeof(idle)), 0);
	advance_ms(5000);
	expect_nothing();
	sock_set_flag(sk, SOCK_KEEPOPEN);	/* SO_KEEPALIVE later: the timer is still watching */
	assert_true(ms_until_sent(3000) <= 1000);
	tcp_tx_purge();
	abort_and_put(sk);
}

static void test_fin_wait2_orphan_timeout(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	int linger2 = 100;
	struct seg s;

	(void)state;
	tcp_tw_ms = 10000;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 8, &linger2, sizeof(linger2)), 0);
	lock_sock(sk);
	sk->sk_shutdown |= SEND_SHUTDOWN;
	tcp_shutdown(sk, SEND_SHUTDOWN);
	release_sock(sk);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_FIN, ISS + 1, 0);
	fake_ack(sk, ISS + 2, 65535);
	tcp_set_state(sk, TCP_FIN_WAIT2);	/* the input side's move on that ACK */
	tcp_close(sk, 0);	/* 100 s > the 10 s TIME_WAIT: the timer covers the difference */
	assert_int_equal(stub_time_wait_calls, 0);
	advance_ms(89996);
	assert_int_equal(stub_time_wait_calls, 0);
	advance_ms(8);
	assert_int_equal(stub_time_wait_calls, 1);
	assert_int_equal(stub_time_wait_state, TCP_FIN_WAIT2);
	assert_int_equal(stub_time_wait_timeo, msecs_to_jiffies(10000));
	expect_nothing();
	put_sock(sk);
}

static void test_fin_wait2_short_timeout_goes_to_timewait_at_close(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	lock_sock(sk);
	sk->sk_shutdown |= SEND_SHUTDOWN;
	tcp_shutdown(sk, SEND_SHUTDOWN);
	release_sock(sk);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_FIN, ISS + 1, 0);
	fake_ack(sk, ISS + 2, 65535);
	tcp_set_state(sk, TCP_FIN_WAIT2);
	tcp_close(sk, 0);	/* 60 s default = the TIME_WAIT length: straight to a tw sock */
	assert_int_equal(stub_time_wait_calls, 1);
	assert_int_equal(stub_time_wait_state, TCP_FIN_WAIT2);
	assert_int_equal(stub_time_wait_timeo, msecs_to_jiffies(TCP_FIN_TIMEOUT_MS));
	put_sock(sk);
}

static void test_synack_retransmits_then_drop(void **state)
{
	struct sock *l = new_tcp_sock();
	uint64_t gaps[] = { 1000, 2000, 4000, 8000, 16000 };
	struct seg s;

	(void)state;
	assert_int_equal(inet_csk_get_port(&tcp_hashinfo, l, LOCAL_PORT), 0);
	lock_sock(l);
	assert_int_equal(inet_csk_listen_start(l, 16), 0);
	release_sock(l);
	stub_req_add(l, PEER_IP, 41000);
	for (unsigned int i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		assert_int_equal(ms_until_sent(100000), gaps[i]);
		expect_seg(&s, TCPHDR_SYN | TCPHDR_ACK, ISS, 0);
		assert_int_equal(s.dport, 41000);
	}
	assert_int_equal(mib_delta(TCP_MIB_RETRANSSEGS), 5);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 1);
	advance_ms(32000);	/* out of retries: dropped */
	expect_nothing();
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	assert_int_equal(stub_reqs_alive, 0);
	assert_false(timer_pending(&l->sk_timer));
	tcp_close(l, 0);
	sock_orphan(l);
	put_sock(l);
}

static void test_timer_deferred_while_owned(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "o", 1, 0), 1);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 1);
	lock_sock(sk);	/* a system call owns it when the RTO fires */
	advance_ms(TCP_RTO_MIN_MS + 40);
	expect_nothing();
	assert_true(timer_pending(&inet_csk(sk)->icsk_retransmit_timer));	/* re-armed, not run */
	release_sock(sk);
	assert_true(ms_until_sent(100) <= 1000 / HZ);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 1);
	abort_and_put(sk);
}

static void test_close_stops_timers_and_frees(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);

	(void)state;
	sock_set_flag(sk, SOCK_KEEPOPEN);
	tcp_set_keepalive(sk, 1);
	assert_int_equal(do_send(sk, "w", 1, 0), 1);	/* the probe timer runs */
	fake_data(sk, "x", 1, 0);
	tcp_send_delayed_ack(sk);
	assert_int_equal(sk->sk_refcnt, 1 + 1 + 3);	/* file, ehash, three timers */
	abort_and_put(sk);	/* teardown checks the sock was freed */
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_out_setup, tcp_out_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rto_backoff_and_give_up),
		T(test_rto_retransmits_head_then_lost_ones),
		T(test_syn_retries_then_etimedout),
		T(test_syncnt_option_limits_syn_retries),
		T(test_delayed_ack_timing),
		T(test_delayed_ack_cancelled_by_data),
		T(test_zero_window_probes_never_time_out_while_answered),
		T(test_zero_window_probes_unanswered_give_up),
		T(test_orphan_on_zero_window_is_not_kept_for_ever),
		T(test_keepalive_probes_then_reset),
		T(test_keepalive_off_sends_nothing),
		T(test_fin_wait2_orphan_timeout),
		T(test_fin_wait2_short_timeout_goes_to_timewait_at_close),
		T(test_synack_retransmits_then_drop),
		T(test_timer_deferred_while_owned),
		T(test_close_stops_timers_and_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
