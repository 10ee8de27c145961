/*
 * struct sock: the protocol side of a socket (Linux's include/net/sock.h,
 * the fields Squall uses), with Linux's nesting: sock ⊂ inet_sock
 * (net/ipv4/inet_sock.h) ⊂ udp_sock / inet_connection_sock ⊂ tcp_sock.
 *
 * Locking (Linux's socket lock, two levels):
 *  - sk_lock.slock: a spinlock taken in softirq (bh_lock_sock) and around
 *    the "owned" flag in process context. [s] below.
 *  - sk_lock.owned: set by lock_sock() for a system call's duration. A
 *    segment arriving (softirq) while the socket is owned goes to
 *    sk_backlog, and release_sock() runs it through sk_backlog_rcv()
 *    before clearing owned. [o] below: the owner (process context with
 *    owned set) or softirq with slock held and owned clear.
 * Lock order: sk_lock.slock before any wait-queue lock, hash-bucket locks
 * before sk_lock.slock (lookup then lock), never two socket locks at
 * once except listener → child (in that order).
 *
 * Lifetime: sk_refcnt; sock_put() frees at zero through sk_prot->destroy.
 * Hash tables hold a reference; so does a struct socket.
 */
#ifndef SQUALL_SOCK_H
#define SQUALL_SOCK_H

#include <stdint.h>
#include <kernel/list.h>
#include <kernel/poll.h>		/* EPOLL* readiness bits, also the wake-up keys on sk_wq */
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <kernel/wait.h>
#include <net/core/skbuff.h>

struct sock;
struct socket;
struct msghdr;
struct sock_reuseport;

/* Socket options and flags (Linux values). */
#define SOL_SOCKET 1
#define SO_REUSEADDR 2
#define SO_TYPE 3
#define SO_ERROR 4
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define SO_KEEPALIVE 9
#define SO_LINGER 13
#define SO_REUSEPORT 15
#define SO_RCVTIMEO 20
#define SO_SNDTIMEO 21
#define SO_INCOMING_CPU 49

#define RCV_SHUTDOWN 1
#define SEND_SHUTDOWN 2
#define SHUTDOWN_MASK 3

/* sk_flags bits */
enum sock_flags {
	SOCK_DEAD,		/* orphaned: no struct socket any more */
	SOCK_DONE,		/* the peer sent FIN / the socket is finished */
	SOCK_KEEPOPEN,		/* SO_KEEPALIVE */
	SOCK_LINGER,		/* SO_LINGER on */
	SOCK_RCU_FREE,
};

struct socket_lock {
	struct spinlock slock;
	int owned;			/* [slock] a process holds lock_sock */
	struct wait_queue_head wq;	/* processes waiting for owned to clear */
};

struct sock_backlog {
	struct sk_buff *head, *tail;	/* [slock] */
	unsigned int len;		/* [slock] truesize queued, bounded by rcvbuf+sndbuf */
};

/* One protocol's implementation (tcp_prot, udp_prot), Linux's struct proto. */
struct proto {
	const char *name;
	unsigned int obj_size;		/* sizeof(struct tcp_sock) etc. */
	struct kmem_cache *slab;	/* obj_size objects, recycled per CPU; NULL: malloc */
	int (*init)(struct sock *sk);
	void (*destroy)(struct sock *sk);	/* frees protocol state; sk itself freed by sk_free */
	void (*close)(struct sock *sk, long timeout);
	int (*connect)(struct sock *sk, const void *uaddr, int addr_len);
	int (*disconnect)(struct sock *sk, int flags);
	struct sock *(*accept)(struct sock *sk, int flags, int *err);
	int (*ioctl)(struct sock *sk, int cmd, int *karg);
	int (*shutdown)(struct sock *sk, int how);
	int (*setsockopt)(struct sock *sk, int level, int optname, const void *optval, unsigned int optlen);
	int (*getsockopt)(struct sock *sk, int level, int optname, void *optval, int *optlen);
	long (*sendmsg)(struct sock *sk, struct msghdr *msg, size_t len);
	long (*recvmsg)(struct sock *sk, struct msghdr *msg, size_t len, int flags, int *addr_len);
	int (*bind)(struct sock *sk, const void *uaddr, int addr_len);	/* NULL: inet_bind does it */
	int (*backlog_rcv)(struct sock *sk, struct sk_buff *skb);	/* release_sock's drain */
	int (*hash)(struct sock *sk);
	void (*unhash)(struct sock *sk);
	int (*get_port)(struct sock *sk, unsigned short snum);	/* 0 or -EADDRINUSE */
	unsigned int (*poll)(struct sock *sk);	/* EPOLL* mask for this protocol */
	void (*keepalive)(struct sock *sk, int on);	/* SO_KEEPALIVE changed (socket locked) */
};

