/*
 * Stand-ins for the TCP input side and a scripted peer for the output-side
 * host tests (see tcp_out_helper.h). The stand-ins follow the contract in
 * tcp.h and docs/tcp-notes.md, nothing more.
 */
#include "tcp_out_helper.h"
#include <net/ipv4/arp.h>
#include <net/ipv4/ipv4.h>
#include <kernel/errno.h>
#include <stdlib.h>
#include <string.h>

long sk_outstanding(void);

/* ---- the input side, stood in ---- */

struct inet_hashinfo tcp_hashinfo;
unsigned int tcp_tw_ms;
int stub_time_wait_calls, stub_time_wait_state, stub_enter_loss_calls, stub_reqs_alive;
long stub_time_wait_timeo;

static int stub_init(struct sock *sk)
{
	tcp_init_sock(sk);
	return 0;
}

static int stub_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	(void)sk;
	kfree_skb(skb);
	return 0;
}

static void stub_destroy(struct sock *sk)
{
	tcp_clear_xmit_timers(sk);
	tcp_write_queue_purge(sk);
	skb_queue_purge(&tcp_sk(sk)->out_of_order_queue);
	inet_put_port(&tcp_hashinfo, sk);
}

static int stub_hash(struct sock *sk) { return inet_hash(&tcp_hashinfo, sk); }
static void stub_unhash(struct sock *sk) { inet_unhash(&tcp_hashinfo, sk); }
static int stub_get_port(struct sock *sk, unsigned short snum)
{
	return inet_csk_get_port(&tcp_hashinfo, sk, snum);
}

struct proto tcp_prot = {
	.name = "TCP",
	.obj_size = sizeof(struct tcp_sock),
	.init = stub_init,
	.destroy = stub_destroy,
	.close = tcp_close,
	.disconnect = tcp_disconnect,
	.accept = inet_csk_accept,
	.shutdown = tcp_shutdown,
	.sendmsg = tcp_sendmsg,
	.recvmsg = tcp_recvmsg,
	.backlog_rcv = stub_backlog_rcv,
	.hash = stub_hash,
	.unhash = stub_unhash,
	.get_port = stub_get_port,
	.poll = tcp_poll_mask,
};

uint32_t secure_tcp_seq(uint32_t saddr, uint32_t daddr, uint16_t sport, uint16_t dport)
{
	(void)saddr, (void)daddr, (void)sport, (void)dport;
	return ISS;
}

uint32_t secure_tcp_ts_off(uint32_t saddr, uint32_t daddr)
{
	(void)saddr, (void)daddr;
	return 0;
}

uint32_t tcp_synack_tsval(const struct request_sock *req)
{
	(void)req;
	return tcp_clock_ms();
}

void tcp_write_queue_purge(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)) != NULL)
		consume_skb(skb);
	sk->sk_wmem_queued = 0;
	tp->send_head = NULL;
	tp->packets_out = tp->retrans_out = tp->lost_out = tp->sacked_out = 0;
}

/* As documented: ssthresh = max(flight/2, 2), cwnd 1, CA_Loss, every sent skb LOST. */
void tcp_enter_loss(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t flight = tcp_packets_in_flight(tp);

	stub_enter_loss_calls++;
	tp->snd_ssthresh = flight / 2 > 2 ? flight / 2 : 2;
	tp->snd_cwnd = 1;
	inet_csk(sk)->icsk_ca_state = TCP_CA_Loss;
	tp->high_seq = tp->snd_nxt;
	tp->lost_out = 0;
	tp->retrans_out = 0;
	struct sk_buff *end = tp->send_head ? tp->send_head : (struct sk_buff *)&sk->sk_write_queue;

	for (struct sk_buff *skb = sk->sk_write_queue.next; skb != end; skb = skb->next) {
		TCP_SKB_CB(skb)->sacked &= (uint8_t)~TCPCB_SACKED_RETRANS;
		TCP_SKB_CB(skb)->sacked |= TCPCB_LOST;
		tp->lost_out++;
	}
}

void tcp_time_wait(struct sock *sk, int state, long timeo)
{
	stub_time_wait_calls++;
	stub_time_wait_state = state;
	stub_time_wait_timeo = timeo;
	tcp_done(sk);
}

