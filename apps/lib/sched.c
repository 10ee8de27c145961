/*
 * CPU placement: sched_setaffinity, sched_getaffinity, sched_getcpu,
 * sched_yield and glibc's pthread_setaffinity_np/pthread_getaffinity_np.
 * A worker-per-CPU server pins each worker with these and checks where it
 * runs with sched_getcpu.
 *
 * The kernel's "pid" argument is a thread id (0 = the caller), as in
 * Linux. Interface: glibc's (sched.h, pthread.h with _GNU_SOURCE).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include "runtime.h"
#include "syscall.h"

int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set)
{
	return (int)__squall_ret(syscall3(__NR_sched_setaffinity, pid,
					  (long)size, (long)set));
}

/* The kernel fills only as many bytes as it has CPUs for; zero the rest. */
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	long r = __squall_ret(syscall3(__NR_sched_getaffinity, pid, (long)size,
				       (long)set));

	if (r < 0)
		return -1;
	if ((size_t)r < size)
		memset((char *)set + r, 0, size - (size_t)r);
	return 0;
}

int sched_getcpu(void)
{
	unsigned cpu;
	long r = __squall_ret(syscall3(__NR_getcpu, (long)&cpu, 0, 0));

	return r < 0 ? -1 : (int)cpu;
}

int sched_yield(void)
{
	return (int)__squall_ret(syscall0(__NR_sched_yield));
}

/* Kernel tid of @thread: 0 (the caller) for ourselves; -1 if it is gone. */
static pid_t thread_tid(pthread_t thread)
{
	struct tcb *t = (struct tcb *)thread;
	int tid;

	if (t == tcb_self())
		return 0;
	tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);
	return tid ? tid : -1;
}

/* pthread_* report errors as return values, leaving errno alone. */
int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set)
{
	pid_t tid = thread_tid(thread);
	long r;

	if (tid < 0)
		return ESRCH;
	r = syscall3(__NR_sched_setaffinity, tid, (long)size, (long)set);
	return syscall_failed(r) ? __squall_errno(-r) : 0;
}

int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t *set)
{
	pid_t tid = thread_tid(thread);
	long r;

	if (tid < 0)
		return ESRCH;
	r = syscall3(__NR_sched_getaffinity, tid, (long)size, (long)set);
	if (syscall_failed(r))
		return __squall_errno(-r);
	if ((size_t)r < size)
		memset((char *)set + r, 0, size - (size_t)r);
	return 0;
}
