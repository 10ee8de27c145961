/*
 * AF_INET sockets (Linux's net/ipv4/af_inet.c): the family's socket()
 * (inet_create, choosing the protocol from the inetsw table), and the BSD
 * operations inet_stream_ops/inet_dgram_ops that net/socket.c calls:
 * bind, connect (datagram, and stream with Linux's __inet_stream_connect
 * wait), accept, listen, getname, shutdown, ioctl, options, poll,
 * sendmsg/recvmsg. They check what is family-wide, take the socket lock
 * where Linux does, and call sk->sk_prot (tcp_prot, udp_prot).
 *
 * The protocol contracts are in af_inet.h. inetsw is written at boot
 * only (inet_register_protosw) and read without a lock afterwards.
 */
#include <net/ipv4/af_inet.h>
#include <net/ipv4/inet_sock.h>
#include <net/ipv4/ip.h>
#include <net/ipv4/ipv4.h>
#include <net/ipv4/tcp_states.h>
#include <net/ipv4/udp.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/timer.h>
#include <kernel/uaccess.h>

#define AF_UNSPEC 0
#define IPPROTO_MAX 263		/* Linux 6.x: IPPROTO_MPTCP is 262 */
#define SIOCOUTQ 0x5411
#define SIOCINQ 0x541B		/* FIONREAD */
#define TASK_INTERRUPTIBLE 1
#define INETSW_MAX 8

struct inet_protosw {
	short type;			/* [I] SOCK_* */
	short protocol;			/* [I] IPPROTO_* */
	struct proto *prot;		/* [I] */
	const struct proto_ops *ops;	/* [I] */
	int (*listen)(struct sock *sk, int backlog);	/* [I] streams only */
};

static struct inet_protosw inetsw[INETSW_MAX];	/* [I] after boot, in registration order */
static int nr_inetsw;				/* [I] after boot */

int inet_register_protosw(int type, int protocol, struct proto *prot, const struct proto_ops *ops)
{
	for (int i = 0; i < nr_inetsw; i++)
		if (inetsw[i].type == type && inetsw[i].protocol == protocol)
			return -EEXIST;
	if (nr_inetsw == INETSW_MAX)
		return -ENOSPC;
	inetsw[nr_inetsw++] = (struct inet_protosw){ (short)type, (short)protocol, prot, ops, NULL };
	return 0;
}

int inet_protosw_set_listen(int type, int protocol, int (*listen)(struct sock *sk, int backlog))
{
	for (int i = 0; i < nr_inetsw; i++) {
		if (inetsw[i].type == type && inetsw[i].protocol == protocol) {
			inetsw[i].listen = listen;
			return 0;
		}
	}
	return -ENOENT;
}

static const struct inet_protosw *inetsw_find(int type, int protocol)
{
	for (int i = 0; i < nr_inetsw; i++)
		if (inetsw[i].type == type && inetsw[i].protocol == protocol)
			return &inetsw[i];
	return NULL;
}

/*
 * socket(AF_INET, type, protocol): Linux's lookup. Protocol 0 takes the
 * first entry of the type; a type with no entries is -ESOCKTNOSUPPORT,
 * a known type with the wrong protocol -EPROTONOSUPPORT.
 */
static int inet_create(struct socket *sock, int protocol)
{
	const struct inet_protosw *answer = NULL;
	struct sock *sk;
	int err = -ESOCKTNOSUPPORT;

	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	sock->state = SS_UNCONNECTED;
	for (int i = 0; i < nr_inetsw && !answer; i++) {
		if (inetsw[i].type != sock->type)
			continue;
		if (protocol == inetsw[i].protocol || protocol == IPPROTO_IP) {
			protocol = inetsw[i].protocol;
			answer = &inetsw[i];
		}
		err = -EPROTONOSUPPORT;
	}
	if (!answer)
		return err;
	sk = sk_alloc(AF_INET, answer->prot);
	if (!sk)
		return -ENOMEM;
	sock->ops = answer->ops;
	sock_init_data(sock, sk);
	sk->sk_protocol = (uint16_t)protocol;
	if (sk->sk_prot->init) {
		err = sk->sk_prot->init(sk);
		if (err) {
			sock_orphan(sk);
			sock->sk = NULL;
			sock_put(sk);	/* destroy() undoes what init did */
			return err;
		}
	}
	return 0;
}

