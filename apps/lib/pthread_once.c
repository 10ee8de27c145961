/*
 * pthread_once: the word goes 0 (never run) -> 1 (running) -> 2 (done).
 * The thread that moves it to 1 runs @init; any others arriving meanwhile
 * sleep on the word until it is 2. After that, a call is one load.
 *
 * Interface: POSIX (pthread.h).
 */
#include <limits.h>
#include <pthread.h>
#include "runtime.h"

enum { ONCE_NEW, ONCE_RUNNING, ONCE_DONE };

int pthread_once(pthread_once_t *once, void (*init)(void))
{
	int state = ONCE_NEW;

	if (__atomic_load_n(once, __ATOMIC_ACQUIRE) == ONCE_DONE)
		return 0;
	if (__atomic_compare_exchange_n(once, &state, ONCE_RUNNING, 0,
					__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		init();
		__atomic_store_n(once, ONCE_DONE, __ATOMIC_RELEASE);
		futex_wake(once, INT_MAX);
		return 0;
	}
	while ((state = __atomic_load_n(once, __ATOMIC_ACQUIRE)) == ONCE_RUNNING)
		futex_wait(once, ONCE_RUNNING, NULL);
	return 0;
}
