/*
 * Raw Linux x86-64 system calls for the Squall app runtime, and the
 * contract with the kernel: the complete list of system calls the runtime
 * makes. Squall implements exactly this list; anything else an app needs
 * goes through the runtime first.
 *
 * Interface: syscall0() .. syscall6() return the kernel's raw result, a
 * value or -errno with Linux's errno numbers (newlib's differ, see
 * errno.c). The runtime's files include it; apps use the POSIX calls
 * instead (only raw-ABI tests and benchmarks in tests/apps include it).
 *
 * Calling convention (Linux x86-64): number in rax, arguments in rdi, rsi,
 * rdx, r10, r8, r9; SYSCALL clobbers rcx (return rip) and r11 (rflags);
 * the result is in rax. Every other register is preserved.
 *
 * ---- The contract: system calls used by the runtime ----
 *
 * nr   name             arguments as passed              expects back
 * 0    read             fd, buf, count                   bytes read, 0 at EOF
 * 1    write            fd, buf, count                   bytes written
 * 3    close            fd                               0
 * 9    mmap             addr 0, len (page multiple),     start of new zeroed
 *                       prot PROT_READ|PROT_WRITE (3),   memory, page aligned,
 *                       flags MAP_PRIVATE|MAP_ANONYMOUS  or -ENOMEM
 *                       (0x22), fd -1, offset 0
 *                       (thread stacks + TLS, main TLS)
 * 11   munmap           addr, len (exactly as mmapped)   0
 * 12   brk              0 or new break                   the current break:
 *                                                        the new one on
 *                                                        success, the old
 *                                                        one on failure
 *                       (malloc's heap; the initial break lies after the
 *                       app's .bss and grows up)
 * 24   sched_yield      -                                0
 * 35   nanosleep        req, rem (may be NULL)           0, -EINTR (rem
 *                                                        set), -EINVAL
 * 39   getpid           -                                pid; must equal
 *                                                        the main thread's
 *                                                        tid (as in Linux)
 * 56   clone            flags, newsp, ptid, ctid, tls    child tid to the
 *                       flags = CLONE_VM|CLONE_FS|       parent; 0 in the
 *                       CLONE_FILES|CLONE_SIGHAND|       child, which starts
 *                       CLONE_THREAD|CLONE_SYSVSEM|      after the SYSCALL
 *                       CLONE_SETTLS|CLONE_PARENT_SETTID with rsp = newsp
 *                       |CLONE_CHILD_CLEARTID (0x3d0f00) and FS base = tls
 *                       ptid == ctid: the int that gets  (no other register
 *                       the child's tid before either    of the child is
 *                       side runs on, and 0 + a futex    relied on)
 *                       wake when the child has exited
 *                       and no longer touches its stack
 * 60   exit             status (0)                       ends the calling
 *                                                        thread only, the
 *                                                        main thread too:
 *                                                        the app lives on
 *                                                        while any thread
 *                                                        does (the runtime
 *                                                        calls exit_group
 *                                                        itself when its
 *                                                        last thread leaves;
 *                                                        treat a last exit
 *                                                        as exit_group(0))
 * 158  arch_prctl       ARCH_SET_FS (0x1002), addr       0; FS base = addr
 *                                                        for this thread
 *                       (once, by the main thread, before any libc call)
 * 202  futex            uaddr, op, val, timeout, 0, 0    see below
 *                       op FUTEX_WAIT_PRIVATE (128):     0 when woken,
 *                       sleep if *uaddr == val, timeout  -EAGAIN if *uaddr
 *                       NULL or relative (CLOCK_MONO-    != val, -ETIMEDOUT,
 *                       TONIC)                           -EINTR
 *                       op FUTEX_WAKE_PRIVATE (129):     number woken
 *                       wake up to val waiters
 *                       op FUTEX_WAIT (0): same as WAIT_PRIVATE; used only
 *                       by pthread_join on the CLONE_CHILD_CLEARTID word,
 *                       because Linux wakes that word with a shared
 *                       FUTEX_WAKE. Squall has one address space, so it may
 *                       treat private and shared futexes alike.
 * 203  sched_setaffinity tid (0 = caller), len, mask      0, -EINVAL if the
 *                       (len 128 = sizeof(cpu_set_t),    mask has no online
 *                       or a multiple of 8 via CPU_*_S)  CPU; a thread moved
 *                                                        off its CPU runs
 *                                                        on an allowed one
 *                                                        from its next
 *                                                        schedule on
 * 204  sched_getaffinity tid (0 = caller), len, mask      bytes written to
 *                       (len = 128)                      mask (>0, multiple
 *                                                        of 8); rest is
 *                                                        zeroed here
 * 228  clock_gettime    clockid, ts: CLOCK_REALTIME (0), 0, -EINVAL for an
 *                       CLOCK_MONOTONIC (1) needed;      unknown id
 *                       other Linux ids an app names
 *                       (MONOTONIC_RAW 4, ...) pass
 *                       through as they are
 * 231  exit_group       status                           ends the app
 * 309  getcpu           cpu, node (NULL), tcache (NULL)  0, *cpu = the CPU
 *                                                        running the caller
 *
 *
 * ---- Sockets and descriptors (apps/lib/socket.c, one call per function) ----
 * Linux's arguments and answers, unchanged: struct sockaddr_in, msghdr,
 * iovec, linger and timeval have Linux's x86-64 layouts; user lengths are
 * socklen_t (32 bits); errors are Linux's -errno.
 *
 * nr   name             arguments as passed              expects back
 * 16   ioctl            fd, request, arg                 0 or -errno;
 *                       FIONREAD (0x541B) int *,         FIONREAD: bytes
 *                       FIONBIO (0x5421) int *,          queued (UDP: the
 *                       SIOCOUTQ (0x5411) int *          next datagram)
 * 19   readv            fd, iov, iovcnt (<= 1024)        bytes; a socket
 * 20   writev           fd, iov, iovcnt                  takes the vector as
 *                                                        one message
 * 41   socket           AF_INET (2), SOCK_STREAM (1) or  fd (the lowest
 *                       SOCK_DGRAM (2), optionally |     free), -EAFNO-
 *                       SOCK_NONBLOCK (04000) |          SUPPORT, -EINVAL,
 *                       SOCK_CLOEXEC (02000000),         -ESOCKTNOSUPPORT,
 *                       protocol 0/IPPROTO_TCP/UDP       -EPROTONOSUPPORT
 * 42   connect          fd, addr, addrlen (16)           0, -EINPROGRESS
 *                                                        (non-blocking TCP)
 * 43   accept           fd, addr or NULL, &addrlen       new fd
 * 44   sendto           fd, buf, len, flags, addr or     bytes sent
 *                       NULL, addrlen (send(): NULL, 0)
 * 45   recvfrom         fd, buf, len, flags, addr or     bytes received, 0
 *                       NULL, &addrlen (recv(): NULL, 0) at end of stream
 * 46   sendmsg          fd, msghdr, flags                bytes sent
 * 47   recvmsg          fd, msghdr, flags                bytes; msg_namelen,
 *                                                        msg_flags written,
 *                                                        msg_controllen 0
 * 48   shutdown         fd, SHUT_RD/WR/RDWR (0/1/2)      0, -ENOTCONN
 * 49   bind             fd, addr, addrlen (16)           0, -EADDRINUSE
 * 50   listen           fd, backlog                      0
 * 51   getsockname      fd, addr, &addrlen               0; *addrlen = 16
 * 52   getpeername      fd, addr, &addrlen               0, -ENOTCONN
 * 53   socketpair       domain, type, protocol, sv[2]    -EOPNOTSUPP (AF_INET)
 * 54   setsockopt       fd, level, optname, optval, len  0; SOL_SOCKET (1):
 *                       SO_REUSEADDR, SO_REUSEPORT,      SO_RCVBUF/SNDBUF
 *                       SO_KEEPALIVE, SO_LINGER,         store twice the
 *                       SO_RCVBUF, SO_SNDBUF,            value, as Linux
 *                       SO_RCVTIMEO, SO_SNDTIMEO,
 *                       SO_INCOMING_CPU; IPPROTO_TCP
 * 55   getsockopt       fd, level, optname, optval,      0; *optlen = bytes
 *                       &optlen                          written
 * 72   fcntl            fd, F_GETFD/F_SETFD (FD_CLOEXEC  flags; F_GETFL/
 *                       1), F_GETFL/F_SETFL (Linux's     F_SETFL with
 *                       O_NONBLOCK 04000, O_APPEND       Linux's numbers:
 *                       02000)                           socket.c translates
 * 288  accept4          fd, addr, &addrlen, flags        new fd
 *                       (SOCK_NONBLOCK | SOCK_CLOEXEC)
 *
 * ---- epoll (apps/lib/epoll.c, one call per function) ----
 * struct epoll_event is Linux's packed 12-byte layout.
 *
 * nr   name             arguments as passed              expects back
 * 213  epoll_create     size (> 0, otherwise unused)     epoll fd, -EINVAL
 * 232  epoll_wait       epfd, events, maxevents (1 ..    events copied; 0 on
 *                       INT_MAX / 12), timeout ms (-1    timeout; -EINVAL,
 *                       forever, 0 poll)                 -EFAULT, -EBADF
 * 233  epoll_ctl        epfd, op ADD/DEL/MOD (1/2/3),    0; -EEXIST, -ENOENT,
 *                       fd, event (ignored for DEL)      -EPERM, -EINVAL,
 *                                                        -EBADF, -EFAULT
 * 281  epoll_pwait      as epoll_wait, sigmask or NULL,  as epoll_wait (the
 *                       sigsetsize 8                     mask is not applied:
 *                                                        Squall has no
 *                                                        signals)
 * 291  epoll_create1    flags 0 or EPOLL_CLOEXEC         epoll fd, -EINVAL
 *                       (02000000)
 *
 * Not used: fstat, lseek, open and the rest of the file system, signals
 * (kill of ourselves is exit_group(128 + sig)), set_tid_address, gettid,
 * rt_sigprocmask, getrandom. Errors come back as Linux numbers; errno.c
 * maps them to newlib's.
 *
 * Entry state the runtime expects (as Linux lays it out for a static ELF):
 * rip = e_entry (_start), rsp 16-byte aligned and pointing at argc, then
 * argv[0..argc-1], NULL, envp[..], NULL, auxv (unused here, may be just
 * AT_NULL). Registers other than rsp are not relied on; FS base may be
 * anything until arch_prctl. PT_LOAD segments loaded as linked (app.ld:
 * from 16 MiB, r-x / r-- / rw-), .bss zeroed, the PT_TLS template readable.
 * Ring-3 code uses SSE (newlib's printf, malloc) and the 128-byte red zone
 * below rsp: each thread's x87/SSE state must survive context switches,
 * and the kernel must never write below a user rsp.
 */
