/*
 * TCP output as packet traces (tcp_output.c, tcp.c, tcp_sockopt.c,
 * inet_connection_sock_accept.c), grouped by state: the SYN and its
 * options, sending in ESTABLISHED (MSS, Nagle, cwnd, the peer's window,
 * PSH), windows we advertise (scale, never shrinking), receiving (PEEK,
 * WAITALL, EOF, errors, window updates), closing (FIN by state, RST on
 * unread data and linger 0), the listener (SYN-ACK, accept, stop), and
 * options/poll/ioctl. The peer is the test (tcp_out_helper.h); every test
 * ends with no skb, sock or request left.
 */
#include "tcp_out_helper.h"
#include <kernel/errno.h>
#include <kernel/file.h>
#include <string.h>

#define MSS_TS 1448		/* 1460 less the timestamp option */

static uint8_t pattern[70000];

static void fill_pattern(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + 3);
}

/* What the peer may still send: our last advertised right edge less rcv_nxt. */
static uint32_t rwin(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	return tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt;
}

static void close_and_put(struct sock *sk)
{
	tcp_close(sk, 0);
	sock_orphan(sk);
	put_sock(sk);
}

/* Abort (RST), so nothing lingers in the background. */
static void abort_and_put(struct sock *sk)
{
	lock_sock(sk);
	tcp_disconnect(sk, 0);
	release_sock(sk);
	tcp_tx_purge();
	close_and_put(sk);
	tcp_tx_purge();
}

/* ---- SYN-SENT: the active open ---- */

static void test_connect_syn_options(void **state)
{
	struct sock *sk = new_tcp_sock();
	struct seg s;

	(void)state;
	inet_sk(sk)->inet_saddr = inet_sk(sk)->inet_rcv_saddr = SHIM_IP;
	inet_sk(sk)->inet_daddr = PEER_IP;
	inet_sk(sk)->inet_dport = htons(REMOTE_PORT);
	assert_int_equal(inet_csk_get_port(&tcp_hashinfo, sk, 0), 0);
	tcp_set_state(sk, TCP_SYN_SENT);
	assert_int_equal(inet_hash(&tcp_hashinfo, sk), 0);
	assert_int_equal(tcp_connect(sk), 0);
	expect_seg(&s, TCPHDR_SYN, ISS, 0);
	assert_int_equal(s.ack, 0);
	assert_int_equal(s.mss, 1460);
	assert_true(s.sack_perm);
	assert_true(s.ts);
	assert_int_equal(s.tsecr, 0);
	assert_true(s.ws >= 0 && s.ws <= TCP_MAX_WSCALE);
	assert_true(s.win > 0 && s.win <= 65535);	/* RFC 7323 §2.2: never scaled in a SYN */
	assert_int_equal(s.dport, REMOTE_PORT);
	assert_int_equal(mib_delta(TCP_MIB_ACTIVEOPENS), 1);
	assert_int_equal(tcp_sk(sk)->snd_nxt, ISS + 1);
	assert_int_equal(tcp_sk(sk)->packets_out, 1);
	assert_true(timer_pending(&inet_csk(sk)->icsk_retransmit_timer));
	close_and_put(sk);	/* SYN-SENT: closes without a segment */
	expect_nothing();
	assert_int_equal(mib_delta(TCP_MIB_ATTEMPTFAILS), 0);
}

/* ---- ESTABLISHED: sending ---- */

static void test_send_segments_by_mss(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	struct seg s;

	(void)state;
	fill_pattern();
	assert_int_equal(do_send(sk, pattern, 5000, 0), 5000);
	for (unsigned int off = 0; off < 5000; off += MSS_TS) {
		unsigned int n = 5000 - off < MSS_TS ? 5000 - off : MSS_TS;

		expect_seg(&s, (uint8_t)(TCPHDR_ACK | (off + n == 5000 ? TCPHDR_PSH : 0)), ISS + 1 + off, n);
		assert_memory_equal(s.data, pattern + off, n);
		assert_int_equal(s.ack, IRS + 1);
		assert_true(s.ts);
		assert_int_equal(s.tsecr, 777);
	}
	expect_nothing();
	assert_int_equal(tcp_sk(sk)->packets_out, 4);
	assert_int_equal(tcp_sk(sk)->snd_nxt, ISS + 1 + 5000);
	fake_ack(sk, ISS + 1 + 5000, 65535 << 7);
	assert_int_equal(sk->sk_wmem_queued, 0);
	assert_false(timer_pending(&inet_csk(sk)->icsk_retransmit_timer));
	abort_and_put(sk);
}

