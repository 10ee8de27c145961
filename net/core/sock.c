/*
 * struct sock's life, lock, buffers and wake-ups (Linux's net/core/sock.c;
 * the interface is net/core/sock.h).
 *  - sk_alloc/sock_init_data/sock_put/sk_free: a sock is malloc'd zeroed
 *    at sk_prot->obj_size and freed when its last reference goes.
 *  - lock_sock/release_sock: the owner level of the two-level socket lock;
 *    bh_lock_sock/sk_add_backlog: the softirq level. release_sock runs the
 *    backlog through sk_backlog_rcv before it lets the socket go.
 *  - skb_set_owner_r/w, sock_queue_rcv_skb: truesize charged to
 *    sk_rmem_alloc/sk_wmem_alloc until the skb's destructor runs.
 *  - sock_def_*: wake sk_wq with an EPOLL* mask as the key.
 *  - sock_setsockopt/getsockopt: the SOL_SOCKET options.
 * Callers: net/socket.c and af_inet.c (process context), protocols
 * (softirq and process context).
 *
 * The socket lock's spinlock is taken with interrupts masked in process
 * context: Squall has no local_bh_disable(), and masking interrupts is
 * what keeps this CPU's softirqs (bh_lock_sock) from spinning on a lock
 * its own process context holds.
 */
#include <net/core/sock.h>
#include <net/ipv4/af_inet.h>
#include <net/ipv4/inet_sock.h>
#include <net/ipv4/tcp_states.h>
#include <net/socket.h>
#include <kernel/slab.h>
#include <kernel/errno.h>
#include <kernel/panic.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifndef SQUALL_HOSTED
#include <kernel/sched.h>
#endif

#ifndef EDOM
#endif
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL 38
#define SO_DOMAIN 39
#define EPOLLRDBAND 0x080
#define EPOLLWRBAND 0x200
#define TASK_NORMAL 3		/* TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE: no signals here */

/*
 * Buffer sizes: Linux's defaults (net.core.{r,w}mem_default and
 * {r,w}mem_max are both 212992 on a stock kernel). setsockopt clamps to
 * the max and doubles, as Linux does, to leave room for sk_buff overhead;
 * the minimums are Linux's 2048 + SKB_DATA_ALIGN(sizeof(struct sk_buff)).
 */
#define SK_RMEM_DEFAULT 212992
#define SK_WMEM_DEFAULT 212992
#define SK_RMEM_MAX 212992
#define SK_WMEM_MAX 212992
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608

struct linger {
	int l_onoff;
	int l_linger;
};

struct timeval_abi {		/* Linux x86-64 struct timeval */
	long tv_sec;
	long tv_usec;
};

static DEFINE_LOCK_CLASS(sk_lock_class, "sk_lock");
static long sk_count;		/* [a] socks allocated minus freed */

/* ---- life ---- */

struct sock *sk_alloc(int family, struct proto *prot)
{
	size_t size = prot->obj_size > sizeof(struct inet_sock) ? prot->obj_size
								 : sizeof(struct inet_sock);
	struct sock *sk = prot->slab ? kmem_cache_zalloc(prot->slab) : calloc(1, size);

	if (!sk)
		return NULL;
	sk->sk_family = (uint16_t)family;
	sk->sk_prot = prot;
	sk->sk_refcnt = 1;
	spin_lock_init(&sk->sk_lock.slock, &sk_lock_class);
	init_waitqueue_head(&sk->sk_lock.wq);
	init_waitqueue_head(&sk->sk_wq);
	skb_queue_head_init(&sk->sk_receive_queue);
	skb_queue_head_init(&sk->sk_write_queue);
	INIT_LIST_HEAD(&sk->sk_node);
	INIT_LIST_HEAD(&sk->sk_bind_node);
	timer_setup(&sk->sk_timer, NULL, 0);	/* the protocol gives it a function */
	__atomic_add_fetch(&sk_count, 1, __ATOMIC_RELAXED);
	return sk;
}

