/*
 * Futexes and the one low-level lock every other lock is built on.
 *
 * The lock is Drepper's "mutex 3" (Futexes Are Tricky, 2011): the word is
 * 0 unlocked, 1 locked, 2 locked and maybe waited on. Uncontended lock and
 * unlock are one atomic each and make no system call; unlock calls
 * FUTEX_WAKE only when someone may sleep. A short spin before sleeping
 * catches holders that are about to release on another CPU.
 *
 * Interface (runtime.h): futex_wait(), futex_wait_shared(), futex_wake(),
 * __squall_lock(), __squall_trylock(), __squall_unlock(). Used by locks.c
 * (newlib's locks), pthread_*.c and the thread code.
 */
#include "runtime.h"
#include "syscall.h"

#define SPIN_TRIES	100

/* Sleep while *uaddr == val. 0 when woken (or spuriously), else a newlib
 * errno: EAGAIN (value changed), ETIMEDOUT, EINTR. */
int futex_wait(int *uaddr, int val, const struct timespec *rel)
{
	long r = syscall4(__NR_futex, (long)uaddr,
			  LINUX_FUTEX_WAIT | LINUX_FUTEX_PRIVATE, val, (long)rel);

	return syscall_failed(r) ? __squall_errno(-r) : 0;
}

/* The same for the CLONE_CHILD_CLEARTID word, which Linux wakes with a
 * shared (not private) FUTEX_WAKE: a private wait would miss it. */
int futex_wait_shared(int *uaddr, int val)
{
	long r = syscall4(__NR_futex, (long)uaddr, LINUX_FUTEX_WAIT, val, 0);

	return syscall_failed(r) ? __squall_errno(-r) : 0;
}

void futex_wake(int *uaddr, int n)
{
	syscall3(__NR_futex, (long)uaddr, LINUX_FUTEX_WAKE | LINUX_FUTEX_PRIVATE, n);
}

static inline int cas(int *l, int old, int new)
{
	return __atomic_compare_exchange_n(l, &old, new, 0, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

int __squall_trylock(int *l)
{
	return cas(l, 0, 1);
}

void __squall_lock(int *l)
{
	int c;

	if (cas(l, 0, 1))
		return;
	for (int i = 0; i < SPIN_TRIES; i++) {
		if (__atomic_load_n(l, __ATOMIC_RELAXED) == 0 && cas(l, 0, 1))
			return;
		__builtin_ia32_pause();
	}
	/* From here on we may sleep, so the word says "waiters" (2). */
	c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		futex_wait(l, 2, NULL);
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	}
}

void __squall_unlock(int *l)
{
	if (__atomic_exchange_n(l, 0, __ATOMIC_RELEASE) == 2)
		futex_wake(l, 1);
}
