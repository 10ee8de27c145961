/*
 * TCP's socket calls (Linux's net/ipv4/tcp.c): what a system call does to a
 * connection, RFC 9293 §3.10 "user calls".
 *  - tcp_init_sock, tcp_set_state, tcp_done, inet_csk_destroy_sock;
 *  - tcp_sendmsg (SEND: copy into MSS-sized skbs, wait for send buffer),
 *    tcp_recvmsg (RECEIVE: from sk_receive_queue at copied_seq, PEEK,
 *    WAITALL, timeouts, EOF, ECONNRESET) and tcp_cleanup_rbuf (window
 *    update after reading);
 *  - tcp_close (CLOSE/ABORT: FIN by state, RST on unread data or linger 0,
 *    orphans finishing in the background), tcp_shutdown, tcp_disconnect;
 *  - tcp_poll_mask, tcp_ioctl (SIOCINQ/SIOCOUTQ).
 * Options are in tcp_sockopt.c, listen/accept in inet_connection_sock_accept.c,
 * the counters in tcp_mib.c. Callers: af_inet.c through tcp_prot (process
 * context; sendmsg/recvmsg/close/accept enter unlocked and take lock_sock,
 * the others are called locked) and the TCP files (socket locked).
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/af_inet.h>
#include <net/socket.h>
#include <kernel/errno.h>
#include <limits.h>

#define TCP_INFINITE_SSTHRESH 0x7fffffff
#define SIOCOUTQ 0x5411
#define SIOCINQ 0x541B
#define SIOCATMARK 0x8905
#define SIOCOUTQNSD 0x894B
#define TASK_INTERRUPTIBLE 1
#ifndef MSG_MORE
#define MSG_MORE 0x8000		/* Linux's value: more data follows (cork) */
#endif


/* 2*MSL: tcp_tw_ms (tcp_tw_ms= for tests), 0 = Linux's 60 s. */
static uint64_t tcp_timewait_len(void)
{
	return msecs_to_jiffies(tcp_tw_ms ? tcp_tw_ms : TCP_TIMEWAIT_LEN_DEFAULT_MS);
}

static DEFINE_LOCK_CLASS(accept_queue_class, "accept_queue");

/* Process or softirq context, before the socket is visible to anyone. */
void tcp_init_sock(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	skb_queue_head_init(&tp->out_of_order_queue);
	spin_lock_init(&icsk->icsk_accept_queue.lock, &accept_queue_class);
	tcp_init_xmit_timers(sk);
	icsk->icsk_rto = (uint32_t)msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
	icsk->icsk_ca_state = TCP_CA_Open;
	icsk->icsk_ack.ato = (uint32_t)msecs_to_jiffies(TCP_DELACK_MIN_MS);
	icsk->icsk_ack.rcv_mss = TCP_MSS_DEFAULT;
	tp->mdev_us = TCP_TIMEOUT_INIT_MS * 1000;
	tp->snd_cwnd = TCP_INIT_CWND;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->mss_cache = TCP_MSS_DEFAULT;
	tp->advmss = TCP_MSS_DEFAULT;
	tp->send_head = NULL;
	sk->sk_state = TCP_CLOSE;
	sk->sk_write_space = sk_stream_write_space;
}

/* ---- state ---- */

/*
 * Linux's tcp_set_state: CurrEstab and EstabResets, and on CLOSE the
 * socket leaves the lookup tables (before the state changes: a listener
 * is found in lhash2 by its state) and gives back its port. Unhashing
 * drops the table's reference: the caller must hold one of its own.
 */
void tcp_set_state(struct sock *sk, int state)
{
	int old = sk->sk_state;

	switch (state) {
	case TCP_ESTABLISHED:
		if (old != TCP_ESTABLISHED) {
			tcp_mib_inc(TCP_MIB_CURRESTAB);
			if (sock_flag(sk, SOCK_KEEPOPEN))
				tcp_set_keepalive(sk, 1);
		}
		break;
	case TCP_CLOSE:
		if (old == TCP_CLOSE_WAIT || old == TCP_ESTABLISHED)
			tcp_mib_inc(TCP_MIB_ESTABRESETS);
		if (sk->sk_prot->unhash)
			sk->sk_prot->unhash(sk);
		else
			inet_unhash(&tcp_hashinfo, sk);
		inet_put_port(&tcp_hashinfo, sk);
		/* fall through */
	default:
		if (old == TCP_ESTABLISHED)
			tcp_mib_add(TCP_MIB_CURRESTAB, -1);
	}
	__atomic_store_n(&sk->sk_state, (uint8_t)state, __ATOMIC_RELEASE);
}

