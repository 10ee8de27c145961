/*
 * TCP mini-sockets (Linux's net/ipv4/tcp_minisocks.c and the request
 * queue of inet_connection_sock.c): request socks for SYN-RECEIVED and
 * TIME_WAIT socks, both living in the established hash next to full
 * sockets (struct sock_common first, sk_state says which).
 *
 *  - Request socks: tcp_conn_request() allocates one per SYN and hashes it
 *    (inet_csk_reqsk_queue_hash_add); tcp_check_req() handles what arrives
 *    for it (RFC 9293 §3.10.7.4 for SYN-RECEIVED, RFC 5961 for RST) and on
 *    the handshake's ACK makes the child (tcp_create_openreq_child), swaps
 *    it into ehash and queues it for accept().
 *  - TIME_WAIT: tcp_time_wait() replaces a closing socket by a small
 *    struct for 2*MSL; tcp_timewait_state_process() answers what arrives
 *    (RFC 9293, RFC 1337: RSTs ignored, RFC 6191: a newer SYN reopens).
 *
 * References: a request sock has one for its SYN table or accept-queue
 * membership, one for ehash and one per lookup; a TIME_WAIT sock one for
 * its timer, one for ehash and one per lookup. Queue state is guarded by
 * the listener's icsk_accept_queue.lock, never by the listener's socket
 * lock (lockless listener, Linux ≥ 4.4). Softirq context, or process
 * context for accept().
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/tcp_input.h>
#include <net/ipv4/ipv4.h>
#include <net/socket.h>
#include <kernel/slab.h>
#include <kernel/errno.h>
#include <stdlib.h>

unsigned int tcp_tw_ms;		/* [I] TIME_WAIT length in ms, 0 = 60 s (tcp_tw_ms=) */

/*
 * TIME_WAIT socks alive, and the most there may be (Linux's
 * tcp_max_tw_buckets: half the established hash there; all of it here).
 * Past it a closing socket just closes, as Linux does on overflow.
 */
static int tw_count;			/* [a] */

static int tw_max(void)
{
	return (int)tcp_hashinfo.ehash_mask + 1;
}

/* A TIME_WAIT sock with what only this file needs. */
struct tcp_tw_bucket {
	struct tcp_timewait_sock tw;	/* must stay first */
	uint64_t deadline;		/* [a] jiffies; the timer re-arms itself until then */
};

/* ---- request socks ---- */

static struct kmem_cache request_sock_cache =
	KMEM_CACHE_INIT("request_sock", sizeof(struct request_sock));
static struct kmem_cache tw_bucket_cache = KMEM_CACHE_INIT("tw_bucket", sizeof(struct tcp_tw_bucket));

struct request_sock *reqsk_alloc(struct sock *listener)
{
	struct request_sock *req = kmem_cache_zalloc(&request_sock_cache);

	if (!req)
		return NULL;
	req->__req_common.skc_family = AF_INET;
	req->__req_common.skc_state = TCP_NEW_SYN_RECV;
	req->__req_common.skc_refcnt = 1;
	req->__req_common.skc_incoming_cpu = -1;
	INIT_LIST_HEAD(&req->__req_common.skc_node);
	sock_hold(listener);
	req->rsk_listener = listener;
	return req;
}

void reqsk_free(struct request_sock *req)
{
	sock_put(req->rsk_listener);
	kmem_cache_free(&request_sock_cache, req);
}

