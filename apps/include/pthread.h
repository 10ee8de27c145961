/*
 * POSIX threads for Squall apps: the subset apps/lib implements, with
 * glibc's constant values, so code written for Linux compiles unchanged.
 * Replaces newlib's <pthread.h>, whose types (see sys/_pthreadtypes.h)
 * and prototypes describe an RTOS implementation that libc.a does not
 * contain.
 *
 * Implemented in apps/lib: pthread.c (threads), pthread_attr.c,
 * pthread_mutex.c, pthread_cond.c, pthread_once.c, sched.c (affinity).
 * Not implemented (yet): cancellation, keys, rwlocks, barriers, spinlocks,
 * timed mutex locks, process-shared objects.
 */
#ifndef SQUALL_PTHREAD_H
#define SQUALL_PTHREAD_H

#include <sys/types.h>
#include <sched.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PTHREAD_STACK_MIN		16384

#define PTHREAD_CREATE_JOINABLE		0
#define PTHREAD_CREATE_DETACHED		1

#define PTHREAD_MUTEX_NORMAL		0
#define PTHREAD_MUTEX_RECURSIVE		1
#define PTHREAD_MUTEX_ERRORCHECK	2
#define PTHREAD_MUTEX_DEFAULT		PTHREAD_MUTEX_NORMAL

#define PTHREAD_MUTEX_INITIALIZER	{ 0, PTHREAD_MUTEX_NORMAL, 0, 0, 0 }
#define PTHREAD_COND_INITIALIZER	{ 0, 0, 0, 0 }
#define PTHREAD_ONCE_INIT		0

#if __GNU_VISIBLE
#define PTHREAD_MUTEX_FAST_NP		PTHREAD_MUTEX_NORMAL
#define PTHREAD_MUTEX_RECURSIVE_NP	PTHREAD_MUTEX_RECURSIVE
#define PTHREAD_MUTEX_ERRORCHECK_NP	PTHREAD_MUTEX_ERRORCHECK
#define PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP \
	{ 0, PTHREAD_MUTEX_RECURSIVE, 0, 0, 0 }
#define PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP \
	{ 0, PTHREAD_MUTEX_ERRORCHECK, 0, 0, 0 }
#endif

/* Threads */
int pthread_create(pthread_t *__restrict thread,
		   const pthread_attr_t *__restrict attr,
		   void *(*start)(void *), void *__restrict arg);
int pthread_join(pthread_t thread, void **retval);
int pthread_detach(pthread_t thread);
void pthread_exit(void *retval) __attribute__((__noreturn__));
pthread_t pthread_self(void);
int pthread_equal(pthread_t a, pthread_t b);

/* Thread attributes */
int pthread_attr_init(pthread_attr_t *attr);
int pthread_attr_destroy(pthread_attr_t *attr);
int pthread_attr_setdetachstate(pthread_attr_t *attr, int state);
int pthread_attr_getdetachstate(const pthread_attr_t *attr, int *state);
int pthread_attr_setstacksize(pthread_attr_t *attr, size_t size);
int pthread_attr_getstacksize(const pthread_attr_t *__restrict attr,
			      size_t *__restrict size);

/* Mutexes */
int pthread_mutex_init(pthread_mutex_t *__restrict mutex,
		       const pthread_mutexattr_t *__restrict attr);
int pthread_mutex_destroy(pthread_mutex_t *mutex);
int pthread_mutex_lock(pthread_mutex_t *mutex);
int pthread_mutex_trylock(pthread_mutex_t *mutex);
int pthread_mutex_unlock(pthread_mutex_t *mutex);
int pthread_mutexattr_init(pthread_mutexattr_t *attr);
int pthread_mutexattr_destroy(pthread_mutexattr_t *attr);
int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type);
int pthread_mutexattr_gettype(const pthread_mutexattr_t *__restrict attr,
			      int *__restrict type);

/* Condition variables */
int pthread_cond_init(pthread_cond_t *__restrict cond,
		      const pthread_condattr_t *__restrict attr);
int pthread_cond_destroy(pthread_cond_t *cond);
int pthread_cond_wait(pthread_cond_t *__restrict cond,
		      pthread_mutex_t *__restrict mutex);
int pthread_cond_timedwait(pthread_cond_t *__restrict cond,
			   pthread_mutex_t *__restrict mutex,
			   const struct timespec *__restrict abstime);
int pthread_cond_signal(pthread_cond_t *cond);
int pthread_cond_broadcast(pthread_cond_t *cond);
int pthread_condattr_init(pthread_condattr_t *attr);
int pthread_condattr_destroy(pthread_condattr_t *attr);
int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock);
int pthread_condattr_getclock(const pthread_condattr_t *__restrict attr,
			      clockid_t *__restrict clock);

/* One-time initialisation */
int pthread_once(pthread_once_t *once, void (*init)(void));

#if __GNU_VISIBLE
/* CPU affinity of one thread (glibc extensions) */
int pthread_setaffinity_np(pthread_t thread, size_t size, const cpu_set_t *set);
int pthread_getaffinity_np(pthread_t thread, size_t size, cpu_set_t *set);
#endif

#ifdef __cplusplus
}
#endif

#endif /* SQUALL_PTHREAD_H */
