/*
 * The POSIX calls newlib's libc.a needs from its host (it is configured
 * --disable-newlib-supplied-syscalls, so its _xxx_r wrappers call these
 * plain names): write read close fstat isatty lseek kill getpid _exit sbrk,
 * plus _init/_fini for __libc_init_array/__libc_fini_array.
 * gettimeofday and times are in time.c; the calls Squall has no use for
 * (open, fork, ...) fail with ENOSYS in nosys.c.
 *
 * Interface: POSIX; callers are newlib and apps. Errors set errno.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include "runtime.h"
#include "syscall.h"

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t n)
{
	return __squall_ret(syscall3(__NR_write, fd, (long)buf, (long)n));
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t n)
{
	return __squall_ret(syscall3(__NR_read, fd, (long)buf, (long)n));
}

int close(int fd)
{
	return (int)__squall_ret(syscall1(__NR_close, fd));
}

/* fds 0-2 are the console: a character device, so stdio line-buffers it.
 * Linux's struct stat differs from newlib's, and nothing else needs more,
 * so there is no fstat system call in the contract. */
int fstat(int fd, struct stat *st)
{
	if (fd < 0 || fd > 2) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR, .st_blksize = 1024 };
	return 0;
}

int isatty(int fd)
{
	if (fd >= 0 && fd <= 2)
		return 1;
	errno = EBADF;	/* newlib's isatty convention: 0 plus errno */
	return 0;
}

/* Nothing seekable exists yet: the console and, later, sockets. */
off_t lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

pid_t getpid(void)
{
	return (pid_t)syscall0(__NR_getpid);
}

/*
 * No signals in Squall: a signal sent to ourselves (abort()'s SIGABRT,
 * raise()) ends the app with the shell's "killed by signal" status
 * 128 + sig; signal 0 probes for existence; there is no other process.
 */
int kill(pid_t pid, int sig)
{
	if (pid != getpid() && pid != 0 && pid != -1) {
		errno = ESRCH;
		return -1;
	}
	if (sig < 0 || sig >= 64) {
		errno = EINVAL;
		return -1;
	}
	if (sig != 0)
		_exit(128 + sig);
	return 0;
}

void _exit(int status)
{
	for (;;)
		syscall1(__NR_exit_group, status);
}

/*
 * malloc's heap, over brk. The kernel returns the (possibly unchanged)
 * break, so success means "moved to exactly where we asked". newlib calls
 * this under its malloc lock; the local lock covers any other caller.
 */
static uintptr_t cur_brk;
static int brk_lock;

void *sbrk(ptrdiff_t incr)
{
	uintptr_t old, want;
	void *ret = (void *)-1;

	__squall_lock(&brk_lock);
	if (!cur_brk)
		cur_brk = (uintptr_t)syscall1(__NR_brk, 0);
	old = cur_brk;
	want = old + (uintptr_t)incr;
	if ((incr >= 0 && want >= old) || (incr < 0 && want < old)) {
		if ((uintptr_t)syscall1(__NR_brk, (long)want) == want) {
			cur_brk = want;
			ret = (void *)old;
		}
	}
	__squall_unlock(&brk_lock);
	if (ret == (void *)-1)
		errno = ENOMEM;
	return ret;
}

/* __libc_init_array/__libc_fini_array call these around the init/fini
 * arrays; app.ld has no .init/.fini sections, so they are empty. */
void _init(void)
{
}

void _fini(void)
{
}
