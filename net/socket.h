/*
 * The BSD socket layer (Linux's net/socket.c and include/linux/net.h): a
 * struct socket per socket file, its family's proto_ops, and the message
 * header that carries user buffers down to the protocols.
 *
 * Path of a system call: sys_sendto() (net/socket.c) → fd → struct file →
 * struct socket → sock->ops->sendmsg (inet_sendmsg, af_inet.c) →
 * sk->sk_prot->sendmsg (udp_sendmsg / tcp_sendmsg).
 */
#ifndef SQUALL_SOCKET_H
#define SQUALL_SOCKET_H

#include <stddef.h>
#include <stdint.h>

struct sock;
struct file;

#define AF_INET 2
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SOCK_NONBLOCK 04000
#define SOCK_CLOEXEC 02000000
#define IPPROTO_IP 0
#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define INADDR_ANY 0u

#define MSG_OOB 0x1
#define MSG_PEEK 0x2
#define MSG_DONTWAIT 0x40
#define MSG_TRUNC 0x20
#define MSG_WAITALL 0x100
#define MSG_NOSIGNAL 0x4000

#define SHUT_RD 0
#define SHUT_WR 1
#define SHUT_RDWR 2

/* Linux's struct sockaddr_in (16 bytes), fields in network byte order. */
struct sockaddr_in {
	uint16_t sin_family;
	uint16_t sin_port;
	uint32_t sin_addr;
	uint8_t sin_zero[8];
};

/* A user iovec (Linux ABI). */
struct iovec {
	void *iov_base;
	size_t iov_len;
};

/*
 * A message on its way down (send) or up (receive). The iovecs point into
 * user memory, already checked with access_ok() by net/socket.c; the
 * protocols copy through memcpy_from_msg()/memcpy_to_msg(), which advance
 * through the iovecs.
 */
struct msghdr {
	void *msg_name;			/* kernel copy of the address, or NULL */
	int msg_namelen;
	struct iovec *msg_iov;		/* kernel copy of the iovec array */
	size_t msg_iovlen;
	size_t iov_idx, iov_off;	/* copy position */
	unsigned int msg_flags;		/* MSG_* in (send) / out (recv: MSG_TRUNC) */
};

size_t msg_data_left(const struct msghdr *msg);
int memcpy_from_msg(void *dst, struct msghdr *msg, size_t len);	/* 0 or -EFAULT */
int memcpy_to_msg(struct msghdr *msg, const void *src, size_t len);

enum socket_state { SS_FREE, SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED, SS_DISCONNECTING };

struct socket;

struct proto_ops {
	int family;
	int (*release)(struct socket *sock);
	int (*bind)(struct socket *sock, const struct sockaddr_in *addr, int addr_len);
	int (*connect)(struct socket *sock, const struct sockaddr_in *addr, int addr_len, int flags);
	int (*accept)(struct socket *sock, struct socket *newsock, int flags);
	int (*getname)(struct socket *sock, struct sockaddr_in *addr, int peer);
	unsigned int (*poll)(struct socket *sock);	/* EPOLL* mask */
	int (*ioctl)(struct socket *sock, unsigned int cmd, unsigned long arg);
	int (*listen)(struct socket *sock, int backlog);
	int (*shutdown)(struct socket *sock, int how);
	int (*setsockopt)(struct socket *sock, int level, int optname, const void *optval, unsigned int optlen);
	int (*getsockopt)(struct socket *sock, int level, int optname, void *optval, int *optlen);
	long (*sendmsg)(struct socket *sock, struct msghdr *m, size_t len);
	long (*recvmsg)(struct socket *sock, struct msghdr *m, size_t len, int flags);
};

/* socket.flags: for the stats endpoint's per-thread worker counters. */
#define SOCKF_ACCEPTED 0x1		/* returned by accept()/accept4() to an app thread */
#define SOCKF_CONN_ERROR 0x2		/* a call on it failed with a reset, EPIPE or a timeout */

struct socket {
	enum socket_state state;	/* [sk lock] */
	short type;			/* [I] SOCK_* */
	unsigned int flags;		/* [a] SOCKF_*: set in system calls on the socket's fd */
	struct file *file;		/* [I] */
	struct sock *sk;		/* [sk lock] */
	const struct proto_ops *ops;	/* [I] */
};

/* A protocol family's constructor (inet_create for AF_INET). */
struct net_proto_family {
	int family;
	int (*create)(struct socket *sock, int protocol);
};
int sock_register(const struct net_proto_family *ops);

/* The sock of a socket fd, with a reference on its file; NULL + *err if not a socket. */
struct socket *sockfd_lookup(int fd, int *err);
void sockfd_put(struct socket *sock);

/*
 * Sockets for kernel threads (Linux's names and roles): no file, no fd,
 * buffers in kernel memory. Process context; each returns 0 (or a byte
 * count) or -errno. sock_release() closes and frees.
 */
int sock_create_kern(int family, int type, int protocol, struct socket **res);
void sock_release(struct socket *sock);
int kernel_bind(struct socket *sock, const struct sockaddr_in *addr, int addrlen);
int kernel_listen(struct socket *sock, int backlog);
int kernel_accept(struct socket *sock, struct socket **newsock, int flags);
long kernel_sendmsg(struct socket *sock, struct msghdr *msg, struct iovec *vec, size_t num);
long kernel_recvmsg(struct socket *sock, struct msghdr *msg, struct iovec *vec, size_t num,
		    int flags);
int kernel_sock_shutdown(struct socket *sock, int how);

#endif