static void test_checksum_offload_partial(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	struct seg s;

	(void)state;
	shim_dev.features |= NETIF_F_HW_CSUM;
	assert_int_equal(do_send(sk, "offload", 7, 0), 7);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 7);	/* the helper folds it as a device */
	assert_true(s.partial);
	shim_dev.features &= ~NETIF_F_HW_CSUM;
	fake_ack(sk, ISS + 8, 65535 << 7);
	assert_int_equal(do_send(sk, "full", 4, 0), 4);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 8, 4);
	assert_false(s.partial);
	abort_and_put(sk);
}

static void test_send_no_timestamps_full_mss(void **state)
{
	struct sock *sk = established_sock(0, -1, 65535);
	struct seg s;

	(void)state;
	fill_pattern();
	assert_int_equal(do_send(sk, pattern, 1460, 0), 1460);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 1460);
	assert_false(s.ts);
	assert_int_equal(s.nsack, 0);
	abort_and_put(sk);
}

static void test_cwnd_limits_flight(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	struct seg s;
	int n = 0;

	(void)state;
	fill_pattern();
	tcp_sk(sk)->snd_cwnd = 3;
	assert_int_equal(do_send(sk, pattern, 10 * MSS_TS, 0), 10 * MSS_TS);
	while (next_seg(&s))
		n++;
	assert_int_equal(n, 3);
	fake_ack(sk, ISS + 1 + MSS_TS, 65535 << 7);	/* cwnd 4, 2 in flight: two more */
	n = 0;
	while (next_seg(&s))
		n++;
	assert_int_equal(n, 2);
	abort_and_put(sk);
}

static void test_peer_window_limits_and_zero_window_probe(void **state)
{
	struct sock *sk = established_sock(1, 0, 3000);
	struct seg s;

	(void)state;
	fill_pattern();
	assert_int_equal(do_send(sk, pattern, 4 * MSS_TS, 0), 4 * MSS_TS);
	expect_seg_any_psh(&s, TCPHDR_ACK, ISS + 1, MSS_TS);
	expect_seg_any_psh(&s, TCPHDR_ACK, ISS + 1 + MSS_TS, MSS_TS);
	expect_nothing();	/* the third would end past snd_una + 3000 */
	fake_ack(sk, ISS + 1 + 2 * MSS_TS, 0);	/* all acked, window closed */
	expect_nothing();
	assert_int_equal(inet_csk(sk)->icsk_pending, ICSK_TIME_PROBE0);
	advance_ms(TCP_RTO_MIN_MS);
	expect_seg_any_psh(&s, TCPHDR_ACK, ISS + 2 * MSS_TS, 0);	/* seq = snd_una - 1 */
	advance_ms(TCP_RTO_MIN_MS);
	expect_nothing();	/* backed off: 400 ms now */
	advance_ms(TCP_RTO_MIN_MS);
	expect_seg_any_psh(&s, TCPHDR_ACK, ISS + 2 * MSS_TS, 0);
	fake_ack(sk, ISS + 1 + 2 * MSS_TS, 700);	/* opens a little: the probe timer sends what fits */
	expect_nothing();	/* SWS: a part-segment waits for the probe timer */
	for (int ms = 0; ms < 3000 && !tcp_tx_pending(); ms += 4)
		advance_ms(4);
	expect_seg_any_psh(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1 + 2 * MSS_TS, 700);
	fake_ack(sk, ISS + 1 + 2 * MSS_TS + 700, 65535);
	expect_seg_any_psh(&s, TCPHDR_ACK, ISS + 1 + 2 * MSS_TS + 700, MSS_TS - 700);
	expect_seg_any_psh(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1 + 3 * MSS_TS, MSS_TS);
	abort_and_put(sk);
}

