/*
 * The socket layer's ABI as an app sees it, through the runtime's POSIX
 * wrappers: argument validation (lengths, pointers, families, types,
 * protocols), descriptors (lowest free fd, double close, fcntl, ioctl),
 * options (SO_REUSEADDR, SO_RCVBUF doubling, timeouts, SO_LINGER) and the
 * UDP calls that need no traffic. Runs unchanged on the Linux host and in
 * Squall, which has no loopback: nothing here sends or receives a packet.
 * The TCP checks are skipped (and say so) where there is no TCP yet.
 */
#define __LINUX_ERRNO_EXTENSIONS__	/* newlib's ESOCKTNOSUPPORT (glibc always has it) */
#include "tap.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

/* Kernel half of the address space: not user memory, on Linux or Squall. */
#define BAD_PTR ((void *)0xffff800000000000UL)

static int fails(long ret, int err)
{
	return ret == -1 && errno == err;
}

static struct sockaddr_in sin_of(uint32_t host_addr, uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(host_addr);
	return sin;
}

static int getint(int fd, int level, int name)
{
	int v = -12345;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, level, name, &v, &len) < 0 || len != sizeof(v))
		return -12345;
	return v;
}

static int setint(int fd, int level, int name, int v)
{
	return setsockopt(fd, level, name, &v, sizeof(v));
}

static void test_socket_args(void)
{
	ok(fails(socket(-1, SOCK_DGRAM, 0), EAFNOSUPPORT), "socket: negative family gives EAFNOSUPPORT");
	ok(fails(socket(1000, SOCK_DGRAM, 0), EAFNOSUPPORT), "socket: unknown family gives EAFNOSUPPORT");
	ok(fails(socket(AF_INET, 11, 0), EINVAL), "socket: type out of range gives EINVAL");
	ok(fails(socket(AF_INET, SOCK_DGRAM | 0x100, 0), EINVAL), "socket: unknown type flag gives EINVAL");
	ok(fails(socket(AF_INET, SOCK_RDM, 0), ESOCKTNOSUPPORT),
	   "socket: a type AF_INET lacks gives ESOCKTNOSUPPORT");
	ok(fails(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT),
	   "socket: TCP as a datagram protocol gives EPROTONOSUPPORT");
	ok(fails(socket(AF_INET, SOCK_DGRAM, 1000), EINVAL), "socket: protocol 1000 gives EINVAL");
	ok(fails(socket(AF_INET, SOCK_DGRAM, -1), EINVAL), "socket: negative protocol gives EINVAL");
}

static void test_fds(void)
{
	int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
	int c = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP), d, sv[2];

	ok(a >= 3 && b == a + 1 && c == b + 1, "socket: three UDP sockets get consecutive fds (%d %d %d)",
	   a, b, c);
	ok(close(b) == 0, "close of a socket succeeds");
	d = socket(AF_INET, SOCK_DGRAM, 0);
	ok(d == b, "the next socket reuses the lowest free fd (%d)", d);
	ok(close(d) == 0 && fails(close(d), EBADF), "closing a socket twice gives EBADF");
	ok(close(a) == 0 && close(c) == 0, "close the rest");
	ok(fails(socketpair(AF_INET, SOCK_DGRAM, 0, sv), EOPNOTSUPP), "socketpair(AF_INET) gives EOPNOTSUPP");
	a = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ok(a >= 0 && (fcntl(a, F_GETFL) & O_NONBLOCK) && fcntl(a, F_GETFD) == FD_CLOEXEC,
	   "SOCK_NONBLOCK and SOCK_CLOEXEC show in F_GETFL and F_GETFD");
	close(a);
}