/* A CLOSE orphan's remains (Linux's inet_csk_destroy_sock); the memory goes with the last ref. */
void inet_csk_destroy_sock(struct sock *sk)
{
	tcp_clear_xmit_timers(sk);
	tcp_write_queue_purge(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&tcp_sk(sk)->out_of_order_queue);
	inet_put_port(&tcp_hashinfo, sk);
}

/* Linux's tcp_done: the connection is over (RST, timeout, last ACK). Socket locked. */
void tcp_done(struct sock *sk)
{
	if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
		tcp_mib_inc(TCP_MIB_ATTEMPTFAILS);
	tcp_set_state(sk, TCP_CLOSE);
	tcp_clear_xmit_timers(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_state_change(sk);
	else
		inet_csk_destroy_sock(sk);
}

/* ---- waiting on sk_wq (socket locked on entry and exit) ---- */

/*
 * Sleep until @cond (re-read after each wakeup) or *timeo runs out, with
 * the socket lock released meanwhile (Linux's sk_wait_event).
 */
#define tcp_wait_event(sk, timeo, cond)                                         \
	({                                                                      \
		struct wait_queue_entry __w;                                    \
		int __rc;                                                       \
		init_wait_func(&__w, woken_wake_function);                      \
		add_wait_queue(&(sk)->sk_wq, &__w);                             \
		release_sock(sk);                                               \
		__atomic_thread_fence(__ATOMIC_SEQ_CST);                        \
		if (!(cond))                                                    \
			*(timeo) = wait_woken(&__w, TASK_INTERRUPTIBLE, *(timeo)); \
		lock_sock(sk);                                                  \
		__rc = (cond);                                                  \
		remove_wait_queue(&(sk)->sk_wq, &__w);                          \
		__rc;                                                           \
	})

/* ---- sending ---- */

static int sk_stream_memory_free(const struct sock *sk)
{
	return sk->sk_wmem_queued < sk->sk_sndbuf;
}

/* Linux's __sk_stream_is_writeable: a third of the buffer free. */
static int sk_stream_is_writeable(const struct sock *sk)
{
	return sk->sk_sndbuf - sk->sk_wmem_queued >= (sk->sk_wmem_queued >> 1);
}

/* TCP's sk_write_space: ACKs freed room; wake writers once it is worth it. */
void sk_stream_write_space(struct sock *sk)
{
	if (!sk->sk_socket || !sk_stream_is_writeable(sk))
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);	/* pairs with the waiter's fence in tcp_wait_event */
	if (list_empty(&sk->sk_wq.head))
		return;
	__wake_up(&sk->sk_wq, TASK_INTERRUPTIBLE, 1, (void *)(uintptr_t)(EPOLLOUT | EPOLLWRNORM));
}

/* Linux's sk_stream_wait_connect: until ESTABLISHED/CLOSE_WAIT; 0 or -errno. */
static int sk_stream_wait_connect(struct sock *sk, long *timeo)
{
	while (!(TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT)))) {
		int err = sock_error(sk);

		if (err)
			return err;
		if (!(TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV))))
			return -EPIPE;
		if (!*timeo)
			return -EAGAIN;
		tcp_wait_event(sk, timeo, sk->sk_err ||
			       (TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT))));
	}
	return 0;
}

/* Linux's sk_stream_wait_memory: room in the send buffer; 0, -EPIPE or -EAGAIN. */
static int sk_stream_wait_memory(struct sock *sk, long *timeo)
{
	for (;;) {
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
			return -EPIPE;
		if (sk_stream_memory_free(sk))
			return 0;
		if (!*timeo)
			return -EAGAIN;
		tcp_wait_event(sk, timeo, sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN) ||
					  sk_stream_memory_free(sk));
	}
}

static int forced_push(const struct tcp_sock *tp)
{
	return after(tp->write_seq, tp->pushed_seq + (tp->max_window >> 1));
}

static void tcp_mark_push(struct tcp_sock *tp, struct sk_buff *skb)
{
	TCP_SKB_CB(skb)->tcp_flags |= TCPHDR_PSH;
	tp->pushed_seq = tp->write_seq;
}

