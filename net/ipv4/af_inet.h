/*
 * AF_INET's socket-layer glue (Linux's net/ipv4/af_inet.c and the
 * inet_protosw table of include/net/protocol.h): which struct proto and
 * proto_ops serve a (type, protocol) pair, and the BSD operations between
 * net/socket.c and sk->sk_prot.
 *
 * Registration, at boot before the first socket(): inet_init() (called by
 * kmain after ip_init) registers the family and UDP; tcp_init() registers
 * SOCK_STREAM and its listen hook (inet_protosw_set_listen()).
 *
 * What af_inet.c expects of a struct proto (Linux's contracts):
 *  - init(sk): after sock_init_data(); on failure destroy() still runs.
 *  - get_port(sk, snum): socket locked; 0 picks an ephemeral port. On
 *    success inet_num is the port and sk is in the protocol's tables; we
 *    then set inet_sport. Nonzero: in use (-EADDRINUSE is returned).
 *  - connect(sk, addr, len): stream: socket locked (tcp_v4_connect);
 *    datagram: unlocked, it locks (ip4_datagram_connect). af_inet has
 *    checked the length and family already.
 *  - accept(sk, flags, &err): unlocked (it locks); O_NONBLOCK in flags.
 *  - close(sk, timeout): unlocked, with the struct socket's reference still
 *    held; timeout is the SO_LINGER time in jiffies, 0 without linger.
 *    Afterwards inet_release() orphans sk and drops that reference: close
 *    must not drop it (hash tables drop their own when they unhash).
 *  - shutdown(sk, how): locked; how is RCV_SHUTDOWN|SEND_SHUTDOWN bits.
 *  - disconnect(sk, flags): streams: locked; datagrams: unlocked (it
 *    locks, as udp_disconnect). May be NULL.
 *  - accept: the child comes back with a reference, which becomes the
 *    new struct socket's.
 *  - sendmsg/recvmsg: unlocked (they lock); msg_flags / flags carry
 *    MSG_DONTWAIT for O_NONBLOCK files.
 *  - setsockopt/getsockopt: levels other than SOL_SOCKET. optval is a
 *    kernel copy of min(optlen, SOCK_OPT_MAX) bytes, or NULL when the
 *    user's buffer could not be read: check optlen (-EINVAL) before NULL
 *    (-EFAULT), which is the order Linux's copy_from_sockptr gives.
 *    getsockopt: *optlen in = room in optval, out = bytes to copy back.
 *  - ioctl(sk, cmd, &karg): the int result is copied to the user.
 *  - poll(sk): EPOLL* mask; NULL gives datagram_poll's answer.
 */
#ifndef SQUALL_AF_INET_H
#define SQUALL_AF_INET_H

#include <stdint.h>
#include <kernel/wait.h>
#include <net/core/sock.h>
#include <net/socket.h>

#define SOCK_OPT_MAX 512	/* bytes of an option value copied in or out */

/* The two BSD operation tables (Linux's inet_stream_ops, inet_dgram_ops). */
extern const struct proto_ops inet_stream_ops;
extern const struct proto_ops inet_dgram_ops;

/*
 * Serve socket(AF_INET, @type, @protocol) with @prot and @ops; protocol 0
 * picks the first entry registered for @type. Boot only (no locking).
 * 0, -EEXIST (already registered), -ENOSPC (table full).
 */
int inet_register_protosw(int type, int protocol, struct proto *prot,
			  const struct proto_ops *ops);
/*
 * listen() for that entry (struct proto has no listen hook): called with
 * the socket locked, in TCP_CLOSE (start listening) or TCP_LISTEN (just
 * take the new @backlog). Boot only. 0 or -ENOENT (no such entry).
 */
int inet_protosw_set_listen(int type, int protocol, int (*listen)(struct sock *sk, int backlog));

void inet_init(void);	/* the AF_INET family and the built-in protocols */

/* The BSD operations, for protocols that wrap or reuse them. */
int inet_release(struct socket *sock);
int inet_bind(struct socket *sock, const struct sockaddr_in *addr, int addr_len);
int inet_dgram_connect(struct socket *sock, const struct sockaddr_in *addr, int addr_len, int flags);
int inet_stream_connect(struct socket *sock, const struct sockaddr_in *addr, int addr_len, int flags);
int inet_accept(struct socket *sock, struct socket *newsock, int flags);
int inet_getname(struct socket *sock, struct sockaddr_in *addr, int peer);
int inet_listen(struct socket *sock, int backlog);
int inet_shutdown(struct socket *sock, int how);
int inet_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
long inet_sendmsg(struct socket *sock, struct msghdr *msg, size_t len);
long inet_recvmsg(struct socket *sock, struct msghdr *msg, size_t len, int flags);
unsigned int datagram_poll(struct sock *sk);	/* the default poll answer */

/*
 * ---- Sleeping on sk_wq (net/core/sock.c) ----
 * Linux declares these in include/net/sock.h and include/linux/wait.h;
 * they live here until sock.h takes them.
 *
 * The wait_woken() pattern (Linux 4.x on): add an entry whose function is
 * woken_wake_function, release the socket lock, re-check the condition,
 * then wait_woken(). The task state is set only inside wait_woken(), with
 * interrupts off until schedule(), so no preemption can catch the task in
 * a sleeping state with a wakeup already spent (Squall's scheduler takes a
 * preempted sleeper off the run queue).
 */
#define WQ_FLAG_WOKEN 0x02

/* An entry for the current task with wake function @func (Linux's DEFINE_WAIT_FUNC). */
void init_wait_func(struct wait_queue_entry *e, wait_queue_func_t func);
int woken_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key);
/* Sleep until woken_wake_function ran or @timeout jiffies; returns the jiffies left. */
long wait_woken(struct wait_queue_entry *e, unsigned int mode, long timeout);
/* As woken_wake_function, but only for EPOLLIN/EPOLLERR keys (or none). */
int receiver_wake_function(struct wait_queue_entry *e, unsigned int mode, int flags, void *key);

/*
 * Socket locked: wait until the receive queue's tail is no longer @skb,
 * the socket has an error or is shut down for receiving, or *timeo runs
 * out (updated). Returns nonzero if the tail moved.
 */
int sk_wait_data(struct sock *sk, long *timeo, const struct sk_buff *skb);
/* Take and clear the pending error: -errno or 0 (Linux's sock_error). */
int sock_error(struct sock *sk);
/* Socks allocated and not yet freed (tests: must return to its baseline). */
long sk_outstanding(void);

#endif
