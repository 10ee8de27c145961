/*
 * Opening a connection, as packet traces (RFC 9293 §3.5, §3.10.7.2-4):
 * LISTEN, SYN-RECEIVED (request socks), SYN cookies (RFC 4987), the accept
 * queue, SYN-SENT and simultaneous open.
 */
#include "tcp_harness.h"
#include <net/ipv4/tcp_input.h>
#include <cmocka.h>
#include <kernel/errno.h>

#define SYNACK (TCPHDR_SYN | TCPHDR_ACK)

static struct seg syn_seg(void)
{
	return (struct seg){ SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .mss = 1460 };
}

/* Send a SYN, read the SYN-ACK; its ISN. */
static uint32_t syn_synack(const struct seg *syn)
{
	const struct seg *sa;

	inject(syn);
	sa = expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = syn->seq + 1, .mss = 1460,
				       .any = ANY_SEQ | ANY_WIN });
	return sa ? sa->seq : 0;
}

static struct seg ack_seg(uint32_t iss)
{
	return (struct seg){ SEG_TEMPL, .flags = TCPHDR_ACK, .seq = REMOTE_ISN + 1, .ack = iss + 1 };
}

/* ---- LISTEN ---- */

static void test_listen_synack_options(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	const struct seg *sa;

	(void)state;
	sysctl_tcp_sack = 1;
	s.wscale = 7;
	s.ts = 1;
	s.tsval = TS_PEER;
	s.sack_perm = 1;
	inject(&s);
	sa = expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = REMOTE_ISN + 1, .mss = 1460,
				       .wscale = 3, .sack_perm = 1, .ts = 1, .tsecr = TS_PEER,
				       .any = ANY_SEQ | ANY_WIN | ANY_TSVAL });
	/* RFC 7323 §2.2: the SYN-ACK's window is not scaled. */
	assert_true(sa->win <= 65535 && sa->win > 0);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 1);
	assert_int_equal(mib_delta(TCP_MIB_INSEGS), 1);
	expect_nothing();
	harness_close(l);
}

static void test_listen_no_options_no_extras(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN };
	const struct seg *sa;

	(void)state;
	inject(&s);
	sa = expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = REMOTE_ISN + 1, .mss = 1460,
				       .any = ANY_SEQ | ANY_WIN | NO_TS });
	assert_int_equal(sa->wscale, -1);
	assert_false(sa->sack_perm);
	harness_close(l);
}

static void test_listen_ack_gets_rst(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = 5, .ack = 777 };

	(void)state;
	inject(&s);
	/* RFC 9293: <SEQ=SEG.ACK><CTL=RST> */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = 777, .win = 0, .any = 0 });
	expect_nothing();
	harness_close(l);
}

static void test_listen_rst_ignored(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_RST, .seq = 5 };

	(void)state;
	inject(&s);
	s.flags = TCPHDR_RST | TCPHDR_ACK;
	inject(&s);
	expect_nothing();
	harness_close(l);
}

static void test_listen_synfin_and_bare_dropped(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();

	(void)state;
	s.flags = TCPHDR_SYN | TCPHDR_FIN;
	inject(&s);
	s.flags = 0;
	inject(&s);
	s.flags = TCPHDR_FIN;
	inject(&s);
	expect_nothing();
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	harness_close(l);
}

static void test_listen_syn_with_data_not_delivered(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	struct sock *c;
	uint32_t iss;

	(void)state;
	s.len = 10;
	iss = syn_synack(&s);
	/* The ACK for the SYN only: the data must be sent again. */
	s = ack_seg(iss);
	inject(&s);
	c = harness_accept(l);
	assert_non_null(c);
	assert_int_equal(tcp_sk(c)->rcv_nxt, REMOTE_ISN + 1);
	assert_int_equal(skb_queue_len(&c->sk_receive_queue), 0);
	harness_close(c);
	harness_close(l);
}

/* ---- SYN-RECEIVED (request socks) ---- */

static void test_synrecv_handshake_completes(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8), *c;
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	s = ack_seg(iss);
	inject(&s);
	expect_nothing();
	c = harness_accept(l);
	assert_non_null(c);
	assert_int_equal(c->sk_state, TCP_ESTABLISHED);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	assert_int_equal(mib_delta(TCP_MIB_PASSIVEOPENS), 1);
	assert_int_equal(mib_delta(TCP_MIB_CURRESTAB), 1);
	assert_null(harness_accept(l));
	harness_close(c);
	harness_close(l);
}