/* Linux's tcp_push: PSH on the last skb of a write, then send under @nonagle. */
static void tcp_push(struct sock *sk, int flags, int nonagle)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (!tp->send_head)
		return;
	if (!(flags & MSG_MORE) || forced_push(tp))
		tcp_mark_push(tp, sk->sk_write_queue.prev);
	if (flags & MSG_MORE)
		nonagle = TCP_NAGLE_CORK;
	tcp_write_xmit(sk, nonagle);
	tcp_check_probe_timer(sk);
}

/* The tail skb if data may still be appended to it (unsent, no FIN, room left), else NULL. */
static struct sk_buff *tcp_append_target(struct sock *sk, uint32_t mss)
{
	struct sk_buff *tail;

	if (!tcp_sk(sk)->send_head)
		return NULL;
	tail = sk->sk_write_queue.prev;
	if ((TCP_SKB_CB(tail)->tcp_flags & (TCPHDR_FIN | TCPHDR_SYN)) || tail->len >= mss)
		return NULL;
	return tail;
}

static struct sk_buff *tcp_new_data_skb(struct sock *sk, uint32_t mss)
{
	struct sk_buff *skb = tcp_stream_alloc_skb(mss);

	if (skb) {
		TCP_SKB_CB(skb)->seq = TCP_SKB_CB(skb)->end_seq = tcp_sk(sk)->write_seq;
		TCP_SKB_CB(skb)->tcp_flags = TCPHDR_ACK;
		tcp_skb_entail(sk, skb);
	}
	return skb;
}

/* Take an empty skb we just queued back off (a fault before anything was copied into it). */
static void tcp_unentail_empty(struct sock *sk, struct sk_buff *skb)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (skb->len)
		return;
	if (tp->send_head == skb)
		tp->send_head = NULL;
	__skb_unlink(skb, &sk->sk_write_queue);
	sk->sk_wmem_queued -= (int)skb->truesize;
	consume_skb(skb);
}

/* Copy up to one skb's worth of @msg; returns bytes copied, -EFAULT, or 0 (no memory). */
static long tcp_sendmsg_chunk(struct sock *sk, struct msghdr *msg, uint32_t mss)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb = tcp_append_target(sk, mss);
	size_t copy;

	if (!skb) {
		if (!sk_stream_memory_free(sk) || !(skb = tcp_new_data_skb(sk, mss)))
			return 0;
	}
	copy = mss - skb->len;
	if (copy > msg_data_left(msg))
		copy = msg_data_left(msg);
	if (copy > skb_tailroom(skb))
		copy = skb_tailroom(skb);
	if (memcpy_from_msg(skb_put(skb, (unsigned int)copy), msg, copy)) {
		skb_trim(skb, skb->len - (unsigned int)copy);
		tcp_unentail_empty(sk, skb);
		return -EFAULT;
	}
	tp->write_seq += (uint32_t)copy;
	TCP_SKB_CB(skb)->end_seq += (uint32_t)copy;
	if (skb->len >= mss && msg_data_left(msg)) {	/* the last skb waits for tcp_push's PSH */
		if (forced_push(tp)) {
			tcp_mark_push(tp, skb);
			tcp_write_xmit(sk, TCP_NAGLE_PUSH);
		} else if (skb == tp->send_head) {
			tcp_write_xmit(sk, tp->nonagle);
		}
	}
	return (long)copy;
}

/*
 * RFC 9293 §3.10.2 SEND (Linux's tcp_sendmsg): wait for the connection,
 * copy into MSS-sized skbs, wait for send-buffer room unless
 * MSG_DONTWAIT/O_NONBLOCK (EAGAIN, or what was copied). EPIPE after
 * shutdown, the pending error (ECONNRESET, ETIMEDOUT) once. No SIGPIPE.
 */
long tcp_sendmsg(struct sock *sk, struct msghdr *msg, size_t size)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int flags = (int)msg->msg_flags;
	long timeo, copied = 0, err;
	uint32_t mss;

	(void)size;
	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if (!(TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT)))) {
		err = sk_stream_wait_connect(sk, &timeo);
		if (err)
			goto do_error;
	}
	err = -EPIPE;
	if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN))
		goto do_error;
	mss = tcp_current_mss(sk);
	while (msg_data_left(msg)) {
		long n = tcp_sendmsg_chunk(sk, msg, mss);

		if (n > 0) {
			copied += n;
			continue;
		}
		if (n < 0) {
			err = n;
			goto do_error;
		}
		if (copied)	/* no room: let what we have go, then wait */
			tcp_push(sk, flags & ~MSG_MORE, TCP_NAGLE_PUSH);
		err = sk_stream_wait_memory(sk, &timeo);
		if (err)
			goto do_error;
		mss = tcp_current_mss(sk);
	}
	tcp_push(sk, flags, tp->nonagle);
	release_sock(sk);
	return copied;

