/*
 * Threads: pthread_create, pthread_join, pthread_detach, pthread_exit,
 * pthread_self, pthread_equal.
 *
 * A thread is one anonymous mmap holding its stack, TLS block and tcb
 * (runtime.h), started with clone(2) sharing everything. The kernel writes
 * the new tid into tcb->tid (CLONE_PARENT_SETTID) and, when the thread is
 * gone and off its stack, zeroes it and wakes it as a futex
 * (CLONE_CHILD_CLEARTID): that is what join waits for before it unmaps the
 * thread's memory. A detached thread cannot unmap the stack it runs on,
 * so at exit it queues itself as a zombie, and the next pthread_create
 * unmaps every zombie whose tid is already 0.
 *
 * Interface: POSIX (pthread.h); __squall_thread_start() for clone.S.
 * The last thread to exit ends the app with exit(0), like glibc, so atexit
 * handlers and stdio flushing run even when main() left through
 * pthread_exit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include "runtime.h"
#include "syscall.h"

#define PAGE_SIZE	4096UL
#define CLONE_FLAGS	(LINUX_CLONE_VM | LINUX_CLONE_FS | LINUX_CLONE_FILES | \
			 LINUX_CLONE_SIGHAND | LINUX_CLONE_THREAD | \
			 LINUX_CLONE_SYSVSEM | LINUX_CLONE_SETTLS | \
			 LINUX_CLONE_PARENT_SETTID | LINUX_CLONE_CHILD_CLEARTID)

long __squall_clone(unsigned long flags, void *stack, int *ptid, int *ctid,
		    void *tls);
void __squall_thread_start(void) __attribute__((noreturn));

static int live_threads = 1;		/* atomic; main counts */

static int zombie_lock;
static struct tcb *zombies;		/* [zombie_lock] */

static void unmap_thread(struct tcb *t)
{
	syscall2(__NR_munmap, (long)t->map, (long)t->map_len);
}

/* Free the memory of detached threads the kernel says are gone. */
static void reap_zombies(void)
{
	struct tcb **pp = &zombies, *t;

	__squall_lock(&zombie_lock);
	while ((t = *pp)) {
		if (__atomic_load_n(&t->tid, __ATOMIC_ACQUIRE) == 0) {
			*pp = t->next_zombie;
			unmap_thread(t);
		} else {
			pp = &t->next_zombie;
		}
	}
	__squall_unlock(&zombie_lock);
}

static void wait_exited(struct tcb *t)
{
	int tid;

	while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) != 0)
		futex_wait_shared(&t->tid, tid);
}

/* One mmap: stack, then TLS block and tcb on top. NULL if out of memory. */
static struct tcb *alloc_thread(size_t stacksize)
{
	size_t len;
	long p;
	struct tcb *t;

	if (stacksize > SIZE_MAX / 2)
		return NULL;
	len = (stacksize + tls_area_size() + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	p = syscall6(__NR_mmap, 0, (long)len, LINUX_PROT_READ | LINUX_PROT_WRITE,
		     LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0);
	if (syscall_failed(p))
		return NULL;
	t = tls_init_area((void *)p, len, 0);
	t->map = (void *)p;
	t->map_len = len;
	return t;
}

int pthread_create(pthread_t *restrict res, const pthread_attr_t *restrict attr,
		   void *(*start)(void *), void *restrict arg)
{
	size_t stacksize = SQUALL_STACK_DEFAULT;
	int detached = 0;
	struct tcb *t;
	long r;

	if (attr) {
		if (attr->__magic != SQUALL_ATTR_MAGIC)
			return EINVAL;
		stacksize = attr->__stacksize;
		detached = attr->__detachstate == PTHREAD_CREATE_DETACHED;
	}
	if (!start)
		return EINVAL;
	reap_zombies();
	t = alloc_thread(stacksize);
	if (!t)
		return EAGAIN;
	t->start = start;
	t->arg = arg;
	t->detach = detached ? DT_DETACHED : DT_JOINABLE;
	*res = (pthread_t)t;	/* before it runs: it may read *res */
	__atomic_add_fetch(&live_threads, 1, __ATOMIC_RELAXED);
	r = __squall_clone(CLONE_FLAGS, tls_stack_top(t), &t->tid, &t->tid, t);
	if (syscall_failed(r)) {
		int e = __squall_errno(-r);

		__atomic_sub_fetch(&live_threads, 1, __ATOMIC_RELAXED);
		unmap_thread(t);
		return e == ENOMEM ? EAGAIN : e;	/* POSIX: EAGAIN */
	}
	return 0;
}

/* The new thread's first C code (from clone.S); FS is already its tcb. */
void __squall_thread_start(void)
{
	struct tcb *self = tcb_self();

	pthread_exit(self->start(self->arg));
}

void pthread_exit(void *retval)
{
	struct tcb *self = tcb_self();
	int state = DT_JOINABLE;

	self->result = retval;
	if (__atomic_sub_fetch(&live_threads, 1, __ATOMIC_ACQ_REL) == 0)
		exit(0);
	if (self->map) {
		_reclaim_reent(self->reent);	/* dtoa buffers, strtok... */
		if (!__atomic_compare_exchange_n(&self->detach, &state, DT_EXITING,
						 0, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE)) {
			__squall_lock(&zombie_lock);
			self->next_zombie = zombies;
			zombies = self;
			__squall_unlock(&zombie_lock);
		}
	}
	for (;;)
		syscall1(__NR_exit, 0);	/* this thread only */
}

int pthread_join(pthread_t thread, void **retval)
{
	struct tcb *t = (struct tcb *)thread;

	if (t == tcb_self())
		return EDEADLK;
	if (!t->map || __atomic_load_n(&t->detach, __ATOMIC_ACQUIRE) == DT_DETACHED)
		return EINVAL;		/* main, or detached: not joinable */
	wait_exited(t);
	if (retval)
		*retval = t->result;
	unmap_thread(t);
	return 0;
}

int pthread_detach(pthread_t thread)
{
	struct tcb *t = (struct tcb *)thread;
	int state = DT_JOINABLE;

	if (!t->map)
		return 0;	/* main: its memory is not ours to free anyway */
	if (__atomic_compare_exchange_n(&t->detach, &state, DT_DETACHED, 0,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return 0;
	if (state == DT_DETACHED)
		return EINVAL;
	/* Already exiting as joinable: nobody else will free it, so we do. */
	wait_exited(t);
	unmap_thread(t);
	return 0;
}

pthread_t pthread_self(void)
{
	return (pthread_t)tcb_self();
}

int pthread_equal(pthread_t a, pthread_t b)
{
	return a == b;
}
