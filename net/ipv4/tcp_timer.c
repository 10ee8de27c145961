/*
 * TCP timers (Linux's net/ipv4/tcp_timer.c and the inet_csk timer helpers):
 *  - icsk_retransmit_timer: the RTO (RFC 6298: exponential backoff, at most
 *    TCP_RTO_MAX; give up after tcp_syn_retries / tcp_retries2 with
 *    ETIMEDOUT) or, as ICSK_TIME_PROBE0, the zero-window probe
 *    (RFC 9293 §3.8.6.1, backing off, never timing out while ACKed);
 *  - icsk_delack_timer: the delayed ACK (40..200 ms, RFC 1122 §4.2.3.2);
 *  - sk_timer: keepalive (RFC 1122 §4.2.3.6: probe seq = snd_una - 1),
 *    an orphan's FIN_WAIT2 timeout, and for a listener the SYN-ACK
 *    retransmissions of its request socks.
 * A pending timer holds a reference on its socket (sk_reset_timer /
 * sk_stop_timer); a handler that finds the socket owned by a system call
 * re-arms one jiffy later (Linux's "deferred" case) and never runs on a
 * closed socket. Handlers run in TIMER_SOFTIRQ and take bh_lock_sock.
 */
#include <net/ipv4/tcp.h>
#include <kernel/errno.h>
#include <kernel/list.h>

#define TCP_ORPHAN_RETRIES 8		/* Linux's tcp_orphan_retries() default */
#define TCP_KEEPALIVE_TIME_S 7200
#define TCP_KEEPALIVE_INTVL_S 75
#define TCP_KEEPALIVE_PROBES 9
#define TCP_RESOURCE_PROBE_MS 500
#define SYNACK_BATCH 32			/* requests handled per listener timer run */
#define SYNACK_SLACK_MS 50		/* runs coalesce: a SYN flood's table is walked at most 20/s */


/* 2*MSL: tcp_tw_ms (tcp_tw_ms= for tests), 0 = Linux's 60 s. */
static uint64_t tcp_timewait_len(void)
{
	return msecs_to_jiffies(tcp_tw_ms ? tcp_tw_ms : TCP_TIMEWAIT_LEN_DEFAULT_MS);
}

/* ---- a pending timer owns a reference (Linux's sk_reset_timer/sk_stop_timer) ---- */

static void sk_reset_timer(struct sock *sk, struct timer_list *t, uint64_t expires)
{
	if (!mod_timer(t, expires))
		sock_hold(sk);
}

static void sk_stop_timer(struct sock *sk, struct timer_list *t)
{
	if (del_timer(t))
		sock_put(sk);
}

static uint64_t rto_max(void)
{
	return msecs_to_jiffies(TCP_RTO_MAX_MS);
}

/* Socket locked. @when: absolute jiffies, at most TCP_RTO_MAX ahead. */
void inet_csk_reset_xmit_timer(struct sock *sk, int what, uint64_t when)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (time_after(when, jiffies + rto_max()))
		when = jiffies + rto_max();
	if (what == ICSK_TIME_RETRANS || what == ICSK_TIME_PROBE0) {
		icsk->icsk_pending = (uint8_t)what;
		sk_reset_timer(sk, &icsk->icsk_retransmit_timer, when);
	} else if (what == ICSK_TIME_DACK) {
		icsk->icsk_ack.pending |= ICSK_ACK_TIMER;
		icsk->icsk_ack.timeout = when;
		sk_reset_timer(sk, &icsk->icsk_delack_timer, when);
	}
}

void inet_csk_clear_xmit_timer(struct sock *sk, int what)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if (what == ICSK_TIME_RETRANS || what == ICSK_TIME_PROBE0) {
		icsk->icsk_pending = 0;
		sk_stop_timer(sk, &icsk->icsk_retransmit_timer);
	} else if (what == ICSK_TIME_DACK) {
		icsk->icsk_ack.pending = 0;
		sk_stop_timer(sk, &icsk->icsk_delack_timer);
	}
}

void inet_csk_reset_keepalive_timer(struct sock *sk, uint64_t len)
{
	sk_reset_timer(sk, &sk->sk_timer, jiffies + len);
}

void inet_csk_delete_keepalive_timer(struct sock *sk)
{
	sk_stop_timer(sk, &sk->sk_timer);
}

/* Every timer off (tcp_done, close, destroy). */
void tcp_clear_xmit_timers(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	icsk->icsk_pending = 0;
	icsk->icsk_ack.pending = 0;
	sk_stop_timer(sk, &icsk->icsk_retransmit_timer);
	sk_stop_timer(sk, &icsk->icsk_delack_timer);
	sk_stop_timer(sk, &sk->sk_timer);
}

/* ---- giving up ---- */