do_error:
	if (copied) {
		tcp_push(sk, flags, tp->nonagle);
		release_sock(sk);
		return copied;
	}
	if (err == -EPIPE) {
		long e = sock_error(sk);

		err = e ? e : -EPIPE;
	}
	release_sock(sk);
	return err;
}

/* ---- receiving ---- */

/*
 * Linux's tcp_cleanup_rbuf: after the reader took @copied bytes, ACK now
 * if an ACK is owed and overdue, or if the window can grow to at least
 * twice what the peer last saw (RFC 9293 §3.8.6.2.2).
 */
void tcp_cleanup_rbuf(struct sock *sk, int copied)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	int time_to_ack = 0;

	if (inet_csk_ack_scheduled(sk)) {
		uint32_t rcv_mss = icsk->icsk_ack.rcv_mss ? icsk->icsk_ack.rcv_mss : TCP_MSS_DEFAULT;

		if (tp->rcv_nxt - tp->rcv_wup > rcv_mss ||
		    (copied > 0 && (icsk->icsk_ack.pending & ICSK_ACK_PUSHED) && !icsk->icsk_ack.pingpong &&
		     !__atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED)))
			time_to_ack = 1;
	}
	if (copied > 0 && !time_to_ack && !(sk->sk_shutdown & RCV_SHUTDOWN) &&
	    !(TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN) | TCPF(TCP_SYN_SENT)))) {
		int32_t now = (int32_t)(tp->rcv_wup + tp->rcv_wnd - tp->rcv_nxt);
		uint32_t rcv_window_now = now > 0 ? (uint32_t)now : 0;
		uint32_t clamp = tp->window_clamp ? tp->window_clamp : 65535u << tp->rx_opt.rcv_wscale;

		if (2 * rcv_window_now <= clamp) {
			uint32_t new_window = __tcp_select_window(sk);

			if (new_window && new_window >= 2 * rcv_window_now)
				time_to_ack = 1;
		}
	}
	if (time_to_ack)
		tcp_send_ack(sk);
}

static void tcp_eat_skb(struct sock *sk, struct sk_buff *skb)
{
	__skb_unlink(skb, &sk->sk_receive_queue);
	consume_skb(skb);
}

/* The skb holding @seq, freeing fully read ones on the way unless peeking; NULL if none. */
static struct sk_buff *tcp_recv_skb(struct sock *sk, uint32_t seq, uint32_t *off, int peek)
{
	struct sk_buff *skb, *next;
	struct sk_buff_head *q = &sk->sk_receive_queue;

	for (skb = q->next; skb != (struct sk_buff *)q; skb = next) {
		next = skb->next;
		if (before(seq, TCP_SKB_CB(skb)->seq))
			return NULL;	/* a hole: cannot happen on an in-order queue */
		*off = seq - TCP_SKB_CB(skb)->seq;
		if (*off < skb->len)
			return skb;
		if (!peek)
			tcp_eat_skb(sk, skb);
	}
	return NULL;
}

/*
 * Nothing (more) to copy: decide whether to stop. 1 = stop with *ret as
 * the result (when nothing was copied), 0 = wait for more.
 */
static int tcp_recv_should_stop(struct sock *sk, long copied, long timeo, long *ret)
{
	if (copied)
		return sk->sk_err || sk->sk_state == TCP_CLOSE || (sk->sk_shutdown & RCV_SHUTDOWN) || !timeo;
	if (sock_flag(sk, SOCK_DONE) || (sk->sk_shutdown & RCV_SHUTDOWN))
		return 1;	/* EOF: 0 */
	if (sk->sk_err) {
		*ret = sock_error(sk);
		return 1;
	}
	if (sk->sk_state == TCP_CLOSE) {
		*ret = -ENOTCONN;
		return 1;
	}
	if (!timeo) {
		*ret = -EAGAIN;
		return 1;
	}
	return 0;
}