/* close(): the protocol closes (lingering if asked), then the socket lets go. */
int inet_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	long timeout = 0;

	if (!sk)
		return 0;	/* an accept that never got its sock */
	if (sock_flag(sk, SOCK_LINGER))
		timeout = (long)(unsigned int)sk->sk_linger_secs * (long)HZ;
	if (sk->sk_prot->close)
		sk->sk_prot->close(sk, timeout);
	sock_orphan(sk);
	sock->sk = NULL;
	sock_put(sk);
	return 0;
}

/* Addresses a socket may bind: any, ours, broadcast, multicast (Linux's inet_addr_valid_or_nonlocal). */
static int inet_addr_bindable(uint32_t addr)
{
	return addr == INADDR_ANY || ipv4_is_multicast(addr) || inet_addr_is_local(addr);
}

int inet_bind(struct socket *sock, const struct sockaddr_in *addr, int addr_len)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);
	int err;

	if (sk->sk_prot->bind)
		return sk->sk_prot->bind(sk, addr, addr_len);
	if (addr_len < (int)sizeof(struct sockaddr_in))
		return -EINVAL;
	/* Linux accepts AF_UNSPEC with INADDR_ANY, for old programs. */
	if (addr->sin_family != AF_INET &&
	    (addr->sin_family != AF_UNSPEC || addr->sin_addr != INADDR_ANY))
		return -EAFNOSUPPORT;
	if (!inet_addr_bindable(addr->sin_addr))
		return -EADDRNOTAVAIL;
	/* Ports below 1024 need no privilege: one app, one user. */
	lock_sock(sk);
	err = -EINVAL;
	if (sk->sk_state != TCP_CLOSE || inet->inet_num)
		goto out;
	inet->inet_rcv_saddr = inet->inet_saddr = addr->sin_addr;
	if (ipv4_is_multicast(addr->sin_addr) || inet_addr_is_broadcast(addr->sin_addr))
		inet->inet_saddr = 0;	/* send from the device's address */
	if (sk->sk_prot->get_port(sk, ntohs(addr->sin_port))) {
		inet->inet_saddr = inet->inet_rcv_saddr = 0;
		err = -EADDRINUSE;
		goto out;
	}
	inet->inet_sport = htons(inet->inet_num);
	inet->inet_daddr = 0;
	inet->inet_dport = 0;
	err = 0;
out:
	release_sock(sk);
	return err;
}

/* Bind to an ephemeral port before the first send/connect (Linux's inet_autobind). */
static int inet_autobind(struct sock *sk)
{
	struct inet_sock *inet = inet_sk(sk);

	lock_sock(sk);
	if (!inet->inet_num) {
		if (sk->sk_prot->get_port(sk, 0)) {
			release_sock(sk);
			return -EAGAIN;
		}
		inet->inet_sport = htons(inet->inet_num);
	}
	release_sock(sk);
	return 0;
}

int inet_dgram_connect(struct socket *sock, const struct sockaddr_in *addr, int addr_len, int flags)
{
	struct sock *sk = sock->sk;

	if (addr_len < (int)sizeof(addr->sin_family))
		return -EINVAL;
	if (addr->sin_family == AF_UNSPEC)
		return sk->sk_prot->disconnect ? sk->sk_prot->disconnect(sk, flags) : 0;
	if (!inet_sk(sk)->inet_num && inet_autobind(sk))
		return -EAGAIN;
	/* ip4_datagram_connect's checks, made here for every datagram protocol. */
	if (addr_len < (int)sizeof(*addr))
		return -EINVAL;
	if (addr->sin_family != AF_INET)
		return -EAFNOSUPPORT;
	return sk->sk_prot->connect(sk, addr, addr_len);
}

