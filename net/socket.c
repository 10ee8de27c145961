/*
 * The BSD socket system calls (Linux's net/socket.c): socket, bind,
 * listen, accept4, connect, sendto/recvfrom, sendmsg/recvmsg, shutdown,
 * get/setsockopt, getsockname/getpeername, and the socket file's read,
 * write, poll, ioctl and release.
 *
 * Each system call finds the struct socket behind its fd (sockfd_lookup,
 * holding a file reference for the call's duration), copies user
 * addresses and iovec arrays into kernel copies (user pointers checked
 * with access_ok), and calls sock->ops (af_inet.c), which calls
 * sk->sk_prot. Arguments are checked in Linux's order, so a call with
 * several things wrong fails with the errno Linux gives.
 *
 * Callers: the syscall table (kernel/syscall.c), read_write.c through the
 * socket file, and kernel threads through sock_create_kern/kernel_* (the
 * stats endpoint). Context: process; nothing here holds a lock while
 * calling down.
 *
 * An app thread's accept and close count in its task (sched.h: the stats
 * endpoint's "workers"); kernel sockets never pass through those paths.
 */
#include <net/socket.h>
#include <net/core/sock.h>
#include <net/ipv4/tcp_states.h>
#include <kernel/slab.h>
#include <kernel/errno.h>
#include <kernel/file.h>
#include <kernel/poll.h>
#include <kernel/sched.h>
#include <kernel/sys.h>
#include <kernel/uaccess.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define NPROTO 46		/* Linux's AF_MAX: families 0..45 */
#define SOCK_MAX 11		/* types 0..10 */
#define SOCK_TYPE_MASK 0xf
#define SOMAXCONN 4096		/* Linux's net.core.somaxconn default */
#define SOCKADDR_STORAGE 128	/* sizeof(struct sockaddr_storage) */
#define SOCK_OPT_BYTES 512	/* option values copied: af_inet.h's SOCK_OPT_MAX */
#define MSG_CMSG_CLOEXEC 0x40000000
#define MSG_CMSG_COMPAT 0x80000000u

/* A kernel copy of a user address: room for any family, like Linux's sockaddr_storage. */
union sockaddr_k {
	struct sockaddr_in sin;
	uint8_t raw[SOCKADDR_STORAGE];
};

/* Linux's struct user_msghdr (x86-64, 56 bytes). */
struct user_msghdr {
	void *msg_name;
	int msg_namelen;
	struct iovec *msg_iov;
	size_t msg_iovlen;
	void *msg_control;
	size_t msg_controllen;
	unsigned int msg_flags;
};

static const struct net_proto_family *net_families[NPROTO];	/* [I] after boot */
static const struct file_operations socket_file_ops;

/* ---- user addresses ---- */

/* Linux's move_addr_to_kernel: length checked first, then the copy. */
static int move_addr_to_kernel(const void *uaddr, int ulen, union sockaddr_k *kaddr)
{
	memset(kaddr, 0, sizeof(*kaddr));
	if (ulen < 0 || ulen > (int)sizeof(*kaddr))
		return -EINVAL;
	if (ulen == 0)
		return 0;
	if (!access_ok(uaddr, (size_t)ulen))
		return -EFAULT;
	memcpy(kaddr, uaddr, (size_t)ulen);
	return 0;
}

/* Linux's move_addr_to_user: copy what fits, report the full length. */
static int move_addr_to_user(const union sockaddr_k *kaddr, int klen, void *uaddr, int *ulen)
{
	int len;

	if (!access_ok(ulen, sizeof(*ulen)))
		return -EFAULT;
	len = *ulen;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len) {
		if (!access_ok(uaddr, (size_t)len))
			return -EFAULT;
		memcpy(uaddr, kaddr, (size_t)len);
	}
	*ulen = klen;
	return 0;
}

/* ---- struct socket and its file ---- */

/* A connection error, as opposed to EOF or EAGAIN: the "errors" of a worker. */
static void sock_note_error(struct socket *sock, long ret)
{
	if (ret == -ECONNRESET || ret == -EPIPE || ret == -ETIMEDOUT)
		__atomic_or_fetch(&sock->flags, SOCKF_CONN_ERROR, __ATOMIC_RELAXED);
}

