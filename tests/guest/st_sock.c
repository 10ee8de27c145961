/*
 * The socket lock, backlog and buffer accounting of net/core/sock.c, in
 * the kernel with a dummy protocol (group `net_sock`):
 *  - a softirq (a timer) finds the socket owned and queues to the backlog;
 *    release_sock runs the backlog in order, in process context, owned;
 *  - sk_add_backlog stops at rcvbuf + sndbuf (receive queue included);
 *  - receive and transmit charges return to 0 when the skbs are freed,
 *    and a transmit skb keeps its sock alive;
 *  - lock_sock sleeps while another thread owns the socket;
 *  - wake-up keys: a reader is not woken by EPOLLOUT, sk_wait_data wakes
 *    when a softirq queues data and times out when none comes.
 * Waits are bounded by generous deadlines; nothing asserts a speed.
 */
#include <kernel/selftest.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <net/core/skbuff.h>
#include <net/core/sock.h>
#include <net/ipv4/af_inet.h>
#include <net/ipv4/inet_sock.h>
#include <net/socket.h>

#define DEADLINE_NS 5000000000ULL	/* 5 s: a stuck test fails, never hangs */
#define NSKB 8

/* What the dummy protocol's backlog_rcv saw (one test runs at a time). */
static struct {
	int order[64];
	int n;
	int bad_context;	/* called in softirq, or without the socket owned */
} rcvd;

static int dummy_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (in_interrupt() || !sock_owned_by_user(sk))
		rcvd.bad_context++;
	if (rcvd.n < 64)
		rcvd.order[rcvd.n++] = skb->cb[0];
	consume_skb(skb);
	return 0;
}

static struct proto dummy_prot = {
	.name = "DUMMY",
	.obj_size = sizeof(struct inet_sock),
	.backlog_rcv = dummy_backlog_rcv,
};

static struct sock *dummy_sock(void)
{
	struct sock *sk = sk_alloc(AF_INET, &dummy_prot);

	if (sk)
		sock_init_data(NULL, sk);
	rcvd.n = 0;
	rcvd.bad_context = 0;
	return sk;
}

static int wait_flag(volatile int *flag)
{
	uint64_t end = ktime_ns() + DEADLINE_NS;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (ktime_ns() > end)
			return -1;
		yield();
	}
	return 0;
}

/* The end of every test: skbs freed here went to this CPU's cache. */
static int finish(struct sock *sk, long socks_before)
{
	sock_put(sk);
	skb_cache_shrink();
	return sk_outstanding() == socks_before ? 0 : -1;
}

/* ---- softirq → backlog → release_sock ---- */

static struct {
	struct timer_list timer;
	struct sock *sk;
	volatile int done;
	int queued, direct, dropped, in_softirq;
} bh;

/* TIMER_SOFTIRQ: what tcp_v4_rcv does with a segment for an owned socket. */
static void bh_deliver(struct timer_list *t)
{
	(void)t;
	bh.in_softirq = in_interrupt() != 0;
	for (int i = 0; i < NSKB; i++) {
		struct sk_buff *skb = alloc_skb(64);

		if (!skb) {
			bh.dropped++;
			continue;
		}
		skb->cb[0] = (uint8_t)i;
		bh_lock_sock(bh.sk);
		if (!sock_owned_by_user(bh.sk)) {
			bh.direct++;
			dummy_backlog_rcv(bh.sk, skb);
		} else if (sk_add_backlog(bh.sk, skb)) {
			bh.dropped++;
			kfree_skb(skb);
		} else {
			bh.queued++;
		}
		bh_unlock_sock(bh.sk);
	}
	__atomic_store_n(&bh.done, 1, __ATOMIC_RELEASE);
}