/* Request socks: just enough of tcp_minisocks.c's queue functions. */
static struct request_sock *stub_reqsk_alloc(struct sock *listener)
{
	struct request_sock *req = calloc(1, sizeof(*req));

	assert_non_null(req);
	req->__req_common.skc_refcnt = 1;
	req->__req_common.skc_state = TCP_NEW_SYN_RECV;
	req->rsk_listener = listener;
	sock_hold(listener);
	stub_reqs_alive++;
	return req;
}

void reqsk_put(struct request_sock *req)
{
	if (__atomic_sub_fetch(&req->__req_common.skc_refcnt, 1, __ATOMIC_ACQ_REL) == 0) {
		sock_put(req->rsk_listener);
		stub_reqs_alive--;
		free(req);
	}
}

struct request_sock *stub_req_add(struct sock *listener, uint32_t raddr, uint16_t rport)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	struct request_sock *req = stub_reqsk_alloc(listener);
	unsigned int slot = rport & 63;

	req->__req_common.skc_daddr = raddr;
	req->__req_common.skc_dport = htons(rport);
	req->__req_common.skc_rcv_saddr = SHIM_IP;
	req->__req_common.skc_num = inet_sk(listener)->inet_num;
	req->rcv_isn = IRS;
	req->snt_isn = ISS;
	req->mss = 1460;
	req->expires = jiffies + msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
	req->dl_next = q->syn_table[slot];
	q->syn_table[slot] = req;
	q->qlen++;
	tcp_reqsk_timer_arm(listener);
	return req;
}

int inet_csk_reqsk_queue_drop(struct sock *listener, struct request_sock *req)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	struct request_sock **pp = &q->syn_table[ntohs(req->__req_common.skc_dport) & 63];

	for (; *pp; pp = &(*pp)->dl_next) {
		if (*pp == req) {
			*pp = req->dl_next;
			q->qlen--;
			reqsk_put(req);
			return 1;
		}
	}
	return 0;
}

void stub_accept_queue_add(struct sock *listener, struct sock *child)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	struct request_sock *req = stub_reqsk_alloc(listener);

	req->sk = child;	/* the child's creation reference goes to the queue */
	if (q->accept_tail)
		q->accept_tail->dl_next = req;
	else
		q->accept_head = req;
	q->accept_tail = req;
	q->accept_len++;
	listener->sk_data_ready(listener);
}

struct request_sock *reqsk_queue_remove(struct sock *listener)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	struct request_sock *req = q->accept_head;

	if (req) {
		q->accept_head = req->dl_next;
		if (!q->accept_head)
			q->accept_tail = NULL;
		q->accept_len--;
	}
	return req;
}

/* ---- setup, teardown, counters ---- */

static uint64_t mib_base[TCP_MIB_MAX];
static int64_t skb_base;
static long sk_base;

uint64_t mib_delta(enum tcp_mib f)
{
	return tcp_mib_read(f) - mib_base[f];
}

int tcp_out_setup(void **state)
{
	static int once;

	(void)state;
	net_shim_init();
	if (!once++)
		assert_int_equal(inet_hashinfo_init(&tcp_hashinfo, 64, 64, 16, 0, 1), 0);
	net_shim_reset();
	net_rx(forge_arp(bcast_mac, ARPOP_REQUEST, peer_mac, PEER_IP, NULL, SHIM_IP));
	net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
	tcp_tx_purge();
	tcp_tw_ms = 0;
	stub_time_wait_calls = stub_enter_loss_calls = 0;
	for (int i = 0; i < TCP_MIB_MAX; i++)
		mib_base[i] = tcp_mib_read((enum tcp_mib)i);
	skb_base = skb_outstanding();
	sk_base = sk_outstanding();
	return 0;
}

int tcp_out_teardown(void **state)
{
	(void)state;
	net_shim_advance(1000);
	tcp_tx_purge();
	assert_int_equal(stub_reqs_alive, 0);
	assert_int_equal(sk_outstanding(), sk_base);
	assert_int_equal(skb_outstanding(), skb_base);
	return 0;
}

