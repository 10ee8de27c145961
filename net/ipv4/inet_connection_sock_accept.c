/*
 * listen() and accept() for connection sockets (Linux's
 * inet_csk_listen_start, inet_csk_listen_stop, inet_csk_accept and
 * inet_csk_wait_for_connect from net/ipv4/inet_connection_sock.c).
 *  - inet_csk_listen_start(sk, backlog): af_inet's listen hook (socket
 *    locked): CLOSE → LISTEN (autobind if unbound, port re-checked,
 *    lhash2), or a new backlog for a listener;
 *  - inet_csk_accept: the accept queue's head, sleeping as an EXCLUSIVE
 *    waiter, so one new connection wakes one acceptor (no herd); with
 *    `wakeup=all` the waiter is not exclusive, so every blocked acceptor
 *    wakes and all but one find the queue empty (the pre-2.6 thundering
 *    herd, counted as spurious wakeups);
 *  - inet_csk_listen_stop: requests dropped, unaccepted children reset.
 * The queues themselves (SYN table, accept queue, icsk_accept_queue.lock)
 * are tcp_minisocks.c's; children arrive there from softirq and the queue
 * add wakes the listener through sk_data_ready.
 */
#include <net/ipv4/tcp.h>
#include <net/ipv4/af_inet.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/params.h>
#include <kernel/percpu.h>
#include <kernel/wait.h>
#include <string.h>

#define SOMAXCONN 4096			/* Linux ≥ 5.4 */
#define TCP_SYNQ_MIN 8
#define TASK_INTERRUPTIBLE 1

int sysctl_accept_wake_all;		/* [I] after boot: wakeup=all */

static const char *set_wakeup(const char *val)
{
	return param_choice(val, "all", "exclusive", &sysctl_accept_wake_all,
			    "must be all or exclusive");
}
KERNEL_PARAM("wakeup", set_wakeup,
	     "wakeup=all|exclusive: wake every blocked accept() per connection, or one (default)");

static void reqsk_queue_set_backlog(struct request_sock_queue *q, int backlog)
{
	unsigned int b = backlog < 0 ? 0 : backlog > SOMAXCONN ? SOMAXCONN : (unsigned int)backlog;
	uint64_t f = spin_lock_irqsave(&q->lock);

	q->max_accept = b;
	q->max_qlen = b > TCP_SYNQ_MIN ? b : TCP_SYNQ_MIN;
	spin_unlock_irqrestore(&q->lock, f);
}

/* Socket locked; 0, -EADDRINUSE, or what hashing said. */
int inet_csk_listen_start(struct sock *sk, int backlog)
{
	struct request_sock_queue *q = &inet_csk(sk)->icsk_accept_queue;
	struct inet_sock *inet = inet_sk(sk);
	int err;

	reqsk_queue_set_backlog(q, backlog);
	if (sk->sk_state == TCP_LISTEN)
		return 0;
	q->qlen = 0;
	q->accept_len = 0;
	q->accept_head = q->accept_tail = NULL;
	/* Its owner CPU in a reuseport=cpu group, unless SO_INCOMING_CPU says otherwise. */
	sk->sk_listen_cpu = (int)smp_processor_id();
	sk->sk_state = TCP_LISTEN;
	err = inet->inet_num ? 0
			     : (sk->sk_prot->get_port ? sk->sk_prot->get_port(sk, 0)
						      : inet_csk_get_port(&tcp_hashinfo, sk, 0));
	if (!err)
		err = inet_csk_listen_get_port(&tcp_hashinfo, sk);
	if (!err) {
		inet->inet_sport = (uint16_t)(inet->inet_num << 8 | inet->inet_num >> 8);
		err = sk->sk_prot->hash ? sk->sk_prot->hash(sk) : inet_hash(&tcp_hashinfo, sk);
		if (!err)
			return 0;
	}
	sk->sk_state = TCP_CLOSE;
	return err ? err : -EADDRINUSE;
}

static int reqsk_queue_empty(const struct request_sock_queue *q)
{
	return __atomic_load_n(&q->accept_head, __ATOMIC_ACQUIRE) == NULL;
}

/* Linux's prepare_to_wait_exclusive, or prepare_to_wait under wakeup=all. */
void inet_csk_add_accept_waiter(struct sock *sk, struct wait_queue_entry *wait)
{
	if (sysctl_accept_wake_all)
		add_wait_queue(&sk->sk_wq, wait);
	else
		add_wait_queue_exclusive(&sk->sk_wq, wait);
}

