/*
 * tcp_v4_rcv itself: header validation and counters ("count it even if
 * it's bad"), the replies for segments with no socket (RFC 9293
 * §3.10.7.1), the lookup order, and tcp_parse_options on hostile bytes.
 */
#include "tcp_harness.h"
#include <net/core/sock_reuseport.h>
#include <cmocka.h>
#include <string.h>

#define RCV (REMOTE_ISN + 1)

/* ---- malformed headers ---- */

static void test_doff_too_small(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .doff = 4 };

	(void)state;
	inject(&s);
	expect_nothing();
	assert_int_equal(mib_delta(TCP_MIB_INSEGS), 1);
	assert_int_equal(mib_delta(TCP_MIB_INERRS), 1);
	s.doff = 0;
	s.raw_opts = (const uint8_t *)"\0\0\0\0";
	s.raw_optlen = 4;
	inject(&s);	/* doff 0 from the template's own rule? no: 6 words; still fine */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK, .ack = REMOTE_ISN + 1,
				  .any = ANY_SEQ | ANY_WIN });
	harness_close(l);
}

static void test_doff_past_segment(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .doff = 15 };

	(void)state;
	inject(&s);	/* 60-byte header claimed, 20 bytes there */
	expect_nothing();
	s.doff = 8;
	s.len = 8;	/* 32 claimed, 28 there */
	inject(&s);
	expect_nothing();
	assert_int_equal(mib_delta(TCP_MIB_INERRS), 2);
	assert_int_equal(inet_csk(l)->icsk_accept_queue.qlen, 0);
	harness_close(l);
}

static void test_short_header(void **state)
{
	uint8_t tcp[12] = { 0x9c, 0x40, 0x00, 0x50 };
	struct ip_templ t = { .saddr = REMOTE_IP, .daddr = LOCAL_IP, .protocol = IPPROTO_TCP };
	uint8_t ip[80];
	unsigned int n = build_ipv4(ip, &t, tcp, sizeof(tcp));

	(void)state;
	net_rx(forge_frame(shim_mac, peer_mac, ETH_P_IP, ip, n));
	expect_nothing();
	assert_int_equal(mib_delta(TCP_MIB_INSEGS), 1);
	assert_int_equal(mib_delta(TCP_MIB_INERRS), 1);
}

static void test_bad_checksum(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .bad_csum = 1 };

	(void)state;
	inject(&s);
	expect_nothing();
	assert_int_equal(mib_delta(TCP_MIB_CSUMERRORS), 1);
	assert_int_equal(mib_delta(TCP_MIB_INERRS), 1);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_TCP_CSUM) > 0, 1);
	/* The device vouched for it (CHECKSUM_UNNECESSARY): not checked again. */
	s.csum_ok = 1;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK, .ack = REMOTE_ISN + 1,
				  .any = ANY_SEQ | ANY_WIN });
	harness_close(l);
}

static void test_bad_checksum_no_rst(void **state)
{
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .bad_csum = 1 };

	(void)state;
	inject(&s);	/* no socket either: still no answer */
	expect_nothing();
}

/* ---- no socket: RFC 9293 §3.10.7.1 ---- */

static void test_closed_port_rst_rules(void **state)
{
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = 100, .ack = 5555 };

	(void)state;
	inject(&s);	/* ACK on: <SEQ=SEG.ACK><CTL=RST> */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = 5555, .win = 0, .any = NO_TS });
	s.flags = TCPHDR_PSH;	/* no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
	s.len = 10;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST | TCPHDR_ACK, .seq = 0, .ack = 110,
				  .win = 0, .any = 0 });
	s.flags = TCPHDR_SYN | TCPHDR_FIN;	/* SYN and FIN count in SEG.LEN */
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST | TCPHDR_ACK, .seq = 0, .ack = 112,
				  .win = 0, .any = 0 });
	s.flags = TCPHDR_RST;	/* never answer a RST */
	inject(&s);
	s.flags = TCPHDR_RST | TCPHDR_ACK;
	inject(&s);
	expect_nothing();
	assert_int_equal(mib_delta(TCP_MIB_OUTRSTS), 3);
	assert_int_equal(skb_drop_count(SKB_DROP_REASON_NO_SOCKET) >= 5, 1);
}