static struct kmem_cache socket_cache = KMEM_CACHE_INIT("socket", sizeof(struct socket));

static struct socket *sock_alloc(void)
{
	struct socket *sock = kmem_cache_zalloc(&socket_cache);

	if (sock)
		sock->state = SS_UNCONNECTED;
	return sock;
}

/* The file is gone (or never was): the protocol side closes, then the socket is freed. */
void sock_release(struct socket *sock)
{
	if (sock->ops && sock->ops->release)
		sock->ops->release(sock);
	kmem_cache_free(&socket_cache, sock);
}

/* The socket behind @f, or NULL if @f is not a socket file. */
struct socket *sock_from_file(struct file *f)
{
	return f->f_op == &socket_file_ops ? f->private_data : NULL;
}

/* A file for @sock; on failure @sock is released. */
static struct file *sock_alloc_file(struct socket *sock, int flags)
{
	struct file *f = alloc_file(&socket_file_ops, sock,
				    02 /* O_RDWR */ | (flags & (O_NONBLOCK | O_CLOEXEC)));

	if (!f) {
		sock_release(sock);
		return NULL;
	}
	sock->file = f;
	return f;
}

/* Publish @sock under the lowest free fd; on failure it is released. */
static int sock_map_fd(struct socket *sock, int flags)
{
	struct file *f = sock_alloc_file(sock, flags);
	int fd;

	if (!f)
		return -ENOMEM;
	fd = fd_install_new(f);
	if (fd < 0)
		fput(f);
	return fd;
}

struct socket *sockfd_lookup(int fd, int *err)
{
	struct file *f = fget(fd);
	struct socket *sock;

	if (!f) {
		*err = -EBADF;
		return NULL;
	}
	sock = sock_from_file(f);
	if (!sock) {
		*err = -ENOTSOCK;
		fput(f);
	}
	return sock;
}

void sockfd_put(struct socket *sock)
{
	fput(sock->file);
}

static long sock_sendmsg(struct socket *sock, struct msghdr *msg)
{
	long ret = sock->ops->sendmsg(sock, msg, msg_data_left(msg));

	sock_note_error(sock, ret);
	return ret;
}

static long sock_recvmsg(struct socket *sock, struct msghdr *msg, int flags)
{
	long ret = sock->ops->recvmsg(sock, msg, msg_data_left(msg), flags);

	sock_note_error(sock, ret);
	return ret;
}

/* read(2) on a socket: one recvmsg (Linux's sock_read_iter). */
static long sock_read(struct file *f, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!len)
		return 0;
	return sock_recvmsg(f->private_data, &msg, (f->f_flags & O_NONBLOCK) ? MSG_DONTWAIT : 0);
}

static long sock_write(struct file *f, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	msg.msg_flags = (f->f_flags & O_NONBLOCK) ? MSG_DONTWAIT : 0;
	return sock_sendmsg(f->private_data, &msg);
}

/* Every readiness change of a socket is a wakeup on sk_wq, keyed by its EPOLL* mask. */
static unsigned int sock_poll(struct file *f, poll_table *pt)
{
	struct socket *sock = f->private_data;

	if (sock->sk) {
		poll_wait(f, &sock->sk->sk_wq, pt);
		/* A thread that puts a listener in its epoll set waits to accept: a worker. */
		if (pt && pt->_qproc && sock->sk->sk_state == TCP_LISTEN)
			current->sock_listen_watch = 1;
	}
	return sock->ops->poll ? sock->ops->poll(sock) : 0;
}

static long sock_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct socket *sock = f->private_data;
	int err = sock->ops->ioctl ? sock->ops->ioctl(sock, cmd, arg) : -ENOIOCTLCMD;

	return err == -ENOIOCTLCMD ? -ENOTTY : err;
}

static int sock_close(struct file *f)
{
	struct socket *sock = f->private_data;

	if (sock->flags & SOCKF_ACCEPTED) {
		current->sock_handled++;
		if ((sock->flags & SOCKF_CONN_ERROR) || (sock->sk && sock->sk->sk_err))
			current->sock_errors++;
	}
	sock_release(sock);
	return 0;
}