void reqsk_put(struct request_sock *req)
{
	if (__atomic_sub_fetch(&req->__req_common.skc_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		reqsk_free(req);
}

static struct sock *req_to_sk(struct request_sock *req)
{
	return (struct sock *)req;
}

/* Linux's tcp_openreq_init: a request for the SYN @skb with options @opt. */
struct request_sock *reqsk_alloc_for(struct sock *listener, const struct sk_buff *skb,
				     const struct tcp_options_received *opt)
{
	const struct iphdr *iph = ip_hdr(skb);
	const struct tcphdr *th = tcp_hdr(skb);
	struct request_sock *req = reqsk_alloc(listener);

	if (!req)
		return NULL;
	req->__req_common.skc_daddr = iph->saddr;
	req->__req_common.skc_dport = th->source;
	req->__req_common.skc_rcv_saddr = iph->daddr;
	req->__req_common.skc_num = ntohs(th->dest);
	req->rcv_isn = TCP_SKB_CB(skb)->seq;
	req->mss = opt->mss_clamp < TCP_MIN_MSS ? TCP_MIN_MSS : opt->mss_clamp;
	req->tstamp_ok = opt->saw_tstamp;
	req->ts_recent = opt->saw_tstamp ? opt->rcv_tsval : 0;
	req->wscale_ok = opt->wscale_ok;
	req->snd_wscale = opt->wscale_ok ? opt->snd_wscale : 0;
	req->sack_ok = opt->sack_ok && sysctl_tcp_sack;	/* blocks sent; received ones ignored (Reno) */
	tcp_openreq_init_rwin(req, listener);
	return req;
}

static unsigned int syn_table_slot(const struct request_sock *req)
{
	uint32_t h = req->__req_common.skc_daddr * 2654435761u ^ req->__req_common.skc_dport;

	return (h ^ h >> 16) & 63;
}

/* Queue lock held: take @req off the SYN table; 1 if it was there. */
static int syn_table_unlink(struct request_sock_queue *q, struct request_sock *req)
{
	struct request_sock **pp = &q->syn_table[syn_table_slot(req)];

	for (; *pp; pp = &(*pp)->dl_next) {
		if (*pp == req) {
			*pp = req->dl_next;
			req->dl_next = NULL;
			q->qlen--;
			return 1;
		}
	}
	return 0;
}

/*
 * Softirq. Put @req on @listener's SYN table and in ehash, each with a
 * reference of its own; the caller keeps its reference (from reqsk_alloc)
 * for sending the SYN-ACK and puts it after. Fails, with nothing linked,
 * when the listener stopped listening (checked under the queue lock that
 * inet_csk_listen_stop walks the table with) or the same SYN raced in on
 * another CPU.
 */
int inet_csk_reqsk_queue_hash_add(struct sock *listener, struct request_sock *req)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	unsigned int slot = syn_table_slot(req);
	uint64_t f;

	req->expires = jiffies + msecs_to_jiffies(TCP_TIMEOUT_INIT_MS);
	f = spin_lock_irqsave(&q->lock);
	if (listener->sk_state != TCP_LISTEN) {
		spin_unlock_irqrestore(&q->lock, f);
		return -EINVAL;
	}
	__atomic_add_fetch(&req->__req_common.skc_refcnt, 1, __ATOMIC_RELAXED);	/* the table's */
	req->dl_next = q->syn_table[slot];
	q->syn_table[slot] = req;
	q->qlen++;
	spin_unlock_irqrestore(&q->lock, f);
	if (inet_ehash_insert(&tcp_hashinfo, req_to_sk(req))) {
		inet_csk_reqsk_queue_drop(listener, req);
		return -EADDRINUSE;
	}
	tcp_reqsk_timer_arm(listener);
	return 0;
}

/* Any context: take @req off the SYN table and ehash, dropping those references. */
int inet_csk_reqsk_queue_drop(struct sock *listener, struct request_sock *req)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	uint64_t f = spin_lock_irqsave(&q->lock);
	int unlinked = syn_table_unlink(q, req);

	spin_unlock_irqrestore(&q->lock, f);
	if (inet_ehash_del(&tcp_hashinfo, req_to_sk(req)))
		reqsk_put(req);
	if (unlinked)
		reqsk_put(req);
	return unlinked;
}

/* Softirq: @child (locked) is ready for accept(). NULL if @listener stopped listening. */
struct sock *inet_csk_reqsk_queue_add(struct sock *listener, struct request_sock *req,
				      struct sock *child)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	uint64_t f = spin_lock_irqsave(&q->lock);

	if (listener->sk_state != TCP_LISTEN) {
		spin_unlock_irqrestore(&q->lock, f);
		return NULL;
	}
	req->sk = child;
	sock_hold(child);		/* the accept queue's, handed to accept() */
	__atomic_add_fetch(&req->__req_common.skc_refcnt, 1, __ATOMIC_RELAXED);
	req->dl_next = NULL;
	if (q->accept_tail)
		q->accept_tail->dl_next = req;
	else
		q->accept_head = req;
	q->accept_tail = req;
	q->accept_len++;
	spin_unlock_irqrestore(&q->lock, f);
	return child;
}