/*
 * The part every socket-like object shares (Linux's struct sock_common):
 * full sockets, TIME_WAIT mini-sockets and request sockets all start with
 * it, so one hash chain and one lookup serve them all, and the state says
 * which kind an entry is. The key fields are guarded by the lock of the
 * hash bucket the object is on (and by the socket lock while unhashed).
 */
struct sock_common {
	uint32_t skc_daddr;		/* peer address (network order) */
	uint32_t skc_rcv_saddr;		/* bound local address, 0 = any */
	uint16_t skc_dport;		/* peer port (network order) */
	uint16_t skc_num;		/* local port (host order), 0 = unbound */
	uint16_t skc_family;		/* [I] AF_INET */
	volatile uint8_t skc_state;	/* TCP_* (net/ipv4/tcp_states.h); UDP uses CLOSE/ESTABLISHED */
	uint8_t skc_reuse;		/* SO_REUSEADDR */
	uint8_t skc_reuseport;		/* SO_REUSEPORT */
	int skc_bound_dev_if;		/* 0 in Squall (one device, no SO_BINDTODEVICE); compared where Linux does */
	int skc_incoming_cpu;		/* [a] CPU that last received for it */
	uint32_t skc_hash;		/* its ehash value, once hashed */
	struct list_head skc_node;	/* [hash bucket lock] ehash or lhash2 chain */
	int skc_refcnt;			/* [a] */
};

struct sock {
	struct sock_common __sk_common;	/* must stay first */
#define sk_daddr __sk_common.skc_daddr
#define sk_rcv_saddr __sk_common.skc_rcv_saddr
#define sk_dport __sk_common.skc_dport
#define sk_num __sk_common.skc_num
#define sk_family __sk_common.skc_family
#define sk_state __sk_common.skc_state
#define sk_reuse __sk_common.skc_reuse
#define sk_reuseport __sk_common.skc_reuseport
#define sk_bound_dev_if __sk_common.skc_bound_dev_if
#define sk_incoming_cpu __sk_common.skc_incoming_cpu
#define sk_hash __sk_common.skc_hash
#define sk_node __sk_common.skc_node
#define sk_refcnt __sk_common.skc_refcnt

	/* identity: [I] after creation */
	uint16_t sk_type;		/* SOCK_STREAM, SOCK_DGRAM */
	uint16_t sk_protocol;		/* IPPROTO_TCP, IPPROTO_UDP */
	struct proto *sk_prot;
	/*
	 * The owner (Linux's sk_uid). Squall runs one app as one user, so it
	 * is always 0 there; the field exists so that SO_REUSEPORT's
	 * same-owner rule is checked (tests set other owners).
	 */
	uint32_t sk_uid;

	/* SO_REUSEPORT group (net/core/sock_reuseport.h) */
	struct sock_reuseport *sk_reuseport_cb;	/* [lhash2 bucket lock] NULL: in no group */
	int sk_listen_cpu;		/* CPU that called listen() (reuseport=cpu's owner CPU): set while unhashed, read under the lhash2 bucket lock */

	/* state: [o] unless noted */
	uint8_t sk_shutdown;		/* RCV_SHUTDOWN | SEND_SHUTDOWN */
	int sk_err;			/* pending error (positive errno) */
	unsigned long sk_flags;		/* [a] enum sock_flags bits */
	uint32_t sk_txhash;

	/* buffers */
	int sk_rcvbuf, sk_sndbuf;	/* [o] bytes */
	int sk_rmem_alloc;		/* [a] receive memory charged (truesize) */
	int sk_wmem_alloc;		/* [a] transmit memory in flight */
	int sk_wmem_queued;		/* [o] bytes on the write queue */
	struct sk_buff_head sk_receive_queue;	/* its own lock */
	struct sk_buff_head sk_write_queue;
	struct sock_backlog sk_backlog;
	long sk_rcvtimeo, sk_sndtimeo;	/* jiffies; LONG_MAX = forever */
	int sk_linger_secs;

