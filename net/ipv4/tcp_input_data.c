/*
 * Receiving data (Linux's tcp_data_queue and friends in net/ipv4/
 * tcp_input.c; RFC 9293 §3.10.7.4 seventh step, RFC 5681 §4.2, RFC 1122
 * §4.2.3.2): what tcp_rcv_established/tcp_rcv_state_process do with a
 * validated segment's text, and the ACK that answers it.
 *
 *  - tcp_data_queue(): in order → sk_receive_queue (charged with
 *    skb_set_owner_r, trimmed to RCV.NXT and to the window's right edge,
 *    small ones copied into the tail buffer when it has room),
 *    else the out-of-order queue (sorted, duplicates dropped, bounded by
 *    sk_rcvbuf); a FIN in order → tcp_fin().
 *  - tcp_ack_snd_check(): ACK now (more than one full segment unacked,
 *    quick-ACK mode, out of order, a hole filled, a FIN, an old duplicate)
 *    or arm the delayed ACK; tcp_data_snd_check(): push what may go.
 * Socket locked (either level). Consumes the skb.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/tcp_input.h>
#include <string.h>

static void tcp_measure_rcv_mss(struct sock *sk, const struct sk_buff *skb)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (skb->len > icsk->icsk_ack.rcv_mss)
		icsk->icsk_ack.rcv_mss = (uint16_t)(skb->len < tcp_sk(sk)->advmss ? skb->len
										   : tcp_sk(sk)->advmss);
}

/* ---- data (RFC 9293 seventh step) ---- */

/* Linux's tcp_incr_quickack: ACK the next segments at once (slow start of the peer). */
static void tcp_incr_quickack(struct sock *sk, unsigned int max_quickacks)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	unsigned int quickacks = tcp_sk(sk)->rcv_wnd / (2 * icsk->icsk_ack.rcv_mss);

	if (quickacks == 0)
		quickacks = 2;
	if (quickacks > max_quickacks)
		quickacks = max_quickacks;
	if (quickacks > icsk->icsk_ack.quick)
		icsk->icsk_ack.quick = (uint8_t)quickacks;
}

static void tcp_enter_quickack_mode(struct sock *sk)
{
	tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);
	inet_csk(sk)->icsk_ack.pingpong = 0;
	inet_csk(sk)->icsk_ack.ato = (uint32_t)msecs_to_jiffies(TCP_DELACK_MIN_MS);
}

/* Linux's tcp_event_data_recv: the delayed-ACK timeout follows the peer's pace. */
static void tcp_event_data_recv(struct sock *sk, const struct sk_buff *skb)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	uint32_t ato_min = (uint32_t)msecs_to_jiffies(TCP_DELACK_MIN_MS);
	uint64_t now = jiffies;

	icsk->icsk_ack.pending |= ICSK_ACK_SCHED;
	tcp_measure_rcv_mss(sk, skb);
	if (!icsk->icsk_ack.ato) {
		tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);	/* the first data */
		icsk->icsk_ack.ato = ato_min;
	} else {
		uint64_t m = now - icsk->icsk_ack.lrcvtime;

		if (m <= ato_min / 2) {
			icsk->icsk_ack.ato = (icsk->icsk_ack.ato >> 1) + ato_min / 2;
		} else if (m < icsk->icsk_ack.ato) {
			icsk->icsk_ack.ato = (icsk->icsk_ack.ato >> 1) + (uint32_t)m;
			if (icsk->icsk_ack.ato > icsk->icsk_rto)
				icsk->icsk_ack.ato = icsk->icsk_rto;
		} else if (m > icsk->icsk_rto) {
			tcp_incr_quickack(sk, TCP_MAX_QUICKACKS);	/* a long gap */
		}
	}
	icsk->icsk_ack.lrcvtime = now;
}

/*
 * Copy a small in-order @skb into the receive queue's tail when its buffer
 * has room (Linux's tcp_try_coalesce): a stream of tiny segments then costs
 * one buffer, not one each, so the advertised window does not collapse.
 * Safe against recvmsg: we run only while no system call owns the socket.
 */