SELFTEST(net_sock_backlog_order, 0)
{
	long socks = sk_outstanding();
	int64_t skbs = skb_outstanding();
	struct sock *sk = dummy_sock();
	int in_order = 1, waited;

	ST_CHECK(sk != NULL);
	bh.sk = sk;
	bh.done = bh.queued = bh.direct = bh.dropped = 0;
	lock_sock(sk);
	timer_setup(&bh.timer, bh_deliver, 0);	/* this CPU's base: it interrupts us below */
	mod_timer(&bh.timer, jiffies + 1);
	waited = wait_flag(&bh.done);
	if (waited)
		del_timer_sync(&bh.timer);
	ST_CHECK(waited == 0);
	ST_CHECK(bh.in_softirq);
	ST_CHECK(bh.queued == NSKB && bh.direct == 0 && bh.dropped == 0);
	ST_CHECK(rcvd.n == 0);			/* nothing ran while we owned it */
	ST_CHECK(sk->sk_backlog.len > 0);
	release_sock(sk);
	ST_CHECK(rcvd.n == NSKB && rcvd.bad_context == 0);
	for (int i = 0; i < NSKB; i++)
		in_order &= rcvd.order[i] == i;
	ST_CHECK(in_order);
	ST_CHECK(sk->sk_backlog.len == 0 && sk->sk_backlog.head == NULL && !sock_owned_by_user(sk));
	ST_CHECK(finish(sk, socks) == 0);
	ST_CHECK(skb_outstanding() == skbs);
	return 0;
}

/* ---- the backlog limit: rcvbuf + sndbuf, receive queue included ---- */

static int fill_backlog(struct sock *sk, unsigned int *truesize, struct sk_buff **rejected)
{
	int accepted = 0;
	uint64_t f = local_irq_save();	/* the softirq level from process context */

	bh_lock_sock(sk);
	for (;;) {
		struct sk_buff *skb = alloc_skb(200);

		if (!skb)
			break;
		*truesize = skb->truesize;
		skb->cb[0] = (uint8_t)accepted;
		if (sk_add_backlog(sk, skb) == -ENOBUFS) {
			*rejected = skb;
			break;
		}
		accepted++;
	}
	bh_unlock_sock(sk);
	local_irq_restore(f);
	return accepted;
}

SELFTEST(net_sock_backlog_limit, 0)
{
	long socks = sk_outstanding();
	int64_t skbs = skb_outstanding();
	struct sock *sk = dummy_sock();
	struct sk_buff *rejected = NULL, *charged;
	unsigned int t = 0, limit, rmem;
	int accepted;

	ST_CHECK(sk != NULL);
	sk->sk_rcvbuf = 4096;
	sk->sk_sndbuf = 4096;
	limit = 8192;
	lock_sock(sk);
	accepted = fill_backlog(sk, &t, &rejected);
	ST_CHECK(rejected != NULL && t > 0);
	/* Linux checks before adding: the skb that crosses the limit still goes in. */
	ST_CHECK(accepted == (int)(limit / t) + 1);
	kfree_skb(rejected);
	release_sock(sk);
	ST_CHECK(rcvd.n == accepted && rcvd.bad_context == 0 && sk->sk_backlog.len == 0);

	/* Queued receive memory counts against the same limit. */
	charged = alloc_skb(1500);
	ST_CHECK(charged != NULL);
	skb_set_owner_r(charged, sk);
	rmem = charged->truesize;
	rcvd.n = 0;
	rejected = NULL;
	lock_sock(sk);
	accepted = fill_backlog(sk, &t, &rejected);
	ST_CHECK(rejected != NULL);
	ST_CHECK(accepted == (int)((limit - rmem) / t) + 1);
	kfree_skb(rejected);
	release_sock(sk);
	ST_CHECK(rcvd.n == accepted);
	kfree_skb(charged);
	ST_CHECK(sk->sk_rmem_alloc == 0);
	ST_CHECK(finish(sk, socks) == 0);
	ST_CHECK(skb_outstanding() == skbs);
	return 0;
}

/* ---- buffer accounting ---- */

static int data_ready_calls, write_space_calls;