/* Last reference gone: nobody else can reach @sk, so no lock is needed. */
void sk_free(struct sock *sk)
{
	struct sk_buff *skb, *next;

	if (sk->sk_prot->destroy)
		sk->sk_prot->destroy(sk);
	if (sk->sk_destruct)
		sk->sk_destruct(sk);
	for (skb = sk->sk_backlog.head; skb; skb = next) {
		next = skb->next;
		skb->next = NULL;
		kfree_skb(skb);
	}
	skb_queue_purge(&sk->sk_receive_queue);	/* destructors uncharge */
	skb_queue_purge(&sk->sk_write_queue);
	__atomic_sub_fetch(&sk_count, 1, __ATOMIC_RELAXED);
	if (sk->sk_prot->slab)
		kmem_cache_free(sk->sk_prot->slab, sk);
	else
		free(sk);
}

long sk_outstanding(void)
{
	return __atomic_load_n(&sk_count, __ATOMIC_RELAXED);
}

void sock_put(struct sock *sk)
{
	if (__atomic_sub_fetch(&sk->sk_refcnt, 1, __ATOMIC_ACQ_REL) == 0)
		sk_free(sk);
}

/* Linux's sock_init_data: @sock may be NULL (a child sock made by accept). */
void sock_init_data(struct socket *sock, struct sock *sk)
{
	sk->sk_state = TCP_CLOSE;
	sk->sk_rcvbuf = SK_RMEM_DEFAULT;
	sk->sk_sndbuf = SK_WMEM_DEFAULT;
	sk->sk_rcvtimeo = LONG_MAX;
	sk->sk_sndtimeo = LONG_MAX;
	sk->sk_incoming_cpu = -1;
	sk->sk_data_ready = sock_def_readable;
	sk->sk_write_space = sock_def_write_space;
	sk->sk_state_change = sock_def_wakeup;
	sk->sk_error_report = sock_def_error_report;
	sk->sk_backlog_rcv = sk->sk_prot->backlog_rcv;
	if (sock) {
		sk->sk_type = (uint16_t)sock->type;
		sock->sk = sk;
	}
	sk->sk_socket = sock;
}

/* Detach from the struct socket (close): callbacks stop reaching it. */
void sock_orphan(struct sock *sk)
{
	uint64_t f = spin_lock_irqsave(&sk->sk_lock.slock);

	sock_set_flag(sk, SOCK_DEAD);
	sk->sk_socket = NULL;
	spin_unlock_irqrestore(&sk->sk_lock.slock, f);
}

/* ---- the socket lock ---- */

#ifndef SQUALL_HOSTED
/*
 * Owned by someone else: sleep on sk_lock.wq (exclusive, so release_sock
 * wakes one owner-to-be). Interrupts stay off from the check to
 * schedule(): no preemption can take us off the run queue in between.
 */
static void __lock_sock(struct sock *sk)
{
	struct wait_queue_entry wait;

	init_waitqueue_entry(&wait, current);
	wait.func = autoremove_wake_function;
	for (;;) {
		prepare_to_wait_exclusive(&sk->sk_lock.wq, &wait, TASK_UNINTERRUPTIBLE);
		spin_unlock(&sk->sk_lock.slock);
		schedule();
		spin_lock(&sk->sk_lock.slock);
		if (!sk->sk_lock.owned)
			break;
	}
	finish_wait(&sk->sk_lock.wq, &wait);
}
#else
static void __lock_sock(struct sock *sk)
{
	panic("lock_sock(%p): owned twice on the one hosted thread", (void *)sk);
}
#endif

/* Process context; may sleep. */
void lock_sock(struct sock *sk)
{
	uint64_t f = spin_lock_irqsave(&sk->sk_lock.slock);

	if (sk->sk_lock.owned)
		__lock_sock(sk);
	sk->sk_lock.owned = 1;
	spin_unlock_irqrestore(&sk->sk_lock.slock, f);
}

static int sk_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (!sk->sk_backlog_rcv) {
		kfree_skb(skb);
		return 0;
	}
	return sk->sk_backlog_rcv(sk, skb);
}

