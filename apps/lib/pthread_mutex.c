/*
 * Mutexes: normal (the default), recursive and error-checking, all over
 * the futex lock in futex.c. A normal mutex is just that lock word: no
 * owner bookkeeping on the fast path. The other two also record the
 * owning thread (its tcb) and, for recursive ones, the depth.
 *
 * Interface: POSIX (pthread.h). pthread_cond.c uses mutex_unlock_all() and
 * mutex_relock() to drop and retake a mutex around a wait.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include "runtime.h"

int pthread_mutexattr_init(pthread_mutexattr_t *attr)
{
	attr->__type = PTHREAD_MUTEX_DEFAULT;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *attr)
{
	(void)attr;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *attr, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_RECURSIVE &&
	    type != PTHREAD_MUTEX_ERRORCHECK)
		return EINVAL;
	attr->__type = type;
	return 0;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *restrict attr,
			      int *restrict type)
{
	*type = attr->__type;
	return 0;
}

int pthread_mutex_init(pthread_mutex_t *restrict m,
		       const pthread_mutexattr_t *restrict attr)
{
	*m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	if (attr)
		m->__type = attr->__type;
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__lock, __ATOMIC_RELAXED) ? EBUSY : 0;
}

static int owned_by_me(pthread_mutex_t *m)
{
	return __atomic_load_n(&m->__owner, __ATOMIC_RELAXED) == tcb_self();
}

/* Locking a mutex we already hold: count deeper, or refuse. */
static int relock(pthread_mutex_t *m)
{
	if (m->__type != PTHREAD_MUTEX_RECURSIVE)
		return EDEADLK;
	if (m->__count == INT_MAX)
		return EAGAIN;
	m->__count++;
	return 0;
}

static void take(pthread_mutex_t *m)
{
	__atomic_store_n(&m->__owner, tcb_self(), __ATOMIC_RELAXED);
	m->__count = 1;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (m->__type == PTHREAD_MUTEX_NORMAL) {
		__squall_lock(&m->__lock);
		return 0;
	}
	if (owned_by_me(m))
		return relock(m);
	__squall_lock(&m->__lock);
	take(m);
	return 0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (m->__type != PTHREAD_MUTEX_NORMAL && owned_by_me(m))
		return m->__type == PTHREAD_MUTEX_RECURSIVE ? relock(m) : EBUSY;
	if (!__squall_trylock(&m->__lock))
		return EBUSY;
	if (m->__type != PTHREAD_MUTEX_NORMAL)
		take(m);
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (m->__type != PTHREAD_MUTEX_NORMAL) {
		if (!owned_by_me(m))
			return EPERM;
		if (--m->__count > 0)
			return 0;
		__atomic_store_n(&m->__owner, NULL, __ATOMIC_RELAXED);
	}
	__squall_unlock(&m->__lock);
	return 0;
}

/* For condition waits: release @m completely, return what to restore. */
int mutex_unlock_all(pthread_mutex_t *m)
{
	int depth = 1;

	if (m->__type != PTHREAD_MUTEX_NORMAL) {
		if (!owned_by_me(m))
			return -1;
		depth = m->__count;
		m->__count = 1;
	}
	pthread_mutex_unlock(m);
	return depth;
}

void mutex_relock(pthread_mutex_t *m, int depth)
{
	pthread_mutex_lock(m);
	if (m->__type != PTHREAD_MUTEX_NORMAL)
		m->__count = depth;
}