/* Process context (accept) or any: the oldest established child's request, or NULL. */
struct request_sock *reqsk_queue_remove(struct sock *listener)
{
	struct request_sock_queue *q = &inet_csk(listener)->icsk_accept_queue;
	uint64_t f = spin_lock_irqsave(&q->lock);
	struct request_sock *req = q->accept_head;

	if (req) {
		q->accept_head = req->dl_next;
		if (!q->accept_head)
			q->accept_tail = NULL;
		req->dl_next = NULL;
		q->accept_len--;
	}
	spin_unlock_irqrestore(&q->lock, f);
	return req;
}

/* An ACK from request sock @req in reply to @skb (Linux's tcp_v4_reqsk_send_ack). */
void tcp_v4_reqsk_send_ack(const struct sk_buff *skb, const struct request_sock *req)
{
	const struct sock_common *c = &req->__req_common;

	tcp_v4_send_ack(skb, req->snt_isn + 1, req->rcv_isn + 1, req->rcv_wnd >> req->rcv_wscale,
			tcp_clock_ms() + secure_tcp_ts_off(c->skc_rcv_saddr, c->skc_daddr),
			req->ts_recent, req->tstamp_ok);
}

/* ---- the child ---- */

/* Softirq. A full socket in SYN_RECV for @req, locked (bh), one reference (the caller's). */
struct sock *tcp_create_openreq_child(const struct sock *sk, const struct request_sock *req,
				      const struct sk_buff *skb)
{
	struct sock *newsk = sk_alloc(AF_INET, sk->sk_prot);
	const struct tcp_sock *ltp = tcp_sk(sk);
	const struct sock_common *rc = &req->__req_common;
	struct tcp_sock *tp;
	struct inet_sock *inet;

	if (!newsk)
		return NULL;
	sock_init_data(NULL, newsk);
	newsk->sk_type = SOCK_STREAM;
	newsk->sk_protocol = IPPROTO_TCP;
	newsk->sk_prot->init(newsk);
	tp = tcp_sk(newsk);
	inet = inet_sk(newsk);
	/* what the listener's options said */
	newsk->sk_rcvbuf = sk->sk_rcvbuf;
	newsk->sk_sndbuf = sk->sk_sndbuf;
	newsk->sk_reuse = sk->sk_reuse;
	newsk->sk_reuseport = sk->sk_reuseport;	/* Linux clones it: bind conflicts see it */
	newsk->sk_uid = sk->sk_uid;
	newsk->sk_flags = sk->sk_flags & (1UL << SOCK_KEEPOPEN | 1UL << SOCK_LINGER);
	newsk->sk_linger_secs = sk->sk_linger_secs;
	newsk->sk_rcvtimeo = sk->sk_rcvtimeo;
	newsk->sk_sndtimeo = sk->sk_sndtimeo;
	inet->tos = inet_sk(sk)->tos;
	inet->ttl = inet_sk(sk)->ttl;
	tp->nonagle = ltp->nonagle;
	tp->linger2 = ltp->linger2;
	tp->keepalive_time = ltp->keepalive_time;
	tp->keepalive_intvl = ltp->keepalive_intvl;
	tp->keepalive_probes = ltp->keepalive_probes;
	tp->rx_opt.user_mss = ltp->rx_opt.user_mss;
	/* the connection */
	newsk->sk_daddr = rc->skc_daddr;
	newsk->sk_dport = rc->skc_dport;
	newsk->sk_rcv_saddr = rc->skc_rcv_saddr;
	newsk->sk_num = rc->skc_num;
	inet->inet_saddr = rc->skc_rcv_saddr;
	inet->inet_sport = htons(rc->skc_num);
	newsk->sk_incoming_cpu = sk->sk_incoming_cpu;
	newsk->sk_state = TCP_SYN_RECV;
	tp->rcv_nxt = tp->rcv_wup = tp->copied_seq = req->rcv_isn + 1;
	tp->snd_una = tp->snd_nxt = tp->write_seq = tp->pushed_seq = req->snt_isn + 1;
	tp->high_seq = req->snt_isn;
	tp->snd_wl1 = req->rcv_isn;
	tp->snd_wl2 = tp->snd_una;
	tp->rx_opt.tstamp_ok = req->tstamp_ok;
	tp->rx_opt.wscale_ok = req->wscale_ok;
	tp->rx_opt.snd_wscale = req->snd_wscale;
	tp->rx_opt.rcv_wscale = req->rcv_wscale;
	tp->rx_opt.sack_ok = req->sack_ok;
	tp->rx_opt.mss_clamp = req->mss;
	tp->rx_opt.ts_recent = req->ts_recent;
	tp->rx_opt.ts_recent_stamp = req->tstamp_ok ? jiffies : 0;
	tp->tsoffset = secure_tcp_ts_off(rc->skc_rcv_saddr, rc->skc_daddr);
	tp->snd_wnd = ntohs(tcp_hdr(skb)->window) << tp->rx_opt.snd_wscale;
	tp->max_window = tp->snd_wnd;
	tp->rcv_wnd = req->rcv_wnd;
	tp->window_clamp = 65535u << req->rcv_wscale;
	if (ltp->window_clamp && ltp->window_clamp < tp->window_clamp)
		tp->window_clamp = ltp->window_clamp;
	tp->total_retrans = req->num_retrans;	/* RFC 6298 (5.7), RFC 5681 §3.1 after a lost SYN-ACK */
	tp->rcv_ssthresh = tp->rcv_wnd;
	tcp_mss_from_peer(newsk);
	tcp_initialize_rcv_mss(newsk);
	bh_lock_sock(newsk);
	tcp_mib_inc(TCP_MIB_PASSIVEOPENS);
	return newsk;
}