static int tcp_try_coalesce(struct sock *sk, struct sk_buff *skb)
{
	struct sk_buff *tail = sk->sk_receive_queue.prev;

	if (skb_queue_empty(&sk->sk_receive_queue) ||
	    TCP_SKB_CB(tail)->end_seq != TCP_SKB_CB(skb)->seq || skb->len > skb_tailroom(tail))
		return 0;
	memcpy(skb_put(tail, skb->len), skb->data, skb->len);
	TCP_SKB_CB(tail)->end_seq = TCP_SKB_CB(skb)->end_seq;
	return 1;
}

/* Charge and append @skb (data only, in order) to the receive queue. */
static void tcp_queue_rcv(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t end_seq = TCP_SKB_CB(skb)->end_seq;
	int fin = TCP_SKB_CB(skb)->tcp_flags & TCPHDR_FIN;

	tp->rcv_nxt = end_seq;
	TCP_SKB_CB(skb)->end_seq -= !!fin;	/* the receive queue holds data only */
	if (skb->len) {
		tcp_event_data_recv(sk, skb);
		if (tcp_try_coalesce(sk, skb)) {
			consume_skb(skb);
		} else {
			skb->dev = NULL;
			skb_set_owner_r(skb, sk);
			skb_queue_tail(&sk->sk_receive_queue, skb);
		}
	} else {
		consume_skb(skb);
	}
	if (fin)
		tcp_fin(sk);
}

/* Cut what lies before RCV.NXT or past the window's right edge (RFC 9293: only the new parts). */
static void tcp_trim_to_window(struct tcp_sock *tp, struct sk_buff *skb)
{
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint32_t edge = tp->rcv_nxt + tcp_receive_window(tp);

	if (before(cb->seq, tp->rcv_nxt)) {
		skb_pull(skb, tp->rcv_nxt - cb->seq);
		cb->seq = tp->rcv_nxt;
	}
	if (after(cb->end_seq, edge)) {
		uint32_t data_end = cb->seq + skb->len;

		cb->tcp_flags &= (uint8_t)~TCPHDR_FIN;	/* a FIN past the window waits */
		if (after(data_end, edge))
			skb_trim(skb, edge - cb->seq);
		cb->end_seq = cb->seq + skb->len;
	}
}

/* Move whatever the out-of-order queue now continues to the receive queue (Linux's tcp_ofo_queue). */
static void tcp_ofo_queue(struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb;

	while ((skb = skb_peek(&tp->out_of_order_queue)) != NULL) {
		if (after(TCP_SKB_CB(skb)->seq, tp->rcv_nxt))
			break;
		__skb_unlink(skb, &tp->out_of_order_queue);
		if (!after(TCP_SKB_CB(skb)->end_seq, tp->rcv_nxt)) {
			kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);	/* wholly old */
			continue;
		}
		tcp_trim_to_window(tp, skb);
		tcp_queue_rcv(sk, skb);
		if (sk->sk_state == TCP_CLOSE || (sk->sk_shutdown & RCV_SHUTDOWN))
			break;
	}
}

/* Over the receive buffer? Make room by dropping out-of-order data (Linux's tcp_prune_ofo_queue). */
static int tcp_rmem_ok(struct sock *sk, const struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);

	while (__atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED) + (int)skb->truesize >
	       sk->sk_rcvbuf) {
		struct sk_buff *last = tp->out_of_order_queue.prev;

		if (skb_queue_empty(&tp->out_of_order_queue))
			return skb_queue_empty(&sk->sk_receive_queue);	/* always take one */
		__skb_unlink(last, &tp->out_of_order_queue);
		kfree_skb_reason(last, SKB_DROP_REASON_SOCKET_RCVBUFF);
	}
	return 1;
}

/*
 * Insert into the out-of-order queue, sorted by sequence, dropping what
 * it duplicates and what duplicates it (Linux's tcp_data_queue_ofo).
 */