static void test_rst_reply_carries_timestamps_not(void **state)
{
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = 100, .ack = 5555, .ts = 1, .tsval = 9 };

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = 5555, .win = 0, .any = NO_TS });
}

static void test_broadcast_not_answered(void **state)
{
	struct seg s = { SEG_TEMPL, .daddr = SHIM_BCAST, .flags = TCPHDR_SYN, .seq = 1 };
	uint8_t tcp[80], ip[140];
	struct ip_templ t = { .saddr = REMOTE_IP, .daddr = SHIM_BCAST, .protocol = IPPROTO_TCP };
	unsigned int n = build_tcp(tcp, &s);

	(void)state;
	n = build_ipv4(ip, &t, tcp, n);
	net_rx(forge_frame(bcast_mac, peer_mac, ETH_P_IP, ip, n));
	net_rx(forge_frame(shim_mac, peer_mac, ETH_P_IP, ip, n));
	expect_nothing();
}

/* ---- lookup ---- */

static void test_established_beats_listener(void **state)
{
	uint32_t iss;
	struct sock *l, *c = harness_established(NULL, &iss, &l);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = RCV, .ack = iss + 1, .len = 5 };

	(void)state;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_ACK, .seq = iss + 1, .ack = RCV + 5 });
	assert_int_equal(tcp_sk(c)->rcv_nxt, RCV + 5);
	/* Another peer port: only the listener matches, and an ACK to it gets RST. */
	s.sport = REMOTE_PORT + 1;
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .dport = REMOTE_PORT + 1, .flags = TCPHDR_RST,
				  .seq = iss + 1, .win = 0, .any = 0 });
	assert_int_equal(c->sk_incoming_cpu, 0);
	harness_close(c);
	harness_close(l);
}

static struct sock *listen_on(uint32_t addr)
{
	struct sock *sk = harness_socket();

	sk->sk_reuseport = 1;
	lock_sock(sk);
	sk->sk_rcv_saddr = addr;
	inet_sk(sk)->inet_saddr = addr;
	if (sk->sk_prot->get_port(sk, LOCAL_PORT) || inet_csk_listen_start(sk, 8))
		sk = NULL;
	release_sock(sk);
	return sk;
}

static void test_listener_bound_address_beats_wildcard(void **state)
{
	struct sock *any = listen_on(0), *exact = listen_on(LOCAL_IP);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN };

	(void)state;
	assert_non_null(any);
	assert_non_null(exact);
	inject(&s);
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK, .ack = REMOTE_ISN + 1,
				  .any = ANY_SEQ | ANY_WIN });
	assert_int_equal(inet_csk(exact)->icsk_accept_queue.qlen, 1);
	assert_int_equal(inet_csk(any)->icsk_accept_queue.qlen, 0);
	harness_close(exact);
	harness_close(any);
}

static void test_request_of_closed_listener_goes(void **state)
{
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN };
	uint32_t iss;

	(void)state;
	inject(&s);
	iss = expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK,
					.ack = REMOTE_ISN + 1, .any = ANY_SEQ | ANY_WIN })->seq;
	harness_close(l);
	s = (struct seg){ SEG_TEMPL, .flags = TCPHDR_ACK, .seq = RCV, .ack = iss + 1 };
	inject(&s);
	/* No listener, no request: RST. */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_RST, .seq = iss + 1, .win = 0, .any = 0 });
}

/* ---- options ---- */

static struct tcphdr *hdr_with(uint8_t *buf, const uint8_t *opts, unsigned int n)
{
	struct tcphdr *th = (struct tcphdr *)buf;

	memset(buf, 0, 60);
	memcpy(buf + 20, opts, n);
	th->doff_res = (uint8_t)(((20 + n + 3) / 4) << 4);
	return th;
}