/* A passive open on a listener with SO_REUSEADDR @reuse; the accepted child, listener closed. */
static struct sock *child_of_closed_listener(int reuse)
{
	struct sock *l = harness_socket(), *c;
	struct seg s = syn_seg();
	uint32_t iss;

	l->sk_reuse = (uint8_t)reuse;
	lock_sock(l);
	assert_int_equal(l->sk_prot->get_port(l, LOCAL_PORT), 0);
	assert_int_equal(inet_csk_listen_start(l, 8), 0);
	release_sock(l);
	iss = syn_synack(&s);
	s = ack_seg(iss);
	inject(&s);
	c = harness_accept(l);
	assert_non_null(c);
	harness_close(l);
	return c;
}

/* 0 or the error of binding a fresh socket (SO_REUSEADDR @reuse) to LOCAL_PORT. */
static int bind_local_port(int reuse)
{
	struct sock *sk = harness_socket();
	int err;

	sk->sk_reuse = (uint8_t)reuse;
	lock_sock(sk);
	err = sk->sk_prot->get_port(sk, LOCAL_PORT);
	release_sock(sk);
	harness_close(sk);
	return err;
}

/*
 * Linux's __inet_inherit_port: an accepted connection keeps its port taken
 * after the listener closed, so a server restarted without SO_REUSEADDR
 * cannot bind while old connections live; with SO_REUSEADDR on both it can.
 */
static void abort_child(struct sock *c)
{
	struct seg rst;

	harness_abort(c);
	assert_true(next_seg(&rst) && (rst.flags & TCPHDR_RST));
}

static void test_child_holds_listener_port(void **state)
{
	struct sock *c = child_of_closed_listener(0);

	(void)state;
	assert_int_equal(bind_local_port(0), -EADDRINUSE);
	assert_int_equal(bind_local_port(1), -EADDRINUSE);	/* the child has no SO_REUSEADDR */
	abort_child(c);
	assert_int_equal(bind_local_port(0), 0);
	c = child_of_closed_listener(1);
	assert_int_equal(bind_local_port(0), -EADDRINUSE);
	assert_int_equal(bind_local_port(1), 0);
	abort_child(c);
	assert_int_equal(bind_local_port(0), 0);
}

static void test_synrecv_ack_with_data(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8), *c;
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);
	char buf[64];

	(void)state;
	s = ack_seg(iss);
	s.flags |= TCPHDR_PSH;
	s.data = "hello";
	s.len = 5;
	inject(&s);
	c = harness_accept(l);
	assert_non_null(c);
	assert_int_equal(harness_recv(c, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	harness_close(c);
	harness_close(l);
}

static void test_synrecv_retransmitted_syn(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .seq = iss, .ack = REMOTE_ISN + 1 });
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 1);
	harness_close(l);
}

static void test_synrecv_bad_ack_rst(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	s = ack_seg(iss);
	s.ack = iss + 100;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss + 100, .win = 0, .any = 0 });
	/* The request is still there: the right ACK completes it. */
	s.ack = iss + 1;
	inject(&s);
	assert_non_null(harness_accept(l));
	harness_close(l);
}

static void test_synrecv_rst_exact_drops_request(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	s = (struct seg){ SEG_TEMPL, .flags = TCPHDR_RST, .seq = REMOTE_ISN + 1 };
	inject(&s);
	expect_nothing();
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	/* The handshake's ACK now meets only the listener: RST. */
	s = ack_seg(iss);
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss + 1, .win = 0, .any = 0 });
	harness_close(l);
}

static void test_synrecv_rst_in_window_challenge(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	s = (struct seg){ SEG_TEMPL, .flags = TCPHDR_RST, .seq = REMOTE_ISN + 100 };
	inject(&s);
	/* RFC 5961 §3.2: in the window but not RCV.NXT: a challenge ACK, the request stays. */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1 });
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 1);
	harness_close(l);
}

static void test_synrecv_out_of_window_acked(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	s = ack_seg(iss);
	s.seq = REMOTE_ISN + 1 + 200000;	/* far past the window */
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1 });
	assert_null(harness_accept(l));
	s.flags = TCPHDR_RST;	/* an out-of-window RST: dropped silently */
	inject(&s);
	expect_nothing();
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 1);
	harness_close(l);
}