static void test_nagle_holds_second_small_segment(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "a", 1, 0), 1);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 1);
	assert_int_equal(do_send(sk, "bc", 2, 0), 2);
	assert_int_equal(do_send(sk, "d", 1, 0), 1);
	expect_nothing();	/* a small segment is outstanding */
	fake_ack(sk, ISS + 2, 65535 << 7);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 2, 3);	/* coalesced */
	assert_memory_equal(s.data, "bcd", 3);
	abort_and_put(sk);
}

static void test_nodelay_sends_at_once(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	int one = 1;
	struct seg s;

	(void)state;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one)), 0);
	assert_int_equal(do_send(sk, "a", 1, 0), 1);
	assert_int_equal(do_send(sk, "b", 1, 0), 1);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 1, 1);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH, ISS + 2, 1);
	abort_and_put(sk);
}

static void test_sendmsg_nonblocking_buffer_full(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);	/* nothing can leave */
	long n, total = 0;

	(void)state;
	fill_pattern();
	sk->sk_sndbuf = 20000;
	while ((n = do_send(sk, pattern, 4000, MSG_DONTWAIT)) > 0)
		total += n;
	assert_int_equal(n, -EAGAIN);
	assert_true(total > 0 && total < 20000);
	assert_true(sk->sk_wmem_queued >= sk->sk_sndbuf);
	assert_int_equal(tcp_poll_mask(sk) & EPOLLOUT, 0);
	abort_and_put(sk);
}

static void test_send_after_shutdown_and_reset(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	lock_sock(sk);
	sk->sk_shutdown |= SEND_SHUTDOWN;
	tcp_shutdown(sk, SEND_SHUTDOWN);
	release_sock(sk);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_FIN, ISS + 1, 0);
	assert_int_equal(sk->sk_state, TCP_FIN_WAIT1);
	assert_int_equal(do_send(sk, "x", 1, 0), -EPIPE);
	sk->sk_err = ECONNRESET;	/* what tcp_reset leaves */
	assert_int_equal(do_send(sk, "x", 1, 0), -ECONNRESET);
	assert_int_equal(do_send(sk, "x", 1, 0), -EPIPE);
	abort_and_put(sk);
}

/* ---- windows we advertise ---- */

static void test_window_scaled_and_never_shrinks(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535 << 7);
	struct tcp_sock *tp = tcp_sk(sk);
	uint8_t buf[1000];
	uint32_t edge;
	struct seg s;

	(void)state;
	memset(buf, 1, sizeof(buf));
	tcp_send_ack(sk);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	assert_int_equal((uint32_t)s.win << tp->rx_opt.rcv_wscale, tp->rcv_wnd);
	assert_true(tp->rcv_wnd > 65535);	/* scaled past 64 KiB */
	edge = tp->rcv_wup + tp->rcv_wnd;
	/* the receive buffer fills up, nothing is read: the right edge stays put */
	for (int i = 0; i < 60; i++)
		fake_data(sk, buf, sizeof(buf), 0);
	tcp_send_ack(sk);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	assert_int_equal(s.ack, IRS + 1 + 60000);
	assert_false(before(tp->rcv_wup + tp->rcv_wnd, edge));
	assert_int_equal(tp->rcv_wup, tp->rcv_nxt);
	abort_and_put(sk);
}

