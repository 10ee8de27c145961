/*
 * POSIX calls that newlib's libc.a references but Squall has no use for:
 * there is no file system, no other process and no signal delivery. They
 * fail with ENOSYS, the same answer a Linux without the feature gives, so
 * code that probes for them (fopen, tmpfile, system, arc4random) fails
 * cleanly instead of failing to link.
 *
 * sigprocmask succeeds: with no signals, every mask is as good as any, and
 * callers such as sigsetjmp/longjmp only need it not to fail.
 *
 * Interface: POSIX; callers are newlib and apps.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int nosys(void)
{
	errno = ENOSYS;
	return -1;
}

int open(const char *path, int flags, ...)
{
	(void)path;
	(void)flags;
	return nosys();
}

int stat(const char *restrict path, struct stat *restrict st)
{
	(void)path;
	(void)st;
	return nosys();
}

int mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return nosys();
}

int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	return nosys();
}

int unlink(const char *path)
{
	(void)path;
	return nosys();
}

pid_t fork(void)
{
	return nosys();
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	(void)path;
	(void)argv;
	(void)envp;
	return nosys();
}

pid_t wait(int *status)
{
	(void)status;
	errno = ECHILD;		/* what wait() says with no children */
	return -1;
}

int getentropy(void *buf, size_t len)
{
	(void)buf;
	(void)len;
	return nosys();
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	(void)how;
	(void)set;
	if (old)
		memset(old, 0, sizeof(*old));
	return 0;
}