unsigned int tcp_tx_pending(void);

/* Time passes in steps of at most 100 ms, ARP requests answered at each. */
void advance_ms(uint64_t ms)
{
	while (ms) {
		uint64_t step = ms < 100 ? ms : 100;

		net_shim_advance(step);
		tcp_tx_pending();
		ms -= step;
	}
}

/* ---- sockets ---- */

struct sock *new_tcp_sock(void)
{
	struct sock *sk = sk_alloc(AF_INET, &tcp_prot);

	assert_non_null(sk);
	sock_init_data(NULL, sk);
	sk->sk_type = SOCK_STREAM;
	sk->sk_protocol = IPPROTO_TCP;
	tcp_prot.init(sk);
	return sk;
}

/* What tcp_v4_connect + the SYN-ACK's processing would leave behind. */
struct sock *established_sock(int ts, int wscale, uint32_t wnd)
{
	struct sock *sk = new_tcp_sock();
	struct inet_sock *inet = inet_sk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct seg s;

	inet->inet_saddr = inet->inet_rcv_saddr = SHIM_IP;
	inet->inet_daddr = PEER_IP;
	inet->inet_dport = htons(REMOTE_PORT);
	assert_int_equal(inet_csk_get_port(&tcp_hashinfo, sk, LOCAL_PORT), 0);
	tcp_set_state(sk, TCP_SYN_SENT);
	assert_int_equal(inet_hash(&tcp_hashinfo, sk), 0);
	assert_int_equal(tcp_connect(sk), 0);
	assert_true(next_seg(&s));
	/* the SYN-ACK, as tcp_rcv_synsent_state_process would apply it */
	tp->rx_opt.tstamp_ok = (uint8_t)(ts != 0);
	tp->rx_opt.wscale_ok = (uint8_t)(wscale >= 0);
	tp->rx_opt.snd_wscale = (uint8_t)(wscale >= 0 ? wscale : 0);
	if (wscale < 0)
		tp->rx_opt.rcv_wscale = 0;
	tp->rx_opt.mss_clamp = 1460;
	tp->rx_opt.ts_recent = 777;
	tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = IRS + 1;
	tp->snd_wl1 = IRS;
	tp->rcv_tstamp = jiffies;
	fake_ack(sk, ISS + 1, wnd);
	inet_csk(sk)->icsk_rto = (uint32_t)msecs_to_jiffies(TCP_RTO_MIN_MS);
	tcp_set_state(sk, TCP_ESTABLISHED);
	tcp_tx_purge();
	return sk;
}

void put_sock(struct sock *sk)
{
	sock_put(sk);
}

/* ---- the peer ---- */

/* The input side's ACK processing, per docs/tcp-notes.md. */
void fake_ack(struct sock *sk, uint32_t ack, uint32_t wnd)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;
	int freed = 0;

	lock_sock(sk);
	while ((skb = tcp_write_queue_head(sk)) && skb != tp->send_head &&
	       !after(TCP_SKB_CB(skb)->end_seq, ack)) {
		uint8_t sacked = TCP_SKB_CB(skb)->sacked;

		__skb_unlink(skb, &sk->sk_write_queue);
		sk->sk_wmem_queued -= (int)skb->truesize;
		tp->packets_out--;
		if (sacked & TCPCB_LOST)
			tp->lost_out--;
		if (sacked & TCPCB_SACKED_RETRANS)
			tp->retrans_out--;
		consume_skb(skb);
		freed = 1;
	}
	if (after(ack, tp->snd_una)) {
		tp->snd_una = ack;
		inet_csk(sk)->icsk_retransmits = 0;
		inet_csk(sk)->icsk_backoff = 0;
		if (!before(ack, tp->high_seq))
			inet_csk(sk)->icsk_ca_state = TCP_CA_Open;
		if (tp->snd_cwnd < 100)
			tp->snd_cwnd++;
	}
	tp->snd_wnd = wnd;
	if (wnd > tp->max_window)
		tp->max_window = wnd;
	tp->rcv_tstamp = jiffies;
	inet_csk(sk)->icsk_probes_out = 0;
	if (!tp->packets_out)
		inet_csk_clear_xmit_timer(sk, ICSK_TIME_RETRANS);
	else if (freed)
		inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, jiffies + inet_csk(sk)->icsk_rto);
	if (inet_csk(sk)->icsk_ca_state == TCP_CA_Loss)
		tcp_xmit_retransmit_queue(sk);
	tcp_push_pending_frames(sk);
	if (freed)
		sk->sk_write_space(sk);
	release_sock(sk);
}