static void test_synrecv_new_syn_in_window_resets(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss = syn_synack(&s);

	(void)state;
	(void)iss;
	s.seq = REMOTE_ISN + 5;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST | TCPHDR_ACK, .seq = 0,
				  .ack = REMOTE_ISN + 6, .win = 0, .any = 0 });
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	assert_int_equal(mib_delta(TCP_MIB_ATTEMPTFAILS), 1);
	harness_close(l);
}

static void test_synrecv_paws(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg();
	uint32_t iss;

	(void)state;
	s.ts = 1;
	s.tsval = TS_PEER;
	iss = syn_synack(&s);
	s = ack_seg(iss);
	s.ts = 1;
	s.tsval = TS_PEER - 10;	/* older than the SYN's */
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1,
				  .ts = 1, .tsecr = TS_PEER, .any = ANY_WIN | ANY_TSVAL });
	assert_null(harness_accept(l));
	assert_int_equal(mib_delta(LINUX_MIB_PAWSESTABREJECTED), 1);
	harness_close(l);
}

static void test_synrecv_synack_retransmitted_then_expires(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = syn_seg(), got;
	uint32_t iss = syn_synack(&s);
	int resent = 0;

	(void)state;
	/* Nobody ACKs: the SYN-ACK comes again with backoff, then the request goes. */
	for (int i = 0; i < 200; i++) {
		advance_ms(1000);
		while (next_seg(&got)) {
			assert_int_equal(got.flags, SYNACK);
			assert_int_equal(got.seq, iss);
			resent++;
		}
	}
	assert_int_equal(resent, TCP_SYNACK_RETRIES);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	s = ack_seg(iss);
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss + 1, .win = 0, .any = 0 });
	harness_close(l);
}

/* ---- queues ---- */

static void test_accept_queue_full_drops_ack(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 1), *c1, *c2;
	struct seg s;
	uint32_t iss[3];

	(void)state;
	for (int i = 0; i < 3; i++) {
		s = syn_seg();
		s.sport = (uint16_t)(REMOTE_PORT + i);
		inject(&s);
		iss[i] = expect_seg(&(struct seg){ RECV_TEMPL, .dport = (uint16_t)(REMOTE_PORT + i),
						   .flags = SYNACK, .ack = REMOTE_ISN + 1,
						   .any = ANY_SEQ | ANY_WIN })->seq;
	}
	/* backlog 1: Linux takes accept_len > max, i.e. two; the third ACK is dropped. */
	for (int i = 0; i < 3; i++) {
		s = ack_seg(iss[i]);
		s.sport = (uint16_t)(REMOTE_PORT + i);
		inject(&s);
	}
	expect_nothing();
	assert_int_equal(mib_delta(LINUX_MIB_LISTENOVERFLOWS), 1);
	assert_int_equal(mib_delta(LINUX_MIB_LISTENDROPS), 1);
	c1 = harness_accept(l);
	c2 = harness_accept(l);
	assert_non_null(c1);
	assert_non_null(c2);
	assert_null(harness_accept(l));
	/* Room again: the peer's retransmitted ACK completes the third. */
	s = ack_seg(iss[2]);
	s.sport = REMOTE_PORT + 2;
	inject(&s);
	c1 = harness_accept(l);
	assert_non_null(c1);
	assert_int_equal(c1->sk_dport, htons(REMOTE_PORT + 2));
	harness_close(l);
}

static void test_syn_with_full_accept_queue_dropped(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 0);
	struct seg s = syn_seg();

	(void)state;
	inject(&s);
	s = ack_seg(expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = REMOTE_ISN + 1,
					      .any = ANY_SEQ | ANY_WIN })->seq);
	inject(&s);	/* accept_len 1 > 0: full from now on */
	s = syn_seg();
	s.sport = REMOTE_PORT + 1;
	inject(&s);
	expect_nothing();
	assert_int_equal(mib_delta(LINUX_MIB_LISTENOVERFLOWS), 1);
	assert_int_equal(mib_delta(LINUX_MIB_LISTENDROPS), 1);
	harness_close(l);
}

/* Fill the SYN queue (max_qlen 8 for small backlogs) from distinct ports. */
static void fill_syn_queue(struct sock *l)
{
	for (int i = 0; i < 8; i++) {
		struct seg s = syn_seg();

		s.sport = (uint16_t)(20000 + i);
		inject(&s);
		expect_seg(&(struct seg){ RECV_TEMPL, .dport = (uint16_t)(20000 + i), .flags = SYNACK,
					  .ack = REMOTE_ISN + 1, .any = ANY_SEQ | ANY_WIN });
	}
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 8);
}