	struct socket_lock sk_lock;
	struct wait_queue_head sk_wq;	/* readers, writers, accept, epoll (keyed by EPOLL* mask) */

	/* Callbacks: softirq or process context, socket lock held (bh or owner). */
	void (*sk_data_ready)(struct sock *sk);
	void (*sk_write_space)(struct sock *sk);
	void (*sk_state_change)(struct sock *sk);
	void (*sk_error_report)(struct sock *sk);
	int (*sk_backlog_rcv)(struct sock *sk, struct sk_buff *skb);
	void (*sk_destruct)(struct sock *sk);

	struct socket *sk_socket;	/* [o] NULL once orphaned */
	struct list_head sk_bind_node;	/* [bind bucket lock] the bind hash (TCP) */
	struct timer_list sk_timer;	/* keepalive / the protocol's own */
	void *sk_user_data;
};

static inline int sock_flag(const struct sock *sk, enum sock_flags f)
{
	return (int)((__atomic_load_n(&sk->sk_flags, __ATOMIC_RELAXED) >> f) & 1);
}
static inline void sock_set_flag(struct sock *sk, enum sock_flags f)
{
	__atomic_or_fetch(&sk->sk_flags, 1UL << f, __ATOMIC_RELAXED);
}
static inline void sock_reset_flag(struct sock *sk, enum sock_flags f)
{
	__atomic_and_fetch(&sk->sk_flags, ~(1UL << f), __ATOMIC_RELAXED);
}

/* Allocation: sk_prot->obj_size bytes, zeroed, refcount 1; NULL if out of memory. */
struct sock *sk_alloc(int family, struct proto *prot);
void sk_free(struct sock *sk);			/* sk_prot->destroy, then the memory */
void sock_init_data(struct socket *sock, struct sock *sk);	/* defaults, callbacks */
static inline void sock_hold(struct sock *sk) { __atomic_add_fetch(&sk->sk_refcnt, 1, __ATOMIC_RELAXED); }
void sock_put(struct sock *sk);
void sock_orphan(struct sock *sk);		/* detach from its struct socket, SOCK_DEAD */

/* The socket lock. lock_sock may sleep (process context only). */
void lock_sock(struct sock *sk);
void release_sock(struct sock *sk);		/* drains the backlog first */
static inline int sock_owned_by_user(const struct sock *sk) { return sk->sk_lock.owned; }
void bh_lock_sock(struct sock *sk);		/* softirq side: the spinlock only */
void bh_unlock_sock(struct sock *sk);
/* From softirq with the spinlock held and the socket owned: queue for release_sock. 0, or -ENOBUFS (dropped by the caller). */
int sk_add_backlog(struct sock *sk, struct sk_buff *skb);

/*
 * Sleep (socket lock released meanwhile) until @cond, a signal-free
 * timeout (*timeo jiffies, updated) or an error. Returns cond's value.
 */
#define sk_wait_event(sk, timeo, cond)                                        \
	({                                                                    \
		int __rc = (cond);                                            \
		if (!__rc) {                                                  \
			release_sock(sk);                                     \
			*(timeo) = schedule_timeout_interruptible(*(timeo));  \
			lock_sock(sk);                                        \
			__rc = (cond);                                        \
		}                                                             \
		__rc;                                                         \
	})

/* Receive-buffer accounting: charge skb->truesize to @sk until the skb is freed. */
void skb_set_owner_r(struct sk_buff *skb, struct sock *sk);
void skb_set_owner_w(struct sk_buff *skb, struct sock *sk);
/* Queue on sk_receive_queue and call sk_data_ready; -ENOMEM past sk_rcvbuf (caller drops). */
int sock_queue_rcv_skb(struct sock *sk, struct sk_buff *skb);

/* The default callbacks (Linux's sock_def_*): wake sk_wq with the right EPOLL* key. */
void sock_def_readable(struct sock *sk);
void sock_def_write_space(struct sock *sk);
void sock_def_wakeup(struct sock *sk);
void sock_def_error_report(struct sock *sk);

/* Socket-level options common to all protocols (SOL_SOCKET). */
int sock_setsockopt(struct sock *sk, int optname, const void *optval, unsigned int optlen);
int sock_getsockopt(struct sock *sk, int optname, void *optval, int *optlen);
long sock_rcvtimeo(const struct sock *sk, int noblock);
long sock_sndtimeo(const struct sock *sk, int noblock);


#endif