/* Socket locked; returns the time left, 0 if it ran out (Linux's inet_wait_for_connect). */
static long inet_wait_for_connect(struct sock *sk, long timeo)
{
	struct wait_queue_entry wait;

	init_wait_func(&wait, woken_wake_function);
	add_wait_queue(&sk->sk_wq, &wait);
	/* Whoever sets sk_err must also move the socket out of SYN_SENT/SYN_RECV. */
	while (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV))) {
		release_sock(sk);
		timeo = wait_woken(&wait, TASK_INTERRUPTIBLE, timeo);
		lock_sock(sk);
		if (!timeo)
			break;
	}
	remove_wait_queue(&sk->sk_wq, &wait);
	return timeo;
}

/* Socket locked. Linux's __inet_stream_connect, without fast open. */
static int __inet_stream_connect(struct socket *sock, const struct sockaddr_in *addr,
				 int addr_len, int flags)
{
	struct sock *sk = sock->sk;
	long timeo;
	int err;

	if (addr_len < (int)sizeof(addr->sin_family))
		return -EINVAL;
	if (addr->sin_family == AF_UNSPEC) {
		err = sk->sk_prot->disconnect ? sk->sk_prot->disconnect(sk, flags) : 0;
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		return err;
	}
	switch (sock->state) {
	default:
		return -EINVAL;
	case SS_CONNECTED:
		return -EISCONN;
	case SS_CONNECTING:
		err = -EALREADY;	/* still waiting: the non-blocking answer */
		break;
	case SS_UNCONNECTED:
		if (sk->sk_state != TCP_CLOSE)
			return -EISCONN;
		err = sk->sk_prot->connect(sk, addr, addr_len);
		if (err < 0)
			return err;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;	/* the first non-blocking answer */
		break;
	}
	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV))) {
		/* Non-blocking, or SO_SNDTIMEO ran out: err as set above. */
		if (!timeo || !inet_wait_for_connect(sk, timeo))
			return err;
	}
	/* Refused, reset, timed out, or disconnected by another thread. */
	if (sk->sk_state == TCP_CLOSE) {
		err = sock_error(sk);
		if (!err)
			err = -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		if (sk->sk_prot->disconnect && sk->sk_prot->disconnect(sk, flags))
			sock->state = SS_DISCONNECTING;
		return err;
	}
	sock->state = SS_CONNECTED;
	return 0;
}

int inet_stream_connect(struct socket *sock, const struct sockaddr_in *addr, int addr_len, int flags)
{
	int err;

	lock_sock(sock->sk);
	err = __inet_stream_connect(sock, addr, addr_len, flags);
	release_sock(sock->sk);
	return err;
}

/* The child comes with a reference, which becomes @newsock's. */
int inet_accept(struct socket *sock, struct socket *newsock, int flags)
{
	struct sock *sk1 = sock->sk, *sk2;
	int err = -EINVAL;

	if (!sk1->sk_prot->accept)
		return -EOPNOTSUPP;
	sk2 = sk1->sk_prot->accept(sk1, flags, &err);
	if (!sk2)
		return err;
	lock_sock(sk2);
	sk2->sk_socket = newsock;	/* Linux's sock_graft: sk_wq lives in the sock here */
	newsock->sk = sk2;
	newsock->state = SS_CONNECTED;
	release_sock(sk2);
	return 0;
}

/* @peer: 0 local, 1 getpeername, 2 accept (a child may already be closed). */
int inet_getname(struct socket *sock, struct sockaddr_in *sin, int peer)
{
	struct sock *sk = sock->sk;
	struct inet_sock *inet = inet_sk(sk);

	sin->sin_family = AF_INET;
	lock_sock(sk);
	if (peer) {
		if (!inet->inet_dport ||
		    ((TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_SYN_SENT))) && peer == 1)) {
			release_sock(sk);
			return -ENOTCONN;
		}
		sin->sin_port = inet->inet_dport;
		sin->sin_addr = inet->inet_daddr;
	} else {
		sin->sin_port = inet->inet_sport;
		sin->sin_addr = inet->inet_rcv_saddr ? inet->inet_rcv_saddr : inet->inet_saddr;
	}
	release_sock(sk);
	for (unsigned int i = 0; i < sizeof(sin->sin_zero); i++)
		sin->sin_zero[i] = 0;
	return (int)sizeof(*sin);
}