/*
 * Linux's tcp_v4_syn_recv_sock: the handshake completed for @req. A child
 * in ehash in @req's place (*own_req), or NULL when the accept queue is
 * full (counted; the request stays and the peer's retransmission retries).
 */
struct sock *tcp_v4_syn_recv_sock(struct sock *sk, struct sk_buff *skb, struct request_sock *req,
				  int *own_req)
{
	struct sock *child;

	*own_req = 0;
	if (sk_acceptq_is_full(sk)) {
		tcp_mib_inc(LINUX_MIB_LISTENOVERFLOWS);
		goto drop;
	}
	child = tcp_create_openreq_child(sk, req, skb);
	if (!child)
		goto drop;
	if (__inet_inherit_port(&tcp_hashinfo, sk, child) < 0) {
		tcp_mib_inc(LINUX_MIB_LISTENDROPS);
		return child;	/* not own_req: tcp_complete_hashdance frees it */
	}
	if (req->cookie) {
		*own_req = inet_ehash_insert(&tcp_hashinfo, child) == 0;
	} else if (inet_ehash_insert_replace(&tcp_hashinfo, child, req_to_sk(req)) == 0) {
		*own_req = 1;
		reqsk_put(req);		/* the hash's reference on the request */
	}
	return child;
drop:
	tcp_mib_inc(LINUX_MIB_LISTENDROPS);
	return NULL;
}

/* The listener stopped listening under us: the child goes, with a RST (Linux's inet_child_forget). */
static void inet_child_forget(struct sock *child)
{
	sock_set_flag(child, SOCK_DEAD);
	child->sk_socket = NULL;
	tcp_send_active_reset(child);
	tcp_done(child);
}

/* Move @req from the SYN table to the accept queue with @child (Linux's inet_csk_complete_hashdance). */
struct sock *tcp_complete_hashdance(struct sock *sk, struct sock *child, struct request_sock *req,
				    int own_req, int *stolen)
{
	struct request_sock_queue *q = &inet_csk(sk)->icsk_accept_queue;
	uint64_t f;
	int unlinked;

	if (!own_req) {
		*stolen = 1;
		bh_unlock_sock(child);
		sock_put(child);	/* never hashed: this frees it */
		return NULL;
	}
	f = spin_lock_irqsave(&q->lock);
	unlinked = syn_table_unlink(q, req);
	spin_unlock_irqrestore(&q->lock, f);
	if (unlinked)
		reqsk_put(req);
	if (inet_csk_reqsk_queue_add(sk, req, child))
		return child;
	inet_child_forget(child);
	bh_unlock_sock(child);
	sock_put(child);
	return NULL;
}