static void test_window_update_after_read(void **state)
{
	struct sock *sk = established_sock(1, -1, 65535);
	struct tcp_sock *tp = tcp_sk(sk);
	static uint8_t buf[1400];
	struct seg s;
	int n = 0;

	(void)state;
	sk->sk_rcvbuf = 2 * 20000;	/* a 20000-byte window */
	tcp_send_ack(sk);
	tcp_tx_purge();
	while (rwin(sk) >= sizeof(buf)) {
		fake_data(sk, buf, sizeof(buf), 0);
		n++;
	}
	tcp_send_ack(sk);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	assert_true(s.win < 2 * 1460);	/* nearly closed */
	while (do_recv(sk, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	/* tcp_cleanup_rbuf: updates as the window opens (twice as large each), the last one wide */
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	while (tcp_tx_pending())
		expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	assert_int_equal(s.ack, tp->rcv_nxt);
	assert_true(s.win >= 10000);
	assert_true(n > 5);
	abort_and_put(sk);
}

/* ---- receiving ---- */

static void test_recv_peek_waitall_eof(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	char buf[64];

	(void)state;
	assert_int_equal(do_recv(sk, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	fake_data(sk, "hello ", 6, 0);
	fake_data(sk, "world", 5, 0);
	assert_int_equal(do_recv(sk, buf, 8, MSG_PEEK), 8);
	assert_memory_equal(buf, "hello wo", 8);
	assert_int_equal(do_recv(sk, buf, 3, 0), 3);
	assert_memory_equal(buf, "hel", 3);
	/* WAITALL, non-blocking: what is there */
	assert_int_equal(do_recv(sk, buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT), 8);
	assert_memory_equal(buf, "lo world", 8);
	assert_int_equal(tcp_sk(sk)->copied_seq, IRS + 1 + 11);
	assert_int_equal(skb_queue_len(&sk->sk_receive_queue), 0);
	assert_int_equal(sk->sk_rmem_alloc, 0);
	fake_data(sk, "!", 1, 1);
	assert_true(tcp_poll_mask(sk) & EPOLLRDHUP);
	assert_int_equal(do_recv(sk, buf, sizeof(buf), 0), 1);
	assert_int_equal(do_recv(sk, buf, sizeof(buf), 0), 0);	/* EOF */
	assert_int_equal(do_recv(sk, buf, sizeof(buf), MSG_DONTWAIT), 0);
	abort_and_put(sk);
}

static void test_recv_reset_then_eof(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	char buf[16];

	(void)state;
	fake_data(sk, "abc", 3, 0);
	sk->sk_err = ECONNRESET;	/* tcp_reset: error, then done */
	lock_sock(sk);
	tcp_done(sk);
	release_sock(sk);
	assert_int_equal(do_recv(sk, buf, sizeof(buf), 0), 3);	/* data first */
	assert_int_equal(tcp_poll_mask(sk) & (EPOLLERR | EPOLLHUP), EPOLLERR | EPOLLHUP);
	assert_int_equal(do_recv(sk, buf, sizeof(buf), 0), 0);	/* SHUTDOWN_MASK: EOF, as Linux */
	assert_int_equal(mib_delta(TCP_MIB_ESTABRESETS), 1);
	close_and_put(sk);
}

static void test_recv_error_before_eof(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	char buf[16];

	(void)state;
	sk->sk_err = ECONNRESET;
	assert_int_equal(do_recv(sk, buf, sizeof(buf), 0), -ECONNRESET);
	assert_int_equal(do_recv(sk, buf, sizeof(buf), MSG_DONTWAIT), -EAGAIN);
	abort_and_put(sk);
}

/* ---- closing ---- */

static void test_close_sends_fin_piggybacked(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);	/* data waits for the window */
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "data", 4, 0), 4);
	expect_nothing();
	tcp_close(sk, 0);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_FIN_WAIT1);
	assert_true(sock_flag(sk, SOCK_DEAD));
	fake_ack(sk, ISS + 1, 65535);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_PSH | TCPHDR_FIN, ISS + 1, 4);	/* one segment */
	assert_int_equal(tcp_sk(sk)->write_seq, ISS + 1 + 4 + 1);
	fake_ack(sk, ISS + 6, 65535);
	sk->sk_state = TCP_FIN_WAIT2;	/* as the input side moves it */
	fake_data(sk, NULL, 0, 1);	/* their FIN: TIME_WAIT (stand-in: tcp_done) */
	assert_int_equal(stub_time_wait_calls, 1);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	put_sock(sk);
}

static void test_close_with_unread_data_resets(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	fake_data(sk, "unread", 6, 0);
	tcp_close(sk, 0);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_RST, ISS + 1, 0);
	assert_int_equal(s.ack, IRS + 1 + 6);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(mib_delta(LINUX_MIB_TCPABORTONCLOSE), 1);
	assert_int_equal(mib_delta(TCP_MIB_OUTRSTS), 1);
	assert_int_equal(mib_delta(TCP_MIB_ESTABRESETS), 1);
	assert_false(timer_pending(&inet_csk(sk)->icsk_retransmit_timer));
	put_sock(sk);
}