#ifndef SQUALL_APP_SYSCALL_H
#define SQUALL_APP_SYSCALL_H

/* Linux x86-64 system call numbers used by the runtime (the list above). */
#define __NR_read		0
#define __NR_write		1
#define __NR_close		3
#define __NR_mmap		9
#define __NR_munmap		11
#define __NR_brk		12
#define __NR_ioctl		16
#define __NR_readv		19
#define __NR_writev		20
#define __NR_sched_yield	24
#define __NR_nanosleep		35
#define __NR_getpid		39
#define __NR_socket		41
#define __NR_connect		42
#define __NR_accept		43
#define __NR_sendto		44
#define __NR_recvfrom		45
#define __NR_sendmsg		46
#define __NR_recvmsg		47
#define __NR_shutdown		48
#define __NR_bind		49
#define __NR_listen		50
#define __NR_getsockname	51
#define __NR_getpeername	52
#define __NR_socketpair		53
#define __NR_setsockopt		54
#define __NR_getsockopt		55
#define __NR_clone		56
#define __NR_exit		60
#define __NR_fcntl		72
#define __NR_arch_prctl		158
#define __NR_futex		202
#define __NR_sched_setaffinity	203
#define __NR_sched_getaffinity	204
#define __NR_epoll_create	213
#define __NR_clock_gettime	228
#define __NR_exit_group		231
#define __NR_epoll_wait		232
#define __NR_epoll_ctl		233
#define __NR_epoll_pwait	281
#define __NR_accept4		288
#define __NR_epoll_create1	291
#define __NR_getcpu		309