/*
 * Linux's __release_sock: take the whole backlog, run it with the
 * spinlock dropped (softirqs keep appending: we still own the socket),
 * repeat until empty. The length is zeroed only at the end, so a flood
 * hits the sk_add_backlog limit instead of keeping us here forever.
 * Called with slock held and interrupts off (*f restores them).
 */
static void __release_sock(struct sock *sk, uint64_t *f)
{
	struct sk_buff *skb, *next;

	while ((skb = sk->sk_backlog.head) != NULL) {
		sk->sk_backlog.head = sk->sk_backlog.tail = NULL;
		spin_unlock_irqrestore(&sk->sk_lock.slock, *f);
		do {
			next = skb->next;
			skb->next = NULL;
			sk_backlog_rcv(sk, skb);
			skb = next;
		} while (skb);
		*f = spin_lock_irqsave(&sk->sk_lock.slock);
	}
	sk->sk_backlog.len = 0;
}

/* Process context, socket owned by the caller. */
void release_sock(struct sock *sk)
{
	uint64_t f = spin_lock_irqsave(&sk->sk_lock.slock);

	if (sk->sk_backlog.tail)
		__release_sock(sk, &f);
	sk->sk_lock.owned = 0;
	/* Waiters queue themselves under slock (__lock_sock), so this check cannot miss one. */
	if (!list_empty(&sk->sk_lock.wq.head))
		__wake_up(&sk->sk_lock.wq, TASK_NORMAL, 1, NULL);
	spin_unlock_irqrestore(&sk->sk_lock.slock, f);
}

/* Softirq context (or process context with interrupts masked). */
void bh_lock_sock(struct sock *sk)
{
	spin_lock(&sk->sk_lock.slock);
}

void bh_unlock_sock(struct sock *sk)
{
	spin_unlock(&sk->sk_lock.slock);
}

/*
 * Caller holds slock and found the socket owned. Linux's limit: the
 * backlog plus the receive queue may not exceed rcvbuf + sndbuf (checked
 * before adding, so one skb may take it over).
 */
int sk_add_backlog(struct sock *sk, struct sk_buff *skb)
{
	unsigned int limit = (unsigned int)sk->sk_rcvbuf + (unsigned int)sk->sk_sndbuf;
	unsigned int qsize = sk->sk_backlog.len +
			     (unsigned int)__atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED);

	if (qsize > limit)
		return -ENOBUFS;
	skb->next = NULL;
	skb->prev = NULL;
	if (!sk->sk_backlog.tail)
		sk->sk_backlog.head = skb;
	else
		sk->sk_backlog.tail->next = skb;
	sk->sk_backlog.tail = skb;
	sk->sk_backlog.len += skb->truesize;
	return 0;
}

/* ---- buffer accounting ---- */

static void skb_orphan(struct sk_buff *skb)
{
	if (skb->destructor)
		skb->destructor(skb);
	skb->destructor = NULL;
	skb->sk = NULL;
}

/* Receive skbs hold no reference: sk_free purges its queues first. */
static void sock_rfree(struct sk_buff *skb)
{
	__atomic_sub_fetch(&skb->sk->sk_rmem_alloc, (int)skb->truesize, __ATOMIC_RELAXED);
}

void skb_set_owner_r(struct sk_buff *skb, struct sock *sk)
{
	skb_orphan(skb);
	skb->sk = sk;
	skb->destructor = sock_rfree;
	__atomic_add_fetch(&sk->sk_rmem_alloc, (int)skb->truesize, __ATOMIC_RELAXED);
}

/*
 * A transmitted skb may outlive close() in a device ring, so it holds a
 * reference (Linux uses sk_wmem_alloc itself as one). Freed in any
 * context but hard irq; the last put may free the sock there.
 */
static void sock_wfree(struct sk_buff *skb)
{
	struct sock *sk = skb->sk;

	__atomic_sub_fetch(&sk->sk_wmem_alloc, (int)skb->truesize, __ATOMIC_RELAXED);
	if (!sock_flag(sk, SOCK_DEAD) && sk->sk_write_space)
		sk->sk_write_space(sk);
	sock_put(sk);
}