static void test_syncookie_roundtrip(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 4), *c;
	struct seg s = syn_seg();
	const struct seg *sa;
	uint32_t cookie;
	char buf[8];

	(void)state;
	fill_syn_queue(l);
	s.mss = 1400;
	inject(&s);
	sa = expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = REMOTE_ISN + 1, .mss = 1460,
				       .any = ANY_SEQ | ANY_WIN | NO_TS });
	cookie = sa->seq;
	assert_int_equal(sa->wscale, -1);
	assert_int_equal(mib_delta(LINUX_MIB_SYNCOOKIESSENT), 1);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 8);	/* no state kept */
	s = ack_seg(cookie);
	s.data = "abc";
	s.len = 3;
	inject(&s);
	assert_int_equal(mib_delta(LINUX_MIB_SYNCOOKIESRECV), 1);
	c = harness_accept(l);
	assert_non_null(c);
	assert_int_equal(c->sk_state, TCP_ESTABLISHED);
	assert_int_equal(tcp_sk(c)->rx_opt.mss_clamp, 1300);	/* msstab rounds down */
	assert_int_equal(harness_recv(c, buf, sizeof(buf)), 3);
	harness_close(c);
	harness_close(l);
}

static void test_syncookie_timestamps_keep_wscale(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 4), *c;
	struct seg s = syn_seg();
	const struct seg *sa;
	uint32_t cookie, tsval;

	(void)state;
	fill_syn_queue(l);
	s.ts = 1;
	s.tsval = TS_PEER;
	s.wscale = 5;
	inject(&s);
	sa = expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = REMOTE_ISN + 1, .ts = 1,
				       .tsecr = TS_PEER, .wscale = 3,
				       .any = ANY_SEQ | ANY_WIN | ANY_TSVAL });
	cookie = sa->seq;
	tsval = sa->tsval;
	s = ack_seg(cookie);
	s.ts = 1;
	s.tsval = TS_PEER + 1;
	s.tsecr = tsval;
	s.win = 100;
	inject(&s);
	c = harness_accept(l);
	assert_non_null(c);
	assert_int_equal(tcp_sk(c)->rx_opt.snd_wscale, 5);
	assert_int_equal(tcp_sk(c)->rx_opt.rcv_wscale, 3);
	assert_true(tcp_sk(c)->rx_opt.tstamp_ok);
	assert_int_equal(tcp_sk(c)->snd_wnd, 100 << 5);
	harness_close(c);
	harness_close(l);
}

static void test_syncookie_bad_ack_resets(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 4);
	struct seg s = syn_seg(), got;
	uint32_t cookie;

	(void)state;
	fill_syn_queue(l);
	inject(&s);
	cookie = expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .ack = REMOTE_ISN + 1,
					   .any = ANY_SEQ | ANY_WIN })->seq;
	s = ack_seg(cookie + 12345);
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = cookie + 12346, .win = 0,
				  .any = 0 });
	assert_int_equal(mib_delta(LINUX_MIB_SYNCOOKIESFAILED), 1);
	/* Three minutes later even the right cookie is too old. */
	advance_ms(3 * 60 * 1000);
	while (next_seg(&got))
		assert_int_equal(got.flags, SYNACK);	/* the queued requests' retransmissions */
	s = ack_seg(cookie);
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = cookie + 1, .win = 0, .any = 0 });
	harness_close(l);
}

/* ---- SYN-SENT ---- */

static struct sock *connect_syn(uint32_t *iss)
{
	struct sock *sk = harness_connect(LOCAL_PORT, REMOTE_PORT);
	const struct seg *syn;

	assert_non_null(sk);
	assert_int_equal(sk->sk_state, TCP_SYN_SENT);
	syn = expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN, .mss = 1460,
					.any = ANY_SEQ | ANY_WIN | ANY_TSVAL | ANY_TSECR });
	*iss = syn->seq;
	return sk;
}

static void test_synsent_synack_establishes(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = SYNACK, .seq = REMOTE_ISN, .ack = iss + 1, .mss = 1000,
			 .wscale = 2, .win = 1000 };

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1,
				  .any = ANY_WIN | NO_TS });
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	assert_int_equal(tcp_sk(sk)->snd_wnd, 1000);	/* never scaled in a SYN */
	assert_int_equal(tcp_sk(sk)->rx_opt.snd_wscale, 2);
	assert_int_equal(tcp_sk(sk)->mss_cache, 1000);
	assert_int_equal(tcp_sk(sk)->packets_out, 0);
	assert_int_equal(mib_delta(TCP_MIB_ACTIVEOPENS), 1);
	harness_close(sk);
}