static void count_data_ready(struct sock *sk)
{
	(void)sk;
	data_ready_calls++;
}

static void count_write_space(struct sock *sk)
{
	(void)sk;
	write_space_calls++;
}

SELFTEST(net_sock_accounting, 0)
{
	long socks = sk_outstanding();
	int64_t skbs = skb_outstanding();
	struct sock *sk = dummy_sock();
	struct sk_buff *skb;
	int queued = 0, charged = 0, err = 0;

	ST_CHECK(sk != NULL);
	sk->sk_data_ready = count_data_ready;
	sk->sk_write_space = count_write_space;
	data_ready_calls = write_space_calls = 0;
	sk->sk_rcvbuf = 4000;
	/* Linux refuses once the charge has reached rcvbuf: the last one may overshoot. */
	while (!err) {
		skb = alloc_skb(1000);
		ST_CHECK(skb != NULL);
		err = sock_queue_rcv_skb(sk, skb);
		if (err) {
			kfree_skb(skb);
			break;
		}
		queued++;
		charged += (int)skb->truesize;
		ST_CHECK(sk->sk_rmem_alloc == charged);
	}
	ST_CHECK(err == -ENOMEM);
	ST_CHECK(charged >= sk->sk_rcvbuf && charged - (int)skb_peek(&sk->sk_receive_queue)->truesize < sk->sk_rcvbuf);
	ST_CHECK(data_ready_calls == queued && (int)skb_queue_len(&sk->sk_receive_queue) == queued);
	skb_queue_purge(&sk->sk_receive_queue);
	ST_CHECK(sk->sk_rmem_alloc == 0);

	/* Transmit: the skb holds the sock until it is freed, then write space is announced. */
	skb = alloc_skb(500);
	ST_CHECK(skb != NULL);
	skb_set_owner_w(skb, sk);
	ST_CHECK(sk->sk_wmem_alloc == (int)skb->truesize && sk->sk_refcnt == 2);
	consume_skb(skb);
	ST_CHECK(sk->sk_wmem_alloc == 0 && sk->sk_refcnt == 1 && write_space_calls == 1);

	/* The last reference may be the skb's: the sock goes when the skb does. */
	skb = alloc_skb(500);
	ST_CHECK(skb != NULL);
	skb_set_owner_w(skb, sk);
	sock_orphan(sk);		/* closed: no more callbacks */
	sock_put(sk);
	ST_CHECK(sk_outstanding() == socks + 1);
	consume_skb(skb);
	ST_CHECK(sk_outstanding() == socks && write_space_calls == 1);
	skb_cache_shrink();
	ST_CHECK(skb_outstanding() == skbs);
	return 0;
}

/* ---- lock_sock against another owner ---- */

static struct {
	struct sock *sk;
	volatile int started, owners, max_owners, acquired;
} lk;

/* Sleep @ticks with nobody to wake us (wait_woken: safe against preemption). */
static void nap(long ticks)
{
	struct wait_queue_entry w;

	init_wait_func(&w, woken_wake_function);
	wait_woken(&w, 1 /* TASK_INTERRUPTIBLE */, ticks);
}

static int lock_worker(void *arg)
{
	int now;

	(void)arg;
	__atomic_add_fetch(&lk.started, 1, __ATOMIC_RELEASE);
	lock_sock(lk.sk);
	now = __atomic_add_fetch(&lk.owners, 1, __ATOMIC_ACQ_REL);
	if (now > lk.max_owners)
		lk.max_owners = now;
	nap(1);	/* hold it across a sleep: the others must stay out */
	__atomic_sub_fetch(&lk.owners, 1, __ATOMIC_ACQ_REL);
	__atomic_add_fetch(&lk.acquired, 1, __ATOMIC_RELEASE);
	release_sock(lk.sk);
	return 0;
}