/* In-order data (and FIN) from the peer, queued as tcp_data_queue would. */
void fake_data(struct sock *sk, const void *data, unsigned int len, int fin)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (len) {
		struct sk_buff *skb = alloc_skb(NET_SKB_PAD + 1514);

		assert_non_null(skb);
		skb_reserve(skb, NET_SKB_PAD + 66);
		memcpy(skb_put(skb, len), data, len);
		TCP_SKB_CB(skb)->seq = tp->rcv_nxt;
		TCP_SKB_CB(skb)->end_seq = tp->rcv_nxt + len;
		skb_set_owner_r(skb, sk);
		__skb_queue_tail(&sk->sk_receive_queue, skb);
		tp->rcv_nxt += len;
		icsk->icsk_ack.lrcvtime = jiffies;
		icsk->icsk_ack.rcv_mss = 1460;
	}
	if (fin) {
		tp->rcv_nxt++;
		sk->sk_shutdown |= RCV_SHUTDOWN;
		sock_set_flag(sk, SOCK_DONE);
		if (sk->sk_state == TCP_ESTABLISHED)
			tcp_set_state(sk, TCP_CLOSE_WAIT);
		else if (sk->sk_state == TCP_FIN_WAIT2)
			tcp_time_wait(sk, TCP_TIME_WAIT, 0);
	}
	inet_csk_schedule_ack(sk);
	sk->sk_data_ready(sk);
}

long do_send(struct sock *sk, const void *buf, size_t len, int flags)
{
	struct msghdr m;
	struct iovec iov;

	shim_msg(&m, &iov, (void *)buf, len, NULL, 0);
	m.msg_flags = (unsigned int)flags;
	return tcp_sendmsg(sk, &m, len);
}

long do_recv(struct sock *sk, void *buf, size_t len, int flags)
{
	struct msghdr m;
	struct iovec iov;
	int alen = 0;

	shim_msg(&m, &iov, buf, len, NULL, 0);
	return tcp_recvmsg(sk, &m, len, flags, &alen);
}

/* ---- what we sent ---- */

static void parse_options(struct seg *s, const uint8_t *p, int len)
{
	while (len > 0) {
		uint8_t kind = p[0], olen;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			p++;
			len--;
			continue;
		}
		assert_true(len >= 2);
		olen = p[1];
		assert_true(olen >= 2 && olen <= len);
		switch (kind) {
		case TCPOPT_MSS:
			assert_int_equal(olen, 4);
			s->mss = p[2] << 8 | p[3];
			break;
		case TCPOPT_WINDOW:
			assert_int_equal(olen, 3);
			s->ws = p[2];
			break;
		case TCPOPT_SACK_PERM:
			assert_int_equal(olen, 2);
			s->sack_perm = 1;
			break;
		case TCPOPT_TIMESTAMP:
			assert_int_equal(olen, 10);
			s->ts = 1;
			s->tsval = (uint32_t)p[2] << 24 | p[3] << 16 | p[4] << 8 | p[5];
			s->tsecr = (uint32_t)p[6] << 24 | p[7] << 16 | p[8] << 8 | p[9];
			break;
		case TCPOPT_SACK:
			s->nsack = (olen - 2) / 8;
			for (int i = 0; i < s->nsack && i < 4; i++)
				for (int j = 0; j < 2; j++) {
					const uint8_t *q = p + 2 + i * 8 + j * 4;

					s->sack[i][j] = (uint32_t)q[0] << 24 | q[1] << 16 | q[2] << 8 | q[3];
				}
			break;
		}
		p += olen;
		len -= olen;
	}
}