static void test_close_linger_zero_resets(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	assert_int_equal(do_send(sk, "x", 1, 0), 1);
	tcp_tx_purge();
	sock_set_flag(sk, SOCK_LINGER);
	sk->sk_linger_secs = 0;
	tcp_close(sk, 0);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_RST, ISS + 2, 0);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_wmem_queued, 0);
	put_sock(sk);
}

static void test_close_wait_close_sends_fin_last_ack(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;

	(void)state;
	fake_data(sk, NULL, 0, 1);
	assert_int_equal(sk->sk_state, TCP_CLOSE_WAIT);
	tcp_close(sk, 0);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_FIN, ISS + 1, 0);
	assert_int_equal(s.ack, IRS + 2);
	assert_int_equal(sk->sk_state, TCP_LAST_ACK);
	/* unanswered: the FIN is retransmitted on RTO */
	advance_ms(TCP_RTO_MIN_MS);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_FIN, ISS + 1, 0);
	assert_int_equal(mib_delta(TCP_MIB_RETRANSSEGS), 1);
	fake_ack(sk, ISS + 2, 65535);	/* the input side then does tcp_done */
	lock_sock(sk);
	tcp_done(sk);
	release_sock(sk);
	put_sock(sk);
}

/* ---- LISTEN ---- */

static struct sock *listener(int backlog)
{
	struct sock *sk = new_tcp_sock();

	inet_sk(sk)->inet_rcv_saddr = 0;
	assert_int_equal(inet_csk_get_port(&tcp_hashinfo, sk, LOCAL_PORT), 0);
	lock_sock(sk);
	assert_int_equal(inet_csk_listen_start(sk, backlog), 0);
	release_sock(sk);
	return sk;
}

static void test_listen_and_accept(void **state)
{
	struct sock *l = listener(4), *c, *child = new_tcp_sock();
	int err = 0;

	(void)state;
	assert_int_equal(l->sk_state, TCP_LISTEN);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.max_accept, 4);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.max_qlen, 8);
	assert_ptr_equal(__inet_lookup_listener(&tcp_hashinfo, PEER_IP, 1, SHIM_IP, LOCAL_PORT, 0), l);
	sock_put(l);	/* the lookup's reference */
	assert_null(inet_csk_accept(l, O_NONBLOCK, &err));
	assert_int_equal(err, -EAGAIN);
	assert_int_equal(tcp_poll_mask(l), 0);
	tcp_set_state(child, TCP_ESTABLISHED);
	stub_accept_queue_add(l, child);
	assert_int_equal(tcp_poll_mask(l), EPOLLIN | EPOLLRDNORM);
	c = inet_csk_accept(l, O_NONBLOCK, &err);
	assert_ptr_equal(c, child);
	assert_int_equal(err, 0);
	lock_sock(l);	/* a new backlog for a listener */
	assert_int_equal(inet_csk_listen_start(l, 100), 0);
	release_sock(l);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.max_accept, 100);
	close_and_put(l);
	assert_null(__inet_lookup_listener(&tcp_hashinfo, PEER_IP, 1, SHIM_IP, LOCAL_PORT, 0));
	tcp_set_state(c, TCP_CLOSE);
	close_and_put(c);
	tcp_mib_add(TCP_MIB_CURRESTAB, 0);
}

static void test_listener_close_resets_unaccepted(void **state)
{
	struct sock *l = listener(4), *child = new_tcp_sock();
	struct seg s;

	(void)state;
	inet_sk(child)->inet_saddr = SHIM_IP;
	inet_sk(child)->inet_sport = htons(LOCAL_PORT);
	inet_sk(child)->inet_daddr = PEER_IP;
	inet_sk(child)->inet_dport = htons(REMOTE_PORT);
	tcp_sk(child)->snd_nxt = tcp_sk(child)->snd_una = tcp_sk(child)->write_seq = ISS + 1;
	tcp_sk(child)->rcv_nxt = IRS + 1;
	tcp_set_state(child, TCP_ESTABLISHED);
	stub_accept_queue_add(l, child);
	stub_req_add(l, PEER_IP, 40001);	/* and a request in SYN-RECEIVED */
	close_and_put(l);
	expect_seg(&s, TCPHDR_ACK | TCPHDR_RST, ISS + 1, 0);
	assert_int_equal(s.ack, IRS + 1);
	expect_nothing();
}