/*
 * RFC 9293 §3.10.3 RECEIVE (Linux's tcp_recvmsg): in-order bytes from
 * copied_seq; MSG_PEEK leaves them, MSG_WAITALL waits for @len, MSG_TRUNC
 * discards. 0 at EOF, the pending error (ECONNRESET) once, EAGAIN when
 * non-blocking or SO_RCVTIMEO ran out with nothing read.
 */
long tcp_recvmsg(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len)
{
	struct tcp_sock *tp = tcp_sk(sk);
	uint32_t peek_seq, *seq, off;
	long copied = 0, ret = 0, timeo;
	size_t target;

	(void)addr_len;
	if (flags & MSG_OOB)
		return -EINVAL;	/* no urgent data is ever kept */
	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN) {
		release_sock(sk);
		return -ENOTCONN;
	}
	timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	seq = &tp->copied_seq;
	if (flags & MSG_PEEK) {
		peek_seq = tp->copied_seq;
		seq = &peek_seq;
	}
	target = (flags & MSG_WAITALL) ? len : 1;
	while (len > 0) {
		struct sk_buff *skb = tcp_recv_skb(sk, *seq, &off, flags & MSG_PEEK);
		size_t used;

		if (!skb) {
			const struct sk_buff *last;

			if ((size_t)copied >= target && !sk->sk_backlog.tail)
				break;
			if (tcp_recv_should_stop(sk, copied, timeo, &ret))
				break;
			tcp_cleanup_rbuf(sk, (int)copied);
			last = skb_queue_empty(&sk->sk_receive_queue) ? NULL : sk->sk_receive_queue.prev;
			if ((size_t)copied >= target) {
				release_sock(sk);	/* run the backlog, then look again */
				lock_sock(sk);
			} else {
				sk_wait_data(sk, &timeo, last);
			}
			if ((flags & MSG_PEEK) && peek_seq != tp->copied_seq)
				peek_seq = tp->copied_seq;	/* someone else read: restart the peek */
			continue;
		}
		used = skb->len - off;
		if (used > len)
			used = len;
		if (!(flags & MSG_TRUNC) && memcpy_to_msg(msg, skb->data + off, used)) {
			if (!copied)
				ret = -EFAULT;
			break;
		}
		*seq += (uint32_t)used;
		copied += (long)used;
		len -= used;
		if (!(flags & MSG_PEEK) && off + used >= skb->len)
			tcp_eat_skb(sk, skb);
	}
	tcp_cleanup_rbuf(sk, (int)copied);
	release_sock(sk);
	return copied ? copied : ret;
}

/* ---- closing ---- */

#define TCP_ACTION_FIN (1 << 7)
#define TCP_STATE_MASK 0xf

/* RFC 9293 §3.10.4 CLOSE by state (Linux's new_state table). */
static const unsigned char new_state[16] = {
	[0] = TCP_CLOSE,
	[TCP_ESTABLISHED] = TCP_FIN_WAIT1 | TCP_ACTION_FIN,
	[TCP_SYN_SENT] = TCP_CLOSE,
	[TCP_SYN_RECV] = TCP_FIN_WAIT1 | TCP_ACTION_FIN,
	[TCP_FIN_WAIT1] = TCP_FIN_WAIT1,
	[TCP_FIN_WAIT2] = TCP_FIN_WAIT2,
	[TCP_TIME_WAIT] = TCP_CLOSE,
	[TCP_CLOSE] = TCP_CLOSE,
	[TCP_CLOSE_WAIT] = TCP_LAST_ACK | TCP_ACTION_FIN,
	[TCP_LAST_ACK] = TCP_LAST_ACK,
	[TCP_LISTEN] = TCP_CLOSE,
	[TCP_CLOSING] = TCP_CLOSING,
	[TCP_NEW_SYN_RECV] = TCP_CLOSE,
};

/* Move to the closing state; 1 if a FIN must be sent. */
static int tcp_close_state(struct sock *sk)
{
	int next = new_state[sk->sk_state & TCP_STATE_MASK];

	tcp_set_state(sk, next & TCP_STATE_MASK);
	return next & TCP_ACTION_FIN;
}

/* shutdown(): af_inet already set sk_shutdown; SEND_SHUTDOWN sends our FIN. Locked. */
int tcp_shutdown(struct sock *sk, int how)
{
	if (!(how & SEND_SHUTDOWN))
		return 0;
	if (TCPF(sk->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV) |
				  TCPF(TCP_CLOSE_WAIT))) {
		if (tcp_close_state(sk))
			tcp_send_fin(sk);
	}
	return 0;
}

