/*
 * POSIX thread types for the Squall runtime, replacing newlib's
 * <sys/_pthreadtypes.h> (which <sys/types.h> includes).
 *
 * newlib's types are 32-bit handles meant for an RTOS that keeps the real
 * objects in tables: a pthread_t cannot hold a pointer, and a 32-bit
 * pthread_mutex_t has no room for the owner and depth that recursive and
 * error-checking mutexes need. Nothing in libc.a uses these types, so the
 * runtime defines its own, shaped like glibc's where apps can see it
 * (pthread_t is an unsigned long; initialisers are all-zero).
 *
 * Interface: the types; the fields are private to apps/lib/pthread*.c.
 */
#ifndef _SYS__PTHREADTYPES_H_
#define _SYS__PTHREADTYPES_H_

#include <sys/_types.h>
#include <sys/sched.h>

typedef unsigned long pthread_t;	/* the thread's control block */

typedef struct {
	int __magic;		/* set by pthread_attr_init */
	int __detachstate;
	__size_t __stacksize;
} pthread_attr_t;

typedef struct {
	int __lock;		/* futex word: 0 free, 1 held, 2 contended */
	int __type;		/* PTHREAD_MUTEX_NORMAL/RECURSIVE/ERRORCHECK */
	int __count;		/* recursion depth (recursive mutexes) */
	int __spare;
	void *__owner;		/* holder's thread (recursive, errorcheck) */
} pthread_mutex_t;

typedef struct {
	int __type;
} pthread_mutexattr_t;

typedef struct {
	unsigned __seq;		/* futex word: bumped by signal/broadcast */
	unsigned __waiters;	/* threads in wait; 0 lets signal skip the syscall */
	int __clock;		/* Linux clock id for timedwait: 0 realtime */
	int __spare;
} pthread_cond_t;

typedef struct {
	int __clock;		/* Linux clock id */
} pthread_condattr_t;

typedef int pthread_once_t;	/* 0 new, 1 running, 2 done */
typedef unsigned pthread_key_t;

#endif /* _SYS__PTHREADTYPES_H_ */
