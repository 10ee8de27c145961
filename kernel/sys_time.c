/*
 * Time system calls. CLOCK_MONOTONIC is the TSC since boot; there is no
 * RTC read yet, so CLOCK_REALTIME counts from boot too (documented, not
 * faked as a real date).
 */
#include <kernel/errno.h>
#include <kernel/sched.h>
#include <kernel/sys.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <kernel/uaccess.h>

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7

/* Linux's x86-64 layouts (newlib's <time.h> is not the ABI). */
struct kernel_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct kernel_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

long sys_clock_gettime(long clock, long tsp)
{
	struct kernel_timespec *ts = (struct kernel_timespec *)tsp;
	uint64_t ns;

	switch (clock) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
		ns = ktime_ns();
		break;
	case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
		ns = tsc_to_ns(current->run_cycles);
		break;
	default:
		return -EINVAL;
	}
	if (!access_ok(ts, sizeof(*ts)))
		return -EFAULT;
	ts->tv_sec = (int64_t)(ns / 1000000000);
	ts->tv_nsec = (int64_t)(ns % 1000000000);
	return 0;
}

long sys_gettimeofday(long tvp, long tz)
{
	struct kernel_timeval *tv = (struct kernel_timeval *)tvp;
	uint64_t ns = ktime_ns();

	(void)tz;
	if (tv) {
		if (!access_ok(tv, sizeof(*tv)))
			return -EFAULT;
		tv->tv_sec = (int64_t)(ns / 1000000000);
		tv->tv_usec = (int64_t)(ns % 1000000000 / 1000);
	}
	return 0;
}

long sys_nanosleep(long reqp, long remp)
{
	const struct kernel_timespec *req = (const struct kernel_timespec *)reqp;
	uint64_t ns, end;

	if (!access_ok(req, sizeof(*req)))
		return -EFAULT;
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000)
		return -EINVAL;
	if (remp && !access_ok((void *)remp, sizeof(struct kernel_timespec)))
		return -EFAULT;
	ns = (uint64_t)req->tv_sec * 1000000000 + (uint64_t)req->tv_nsec;
	end = ktime_ns() + ns;
	/*
	 * Sleep on the timer wheel for whole jiffies (rounded down so as not to
	 * overshoot by a tick), then yield through what is left: never early.
	 */
	if (ns >= 2000000000ULL / HZ)
		schedule_timeout_interruptible((int64_t)(ns * HZ / 1000000000ULL) - 1);
	while (ktime_ns() < end)
		yield();
	return 0;
}