static void test_bind_connect_args(int u)
{
	struct sockaddr_in sin = sin_of(INADDR_ANY, 0), got;
	socklen_t len;
	int ret;

	ok(fails(bind(u, (struct sockaddr *)&sin, sizeof(sin) - 1), EINVAL), "bind: 15-byte address gives EINVAL");
	ok(fails(bind(u, (struct sockaddr *)&sin, 200), EINVAL), "bind: address longer than sockaddr_storage gives EINVAL");
	ok(fails(bind(u, BAD_PTR, sizeof(sin)), EFAULT), "bind: bad address pointer gives EFAULT");
	sin.sin_family = AF_INET6;
	ok(fails(bind(u, (struct sockaddr *)&sin, sizeof(sin)), EAFNOSUPPORT), "bind: AF_INET6 address gives EAFNOSUPPORT");
	sin = sin_of(0xc0000201, 0);	/* 192.0.2.1, TEST-NET-1: nobody's */
	ok(fails(bind(u, (struct sockaddr *)&sin, sizeof(sin)), EADDRNOTAVAIL),
	   "bind: a foreign address gives EADDRNOTAVAIL");
	sin = sin_of(INADDR_ANY, 0);
	ok(fails(bind(999, (struct sockaddr *)&sin, sizeof(sin)), EBADF), "bind: closed fd gives EBADF");
	ok(fails(bind(1, (struct sockaddr *)&sin, sizeof(sin)), ENOTSOCK), "bind: stdout gives ENOTSOCK");
	ok(bind(u, (struct sockaddr *)&sin, sizeof(sin)) == 0, "bind: INADDR_ANY port 0 succeeds");
	ok(fails(bind(u, (struct sockaddr *)&sin, sizeof(sin)), EINVAL), "bind: binding twice gives EINVAL");

	len = sizeof(got);
	memset(&got, 0xff, sizeof(got));
	ret = getsockname(u, (struct sockaddr *)&got, &len);
	ok(ret == 0 && len == sizeof(got) && got.sin_family == AF_INET && got.sin_port != 0 &&
	   got.sin_addr.s_addr == 0, "getsockname after bind to port 0: AF_INET, port %u",
	   ntohs(got.sin_port));
	len = 4;
	memset(&got, 0, sizeof(got));
	ok(getsockname(u, (struct sockaddr *)&got, &len) == 0 && len == sizeof(got) &&
	   got.sin_port != 0 && got.sin_addr.s_addr == 0,
	   "getsockname into 4 bytes copies 4 and reports 16");
	len = (socklen_t)-1;
	ok(fails(getsockname(u, (struct sockaddr *)&got, &len), EINVAL), "getsockname: negative length gives EINVAL");
	ok(fails(getsockname(u, (struct sockaddr *)&got, BAD_PTR), EFAULT), "getsockname: bad length pointer gives EFAULT");
	len = sizeof(got);
	ok(fails(getpeername(u, (struct sockaddr *)&got, &len), ENOTCONN), "getpeername: unconnected gives ENOTCONN");

	ok(fails(connect(u, (struct sockaddr *)&sin, 1), EINVAL), "connect: 1-byte address gives EINVAL");
	ok(fails(connect(u, BAD_PTR, sizeof(sin)), EFAULT), "connect: bad address pointer gives EFAULT");
	sin.sin_family = AF_INET6;
	ok(fails(connect(u, (struct sockaddr *)&sin, sizeof(sin)), EAFNOSUPPORT),
	   "connect: AF_INET6 address gives EAFNOSUPPORT");
	sin.sin_family = AF_UNSPEC;
	ok(connect(u, (struct sockaddr *)&sin, sizeof(sin)) == 0, "connect: AF_UNSPEC dissolves an association");
	sin.sin_family = AF_INET;
	ok(fails(connect(999, (struct sockaddr *)&sin, sizeof(sin)), EBADF), "connect: closed fd gives EBADF");
	ok(fails(connect(1, (struct sockaddr *)&sin, sizeof(sin)), ENOTSOCK), "connect: stdout gives ENOTSOCK");
}