static void test_synack_echoes_offered_options(void **state)
{
	struct sock *l = listener(4);
	struct request_sock *req = stub_req_add(l, PEER_IP, 40002);
	struct seg s;

	(void)state;
	req->tstamp_ok = 1;
	req->ts_recent = 4242;
	req->wscale_ok = 1;
	req->sack_ok = 0;
	assert_int_equal(tcp_send_synack(l, req, NULL), 0);
	expect_seg(&s, TCPHDR_SYN | TCPHDR_ACK, ISS, 0);
	assert_int_equal(s.ack, IRS + 1);
	assert_int_equal(s.sport, LOCAL_PORT);
	assert_int_equal(s.dport, 40002);
	assert_int_equal(s.mss, 1460);
	assert_true(s.ts);
	assert_int_equal(s.tsecr, 4242);
	assert_int_equal(s.ws, req->rcv_wscale);
	assert_false(s.sack_perm);
	assert_true(s.win <= 65535 && s.win == req->rcv_wnd);
	req->tstamp_ok = req->wscale_ok = 0;
	assert_int_equal(tcp_send_synack(l, req, NULL), 0);
	expect_seg(&s, TCPHDR_SYN | TCPHDR_ACK, ISS, 0);
	assert_false(s.ts);
	assert_int_equal(s.ws, -1);
	close_and_put(l);
}

/* ---- control segments ---- */

static void test_challenge_ack_rate_limited(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct seg s;
	int n = 0;

	(void)state;
	for (int i = 0; i < 50; i++)
		tcp_send_challenge_ack(sk);
	while (next_seg(&s)) {
		assert_int_equal(s.flags, TCPHDR_ACK);
		n++;
	}
	assert_int_equal(n, 10);
	assert_int_equal(mib_delta(LINUX_MIB_TCPCHALLENGEACK), 10);
	advance_ms(1000);
	tcp_send_challenge_ack(sk);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);	/* a new second */
	abort_and_put(sk);
}

static void test_sack_blocks_from_ooo_queue(void **state)
{
	struct sock *sk = established_sock(1, 7, 65535);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;

	(void)state;
	tp->rx_opt.sack_ok = 1;
	for (int i = 0; i < 2; i++) {
		struct sk_buff *skb = alloc_skb(100);

		TCP_SKB_CB(skb)->seq = IRS + 1 + 1000 + (uint32_t)i * 2000;
		TCP_SKB_CB(skb)->end_seq = TCP_SKB_CB(skb)->seq + 500;
		skb->tstamp = (uint64_t)i;
		__skb_queue_tail(&tp->out_of_order_queue, skb);
	}
	tcp_send_ack(sk);
	expect_seg(&s, TCPHDR_ACK, ISS + 1, 0);
	assert_int_equal(s.nsack, 2);
	assert_int_equal(s.sack[0][0], IRS + 1 + 3000);	/* the newest first */
	assert_int_equal(s.sack[1][0], IRS + 1 + 1000);
	assert_int_equal(s.sack[1][1], IRS + 1 + 1500);
	skb_queue_purge(&tp->out_of_order_queue);
	abort_and_put(sk);
}

/* ---- options, ioctl, counters ---- */

