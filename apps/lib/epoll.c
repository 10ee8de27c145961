/*
 * The epoll calls for apps: epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait and epoll_pwait, one raw Linux system call each; a failure
 * sets errno through __squall_ret (errno.c). struct epoll_event has
 * Linux's packed layout (<sys/epoll.h>), so it passes through as is.
 *
 * Interface: as glibc's; callers are apps.
 */
#include <sys/epoll.h>
#include "runtime.h"
#include "syscall.h"

#define KERNEL_SIGSET_SIZE 8	/* Linux's _NSIG / 8 on x86-64, what glibc passes */

int epoll_create(int size)
{
	return (int)__squall_ret(syscall1(__NR_epoll_create, size));
}

int epoll_create1(int flags)
{
	return (int)__squall_ret(syscall1(__NR_epoll_create1, flags));
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
{
	return (int)__squall_ret(syscall4(__NR_epoll_ctl, epfd, op, fd, (long)event));
}

int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
{
	return (int)__squall_ret(syscall4(__NR_epoll_wait, epfd, (long)events, maxevents, timeout));
}

int epoll_pwait(int epfd, struct epoll_event *events, int maxevents, int timeout,
		const sigset_t *sigmask)
{
	return (int)__squall_ret(syscall6(__NR_epoll_pwait, epfd, (long)events, maxevents, timeout,
					  (long)sigmask, KERNEL_SIGSET_SIZE));
}