/* Linux's tcp_write_err: report ETIMEDOUT and close. */
static void tcp_write_err(struct sock *sk)
{
	sk->sk_err = ETIMEDOUT;
	sk->sk_error_report(sk);
	tcp_done(sk);
	tcp_mib_inc(LINUX_MIB_TCPABORTONTIMEOUT);
}

/* Linux's tcp_write_timeout, counting retransmissions: 1 if the connection is gone. */
static int tcp_write_timeout(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	unsigned int retry_until;

	if (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV)))
		retry_until = icsk->icsk_syn_retries ? icsk->icsk_syn_retries : TCP_SYN_RETRIES;
	else if (sock_flag(sk, SOCK_DEAD))
		retry_until = TCP_ORPHAN_RETRIES;
	else
		retry_until = TCP_RETRIES2;
	if (icsk->icsk_retransmits < retry_until)
		return 0;
	tcp_write_err(sk);
	return 1;
}

/* ---- the retransmission timer (RTO and zero-window probes) ---- */

/* Linux's tcp_retransmit_timer (RFC 6298 §5.4-5.6). */
static void tcp_retransmit_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	struct sk_buff *skb = tcp_write_queue_head(sk);

	if (!tp->packets_out || !skb || skb == tp->send_head)
		return;
	if (!tp->snd_wnd && !sock_flag(sk, SOCK_DEAD) &&
	    !(TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV)))) {
		/* The window shrank to zero: retransmits are probes, no timeout while answered. */
		if (time_after(jiffies, tp->rcv_tstamp + rto_max())) {
			tcp_write_err(sk);
			return;
		}
		tcp_enter_loss(sk);
		tcp_retransmit_skb(sk, tcp_write_queue_head(sk));
	} else {
		tcp_mib_inc(LINUX_MIB_TCPTIMEOUTS);
		if (tcp_write_timeout(sk))
			return;
		tcp_enter_loss(sk);
		icsk->icsk_retransmits++;
		if (tcp_retransmit_skb(sk, tcp_write_queue_head(sk)) == -ENOBUFS) {
			/* Out of memory here: try again soon without backing off (Linux). */
			inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS,
						  jiffies + msecs_to_jiffies(TCP_RESOURCE_PROBE_MS));
			return;
		}
		icsk->icsk_backoff++;
	}
	icsk->icsk_rto = icsk->icsk_rto << 1 < rto_max() ? icsk->icsk_rto << 1 : (uint32_t)rto_max();
	inet_csk_reset_xmit_timer(sk, ICSK_TIME_RETRANS, jiffies + icsk->icsk_rto);
}

/* Linux's tcp_probe_timer: unanswered probes past tcp_retries2 (8 for an orphan) end it. */
static void tcp_probe_timer(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	unsigned int max_probes = sock_flag(sk, SOCK_DEAD) ? TCP_ORPHAN_RETRIES : TCP_RETRIES2;

	if (tp->packets_out || !tp->send_head) {
		icsk->icsk_probes_out = 0;
		return;
	}
	/* An orphan may not sit on a zero window for ever, even if answered (Linux). */
	if (icsk->icsk_probes_out >= max_probes ||
	    (sock_flag(sk, SOCK_DEAD) && icsk->icsk_backoff >= max_probes))
		tcp_write_err(sk);
	else
		tcp_send_probe0(sk);
}

static void tcp_write_timer_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	int event = icsk->icsk_pending;

	if ((TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN))) || !event)
		return;
	icsk->icsk_pending = 0;
	if (event == ICSK_TIME_RETRANS)
		tcp_retransmit_timer(sk);
	else if (event == ICSK_TIME_PROBE0)
		tcp_probe_timer(sk);
}

/*
 * Common shape of the handlers: lock, defer if owned, skip if re-armed
 * meanwhile (another CPU's mod_timer after ours expired), drop the ref.
 */
static void tcp_timer_run(struct sock *sk, struct timer_list *t, void (*handler)(struct sock *))
{
	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, t, jiffies + 1);
	else if (!timer_pending(t))
		handler(sk);
	bh_unlock_sock(sk);
	sock_put(sk);
}

static void tcp_write_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		container_of(t, struct inet_connection_sock, icsk_retransmit_timer);

	tcp_timer_run(&icsk->icsk_inet.sk, t, tcp_write_timer_handler);
}

/* ---- delayed ACK ---- */

