/*
 * Internal interfaces of the Squall app runtime (apps/lib): the per-thread
 * control block reached through the FS base, the futex lock every other
 * lock is built on, and the error helpers. Apps never include this.
 *
 * Memory of a thread, low to high (one mmap for a pthread; the kernel's
 * initial stack plus one small mmap for the main thread):
 *
 *	[ stack ... grows down | TLS block (.tdata copy, .tbss zero) | tcb ]
 *	                                                              ^ FS base
 *
 * That is the x86-64 "variant II" TLS layout: the compiler reaches
 * __thread variables at negative offsets from %fs, and %fs:0 holds the
 * TCB's own address.
 */
#ifndef SQUALL_APP_RUNTIME_H
#define SQUALL_APP_RUNTIME_H

#include <reent.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Per-thread control block; FS base points at it. pthread_t is its address. */
struct tcb {
	struct tcb *self;	/* %fs:0, required by the x86-64 TLS ABI */
	struct _reent *reent;	/* what __getreent() returns */
	int tid;		/* kernel tid; 0 once the thread has exited */
	int detach;		/* atomic: DT_JOINABLE, DT_DETACHED, DT_EXITING */
	void *(*start)(void *);
	void *arg;
	void *result;		/* pthread_exit() value, read by join */
	void *map;		/* the mmap holding stack+TLS+tcb; NULL for main */
	size_t map_len;
	struct tcb *next_zombie;	/* [zombie lock] detached, exited */
	struct _reent reent_storage;	/* threads' own; main uses _impure_ptr */
};

enum { DT_JOINABLE, DT_DETACHED, DT_EXITING };

#define SQUALL_STACK_DEFAULT	(1UL << 20)	/* glibc: 8 MiB, musl: 128 KiB */
#define SQUALL_ATTR_MAGIC	0x53714154	/* "SqAT": attr initialised */

static inline struct tcb *tcb_self(void)
{
	struct tcb *t;

	__asm__("mov %%fs:0, %0" : "=r"(t));
	return t;
}

/*
 * Internal functions keep short names in the source but get a __squall_
 * prefix in the binary: the whole runtime is linked into every app, so a
 * plain futex_wait here would clash with an app's own.
 */
#define tls_area_size		__squall_tls_area_size
#define tls_init_area		__squall_tls_init_area
#define tls_stack_top		__squall_tls_stack_top
#define tls_init_main		__squall_tls_init_main
#define futex_wait		__squall_futex_wait
#define futex_wait_shared	__squall_futex_wait_shared
#define futex_wake		__squall_futex_wake
#define mutex_unlock_all	__squall_mutex_unlock_all
#define mutex_relock		__squall_mutex_relock

/* tls.c */
size_t tls_area_size(void);
struct tcb *tls_init_area(void *base, size_t len, int main_thread);
void *tls_stack_top(struct tcb *t);
void tls_init_main(void);

/* futex.c: 0 = unlocked, 1 = locked, 2 = locked with waiters */
int futex_wait(int *uaddr, int val, const struct timespec *rel);
int futex_wait_shared(int *uaddr, int val);
void futex_wake(int *uaddr, int n);
void __squall_lock(int *l);
int __squall_trylock(int *l);
void __squall_unlock(int *l);

/* errno.c */
int __squall_errno(long linux_err);
long __squall_ret(long r);

/* pthread_mutex.c: drop and retake a mutex around a condition wait */
int mutex_unlock_all(pthread_mutex_t *m);	/* -1 if not the owner */
void mutex_relock(pthread_mutex_t *m, int depth);

/* time.c: convert a newlib clockid_t to Linux's number */
long __squall_clockid(clockid_t id);

#endif /* SQUALL_APP_RUNTIME_H */
