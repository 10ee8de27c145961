/*
 * libFuzzer: TCP segments into net_rx → ip_rcv → tcp_v4_rcv, checksums
 * not checked (net_csum_verify_disabled), with a listener on port 80 and
 * an established connection on it present, so input reaches request
 * socks, the state machine, the out-of-order queue and TIME_WAIT.
 *
 * Input: records of [mode][len][len bytes of TCP header + options + data].
 * mode bits: 0x03 where it goes (0 as is, 1 the listener from a fresh
 * port, 2 the established connection, 3 its 4-tuple with our snd/rcv
 * numbers patched in, offset by the record's own seq/ack fields mod 64 KiB);
 * 0x04 let 1-255 ms pass afterwards (the record's first byte); 0x08 the
 * socket is owned by a "system call" while it arrives (backlog), released
 * after; 0x10 we send 1-4 KiB first, so ACKs meet a real write queue
 * (RTT, fast retransmit, recovery, RTO). Checks beyond the sanitizers: the
 * connection's invariants hold after every record (snd_una ≤ snd_nxt,
 * queue counts agree with packets_out, lost/retrans/sacked within it).
 */
#define TCP_HARNESS_NO_CMOCKA 1
#include "../unit/tcp_harness.c"

static struct sock *listener, *conn;
static uint16_t conn_port = REMOTE_PORT;

/* A handshake from a new peer port on the listener; the connection, or NULL. */
static struct sock *establish(void)
{
	struct seg syn = { SEG_TEMPL, .flags = TCPHDR_SYN, .seq = REMOTE_ISN, .mss = 1460,
			   .wscale = 7, .ts = 1, .tsval = TS_PEER, .sack_perm = 1 };
	struct seg sa, ack = { SEG_TEMPL, .flags = TCPHDR_ACK, .seq = REMOTE_ISN + 1, .ts = 1,
			       .tsval = TS_PEER + 1 };
	struct sock *c;

	conn_port = (uint16_t)(conn_port < 60000 ? conn_port + 1 : 40000);
	syn.sport = ack.sport = conn_port;
	inject(&syn);
	if (!next_seg(&sa) || sa.flags != (TCPHDR_SYN | TCPHDR_ACK))
		return NULL;
	ack.ack = sa.seq + 1;
	ack.tsecr = sa.tsval;
	inject(&ack);
	while ((c = harness_accept(listener)) != NULL) {
		if (c->sk_dport == htons(conn_port))
			return c;
		harness_abort(c);	/* a child the fuzzer made */
	}
	return NULL;
}

static void reopen(void)
{
	if (conn) {
		conn->sk_lock.owned = 0;
		harness_abort(conn);
		conn = NULL;
	}
	for (int i = 0; i < 8 && !conn; i++) {
		captured_purge();
		conn = establish();
	}
	captured_purge();
	if (!conn)
		abort();	/* the listener stopped answering: a bug */
}

static void init_once(void)
{
	static int done;

	if (done++)
		return;
	harness_reset();
	net_csum_verify_disabled = 1;
	sysctl_tcp_sack = 1;	/* reach the SACK paths too */
	listener = harness_listen(LOCAL_PORT, 64);
	reopen();
}

static void check_invariants(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	uint32_t n = 0;

	if (sk->sk_state == TCP_CLOSE)
		return;
	if (after(tp->snd_una, tp->snd_nxt))
		abort();
	for (struct sk_buff *skb = sk->sk_write_queue.next;
	     skb != (struct sk_buff *)&sk->sk_write_queue && skb != tp->send_head; skb = skb->next)
		n++;
	if (n != tp->packets_out || tp->lost_out > tp->packets_out ||
	    tp->retrans_out > tp->packets_out || tp->sacked_out > tp->packets_out) {
		fprintf(stderr, "state %d: %u skbs sent, packets_out %u lost %u retrans %u sacked %u\n",
			sk->sk_state, n, tp->packets_out, tp->lost_out, tp->retrans_out,
			tp->sacked_out);
		abort();
	}
	if (after(tp->rcv_nxt, tp->rcv_wup + tp->rcv_wnd + 1) && tp->rcv_wnd)
		abort();	/* took data past the window we advertised */
}

static void one_record(uint8_t mode, const uint8_t *p, unsigned int len)
{
	uint8_t buf[1600], ip[1700];
	struct ip_templ t = { .saddr = REMOTE_IP, .daddr = LOCAL_IP, .protocol = IPPROTO_TCP };
	struct tcp_sock *tp = tcp_sk(conn);
	struct sk_buff *skb;
	static uint16_t fresh = 1000;
	unsigned int n;

	if (len > sizeof(buf))
		len = sizeof(buf);
	memcpy(buf, p, len);
	if ((mode & 3) && len >= 20) {
		buf[2] = 0;
		buf[3] = LOCAL_PORT;
		if ((mode & 3) == 1) {
			fresh = (uint16_t)(fresh + 1 < 30000 ? fresh + 1 : 1000);
			buf[0] = (uint8_t)(fresh >> 8);
			buf[1] = (uint8_t)fresh;
		} else {
			buf[0] = (uint8_t)(conn_port >> 8);
			buf[1] = (uint8_t)conn_port;
		}
		if ((mode & 3) == 3) {
			uint32_t seq = tp->rcv_nxt + (uint32_t)(buf[6] << 8 | buf[7]) - 0x8000;
			uint32_t ack = tp->snd_una + (uint32_t)(buf[10] << 8 | buf[11]);

			for (int i = 0; i < 4; i++) {
				buf[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
				buf[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
			}
		}
	}
	if ((mode & 0x10) && conn->sk_state == TCP_ESTABLISHED) {
		static uint8_t out[4096];

		tp->nonagle = TCP_NAGLE_OFF;
		harness_send(conn, out, 1024u * (1 + (mode >> 6)));
	}
	n = build_ipv4(ip, &t, buf, len);
	skb = forge_frame(shim_mac, peer_mac, ETH_P_IP, ip, n);
	if (mode & 8)
		lock_sock(conn);
	net_rx(skb);
	if (mode & 8)
		release_sock(conn);
	if ((mode & 4) && len)
		advance_ms(p[0] ? p[0] : 1);
	captured_purge();
	check_invariants(conn);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init_once();
	for (int rec = 0; rec < 16 && size >= 2; rec++) {
		uint8_t mode = data[0];
		unsigned int len = data[1];

		data += 2;
		size -= 2;
		if (len > size)
			len = (unsigned int)size;
		one_record(mode, data, len);
		data += len;
		size -= len;
	}
	if (conn->sk_state != TCP_ESTABLISHED)
		reopen();
	/* Children the fuzzer's handshakes made: accept and drop them. */
	for (struct sock *c; (c = harness_accept(listener)) != NULL;)
		harness_abort(c);
	captured_purge();
	return 0;
}
