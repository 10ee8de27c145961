/*
 * Condition variables over one futex word, a sequence number that every
 * signal and broadcast bumps. A waiter reads it while still holding the
 * mutex, releases the mutex and sleeps only if it is unchanged, so a
 * signal sent after the mutex was released is never missed. A count of
 * waiters lets signal/broadcast skip the system call when nobody waits.
 * Wake-ups may be spurious, as POSIX allows; callers re-check their
 * predicate in a loop.
 *
 * Timed waits take an absolute time on the cond's clock (CLOCK_REALTIME
 * unless pthread_condattr_setclock said CLOCK_MONOTONIC); the futex wants
 * a relative one, computed here.
 *
 * Interface: POSIX (pthread.h).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include "runtime.h"
#include "syscall.h"

int pthread_condattr_init(pthread_condattr_t *attr)
{
	attr->__clock = LINUX_CLOCK_REALTIME;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *attr, clockid_t clock)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	attr->__clock = (int)__squall_clockid(clock);
	return 0;
}

int pthread_condattr_getclock(const pthread_condattr_t *restrict attr,
			      clockid_t *restrict clock)
{
	*clock = attr->__clock == LINUX_CLOCK_MONOTONIC ? CLOCK_MONOTONIC :
							  CLOCK_REALTIME;
	return 0;
}

int pthread_cond_init(pthread_cond_t *restrict c,
		      const pthread_condattr_t *restrict attr)
{
	*c = (pthread_cond_t)PTHREAD_COND_INITIALIZER;
	if (attr)
		c->__clock = attr->__clock;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	return __atomic_load_n(&c->__waiters, __ATOMIC_RELAXED) ? EBUSY : 0;
}

/* abstime - now on @clock; 0 if it has passed (or the clock failed). */
static int time_left(int clock, const struct timespec *abs, struct timespec *rel)
{
	struct timespec now;

	if (syscall_failed(syscall2(__NR_clock_gettime, clock, (long)&now)))
		return 0;
	rel->tv_sec = abs->tv_sec - now.tv_sec;
	rel->tv_nsec = abs->tv_nsec - now.tv_nsec;
	if (rel->tv_nsec < 0) {
		rel->tv_nsec += 1000000000;
		rel->tv_sec--;
	}
	return rel->tv_sec >= 0;
}

/* Sleep on @c's sequence while it is @seq; ETIMEDOUT or 0. */
static int cond_sleep(pthread_cond_t *c, unsigned seq, const struct timespec *abs)
{
	struct timespec rel;

	if (!abs) {
		futex_wait((int *)&c->__seq, (int)seq, NULL);
		return 0;
	}
	if (!time_left(c->__clock, abs, &rel))
		return ETIMEDOUT;
	return futex_wait((int *)&c->__seq, (int)seq, &rel) == ETIMEDOUT ?
	       ETIMEDOUT : 0;
}

static int cond_wait(pthread_cond_t *c, pthread_mutex_t *m,
		     const struct timespec *abs)
{
	unsigned seq;
	int depth, err;

	if (abs && (abs->tv_nsec < 0 || abs->tv_nsec >= 1000000000))
		return EINVAL;
	__atomic_add_fetch(&c->__waiters, 1, __ATOMIC_SEQ_CST);
	seq = __atomic_load_n(&c->__seq, __ATOMIC_SEQ_CST);
	depth = mutex_unlock_all(m);
	if (depth < 0) {
		__atomic_sub_fetch(&c->__waiters, 1, __ATOMIC_SEQ_CST);
		return EPERM;
	}
	err = cond_sleep(c, seq, abs);
	__atomic_sub_fetch(&c->__waiters, 1, __ATOMIC_SEQ_CST);
	mutex_relock(m, depth);
	return err;
}

int pthread_cond_wait(pthread_cond_t *restrict c, pthread_mutex_t *restrict m)
{
	return cond_wait(c, m, NULL);
}

int pthread_cond_timedwait(pthread_cond_t *restrict c,
			   pthread_mutex_t *restrict m,
			   const struct timespec *restrict abstime)
{
	return cond_wait(c, m, abstime);
}

static void cond_wake(pthread_cond_t *c, int n)
{
	__atomic_add_fetch(&c->__seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->__waiters, __ATOMIC_SEQ_CST))
		futex_wake((int *)&c->__seq, n);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	cond_wake(c, 1);
	return 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	cond_wake(c, INT_MAX);
	return 0;
}