/* Linux flag values (newlib's headers have none of these, or other values). */
#define LINUX_PROT_READ		0x1
#define LINUX_PROT_WRITE	0x2
#define LINUX_MAP_PRIVATE	0x02
#define LINUX_MAP_ANONYMOUS	0x20
#define LINUX_ARCH_SET_FS	0x1002
#define LINUX_FUTEX_WAIT	0
#define LINUX_FUTEX_WAKE	1
#define LINUX_FUTEX_PRIVATE	128
#define LINUX_CLOCK_REALTIME	0
#define LINUX_CLOCK_MONOTONIC	1

#define LINUX_CLONE_VM			0x00000100
#define LINUX_CLONE_FS			0x00000200
#define LINUX_CLONE_FILES		0x00000400
#define LINUX_CLONE_SIGHAND		0x00000800
#define LINUX_CLONE_THREAD		0x00010000
#define LINUX_CLONE_SYSVSEM		0x00040000
#define LINUX_CLONE_SETTLS		0x00080000
#define LINUX_CLONE_PARENT_SETTID	0x00100000
#define LINUX_CLONE_CHILD_CLEARTID	0x00200000

/* Raw results in [-4095, -1] are -errno. */
#define LINUX_MAX_ERRNO		4095
#define syscall_failed(r)	((unsigned long)(r) > -(unsigned long)(LINUX_MAX_ERRNO + 1))

static inline long syscall0(long n)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n) : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall1(long n, long a1)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a1)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall2(long n, long a1, long a2)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall3(long n, long a1, long a2, long a3)
{
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a1), "S"(a2), "d"(a3)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall4(long n, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a4;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall5(long n, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long syscall6(long n, long a1, long a2, long a3, long a4, long a5,
			    long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#endif /* SQUALL_APP_SYSCALL_H */