/* A SYN-RECEIVED request gets RST/SYN: it goes (Linux's embryonic_reset). */
static struct sock *embryonic_reset(struct sock *sk, struct sk_buff *skb, struct request_sock *req,
				    int send_rst, int *stolen)
{
	tcp_mib_inc(TCP_MIB_ATTEMPTFAILS);
	if (send_rst)
		tcp_v4_send_reset(sk, skb);
	if (!inet_csk_reqsk_queue_drop(sk, req))
		*stolen = 1;
	return NULL;
}

/*
 * Softirq, listener @sk unlocked (a reference held), a lookup reference on
 * @req. The segment @skb (not consumed) for a request in SYN-RECEIVED:
 * returns the new child (locked, a reference for the caller), @sk when
 * the listener should answer it (an unacceptable ACK: RST), or NULL when
 * it was handled or is to be dropped (*stolen: the request was already
 * turned into a child elsewhere; look the segment up again).
 */
struct sock *__tcp_check_req(struct sock *sk, struct sk_buff *skb, struct request_sock *req,
			     int *stolen)
{
	const struct tcphdr *th = tcp_hdr(skb);
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t flg = th->flags & (TCPHDR_RST | TCPHDR_SYN | TCPHDR_ACK);
	uint32_t rcv_nxt = req->rcv_isn + 1;
	struct tcp_options_received opt = { 0 };
	int paws_reject = 0, own_req;
	struct sock *child;

	if (tcp_hdrlen(th) > sizeof(*th) && req->tstamp_ok) {
		tcp_parse_options(th, 0, &opt);
		if (opt.saw_tstamp) {
			opt.ts_recent = req->ts_recent;
			opt.ts_recent_stamp = jiffies;
			paws_reject = tcp_paws_reject(&opt, flg & TCPHDR_RST);
		}
	}
	/* A retransmitted SYN: send the SYN-ACK again (Linux; RFC 793 does not cover it). */
	if (cb->seq == req->rcv_isn && flg == TCPHDR_SYN && !paws_reject) {
		tcp_send_synack(sk, req, skb);
		return NULL;
	}
	/* RFC 9293: an unacceptable ACK in SYN-RECEIVED is answered <SEQ=SEG.ACK><CTL=RST>. */
	if ((flg & TCPHDR_ACK) && cb->ack_seq != req->snt_isn + 1)
		return sk;
	if (paws_reject || !tcp_in_window(cb->seq, cb->end_seq, rcv_nxt, rcv_nxt + req->rcv_wnd)) {
		if (!(flg & TCPHDR_RST))
			tcp_v4_reqsk_send_ack(skb, req);	/* out of window: ACK and drop */
		if (paws_reject)
			tcp_mib_inc(LINUX_MIB_PAWSESTABREJECTED);
		return NULL;
	}
	if (opt.saw_tstamp && !after(cb->seq, rcv_nxt))
		req->ts_recent = opt.rcv_tsval;
	if (cb->seq == req->rcv_isn)
		flg &= (uint8_t)~TCPHDR_SYN;	/* the SYN itself lies before the window */
	if (flg & TCPHDR_RST) {
		if (cb->seq == rcv_nxt)		/* RFC 5961 §3.2: exact: reset */
			return embryonic_reset(sk, skb, req, 0, stolen);
		tcp_v4_reqsk_send_ack(skb, req);	/* in window, not exact: challenge ACK */
		return NULL;
	}
	if (flg & TCPHDR_SYN)		/* a new SYN in the window: reset (Linux) */
		return embryonic_reset(sk, skb, req, 1, stolen);
	if (!(flg & TCPHDR_ACK))
		return NULL;
	child = tcp_v4_syn_recv_sock(sk, skb, req, &own_req);
	if (!child)
		return NULL;
	return tcp_complete_hashdance(sk, child, req, own_req, stolen);
}

