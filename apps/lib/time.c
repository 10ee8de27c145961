/*
 * Clocks and sleeping: clock_gettime, nanosleep, usleep, sleep, and the
 * two newlib needs for time() and clock(): gettimeofday and times.
 *
 * newlib numbers its clock ids differently from Linux (its CLOCK_REALTIME
 * is 1, CLOCK_MONOTONIC 4); apps are compiled against newlib's, the kernel
 * takes Linux's, so every id is converted here.
 *
 * Interface: POSIX (time.h, unistd.h, sys/time.h, sys/times.h) and
 * __squall_clockid() for pthread_cond.c. Errors set errno.
 */
#include <errno.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "runtime.h"
#include "syscall.h"

long __squall_clockid(clockid_t id)
{
	switch (id) {
	case CLOCK_REALTIME:
		return LINUX_CLOCK_REALTIME;
	case CLOCK_MONOTONIC:
		return LINUX_CLOCK_MONOTONIC;
	case CLOCK_MONOTONIC_RAW:
		return 4;
	case CLOCK_REALTIME_COARSE:
		return 5;
	default:		/* CPU-time, coarse, boottime: same numbers */
		return id;
	}
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	return (int)__squall_ret(syscall2(__NR_clock_gettime,
					  __squall_clockid(id), (long)ts));
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	return (int)__squall_ret(syscall2(__NR_nanosleep, (long)req, (long)rem));
}

int usleep(useconds_t us)
{
	struct timespec ts = {
		.tv_sec = us / 1000000,
		.tv_nsec = (long)(us % 1000000) * 1000,
	};

	return nanosleep(&ts, NULL);
}

/* Returns the seconds left if a sleep was interrupted, as POSIX says. */
unsigned sleep(unsigned s)
{
	struct timespec ts = { .tv_sec = s }, rem = { 0 };

	if (nanosleep(&ts, &rem) == 0)
		return 0;
	return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;	/* obsolete; always UTC */
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

/*
 * clock() divides this by CLOCKS_PER_SEC. A Squall app owns its CPUs, so
 * elapsed monotonic time stands in for CPU time; only differences matter.
 */
clock_t times(struct tms *t)
{
	struct timespec ts;
	clock_t ticks;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return (clock_t)-1;
	ticks = (clock_t)(ts.tv_sec * CLOCKS_PER_SEC +
			  ts.tv_nsec / (1000000000 / CLOCKS_PER_SEC));
	if (t)
		*t = (struct tms){ .tms_utime = ticks };
	return ticks;
}