static const struct file_operations socket_file_ops = {
	.read = sock_read,
	.write = sock_write,
	.poll = sock_poll,
	.ioctl = sock_ioctl,
	.release = sock_close,
};

/* ---- families ---- */

/* Boot only. */
int sock_register(const struct net_proto_family *ops)
{
	if (ops->family < 0 || ops->family >= NPROTO)
		return -ENOBUFS;
	if (net_families[ops->family])
		return -EEXIST;
	net_families[ops->family] = ops;
	return 0;
}

static int __sock_create(int family, int type, int protocol, struct socket **res)
{
	const struct net_proto_family *pf;
	struct socket *sock;
	int err;

	if (family < 0 || family >= NPROTO)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX)
		return -EINVAL;
	sock = sock_alloc();
	if (!sock)
		return -ENFILE;
	sock->type = (short)type;
	pf = net_families[family];
	err = pf ? pf->create(sock, protocol) : -EAFNOSUPPORT;
	if (err < 0) {
		sock->ops = NULL;	/* nothing to release on the protocol side */
		sock_release(sock);
		return err;
	}
	*res = sock;
	return 0;
}

/* ---- the system calls ---- */

long sys_socket(long family, long type, long protocol)
{
	int flags = (int)type & ~SOCK_TYPE_MASK;
	struct socket *sock;
	int err;

	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	err = __sock_create((int)family, (int)type & SOCK_TYPE_MASK, (int)protocol, &sock);
	if (err < 0)
		return err;
	/* SOCK_NONBLOCK is O_NONBLOCK and SOCK_CLOEXEC is O_CLOEXEC, as in Linux. */
	return sock_map_fd(sock, flags);
}

/* AF_INET has no socketpair (Linux's sock_no_socketpair); the checks before it are Linux's. */
long sys_socketpair(long family, long type, long protocol, long usockvec)
{
	struct socket *sock;
	int err;

	(void)usockvec;
	if (((int)type & ~SOCK_TYPE_MASK) & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	err = __sock_create((int)family, (int)type & SOCK_TYPE_MASK, (int)protocol, &sock);
	if (err < 0)
		return err;
	sock_release(sock);
	return -EOPNOTSUPP;
}

long sys_bind(long fd, long umyaddr, long addrlen)
{
	union sockaddr_k address;
	struct socket *sock;
	int err;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	err = move_addr_to_kernel((void *)umyaddr, (int)addrlen, &address);
	if (!err)
		err = sock->ops->bind(sock, &address.sin, (int)addrlen);
	sockfd_put(sock);
	return err;
}

long sys_listen(long fd, long backlog)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	if ((unsigned int)backlog > SOMAXCONN)
		backlog = SOMAXCONN;
	err = sock->ops->listen(sock, (int)backlog);
	sockfd_put(sock);
	return err;
}

