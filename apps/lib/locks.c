/*
 * newlib's retargetable locks for ring-3 threads (newlib is configured
 * --enable-newlib-retargetable-locking): the 9 static lock objects newlib
 * names (malloc, stdio's sfp/sinit, atexit, env, tz, ...) and the 10
 * __retarget_lock_* functions, including the per-FILE locks newlib creates
 * with __retarget_lock_init_recursive (stdout's among them, so a printf
 * line from one thread is never torn by another's).
 *
 * Every lock is recursive: newlib re-enters some (malloc from within
 * stdio, the sfp lock around fclose), and a recursive lock also serves the
 * four it calls non-recursive. The owner is the thread's tcb address, read
 * from %fs:0 without a system call.
 *
 * Interface: the symbols newlib's libc.a references; nobody else calls them.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/lock.h>
#include "runtime.h"
#include "syscall.h"

struct __lock {
	int word;		/* __squall_lock() word */
	int depth;		/* [word] recursion depth of the owner */
	struct tcb *owner;	/* atomic; NULL when free */
};

struct __lock __lock___sinit_recursive_mutex, __lock___sfp_recursive_mutex,
	__lock___atexit_recursive_mutex, __lock___at_quick_exit_mutex,
	__lock___malloc_recursive_mutex, __lock___env_recursive_mutex,
	__lock___tz_mutex, __lock___dd_hash_mutex, __lock___arc4random_mutex;

static void __attribute__((noreturn)) no_lock_memory(void)
{
	static const char msg[] = "squall runtime: out of memory for a newlib lock\n";

	syscall3(__NR_write, 2, (long)msg, sizeof(msg) - 1);
	for (;;)
		syscall1(__NR_exit_group, 127);
}

/* Dynamic locks (one per FILE) come from malloc, whose own lock is static,
 * so this never recurses into itself. */
void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	struct __lock *l = malloc(sizeof(*l));

	if (!l)
		no_lock_memory();	/* newlib gives us no way to fail */
	memset(l, 0, sizeof(*l));
	*lock = l;
}

void __retarget_lock_init(_LOCK_T *lock)
{
	__retarget_lock_init_recursive(lock);
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	free(lock);
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	struct tcb *me = tcb_self();

	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == me) {
		lock->depth++;
		return;
	}
	__squall_lock(&lock->word);
	__atomic_store_n(&lock->owner, me, __ATOMIC_RELAXED);
	lock->depth = 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	struct tcb *me = tcb_self();

	if (__atomic_load_n(&lock->owner, __ATOMIC_RELAXED) == me) {
		lock->depth++;
		return 1;
	}
	if (!__squall_trylock(&lock->word))
		return 0;
	__atomic_store_n(&lock->owner, me, __ATOMIC_RELAXED);
	lock->depth = 1;
	return 1;
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	if (--lock->depth > 0)
		return;
	__atomic_store_n(&lock->owner, NULL, __ATOMIC_RELAXED);
	__squall_unlock(&lock->word);
}

void __retarget_lock_acquire(_LOCK_T lock)
{
	__retarget_lock_acquire_recursive(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	return __retarget_lock_try_acquire_recursive(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
	__retarget_lock_release_recursive(lock);
}
