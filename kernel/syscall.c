/*
 * The system call table and dispatch. Each entry is a sys_* function with
 * Linux's name and number; a number without one (or out of range) returns
 * -ENOSYS and is counted, like Linux's sys_ni_syscall.
 */
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/arch/x86/trap.h>
#include <kernel/sys.h>
#include <kernel/eventpoll.h>

/*
 * As Linux's __x64_sys_* wrappers: each unpacks the argument registers of
 * the trapframe and calls the sys_* function with its own prototype.
 */
#define A1 (long)r->rdi
#define A2 A1, (long)r->rsi
#define A3 A2, (long)r->rdx
#define A4 A3, (long)r->r10
#define A5 A4, (long)r->r8
#define A6 A5, (long)r->r9
#define WRAP(name, args) \
	static long __x64_##name(const struct trapframe *r) { (void)r; return name(args); }
#define NOARGS

WRAP(sys_read, A3)
WRAP(sys_write, A3)
WRAP(sys_close, A1)
WRAP(sys_fstat, A2)
WRAP(sys_lseek, A3)
WRAP(sys_mmap, A6)
WRAP(sys_munmap, A2)
WRAP(sys_brk, A1)
WRAP(sys_ioctl, A3)
WRAP(sys_readv, A3)
WRAP(sys_writev, A3)
WRAP(sys_sched_yield, NOARGS)
WRAP(sys_nanosleep, A2)
WRAP(sys_getpid, NOARGS)
WRAP(sys_socket, A3)
WRAP(sys_connect, A3)
WRAP(sys_accept, A3)
WRAP(sys_sendto, A6)
WRAP(sys_recvfrom, A6)
WRAP(sys_sendmsg, A3)
WRAP(sys_recvmsg, A3)
WRAP(sys_shutdown, A2)
WRAP(sys_bind, A3)
WRAP(sys_listen, A2)
WRAP(sys_getsockname, A3)
WRAP(sys_getpeername, A3)
WRAP(sys_socketpair, A4)
WRAP(sys_setsockopt, A5)
WRAP(sys_getsockopt, A5)
WRAP(sys_clone, A5)
WRAP(sys_exit, A1)
WRAP(sys_kill, A2)
WRAP(sys_fcntl, A3)
WRAP(sys_gettimeofday, A2)
WRAP(sys_arch_prctl, A2)
WRAP(sys_gettid, NOARGS)
WRAP(sys_futex, A6)
WRAP(sys_sched_setaffinity, A3)
WRAP(sys_sched_getaffinity, A3)
WRAP(sys_set_tid_address, A1)
WRAP(sys_clock_gettime, A2)
WRAP(sys_exit_group, A1)
WRAP(sys_accept4, A4)
WRAP(sys_getcpu, A3)
WRAP(sys_epoll_create, A1)
WRAP(sys_epoll_wait, A4)
WRAP(sys_epoll_ctl, A4)
WRAP(sys_epoll_pwait, A6)
WRAP(sys_epoll_create1, A1)

#define SYSCALL(nr, name) [nr] = __x64_##name

static const syscall_fn_t sys_call_table[NR_SYSCALLS] = {
	SYSCALL(0, sys_read),
	SYSCALL(1, sys_write),
	SYSCALL(3, sys_close),
	SYSCALL(5, sys_fstat),
	SYSCALL(8, sys_lseek),
	SYSCALL(9, sys_mmap),
	SYSCALL(11, sys_munmap),
	SYSCALL(12, sys_brk),
	SYSCALL(16, sys_ioctl),
	SYSCALL(19, sys_readv),
	SYSCALL(20, sys_writev),
	SYSCALL(24, sys_sched_yield),
	SYSCALL(35, sys_nanosleep),
	SYSCALL(39, sys_getpid),
	SYSCALL(41, sys_socket),
	SYSCALL(42, sys_connect),
	SYSCALL(43, sys_accept),
	SYSCALL(44, sys_sendto),
	SYSCALL(45, sys_recvfrom),
	SYSCALL(46, sys_sendmsg),
	SYSCALL(47, sys_recvmsg),
	SYSCALL(48, sys_shutdown),
	SYSCALL(49, sys_bind),
	SYSCALL(50, sys_listen),
	SYSCALL(51, sys_getsockname),
	SYSCALL(52, sys_getpeername),
	SYSCALL(53, sys_socketpair),
	SYSCALL(54, sys_setsockopt),
	SYSCALL(55, sys_getsockopt),
	SYSCALL(56, sys_clone),
	SYSCALL(60, sys_exit),
	SYSCALL(62, sys_kill),
	SYSCALL(72, sys_fcntl),
	SYSCALL(96, sys_gettimeofday),
	SYSCALL(158, sys_arch_prctl),
	SYSCALL(186, sys_gettid),
	SYSCALL(202, sys_futex),
	SYSCALL(203, sys_sched_setaffinity),
	SYSCALL(204, sys_sched_getaffinity),
	SYSCALL(213, sys_epoll_create),
	SYSCALL(218, sys_set_tid_address),
	SYSCALL(228, sys_clock_gettime),
	SYSCALL(231, sys_exit_group),
	SYSCALL(232, sys_epoll_wait),
	SYSCALL(233, sys_epoll_ctl),
	SYSCALL(281, sys_epoll_pwait),
	SYSCALL(288, sys_accept4),
	SYSCALL(291, sys_epoll_create1),
	SYSCALL(309, sys_getcpu),
};

static uint64_t counts[NR_SYSCALLS + 1];	/* [a] the last slot: out of range */
static uint64_t enosys;				/* [a] */

long do_syscall_64(struct trapframe *tf)
{
	uint64_t nr = tf->rax;
	syscall_fn_t fn = nr < NR_SYSCALLS ? sys_call_table[nr] : NULL;
	long ret;

	__atomic_add_fetch(&counts[nr < NR_SYSCALLS ? nr : NR_SYSCALLS], 1, __ATOMIC_RELAXED);
	current->user_tf = tf;
	if (!fn) {
		__atomic_add_fetch(&enosys, 1, __ATOMIC_RELAXED);
		ret = -ENOSYS;
	} else {
		ret = fn(tf);
	}
	tf->rax = (uint64_t)ret;
	return ret;
}

uint64_t syscall_count(unsigned int nr)
{
	return __atomic_load_n(&counts[nr < NR_SYSCALLS ? nr : NR_SYSCALLS], __ATOMIC_RELAXED);
}

uint64_t syscall_enosys_count(void)
{
	return __atomic_load_n(&enosys, __ATOMIC_RELAXED);
}