/*
 * Linux's inet_csk_wait_for_connect: sleep on sk_wq until the accept
 * queue has a child, the socket stops listening, or @timeo runs out.
 * Socket locked; 0 or -errno.
 */
static int inet_csk_wait_for_connect(struct sock *sk, long *timeo)
{
	struct request_sock_queue *q = &inet_csk(sk)->icsk_accept_queue;
	struct wait_queue_entry wait;
	int err, woken = 0;

	init_wait_func(&wait, woken_wake_function);
	inet_csk_add_accept_waiter(sk, &wait);
	for (;;) {
		release_sock(sk);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (reqsk_queue_empty(q)) {
			if (woken)
				wait_count_spurious();	/* woken, and another acceptor got it */
			*timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, *timeo);
			woken = 1;
		}
		lock_sock(sk);
		err = 0;
		if (!reqsk_queue_empty(q))
			break;
		err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			break;
		err = -EAGAIN;
		if (!*timeo)
			break;
	}
	remove_wait_queue(&sk->sk_wq, &wait);
	return err;
}

/*
 * accept(): the first established child, with the reference the queue
 * held for us. @flags: O_NONBLOCK → -EAGAIN when empty. Entered unlocked.
 */
struct sock *inet_csk_accept(struct sock *sk, int flags, int *err)
{
	long timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	struct request_sock *req;
	struct sock *child = NULL;
	int error = 0;

	lock_sock(sk);
	for (;;) {
		if (sk->sk_state != TCP_LISTEN) {
			error = -EINVAL;
			break;
		}
		req = reqsk_queue_remove(sk);
		if (req) {
			child = req->sk;
			reqsk_put(req);
			break;
		}
		if (!timeo) {
			error = -EAGAIN;
			break;
		}
		error = inet_csk_wait_for_connect(sk, &timeo);
		if (error)
			break;
	}
	release_sock(sk);
	*err = error;
	return child;
}

/*
 * An unaccepted child when its listener closes (Linux's inet_child_forget):
 * reset it if the peer has state, and let it go. Listener locked.
 */
static void inet_child_forget(struct sock *child)
{
	uint64_t f;

	sock_orphan(child);
	f = spin_lock_irqsave(&child->sk_lock.slock);
	if (child->sk_state != TCP_CLOSE) {
		if (TCPF(child->sk_state) & (TCPF(TCP_ESTABLISHED) | TCPF(TCP_CLOSE_WAIT) |
					     TCPF(TCP_SYN_RECV) | TCPF(TCP_FIN_WAIT1) | TCPF(TCP_FIN_WAIT2)))
			tcp_send_active_reset(child);
		tcp_done(child);	/* an orphan: queues purged, timers off */
	}
	spin_unlock_irqrestore(&child->sk_lock.slock, f);
	sock_put(child);	/* the accept queue's reference */
}

/* A request still on the SYN table, with a reference, or NULL. */
static struct request_sock *syn_table_first(struct sock *sk)
{
	struct request_sock_queue *q = &inet_csk(sk)->icsk_accept_queue;
	struct request_sock *req = NULL;
	uint64_t f = spin_lock_irqsave(&q->lock);

	for (unsigned int i = 0; !req && i < sizeof(q->syn_table) / sizeof(q->syn_table[0]); i++) {
		req = q->syn_table[i];
		if (req)
			__atomic_add_fetch(&req->__req_common.skc_refcnt, 1, __ATOMIC_RELAXED);
	}
	spin_unlock_irqrestore(&q->lock, f);
	return req;
}

/* The listener is closing (already out of lhash2): drop requests, reset unaccepted children. */
void inet_csk_listen_stop(struct sock *sk)
{
	struct request_sock *req;

	while ((req = syn_table_first(sk)) != NULL) {
		inet_csk_reqsk_queue_drop(sk, req);
		reqsk_put(req);
	}
	while ((req = reqsk_queue_remove(sk)) != NULL) {
		struct sock *child = req->sk;

		reqsk_put(req);
		if (child)
			inet_child_forget(child);
	}
	inet_csk_delete_keepalive_timer(sk);	/* the SYN-ACK timer */
}