int inet_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	const struct inet_protosw *sw = inetsw_find(sk->sk_type, sk->sk_protocol);
	int err = -EINVAL;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED || sock->type != SOCK_STREAM)
		goto out;
	if (!(TCPF(sk->sk_state) & (TCPF(TCP_CLOSE) | TCPF(TCP_LISTEN))))
		goto out;
	err = -EOPNOTSUPP;
	if (sw && sw->listen)
		err = sw->listen(sk, backlog);	/* starts listening, or just takes the new backlog */
out:
	release_sock(sk);
	return err;
}

static int sock_no_listen(struct socket *sock, int backlog)
{
	(void)sock;
	(void)backlog;
	return -EOPNOTSUPP;
}

static int sock_no_accept(struct socket *sock, struct socket *newsock, int flags)
{
	(void)sock;
	(void)newsock;
	(void)flags;
	return -EOPNOTSUPP;
}

/* Linux's inet_shutdown: how 0/1/2 becomes RCV_SHUTDOWN/SEND_SHUTDOWN bits. */
int inet_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;	/* SHUT_RD (0) -> RCV_SHUTDOWN (1), SHUT_WR -> 2, SHUT_RDWR -> 3 */
	if ((how & ~SHUTDOWN_MASK) || !how)
		return -EINVAL;
	lock_sock(sk);
	if (sock->state == SS_CONNECTING) {
		if (TCPF(sk->sk_state) & (TCPF(TCP_SYN_SENT) | TCPF(TCP_SYN_RECV) | TCPF(TCP_CLOSE)))
			sock->state = SS_DISCONNECTING;
		else
			sock->state = SS_CONNECTED;
	}
	switch (sk->sk_state) {
	case TCP_CLOSE:
		err = -ENOTCONN;
		/* Still mark it, so a poller sees EPOLLHUP even on an unconnected UDP socket. */
		/* fall through */
	default:
		sk->sk_shutdown |= (uint8_t)how;
		if (sk->sk_prot->shutdown)
			sk->sk_prot->shutdown(sk, how);
		break;
	case TCP_LISTEN:
		if (!(how & RCV_SHUTDOWN))
			break;
		/* fall through */
	case TCP_SYN_SENT:
		err = sk->sk_prot->disconnect ? sk->sk_prot->disconnect(sk, O_NONBLOCK) : 0;
		sock->state = err ? SS_DISCONNECTING : SS_UNCONNECTED;
		break;
	}
	sk->sk_state_change(sk);	/* wake anyone sleeping in poll */
	release_sock(sk);
	return err;
}

/* Linux's first_packet_length: FIONREAD on a datagram socket is the next datagram's size. */
static int first_packet_length(struct sock *sk)
{
	uint64_t f = spin_lock_irqsave(&sk->sk_receive_queue.lock);
	struct sk_buff *skb = skb_peek(&sk->sk_receive_queue);
	int len = skb ? (int)skb->len : 0;

	spin_unlock_irqrestore(&sk->sk_receive_queue.lock, f);
	return len;
}

/*
 * FIONREAD, SIOCOUTQ, ...: the protocol answers an int, copied out here;
 * without a protocol ioctl, the two queue sizes get Linux's generic answers.
 */
int inet_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	int karg = 0, err;

	if (sk->sk_prot->ioctl) {
		err = sk->sk_prot->ioctl(sk, (int)cmd, &karg);
		if (err)
			return err;
	} else if (cmd == SIOCOUTQ) {
		karg = __atomic_load_n(&sk->sk_wmem_alloc, __ATOMIC_RELAXED);
	} else if (cmd == SIOCINQ && sk->sk_type == SOCK_DGRAM) {
		karg = first_packet_length(sk);
	} else {
		return -ENOIOCTLCMD;
	}
	if (!access_ok((void *)arg, sizeof(int)))
		return -EFAULT;
	*(int *)arg = karg;
	return 0;
}