/* Linux's order: EBADF, flags, ENOTSOCK, then the accept itself. */
long sys_accept4(long fd, long upeer_sockaddr, long upeer_addrlen, long flags)
{
	struct socket *sock, *newsock;
	struct file *f, *newfile;
	union sockaddr_k address;
	int armed;
	int err, len;

	f = fget((int)fd);
	if (!f)
		return -EBADF;
	err = -EINVAL;
	if ((int)flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		goto out;
	err = -ENOTSOCK;
	sock = sock_from_file(f);
	if (!sock)
		goto out;
	err = -ENFILE;
	newsock = sock_alloc();
	if (!newsock)
		goto out;
	newsock->type = sock->type;
	newsock->ops = sock->ops;
	err = -ENOMEM;
	newfile = sock_alloc_file(newsock, (int)flags);
	if (!newfile)
		goto out;
	/* The listener's file decides whether to block; the new one's flags are accept4's only. */
	/*
	 * A spurious wakeup, as stormd counts it: the first accept() after
	 * epoll_wait() reported events finding the queue empty (another thread
	 * took the connection: the herd). The EAGAIN that ends an
	 * accept-until-empty loop is not one, nor is a polling loop's: nothing
	 * woke those. (Sleeps woken for nothing, in a blocked accept or in
	 * epoll_wait, are the task's wait_spurious; the stats add the two.)
	 */
	current->sock_accept_calls++;
	armed = current->sock_accept_armed;
	current->sock_accept_armed = 0;
	err = sock->ops->accept(sock, newsock, (int)f->f_flags);
	current->sock_accept_spurious += (err == -EAGAIN && armed);
	if (err < 0)
		goto out_put;
	if (upeer_sockaddr) {
		memset(&address, 0, sizeof(address));
		len = newsock->ops->getname(newsock, &address.sin, 2);
		err = -ECONNABORTED;
		if (len < 0)
			goto out_put;
		err = move_addr_to_user(&address, len, (void *)upeer_sockaddr, (int *)upeer_addrlen);
		if (err < 0)
			goto out_put;
	}
	/* Linux reserves the fd first; here a full table costs the connection. */
	err = fd_install_new(newfile);
	if (err < 0)
		goto out_put;
	__atomic_or_fetch(&newsock->flags, SOCKF_ACCEPTED, __ATOMIC_RELAXED);
	current->sock_accepts++;
	fput(f);
	return err;
out_put:
	fput(newfile);
out:
	fput(f);
	return err;
}

long sys_accept(long fd, long upeer_sockaddr, long upeer_addrlen)
{
	return sys_accept4(fd, upeer_sockaddr, upeer_addrlen, 0);
}

/* Linux's order: EBADF, the address, then ENOTSOCK. */
long sys_connect(long fd, long uservaddr, long addrlen)
{
	union sockaddr_k address;
	struct socket *sock;
	struct file *f;
	int err;

	f = fget((int)fd);
	if (!f)
		return -EBADF;
	err = move_addr_to_kernel((void *)uservaddr, (int)addrlen, &address);
	if (!err) {
		sock = sock_from_file(f);
		err = sock ? sock->ops->connect(sock, &address.sin, (int)addrlen, (int)f->f_flags)
			   : -ENOTSOCK;
	}
	fput(f);
	return err;
}

static long sys_getname(long fd, long usockaddr, long usockaddr_len, int peer)
{
	union sockaddr_k address;
	struct socket *sock;
	int err;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	memset(&address, 0, sizeof(address));
	err = sock->ops->getname(sock, &address.sin, peer);
	if (err >= 0)
		err = move_addr_to_user(&address, err, (void *)usockaddr, (int *)usockaddr_len);
	sockfd_put(sock);
	return err;
}

long sys_getsockname(long fd, long usockaddr, long usockaddr_len)
{
	return sys_getname(fd, usockaddr, usockaddr_len, 0);
}

long sys_getpeername(long fd, long usockaddr, long usockaddr_len)
{
	return sys_getname(fd, usockaddr, usockaddr_len, 1);
}

/*
 * Linux's import_ubuf: the one-buffer iovec of sendto/recvfrom, clamped to
 * MAX_RW_COUNT; the buffer is checked first (Linux checks it before the fd).
 */
static int import_ubuf(long buf, long len, struct iovec *iov)
{
	size_t n = (size_t)len;

	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	if (n && !access_ok((void *)buf, n))
		return -EFAULT;
	iov->iov_base = (void *)buf;
	iov->iov_len = n;
	return 0;
}

long sys_sendto(long fd, long buff, long len, long flags, long addr, long addr_len)
{
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	union sockaddr_k address;
	struct socket *sock;
	int err;
	long ret;

	err = import_ubuf(buff, len, &iov);
	if (err)
		return err;
	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	if (addr) {
		err = move_addr_to_kernel((void *)addr, (int)addr_len, &address);
		if (err < 0) {
			sockfd_put(sock);
			return err;
		}
		msg.msg_name = &address;
		msg.msg_namelen = (int)addr_len;
	}
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	msg.msg_flags = (unsigned int)flags;
	ret = sock_sendmsg(sock, &msg);
	sockfd_put(sock);
	return ret;
}

long sys_recvfrom(long fd, long ubuf, long size, long flags, long addr, long addr_len)
{
	struct iovec iov;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	union sockaddr_k address;
	struct socket *sock;
	int err;
	long ret;

	err = import_ubuf(ubuf, size, &iov);
	if (err)
		return err;
	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	memset(&address, 0, sizeof(address));
	msg.msg_name = addr ? &address : NULL;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	ret = sock_recvmsg(sock, &msg, (int)flags);
	if (ret >= 0 && addr) {
		err = move_addr_to_user(&address, msg.msg_namelen, (void *)addr, (int *)addr_len);
		if (err < 0)
			ret = err;
	}
	sockfd_put(sock);
	return ret;
}

/*
 * Linux's copy_msghdr_from_user + import_iovec: the header, the name
 * (copied in for send; for receive only its length is checked), the
 * iovec array into @fast or a malloc'd array (*iov_free).
 */
static int copy_msghdr_from_user(struct msghdr *kmsg, const struct user_msghdr *umsg_p,
				 struct user_msghdr *umsg, union sockaddr_k *address,
				 int send, struct iovec *fast, struct iovec **iov_free)
{
	struct iovec *iov;
	long total;
	int err;

	*iov_free = NULL;
	if (!access_ok(umsg_p, sizeof(*umsg)))
		return -EFAULT;
	memcpy(umsg, umsg_p, sizeof(*umsg));
	memset(kmsg, 0, sizeof(*kmsg));
	memset(address, 0, sizeof(*address));
	if (!umsg->msg_name)
		umsg->msg_namelen = 0;
	if (umsg->msg_namelen < 0)
		return -EINVAL;
	if (umsg->msg_namelen > (int)sizeof(*address))
		umsg->msg_namelen = sizeof(*address);
	if (send && umsg->msg_name && umsg->msg_namelen) {
		err = move_addr_to_kernel(umsg->msg_name, umsg->msg_namelen, address);
		if (err < 0)
			return err;
		kmsg->msg_name = address;
		kmsg->msg_namelen = umsg->msg_namelen;
	}
	if (umsg->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	total = import_iovec(umsg->msg_iov, umsg->msg_iovlen, fast, &iov);
	if (total < 0)
		return (int)total;
	if (iov != fast)
		*iov_free = iov;
	kmsg->msg_iov = iov;
	kmsg->msg_iovlen = umsg->msg_iovlen;
	return 0;
}

/* Control messages (cmsg) are checked for readability and otherwise ignored. */
long sys_sendmsg(long fd, long umsg_p, long flags)
{
	struct iovec fast[UIO_FASTIOV], *iov_free;
	union sockaddr_k address;
	struct user_msghdr umsg;
	struct msghdr msg;
	struct socket *sock;
	int err;
	long ret;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	ret = copy_msghdr_from_user(&msg, (void *)umsg_p, &umsg, &address, 1, fast, &iov_free);
	if (ret < 0)
		goto out;
	ret = -ENOBUFS;
	if (umsg.msg_controllen > INT_MAX)
		goto out;
	ret = -EFAULT;
	if (umsg.msg_controllen && !access_ok(umsg.msg_control, umsg.msg_controllen))
		goto out;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	msg.msg_flags = (unsigned int)flags;
	ret = sock_sendmsg(sock, &msg);
out:
	free(iov_free);
	sockfd_put(sock);
	return ret;
}

/* No control messages are produced: msg_controllen comes back 0. */
long sys_recvmsg(long fd, long umsg_p, long flags)
{
	struct iovec fast[UIO_FASTIOV], *iov_free;
	struct user_msghdr umsg, *uumsg = (struct user_msghdr *)umsg_p;
	union sockaddr_k address;
	struct msghdr msg;
	struct socket *sock;
	int err;
	long ret;

	if ((unsigned int)flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	ret = copy_msghdr_from_user(&msg, uumsg, &umsg, &address, 0, fast, &iov_free);
	if (ret < 0)
		goto out;
	msg.msg_name = &address;
	msg.msg_namelen = 0;
	msg.msg_flags = (unsigned int)flags & MSG_CMSG_CLOEXEC;
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	ret = sock_recvmsg(sock, &msg, (int)flags);
	if (ret < 0)
		goto out;
	if (umsg.msg_name) {
		err = move_addr_to_user(&address, msg.msg_namelen, umsg.msg_name, &uumsg->msg_namelen);
		if (err < 0) {
			ret = err;
			goto out;
		}
	}
	uumsg->msg_flags = msg.msg_flags;
	uumsg->msg_controllen = 0;
out:
	free(iov_free);
	sockfd_put(sock);
	return ret;
}

long sys_shutdown(long fd, long how)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	err = sock->ops->shutdown(sock, (int)how);
	sockfd_put(sock);
	return err;
}

/* The value goes down as a kernel copy, NULL if unreadable (af_inet.h's contract). */
long sys_setsockopt(long fd, long level, long optname, long optval, long optlen)
{
	uint8_t kopt[SOCK_OPT_BYTES];
	const void *kval = kopt;
	struct socket *sock;
	size_t n;
	int err;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	err = -EINVAL;
	if ((int)optlen < 0)
		goto out;
	n = (int)optlen > SOCK_OPT_BYTES ? SOCK_OPT_BYTES : (size_t)(int)optlen;
	if (n && !access_ok((void *)optval, n))
		kval = NULL;
	else
		memcpy(kopt, (void *)optval, n);
	err = sock->ops->setsockopt(sock, (int)level, (int)optname, kval, (unsigned int)n);
out:
	sockfd_put(sock);
	return err;
}

long sys_getsockopt(long fd, long level, long optname, long optval, long optlen)
{
	uint8_t kopt[SOCK_OPT_BYTES];
	int *ulen = (int *)optlen, len;
	struct socket *sock;
	int err;

	sock = sockfd_lookup((int)fd, &err);
	if (!sock)
		return err;
	err = -EFAULT;
	if (!access_ok(ulen, sizeof(*ulen)))
		goto out;
	len = *ulen;
	err = -EINVAL;
	if (len < 0)
		goto out;
	if (len > SOCK_OPT_BYTES)
		len = SOCK_OPT_BYTES;
	memset(kopt, 0, sizeof(kopt));
	err = sock->ops->getsockopt(sock, (int)level, (int)optname, kopt, &len);
	if (err < 0)
		goto out;
	err = -EFAULT;
	if (len && !access_ok((void *)optval, (size_t)len))
		goto out;
	memcpy((void *)optval, kopt, (size_t)len);
	*ulen = len;
	err = 0;
out:
	sockfd_put(sock);
	return err;
}

/* ---- kernel sockets (Linux's sock_create_kern, kernel_*): no fd, kernel buffers ---- */

int sock_create_kern(int family, int type, int protocol, struct socket **res)
{
	return __sock_create(family, type, protocol, res);
}

int kernel_bind(struct socket *sock, const struct sockaddr_in *addr, int addrlen)
{
	return sock->ops->bind(sock, addr, addrlen);
}

int kernel_listen(struct socket *sock, int backlog)
{
	return sock->ops->listen(sock, backlog);
}

/* @flags: O_NONBLOCK or 0. On success *@newsock is the connection's socket. */
int kernel_accept(struct socket *sock, struct socket **newsock, int flags)
{
	struct socket *ns = sock_alloc();
	int err;

	if (!ns)
		return -ENFILE;
	ns->type = sock->type;
	ns->ops = sock->ops;
	err = sock->ops->accept(sock, ns, flags);
	if (err < 0) {
		sock_release(ns);
		return err;
	}
	*newsock = ns;
	return 0;
}

/* @vec holds kernel buffers: msg.c copies with memcpy, and access_ok is for user pointers only. */
long kernel_sendmsg(struct socket *sock, struct msghdr *msg, struct iovec *vec, size_t num)
{
	msg->msg_iov = vec;
	msg->msg_iovlen = num;
	msg->iov_idx = msg->iov_off = 0;
	return sock->ops->sendmsg(sock, msg, msg_data_left(msg));
}

long kernel_recvmsg(struct socket *sock, struct msghdr *msg, struct iovec *vec, size_t num,
		    int flags)
{
	msg->msg_iov = vec;
	msg->msg_iovlen = num;
	msg->iov_idx = msg->iov_off = 0;
	return sock->ops->recvmsg(sock, msg, msg_data_left(msg), flags);
}

int kernel_sock_shutdown(struct socket *sock, int how)
{
	return sock->ops->shutdown(sock, how);
}