static int tcp_need_reset(int state)
{
	return TCPF(state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT) | TCPF(TCP_FIN_WAIT1) |
			      TCPF(TCP_FIN_WAIT2) | TCPF(TCP_SYN_RECV));
}

/*
 * Linux's tcp_disconnect: abort (RST where the peer has state), back to a
 * fresh CLOSE socket that may connect again. Socket locked.
 */
int tcp_disconnect(struct sock *sk, int flags)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	int old = sk->sk_state;
	uint32_t seq;

	(void)flags;
	if (tcp_need_reset(old) ||
	    (tp->snd_nxt != tp->write_seq && (TCPF(old) & (TCPF(TCP_CLOSING) | TCPF(TCP_LAST_ACK))))) {
		tcp_send_active_reset(sk);
		sk->sk_err = ECONNRESET;
	} else if (old == TCP_SYN_SENT) {
		sk->sk_err = ECONNRESET;
	}
	if (old != TCP_CLOSE)
		tcp_set_state(sk, TCP_CLOSE);
	if (old == TCP_LISTEN)
		inet_csk_listen_stop(sk);
	tcp_clear_xmit_timers(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&tp->out_of_order_queue);
	tcp_write_queue_purge(sk);
	inet_sk(sk)->inet_dport = 0;
	inet_sk(sk)->inet_daddr = 0;
	sk->sk_shutdown = 0;
	sock_reset_flag(sk, SOCK_DONE);
	seq = tp->write_seq + tp->max_window + 2;
	tp->write_seq = seq ? seq : 1;
	tp->srtt_us = 0;
	tp->mdev_us = TCP_TIMEOUT_INIT_MS * 1000;
	tp->snd_cwnd = TCP_INIT_CWND;
	tp->snd_ssthresh = TCP_INFINITE_SSTHRESH;
	tp->snd_wnd = tp->max_window = 0;
	tp->rx_opt.tstamp_ok = tp->rx_opt.sack_ok = tp->rx_opt.wscale_ok = 0;
	tp->rx_opt.snd_wscale = tp->rx_opt.rcv_wscale = 0;
	tp->rx_opt.mss_clamp = 0;
	tp->rx_opt.ts_recent = 0;
	icsk->icsk_backoff = icsk->icsk_probes_out = icsk->icsk_retransmits = 0;
	icsk->icsk_rto = (uint32_t)msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
	icsk->icsk_ca_state = TCP_CA_Open;
	icsk->icsk_ack.pingpong = icsk->icsk_ack.quick = 0;
	sk->sk_error_report(sk);
	return 0;
}

/* Bytes received and not yet read (FIN excluded). */
static uint32_t tcp_inq(struct sock *sk)
{
	struct sk_buff_head *q = &sk->sk_receive_queue;
	uint32_t n = 0;

	for (struct sk_buff *skb = q->next; skb != (struct sk_buff *)q; skb = skb->next) {
		uint32_t start = TCP_SKB_CB(skb)->seq;

		if (before(start, tcp_sk(sk)->copied_seq))
			start = tcp_sk(sk)->copied_seq;
		if (after(TCP_SKB_CB(skb)->seq + skb->len, start))
			n += TCP_SKB_CB(skb)->seq + skb->len - start;
	}
	return n;
}

static uint64_t tcp_fin_timeout(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	uint64_t fin = tp->linger2 > 0 ? (uint64_t)tp->linger2 : msecs_to_jiffies(TCP_FIN_TIMEOUT_MS);
	uint64_t rto = inet_csk(sk)->icsk_rto, floor = (rto << 2) - (rto >> 1);

	return fin < floor ? floor : fin;
}

/* SO_LINGER with a timeout: wait while our FIN is unacknowledged (Linux's sk_stream_wait_close). */
static void sk_stream_wait_close(struct sock *sk, long timeout)
{
	while (timeout &&
	       (TCPF(sk->sk_state) & (TCPF(TCP_FIN_WAIT1) | TCPF(TCP_CLOSING) | TCPF(TCP_LAST_ACK))))
		tcp_wait_event(sk, &timeout, !(TCPF(sk->sk_state) & (TCPF(TCP_FIN_WAIT1) |
								      TCPF(TCP_CLOSING) | TCPF(TCP_LAST_ACK))));
}