struct sock *tcp_check_req(struct sock *listener, struct sk_buff *skb, struct request_sock *req)
{
	int stolen = 0;

	return __tcp_check_req(listener, skb, req, &stolen);
}

/*
 * Softirq: give @skb to the new @child (locked by its creator) and let it
 * go. The listener learns of a child that left SYN_RECV. Returns
 * tcp_rcv_state_process's answer: 1 = the caller sends a RST and frees.
 */
int tcp_child_process(struct sock *parent, struct sock *child, struct sk_buff *skb)
{
	int ret = 0, state = child->sk_state;

	if (!sock_owned_by_user(child)) {
		ret = tcp_rcv_state_process(child, skb);
		if (state == TCP_SYN_RECV && child->sk_state != state)
			parent->sk_data_ready(parent);
	} else if (sk_add_backlog(child, skb)) {
		kfree_skb_reason(skb, SKB_DROP_REASON_SOCKET_RCVBUFF);
	}
	bh_unlock_sock(child);
	sock_put(child);
	return ret;
}

/* ---- TIME_WAIT ---- */

static struct tcp_tw_bucket *tw_bucket(struct tcp_timewait_sock *tw)
{
	return (struct tcp_tw_bucket *)tw;
}

void inet_twsk_put(struct tcp_timewait_sock *tw)
{
	if (__atomic_sub_fetch(&tw->__tw_common.skc_refcnt, 1, __ATOMIC_ACQ_REL) == 0) {
		__atomic_sub_fetch(&tw_count, 1, __ATOMIC_RELAXED);
		kmem_cache_free(&tw_bucket_cache, tw_bucket(tw));
	}
}

/* The timer's function: its time is up unless the deadline moved (then re-arm). */
static void tw_timer_handler(struct timer_list *t)
{
	struct tcp_timewait_sock *tw = container_of(t, struct tcp_timewait_sock, tw_timer);
	uint64_t deadline = __atomic_load_n(&tw_bucket(tw)->deadline, __ATOMIC_RELAXED);

	if (time_before(jiffies, deadline)) {
		mod_timer(t, deadline);
		return;
	}
	if (inet_ehash_del(&tcp_hashinfo, (struct sock *)tw))
		inet_twsk_put(tw);
	tcp_mib_inc(LINUX_MIB_TW);
	inet_twsk_put(tw);		/* the timer's reference */
}

/* Restart the 2*MSL (or FIN_WAIT2) clock at @timeo jiffies from now. */
static void inet_twsk_reschedule(struct tcp_timewait_sock *tw, uint64_t timeo)
{
	uint64_t deadline = jiffies + timeo;

	__atomic_store_n(&tw_bucket(tw)->deadline, deadline, __ATOMIC_RELAXED);
	/* Shortening needs the timer moved; only if we took it off (it holds a reference). */
	if (time_before(deadline, tw->tw_timer.expires) && del_timer(&tw->tw_timer))
		mod_timer(&tw->tw_timer, deadline);
}

void inet_twsk_kill(struct tcp_timewait_sock *tw)
{
	if (del_timer(&tw->tw_timer)) {
		if (inet_ehash_del(&tcp_hashinfo, (struct sock *)tw))
			inet_twsk_put(tw);
		inet_twsk_put(tw);	/* the timer's */
	}
}

static uint64_t tcp_tw_len(void)
{
	return msecs_to_jiffies(tcp_tw_ms ? tcp_tw_ms : TCP_TIMEWAIT_LEN_DEFAULT_MS);
}

/*
 * Socket locked (either level): @sk becomes a TIME_WAIT sock in @state
 * (TIME_WAIT, or FIN_WAIT2 after close() for @timeo jiffies), then
 * tcp_done(). Without memory, or past tw_max(), the socket just closes
 * (Linux does too).
 */
