/*
 * The system-call ABI as an app sees it: argument validation returns
 * Linux's errors (never a crash), for calls made with raw SYSCALL
 * instructions. Runs unchanged on the host Linux and in Squall, so the two
 * are held to the same answers.
 */
#include "tap.h"
#include "../../apps/lib/syscall.h"
#include <stdint.h>
#include <string.h>

#define LX_EBADF 9
#define LX_EFAULT 14
#define LX_EINVAL 22
#define LX_ENOSYS 38

struct lx_timespec {
	int64_t tv_sec, tv_nsec;
};

int main(void)
{
	struct lx_timespec ts = { 0, 2000000000 };
	char buf[8] = "abc";
	long cur, mask = 0;
	int word = 0;

	ok(syscall0(1000) == -LX_ENOSYS, "an unknown syscall number gives -ENOSYS");
	ok(syscall0(-1) == -LX_ENOSYS, "a negative syscall number gives -ENOSYS");
	ok(syscall3(1, 1, 0, 5) == -LX_EFAULT, "write from NULL gives -EFAULT");
	ok(syscall3(1, 1, 0x1000, 5) == -LX_EFAULT, "write from unmapped low memory gives -EFAULT");
	ok(syscall3(1, 99, (long)buf, 1) == -LX_EBADF, "write to a closed fd gives -EBADF");
	ok(syscall3(0, 0, 0x10, 4) == -LX_EFAULT || syscall3(0, 0, 0x10, 4) == 0,
	   "read into a bad buffer fails cleanly");
	ok(syscall2(228, 999, (long)&ts) == -LX_EINVAL, "clock_gettime of an unknown clock gives -EINVAL");
	ok(syscall2(228, 1, 0) == -LX_EFAULT, "clock_gettime into NULL gives -EFAULT");
	ok(syscall2(35, (long)&ts, 0) == -LX_EINVAL, "nanosleep with tv_nsec >= 1e9 gives -EINVAL");
	ok(syscall2(35, 0, 0) == -LX_EFAULT, "nanosleep from NULL gives -EFAULT");
	ok(syscall6(202, (long)&word + 1, 129, 1, 0, 0, 0) == -LX_EINVAL,
	   "futex on a misaligned word gives -EINVAL");
	/* FUTEX_WAIT reads the word (FUTEX_WAKE does not touch it, on Linux either). */
	ok(syscall6(202, 0x1000, 128, 0, 0, 0, 0) == -LX_EFAULT, "FUTEX_WAIT on a bad address gives -EFAULT");
	ok(syscall6(202, (long)&word, 128, 1, 0, 0, 0) == -11, "FUTEX_WAIT on a changed value gives -EAGAIN");
	ok(syscall3(203, 0, 8, (long)&mask) == -LX_EINVAL, "sched_setaffinity to no CPU gives -EINVAL");
	ok(syscall3(203, 0, 8, 0x1000) == -LX_EFAULT, "sched_setaffinity from a bad mask gives -EFAULT");
	ok(syscall6(9, 0, 0, 3, 0x22, -1, 0) == -LX_EINVAL, "mmap of length 0 gives -EINVAL");
	ok(syscall2(11, 0x1001, 4096) == -LX_EINVAL, "munmap of a misaligned address gives -EINVAL");
	ok(syscall2(158, 999, 0) == -LX_EINVAL, "arch_prctl with an unknown code gives -EINVAL");
	ok(syscall0(39) == syscall0(186), "getpid equals gettid in the main thread");
	cur = syscall1(12, 0);
	ok(cur > 0 && syscall1(12, 1) == cur, "brk with a bad address leaves the break unchanged");
	ok(syscall3(1, 1, (long)buf, 0) == 0, "a zero-length write returns 0");
	return tap_done();
}
