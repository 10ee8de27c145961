/*
 * The socket calls and their file-descriptor companions for apps: socket,
 * bind, listen, accept, accept4, connect, send/recv, sendto/recvfrom,
 * sendmsg/recvmsg, shutdown, get/setsockopt, getsockname/getpeername,
 * socketpair, readv/writev, ioctl and fcntl. Each is one raw Linux system
 * call; a failure sets errno through __squall_ret (errno.c).
 *
 * The structures in <sys/socket.h> and <netinet/in.h> have Linux's
 * layouts, so arguments pass through untouched. fcntl is the exception:
 * newlib's <fcntl.h> numbers O_NONBLOCK and O_APPEND differently from
 * Linux, so F_GETFL/F_SETFL translate them.
 *
 * Interface: POSIX, as glibc; callers are apps.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include "runtime.h"
#include "syscall.h"

#define LINUX_O_APPEND		02000
#define LINUX_O_NONBLOCK	04000

int socket(int domain, int type, int protocol)
{
	return (int)__squall_ret(syscall3(__NR_socket, domain, type, protocol));
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
	return (int)__squall_ret(syscall4(__NR_socketpair, domain, type, protocol, (long)sv));
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	return (int)__squall_ret(syscall3(__NR_bind, fd, (long)addr, len));
}

int listen(int fd, int backlog)
{
	return (int)__squall_ret(syscall2(__NR_listen, fd, backlog));
}

int accept(int fd, struct sockaddr *addr, socklen_t *len)
{
	return (int)__squall_ret(syscall3(__NR_accept, fd, (long)addr, (long)len));
}

int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
	return (int)__squall_ret(syscall4(__NR_accept4, fd, (long)addr, (long)len, flags));
}

int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	return (int)__squall_ret(syscall3(__NR_connect, fd, (long)addr, len));
}

int shutdown(int fd, int how)
{
	return (int)__squall_ret(syscall2(__NR_shutdown, fd, how));
}

/* send and recv are sendto/recvfrom without an address, as glibc makes them. */
ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return __squall_ret(syscall6(__NR_sendto, fd, (long)buf, (long)len, flags, 0, 0));
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return __squall_ret(syscall6(__NR_recvfrom, fd, (long)buf, (long)len, flags, 0, 0));
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t addrlen)
{
	return __squall_ret(syscall6(__NR_sendto, fd, (long)buf, (long)len, flags, (long)addr,
				     addrlen));
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags,
		 struct sockaddr *addr, socklen_t *addrlen)
{
	return __squall_ret(syscall6(__NR_recvfrom, fd, (long)buf, (long)len, flags, (long)addr,
				     (long)addrlen));
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return __squall_ret(syscall3(__NR_sendmsg, fd, (long)msg, flags));
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	return __squall_ret(syscall3(__NR_recvmsg, fd, (long)msg, flags));
}

int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	return (int)__squall_ret(syscall5(__NR_getsockopt, fd, level, optname, (long)optval,
					  (long)optlen));
}

int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	return (int)__squall_ret(syscall5(__NR_setsockopt, fd, level, optname, (long)optval,
					  optlen));
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	return (int)__squall_ret(syscall3(__NR_getsockname, fd, (long)addr, (long)len));
}

int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	return (int)__squall_ret(syscall3(__NR_getpeername, fd, (long)addr, (long)len));
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	return __squall_ret(syscall3(__NR_readv, fd, (long)iov, iovcnt));
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	return __squall_ret(syscall3(__NR_writev, fd, (long)iov, iovcnt));
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	return (int)__squall_ret(syscall3(__NR_ioctl, fd, (long)request, (long)arg));
}

/* The status flags newlib and Linux both have, each in its own numbering. */
static long fl_to_linux(long fl)
{
	return (fl & O_ACCMODE) | ((fl & O_NONBLOCK) ? LINUX_O_NONBLOCK : 0) |
	       ((fl & O_APPEND) ? LINUX_O_APPEND : 0);
}

static int fl_from_linux(long fl)
{
	return (int)((fl & O_ACCMODE) | ((fl & LINUX_O_NONBLOCK) ? O_NONBLOCK : 0) |
		     ((fl & LINUX_O_APPEND) ? O_APPEND : 0));
}

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg, r;

	va_start(ap, cmd);
	arg = va_arg(ap, long);	/* unused by F_GETFD/F_GETFL, harmless to read */
	va_end(ap);
	if (cmd == F_SETFL)
		arg = fl_to_linux(arg);
	r = __squall_ret(syscall3(__NR_fcntl, fd, cmd, arg));
	if (cmd == F_GETFL && r >= 0)
		r = fl_from_linux(r);
	return (int)r;
}