static void test_synsent_no_wscale_in_synack(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = SYNACK, .seq = REMOTE_ISN, .ack = iss + 1, .win = 5000 };

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1 });
	assert_int_equal(tcp_sk(sk)->rx_opt.snd_wscale, 0);
	assert_int_equal(tcp_sk(sk)->rx_opt.rcv_wscale, 0);
	assert_int_equal(tcp_sk(sk)->mss_cache, TCP_MSS_DEFAULT);	/* no MSS option: 536 */
	harness_close(sk);
}

static void test_synsent_bad_ack_rst(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = SYNACK, .seq = REMOTE_ISN, .ack = iss };

	(void)state;
	inject(&s);	/* SEG.ACK =< ISS */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss, .win = 0, .any = 0 });
	s.ack = iss + 2;	/* > SND.NXT */
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss + 2, .win = 0, .any = 0 });
	s.flags = TCPHDR_RST | TCPHDR_ACK;	/* a RST with a bad ACK: dropped */
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_SYN_SENT);
	harness_close(sk);
}

static void test_synsent_rst_refused(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_RST, .seq = 0 };

	(void)state;
	inject(&s);	/* no ACK: ignored */
	assert_int_equal(sk->sk_state, TCP_SYN_SENT);
	s.flags = TCPHDR_RST | TCPHDR_ACK;
	s.ack = iss + 1;
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	assert_int_equal(sk->sk_err, ECONNREFUSED);
	assert_int_equal(mib_delta(TCP_MIB_ATTEMPTFAILS), 1);
	harness_close(sk);
}

static void test_synsent_ack_without_syn_dropped(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = REMOTE_ISN, .ack = iss + 1 };

	(void)state;
	inject(&s);
	expect_nothing();
	assert_int_equal(sk->sk_state, TCP_SYN_SENT);
	harness_close(sk);
}

static void test_synsent_simultaneous_open(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .mss = 1200 };

	(void)state;
	inject(&s);
	/* SYN-SENT + SYN → SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK> */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .seq = iss, .ack = REMOTE_ISN + 1,
				  .any = ANY_WIN | ANY_TSVAL | ANY_TSECR });
	assert_int_equal(sk->sk_state, TCP_SYN_RECV);
	s = (struct seg){ SEG_TEMPL, .flags = TCPHDR_ACK, .seq = REMOTE_ISN + 1, .ack = iss + 1 };
	inject(&s);
	assert_int_equal(sk->sk_state, TCP_ESTABLISHED);
	assert_int_equal(tcp_sk(sk)->snd_una, iss + 1);
	assert_int_equal(tcp_sk(sk)->packets_out, 0);
	expect_nothing();
	harness_close(sk);
}

static void test_simultaneous_open_bad_ack_rst(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN };

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .seq = iss, .ack = REMOTE_ISN + 1,
				  .any = ANY_WIN | ANY_TSVAL | ANY_TSECR });
	/* SYN-RECEIVED: an ACK that does not cover our SYN → <SEQ=SEG.ACK><CTL=RST> */
	s = (struct seg){ SEG_TEMPL, .flags = TCPHDR_ACK, .seq = REMOTE_ISN + 1, .ack = iss };
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss, .win = 0, .any = 0 });
	assert_int_equal(sk->sk_state, TCP_SYN_RECV);
	harness_close(sk);
}

static void test_synsent_timestamps_negotiated(void **state)
{
	uint32_t iss;
	struct sock *sk = (sysctl_tcp_sack = 1, connect_syn(&iss));
	struct seg s = { SEG_TEMPL, .flags = SYNACK, .seq = REMOTE_ISN, .ack = iss + 1, .mss = 1460,
			 .wscale = 7, .sack_perm = 1, .ts = 1, .tsval = 777, .tsecr = 0, .win = 4000 };

	(void)state;
	inject(&s);
	/* RFC 7323: TS.Recent = the SYN-ACK's TSval, echoed from now on. */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1,
				  .ts = 1, .tsecr = 777, .any = ANY_WIN | ANY_TSVAL });
	assert_true(tcp_sk(sk)->rx_opt.tstamp_ok);
	assert_true(tcp_sk(sk)->rx_opt.sack_ok);
	assert_int_equal(tcp_sk(sk)->rx_opt.snd_wscale, 7);
	assert_int_equal(tcp_sk(sk)->mss_cache, 1448);	/* 1460 less the timestamps */
	harness_close(sk);
}