/* The rest of close, orphaned, under bh_lock_sock (Linux's adjudge_to_death). */
static void tcp_close_orphan(struct sock *sk, int state)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (state != TCP_CLOSE && sk->sk_state == TCP_CLOSE)
		return;	/* a softirq or the backlog finished it already */
	if (sk->sk_state == TCP_FIN_WAIT2) {
		if (tp->linger2 < 0) {
			tcp_send_active_reset(sk);
			tcp_set_state(sk, TCP_CLOSE);
		} else {
			uint64_t tmo = tcp_fin_timeout(sk), twlen = tcp_timewait_len();

			if (tmo > twlen) {
				inet_csk_reset_keepalive_timer(sk, tmo - twlen);
			} else {
				tcp_time_wait(sk, TCP_FIN_WAIT2, (long)tmo);
				return;
			}
		}
	}
	if (sk->sk_state == TCP_CLOSE)
		inet_csk_destroy_sock(sk);
}

/*
 * RFC 9293 §3.10.4 CLOSE and §3.10.5 ABORT (Linux's tcp_close): unread
 * data or SO_LINGER 0 reset the connection, otherwise a FIN by state;
 * then the socket is orphaned and finishes in the background. Entered
 * unlocked; the caller (inet_release) still holds its reference.
 */
void tcp_close(struct sock *sk, long timeout)
{
	struct sk_buff *skb;
	uint32_t unread = 0;
	uint64_t f;
	int state;

	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	if (sk->sk_state == TCP_LISTEN) {
		tcp_set_state(sk, TCP_CLOSE);
		inet_csk_listen_stop(sk);
		goto adjudge_to_death;
	}
	unread = tcp_inq(sk);
	while ((skb = __skb_dequeue(&sk->sk_receive_queue)) != NULL)
		consume_skb(skb);
	if (sk->sk_state == TCP_CLOSE)
		goto adjudge_to_death;
	if (unread) {
		tcp_mib_inc(LINUX_MIB_TCPABORTONCLOSE);
		tcp_send_active_reset(sk);
		tcp_set_state(sk, TCP_CLOSE);
	} else if (sock_flag(sk, SOCK_LINGER) && !sk->sk_linger_secs) {
		tcp_disconnect(sk, 0);
		tcp_mib_inc(LINUX_MIB_TCPABORTONDATA);
	} else if (tcp_close_state(sk)) {
		tcp_send_fin(sk);
	}
	sk_stream_wait_close(sk, timeout);
adjudge_to_death:
	state = sk->sk_state;
	sock_orphan(sk);
	release_sock(sk);	/* runs the backlog */
	f = spin_lock_irqsave(&sk->sk_lock.slock);
	tcp_close_orphan(sk, state);
	spin_unlock_irqrestore(&sk->sk_lock.slock, f);
}

/* ---- poll and ioctl ---- */

/* Linux's tcp_poll: EPOLL* readiness from the state, queues and errors. Lockless reads. */
unsigned int tcp_poll_mask(struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	int state = __atomic_load_n(&sk->sk_state, __ATOMIC_ACQUIRE);
	uint8_t shutdown = sk->sk_shutdown;
	unsigned int mask = 0;

	if (state == TCP_LISTEN)
		return inet_csk(sk)->icsk_accept_queue.accept_len ? EPOLLIN | EPOLLRDNORM : 0;
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		if (!skb_queue_empty(&sk->sk_receive_queue) && tp->rcv_nxt != tp->copied_seq)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_is_writeable(sk))
				mask |= EPOLLOUT | EPOLLWRNORM;
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	if (__atomic_load_n(&sk->sk_err, __ATOMIC_RELAXED))
		mask |= EPOLLERR;
	return mask;
}

/* FIONREAD/SIOCINQ, SIOCOUTQ, SIOCOUTQNSD (Linux's tcp_ioctl). Called unlocked. */
int tcp_ioctl(struct sock *sk, int cmd, int *karg)
{
	struct tcp_sock *tp = tcp_sk(sk);
	int answ = 0;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = (int)tcp_inq(sk);
		release_sock(sk);
		break;
	case SIOCATMARK:
		answ = 0;
		break;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		if (!(TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV))))
			answ = (int)(tp->write_seq - (cmd == SIOCOUTQ ? tp->snd_una : tp->snd_nxt));
		break;
	default:
		return -ENOIOCTLCMD;
	}
	*karg = answ;
	return 0;
}