/*
 * Move what the shim NIC captured to our queue, answering ARP requests as
 * the peer would (entries expire during long timer tests).
 */
static struct sk_buff_head tcp_tx;

unsigned int tcp_tx_pending(void)
{
	struct sk_buff *skb;

	if (!tcp_tx.next)
		skb_queue_head_init(&tcp_tx);
	while ((skb = shim_tx_pop()) != NULL) {
		const uint8_t *eth = tx_eth(skb);

		if (eth[12] == 0x08 && eth[13] == 0x06) {
			consume_skb(skb);
			net_rx(forge_arp(shim_mac, ARPOP_REPLY, peer_mac, PEER_IP, shim_mac, SHIM_IP));
			continue;
		}
		__skb_queue_tail(&tcp_tx, skb);
	}
	return skb_queue_len(&tcp_tx);
}

void tcp_tx_purge(void)
{
	tcp_tx_pending();
	skb_queue_purge(&tcp_tx);
}

int next_seg(struct seg *s)
{
	struct sk_buff *skb;

	tcp_tx_pending();
	skb = __skb_dequeue(&tcp_tx);
	const struct iphdr *iph;
	const struct tcphdr *th;
	unsigned int iplen, thlen;
	uint32_t sum;

	if (!skb)
		return 0;
	memset(s, 0, sizeof(*s));
	s->mss = s->ws = -1;
	iph = tx_iph(skb);
	assert_non_null(iph);
	assert_int_equal(iph->protocol, IPPROTO_TCP);
	iplen = ntohs(iph->tot_len) - ip_hdrlen(iph);
	th = (const struct tcphdr *)tx_l4(skb);
	thlen = tcp_hdrlen(th);
	assert_true(thlen >= 20 && thlen <= iplen);
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		/* Do what the device would: fold from csum_start, store at csum_offset. */
		uint8_t *start = skb->head + skb->csum_start;
		uint16_t c;

		assert_ptr_equal(start, (const uint8_t *)th);
		assert_int_equal(skb->csum_offset, offsetof(struct tcphdr, check));
		c = csum_fold(csum_partial(start, iplen, 0));
		memcpy(start + skb->csum_offset, &c, 2);
	}
	sum = csum_tcpudp_nofold(iph->saddr, iph->daddr, iplen, IPPROTO_TCP, csum_partial(th, iplen, 0));
	s->csum_ok = csum_fold(sum) == 0;
	s->partial = skb->ip_summed == CHECKSUM_PARTIAL;
	s->flags = th->flags;
	s->seq = ntohl(th->seq);
	s->ack = ntohl(th->ack_seq);
	s->win = ntohs(th->window);
	s->sport = ntohs(th->source);
	s->dport = ntohs(th->dest);
	s->len = iplen - thlen;
	assert_true(s->len <= sizeof(s->data));
	memcpy(s->data, (const uint8_t *)th + thlen, s->len);
	parse_options(s, (const uint8_t *)(th + 1), (int)thlen - 20);
	consume_skb(skb);
	return 1;
}

void expect_seg_flags(struct seg *s, uint8_t flags, uint32_t seq, unsigned int len, const char *file,
		      int line)
{
	if (!next_seg(s))
		fail_msg("%s:%d: expected a segment, none was sent", file, line);
	if (s->flags != flags || s->seq != seq || s->len != len || !s->csum_ok)
		fail_msg("%s:%d: got flags %#x seq %u len %u csum %d; want flags %#x seq %u len %u", file,
			 line, s->flags, s->seq, s->len, s->csum_ok, flags, seq, len);
}

void expect_seg_nopsh(struct seg *s, uint8_t flags, uint32_t seq, unsigned int len, const char *file,
		      int line)
{
	if (!next_seg(s))
		fail_msg("%s:%d: expected a segment, none was sent", file, line);
	if ((s->flags & ~TCPHDR_PSH) != (flags & ~TCPHDR_PSH) || s->seq != seq || s->len != len || !s->csum_ok)
		fail_msg("%s:%d: got flags %#x seq %u len %u csum %d; want flags %#x seq %u len %u", file,
			 line, s->flags, s->seq, s->len, s->csum_ok, flags, seq, len);
}