void tcp_time_wait(struct sock *sk, int state, long timeo)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct tcp_tw_bucket *b = NULL;

	if (__atomic_add_fetch(&tw_count, 1, __ATOMIC_RELAXED) <= tw_max())
		b = kmem_cache_zalloc(&tw_bucket_cache);
	if (!b)
		__atomic_sub_fetch(&tw_count, 1, __ATOMIC_RELAXED);
	if (b) {
		struct tcp_timewait_sock *tw = &b->tw;
		struct sock_common *c = &tw->__tw_common;
		uint64_t rto = inet_csk(sk)->icsk_rto;

		*c = (struct sock_common){ .skc_daddr = sk->sk_daddr, .skc_rcv_saddr = sk->sk_rcv_saddr,
					   .skc_dport = sk->sk_dport, .skc_num = sk->sk_num,
					   .skc_family = AF_INET, .skc_state = TCP_TIME_WAIT,
					   .skc_incoming_cpu = sk->sk_incoming_cpu, .skc_refcnt = 1 };
		INIT_LIST_HEAD(&c->skc_node);
		tw->tw_substate = (uint8_t)state;
		tw->tw_sport = inet_sk(sk)->inet_sport;
		tw->tw_rcv_nxt = tp->rcv_nxt;
		tw->tw_snd_nxt = tp->snd_nxt;
		tw->tw_rcv_wnd = tcp_receive_window(tp) >> tp->rx_opt.rcv_wscale;
		tw->tw_ts_ok = tp->rx_opt.tstamp_ok;
		tw->tw_ts_recent = tp->rx_opt.ts_recent;
		tw->tw_ts_recent_stamp = tp->rx_opt.tstamp_ok ? tp->rx_opt.ts_recent_stamp : 0;
		tw->tw_hashinfo = &tcp_hashinfo;
		/* Linux: at least 3.5 RTO, so the peer's retransmitted FIN is still answered. */
		if (state == TCP_TIME_WAIT)
			timeo = (long)tcp_tw_len();
		else if ((uint64_t)timeo < (rto << 2) - (rto >> 1))
			timeo = (long)((rto << 2) - (rto >> 1));
		b->deadline = jiffies + (uint64_t)timeo;
		timer_setup(&tw->tw_timer, tw_timer_handler, 0);
		if (inet_ehash_insert_replace(&tcp_hashinfo, (struct sock *)tw, sk) == 0) {
			sock_put(sk);	/* the hash's reference on the socket */
			mod_timer(&tw->tw_timer, b->deadline);
		} else {
			__atomic_sub_fetch(&tw_count, 1, __ATOMIC_RELAXED);
			kmem_cache_free(&tw_bucket_cache, b);
		}
	}
	tcp_done(sk);
}

/* An ACK from TIME_WAIT sock @tw in reply to @skb (Linux's tcp_v4_timewait_ack). */
void tcp_v4_timewait_ack(struct tcp_timewait_sock *tw, const struct sk_buff *skb)
{
	const struct sock_common *c = &tw->__tw_common;

	tcp_v4_send_ack(skb, tw->tw_snd_nxt, tw->tw_rcv_nxt, tw->tw_rcv_wnd,
			tcp_clock_ms() + secure_tcp_ts_off(c->skc_rcv_saddr, c->skc_daddr),
			tw->tw_ts_recent, tw->tw_ts_ok);
}

/* FIN_WAIT2 substate: repeat tcp_rcv_state_process's checks (Linux). */
static int tw_fin_wait2(struct tcp_timewait_sock *tw, const struct sk_buff *skb,
			const struct tcp_options_received *opt, int paws_reject)
{
	const struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	uint8_t flags = cb->tcp_flags;

	if (paws_reject ||
	    !tcp_in_window(cb->seq, cb->end_seq, tw->tw_rcv_nxt, tw->tw_rcv_nxt + tw->tw_rcv_wnd))
		return TCP_TW_ACK;
	if (flags & TCPHDR_RST) {
		inet_twsk_kill(tw);
		return TCP_TW_SUCCESS;
	}
	if ((flags & TCPHDR_SYN) && !before(cb->seq, tw->tw_rcv_nxt))
		return TCP_TW_RST;
	if (!(flags & TCPHDR_ACK) || !after(cb->end_seq, tw->tw_rcv_nxt) || cb->end_seq == cb->seq)
		return TCP_TW_SUCCESS;	/* a duplicate ACK */
	/* New data after close() resets; a FIN moves on to TIME_WAIT proper. */
	if (!(flags & TCPHDR_FIN) || cb->end_seq != tw->tw_rcv_nxt + 1)
		return TCP_TW_RST;
	tw->tw_substate = TCP_TIME_WAIT;
	tw->tw_rcv_nxt = cb->end_seq;
	if (opt->saw_tstamp) {
		tw->tw_ts_recent_stamp = jiffies;
		tw->tw_ts_recent = opt->rcv_tsval;
	}
	inet_twsk_reschedule(tw, tcp_tw_len());
	return TCP_TW_ACK;
}