SELFTEST(net_sock_lock_wait, 0)
{
	long socks = sk_outstanding();
	struct sock *sk = dummy_sock();
	struct task *t[3];
	int got_early;

	ST_CHECK(sk != NULL);
	lk.sk = sk;
	lk.started = lk.owners = lk.max_owners = lk.acquired = 0;
	lock_sock(sk);
	for (int i = 0; i < 3; i++) {
		t[i] = kthread_create(lock_worker, NULL, "locker", -1);
		ST_CHECK(t[i] != NULL);
	}
	while (__atomic_load_n(&lk.started, __ATOMIC_ACQUIRE) < 3)
		yield();
	nap(2);	/* let them reach lock_sock and sleep */
	got_early = __atomic_load_n(&lk.acquired, __ATOMIC_ACQUIRE);
	release_sock(sk);
	for (int i = 0; i < 3; i++)
		kthread_join(t[i]);
	ST_CHECK(got_early == 0);		/* nobody got in while we owned it */
	ST_CHECK(lk.acquired == 3 && lk.max_owners == 1);
	ST_CHECK(!sock_owned_by_user(sk));
	ST_CHECK(finish(sk, socks) == 0);
	return 0;
}

/* ---- wake-up keys and sk_wait_data ---- */

SELFTEST(net_sock_wake_key, 0)
{
	long socks = sk_outstanding();
	struct sock *sk = dummy_sock();
	struct wait_queue_entry e;
	int out_woke, in_woke, all_woke;

	ST_CHECK(sk != NULL);
	init_wait_func(&e, receiver_wake_function);
	add_wait_queue(&sk->sk_wq, &e);
	sock_def_write_space(sk);	/* EPOLLOUT: not a reader's business */
	out_woke = e.flags & WQ_FLAG_WOKEN;
	sock_def_readable(sk);
	in_woke = e.flags & WQ_FLAG_WOKEN;
	e.flags &= ~WQ_FLAG_WOKEN;
	sock_def_wakeup(sk);		/* a state change: no key, everyone */
	all_woke = e.flags & WQ_FLAG_WOKEN;
	remove_wait_queue(&sk->sk_wq, &e);
	ST_CHECK(!out_woke && in_woke && all_woke);
	ST_CHECK(finish(sk, socks) == 0);
	return 0;
}

static void bh_queue_one(struct timer_list *t)
{
	struct sk_buff *skb = alloc_skb(100);

	(void)t;
	if (skb) {
		skb_put(skb, 100);
		bh_lock_sock(bh.sk);
		if (sock_queue_rcv_skb(bh.sk, skb))
			kfree_skb(skb);
		bh_unlock_sock(bh.sk);
	}
	__atomic_store_n(&bh.done, 1, __ATOMIC_RELEASE);
}

SELFTEST(net_sock_wait_data, 0)
{
	long socks = sk_outstanding();
	int64_t skbs = skb_outstanding();
	struct sock *sk = dummy_sock();
	long timeo;
	int rc, waited;

	ST_CHECK(sk != NULL);
	lock_sock(sk);
	timeo = 2;
	rc = sk_wait_data(sk, &timeo, NULL);
	ST_CHECK(rc == 0 && timeo == 0);	/* nothing came: timed out */
	ST_CHECK(sock_owned_by_user(sk));

	bh.sk = sk;
	bh.done = 0;
	timer_setup(&bh.timer, bh_queue_one, 0);
	mod_timer(&bh.timer, jiffies + 2);
	timeo = 5 * (long)HZ;
	rc = sk_wait_data(sk, &timeo, NULL);
	waited = wait_flag(&bh.done);
	if (waited)
		del_timer_sync(&bh.timer);
	ST_CHECK(waited == 0);
	ST_CHECK(rc == 1 && timeo > 0);		/* woken by the data, before the timeout */
	ST_CHECK(skb_queue_len(&sk->sk_receive_queue) == 1);
	release_sock(sk);
	skb_queue_purge(&sk->sk_receive_queue);
	ST_CHECK(finish(sk, socks) == 0);
	ST_CHECK(skb_outstanding() == skbs);
	return 0;
}