static void test_send_recv_args(int u)
{
	struct sockaddr_in dst = sin_of(0xc0000201, 9), from;
	char buf[16] = "ping";
	socklen_t len = sizeof(from);
	struct iovec iov[2] = { { buf, 2 }, { buf + 2, 2 } };
	struct msghdr msg;

	ok(fails(sendto(u, buf, 4, 0, BAD_PTR, sizeof(dst)), EFAULT), "sendto: bad address pointer gives EFAULT");
	ok(fails(sendto(u, buf, 4, 0, (struct sockaddr *)&dst, 200), EINVAL), "sendto: oversized address gives EINVAL");
	ok(fails(sendto(u, BAD_PTR, 4, 0, (struct sockaddr *)&dst, sizeof(dst)), EFAULT), "sendto: bad buffer gives EFAULT");
	ok(fails(sendto(u, buf, 4, 0, (struct sockaddr *)&dst, 8), EINVAL), "sendto: 8-byte address gives EINVAL");
	dst.sin_family = AF_INET6;
	ok(fails(sendto(u, buf, 4, 0, (struct sockaddr *)&dst, sizeof(dst)), EAFNOSUPPORT),
	   "sendto: AF_INET6 address gives EAFNOSUPPORT");
	ok(fails(send(u, buf, 4, 0), EDESTADDRREQ), "send on an unconnected UDP socket gives EDESTADDRREQ");
	ok(fails(write(u, buf, 4), EDESTADDRREQ), "write on an unconnected UDP socket gives EDESTADDRREQ");
	ok(fails(recvfrom(u, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len), EAGAIN),
	   "recvfrom with MSG_DONTWAIT and nothing queued gives EAGAIN");
	ok(fails(recvfrom(u, BAD_PTR, sizeof(buf), MSG_DONTWAIT, NULL, NULL), EFAULT), "recvfrom: bad buffer gives EFAULT");
	ok(read(u, buf, 0) == 0, "read of 0 bytes from a socket returns 0");
	ok(fails(recvfrom(999, buf, 4, 0, NULL, NULL), EBADF), "recvfrom: closed fd gives EBADF");
	ok(fails(recvfrom(1, buf, 4, MSG_DONTWAIT, NULL, NULL), ENOTSOCK), "recvfrom: stdout gives ENOTSOCK");

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = 2;
	ok(fails(recvmsg(u, &msg, MSG_DONTWAIT), EAGAIN), "recvmsg with MSG_DONTWAIT and nothing queued gives EAGAIN");
	ok(fails(recvmsg(u, BAD_PTR, 0), EFAULT), "recvmsg: bad msghdr pointer gives EFAULT");
	msg.msg_iovlen = 1025;
	ok(fails(recvmsg(u, &msg, MSG_DONTWAIT), EMSGSIZE), "recvmsg: 1025 iovecs give EMSGSIZE");
	ok(fails(sendmsg(u, &msg, 0), EMSGSIZE), "sendmsg: 1025 iovecs give EMSGSIZE");
	msg.msg_iovlen = 2;
	msg.msg_name = &from;
	msg.msg_namelen = (socklen_t)-1;
	ok(fails(recvmsg(u, &msg, MSG_DONTWAIT), EINVAL), "recvmsg: negative name length gives EINVAL");
	msg.msg_name = NULL;
	msg.msg_namelen = 0;
	iov[1].iov_base = BAD_PTR;
	ok(fails(recvmsg(u, &msg, MSG_DONTWAIT), EFAULT), "recvmsg: a bad iovec buffer gives EFAULT");
	ok(fails(readv(u, iov, 2), EFAULT), "readv: a bad iovec buffer gives EFAULT");
	ok(fails(readv(u, iov, 1025), EINVAL), "readv: 1025 iovecs give EINVAL");
	ok(readv(u, iov, 0) == 0, "readv of no iovecs returns 0");
	ok(fails(writev(u, BAD_PTR, 1), EFAULT), "writev: bad iovec array gives EFAULT");
}