static void tcp_data_queue_ofo(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff_head *q = &tp->out_of_order_queue;
	uint32_t seq = TCP_SKB_CB(skb)->seq, end_seq = TCP_SKB_CB(skb)->end_seq;
	struct sk_buff *pos, *prev;

	inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;	/* RFC 5681 §4.2 */
	if (!tcp_rmem_ok(sk, skb)) {
		tcp_mib_inc(LINUX_MIB_TCPRCVQDROP);
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
		return;
	}
	tcp_mib_inc(LINUX_MIB_TCPOFOQUEUE);
	/* From the tail: the common case appends. */
	for (pos = q->prev; pos != (struct sk_buff *)q; pos = pos->prev) {
		if (!after(TCP_SKB_CB(pos)->seq, seq))
			break;
	}
	if (pos != (struct sk_buff *)q && !after(end_seq, TCP_SKB_CB(pos)->end_seq)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);	/* all there already */
		return;
	}
	/* Link after @pos (or first), then drop the later ones it covers. */
	prev = pos;
	skb->prev = prev;
	skb->next = prev->next;
	prev->next->prev = skb;
	prev->next = skb;
	q->qlen++;
	while (skb->next != (struct sk_buff *)q &&
	       !after(TCP_SKB_CB(skb->next)->end_seq, end_seq)) {
		struct sk_buff *gone = skb->next;

		__skb_unlink(gone, q);
		kfree_skb_reason(gone, SKB_DROP_REASON_TCP_INVALID);
	}
	skb->dev = NULL;
	skb_set_owner_r(skb, sk);
}

/* Socket locked; @skb passed validation and its ACK was processed (Linux's tcp_data_queue). */
void tcp_data_queue(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	enum skb_drop_reason reason = SKB_DROP_REASON_TCP_INVALID;

	if (cb->seq == cb->end_seq) {
		consume_skb(skb);
		return;
	}
	skb_pull(skb, tcp_hdrlen(tcp_hdr(skb)));
	if (!after(cb->end_seq, tp->rcv_nxt)) {
		/* A retransmission of what we have: ACK at once (Linux). */
		tcp_enter_quickack_mode(sk);
		goto out_of_window;
	}
	if (tcp_receive_window(tp) == 0) {
		tcp_mib_inc(LINUX_MIB_TCPZEROWINDOWDROP);
		goto out_of_window;
	}
	if (!before(cb->seq, tp->rcv_nxt + tcp_receive_window(tp)))
		goto out_of_window;	/* e.g. a zero-window probe */
	tcp_trim_to_window(tp, skb);
	if (cb->seq != tp->rcv_nxt) {
		tcp_data_queue_ofo(sk, skb);
		return;
	}
	if (!tcp_rmem_ok(sk, skb)) {
		tcp_mib_inc(LINUX_MIB_TCPRCVQDROP);
		reason = SKB_DROP_REASON_SOCKET_RCVBUFF;
		goto out_of_window;
	}
	tcp_queue_rcv(sk, skb);
	if (!skb_queue_empty(&tp->out_of_order_queue)) {
		tcp_ofo_queue(sk);
		/* RFC 5681 §4.2: ACK at once when a hole is filled. */
		inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_NOW;
	}
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	return;
out_of_window:
	inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
	kfree_skb_reason(skb, reason);
}

/* ---- after a segment: send what we may, ACK what we must ---- */

void tcp_data_snd_check(struct sock *sk)
{
	if (tcp_sk(sk)->send_head)
		tcp_push_pending_frames(sk);
}

/*
 * Linux's __tcp_ack_snd_check: ACK now when more than one full segment
 * is unacknowledged (RFC 1122 §4.2.3.2, RFC 5681 §4.2), in quick-ACK mode,
 * or when something asked for it (out of order, a hole filled, FIN, an
 * old duplicate); otherwise the delayed-ACK timer.
 */
void tcp_ack_snd_check(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	if (!(icsk->icsk_ack.pending & ICSK_ACK_SCHED))
		return;
	if (tp->rcv_nxt - tp->rcv_wup > icsk->icsk_ack.rcv_mss ||
	    (icsk->icsk_ack.pending & ICSK_ACK_NOW)) {
		tcp_send_ack(sk);
		return;
	}
	if (icsk->icsk_ack.quick && !icsk->icsk_ack.pingpong) {
		tcp_send_ack(sk);	/* quick-ACK mode; the ACK's sending counts it down */
		return;
	}
	tcp_send_delayed_ack(sk);
}