static void test_sockopts(void **state)
{
	struct sock *sk = new_tcp_sock();
	int v, len = sizeof(v), small = 10;

	(void)state;
	v = 1000;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 2 /* TCP_MAXSEG */, &v, sizeof(v)), 0);
	assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 2, &v, &len), 0);
	assert_int_equal(v, 1000);
	assert_int_equal(tcp_advmss(sk), 1000);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 2, &small, sizeof(small)), -EINVAL);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 2, &v, 2), -EINVAL);
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 2, NULL, sizeof(v)), -EFAULT);
	v = 0;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 4 /* KEEPIDLE */, &v, sizeof(v)), -EINVAL);
	v = 30;
	assert_int_equal(tcp_setsockopt(sk, IPPROTO_TCP, 4, &v, sizeof(v)), 0);
	assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 4, &v, &len), 0);
	assert_int_equal(v, 30);
	assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 5 /* KEEPINTVL */, &v, &len), 0);
	assert_int_equal(v, 75);
	assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 6 /* KEEPCNT */, &v, &len), 0);
	assert_int_equal(v, 9);
	assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 8 /* LINGER2 */, &v, &len), 0);
	assert_int_equal(v, 60);
	assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 99, &v, &len), -ENOPROTOOPT);
	assert_int_equal(tcp_getsockopt(sk, 41, 1, &v, &len), -ENOPROTOOPT);
	{
		uint8_t info[104];
		int ilen = sizeof(info);

		assert_int_equal(tcp_getsockopt(sk, IPPROTO_TCP, 11 /* TCP_INFO */, info, &ilen), 0);
		assert_int_equal(ilen, 104);
		assert_int_equal(info[0], TCP_CLOSE);
	}
	close_and_put(sk);
}

static void test_ioctl_inq_outq(void **state)
{
	struct sock *sk = established_sock(1, 7, 0);
	int v = -1;

	(void)state;
	fake_data(sk, "12345", 5, 0);
	assert_int_equal(tcp_ioctl(sk, 0x541B /* SIOCINQ */, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(do_send(sk, "abc", 3, 0), 3);
	assert_int_equal(tcp_ioctl(sk, 0x5411 /* SIOCOUTQ */, &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(tcp_ioctl(sk, 0x1234, &v), -515);
	fake_data(sk, NULL, 0, 1);
	assert_int_equal(tcp_ioctl(sk, 0x541B, &v), 0);
	assert_int_equal(v, 5);	/* the FIN is not a byte */
	abort_and_put(sk);
}

static void test_mib_names(void **state)
{
	(void)state;
	assert_string_equal(tcp_mib_name(TCP_MIB_ACTIVEOPENS), "ActiveOpens");
	assert_string_equal(tcp_mib_name(TCP_MIB_CURRESTAB), "CurrEstab");
	assert_string_equal(tcp_mib_name(LINUX_MIB_LISTENOVERFLOWS), "ListenOverflows");
	assert_string_equal(tcp_mib_name(LINUX_MIB_TCPCHALLENGEACK), "TCPChallengeACK");
	for (int i = 0; i < TCP_MIB_MAX; i++)
		assert_non_null(tcp_mib_name((enum tcp_mib)i));
	assert_null(tcp_mib_name(TCP_MIB_MAX));
	tcp_mib_inc(LINUX_MIB_TW);
	assert_int_equal(mib_delta(LINUX_MIB_TW), 1);
	tcp_mib_add(LINUX_MIB_TW, -1);
	assert_int_equal(mib_delta(LINUX_MIB_TW), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_out_setup, tcp_out_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_connect_syn_options),
		T(test_send_segments_by_mss),
		T(test_checksum_offload_partial),
		T(test_send_no_timestamps_full_mss),
		T(test_cwnd_limits_flight),
		T(test_peer_window_limits_and_zero_window_probe),
		T(test_nagle_holds_second_small_segment),
		T(test_nodelay_sends_at_once),
		T(test_sendmsg_nonblocking_buffer_full),
		T(test_send_after_shutdown_and_reset),
		T(test_window_scaled_and_never_shrinks),
		T(test_window_update_after_read),
		T(test_recv_peek_waitall_eof),
		T(test_recv_reset_then_eof),
		T(test_recv_error_before_eof),
		T(test_close_sends_fin_piggybacked),
		T(test_close_with_unread_data_resets),
		T(test_close_linger_zero_resets),
		T(test_close_wait_close_sends_fin_last_ack),
		T(test_listen_and_accept),
		T(test_listener_close_resets_unaccepted),
		T(test_synack_echoes_offered_options),
		T(test_challenge_ack_rate_limited),
		T(test_sack_blocks_from_ooo_queue),
		T(test_sockopts),
		T(test_ioctl_inq_outq),
		T(test_mib_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