/* Linux's sock_common_setsockopt, with SOL_SOCKET handled here. */
static int inet_setsockopt(struct socket *sock, int level, int optname, const void *optval,
			   unsigned int optlen)
{
	struct sock *sk = sock->sk;

	if (level == SOL_SOCKET)
		return sock_setsockopt(sk, optname, optval, optlen);
	if (!sk->sk_prot->setsockopt)
		return -ENOPROTOOPT;
	return sk->sk_prot->setsockopt(sk, level, optname, optval, optlen);
}

static int inet_getsockopt(struct socket *sock, int level, int optname, void *optval, int *optlen)
{
	struct sock *sk = sock->sk;

	if (level == SOL_SOCKET)
		return sock_getsockopt(sk, optname, optval, optlen);
	if (!sk->sk_prot->getsockopt)
		return -ENOPROTOOPT;
	return sk->sk_prot->getsockopt(sk, level, optname, optval, optlen);
}

/* Linux's datagram_poll, for protocols without a poll of their own. */
unsigned int datagram_poll(struct sock *sk)
{
	unsigned int mask = 0;

	if (__atomic_load_n(&sk->sk_err, __ATOMIC_RELAXED))
		mask |= EPOLLERR;
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		mask |= EPOLLRDHUP | EPOLLIN | EPOLLRDNORM;
	if (sk->sk_shutdown == SHUTDOWN_MASK)
		mask |= EPOLLHUP;
	if (!skb_queue_empty(&sk->sk_receive_queue))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (__atomic_load_n(&sk->sk_wmem_alloc, __ATOMIC_RELAXED) < (sk->sk_sndbuf >> 1))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static unsigned int inet_poll(struct socket *sock)
{
	struct sock *sk = sock->sk;

	return sk->sk_prot->poll ? sk->sk_prot->poll(sk) : datagram_poll(sk);
}

long inet_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;

	/* Datagrams need a source port; TCP picks one in connect. */
	if (sk->sk_type != SOCK_STREAM && !inet_sk(sk)->inet_num && inet_autobind(sk))
		return -EAGAIN;
	return sk->sk_prot->sendmsg(sk, msg, len);
}

long inet_recvmsg(struct socket *sock, struct msghdr *msg, size_t len, int flags)
{
	int addr_len = 0;
	long err = sock->sk->sk_prot->recvmsg(sock->sk, msg, len, flags, &addr_len);

	if (err >= 0)
		msg->msg_namelen = addr_len;
	return err;
}

const struct proto_ops inet_stream_ops = {
	.family = AF_INET,
	.release = inet_release,
	.bind = inet_bind,
	.connect = inet_stream_connect,
	.accept = inet_accept,
	.getname = inet_getname,
	.poll = inet_poll,
	.ioctl = inet_ioctl,
	.listen = inet_listen,
	.shutdown = inet_shutdown,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
};

const struct proto_ops inet_dgram_ops = {
	.family = AF_INET,
	.release = inet_release,
	.bind = inet_bind,
	.connect = inet_dgram_connect,
	.accept = sock_no_accept,
	.getname = inet_getname,
	.poll = inet_poll,
	.ioctl = inet_ioctl,
	.listen = sock_no_listen,
	.shutdown = inet_shutdown,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
};

static const struct net_proto_family inet_family_ops = {
	.family = AF_INET,
	.create = inet_create,
};

/* Boot CPU, once, after ip_init (UDP's table) and before the app: the family and its protocols. */
void inet_init(void)
{
	sock_register(&inet_family_ops);
	inet_register_protosw(SOCK_DGRAM, IPPROTO_UDP, &udp_prot, &inet_dgram_ops);
	/* tcp_init(); -- TO ENABLE once TCP is in the build: it registers SOCK_STREAM and its listen hook */
}