void skb_set_owner_w(struct sk_buff *skb, struct sock *sk)
{
	skb_orphan(skb);
	sock_hold(sk);
	skb->sk = sk;
	skb->destructor = sock_wfree;
	__atomic_add_fetch(&sk->sk_wmem_alloc, (int)skb->truesize, __ATOMIC_RELAXED);
}

/* Any context but hard irq. Linux's __sock_queue_rcv_skb. */
int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb)
{
	if (__atomic_load_n(&sk->sk_rmem_alloc, __ATOMIC_RELAXED) >= sk->sk_rcvbuf)
		return -ENOMEM;
	skb->dev = NULL;
	skb_set_owner_r(skb, sk);
	skb_queue_tail(&sk->sk_receive_queue, skb);
	if (!sock_flag(sk, SOCK_DEAD))
		sk->sk_data_ready(sk);
	return 0;
}

/* ---- wake-ups: the key says what happened, waiters filter on it ---- */

void sock_def_readable(struct sock *sk)
{
	__wake_up(&sk->sk_wq, TASK_NORMAL, 1,
		  (void *)(uintptr_t)(EPOLLIN | EPOLLPRI | EPOLLRDNORM | EPOLLRDBAND));
}

/* Writers wait for half the send buffer to be free (Linux's sock_writeable). */
void sock_def_write_space(struct sock *sk)
{
	if (__atomic_load_n(&sk->sk_wmem_alloc, __ATOMIC_RELAXED) < (sk->sk_sndbuf >> 1))
		__wake_up(&sk->sk_wq, TASK_NORMAL, 1,
			  (void *)(uintptr_t)(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND));
}

/* A state change concerns everyone: no key, wake all. */
void sock_def_wakeup(struct sock *sk)
{
	__wake_up(&sk->sk_wq, TASK_NORMAL, 0, NULL);
}

void sock_def_error_report(struct sock *sk)
{
	__wake_up(&sk->sk_wq, TASK_NORMAL, 1, (void *)(uintptr_t)EPOLLERR);
}

int woken_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	__atomic_or_fetch(&e->flags, WQ_FLAG_WOKEN, __ATOMIC_SEQ_CST);
	return default_wake_function(e, mode, flags, key);
}

int receiver_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key)
{
	unsigned long mask = (unsigned long)(uintptr_t)key;

	if (mask && !(mask & (EPOLLIN | EPOLLERR)))
		return 0;	/* not ours: leave the exclusive wake-up for someone else */
	return woken_wake_function(e, mode, flags, key);
}

#ifndef SQUALL_HOSTED
long wait_woken(struct wait_queue_entry *e, unsigned int mode, long timeout)
{
	uint64_t f = local_irq_save();

	__atomic_store_n(&current->state, (long)mode, __ATOMIC_SEQ_CST);
	if (!(__atomic_load_n(&e->flags, __ATOMIC_SEQ_CST) & WQ_FLAG_WOKEN) && timeout) {
		if (timeout == LONG_MAX)
			schedule();	/* forever: no timer to arm (Linux's MAX_SCHEDULE_TIMEOUT) */
		else
			timeout = schedule_timeout(timeout);
	}
	__atomic_store_n(&current->state, TASK_RUNNING, __ATOMIC_SEQ_CST);
	__atomic_and_fetch(&e->flags, ~WQ_FLAG_WOKEN, __ATOMIC_SEQ_CST);
	local_irq_restore(f);
	return timeout;
}

void init_wait_func(struct wait_queue_entry *e, wait_queue_func_t fn)
{
	init_waitqueue_entry(e, current);
	e->func = fn;
}
#else
long wait_woken(struct wait_queue_entry *e, unsigned int mode, long timeout)
{
	(void)mode;
	(void)timeout;
	e->flags &= ~WQ_FLAG_WOKEN;
	return 0;	/* one thread: nobody else could wake us */
}

void init_wait_func(struct wait_queue_entry *e, wait_queue_func_t fn)
{
	init_waitqueue_func_entry(e, fn);
}
#endif