/* Linux's tcp_delack_timer_handler: the ACK is late, so ATO grows (or pingpong ends). */
static void tcp_delack_timer_handler(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	if ((TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN))) ||
	    !(icsk->icsk_ack.pending & ICSK_ACK_TIMER))
		return;
	if (time_after(icsk->icsk_ack.timeout, jiffies)) {
		sk_reset_timer(sk, &icsk->icsk_delack_timer, icsk->icsk_ack.timeout);
		return;
	}
	icsk->icsk_ack.pending &= (uint8_t)~ICSK_ACK_TIMER;
	if (!inet_csk_ack_scheduled(sk))
		return;
	if (!icsk->icsk_ack.pingpong) {
		uint32_t ato = icsk->icsk_ack.ato << 1;

		icsk->icsk_ack.ato = ato < icsk->icsk_rto ? ato : icsk->icsk_rto;
	} else {
		icsk->icsk_ack.pingpong = 0;
		icsk->icsk_ack.ato = (uint32_t)msecs_to_jiffies(TCP_DELACK_MIN_MS);
	}
	tcp_send_ack(sk);
	tcp_mib_inc(LINUX_MIB_DELAYEDACKS);
}

static void tcp_delack_timer(struct timer_list *t)
{
	struct inet_connection_sock *icsk =
		container_of(t, struct inet_connection_sock, icsk_delack_timer);

	tcp_timer_run(&icsk->icsk_inet.sk, t, tcp_delack_timer_handler);
}

/* ---- keepalive, FIN_WAIT2, listener SYN-ACKs: sk_timer ---- */

static uint64_t keepalive_time_when(const struct tcp_sock *tp)
{
	return tp->keepalive_time ? tp->keepalive_time : (uint64_t)TCP_KEEPALIVE_TIME_S * HZ;
}

static uint64_t keepalive_intvl_when(const struct tcp_sock *tp)
{
	return tp->keepalive_intvl ? tp->keepalive_intvl : (uint64_t)TCP_KEEPALIVE_INTVL_S * HZ;
}

static unsigned int keepalive_probes(const struct tcp_sock *tp)
{
	return tp->keepalive_probes ? tp->keepalive_probes : TCP_KEEPALIVE_PROBES;
}

/* Idle time: since the last data or ACK from the peer (Linux's keepalive_time_elapsed). */
static uint64_t keepalive_time_elapsed(const struct sock *sk)
{
	uint64_t last = inet_csk(sk)->icsk_ack.lrcvtime;

	if (time_after(tcp_sk(sk)->rcv_tstamp, last))
		last = tcp_sk(sk)->rcv_tstamp;
	return time_after(jiffies, last) ? jiffies - last : 0;
}

/* SO_KEEPALIVE on/off (Linux's tcp_set_keepalive, the sk_prot->keepalive hook). */
void tcp_set_keepalive(struct sock *sk, int on)
{
	if (TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN)))
		return;
	if (on)
		inet_csk_reset_keepalive_timer(sk, keepalive_time_when(tcp_sk(sk)));
	else
		inet_csk_delete_keepalive_timer(sk);
}

/* Keepalive proper (RFC 1122 §4.2.3.6); returns the delay to the next run, 0 = none. */
static uint64_t tcp_keepalive_check(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	uint64_t elapsed;

	if (TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV)))
		return 0;
	if (!sock_flag(sk, SOCK_KEEPOPEN))	/* SO_KEEPALIVE may come later: look again then */
		return sk->sk_state == TCP_ESTABLISHED ? keepalive_time_when(tp) : 0;
	if (tp->packets_out || tp->send_head)
		return keepalive_time_when(tp);	/* alive without keepalive: the RTO or probes watch it */
	elapsed = keepalive_time_elapsed(sk);
	if (elapsed < keepalive_time_when(tp))
		return keepalive_time_when(tp) - elapsed;
	if (icsk->icsk_probes_out >= keepalive_probes(tp)) {
		tcp_send_active_reset(sk);
		tcp_write_err(sk);
		return 0;
	}
	tcp_mib_inc(LINUX_MIB_TCPKEEPALIVE);
	if (tcp_write_wakeup(sk) == -ENOBUFS)
		return msecs_to_jiffies(TCP_RESOURCE_PROBE_MS);
	icsk->icsk_probes_out++;
	return keepalive_intvl_when(tp);
}

static uint64_t tcp_fin_time(const struct sock *sk)
{
	uint64_t fin = tcp_sk(sk)->linger2 > 0 ? (uint64_t)tcp_sk(sk)->linger2
					      : msecs_to_jiffies(TCP_FIN_TIMEOUT_MS);
	uint64_t rto = inet_csk(sk)->icsk_rto, floor = (rto << 2) - (rto >> 1);

	return fin < floor ? floor : fin;
}