/* The decision for a segment arriving in TIME_WAIT (Linux's tcp_timewait_state_process). */
static int tw_status(struct tcp_timewait_sock *tw, const struct sk_buff *skb)
{
	const struct tcphdr *th = tcp_hdr(skb);
	struct tcp_skb_cb *cb = TCP_SKB_CB(skb);
	struct tcp_options_received opt = { 0 };
	int paws_reject = 0, rst = th->flags & TCPHDR_RST;

	if (tcp_hdrlen(th) > sizeof(*th) && tw->tw_ts_recent_stamp) {
		tcp_parse_options(th, 0, &opt);
		if (opt.saw_tstamp) {
			opt.ts_recent = tw->tw_ts_recent;
			opt.ts_recent_stamp = tw->tw_ts_recent_stamp;
			paws_reject = tcp_paws_reject(&opt, rst);
		}
	}
	if (tw->tw_substate == TCP_FIN_WAIT2)
		return tw_fin_wait2(tw, skb, &opt, paws_reject);
	if (!paws_reject && cb->seq == tw->tw_rcv_nxt && (cb->seq == cb->end_seq || rst)) {
		/* In window: a bare ACK restarts the clock; a RST is ignored (RFC 1337). */
		if (rst)
			return TCP_TW_SUCCESS;
		inet_twsk_reschedule(tw, tcp_tw_len());
		if (opt.saw_tstamp) {
			tw->tw_ts_recent = opt.rcv_tsval;
			tw->tw_ts_recent_stamp = jiffies;
		}
		return TCP_TW_SUCCESS;
	}
	/* A new SYN above the old sequence space or with a newer timestamp may reopen (RFC 6191). */
	if ((th->flags & (TCPHDR_SYN | TCPHDR_RST | TCPHDR_ACK)) == TCPHDR_SYN && !paws_reject &&
	    (after(cb->seq, tw->tw_rcv_nxt) ||
	     (opt.saw_tstamp && (int32_t)(tw->tw_ts_recent - opt.rcv_tsval) < 0))) {
		uint32_t isn = tw->tw_snd_nxt + 65535 + 2;

		cb->tcp_tw_isn = isn ? isn : 1;
		return TCP_TW_SYN;
	}
	if (paws_reject)
		tcp_mib_inc(LINUX_MIB_PAWSESTABREJECTED);
	if (rst)
		return TCP_TW_SUCCESS;	/* RFC 1337 */
	/* Anything else (a retransmitted FIN above all): ACK it, restart the clock (RFC 9293). */
	if (paws_reject || (th->flags & TCPHDR_ACK))
		inet_twsk_reschedule(tw, tcp_tw_len());
	return TCP_TW_ACK;
}

/*
 * Softirq, a lookup reference on @tw (kept). Answers @skb and consumes it,
 * except for TCP_TW_SYN: a SYN that may reopen the connection, left to the
 * caller for the listener.
 */
int tcp_timewait_state_process(struct tcp_timewait_sock *tw, struct sk_buff *skb)
{
	int status = tw_status(tw, skb);

	switch (status) {
	case TCP_TW_ACK:
		tcp_v4_timewait_ack(tw, skb);
		consume_skb(skb);
		break;
	case TCP_TW_RST:
		tcp_v4_send_reset(NULL, skb);
		inet_twsk_kill(tw);
		kfree_skb_reason(skb, SKB_DROP_REASON_TCP_INVALID);
		break;
	case TCP_TW_SUCCESS:
		consume_skb(skb);
		break;
	}
	return status;
}