static int sk_data_arrived(struct sock *sk, const struct sk_buff *skb)
{
	const struct sk_buff *tail = sk->sk_receive_queue.prev;

	if (tail == (const struct sk_buff *)&sk->sk_receive_queue)
		tail = NULL;
	return tail != skb || sk->sk_err || (sk->sk_shutdown & RCV_SHUTDOWN);
}

int sk_wait_data(struct sock *sk, long *timeo, const struct sk_buff *skb)
{
	struct wait_queue_entry wait;
	int rc;

	init_wait_func(&wait, receiver_wake_function);
	add_wait_queue(&sk->sk_wq, &wait);
	release_sock(sk);
	/* x86 lets a load pass an earlier store: make the queued entry visible before reading. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!sk_data_arrived(sk, skb))
		*timeo = wait_woken(&wait, 1 /* TASK_INTERRUPTIBLE */, *timeo);
	lock_sock(sk);
	rc = sk_data_arrived(sk, skb);
	remove_wait_queue(&sk->sk_wq, &wait);
	return rc;
}

int sock_error(struct sock *sk)
{
	if (!__atomic_load_n(&sk->sk_err, __ATOMIC_RELAXED))
		return 0;
	return -__atomic_exchange_n(&sk->sk_err, 0, __ATOMIC_ACQ_REL);
}

long sock_rcvtimeo(const struct sock *sk, int noblock)
{
	return noblock ? 0 : sk->sk_rcvtimeo;
}

long sock_sndtimeo(const struct sock *sk, int noblock)
{
	return noblock ? 0 : sk->sk_sndtimeo;
}

/* ---- SOL_SOCKET options ---- */

/* Linux's sock_set_timeout. */
static int sock_set_timeout(long *timeo, const void *optval, unsigned int optlen)
{
	struct timeval_abi tv;

	if (optlen < sizeof(tv))
		return -EINVAL;
	if (!optval)
		return -EFAULT;
	memcpy(&tv, optval, sizeof(tv));
	if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
		return -EDOM;
	if (tv.tv_sec < 0) {
		*timeo = 0;	/* Linux: a negative timeout means "don't wait" */
		return 0;
	}
	*timeo = LONG_MAX;
	if ((tv.tv_sec || tv.tv_usec) && tv.tv_sec < LONG_MAX / HZ - 1)
		*timeo = tv.tv_sec * (long)HZ +
			 (tv.tv_usec + (long)(1000000 / HZ) - 1) / (long)(1000000 / HZ);
	return 0;
}

static int sock_get_timeout(long timeo, struct timeval_abi *tv)
{
	if (timeo == LONG_MAX) {
		tv->tv_sec = 0;
		tv->tv_usec = 0;
	} else {
		tv->tv_sec = timeo / (long)HZ;
		tv->tv_usec = ((timeo % (long)HZ) * 1000000) / (long)HZ;
	}
	return sizeof(*tv);
}

static int sock_set_linger(struct sock *sk, const void *optval, unsigned int optlen)
{
	struct linger l;

	if (optlen < sizeof(l))
		return -EINVAL;
	if (!optval)
		return -EFAULT;
	memcpy(&l, optval, sizeof(l));
	if (!l.l_onoff) {
		sock_reset_flag(sk, SOCK_LINGER);
	} else {
		sk->sk_linger_secs = l.l_linger;
		sock_set_flag(sk, SOCK_LINGER);
	}
	return 0;
}

/* Linux's __sock_set_rcvbuf/__sock_set_sndbuf: clamp, double, floor. */
static int sock_buf_size(int val, int max, int min)
{
	unsigned int v = (unsigned int)val < (unsigned int)max ? (unsigned int)val : (unsigned int)max;

	if (v > INT_MAX / 2)
		v = INT_MAX / 2;
	return (int)(v * 2) > min ? (int)(v * 2) : min;
}