static void test_options(int u)
{
	struct timeval tv = { 2, 0 }, got;
	struct linger lg = { 1, 5 }, lgot;
	socklen_t len;
	char small[2];
	int v = 1, ret;

	ok(getint(u, SOL_SOCKET, SO_TYPE) == SOCK_DGRAM, "SO_TYPE is SOCK_DGRAM");
	ok(getint(u, SOL_SOCKET, SO_ERROR) == 0, "SO_ERROR is 0");
	ok(getint(u, SOL_SOCKET, SO_REUSEADDR) == 0, "SO_REUSEADDR starts off");
	ok(setint(u, SOL_SOCKET, SO_REUSEADDR, 5) == 0 && getint(u, SOL_SOCKET, SO_REUSEADDR) == 1,
	   "SO_REUSEADDR set to 5 reads back 1");
	ok(setint(u, SOL_SOCKET, SO_REUSEPORT, 1) == 0 && getint(u, SOL_SOCKET, SO_REUSEPORT) == 1,
	   "SO_REUSEPORT round trip");
	ok(setint(u, SOL_SOCKET, SO_KEEPALIVE, 1) == 0 && getint(u, SOL_SOCKET, SO_KEEPALIVE) == 1,
	   "SO_KEEPALIVE round trip");
	ret = setint(u, SOL_SOCKET, SO_RCVBUF, 4096);
	v = getint(u, SOL_SOCKET, SO_RCVBUF);
	ok(ret == 0 && v == 8192, "SO_RCVBUF 4096 reads back doubled: %d", v);
	ret = setint(u, SOL_SOCKET, SO_SNDBUF, 8192);
	v = getint(u, SOL_SOCKET, SO_SNDBUF);
	ok(ret == 0 && v == 16384, "SO_SNDBUF 8192 reads back doubled: %d", v);
	ret = setint(u, SOL_SOCKET, SO_RCVBUF, 1);
	v = getint(u, SOL_SOCKET, SO_RCVBUF);
	ok(ret == 0 && v >= 2048, "SO_RCVBUF 1 is raised to Linux's minimum: %d", v);
	v = 1;

	ok(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0, "SO_RCVTIMEO 2 s is accepted");
	len = sizeof(got);
	ok(getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 && len == sizeof(got) &&
	   got.tv_sec == 2 && got.tv_usec == 0, "SO_RCVTIMEO reads back 2 s");
	tv.tv_sec = 0;
	tv.tv_usec = 500000;
	len = sizeof(got);
	ret = setsockopt(u, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	      getsockopt(u, SOL_SOCKET, SO_SNDTIMEO, &got, &len);
	ok(ret == 0 && got.tv_sec == 0 && got.tv_usec > 490000 && got.tv_usec < 510000,
	   "SO_SNDTIMEO 0.5 s reads back within a tick: %ld us", (long)got.tv_usec);
	tv.tv_usec = 1000000;
	ok(fails(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), EDOM), "SO_RCVTIMEO with tv_usec 1e6 gives EDOM");
	ok(fails(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL), "SO_RCVTIMEO with 8 bytes gives EINVAL");
	tv.tv_sec = 0;
	tv.tv_usec = 20000;
	ok(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0 &&
	   fails(recv(u, small, sizeof(small), 0), EAGAIN),
	   "a blocking recv with SO_RCVTIMEO gives EAGAIN when it runs out");
	tv.tv_usec = 0;
	setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	len = sizeof(lgot);
	ok(setsockopt(u, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0 &&
	   getsockopt(u, SOL_SOCKET, SO_LINGER, &lgot, &len) == 0 && len == sizeof(lgot) &&
	   lgot.l_onoff == 1 && lgot.l_linger == 5, "SO_LINGER {1, 5} round trip");
	lg.l_onoff = 0;
	lg.l_linger = 0;
	len = sizeof(lgot);
	ok(setsockopt(u, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0 &&
	   getsockopt(u, SOL_SOCKET, SO_LINGER, &lgot, &len) == 0 && lgot.l_onoff == 0 && lgot.l_linger == 5,
	   "SO_LINGER off keeps the old time, as Linux");
	ok(fails(setsockopt(u, SOL_SOCKET, SO_LINGER, &v, sizeof(v)), EINVAL), "SO_LINGER with 4 bytes gives EINVAL");

	len = sizeof(small);
	ok(getsockopt(u, SOL_SOCKET, SO_TYPE, small, &len) == 0 && len == 2, "getsockopt into 2 bytes truncates");
	ok(fails(setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &v, 2), EINVAL), "setsockopt with 2 bytes gives EINVAL");
	ok(fails(setsockopt(u, SOL_SOCKET, SO_REUSEADDR, NULL, sizeof(v)), EFAULT), "setsockopt from NULL gives EFAULT");
	ok(fails(setsockopt(u, SOL_SOCKET, SO_REUSEADDR, &v, (socklen_t)-1), EINVAL),
	   "setsockopt with a negative length gives EINVAL");
	ok(fails(setsockopt(u, SOL_SOCKET, 9999, &v, sizeof(v)), ENOPROTOOPT), "unknown SOL_SOCKET option: ENOPROTOOPT (set)");
	len = sizeof(v);
	ok(fails(getsockopt(u, SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT), "unknown SOL_SOCKET option: ENOPROTOOPT (get)");
	ok(fails(setsockopt(u, SOL_SOCKET, SO_TYPE, &v, sizeof(v)), ENOPROTOOPT), "SO_TYPE is read-only");
	ok(fails(getsockopt(u, SOL_SOCKET, SO_TYPE, &v, BAD_PTR), EFAULT), "getsockopt: bad length pointer gives EFAULT");
	ok(fails(setsockopt(u, IPPROTO_IP, 9999, &v, sizeof(v)), ENOPROTOOPT), "unknown IP-level option: ENOPROTOOPT");
	ok(fails(setsockopt(1, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)), ENOTSOCK), "setsockopt on stdout gives ENOTSOCK");
}

static void test_fcntl_ioctl(int u)
{
	int fl = fcntl(u, F_GETFL), n = -1, on = 1;
	char buf[4];

	ok(fl >= 0 && (fl & O_ACCMODE) == O_RDWR && !(fl & O_NONBLOCK), "F_GETFL: O_RDWR, blocking");
	ok(fcntl(u, F_SETFL, fl | O_NONBLOCK) == 0 && (fcntl(u, F_GETFL) & O_NONBLOCK), "F_SETFL sets O_NONBLOCK");
	ok(fails(recv(u, buf, sizeof(buf), 0), EAGAIN), "recv on an O_NONBLOCK socket gives EAGAIN");
	ok(fails(read(u, buf, sizeof(buf)), EAGAIN), "read on an O_NONBLOCK socket gives EAGAIN");
	ok(fcntl(u, F_SETFL, fl) == 0 && !(fcntl(u, F_GETFL) & O_NONBLOCK), "F_SETFL clears O_NONBLOCK");
	ok(fcntl(u, F_SETFD, FD_CLOEXEC) == 0 && fcntl(u, F_GETFD) == FD_CLOEXEC, "F_SETFD/F_GETFD round trip");
	ok(fails(fcntl(u, 9999), EINVAL), "fcntl with an unknown command gives EINVAL");
	ok(fails(fcntl(999, F_GETFL), EBADF), "fcntl on a closed fd gives EBADF");

	ok(ioctl(u, FIONREAD, &n) == 0 && n == 0, "FIONREAD on an empty UDP socket is 0");
	ok(fails(ioctl(u, FIONREAD, BAD_PTR), EFAULT), "FIONREAD into a bad pointer gives EFAULT");
	ok(fails(ioctl(u, TCGETS, buf), ENOTTY), "a terminal ioctl on a socket gives ENOTTY");
	ok(ioctl(u, FIONBIO, &on) == 0 && (fcntl(u, F_GETFL) & O_NONBLOCK), "FIONBIO sets O_NONBLOCK");
	on = 0;
	ok(ioctl(u, FIONBIO, &on) == 0 && !(fcntl(u, F_GETFL) & O_NONBLOCK), "FIONBIO clears it");
}

static void test_dgram_only(int u)
{
	ok(fails(listen(u, 5), EOPNOTSUPP), "listen on UDP gives EOPNOTSUPP");
	ok(fails(accept(u, NULL, NULL), EOPNOTSUPP), "accept on UDP gives EOPNOTSUPP");
	ok(fails(shutdown(u, SHUT_RD), ENOTCONN), "shutdown of an unconnected UDP socket gives ENOTCONN");
	ok(fails(shutdown(u, 5), EINVAL), "shutdown with how 5 gives EINVAL");
}

static void test_tcp(void)
{
	struct sockaddr_in sin = sin_of(INADDR_ANY, 0), peer;
	socklen_t len = sizeof(peer);
	int t = socket(AF_INET, SOCK_STREAM, 0), fl;

	if (t < 0) {
		skip("no TCP here yet (socket(SOCK_STREAM): errno %d)", errno);
		return;
	}
	ok(fails(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT),
	   "socket: UDP as a stream protocol gives EPROTONOSUPPORT");
	ok(getint(t, SOL_SOCKET, SO_TYPE) == SOCK_STREAM, "SO_TYPE is SOCK_STREAM");
	ok(fails(accept(t, NULL, NULL), EINVAL), "accept on a socket that is not listening gives EINVAL");
	ok(fails(accept4(t, NULL, NULL, 0x1), EINVAL), "accept4 with an unknown flag gives EINVAL");
	ok(fails(getpeername(t, (struct sockaddr *)&peer, &len), ENOTCONN), "getpeername: unconnected TCP gives ENOTCONN");
	ok(fails(shutdown(t, SHUT_RDWR), ENOTCONN), "shutdown of an unconnected TCP socket gives ENOTCONN");
	ok(setint(t, IPPROTO_TCP, TCP_NODELAY, 1) == 0 && getint(t, IPPROTO_TCP, TCP_NODELAY) == 1,
	   "TCP_NODELAY round trip");
	ok(bind(t, (struct sockaddr *)&sin, sizeof(sin)) == 0 && listen(t, 8) == 0, "bind + listen succeed");
	ok(getint(t, SOL_SOCKET, SO_ACCEPTCONN) == 1, "SO_ACCEPTCONN is 1 once listening");
	ok(listen(t, 16) == 0, "listen again only changes the backlog");
	fl = fcntl(t, F_GETFL);
	ok(fcntl(t, F_SETFL, fl | O_NONBLOCK) == 0 && fails(accept(t, NULL, NULL), EAGAIN),
	   "accept on an O_NONBLOCK listener with nothing queued gives EAGAIN");
	ok(fails(accept4(t, NULL, NULL, SOCK_NONBLOCK), EAGAIN), "accept4(SOCK_NONBLOCK) gives EAGAIN too");
	ok(close(t) == 0, "close a listener");
}

/* A TCP socket, SO_REUSEPORT @rp, bound to INADDR_ANY:@port; -1 (errno kept) if bind() refused. */
static int tcp_bound(uint16_t port, int rp)
{
	struct sockaddr_in sin = sin_of(INADDR_ANY, port);
	int t = socket(AF_INET, SOCK_STREAM, 0), err;

	if (t < 0 || (rp && setint(t, SOL_SOCKET, SO_REUSEPORT, 1) < 0))
		return -1;
	if (bind(t, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return t;
	err = errno;
	close(t);
	errno = err;
	return -1;
}

/* SO_REUSEPORT listeners of one user share a port; a socket without the option may not join. */
static void test_tcp_reuseport(void)
{
	const uint16_t port = 47123;
	int a = socket(AF_INET, SOCK_STREAM, 0), b, c;

	if (a < 0) {
		skip("no TCP here yet");
		return;
	}
	close(a);
	a = tcp_bound(port, 1);
	b = tcp_bound(port, 1);
	ok(a >= 0 && b >= 0 && listen(a, 8) == 0 && listen(b, 8) == 0,
	   "two SO_REUSEPORT sockets bind one port and both listen");
	ok(fails(tcp_bound(port, 0), EADDRINUSE), "a third without SO_REUSEPORT gets EADDRINUSE");
	c = tcp_bound(port, 1);
	ok(c >= 0 && listen(c, 8) == 0, "a third with SO_REUSEPORT joins");
	ok(setint(a, SOL_SOCKET, SO_INCOMING_CPU, 0) == 0 && getint(a, SOL_SOCKET, SO_INCOMING_CPU) == 0,
	   "SO_INCOMING_CPU round trip on a listener");
	ok(close(a) == 0 && close(b) == 0 && close(c) == 0, "close the group");
	a = tcp_bound(port, 0);
	ok(a >= 0 && listen(a, 8) == 0, "the port is free again for a plain listener");
	close(a);
}

int main(void)
{
	int u;

	test_socket_args();
	test_fds();
	u = socket(AF_INET, SOCK_DGRAM, 0);
	ok(u >= 0, "socket(AF_INET, SOCK_DGRAM, 0) gives an fd (%d)", u);
	if (u < 0)
		return tap_done();
	ok(fails(recv(u, (char[4]){ 0 }, 4, MSG_DONTWAIT), EAGAIN),
	   "recv on an unbound UDP socket with MSG_DONTWAIT gives EAGAIN");
	test_bind_connect_args(u);
	test_send_recv_args(u);
	test_options(u);
	test_fcntl_ioctl(u);
	test_dgram_only(u);
	ok(close(u) == 0, "close the UDP socket");
	test_tcp();
	test_tcp_reuseport();
	return tap_done();
}