static void test_options_parse_all(void **state)
{
	static const uint8_t o[] = { 2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 9, 0, 0, 0, 8 };
	uint8_t buf[60];
	struct tcp_options_received opt = { 0 };

	(void)state;
	assert_int_equal(tcp_parse_options(hdr_with(buf, o, sizeof(o)), 1, &opt), 0);
	assert_int_equal(opt.mss_clamp, 1460);
	assert_true(opt.wscale_ok);
	assert_int_equal(opt.snd_wscale, 7);
	assert_true(opt.sack_ok);
	assert_true(opt.saw_tstamp);
	assert_int_equal(opt.rcv_tsval, 9);
	assert_int_equal(opt.rcv_tsecr, 8);
}

static void test_options_syn_only_ignored_later(void **state)
{
	static const uint8_t o[] = { 2, 4, 0x01, 0x00, 1, 3, 3, 7, 4, 2, 0, 0 };
	uint8_t buf[60];
	struct tcp_options_received opt = { 0 };

	(void)state;
	assert_int_equal(tcp_parse_options(hdr_with(buf, o, sizeof(o)), 0, &opt), 0);
	assert_int_equal(opt.mss_clamp, 0);
	assert_false(opt.wscale_ok);
	assert_false(opt.sack_ok);
}

static void test_options_malformed(void **state)
{
	static const uint8_t zero_len[] = { 8, 0, 1, 1 };
	static const uint8_t one_byte[] = { 1, 1, 1, 8 };
	static const uint8_t past_end[] = { 1, 8, 10, 0 };
	static const uint8_t bad_mss[] = { 2, 3, 5, 1, 3, 3, 2, 0 };
	static const uint8_t ts_wrong[] = { 8, 6, 0, 0, 0, 1, 1, 1 };
	static const uint8_t sack_bad[] = { 5, 7, 0, 0, 0, 1, 0, 0 };
	uint8_t buf[60];
	struct tcp_options_received opt = { 0 };

	(void)state;
	assert_int_equal(tcp_parse_options(hdr_with(buf, zero_len, 4), 1, &opt), -1);
	assert_int_equal(tcp_parse_options(hdr_with(buf, one_byte, 4), 1, &opt), -1);
	assert_int_equal(tcp_parse_options(hdr_with(buf, past_end, 4), 1, &opt), -1);
	memset(&opt, 0, sizeof(opt));
	assert_int_equal(tcp_parse_options(hdr_with(buf, bad_mss, 8), 1, &opt), -1);
	assert_int_equal(opt.mss_clamp, 0);	/* wrong length: not taken, and parsing stops */
	assert_false(opt.wscale_ok);
	assert_int_equal(tcp_parse_options(hdr_with(buf, ts_wrong, 8), 0, &opt), -1);
	assert_false(opt.saw_tstamp);
	assert_int_equal(tcp_parse_options(hdr_with(buf, sack_bad, 8), 0, &opt), -1);
	assert_int_equal(opt.num_sacks, 0);
}

static void test_options_clamps(void **state)
{
	static const uint8_t o[] = { 3, 3, 15, 2, 4, 0, 0, 1 };	/* wscale 15, MSS 0 */
	uint8_t buf[60];
	struct tcp_options_received opt = { 0 };

	(void)state;
	assert_int_equal(tcp_parse_options(hdr_with(buf, o, 8), 1, &opt), 0);
	assert_int_equal(opt.snd_wscale, TCP_MAX_WSCALE);	/* RFC 7323 §2.3 */
	assert_int_equal(opt.mss_clamp, 0);			/* zero MSS ignored */
	opt.user_mss = 1000;
	{
		static const uint8_t m[] = { 2, 4, 0x05, 0xb4 };

		assert_int_equal(tcp_parse_options(hdr_with(buf, m, 4), 1, &opt), 0);
		assert_int_equal(opt.mss_clamp, 1000);	/* TCP_MAXSEG wins */
	}
}