/* An orphan in FIN_WAIT2 whose timeout outlasts TIME_WAIT (Linux's tcp_keepalive_timer branch). */
static void tcp_fin_wait2_timeout(struct sock *sk)
{
	uint64_t twlen = tcp_timewait_len();

	if (tcp_sk(sk)->linger2 >= 0 && tcp_fin_time(sk) > twlen) {
		tcp_time_wait(sk, TCP_FIN_WAIT2, (long)twlen);	/* the rest of the FIN_WAIT2 time */
		return;
	}
	tcp_send_active_reset(sk);
	tcp_done(sk);
}

static void tcp_synack_timer(struct sock *listener);

static void tcp_keepalive_handler(struct sock *sk)
{
	uint64_t next;

	if (sk->sk_state == TCP_LISTEN) {
		tcp_synack_timer(sk);
		return;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		tcp_fin_wait2_timeout(sk);
		return;
	}
	next = tcp_keepalive_check(sk);
	if (next)
		inet_csk_reset_keepalive_timer(sk, next);
}

static void tcp_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = container_of(t, struct sock, sk_timer);

	tcp_timer_run(sk, t, tcp_keepalive_handler);
}

/* ---- SYN-ACK retransmission for a listener's request socks ---- */

struct synack_work {
	struct request_sock *req;
	int drop;
};

static uint64_t synack_timeout(unsigned int n)
{
	uint64_t t = msecs_to_jiffies(TCP_TIMEOUT_INIT_MS) << (n < 16 ? n : 16);

	return t < rto_max() ? t : rto_max();
}

/*
 * Collect up to SYNACK_BATCH due requests, each with a reference, and
 * decide their fate under the queue lock; returns the earliest expiry of
 * the rest (0 = none).
 */
static uint64_t synack_collect(struct sock *sk, struct synack_work *w, int *n)
{
	struct request_sock_queue *q = &inet_csk(sk)->icsk_accept_queue;
	unsigned int max = inet_csk(sk)->icsk_syn_retries;
	uint64_t f, next = 0;

	if (!max)
		max = TCP_SYNACK_RETRIES;
	f = spin_lock_irqsave(&q->lock);

	for (unsigned int i = 0; i < sizeof(q->syn_table) / sizeof(q->syn_table[0]); i++) {
		for (struct request_sock *req = q->syn_table[i]; req; req = req->dl_next) {
			if (!req->expires)
				req->expires = jiffies + synack_timeout(0);
			if (time_after(req->expires, jiffies) || *n == SYNACK_BATCH) {
				uint64_t e = time_after(req->expires, jiffies) ? req->expires : jiffies + 1;

				if (!next || time_before(e, next))
					next = e;
				continue;
			}
			__atomic_add_fetch(&req->__req_common.skc_refcnt, 1, __ATOMIC_RELAXED);
			w[*n].req = req;
			w[*n].drop = req->num_retrans >= max;
			if (!w[*n].drop) {
				req->num_retrans++;
				req->expires = jiffies + synack_timeout(req->num_retrans);
				if (!next || time_before(req->expires, next))
					next = req->expires;
			}
			(*n)++;
		}
	}
	spin_unlock_irqrestore(&q->lock, f);
	return next;
}

/* Linux 2.6's inet_csk_reqsk_queue_prune: resend due SYN-ACKs, drop requests out of retries. */
static void tcp_synack_timer(struct sock *sk)
{
	struct synack_work w[SYNACK_BATCH];
	int n = 0;
	uint64_t next = synack_collect(sk, w, &n);

	for (int i = 0; i < n; i++) {
		if (w[i].drop) {
			inet_csk_reqsk_queue_drop(sk, w[i].req);
		} else if (tcp_send_synack(sk, w[i].req, NULL) == 0) {
			tcp_mib_inc(TCP_MIB_RETRANSSEGS);
		}
		reqsk_put(w[i].req);
	}
	if (next) {
		uint64_t soonest = jiffies + msecs_to_jiffies(SYNACK_SLACK_MS);

		if (n < SYNACK_BATCH && time_before(next, soonest))
			next = soonest;
		sk_reset_timer(sk, &sk->sk_timer, next);
	}
}

/* A request was added: make sure the listener's timer runs by its first SYN-ACK timeout. */
void tcp_reqsk_timer_arm(struct sock *listener)
{
	struct timer_list *t = &listener->sk_timer;
	uint64_t when = jiffies + synack_timeout(0);

	if (timer_pending(t) && !time_after(__atomic_load_n(&t->expires, __ATOMIC_RELAXED), when))
		return;
	sk_reset_timer(listener, t, when);
}

void tcp_init_xmit_timers(struct sock *sk)
{
	struct inet_connection_sock *icsk = inet_csk(sk);

	timer_setup(&icsk->icsk_retransmit_timer, tcp_write_timer, 0);
	timer_setup(&icsk->icsk_delack_timer, tcp_delack_timer, 0);
	timer_setup(&sk->sk_timer, tcp_keepalive_timer, 0);
}