/* Process context. optval: a kernel copy, NULL if unreadable (see af_inet.h). */
int sock_setsockopt(struct sock *sk, int optname, const void *optval, unsigned int optlen)
{
	int val, ret = 0;

	if (optlen < sizeof(int))
		return -EINVAL;
	if (!optval)
		return -EFAULT;
	memcpy(&val, optval, sizeof(val));
	lock_sock(sk);
	switch (optname) {
	case SO_REUSEADDR:
		sk->sk_reuse = val ? 1 : 0;
		break;
	case SO_REUSEPORT:
		sk->sk_reuseport = val ? 1 : 0;
		break;
	case SO_KEEPALIVE:
		/* As Linux: the protocol (re)arms or stops its keepalive timer now. */
		if (sk->sk_prot && sk->sk_prot->keepalive)
			sk->sk_prot->keepalive(sk, val != 0);
		if (val)
			sock_set_flag(sk, SOCK_KEEPOPEN);
		else
			sock_reset_flag(sk, SOCK_KEEPOPEN);
		break;
	case SO_LINGER:
		ret = sock_set_linger(sk, optval, optlen);
		break;
	case SO_RCVBUF:
		sk->sk_rcvbuf = sock_buf_size(val, SK_RMEM_MAX, SOCK_MIN_RCVBUF);
		break;
	case SO_SNDBUF:
		sk->sk_sndbuf = sock_buf_size(val, SK_WMEM_MAX, SOCK_MIN_SNDBUF);
		sk->sk_write_space(sk);
		break;
	case SO_RCVTIMEO:
		ret = sock_set_timeout(&sk->sk_rcvtimeo, optval, optlen);
		break;
	case SO_SNDTIMEO:
		ret = sock_set_timeout(&sk->sk_sndtimeo, optval, optlen);
		break;
	case SO_INCOMING_CPU:
		__atomic_store_n(&sk->sk_incoming_cpu, val, __ATOMIC_RELAXED);
		break;
	default:
		ret = -ENOPROTOOPT;	/* SO_TYPE, SO_ERROR, ... are read-only */
		break;
	}
	release_sock(sk);
	return ret;
}

/* *optlen in: room at optval (>= 0); out: bytes written (Linux truncates). */
int sock_getsockopt(struct sock *sk, int optname, void *optval, int *optlen)
{
	union {
		int val;
		struct linger ling;
		struct timeval_abi tm;
	} v;
	int lv = sizeof(int), len = *optlen;

	if (len < 0)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	switch (optname) {
	case SO_REUSEADDR:
		v.val = sk->sk_reuse;
		break;
	case SO_REUSEPORT:
		v.val = sk->sk_reuseport;
		break;
	case SO_KEEPALIVE:
		v.val = sock_flag(sk, SOCK_KEEPOPEN);
		break;
	case SO_TYPE:
		v.val = sk->sk_type;
		break;
	case SO_PROTOCOL:
		v.val = sk->sk_protocol;
		break;
	case SO_DOMAIN:
		v.val = sk->sk_family;
		break;
	case SO_ACCEPTCONN:
		v.val = sk->sk_state == TCP_LISTEN;
		break;
	case SO_ERROR:
		v.val = -sock_error(sk);
		break;
	case SO_RCVBUF:
		v.val = sk->sk_rcvbuf;
		break;
	case SO_SNDBUF:
		v.val = sk->sk_sndbuf;
		break;
	case SO_LINGER:
		lv = sizeof(v.ling);
		v.ling.l_onoff = sock_flag(sk, SOCK_LINGER);
		v.ling.l_linger = sk->sk_linger_secs;
		break;
	case SO_RCVTIMEO:
		lv = sock_get_timeout(sk->sk_rcvtimeo, &v.tm);
		break;
	case SO_SNDTIMEO:
		lv = sock_get_timeout(sk->sk_sndtimeo, &v.tm);
		break;
	case SO_INCOMING_CPU:
		v.val = __atomic_load_n(&sk->sk_incoming_cpu, __ATOMIC_RELAXED);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (len > lv)
		len = lv;
	memcpy(optval, &v, (size_t)len);
	*optlen = len;
	return 0;
}