static void test_options_sack_blocks(void **state)
{
	uint8_t o[40] = { 1, 1, 5, 34 };
	uint8_t buf[60];
	struct tcp_options_received opt = { 0 };

	(void)state;
	for (int i = 0; i < 8; i++)
		o[4 + 4 * i + 3] = (uint8_t)(i + 1);
	assert_int_equal(tcp_parse_options(hdr_with(buf, o, 36), 0, &opt), 0);
	assert_true(opt.saw_sack);
	assert_int_equal(opt.num_sacks, 4);
	assert_int_equal(opt.sack[3].end_seq, 8);
}

static void test_malformed_options_on_wire_survive(void **state)
{
	static const uint8_t junk[] = { 2, 1, 3, 200, 8, 2, 255, 255 };
	struct sock *l = harness_listen(LOCAL_PORT, 8);
	struct seg s = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .raw_opts = junk,
			 .raw_optlen = sizeof(junk) };

	(void)state;
	inject(&s);
	/* Parsing stops at the bad option; the SYN itself is still answered, MSS 536 assumed. */
	expect_seg(&(struct seg){ RECV_TEMPL, .flags = TCPHDR_SYN | TCPHDR_ACK, .ack = REMOTE_ISN + 1,
				  .any = ANY_SEQ | ANY_WIN | NO_TS });
	harness_close(l);
}

static void test_reuseport_group_shares_flows(void **state)
{
	struct sock *l[4];
	int hits[4] = { 0 };

	(void)state;
	for (int i = 0; i < 4; i++)
		l[i] = listen_on(0);
	for (int p = 0; p < 400; p++) {
		struct sock *sk = __inet_lookup_listener(&tcp_hashinfo, REMOTE_IP, htons((uint16_t)(20000 + p)),
							 LOCAL_IP, LOCAL_PORT, 0);

		for (int i = 0; i < 4; i++)
			hits[i] += sk == l[i];
		/* One flow, one listener, every time. */
		assert_ptr_equal(sk, __inet_lookup_listener(&tcp_hashinfo, REMOTE_IP,
							    htons((uint16_t)(20000 + p)), LOCAL_IP,
							    LOCAL_PORT, 0));
		sock_put(sk);
		sock_put(sk);
	}
	for (int i = 0; i < 4; i++)
		assert_true(hits[i] > 40);	/* about 100 each */
	/*
	 * SO_INCOMING_CPU = the receiving CPU: under reuseport=hash the group
	 * ignores it (Linux before 6.1), under reuseport=cpu it wins every flow
	 * (the others, which listened on CPU 0 too, are given other CPUs).
	 */
	for (int i = 0; i < 4; i++)
		l[i]->sk_incoming_cpu = i == 2 ? 0 : 1 + i;
	for (int mode = REUSEPORT_SELECT_HASH; mode <= REUSEPORT_SELECT_CPU; mode++) {
		int got2 = 0;

		sysctl_reuseport_select = mode;
		for (int p = 0; p < 50; p++) {
			struct sock *sk = __inet_lookup_listener(&tcp_hashinfo, REMOTE_IP,
								 htons((uint16_t)(30000 + p)),
								 LOCAL_IP, LOCAL_PORT, 0);

			got2 += sk == l[2];
			sock_put(sk);
		}
		assert_int_equal(got2 == 50, mode == REUSEPORT_SELECT_CPU);
	}
	sysctl_reuseport_select = REUSEPORT_SELECT_HASH;
	for (int i = 0; i < 4; i++)
		harness_close(l[i]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tcp_harness_setup, tcp_harness_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_doff_too_small),
		T(test_doff_past_segment),
		T(test_short_header),
		T(test_bad_checksum),
		T(test_bad_checksum_no_rst),
		T(test_closed_port_rst_rules),
		T(test_rst_reply_carries_timestamps_not),
		T(test_broadcast_not_answered),
		T(test_established_beats_listener),
		T(test_listener_bound_address_beats_wildcard),
		T(test_request_of_closed_listener_goes),
		T(test_reuseport_group_shares_flows),
		T(test_options_parse_all),
		T(test_options_syn_only_ignored_later),
		T(test_options_malformed),
		T(test_options_clamps),
		T(test_options_sack_blocks),
		T(test_malformed_options_on_wire_survive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