static void test_simultaneous_open_timestamps(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .ts = 1, .tsval = 42 };

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = SYNACK, .seq = iss, .ack = REMOTE_ISN + 1, .ts = 1,
				  .tsecr = 42, .any = ANY_WIN | ANY_TSVAL });
	assert_true(tcp_sk(sk)->rx_opt.tstamp_ok);
	harness_close(sk);
}

static void test_synsent_paws(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .ts = 1, .tsval = 1000 };

	(void)state;
	tcp_sk(sk)->rx_opt.ts_recent = 5000;	/* as if an earlier incarnation had been seen */
	tcp_sk(sk)->rx_opt.ts_recent_stamp = jiffies;
	inject(&s);
	expect_nothing();	/* an older timestamp: dropped */
	assert_int_equal(sk->sk_state, TCP_SYN_SENT);
	harness_close(sk);
}

static void test_connect_bad_addresses(void **state)
{
	struct sock *sk = harness_socket();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(80), .sin_addr = 0 };

	(void)state;
	lock_sock(sk);
	assert_int_equal(tcp_v4_connect(sk, &a, sizeof(a)), -ENETUNREACH);
	a.sin_addr = IP4(224, 0, 0, 1);
	assert_int_equal(tcp_v4_connect(sk, &a, sizeof(a)), -ENETUNREACH);
	a.sin_addr = REMOTE_IP;
	a.sin_port = 0;
	assert_int_equal(tcp_v4_connect(sk, &a, sizeof(a)), -ENETUNREACH);
	a.sin_family = 10;
	assert_int_equal(tcp_v4_connect(sk, &a, sizeof(a)), -EAFNOSUPPORT);
	assert_int_equal(tcp_v4_connect(sk, &a, 8), -EINVAL);
	assert_int_equal(sk->sk_state, TCP_CLOSE);
	release_sock(sk);
	expect_nothing();
	harness_close(sk);
}

static void test_connect_data_after_handshake(void **state)
{
	uint32_t iss;
	struct sock *sk = connect_syn(&iss);
	struct seg s = { SEG_TEMPL, .flags = SYNACK, .seq = REMOTE_ISN, .ack = iss + 1, .mss = 1460 };
	char buf[16];

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 1 });
	s = (struct seg){ SEG_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = REMOTE_ISN + 1,
			  .ack = iss + 1, .data = "server", .len = 6 };
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = REMOTE_ISN + 7 });
	assert_int_equal(harness_recv(sk, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "server", 6);
	assert_int_equal(harness_send(sk, "client", 6), 6);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK | TCPHDR_PSH, .seq = iss + 1,
				  .ack = REMOTE_ISN + 7, .data = "client", .len = 6, .any = ANY_WIN | ANY_PSH });
	harness_close(sk);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_harness_setup, tcp_harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_listen_synack_options),
		T(test_listen_no_options_no_extras),
		T(test_listen_ack_gets_rst),
		T(test_listen_rst_ignored),
		T(test_listen_synfin_and_bare_dropped),
		T(test_listen_syn_with_data_not_delivered),
		T(test_synrecv_handshake_completes),
		T(test_child_holds_listener_port),
		T(test_synrecv_ack_with_data),
		T(test_synrecv_retransmitted_syn),
		T(test_synrecv_bad_ack_rst),
		T(test_synrecv_rst_exact_drops_request),
		T(test_synrecv_rst_in_window_challenge),
		T(test_synrecv_out_of_window_acked),
		T(test_synrecv_new_syn_in_window_resets),
		T(test_synrecv_paws),
		T(test_synrecv_synack_retransmitted_then_expires),
		T(test_accept_queue_full_drops_ack),
		T(test_syn_with_full_accept_queue_dropped),
		T(test_syncookie_roundtrip),
		T(test_syncookie_timestamps_keep_wscale),
		T(test_syncookie_bad_ack_resets),
		T(test_synsent_synack_establishes),
		T(test_synsent_no_wscale_in_synack),
		T(test_synsent_bad_ack_rst),
		T(test_synsent_rst_refused),
		T(test_synsent_ack_without_syn_dropped),
		T(test_synsent_simultaneous_open),
		T(test_simultaneous_open_bad_ack_rst),
		T(test_synsent_timestamps_negotiated),
		T(test_simultaneous_open_timestamps),
		T(test_synsent_paws),
		T(test_connect_bad_addresses),
		T(test_connect_data_after_handshake),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
